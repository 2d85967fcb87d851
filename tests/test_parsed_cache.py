"""TOML documents kept parsed in vises' cache directory: the very data tomllib gives (types too), the
parser skipped for a known text, errors never kept, dates never kept, a damaged entry only slower,
and the number of entries bounded."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from vises import cache, i18n
from vises.errors import ConfigError
from vises.io.documents import read_document

ROOT = Path(__file__).resolve().parents[1]
TOML_FILES = sorted([*ROOT.glob("examples/**/*.toml"), *ROOT.glob("plugins/*/src/*/grids/*.toml")])


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    yield folder
    monkeypatch.setenv(cache.ENV, "off")


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (1 is not 1.0, a list is not a tuple)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # NaN is NaN


@pytest.mark.parametrize("path", TOML_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_bundled_toml_file_comes_back_as_tomllib_gives_it(cached: Path, path: Path) -> None:
    expected = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    first = read_document(path)
    with mock.patch("tomllib.loads", side_effect=AssertionError("parsed again")):
        second = read_document(path)
    assert same(first, expected) and same(second, expected)


def test_types_and_special_numbers_survive(cached: Path, tmp_path: Path) -> None:
    path = tmp_path / "odd.toml"
    path.write_text(
        'a = 1\nb = 1.0\nc = -0.0\nd = inf\ne = nan\nf = 12345678901234567890\ng = "x\\u00e9"\n'
        "h = [1, 2.5, true]\n[[t]]\nk = 'v'\n[[t]]\nk = 'w'\n",
        encoding="utf-8",
    )
    expected = tomllib.loads(path.read_text(encoding="utf-8"))
    read_document(path)
    again = read_document(path)
    assert same(again, expected) and str(again["c"]) == "-0.0"


def test_a_document_with_a_date_is_not_kept(cached: Path, tmp_path: Path) -> None:
    path = tmp_path / "dated.toml"
    path.write_text("when = 2026-12-01\n", encoding="utf-8")
    assert read_document(path) == tomllib.loads("when = 2026-12-01\n")
    assert not list(cached.glob("toml-*.json"))


def test_an_error_is_raised_with_its_place_and_never_kept(cached: Path, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("a = 1\nb = = 2\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="line 2"):
            read_document(path)
    assert not list(cached.glob("toml-*.json"))


@pytest.mark.parametrize("damage", ["not json", json.dumps({"other": 1}), json.dumps([1, 2]), ""])
def test_a_damaged_entry_is_ignored_and_rewritten(cached: Path, tmp_path: Path, damage: str) -> None:
    path = tmp_path / "grid.toml"
    path.write_text("[grid]\ncode = 'g'\nweights = [1, 2]\n", encoding="utf-8")
    good = read_document(path)
    (entry,) = cached.glob("toml-*.json")
    entry.write_text(damage, encoding="utf-8")
    assert same(read_document(path), good)
    assert json.loads(entry.read_text(encoding="utf-8")) == {"value": good}


def test_word_catalogues_are_kept_too(cached: Path) -> None:
    i18n._document.cache_clear()
    try:
        words = i18n._document("nl")
        assert list(cached.glob("toml-*.json"))
        i18n._document.cache_clear()
        with mock.patch("tomllib.loads", side_effect=AssertionError("parsed again")):
            assert same(i18n._document("nl"), words)
    finally:
        i18n._document.cache_clear()


def test_the_number_of_entries_is_bounded(cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_DOCUMENTS", 5)
    for number in range(12):
        path = tmp_path / f"d{number}.toml"
        path.write_text(f"n = {number}\n", encoding="utf-8")
        assert read_document(path) == {"n": number}
    assert len(list(cached.glob("toml-*.json"))) == 5


def test_with_the_cache_off_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    path = tmp_path / "g.toml"
    path.write_text("n = 1\n", encoding="utf-8")
    assert read_document(path) == {"n": 1}
    assert not list(tmp_path.rglob("toml-*.json"))
