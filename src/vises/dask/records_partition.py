"""What the Dask records step runs on one partition of a source, and how partitions' outputs merge.

A partition is a pandas DataFrame of records. It becomes a ``RecordTable`` through the records
reader, gets its survey conventions, and is placed and measured by the very functions
``vises.collect`` runs (``vises.records.run``), with the open spans ending at the whole source's
latest date. It gives back, per (organisation, period) it touches, the entries of each placement
and the parts of every decomposable statistic (``vises.records.statistics``), which merge exactly
across partitions; for count distinct and median, the (organisation, period, value) of each
counted entry, to be shuffled on the group key; the identifiers with their rows, for the check
across partitions; its problems and the records it set apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from vises.errors import DataError, VisesError
from vises.model.records import Collection, Measure, RecordSource, Statistic
from vises.records import statistics as stats
from vises.records.placement import MoreRecords, identifiers
from vises.records.run import (
    SetApart,
    _Columns,
    _groups,
    _rows,
    _Source,
    kept,
    measure_inputs,
    parts,
    placements,
)
from vises.records.surveys import survey
from vises.records.tables import RecordTable, from_frame
from vises.validation.columns import MAX_ROWS_LISTED

#: Columns of the keyed parts: a placement's entries, and a measure's part (``code``, field).
ENTRIES = "\x00entries\x00"
SEP = "\x00"


@attrs.frozen(kw_only=True, eq=False)
class SourceContext:
    """What a partition task of one source needs (small: the spec, the latest date, where rows are)."""

    collection: Collection
    spec: RecordSource
    #: The table's name in messages (its file, or none for a frame), and the row of its first record.
    file: str | None
    first_row: int
    decimal_comma: bool
    #: The whole source's latest date (open spans end there); ``None``: the source has no spans.
    latest: np.datetime64 | None = None
    #: The column of record identifiers that may not repeat (the spec's, or the survey format's).
    identifier: str | None = None

    @property
    def measures(self) -> tuple[tuple[int, Measure], ...]:
        name = self.spec.name
        return tuple(
            (i, m) for i, m in enumerate(self.collection.measures) if self.collection.source(m.source).name == name
        )


@attrs.frozen(kw_only=True, eq=False)
class PartitionOut:
    """One partition's contribution: everything except the keyed parts and the shuffled values."""

    length: int
    #: Problems by phase: ``"place:<date>"`` (each placement) and ``"measure:<i>"`` (cells of measure i); rows
    #: numbered as if the partition were the whole table (shifted later by its offset).
    problems: Mapping[str, list[VisesError]]
    notes: list[SetApart]


def table_of(frame: Any, ctx: SourceContext) -> RecordTable:
    """The partition as a records table (rows numbered from the table's first row)."""
    table = from_frame(frame, source=ctx.file)
    return attrs.evolve(table, first_row=ctx.first_row, decimal_comma=ctx.decimal_comma)


def source_of(frame: Any, ctx: SourceContext) -> _Source:
    return _Source(spec=ctx.spec, survey=survey(table_of(frame, ctx), ctx.spec.format))


def latest_of(frame: Any, ctx: SourceContext) -> np.datetime64:
    """The partition's latest usable date of an active span (``NaT``: none), by ``place`` itself."""
    from vises.records.placement import place

    source = source_of(frame, ctx)
    return place(ctx.spec, source.table, keep=kept(source, []), problems=[]).latest


def _frames(keys: tuple[np.ndarray, np.ndarray], columns: Mapping[str, np.ndarray]) -> Any:
    import pandas as pd

    index = pd.MultiIndex.from_arrays(
        [pd.Index(keys[0].astype(str), dtype=object), pd.Index(keys[1].astype(str), dtype=object)],
        names=["organisation", "period"],
    )
    return pd.DataFrame(dict(columns), index=index)


def run_partition(frame: Any, ctx: SourceContext, number: int) -> tuple[PartitionOut, Any, dict[str, Any], Any]:
    """One partition: (its summary, its keyed parts, the values of each non-decomposable measure, its ids)."""
    import pandas as pd

    source = source_of(frame, ctx)
    table = source.table
    notes: list[SetApart] = []
    by_date: dict[str | None, list[VisesError]] = {}
    keep = kept(source, notes)
    placed = placements(ctx.collection, source, keep, [], notes, latest=ctx.latest, by_date=by_date)
    problems: dict[str, list[VisesError]] = {f"place:{date or ''}": found for date, found in by_date.items()}
    organisations, periods, lookups = _rows(placed)
    size = len(organisations)
    entry_rows = {date: _groups(placement, lookups[date]) for date, placement in placed.items()}
    columns: dict[str, np.ndarray] = {
        ENTRIES + (date or ""): np.bincount(rows, minlength=size)[:size].astype(np.float64)
        for date, rows in entry_rows.items()
    }
    values: dict[str, Any] = {}
    cells = _Columns(table, [])  # one per table: a cell read by two measures is reported once, as in memory
    for i, measure in ctx.measures:
        measure_found: list[VisesError] = []
        cells.problems = measure_found
        inputs = measure_inputs(measure, placed[measure.date], entry_rows[measure.date], cells, table)
        problems[f"measure:{i}"] = measure_found
        if inputs.outside:
            notes.append(SetApart("off_scale", measure.code, inputs.outside))
        if measure.statistic in stats.DECOMPOSABLE:
            for field, part in parts(measure, inputs, size).items():
                columns[measure.code + SEP + field] = part
        else:
            values[measure.code] = _entry_values(measure, inputs, organisations, periods)
    ids = None
    if ctx.identifier is not None:
        found_ids = identifiers(table, ctx.identifier, keep)
        rows = np.flatnonzero(found_ids.codes >= 0)
        ids = pd.DataFrame(
            {
                "id": found_ids.categories[found_ids.codes[rows]].astype(object),
                "part": np.full(len(rows), number, dtype=np.int64),
                "row": rows.astype(np.int64),
            }
        )
    out = PartitionOut(length=len(table), problems=problems, notes=notes)
    return out, _frames((organisations, periods), columns), values, ids


def _entry_values(measure: Measure, inputs: Any, organisations: np.ndarray, periods: np.ndarray) -> Any:
    """(organisation, period, value) of each counted entry: the text of an answer, or a number."""
    import pandas as pd

    counted = np.flatnonzero(inputs.groups >= 0)
    groups = inputs.groups[counted]
    if measure.statistic is Statistic.COUNT_DISTINCT:
        answers = inputs.answers
        codes = answers.codes[counted]
        value = np.full(len(counted), None, dtype=object)
        value[codes >= 0] = answers.categories[codes[codes >= 0]]
    else:
        value = inputs.numbers[counted].astype(np.float64)
    return pd.DataFrame(
        {
            "organisation": organisations[groups].astype(str).astype(object),
            "period": periods[groups].astype(str).astype(object),
            "value": value,
        }
    )


def values_meta(measure: Measure) -> Any:
    import pandas as pd

    kind: Any = object if measure.statistic is Statistic.COUNT_DISTINCT else np.float64
    return pd.DataFrame(
        {
            "organisation": np.empty(0, dtype=object),
            "period": np.empty(0, dtype=object),
            "value": np.empty(0, dtype=kind),
        }
    )


def ids_meta() -> Any:
    import pandas as pd

    return pd.DataFrame(
        {"id": np.empty(0, dtype=object), "part": np.empty(0, dtype=np.int64), "row": np.empty(0, dtype=np.int64)}
    )


def _texts(series: Any) -> np.ndarray:
    """A column shuffled by dask (maybe as Arrow strings) back to an object array, ``None`` where missing."""
    values = series.astype(object)
    return np.asarray(values.where(series.notna(), None).to_numpy(dtype=object))


def whole_groups(frame: Any, measure: Measure) -> Any:
    """A shuffled partition (every entry of its groups): the measure for each group, by ``vises.collect``'s kernel."""
    import pandas as pd

    from vises.records.run import Inputs, whole
    from vises.validation.derived import Categorical

    organisations, periods = _texts(frame["organisation"]), _texts(frame["period"])
    keys = np.char.add(np.char.add(organisations.astype(str), SEP), periods.astype(str))
    groups, distinct = pd.factorize(keys)
    size = len(distinct)
    if measure.statistic is Statistic.COUNT_DISTINCT:
        inputs = Inputs(groups=np.asarray(groups, dtype=np.intp), answers=Categorical.of(_texts(frame["value"])))
    else:
        inputs = Inputs(groups=np.asarray(groups, dtype=np.intp), numbers=frame["value"].to_numpy(dtype=np.float64))
    value, n, _ = whole(measure, inputs, size)
    first = np.unique(np.asarray(groups), return_index=True)[1] if size else np.empty(0, dtype=np.intp)
    return pd.DataFrame(
        {
            "organisation": organisations[first].astype(object),
            "period": periods[first].astype(object),
            "value": value,
            "n": n,
        }
    )


def whole_meta() -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "organisation": np.empty(0, dtype=object),
            "period": np.empty(0, dtype=object),
            "value": np.empty(0, dtype=np.float64),
            "n": np.empty(0, dtype=np.float64),
        }
    )


def repeated_in(frame: Any) -> Any:
    """A partition shuffled on the identifier: the (part, row) of each record whose identifier is on an earlier one."""
    import pandas as pd

    from vises.records.placement import again
    from vises.validation.derived import Categorical

    ordered = frame.sort_values(["part", "row"], kind="stable")
    codes = Categorical.of(_texts(ordered["id"])).codes
    hits = again(codes)
    return pd.DataFrame(
        {
            "part": ordered["part"].to_numpy(dtype=np.int64)[hits],
            "row": ordered["row"].to_numpy(dtype=np.int64)[hits],
        }
    )


def repeated_meta() -> Any:
    import pandas as pd

    return pd.DataFrame({"part": np.empty(0, dtype=np.int64), "row": np.empty(0, dtype=np.int64)})


def merge_keyed(a: Any, b: Any) -> Any:
    """Two partitions' keyed parts as one: entries and sums add; a mean's deviations merge by Chan's formula."""
    import pandas as pd

    if not len(a):
        return b
    if not len(b):
        return a
    index = a.index.union(b.index)
    left, right = a.reindex(index, fill_value=0.0), b.reindex(index, fill_value=0.0)
    out: dict[str, np.ndarray] = {}
    codes: dict[str, list[str]] = {}
    for column in left.columns:
        if column.startswith(ENTRIES):
            out[column] = left[column].to_numpy() + right[column].to_numpy()
        else:
            code, field = column.rsplit(SEP, 1)
            codes.setdefault(code, []).append(field)
    for code, fields in codes.items():
        merged = stats.merge_parts(
            {f: left[code + SEP + f].to_numpy() for f in fields}, {f: right[code + SEP + f].to_numpy() for f in fields}
        )
        for field, values in merged.items():
            out[code + SEP + field] = values
    return pd.DataFrame(out, index=index)[list(left.columns)]


# -- problems found in several partitions, listed as for the whole table -----------------------------------


def _kind(problem: VisesError) -> tuple[Any, ...]:
    base = problem.base if isinstance(problem, MoreRecords) else problem.message
    return (base, problem.file, problem.column, problem.hint)


def merged_problems(lists: Sequence[Sequence[VisesError]], offsets: Sequence[int]) -> list[VisesError]:
    """Each partition's problems (rows numbered within it) as ``vises.collect`` lists them for the whole table.

    A check lists its first rows one by one, then one "N more" naming the next ten; each partition
    did so for its own rows, so its first rows are known and the whole table's first ones are among
    them. Problems without a row are kept as they are, once.
    """
    kinds: dict[tuple[Any, ...], dict[str, Any]] = {}
    order: list[tuple[Any, ...] | VisesError] = []
    for problems, offset in zip(lists, offsets, strict=True):
        for problem in problems:
            if problem.row is None and not isinstance(problem, MoreRecords):
                order.append(problem)
                continue
            key = _kind(problem)
            entry = kinds.get(key)
            if entry is None:
                entry = kinds[key] = {"template": None, "rows": [], "more": 0, "sheet": problem.sheet}
                order.append(key)
            if isinstance(problem, MoreRecords):
                entry["more"] += problem.count - len(problem.shown)
                entry["rows"].extend(row + offset for row in problem.shown)
            else:
                assert problem.row is not None
                entry["template"] = entry["template"] or problem
                entry["rows"].append(problem.row + offset)
    out: list[VisesError] = []
    for item in order:
        if isinstance(item, VisesError):
            out.append(item)
            continue
        entry = kinds[item]
        rows = sorted(entry["rows"])
        base, file, column, hint = item
        out.extend(
            DataError(base, file=file, sheet=entry["sheet"], row=row, column=column, hint=hint)
            for row in rows[:MAX_ROWS_LISTED]
        )
        rest = rows[MAX_ROWS_LISTED:]
        count = len(rest) + entry["more"]
        if count:
            out.append(MoreRecords(base, count, rest[:10], file=file, column=column, hint=hint))
    return out


def placed_latest(values: Sequence[np.datetime64]) -> np.datetime64:
    """The latest of the partitions' latest dates (``NaT`` when none has any)."""
    known = [v for v in values if not np.isnat(v)]
    return max(known) if known else np.datetime64("NaT")


__all__ = [
    "ENTRIES",
    "SEP",
    "PartitionOut",
    "SourceContext",
    "ids_meta",
    "latest_of",
    "merge_keyed",
    "merged_problems",
    "placed_latest",
    "repeated_in",
    "repeated_meta",
    "run_partition",
    "values_meta",
    "whole_groups",
    "whole_meta",
]
