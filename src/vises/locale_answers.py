"""What babel answers for a locale — number symbols, grouping, the percent pattern, the long date —
kept in vises' cache directory (``vises.cache``) so that a run writing numbers imports no babel.

Importing babel and loading one locale's data costs about 40 ms, more than the rest of a
30-row report; the answers used are a dozen short strings. They depend only on babel's version and
the locale, which name the entry. An entry is checked field by field before use; anything else
means babel is asked again (and the entry rewritten).

The long date is written without babel when its pattern uses only days, months and years (``d``,
``dd``, ``M``, ``MM``, ``MMMM``, ``y``, ``yyyy`` and quoted text), as every language vises ships
does; any other pattern is left to babel. Tests check both against babel itself.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from typing import Any

from vises import cache

#: The answers kept for a locale, with their types.
_TEXT_FIELDS = ("decimal", "group", "minus", "plus", "percent_prefix", "percent_suffix", "date_long")
_NUMBER_FIELDS = ("primary", "secondary")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.+-]{1,64}$")
_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")


@functools.cache
def answers(locale: str) -> dict[str, Any]:
    """babel's answers for ``locale`` (``fr_BE``), from the cache when it holds them."""
    version = _babel_version()
    name = f"babel-{version}-{locale}.json" if _SAFE_NAME.match(version) and _SAFE_NAME.match(locale) else None
    if name is not None:
        kept = cache.read_json(name)
        if _valid(kept):
            return dict(kept)
    found = _ask_babel(locale)
    if name is not None:
        cache.write_json(name, found)
    return found


def long_date(day: _dt.date, locale: str) -> str | None:
    """``day`` in the locale's long format, or ``None`` when its pattern needs babel."""
    found = answers(locale)
    out: list[str] = []
    for match in _TOKEN.finditer(found["date_long"]):
        token = match.group(0)
        if token.startswith("'"):
            out.append(token[1:-1].replace("''", "'") if len(token) > 2 else "'")
        elif match.group(1) is None:
            out.append(token)
        elif token in ("d", "dd"):
            out.append(f"{day.day:0{len(token)}d}")
        elif token in ("M", "MM"):
            out.append(f"{day.month:0{len(token)}d}")
        elif token == "MMMM":
            out.append(found["months"][day.month - 1])
        elif token == "y":
            out.append(str(day.year))
        elif token == "yyyy":
            out.append(f"{day.year:04d}")
        else:
            return None
    return "".join(out)


def _valid(kept: Any) -> bool:
    if not isinstance(kept, dict) or set(kept) != {*_TEXT_FIELDS, *_NUMBER_FIELDS, "months"}:
        return False
    months = kept["months"]
    return (
        all(isinstance(kept[field], str) and len(kept[field]) <= 64 for field in _TEXT_FIELDS)
        and all(type(kept[field]) is int and 0 < kept[field] < 10 for field in _NUMBER_FIELDS)
        and isinstance(months, list)
        and len(months) == 12
        and all(isinstance(month, str) and 0 < len(month) <= 64 for month in months)
    )


def _babel_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("babel")
    except PackageNotFoundError:  # babel vendored or installed oddly: ask it directly
        import babel

        return str(babel.__version__)


def _ask_babel(locale: str) -> dict[str, Any]:
    from babel import Locale
    from babel.numbers import parse_pattern

    found = Locale.parse(locale)
    symbols = found.number_symbols["latn"]
    percent = parse_pattern(found.percent_formats[None].pattern)
    grouping = found.decimal_formats[None].grouping
    sign = str(symbols["percentSign"])
    wide = found.months["format"]["wide"]
    return {
        "decimal": str(symbols["decimal"]),
        "group": str(symbols["group"]),
        "minus": str(symbols["minusSign"]),
        "plus": str(symbols["plusSign"]),
        "primary": int(grouping[0]),
        "secondary": int(grouping[1]),
        "percent_prefix": str(percent.prefix[0]).replace("%", sign),
        "percent_suffix": str(percent.suffix[0]).replace("%", sign),
        "date_long": str(found.date_formats["long"].pattern),
        "months": [str(wide[month]) for month in range(1, 13)],
    }


__all__ = ["answers", "long_date"]
