"""Where everything sits in an xlsx template: the contract between its writer and its reader.

``vises.templates.xlsx_template`` writes these positions and records them in the hidden metadata sheet;
``vises.io.xlsx_data`` reads them back. The reader refuses a ``LAYOUT_VERSION`` it does not know,
so a change here that moves anything needs a new version.
"""

from __future__ import annotations

#: Recorded in the metadata sheet; the reader refuses layouts it does not know.
LAYOUT_VERSION = "vises-template/1"
META_SHEET = "_vises"
LISTS_SHEET = "_lists"
#: Row holding the block headers (organisation · period) on a dimension sheet.
BLOCK_ROW = 3
#: Row holding the column headers on a dimension sheet.
HEADER_ROW = 4
#: First indicator row on a dimension sheet.
FIRST_ROW = 5
#: Columns A–E describe the indicator; blocks start at column F (6).
FIRST_BLOCK_COLUMN = 6
#: First block line on the identification sheet (row 2 holds the headers).
IDENT_FIRST_ROW = 3


def block_columns(block: int, first_block_column: int = FIRST_BLOCK_COLUMN) -> tuple[int, int]:
    """The (value, comment) column numbers of block ``block`` (0-based)."""
    value = first_block_column + 2 * block
    return value, value + 1
