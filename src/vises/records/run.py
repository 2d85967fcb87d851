"""Records → organisation × period values: the collection spec applied to its tables, column-wise.

``collect`` reads each source's table (``tables``), applies its survey conventions
(``surveys``), checks that every column the spec names exists (all at once), places every record
in its organisation and periods (``placement``), then computes each measure for every
(organisation, period) at once (``statistics``: ``np.bincount`` and one sort; no loop over
records or groups) and keeps its ``n``, its source and, for a mean, the standard deviation, as the
column's ``Evidence``. The result is a ``Dataset`` in the wide layout, ready to score or to join
into the values a centre reported (``into=``).

A row of the result is an (organisation, period) in which some source has a record. Where a
source has no record at all for a row, its measures are missing there; where it has records but
none passes the filter, a count or a sum is 0 and a mean or a share has no value (``n = 0``).
Records that could not be placed are problems (raised together, or kept with
``keep_problems=True``); records set apart on purpose — a LimeSurvey response never completed,
a period outside ``periods``, an answer outside a top-box ``scale`` — are counted in a
``DataWarning``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.errors import DataError, DataValidationError, DataWarning, GridValidationError, VisesError, did_you_mean
from vises.model import Column, Dataset, Evidence, Grid, Kind
from vises.model.formula import Formula, Name, parse, walk
from vises.model.periods import period_index
from vises.model.records import Collection, Measure, RecordSource, Statistic
from vises.numeric import sorted_distinct
from vises.records import statistics as stats
from vises.records.placement import Placed, place, repeated_ids
from vises.records.surveys import Survey, survey
from vises.records.tables import RecordTable, read_records
from vises.validation.collection import collection_problems
from vises.validation.derived import Categorical, evaluate

PathLike = str | os.PathLike[str]


@attrs.frozen(kw_only=True, eq=False)
class _Source:
    spec: RecordSource
    survey: Survey

    @property
    def table(self) -> RecordTable:
        return self.survey.table


def _tables(collection: Collection, records: Any, base: Path | None) -> dict[str, _Source]:
    """Each source's table: from ``records`` (a mapping by source name, or the one table), else its ``file``."""
    given: Mapping[str, Any]
    if records is None:
        given = {}
    elif isinstance(records, Mapping) and set(records) <= {s.name for s in collection.sources} and records:
        given = records
    elif len(collection.sources) == 1:
        given = {collection.sources[0].name: records}
    else:
        raise DataError(
            f"the spec has {len(collection.sources)} sources; give their records by name",
            hint=f"records={{{', '.join(repr(s.name) + ': ...' for s in collection.sources)}}}",
        )
    unknown = set(given) - {source.name for source in collection.sources}
    if unknown:  # pragma: no cover - filtered above
        raise DataError(f"records given for unknown sources {', '.join(sorted(unknown))}")
    out: dict[str, _Source] = {}
    for source in collection.sources:
        found = given.get(source.name)
        if found is None:
            if source.file is None:
                raise DataError(
                    f"no records for source {source.name!r}",
                    hint=f"give them (records={{{source.name!r}: 'file.csv'}}) or set file = \"...\" in the spec",
                )
            path = Path(source.file)
            found = path if path.is_absolute() or base is None else base / path
        table = read_records(found, sheet=source.sheet)
        out[source.name] = _Source(spec=source, survey=survey(table, source.format))
    return out


def _names_of(text: str | None) -> list[tuple[str, Formula]]:
    if text is None:
        return []
    formula = parse(text)
    return [(node.name, formula) for node in walk(formula.tree) if isinstance(node, Name)]


def _column_problems(collection: Collection, sources: Mapping[str, _Source]) -> list[VisesError]:
    """Every column the spec names that its table does not have, at once."""
    problems: list[VisesError] = []

    def need(source: _Source, name: str | None, what: str, path: str) -> None:
        if name is None or name in source.table.columns:
            return
        problems.append(
            DataError(
                f"the records have no {what} {name!r} (named by the spec at {path})",
                file=source.table.file,
                column=name,
                hint=did_you_mean(name, source.table.columns)
                or f"its columns: {', '.join(list(source.table.columns)[:30])}",
            )
        )

    for i, spec in enumerate(collection.sources):
        source = sources[spec.name]
        need(source, spec.organisation, "organisation column", f"sources[{i}].organisation")
        for key in ("period", "date", "start", "end", "id"):
            need(source, getattr(spec, key), f"{key} column", f"sources[{i}].{key}")
        if not (spec.period or spec.date or spec.start) and source.survey.date is None:
            problems.append(
                DataError(
                    f"the {spec.format.value} export has none of the usual submission-date columns",
                    file=source.table.file,
                    hint='name the date column in the spec: date = "..."',
                )
            )
    for i, measure in enumerate(collection.measures):
        source = sources[collection.source(measure.source).name]
        need(source, measure.column, "column", f"measures[{i}].column")
        need(source, measure.date, "date column", f"measures[{i}].date")
        for key in ("filter", "condition"):
            for name, _ in _names_of(getattr(measure, key)):
                need(source, name, "column", f"measures[{i}].{key}")
    return problems


class _Columns:
    """A table's columns as the statistics need them, each converted once: text factorised, numbers parsed."""

    def __init__(self, table: RecordTable, problems: list[VisesError]) -> None:
        self.table = table
        self.problems = problems
        self._categorical: dict[str, Categorical] = {}
        self._numbers: dict[str, np.ndarray] = {}
        self._bad: dict[str, np.ndarray] = {}
        self._reported: dict[str, np.ndarray] = {}

    def categorical(self, name: str) -> Categorical:
        if name not in self._categorical:
            values = self.table.column(name)
            if values.dtype.kind == "f":
                from vises.records.placement import coded

                codes, categories = coded(values)
                self._categorical[name] = Categorical(codes=codes, categories=categories)
            else:
                self._categorical[name] = Categorical.of(values)
        return self._categorical[name]

    def numbers(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The column as numbers, and the cells that hold something that is not a number."""
        if name not in self._numbers:
            values = self.table.column(name)
            if values.dtype.kind == "f":
                self._numbers[name] = values
                self._bad[name] = np.zeros(len(values), dtype=bool)
            elif values.dtype.kind == "M":
                raise DataError(f"column {name!r} holds dates, not numbers", file=self.table.file, column=name)
            else:
                from vises.io.cells import Place, parse_numbers

                categorical = self.categorical(name)
                place = Place(file=self.table.file, column=name, first_row=self.table.first_row, sheet=self.table.sheet)
                text = np.array([str(c) for c in categorical.categories.tolist()], dtype=object)
                parsed = parse_numbers(text, decimal_comma=self.table.decimal_comma, place=place)
                table = np.append(np.asarray(parsed.values, dtype=np.float64), np.nan)
                bad_categories = np.isnan(table[:-1]) & np.array([bool(str(c).strip()) for c in text], dtype=bool)
                if parsed.not_applicable is not None:
                    bad_categories &= ~np.asarray(parsed.not_applicable, dtype=bool)
                self._numbers[name] = table[categorical.codes]
                self._bad[name] = np.append(bad_categories, False)[categorical.codes]
        return self._numbers[name], self._bad[name]

    def report(self, name: str, bad: np.ndarray) -> None:
        """Cells of ``name`` that are not numbers, among the records a measure uses (each cell once)."""
        from vises.records.placement import record_problems

        seen = self._reported.setdefault(name, np.zeros(len(self.table), dtype=bool))
        fresh = bad & ~seen
        if fresh.any():
            seen |= fresh
            self.problems.extend(record_problems(fresh, self.table, name, "the cell is not a number", "write a number"))

    def resolve(self, name: str) -> Any:
        values = self.table.column(name)
        if values.dtype.kind == "f":
            return values
        if values.dtype.kind == "M":
            raise DataError(
                f"column {name!r} holds dates; a filter compares numbers and texts",
                file=self.table.file,
                column=name,
                hint="place records in periods with the source's date or start/end instead",
            )
        return self.categorical(name)


def _condition(text: str | None, columns: _Columns) -> np.ndarray | None:
    if text is None:
        return None
    return evaluate(parse(text), columns.resolve, len(columns.table))


@attrs.frozen
class SetApart:
    """Records set apart on purpose, counted for a warning: ``kind`` is ``incomplete`` (LimeSurvey
    responses never completed; ``key`` the source), ``outside`` (periods outside ``periods``; ``key``
    the source, ``date`` the measure's date column) or ``off_scale`` (top-box answers outside the
    scale; ``key`` the measure's code)."""

    kind: str
    key: str
    count: int
    date: str | None = None


def set_apart_warning(note: SetApart, collection: Collection, files: Mapping[str, str | None]) -> DataWarning:
    """The warning for records set apart (``files``: each source's file, when it has one)."""
    if note.kind == "incomplete":
        return DataWarning(
            f"{note.count} response(s) of {files.get(note.key) or note.key!r} were never completed "
            "(no submit date) and are not counted"
        )
    if note.kind == "outside":
        spec = collection.source(note.key)
        return DataWarning(
            f"{note.count} record(s) of source {note.key!r} fall outside the periods "
            f"the spec asks for ({', '.join(spec.periods)}) and are not counted there"
        )
    measure = next(m for m in collection.measures if m.code == note.key)
    where = files.get(collection.source(measure.source).name) or "the records"
    return DataWarning(
        f"{note.count} answer(s) of column {measure.column!r} in {where!r} are not in "
        f"the scale of {measure.code!r} ({', '.join(measure.scale)}) and are left out of its n"
    )


def kept(source: _Source, notes: list[SetApart]) -> np.ndarray | None:
    """The records of ``source`` that count (LimeSurvey: completed responses), noting those set apart."""
    complete = source.survey.complete
    if complete is not None and not complete.all():
        notes.append(SetApart("incomplete", source.spec.name, int((~complete).sum())))
    return complete


def placements(
    collection: Collection,
    source: _Source,
    keep: np.ndarray | None,
    found: list[VisesError],
    notes: list[SetApart],
    *,
    latest: np.datetime64 | None = None,
    by_date: dict[str | None, list[VisesError]] | None = None,
) -> dict[str | None, Placed]:
    """``source``'s records placed by its own rule (key ``None``) and by each of its measures' dates.

    Problems go to ``found``, or to ``by_date`` (one list per placement) when given.
    """
    spec = source.spec
    default_date = None if (spec.period or spec.date or spec.start) else source.survey.date
    out: dict[str | None, Placed] = {}
    for date in (None, *(m.date for m in collection.measures if collection.source(m.source).name == spec.name)):
        if date in out:
            continue
        into = found if by_date is None else by_date.setdefault(date, [])
        out[date] = place(spec, source.table, keep=keep, date=date or default_date, problems=into, latest=latest)
        if out[date].outside:
            notes.append(SetApart("outside", spec.name, out[date].outside, date))
    return out


def collect(
    spec: Collection | Grid | PathLike,
    records: Any = None,
    *,
    grid: Grid | None = None,
    into: Dataset | None = None,
    keep_problems: bool = False,
) -> Dataset:
    """Turn per-record tables into one row per organisation and period, with each value's evidence.

    ``spec`` is a ``Collection``, a grid holding one (``Grid.collection``), or a spec file (TOML,
    YAML, JSON; see docs/records.md). ``records`` gives each source's table by name (a file path,
    a DataFrame, a mapping of columns), or the table itself when there is one source; a source
    may also name its ``file`` in the spec (relative to the spec file). ``grid`` checks what the
    measures fill (a grid given as ``spec`` is used). ``into`` joins the values into a dataset of
    reported values: its rows are kept, rows only the records have are added, and a column the
    two both give is a problem, never overwritten.
    """
    collection, grid, base = resolve(spec, grid)
    sources = _tables(collection, records, base)
    check_columns(collection, sources)

    found: list[VisesError] = []
    notes: list[SetApart] = []
    placed: dict[tuple[str, str | None], Placed] = {}
    for name, source in sources.items():
        keep = kept(source, notes)
        identifier = source.spec.id or source.survey.id
        if identifier is not None:
            found.extend(repeated_ids(source.table, identifier, keep))
        for date, placement in placements(collection, source, keep, found, notes).items():
            placed[(name, date)] = placement
    files = {name: source.table.file for name, source in sources.items()}
    for note in notes:
        warnings.warn(set_apart_warning(note, collection, files), stacklevel=2)
    organisations, periods, lookups = _rows(placed)
    size = len(organisations)
    entry_rows = {key: _groups(placement, lookups[key]) for key, placement in placed.items()}
    present = {name: np.bincount(entry_rows[(name, None)], minlength=size)[:size] > 0 for name in sources}
    columns = {name: _Columns(source.table, found) for name, source in sources.items()}
    values: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
    for measure in collection.measures:
        name = collection.source(measure.source).name
        key = (name, measure.date)
        inputs = measure_inputs(measure, placed[key], entry_rows[key], columns[name], sources[name].table)
        if inputs.outside:
            warnings.warn(
                set_apart_warning(SetApart("off_scale", measure.code, inputs.outside), collection, files), stacklevel=2
            )
        if measure.statistic in stats.DECOMPOSABLE:
            values[measure.code] = stats.finish(measure.statistic, parts(measure, inputs, size))
        else:
            values[measure.code] = whole(measure, inputs, size)
    dataset = assemble(collection, grid, organisations, periods, values, present, found, files)
    if found and not keep_problems:
        raise DataValidationError(found, what=f"the records ({dataset_what(files)})")
    return dataset if into is None else join(into, dataset)


def dataset_what(files: Mapping[str, str | None]) -> str:
    return ", ".join(file or name for name, file in files.items())


def assemble(
    collection: Collection,
    grid: Grid | None,
    organisations: np.ndarray,
    periods: np.ndarray,
    values: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    present: Mapping[str, np.ndarray],
    found: list[VisesError],
    files: Mapping[str, str | None],
) -> Dataset:
    """The collected ``Dataset``: each measure's value and evidence where its source has records."""
    size = len(organisations)
    dataset_columns: dict[str, Column] = {}
    evidence: dict[str, Evidence] = {}
    for measure in collection.measures:
        spec = collection.source(measure.source)
        value, n, sd = values[measure.code]
        here = present[spec.name]
        dataset_columns[measure.code] = Column(values=np.where(here, value, np.nan), unit=_unit(measure, grid))
        kind = np.full(size, None, dtype=object)
        kind[here] = spec.evidence_source
        verified = None
        if spec.verified is not None:
            verified = np.full(size, None, dtype=object)
            verified[here] = spec.verified
        evidence[measure.code] = Evidence(
            n=np.where(here, n, np.nan),
            source=kind,
            verified=verified,
            sd=None if sd is None else np.where(here, sd, np.nan),
            statistic=measure.statistic.value,
        )
    return Dataset(
        organisations=organisations,
        periods=periods,
        columns=dataset_columns,
        evidence=evidence,
        source=f"records ({dataset_what(files)})",
        read_problems=tuple(found),
    )


def check_columns(collection: Collection, sources: Mapping[str, _Source]) -> None:
    """Every column the spec names is in its table; else every one missing, at once."""
    column_problems = _column_problems(collection, sources)
    if column_problems:
        raise DataValidationError(column_problems, what="the records")


def resolve(spec: Collection | Grid | PathLike, grid: Grid | None) -> tuple[Collection, Grid | None, Path | None]:
    """The spec (checked), the grid it feeds, and the folder its files are relative to."""
    collection, grid, base = _resolve(spec, grid)
    problems = collection_problems(collection, grid=grid)
    if problems:
        raise GridValidationError(problems, what="the collection spec")
    return collection, grid, base


def _resolve(spec: Collection | Grid | PathLike, grid: Grid | None) -> tuple[Collection, Grid | None, Path | None]:
    if isinstance(spec, Collection):
        return spec, grid, None
    if isinstance(spec, Grid):
        if spec.collection is None:
            raise GridValidationError(
                [DataError(f"grid {spec.code!r} has no collection spec", hint="add [[collection.sources]] to it")],
                what=f"grid {spec.code!r}",
            )
        return spec.collection, spec, None
    from vises.records.spec import read_collection

    path = Path(spec)
    return read_collection(path), grid, path.parent


def _rows(placements: Mapping[Any, Placed]) -> tuple[np.ndarray, np.ndarray, dict[Any, Any]]:
    """Every (organisation, period) some placement has, organisations by code then periods in natural order.

    Returns the row keys and, per placement, the table from its (organisation code, period code)
    pairs to a row (built on the distinct codes only, then one gather per entry).
    """
    names: list[str] = []
    labels: list[str] = []
    name_index: dict[str, int] = {}
    label_index: dict[str, int] = {}
    maps: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    for key, placed in placements.items():
        org_map = np.array(
            [name_index.setdefault(str(x), len(name_index)) for x in placed.organisation_names.tolist()], dtype=np.int64
        )
        per_map = np.array(
            [label_index.setdefault(str(x), len(label_index)) for x in placed.period_labels.tolist()], dtype=np.int64
        )
        maps[key] = (org_map, per_map)
    names = list(name_index)
    labels = list(label_index)
    period_order, _ = period_index(np.array(labels, dtype=object)) if labels else (np.array([], dtype=object), None)
    period_rank = {str(label): rank for rank, label in enumerate(period_order.tolist())}
    name_rank = {name: rank for rank, name in enumerate(sorted(names))}
    org_ranks = np.array([name_rank[name] for name in names], dtype=np.int64)
    per_ranks = np.array([period_rank[label] for label in labels], dtype=np.int64)
    width = max(len(labels), 1)
    keys = []
    for key, placed in placements.items():
        org_map, per_map = maps[key]
        if len(placed.records):
            keys.append(
                sorted_distinct(org_ranks[org_map[placed.organisations]] * width + per_ranks[per_map[placed.periods]])
            )
    distinct = sorted_distinct(np.concatenate(keys)) if keys else np.array([], dtype=np.int64)
    sorted_names = np.array(sorted(names), dtype=object)
    organisations = sorted_names[distinct // width] if len(distinct) else np.array([], dtype=object)
    periods = period_order[distinct % width] if len(distinct) else np.array([], dtype=object)
    lookups = {key: (org_ranks[maps[key][0]], per_ranks[maps[key][1]], width, distinct) for key in placements}
    return organisations.astype(object), periods.astype(object), lookups


def _groups(placed: Placed, lookup: tuple[np.ndarray, np.ndarray, int, np.ndarray]) -> np.ndarray:
    """Each entry's row of the result."""
    org_ranks, per_ranks, width, distinct = lookup
    keys = org_ranks[placed.organisations] * width + per_ranks[placed.periods]
    rows: np.ndarray = np.searchsorted(distinct, keys).astype(np.intp)
    return rows


@attrs.frozen(kw_only=True, eq=False)
class Inputs:
    """What one measure's statistic reads, per entry: its group (``-1``: not counted) and its value."""

    groups: np.ndarray
    numbers: np.ndarray | None = None
    answers: Categorical | None = None
    #: 1/0/NaN per entry (a share's condition, a top-box answer among the top levels).
    condition: np.ndarray | None = None
    #: Counted top-box answers outside the scale.
    outside: int = 0


def measure_inputs(
    measure: Measure, placed: Placed, entry_rows: np.ndarray, columns: _Columns, table: RecordTable
) -> Inputs:
    """The groups (after the filter) and values one measure reads; cells that are not numbers are problems."""
    records = placed.records
    groups = entry_rows
    chosen = _condition(measure.filter, columns)
    if chosen is not None:
        groups = np.where(chosen[records] == 1.0, entry_rows, -1)
    statistic = measure.statistic
    if statistic is Statistic.COUNT:
        return Inputs(groups=groups)
    if statistic is Statistic.SHARE:
        condition = _condition(measure.condition, columns)
        assert condition is not None
        return Inputs(groups=groups, condition=condition[records])
    assert measure.column is not None
    if statistic in (Statistic.COUNT_DISTINCT, Statistic.TOP_BOX):
        answers = columns.categorical(measure.column)
        picked = Categorical(codes=answers.codes[records], categories=answers.categories)
        if statistic is Statistic.COUNT_DISTINCT:
            return Inputs(groups=groups, answers=picked)
        condition, outside = stats.top_box_condition(groups, picked, measure.top, measure.scale)
        return Inputs(groups=groups, condition=condition, outside=outside)
    all_numbers, bad = columns.numbers(measure.column)
    if bad.any():
        used = np.zeros(len(table), dtype=bool)
        used[records[groups >= 0]] = True
        columns.report(measure.column, bad & used)
    return Inputs(groups=groups, numbers=all_numbers[records])


def parts(measure: Measure, inputs: Inputs, size: int) -> stats.Parts:
    """A decomposable statistic's parts for every group (``stats.DECOMPOSABLE``)."""
    statistic, groups = measure.statistic, inputs.groups
    if statistic is Statistic.COUNT:
        return stats.count_parts(groups, size)
    if statistic in (Statistic.SHARE, Statistic.TOP_BOX):
        assert inputs.condition is not None
        return stats.share_parts(groups, inputs.condition, size)
    assert inputs.numbers is not None
    if statistic is Statistic.SUM:
        return stats.total_parts(groups, inputs.numbers, size)
    return stats.mean_parts(groups, inputs.numbers, size)


def whole(measure: Measure, inputs: Inputs, size: int) -> tuple[np.ndarray, np.ndarray, None]:
    """Count distinct or median, from every record of each group at once."""
    if measure.statistic is Statistic.COUNT_DISTINCT:
        assert inputs.answers is not None
        value, n = stats.count_distinct(inputs.groups, inputs.answers, size)
    else:
        assert inputs.numbers is not None
        value, n = stats.median(inputs.groups, inputs.numbers, size)
    return value, n, None


def _unit(measure: Measure, grid: Grid | None) -> str | None:
    """The unit of a measure's column (percent for a share); none for a mean filling a scale (it is in
    the scale's scores)."""
    if grid is not None:
        indicator = grid.index.indicator_by_code.get(measure.code)
        if indicator is not None and indicator.kind is Kind.SCALE:
            return None
    if measure.statistic in (Statistic.SHARE, Statistic.TOP_BOX):
        return "percent"
    return measure.unit or None


def _keys(dataset: Dataset) -> np.ndarray:
    organisations = np.asarray(dataset.organisations).astype(str)
    periods = np.asarray(dataset.periods).astype(str)
    return np.char.add(np.char.add(organisations, "\x00"), periods)


def _reindexed(values: np.ndarray, positions: np.ndarray, size: int) -> np.ndarray:
    if values.dtype.kind in "fiu":
        out = np.full(size, np.nan)
    elif values.dtype.kind == "b":
        out = np.zeros(size, dtype=bool)
    else:
        out = np.full(size, None, dtype=object)
    out[positions] = values
    return out


def join(base: Dataset, extra: Dataset) -> Dataset:
    """``extra``'s columns added to ``base``: rows matched by (organisation, period), new rows appended.

    A column (or an indicator's evidence) that both give is a problem: one value must not silently
    replace another. Rows and everything else of ``base`` (texts, attributes, framing) are kept.
    """
    clashes = [
        DataError(
            f"column {code!r} is given by {base.source or 'the reported data'!r} and computed from the records; "
            "it was not overwritten",
            column=code,
            hint="drop it from one of them",
        )
        for code in extra.columns
        if code in base.columns or code in base.evidence
    ]
    if clashes:
        raise DataValidationError(clashes, what="the join of the records into the reported data")
    base_keys, extra_keys = _keys(base), _keys(extra)
    new = ~np.isin(extra_keys, base_keys)
    size = len(base) + int(new.sum())
    order = {key: index for index, key in enumerate(base_keys.tolist())}
    positions = np.empty(len(extra), dtype=np.intp)
    positions[new] = len(base) + np.arange(int(new.sum()))
    old = np.flatnonzero(~new)
    positions[old] = [order[key] for key in extra_keys[old].tolist()]
    every = np.arange(len(base))

    def grow(values: np.ndarray) -> np.ndarray:
        return _reindexed(np.asarray(values), every, size)

    columns: dict[str, Column] = {
        code: Column(
            values=grow(column.values),
            unit=column.unit,
            not_applicable=None if column.not_applicable is None else grow(column.not_applicable),
        )
        for code, column in base.columns.items()
    }
    for code, column in extra.columns.items():
        columns[code] = Column(values=_reindexed(np.asarray(column.values), positions, size), unit=column.unit)
    evidence = {code: _grown(ev, every, size) for code, ev in base.evidence.items()}
    evidence.update({code: _grown(ev, positions, size) for code, ev in extra.evidence.items()})
    organisations = np.concatenate([np.asarray(base.organisations, dtype=object), extra.organisations[new]])
    periods = np.concatenate([np.asarray(base.periods, dtype=object), extra.periods[new]])
    return Dataset(
        organisations=organisations,
        periods=periods,
        columns=columns,
        text={key: grow(values) for key, values in base.text.items()},
        attributes={key: grow(values) for key, values in base.attributes.items()},
        organisation_profiles=base.organisation_profiles,
        evaluations=base.evaluations,
        source=base.source,
        read_problems=(*base.read_problems, *extra.read_problems),
        evidence=evidence,
    )


def _grown(evidence: Evidence, positions: np.ndarray, size: int) -> Evidence:
    def field(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else _reindexed(np.asarray(values), positions, size)

    return Evidence(
        n=field(evidence.n),
        source=field(evidence.source),
        verified=field(evidence.verified),
        sd=field(evidence.sd),
        statistic=evidence.statistic,
    )


__all__ = [
    "Inputs",
    "SetApart",
    "assemble",
    "check_columns",
    "collect",
    "dataset_what",
    "join",
    "kept",
    "measure_inputs",
    "parts",
    "placements",
    "resolve",
    "set_apart_warning",
    "whole",
]
