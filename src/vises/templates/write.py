"""Data-collection templates: the workbook a federation sends to its centres, and its CSV twin.

The xlsx template is meant to be filled by hand in Excel or LibreOffice *and* read back without
guessing, so its layout is fixed and recorded in a hidden metadata sheet (``_vises``) that
``vises.io.xlsx_data.read_xlsx`` trusts instead of the visible, translated sheet names:

* an instructions sheet, in the chosen language;
* an identification sheet: one line per *block* (block number, organisation, period);
* one sheet per top-level dimension: one row per indicator (code in column A, then label,
  definition, unit, allowed values), and for every block two columns: the value and a
  comment/evidence cell. Sub-dimensions appear as heading rows with an empty column A;
* hidden ``_lists`` sheet holding the dropdown choices.

This module is the entry point (``write_template`` and the ``vises template`` command). Where the
cells sit is ``template_layout``, the wording ``template_words`` (its text in the ``[template]``
table of ``locale/<lang>.toml``), the writers ``template_xlsx`` and ``template_csv``; their public
names are re-exported here. Docs: docs/templates.md. Nothing heavy is imported at module level: this
module is loaded with the plugin registry, openpyxl only when a workbook is written.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from vises.errors import ConfigError
from vises.io.atomic import write_bytes_atomic
from vises.io.template_layout import (
    BLOCK_ROW,
    FIRST_BLOCK_COLUMN,
    FIRST_ROW,
    HEADER_ROW,
    IDENT_FIRST_ROW,
    LAYOUT_VERSION,
    LISTS_SHEET,
    META_SHEET,
    block_columns,
)
from vises.io.tokens import NA_TOKENS, NO_TOKENS, YES_TOKENS
from vises.model import Grid
from vises.templates.csv_template import csv_header, csv_text
from vises.templates.words import (
    TEMPLATE_LANGUAGES,
    allowed_text,
    check_template_lang,
    choices,
    level_display,
    template_words,
)
from vises.templates.xlsx_template import SheetPlan, plan_sheets, xlsx_bytes

__all__ = [
    "BLOCK_ROW",
    "FIRST_BLOCK_COLUMN",
    "FIRST_ROW",
    "FORMATS",
    "HEADER_ROW",
    "IDENT_FIRST_ROW",
    "LAYOUT_VERSION",
    "LISTS_SHEET",
    "META_SHEET",
    "NA_TOKENS",
    "NO_TOKENS",
    "TEMPLATE_LANGUAGES",
    "YES_TOKENS",
    "SheetPlan",
    "allowed_text",
    "block_columns",
    "blocks",
    "check_template_lang",
    "choices",
    "csv_header",
    "level_display",
    "plan_sheets",
    "template_words",
    "write_template",
]

#: Output formats of ``write_template`` and ``vises template``.
FORMATS = ("xlsx", "csv")


def blocks(organisations: Sequence[str] | None, periods: Sequence[str] | None) -> list[tuple[str, str]]:
    """The (organisation, period) pairs to prepare; an unknown part stays empty for the centre to fill."""
    orgs = list(organisations) if organisations else [""]
    pers = list(periods) if periods else [""]
    return [(str(org), str(per)) for org in orgs for per in pers]


def write_template(
    grid: Grid,
    path: str | os.PathLike[str],
    *,
    lang: str = "fr",
    format: str = "xlsx",
    organisations: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
) -> Path:
    """Write a data-collection template for ``grid`` to ``path`` (atomically) and return the path.

    ``format="xlsx"`` writes the fillable workbook described in the module docstring;
    ``format="csv"`` writes the wide table ``vises.io.csv_data.read_csv`` reads.
    """
    lang = check_template_lang(lang)
    if format not in FORMATS:
        raise ConfigError(f"unknown template format {format!r}", hint='use format="xlsx" or format="csv"')
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".xlsx", ".csv") and suffix != f".{format}":
        raise ConfigError(
            f"the file name {target.name!r} does not match the template format {format!r}",
            file=str(target),
            hint=f'name the file *.{format} or choose format="{suffix[1:]}"',
        )
    pairs = blocks(organisations, periods)
    if format == "csv":
        write_bytes_atomic(target, csv_text(grid, pairs).encode("utf-8"))
    else:
        write_bytes_atomic(target, xlsx_bytes(grid, lang, pairs))
    return target
