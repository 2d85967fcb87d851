"""The plugin passes vises' own plugin checks, with its report format rendered on real results."""

from pathlib import Path

import vises
import vises_hauts_de_france.hooks
from vises.testing import check_plugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "data" / "hdf_iae.csv"


def test_hdf_passes_check_plugin():
    results = vises.score("hdf.iae", EXAMPLE) if EXAMPLE.is_file() else None
    check = check_plugin(vises_hauts_de_france.hooks, name="hdf", results=results)
    assert check.problems == ()
    assert "hdf.iae" in check.provides["grids"]
