"""Denominators: ratios in the declared unit, a missing reason instead of infinity, COINr opt-in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vises
from vises.engine.compile import compile_grid
from vises.errors import DataValidationError, GridValidationError
from vises.io.coinr import read_coinr_meta
from vises.io.frames import from_columns
from vises.model import Column, Dataset, Grid, Indicator, Level, Node
from vises.plugins import get_registry
from vises.validation.dataset import check_dataset
from vises.validation.grid import validate_dataset

ASEM = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "asem"
if not ASEM.is_dir():  # a worktree beside the repository: the shared folder at its usual place
    ASEM = Path("/work/shared/datasets/asem")


def _grid(**indicator) -> Grid:
    fields = {"unit": "hour / FTE", "denominator": "staff_fte", **indicator}
    return Grid(code="g", nodes=(Node(code="root"),), indicators=(Indicator(code="training", parent="root", **fields),))


def _data(hours, staff, *, hours_unit="minute", staff_unit="FTE") -> Dataset:
    n = len(hours)
    return Dataset(
        organisations=np.array([f"o{i}" for i in range(n)]),
        periods=np.array(["2024"] * n),
        columns={
            "training": Column(values=np.asarray(hours, float), unit=hours_unit),
            "staff_fte": Column(values=np.asarray(staff, float), unit=staff_unit),
        },
    )


def test_ratio_in_the_declared_unit():
    results = vises.score(_grid(), _data([600, 120, 90], [2, 1, 0.5]))
    np.testing.assert_allclose(results.raw("training"), [5.0, 2.0, 3.0])  # 600 min / 2 FTE = 5 h/FTE
    assert results.provenance["denominators"] == {"training": "staff_fte"}


@pytest.mark.filterwarnings("ignore::vises.errors.DataWarning")
def test_zero_negative_and_missing_denominators_make_the_row_missing_with_a_reason():
    results = vises.score(_grid(), _data([60, 60, 60, 60, np.nan], [1, 0, -2, np.nan, 1]))
    raw = results.raw("training")
    assert raw[0] == 1.0 and np.isnan(raw[1:]).all() and not np.isinf(raw).any()
    reasons = results.reasons("training").tolist()
    assert reasons == [
        None,
        "denominator 'staff_fte' is 0 or negative",
        "denominator 'staff_fte' is 0 or negative",
        "denominator 'staff_fte' is missing",
        "missing value",
    ]


def test_incompatible_units_are_refused():
    with pytest.raises(DataValidationError, match="cannot be expressed"):
        vises.score(_grid(), _data([1, 2], [1, 1], staff_unit="EUR"))


def test_without_units_the_ratio_is_taken_as_given():
    results = vises.score(_grid(unit=None), _data([6, 8], [2, 4], hours_unit=None, staff_unit=None))
    np.testing.assert_allclose(results.raw("training"), [3.0, 2.0])


def test_validate_dataset_accepts_and_checks_denominator_columns():
    grid = _grid()
    assert validate_dataset(grid, _data([60, 60], [1, 2])) == []
    # Rows with a denominator of 0 or below are scored as missing with a reason, so validation
    # warns about them (listing each row) rather than refusing what scoring accepts.
    checked = check_dataset(grid, _data([60, 60, 60], [1, 0, -1]))
    assert checked.problems == []
    warnings = [str(p) for p in checked.warnings]
    assert len(warnings) == 2 and "divide by zero" in warnings[0] and "negative" in warnings[1]
    assert "row 3" in warnings[0] and "row 4" in warnings[1]
    missing = Dataset(
        organisations=np.array(["o"]),
        periods=np.array(["1"]),
        columns={"training": Column(values=np.array([1.0]), unit="hour")},
    )
    assert any("denominator column is missing" in str(p) for p in validate_dataset(grid, missing))


def test_readers_parse_denominator_columns_as_numbers():
    data = from_columns(
        {"organisation": ["a", "b"], "training [minute]": ["60", "120"], "staff_fte [FTE]": ["1", "2"]},
        grid=_grid(),
        periods="2024",
    )
    assert data.columns["staff_fte"].numeric and data.columns["staff_fte"].unit == "FTE"


def test_a_denominator_may_be_a_reported_indicator_but_not_a_node_or_a_computed_one():
    grid = Grid(
        code="g",
        nodes=(Node(code="root"),),
        indicators=(
            Indicator(code="a", parent="root", denominator="b", unit="hour / FTE"),
            Indicator(code="b", context=True, unit="FTE"),
        ),
    )
    data = vises.load_data({"organisation": ["x", "y"], "a": [40.0, 90.0], "b": [2.0, 3.0]}, grid=grid)
    assert list(vises.score(grid, data).raw("a")) == [20.0, 30.0]
    for denominator, extra in (
        ("root", ()),
        ("q", (Indicator(code="q", parent="root", kind="scale", levels=(Level(value="1"), Level(value="2"))),)),
        ("d", (Indicator(code="d", parent="root", formula="b * 2", unit="FTE"),)),
    ):
        bad = Grid(
            code="g",
            nodes=(Node(code="root"),),
            indicators=(Indicator(code="a", parent="root", denominator=denominator), grid.indicators[1], *extra),
        )
        with pytest.raises(GridValidationError) as info:
            compile_grid(bad, get_registry())
        assert "indicators[0].denominator" in {p.path for p in info.value.problems}, denominator


@pytest.mark.skipif(not (ASEM / "iMeta.csv").is_file(), reason=f"COINr's ASEM example is not available at {ASEM}")
def test_coinr_denominators_only_when_asked():
    plain = read_coinr_meta(ASEM / "iMeta.csv")
    assert all(ind.denominator is None for ind in plain.indicators)
    divided = read_coinr_meta(ASEM / "iMeta.csv", denominators=True)
    used = {ind.code: ind.denominator for ind in divided.indicators if ind.denominator}
    assert used, "ASEM divides several indicators by GDP, population, area or energy"
    data = vises.load_data(ASEM / "iData.csv", grid=divided)
    results = vises.score(divided, data)
    code, name = next(iter(used.items()))
    row = results.row("AUT")
    expected = data.columns[code].values[row] / data.columns[name].values[row]
    assert results.raw(code)[row] == pytest.approx(expected)
