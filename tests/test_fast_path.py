"""The one-organisation fast path (``CompiledGrid.scorer``) gives what ``vises.score`` gives for that row."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import vises
from vises.errors import ConfigError, DataValidationError
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Kind, Level, Method, Node

NORMALISERS = [
    Method(name="minmax"),
    Method(name="minmax", params={"low": 1.0, "high": 100.0}),
    Method(name="distance_to_max"),
    Method(name="goalposts", params={"lower": 0.0, "upper": 50.0}),
    Method(name="scaled", params={"lower": -10.0, "upper": 90.0}),
    Method(name="zscore"),  # no closed form: applied through the method itself
    Method(name="percentile_rank"),
]
AGGREGATORS = [Method(name="arithmetic"), Method(name="median"), Method(name="power_mean", params={"p": 2.0})]


@st.composite
def networks(draw: st.DrawFn) -> tuple[Grid, Dataset, dict[str, object]]:
    k = draw(st.integers(min_value=2, max_value=7))
    n = draw(st.integers(min_value=2, max_value=9))
    normaliser = draw(st.sampled_from(NORMALISERS))
    aggregator = draw(st.sampled_from(AGGREGATORS))
    coverage = draw(st.sampled_from([0.0, 0.5]))
    indicators = [
        Indicator(
            code=f"i{j}",
            parent="a" if j % 2 else "b",
            unit="hour",
            weight=draw(st.floats(min_value=0.0, max_value=5.0)),
            direction=draw(st.sampled_from(["higher", "lower"])),
            normaliser=draw(st.sampled_from([None, *NORMALISERS[:5]])),
        )
        for j in range(k)
    ]
    indicators.append(
        Indicator(code="q", parent="a", kind=Kind.SCALE, levels=tuple(Level(value=str(v)) for v in range(1, 6)))
    )
    indicators.append(
        Indicator(
            code="c",
            parent="b",
            kind=Kind.CATEGORY,
            levels=(Level(value="x", score=10.0), Level(value="y", score=70.0)),
            direction=draw(st.sampled_from(["higher", "lower"])),
        )
    )
    grid = Grid(
        code="p",
        nodes=(
            Node(code="r"),
            Node(code="a", parent="r", weight=2.0, aggregator=aggregator),
            Node(code="b", parent="r", min_coverage=coverage),
        ),
        indicators=tuple(indicators),
        defaults=Defaults(normaliser=normaliser),
    )
    finite = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)
    columns: dict[str, Column] = {
        f"i{j}": Column(
            values=np.array([draw(finite) if draw(st.integers(0, 5)) else math.nan for _ in range(n)]), unit="hour"
        )
        for j in range(k)
    }
    columns["q"] = Column(
        values=np.array([draw(st.sampled_from(["1", "3", "5", None])) for _ in range(n)], dtype=object)
    )
    columns["c"] = Column(values=np.array([draw(st.sampled_from(["x", "y", None])) for _ in range(n)], dtype=object))
    data = Dataset(organisations=np.array([f"o{i}" for i in range(n)]), periods=np.array(["2024"] * n), columns=columns)
    newcomer: dict[str, object] = {
        f"i{j}": draw(st.one_of(st.none(), st.floats(min_value=-100.0, max_value=2000.0))) for j in range(k)
    }
    newcomer["q"] = draw(st.sampled_from(["2", "4", 5, None]))
    newcomer["c"] = draw(st.sampled_from(["x", "y", None]))
    return grid, data, newcomer


def _alone(values: dict[str, object]) -> Dataset:
    columns = {}
    for code, value in values.items():
        if code in ("q", "c"):
            columns[code] = Column(values=np.array([None if value is None else str(value)], dtype=object))
        else:
            columns[code] = Column(values=np.array([math.nan if value is None else float(value)]), unit="hour")
    return Dataset(organisations=np.array(["new"]), periods=np.array(["2024"]), columns=columns)


@settings(max_examples=150, deadline=None)
@given(networks())
def test_the_scorer_gives_what_score_gives_for_the_same_row(network: tuple[Grid, Dataset, dict[str, object]]) -> None:
    grid, data, newcomer = network
    compiled = vises.compile_grid(grid)
    try:
        reference = vises.score(compiled, data)
    except vises.VisesError:  # a network these methods cannot score (negative scores for a power mean)
        assume(False)
    score_one = compiled.scorer(reference)
    try:
        expected = vises.score(compiled, _alone(newcomer), reference=reference)
    except vises.VisesError as exc:  # e.g. a value where the network had none: refused alike
        with pytest.raises(type(exc)) as info:
            score_one(newcomer)
        assert info.value.message == exc.message
        return
    got = score_one(newcomer)
    assert list(got) == list(expected.codes)
    np.testing.assert_allclose(np.array(list(got.values())), expected.scores[0], rtol=1e-12, atol=1e-9, equal_nan=True)


def _network() -> tuple[Grid, Dataset]:
    grid = Grid(
        code="n",
        nodes=(Node(code="r"), Node(code="d", parent="r")),
        indicators=(
            Indicator(code="hours", parent="d", unit="hour", minimum=0.0),
            Indicator(code="staff", parent="d", unit="hour / FTE", denominator="fte"),
            Indicator(code="ok", parent="r", kind=Kind.BINARY),
        ),
        defaults=Defaults(pooling="per_period"),
    )
    data = Dataset(
        organisations=np.array(["a", "b", "c", "a", "b", "c"]),
        periods=np.array(["2023", "2023", "2023", "2024", "2024", "2024"]),
        columns={
            "hours": Column(values=np.array([10.0, 20.0, 30.0, 15.0, 25.0, 45.0]), unit="hour"),
            "staff": Column(values=np.array([60.0, 120.0, 30.0, 90.0, 60.0, 600.0]), unit="minute"),
            "fte": Column(values=np.array([1.0, 2.0, 1.0, 1.5, 1.0, 4.0]), unit="FTE"),
            "ok": Column(values=np.array(["yes", "no", "yes", "no", "yes", "yes"], dtype=object)),
        },
    )
    return grid, data


def test_units_denominators_and_per_period_parameters() -> None:
    grid, data = _network()
    compiled = vises.compile_grid(grid)
    reference = vises.score(compiled, data)
    score_one = compiled.scorer(reference, period="2024", units={"hours": "minute", "staff": "minute", "fte": "FTE"})
    got = score_one({"hours": 1200.0, "staff": 180.0, "fte": 2.0, "ok": "yes"})
    alone = Dataset(
        organisations=np.array(["z"]),
        periods=np.array(["2024"]),
        columns={
            "hours": Column(values=np.array([1200.0]), unit="minute"),
            "staff": Column(values=np.array([180.0]), unit="minute"),
            "fte": Column(values=np.array([2.0]), unit="FTE"),
            "ok": Column(values=np.array(["yes"], dtype=object)),
        },
    )
    expected = vises.score(compiled, alone, reference=reference)
    assert got == dict(zip(expected.codes, expected.scores[0].tolist(), strict=True))
    assert got["hours"] == pytest.approx((20.0 - 15.0) / (45.0 - 15.0) * 100.0)  # 1200 min = 20 h, 2024's range
    missing = score_one({"hours": None, "ok": True})
    assert math.isnan(missing["staff"]) and missing["ok"] == 100.0
    assert missing["d"] == missing["hours"] if not math.isnan(missing["hours"]) else math.isnan(missing["d"])


def test_the_scorer_refuses_what_validation_refuses_all_at_once() -> None:
    grid, data = _network()
    compiled = vises.compile_grid(grid)
    score_one = compiled.scorer(vises.score(compiled, data), period="2023")
    with pytest.raises(DataValidationError) as info:
        score_one({"hours": -5.0, "ok": "maybe"})
    assert [str(p) for p in info.value.problems] == [
        "column 'ok', indicator 'ok': 'maybe' is not a level of this binary indicator; allowed: 'no', 'yes'",
        "column 'hours', indicator 'hours': value -5 is below the minimum 0 (hint: check the value and its unit)",
    ]
    with pytest.raises(DataValidationError, match="'hour' is not an indicator.*did you mean 'hours'"):
        score_one({"hour": 3.0})
    with pytest.raises(DataValidationError, match="'lots' is not a number"):
        score_one({"hours": "lots"})


def test_a_per_period_reference_needs_a_period() -> None:
    grid, data = _network()
    compiled = vises.compile_grid(grid)
    reference = vises.score(compiled, data)
    with pytest.raises(ConfigError, match="per period; say which period"):
        compiled.scorer(reference)
    with pytest.raises(ConfigError, match="no parameters for period '2030'"):
        compiled.scorer(reference, period="2030")


def test_a_reference_of_other_methods_is_refused() -> None:
    grid, data = _network()
    compiled = vises.compile_grid(grid)
    other = vises.compile_grid(Grid(**{**_fields(grid), "defaults": Defaults(normaliser=Method(name="zscore"))}))
    with pytest.raises(ConfigError, match="other methods"):
        other.scorer(vises.score(compiled, data))


def _fields(grid: Grid) -> dict[str, object]:
    import attrs

    return {field.name: getattr(grid, field.name) for field in attrs.fields(Grid)}


def test_imputation_and_treatment_come_from_the_reference() -> None:
    grid = Grid(
        code="s",
        nodes=(Node(code="r"),),
        indicators=(
            Indicator(
                code="x",
                parent="r",
                imputation=Method(name="group_mean", params={"group": "family", "pooled": True}),
                treatment=Method(name="clip", params={"lower": 0.0, "upper": 40.0}),
            ),
            Indicator(code="y", parent="r"),
        ),
    )
    data = Dataset(
        organisations=np.array(["a", "b", "c", "d"]),
        periods=np.array(["1"] * 4),
        columns={
            "x": Column(values=np.array([10.0, 30.0, 50.0, 20.0])),
            "y": Column(values=np.array([1.0, 2.0, 3.0, 4.0])),
        },
        attributes={"family": np.array(["p", "p", "q", "q"], dtype=object)},
    )
    compiled = vises.compile_grid(grid)
    reference = vises.score(compiled, data)
    score_one = compiled.scorer(reference)
    filled = score_one({"x": None, "y": 2.0}, attributes={"family": "q"})
    alone = Dataset(
        organisations=np.array(["z"]),
        periods=np.array(["1"]),
        columns={"x": Column(values=np.array([np.nan])), "y": Column(values=np.array([2.0]))},
        attributes={"family": np.array(["q"], dtype=object)},
    )
    expected = vises.score(compiled, alone, reference=reference)
    assert filled == dict(zip(expected.codes, expected.scores[0].tolist(), strict=True))
    assert score_one({"x": 99.0, "y": 2.0})["x"] == score_one({"x": 40.0, "y": 2.0})["x"]  # clipped at 40


def test_repr_and_codes() -> None:
    grid, data = _network()
    compiled = vises.compile_grid(grid)
    score_one = compiled.scorer(vises.score(compiled, data), period="2024")
    assert score_one.codes == compiled.codes and score_one.codes[-1] == "r"
    assert repr(score_one) == "<Scorer for grid 'n', period '2024': 3 indicators, 3 in closed form>"
    assert repr(compiled) == "<CompiledGrid 'n' version '1': 3 indicators, 2 aggregates>"
