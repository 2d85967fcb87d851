"""vises.analysis: comparisons, element removal and weight sensitivity on hand-checkable cases."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vises
from vises.analysis import compare, ranks_within, remove_elements, spearman, weight_sensitivity
from vises.errors import ConfigError, DataError
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node

GOALPOSTS = Method(name="goalposts", params={"lower": 0, "upper": 100})


def grid(**weights: float) -> Grid:
    """Root g = (a + b) / 2; a = mean(x1, x2); b = mean(y1, y2) + z with weight 0; c holds only w."""
    w = {"x1": 1.0, "x2": 1.0, "y1": 1.0, "y2": 1.0, "z": 0.0, "w": 1.0, "a": 1.0, "b": 1.0, "c": 1.0, **weights}
    return Grid(
        code="g",
        label={"en": "Total", "fr": "Total"},
        nodes=(
            Node(code="g"),
            Node(code="a", parent="g", weight=w["a"]),
            Node(code="b", parent="g", weight=w["b"]),
            Node(code="c", parent="g", weight=w["c"]),
        ),
        indicators=tuple(
            Indicator(code=code, parent=parent, weight=w[code])
            for code, parent in (("x1", "a"), ("x2", "a"), ("y1", "b"), ("y2", "b"), ("z", "b"), ("w", "c"))
        ),
        defaults=Defaults(normaliser=GOALPOSTS),
    )


def data(
    values: dict[str, list[float]] | None = None, orgs: list[str] | None = None, periods: list[str] | None = None
) -> Dataset:
    orgs = orgs or ["o1", "o2", "o3", "o4", "o1", "o2", "o3", "o4"]
    periods = periods or ["2020"] * 4 + ["2021"] * 4
    values = values or {
        "x1": [10, 20, 30, 40, 15, 25, 35, 45],
        "x2": [50, 40, 30, 20, 55, 45, 35, 25],
        "y1": [90, 10, 50, 60, 80, 20, 50, 70],
        "y2": [10, 20, 30, 40, 10, 20, 30, 40],
        "z": [100, 0, 0, 0, 100, 0, 0, 0],
        "w": [30, 60, 10, 80, 30, 60, 10, 80],
    }
    return Dataset(
        organisations=np.array(orgs),
        periods=np.array(periods),
        columns={code: Column(values=np.asarray(v, dtype=float)) for code, v in values.items()},
    )


# -- spearman and ranks --------------------------------------------------------------------------
def test_spearman_against_hand_computed_values():
    # No ties: 1 - 6 Σd² / (n(n² - 1)) with d = (0, 2, -1, -1, 0): 1 - 36/120 = 0.7.
    assert spearman([1, 2, 3, 4, 5], [1, 4, 2, 3, 5]) == pytest.approx(0.7)
    # Ties get average ranks: y ranks (1, 2, 3.5, 5, 3.5); Σdxdy = 8, Σdx² = 10, Σdy² = 9.5.
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / math.sqrt(95))
    assert spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    # Missing pairs are left out; a constant side leaves the correlation undefined.
    assert spearman([1, np.nan, 3, 4], [1, 9, 3, 4]) == pytest.approx(1.0)
    assert math.isnan(spearman([1, 2, 3], [5, 5, 5]))
    assert math.isnan(spearman([1], [2]))


def test_ranks_within_matches_results_ranks_and_handles_ties_and_gaps():
    values = np.array([[3.0, 1.0], [3.0, 2.0], [np.nan, 3.0], [1.0, 0.0], [5.0, 5.0]])
    groups = np.array([0, 0, 0, 0, 1])
    ranks = ranks_within(values, groups)
    np.testing.assert_array_equal(ranks[:, 0], [1, 1, np.nan, 3, 1])
    np.testing.assert_array_equal(ranks[:, 1], [3, 2, 1, 4, 1])
    results = vises.score(grid(), data())
    periods = np.unique(results.periods, return_inverse=True)[1]
    np.testing.assert_array_equal(ranks_within(results.score("g"), periods), results.ranks("g"))


# -- compare -------------------------------------------------------------------------------------
def test_comparing_results_with_themselves_moves_nothing():
    results = vises.score(grid(), data())
    comparison = compare(results, results)
    assert comparison.code == "g"
    assert np.all(comparison.difference == 0) and np.all(comparison.rank_shift == 0)
    assert comparison.mean_abs_rank_shift == 0 and comparison.max_abs_rank_shift == 0
    for summary in comparison.by_period:
        assert summary.spearman == pytest.approx(1.0)
        assert summary.entering == () and summary.leaving == () and summary.compared == 4
    assert comparison.only_in_base == [] and comparison.only_in_variant == []


def test_compare_by_hand():
    base = vises.score(grid(), data())
    # Only dimension b counts in the variant: g = b = mean(y1, y2).
    variant = vises.score(grid(a=0.0, c=0.0), data())
    c = compare(base, variant, top=1)
    rows = {(r["organisation"], r["period"]): r for r in c.to_records()}
    # 2020: a = (30, 30, 30, 30); b = (50, 15, 40, 50); c = (30, 60, 10, 80) -> g = (36.67, 35, 26.67, 53.33).
    assert rows[("o1", "2020")]["base_score"] == pytest.approx(110 / 3)
    assert rows[("o1", "2020")]["variant_score"] == pytest.approx(50.0)
    base_ranks = [rows[(o, "2020")]["base_rank"] for o in ("o1", "o2", "o3", "o4")]
    variant_ranks = [rows[(o, "2020")]["variant_rank"] for o in ("o1", "o2", "o3", "o4")]
    assert base_ranks == [2, 3, 4, 1]
    assert variant_ranks == [1, 4, 3, 1]  # o1 and o4 tie at 50
    assert [rows[(o, "2020")]["rank_shift"] for o in ("o1", "o2", "o3", "o4")] == [1, -1, 1, 0]
    summary = c.period("2020")
    assert summary.entering == ("o1",) and summary.leaving == ()
    assert summary.mean_abs_rank_shift == pytest.approx(0.75) and summary.max_abs_rank_shift == 1
    # Spearman of (36.67, 35, 26.67, 53.33) against (50, 15, 40, 50).
    assert summary.spearman == pytest.approx(spearman([110 / 3, 35, 80 / 3, 160 / 3], [50, 15, 40, 50]))
    assert summary.spearman == pytest.approx(np.corrcoef([3, 2, 1, 4], [3.5, 1, 2, 3.5])[0, 1])
    json.dumps(c.to_records()) and json.dumps(c.summary_records())


def test_rows_on_one_side_are_reported_not_dropped():
    base = vises.score(grid(), data())
    full = data()
    keep = np.array([True] * 7 + [False])
    smaller = attrs.evolve(
        full,
        organisations=full.organisations[keep],
        periods=full.periods[keep],
        columns={k: Column(values=col.values[keep]) for k, col in full.columns.items()},
    )
    c = compare(base, vises.score(grid(), smaller))
    assert len(c) == 8
    assert c.only_in_base == [("o4", "2021")] and c.only_in_variant == []
    record = next(r for r in c.to_records() if r["organisation"] == "o4" and r["period"] == "2021")
    assert record["in_base"] and not record["in_variant"] and record["variant_score"] is None
    assert c.period("2021").compared == 3
    assert "o4" in c.table()


def test_compare_another_node_and_errors():
    base = vises.score(grid(), data())
    variant = vises.score(grid(x1=3.0), data())
    c = compare(base, variant, code="b")
    assert np.all(c.difference == 0)
    assert c.period("2021").spearman == pytest.approx(1.0)
    with pytest.raises(ConfigError, match="'nope' is not scored in the base"):
        compare(base, variant, code="nope")
    with pytest.raises(ConfigError, match="top"):
        compare(base, variant, top=0)
    twice = data(orgs=["o1", "o1", "o3", "o4", "o1", "o2", "o3", "o4"])
    # Scoring refuses repeated rows as validation does, before compare() could see them.
    with pytest.raises(DataError, match="appears again"):
        compare(vises.score(grid(), twice), variant)


def test_comparison_is_read_only_and_renders_in_a_language():
    results = vises.score(grid(), data())
    c = compare(results, vises.score(grid(a=2.0), data()))
    with pytest.raises(ValueError):
        c.rank_shift[0] = 5
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.code = "x"  # type: ignore[misc]
    text = c.table("fr", limit=2)
    assert text.startswith("Total (g)") and "Déplacement" in text and "Organisation" in text
    assert len([line for line in text.splitlines() if line.startswith("o")]) == 2


@st.composite
def _permuted_case(draw):
    n = draw(st.integers(2, 6))
    values = {
        code: draw(st.lists(st.floats(0, 100, allow_nan=False) | st.just(float("nan")), min_size=2 * n, max_size=2 * n))
        for code in ("x1", "x2", "y1", "y2", "z", "w")
    }
    names = [f"org{i}" for i in range(n)]
    permutation = draw(st.permutations(range(n)))
    row_order = draw(st.permutations(range(2 * n)))
    weights = {k: draw(st.floats(0.1, 5)) for k in ("a", "b", "x1", "y2")}
    top = draw(st.integers(1, n))
    return names, values, permutation, row_order, weights, top


@settings(max_examples=200, deadline=None)
@given(_permuted_case())
def test_permuting_organisations_permutes_the_comparison(case):
    names, values, permutation, row_order, weights, top = case
    n = len(names)
    orgs = names * 2
    periods = ["p1"] * n + ["p2"] * n
    original = compare(
        vises.score(grid(), data(values, orgs, periods)),
        vises.score(grid(**weights), data(values, orgs, periods)),
        top=top,
    )

    renamed = [names[permutation[i]] for i in range(n)] * 2
    order = list(row_order)
    shuffled = {k: [v[i] for i in order] for k, v in values.items()}
    new_orgs, new_periods = [renamed[i] for i in order], [periods[i] for i in order]
    permuted = compare(
        vises.score(grid(), data(shuffled, new_orgs, new_periods)),
        vises.score(grid(**weights), data(shuffled, new_orgs, new_periods)),
        top=top,
    )

    rename = {names[i]: names[permutation[i]] for i in range(n)}
    expected = {(rename[r["organisation"]], r["period"]): r for r in original.to_records()}
    got = {(r["organisation"], r["period"]): r for r in permuted.to_records()}
    assert got.keys() == expected.keys()
    for key, record in got.items():
        for field, value in record.items():
            if field == "organisation":
                continue
            want = expected[key][field]
            assert (value is None and want is None) or value == pytest.approx(want), (key, field)
    for mine, theirs in zip(permuted.by_period, original.by_period, strict=True):
        assert mine.entering == tuple(sorted(rename[o] for o in theirs.entering))
        assert mine.leaving == tuple(sorted(rename[o] for o in theirs.leaving))
        assert mine.compared == theirs.compared
        assert (math.isnan(mine.spearman) and math.isnan(theirs.spearman)) or mine.spearman == pytest.approx(
            theirs.spearman
        )


# -- remove_elements -----------------------------------------------------------------------------
def test_removing_a_zero_weight_indicator_changes_nothing():
    removals = remove_elements(grid(), data(), codes=["z"])
    c = removals["z"]
    assert np.all(c.difference == 0) and c.mean_abs_rank_shift == 0
    assert all(s.spearman == pytest.approx(1.0) for s in c.by_period)


def test_remove_every_indicator_and_the_cascade_of_an_only_child():
    removals = remove_elements(grid(), data())
    assert list(removals) == ["x1", "x2", "y1", "y2", "z", "w"]
    assert removals.dropped["w"] == "c" and removals.dropped["x1"] == "x1"
    # Without x1, a = x2, so the scores change by hand: g(o1, 2020) = (50 + 50 + 30) / 3.
    row = next(r for r in removals["x1"].to_records() if (r["organisation"], r["period"]) == ("o1", "2020"))
    assert row["variant_score"] == pytest.approx(130 / 3)
    ranking = removals.ranking()
    assert ranking[-1] == "z"
    records = removals.to_records()
    assert [r["element"] for r in records] == ranking
    json.dumps(records)
    assert "x1" in removals.table() and "Also removed" in removals.table()


def test_remove_a_level_and_errors():
    removals = remove_elements(grid(), data(), level=1)
    assert list(removals) == ["a", "b", "c"]
    assert removals["c"].period("2020").spearman < 1
    with pytest.raises(ConfigError, match="root"):
        remove_elements(grid(), data(), codes=["g"])
    with pytest.raises(ConfigError, match="no aggregate at level 3"):
        remove_elements(grid(), data(), level=3)
    with pytest.raises(ConfigError, match="either level or codes"):
        remove_elements(grid(), data(), level=1, codes=["a"])
    with pytest.raises(ConfigError, match="the node being compared"):
        remove_elements(grid(), data(), codes=["x1", "a"], code="a")
    with pytest.raises(ConfigError, match="was not removed"):
        removals["x1"]


# -- weight_sensitivity --------------------------------------------------------------------------
def test_no_spread_gives_the_nominal_rank_everywhere():
    results = vises.score(grid(), data())
    s = weight_sensitivity(grid(), data(), spread=0.0, runs=7)
    np.testing.assert_array_equal(s.nominal_rank, results.ranks("g"))
    np.testing.assert_array_equal(s.rank_low, s.nominal_rank)
    np.testing.assert_array_equal(s.rank_high, s.nominal_rank)
    np.testing.assert_array_equal(s.median_rank, s.nominal_rank)
    assert s.mean_abs_rank_shift == 0 and s.run_ranks.shape == (8, 7)


def test_a_seed_makes_the_runs_reproducible():
    first = weight_sensitivity(grid(), data(), runs=50, spread=0.5, seed=3)
    again = weight_sensitivity(grid(), data(), runs=50, spread=0.5, seed=3)
    other = weight_sensitivity(grid(), data(), runs=50, spread=0.5, seed=4)
    np.testing.assert_array_equal(first.run_ranks, again.run_ranks)
    assert first.to_records() == again.to_records()
    assert not np.array_equal(first.run_ranks, other.run_ranks)
    assert np.all(first.rank_low <= first.median_rank) and np.all(first.median_rank <= first.rank_high)
    assert first.mean_abs_rank_shift > 0
    json.dumps(first.to_records())
    assert "5–95 % ranks" in first.table() and "o1" in first.table("nl")


def test_varying_only_some_nodes_and_methods():
    # c has one child: scaling its only weight cannot move c, so nothing moves.
    still = weight_sensitivity(grid(), data(), nodes=["c"], runs=20, spread=0.5)
    assert still.varied == ("c",) and still.mean_abs_rank_shift == 0
    np.testing.assert_array_equal(still.rank_high, still.nominal_rank)
    moving = weight_sensitivity(grid(), data(), nodes=["g"], runs=100, spread=0.9)
    assert moving.mean_abs_rank_shift > 0
    mixed = weight_sensitivity(grid(), data(), runs=40, methods={"aggregator": ["arithmetic", "median"]})
    assert set(np.unique(mixed.run_methods)) == {0, 1}
    assert mixed.combinations == ({"aggregator": "arithmetic"}, {"aggregator": "median"})
    with pytest.raises(ConfigError, match="geometric"):
        weight_sensitivity(grid(), data(), methods={"aggregator": ["geometric"]})


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ({"runs": 0}, "runs"),
        ({"spread": 1.0}, "spread"),
        ({"spread": -0.1}, "spread"),
        ({"nodes": ["x1"]}, "nodes"),
        ({"code": "nope"}, "code"),
        ({"methods": {"weights": ["x"]}}, "methods.weights"),
        ({"methods": {"aggregator": []}}, "methods.aggregator"),
    ],
)
def test_sensitivity_errors_name_the_option(options, where):
    with pytest.raises(ConfigError) as caught:
        weight_sensitivity(grid(), data(), **options)
    assert caught.value.path == where


def test_aggregate_only_reproduces_the_engine():
    from vises.engine.compile import compile_grid
    from vises.engine.score import aggregate_only, score
    from vises.plugins import get_registry

    compiled = compile_grid(grid(), get_registry())
    results = score(compiled, data())
    buffer = np.array(results.scores, order="F", copy=True)
    buffer[:, len(compiled.indicators) :] = np.nan
    groups = np.unique(results.periods, return_inverse=True)[1]
    aggregate_only(compiled, buffer, groups)
    np.testing.assert_array_equal(buffer, results.scores)
    aggregate_only(compiled, buffer, groups, {"g": np.array([1.0, 0.0, 0.0])})
    np.testing.assert_allclose(buffer[:, compiled.column_of["g"]], results.score("a"))
    with pytest.raises(ConfigError, match="child weights"):
        aggregate_only(compiled, buffer, groups, {"g": np.array([1.0])})


def test_two_hundred_runs_are_fast():
    rng = np.random.default_rng(1)
    nodes = (Node(code="root"), *(Node(code=f"d{i}", parent="root") for i in range(5)))
    indicators = tuple(Indicator(code=f"i{j}", parent=f"d{j % 5}") for j in range(25))
    big = Grid(code="big", nodes=nodes, indicators=indicators)
    dataset = Dataset(
        organisations=np.repeat([f"o{i}" for i in range(30)], 3),
        periods=np.tile(["2019", "2020", "2021"], 30),
        columns={f"i{j}": Column(values=rng.uniform(0, 100, 90)) for j in range(25)},
    )
    weight_sensitivity(big, dataset, runs=5)
    start = time.perf_counter()
    s = weight_sensitivity(big, dataset, runs=200)
    elapsed = time.perf_counter() - start
    assert s.run_ranks.shape == (90, 200)
    assert elapsed < 1.0, f"200 runs took {elapsed:.2f} s"


def test_importing_the_module_loads_nothing_heavy():
    code = (
        "import sys, vises.analysis; from vises.analysis import sobol, statistics, coinr_build, plots; "
        "print(sorted(m for m in ('tabulate', 'pandas', 'pint', 'matplotlib', 'click') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_sensitivity_command():
    from click.testing import CliRunner

    from vises.cli import cli

    runner = CliRunner()
    here = Path(__file__).resolve().parent / "fixtures" / "network"
    csv, grid = str(here / "network.csv"), str(here / "grid.toml")
    done = runner.invoke(cli, ["sensitivity", csv, "--grid", grid, "--runs", "20", "--format", "json"])
    assert done.exit_code == 0, done.output
    payload = json.loads(done.output)
    assert payload["runs"] == 20 and len(payload["rows"]) == 24 and payload["code"] == "network"
    done = runner.invoke(cli, ["sensitivity", csv, "--grid", grid, "--runs", "5", "--lang", "fr"])
    assert done.exit_code == 0, done.output
    assert "Rang médian" in done.output
