"""compare_many, screening, trends, strengths and weaknesses, weights from the data, and the charts.

Expected values follow COINr's R code written out here (``get_trends``' CAGR and ``prc_change``,
``get_str_weak``, ``Screen``) on small hand-checkable tables.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import vises
from vises.analysis import (
    compare_many,
    optimise_weights,
    pca_weights,
    screen,
    strengths_weaknesses,
    trends,
)
from vises.errors import ConfigError, DataError
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node

GOALPOSTS = Method(name="goalposts", params={"lower": 0, "upper": 100})


def grid(**weights: float) -> Grid:
    w = {"x1": 1.0, "x2": 1.0, "y1": 1.0, "y2": 1.0, **weights}
    return Grid(
        code="g",
        nodes=(Node(code="g"), Node(code="a", parent="g"), Node(code="b", parent="g")),
        indicators=tuple(
            Indicator(code=c, parent=c[0].replace("x", "a").replace("y", "b"), weight=w[c], unit="EUR")
            for c in ("x1", "x2", "y1", "y2")
        ),
        defaults=Defaults(normaliser=GOALPOSTS),
    )


def panel() -> Dataset:
    orgs = ["o1", "o2", "o3", "o1", "o2", "o3", "o1", "o3"]
    years = ["2019", "2019", "2019", "2020", "2020", "2020", "2022", "2022"]
    values = {
        "x1": [10, 20, 30, 12, 20, np.nan, 14.4, 33],
        "x2": [50, 40, 30, 55, 45, 35, 60, 40],
        "y1": [90, 10, 50, 80, np.nan, 50, 70, 50],
        "y2": [10, 20, 30, 10, 20, 30, 10, 30],
    }
    return Dataset(
        organisations=np.array(orgs),
        periods=np.array(years),
        columns={c: Column(values=np.asarray(v, dtype=float)) for c, v in values.items()},
    )


# -- compare_many ----------------------------------------------------------------------------------
def test_compare_many_lines_up_every_scoring_against_the_base() -> None:
    base = vises.score(grid(), panel())
    heavy_x = vises.score(grid(x1=5.0), panel())
    no_y = vises.score(grid(y1=0.0, y2=1.0), panel())
    many = compare_many({"base": base, "x": heavy_x, "y": no_y})
    assert many.names == ("base", "x", "y") and many.scores.shape == (8, 3)
    for j, results in enumerate((base, heavy_x, no_y)):
        for i in range(len(many)):
            row = results.row(many.organisations[i], many.periods[i])
            assert many.ranks[i, j] == results.ranks("g")[row]
    np.testing.assert_array_equal(many.rank_shift[:, 0], 0.0)
    for name in ("x", "y"):
        np.testing.assert_array_equal(many.comparisons[name].rank_shift, many.rank_shift[:, many.names.index(name)])
    assert many.spearman("2019")[0, 0] == pytest.approx(1.0)
    assert [r["variant"] for r in many.summary_records()] == ["x", "y"]
    assert "Base = base" in many.table()
    assert compare_many([base, heavy_x], base=1).base == "2"
    with pytest.raises(ConfigError, match="at least two"):
        compare_many({"only": base})


# -- screening -------------------------------------------------------------------------------------
def test_screening_by_count_weight_and_force() -> None:
    results = vises.score(grid(x1=3.0), panel())
    by_count = screen(results, min_availability=0.8)
    # o3 in 2020 (x1 missing) and o2 in 2020 (y1 missing) have 3 of 4 indicators.
    out = {(o, p) for o, p, _ in by_count.excluded}
    assert out == {("o3", "2020"), ("o2", "2020")}
    assert all("0.75 below 0.8" in reason for _, _, reason in by_count.excluded)
    # By effective weight: x1 weighs 3/4 of a, a half of the root: o3 (2020) keeps 1 − 3/8.
    by_weight = screen(results, min_availability=0.7, by="weight")
    assert {(o, p) for o, p, _ in by_weight.excluded} == {("o3", "2020")}
    assert by_weight.availability[3 + 2] == pytest.approx(1 - 3 / 8)
    forced = screen(results, min_availability=0.8, include=["o3"], exclude=["o1"])
    kept = {(o, p) for o, p, inc in zip(forced.organisations, forced.periods, forced.included, strict=True) if inc}
    assert ("o3", "2020") in kept and not any(o == "o1" for o, _ in kept)
    assert forced.to_provenance()["exclude"] == ["o1"]
    with pytest.raises(ConfigError, match="not an organisation"):
        screen(results, exclude=["nobody"])
    with pytest.raises(ConfigError, match="both included and excluded"):
        screen(results, include=["o1"], exclude=["o1"])


def test_screening_nonzero_share_as_coinr_byzeros() -> None:
    data = panel()
    columns = dict(data.columns)
    columns["x2"] = Column(values=np.array([0, 40, 30, 0, 45, 35, 0, 40], dtype=float))
    columns["y2"] = Column(values=np.array([0, 20, 30, 0, 20, 30, 0, 30], dtype=float))
    results = vises.score(grid(), Dataset(organisations=data.organisations, periods=data.periods, columns=columns))
    screening = screen(results, min_availability=0.0, min_nonzero=0.6)
    # o1 has 2 zeros among 4 values every year: a non-zero share of 0.5.
    assert {o for o, _, _ in screening.excluded} == {"o1"}
    assert screening.nonzero[0] == pytest.approx(0.5)


# -- trends ----------------------------------------------------------------------------------------
def coinr_cagr(years: list[float], values: list[float]) -> float:
    pairs = sorted((x, y) for x, y in zip(years, values, strict=True) if not math.isnan(y))
    if len(pairs) < 2:
        return math.nan
    (x0, y0), (x1, y1) = pairs[0], pairs[-1]
    return 0.0 if y1 == y0 else (y1 / y0) ** (1 / (x1 - x0)) - 1


def coinr_percent(years: list[float], values: list[float]) -> float:
    pairs = sorted((x, y) for x, y in zip(years, values, strict=True) if not math.isnan(y))
    if len(pairs) < 2:
        return math.nan
    if len({y for _, y in pairs}) == 1:
        return 0.0
    if len(pairs) < 3:
        (x0, y0), (x1, y1) = pairs[0], pairs[-1]
        return (y1 - y0) * 100 / y0 / (x1 - x0)
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in pairs) / sum((x - mx) ** 2 for x in xs)
    return slope / (my - slope * mx + slope * xs[0]) * 100


def test_trends_are_coinr_s_cagr_and_percent_change() -> None:
    results = vises.score(grid(), panel())
    for method, reference in (("cagr", coinr_cagr), ("percent", coinr_percent)):
        found = trends(results, ["x1", "y1"], method=method, use="raw")
        for org in ("o1", "o2", "o3"):
            rows = np.flatnonzero(results.organisations == org)
            years = [float(p) for p in results.periods[rows]]
            for code in ("x1", "y1"):
                expected = reference(years, results.raw(code)[rows].tolist())
                got = found.get(org, code)
                assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected, rel=1e-12)
    slope = trends(results, ["x2"], method="slope", use="raw")
    assert slope.get("o1", "x2") == pytest.approx(np.polyfit([2019, 2020, 2022], [50, 55, 60], 1)[0])
    assert trends(results, ["x1"], use="raw").points[1, 0] == 2  # o2: 2019 and 2020
    assert "g" in trends(results).codes
    with pytest.raises(ConfigError, match="aggregate"):
        trends(results, ["g"], use="raw")


def test_trends_on_the_latest_periods_and_non_numeric_periods() -> None:
    results = vises.score(grid(), panel())
    latest = trends(results, ["x1"], use="raw", latest=2)
    assert latest.get("o1", "x1") == pytest.approx((14.4 / 12) ** (1 / 2) - 1)
    assert math.isnan(latest.get("o2", "x1")) is False
    words = Dataset(
        organisations=np.array(["o1", "o1"]),
        periods=np.array(["spring", "autumn"]),
        columns={c: Column(values=np.array([1.0, 2.0])) for c in ("x1", "x2", "y1", "y2")},
    )
    with pytest.raises(DataError, match="numbers"):
        trends(vises.score(grid(), words))


# -- strengths and weaknesses ----------------------------------------------------------------------
def coinr_str_weak(results: vises.Results, org: str, period: str, top: int, bottom: int) -> tuple[list[str], list[str]]:
    """COINr's get_str_weak on the period's scores: rank(-x, ties = "min"), drop NA and last ranks, sort."""
    rows = np.flatnonzero(results.periods == period)
    me = int(rows[results.organisations[rows] == org][0])
    standing = []
    for position, code in enumerate(c for c in results.codes if results.is_indicator(c)):
        x = results.score(code)[rows]
        present = x[~np.isnan(x)]
        mine = results.score(code)[me]
        if math.isnan(mine):
            continue
        r = 1 + int((present > mine).sum())
        worst = max(1 + int((present > v).sum()) for v in present)
        if r == worst:
            continue
        standing.append((r, position, code))
    standing.sort()
    codes = [c for _, _, c in standing]
    return codes[:top], codes[len(codes) - bottom :]


def test_strengths_and_weaknesses_as_coinr() -> None:
    data = Dataset(
        organisations=np.array([f"o{i}" for i in range(6)]),
        periods=np.full(6, "2021"),
        columns={
            "x1": Column(values=np.array([5.0, 10, 20, 30, 40, 50])),
            "x2": Column(values=np.array([60.0, 10, 20, 30, 40, 50])),
            "y1": Column(values=np.array([np.nan, 10, 20, 30, 40, 50])),
            "y2": Column(values=np.array([30.0, 10, 20, 35, 40, 50])),
        },
    )
    results = vises.score(grid(), data)
    found = strengths_weaknesses(results, "o0", top=2, bottom=1)
    strong, weak = coinr_str_weak(results, "o0", "2021", 2, 1)
    assert [s.code for s in found.strengths] == strong == ["x2", "y2"]
    assert [s.code for s in found.weaknesses] == weak
    assert "x1" not in [s.code for s in (*found.strengths, *found.weaknesses)]  # ranked last: left out
    assert found.strengths[0].rank == 1 and found.strengths[0].ranked == 6 and found.strengths[0].value == 60.0
    kept = strengths_weaknesses(results, "o0", top=3, bottom=3, keep_last=True)
    assert kept.weaknesses[-1].code == "x1" and kept.weaknesses[-1].dimension == "a"
    assert "Points forts" in found.table("fr")


# -- weights from the data -------------------------------------------------------------------------
def test_optimised_weights_reach_a_reachable_target_and_infomax_raises_the_correlations() -> None:
    rng = np.random.default_rng(4)
    n = 60
    common = rng.normal(size=n)
    columns = {
        "x1": common + rng.normal(scale=0.3, size=n),
        "x2": common + rng.normal(scale=1.5, size=n),
        "y1": rng.normal(size=n),
        "y2": common + rng.normal(scale=0.8, size=n),
    }
    data = Dataset(
        organisations=np.array([f"o{i}" for i in range(n)]),
        periods=np.full(n, "2021"),
        columns={c: Column(values=50 + 10 * v) for c, v in columns.items()},
    )
    results = vises.score(Grid(code="g", nodes=grid().nodes, indicators=grid().indicators), data)
    balanced = optimise_weights(results, level=1)
    assert balanced.converged and balanced.obtained == pytest.approx(np.array([0.5, 0.5]), abs=1e-3)
    assert sum(balanced.weights.values()) == pytest.approx(1.0)
    rescored = vises.score(vises.load_grid(results.grid, weighting=balanced.weights), data)
    a, b, g = rescored.score("a"), rescored.score("b"), rescored.score("g")
    assert np.corrcoef(a, g)[0, 1] == pytest.approx(np.corrcoef(b, g)[0, 1], abs=2e-3)
    informative = optimise_weights(results, objective="infomax")
    assert informative.after.sum() >= informative.before.sum() - 1e-9
    assert informative.weighting.grid == "g"
    with pytest.raises(ConfigError, match="every element"):
        optimise_weights(results, level=1, target={"a": 1.0})


def test_pca_weights_refuse_a_child_loading_against_the_others() -> None:
    n = 30
    rng = np.random.default_rng(1)
    base = rng.normal(size=n)
    data = Dataset(
        organisations=np.array([f"o{i}" for i in range(n)]),
        periods=np.full(n, "1"),
        columns={
            "x1": Column(values=50 + 10 * base),
            "x2": Column(values=50 - 10 * base + rng.normal(size=n)),
            "y1": Column(values=50 + 10 * rng.normal(size=n)),
            "y2": Column(values=50 + 10 * rng.normal(size=n)),
        },
    )
    results = vises.score(grid(), data)
    with pytest.raises(DataError, match="load"):
        pca_weights(results, nodes=["a"], form="loadings")
    squared = pca_weights(results, nodes=["a", "b"])
    assert sum(squared.weights[c] for c in ("x1", "x2")) == pytest.approx(1.0)
    assert set(squared.weights) == {"x1", "x2", "y1", "y2"}


# -- charts ----------------------------------------------------------------------------------------
def test_charts_are_standalone_files_in_every_language() -> None:
    from vises.analysis import correlations, plots, weight_sensitivity

    results = vises.score(grid(), panel())
    svg = plots.framework(results, lang="fr").decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    png = plots.scatter(results, "a", "b", fmt="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert plots.correlation_heatmap(correlations(results), lang="nl")[:5] == b"<?xml"
    ranks = weight_sensitivity(grid(), panel(), runs=20)
    assert b"<svg" in plots.rank_intervals(ranks, period="2019")
    with pytest.raises(ConfigError, match="format"):
        plots.framework(results, fmt="gif")


def test_drawing_a_chart_touches_neither_pyplot_nor_rc_settings() -> None:
    code = (
        "import matplotlib, vises, sys\n"
        "from vises.analysis import plots\n"
        "from vises.model import Grid, Node, Indicator, Dataset, Column\n"
        "import numpy as np\n"
        "keys = ('svg.fonttype', 'font.size', 'font.family', 'axes.spines.top', 'figure.dpi')\n"
        "before = [matplotlib.rcParams[k] for k in keys]\n"
        "g = Grid(code='g', nodes=(Node(code='g'),), indicators=(Indicator(code='a', parent='g'),"
        " Indicator(code='b', parent='g')))\n"
        "d = Dataset(organisations=np.array(['x', 'y']), periods=np.array(['1', '1']),"
        " columns={'a': Column(values=np.array([1.0, 2.0])), 'b': Column(values=np.array([3.0, 1.0]))})\n"
        "plots.scatter(vises.score(g, d), 'a', 'b')\n"
        "print('matplotlib.pyplot' in sys.modules, [matplotlib.rcParams[k] for k in keys] == before)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    pyplot, same_rc = done.stdout.split()
    assert (pyplot, same_rc) == ("False", "True")
