"""vises.numeric: the one rank function, Spearman (pair and matrix), skewness and kurtosis."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from vises import numeric
from vises.numeric import kurtosis, rank, skewness, spearman, spearman_matrix


def brute_rank(values: list[float], *, ties: str, descending: bool) -> list[float]:
    """R's rank(-x or x, ties.method = ...) written out: count the values strictly better, and tied."""
    out = []
    for v in values:
        if math.isnan(v):
            out.append(math.nan)
            continue
        others = [w for w in values if not math.isnan(w)]
        better = sum(1 for w in others if (w > v if descending else w < v))
        tied = sum(1 for w in others if w == v)
        out.append(better + 1 if ties == "min" else better + (tied + 1) / 2)
    return out


def test_exactly_equal_values_tie_and_one_ulp_apart_do_not() -> None:
    one, next_up = 1.0, np.nextafter(1.0, 2.0)
    assert rank(np.array([one, one, next_up])).tolist() == [2.0, 2.0, 1.0]
    assert rank(np.array([one, next_up]), tolerance=1e-12).tolist() == [1.0, 1.0]
    # Ties chain under a tolerance: 1, 1 + t, 1 + 2t share a rank; the next value apart does not.
    t = 1e-6
    assert rank(np.array([1.0, 1.0 + t, 1.0 + 2 * t, 2.0]), tolerance=1.5 * t).tolist() == [2.0, 2.0, 2.0, 1.0]


def test_ranks_within_groups_missing_and_columns() -> None:
    values = np.array([[3.0, 1.0], [3.0, 2.0], [np.nan, 3.0], [1.0, 0.0], [5.0, 5.0]])
    groups = np.array(["a", "a", "a", "a", "b"])
    got = rank(values, groups)
    np.testing.assert_array_equal(got[:, 0], [1, 1, np.nan, 3, 1])
    np.testing.assert_array_equal(got[:, 1], [3, 2, 1, 4, 1])
    assert rank(np.array([10.0, 20.0, 20.0, 30.0]), ties="average", descending=False).tolist() == [1, 2.5, 2.5, 4]
    with pytest.raises(ValueError, match="tolerance"):
        rank(np.array([1.0]), tolerance=-1.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.integers(-3, 3).map(float), st.just(math.nan)), min_size=1, max_size=25),
    st.sampled_from(["min", "average"]),
    st.booleans(),
)
def test_rank_matches_r_written_out(values: list[float], ties: str, descending: bool) -> None:
    got = rank(np.array(values), ties=ties, descending=descending)  # type: ignore[arg-type]
    np.testing.assert_array_equal(got, brute_rank(values, ties=ties, descending=descending))


def test_spearman_against_hand_computed_values() -> None:
    assert spearman([1, 2, 3, 4, 5], [1, 4, 2, 3, 5]) == pytest.approx(0.7)
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / math.sqrt(95))
    # Values 1e-12 apart are distinct, as in R: the old 9-decimal rule tied them.
    assert spearman([1.0, 2.0, 3.0], [5.0, 5.0 + 1e-12, 6.0]) == pytest.approx(1.0)
    assert math.isnan(spearman([1, 2, 3], [5, 5, 5]))


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(2, 30), st.integers(1, 6)),
        elements=st.one_of(st.integers(0, 4).map(float), st.just(math.nan)),
    )
)
def test_spearman_matrix_equals_the_pairwise_definition(block: np.ndarray) -> None:
    r, pairs = spearman_matrix(block)
    k = block.shape[1]
    for i, j in itertools.product(range(k), repeat=2):
        both = ~(np.isnan(block[:, i]) | np.isnan(block[:, j]))
        assert pairs[i, j] == both.sum()
        expected = spearman(block[:, i], block[:, j])
        if math.isnan(expected):
            assert math.isnan(r[i, j])
        else:
            assert r[i, j] == pytest.approx(expected, abs=1e-12)


def test_spearman_matrix_sorts_each_column_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sorted_shapes = []
    original = np.argsort

    def counted(a: np.ndarray, *args: object, **kwargs: object) -> np.ndarray:
        sorted_shapes.append(np.shape(a))
        return original(a, *args, **kwargs)  # type: ignore[call-overload]

    rng = np.random.default_rng(0)
    block = rng.normal(size=(500, 12))
    block[rng.random(block.shape) < 0.1] = np.nan  # every column has its own gaps
    monkeypatch.setattr(numeric.np, "argsort", counted)
    spearman_matrix(block)
    assert len(sorted_shapes) == 12 and all(len(shape) == 1 for shape in sorted_shapes), "one sort per column"


def test_moments_are_coinr_s() -> None:
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100], dtype=float)
    n, d = x.size, x - x.mean()
    m2, m3, m4 = (d**2).mean(), (d**3).mean(), (d**4).mean()
    assert skewness(x) == pytest.approx(m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2), rel=1e-12)
    assert kurtosis(x) == pytest.approx(((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)), rel=1e-12)
    assert math.isnan(skewness(np.ones(4))) and math.isnan(kurtosis(np.ones(3)))


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.0, 1.0, 2.5, math.nan, -3.0]), min_size=1, max_size=40),
    seed=st.integers(0, 2**16),
    offset=st.sampled_from([0, -5, 10**12, 70_000]),
)
def test_ranks_within_integer_groups_equal_those_within_the_same_groups_as_text(
    values: list[float], seed: int, offset: int
) -> None:
    # Integer labels take a shortcut (no factorising sort, narrow codes); text labels do not.
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, 4, len(values)) * (1 if offset != 70_000 else 70_000) + offset
    for ties in ("min", "average"):
        np.testing.assert_array_equal(
            rank(np.array(values), groups, ties=ties), rank(np.array(values), groups.astype(str), ties=ties)
        )


@example(values=np.array([-0.0, -0.0, 0.0, -0.0, -0.0]), percents=[67.0])  # zeros of both signs
@settings(max_examples=300, deadline=None)
@given(
    values=hnp.arrays(
        np.float64,
        st.integers(1, 60),
        elements=st.floats(-1e12, 1e12, allow_nan=False) | st.sampled_from([0.0, 1.0, 0.1, 1e-300]),
    ),
    percents=st.lists(st.floats(0, 100) | st.sampled_from([0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 100.0]), min_size=1),
)
def test_percentiles_are_numpy_bit_for_bit(values: np.ndarray, percents: list[float]) -> None:
    ours = numeric.percentiles(values, percents)
    theirs = np.asarray(np.percentile(values, percents), dtype=np.float64)
    # Bit for bit once zeros are signless: -0.0 and 0.0 are equal, and numpy's partition may put
    # either where a sort puts the other (adding 0.0 makes -0.0 plain 0.0 and changes nothing else).
    assert (ours + 0.0).tobytes() == (theirs + 0.0).tobytes()


def test_percentiles_of_nothing_are_missing() -> None:
    assert np.isnan(numeric.percentiles(np.array([]), [25, 50])).all()


@given(values=hnp.arrays(np.int64, st.integers(0, 9000), elements=st.integers(-50, 50)))
@settings(max_examples=40, deadline=None)
def test_sorted_distinct_is_np_unique(values: np.ndarray) -> None:
    assert numeric.sorted_distinct(values).tolist() == np.unique(values).tolist()


def test_sorted_distinct_of_texts_and_small_files_leaves_numpy_ma_alone() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from vises.numeric import percentiles, sorted_distinct\n"
        "assert sorted_distinct(np.array(['b', 'a', 'b'], dtype=object)).tolist() == ['a', 'b']\n"
        "assert percentiles(np.array([1.0, 2.0, 3.0]), [50]).tolist() == [2.0]\n"
        "print('numpy.ma' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
