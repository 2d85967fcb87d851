"""Properties every built-in method must keep, checked by hypothesis on random columns and matrices."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vises.contract.records import FitContext
from vises.methods.aggregate import AGGREGATORS
from vises.methods.normalise import NORMALISERS
from vises.model import Direction, Indicator, Kind, Level

PROPERTY = settings(max_examples=200, deadline=None)

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.01, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def columns(draw: st.DrawFn, elements: st.SearchStrategy[float] = finite, min_size: int = 1) -> np.ndarray:
    values = np.array(draw(st.lists(elements, min_size=min_size, max_size=25)), dtype=float)
    missing = np.array(draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values))))
    missing[0] = False  # at least one value present, so data-dependent fits have something to fit
    values[missing] = np.nan
    return values


def context(indicator: Indicator, n: int) -> FitContext:
    return FitContext(
        indicator=indicator, organisations=np.array([f"o{i}" for i in range(n)]), periods=np.array(["2024"] * n)
    )


@st.composite
def normalisation_cases(draw: st.DrawFn) -> tuple[str, dict, Indicator, np.ndarray, int]:
    """A normaliser with valid parameters, an indicator it accepts, a column and a direction."""
    name = draw(st.sampled_from(sorted(NORMALISERS)))
    direction = draw(st.sampled_from([1, -1]))
    indicator = Indicator(code="x", direction=Direction.HIGHER if direction == 1 else Direction.LOWER)
    elements: st.SearchStrategy[float] = finite
    params: dict = {}
    if name in ("minmax", "distance_to_max", "goalposts", "target", "scale", "binary"):
        low = draw(st.integers(-50, 50))
        params = {"low": low, "high": low + draw(st.integers(1, 100))}
    if name in ("goalposts", "scaled"):
        lower = draw(st.integers(-100, 100))
        params |= {"lower": lower, "upper": lower + draw(st.integers(1, 200))}
    if name == "target":
        if draw(st.booleans()):
            indicator = Indicator(code="x", direction=Direction.TARGET, minimum=-1e4, maximum=1e4)
            direction = 1
            params |= {"target": draw(finite)}
        else:
            params |= {"target": draw(positive)}
    if name == "zscore":
        params = {"mean": draw(st.integers(-10, 10)), "sd": draw(st.integers(1, 20))}
    if name == "fraction_of_max":
        elements = positive
    if name in ("scale", "category"):
        count = draw(st.integers(1, 6))
        kind = Kind.SCALE if name == "scale" else Kind.CATEGORY
        scores = sorted(draw(st.lists(st.integers(0, 100), min_size=count, max_size=count, unique=True)))
        levels = tuple(Level(value=str(s), score=float(s)) for s in scores)
        indicator = Indicator(code="x", kind=kind, levels=levels, direction=indicator.direction)
        elements = st.sampled_from([float(s) for s in scores])
    if name == "binary":
        indicator = Indicator(code="x", kind=Kind.BINARY, direction=indicator.direction)
        elements = st.sampled_from([0.0, 1.0])
    if name == "distance_to_reference":
        params = {"organisation": "o0"}
        elements = positive
    return name, params, indicator, draw(columns(elements)), direction


@PROPERTY
@given(normalisation_cases())
def test_normalised_scores_stay_within_output_range(case: tuple[str, dict, Indicator, np.ndarray, int]) -> None:
    name, params, indicator, values, direction = case
    spec = NORMALISERS[name]
    fitted = spec.fit(values, direction=direction, params=params, context=context(indicator, len(values)))
    scores = spec.apply(values, fitted)
    assert np.array_equal(np.isnan(scores), np.isnan(values)), "NaN must stay NaN and only NaN"
    low, high = spec.output_range(params)
    if name == "category":
        low, high = indicator.score_bounds()  # type: ignore[misc]
    present = scores[~np.isnan(scores)]
    slack = 1e-9 * max(1.0, float(np.abs(present).max()))
    if low is not None:
        assert (present >= low - slack).all()
    if high is not None:
        assert (present <= high + slack).all()


@PROPERTY
@given(normalisation_cases())
def test_after_normalising_higher_is_always_better(case: tuple[str, dict, Indicator, np.ndarray, int]) -> None:
    name, params, indicator, values, direction = case
    spec = NORMALISERS[name]
    fitted = spec.fit(values, direction=direction, params=params, context=context(indicator, len(values)))
    scores = spec.apply(values, fitted)
    present = ~np.isnan(values)
    raw, out = values[present], scores[present]
    order = np.argsort(raw, kind="stable")
    raw, out = raw[order], out[order]
    slack = 1e-9 * max(1.0, float(np.abs(out).max()))
    if indicator.direction is Direction.TARGET:
        target = params["target"]
        below, above = raw <= target, raw >= target
        assert (np.diff(out[below]) >= -slack).all() and (np.diff(out[above]) <= slack).all()
    elif direction == 1:
        assert (np.diff(out) >= -slack).all()
    else:
        assert (np.diff(out) <= slack).all()


# --- aggregators ---------------------------------------------------------------------------------


@st.composite
def aggregation_cases(
    draw: st.DrawFn, names: list[str] | None = None
) -> tuple[str, dict, np.ndarray, np.ndarray, np.ndarray]:
    """An aggregator, valid parameters, an (n, k) matrix with gaps, weights (some zero) and groups."""
    name = draw(st.sampled_from(names or sorted(AGGREGATORS)))
    params = {"p": draw(st.sampled_from([-3.0, -1.0, -0.5, 0.5, 2.0, 5.0]))} if name == "power_mean" else {}
    n, k = draw(st.integers(1, 12)), draw(st.integers(1, 6))
    needs_positive = name in ("geometric", "harmonic", "power_mean")
    elements = st.floats(min_value=0.5, max_value=100) if needs_positive else st.floats(min_value=-100, max_value=100)
    scores = np.array(draw(st.lists(elements, min_size=n * k, max_size=n * k)), dtype=float).reshape(n, k)
    scores[np.array(draw(st.lists(st.booleans(), min_size=n * k, max_size=n * k))).reshape(n, k)] = np.nan
    weights = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5]), min_size=k, max_size=k)))
    groups = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    return name, params, scores, weights, groups


def run(name: str, scores: np.ndarray, weights: np.ndarray, params: dict, groups: np.ndarray) -> np.ndarray:
    return AGGREGATORS[name].aggregate(scores, weights, params=params, groups=groups)


@PROPERTY
@given(aggregation_cases(), st.data())
def test_monotone_aggregators_never_decrease_when_a_child_increases(case: tuple, data: st.DataObject) -> None:
    name, params, scores, weights, groups = case
    assert AGGREGATORS[name].monotone
    present = np.argwhere(~np.isnan(scores))
    assume(len(present))
    i, j = present[data.draw(st.integers(0, len(present) - 1))]
    before = run(name, scores, weights, params, groups)
    better = scores.copy()
    better[i, j] += data.draw(st.floats(min_value=0.01, max_value=50))
    after = run(name, better, weights, params, groups)
    if np.isnan(before[i]):
        assert np.isnan(after[i])
    else:
        assert after[i] >= before[i] - 1e-9 * max(1.0, abs(before[i]))


@PROPERTY
@given(aggregation_cases(), st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_all_weights_changes_nothing(case: tuple, factor: float) -> None:
    name, params, scores, weights, groups = case
    np.testing.assert_allclose(
        run(name, scores, weights * factor, params, groups),
        run(name, scores, weights, params, groups),
        rtol=1e-9,
        atol=1e-9,
        equal_nan=True,
    )


@PROPERTY
@given(aggregation_cases(), st.randoms(use_true_random=False))
def test_permuting_rows_permutes_results(case: tuple, rng: object) -> None:
    name, params, scores, weights, groups = case
    order = list(range(len(scores)))
    rng.shuffle(order)  # type: ignore[attr-defined]
    order_array = np.array(order)
    expected = run(name, scores, weights, params, groups)[order_array]
    actual = run(name, scores[order_array], weights, params, groups[order_array])
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


@PROPERTY
@given(aggregation_cases(names=["arithmetic", "geometric", "harmonic", "power_mean", "median", "minimum"]))
def test_means_lie_between_the_smallest_and_largest_present_child(case: tuple) -> None:
    name, params, scores, weights, groups = case
    result = run(name, scores, weights, params, groups)
    taking_part = np.where(~np.isnan(scores) & (weights > 0), scores, np.nan)
    has = ~np.isnan(taking_part).all(axis=1)
    assert np.array_equal(~np.isnan(result), has)
    lo = np.nanmin(taking_part[has], axis=1) if has.any() else np.empty(0)
    hi = np.nanmax(taking_part[has], axis=1) if has.any() else np.empty(0)
    slack = 1e-9 * np.maximum(1.0, np.abs(hi))
    assert (result[has] >= lo - slack).all() and (result[has] <= hi + slack).all()
