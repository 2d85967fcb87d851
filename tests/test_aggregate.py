"""Every built-in aggregator against hand-computed values, with missing children, zero weights and errors."""

from __future__ import annotations

import numpy as np
import pytest

from vises.errors import MethodError
from vises.methods.aggregate import AGGREGATORS, COPELAND_MAX_GROUP, check_params
from vises.methods.hooks import vises_register_aggregators

NAN = np.nan


def agg(
    name: str,
    scores: list[list[float]],
    weights: list[float],
    params: dict | None = None,
    groups: list[int] | None = None,
) -> np.ndarray:
    spec = AGGREGATORS[name]
    return spec.aggregate(
        np.array(scores, dtype=float),
        np.array(weights, dtype=float),
        params=params or {},
        groups=None if groups is None else np.array(groups),
    )


def same(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, np.array(expected, dtype=float), rtol=1e-12, atol=1e-12, equal_nan=True)


def test_registry() -> None:
    assert [spec.name for spec in vises_register_aggregators()] == list(AGGREGATORS)
    assert set(AGGREGATORS) == {"arithmetic", "geometric", "harmonic", "power_mean", "median", "minimum", "copeland"}
    assert AGGREGATORS["arithmetic"].additive
    assert AGGREGATORS["geometric"].requires_positive and AGGREGATORS["harmonic"].requires_positive
    assert AGGREGATORS["copeland"].across_rows
    assert all(spec.monotone for spec in AGGREGATORS.values())


def test_arithmetic_renormalises_over_present_children() -> None:
    scores = [[10, 20, 40], [10, NAN, 40], [NAN, NAN, NAN], [NAN, 20, NAN]]
    # weights 1, 1, 2: (10 + 20 + 80)/4; (10 + 80)/3; missing; 20
    same(agg("arithmetic", scores, [1, 1, 2]), [27.5, 30, NAN, 20])


def test_zero_weight_excludes_a_child_and_all_zero_present_weight_is_missing() -> None:
    scores = [[10, 20, 1000], [NAN, NAN, 5]]
    same(agg("arithmetic", scores, [1, 3, 0]), [17.5, NAN])
    same(agg("minimum", scores, [1, 3, 0]), [10, NAN])
    same(agg("median", scores, [1, 3, 0]), [20, NAN])
    # a zero-weight child at 0 does not trip the positivity check
    same(agg("geometric", [[4, 1, 0]], [1, 1, 0]), [2])


def test_geometric() -> None:
    # (4^1 · 9^1)^(1/2) = 6; (1 · 8^2)^(1/3) = 4
    same(agg("geometric", [[4, 9], [NAN, 9]], [1, 1]), [6, 9])
    same(agg("geometric", [[1, 8, 8]], [1, 1, 1]), [4])
    same(agg("geometric", [[1, 8]], [1, 2]), [4])


def test_harmonic() -> None:
    # 2 / (1/2 + 1/6) = 3 ; weights 1, 3: 4 / (1/1 + 3/3) = 2
    same(agg("harmonic", [[2, 6], [1, 3]], [1, 1]), [3, 1.5])
    same(agg("harmonic", [[1, 3]], [1, 3]), [2])


@pytest.mark.parametrize("name", ["geometric", "harmonic"])
def test_requires_positive_raises_naming_the_aggregator(name: str) -> None:
    with pytest.raises(MethodError, match=f"aggregator '{name}' met 1 score") as info:
        agg(name, [[1, 2], [0, 3]], [1, 1])
    assert "row 2 child 1 = 0" in str(info.value)
    with pytest.raises(MethodError, match="<= 0"):
        agg(name, [[-1, 2]], [1, 1])


def test_power_mean() -> None:
    # p = 2: sqrt((3² + 4²·... )) — quadratic mean of 3 and 4 with equal weights: sqrt(12.5)
    same(agg("power_mean", [[3, 4]], [1, 1], {"p": 2}), [np.sqrt(12.5)])
    # p = 1 is the arithmetic mean, p = -1 the harmonic mean
    same(agg("power_mean", [[10, 20, 40]], [1, 1, 2], {"p": 1}), [27.5])
    same(agg("power_mean", [[2, 6]], [1, 1], {"p": -1}), [3])
    # p > 0 accepts zeros: (0 + 4²)/2 = 8, sqrt = 2·sqrt(2)
    same(agg("power_mean", [[0, 4], [0, 0], [NAN, NAN]], [1, 1], {"p": 2}), [np.sqrt(8), 0, NAN])
    # large p does not overflow: tends to the max
    assert agg("power_mean", [[50, 100]], [1, 1], {"p": 400})[0] == pytest.approx(100 * 0.5 ** (1 / 400))


def test_power_mean_domain_errors() -> None:
    with pytest.raises(MethodError, match="p = -2 needs every score > 0"):
        agg("power_mean", [[0, 1]], [1, 1], {"p": -2})
    with pytest.raises(MethodError, match="p = 3 needs every score >= 0"):
        agg("power_mean", [[-1, 1]], [1, 1], {"p": 3})


def test_power_mean_parameters() -> None:
    with pytest.raises(MethodError, match="'p' is required"):
        agg("power_mean", [[1, 2]], [1, 1])
    with pytest.raises(MethodError, match="must not be 0") as info:
        agg("power_mean", [[1, 2]], [1, 1], {"p": 0})
    assert info.value.path == "params.p"


def test_weighted_median() -> None:
    # sorted 10(w1) 20(w1) 40(w2): cumulative 1/4, 2/4 -> 20
    same(agg("median", [[40, 10, 20]], [2, 1, 1]), [20])
    # weights 1, 1, 3: cumulative 1/5, 2/5, 5/5 -> 40
    same(agg("median", [[40, 10, 20]], [3, 1, 1]), [40])
    # even count, equal weights: the lower middle value
    same(agg("median", [[4, 1, 3, 2]], [1, 1, 1, 1]), [2])
    # missing children are skipped
    same(agg("median", [[NAN, 1, 3, 2], [NAN, NAN, NAN, NAN]], [1, 1, 1, 1]), [2, NAN])
    # 0.1 + 0.2 + 0.2 reaches half of 1.0 despite rounding
    same(agg("median", [[1, 2, 3, 4]], [0.1, 0.2, 0.2, 0.5]), [3])


def test_minimum_ignores_weights_except_zero() -> None:
    same(agg("minimum", [[30, 10, 20], [NAN, 50, 20]], [1, 100, 1]), [10, 20])


def test_copeland_hand_example() -> None:
    scores = [
        [10, 10, 10],  # a
        [20, 5, 5],  # b
        [5, 20, 20],  # c
    ]
    w = [2, 1, 1]
    # a vs b: a wins on 2 and 3 (weight 2), b on 1 (weight 2): tie
    # a vs c: a wins on 1 (2), c on 2 and 3 (2): tie
    # b vs c: b wins on 1 (2), c on 2 and 3 (2): tie
    same(agg("copeland", scores, w), [0, 0, 0])
    # weights 3, 1, 1: b beats a and c; a vs c: a wins on 1 (3) vs 2 -> a beats c
    same(agg("copeland", scores, [3, 1, 1]), [0, 2, -2])


def test_copeland_groups_missing_children_and_missing_rows() -> None:
    scores = [
        [1, NAN],  # group 0
        [2, 1],  # group 0
        [3, 0],  # group 0
        [NAN, NAN],  # group 0, no score
        [5, 5],  # group 1
        [1, 9],  # group 1
    ]
    # group 0: r0 vs r1 on child 1 only: r1 wins; r0 vs r2: r2 wins; r1 vs r2: tie (1 each)
    # group 1: r4 vs r5: one child each, tie
    same(agg("copeland", scores, [1, 1], groups=[0, 0, 0, 0, 1, 1]), [-2, 1, 1, NAN, 0, 0])
    # without groups every row is compared with every other
    same(agg("copeland", [[1], [2], [3]], [1]), [-2, 0, 2])


def test_copeland_refuses_huge_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    import vises.methods.aggregate as module

    monkeypatch.setattr(module, "COPELAND_MAX_GROUP", 3)
    with pytest.raises(MethodError, match="limited to 3"):
        agg("copeland", [[1], [2], [3], [4]], [1])
    assert COPELAND_MAX_GROUP >= 10_000


def test_copeland_float_weights_do_not_break_ties() -> None:
    # 0.1 + 0.2 vs 0.3 is a tie, not a win by one ulp
    same(agg("copeland", [[1, 1, 0], [0, 0, 1]], [0.1, 0.2, 0.3]), [0, 0])


@pytest.mark.parametrize("name", sorted(AGGREGATORS))
def test_no_children_and_all_missing_give_nan(name: str) -> None:
    params = {"p": 2} if name == "power_mean" else {}
    empty = AGGREGATORS[name].aggregate(np.empty((3, 0)), np.empty(0), params=params, groups=None)
    same(empty, [NAN, NAN, NAN])
    same(agg(name, [[NAN, NAN]], [1, 1], params), [NAN])


@pytest.mark.parametrize("name", sorted(AGGREGATORS))
def test_bad_weights_and_unknown_parameters(name: str) -> None:
    params = {"p": 2} if name == "power_mean" else {}
    with pytest.raises(MethodError, match="weights must be finite and >= 0"):
        agg(name, [[1, 2]], [1, -1], params)
    with pytest.raises(MethodError, match="shape"):
        agg(name, [[1, 2]], [1], params)
    with pytest.raises(MethodError, match="unknown parameter 'q'"):
        agg(name, [[1, 2]], [1, 1], {**params, "q": 1})


def test_check_params() -> None:
    assert check_params("arithmetic", None) == {}
    assert check_params("power_mean", {"p": 3}) == {"p": 3.0}
    with pytest.raises(MethodError, match="unknown aggregator 'mean'"):
        check_params("mean", {})


def test_fortran_ordered_block_is_read_without_surprises() -> None:
    matrix = np.asfortranarray(np.array([[1.0, 2.0, 3.0, 100.0], [4.0, NAN, 6.0, 100.0]]))
    block = matrix[:, 0:3]
    same(AGGREGATORS["arithmetic"].aggregate(block, np.array([1.0, 1.0, 1.0]), params={}, groups=None), [2, 5])
