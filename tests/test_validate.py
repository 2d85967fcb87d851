"""Grid and dataset validation, and the effective-method rules the scoring engine relies on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vises.contract.records import AggregatorSpec, NormaliserSpec
from vises.errors import GridValidationError, MethodError
from vises.model import Column, Dataset, Defaults, Direction, Grid, Indicator, Kind, Level, Method, Node
from vises.validation.grid import (
    check_grid,
    effective_aggregator,
    effective_min_coverage,
    effective_normaliser,
    validate_dataset,
    validate_grid,
)


def _spec(
    name: str, low: float | None = 0.0, kinds: tuple[str, ...] = ("quantity", "scale", "binary", "category")
) -> NormaliserSpec:
    return NormaliserSpec(
        name=name,
        fit=lambda v, **k: {},
        apply=lambda v, f: v,
        output_range=lambda params: (params.get("low", low), params.get("high", 100.0)),
        kinds=kinds,
    )


NORMALISERS = {name: _spec(name) for name in ("minmax", "scale", "binary", "category")}
NORMALISERS["zscore"] = _spec("zscore", low=None)
AGGREGATORS = {
    "arithmetic": AggregatorSpec(name="arithmetic", aggregate=lambda s, w, **k: s[:, 0]),
    "geometric": AggregatorSpec(name="geometric", aggregate=lambda s, w, **k: s[:, 0], requires_positive=True),
}

GRID = Grid(
    code="g",
    nodes=(
        Node(code="root"),
        Node(code="a", parent="root", normaliser=Method(name="zscore")),
        Node(code="b", parent="root", aggregator=Method(name="geometric"), min_coverage=0.8),
    ),
    indicators=(
        Indicator(code="x", parent="a"),
        Indicator(code="s", parent="b", kind=Kind.SCALE, levels=(Level(value="1"), Level(value="2"))),
        Indicator(code="q", parent="b", normaliser=Method(name="minmax", params={"low": 1, "high": 100})),
    ),
    defaults=Defaults(normaliser=Method(name="minmax", params={"low": 0, "high": 10}), min_coverage=0.25),
)


def test_effective_methods() -> None:
    assert effective_normaliser(GRID, GRID.indicator("x")) == Method(name="zscore")  # from node a
    assert effective_normaliser(GRID, GRID.indicator("s")) == Method(name="scale", params={"low": 0, "high": 10})
    assert effective_normaliser(GRID, GRID.indicator("q")).params == {"low": 1, "high": 100}
    plain = Grid(code="p", nodes=(Node(code="r"),), indicators=(Indicator(code="y", parent="r", kind=Kind.BINARY),))
    assert effective_normaliser(plain, plain.indicator("y")) == Method(
        name="binary", params={"low": 0.0, "high": 100.0}
    )
    assert effective_aggregator(GRID, GRID.node("b")) == Method(name="geometric")
    assert effective_aggregator(GRID, GRID.node("a")) == Method(name="arithmetic")
    assert effective_min_coverage(GRID, GRID.node("b")) == 0.8
    assert effective_min_coverage(GRID, GRID.node("a")) == 0.25


def test_geometric_over_zero_based_scores_is_refused_with_hint() -> None:
    problems = validate_grid(GRID, normalisers=NORMALISERS, aggregators=AGGREGATORS)
    assert len(problems) == 1
    problem = problems[0]
    assert isinstance(problem, MethodError) and problem.node == "b" and problem.path == "nodes[2].aggregator"
    assert "'s'" in problem.message and "'q'" not in problem.message  # q is normalised onto 1-100
    assert "low = 1" in problem.hint


def test_geometric_over_child_node_uses_its_range() -> None:
    grid = Grid(
        code="g",
        nodes=(Node(code="root", aggregator=Method(name="geometric")), Node(code="a", parent="root")),
        indicators=(
            Indicator(code="x", parent="a", normaliser=Method(name="zscore")),
            Indicator(code="y", parent="root", normaliser=Method(name="minmax", params={"low": 1})),
        ),
    )
    problems = validate_grid(grid, normalisers=NORMALISERS, aggregators=AGGREGATORS)
    assert [p.node for p in problems] == ["root"] and "'a'" in problems[0].message


def test_unknown_methods_and_kinds() -> None:
    grid = Grid(
        code="g",
        nodes=(Node(code="r", aggregator=Method(name="arithmetc")),),
        indicators=(
            Indicator(code="x", parent="r", normaliser=Method(name="minmx")),
            Indicator(
                code="c",
                parent="r",
                kind=Kind.CATEGORY,
                levels=(Level(value="a", score=1),),
                normaliser=Method(name="zq"),
            ),
        ),
    )
    normalisers = {**NORMALISERS, "zq": _spec("zq", kinds=("quantity",))}
    problems = validate_grid(grid, normalisers=normalisers, aggregators=AGGREGATORS)
    messages = sorted(p.message for p in problems)
    assert messages == [
        "normaliser 'zq' does not accept category indicators (it takes quantity)",
        "unknown aggregator 'arithmetc'",
        "unknown normaliser 'minmx'",
    ]
    assert {p.hint for p in problems if p.message.startswith("unknown")} == {
        "did you mean 'arithmetic'?",
        "did you mean 'minmax'?",
    }


def test_all_structural_problems_reported_at_once() -> None:
    grid = Grid(
        code="bad",
        nodes=(
            Node(code="r"),
            Node(code="r2"),
            Node(code="a", parent="zz"),
            Node(code="c1", parent="c2"),
            Node(code="c2", parent="c1"),
            Node(code="zero", parent="r", weight=-1.0, min_coverage=1.5),
            Node(code="empty", parent="r"),
        ),
        indicators=(
            Indicator(code="a", parent="r"),
            Indicator(code="i1", parent="a"),
            Indicator(code="under", parent="i1"),
            Indicator(code="w", parent="zero", weight=0.0),
            Indicator(code="nan", parent="r", weight=math.nan),
            Indicator(code="sc", parent="r", kind=Kind.SCALE),
            Indicator(code="cat", parent="r", kind=Kind.CATEGORY, levels=(Level(value="x"), Level(value="x", score=1))),
            Indicator(code="t", parent="r", direction=Direction.TARGET, minimum=5, maximum=1),
        ),
    )
    with pytest.raises(GridValidationError) as info:
        check_grid(grid, file="bad.toml")
    text = [str(p) for p in info.value.problems]
    expected_fragments = [
        "duplicate code 'a'",
        "exactly one root node",
        "unknown parent 'zz'",
        "parent 'i1' is an indicator",
        "cycle: c1 -> c2 -> c1",
        "weight must be a finite number >= 0, got -1.0",
        "weight must be a finite number >= 0, got nan",
        "node 'empty': node has no children",
        "node 'zero': all the weights of this node's children are 0",
        "a scale indicator needs levels",
        "category level 'x' needs a score",
        "level value 'x' appears more than once",
        "direction 'target' needs a target value",
        "minimum 5 is greater than maximum 1",
        "min_coverage is a share of the weight and must be between 0 and 1, got 1.5",
    ]
    for fragment in expected_fragments:
        assert sum(fragment in line for line in text) >= 1, fragment
    assert all(p.file == "bad.toml" for p in info.value.problems)


def test_check_grid_returns_valid_grid() -> None:
    grid = Grid(code="ok", nodes=(Node(code="r"),), indicators=(Indicator(code="x", parent="r"),))
    assert check_grid(grid, normalisers=NORMALISERS, aggregators=AGGREGATORS) is grid


DATA_GRID = Grid(
    code="d",
    nodes=(Node(code="r"),),
    indicators=(
        Indicator(code="hours", parent="r", unit="hour", minimum=0, maximum=100),
        Indicator(code="lvl", parent="r", kind=Kind.SCALE, levels=(Level(value="low"), Level(value="high"))),
        Indicator(code="miss", parent="r"),
        Indicator(code="story", parent="r", kind=Kind.NARRATIVE),
    ),
)


def test_validate_dataset_reports_each_problem_with_place() -> None:
    dataset = Dataset(
        organisations=np.array(["A", "B", "A"], dtype=object),
        periods=np.array(["2023", "2023", "2023"], dtype=object),
        columns={
            "hours": Column(values=np.array([30.0, 6000.0, np.nan]), unit="min"),  # 6000 min = 100 h: fine
            "lvl": Column(values=np.array(["low", "medium", None], dtype=object)),
            "hors": Column(values=np.array([1.0, 2.0, 3.0])),
        },
    )
    problems = validate_dataset(DATA_GRID, dataset, file="d.csv")
    summary = sorted((p.row or 0, p.column or "", p.message.split(";")[0]) for p in problems)
    assert summary == sorted(
        [
            (0, "hors", "column is not an indicator of the grid"),
            (0, "miss", "indicator column is missing"),
            (3, "lvl", "'medium' is not a level of this scale indicator"),
            (4, "", "organisation 'A', period '2023' appears again (first at row 2)"),
        ]
    )
    assert all(p.file == "d.csv" for p in problems)
    assert "allowed: 'low', 'high'" in next(p.message for p in problems if p.column == "lvl")


def test_validate_dataset_range_after_unit_conversion_and_bad_unit() -> None:
    dataset = Dataset(
        organisations=np.array(["A", "B"], dtype=object),
        periods=np.array(["1", "1"], dtype=object),
        columns={
            "hours": Column(values=np.array([7200.0, -60.0]), unit="min"),
            "lvl": Column(values=np.array(["low", "high"], dtype=object)),
            "miss": Column(values=np.array([1.0, 2.0]), unit="furlongs per glorp"),
        },
    )
    problems = validate_dataset(DATA_GRID, dataset)
    by_column = {(p.column, p.row): p.message for p in problems}
    assert by_column[("hours", 2)] == "value 120 is above the maximum 100"
    assert by_column[("hours", 3)] == "value -1 is below the minimum 0"
    assert ("miss", None) in by_column
    assert len(problems) == 3


def test_category_indicators_default_to_their_own_scores_without_parameters() -> None:
    grid = Grid(
        code="c",
        nodes=(Node(code="r"),),
        indicators=(Indicator(code="k", parent="r", kind=Kind.CATEGORY, levels=(Level(value="a", score=3.0),)),),
        defaults=Defaults(normaliser=Method(name="minmax", params={"low": 1, "high": 100})),
    )
    assert effective_normaliser(grid, grid.indicator("k")) == Method(name="category")


def test_inherited_normalisers_down_a_deep_chain_are_found_in_one_pass() -> None:
    depth = 5_000
    nodes = (
        Node(code="n0", normaliser=Method(name="zscore")),
        *(Node(code=f"n{k}", parent=f"n{k - 1}") for k in range(1, depth)),
    )
    grid = Grid(code="d", nodes=nodes, indicators=tuple(Indicator(code=f"x{k}", parent=f"n{k}") for k in range(depth)))
    assert {effective_normaliser(grid, ind).name for ind in grid.indicators} == {"zscore"}
    # Under an unknown parent (reported by validation) the chain inherits nothing from above it.
    orphan = Grid(
        code="o", nodes=(Node(code="r"), Node(code="a", parent="ghost")), indicators=(Indicator(code="y", parent="a"),)
    )
    assert effective_normaliser(orphan, orphan.indicator("y")) == orphan.defaults.normaliser


def test_grid_limits_from_the_environment_and_a_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from vises.limits import Limits, current_limits, use_limits

    assert (Limits().grid_levels, Limits().grid_items) == (100, 1_000_000)
    monkeypatch.setenv("VISES_LIMIT_GRID_LEVELS", "2_000")
    assert current_limits().grid_levels == 2_000
    monkeypatch.delenv("VISES_LIMIT_GRID_LEVELS")
    three_levels = Grid(
        code="t", nodes=(Node(code="r"), Node(code="a", parent="r")), indicators=(Indicator(code="x", parent="a"),)
    )
    assert three_levels.index.levels == 3
    problems = validate_grid(three_levels, limits=Limits(grid_levels=2))
    assert [p.message for p in problems] == ["the grid is 3 levels deep, more than the limit grid_levels = 2"]
    with use_limits(grid_levels=2):
        assert current_limits().grid_levels == 2
        with use_limits(grid_items=5):
            assert (current_limits().grid_levels, current_limits().grid_items) == (2, 5)
        assert [p.path for p in validate_grid(three_levels)] == ["nodes"]
    assert validate_grid(three_levels) == []
