"""Read a dataset from an xlsx workbook: a filled vises template, or a plain wide table.

Every workbook is first looked inside (``vises.io.xlsx_guard``): what it inflates to, the real
extent of the sheets read, formula cells without a computed value. A workbook with the hidden
``_vises`` sheet is a template written by ``vises.templates`` (``vises.io.template_reader``,
openpyxl). Any other workbook is read as a wide table (the CSV layout: ``organisation, period,
<code> [unit], ...``) from its first sheet whose A1 reads ``organisation`` (or its only sheet),
with python-calamine when installed (the ``excel`` extra; ten times faster than openpyxl), else
openpyxl in read-only mode. The cells then follow the rules of every reader (``vises.io.frames``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from vises.errors import DataError, DataValidationError, MissingDependencyError, VisesError
from vises.io import template_layout as tpl
from vises.io.cells import cell_types, of_type
from vises.io.frames import ORGANISATION_COLUMNS, build_dataset, finish, split_header
from vises.io.layout import NOTHING, Declared
from vises.io.read_log import note_read
from vises.io.template_csv import under_grid
from vises.io.template_line import read_template_line
from vises.io.template_reader import cell_text, read_template
from vises.io.xlsx_guard import SheetScan, WorkbookScan, column_letters, column_number, inspect
from vises.limits import current_limits
from vises.model import Dataset, Grid


def read_xlsx(
    path: str | os.PathLike[str],
    *,
    grid: Grid | None = None,
    resolve_grid: Callable[[str], Grid] | None = None,
    keep_problems: bool = False,
    declared: Declared = NOTHING,
) -> Dataset:
    """Read a filled vises template, or a plain wide table, into a ``Dataset``.

    A template names its grid; without ``grid`` it is looked up with ``resolve_grid`` (a grid code
    to ``Grid`` function, such as the plugin registry's ``grid``). Problems of single cells are
    raised together, or kept in ``Dataset.read_problems`` with ``keep_problems``.
    """
    source = Path(path)
    if not source.is_file():
        raise DataError("file not found", file=str(source), hint="check the path")
    note_read(source)
    scan = inspect(source, limits=current_limits())
    if tpl.META_SHEET in scan.sheets:
        dataset = read_template(source, scan, grid=grid, resolve_grid=resolve_grid)
    else:
        dataset = _read_plain(source, scan, grid, declared)
    return finish(dataset, keep_problems=keep_problems)


def _read_plain(source: Path, scan: WorkbookScan, grid: Grid | None, declared: Declared = NOTHING) -> Dataset:
    """The CSV layout in a sheet: header on row 1, one row per organisation and period."""
    file = str(source)
    reader = _CalamineSheets(source) if _has_calamine() else _OpenpyxlSheets(source)
    try:
        chosen: tuple[SheetScan, list[list[Any]]] | None = None
        names = list(scan.sheets)
        for name in names:
            sheet_scan = scan.sheet(name)
            rows = reader.rows(name, sheet_scan)
            first = cell_text(rows[0][0]) if rows and rows[0] else ""
            if read_template_line(first, file) is not None:  # a CSV template saved from a spreadsheet
                first = cell_text(rows[1][0]) if len(rows) > 1 and rows[1] else ""
            if split_header(first)[0].casefold() in ORGANISATION_COLUMNS or len(names) == 1:
                chosen = (sheet_scan, rows)
                break
    finally:
        reader.close()
    if chosen is None:
        raise DataError(
            "no sheet holds a data table (a sheet whose cell A1 reads 'organisation')",
            file=file,
            hint=(
                "put the table at the top of one sheet, or make a template with 'vises template'; sheets: "
                f"{', '.join(names)}"
            ),
        )
    sheet_scan, rows = chosen
    title = sheet_scan.name
    width = max((len(row) for row in rows), default=0)
    if rows and all(len(row) == width for row in rows):
        grid_rows = np.empty((len(rows), width), dtype=object)
        grid_rows[:] = rows
    else:
        grid_rows = np.empty((len(rows), width), dtype=object)
        for index, row in enumerate(rows):
            grid_rows[index, : len(row)] = row
    # A CSV template saved as xlsx keeps its metadata line in A1: the header is row 2 below it.
    line = read_template_line(cell_text(grid_rows[0, 0]), file) if len(grid_rows) and width else None
    if line is not None and (width == 1 or bool(_blank_rows(grid_rows[:1, 1:])[0])):
        grid_rows = grid_rows[1:]
    else:
        line = None
    skip = 0 if line is None else 1
    blank = _blank_rows(grid_rows)
    filled = np.flatnonzero(~blank)
    if not len(filled) or filled[0] != 0:
        raise DataError(
            "the sheet is empty" if not len(filled) else f"row {1 + skip} of the sheet is empty",
            file=file,
            sheet=title,
            hint=f"row {1 + skip} holds the headers: organisation, period, <indicator code> [unit], ...",
        )
    header = [cell_text(value) for value in grid_rows[0]]
    body_rows = filled[1:]
    if not len(body_rows):
        raise DataError(
            "the sheet has a header but no data rows",
            file=file,
            sheet=title,
            row=2 + skip,
            hint="add one row per organisation and period below the header",
        )
    problems: list[VisesError] = []
    uncomputed = _uncomputed(sheet_scan)
    body = grid_rows[body_rows]
    for at_row, column in uncomputed:
        if at_row >= 2 + skip:
            problems.append(
                DataError(
                    "the cell holds a formula whose result was never computed; it was left empty",
                    file=file,
                    sheet=title,
                    row=at_row,
                    column=column_letters(column),
                    hint="open and save the file in Excel or LibreOffice, or type the value",
                )
            )
    letters = [column_letters(index + 1) for index in range(width)]
    names_by_column = [name or " " * (index + 1) for index, name in enumerate(header)]
    # Refused under another grid; of another version, read with the version note (template_csv).
    template = under_grid(line, header, grid=grid, declared=declared, file=file)
    if template is not None:
        declared = template.declared
    columns = {name: body[:, index] for index, name in enumerate(names_by_column)}
    if len(columns) != len(names_by_column):
        from vises.io.layout import plan_columns

        plan_columns(names_by_column, grid=grid, file=file, sheet=title, letters=letters, header_row=1 + skip)
    consecutive = body_rows[-1] - body_rows[0] + 1 == len(body_rows)
    try:
        dataset = build_dataset(
            columns,
            grid=grid,
            file=file,
            first_row=2 + skip,
            header_row=1 + skip,
            sheet=title,
            rows=None if consecutive else body_rows.astype(np.int64) + 1 + skip,
            letters=letters,
            keep_problems=True,
            declared=declared,
        )
    except DataValidationError as exc:
        raise DataValidationError([p.with_context(sheet=title) for p in exc.problems], what=f"file {file!r}") from exc
    except VisesError as exc:
        raise exc.with_context(file=file, sheet=title) from exc
    if template is not None:
        dataset = template.finish(dataset)
    if problems:
        import attrs

        dataset = attrs.evolve(dataset, read_problems=(*problems, *dataset.read_problems))
    return dataset


def _uncomputed(scan: SheetScan) -> list[tuple[int, int]]:
    import re

    found = []
    for ref in scan.uncomputed:
        match = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,7})", ref)
        if match:
            found.append((int(match[2]), column_number(match[1])))
    return found


def _blank_rows(cells: np.ndarray) -> np.ndarray:
    """Rows whose every cell is empty (None, '' or white space)."""
    if not cells.size:
        return np.ones(len(cells), dtype=bool)
    none = np.asarray(cells == np.asarray(None, dtype=object), dtype=bool)
    empty = none | np.asarray(cells == np.asarray("", dtype=object), dtype=bool)
    blank = np.asarray(empty.all(axis=1), dtype=bool)
    # A cell of white space only is empty too: look at the few rows that might be made of such cells.
    maybe = np.flatnonzero(~blank & (empty[:, 0] | _space(cells[:, 0])))
    for row in maybe:
        blank[row] = all(v is None or (isinstance(v, str) and not v.strip()) for v in cells[row].tolist())
    return blank


def _space(cells: np.ndarray) -> np.ndarray:
    kinds = cell_types(cells)
    out = np.zeros(len(cells), dtype=bool)
    text = np.flatnonzero(of_type(kinds, str))
    if len(text):
        out[text] = np.asarray([not v.strip() for v in cells[text].tolist()], dtype=bool)
    return out


def _has_calamine() -> bool:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


class _CalamineSheets:
    """Sheets as rows of Python values, read by python-calamine (only after the guard checked them)."""

    def __init__(self, source: Path) -> None:
        import python_calamine

        try:
            self.workbook = python_calamine.CalamineWorkbook.from_path(str(source))
        except Exception as exc:  # CalamineError, ZipError, XmlError...
            raise DataError(
                f"cannot open as an xlsx workbook: {exc}",
                file=str(source),
                hint="save the file as .xlsx (Excel workbook)",
            ) from exc
        self.source = source

    def rows(self, name: str, scan: SheetScan) -> list[list[Any]]:
        if not scan.rows or not scan.columns:
            return []
        try:
            sheet = self.workbook.get_sheet_by_name(name)
            rows: list[list[Any]] = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise DataError(
                f"cannot read sheet {name!r}: {exc}", file=str(self.source), sheet=name, hint="is the workbook damaged?"
            ) from exc
        return rows

    def close(self) -> None:
        self.workbook.close()


class _OpenpyxlSheets:
    """The same with openpyxl in read-only mode (no calamine installed)."""

    def __init__(self, source: Path) -> None:
        try:
            import openpyxl
        except ImportError as exc:
            raise MissingDependencyError("python-calamine", "excel", "reading xlsx data") from exc
        try:
            self.workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except Exception as exc:
            raise DataError(
                f"cannot open as an xlsx workbook: {exc}",
                file=str(source),
                hint="save the file as .xlsx (Excel workbook)",
            ) from exc

    def rows(self, name: str, scan: SheetScan) -> list[list[Any]]:
        if not scan.rows or not scan.columns:
            return []
        sheet = self.workbook[name]
        return [list(row) for row in sheet.iter_rows(max_col=scan.columns, values_only=True)]

    def close(self) -> None:
        self.workbook.close()


def read_sheet_rows(path: str | os.PathLike[str], *, sheet: str | None = None) -> tuple[str, list[list[Any]]]:
    """The rows of one sheet of a workbook (``sheet``, else the first), as Python values.

    The workbook is looked inside first (``xlsx_guard``: what it inflates to, the sheet's real
    extent), exactly as for a dataset; for tables that are not in the wide layout (a records file).
    """
    source = Path(path)
    if not source.is_file():
        raise DataError("file not found", file=str(source), hint="check the path")
    note_read(source)
    scan = inspect(source, limits=current_limits())
    names = list(scan.sheets)
    if sheet is not None and sheet not in names:
        raise DataError(
            f"the workbook has no sheet {sheet!r}", file=str(source), hint=f"its sheets: {', '.join(names)}"
        )
    chosen = sheet if sheet is not None else names[0]
    reader = _CalamineSheets(source) if _has_calamine() else _OpenpyxlSheets(source)
    try:
        return chosen, reader.rows(chosen, scan.sheet(chosen))
    finally:
        reader.close()


__all__ = ["read_sheet_rows", "read_xlsx"]
