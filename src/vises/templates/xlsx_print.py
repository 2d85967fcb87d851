"""A template that prints: readable sheet names, row heights for wrapped text, A4 landscape pages.

openpyxl writes no row heights of its own and neither Excel nor LibreOffice grows a row for wrapped
text when a file is opened, so a long definition would spill over the rows below it: the height
of each row is estimated here from its longest wrapped cell. Every printed sheet is landscape A4,
fitted to one page wide, with its header rows repeated on every page and a page-number footer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

#: Excel's limit on a sheet title, and what it refuses in one.
MAX_TITLE = 31
_FORBIDDEN = "[]:*?/\\"
#: Points per line of an 11-point font, Excel's default row height, and its largest.
LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0


def _clean(text: str) -> str:
    return " ".join("".join(" " if ch in _FORBIDDEN or ord(ch) < 32 else ch for ch in text).split()).strip("'")


def shorten(text: str, limit: int = MAX_TITLE) -> str:
    """``text`` in at most ``limit`` characters, cut between words (``…`` marks the cut), never inside one."""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    cut = room.rsplit(" ", 1)[0] if " " in room else ""
    cut = cut.rstrip(" ,;-–—:(")
    if not cut:  # one very long word: keep what fits rather than nothing
        cut = room
    return cut + "…"


def sheet_title(label: str, taken: set[str], *, number: int | None = None) -> str:
    """An Excel-valid, unique sheet title: ``"3 Gestion d'équipe"``, shortened between words.

    The number (a dimension's position in the grid) keeps titles short and unique; the full label
    stays in cell A1 of the sheet.
    """
    cleaned = _clean(label) or "sheet"
    prefix = f"{number} " if number is not None else ""
    title = prefix + shorten(cleaned, MAX_TITLE - len(prefix))
    n = 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = prefix + shorten(cleaned, MAX_TITLE - len(prefix) - len(suffix)) + suffix, n + 1
    taken.add(title.casefold())
    return title


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (a cautious estimate)."""
    usable = max(width - 1.0, 1.0)
    total = 0
    for paragraph in str(text).split("\n"):
        total += max(1, math.ceil(len(paragraph) / usable))
    return total


def fit_row_heights(
    sheet: Any, widths: Mapping[int, float], rows: Iterable[int], *, default_width: float = 9.0
) -> None:
    """Give each of ``rows`` the height its longest wrapped text needs (wider columns, fewer lines)."""
    for row in rows:
        needed = 1
        for cell in sheet[row]:
            if isinstance(cell.value, str) and cell.value:
                needed = max(needed, lines_needed(cell.value, widths.get(cell.column, default_width)))
        if needed > 1:
            sheet.row_dimensions[row].height = min(MAX_ROW_HEIGHT, needed * LINE_HEIGHT)


def page_setup(sheet: Any, *, title_rows: str | None = None, footer: str = "&P / &N") -> None:
    """Landscape A4, one page wide (as many pages tall as needed), header rows repeated, a footer."""
    from openpyxl.worksheet.page import PageMargins

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.3)
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.left.text = "&A"
    sheet.oddFooter.right.text = footer
