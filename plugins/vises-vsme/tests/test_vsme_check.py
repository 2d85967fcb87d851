"""The plugin passes vises' own plugin checks."""

from pathlib import Path

import vises
import vises_vsme.hooks
from vises.testing import check_plugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "data" / "vsme_social.csv"


def test_vsme_passes_check_plugin():
    results = vises.score("vsme.social", EXAMPLE) if EXAMPLE.is_file() else None
    check = check_plugin(vises_vsme.hooks, name="vsme", results=results)
    assert check.problems == ()
    assert "vsme.social" in check.provides["grids"]
