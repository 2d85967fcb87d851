"""What a template says, in French, Dutch and English: its words, and each indicator's allowed values.

The words live in the one catalogue per language (``vises/locale/<lang>.toml``, table
``[template]``, looked up as ``template_<key>`` like every other word vises writes), so a
translator edits them without reading Python. The functions turn an indicator into the sentence
and the dropdown entries a person filling the template sees, the same in the xlsx workbook and its
data validation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from vises.errors import ConfigError
from vises.i18n import LANGUAGES, catalogue, colon, format_number
from vises.model import Family, Grid, Indicator, Kind, label_in

#: Languages a template can be written in.
TEMPLATE_LANGUAGES = LANGUAGES
_PREFIX = "template_"


@functools.cache
def template_words(lang: str) -> Mapping[str, str]:
    """The template's words in ``lang``, by their key in the ``[template]`` table."""
    return {key[len(_PREFIX) :]: text for key, text in catalogue(lang).items() if key.startswith(_PREFIX)}


def check_template_lang(lang: str) -> str:
    chosen = str(lang).strip().lower()
    if chosen not in TEMPLATE_LANGUAGES:
        raise ConfigError(
            f"unknown template language {lang!r}",
            hint=f"choose one of {', '.join(TEMPLATE_LANGUAGES)}",
        )
    return chosen


def number_text(x: float) -> str:
    """A bound as a spreadsheet formula takes it: ``5``, not ``5.0``; a decimal point."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def number_words(x: float, lang: str) -> str:
    """A bound as a person reads it in ``lang``: ``0,5`` in French and Dutch, no grouping (typed as shown)."""
    if float(x).is_integer():
        return str(int(x))
    from decimal import Decimal

    exponent = Decimal(repr(float(x))).as_tuple().exponent
    decimals = min(-exponent, 12) if isinstance(exponent, int) else 6
    return format_number(float(x), lang, decimals, grouping=False)


#: Splits a compound unit into its parts and the operators between them (``hour / FTE``).
_UNIT_PARTS = re.compile(r"(\s*/\s*|\s*\*\s*|\s+per\s+)")


def unit_words(indicator: Indicator, grid: Grid, lang: str) -> str:
    """The unit in ``lang``'s words, part by part (``hour / FTE`` → "heures / ETP"): the grid's own
    unit labels when it declares them, else vises's words (``[unit]`` in the catalogue), else the
    part as written (a plugin's unit with no label)."""
    unit = indicator.unit or ""
    if not unit:
        return ""
    declared: Mapping[str, Mapping[str, str]] = getattr(grid, "unit_labels", None) or {}
    words = catalogue(lang)
    parts = _UNIT_PARTS.split(unit)
    shown = []
    for position, part in enumerate(parts):
        if position % 2:
            shown.append(part)
            continue
        own = declared.get(part, {})
        shown.append(own.get(lang) or words.get(f"unit_{part}") or part)
    return "".join(shown)


def family_choices(lang: str) -> dict[str, str]:
    """The enterprise families in ``lang`` (the dropdown of the identification sheet), by value."""
    words = catalogue(lang)
    return {family.value: words.get(f"family_{family.value}", family.value) for family in Family}


def size_choices(lang: str) -> dict[str, str]:
    """The usual sizes in ``lang`` (``micro``, ``small``, ...), by value; any other size may be typed."""
    words = catalogue(lang)
    return {key[len("size_") :]: text for key, text in words.items() if key.startswith("size_")}


def method_choices(lang: str) -> dict[str, str]:
    """The data-collection methods in ``lang``, by canonical name (``focus group`` → "Groupe de discussion")."""
    words = catalogue(lang)
    return {
        key[len("method_") :].replace("_", " "): text
        for key, text in words.items()
        if key.startswith("method_") and key != "method_other"
    }


def level_display(level: Any, lang: str) -> str:
    """What a dropdown shows for a level: its label in ``lang`` (visible fallback), else its value."""
    return label_in(level.label, lang, level.value)


def choices(indicator: Indicator, lang: str) -> list[str] | None:
    """Dropdown entries for a qualitative indicator (without the not-applicable token)."""
    words = template_words(lang)
    if indicator.kind is Kind.BINARY and not indicator.levels:
        return [words["yes"], words["no"]]
    if indicator.kind in (Kind.SCALE, Kind.CATEGORY, Kind.BINARY):
        return [level_display(level, lang) for level in indicator.levels]
    return None


def evidence_choices(field: str, lang: str) -> list[str] | None:
    """The dropdown of an evidence field: the sources or yes/no in ``lang``; ``None`` for a number (``n``)."""
    if field == "source":
        from vises.io.tokens import SOURCE_WORDS

        return [words[lang] for words in SOURCE_WORDS.values()]
    if field == "verified":
        words = template_words(lang)
        return [words["yes"], words["no"]]
    return None


def allowed_text(indicator: Indicator, lang: str) -> str:
    """The 'allowed values' cell: a plain sentence a person can check their answer against."""
    words = template_words(lang)
    na = words["or_na"].format(na=words["na"])
    if indicator.kind is Kind.NARRATIVE:
        return str(words["free_text"])
    if indicator.kind is Kind.QUANTITY:
        lo, hi = indicator.minimum, indicator.maximum
        if lo is not None and hi is not None:
            text = words["between"].format(lo=number_words(lo, lang), hi=number_words(hi, lang))
        elif lo is not None:
            text = words["at_least"].format(lo=number_words(lo, lang))
        elif hi is not None:
            text = words["at_most"].format(hi=number_words(hi, lang))
        else:
            text = words["number"]
        return f"{text}, {na}"
    if indicator.kind is Kind.SCALE:
        listed = "; ".join(f"{level.value} = {level_display(level, lang)}" for level in indicator.levels)
        return f"{words['choose']}{colon(lang)}{listed}; {na}"
    return f"{words['choose']}{colon(lang)}{' / '.join(choices(indicator, lang) or [])}; {na}"
