"""The plugin passes vises' own plugin checks, with its report format rendered on real results."""

from pathlib import Path

import vises
import vises_vlaanderen.hooks
from vises.testing import check_plugin

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "data" / "vlaanderen_maatwerk.csv"


def test_vlaanderen_passes_check_plugin():
    results = vises.score("vlaanderen.maatwerk", EXAMPLE) if EXAMPLE.is_file() else None
    check = check_plugin(vises_vlaanderen.hooks, name="vlaanderen", results=results)
    assert check.problems == ()
    assert "vlaanderen.maatwerk" in check.provides["grids"]
