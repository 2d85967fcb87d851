"""vises.dask.score gives the in-memory scores, coverage, ranks and fitted parameters (to 1e-12).

Partitions are cut across periods, one is empty, and the methods cover every way a fit is computed
on Dask: bounds, moments, a reference organisation, gathered values, sums by key, row bounds and
parameters from the grid; pooled and per period. Unsupported methods are refused by name.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

import vises  # noqa: E402
import vises.dask  # noqa: E402
from vises import Grid, Indicator, Kind, Level, Method, Node  # noqa: E402

TOLERANCE = 1e-12


def partitioned(frame: Any, cuts: Sequence[int], *, empty_at: int | None = None) -> Any:
    """``frame`` as a dask DataFrame cut at ``cuts`` (row positions), with an empty partition inserted."""
    bounds = [0, *cuts, len(frame)]
    chunks = [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]
    if empty_at is not None:
        chunks.insert(empty_at, frame.iloc[0:0])
    return dd.from_delayed([dask.delayed(lambda c: c)(chunk) for chunk in chunks], meta=frame.iloc[0:0])


def _close(a: Any, b: Any, what: str) -> None:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, what
    assert np.array_equal(np.isnan(a), np.isnan(b)), f"{what}: missing rows differ"
    both = ~np.isnan(a)
    if both.any():
        worst = float(np.max(np.abs(a[both] - b[both])))
        assert worst <= TOLERANCE, f"{what}: differs by {worst:g}"


def _same_fit(a: Any, b: Any, where: str) -> None:
    if isinstance(a, Mapping):
        assert isinstance(b, Mapping) and set(a) == set(b), f"{where}: keys {sorted(a)} vs {sorted(b)}"
        for key in a:
            _same_fit(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, float) and isinstance(b, float):
        assert (math.isnan(a) and math.isnan(b)) or abs(a - b) <= TOLERANCE * max(1.0, abs(a)), f"{where}: {a} vs {b}"
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_fit(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def assert_same(memory: vises.Results, on_dask: vises.dask.DaskResults, *, ranks: Sequence[str] | None = None) -> None:
    """Scores, coverage, ranks and fitted parameters of the two paths agree."""
    out = on_dask.to_pandas().sort_index()
    assert len(out) == len(memory) == len(on_dask)
    assert out["organisation"].tolist() == memory.organisations.tolist()
    assert out["period"].tolist() == memory.periods.tolist()
    assert on_dask.period_values == memory.period_values
    for code in memory.codes:
        _close(out[f"score.{code}"], memory.score(code), f"score of {code}")
        _close(out[f"coverage.{code}"], memory.coverage(code), f"coverage of {code}")
    persisted = on_dask.persist()
    for code in ranks if ranks is not None else memory.codes:
        dask_ranks = persisted.ranks(code).compute().sort_index()
        _close(dask_ranks, memory.ranks(code), f"ranks of {code}")
    _same_fit(memory.fitted, on_dask.fitted, "fitted")
    _same_fit(
        {k: {n: v for n, v in f.items() if n != "imputed"} for k, f in memory.fitted_imputation.items()},
        on_dask.fitted_imputation,
        "fitted_imputation",
    )
    _same_fit(memory.fitted_treatment, on_dask.fitted_treatment, "fitted_treatment")


def generated(n: int = 900, periods: Sequence[str] = ("2021", "2022", "2023"), seed: int = 3) -> Any:
    """Organisations over periods (sorted by period), quantities with gaps and ties, levels, groups, sizes."""
    rng = np.random.default_rng(seed)
    per = n // len(periods)
    frame = pd.DataFrame(
        {
            "organisation": [f"org{i:04d}" for _ in periods for i in range(per)],
            "period": [p for p in periods for _ in range(per)],
            "family": rng.choice(["insertion", "care", "food", ""], size=per * len(periods)).tolist(),
        }
    )
    size = len(frame)
    skewed = rng.lognormal(2.0, 1.2, size)
    skewed[rng.random(size) < 0.08] = np.nan
    frame["hours"] = skewed
    frame["exits"] = np.round(rng.normal(30, 8, size), 1)  # ties
    frame.loc[rng.random(size) < 0.1, "exits"] = np.nan
    frame["paid"] = rng.normal(100, 20, size)
    frame.loc[rng.random(size) < 0.15, "paid"] = np.nan
    frame["quality"] = rng.choice(["1", "2", "3", "4", "5", ""], size=size).tolist()
    frame["volunteers"] = rng.poisson(5, size).astype(float)
    reference = frame["organisation"] == "org0003"  # a complete row in every period, the reference
    frame.loc[reference, ["hours", "exits", "paid", "volunteers"]] = [7.5, 25.0, 90.0, 4.0]
    return frame


def grid_with(
    *,
    normaliser: Method | None = None,
    imputation: Method | None = None,
    treatment: Method | None = None,
    pooling: str = "pooled",
    **overrides: Any,
) -> Grid:
    """A three-level grid over ``generated``'s columns, methods set on the defaults."""
    defaults = vises.Defaults(
        normaliser=normaliser or Method(name="minmax", params={"low": 0.0, "high": 100.0}),
        pooling=pooling,
        imputation=imputation,
        treatment=treatment,
        min_coverage=overrides.pop("min_coverage", 0.0),
    )
    indicators = (
        Indicator(code="hours", parent="social", unit="hour", denominator=None),
        Indicator(code="exits", parent="social", direction="lower"),
        Indicator(code="paid", parent="economic", **overrides.pop("paid", {})),
        Indicator(code="volunteers", parent="economic"),
        Indicator(
            code="quality",
            parent="index",
            kind=Kind.SCALE,
            levels=tuple(Level(value=str(v)) for v in range(1, 6)),
            normaliser=Method(name="scale"),
        ),
    )
    return Grid(
        code="demo",
        nodes=(
            Node(code="index"),
            Node(code="social", parent="index", weight=2.0),
            Node(code="economic", parent="index"),
        ),
        indicators=indicators,
        defaults=defaults,
    )


def both(grid: Grid, frame: Any, ddf: Any, **kwargs: Any) -> tuple[vises.Results, vises.dask.DaskResults]:
    memory = vises.score(grid, frame, **kwargs)
    with dask.config.set(scheduler="sync"):
        return memory, vises.dask.score(grid, ddf, **kwargs)


CASES: dict[str, dict[str, Any]] = {
    "minmax": {},
    "zscore": {"normaliser": Method(name="zscore")},
    "distance_to_max": {"normaliser": Method(name="distance_to_max")},
    "fraction_of_max": {"normaliser": Method(name="fraction_of_max"), "drop_lower": True},
    "distance_to_reference": {"normaliser": Method(name="distance_to_reference", params={"organisation": "org0003"})},
    "goalposts": {"normaliser": Method(name="goalposts", params={"lower": 0.0, "upper": 80.0})},
    "mean by group": {"imputation": Method(name="group_mean", params={"group": "family"})},
    "mean pooled": {"imputation": Method(name="mean", params={"pooled": True})},
    "median": {"imputation": Method(name="median")},
    "median by group": {"imputation": Method(name="group_median", params={"group": "family"})},
    "row": {"imputation": Method(name="row")},
    "winsorise": {"treatment": Method(name="winsorise")},
    "clip quantiles": {"treatment": Method(name="clip", params={"lower_quantile": 0.05, "upper_quantile": 0.9})},
    "clip fixed": {"treatment": Method(name="clip", params={"lower": 5.0, "upper": 60.0})},
    "log shift1": {"treatment": Method(name="log")},
    "log_CT": {"treatment": Method(name="log", params={"form": "log_CT"})},
    "boxcox": {"treatment": Method(name="boxcox", params={"lambda": 0.5})},
    "impute, winsorise, zscore": {
        "imputation": Method(name="group_mean", params={"group": "family"}),
        "treatment": Method(name="winsorise"),
        "normaliser": Method(name="zscore"),
    },
    "coverage": {"min_coverage": 0.6},
}


@pytest.mark.parametrize("pooling", ["pooled", "per_period"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_dask_scores_equal_memory(case: str, pooling: str) -> None:
    options = dict(CASES[case])
    frame = generated()
    if case == "distance_to_reference" and pooling == "pooled":  # pooled: say which period is the reference
        options["normaliser"] = Method(
            name="distance_to_reference", params={"organisation": "org0003", "period": "2022"}
        )
    if options.pop("drop_lower", False):
        frame["exits"] = frame["exits"].abs() + 1.0  # min/x needs values > 0 when lower is better
    grid = grid_with(pooling=pooling, **options)
    # Cut inside each period, with an empty partition between two cuts.
    ddf = partitioned(frame, [100, 250, 420, 700], empty_at=2)
    memory, on_dask = both(grid, frame, ddf)
    assert_same(memory, on_dask, ranks=["index", "social", "hours"])


def test_a_fit_that_fails_fails_alike() -> None:
    """A reference organisation missing from one period: the same error, from the same fit."""
    frame = generated()
    frame.loc[frame["organisation"].eq("org0003") & frame["period"].eq("2022"), "organisation"] = "gone"
    grid = grid_with(
        normaliser=Method(name="distance_to_reference", params={"organisation": "org0003"}), pooling="per_period"
    )
    with pytest.raises(vises.MethodError) as memory:
        vises.score(grid, frame)
    with dask.config.set(scheduler="sync"), pytest.raises(vises.MethodError) as on_dask:
        vises.dask.score(grid, partitioned(frame, [100, 500]))
    assert str(on_dask.value) == str(memory.value)


#: The two ways of ranking on Dask: binary search in the gathered sorted scores, or dask's sort (past the bound).
RANKINGS = {"searched": None, "shuffled": "1"}


def _ranking(monkeypatch: pytest.MonkeyPatch, way: str) -> list[str]:
    """Rank ``way`` from here on; the list fills with the way each ranking took."""
    import vises.dask.ranks as ranks

    bound = RANKINGS[way]
    if bound is not None:
        monkeypatch.setenv("VISES_DASK_MAX_GATHERED", bound)
    taken: list[str] = []
    for name, function in (("searched", ranks._searched_ranks), ("shuffled", ranks._shuffled_ranks)):
        monkeypatch.setattr(ranks, f"_{name}_ranks", _recording(function, name, taken))
    return taken


def _recording(function: Any, name: str, taken: list[str]) -> Any:
    def recorded(*args: Any) -> Any:
        taken.append(name)
        return function(*args)

    return recorded


@pytest.mark.parametrize("way", RANKINGS)
def test_ranks_both_ways_across_cut_periods(way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = generated(n=900)
    grid = grid_with(normaliser=Method(name="zscore"), pooling="per_period")
    ddf = partitioned(frame, [100, 300, 450, 700], empty_at=2)
    memory = vises.score(grid, frame)
    taken = _ranking(monkeypatch, way)
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, ddf)
    assert_same(memory, on_dask, ranks=["index", "social", "hours", "quality"])
    assert taken == [way] * 4


@pytest.mark.parametrize("way", RANKINGS)
def test_every_code_ranked_and_a_single_partition(way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _ranking(monkeypatch, way)
    frame = generated(n=300, periods=("2024",))
    grid = grid_with(normaliser=Method(name="zscore"))
    memory, on_dask = both(grid, frame, partitioned(frame, []))
    assert_same(memory, on_dask)


def test_denominators_not_applicable_and_units() -> None:
    frame = generated(n=600)
    frame["staff"] = np.random.default_rng(5).uniform(1, 40, len(frame))
    frame["hours [minute]"] = frame.pop("hours") * 60.0
    frame["volunteers"] = frame["volunteers"].astype(object)
    frame.loc[frame.index[::7], "volunteers"] = "n/a"
    grid = grid_with()
    grid = Grid(
        code=grid.code,
        nodes=grid.nodes,
        indicators=tuple(
            Indicator(code="paid", parent="economic", denominator="staff") if ind.code == "paid" else ind
            for ind in grid.indicators
        ),
        defaults=grid.defaults,
    )
    frame.loc[5, "staff"] = 0.0  # a zero denominator: warned about, scored as missing
    ddf = partitioned(frame, [50, 333], empty_at=0)
    with pytest.warns(vises.DataWarning, match="row 7"):
        memory = vises.score(grid, frame)
    with dask.config.set(scheduler="sync"), pytest.warns(vises.DataWarning, match="row 7"):
        on_dask = vises.dask.score(grid, ddf)
    assert_same(memory, on_dask, ranks=["index"])


@pytest.mark.parametrize("way", RANKINGS)
def test_ties_split_across_sorted_partitions_rank_alike(way: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many equal scores: whichever sorted partition they land in, they share the lowest rank."""
    _ranking(monkeypatch, way)
    rows = 2000
    frame = pd.DataFrame(
        {
            "organisation": [f"o{i}" for i in range(rows)],
            "period": ["2024"] * rows,
            "hours": np.repeat([1.0, 2.0, 3.0, 4.0], rows // 4),
            "exits": np.repeat([5.0, 1.0], rows // 2),
            "paid": np.ones(rows),
            "volunteers": np.tile([0.0, 1.0], rows // 2),
            "quality": ["3"] * rows,
        }
    )
    grid = grid_with()
    memory, on_dask = both(grid, frame, partitioned(frame, list(range(150, rows, 150))))
    assert_same(memory, on_dask)


# -- what Dask refuses, up front and by name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"normaliser": Method(name="rank")}, "normaliser 'rank' is not supported on Dask"),
        ({"normaliser": Method(name="percentile_rank")}, "normaliser 'percentile_rank' is not supported on Dask"),
        ({"imputation": Method(name="previous")}, "imputer 'previous' is not supported on Dask"),
        ({"imputation": Method(name="linear")}, "imputer 'linear' is not supported on Dask"),
    ],
)
def test_unsupported_methods_are_refused_by_name(options: dict[str, Any], named: str) -> None:
    frame = generated(n=90)
    grid = grid_with(**options)
    with pytest.raises(vises.GridValidationError) as caught:
        vises.dask.score(grid, partitioned(frame, [40]))
    assert named in str(caught.value)
    assert "indicator 'hours'" in str(caught.value)


def test_copeland_is_refused_with_the_node() -> None:
    frame = generated(n=90)
    grid = grid_with()
    nodes = tuple(
        Node(code="index", aggregator=Method(name="copeland")) if node.code == "index" else node for node in grid.nodes
    )
    grid = Grid(code=grid.code, nodes=nodes, indicators=grid.indicators, defaults=grid.defaults)
    with pytest.raises(
        vises.GridValidationError, match=r"node 'index'.*aggregator 'copeland' is not supported on Dask"
    ):
        vises.dask.score(grid, partitioned(frame, [40]))


def test_history_imputation_refused_even_against_a_reference() -> None:
    frame = generated(n=90)
    grid = grid_with(imputation=Method(name="previous"))
    reference = vises.score(grid, frame)
    with pytest.raises(vises.GridValidationError, match="imputer 'previous' is not supported on Dask"):
        vises.dask.score(grid, partitioned(frame, [40]), reference=reference)


def test_rank_normaliser_applies_against_an_in_memory_reference() -> None:
    """Against a reference nothing is fitted: a rank normaliser applies row by row, as in memory."""
    frame = generated(n=300)
    grid = grid_with(normaliser=Method(name="rank"))
    reference = vises.score(grid, frame.iloc[:150])
    memory = vises.score(grid, frame.iloc[150:], reference=reference)
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, partitioned(frame.iloc[150:], [60]), reference=reference)
    assert_same(memory, on_dask, ranks=["index"])


def test_gathering_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISES_DASK_MAX_GATHERED", "100")
    frame = generated(n=600)
    grid = grid_with(treatment=Method(name="winsorise"))
    with dask.config.set(scheduler="sync"), pytest.raises(vises.MethodError, match=r"more than the limit of 100"):
        vises.dask.score(grid, partitioned(frame, [100, 300]))


# -- problems of the data, every one, rows numbered across partitions ----------------------------------------


def test_problems_name_rows_across_partitions() -> None:
    frame = generated(n=300)
    memory_frame = frame.copy()
    frame = frame.astype({"hours": object})
    frame.loc[250, "quality"] = "seven"
    frame.loc[120, "hours"] = "lots"
    with pytest.raises(vises.DataValidationError) as memory:
        vises.score(grid_with(), frame)
    with dask.config.set(scheduler="sync"), pytest.raises(vises.DataValidationError) as on_dask:
        vises.dask.score(grid_with(), partitioned(frame, [100, 200], empty_at=1))
    assert sorted(str(p) for p in on_dask.value.problems) == sorted(str(p) for p in memory.value.problems)
    assert "row 251" in str(on_dask.value) or "row 252" in str(on_dask.value)
    assert len(memory_frame) == 300


def test_a_row_repeated_in_another_partition_is_found() -> None:
    frame = generated(n=300)
    repeated = pd.concat([frame, frame.iloc[[10, 20]], frame.iloc[[5, 5]]], ignore_index=True)
    with pytest.raises(vises.DataValidationError) as memory:
        vises.score(grid_with(), repeated)
    with dask.config.set(scheduler="sync"), pytest.raises(vises.DataValidationError) as on_dask:
        vises.dask.score(grid_with(), partitioned(repeated, [150, 301]))
    assert sorted(str(p) for p in on_dask.value.problems) == sorted(str(p) for p in memory.value.problems)
    assert len(on_dask.value.problems) == 4


def test_no_rows_at_all() -> None:
    frame = generated(n=30).iloc[0:0]
    with dask.config.set(scheduler="sync"), pytest.raises(vises.DataValidationError, match="the data has no rows"):
        vises.dask.score(grid_with(), partitioned(frame, []))


def test_not_a_dask_frame() -> None:
    with pytest.raises(vises.DataError, match="expected a dask DataFrame"):
        vises.dask.score(grid_with(), [1, 2, 3])


# -- the fitted parameters serve later scorings -----------------------------------------------------------


def test_as_reference_places_a_newcomer_as_in_memory() -> None:
    frame = generated()
    grid = grid_with(
        imputation=Method(name="group_mean", params={"group": "family"}), treatment=Method(name="winsorise")
    )
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, partitioned(frame, [200, 500]))
    memory = vises.score(grid, frame)
    newcomer = frame.iloc[[7]].assign(organisation="new")
    _close(
        vises.score(grid, newcomer, reference=on_dask.as_reference()).scores,
        vises.score(grid, newcomer, reference=memory).scores,
        "newcomer",
    )
