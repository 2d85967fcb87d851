"""The csv template: the wide table ``vises.io.csv_data.read_csv`` reads, one column per collected
indicator (derived ones are computed by the grid) and one per evidence field it asks for, below a
first line naming the grid and its version (``# vises template: grid=<code> version=<version>``,
``vises.io.template_line``), so the file is checked against the grid it is read with, as an xlsx
template is.

A CSV file is opened by spreadsheets, so every cell a spreadsheet would take for a formula gets a
leading ``'`` (``vises.spreadsheet_text``); codes and units come from a grid, organisations and
periods from the command line, and none of them may reach a spreadsheet as a live formula.
"""

from __future__ import annotations

import csv
import io

from vises.io.template_line import format_template_line
from vises.model import Grid, Indicator
from vises.neutralise import spreadsheet_text


def csv_header(indicator: Indicator) -> str:
    """``code [unit]`` (just ``code`` without a unit), the column header read_csv expects."""
    return f"{indicator.code} [{indicator.unit}]" if indicator.unit else indicator.code


def collected(grid: Grid) -> list[Indicator]:
    """The indicators a template asks for: every one with a value of its own (derived ones are computed)."""
    return [ind for ind in grid.indicators if not ind.derived]


def csv_columns(grid: Grid) -> list[str]:
    """Each collected indicator's column, then its evidence columns (``code.n``, ``code.source``, ...)."""
    columns = []
    for ind in collected(grid):
        columns.append(csv_header(ind))
        columns += [f"{ind.code}.{field}" for field in ind.evidence]
    return columns


def csv_text(grid: Grid, pairs: list[tuple[str, str]]) -> str:
    """The metadata line, the header row, then one empty row per block (none when no block is named)."""
    buffer = io.StringIO()
    buffer.write(format_template_line(grid.code, grid.version) + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = csv_columns(grid)
    writer.writerow(["organisation", "period", *(spreadsheet_text(name) for name in columns)])
    if pairs != [("", "")]:
        for org, per in pairs:
            writer.writerow([spreadsheet_text(org), spreadsheet_text(per), *([""] * len(columns))])
    return buffer.getvalue()
