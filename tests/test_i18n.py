"""Report words in fr/nl/en, visible fallbacks, and numbers and dates per language."""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vises import i18n
from vises.errors import ConfigError


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_every_language():
    english = i18n.catalogue("en")
    for lang in i18n.LANGUAGES:
        words = i18n.catalogue(lang)
        assert set(words) == set(english), (
            f"{lang}: missing {set(english) - set(words)}, extra {set(words) - set(english)}"
        )
        for key, text in words.items():
            assert text.strip(), f"{lang}.{key} is blank"
            assert _placeholders(text) == _placeholders(english[key]), f"{lang}.{key} placeholders differ"


def test_catalogues_are_package_data():
    for lang in i18n.LANGUAGES:
        source = resources.files("vises").joinpath("locale", f"{lang}.toml")
        assert source.is_file()
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        assert {"meta", "words", "sroi", "template", "scaffold"} <= set(data)


def test_translate_in_each_language():
    assert i18n.translate("coverage", "fr") == "Couverture"
    assert i18n.translate("coverage", "nl") == "Dekking"
    assert i18n.translate("coverage", "en") == "Coverage"
    assert i18n.translate("coverage") == "Coverage"
    assert i18n.translate("generated_by", "nl", version="9") == "Rapport gemaakt door vises 9"


def test_missing_word_falls_back_visibly(monkeypatch):
    monkeypatch.setitem(i18n.catalogue("en"), "only_english", "Score")
    assert i18n.translate("only_english", "fr") == "Score [en]"
    assert i18n.translate("only_english", "en") == "Score"
    assert i18n.translate("no_such_word", "nl") == "[no_such_word]"


def test_unknown_language_is_an_error_naming_the_known_ones():
    with pytest.raises(ConfigError) as info:
        i18n.translate("score", "de")
    assert "fr, nl, en" in str(info.value)
    with pytest.raises(ConfigError):
        i18n.format_number(1.0, "xx")


def test_numbers_dates_and_percentages_per_language():
    assert i18n.format_number(1234.567, "en") == "1,234.6"
    assert i18n.format_number(1234.567, "nl") == "1.234,6"
    assert i18n.format_number(1234.567, "fr", digits=2).replace("\u202f", " ").replace("\xa0", " ") == "1 234,57"
    assert i18n.format_number(2.0, "en", digits=0) == "2"
    assert i18n.format_number(float("nan"), "fr") == i18n.MISSING
    assert i18n.format_signed(2.5, "fr") == "+2,5" and i18n.format_signed(-2.5, "en") == "-2.5"
    assert i18n.format_percent(0.456, "en") == "46%"
    assert i18n.format_percent(0.456, "fr", digits=1).replace("\xa0", " ") == "45,6 %"
    assert i18n.format_date(dt.date(2024, 3, 5), "fr") == "5 mars 2024"
    assert i18n.format_date("2024-03-05T10:00:00+00:00", "nl") == "5 maart 2024"
    assert i18n.format_date(dt.datetime(2024, 3, 5, 9), "en") == "5 March 2024"
    with pytest.raises(ConfigError, match="ISO"):
        i18n.format_date("March 5", "en")


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_formatted_numbers_read_back(x, digits):
    text = i18n.format_number(x, "en", digits=digits)
    # babel rounds the decimal text half-even, Python the binary value: they may differ by one last digit.
    assert float(text.replace(",", "")) == pytest.approx(round(x, digits), abs=1.01 * 10**-digits)
    dutch = i18n.format_number(x, "nl", digits=digits)
    assert dutch.replace(".", "").replace(",", ".") == text.replace(",", "")


def test_every_data_collection_method_has_a_label_in_every_language():
    from vises.io.evaluations import METHODS

    for lang in i18n.LANGUAGES:
        words = i18n.catalogue(lang)
        for method in METHODS:
            assert words.get("method_" + method.replace(" ", "_")), (lang, method)
    assert i18n.translate("method_life_stories", "fr") == "Récits de vie"


def test_analysis_words_live_in_the_catalogues():
    from vises.analysis import words as analysis

    assert analysis.word("spearman", "nl") == i18n.translate("analysis_spearman", "nl")
    assert not hasattr(analysis, "_WORDS"), "the private word table is gone"


def test_one_catalogue_per_language_with_every_section():
    from importlib import resources

    files = sorted(p.name for p in resources.files("vises").joinpath("locale").iterdir() if p.name.endswith(".toml"))
    assert files == ["en.toml", "fr.toml", "nl.toml"]
    english = i18n.catalogue("en")
    for prefix in ("sroi_", "analysis_", "stats_", "template_", "scaffold_", "method_", "unit_", "chart_"):
        assert any(key.startswith(prefix) for key in english), prefix
    assert i18n.translate("template_na", "fr") == "s.o." and i18n.translate("scaffold_never", "nl") == "Nooit"


_FRENCH_BAD = re.compile(r"(?:[^\s\u00a0\u202f]|^)[:;!?](?=\s|$)|[ ][:;!?»]|«[ ]")


def test_french_typography_everywhere_in_the_catalogue():
    """A no-break space before ':' and inside « », a narrow one before ';', '!' and '?'."""
    bad = {key: text for key, text in i18n.catalogue("fr").items() if _FRENCH_BAD.search(text)}
    assert not bad, bad
    assert i18n.colon("fr") == "\u00a0: " and i18n.colon("en") == ": " and i18n.colon("nl") == ": "


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.integers(min_value=0, max_value=4),
    st.sampled_from(i18n.LANGUAGES),
)
def test_format_number_matches_babel(x, digits, lang):
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    expected = format_decimal(x, format=pattern, locale=i18n.babel_locale(lang))
    if expected.startswith("-") and not any(ch in "123456789" for ch in expected):
        expected = expected[1:]  # vises writes no negative zero
    assert i18n.format_number(x, lang, digits) == expected


def test_format_number_takes_whole_columns():
    import numpy as np

    column = np.array([1234.5, np.nan, -0.04, 2.675, 1e20, 0.456])
    assert i18n.format_number(column, "en", 2) == [
        "1,234.50",
        "—",
        "-0.04",
        "2.68",
        "100,000,000,000,000,000,000.00",
        "0.46",
    ]
    assert i18n.format_number([0.456, None], "fr", 1, percent=True) == ["45,6\u00a0%", "—"]
    assert i18n.format_number(np.array([2.5, -2.5, 0.0]), "nl", 1, signed=True) == ["+2,5", "-2,5", "+0,0"]
    assert i18n.format_number([1234.5, float("nan")], "fr", 1, grouping=False, missing="") == ["1234,5", ""]
    assert i18n.format_number(-0.04, "fr", 1) == "0,0"
    with pytest.raises(ConfigError, match="digits"):
        i18n.format_number(1.0, "en", 11)


def test_babel_is_asked_once_per_language():
    from unittest import mock

    import numpy as np

    i18n._style.cache_clear()
    with mock.patch("babel.numbers.parse_pattern", wraps=__import__("babel.numbers").numbers.parse_pattern) as parse:
        i18n.format_number(np.arange(100_000, dtype=float), "fr", 1)
        for value in range(100):
            i18n.format_number(float(value), "fr", 1)
    assert parse.call_count == 1
