"""vises.analysis.statistics: data quality and multivariate checks against values worked out by hand."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vises
from vises.analysis import (
    correlations,
    cronbach_alpha,
    data_availability,
    indicator_statistics,
    internal_consistency,
    pca,
)
from vises.errors import ConfigError, DataError, VisesError
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node

ROOT = Path(__file__).resolve().parents[1]
GOALPOSTS = Method(name="goalposts", params={"lower": 0, "upper": 100})
#: x1..x3 are permutations of 10..40, so each has variance 500/3; y2 = 2·y1 + 5.
VALUES = {
    "x1": [10, 20, 30, 40],
    "x2": [20, 10, 40, 30],
    "x3": [10, 30, 20, 40],
    "y1": [10, 20, 30, 40],
    "y2": [25, 45, 65, 85],
}


def grid() -> Grid:
    """Root g = mean(a, b); a = mean(x1, x2, x3); b = mean(y1, y2)."""
    return Grid(
        code="g",
        label={"en": "Total"},
        nodes=(Node(code="g"), Node(code="a", parent="g"), Node(code="b", parent="g")),
        indicators=tuple(
            Indicator(code=code, parent=code[0].replace("x", "a").replace("y", "b"), unit=None)
            for code in ("x1", "x2", "x3", "y1", "y2")
        ),
        defaults=Defaults(normaliser=GOALPOSTS),
    )


def scored(values=None, *, orgs=None, periods=None, na=None):
    values = values or VALUES
    n = len(next(iter(values.values())))
    na = na or {}
    columns = {
        code: Column(values=np.asarray(v, dtype=float), not_applicable=np.asarray(na[code]) if code in na else None)
        for code, v in values.items()
    }
    dataset = Dataset(
        organisations=np.array(orgs or [f"o{i}" for i in range(n)]),
        periods=np.array(periods or ["2020"] * n),
        columns=columns,
    )
    return vises.score(grid(), dataset)


# -- indicator statistics ------------------------------------------------------------------------
def test_indicator_statistics_by_hand():
    values = dict(VALUES, x1=[10, np.nan, 30, 40, 40])
    values = {k: (v if k == "x1" else [*v, 50]) for k, v in values.items()}
    na = {"y2": [False, False, False, False, True]}
    values["y2"] = [25, 45, 65, 85, np.nan]
    stats = indicator_statistics(scored(values, na=na))
    x1 = stats.get("x1")
    # x1 = 10, 30, 40, 40 measured, 1 missing of 5 applicable rows.
    assert (x1.present, x1.missing_share, x1.not_applicable_share) == (4, pytest.approx(0.2), 0.0)
    assert (x1.minimum, x1.maximum, x1.mean, x1.median) == (10, 40, 30, 35)
    # deviations −20, 0, 10, 10: Σd² = 600, sd = √200
    assert x1.sd == pytest.approx(math.sqrt(200))
    assert x1.same_share == 0.5 and not x1.low_variation and not x1.outlier
    y2 = stats.get("y2")
    # N/A leaves the missing share's denominator: 4 applicable rows, all measured.
    assert (y2.present, y2.missing_share, y2.not_applicable_share) == (4, 0.0, pytest.approx(0.2))
    from vises.methods.treat import kurtosis, skewness

    assert x1.skewness == pytest.approx(skewness(np.array([10.0, 30, 40, 40])))
    assert x1.kurtosis == pytest.approx(kurtosis(np.array([10.0, 30, 40, 40])))
    assert [s.code for s in stats.stats] == ["x1", "x2", "x3", "y1", "y2"]
    assert json.dumps(stats.to_records())
    assert "x1" in stats.table() and "Mesurés" in stats.table("fr")


def test_outlier_and_low_variation_flags_follow_coinr_rules():
    spike = [0.0] * 19 + [100.0]  # skewness √20·… > 2 and kurtosis 20 > 3.5; 95 % identical
    values = {code: ([float(i) for i in range(20)] if code != "x1" else spike) for code in VALUES}
    stats = indicator_statistics(scored(values))
    x1 = stats.get("x1")
    assert x1.skewness > 2 and x1.kurtosis > 3.5 and x1.outlier
    assert x1.same_share == pytest.approx(0.95) and x1.low_variation
    assert stats.flagged == (x1,)


def test_statistics_per_period():
    values = {k: [*v, *v] for k, v in VALUES.items()}
    values["x2"] = [20, 10, 40, 30, 0, 0, 0, 100]
    results = scored(values, periods=["2020"] * 4 + ["2021"] * 4, orgs=["o0", "o1", "o2", "o3"] * 2)
    stats = indicator_statistics(results, by_period=True)
    assert len(stats) == 10
    assert stats.get("x2", "2020").mean == 25 and stats.get("x2", "2021").mean == 25
    assert stats.get("x2", "2021").same_share == 0.75
    with pytest.raises(ConfigError):
        stats.get("x2")


# -- data availability ---------------------------------------------------------------------------
def test_availability_counts_not_applicable_out_of_the_denominator():
    values = dict(VALUES, x1=[10, np.nan, 30, np.nan], y2=[np.nan, 45, 65, np.nan], x2=[20, 10, 40, np.nan])
    na = {"y2": [True, False, False, False]}
    availability = data_availability(scored(values, na=na), threshold=0.7)
    # o0: y2 N/A, 4 of 4 applicable; o1: x1 missing, 4/5; o3: x1, x2, y2 missing, 2/5.
    assert availability.applicable.tolist() == [4, 5, 5, 5]
    assert availability.share.tolist() == pytest.approx([1.0, 0.8, 1.0, 0.4])
    assert availability.by_dimension["a"].tolist() == pytest.approx([1.0, 2 / 3, 1.0, 1 / 3])
    assert availability.by_dimension["b"].tolist() == pytest.approx([1.0, 1.0, 1.0, 0.5])
    assert availability.below == (("o3", "2020"),)
    assert availability.to_records()[3]["below_threshold"] is True
    assert "o3" in availability.table("nl")
    with pytest.raises(ConfigError, match="threshold"):
        data_availability(scored(), threshold=1.5)


# -- correlations --------------------------------------------------------------------------------
def test_correlations_by_hand_with_flags():
    corr = correlations(scored())
    # x1, x2: deviations (−1.5, −.5, .5, 1.5) and (−.5, −1.5, 1.5, .5): 3 / 5 = 0.6; x1, x3: 4 / 5.
    assert corr.r("x1", "x2") == pytest.approx(0.6)
    assert corr.r("x1", "x3") == pytest.approx(0.8)
    assert all(corr.r(c, c) == pytest.approx(1.0) for c in corr.codes)
    assert corr.matrix == pytest.approx(corr.matrix.T)
    kinds = {(f.a, f.b): f.kind for f in corr.flags}
    assert kinds[("y1", "y2")] == "redundant" and kinds[("x1", "y1")] == "redundant"
    assert correlations(scored(), method="spearman").r("x1", "x2") == pytest.approx(0.6)


def test_correlations_pairwise_complete_and_negative_within_a_dimension():
    values = dict(VALUES, x2=[40, 30, 20, np.nan], x3=[np.nan, 10, 20, 30])
    corr = correlations(scored(values), within="a")
    assert corr.codes == ("x1", "x2", "x3")
    assert corr.r("x1", "x2") == pytest.approx(-1.0) and corr.pairs[0, 1] == 3
    assert corr.r("x2", "x3") == pytest.approx(-1.0) and corr.pairs[1, 2] == 2
    assert {(f.a, f.b, f.kind) for f in corr.flags} == {
        ("x1", "x2", "negative"),
        ("x2", "x3", "negative"),
        ("x1", "x3", "redundant"),
    }
    dims = correlations(scored(values), level=1)
    assert set(dims.codes) == {"a", "b"} and not any(f.kind == "negative" for f in dims.flags)
    with pytest.raises(ConfigError, match="level"):
        correlations(scored(), level=0)
    with pytest.raises(ConfigError, match="indicator"):
        correlations(scored(), within="x1")
    with pytest.raises(ConfigError, match="method"):
        correlations(scored(), method="kendall")


# -- internal consistency and PCA ---------------------------------------------------------------
def test_cronbach_alpha_by_hand():
    # Items (x1, x2, x3) in tens: each variance 5/3 → Σ 5; totals 4, 6, 9, 11: variance 29/3.
    # alpha = 3/2 · (1 − 5 / (29/3)) = 3/2 · 14/29 = 21/29.
    results = scored()
    assert cronbach_alpha(results, "a") == pytest.approx(21 / 29)
    assert cronbach_alpha(results, "b") == pytest.approx(2 * (1 - (1 + 4) / 9))  # y2 = 2·y1 + 5
    table = internal_consistency(results)
    assert table.codes[-1] == "g" and dict(zip(table.codes, table.alpha, strict=True))["a"] == pytest.approx(21 / 29)
    assert "Cronbach" in table.table()
    with pytest.raises(ConfigError):
        cronbach_alpha(results, "x1")


def test_pca_of_perfectly_correlated_children_has_one_component():
    result = pca(scored(), "b")
    assert result.variance_share.tolist() == pytest.approx([1.0, 0.0], abs=1e-12)
    assert result.eigenvalues.tolist() == pytest.approx([2.0, 0.0], abs=1e-12)
    assert list(result.loadings.values()) == pytest.approx([1 / math.sqrt(2)] * 2)
    # a: correlation matrix [[1, .6, .8], [.6, 1, .4], [.8, .4, 1]]: the eigenvalues sum to 3.
    three = pca(scored(), "a")
    assert three.eigenvalues.sum() == pytest.approx(3.0) and three.loadings["x1"] > 0
    assert three.eigenvalues.tolist() == sorted(three.eigenvalues.tolist(), reverse=True)
    assert three.to_records()[-1]["cumulative_share"] == pytest.approx(1.0)
    with pytest.raises(DataError, match="vary"):
        pca(scored(dict(VALUES, y1=[10, 10, 10, 10])), "b")


# -- invariance ----------------------------------------------------------------------------------
def _summary(results):
    out = {"stats": [s.to_dict() for s in indicator_statistics(results).stats]}
    avail = data_availability(results)
    out["avail"] = sorted(
        (r["organisation"], r["share"] if r["share"] is not None else -1.0) for r in avail.to_records()
    )
    out["corr"] = np.nan_to_num(correlations(results).matrix, nan=9.0).tolist()
    out["alpha"] = [a if not math.isnan(a) else 9.0 for a in internal_consistency(results).alpha]
    try:
        out["pca"] = pca(results, "a").eigenvalues.tolist()
    except VisesError as error:
        out["pca"] = type(error).__name__
    return out


def _close(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-9)
    if isinstance(a, bool):  # flags sit on thresholds that rounding may cross; the numbers are compared
        return True
    return a == b


cell = st.one_of(st.integers(0, 100).map(float), st.just(math.nan))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cell, min_size=5, max_size=5), min_size=5, max_size=8), st.randoms(use_true_random=False))
def test_statistics_are_invariant_to_permuting_organisations(rows, random):
    codes = list(VALUES)
    values = {code: [row[j] for row in rows] for j, code in enumerate(codes)}
    orgs = [f"o{i}" for i in range(len(rows))]
    order = list(range(len(rows)))
    random.shuffle(order)
    base = scored(values, orgs=orgs)
    permuted = scored({k: [v[i] for i in order] for k, v in values.items()}, orgs=[orgs[i] for i in order])
    assert _close(_summary(base), _summary(permuted))


# -- command line --------------------------------------------------------------------------------
NETWORK = ("tests/fixtures/network/network.csv", "--grid", "tests/fixtures/network/grid.toml")


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "vises", "stats", *NETWORK, *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_stats():
    done = _run("--lang", "fr")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Cohérence interne" in done.stdout
    done = _run("--section", "pca", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pca"]["components"][0]["component"] == 1
    bad = _run("--section", "nonsense")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# -- p-values, Cronbach with gaps ------------------------------------------------------------------
def test_p_values_are_the_two_sided_t_test():
    from vises.analysis.correlation import t_test_pvalues

    r = np.array([0.1, 0.5, -0.9, 0.0, 1.0])
    # With n − 2 = 1 and 2 degrees of freedom Student's t has closed forms.
    for n, closed in (
        (3, lambda t: 1 - 2 / math.pi * math.atan(abs(t))),
        (4, lambda t: 1 - abs(t) / math.sqrt(2 + t * t)),
    ):
        got = t_test_pvalues(r, np.full(5, n))
        for value, p in zip(r, got, strict=True):
            t = math.inf if abs(value) == 1 else value * math.sqrt((n - 2) / (1 - value * value))
            assert p == pytest.approx(0.0 if math.isinf(t) else closed(t), abs=1e-12)
    assert math.isnan(t_test_pvalues(np.array([0.5]), np.array([2]))[0])


def test_correlations_carry_p_values():
    result = correlations(scored(), level="indicators")
    assert result.p("x1", "y1") == 0.0  # r = 1 exactly
    i, j = result.codes.index("x1"), result.codes.index("x2")
    assert result.pvalues[i, j] == pytest.approx(result.pvalues[j, i])
    assert 0.0 < result.p("x1", "x2") <= 1.0
    record = next(r for r in result.to_records() if (r["a"], r["b"]) == ("x1", "x2"))
    assert record["p"] == pytest.approx(result.p("x1", "x2"))
    assert np.isnan(result.significant(0.0001)[i, j])


def coinr_cronbach(columns: list[list[float]]) -> float:
    """COINr's get_cronbach: cov(use = "pairwise.complete.obs"), k² · mean(off-diagonal) / sum."""
    k = len(columns)

    def cov(x: list[float], y: list[float]) -> float:
        pairs = [(a, b) for a, b in zip(x, y, strict=True) if not (math.isnan(a) or math.isnan(b))]
        if len(pairs) < 2:
            return math.nan
        mx = sum(a for a, _ in pairs) / len(pairs)
        my = sum(b for _, b in pairs) / len(pairs)
        return sum((a - mx) * (b - my) for a, b in pairs) / (len(pairs) - 1)

    matrix = [[cov(columns[i], columns[j]) for j in range(k)] for i in range(k)]
    total = sum(v for row in matrix for v in row if not math.isnan(v))
    diagonal = sum(matrix[i][i] for i in range(k) if not math.isnan(matrix[i][i]))
    return k * k * ((total - diagonal) / (k * (k - 1))) / total


def test_cronbach_alpha_with_gaps_uses_pairwise_covariances_as_coinr():
    values = {
        "x1": [10, 20, np.nan, 40, 35, 12],
        "x2": [20, np.nan, 40, 30, 31, 15],
        "x3": [10, 30, 20, np.nan, 38, 11],
        "y1": [10, 20, 30, 40, 50, 60],
        "y2": [25, 45, 65, 85, 90, 99],
    }
    results = scored(values)
    columns = [results.score(c).tolist() for c in ("x1", "x2", "x3")]
    assert cronbach_alpha(results, "a") == pytest.approx(coinr_cronbach(columns), rel=1e-12)
    complete = [row for row in zip(*columns, strict=True) if not any(math.isnan(v) for v in row)]
    assert cronbach_alpha(results, "a", missing="complete") == pytest.approx(
        coinr_cronbach([list(c) for c in zip(*complete, strict=True)]), rel=1e-12
    )
    assert cronbach_alpha(results, "a") != pytest.approx(cronbach_alpha(results, "a", missing="complete"))
    table = internal_consistency(results, missing="complete")
    assert table.missing == "complete" and table.rows[table.codes.index("a")] == len(complete)
    with pytest.raises(ConfigError, match="missing"):
        cronbach_alpha(results, "a", missing="listwise")


def test_spearman_correlations_match_r_pairwise_definition():
    from vises.numeric import spearman

    values = dict(VALUES, x2=[20, np.nan, 40, 10])
    result = correlations(scored(values), method="spearman")
    for a, b in (("x1", "x2"), ("x2", "x3"), ("x1", "y2")):
        x, y = scored(values).score(a), scored(values).score(b)
        assert result.r(a, b) == pytest.approx(spearman(x, y))
