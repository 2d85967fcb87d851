"""Outlier treatment: COINr's winsorisation rule, clip, log; fitted bounds kept and reused."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vises
from vises.contract.records import FitContext
from vises.engine.compile import compile_grid
from vises.errors import GridValidationError
from vises.methods.treat import TREATMENTS
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node
from vises.numeric import kurtosis, skewness
from vises.plugins import get_registry

ROOT = Path(__file__).resolve().parents[1]
ASEM = next(
    (
        base / "datasets" / "asem"
        for base in (ROOT / ".." / "shared", Path("/work/shared"))
        if (base / "datasets" / "asem" / "iData.csv").is_file()
    ),
    ROOT / ".." / "shared" / "datasets" / "asem",
)


def _context(n: int) -> FitContext:
    return FitContext(
        indicator=Indicator(code="x"), organisations=np.arange(n).astype(str), periods=np.zeros(n).astype(str)
    )


def _fit(name: str, values, **params):
    x = np.asarray(values, dtype=np.float64)
    spec = TREATMENTS[name]
    fitted = spec.fit(x, params=params, context=_context(len(x)))
    return fitted, spec.apply(x, fitted)


# -- COINr's statistics, written out independently ---------------------------------------------------


def textbook_skew(x: list[float]) -> float:
    n = len(x)
    m = sum(x) / n
    m2 = sum((v - m) ** 2 for v in x) / n
    m3 = sum((v - m) ** 3 for v in x) / n
    return m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)


def textbook_kurt(x: list[float]) -> float:
    n = len(x)
    m = sum(x) / n
    m2 = sum((v - m) ** 2 for v in x) / n
    m4 = sum((v - m) ** 4 for v in x) / n
    g2 = m4 / m2**2 - 3
    return ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3))


def test_skew_and_kurtosis_are_the_sample_statistics_coinr_uses():
    x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]
    assert skewness(np.array(x, float)) == pytest.approx(textbook_skew(x), rel=1e-12)
    assert kurtosis(np.array(x, float)) == pytest.approx(textbook_kurt(x), rel=1e-12)
    assert math.isnan(skewness(np.ones(5))) and math.isnan(kurtosis(np.array([1.0, 2.0, 3.0])))


def test_winsorise_moves_the_outlier_in_until_the_column_passes():
    # COINr's own example: 1..10 with outliers 30 and 100. Skew 3.06 and kurtosis 9.74 fail;
    # 100 takes the next value, 30; then skew 1.71 < 2 passes.
    fitted, treated = _fit("winsorise", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    assert fitted["transform"] == "clip" and fitted["upper"] == 30.0 and fitted["lower"] is None
    assert fitted["winsorised_high"] == 1 and fitted["passed"] is True
    assert treated.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 30]


def test_winsorise_low_side_when_skew_is_negative():
    fitted, treated = _fit("winsorise", [-100, -30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    assert fitted["lower"] == -30.0 and fitted["winsorised_low"] == 1
    assert treated[0] == -30.0


def test_passing_column_is_left_alone_and_nan_stays_nan():
    fitted, treated = _fit("winsorise", [1, 2, np.nan, 3, 4, 5])
    assert fitted["transform"] == "none"
    np.testing.assert_array_equal(treated, [1, 2, np.nan, 3, 4, 5])


def test_winsorise_falls_back_to_log_ct_on_the_original_values():
    # 1..20 and three outliers: winsorising one point (winmax 1) leaves 500, 1000, 1000, still failing.
    x = [float(v) for v in range(1, 21)] + [500.0, 1000.0, 5000.0]
    fitted, treated = _fit("winsorise", x, winmax=1)
    assert fitted["transform"] == "log_CT" and fitted["winsorise_tried"] == 1
    shift = 0.01 * (5000.0 - 1.0)
    np.testing.assert_allclose(treated, np.log(np.array(x) - 1.0 + shift))
    # Without the fallback the winsorised values are kept, and the failure is recorded.
    fitted, treated = _fit("winsorise", x, winmax=1, fallback="none")
    assert fitted["transform"] == "clip" and fitted["passed"] is False and treated.max() == 1000.0
    assert fitted["winsorised_high"] == 1


def test_clip_fixed_and_quantile_bounds():
    fitted, treated = _fit("clip", [0, 5, 10, 50], upper=20)
    assert treated.tolist() == [0, 5, 10, 20]
    fitted, treated = _fit("clip", [0, 10, 20, 30, 40], lower_quantile=0.25, upper_quantile=0.75)
    assert (fitted["lower"], fitted["upper"]) == (10.0, 30.0)
    assert treated.tolist() == [10, 10, 20, 30, 30]


def test_log_forms():
    _fitted, treated = _fit("log", [3, 4, 12])
    np.testing.assert_allclose(treated, np.log([1, 2, 10]))  # the minimum maps to 1, log 1 = 0
    _fitted, treated = _fit("log", [3, 4, 103], form="log_CT")
    np.testing.assert_allclose(treated, np.log([1.0, 2.0, 101.0]))  # shift 0.01·(103 − 3) = 1


def test_bad_parameters_are_reported_with_the_grid_path():
    grid = Grid(
        code="g",
        nodes=(Node(code="root"),),
        indicators=(
            Indicator(code="a", parent="root"),
            Indicator(code="b", parent="root", treatment=Method(name="winsorize")),
            Indicator(code="c", parent="root", treatment=Method(name="clip")),
        ),
    )
    with pytest.raises(GridValidationError) as info:
        compile_grid(grid, get_registry())
    paths = {problem.path for problem in info.value.problems}
    assert {"indicators[1].treatment", "indicators[2].treatment"} <= paths
    assert "unknown treatment 'winsorize'" in str(info.value)


def test_registry_knows_the_treatments():
    registry = get_registry()
    assert {"winsorise", "clip", "log", "none"} <= set(registry.treatments)
    assert registry.treatments["winsorise"].plugin == "vises"


def _two_period_data() -> Dataset:
    values = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100] * 2, dtype=float)
    values[12:] *= 2
    return Dataset(
        organisations=np.array([f"o{i}" for i in range(12)] * 2),
        periods=np.array(["2023"] * 12 + ["2024"] * 12),
        columns={"a": Column(values=values)},
    )


def _grid(treatment: Method | None) -> Grid:
    return Grid(
        code="g",
        nodes=(Node(code="root"),),
        indicators=(Indicator(code="a", parent="root"),),
        defaults=Defaults(treatment=treatment),
    )


def test_scoring_records_and_reuses_the_bounds():
    data = _two_period_data()
    results = vises.score(_grid(Method(name="winsorise")), data, pooling="per_period")
    per_period = results.fitted_treatment["a"]["per_period"]
    assert per_period["2023"]["upper"] == 30.0 and per_period["2024"]["upper"] == 60.0
    assert results.provenance["treatments"] == {"a": "winsorise"}
    assert results.treated("a")[11] == 30.0 and results.raw("a")[11] == 100.0
    # A lone centre scored against the network gets the network's bounds, not its own.
    alone = Dataset(
        organisations=np.array(["new"]), periods=np.array(["2023"]), columns={"a": Column(values=np.array([500.0]))}
    )
    again = vises.score(_grid(Method(name="winsorise")), alone, pooling="per_period", reference=results)
    assert again.treated("a")[0] == 30.0 and again.score("a")[0] == pytest.approx(100.0)


def test_treatment_off_changes_nothing():
    data = _two_period_data()
    plain = vises.score(_grid(None), data)
    off = vises.score(_grid(Method(name="none")), data)
    np.testing.assert_array_equal(plain.scores, off.scores)
    assert plain.fitted_treatment == {} and "treatments" not in plain.provenance


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=4, max_size=40), st.integers(1, 8))
def test_winsorised_values_stay_in_range_and_keep_their_order(values, winmax):
    x = np.array(values)
    _, treated = _fit("winsorise", x, winmax=winmax, fallback="none")
    assert treated.min() >= x.min() and treated.max() <= x.max()
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(treated[order]) >= 0), "a larger value never ends up below a smaller one"
    _, logged = _fit("winsorise", x, winmax=winmax)
    assert np.all(np.diff(logged[order]) >= 0), "the log fallback is monotone too"


# -- golden: COINr's default Treat on the ASEM raw data --------------------------------------------


def coinr_treat(column: list[float]) -> list[float]:
    """COINr's Treat.numeric with its defaults, on one column, in plain Python and numpy."""
    present = [v for v in column if not math.isnan(v)]

    def passes(x: list[float]) -> bool:
        return abs(textbook_skew(x)) < 2 or textbook_kurt(x) < 3.5

    if passes(present):
        return column
    x = list(column)
    nwin, imax, imin = 0, [], []
    ok = False
    while not ok and nwin < 5:
        now = [v for v in x if not math.isnan(v)]
        if textbook_skew(now) >= 0:
            top = max(now)
            imax = [i for i, v in enumerate(x) if v == top]
            below = max(v for i, v in enumerate(x) if i not in imax and not math.isnan(v))
            for i in imax:
                x[i] = below
        else:
            bottom = min(now)
            imin = [i for i, v in enumerate(x) if v == bottom]
            above = min(v for i, v in enumerate(x) if i not in imin and not math.isnan(v))
            for i in imin:
                x[i] = above
        nwin = len(imax) + len(imin)
        ok = passes([v for v in x if not math.isnan(v)])
    if ok:
        return x
    low, high = min(present), max(present)
    return [math.nan if math.isnan(v) else math.log(v - low + 0.01 * (high - low)) for v in column]


@pytest.mark.skipif(not (ASEM / "iData.csv").is_file(), reason=f"COINr's ASEM example is not available at {ASEM}")
def test_asem_winsorisation_matches_coinr():
    grid = vises.load_grid(ASEM / "iMeta.csv")
    grid = attrs.evolve(grid, defaults=attrs.evolve(grid.defaults, treatment=Method(name="winsorise")))
    data = vises.load_data(ASEM / "iData.csv", grid=grid)
    results = vises.score(grid, data)
    with (ASEM / "iData.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    treated_somewhere = 0
    for ind in grid.scored_indicators:
        column = [float(row[ind.code]) if row[ind.code] not in ("", "NA") else math.nan for row in rows]
        expected = coinr_treat(column)
        got = [results.treated(ind.code)[results.row(row["uCode"])] for row in rows]
        np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True, err_msg=ind.code)
        treated_somewhere += expected != column
    assert treated_somewhere >= 5, "the ASEM data has several skewed indicators"
