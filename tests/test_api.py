"""The public API: what a developer embedding vises calls."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vises
from vises.errors import ConfigError, DataError, VisesError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_GRID = ROOT / "examples" / "grids" / "example.toml"


def test_importing_vises_loads_no_heavy_library():
    code = (
        "import sys, vises\n"
        "heavy = [m for m in ('pint', 'pandas', 'openpyxl', 'matplotlib', 'jinja2', 'babel') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names():
    for name in (
        "load_grid",
        "load_data",
        "score",
        "validate_data",
        "render",
        "hookimpl",
        "Grid",
        "Indicator",
        "Node",
        "Dataset",
        "Column",
    ):
        assert hasattr(vises, name), name
    assert (Path(vises.__file__).parent / "py.typed").is_file()


def _columns(grid):
    """A small valid dataset for any grid, built column by column."""
    n = 4
    columns = {}
    for position, ind in enumerate(grid.indicators):
        if ind.kind.value in ("scale", "category", "binary"):
            levels = list(ind.level_scores())
            columns[ind.code] = [levels[(i + position) % len(levels)] for i in range(n)]
        elif ind.kind.value == "narrative":
            columns[ind.code] = ["a story", None, None, "another"]
        else:
            low = ind.minimum if ind.minimum is not None else 0.0
            high = ind.maximum if ind.maximum is not None else low + 100.0
            columns[ind.code] = list(np.linspace(low, high, n))
    return columns


def test_score_from_a_mapping_and_from_a_dataframe_agree():
    pd = pytest.importorskip("pandas")
    grid = vises.load_grid(EXAMPLE_GRID)
    columns = _columns(grid)
    mapping = {"organisation": ["a", "b", "c", "d"], "period": ["2019"] * 4, **columns}
    from_mapping = vises.score(grid, mapping)
    from_frame = vises.score(grid, pd.DataFrame(mapping))
    np.testing.assert_array_equal(from_mapping.scores, from_frame.scores)
    frame = from_frame.to_frame().reset_index()
    assert list(frame.columns[:2]) == ["organisation", "period"] and len(frame) == 4
    records = from_mapping.to_records()
    assert records[0]["organisation"] == "a" and set(from_mapping.codes) <= set(records[0])


def test_registered_grid_with_weighting_and_example_file(tmp_path):
    import vises.plugins

    if "wallonie.cisp" not in vises.plugins.get_registry().grid_sources:
        pytest.skip("the vises-wallonie plugin is not installed")
    data = ROOT / "examples" / "data" / "wallonie_cisp.csv"
    plain = vises.score("wallonie.cisp", data)
    weightings = [key for key, w in vises.plugins.get_registry().weightings.items() if w.grid == "wallonie.cisp"]
    assert weightings, "the plugin ships a weighting variant of its grid"
    varied = vises.score("wallonie.cisp", data, weighting=weightings[0])
    assert not np.allclose(plain.score("cisp"), varied.score("cisp"), equal_nan=True)
    assert plain.dataset.evaluations, "the sibling .evaluations.toml is picked up"
    org = plain.dataset.evaluations[0].organisation
    assert plain.evaluation(org) is not None


def test_render_and_validate_data():
    grid = vises.load_grid(EXAMPLE_GRID)
    mapping = {"organisation": ["a", "b", "c", "d"], "period": ["2019"] * 4, **_columns(grid)}
    results = vises.score(grid, mapping)
    assert "organisation,period" in vises.render(results, "csv")
    assert vises.validate_data(grid, mapping) == []
    first = next(ind for ind in grid.indicators if ind.kind.value == "quantity" and ind.maximum is not None)
    bad = dict(mapping)
    bad[first.code] = [first.maximum * 10 + 1] * 4
    problems = vises.validate_data(grid, bad)
    assert problems and all(isinstance(p, VisesError) for p in problems)
    assert any(first.code in str(p) for p in problems)


def test_clear_errors_for_missing_files_and_unknown_grids(tmp_path):
    with pytest.raises(ConfigError, match="grid file not found"):
        vises.load_grid(tmp_path / "nope.toml")
    with pytest.raises(VisesError, match="no_such_grid"):
        vises.load_grid("no_such_grid")
    with pytest.raises(DataError, match="data file not found"):
        vises.load_data(tmp_path / "missing.csv")


BAD_GRID = """
code = "x"
[[nodes]]
code = "root"
[[nodes]]
code = "a"
parent = "rooot"
weight = -1
[[indicators]]
code = "i1"
parent = "a"
unit = "furlongs_per_fortnightx"
[[indicators]]
code = "i1"
parent = "root"
"""


def test_load_grid_reports_every_structural_problem_at_once(tmp_path):
    from vises.errors import GridValidationError

    path = tmp_path / "bad.toml"
    path.write_text(BAD_GRID, encoding="utf-8")
    with pytest.raises(GridValidationError) as info:
        vises.load_grid(path)
    text = str(info.value)
    assert text.startswith("4 problems")
    for needle in (
        "duplicate code 'i1'",
        "unknown parent 'rooot'",
        "did you mean 'root'",
        "got -1.0",
        "unknown unit 'furlongs_per_fortnightx'",
        "indicators[0].unit",
        f"file '{path}'",
    ):
        assert needle in text, needle
    assert vises.load_grid(path, validate=False).code == "x", "validate=False lets tools inspect an unfinished grid"


def test_cli_show_refuses_a_bad_grid_without_traceback(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_GRID, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "vises", "show", str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "4 problems" in done.stderr


def test_validate_grid_lists_every_problem_and_load_grid_raises_them():
    from vises.errors import GridValidationError
    from vises.model import Grid, Indicator, Node

    good = vises.load_grid(EXAMPLE_GRID)
    assert vises.validate_grid(good) == [] and vises.load_grid(good) is good
    bad = Grid(
        code="b", nodes=(Node(code="r"), Node(code="r")), indicators=(Indicator(code="x", parent="nowhere", weight=-1),)
    )
    problems = vises.validate_grid(bad)
    assert len(problems) >= 3
    with pytest.raises(GridValidationError) as info:
        vises.load_grid(bad)
    assert "duplicate code 'r'" in str(info.value) and "unknown parent 'nowhere'" in str(info.value)


def test_load_grid_checks_every_kind_of_method(tmp_path):
    """Unknown treatment or imputation names are refused on loading, not only when scoring."""
    from vises.errors import GridValidationError

    path = tmp_path / "stages.toml"
    path.write_text(
        'code = "s"\n[defaults]\ntreatment = "winsorize"\nimputation = "meen"\n'
        '[[nodes]]\ncode = "r"\n[[indicators]]\ncode = "x"\nparent = "r"\n',
        encoding="utf-8",
    )
    with pytest.raises(GridValidationError) as info:
        vises.load_grid(path)
    assert "winsorize" in str(info.value) and "meen" in str(info.value)


def test_compile_grid_is_kept_per_grid_and_registry():
    grid = vises.load_grid(EXAMPLE_GRID)
    first = vises.compile_grid(grid)
    assert vises.compile_grid(grid) is first
    assert repr(first).startswith("<CompiledGrid 'work_integration_example'")


def test_short_reprs_say_what_they_hold():
    grid = vises.load_grid(EXAMPLE_GRID)
    assert repr(grid) == (
        "<Grid 'work_integration_example' version '2024.1': 4 nodes, 8 indicators (1 narrative); languages fr, en>"
    )
    assert len(repr(grid)) < 200
