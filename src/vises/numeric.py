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
from typing import Any, Literal

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
        order = packed[:, None]
    else:
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


# -- machine numbers ------------------------------------------------------------------------------
#: Magnitudes where Arrow's shortest text and ``repr`` choose different notations (Arrow writes
#: 1e-05 as ``0.00001`` and 12345678901.5 as ``1.23456789015e+10``; ``repr`` switches to an exponent
#: below 1e-4 and at 1e16, and pads it to two digits). The bounds are widened by 1 % so a value whose
#: shortest digits round across a power of ten is never on the wrong side; cells there take ``repr``.
_REPR_RANGES = ((0.99e-9, 1.01e-4), (0.99e10, 1.01e16))


def _arrow_text(values: Sequence[str]) -> Any:
    """A pyarrow string array built from its buffers (``pa.array`` and Python scalars given to a
    compute function import pandas, ~200 ms, the first time)."""
    import pyarrow as pa

    data = "".join(values).encode("utf-8")
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if len(data) != int(lengths.sum()):  # not all ASCII: byte lengths, one by one
        lengths = np.fromiter((len(value.encode("utf-8")) for value in values), dtype=np.int64, count=len(values))
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(data))


def _arrow_flags(mask: np.ndarray) -> Any:
    """A numpy boolean mask as a pyarrow boolean array, from its bits."""
    import pyarrow as pa

    bits = np.packbits(mask, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def machine_text_arrow(values: np.ndarray | Sequence[float]) -> Any:
    """A float column as a pyarrow string array of machine numbers; null where not finite.

    The text is exactly ``float.__repr__`` of each value (``12.0``, ``0.1``, ``1e-05``,
    ``1.5e+16``): pyarrow's C cast gives the same shortest round-trip digits in about a quarter
    of the time, then a whole-number cell gets ``repr``'s ``.0``, and the cells in the two magnitude
    bands where the notations differ (rare in scores: below 1e-4 or from 1e10 to 1e16) are
    written by ``repr`` itself. Needs pyarrow (``machine_text`` works without).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    x = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    finite = np.isfinite(x)
    valid = None if finite.all() else _arrow_flags(finite).buffers()[1]
    numbers = pa.Array.from_buffers(pa.float64(), len(x), [valid, pa.py_buffer(x)])
    text = pc.cast(numbers, pa.string())
    magnitude = np.abs(x)
    with np.errstate(invalid="ignore"):
        odd = np.zeros(x.shape, dtype=bool)
        for low, high in _REPR_RANGES:
            odd |= (magnitude >= low) & (magnitude < high)
        whole = finite & ~odd & (magnitude < 1e16) & (x == np.trunc(x))
    if whole.any():
        point, empty = _arrow_text([".0", ""])
        text = pc.if_else(_arrow_flags(whole), pc.binary_join_element_wise(text, point, empty), text)
    if odd.any():
        exact = _arrow_text(list(map(float.__repr__, x[odd].tolist())))
        text = pc.replace_with_mask(text, _arrow_flags(odd), exact)
    return text


#: Magnitudes where orjson's shortest text is not ``repr``'s (it writes 1e-05 as ``0.00001`` and
#: 1.5e-07 as ``1.5e-7``), widened by 1 % as ``_REPR_RANGES``; rows with such a cell take the
#: column-wise route. Everywhere else the two agree digit for digit (tests/test_csv_text.py).
_ORJSON_ODD = (0.99e-9, 1.01e-4)
#: Values on both sides of every notation switch, and what ``repr`` writes for them.
_PROBE = (0.1, 12.0, -0.0, 1e16, 9999999999999998.0, 1.5e300, 5e-324, 1e-10, 123456789012345.6, 0.0001, 2.0**53)
_checked: list[Any] = []
#: The most text one string array holds (its offsets are 32-bit).
_MAX_TEXT = 2**31 - 1
#: Delimiters that cannot be part of a number's text (one byte each).
_ROW_DELIMITERS = (",", ";", "\t", "|")


def _orjson() -> Any:
    """orjson when it is installed and writes the probe values as ``repr`` does (else ``None``, once)."""
    if not _checked:
        try:
            import orjson

            text = orjson.dumps(np.array([*_PROBE, math.nan]), option=orjson.OPT_SERIALIZE_NUMPY)
            expected = "[" + ",".join(map(float.__repr__, _PROBE)) + ",null]"
            _checked.append(orjson if text == expected.encode("ascii") else None)
        except Exception:  # not installed, or a version that refuses numpy arrays
            _checked.append(None)
    return _checked[0]


def machine_rows_open(delimiter: str = ",", lineterminator: str = "\r\n") -> bool:
    """Whether ``machine_rows`` formats blocks with this delimiter and line terminator (orjson installed,
    writing as ``repr``; a one-byte delimiter no number holds; a two-character terminator)."""
    return delimiter in _ROW_DELIMITERS and lineterminator in ("\r\n", "\n\r") and _orjson() is not None


def machine_rows(block: np.ndarray, *, delimiter: str = ",", lineterminator: str = "\r\n") -> Any | None:
    """The rows of a 2-D float block as pieces of CSV lines of machine numbers, as a pyarrow string array.

    Row ``i`` is the delimiter, then its cells joined by the delimiter (a value that is not finite
    an empty cell), then the line terminator: ``",12.0,,0.1\r\n"``, ready to follow a line's
    first cells. The text is ``machine_text_arrow``'s, made about four times faster (see
    ``machine_row_parts``). ``None`` when orjson is missing, the delimiter is not one byte or the
    line terminator not two, or the block is empty: callers take the column-wise route.
    """
    parts = machine_row_parts(block, delimiter=delimiter, lineterminator=lineterminator)
    if parts is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(parts, list):
        return pa.chunked_array([_joined(*part, empty=_arrow_text([""])[0], pc=pc) for part in parts])
    return _joined(*parts, empty=_arrow_text([""])[0], pc=pc)


def _joined(*columns: Any, empty: Any, pc: Any) -> Any:
    return pc.binary_join_element_wise(*columns, empty, null_handling="replace", null_replacement="")


def machine_row_parts(
    block: np.ndarray, *, delimiter: str = ",", lineterminator: str = "\r\n"
) -> tuple[Any, Any] | list[tuple[Any, Any]] | None:
    """``machine_rows`` in two string arrays whose cells, joined (a null as nothing), are the rows:
    the rows written by orjson (null where a cell is in ``_ORJSON_ODD``) and those rows written
    exactly (empty elsewhere). A caller joins them behind a line's first cells in one pass.

    orjson writes the whole block as JSON in one call (the same shortest digits and notation as
    ``repr`` outside ``_ORJSON_ODD``) and the JSON becomes the rows: ``null`` removed, then in place
    each row's ``[`` the delimiter and its ``],`` the line end; the few rows holding a cell in the
    odd band are written again with ``repr`` for those cells (``_exact_rows``). A block past 2 GiB
    of text comes as a list of parts. ``None`` where ``machine_rows`` is.
    """
    x = np.ascontiguousarray(block, dtype=np.float64)
    if not machine_rows_open(delimiter, lineterminator) or x.ndim != 2 or 0 in x.shape:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    orjson = _orjson()
    end = lineterminator.encode("ascii")
    text = np.frombuffer(orjson.dumps(x, option=orjson.OPT_SERIALIZE_NUMPY), dtype=np.uint8)
    n = len(x)
    if len(text) > _MAX_TEXT and n > 1:  # past a string array's offsets: one half, then the other
        halves = (x[: n // 2], x[n // 2 :])
        found = [machine_row_parts(half, delimiter=delimiter, lineterminator=lineterminator) for half in halves]
        return [part for parts in found for part in (parts if isinstance(parts, list) else [parts]) if part]
    offsets = np.empty(n + 1, dtype=np.int32)
    offsets[:n] = _positions(text, ord("["))[1:]  # the first is the outer bracket
    offsets[n] = len(text)
    rows = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(text))
    if not np.isfinite(x).all():
        rows = pc.replace_substring(rows, "null", "")  # a new buffer, edited below
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=n + 1, offset=rows.offset * 4)
        data = np.frombuffer(rows.buffers()[2], dtype=np.uint8)
        if not data.flags.writeable:  # pragma: no cover - pyarrow's results are its own buffers
            data = data.copy()
    else:
        data = text.copy()
    if delimiter != ",":
        data[_positions(data, ord(","))] = ord(delimiter)
    data[offsets[:-1]] = ord(delimiter)
    data[offsets[1:] - 2], data[offsets[1:] - 1] = end[0], end[1]
    magnitude = np.abs(x)
    with np.errstate(invalid="ignore"):
        odd = np.asarray(((magnitude >= _ORJSON_ODD[0]) & (magnitude < _ORJSON_ODD[1])).any(axis=1))
    rows = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    if not odd.any():
        return rows, pa.nulls(n, pa.string())
    exact = _exact_rows(rows.filter(_arrow_flags(odd)), x[odd], delimiter, lineterminator)
    rows = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), _arrow_flags(~odd).buffers()[1])
    bounds = np.frombuffer(exact.buffers()[1], dtype=np.int32, count=len(exact) + 1, offset=exact.offset * 4)
    lengths = np.zeros(n, dtype=np.int32)
    lengths[odd] = np.diff(bounds)
    spread = np.empty(n + 1, dtype=np.int32)
    spread[0] = bounds[0]
    np.cumsum(lengths, out=spread[1:])
    spread[1:] += bounds[0]
    return rows, pa.StringArray.from_buffers(n, pa.py_buffer(spread), exact.buffers()[2])


def _positions(data: np.ndarray, byte: int) -> np.ndarray:
    """Where ``byte`` is in ``data``, found a mebibyte at a time (no mask the size of the data)."""
    step = 1 << 20
    mask = np.empty(min(step, len(data)), dtype=bool)
    found = []
    for start in range(0, len(data), step):
        part = data[start : start + step]
        np.equal(part, byte, out=mask[: len(part)])
        found.append(np.flatnonzero(mask[: len(part)]) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def _exact_rows(rows: Any, x: np.ndarray, delimiter: str, lineterminator: str) -> Any:
    """``rows`` (orjson's text of the rows ``x``, each holding a cell in its odd band) with those cells
    written by ``repr``: each row cut at its delimiters into its cells (the first one empty, the line
    end on the last), the odd cells replaced, and the cells of each row joined again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n, k = x.shape
    magnitude = np.abs(x)
    with np.errstate(invalid="ignore"):
        odd = (magnitude >= _ORJSON_ODD[0]) & (magnitude < _ORJSON_ODD[1])
    at = np.zeros((n, k + 1), dtype=bool)
    at[:, 1:] = odd
    last = np.nonzero(odd)[1] == k - 1
    texts = [
        text + lineterminator if end else text
        for text, end in zip(map(repr, x[odd].tolist()), last.tolist(), strict=True)
    ]
    cells = pc.split_pattern(rows, delimiter).values
    fixed = pc.replace_with_mask(cells, _arrow_flags(at.reshape(-1)), _arrow_text(texts))
    offsets = np.arange(0, (k + 1) * n + 1, k + 1, dtype=np.int32)
    lists = pa.ListArray.from_arrays(pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)]), fixed)
    return pc.binary_join(lists, _arrow_text([delimiter])[0])


def machine_text(values: np.ndarray | Sequence[float], missing: str = "") -> np.ndarray:
    """A float column as machine numbers (``float.__repr__``), ``missing`` where not finite; objects."""
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    text = np.array(list(map(float.__repr__, x.tolist())), dtype=object)
    text[~np.isfinite(x)] = missing
    return text


__all__ = [
    "Ties",
    "kurtosis",
    "machine_row_parts",
    "machine_rows",
    "machine_rows_open",
    "machine_text",
    "machine_text_arrow",
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
