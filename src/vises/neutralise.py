"""Text made inert where it lands: a spreadsheet cell, a Markdown page, a terminal.

Names, labels, comments and codes come from files other people wrote. Each output neutralises
them at the boundary with these functions (the one way per destination; plugins use them through
the public API): a spreadsheet must never see a formula it did not ask for (OWASP's CSV
injection guidance), Markdown must never carry HTML or break a table, a terminal must never
receive control sequences. Every function is idempotent on its own output's meaning: the visible
text stays what the user wrote.
"""

from __future__ import annotations

import re

#: First characters that make a spreadsheet read a cell as a formula (OWASP: = + - @ tab CR; LF too).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~])")
#: Characters that start a block (heading, list, quote, setext rule) when they open a line.
_MARKDOWN_LEADERS = ("#", "+", "-", "=", ">")
#: C0 controls but tab and newline, DEL, and C1 controls; ESC starts the sequences that matter most.
_CONTROLS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula (a plain signed number is not)."""
    return text.startswith(FORMULA_TRIGGERS) and not _NUMBER.fullmatch(text)


def spreadsheet_text(text: str) -> str:
    """``text`` for a CSV cell a spreadsheet will open: a formula-like value gets a leading ``'``.

    In an xlsx file, write the cell as a string instead (its data type ``s``), which keeps the
    text exactly; this prefix is for formats that have no cell types.
    """
    return "'" + text if formula_like(text) else text


#: Characters XML 1.0 (so xlsx) cannot hold or would normalise (CR), and text that already reads as an escape.
_XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def xlsx_text(text: str) -> str:
    """``text`` for an xlsx string cell: characters XML cannot carry written as SpreadsheetML's
    ``_xHHHH_`` escape (Excel and LibreOffice show the original), so nothing is dropped."""
    return _XLSX_UNSAFE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def markdown_text(text: str) -> str:
    """``text`` safe in a Markdown paragraph or table cell: one line, no HTML, specials escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = " ".join(text.splitlines())
    return "\\" + text if text.startswith(_MARKDOWN_LEADERS) else text


def terminal_text(text: str) -> str:
    """``text`` without escape sequences or control characters (tabs and newlines are kept)."""
    return _CONTROLS.sub("", text)


__all__ = ["FORMULA_TRIGGERS", "formula_like", "markdown_text", "spreadsheet_text", "terminal_text"]
