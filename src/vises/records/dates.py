"""Dates of records read once per distinct value: ISO dates and times, or day first (15/03/2019).

A register of a million trainees holds a few thousand distinct dates; each is parsed once and the
result spread back with the codes of ``Categorical``. Accepted: ISO 8601 dates and date-times
(``2019-03-15``, ``2019-03-15 10:22:01``, ``2019-03-15T10:22:01.123+02:00`` — the date as written,
whatever its time zone), and day-first dates as written in Belgium and France (``15/03/2019``,
``15.03.2019``, ``15-03-2019``). A month-first date (US style) would be misread, so a day above 12
in the second place is refused rather than guessed. Typed dates (xlsx, Parquet, a DataFrame) are
taken as they are.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from vises.validation.derived import Categorical

_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(text: str) -> dt.date | None:
    """One date, or ``None`` when the text is no date vises reads."""
    cleaned = text.strip()
    if not cleaned:
        return None
    match = _DAY_FIRST.match(cleaned)
    if match:
        try:
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(cleaned.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def parse_dates(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(dates, bad)``: the column as ``datetime64[D]`` (``NaT`` where empty or not a date) and the
    mask of cells that hold something that is not a date."""
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return array.astype("datetime64[D]"), np.zeros(len(array), dtype=bool)
    if array.dtype.kind == "f":
        # Numbers are not dates (an Excel serial number read as text has lost its meaning).
        return np.full(len(array), np.datetime64("NaT"), dtype="datetime64[D]"), ~np.isnan(array)
    categorical = Categorical.of(array)
    parsed = [parse_date(str(text)) for text in categorical.categories.tolist()]
    table = np.array(
        [np.datetime64(day, "D") if day is not None else np.datetime64("NaT") for day in parsed]
        + [np.datetime64("NaT")],
        dtype="datetime64[D]",
    )
    failed = np.array([day is None for day in parsed] + [False], dtype=bool)
    return table[categorical.codes], failed[categorical.codes]


__all__ = ["parse_date", "parse_dates"]
