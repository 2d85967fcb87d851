"""The words vises writes in French, Dutch and English, and numbers and dates in each language.

Grid labels come from the grid (``Results.label``); this module holds everything else vises says:
the reports' words, SROI, analysis and statistics tables, data-collection templates, the starter
labels of a new plugin. There is **one catalogue per language**, ``vises/locale/<lang>.toml``
(package data, read with ``importlib.resources``), and **one lookup**, ``translate(key, lang)``.
A catalogue's ``[words]`` table holds the reports' own words; every other table prefixes its keys
with its name (``[sroi] total_inputs`` is looked up as ``sroi_total_inputs``). A word missing in the
requested language falls back to English and says so (``"Score [en]"``); a word missing everywhere
shows its key in brackets. Nothing is ever left blank.

``format_number`` is the one number formatter: a scalar gives a string, a column (any sequence or
numpy array) gives a list of strings, formatted with whole-array numpy operations after the
language's babel pattern, taken once per language and kept in vises' cache directory
(``vises.locale_answers``), so a warm run imports no babel. An unknown language is a
``ConfigError``: a report quietly written in the wrong language is worse than no report.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import tomllib
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any, overload

import attrs

from vises.cache import parsed
from vises.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: Languages vises writes.
LANGUAGES: tuple[str, ...] = ("fr", "nl", "en")
#: Where a missing word is looked up next.
FALLBACK: str = "en"
#: What a missing number looks like in a human-readable report (machine formats leave the cell empty).
MISSING = "—"
#: The catalogue table whose keys are not prefixed.
_PLAIN_TABLE = "words"


def check_lang(lang: str | None, *, default: str = FALLBACK) -> str:
    """Return ``lang`` (or ``default`` when it is ``None``), refusing a language vises cannot write."""
    chosen = default if lang is None else str(lang).strip().lower()
    if chosen not in LANGUAGES:
        raise ConfigError(
            f"unknown report language {lang!r}; vises writes reports in {', '.join(LANGUAGES)}",
            hint='pass lang="fr", lang="nl" or lang="en" (docs/languages.md explains how to add one)',
        )
    return chosen


@functools.cache
def _document(lang: str) -> dict[str, Any]:
    source = resources.files("vises").joinpath("locale", f"{lang}.toml")
    try:
        found: dict[str, Any] = parsed("toml", source.read_text(encoding="utf-8"), tomllib.loads)
        return found
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read the {lang!r} word catalogue: {error}", file=str(source)) from error


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every word of one language as a flat ``key -> text`` mapping (read once, then cached)."""
    data = _document(check_lang(lang))
    words: dict[str, str] = {}
    for table, entries in data.items():
        if table == "meta" or not isinstance(entries, dict):
            continue
        prefix = "" if table == _PLAIN_TABLE else f"{table}_"
        words.update({f"{prefix}{key}": str(text) for key, text in entries.items()})
    return words


def babel_locale(lang: str) -> str:
    """The babel locale used for numbers and dates in ``lang`` (``fr_BE``, ``nl_BE``, ``en_GB``)."""
    lang = check_lang(lang)
    return str(_document(lang).get("meta", {}).get("locale", lang))


def colon(lang: str | None = None) -> str:
    """What joins a label to its value: ``": "``, and in French a no-break space before the colon."""
    return str(_document(check_lang(lang)).get("meta", {}).get("colon", ": "))


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


# -- labels of codes: stakeholder groups, units -------------------------------------------------

#: Splits a compound unit into its parts and the operators between them (``hour / FTE``).
_UNIT_PARTS = re.compile(r"(\s*/\s*|\s*\*\s*|\s+per\s+)")


def _declared(labels: Mapping[str, str] | None, lang: str) -> str | None:
    """The declared label in ``lang``; a label given as one plain text (``und``) in any language."""
    if not labels:
        return None
    if labels.get(lang):
        return labels[lang]
    if set(labels) == {"und"}:
        return labels["und"]
    return None


def _other_language(labels: Mapping[str, str] | None) -> str | None:
    """A declared label in another language, marked with it (``Trainees [en]``), never passed off."""
    for other in (FALLBACK, *LANGUAGES, *(labels or {})):
        if labels and labels.get(other):
            return f"{labels[other]} [{other}]"
    return None


def code_label(section: str, code: str, lang: str | None = None, labels: Mapping[str, str] | None = None) -> str:
    """A code's label: the one declared for it in ``lang`` (a grid's or a value map's), else vises's
    own word (``[<section>] <code>`` in the catalogue), else a declared label in another language
    (marked ``[en]``), else the code as written."""
    lang = check_lang(lang)
    declared = _declared(labels, lang)
    if declared:
        return declared
    word = catalogue(lang).get(f"{section}_{code}")
    if word:
        return word
    return _other_language(labels) or code


def stakeholder_label(code: str, lang: str | None = None, labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A stakeholder group in words (``trainees`` → "Stagiaires"): ``labels`` are the grid's or the
    value map's declared labels by code; vises's catalogue names the common groups."""
    return code_label("stakeholder", code, lang, (labels or {}).get(code))


def unit_parts(unit: str) -> list[str]:
    """The unit names of a unit expression (``hour / FTE`` → ``["hour", "FTE"]``)."""
    return [part.strip() for part in _UNIT_PARTS.split(unit)[::2] if part.strip()]


def unit_label(
    unit: str | None, lang: str | None = None, labels: Mapping[str, Mapping[str, str]] | None = None
) -> str | None:
    """A unit for display, part by part (``hour / FTE`` → "heures / ETP"): a part's declared label
    (``labels``, e.g. a plugin grid's ``unit_labels``), else vises's word, else the part as written."""
    if not unit:
        return unit
    table = labels or {}
    parts = _UNIT_PARTS.split(unit)
    return "".join(
        part if position % 2 else code_label("unit", part, lang, table.get(part)) for position, part in enumerate(parts)
    )


def method_label(method: str, lang: str | None = None) -> str:
    """A data-collection method of an evaluation in words ("focus group" → "Groupe de discussion").

    Methods are stored under their canonical names (``vises.io.evaluations.METHODS``); ``other: x``
    reads "Autre : x" and anything else is shown as written.
    """
    lang = check_lang(lang)
    word = catalogue(lang).get("method_" + method.strip().replace(" ", "_"))
    if word:
        return word
    head, sep, rest = method.partition(":")
    if sep and head.strip().lower() == "other":
        return f"{translate('method_other', lang)}{colon(lang)}{rest.strip()}"
    return method


# -- numbers ---------------------------------------------------------------------------------


@attrs.frozen
class _Style:
    """A language's number symbols and percent pattern, taken from babel once."""

    decimal: str
    group: str
    minus: str
    plus: str
    primary: int
    secondary: int
    percent_prefix: str
    percent_suffix: str


@functools.cache
def _style(lang: str) -> _Style:
    from vises.locale_answers import answers

    found = answers(babel_locale(lang))
    return _Style(
        decimal=found["decimal"],
        group=found["group"],
        minus=found["minus"],
        plus=found["plus"],
        primary=found["primary"],
        secondary=found["secondary"],
        percent_prefix=found["percent_prefix"],
        percent_suffix=found["percent_suffix"],
    )


#: Above this magnitude (scaled by the decimals) float64 no longer holds every integer exactly.
_EXACT = 2.0**52


def _decimal_round(value: float, digits: int) -> float:
    """``value`` × 10**digits rounded half-even on its shortest decimal repr (what a reader sees)."""
    return float(Decimal(repr(value)).scaleb(digits).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _codes(text: str) -> list[int]:
    return [ord(char) for char in text]


def _format_array(
    values: np.ndarray, style: _Style, digits: int, *, signed: bool, percent: bool, grouping: bool, missing: str
) -> list[str]:
    """Whole-array formatting: digits, separators and signs laid out as a character matrix."""
    import numpy as np

    data = np.asarray(values, dtype=np.float64).ravel()
    if percent:
        data = data * 100.0
    finite = np.isfinite(data)
    magnitude = np.abs(np.where(finite, data, 0.0))
    scale = 10.0**digits
    scaled = magnitude * scale
    rounded = np.rint(scaled)
    # A value a hair below or above a tie (2.675 is 2.67499999...) rounds as its decimal text does.
    tie = finite & (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) & (scaled < _EXACT)
    for index in np.flatnonzero(tie).tolist():
        rounded[index] = _decimal_round(float(magnitude[index]), digits)
    huge = finite & (rounded >= _EXACT)
    rounded[huge] = 0.0
    whole = (rounded // scale).astype(np.int64)
    fraction = (rounded - whole * scale).astype(np.int64)
    negative = (data < 0) & (rounded > 0)

    powers = 10 ** np.arange(1, 19, dtype=np.int64)
    ndigits = 1 + np.searchsorted(powers, whole, side="right")
    width = int(ndigits.max()) if len(ndigits) else 1
    # Place of each integer digit from the right, counting the separators to its right; a group
    # starting at digit k has its separator just right of it, at place(k) - 1.
    places: list[int] = []
    seps: list[tuple[int, int]] = []
    for k in range(width):
        starts = grouping and k >= style.primary and (k - style.primary) % style.secondary == 0
        before = 0 if not grouping or k < style.primary else 1 + (k - style.primary) // style.secondary
        places.append(k + before)
        if starts:
            seps.append((k, k + before - 1))
    int_width = places[-1] + 1
    prefix = style.percent_prefix if percent else ""
    suffix = style.percent_suffix if percent else ""
    sign_width = max(len(style.minus), len(style.plus))
    group_code = _codes(style.group)
    columns = sign_width + len(prefix) + int_width * max(1, len(group_code)) + 1 + digits + len(suffix)
    matrix = np.zeros((len(data), columns), dtype=np.uint32)
    col = 0
    minus, plus = _codes(style.minus), _codes(style.plus)
    for offset in range(sign_width):
        code_minus = minus[offset] if offset < len(minus) else 0
        code_plus = plus[offset] if offset < len(plus) else 0
        cell = np.where(negative, code_minus, code_plus if signed else 0)
        matrix[:, col] = cell
        col += 1
    for char in _codes(prefix):
        matrix[:, col] = char
        col += 1
    # Integer part, left to right: place p (from the right) lands in column col + int_width - 1 - p,
    # a separator may take several characters, so each place gets len(group) slots.
    slot = max(1, len(group_code))
    base = col
    for k in range(width):
        place = places[k]
        where = base + (int_width - 1 - place) * slot + slot - 1
        digit = (whole // (10**k)) % 10
        matrix[:, where] = np.where(k < ndigits, 48 + digit, 0)
    for k, place in seps:
        first = base + (int_width - 1 - place) * slot
        for offset, char in enumerate(group_code):
            matrix[:, first + offset] = np.where(ndigits > k, char, 0)
    col = base + int_width * slot
    if digits > 0:
        matrix[:, col] = ord(style.decimal[0])
        col += 1
        for k in range(digits - 1, -1, -1):
            matrix[:, col] = 48 + (fraction // (10**k)) % 10
            col += 1
    for char in _codes(suffix):
        matrix[:, col] = char
        col += 1
    matrix = matrix[:, :col]
    # Squeeze out the empty cells of each row (unused sign, leading places), keeping the order.
    order = np.argsort(matrix == 0, axis=1, kind="stable")
    packed = np.ascontiguousarray(np.take_along_axis(matrix, order, axis=1))
    texts = packed.view(f"<U{col}").ravel().astype(object)
    texts[~finite] = missing
    for index in np.flatnonzero(huge).tolist():
        texts[index] = _format_huge(
            float(data[index]), style, digits, signed=signed, grouping=grouping, affix=(prefix, suffix)
        )
    out: list[str] = texts.tolist()
    return out


def _format_huge(
    value: float, style: _Style, digits: int, *, signed: bool, grouping: bool, affix: tuple[str, str]
) -> str:
    """The rare number too large for the array path (beyond 2**52 once scaled), one at a time."""
    text = format(Decimal(repr(abs(value))), f"{',' if grouping else ''}.{digits}f")
    whole, _, fraction = text.partition(".")
    body = whole.replace(",", style.group) + (style.decimal + fraction if fraction else "")
    sign = style.minus if value < 0 else (style.plus if signed else "")
    return f"{sign}{affix[0]}{body}{affix[1]}"


@overload
def format_number(
    x: float | None,
    lang: str | None = ...,
    digits: int = ...,
    *,
    signed: bool = ...,
    percent: bool = ...,
    grouping: bool = ...,
    missing: str = ...,
) -> str: ...


@overload
def format_number(
    x: Sequence[float | None] | np.ndarray,
    lang: str | None = ...,
    digits: int = ...,
    *,
    signed: bool = ...,
    percent: bool = ...,
    grouping: bool = ...,
    missing: str = ...,
) -> list[str]: ...


def format_number(
    x: float | Sequence[float | None] | np.ndarray | None,
    lang: str | None = None,
    digits: int = 1,
    *,
    signed: bool = False,
    percent: bool = False,
    grouping: bool = True,
    missing: str = MISSING,
) -> str | list[str]:
    """``x`` with ``digits`` decimals and the language's separators (``1 234,5`` in French).

    ``x`` is a number (gives a string) or a column of numbers (a list of strings, formatted with
    array operations: 100,000 values take milliseconds). ``None``, NaN and infinities give
    ``missing`` (``—``). ``signed`` writes the sign of a change (``+2,5``); ``percent`` writes a
    share between 0 and 1 as a percentage (``45 %`` in French); ``grouping=False`` leaves out
    the thousands separator (for a CSV cell a spreadsheet must read as a number). Rounding is
    half-even on the number's decimal text, as babel does; ``-0,0`` is written ``0,0``.
    """
    import numpy as np

    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 10:
        raise ConfigError(f"digits must be a whole number from 0 to 10, not {digits!r}")
    style = _style(check_lang(lang))
    scalar = x is None or isinstance(x, (int, float, np.number))
    if scalar:
        column = np.array([np.nan if x is None else x], dtype=np.float64)
    else:
        array = np.asarray(x, dtype=object if not isinstance(x, np.ndarray) else None)
        if array.dtype == object:
            array = np.array([np.nan if v is None else v for v in array.ravel()], dtype=np.float64)
        column = array.astype(np.float64, copy=False)
    texts = _format_array(column, style, digits, signed=signed, percent=percent, grouping=grouping, missing=missing)
    return texts[0] if scalar else texts


def format_signed(x: float | None, lang: str | None = None, digits: int = 1) -> str:
    """A change, always with its sign (``+2,5``, ``-1,0``): ``format_number(..., signed=True)``."""
    return format_number(x, lang, digits, signed=True)


def format_percent(x: float | None, lang: str | None = None, digits: int = 0) -> str:
    """A share between 0 and 1 as a percentage: ``format_number(..., percent=True)``."""
    return format_number(x, lang, digits, percent=True)


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
    from vises.locale_answers import long_date

    locale = babel_locale(check_lang(lang))
    written = long_date(d, locale)
    if written is not None:
        return written
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(d, format="long", locale=locale))
