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


def global_ranks(frame: Any, column: str, *, rows: int | None = None) -> Any:
    """A dask Series of ranks within each period (NaN where the score is missing), aligned with
    ``frame``, whose index is the row number with known divisions. ``rows`` (the frame's length,
    when known) spares the pass counting the present scores when it is within the bound already."""
    from vises.dask.stats import max_gathered

    if rows is None or rows > max_gathered():
        (present,) = compute(frame[column].count())
        rows = int(present)
    if rows <= max_gathered():
        return _searched_ranks(frame, column)
    return _shuffled_ranks(frame, column)


def values_by_period(
    values: np.ndarray, periods: np.ndarray, labels: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The present scores of some rows, per period (unsorted; the merge sorts once). ``periods``
    holds the labels, or codes into ``labels`` when given."""
    codes, uniques = _codes(periods, labels)
    keep = ~np.isnan(values)
    codes, values = codes[keep], values[keep]
    if len(uniques) == 1:
        return {str(uniques[0]): values} if len(values) else {}
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    ordered = values[order]
    return {
        str(period): ordered[bounds[k] : bounds[k + 1]] for k, period in enumerate(uniques) if bounds[k + 1] > bounds[k]
    }


def _codes(periods: np.ndarray, labels: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's period as a code, and the labels of the codes."""
    if labels is not None:
        return np.asarray(periods, dtype=np.intp), labels
    import pandas as pd

    codes, uniques = pd.factorize(periods)
    return codes, np.asarray(uniques)


def _sorted_by_period(part: Any, column: str) -> dict[str, np.ndarray]:
    return values_by_period(part[column].to_numpy(dtype=np.float64, na_value=np.nan), part["period"].to_numpy())


def merge_values(*pieces: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    keys = dict.fromkeys(key for piece in pieces for key in piece)
    return {key: np.concatenate([piece[key] for piece in pieces if key in piece]) for key in keys}


def sort_all(merged: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each period's scores sorted, in place (the merged arrays are this task's own)."""
    for values in merged.values():
        values.sort()
    return merged


def merged_tree(pieces: list[Any]) -> Any:
    """The delayed pieces' values per period, merged eight at a time in a tree of tasks, then sorted."""
    import dask

    if not pieces:
        return dask.delayed(dict)()
    while len(pieces) > 1:
        pieces = [dask.delayed(merge_values)(*pieces[i : i + 8]) for i in range(0, len(pieces), 8)]
    return dask.delayed(sort_all)(pieces[0])


def searched(
    values: np.ndarray, periods: np.ndarray, ordered: dict[str, np.ndarray], labels: np.ndarray | None = None
) -> np.ndarray:
    """Ranks of some rows: 1 + the period's scores strictly above each score, by binary search in
    the period's sorted scores (NaN where the score is missing). ``periods`` as for ``values_by_period``."""
    ranks = np.full(len(values), np.nan)
    codes, uniques = _codes(periods, labels)
    present = ~np.isnan(values)
    for k, period in enumerate(uniques):
        mine = present & (codes == k)
        if mine.any():
            sorted_values = ordered[str(period)]
            above = len(sorted_values) - np.searchsorted(sorted_values, values[mine], side="right")
            ranks[mine] = 1.0 + above
    return ranks


def _searched(part: Any, column: str, ordered: dict[str, np.ndarray]) -> Any:
    import pandas as pd

    values = part[column].to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.Series(searched(values, part["period"].to_numpy(), ordered), index=part.index, name=_RANK)


def _searched_ranks(frame: Any, column: str) -> Any:
    import dask

    scored = frame[["period", column]]
    ordered = merged_tree([dask.delayed(_sorted_by_period)(part, column) for part in scored.to_delayed()])
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


__all__ = ["global_ranks", "merge_values", "merged_tree", "searched", "sort_all", "values_by_period"]
