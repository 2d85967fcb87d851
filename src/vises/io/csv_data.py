"""CSV (and TSV) datasets in the wide layout: one row per organisation and period.

The file is read with the csv module, transposed into one list per column and handed to
``frames.build_dataset``, which converts each column in one vectorised pass. Units come from the
header (``training_time [min]``) or from a units row right below it whose first cell is ``unit``,
``units``, ``unité`` or ``eenheid``. With ``;`` as delimiter a decimal comma is accepted.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from pathlib import Path

from vises.errors import DataError, DataValidationError, VisesError
from vises.io.frames import ATTRIBUTE_COLUMNS, build_dataset
from vises.model import Dataset, Grid

PathLike = str | os.PathLike[str]

UNIT_ROW_MARKERS = ("unit", "units", "unité", "unite", "unités", "eenheid", "eenheden")

#: Thousands grouped by points before a decimal comma (Excel, Belgian locales), or by spaces.
_GROUPED_DECIMAL = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+,\d+|[+-]?\d{1,3}(?: \d{3})+(?:,\d+)?")


def sniff_delimiter(first_line: str, suffix: str) -> str:
    """Tab for .tsv; otherwise whichever of ``;``, tab and ``,`` the header uses most (``,`` on ties)."""
    if suffix.lower() == ".tsv":
        return "\t"
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts.values())
    if best == 0 or counts[","] == best:
        return ","
    return ";" if counts[";"] == best else "\t"


def read_rows(path: PathLike, *, delimiter: str | None = None) -> tuple[list[str], list[list[str]], str]:
    """Header and rows of a delimited text file (blank lines skipped), and the delimiter used."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError("data file not found", file=str(path), hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"the file is not UTF-8 text (byte {exc.start})", file=str(path), hint="save it as 'CSV UTF-8'"
        ) from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DataError("the file is empty or its first line (the header) is blank", file=str(path))
    delimiter = delimiter or sniff_delimiter(lines[0], path.suffix)
    reader = csv.reader(lines, delimiter=delimiter)
    header = [cell.strip() for cell in next(reader)]
    rows = list(reader)
    return header, rows, delimiter


def read_csv(
    path: PathLike,
    *,
    grid: Grid | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    delimiter: str | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
) -> Dataset:
    """Read a wide CSV file into a ``Dataset``; every problem is reported at once.

    With a grid, scale/binary/category columns become text checked against the levels and
    quantity columns numbers; without one, columns whose filled cells are all numbers become
    numbers and the others text. Without a period column every row gets the period ``"all"``.
    Rows in messages are spreadsheet rows (the header is row 1).
    """
    file = str(path)
    header, rows, delimiter = read_rows(path, delimiter=delimiter)
    problems: list[VisesError] = []
    if not any(header):
        raise DataError("the header row has no column names", file=file, row=1)
    for index, name in enumerate(header):
        if not name:
            problems.append(
                DataError(
                    f"column {index + 1} of the header has no name",
                    file=file,
                    row=1,
                    hint="name it or delete the column",
                )
            )
    units: dict[str, str | None] = {}
    first_row = 2
    if rows and rows[0] and rows[0][0].strip().lower() in UNIT_ROW_MARKERS:
        cells = rows.pop(0)[1:]
        units = {name: cell.strip() or None for name, cell in zip(header[1:], cells, strict=False)}
        first_row = 3
    numbered = [(first_row + offset, row) for offset, row in enumerate(rows) if any(cell.strip() for cell in row)]
    width = len(header)
    kept: list[list[str]] = []
    line_of: list[int] = []
    for line, row in numbered:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(
                DataError(
                    f"the row has {len(row)} cells but the header has {width}",
                    file=file,
                    row=line,
                    hint="check for a stray delimiter or a missing header",
                )
            )
            continue
        kept.append((row + [""] * (width - len(row)))[:width])
        line_of.append(line)
    if problems:
        raise DataValidationError(problems, what=f"data {file!r}")
    if not kept:
        raise DataError(
            "the file has a header but no data rows",
            file=file,
            row=first_row,
            hint="add one row per organisation and period below the header",
        )
    gaps = len(line_of) != 0 and line_of[-1] - line_of[0] + 1 != len(line_of)
    columns = {name: list(values) for name, values in zip(header, zip(*kept, strict=True), strict=True)}
    if delimiter == ";":
        _drop_grouping_points(columns)
    try:
        dataset = build_dataset(
            columns,
            grid=grid,
            units=units,
            id_column=id_column,
            period_column=period_column,
            attributes=attributes,
            file=file,
            first_row=first_row,
            decimal_comma=delimiter == ";",
        )
    except DataValidationError as exc:
        if not gaps:
            raise
        raise DataValidationError([_fix_row(p, line_of, first_row) for p in exc.problems], what=exc.what) from exc
    return dataset


def _drop_grouping_points(columns: dict[str, list[str]]) -> None:
    """``1.234,5`` and ``1 234,5`` (thousands grouped, then a decimal comma) become ``1234,5``.

    Only cells of exactly that shape change, so ``1.5``, ``1.234`` and text are untouched; a
    column is scanned cell by cell only when it holds a point or a space at all.
    """
    for values in columns.values():
        joined = "\x00".join(values)
        if "." not in joined and " " not in joined:
            continue
        for index, cell in enumerate(values):
            if ("." in cell or " " in cell) and _GROUPED_DECIMAL.fullmatch(cell.strip()):
                values[index] = cell.replace(".", "").replace(" ", "")


def _fix_row(problem: VisesError, line_of: list[int], first_row: int) -> VisesError:
    """Blank lines were skipped: map a row counted without them back to the file's row."""
    if problem.row is None or problem.row < first_row:
        return problem
    row = line_of[problem.row - first_row]
    return type(problem)(
        problem.message,
        hint=problem.hint,
        file=problem.file,
        row=row,
        column=problem.column,
        indicator=problem.indicator,
    )


__all__ = ["UNIT_ROW_MARKERS", "read_csv", "read_rows", "sniff_delimiter"]
