"""The csv template: the wide table ``vises.io.csv_data.read_csv`` reads, one column per indicator."""

from __future__ import annotations

import csv
import io

from vises.model import Grid, Indicator


def csv_header(indicator: Indicator) -> str:
    """``code [unit]`` (just ``code`` without a unit), the column header read_csv expects."""
    return f"{indicator.code} [{indicator.unit}]" if indicator.unit else indicator.code


def csv_text(grid: Grid, pairs: list[tuple[str, str]]) -> str:
    """The header row, then one empty row per block (none when no block is named)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["organisation", "period", *(csv_header(ind) for ind in grid.indicators)])
    if pairs != [("", "")]:
        for org, per in pairs:
            writer.writerow([org, per, *([""] * len(grid.indicators))])
    return buffer.getvalue()
