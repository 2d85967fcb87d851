"""Records → organisation × period indicators on Dask: the same ``Dataset`` as ``vises.collect``.

1. On the client: the spec is checked and every column it names is looked up in each source's
   columns (from the frames' metadata), as ``vises.collect`` does, before any record is read.
2. For a source whose records count over an active span (``start``/``end``), a first pass finds
   the source's latest usable date (a max over the partitions): an open span ends there, whichever
   partition its record is in.
3. One pass over every partition places its records and computes, per (organisation, period) it
   touches, the parts of each decomposable statistic (count, sum, mean, share, top-box), with the
   functions ``vises.collect`` runs; the parts merge in a tree of tasks (sums add, a mean's
   deviations by Chan's formula). Count distinct and median are not decomposable: each counted
   entry's (organisation, period, value) is shuffled on the group key, and every group is then
   computed whole by the in-memory kernel. Identifiers are shuffled on their value to find a
   record repeated in another partition.
4. On the client: the merged parts are finished, rows ordered as in memory, problems listed as for
   the whole table (rows numbered across partitions), and the same warnings given once.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.dask.client import compute, require_dask
from vises.dask.records_partition import (
    ENTRIES,
    SEP,
    SourceContext,
    ids_meta,
    latest_of,
    merge_keyed,
    merged_problems,
    placed_latest,
    repeated_in,
    repeated_meta,
    run_partition,
    values_meta,
    whole_groups,
    whole_meta,
)
from vises.errors import DataError, DataValidationError, VisesError
from vises.model import Dataset, Grid
from vises.model.records import Collection, Statistic
from vises.numeric import sorted_distinct
from vises.records import statistics as stats
from vises.records.run import (
    SetApart,
    _Source,
    assemble,
    check_columns,
    dataset_what,
    join,
    resolve,
    set_apart_warning,
)
from vises.records.surveys import survey
from vises.records.tables import RecordTable

PathLike = str | os.PathLike[str]

_PARQUET = (".parquet", ".parq", ".pq")
_CSV = (".csv", ".tsv", ".txt")


@attrs.frozen(kw_only=True, eq=False)
class _Given:
    """One source's records as a dask DataFrame, and how its rows are named in messages."""

    frame: Any
    file: str | None
    first_row: int
    decimal_comma: bool = False


def collect(
    spec: Collection | Grid | PathLike,
    records: Any = None,
    *,
    grid: Grid | None = None,
    into: Dataset | None = None,
    keep_problems: bool = False,
    blocksize: str | int | None = "64MB",
) -> Dataset:
    """``vises.collect`` on Dask: per-record tables too large for memory → organisation × period values.

    ``records`` gives each source's records by name (or the records of the only source): a
    ``dask.dataframe.DataFrame``, a pandas DataFrame, or a Parquet/CSV file or folder of such files
    (read lazily; ``blocksize`` bounds a CSV partition). Without it, the files the spec names are
    read. ``spec``, ``grid``, ``into`` and ``keep_problems`` mean what they mean for
    ``vises.collect``, and the result is the same ``Dataset``: the same rows, values, n, standard
    deviations, sources, problems and warnings. Work runs on the active ``distributed`` client
    when there is one. See docs/dask.md.
    """
    require_dask("collecting records on Dask")
    collection, grid, base = resolve(spec, grid)
    given = _given(collection, records, base, blocksize)
    metas = {name: _meta_source(collection, name, one) for name, one in given.items()}
    check_columns(collection, metas)

    contexts = {
        name: SourceContext(
            collection=collection,
            spec=collection.source(name),
            file=one.file,
            first_row=one.first_row,
            decimal_comma=one.decimal_comma,
            identifier=collection.source(name).id or metas[name].survey.id,
        )
        for name, one in given.items()
    }
    contexts = _with_latest(contexts, given)
    pending: dict[str, Any] = {}
    for name, one in given.items():
        pending[name] = _source_tasks(contexts[name], one.frame, metas[name])
    (done,) = compute(pending)
    return _finish(collection, grid, contexts, done, into=into, keep_problems=keep_problems)


# -- inputs ------------------------------------------------------------------------------------------


def _given(collection: Collection, records: Any, base: Path | None, blocksize: str | int | None) -> dict[str, _Given]:
    names = [source.name for source in collection.sources]
    given: Mapping[str, Any]
    if records is None:
        given = {}
    elif isinstance(records, Mapping) and records and set(records) <= set(names):
        given = records
    elif len(names) == 1:
        given = {names[0]: records}
    else:
        raise DataError(
            f"the spec has {len(names)} sources; give their records by name",
            hint=f"records={{{', '.join(repr(name) + ': ...' for name in names)}}}",
        )
    out: dict[str, _Given] = {}
    for source in collection.sources:
        found = given.get(source.name)
        if found is None:
            if source.file is None:
                raise DataError(
                    f"no records for source {source.name!r}",
                    hint=f"give them (records={{{source.name!r}: 'folder/'}}) or set file = \"...\" in the spec",
                )
            path = Path(source.file)
            found = path if path.is_absolute() or base is None else base / path
        out[source.name] = _as_frame(found, blocksize, source.name)
    return out


def _as_frame(found: Any, blocksize: str | int | None, name: str) -> _Given:
    import dask.dataframe as dd
    import pandas as pd

    if isinstance(found, dd.DataFrame):
        return _Given(frame=found, file=None, first_row=1)
    if isinstance(found, pd.DataFrame):
        return _Given(frame=dd.from_pandas(found, npartitions=1, sort=False), file=None, first_row=1)
    if isinstance(found, (str, os.PathLike)):
        return _read(Path(found), blocksize)
    raise DataError(
        f"the records of source {name!r} on Dask are a dask DataFrame or a Parquet/CSV file or folder, "
        f"got {type(found).__name__}",
        hint="read them with dask.dataframe.read_parquet(...) or give the folder; in memory, use vises.collect",
    )


def _read(path: Path, blocksize: str | int | None) -> _Given:
    """A Parquet/CSV file, or a folder of them (one kind; rows numbered through the files in name order)."""
    import dask.dataframe as dd

    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (*_PARQUET, *_CSV))
    elif path.is_file():
        files = [path]
    else:
        raise DataError("records file or folder not found", file=str(path), hint="check the path")
    kinds = {"parquet" if p.suffix.lower() in _PARQUET else "csv" for p in files}
    if path.is_file() and path.suffix.lower() not in (*_PARQUET, *_CSV):
        raise DataError(
            f"cannot read records from {path.name!r} on Dask",
            file=str(path),
            hint="give Parquet or CSV files (an xlsx workbook fits in memory: use vises.collect)",
        )
    if not files:
        raise DataError("the folder holds no Parquet or CSV file", file=str(path), hint="give the folder of records")
    if len(kinds) > 1:
        raise DataError("the folder mixes Parquet and CSV files", file=str(path), hint="keep one format per folder")
    if kinds == {"parquet"}:
        return _Given(frame=dd.read_parquet([str(f) for f in files]), file=str(path), first_row=2)
    from vises.io.csv_data import read_header

    heads = [read_header(file) for file in files]
    first = heads[0]
    differ = [
        DataError(f"the header differs from {files[0].name}'s", file=str(file), hint="every file needs the same header")
        for file, head in zip(files[1:], heads[1:], strict=True)
        if (head.raw_cells, head.delimiter) != (first.raw_cells, first.delimiter)
    ]
    if differ:
        raise DataValidationError(differ, what=f"records folder {str(path)!r}")
    frame = dd.read_csv(
        [str(f) for f in files],
        sep=first.delimiter,
        encoding=first.encoding,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        blocksize=None if first.quoted else blocksize,
    )
    frame = frame.rename(columns={name: str(name).strip() for name in frame.columns})
    return _Given(frame=frame, file=str(path), first_row=2, decimal_comma=first.delimiter == ";")


def _meta_source(collection: Collection, name: str, one: _Given) -> _Source:
    """The source as its columns say (no record read): what the column check and the survey conventions need."""
    from vises.records.tables import from_frame

    table: RecordTable = from_frame(one.frame._meta, source=one.file)
    return _Source(spec=collection.source(name), survey=survey(table, collection.source(name).format))


# -- passes ------------------------------------------------------------------------------------------


def _with_latest(contexts: dict[str, SourceContext], given: Mapping[str, _Given]) -> dict[str, SourceContext]:
    """Each source with active spans gets its latest usable date, a max over every partition."""
    import dask

    spans = [name for name, ctx in contexts.items() if ctx.spec.start and ctx.spec.end]
    if not spans:
        return contexts
    tasks = {
        name: [dask.delayed(latest_of)(part, contexts[name]) for part in given[name].frame.to_delayed()]
        for name in spans
    }
    (found,) = compute(tasks)
    return {
        name: attrs.evolve(ctx, latest=placed_latest(found[name])) if name in found else ctx
        for name, ctx in contexts.items()
    }


def _tree(items: list[Any]) -> Any:
    import dask

    join_two = dask.delayed(merge_keyed)
    level = list(items)
    while len(level) > 1:
        level = [join_two(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0] if level else None


def _source_tasks(ctx: SourceContext, frame: Any, meta: _Source) -> dict[str, Any]:
    """The lazy work of one source: partition summaries, merged parts, shuffled groups, repeated identifiers."""
    import dask
    import dask.dataframe as dd

    parts = frame.to_delayed()
    outs = [dask.delayed(run_partition, nout=4)(part, ctx, i) for i, part in enumerate(parts)]
    tasks: dict[str, Any] = {"summaries": [out[0] for out in outs], "keyed": _tree([out[1] for out in outs])}
    wholes: dict[str, Any] = {}
    for _, measure in ctx.measures:
        if measure.statistic in stats.DECOMPOSABLE:
            continue
        entries = dd.from_delayed([out[2][measure.code] for out in outs], meta=values_meta(measure), verify_meta=False)
        groups = entries.shuffle(on=["organisation", "period"]).map_partitions(whole_groups, measure, meta=whole_meta())
        wholes[measure.code] = _gathered(groups)
    tasks["wholes"] = wholes
    if ctx.identifier is not None:
        ids = dd.from_delayed([out[3] for out in outs], meta=ids_meta(), verify_meta=False)
        tasks["repeated"] = _gathered(ids.shuffle(on="id").map_partitions(repeated_in, meta=repeated_meta()))
    return tasks


def _gathered(frame: Any) -> Any:
    """A (small) dask DataFrame as one delayed pandas frame, sharing its tasks with the pass that feeds it."""
    import dask
    import pandas as pd

    return dask.delayed(pd.concat)(frame.to_delayed(optimize_graph=False), ignore_index=True)


# -- the result --------------------------------------------------------------------------------------


def _finish(
    collection: Collection,
    grid: Grid | None,
    contexts: Mapping[str, SourceContext],
    done: Mapping[str, Mapping[str, Any]],
    *,
    into: Dataset | None,
    keep_problems: bool,
) -> Dataset:
    import pandas as pd

    from vises.model.periods import period_index

    keyed = {name: out["keyed"] for name, out in done.items() if out["keyed"] is not None and len(out["keyed"])}
    index = pd.MultiIndex.from_tuples([], names=["organisation", "period"])
    for frame in keyed.values():
        index = index.union(frame.index)
    names = np.asarray(index.get_level_values(0), dtype=object).astype(str)
    labels = np.asarray(index.get_level_values(1), dtype=object).astype(str)
    if len(index):
        period_order, _ = period_index(sorted_distinct(labels).astype(object))
        period_rank = {label: rank for rank, label in enumerate(period_order.tolist())}
        ranks = np.array([period_rank[label] for label in labels.tolist()], dtype=np.int64)
        order = np.lexsort((ranks, names))
        index = index[order]
    organisations = np.asarray(index.get_level_values(0), dtype=object).astype(str).astype(object)
    periods = np.asarray(index.get_level_values(1), dtype=object).astype(str).astype(object)
    size = len(index)
    aligned = {name: frame.reindex(index, fill_value=0.0) for name, frame in keyed.items()}

    def column(name: str, label: str) -> np.ndarray:
        frame = aligned.get(name)
        if frame is None or label not in frame.columns:
            return np.zeros(size)
        return np.asarray(frame[label].to_numpy(dtype=np.float64))

    present = {name: column(name, ENTRIES) > 0 for name in contexts}
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
    for measure in collection.measures:
        name = collection.source(measure.source).name
        if measure.statistic in stats.DECOMPOSABLE:
            fields = _FIELDS[measure.statistic]
            values[measure.code] = stats.finish(
                measure.statistic, {f: column(name, measure.code + SEP + f) for f in fields}
            )
        else:
            groups = done[name]["wholes"][measure.code]
            found = groups.set_index(["organisation", "period"]).reindex(index)
            empty = 0.0 if measure.statistic is Statistic.COUNT_DISTINCT else np.nan
            values[measure.code] = (
                found["value"].fillna(empty).to_numpy(dtype=np.float64),
                found["n"].fillna(0.0).to_numpy(dtype=np.float64),
                None,
            )
    files = {name: ctx.file for name, ctx in contexts.items()}
    found_problems = _problems(collection, contexts, done)
    for note in _notes(collection, contexts, done):
        warnings.warn(set_apart_warning(note, collection, files), stacklevel=3)
    dataset = assemble(collection, grid, organisations, periods, values, present, found_problems, files)
    if found_problems and not keep_problems:
        raise DataValidationError(found_problems, what=f"the records ({dataset_what(files)})")
    return dataset if into is None else join(into, dataset)


#: The parts of each decomposable statistic (for a source none of whose partitions has a record).
_FIELDS = {
    Statistic.COUNT: ("n",),
    Statistic.SUM: ("sum", "n", "present"),
    Statistic.MEAN: ("n", "sum", "m2"),
    Statistic.SHARE: ("hits", "n"),
    Statistic.TOP_BOX: ("hits", "n"),
}


def _offsets(done: Mapping[str, Any]) -> list[int]:
    lengths = [int(summary.length) for summary in done["summaries"]]
    offsets = [0]
    for length in lengths:
        offsets.append(offsets[-1] + length)
    return offsets


def _problems(
    collection: Collection, contexts: Mapping[str, SourceContext], done: Mapping[str, Mapping[str, Any]]
) -> list[VisesError]:
    """Every problem, in the order and the listing of ``vises.collect`` for the whole tables."""
    from vises.records.placement import repeated_problems

    found: list[VisesError] = []
    for name, ctx in contexts.items():
        out = done[name]
        offsets = _offsets(out)
        summaries = out["summaries"]
        repeated = out.get("repeated")
        if repeated is not None and len(repeated):
            rows = np.asarray(offsets, dtype=np.int64)[repeated["part"].to_numpy()] + repeated["row"].to_numpy()
            bad = np.zeros(offsets[-1], dtype=bool)
            bad[rows] = True
            table = RecordTable(columns={}, file=ctx.file, first_row=ctx.first_row)
            found.extend(repeated_problems(bad, table, str(ctx.identifier)))
        dates = [None, *(m.date for _, m in ctx.measures)]
        for date in dict.fromkeys(dates):
            phase = f"place:{date or ''}"
            found.extend(merged_problems([s.problems.get(phase, []) for s in summaries], offsets[:-1]))
    for i, measure in enumerate(collection.measures):
        name = collection.source(measure.source).name
        out = done[name]
        offsets = _offsets(out)
        found.extend(merged_problems([s.problems.get(f"measure:{i}", []) for s in out["summaries"]], offsets[:-1]))
    return found


def _notes(
    collection: Collection, contexts: Mapping[str, SourceContext], done: Mapping[str, Mapping[str, Any]]
) -> list[SetApart]:
    """Records set apart, summed over the partitions: placements' first (by source), then answers off scale."""
    totals: dict[tuple[str, str, str | None], int] = {}
    for name in contexts:
        for summary in done[name]["summaries"]:
            for note in summary.notes:
                key = (note.kind, note.key, note.date)
                totals[key] = totals.get(key, 0) + note.count
    order: list[tuple[str, str, str | None]] = []
    for name, ctx in contexts.items():
        order.append(("incomplete", name, None))
        order.extend(("outside", name, date) for date in dict.fromkeys([None, *(m.date for _, m in ctx.measures)]))
    order.extend(("off_scale", m.code, None) for m in collection.measures)
    return [
        SetApart(kind, key, totals[(kind, key, date)], date) for kind, key, date in order if (kind, key, date) in totals
    ]


__all__ = ["collect"]
