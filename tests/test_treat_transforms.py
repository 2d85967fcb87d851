"""Box-Cox and log_CT_plus (COINr's ``boxcox`` and ``log_CT_plus``), and the measured-coverage fix.

The expected values are COINr's formulas written out here: ``boxcox(x, lambda, makepos = TRUE)``
is ``((x − min + 1)^λ − 1)/λ`` (``log`` when λ = 0); ``log_CT_plus`` is ``log(x − min + a)`` when the
skew is positive, else ``−log(max + a − x)``, with ``a = 0.01 (max − min)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import vises
from vises.contract.records import FitContext
from vises.errors import DataValidationError, MethodError, VisesError
from vises.methods.treat import TREATMENTS
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node


def _context(n: int) -> FitContext:
    return FitContext(
        indicator=Indicator(code="x"), organisations=np.arange(n).astype(str), periods=np.zeros(n).astype(str)
    )


def _apply(name: str, values: list[float], **params: object) -> tuple[dict[str, object], np.ndarray]:
    x = np.asarray(values, dtype=np.float64)
    spec = TREATMENTS[name]
    fitted = spec.fit(x, params=params, context=_context(len(x)))
    return fitted, spec.apply(x, fitted)


def skew(x: list[float]) -> float:
    n = len(x)
    m = sum(x) / n
    m2 = sum((v - m) ** 2 for v in x) / n
    m3 = sum((v - m) ** 3 for v in x) / n
    return m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)


@pytest.mark.parametrize("lam", [2.0, 0.5, 0.0, -1.0])
def test_boxcox_is_coinr_s_formula(lam: float) -> None:
    x = [3.0, 7.5, 1.2, 40.0, 9.0, math.nan]
    low = min(v for v in x if not math.isnan(v))
    expected = [
        math.nan if math.isnan(v) else (math.log(v - low + 1) if lam == 0 else ((v - low + 1) ** lam - 1) / lam)
        for v in x
    ]
    fitted, treated = _apply("boxcox", x, **{"lambda": lam})
    np.testing.assert_allclose(treated, expected, rtol=1e-13, equal_nan=True)
    assert fitted["transform"] == "boxcox" and fitted["shift"] == 1.0 - low


def test_boxcox_without_shifting_needs_positive_values_and_refuses_new_lows() -> None:
    _, treated = _apply("boxcox", [1.0, 4.0, 9.0], **{"lambda": 0.5, "makepos": False})
    np.testing.assert_allclose(treated, [(v**0.5 - 1) / 0.5 for v in (1.0, 4.0, 9.0)])
    with pytest.raises(MethodError, match="positive values"):
        _apply("boxcox", [0.0, 4.0], **{"lambda": 0.5, "makepos": False})
    shifted, _ = _apply("boxcox", [5.0, 6.0, 7.0], **{"lambda": 1.0})
    with pytest.raises(MethodError, match="below the range"):
        TREATMENTS["boxcox"].apply(np.array([3.0]), shifted)  # 3 − 5 + 1 = −1: no real power
    with pytest.raises(VisesError, match="lambda"):
        TREATMENTS["boxcox"].check({})


@pytest.mark.parametrize(
    "values",
    [[1.0, 2.0, 2.5, 3.0, 4.0, 50.0], [-50.0, 1.0, 2.0, 2.5, 3.0, 4.0]],
    ids=["right tail", "left tail"],
)
def test_log_ct_plus_follows_the_skew(values: list[float]) -> None:
    low, high = min(values), max(values)
    a = 0.01 * (high - low)
    if skew(values) > 0:
        expected = [math.log(v - low + a) for v in values]
    else:
        expected = [-math.log(high + a - v) for v in values]
    fitted, treated = _apply("log", values, form="log_CT_plus")
    np.testing.assert_allclose(treated, expected, rtol=1e-13)
    assert np.all(np.diff(treated[np.argsort(values)]) > 0), "monotone increasing either way"
    assert ("log_max" in fitted) == (skew(values) <= 0)


def test_winsorise_can_fall_back_to_log_ct_plus() -> None:
    # A left spike that winsorising one point cannot fix: the fallback mirrors the log.
    values = [-1000.0, -990.0, *[float(v) for v in range(1, 19)]]
    fitted, treated = _apply("winsorise", values, winmax=1, fallback="log_CT_plus")
    assert fitted["transform"] == "log_CT" and fitted.get("form") == "log_CT_plus"
    low, high = min(values), max(values)
    np.testing.assert_allclose(treated, [-math.log(high + 0.01 * (high - low) - v) for v in values], rtol=1e-13)


def test_grids_use_the_new_treatments_and_validate_them() -> None:
    grid = Grid(
        code="g",
        nodes=(Node(code="g"),),
        indicators=(
            Indicator(code="a", parent="g"),
            Indicator(code="b", parent="g", treatment=Method(name="boxcox", params={"lambda": 0.0})),
        ),
        defaults=Defaults(treatment=Method(name="log", params={"form": "log_CT_plus"})),
    )
    data = Dataset(
        organisations=np.array(["x", "y", "z"]),
        periods=np.full(3, "1"),
        columns={"a": Column(values=np.array([1.0, 2.0, 30.0])), "b": Column(values=np.array([2.0, 4.0, 8.0]))},
    )
    results = vises.score(grid, data)
    np.testing.assert_allclose(results.treated("b"), np.log([1.0, 3.0, 7.0]))
    assert results.fitted_treatment["a"]["form"] == "log_CT_plus"
    bad = Grid(
        code="g",
        nodes=grid.nodes,
        indicators=grid.indicators,
        defaults=Defaults(treatment=Method(name="log", params={"form": "log_ct_plus"})),
    )
    with pytest.raises((VisesError, DataValidationError), match="form"):
        vises.score(bad, data)


def test_measured_coverage_counts_the_measured_weight_share() -> None:
    # 2 of 4 equally weighted indicators imputed, in two dimensions: 50 % of the weight is measured,
    # not 0 % (the old rule counted a whole dimension as unmeasured for one imputed indicator).
    grid = Grid(
        code="g",
        nodes=(Node(code="g"), Node(code="d1", parent="g"), Node(code="d2", parent="g")),
        indicators=(
            Indicator(code="a", parent="d1"),
            Indicator(code="b", parent="d1"),
            Indicator(code="c", parent="d2"),
            Indicator(code="e", parent="d2", weight=3.0),
        ),
        defaults=Defaults(imputation=Method(name="mean")),
    )
    data = Dataset(
        organisations=np.array(["x", "y", "z"]),
        periods=np.full(3, "1"),
        columns={
            "a": Column(values=np.array([np.nan, 1.0, 2.0])),
            "b": Column(values=np.array([1.0, 2.0, 3.0])),
            "c": Column(values=np.array([np.nan, 1.0, 2.0])),
            "e": Column(values=np.array([1.0, 2.0, 3.0])),
        },
    )
    results = vises.score(grid, data)
    assert results.coverage("g")[0] == 1.0
    assert results.coverage("d1", imputed=False)[0] == pytest.approx(0.5)
    assert results.coverage("d2", imputed=False)[0] == pytest.approx(0.75)
    assert results.coverage("g", imputed=False)[0] == pytest.approx((0.5 + 0.75) / 2)
    assert results.coverage("g", imputed=False)[1] == 1.0
