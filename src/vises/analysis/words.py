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
