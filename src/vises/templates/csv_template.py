"""The csv template: the wide table ``vises.io.csv_data.read_csv`` reads, one column per indicator.

A CSV file is opened by spreadsheets, so every cell a spreadsheet would take for a formula gets a
leading ``'`` (``vises.spreadsheet_text``); codes and units come from a grid, organisations and
periods from the command line, and none of them may reach a spreadsheet as a live formula.
"""

from __future__ import annotations

import csv
import io

from vises.model import Grid, Indicator
from vises.neutralise import spreadsheet_text


def csv_header(indicator: Indicator) -> str:
    """``code [unit]`` (just ``code`` without a unit), the column header read_csv expects."""
    return f"{indicator.code} [{indicator.unit}]" if indicator.unit else indicator.code


def csv_text(grid: Grid, pairs: list[tuple[str, str]]) -> str:
    """The header row, then one empty row per block (none when no block is named).

    A derived indicator (a formula, a rate) is computed from its inputs and has no column.
    """
    collected = [ind for ind in grid.indicators if not ind.derived]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["organisation", "period", *(spreadsheet_text(csv_header(ind)) for ind in collected)])
    if pairs != [("", "")]:
        for org, per in pairs:
            writer.writerow([spreadsheet_text(org), spreadsheet_text(per), *([""] * len(collected))])
    return buffer.getvalue()
