"""Report words in fr/nl/en, visible fallbacks, and numbers and dates per language."""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from importlib import resources
from pathlib import Path

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

    from vises import locale_answers

    i18n._style.cache_clear()
    locale_answers.answers.cache_clear()
    with mock.patch("babel.numbers.parse_pattern", wraps=__import__("babel.numbers").numbers.parse_pattern) as parse:
        i18n.format_number(np.arange(100_000, dtype=float), "fr", 1)
        for value in range(100):
            i18n.format_number(float(value), "fr", 1)
    assert parse.call_count == 1


# -- labels of stakeholder groups and units ---------------------------------------------------


def test_stakeholder_labels_come_from_the_grid_then_from_vises_then_the_code():
    declared = {"trainees": {"fr": "Apprenants", "en": "Learners"}, "cooks": {"en": "Kitchen staff"}}
    assert i18n.stakeholder_label("trainees", "fr", declared) == "Apprenants"  # the grid's own word first
    assert i18n.stakeholder_label("trainees", "nl") == "Cursisten"  # vises's word for a common group
    assert i18n.stakeholder_label("cooks", "fr", declared) == "Kitchen staff [en]"  # a visible fallback
    assert i18n.stakeholder_label("cooks", "en", declared) == "Kitchen staff"
    assert i18n.stakeholder_label("Les familles", "fr") == "Les familles"  # written out: shown as written
    assert i18n.stakeholder_label("x", "en", {"x": {"und": "One text"}}) == "One text"


def test_unit_labels_part_by_part():
    declared = {"heure_stagiaire": {"fr": "heure stagiaire", "en": "trainee hour"}}
    assert i18n.unit_label("heure_stagiaire", "fr", declared) == "heure stagiaire"
    assert i18n.unit_label("heure_stagiaire / FTE", "fr", declared) == "heure stagiaire / ETP"
    assert i18n.unit_label("heure_stagiaire", "nl", declared) == "trainee hour [en]"
    assert i18n.unit_label("hour per person", "fr") == "heures per personnes"
    assert i18n.unit_label("tCO2e", "fr") == "tCO2e" and i18n.unit_label(None, "fr") is None


@pytest.mark.federation  # a plugin grid's labels
def test_a_plugin_grid_names_its_units_and_groups_in_each_language():
    import vises

    cisp = vises.load_grid("wallonie.cisp")
    assert i18n.unit_label("heure_stagiaire", "fr", cisp.unit_labels) == "heure stagiaire"
    maatwerk = vises.load_grid("vlaanderen.maatwerk")
    assert i18n.stakeholder_label("werkgevers", "fr", maatwerk.stakeholder_labels) == "Employeurs"
    assert i18n.unit_label("begeleidingsuur / doelgroepwerknemer", "en", maatwerk.unit_labels) == (
        "coaching hour / target-group employee"
    )


@pytest.mark.federation  # a plugin grid's labels
def test_french_report_shows_the_plugin_unit_and_stakeholders_in_french():
    import vises

    root = Path(__file__).resolve().parents[1]
    results = vises.score("wallonie.cisp", root / "examples" / "data" / "wallonie_cisp.csv")
    page = vises.render(results, "markdown", lang="fr", view="profile", organisation="cisp_05")
    assert "heure stagiaire" in page and "heure\\_stagiaire" not in page and "heure_stagiaire" not in page
    assert "- Conseil d'administration" in page and "- Financeurs" in page and "- board" not in page
    english = vises.render(results, "table", lang="en", view="profile", organisation="cisp_05")
    assert "trainee hour" in english and "- Board" in english


def _words(text: str) -> set[str]:
    import re

    return {word.lower() for word in re.findall(r"[^\W\d][\w'’]*", text)}


@pytest.mark.federation  # a plugin grid's labels
@pytest.mark.parametrize(("lang", "name"), [("fr", "wallonie.cisp"), ("nl", "vlaanderen.maatwerk")])
def test_vises_show_speaks_only_the_chosen_language(lang, name):
    """Every word of ``vises show --lang`` is the catalogue's, the grid's (labels, units) or a code."""
    from click.testing import CliRunner

    import vises
    from vises.cli import cli

    grid = vises.load_grid(name)
    done = CliRunner().invoke(cli, ["show", name, "--lang", lang])
    assert done.exit_code == 0, done.output
    allowed = set().union(*(_words(text) for text in i18n.catalogue(lang).values()))
    for item in (*grid.nodes, *grid.indicators):
        allowed |= _words(item.label_in(lang)) | {item.code.lower()}
        for part in (getattr(item, "unit", None) or "").split("/"):
            if i18n.unit_label(part.strip(), lang, grid.unit_labels) == part.strip():
                allowed |= _words(part)  # a unit symbol vises has no word for (tCO2e)
    allowed |= _words(grid.label_in(lang)) | _words(grid.code)
    for labels in grid.unit_labels.values():
        allowed |= _words(labels.get(lang, ""))
    leftover = _words(done.output) - allowed
    assert not leftover, leftover
    assert "[en]" not in done.output
