"""Ranks within each period over the whole Dask DataFrame, exactly as ``Results.ranks`` gives them.

1 = best, exactly equal scores share the lowest rank (R's ``ties.method = "min"``), missing stays
unranked. A rank counts every better score of the period in every partition. Two ways, the same
numbers:

- up to ``VISES_DASK_MAX_GATHERED`` present scores (the bound of the gathered fits), each period's
  scores are sorted once, in a tree of tasks on the workers, and every partition counts the better
  ones by binary search (``searchsorted``): no row moves, two reads of the column;
- past it, the scores are sorted across partitions by dask (a shuffle: rows move between
  workers); each sorted partition then adds the count of its period's rows in the partitions before
  it. Equal scores split across two sorted partitions are corrected by the count of equal values
  before them, so ties never depend on where dask cut. The ranks are moved back to the rows' own
  partitions (a second shuffle).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vises.dask.client import compute

_ROW = "__vises_row"
_RANK = "rank"


def _partition_counts(frame: Any, column: str) -> Any:
    """Per period: rows, lowest score, rows at the lowest score, highest score (one sorted partition)."""
    import pandas as pd

    if not len(frame):
        return pd.DataFrame({"count": [], "low": [], "at_low": [], "high": []}, index=pd.Index([], name="period"))
    grouped = frame.groupby("period", sort=False)[column]
    low = grouped.min()
    at_low = frame[frame[column].to_numpy() == low.reindex(frame["period"]).to_numpy()].groupby("period").size()
    return pd.DataFrame(
        {"count": grouped.size(), "low": low, "at_low": at_low.reindex(low.index).fillna(0), "high": grouped.max()}
    )


def _local_ranks(frame: Any, column: str, before: dict[str, float], ties: dict[str, tuple[float, float]]) -> Any:
    """Ranks of one sorted partition: rows of the same period in earlier partitions, plus its own
    min-rank within the period, less the equal scores that an earlier partition holds."""
    import pandas as pd

    if not len(frame):
        return pd.DataFrame({_ROW: np.empty(0, dtype=np.int64), _RANK: np.empty(0)})
    own = frame.groupby("period", sort=False)[column].rank(method="min", ascending=False).to_numpy()
    periods = frame["period"].to_numpy()
    offset = np.array([before.get(str(p), 0.0) for p in pd.unique(periods)])
    codes = pd.factorize(periods)[0]
    ranks = own + offset[codes]
    values = frame[column].to_numpy()
    for period, (value, count) in ties.items():
        if count:
            ranks[(periods == period) & (values == value)] -= count
    return pd.DataFrame({_ROW: frame[_ROW].to_numpy(), _RANK: ranks})


def global_ranks(frame: Any, column: str) -> Any:
    """A dask Series of ranks within each period (NaN where the score is missing), aligned with
    ``frame``, whose index is the row number with known divisions."""
    from vises.dask.stats import max_gathered

    (present,) = compute(frame[column].count())
    if int(present) <= max_gathered():
        return _searched_ranks(frame, column)
    return _shuffled_ranks(frame, column)


def _sorted_by_period(part: Any, column: str) -> dict[str, np.ndarray]:
    """One partition's present scores, per period (unsorted; the merge sorts once)."""
    import pandas as pd

    values = part[column].to_numpy(dtype=np.float64, na_value=np.nan)
    keep = ~np.isnan(values)
    periods = part["period"].to_numpy()[keep]
    values = values[keep]
    codes, uniques = pd.factorize(periods)
    return {str(period): values[codes == k] for k, period in enumerate(uniques)}


def _merge_values(*pieces: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keys = dict.fromkeys(key for piece in pieces for key in piece)
    return {key: np.concatenate([piece[key] for piece in pieces if key in piece]) for key in keys}


def _sort_all(merged: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: np.sort(values, kind="stable") for key, values in merged.items()}


def _searched(part: Any, column: str, ordered: dict[str, np.ndarray]) -> Any:
    """Ranks of one partition: 1 + the period's scores strictly above each score, by binary search."""
    import pandas as pd

    values = part[column].to_numpy(dtype=np.float64, na_value=np.nan)
    ranks = np.full(len(values), np.nan)
    codes, uniques = pd.factorize(part["period"].to_numpy())
    present = ~np.isnan(values)
    for k, period in enumerate(uniques):
        mine = present & (codes == k)
        if mine.any():
            sorted_values = ordered[str(period)]
            above = len(sorted_values) - np.searchsorted(sorted_values, values[mine], side="right")
            ranks[mine] = 1.0 + above
    return pd.Series(ranks, index=part.index, name=_RANK)


def _searched_ranks(frame: Any, column: str) -> Any:
    import dask

    scored = frame[["period", column]]
    pieces = [dask.delayed(_sorted_by_period)(part, column) for part in scored.to_delayed()]
    while len(pieces) > 1:  # a tree of merges, eight at a time
        pieces = [dask.delayed(_merge_values)(*pieces[i : i + 8]) for i in range(0, len(pieces), 8)]
    ordered = dask.delayed(_sort_all)(pieces[0])
    return scored.map_partitions(_searched, column, ordered, meta=(_RANK, "f8"))


def _shuffled_ranks(frame: Any, column: str) -> Any:
    import pandas as pd

    scored = frame[["period", column]]
    scored = scored[scored[column].notnull()]
    scored = scored.assign(**{_ROW: scored.index})
    # Sorted once and kept (three columns) for the two steps below, instead of shuffling twice.
    ordered = scored.sort_values(column, ascending=False).persist()
    (tables,) = compute(ordered.map_partitions(_partition_counts, column, meta=_counts_meta()).to_delayed())
    befores, tie_tables = _offsets(tables)
    pieces = [
        _delayed_local(part, column, before, ties)
        for part, before, ties in zip(ordered.to_delayed(), befores, tie_tables, strict=True)
    ]
    import dask.dataframe as dd

    ranked = dd.from_delayed(pieces, meta=pd.DataFrame({_ROW: np.empty(0, dtype=np.int64), _RANK: np.empty(0)}))
    back = ranked.rename(columns={_ROW: "row"}).set_index("row", divisions=frame.divisions)[_RANK]
    divisions = tuple(int(d) for d in frame.divisions)
    return back.map_partitions(_every_row, divisions, meta=(_RANK, "f8"))


def _every_row(part: Any, divisions: tuple[int, ...], partition_info: Any = None) -> Any:
    """The ranks of one partition on every one of its rows (NaN where the score is missing)."""
    number = partition_info["number"] if partition_info else 0
    last = number == len(divisions) - 2
    import pandas as pd

    rows = pd.Index(np.arange(divisions[number], divisions[number + 1] + (1 if last else 0)), name="row")
    return part.reindex(rows)


def _delayed_local(part: Any, column: str, before: dict[str, float], ties: dict[str, tuple[float, float]]) -> Any:
    import dask

    return dask.delayed(_local_ranks)(part, column, before, ties)


def _counts_meta() -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "count": np.empty(0, dtype=np.int64),
            "low": np.empty(0),
            "at_low": np.empty(0),
            "high": np.empty(0),
        },
        index=pd.Index([], name="period", dtype=object),
    )


def _offsets(tables: list[Any]) -> tuple[list[dict[str, float]], list[dict[str, tuple[float, float]]]]:
    """For each sorted partition: rows of each period before it, and (its top score, rows equal to
    that score before it) per period."""
    seen: dict[str, float] = {}
    #: per period: the lowest score seen so far and how many earlier rows hold it
    lowest: dict[str, tuple[float, float]] = {}
    befores: list[dict[str, float]] = []
    ties: list[dict[str, tuple[float, float]]] = []
    for table in tables:
        befores.append(dict(seen))
        mine: dict[str, tuple[float, float]] = {}
        for period, row in table.iterrows():
            key = str(period)
            known = lowest.get(key)
            if known is not None and known[0] == row["high"]:
                mine[key] = (float(row["high"]), known[1])
        ties.append(mine)
        for period, row in table.iterrows():
            key = str(period)
            seen[key] = seen.get(key, 0.0) + float(row["count"])
            known = lowest.get(key)
            if known is not None and known[0] == row["low"]:
                lowest[key] = (known[0], known[1] + float(row["at_low"]))
            else:
                lowest[key] = (float(row["low"]), float(row["at_low"]))
    return befores, ties


__all__ = ["global_ranks"]
