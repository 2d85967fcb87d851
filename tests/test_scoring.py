"""The scoring engine: hand-computed results, traceability, and its invariants as properties."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vises
from vises.errors import DataValidationError, GridValidationError, UnitError
from vises.model import Column, Dataset, Defaults, Evaluation, Grid, Indicator, Kind, Level, Method, Node


def small_grid(**defaults) -> Grid:
    return Grid(
        code="g",
        languages=("fr", "en"),
        label={"fr": "Grille", "en": "Grid"},
        nodes=(
            Node(code="g"),
            Node(code="social", parent="g", weight=2.0, label={"fr": "Social", "en": "Social"}),
            Node(code="economic", parent="g", weight=1.0, label={"en": "Economic"}),
        ),
        indicators=(
            Indicator(code="hours", parent="social", unit="hour", weight=1.0),
            Indicator(code="dropout", parent="social", unit="percent", direction="lower", weight=3.0),
            Indicator(
                code="practice",
                parent="economic",
                kind=Kind.SCALE,
                levels=tuple(Level(value=str(i)) for i in range(1, 6)),
            ),
            Indicator(code="turnover", parent="economic", unit="EUR"),
            Indicator(code="story", parent="g", kind=Kind.NARRATIVE),
        ),
        defaults=Defaults(**defaults) if defaults else Defaults(),
    )


def small_data() -> Dataset:
    return Dataset(
        organisations=np.array(["a", "b", "c", "a"]),
        periods=np.array(["2018", "2018", "2018", "2019"]),
        columns={
            "hours": Column(values=np.array([60.0, 120.0, np.nan, 180.0]) * 60, unit="min"),
            "dropout": Column(values=np.array([10.0, 30.0, 20.0, 10.0]), unit="percent"),
            "practice": Column(values=np.array(["1", "5", "3", None], dtype=object)),
            "turnover": Column(values=np.array([1.0, 2.0, 3.0, 4.0]), unit="kEUR"),
            "story": Column(values=np.array(["went well", None, None, None], dtype=object)),
        },
        text={"hours": np.array(["counted from the register", None, None, None], dtype=object)},
        evaluations=(
            Evaluation(
                organisation="a",
                period="2018",
                questions=("Do trainees find work?",),
                narrative={"social": "focus group"},
            ),
        ),
    )


def test_hand_computed_scores():
    r = vises.score(small_grid(), small_data())
    hours = r.score("hours")  # 60, 120, -, 180 hours pooled: min 60, max 180
    np.testing.assert_allclose(hours, [0.0, 50.0, np.nan, 100.0])
    np.testing.assert_allclose(r.raw("hours"), [60.0, 120.0, np.nan, 180.0])
    np.testing.assert_allclose(r.score("dropout"), [100.0, 0.0, 50.0, 100.0])  # lower is better
    np.testing.assert_allclose(r.score("practice"), [0.0, 100.0, 50.0, np.nan])  # scale position 1..5
    np.testing.assert_allclose(r.raw("turnover"), [1000.0, 2000.0, 3000.0, 4000.0])
    social = np.array([(0 + 3 * 100) / 4, (50 + 0) / 4, 50.0, (100 + 300) / 4])
    np.testing.assert_allclose(r.score("social"), social)
    turnover = np.array([0.0, 1 / 3, 2 / 3, 1.0]) * 100
    economic = np.array([(0 + turnover[0]) / 2, (100 + turnover[1]) / 2, (50 + turnover[2]) / 2, turnover[3]])
    np.testing.assert_allclose(r.score("economic"), economic)
    np.testing.assert_allclose(r.score("g"), (2 * social + economic) / 3)
    assert r.codes[-1] == "g" and "story" not in r.codes
    assert r.provenance["grid"] == "g" and r.provenance["method_plugins"] == {
        "minmax": "vises",
        "scale": "vises",
        "arithmetic": "vises",
    }
    assert r.provenance["methods"]["dropout"].startswith("minmax")


def test_ranks_coverage_contributions_and_explain():
    r = vises.score(small_grid(), small_data())
    np.testing.assert_array_equal(r.ranks("dropout")[:3], [1, 3, 2])
    assert np.isnan(r.ranks("hours")[2]) and r.ranks("hours")[3] == 1
    np.testing.assert_allclose(r.coverage("social"), [1.0, 1.0, 0.75, 1.0])
    contributions = r.contributions("g")
    np.testing.assert_allclose(contributions["social"] + contributions["economic"], r.score("g"))
    tree = r.explain("a", "2018", lang="fr")
    assert tree.code == "g" and tree.label == "Grille"
    social = next(child for child in tree.children if child.code == "social")
    hours = next(child for child in social.children if child.code == "hours")
    assert hours.raw == 60.0 and hours.unit == "hour" and hours.narrative == "counted from the register"
    assert social.narrative == "focus group"
    assert hours.effective_weight == pytest.approx(0.25)
    economic = next(child for child in tree.children if child.code == "economic")
    assert economic.label == "Economic [en]", "a missing translation falls back visibly"
    assert r.explain("a").children[0].score is not None  # latest period by default
    reasons = r.reasons("hours")
    assert reasons[2] == "missing value" and reasons[0] is None


def test_ties_share_the_lowest_rank():
    grid = Grid(code="t", nodes=(Node(code="t"),), indicators=(Indicator(code="x", parent="t"),))
    data = Dataset(
        organisations=np.array(list("abcd")),
        periods=np.array(["p"] * 4),
        columns={"x": Column(values=np.array([5.0, 7.0, 7.0, 1.0]))},
    )
    r = vises.score(grid, data)
    np.testing.assert_array_equal(r.ranks("x"), [3, 1, 1, 4])


def test_minimum_coverage_makes_a_node_missing_with_a_reason():
    grid = small_grid(min_coverage=0.8)
    r = vises.score(grid, small_data())
    assert np.isnan(r.score("social")[2])
    assert "below the minimum 80%" in r.reasons("social")[2]


def test_not_applicable_is_not_missing():
    data = small_data()
    dropout = Column(
        values=np.array([10.0, np.nan, 20.0, 10.0]),
        unit="percent",
        not_applicable=np.array([False, True, False, False]),
    )
    data = attrs.evolve(data, columns={**data.columns, "dropout": dropout})
    r = vises.score(small_grid(), data)
    assert r.coverage("social")[1] == 1.0  # N/A weight leaves the denominator
    assert r.reasons("dropout")[1] == "not applicable"
    assert r.score("social")[1] == r.score("hours")[1]


def test_per_period_pooling_fits_each_period():
    r = vises.score(small_grid(pooling="per_period"), small_data())
    assert set(r.fitted["hours"]["per_period"]) == {"2018", "2019"}
    np.testing.assert_allclose(r.score("hours")[:2], [0.0, 100.0])  # 2018 alone: min 60, max 120
    pooled = vises.score(small_grid(), small_data())
    np.testing.assert_allclose(pooled.score("hours")[:2], [0.0, 50.0])


def test_incompatible_unit_and_unknown_level_are_reported_together():
    data = small_data()
    bad = {
        **data.columns,
        "hours": Column(values=np.ones(4), unit="EUR"),
        "practice": Column(values=np.array(["1", "9", "x", None], dtype=object)),
    }
    with pytest.raises(DataValidationError) as info:
        vises.score(small_grid(), attrs.evolve(data, columns=bad))
    text = str(info.value)
    # The same checks and words as validation: one problem per row with an unknown level.
    assert "3 problems" in text and "'hours'" in text and "row 3" in text and "'9' is not a level" in text
    assert "row 4" in text and "'x' is not a level" in text and "allowed: '1', '2', '3', '4', '5'" in text
    assert any(isinstance(p, UnitError) for p in info.value.problems)


def test_missing_indicator_column_is_an_error_naming_it():
    data = small_data()
    columns = {k: v for k, v in data.columns.items() if k != "turnover"}
    with pytest.raises(DataValidationError, match="indicator 'turnover'"):
        vises.score(small_grid(), attrs.evolve(data, columns=columns))


def test_geometric_mean_over_minmax_zero_is_refused_up_front():
    grid = attrs.evolve(small_grid(), defaults=Defaults(aggregator=Method(name="geometric")))
    with pytest.raises(GridValidationError, match="geometric"):
        vises.score(grid, small_data())


# --- properties -----------------------------------------------------------------------------


def quantity_grid(k: int, weights: list[float], node_weights: tuple[float, float]) -> Grid:
    half = max(1, k // 2)
    indicators = tuple(
        Indicator(
            code=f"i{j}",
            parent="a" if j < half else "b",
            unit="hour",
            weight=weights[j],
            direction="lower" if j % 3 == 2 else "higher",
        )
        for j in range(k)
    )
    nodes = (
        Node(code="r"),
        Node(code="a", parent="r", weight=node_weights[0]),
        Node(code="b", parent="r", weight=node_weights[1]),
    )
    if half >= k:
        nodes = nodes[:2]
    return Grid(code="p", nodes=nodes, indicators=indicators)


values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def scenarios(draw):
    k = draw(st.integers(min_value=2, max_value=6))
    n = draw(st.integers(min_value=2, max_value=12))
    weights = draw(st.lists(st.floats(min_value=0.1, max_value=10), min_size=k, max_size=k))
    node_weights = (draw(st.floats(0.1, 10)), draw(st.floats(0.1, 10)))
    matrix = np.array(draw(st.lists(st.lists(values, min_size=k, max_size=k), min_size=n, max_size=n)))
    holes = np.array(draw(st.lists(st.lists(st.booleans(), min_size=k, max_size=k), min_size=n, max_size=n)))
    matrix[holes & (np.arange(n)[:, None] > 0)] = np.nan  # keep the first row complete
    return quantity_grid(k, weights, node_weights), matrix


def dataset(matrix: np.ndarray, unit: str = "hour", factor: float = 1.0, order: np.ndarray | None = None) -> Dataset:
    n, k = matrix.shape
    order = np.arange(n) if order is None else order
    return Dataset(
        organisations=np.array([f"o{i}" for i in range(n)])[order],
        periods=np.array(["2019"] * n),
        columns={f"i{j}": Column(values=matrix[order, j] * factor, unit=unit) for j in range(k)},
    )


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(min_value=0, max_value=5), st.floats(min_value=0.5, max_value=1e4))
def test_improving_an_indicator_never_lowers_an_ancestor(scenario, which, step):
    grid, matrix = scenario
    j = which % matrix.shape[1]
    before = vises.score(grid, dataset(matrix))
    better = matrix.copy()
    sign = -1.0 if grid.indicators[j].direction.value == "lower" else 1.0
    better[0, j] += sign * step
    after = vises.score(grid, dataset(better))
    code = f"i{j}"
    while code is not None:
        assert after.score(code)[0] >= before.score(code)[0] - 1e-9
        code = after.parent(code)


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_the_same_data_in_another_unit_gives_the_same_scores(scenario):
    grid, matrix = scenario
    in_hours = vises.score(grid, dataset(matrix))
    in_minutes = vises.score(grid, dataset(matrix, unit="min", factor=60.0))
    np.testing.assert_allclose(in_minutes.scores, in_hours.scores, rtol=1e-9, atol=1e-7, equal_nan=True)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_permuting_organisations_permutes_results(scenario, rnd):
    grid, matrix = scenario
    order = np.arange(matrix.shape[0])
    rnd.shuffle(order)
    base = vises.score(grid, dataset(matrix))
    shuffled = vises.score(grid, dataset(matrix, order=order))
    np.testing.assert_allclose(shuffled.scores, base.scores[order], rtol=1e-12, atol=1e-9, equal_nan=True)
    # Ranks tie only exactly equal scores (as COINr). A weighted sum's last bits may depend on where
    # its row sits (BLAS kernels treat the rows past their unrolled blocks apart), so two scores that
    # tie exactly in one order can be a rounding step apart in the other: rows that are within a
    # rounding distance of another row in either scoring, without being equal in both, are left out.
    a, b = base.score("r")[order], shuffled.score("r")
    gap_a, gap_b = np.abs(a[:, None] - a[None, :]), np.abs(b[:, None] - b[None, :])
    unstable = ((gap_a < 1e-6) | (gap_b < 1e-6)) & ~((gap_a == 0) & (gap_b == 0))
    clear = ~unstable.any(axis=1)
    np.testing.assert_array_equal(shuffled.ranks("r")[clear], base.ranks("r")[order][clear])


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.floats(min_value=0.01, max_value=100))
def test_scaling_a_nodes_weights_changes_nothing(scenario, constant):
    grid, matrix = scenario
    scaled = attrs.evolve(
        grid,
        indicators=tuple(
            attrs.evolve(ind, weight=ind.weight * constant) if ind.parent == "a" else ind for ind in grid.indicators
        ),
    )
    np.testing.assert_allclose(
        vises.score(scaled, dataset(matrix)).scores,
        vises.score(grid, dataset(matrix)).scores,
        rtol=1e-9,
        atol=1e-7,
        equal_nan=True,
    )


def test_a_new_organisation_scored_against_reference_parameters():
    network = vises.score(small_grid(), small_data())
    newcomer = Dataset(
        organisations=np.array(["z"]),
        periods=np.array(["2019"]),
        columns={
            "hours": Column(values=np.array([2.0]), unit="hour"),
            "dropout": Column(values=np.array([25.0]), unit="percent"),
            "practice": Column(values=np.array(["4"], dtype=object)),
            "turnover": Column(values=np.array([2.5]), unit="kEUR"),
            "story": Column(values=np.array([None], dtype=object)),
        },
    )
    alone = vises.score(small_grid(), newcomer, reference=network)
    # hours: min 60 h, max 180 h in the network; 2 h lies below the network's minimum.
    assert alone.score("hours")[0] == pytest.approx((2 - 60) / 120 * 100)
    assert alone.score("dropout")[0] == pytest.approx((30 - 25) / 20 * 100)  # lower is better: (max - x)/(max - min)
    assert alone.score("turnover")[0] == pytest.approx(50.0)
    assert alone.fitted["hours"] == network.fitted["hours"]
    with pytest.raises(vises.errors.ConfigError, match="other methods"):
        other = attrs.evolve(small_grid(), defaults=Defaults(normaliser=Method(name="zscore")))
        vises.score(other, newcomer, reference=network)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["2017", "2018", "9", "10", "2019-02", "2019-10", "09", "x", "é"]), max_size=40),
    st.integers(min_value=1, max_value=8),
)
def test_period_index_gives_the_natural_order_and_each_rows_position(labels, few):
    # Periods were ordered as text (np.unique), so 10 came before 9: now numbers, then dates, then text.
    from vises.model.periods import period_index, period_key

    array = np.array(labels, dtype=str)
    values, codes = period_index(array, few=few)
    expected = sorted(set(labels), key=period_key)
    assert values.tolist() == expected
    assert [expected[c] for c in codes.tolist()] == labels


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(-50, 3000).map(str), st.dates().map(str), st.text(max_size=6)), max_size=20))
def test_the_natural_period_order_is_total_and_groups_numbers_dates_text(labels):
    from vises.model.periods import DATE, NUMBER, TEXT, natural_order, period_key

    ordered = natural_order(labels)
    assert ordered == natural_order(list(reversed(labels)))  # independent of the input order
    groups = [period_key(label)[0] for label in ordered]
    assert groups == sorted(groups)
    numbers = [float(label) for label in ordered if period_key(label)[0] == NUMBER]
    assert numbers == sorted(numbers)
    dates = [label for label in ordered if period_key(label)[0] == DATE and len(label) == 10]
    assert dates == sorted(dates)  # ISO dates: their text order is their time order
    assert all(period_key(label)[0] in (NUMBER, DATE, TEXT) for label in ordered)


def test_organisation_names_prefer_portraits_then_the_latest_name():
    from vises.model import Organisation

    data = attrs.evolve(
        small_data(),
        attributes={"name": np.array(["Old A", "B", None, "New A"], dtype=object)},
        organisation_profiles={"b": Organisation(code="b", name="Bee (portrait)")},
    )
    names = vises.score(small_grid(), data).organisation_names()
    assert names == {"a": "New A", "b": "Bee (portrait)"}
