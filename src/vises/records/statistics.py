"""The statistics of the records step, per group at once: ``np.bincount`` and sorts, never a loop.

Every function takes each record's group code (``-1``: the record is not counted) and the number
of groups, and returns one value per group with its ``n`` (the records or answers behind it). A
group without any usable record gets ``n = 0`` and, for a mean, median or share, no value (NaN);
a count or a sum over no record is 0.
"""

from __future__ import annotations

import numpy as np

from vises.validation.derived import Categorical


def _used(groups: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    keep = groups >= 0
    return keep if mask is None else keep & mask


def count(groups: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Records per group (value and n are the same)."""
    found = np.bincount(groups[groups >= 0], minlength=size)[:size].astype(np.float64)
    return found, found


def count_distinct(groups: np.ndarray, values: Categorical, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a column per group (a person on two rows counts once); n: records with a value."""
    keep = _used(groups, values.codes >= 0)
    width = np.int64(len(values.categories) + 1)
    keys = groups[keep].astype(np.int64) * width + values.codes[keep]
    distinct = _distinct(keys)
    found = np.bincount((distinct // width).astype(np.intp), minlength=size)[:size].astype(np.float64)
    n = np.bincount(groups[keep], minlength=size)[:size].astype(np.float64)
    return found, n


def total(groups: np.ndarray, numbers: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of a column per group over the records that have a value; n: those records.

    No record at all sums to 0; records whose values are all missing give no value (not a 0 nobody said).
    """
    keep = _used(groups, ~np.isnan(numbers))
    found = np.bincount(groups[keep], weights=numbers[keep], minlength=size)[:size]
    n = np.bincount(groups[keep], minlength=size)[:size].astype(np.float64)
    present = np.bincount(groups[groups >= 0], minlength=size)[:size]
    return np.where((n == 0) & (present > 0), np.nan, found), n


def mean(groups: np.ndarray, numbers: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, n and sample standard deviation (two passes, so no cancellation) per group."""
    keep = _used(groups, ~np.isnan(numbers))
    g, x = groups[keep], numbers[keep]
    n = np.bincount(g, minlength=size)[:size].astype(np.float64)
    sums = np.bincount(g, weights=x, minlength=size)[:size]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n > 0, sums / np.where(n > 0, n, 1.0), np.nan)
        squares = np.bincount(g, weights=(x - means[g]) ** 2, minlength=size)[:size]
        sd = np.where(n > 1, np.sqrt(squares / np.where(n > 1, n - 1.0, 1.0)), np.nan)
    return means, n, sd


def median(groups: np.ndarray, numbers: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Median per group: one sort by (group, value), then the middle of each group's run."""
    keep = _used(groups, ~np.isnan(numbers))
    g, x = groups[keep], numbers[keep]
    # Sorted by value, then stably by group: each group's run in value order (cheaper than a lexsort).
    by_value = np.argsort(x)
    order = by_value[np.argsort(g[by_value], kind="stable")]
    ordered = x[order]
    n = np.bincount(g, minlength=size)[:size]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    found = np.full(size, np.nan)
    has = n > 0
    low = starts[has] + (n[has] - 1) // 2
    high = starts[has] + n[has] // 2
    found[has] = (ordered[low] + ordered[high]) / 2.0
    return found, n.astype(np.float64)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct integer keys (pandas' hash table when installed: no sort of a million keys)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas comes with the dev and all extras
        return np.unique(keys)
    return np.asarray(pd.unique(keys))


def share(groups: np.ndarray, condition: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Percent of the records where ``condition`` (1/0, NaN unknown) holds, among those where it is known."""
    keep = _used(groups, ~np.isnan(condition))
    n = np.bincount(groups[keep], minlength=size)[:size].astype(np.float64)
    hits = np.bincount(groups[keep], weights=condition[keep], minlength=size)[:size]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, 100.0 * hits / np.where(n > 0, n, 1.0), np.nan), n


def top_box(
    groups: np.ndarray, answers: Categorical, top: tuple[str, ...], scale: tuple[str, ...], size: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Percent of answers among ``top``; answers outside ``scale`` (when given) are left out of n and counted."""
    categories = [str(text) for text in answers.categories.tolist()]
    in_top = np.array([_canonical(text) in {_canonical(t) for t in top} for text in categories] + [False])
    in_scale = (
        np.array([_canonical(text) in {_canonical(s) for s in scale} for text in categories] + [False])
        if scale
        else np.array([True] * len(categories) + [False])
    )
    codes = answers.codes
    valid = in_scale[codes] & (codes >= 0)
    outside = int(np.count_nonzero((codes >= 0) & ~in_scale[codes] & (groups >= 0)))
    condition = np.where(valid, in_top[codes].astype(np.float64), np.nan)
    value, n = share(groups, condition, size)
    return value, n, outside


def _canonical(text: str) -> str:
    """An answer compared as its number when it is one (``4``, ``4.0`` and ``4,0`` are one answer)."""
    cleaned = str(text).strip()
    try:
        number = float(cleaned.replace(",", "."))
    except ValueError:
        return cleaned.casefold()
    return repr(number)


__all__ = ["count", "count_distinct", "mean", "median", "share", "top_box", "total"]
