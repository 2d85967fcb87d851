"""Which organisation and period each record counts for: a period column, a date, or a span of activity.

A record is placed once per period it counts in. With a ``period`` column that is its label; with
a ``date`` it is the calendar period holding the date (``vises.model.calendar``: year, half,
quarter, month); with ``start`` and ``end`` it is every period from the one holding the start to
the one holding the end (a trainee in training from October 2018 to March 2019 counts in 2018 and
2019), an empty end meaning still active up to the latest date of the source. The expansion is one
``np.repeat``: no loop over records. Every record that cannot be placed (no organisation, no
date, an end before its start) is a problem naming its row; nothing is left out silently.
"""

from __future__ import annotations

import attrs
import numpy as np

from vises.errors import DataError, VisesError
from vises.model.calendar import label_ordinal, ordinal_labels, period_ordinals
from vises.model.records import RecordSource
from vises.numeric import sorted_distinct
from vises.records.dates import parse_dates
from vises.records.tables import RecordTable
from vises.validation.columns import listed_rows, numeric_text
from vises.validation.derived import Categorical


@attrs.frozen(kw_only=True, eq=False)
class Placed:
    """Records placed in (organisation, period): one entry per record and period it counts in."""

    #: The record of each entry (an index into the table).
    records: np.ndarray
    #: Each entry's organisation and period, as codes into ``organisation_names`` and ``period_labels``.
    organisations: np.ndarray
    periods: np.ndarray
    organisation_names: np.ndarray
    period_labels: np.ndarray
    #: Records left out on purpose (outside ``periods``), counted for the summary.
    outside: int = 0
    #: The latest date of the table's own usable records (starts and ends; spans only, else ``NaT``).
    latest: np.datetime64 = attrs.field(factory=lambda: np.datetime64("NaT"))


class MoreRecords(DataError):
    """ "N more records: ..." after the first rows listed; keeps the count and rows so lists can merge."""

    def __init__(self, base: str, count: int, shown: list[int], **where: object) -> None:
        rows = ", ".join(map(str, shown)) + (", ..." if count > len(shown) else "")
        super().__init__(f"{count} more records: {base} (rows {rows})", **where)  # type: ignore[arg-type]
        self.base = base
        self.count = count
        self.shown = shown


def record_problems(
    bad: np.ndarray, table: RecordTable, column: str, message: str, hint: str | None = None
) -> list[VisesError]:
    def problem(row: int) -> VisesError:
        return DataError(
            message, file=table.file, sheet=table.sheet, row=row + table.first_row, column=column, hint=hint
        )

    def more(count: int, shown: list[int]) -> VisesError:
        return MoreRecords(message, count, shown, file=table.file, column=column, hint=hint)

    return listed_rows(np.flatnonzero(bad), problem, first_row=table.first_row, more=more)


def coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes into the distinct texts of a column (``-1``: missing) and those texts; numbers as their digits."""
    if values.dtype.kind == "f":
        present = ~np.isnan(values)
        distinct, inverse = np.unique(values[present], return_inverse=True)
        codes = np.full(len(values), -1, dtype=np.int64)
        codes[present] = inverse.reshape(-1)
        return codes, numeric_text(distinct).astype(object)
    categorical = Categorical.of(values)
    return categorical.codes, categorical.categories


def place(
    source: RecordSource,
    table: RecordTable,
    *,
    keep: np.ndarray | None = None,
    date: str | None = None,
    problems: list[VisesError],
    latest: np.datetime64 | None = None,
) -> Placed:
    """Place the records of ``table`` (those in ``keep``) by ``source``'s rule, or by ``date`` when given.

    An open span runs to ``latest`` when given (the whole source's latest date, when ``table`` is
    one partition of it), else to the latest date of ``table``'s own usable records.
    """
    n = len(table)
    usable = np.ones(n, dtype=bool) if keep is None else keep.copy()
    org_codes, org_names = coded(table.column(source.organisation, what="organisation column"))
    missing = usable & (org_codes < 0)
    if missing.any():
        problems.extend(
            record_problems(
                missing, table, source.organisation, "the record names no organisation", "fill in the organisation"
            )
        )
    usable &= org_codes >= 0
    calendar = source.calendar.value

    if date is None and source.period:
        period_codes, labels = coded(table.column(source.period, what="period column"))
        bad = usable & (period_codes < 0)
        if bad.any():
            problems.extend(
                record_problems(bad, table, source.period, "the record has no period", "fill in the period")
            )
        usable &= period_codes >= 0
        rows = np.flatnonzero(usable)
        outside = 0
        if source.periods:
            wanted = np.isin(labels.astype(str), np.array(source.periods, dtype=str))
            inside = wanted[period_codes[rows]]
            outside = int(np.count_nonzero(~inside))
            rows = rows[inside]
        return Placed(
            records=rows,
            organisations=org_codes[rows],
            periods=period_codes[rows],
            organisation_names=org_names,
            period_labels=labels,
            outside=outside,
        )

    start_column = date or source.date or source.start
    if start_column is None:  # pragma: no cover - the spec check asks for a rule
        raise DataError(f"source {source.name!r} does not say how a record's period is found")
    first_dates, first_bad = parse_dates(table.column(start_column, what="date column"))
    # A measure's own date places only the records that have it (no exit date: not an exit yet).
    empty = np.isnat(first_dates) & ~first_bad
    _date_problems(first_bad, empty if date is None else np.zeros_like(empty), usable, table, start_column, problems)
    usable &= ~np.isnat(first_dates)
    first = period_ordinals(first_dates, calendar)
    last = first
    own_latest = np.datetime64("NaT")
    if date is None and source.start and source.end:
        end_dates, end_bad = parse_dates(table.column(source.end, what="end date column"))
        bad = usable & end_bad
        if bad.any():
            problems.extend(
                record_problems(bad, table, source.end, "the end date is not a date", "write 2019-03-15 or 15/03/2019")
            )
        usable &= ~end_bad
        backwards = usable & ~np.isnat(end_dates) & (end_dates < first_dates)
        if backwards.any():
            problems.extend(record_problems(backwards, table, source.end, "the record ends before it starts"))
        usable &= ~backwards
        # An open end runs to the latest date the source knows (a start or an end).
        known = np.concatenate([first_dates[usable], end_dates[usable & ~np.isnat(end_dates)]])
        own_latest = known.max() if len(known) else np.datetime64("NaT")
        ends = np.where(np.isnat(end_dates), own_latest if latest is None else latest, end_dates)
        last = period_ordinals(ends.astype("datetime64[D]"), calendar)
    rows = np.flatnonzero(usable)
    lengths = (last[rows] - first[rows] + 1).astype(np.int64)
    records = np.repeat(rows, lengths)
    offsets = np.repeat(np.cumsum(lengths) - lengths, lengths)
    ordinals = first[records] + (np.arange(len(records)) - offsets)
    outside = 0
    if source.periods:
        wanted_ordinals = np.array([label_ordinal(label, calendar) for label in source.periods], dtype=np.int64)
        inside = np.isin(ordinals, wanted_ordinals)
        outside = len(sorted_distinct(records[~inside])) if (~inside).any() else 0
        records, ordinals = records[inside], ordinals[inside]
    distinct, period_codes = np.unique(ordinals, return_inverse=True)
    return Placed(
        records=records,
        organisations=org_codes[records],
        periods=period_codes.reshape(-1).astype(np.int64),
        organisation_names=org_names,
        period_labels=ordinal_labels(distinct, calendar),
        outside=outside,
        latest=own_latest,
    )


def _date_problems(
    bad: np.ndarray, empty: np.ndarray, usable: np.ndarray, table: RecordTable, column: str, found: list[VisesError]
) -> None:
    if (bad & usable).any():
        found.extend(
            record_problems(
                bad & usable, table, column, "the cell is not a date", "write 2019-03-15 (or 15/03/2019, day first)"
            )
        )
    if (empty & usable).any():
        found.extend(record_problems(empty & usable, table, column, "the record has no date", "fill in the date"))


def identifiers(table: RecordTable, column: str, keep: np.ndarray | None) -> Categorical:
    """The identifier of each record (code ``-1``: none, or a record not counted)."""
    values = Categorical.of(table.column(column, what="identifier column"))
    return values if keep is None else Categorical(codes=np.where(keep, values.codes, -1), categories=values.categories)


def again(codes: np.ndarray) -> np.ndarray:
    """The positions whose code (``>= 0``) is on an earlier position too."""
    present = np.flatnonzero(codes >= 0)
    order = present[np.argsort(codes[present], kind="stable")]
    ordered = codes[order]
    found: np.ndarray = order[1:][ordered[1:] == ordered[:-1]]
    return found


def repeated_problems(bad: np.ndarray, table: RecordTable, column: str) -> list[VisesError]:
    return record_problems(
        bad, table, column, "this identifier is already on an earlier record", "keep each record once"
    )


def repeated_ids(table: RecordTable, column: str, keep: np.ndarray | None) -> list[VisesError]:
    """Records whose identifier appeared on an earlier record (a submission counted twice)."""
    bad = np.zeros(len(table), dtype=bool)
    bad[again(identifiers(table, column, keep).codes)] = True
    return repeated_problems(bad, table, column)


__all__ = [
    "MoreRecords",
    "Placed",
    "again",
    "coded",
    "identifiers",
    "place",
    "record_problems",
    "repeated_ids",
    "repeated_problems",
]
