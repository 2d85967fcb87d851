"""Where everything sits in an xlsx template: the contract between its writer and its reader.

``vises.templates.xlsx_template`` writes these positions and records them in the hidden metadata sheet;
``vises.io.xlsx_data`` reads them back. The reader refuses a layout it does not know, so a change
here that moves or adds anything needs a new version.

Version 2 added the organisation's portrait (name, family, region, size) and the evaluation's
framing (questions, stakeholders, methods) as columns D–J of the identification sheet; nothing of
version 1 moved, so a version-1 template still reads (without portrait or framing).
"""

from __future__ import annotations

#: Recorded in the metadata sheet; the reader refuses layouts it does not know.
LAYOUT_VERSION = "vises-template/2"
#: The layouts this vises reads (version 1 has no portrait or framing columns).
READABLE_LAYOUTS = ("vises-template/1", LAYOUT_VERSION)
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
#: The identification sheet's columns (1-based): one row per block from ``IDENT_FIRST_ROW``.
IDENT_COLUMNS: dict[str, int] = {
    "block": 1,
    "organisation": 2,
    "period": 3,
    "name": 4,
    "family": 5,
    "region": 6,
    "size": 7,
    "questions": 8,
    "stakeholders": 9,
    "methods": 10,
}
#: Portrait fields (``vises.Organisation``) and framing fields (``vises.Evaluation``) among them.
PROFILE_FIELDS = ("name", "family", "region", "size")
FRAMING_FIELDS = ("questions", "stakeholders", "methods")


def block_columns(block: int, first_block_column: int = FIRST_BLOCK_COLUMN) -> tuple[int, int]:
    """The (value, comment) column numbers of block ``block`` (0-based)."""
    value = first_block_column + 2 * block
    return value, value + 1
