"""The collection spec: how per-record tables become organisation × period indicators.

A centre keeps one row per trainee (entry and exit dates, exit status, hours followed) and a survey
export has one row per submission. A ``Collection`` declares, once, how such tables are turned into
the one-row-per-organisation-and-period values a grid scores: for each **source** which column
names the organisation and how a record's period is found (a period column, a date, or a span of
dates during which the record counts in every period it touches), and for each **measure** the
statistic that makes one value of an indicator (count, count distinct, sum, mean, median, share,
top-box share), over which records (``filter``), with its ``n`` kept. It sits in a grid file
(``[[collection.sources]]``, ``[[collection.measures]]``) or in a file of its own. The work is
``vises.collect`` (package ``vises.records``); these classes hold the declaration only.
"""

from __future__ import annotations

import enum

import attrs


class Statistic(enum.StrEnum):
    """What one measure computes from the records of an organisation and period."""

    COUNT = "count"  #: records (that pass the filter)
    COUNT_DISTINCT = "count_distinct"  #: distinct values of ``column`` (a trainee with two paths counts once)
    SUM = "sum"  #: sum of ``column``
    MEAN = "mean"  #: mean of ``column`` (its standard deviation kept, for an interval)
    MEDIAN = "median"  #: median of ``column``
    SHARE = "share"  #: share (percent) of records where ``condition`` holds, among those where it is known
    TOP_BOX = "top_box"  #: share (percent) of answers of ``column`` among the ``top`` levels (top-2 box)


class Calendar(enum.StrEnum):
    """The periods a date falls in: the labels vises's period calendar reads back (``vises.model.calendar``)."""

    YEAR = "year"  #: 2019
    HALF = "half"  #: 2019-H1
    QUARTER = "quarter"  #: 2019-Q3
    MONTH = "month"  #: 2019-07


class RecordFormat(enum.StrEnum):
    """How a records file is laid out: a plain table, or a survey tool's export (one row per submission)."""

    TABLE = "table"
    KOBO = "kobo"  #: KoboToolbox: ``_submission_time``, ``_uuid``; groups as ``group/question``
    ODK = "odk"  #: ODK Central: ``SubmissionDate``, ``meta-instanceID``; groups as ``group-question``
    LIMESURVEY = "limesurvey"  #: LimeSurvey: ``submitdate`` (empty: an incomplete response), ``id``


#: The evidence source a records source gives its values.
SOURCE_KINDS = ("records", "survey")


@attrs.frozen(kw_only=True)
class RecordSource:
    """One per-record table: where its organisation and period are.

    Exactly one of ``period`` (a column holding the period label, e.g. the year), ``date`` (a
    column of dates: the period is the calendar period containing it) or ``start`` (a column of
    dates, with ``end``: the record counts in every period from the one holding ``start`` to the
    one holding ``end``; an empty end means still active, up to the latest date in the source) is
    needed; a survey format supplies its own submission date. ``periods`` keeps only those
    periods. ``id`` names a record identifier that may not repeat. ``kind`` is the evidence
    source its values get (``records`` or ``survey``; a survey format defaults to ``survey``).
    """

    name: str
    organisation: str
    format: RecordFormat = attrs.field(default=RecordFormat.TABLE, converter=RecordFormat)
    kind: str | None = None
    file: str | None = None
    period: str | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
    calendar: Calendar = attrs.field(default=Calendar.YEAR, converter=Calendar)
    periods: tuple[str, ...] = ()
    id: str | None = None
    verified: bool | None = None
    sheet: str | None = None

    @property
    def evidence_source(self) -> str:
        if self.kind is not None:
            return self.kind
        return "records" if self.format is RecordFormat.TABLE else "survey"


@attrs.frozen(kw_only=True)
class Measure:
    """One indicator value per organisation and period, computed from one source's records.

    ``code`` is the indicator (or dataset column) it fills; ``column`` the record column the
    statistic reads (not needed by ``count`` and ``share``); ``filter`` an expression over record
    columns choosing the records (``exit_status == "employment"``); ``condition`` the expression a
    ``share`` counts; ``top`` the answers a ``top_box`` counts and ``scale`` every valid answer
    (others are refused); ``date`` a date column that places each record in a period for this
    measure only (exits counted in the year they happened); ``unit`` the unit of ``column``'s
    values (minutes, hours) or of a count (``person``).
    """

    code: str
    statistic: Statistic = attrs.field(converter=Statistic)
    source: str | None = None
    column: str | None = None
    filter: str | None = None
    condition: str | None = None
    top: tuple[str, ...] = ()
    scale: tuple[str, ...] = ()
    date: str | None = None
    unit: str | None = None


@attrs.frozen(kw_only=True)
class Collection:
    """Record sources and the measures computed from them (``grid``: the grid they feed, in a file of their own)."""

    sources: tuple[RecordSource, ...] = ()
    measures: tuple[Measure, ...] = ()
    grid: str | None = None

    def source(self, name: str | None) -> RecordSource:
        """The source called ``name`` (the only one, when ``name`` is ``None``); ``KeyError`` when absent."""
        if name is None and len(self.sources) == 1:
            return self.sources[0]
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


__all__ = ["SOURCE_KINDS", "Calendar", "Collection", "Measure", "RecordFormat", "RecordSource", "Statistic"]
