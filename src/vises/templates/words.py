"""What a template says, in French, Dutch and English: its words, and each indicator's allowed values.

The words live in the one catalogue per language (``vises/locale/<lang>.toml``, table
``[template]``, looked up as ``template_<key>`` like every other word vises writes), so a
translator edits them without reading Python. The functions turn an indicator into the sentence
and the dropdown entries a person filling the template sees, the same in the xlsx workbook and its
data validation.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from vises.errors import ConfigError
from vises.i18n import LANGUAGES, catalogue
from vises.model import Indicator, Kind, label_in

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
    """A bound as the template shows it: ``5``, not ``5.0``."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


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


def allowed_text(indicator: Indicator, lang: str) -> str:
    """The 'allowed values' cell: a plain sentence a person can check their answer against."""
    words = template_words(lang)
    na = words["or_na"].format(na=words["na"])
    if indicator.kind is Kind.NARRATIVE:
        return str(words["free_text"])
    if indicator.kind is Kind.QUANTITY:
        lo, hi = indicator.minimum, indicator.maximum
        if lo is not None and hi is not None:
            text = words["between"].format(lo=number_text(lo), hi=number_text(hi))
        elif lo is not None:
            text = words["at_least"].format(lo=number_text(lo))
        elif hi is not None:
            text = words["at_most"].format(hi=number_text(hi))
        else:
            text = words["number"]
        return f"{text}, {na}"
    if indicator.kind is Kind.SCALE:
        listed = "; ".join(f"{level.value} = {level_display(level, lang)}" for level in indicator.levels)
        return f"{words['choose']}: {listed}; {na}"
    return f"{words['choose']}: {' / '.join(choices(indicator, lang) or [])}; {na}"
