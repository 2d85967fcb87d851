"""babel's answers kept in vises' cache directory: numbers and dates written as babel writes them,
babel never imported by a warm run, and a damaged entry only slower."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal, format_percent
from hypothesis import given, settings
from hypothesis import strategies as st

from vises import cache, i18n, locale_answers

LANGS = ("fr", "nl", "en")


def forget() -> None:
    locale_answers.answers.cache_clear()
    i18n._style.cache_clear()


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    forget()
    yield folder
    monkeypatch.setenv(cache.ENV, "off")
    forget()


@settings(max_examples=150, deadline=None)
@given(day=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)), lang=st.sampled_from(LANGS))
def test_long_dates_are_babels(day: dt.date, lang: str) -> None:
    assert i18n.format_date(day, lang) == babel_format_date(day, format="long", locale=i18n.babel_locale(lang))


@pytest.mark.parametrize("locale", ["de_DE", "en_US", "ja_JP", "pt_BR", "hu_HU", "fi_FI"])
def test_other_patterns_are_written_as_babel_does_or_left_to_babel(locale: str) -> None:
    for day in (dt.date(2026, 1, 5), dt.date(999, 12, 31), dt.date(2024, 2, 29)):
        written = locale_answers.long_date(day, locale)
        assert written is None or written == babel_format_date(day, format="long", locale=locale), locale


def test_a_pattern_with_other_fields_is_left_to_babel(monkeypatch: pytest.MonkeyPatch) -> None:
    found = {**locale_answers.answers("en_GB"), "date_long": "EEEE d MMMM y"}
    monkeypatch.setattr(locale_answers, "answers", lambda locale: found)
    assert locale_answers.long_date(dt.date(2026, 12, 1), "en_GB") is None
    found["date_long"] = "'le' d MMMM y 'à' ''"
    assert locale_answers.long_date(dt.date(2026, 12, 1), "en_GB") == "le 1 December 2026 à '"


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_are_babels_whether_the_answers_come_from_babel_or_the_cache(cached: Path, lang: str) -> None:
    values = np.array([0.0, 1234567.891, -0.5, 12.345, 1e9, 0.125])
    locale = i18n.babel_locale(lang)
    expected = [format_decimal(v, format="#,##0.00", locale=locale) for v in values]
    first = i18n.format_number(values, lang, 2)
    assert list(cached.glob("babel-*.json")), "the answers were not kept"
    forget()
    second = i18n.format_number(values, lang, 2)
    assert first == second == expected
    percent = format_percent(0.25, locale=locale)
    assert i18n.format_number(0.25, lang, 0, percent=True) == percent


def test_a_fresh_process_writes_numbers_and_dates_without_importing_babel(cached: Path) -> None:
    code = (
        "import sys, datetime\n"
        "from vises import i18n\n"
        "print(i18n.format_number(1234.5, 'fr', 1), i18n.format_date(datetime.date(2026, 12, 1), 'fr'), "
        "'babel' in sys.modules)\n"
    )
    environ = {**os.environ, cache.ENV: str(cached)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True)
    assert first.stdout.split()[-1] == "True" and second.stdout.split()[-1] == "False", second.stderr
    assert first.stdout.rsplit(" ", 1)[0] == second.stdout.rsplit(" ", 1)[0]
    assert "1 décembre 2026" in second.stdout


@pytest.mark.parametrize(
    "damage",
    [
        "not json",
        json.dumps({"decimal": ","}),
        "MONTHS",
        "GROUPING",
        "TYPES",
    ],
)
def test_a_damaged_entry_is_ignored_and_rewritten(cached: Path, damage: str) -> None:
    good = locale_answers.answers("fr_BE")
    (entry,) = cached.glob("babel-*-fr_BE.json")
    kept = json.loads(entry.read_text(encoding="utf-8"))
    if damage == "MONTHS":
        text = json.dumps({**kept, "months": kept["months"][:11]})
    elif damage == "GROUPING":
        text = json.dumps({**kept, "primary": 0})
    elif damage == "TYPES":
        text = json.dumps({**kept, "decimal": 3})
    else:
        text = damage
    entry.write_text(text, encoding="utf-8")
    forget()
    assert locale_answers.answers("fr_BE") == good
    assert json.loads(entry.read_text(encoding="utf-8")) == good


def test_a_locale_name_unfit_for_a_file_name_never_names_a_cache_entry(cached: Path) -> None:
    assert locale_answers.answers("fr_BE")["decimal"] == ","
    forget()
    with pytest.raises(ValueError):  # babel's own refusal of a name that is no locale
        locale_answers.answers("../../etc")
    assert not list(cached.parent.glob("*.json")) and all(p.name.startswith("babel-") for p in cached.iterdir())
