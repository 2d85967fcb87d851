"""Text from files reaches spreadsheets, Markdown and terminals inert (vises.neutralise)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import vises


def test_formula_like_values_get_a_quote_in_csv():
    for text in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'):
        assert vises.formula_like(text)
        assert vises.spreadsheet_text(text) == "'" + text
    for text in ("-12.5", "+3", "1e5", "Centre =", "a-b", ""):
        assert not vises.formula_like(text)
        assert vises.spreadsheet_text(text) == text


def test_markdown_text_carries_no_html_and_keeps_tables_whole():
    out = vises.markdown_text('<img src=x onerror="alert(1)"> | **bold**\nnext')
    assert "<" not in out and ">" not in out and "\n" not in out
    assert "\\|" in out and "\\*\\*bold\\*\\*" in out
    assert vises.markdown_text("# title") == "\\# title"
    assert vises.markdown_text("- item").startswith("\\-")


def test_terminal_text_drops_escape_sequences_and_controls():
    assert vises.terminal_text("red \x1b[31mALERT\x1b[0m bell\x07 ok") == "red ALERT bell ok"
    assert vises.terminal_text("title\x1b]0;pwned\x07 end") == "title end"
    assert vises.terminal_text("a\tb\nc") == "a\tb\nc"
    assert vises.terminal_text("\x9b31m") == "31m"


@given(st.text())
def test_neutralised_text_is_inert(text):
    assert not vises.formula_like(vises.spreadsheet_text(text))
    md = vises.markdown_text(text)
    assert "<" not in md and "\n" not in md
    term = vises.terminal_text(text)
    assert not any((ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F for c in term)
