"""The report's own words in French, Dutch and English, and numbers and dates in each language.

Grid labels come from the grid (``Results.label``); this module holds everything else a report
says ("Score", "Coverage", "Median"...). The catalogues live in ``vises/locale/<lang>.toml`` inside
the package, so the wheel ships them, and are read with ``importlib.resources``. A word missing in
the requested language falls back to English and says so (``"Score [en]"``); a word missing
everywhere shows its key in brackets. Nothing is ever left blank.

An unknown language is a ``ConfigError``: a report quietly written in the wrong language is worse
than no report. Babel (the ``html`` extra) formats numbers and dates and is imported only when a
number or a date is actually formatted.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import tomllib
from importlib import resources
from typing import Any

from vises.errors import ConfigError, MissingDependencyError

#: Languages a report can be written in.
LANGUAGES: tuple[str, ...] = ("fr", "nl", "en")
#: Where a missing word is looked up next.
FALLBACK: str = "en"
#: What a missing number looks like in a human-readable report.
MISSING = "—"


def check_lang(lang: str | None, *, default: str = FALLBACK) -> str:
    """Return ``lang`` (or ``default`` when it is ``None``), refusing a language vises cannot write."""
    chosen = default if lang is None else str(lang).strip().lower()
    if chosen not in LANGUAGES:
        raise ConfigError(
            f"unknown report language {lang!r}; vises writes reports in {', '.join(LANGUAGES)}",
            hint="pass --lang fr, --lang nl or --lang en (docs/languages.md explains how to add one)",
        )
    return chosen


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The words of one language, as a flat ``key -> text`` mapping (read once, then cached)."""
    lang = check_lang(lang)
    source = resources.files("vises").joinpath("locale", f"{lang}.toml")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read the {lang!r} word catalogue: {error}", file=str(source)) from error
    words = data.get("words", {})
    return {str(key): str(text) for key, text in words.items()}


@functools.cache
def babel_locale(lang: str) -> str:
    """The babel locale used for numbers and dates in ``lang`` (``fr_BE``, ``nl_BE``, ``en_GB``)."""
    lang = check_lang(lang)
    source = resources.files("vises").joinpath("locale", f"{lang}.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    return str(data.get("meta", {}).get("locale", lang))


def translate(key: str, lang: str | None = None, **values: Any) -> str:
    """The word ``key`` in ``lang``; falls back to English visibly, and to ``[key]`` when unknown.

    ``values`` fill ``{name}`` placeholders in the text.
    """
    lang = check_lang(lang)
    text = catalogue(lang).get(key)
    if not text:
        english = catalogue(FALLBACK).get(key)
        text = f"{english} [{FALLBACK}]" if english else f"[{key}]"
    return text.format(**values) if values else text


def _babel(module: str) -> Any:
    import importlib

    try:
        loaded = importlib.import_module(f"babel.{module}")
    except ImportError as error:  # pragma: no cover - babel is installed with the html extra
        raise MissingDependencyError("babel", "html", "formatting numbers and dates for a language") from error
    return loaded


def format_number(x: float | None, lang: str | None = None, digits: int = 1) -> str:
    """``x`` with ``digits`` decimals and the language's separators (``1 234,5`` in French)."""
    if x is None or math.isnan(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(_babel("numbers").format_decimal(float(x), format=pattern, locale=babel_locale(check_lang(lang))))


def format_signed(x: float | None, lang: str | None = None, digits: int = 1) -> str:
    """A change, always with its sign (``+2,5``, ``−1,0``), so a rise and a fall read apart."""
    if x is None or math.isnan(x):
        return MISSING
    pattern = "+#,##0" + ("." + "0" * digits if digits > 0 else "")
    pattern += ";-" + pattern[1:]
    return str(_babel("numbers").format_decimal(float(x), format=pattern, locale=babel_locale(check_lang(lang))))


def format_percent(x: float | None, lang: str | None = None, digits: int = 0) -> str:
    """A share between 0 and 1 as a percentage in the language's style (``45 %`` in French)."""
    if x is None or math.isnan(x):
        return MISSING
    numbers = _babel("numbers")
    locale = babel_locale(check_lang(lang))
    pattern = numbers.Locale.parse(locale).percent_formats[None].pattern
    if digits > 0:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return str(numbers.format_percent(float(x), format=pattern, locale=locale))


def format_date(d: _dt.date | _dt.datetime | str | None, lang: str | None = None) -> str:
    """A date (or an ISO date/datetime string) written the way the language writes dates."""
    if d is None or d == "":
        return MISSING
    if isinstance(d, str):
        try:
            d = _dt.datetime.fromisoformat(d)
        except ValueError as error:
            raise ConfigError(f"{d!r} is not an ISO date", hint="write dates as YYYY-MM-DD") from error
    if isinstance(d, _dt.datetime):
        d = d.date()
    return str(_babel("dates").format_date(d, format="long", locale=babel_locale(check_lang(lang))))
