"""The period calendar: period labels as spans of calendar time, and dates placed in periods.

vises keys rows by a period label. An exchange format (the CIDS export, ``xsd:dateTime``) needs
when a period began and ended; the records step needs the reverse, the period a dated record falls
in (``period_ordinals``, ``ordinal_labels``: a whole column of dates at once). Both use this one
calendar. The labels understood, each mapped to its first and last second (local time, no time
zone):

===================  =========================================  ==========================================
label                meaning                                    span
===================  =========================================  ==========================================
``2019``             a calendar year                            2019-01-01T00:00:00 – 2019-12-31T23:59:59
``2019-03``          a month                                    2019-03-01T00:00:00 – 2019-03-31T23:59:59
``2019-Q2``          a quarter                                  2019-04-01T00:00:00 – 2019-06-30T23:59:59
``2019-H2``, ``S2``  a half-year (semester)                     2019-07-01T00:00:00 – 2019-12-31T23:59:59
``2019-03-15``       a day                                      2019-03-15T00:00:00 – 2019-03-15T23:59:59
``2019-09-01/2020-08-31``  an ISO 8601 interval of two dates    2019-09-01T00:00:00 – 2020-08-31T23:59:59
===================  =========================================  ==========================================

A school or financial year that is not the calendar year is written as an interval. Anything else
is refused, naming the period, rather than guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable

import numpy as np

from vises.errors import ConfigError

_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_HALF = re.compile(r"^(\d{4})-?[HS]([12])$", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_INTERVAL = re.compile(r"^(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$")

FORMS = "2019 (a year), 2019-03, 2019-Q2, 2019-H2 (or S2), 2019-03-15, or 2019-09-01/2020-08-31"

Span = tuple[dt.datetime, dt.datetime]


def _months(year: int, first: int, last: int) -> Span:
    end_day = calendar.monthrange(year, last)[1]
    return dt.datetime(year, first, 1), dt.datetime(year, last, end_day, 23, 59, 59)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _whole_days(first: dt.date, last: dt.date) -> Span:
    return dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time(23, 59, 59))


def period_span(period: str) -> Span:
    """The first and last second of ``period``; a ``ConfigError`` naming it when it is none of the forms."""
    text = str(period).strip()
    backwards = False
    try:
        if match := _YEAR.match(text):
            return _months(int(match[1]), 1, 12)
        if match := _MONTH.match(text):
            month = int(match[2])
            if 1 <= month <= 12:
                return _months(int(match[1]), month, month)
        elif match := _QUARTER.match(text):
            quarter = int(match[2])
            return _months(int(match[1]), 3 * quarter - 2, 3 * quarter)
        elif match := _HALF.match(text):
            half = int(match[2])
            return _months(int(match[1]), 6 * half - 5, 6 * half)
        elif _DAY.match(text):
            day = _day(text)
            return _whole_days(day, day)
        elif match := _INTERVAL.match(text):
            first, last = _day(match[1]), _day(match[2])
            if first <= last:
                return _whole_days(first, last)
            backwards = True
    except ValueError:  # an impossible date such as 2019-02-30
        pass
    if backwards:
        raise ConfigError(f"period {period!r} ends before it starts", hint="write the interval as start/end")
    raise ConfigError(f"period {period!r} is not a calendar period vises can date", hint=f"write periods as {FORMS}")


def period_spans(periods: Iterable[str]) -> dict[str, Span]:
    """``period_span`` of each distinct period; every period that cannot be dated is named at once."""
    spans: dict[str, Span] = {}
    bad: list[str] = []
    for period in dict.fromkeys(str(p) for p in periods):
        try:
            spans[period] = period_span(period)
        except ConfigError:
            bad.append(period)
    if bad:
        listed = ", ".join(repr(p) for p in bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise ConfigError(f"periods {listed} are not calendar periods vises can date", hint=f"write periods as {FORMS}")
    return spans


def xsd_datetime(moment: dt.datetime) -> str:
    """``2019-12-31T23:59:59``: an ``xsd:dateTime`` lexical form (no time zone: local time)."""
    return moment.isoformat(timespec="seconds")


# -- dates into periods (the records step) ---------------------------------------------------------

#: Periods per year of each calendar a dated record can be placed in (``vises.model.records.Calendar``).
PER_YEAR = {"year": 1, "half": 2, "quarter": 4, "month": 12}


def period_ordinals(dates: np.ndarray, calendar_name: str) -> np.ndarray:
    """The period of each date as a whole number that counts periods (``year * per_year + index``).

    ``dates`` is a ``datetime64`` array (``NaT`` gives ``-1``); consecutive periods have
    consecutive ordinals, so "every period from the entry to the exit" is a range of integers.
    """
    per_year = PER_YEAR[calendar_name]
    days = np.asarray(dates).astype("datetime64[D]")
    missing = np.isnat(days)
    months = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    years = months // 12 + 1970
    month = months % 12
    ordinals = years * per_year + month * per_year // 12
    return np.where(missing, -1, ordinals)


def ordinal_labels(ordinals: np.ndarray, calendar_name: str) -> np.ndarray:
    """Period labels (``2019``, ``2019-H2``, ``2019-Q3``, ``2019-07``) of ordinals, each distinct one formatted once."""
    per_year = PER_YEAR[calendar_name]
    values = np.asarray(ordinals, dtype=np.int64)
    distinct, inverse = np.unique(values, return_inverse=True)
    texts = []
    for ordinal in distinct.tolist():
        year, index = divmod(int(ordinal), per_year)
        if calendar_name == "year":
            texts.append(f"{year}")
        elif calendar_name == "half":
            texts.append(f"{year}-H{index + 1}")
        elif calendar_name == "quarter":
            texts.append(f"{year}-Q{index + 1}")
        else:
            texts.append(f"{year}-{index + 1:02d}")
    return np.array(texts, dtype=object)[inverse.reshape(-1)]


def label_ordinal(label: str, calendar_name: str) -> int:
    """The ordinal of one period label of ``calendar_name`` (a ``ConfigError`` naming it when it is none)."""
    first, last = period_span(label)
    start = period_ordinals(np.array([first], dtype="datetime64[s]"), calendar_name)[0]
    end = period_ordinals(np.array([last], dtype="datetime64[s]"), calendar_name)[0]
    if start != end:
        raise ConfigError(
            f"period {label!r} is not one {calendar_name} of the calendar",
            hint=f"write {calendar_name} periods as {EXAMPLES[calendar_name]}",
        )
    return int(start)


#: How each calendar writes its periods.
EXAMPLES = {"year": "2019", "half": "2019-H2", "quarter": "2019-Q3", "month": "2019-07"}
