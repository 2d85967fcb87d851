"""The localised text of the analysis tables: words from the catalogues, numbers the language's way.

Only the ``table()`` methods use this module; the numbers themselves never depend on a language.
Words are ``analysis_*`` and ``stats_*`` keys of ``vises/locale/*.toml`` (falling back to the
report's shared words); numbers are plain (``12.3``) without a language and written with the
language's separators (babel) with one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

MISSING = "—"


def word(key: str, lang: str | None, **values: Any) -> str:
    """A table word from the catalogues (``analysis_*`` keys, else the shared report words)."""
    from vises.i18n import catalogue, check_lang, translate

    chosen = check_lang(lang)
    if f"analysis_{key}" in catalogue("en"):
        return translate(f"analysis_{key}", chosen, **values)
    return translate(key, chosen, **values)


def stats_word(key: str, lang: str | None, **values: Any) -> str:
    """A word of the data-quality tables (``stats_*`` keys)."""
    from vises.i18n import translate

    return translate(f"stats_{key}", lang or "en", **values)


def number(x: float | None, lang: str | None, digits: int = 1, *, signed: bool = False) -> str:
    """Plain ``12.3`` without a language; the language's separators (babel) with one."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING
    if lang is None:
        return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    from vises.i18n import format_number, format_signed

    return format_signed(x, lang, digits) if signed else format_number(x, lang, digits)


def rank_text(x: float, lang: str | None, *, signed: bool = False) -> str:
    """A rank (or rank shift) shown to one decimal, so 5.96 reads as 6, not "6.0"."""
    if math.isnan(x):
        return MISSING
    x = round(x, 1)
    if x == int(x):
        return f"{int(x):+d}" if signed else str(int(x))
    return number(x, lang, 1, signed=signed)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain-text table (tabulate's ``simple`` style), cells shown as given."""
    from tabulate import tabulate

    return str(tabulate(rows, headers=list(headers), tablefmt="simple", disable_numparse=True))


__all__ = ["MISSING", "number", "rank_text", "stats_word", "table", "word"]


def rank_interval_records(result: Any, names: Sequence[str]) -> list[dict[str, Any]]:
    """One plain dict per row of a rank-interval result (Monte Carlo or Sobol): organisation,
    period and the named columns, ``None`` for a missing number, the nominal rank a whole number."""
    out = []
    for i in range(len(result.organisations)):
        record: dict[str, Any] = {"organisation": str(result.organisations[i]), "period": str(result.periods[i])}
        for name in names:
            value = float(getattr(result, name)[i])
            record[name] = None if math.isnan(value) else (int(value) if name == "nominal_rank" else value)
        out.append(record)
    return out


def rank_interval_rows(result: Any, lang: str | None, *extra: Sequence[str]) -> list[list[str]]:
    """The table cells every rank-interval result shares, by period then nominal rank: who, when,
    nominal score and rank, median rank and the rank interval, then each ``extra`` column's cell."""
    import numpy as np

    order = np.lexsort((result.organisations, np.nan_to_num(result.nominal_rank, nan=np.inf), result.periods))
    return [
        [
            result.organisations[i],
            result.periods[i],
            number(result.nominal_score[i], lang),
            rank_text(result.nominal_rank[i], lang),
            rank_text(result.median_rank[i], lang),
            MISSING
            if math.isnan(result.rank_low[i])
            else f"{rank_text(result.rank_low[i], lang)}–{rank_text(result.rank_high[i], lang)}",
            *(column[i] for column in extra),
        ]
        for i in order
    ]
