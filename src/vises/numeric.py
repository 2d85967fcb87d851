"""Small numeric kernels shared by the layers above: whole-column numpy, no Python loop per value.

- ``safe_divide``: a division that never gives ±inf and says why a ratio is missing.
- ``rank``: the one rank function of vises (results, analysis, sensitivity). Ties follow R's
  ``rank`` as COINr uses it: exactly equal values tie, values one ulp apart do not, unless a
  ``tolerance`` is given.
- ``spearman`` / ``spearman_matrix``: rank correlations over pairwise complete rows, as R's
  ``cor(method = "spearman", use = "pairwise.complete.obs")``; the matrix sorts each column once.
- ``pearson_matrix``: Pearson correlations of every column pair over their pairwise complete rows
  (analysis tables and the report's heat map).
- ``skewness`` / ``kurtosis``: the sample statistics COINr's ``skew``/``kurt`` use.
- ``machine_text`` / ``machine_text_arrow``: the one machine-number formatter (CSV report, CSV
  data files): the shortest text that reads back to the same float, spelt as Python's ``repr``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np

Ties = Literal["min", "average"]


def safe_divide(
    numerator: np.ndarray, denominator: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``numerator / denominator · factor``; rows with a denominator ≤ 0 are NaN, never ±inf.

    Returns the ratios and two masks for the reasons: a denominator ≤ 0, and a denominator missing
    where the numerator is present.
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        not_positive = den <= 0
    den_missing = np.isnan(den) & ~np.isnan(num)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / np.where(not_positive, np.nan, den)
    if factor != 1.0:
        out *= factor
    return out, not_positive & ~np.isnan(num), den_missing


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an array, as ``np.unique(values)``.

    ``np.unique`` without ``return_*`` consults ``numpy.ma``, whose import (about 30 ms) would be
    most of the work on a small file; asking for counts takes the sort path, which never does.
    Large arrays keep numpy's hash path, far faster there, and pay the import once.
    """
    values = np.asarray(values)
    if values.size > 4096:
        found: np.ndarray = np.unique(values)
        return found
    first: np.ndarray = np.unique(values, return_counts=True)[0]
    return first


def percentiles(values: np.ndarray, percents: Sequence[float]) -> np.ndarray:
    """``np.percentile(values, percents)`` of NaN-free 1-D data, bit for bit (numpy's "linear" method)
    but for the sign of a zero: numpy's partition may leave -0.0 where the sort has 0.0, equal values.

    numpy's own percentile imports ``numpy.ma`` on its first call (through ``np.unique``), about
    10 ms that a report of 30 rows would otherwise pay; the arithmetic below is numpy's, step for step.
    """
    ordered = np.sort(np.asarray(values, dtype=np.float64).reshape(-1))
    n = ordered.size
    if n == 0:
        return np.full(len(percents), np.nan)
    virtual = (n - 1) * (np.asarray(percents, dtype=np.float64) / 100)
    previous = np.floor(virtual)
    following = previous + 1
    last = virtual >= n - 1
    previous[last] = -1
    following[last] = -1
    gamma = virtual - previous
    low = ordered[previous.astype(np.intp)]
    high = ordered[following.astype(np.intp)]
    step = high - low
    out: np.ndarray = np.where(gamma >= 0.5, high - step * (1 - gamma), low + step * gamma)
    return out


# -- ranks -----------------------------------------------------------------------------------------
def rank(
    values: np.ndarray | Sequence[float],
    groups: np.ndarray | Sequence[object] | None = None,
    *,
    ties: Ties = "min",
    descending: bool = True,
    tolerance: float | None = None,
) -> np.ndarray:
    """Rank a column (or every column of an (n, r) array) within each group of rows; NaN stays unranked.

    ``descending=True``: 1 = the highest value (a score's rank); ``False``: 1 = the lowest (the
    convention of Spearman's correlation). ``ties="min"`` gives tied values the lowest of the ranks
    they share (R's ``ties.method = "min"``, COINr's ranks); ``"average"`` their mean (Spearman).

    Values tie only when exactly equal, as in R: two scores one ulp apart get different ranks.
    ``tolerance`` (≥ 0) makes sorted neighbours that differ by at most that much share a rank; ties
    chain, so 1.0, 1.0 + t and 1.0 + 2t all tie. The work is two stable sorts over all columns
    and groups at once, so a thousand Monte Carlo runs cost one call.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim not in (1, 2):
        raise ValueError(f"rank expects a 1-D or 2-D array, got {x.ndim} dimensions")
    if ties not in ("min", "average"):
        raise ValueError(f"ties must be 'min' or 'average', got {ties!r}")
    if tolerance is not None and not (tolerance >= 0.0 and math.isfinite(tolerance)):
        raise ValueError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    flat = x.ndim == 1
    block = x[:, None] if flat else x
    n = block.shape[0]
    if n == 0:
        return np.array(x, dtype=np.float64)
    key = -block if descending else block
    codes = None
    if groups is not None:
        labels = np.asarray(groups).reshape(-1)
        if labels.shape[0] != n:
            raise ValueError(f"groups has {labels.shape[0]} entries for {n} rows")
        codes = _group_codes(labels)
    packed = _packed_order(key[:, 0], codes) if flat else None
    if packed is not None:
        return _flat_ranks(key[:, 0], packed, codes, ties=ties, tolerance=tolerance)
    order = np.argsort(key, axis=0, kind="stable")  # NaN sorts last
    if codes is not None:
        by_group = np.argsort(codes[order], axis=0, kind="stable")
        order = np.take_along_axis(order, by_group, axis=0)
    group_sorted = codes[order] if codes is not None else np.zeros(order.shape, dtype=np.intp)
    # One column: plain indexing (take/put along an axis build index grids, ~3x slower).
    ordered = key[order[:, 0]] if flat else np.take_along_axis(key, order, axis=0)
    position = np.broadcast_to(np.arange(n)[:, None], ordered.shape)

    group_start = np.ones(ordered.shape, dtype=bool)
    group_start[1:] = group_sorted[1:] != group_sorted[:-1]
    new = group_start.copy()
    with np.errstate(invalid="ignore"):
        differ = ordered[1:] != ordered[:-1] if tolerance is None else ~(ordered[1:] - ordered[:-1] <= tolerance)
    new[1:] |= differ
    first_of_group = np.maximum.accumulate(np.where(group_start, position, 0), axis=0)
    first_of_block = np.maximum.accumulate(np.where(new, position, 0), axis=0)
    sorted_ranks = (first_of_block - first_of_group + 1).astype(np.float64)
    if ties == "average":
        last = np.ones(ordered.shape, dtype=bool)
        last[:-1] = new[1:]
        last_of_block = np.flip(
            np.minimum.accumulate(np.flip(np.where(last, position, n), axis=0), axis=0),
            axis=0,
        )
        sorted_ranks += (last_of_block - first_of_block) / 2.0
    out = np.empty(block.shape, dtype=np.float64)
    if flat:
        out[order[:, 0], 0] = sorted_ranks[:, 0]
    else:
        np.put_along_axis(out, order, sorted_ranks, axis=0)
    out[np.isnan(block)] = np.nan
    return out[:, 0] if flat else out


def _flat_ranks(
    key: np.ndarray, order: np.ndarray, codes: np.ndarray | None, *, ties: Ties, tolerance: float | None
) -> np.ndarray:
    """``rank`` of one column from its sorted order, worked out per block of tied keys.

    A block's rank is its first position less its group's first position, plus one (``"min"``),
    or the middle of its positions (``"average"``); each row takes its block's rank through its
    block number (a running count of block starts), instead of running maxima over every row.
    """
    n = len(key)
    ordered = key[order]
    new = np.empty(n, dtype=bool)
    new[0] = True
    with np.errstate(invalid="ignore"):
        if tolerance is None:
            np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
        else:
            np.logical_not(ordered[1:] - ordered[:-1] <= tolerance, out=new[1:])
    group_first = None
    if codes is not None:
        group_sorted = codes[order]
        boundary = np.flatnonzero(group_sorted[1:] != group_sorted[:-1]) + 1
        new[boundary] = True
        group_first = np.r_[0, boundary]
    starts = np.flatnonzero(new)
    if group_first is None:
        block_rank = starts.astype(np.float64)
    else:
        # Each block's group is the last group start at or before it (groups are contiguous).
        group_of_block = np.searchsorted(group_first, starts, side="right") - 1
        block_rank = (starts - group_first[group_of_block]).astype(np.float64)
    block_rank += 1.0
    if ties == "average":
        block_rank += (np.diff(np.append(starts, n)) - 1) / 2.0
    block = np.cumsum(new, dtype=np.intp)
    block -= 1
    out = np.empty(n, dtype=np.float64)
    out[order] = block_rank[block]
    out[np.isnan(key)] = np.nan
    return out


#: Rows from which one packed sort beats numpy's argsort of floats (a merge sort, ~10x slower per row).
_PACKED_ROWS = 4096


def _packed_order(key: np.ndarray, codes: np.ndarray | None) -> np.ndarray | None:
    """Rows sorted by group, then ``key`` ascending (NaN last), ties in any order; ``None`` when too
    few rows or too many groups to pack.

    Sorting plain integers is several times faster in numpy than arg-sorting floats: each row's
    group, the leading bits of its key (mapped to integers in the same order) and its position are
    packed into one unsigned 64-bit word and sorted. Keys that differ only in the bits left out (an
    aggregate's means one ulp apart) come out in position order: only those runs are sorted again,
    by their full keys. Rank ties are blocks of equal keys, so their order inside a block does not
    matter.
    """
    n = len(key)
    if n < _PACKED_ROWS:
        return None
    groups = int(codes.max()) + 1 if codes is not None else 1
    index_bits, group_bits = max(int(n - 1).bit_length(), 1), max(int(groups - 1).bit_length(), 0)
    key_bits = 64 - index_bits - group_bits
    if key_bits < 24:
        return None
    bits = np.ascontiguousarray(key, dtype=np.float64).view(np.uint64)
    negative = bits >= np.uint64(1 << 63)
    ordered = np.where(negative, ~bits, bits | np.uint64(1 << 63))  # the float order, as unsigned integers
    ordered[np.isnan(key)] = np.uint64(2**64 - 1)  # NaN last, whatever its sign and payload
    packed = (ordered >> np.uint64(64 - key_bits)) << np.uint64(index_bits)
    if codes is not None:
        packed |= codes.astype(np.uint64) << np.uint64(64 - group_bits)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    order = (packed & np.uint64((1 << index_bits) - 1)).astype(np.intp)
    full = ordered[order]
    prefix = packed >> np.uint64(index_bits)
    same = prefix[1:] == prefix[:-1]
    disordered = np.flatnonzero(same & (full[1:] < full[:-1]))  # within a run of one packed prefix
    if len(disordered):
        run = np.cumsum(np.r_[True, ~same])
        again = np.flatnonzero(np.isin(run, run[disordered]))  # whole runs, in place: runs are contiguous
        order[again] = order[again][_by_run(run[again], full[again], 64 - key_bits)]
    return order


def _by_run(run: np.ndarray, full: np.ndarray, low_bits: int) -> np.ndarray:
    """The order of rows sorting by ``run`` (non-decreasing already), then by ``full``, whose bits
    above ``low_bits`` are equal within a run: packed again (run, low bits, position) when they fit."""
    m = len(run)
    dense = np.cumsum(np.r_[False, run[1:] != run[:-1]])
    position_bits, run_bits = max(int(m - 1).bit_length(), 1), max(int(dense[-1]).bit_length(), 1)
    if position_bits + run_bits + low_bits > 64:
        return np.lexsort((full, run))
    packed = dense.astype(np.uint64) << np.uint64(low_bits + position_bits)
    packed |= (full & np.uint64((1 << low_bits) - 1)) << np.uint64(position_bits)
    packed |= np.arange(m, dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64((1 << position_bits) - 1)).astype(np.intp)


def _group_codes(labels: np.ndarray) -> np.ndarray:
    """Integer codes equal exactly where the labels are, in the narrowest dtype that holds them.

    Integer labels spanning fewer than 65,536 values (period codes) are used as they are, without a
    sort; others are factorised. Codes of 8 or 16 bits make numpy's stable sort a radix sort.
    """
    if labels.dtype.kind in "iu" and len(labels):
        low = labels.min()
        if int(labels.max()) - int(low) < 2**16:
            codes = labels - low
        else:
            codes = np.unique(labels, return_inverse=True)[1].reshape(-1)
    else:
        codes = np.unique(labels, return_inverse=True)[1].reshape(-1)
    top = int(codes.max()) if len(codes) else 0
    narrow: np.ndarray = codes.astype(np.uint8 if top < 2**8 else np.uint16 if top < 2**16 else np.int64, copy=False)
    return narrow


# -- rank correlation ------------------------------------------------------------------------------
def _pearson_pair(x: np.ndarray, y: np.ndarray) -> float:
    if x.size < 2:
        return math.nan
    dx, dy = x - x.mean(), y - y.mean()
    # einsum, not BLAS: a threaded dot product of one vector costs more to start than to run.
    sxx, syy, sxy = (float(np.einsum("i,i->", a, b)) for a, b in ((dx, dx), (dy, dy), (dx, dy)))
    denominator = math.sqrt(sxx * syy)
    return math.nan if denominator == 0.0 else max(-1.0, min(1.0, sxy / denominator))


def spearman(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation: the Pearson correlation of the two sets of average ranks.

    Pairs with a missing value on either side are left out (then both sides are ranked, as R does).
    ``NaN`` when fewer than two pairs remain or one side is constant (undefined, not 0 or 1).
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"spearman needs two series of the same length, got shapes {x.shape} and {y.shape}")
    both = ~(np.isnan(x) | np.isnan(y))
    if both.sum() < 2:
        return math.nan
    return _pearson_pair(
        rank(x[both], ties="average", descending=False), rank(y[both], ties="average", descending=False)
    )


def _blocks(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The present rows of a column in ascending order and the tie block of each (one sort)."""
    rows = np.flatnonzero(~np.isnan(column))
    order = rows[np.argsort(column[rows])]  # any sort: tied values share one average rank
    ordered = column[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    return order, np.cumsum(new) - 1


def _ranks_within(order: np.ndarray, block: np.ndarray, keep: np.ndarray, n: int) -> np.ndarray:
    """Average ranks of a column restricted to the rows ``keep``, from its sorted order (no new sort)."""
    kept = keep[order].astype(np.float64)
    count = np.bincount(block, weights=kept)
    before = np.cumsum(count) - count
    out = np.full(n, np.nan)
    out[order] = before[block] + (count[block] + 1.0) / 2.0
    return out


def spearman_matrix(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Spearman correlations of every column pair over their pairwise complete rows, and the pair counts.

    The same numbers as R's ``cor(x, method = "spearman", use = "pairwise.complete.obs")``, which
    ranks each pair's complete rows anew. Here each column is sorted once: columns missing on the
    same rows share their ranks and are correlated with one matrix product; a pair with different
    gaps re-counts its ranks from the two sorted orders in linear time, never sorting again.
    """
    x = np.asarray(block, dtype=np.float64)
    n, k = x.shape
    present = ~np.isnan(x)
    counts = present.astype(np.float64)
    pairs = np.rint(counts.T @ counts).astype(np.int64)
    r = np.full((k, k), np.nan)
    if k == 0:
        return r, pairs
    sorted_once = [_blocks(x[:, j]) for j in range(k)]
    classes: dict[bytes, list[int]] = {}
    for j in range(k):
        classes.setdefault(np.packbits(present[:, j]).tobytes(), []).append(j)
    members = list(classes.values())
    for columns in members:
        rows = present[:, columns[0]]
        m = int(rows.sum())
        if m < 2:
            continue
        ranks = np.column_stack([_ranks_within(*sorted_once[j], rows, n)[rows] for j in columns])
        centred = ranks - ranks.mean(axis=0)
        ss = np.einsum("ij,ij->j", centred, centred)
        with np.errstate(invalid="ignore", divide="ignore"):
            sub = (centred.T @ centred) / np.sqrt(np.outer(ss, ss))
        sub = np.where(np.outer(ss > 0, ss > 0), np.clip(sub, -1.0, 1.0), np.nan)
        index = np.asarray(columns)
        r[np.ix_(index, index)] = sub
    for a, first in enumerate(members):
        for second in members[a + 1 :]:
            rows = present[:, first[0]] & present[:, second[0]]
            if rows.sum() < 2:
                continue
            left = {i: _ranks_within(*sorted_once[i], rows, n)[rows] for i in first}
            right = {j: _ranks_within(*sorted_once[j], rows, n)[rows] for j in second}
            for i, ri in left.items():
                for j, rj in right.items():
                    r[i, j] = r[j, i] = _pearson_pair(ri, rj)
    return r, pairs


def masked_moments(block: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pairwise-complete sums of every column pair at once: n, Σx (over j's rows), Σx², Σxy (centred)."""
    present = ~np.isnan(block)
    m = present.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: its NaN mean is never used
        centred = block - np.nanmean(block, axis=0)
    x = np.where(present, centred, 0.0)
    n = m.T @ m
    sx = x.T @ m  # [i, j]: sum of column i over rows where j is present too
    sxx = (x * x).T @ m
    sxy = x.T @ x
    return n, sx, sxx, sxy


def pearson_matrix(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations of every column pair over their complete rows (R's ``pairwise.complete.obs``)."""
    n, sx, sxx, sxy = masked_moments(np.asarray(block, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        var_j = var_i.T
        r = cov / np.sqrt(var_i * var_j)
    spread = (var_i > 1e-12 * np.maximum(sxx, 1.0)) & (var_j > 1e-12 * np.maximum(sxx.T, 1.0)) & (n >= 2)
    r = np.where(spread, np.clip(r, -1.0, 1.0), np.nan)
    return r, n.astype(np.int64)


# -- moments (COINr's skew and kurt) ---------------------------------------------------------------
def skewness(x: np.ndarray) -> float:
    """Sample skewness as COINr's ``skew`` (e1071 type 2, Excel's SKEW); NaN below 3 values or no spread."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    if n < 3:
        return float("nan")
    d = x - x.mean()
    squares = d * d  # products, not d**3: numpy's power calls pow() per value (~70x slower)
    m2 = float(squares.sum())  # a sum, not d @ d: a threaded BLAS dot costs milliseconds on a busy machine
    scale = m2**1.5
    if scale == 0.0:  # no spread (or so little that it underflows): undefined
        return float("nan")
    g1 = np.sqrt(n) * float(np.sum(squares * d)) / scale
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x: np.ndarray) -> float:
    """Excess kurtosis as COINr's ``kurt`` (e1071 type 2, Excel's KURT); NaN below 4 values or no spread."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    if n < 4:
        return float("nan")
    d = x - x.mean()
    squares = d * d
    m2 = float(squares.sum())
    scale = m2**2
    if scale == 0.0:
        return float("nan")
    r = n * float(np.sum(squares * squares)) / scale
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


__all__ = [
    "Ties",
    "kurtosis",
    "masked_moments",
    "pearson_matrix",
    "percentiles",
    "rank",
    "safe_divide",
    "skewness",
    "sorted_distinct",
    "spearman",
    "spearman_matrix",
]
