"""The statistics of the records step, per group at once: ``np.bincount`` and sorts, never a loop.

Every function takes each record's group code (``-1``: the record is not counted) and the number
of groups, and returns one value per group with its ``n`` (the records or answers behind it). A
group without any usable record gets ``n = 0`` and, for a mean, median or share, no value (NaN);
a count or a sum over no record is 0.

The decomposable statistics (count, sum, mean, share, top-box) are computed in two steps: their
**parts** per group (counts, sums, a mean's sum of squared deviations), which ``merge_parts``
combines across batches of records exactly (Chan's formula for the deviations, never a difference
of large sums), then ``finish``. In memory there is one batch; on Dask (``vises.dask.collect``)
one per partition. Count distinct and median are not decomposable: they need a group's records
together (``count_distinct``, ``median``), which Dask arranges by shuffling on the group key.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vises.model.records import Statistic
from vises.numeric import sorted_distinct
from vises.validation.derived import Categorical

#: A decomposable statistic's parts, one array per field, each one value per group.
Parts = dict[str, np.ndarray]

#: Statistics whose parts merge across batches; the others need a group's records together.
DECOMPOSABLE = frozenset({Statistic.COUNT, Statistic.SUM, Statistic.MEAN, Statistic.SHARE, Statistic.TOP_BOX})


def _used(groups: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    keep = groups >= 0
    return keep if mask is None else keep & mask


def _tally(groups: np.ndarray, size: int, weights: np.ndarray | None = None) -> np.ndarray:
    found = np.bincount(groups, weights=weights, minlength=size)[:size]
    return np.asarray(found, dtype=np.float64)


def count_parts(groups: np.ndarray, size: int) -> Parts:
    """Records per group."""
    return {"n": _tally(groups[groups >= 0], size)}


def total_parts(groups: np.ndarray, numbers: np.ndarray, size: int) -> Parts:
    """Sum and count of the values present, and the records counted at all (with or without a value)."""
    keep = _used(groups, ~np.isnan(numbers))
    return {
        "sum": _tally(groups[keep], size, numbers[keep]),
        "n": _tally(groups[keep], size),
        "present": _tally(groups[groups >= 0], size),
    }


def mean_parts(groups: np.ndarray, numbers: np.ndarray, size: int) -> Parts:
    """Count, sum and sum of squared deviations from the batch's own mean (two passes: no cancellation)."""
    keep = _used(groups, ~np.isnan(numbers))
    g, x = groups[keep], numbers[keep]
    n = _tally(g, size)
    sums = _tally(g, size, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(n > 0, sums / np.where(n > 0, n, 1.0), np.nan)
        m2 = _tally(g, size, (x - means[g]) ** 2)
    return {"n": n, "sum": sums, "m2": m2}


def share_parts(groups: np.ndarray, condition: np.ndarray, size: int) -> Parts:
    """Records where ``condition`` (1/0, NaN unknown) holds, and those where it is known."""
    keep = _used(groups, ~np.isnan(condition))
    return {"hits": _tally(groups[keep], size, condition[keep]), "n": _tally(groups[keep], size)}


def merge_parts(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray]) -> Parts:
    """The parts of two batches of records of the same groups: sums add; deviations by Chan et al."""
    merged = {field: a[field] + b[field] for field in a if field != "m2"}
    if "m2" in a:
        na, nb = a["n"], b["n"]
        n = na + nb
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = np.where(nb > 0, b["sum"] / np.where(nb > 0, nb, 1.0), 0.0) - np.where(
                na > 0, a["sum"] / np.where(na > 0, na, 1.0), 0.0
            )
            extra = np.where((na > 0) & (nb > 0), delta * delta * na * nb / np.where(n > 0, n, 1.0), 0.0)
        merged["m2"] = a["m2"] + b["m2"] + extra
    return merged


def finish(statistic: Statistic, parts: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """A decomposable statistic's value, n and (a mean's) sample standard deviation, from its parts."""
    n = np.asarray(parts["n"], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        if statistic is Statistic.COUNT:
            return n, n, None
        if statistic is Statistic.SUM:
            # No record at all sums to 0; records whose values are all missing give no value (not a 0 nobody said).
            return np.where((n == 0) & (parts["present"] > 0), np.nan, parts["sum"]), n, None
        if statistic is Statistic.MEAN:
            means = np.where(n > 0, parts["sum"] / np.where(n > 0, n, 1.0), np.nan)
            sd = np.where(n > 1, np.sqrt(parts["m2"] / np.where(n > 1, n - 1.0, 1.0)), np.nan)
            return means, n, sd
        if statistic in (Statistic.SHARE, Statistic.TOP_BOX):
            return np.where(n > 0, 100.0 * parts["hits"] / np.where(n > 0, n, 1.0), np.nan), n, None
    raise ValueError(f"{statistic.value} has no parts: it needs each group's records together")


def count(groups: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Records per group (value and n are the same)."""
    value, n, _ = finish(Statistic.COUNT, count_parts(groups, size))
    return value, n


def total(groups: np.ndarray, numbers: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum of a column per group over the records that have a value; n: those records."""
    value, n, _ = finish(Statistic.SUM, total_parts(groups, numbers, size))
    return value, n


def mean(groups: np.ndarray, numbers: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, n and sample standard deviation per group."""
    value, n, sd = finish(Statistic.MEAN, mean_parts(groups, numbers, size))
    assert sd is not None
    return value, n, sd


def share(groups: np.ndarray, condition: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Percent of the records where ``condition`` (1/0, NaN unknown) holds, among those where it is known."""
    value, n, _ = finish(Statistic.SHARE, share_parts(groups, condition, size))
    return value, n


def count_distinct(groups: np.ndarray, values: Categorical, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a column per group (a person on two rows counts once); n: records with a value."""
    keep = _used(groups, values.codes >= 0)
    width = np.int64(len(values.categories) + 1)
    keys = groups[keep].astype(np.int64) * width + values.codes[keep]
    distinct = _distinct(keys)
    found = np.bincount((distinct // width).astype(np.intp), minlength=size)[:size].astype(np.float64)
    n = np.bincount(groups[keep], minlength=size)[:size].astype(np.float64)
    return found, n


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
        return sorted_distinct(keys)
    return np.asarray(pd.unique(keys))


def top_box_condition(
    groups: np.ndarray, answers: Categorical, top: tuple[str, ...], scale: tuple[str, ...]
) -> tuple[np.ndarray, int]:
    """Each answer as 1 (among ``top``), 0 or NaN (missing, or outside ``scale`` when given), and how
    many counted answers lie outside the scale (left out of n, and counted in a warning)."""
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
    return np.where(valid, in_top[codes].astype(np.float64), np.nan), outside


def top_box(
    groups: np.ndarray, answers: Categorical, top: tuple[str, ...], scale: tuple[str, ...], size: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Percent of answers among ``top``; answers outside ``scale`` (when given) are left out of n and counted."""
    condition, outside = top_box_condition(groups, answers, top, scale)
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


__all__ = [
    "DECOMPOSABLE",
    "Parts",
    "count",
    "count_distinct",
    "count_parts",
    "finish",
    "mean",
    "mean_parts",
    "median",
    "merge_parts",
    "share",
    "share_parts",
    "top_box",
    "top_box_condition",
    "total",
    "total_parts",
]
