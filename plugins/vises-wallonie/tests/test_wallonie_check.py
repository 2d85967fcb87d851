"""The plugin passes vises' own plugin checks, with its report format rendered on real results."""

from pathlib import Path

import vises
import vises_wallonie.hooks
from vises.testing import check_plugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "data" / "wallonie_cisp.csv"


def test_wallonie_passes_check_plugin():
    results = vises.score("wallonie.cisp", EXAMPLE) if EXAMPLE.is_file() else None
    check = check_plugin(vises_wallonie.hooks, name="wallonie", results=results)
    assert check.problems == ()
    assert "wallonie.cisp" in check.provides["grids"]
