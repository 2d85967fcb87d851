"""Panel and row imputers against COINr's procedures written out independently.

``linear`` / ``constant``: COINr's ``impute_panel`` calls R's ``approx(x, y, xout = x, rule = 2,
method = ...)`` per unit and indicator: NA points are dropped, values between two observations are
interpolated (linearly, or the left one for "constant"), and beyond the ends the nearest observed
value is used (rule 2). ``row``: COINr's ``Impute(impute_by = "row", normalise_first = TRUE)``:
each column times its direction is min-max scaled to [0, 1], a missing cell takes the mean of its
row's other scaled values, and is scaled back.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vises
from vises.errors import DataValidationError, VisesError
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node


def approx(x: list[float], y: list[float], method: str) -> list[float]:
    """R's approx(x, y, xout = x, rule = 2, method) with NA pairs removed, in plain Python."""
    points = sorted((a, b) for a, b in zip(x, y, strict=True) if not math.isnan(b))
    out = []
    for t in x:
        if not points:
            out.append(math.nan)
        elif t <= points[0][0]:
            out.append(points[0][1])
        elif t >= points[-1][0]:
            out.append(points[-1][1])
        else:
            left = max(p for p in points if p[0] <= t)
            right = min(p for p in points if p[0] >= t)
            if method == "constant" or right[0] == left[0]:
                out.append(left[1])
            else:
                out.append(left[1] + (right[1] - left[1]) * (t - left[0]) / (right[0] - left[0]))
    return out


def panel_grid(method: str) -> Grid:
    return Grid(
        code="g",
        nodes=(Node(code="g"),),
        indicators=(Indicator(code="a", parent="g"), Indicator(code="b", parent="g")),
        defaults=Defaults(imputation=Method(name=method)),
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["x", "y", "z"]),
            st.sampled_from([2015, 2016, 2018, 2021]),
            st.one_of(st.just(math.nan), st.floats(-50, 50, allow_nan=False)),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.sampled_from(["linear", "constant"]),
)
def test_panel_imputation_is_r_approx_with_rule_2(rows: list[tuple[str, int, float]], method: str) -> None:
    orgs = np.array([r[0] for r in rows])
    years = np.array([str(r[1]) for r in rows])
    a = np.array([r[2] for r in rows])
    dataset = Dataset(
        organisations=orgs,
        periods=years,
        columns={"a": Column(values=a), "b": Column(values=np.ones(len(rows)))},
    )
    results = vises.score(panel_grid(method), dataset)
    for org in set(orgs.tolist()):
        mine = np.flatnonzero(orgs == org)
        expected = approx([float(y) for y in years[mine]], a[mine].tolist(), method)
        np.testing.assert_allclose(results.raw("a")[mine], expected, rtol=1e-12, atol=1e-12, equal_nan=True)
    filled = np.isnan(a) & ~np.isnan(results.raw("a"))
    np.testing.assert_array_equal(results.imputed("a"), filled)


def test_interior_gaps_only_and_periods_that_are_not_numbers() -> None:
    dataset = Dataset(
        organisations=np.array(["x"] * 4),
        periods=np.array(["2018", "2019", "2020", "2021"]),
        columns={"a": Column(values=np.array([np.nan, 2.0, np.nan, 6.0])), "b": Column(values=np.ones(4))},
    )
    grid = panel_grid("linear")
    grid = Grid(
        code="g",
        nodes=grid.nodes,
        indicators=grid.indicators,
        defaults=Defaults(imputation=Method(name="linear", params={"ends": "none"})),
    )
    assert vises.score(grid, dataset).raw("a").tolist()[1:] == [2.0, 4.0, 6.0]
    assert math.isnan(vises.score(grid, dataset).raw("a")[0])
    words = Dataset(
        organisations=np.array(["x", "x"]),
        periods=np.array(["spring", "autumn"]),
        columns={"a": Column(values=np.array([1.0, np.nan])), "b": Column(values=np.ones(2))},
    )
    with pytest.raises(VisesError, match="periods that are numbers"):
        vises.score(panel_grid("linear"), words)


def coinr_row_impute(block: np.ndarray, directions: list[int]) -> np.ndarray:
    """COINr's row-wise imputation, one cell at a time."""
    n, k = block.shape
    signed = block * np.array(directions, dtype=float)
    low = [min(v for v in signed[:, j] if not math.isnan(v)) for j in range(k)]
    high = [max(v for v in signed[:, j] if not math.isnan(v)) for j in range(k)]
    out = block.copy()
    for i in range(n):
        scaled = [(signed[i, j] - low[j]) / (high[j] - low[j]) for j in range(k)]
        present = [v for v in scaled if not math.isnan(v)]
        for j in range(k):
            if math.isnan(block[i, j]) and present:
                mean = sum(present) / len(present)
                out[i, j] = (mean * (high[j] - low[j]) + low[j]) * directions[j]
    return out


def test_row_imputation_is_coinr_s_normalise_first_row_mean() -> None:
    rng = np.random.default_rng(2)
    block = rng.uniform(0, 100, size=(15, 3))
    block[rng.random(block.shape) < 0.2] = np.nan
    block[0] = [np.nan, 5.0, 7.0]
    grid = Grid(
        code="g",
        nodes=(Node(code="g"), Node(code="n1", parent="g"), Node(code="n2", parent="g")),
        indicators=(
            Indicator(code="a", parent="n1"),
            Indicator(code="b", parent="n1", direction="lower"),
            Indicator(code="c", parent="n1"),
            Indicator(code="other", parent="n2"),
        ),
        defaults=Defaults(imputation=Method(name="row")),
    )
    dataset = Dataset(
        organisations=np.array([f"o{i}" for i in range(15)]),
        periods=np.full(15, "2020"),
        columns={
            **{code: Column(values=block[:, j]) for j, code in enumerate("abc")},
            "other": Column(values=np.full(15, 1000.0)),  # another node: never used for a, b, c
        },
    )
    results = vises.score(grid, dataset)
    expected = coinr_row_impute(block, [1, -1, 1])
    for j, code in enumerate("abc"):
        np.testing.assert_allclose(results.raw(code), expected[:, j], rtol=1e-12, equal_nan=True, err_msg=code)
        np.testing.assert_array_equal(results.imputed(code), np.isnan(block[:, j]) & ~np.isnan(expected[:, j]))


def test_row_imputation_never_fills_not_applicable_cells_and_checks_parameters() -> None:
    grid = Grid(
        code="g",
        nodes=(Node(code="g"),),
        indicators=(Indicator(code="a", parent="g"), Indicator(code="b", parent="g")),
        defaults=Defaults(imputation=Method(name="row", params={"statistic": "mode"})),
    )
    dataset = Dataset(
        organisations=np.array(["x", "y"]),
        periods=np.array(["1", "1"]),
        columns={"a": Column(values=np.array([np.nan, 1.0])), "b": Column(values=np.array([1.0, 2.0]))},
    )
    with pytest.raises((VisesError, DataValidationError), match="statistic"):
        vises.score(grid, dataset)
    na = Column(values=np.array([np.nan, 1.0]), not_applicable=np.array([True, False]))
    ok = Grid(code="g", nodes=grid.nodes, indicators=grid.indicators, defaults=Defaults(imputation=Method(name="row")))
    results = vises.score(
        ok,
        Dataset(
            organisations=dataset.organisations, periods=dataset.periods, columns={"a": na, "b": dataset.columns["b"]}
        ),
    )
    assert math.isnan(results.raw("a")[0]) and not results.imputed("a")[0]
