"""The terminal table fits the terminal: headers and text wrap, wide tables split, nothing is cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import vises
from vises.cli import cli
from vises.errors import ConfigError
from vises.report.layout import LEFT, RIGHT, Table, plain

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "wallonie_cisp.csv"

words = st.text(alphabet="abcdéfghijklmnopqrstuvwxyz-'", min_size=1, max_size=30)
texts = st.lists(words, min_size=1, max_size=6).map(" ".join)
#: Headers without dashes, so that the rule of dashes under them is the only such line.
heads = st.lists(st.text(alphabet="abcdéfghijklmnopqrstuvwxyz'", min_size=1, max_size=30), min_size=1, max_size=6).map(
    " ".join
)
numbers = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: f"{x:,.1f}")


@st.composite
def tables(draw):
    keys = draw(st.integers(1, 2))
    text_columns = draw(st.integers(0, 2))
    number_columns = draw(st.integers(0, 9))
    rows = draw(st.integers(0, 5))
    align = [LEFT] * (keys + text_columns) + [RIGHT] * number_columns
    headers = [draw(heads) for _ in align]
    columns = [[draw(texts if a == LEFT else numbers) for _ in range(rows)] for a in align]
    return Table(headers=tuple(headers), columns=tuple(columns), align=tuple(align), keys=keys)


def _ink(text: str) -> int:
    return len(re.sub(r"\s", "", text))


@settings(max_examples=150, deadline=None)
@given(tables(), st.integers(40, 160))
def test_every_line_fits_and_no_character_is_lost(table, width):
    out = plain(table, width=width)
    assert max(len(line) for line in out.split("\n")) <= width, out
    parts = out.split("\n\n")
    # Each part repeats the key columns; every other column is printed exactly once.
    keys = list(range(table.keys))
    others = [i for i in range(len(table.headers)) if i >= table.keys]
    expected = 0
    printed = 0
    for part in parts:
        rule = next(line for line in part.split("\n") if set(line.replace(" ", "")) <= {"-"} and "-" in line)
        count = len(rule.split())
        group = keys + others[printed : printed + count - len(keys)]
        printed += count - len(keys)
        expected += _ink(rule)
        expected += sum(_ink(table.headers[i]) + sum(_ink(cell) for cell in table.columns[i]) for i in group)
    assert printed == len(others)
    assert _ink(out) == expected


def test_a_table_that_fits_is_left_as_it_is():
    table = Table(headers=("a", "b"), columns=(["x"], ["1"]), align=(LEFT, RIGHT))
    assert plain(table, width=80) == plain(table)


@pytest.fixture(scope="module")
def results(federation):
    federation("wallonie")
    return vises.score("wallonie.cisp", DATA)


def test_the_network_table_at_80_columns_splits_and_repeats_who_and_when(results):
    text = vises.render(results, "table", lang="fr", period="2019", options={"width": 80})
    assert max(map(len, text.splitlines())) <= 80
    scores = text.split("Scores par dimension")[1].split("Distributions")[0]
    parts = [part for part in scores.split("\n\n") if "Organisation" in part]
    assert len(parts) >= 2
    for part in parts:
        assert "\nCentre A (synthetic) (cisp_01)   2019" in part and "\nCentre AD (synthetic) (cisp_30)  2019" in part
    # Every word of every dimension's header is there: wrapped, never abbreviated.
    shown = set(scores.split())
    for label in results.grid.children("cisp"):
        assert set(label.label_in("fr").split()) <= shown, label.code


def test_long_text_wraps_instead_of_being_cut(results):
    text = vises.render(results, "table", lang="fr", view="profile", organisation="cisp_01", options={"width": 60})
    assert max(map(len, text.splitlines())) <= 60
    flat = " ".join(text.split())
    assert "« J'ai repris confiance et je prépare un permis de conduire. » (synthetic)" in flat


def test_width_is_an_option_of_the_table_format_only(results):
    with pytest.raises(ConfigError, match="from 20 to 10000"):
        vises.render(results, "table", options={"width": 10})
    with pytest.raises(ConfigError, match="understands"):
        vises.render(results, "markdown", options={"width": 80})
    assert vises.render(results, "table", options={"width": 0}) == vises.render(results, "table")


@pytest.mark.federation  # the CISP network on the terminal
def test_vises_score_fits_the_terminal_and_leaves_files_whole(tmp_path):
    runner = CliRunner()
    shown = runner.invoke(cli, ["score", str(DATA), "--grid", "wallonie.cisp", "--lang", "fr"], env={"COLUMNS": "72"})
    assert shown.exit_code == 0, shown.output
    assert max(map(len, shown.output.splitlines())) <= 72
    out = tmp_path / "report.txt"
    written = runner.invoke(cli, ["score", str(DATA), "--grid", "wallonie.cisp", "-o", str(out)], env={"COLUMNS": "72"})
    assert written.exit_code == 0, written.output
    assert max(map(len, out.read_text(encoding="utf-8").splitlines())) > 72  # a file is not a terminal
    narrow = runner.invoke(
        cli, ["score", str(DATA), "--grid", "wallonie.cisp", "--width", "50", "-o", str(tmp_path / "n.txt")]
    )
    assert narrow.exit_code == 0 and max(map(len, (tmp_path / "n.txt").read_text().splitlines())) <= 50
    wrong = runner.invoke(cli, ["score", str(DATA), "--grid", "wallonie.cisp", "--format", "csv", "--width", "50"])
    assert wrong.exit_code == 2 and "--width applies to the table format" in wrong.output
