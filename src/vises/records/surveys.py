"""Survey exports, one row per submission: KoboToolbox, ODK Central and LimeSurvey conventions.

Each tool names its columns its own way. KoboToolbox writes questions inside a group as
``group/question`` and adds ``_submission_time``, ``_uuid``, ``_id``; ODK Central writes
``group-question`` and ``SubmissionDate``, ``meta-instanceID``, ``KEY``; LimeSurvey writes
``id``, ``submitdate`` (empty for a response never completed), ``startdate``, ``lastpage``. This
module gives each format's defaults — the date that places a submission in a period, the
identifier that may not repeat — and makes every question reachable by its bare name when that
name is unique (``satisfaction`` for ``feedback/satisfaction``); the full name always works.
LimeSurvey's incomplete responses are set apart and counted, never scored as answers.
"""

from __future__ import annotations

import attrs
import numpy as np

from vises.model.records import RecordFormat
from vises.records.tables import RecordTable

#: Per format: the columns tried, in order, for the submission date and for the submission id.
DATE_COLUMNS = {
    RecordFormat.KOBO: ("_submission_time", "end", "today"),
    RecordFormat.ODK: ("SubmissionDate", "end", "today"),
    RecordFormat.LIMESURVEY: ("submitdate",),
}
ID_COLUMNS = {
    RecordFormat.KOBO: ("_uuid", "_id", "meta/instanceID"),
    RecordFormat.ODK: ("meta-instanceID", "KEY", "instanceID"),
    RecordFormat.LIMESURVEY: ("id",),
}
#: How each format joins a group and a question in a header.
GROUP_SEPARATORS = {RecordFormat.KOBO: "/", RecordFormat.ODK: "-"}


@attrs.frozen(kw_only=True, eq=False)
class Survey:
    """A records table as its format lays it out: aliases added, the default date and id, the complete rows."""

    table: RecordTable
    date: str | None
    id: str | None
    #: Rows that are submissions to count (LimeSurvey: those with a submit date); ``None``: all.
    complete: np.ndarray | None


def first_present(table: RecordTable, candidates: tuple[str, ...]) -> str | None:
    return next((name for name in candidates if name in table.columns), None)


def with_aliases(table: RecordTable, separator: str) -> RecordTable:
    """Every ``group<sep>question`` also reachable as ``question`` when no other column ends the same way."""
    bare: dict[str, list[str]] = {}
    for name in table.columns:
        if separator in name:
            bare.setdefault(name.rsplit(separator, 1)[1], []).append(name)
    extra = {
        short: table.columns[names[0]]
        for short, names in bare.items()
        if len(names) == 1 and short and short not in table.columns
    }
    if not extra:
        return table
    return attrs.evolve(table, columns={**table.columns, **extra})


def survey(table: RecordTable, format: RecordFormat) -> Survey:
    """The table read with the conventions of ``format`` (a plain table is left as it is)."""
    if format is RecordFormat.TABLE:
        return Survey(table=table, date=None, id=None, complete=None)
    separator = GROUP_SEPARATORS.get(format)
    if separator is not None:
        table = with_aliases(table, separator)
    date = first_present(table, DATE_COLUMNS[format])
    complete = None
    if format is RecordFormat.LIMESURVEY and date is not None:
        values = np.asarray(table.columns[date])
        complete = ~np.isnat(values) if values.dtype.kind == "M" else np.asarray(values != None, dtype=bool)  # noqa: E711
        if values.dtype.kind == "O":
            complete &= np.asarray(values != "", dtype=bool)
    return Survey(table=table, date=date, id=first_present(table, ID_COLUMNS[format]), complete=complete)


__all__ = ["DATE_COLUMNS", "GROUP_SEPARATORS", "ID_COLUMNS", "Survey", "first_present", "survey", "with_aliases"]
