"""vises.numeric.rank's packed sort (one integer sort of group, leading key bits and position) gives
exactly the ranks of the two stable float argsorts it replaces, including where keys differ only in
the bits it leaves out (those runs are sorted again by their full keys)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vises import numeric
from vises.numeric import rank

# Values that tie, differ by one ulp, carry signed zeros, infinities and NaN of both signs.
_EDGE = [0.0, -0.0, 1.0, np.nextafter(1.0, 2.0), -1.0, math.inf, -math.inf, math.nan, -math.nan, 1e-300, 5e-324]


def _argsort_ranks(values: np.ndarray, groups: np.ndarray | None, **options: object) -> np.ndarray:
    saved = numeric._PACKED_ROWS
    numeric._PACKED_ROWS = 10**12  # never packed: the stable argsorts
    try:
        return rank(values, groups, **options)  # type: ignore[arg-type]
    finally:
        numeric._PACKED_ROWS = saved


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_EDGE), st.floats(-1e6, 1e6), st.integers(-3, 3).map(float)), min_size=1),
    st.integers(0, 6),
    st.sampled_from(["min", "average"]),
    st.booleans(),
    st.sampled_from([None, 0.0, 0.5]),
    st.randoms(use_true_random=False),
)
def test_packed_order_gives_the_argsort_ranks(
    values: list[float], groups: int, ties: str, descending: bool, tolerance: float | None, random: object
) -> None:
    x = np.array(values)
    labels = None if groups == 0 else np.array([random.randrange(groups) for _ in values])  # type: ignore[attr-defined]
    options = {"ties": ties, "descending": descending, "tolerance": tolerance}
    expected = _argsort_ranks(x, labels, **options)
    saved = numeric._PACKED_ROWS
    numeric._PACKED_ROWS = 1
    try:
        got = rank(x, labels, **options)  # type: ignore[arg-type]
    finally:
        numeric._PACKED_ROWS = saved
    np.testing.assert_array_equal(got, expected)


@pytest.fixture
def packed_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each call of ``rank`` took the packed sort (``_packed_order`` watched)."""
    calls: list[bool] = []
    packed = numeric._packed_order

    def watched(key: np.ndarray, codes: np.ndarray | None) -> np.ndarray | None:
        out = packed(key, codes)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(numeric, "_packed_order", watched)
    return calls


def test_keys_differing_below_the_packed_bits_are_sorted_again_in_full(packed_calls: list[bool]) -> None:
    n = 5000  # 13 bits of position and 2 of group: the packed key keeps 49 of the float's 64 bits
    rng = np.random.default_rng(4)
    base = 1.0 + rng.integers(0, 4, n) * 2.0**-20
    x = base + rng.integers(0, 3, n) * np.spacing(1.0)  # apart by an ulp or two: below the kept bits
    groups = rng.integers(0, 3, n)
    got = rank(x, groups)
    assert packed_calls[0]  # packed, its runs of keys one or two ulps apart sorted again
    np.testing.assert_array_equal(got, _argsort_ranks(x, groups))


def test_a_large_column_takes_the_packed_sort_and_matches(packed_calls: list[bool]) -> None:
    rng = np.random.default_rng(5)
    n = 50_000
    x = rng.gamma(2.0, 50.0, n).round(2)
    x[rng.random(n) < 0.05] = np.nan
    periods = np.arange(n) % 3
    np.testing.assert_array_equal(rank(x, periods), _argsort_ranks(x, periods))
    assert packed_calls == [True, False]  # packed, then the reference's argsorts
