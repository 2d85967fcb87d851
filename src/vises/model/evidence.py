"""What backs a value: how many answers or records (``n``), where it comes from, whether it was checked.

A share agreeing among 5 respondents is not the same fact as one among 240. A dataset may carry,
per indicator column, an ``Evidence`` record of whole columns: the sample size, the source
(``records``, ``survey``, ``self-declared``, ``external``), whether the value was verified, and for
a mean of answers the standard deviation of those answers. Templates collect them, CSV files give
them as ``<code>.n`` / ``<code>.source`` / ``<code>.verified`` / ``<code>.sd`` columns, the
records step produces them; reports turn them into an interval and a small-sample flag
(``EvidencePolicy`` of the grid).
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

#: Where a value comes from.
SOURCES = ("records", "survey", "self-declared", "external")
#: The evidence a template may collect for an indicator (``Indicator.evidence``).
COLLECTED = ("n", "source", "verified")
#: Every evidence column a data file may carry, as ``<code>.<field>``.
FIELDS = ("n", "source", "verified", "sd")
#: How the records step computed a value (``Evidence.statistic``): decides which interval applies.
SHARE_STATISTICS = ("share", "top_box")
MEAN_STATISTICS = ("mean",)


def _read_only(values: Any) -> np.ndarray | None:
    if values is None:
        return None
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.flags.writeable:
        array = array.view()
        array.flags.writeable = False
    return array


@attrs.frozen(kw_only=True, eq=False)
class Evidence:
    """The evidence of one indicator column, row by row (each field ``None`` when not given at all).

    ``n``: float64, ``NaN`` where unknown. ``source``: object array of ``SOURCES`` entries (``None``
    where not said). ``verified``: object array of ``True``/``False``/``None``. ``sd``: float64, the
    standard deviation of the answers behind a mean. ``statistic`` says how the records step made
    the value (``share``, ``mean``, ...; ``None`` for a value reported as such).
    """

    n: np.ndarray | None = attrs.field(default=None, converter=_read_only)
    source: np.ndarray | None = attrs.field(default=None, converter=_read_only)
    verified: np.ndarray | None = attrs.field(default=None, converter=_read_only)
    sd: np.ndarray | None = attrs.field(default=None, converter=_read_only)
    statistic: str | None = None

    def __repr__(self) -> str:
        given = [name for name in FIELDS if getattr(self, name) is not None]
        statistic = f", statistic {self.statistic!r}" if self.statistic else ""
        return f"<Evidence: {', '.join(given) or 'nothing'}{statistic}>"

    def __len__(self) -> int:
        for name in FIELDS:
            value = getattr(self, name)
            if value is not None:
                return len(value)
        return 0

    def take(self, rows: np.ndarray) -> Evidence:
        """The evidence of some rows (for a dataset cut or reordered the same way)."""
        cut = {name: None if getattr(self, name) is None else getattr(self, name)[rows] for name in FIELDS}
        return Evidence(**cut, statistic=self.statistic)


@attrs.frozen(kw_only=True)
class EvidencePolicy:
    """How a grid judges evidence: below ``small_n`` answers a value is flagged; intervals at ``confidence``."""

    small_n: int = 30
    confidence: float = 0.95


__all__ = ["COLLECTED", "FIELDS", "MEAN_STATISTICS", "SHARE_STATISTICS", "SOURCES", "Evidence", "EvidencePolicy"]
