"""The one order of periods: numbers by value, then dates in time, then any other text.

Periods are kept as the text the data gave (``"2019"``, ``"09"``, ``"2019-Q1"``, ``"spring"``); only
their *order* is natural, so ``9`` comes before ``10``, ``2019-02`` before ``2019-10``, and a text
label after every number and date. Equal numbers written differently (``9`` and ``09``) stay
distinct periods, ordered by their text. Every part of vises that asks "which period comes first?"
or "which is the latest?" uses ``period_key``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

import numpy as np

_SEPARATORS = re.compile("[\x1c-\x1f]")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

#: The three groups, in order.
NUMBER, DATE, TEXT = 0, 1, 2


def period_key(label: object) -> tuple[int, tuple[float, ...], str]:
    """Sort key of one period label: (group, value within the group, the text itself)."""
    text = str(label)
    stripped = text.strip()
    # str.strip() also drops the separators \x1c-\x1f, which are no spaces to float(): such a label is text.
    if _NUMBER.match(stripped) and not _SEPARATORS.search(text):
        return (NUMBER, (float(stripped),), text)
    month = _MONTH.match(stripped)
    if month and 1 <= int(month[2]) <= 12:
        return (DATE, (float(month[1]), float(month[2]), 0.0, 0.0), text)
    if _DATE.match(stripped):
        try:
            moment = datetime.fromisoformat(stripped)
        except ValueError:
            pass
        else:
            seconds = moment.hour * 3600.0 + moment.minute * 60.0 + moment.second + moment.microsecond / 1e6
            return (DATE, (float(moment.year), float(moment.month), float(moment.day), seconds), text)
    return (TEXT, (), text)


def natural_order(labels: Iterable[object]) -> list[str]:
    """The distinct labels (as text) in the natural period order."""
    return sorted({str(label) for label in labels}, key=period_key)


def latest(labels: Iterable[object]) -> str:
    """The latest of some period labels (``ValueError`` when there are none)."""
    return max((str(label) for label in labels), key=period_key)


def period_index(labels: np.ndarray, *, few: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """The distinct periods in natural order, and each row's position among them.

    A dataset has a handful of periods: one equality pass per distinct value beats sorting a
    million strings. Past ``few`` distinct values it falls back to ``np.unique``. Either way the
    order is decided on the distinct values only, never per row.
    """
    codes = np.full(len(labels), -1, dtype=np.intp)
    found: list[str] = []
    start = 0
    while True:
        pending = np.flatnonzero(codes[start:] < 0)
        if len(pending) == 0:
            break
        if len(found) == few:
            distinct, inverse = np.unique(labels, return_inverse=True)
            found = [str(value) for value in distinct.tolist()]
            codes = inverse.reshape(-1).astype(np.intp, copy=False)
            break
        start += int(pending[0])
        value = labels[start]
        codes[labels == value] = len(found)
        found.append(str(value))
    if not found:
        return np.array([], dtype=labels.dtype), codes
    order = sorted(range(len(found)), key=lambda i: period_key(found[i]))
    remap = np.empty(len(found), dtype=np.intp)
    remap[np.array(order, dtype=np.intp)] = np.arange(len(found))
    values = np.array([found[i] for i in order], dtype=labels.dtype if labels.dtype.kind == "U" else object)
    return values, remap[codes]


def period_ranks(labels: np.ndarray) -> np.ndarray:
    """Each row's position in the natural order of the distinct periods (0 = earliest)."""
    return period_index(np.asarray(labels).astype(str))[1]


__all__ = ["DATE", "NUMBER", "TEXT", "latest", "natural_order", "period_index", "period_key", "period_ranks"]
