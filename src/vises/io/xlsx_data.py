"""Read a dataset from an xlsx workbook: a filled vises template, or a plain wide table.

A workbook with the hidden ``_vises`` sheet is a template written by ``vises.templates``: its
layout is taken from that sheet, dropdown labels (in any language of the grid) map back to level
values, yes/no words in French, Dutch or English to ``"yes"``/``"no"``, the not-applicable token
to the ``Column.not_applicable`` mask, and comment cells to ``Dataset.text``. Every problem in the
workbook is collected and reported at once, each with its sheet, row, column and indicator.

Any other workbook is read as a wide table (the CSV layout: ``organisation, period, <code>
[unit], ...``) from its first sheet whose A1 reads ``organisation``.

openpyxl is imported inside ``read_xlsx`` only.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.errors import DataError, DataValidationError, MissingDependencyError, VisesError
from vises.io import template_layout as tpl
from vises.io.template_framing import read_framing, worksheet_cells
from vises.io.tokens import MISSING_TOKENS, NA_TOKENS, NO_TOKENS, YES_TOKENS
from vises.model import Column, Dataset, Grid, Indicator, Kind, label_in

_ALL_LANGS = ("fr", "nl", "en")
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


class _Bad(Exception):
    """One cell that cannot be read; turned into a located DataError by the caller."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _text(value: Any) -> str:
    """A cell as text: integral numbers without '.0', everything stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@attrs.frozen(kw_only=True)
class Decoder:
    """Turns one cell of one indicator into ``(value, not_applicable)`` or raises ``_Bad``."""

    indicator: Indicator
    #: casefolded spelling -> level value (``None`` when two levels share the spelling)
    lookup: Mapping[str, str | None]
    allowed: str

    @classmethod
    def for_indicator(cls, indicator: Indicator, lang: str | None = None) -> Decoder:
        """Accepts level values and labels in every language; ``lang`` only words the hint."""
        lookup: dict[str, str | None] = {}

        def add(spelling: str, value: str) -> None:
            key = spelling.strip().casefold()
            if key:
                lookup[key] = value if lookup.get(key, value) == value else None

        if indicator.kind is Kind.BINARY and not indicator.levels:
            for token in YES_TOKENS:
                add(token, "yes")
            for token in NO_TOKENS:
                add(token, "no")
            allowed = "yes/oui/ja or no/non/nee"
        else:
            for level in indicator.levels:
                for text in level.label.values():
                    add(text, level.value)
                for other in _ALL_LANGS:
                    add(label_in(level.label, other, level.value), level.value)
            # A level's own value wins over another level's label spelled the same way.
            for level in indicator.levels:
                lookup[level.value.strip().casefold()] = level.value
            shown = ", ".join(
                f"{level.value} ({label_in(level.label, lang, level.value)})" for level in indicator.levels
            )
            allowed = f"one of the levels {shown}, or their label in fr/nl/en"
        return cls(indicator=indicator, lookup=lookup, allowed=allowed)

    def decode(self, raw: Any, number_format: str | None) -> tuple[Any, bool]:
        text = _text(raw)
        if not text or text.casefold() in MISSING_TOKENS:
            return None, False
        if text.casefold() in NA_TOKENS:
            return None, True
        kind = self.indicator.kind
        if kind is Kind.NARRATIVE:
            return text, False
        if kind is Kind.QUANTITY:
            return self._number(raw, text, number_format), False
        value = self.lookup.get(text.casefold(), "")
        if value is None:
            raise _Bad(f"{text!r} matches more than one level", f"type the level value instead: {self.allowed}")
        if not value:
            raise _Bad(
                f"{text!r} is not an allowed value", f"choose {self.allowed}; 's.o.'/'n.v.t.'/'n/a' if not applicable"
            )
        return value, False

    def _number(self, raw: Any, text: str, number_format: str | None) -> float:
        ind = self.indicator
        if isinstance(raw, bool):
            raise _Bad(f"{text!r} is not a number", self._range_hint())
        if isinstance(raw, (int, float)):
            number = float(raw)
            if number_format and "%" in number_format and _is_percent_unit(ind.unit):
                # Excel stores "45 %" as 0.45; the indicator counts in percent.
                number *= 100.0
        else:
            compact = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
            if not _NUMBER_RE.match(compact):
                raise _Bad(f"{text!r} is not a number", self._range_hint())
            number = float(compact.replace(",", "."))
        if not math.isfinite(number):
            raise _Bad(f"{text!r} is not a finite number", self._range_hint())
        if ind.minimum is not None and number < ind.minimum:
            raise _Bad(f"{_show(number)} is below the minimum {_show(ind.minimum)}", self._range_hint())
        if ind.maximum is not None and number > ind.maximum:
            raise _Bad(f"{_show(number)} is above the maximum {_show(ind.maximum)}", self._range_hint())
        return number

    def _range_hint(self) -> str:
        ind = self.indicator
        unit = f" {ind.unit}" if ind.unit else ""
        if ind.minimum is not None and ind.maximum is not None:
            what = f"a number between {_show(ind.minimum)} and {_show(ind.maximum)}{unit}"
        elif ind.minimum is not None:
            what = f"a number ≥ {_show(ind.minimum)}{unit}"
        elif ind.maximum is not None:
            what = f"a number ≤ {_show(ind.maximum)}{unit}"
        else:
            what = f"a number{unit}"
        return f"enter {what}, leave empty if unknown, or 's.o.'/'n.v.t.'/'n/a' if not applicable"


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _is_percent_unit(unit: str | None) -> bool:
    return (unit or "").strip().casefold() in {"percent", "%", "pourcent", "procent", "pct"}


def read_xlsx(
    path: str | os.PathLike[str],
    *,
    grid: Grid | None = None,
    resolve_grid: Callable[[str], Grid] | None = None,
) -> Dataset:
    """Read a filled vises template, or a plain wide table, into a ``Dataset``.

    A template names its grid; without ``grid`` it is looked up with ``resolve_grid`` (a grid code
    to ``Grid`` function, such as the plugin registry's ``grid``).
    """
    try:
        import openpyxl
    except ImportError as exc:
        raise MissingDependencyError("openpyxl", "excel", "reading xlsx data") from exc
    source = Path(path)
    if not source.is_file():
        raise DataError("file not found", file=str(source), hint="check the path")
    workbook = _open(openpyxl, source, data_only=True)
    if tpl.META_SHEET in workbook.sheetnames:
        formulas = _open(openpyxl, source, data_only=False)
        return _TemplateReader(source, workbook, formulas, grid, resolve_grid).read()
    return _read_plain(source, workbook, grid)


def _open(openpyxl: Any, source: Path, *, data_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(source, data_only=data_only)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise DataError(
            f"cannot open as an xlsx workbook: {exc}", file=str(source), hint="save the file as .xlsx (Excel workbook)"
        ) from exc


class _TemplateReader:
    """Reads one filled template; collects every problem before raising."""

    def __init__(
        self,
        source: Path,
        workbook: Any,
        formulas: Any,
        grid: Grid | None,
        resolve_grid: Callable[[str], Grid] | None,
    ) -> None:
        self.resolve_grid = resolve_grid
        self.source = source
        self.file = str(source)
        self.wb = workbook
        self.formulas = formulas
        self.problems: list[VisesError] = []
        self.meta = self._metadata()
        self.lang = str(self.meta.get("lang") or "en")
        self.grid = self._grid(grid)

    def _metadata(self) -> dict[str, Any]:
        sheet = self.wb[tpl.META_SHEET]
        meta: dict[str, Any] = {"sheets": []}
        for row in sheet.iter_rows(values_only=True):
            if not row or row[0] is None:
                continue
            key = str(row[0])
            if key == "sheet":
                meta["sheets"].append((str(row[1]), str(row[2])))
            else:
                meta[key] = row[1]
        if meta.get("layout") not in tpl.READABLE_LAYOUTS:
            raise DataError(
                f"template layout {meta.get('layout')!r} is not one this vises reads "
                f"({', '.join(tpl.READABLE_LAYOUTS)})",
                file=self.file,
                sheet=tpl.META_SHEET,
                hint="make a new template with 'vises template' and copy the values into it",
            )
        return meta

    def _grid(self, grid: Grid | None) -> Grid:
        code = str(self.meta.get("grid"))
        if grid is None:
            if self.resolve_grid is None:
                raise DataError(
                    f"this template was made for grid {code!r}; give the grid to read it with",
                    file=self.file,
                    hint=f"pass the grid explicitly (--grid {code} or --grid path/to/grid.toml)",
                )
            try:
                return self.resolve_grid(code)
            except VisesError as exc:
                raise DataError(
                    f"this template was made for grid {code!r}, which cannot be loaded: {exc}",
                    file=self.file,
                    hint=f"pass the grid explicitly (--grid {code} or --grid path/to/grid.toml)",
                ) from exc
        if grid.code != code:
            raise DataError(
                f"this template was made for grid {code!r} (version {self.meta.get('grid_version')}), not "
                f"{grid.code!r}",
                file=self.file,
                hint=f"read it with --grid {code}, or make a new template for {grid.code!r}",
            )
        return grid

    def _problem(
        self,
        message: str,
        *,
        sheet: str,
        row: int,
        column: str | None = None,
        indicator: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problems.append(
            DataError(message, file=self.file, sheet=sheet, row=row, column=column, indicator=indicator, hint=hint)
        )

    def read(self) -> Dataset:
        from openpyxl.utils import get_column_letter

        nblocks = int(self.meta.get("blocks") or 0)
        first_row = int(self.meta.get("first_row") or tpl.FIRST_ROW)
        first_col = int(self.meta.get("first_block_column") or tpl.FIRST_BLOCK_COLUMN)
        indicators = {ind.code: ind for ind in self.grid.indicators}
        decoders: dict[str, Decoder] = {}
        values: dict[str, list[Any]] = {}
        na: dict[str, list[bool]] = {}
        comments: dict[str, list[str | None]] = {}
        where: dict[str, str] = {}
        used = [False] * nblocks

        for title, _node in self.meta["sheets"]:
            if title not in self.wb.sheetnames:
                self.problems.append(
                    DataError(
                        f"sheet {title!r} of the template is missing",
                        file=self.file,
                        sheet=title,
                        hint="do not rename or delete the template's sheets",
                    )
                )
                continue
            sheet, fsheet = self.wb[title], self.formulas[title]
            for row in range(first_row, sheet.max_row + 1):
                code = _text(sheet.cell(row=row, column=1).value)
                cells = [self._block(sheet, row, block, first_col) for block in range(nblocks)]
                filled = [b for b, (value_cell, comment) in enumerate(cells) if _text(value_cell.value) or comment]
                if code not in indicators:
                    if filled:
                        self._problem(
                            f"row has values but column A holds {code!r}, which is no indicator of grid "
                            f"{self.grid.code!r}"
                            if code
                            else "row has values but no indicator code in column A",
                            sheet=title,
                            row=row,
                            column="A",
                            hint="put values only on indicator rows; do not change the codes",
                        )
                    continue
                if code in where:
                    self._problem(
                        f"indicator {code!r} appears twice (also {where[code]})",
                        sheet=title,
                        row=row,
                        column="A",
                        indicator=code,
                        hint="keep one row per indicator",
                    )
                    continue
                where[code] = f"sheet {title!r}, row {row}"
                decoder = decoders.setdefault(code, Decoder.for_indicator(indicators[code], self.lang))
                values[code], na[code], comments[code] = [None] * nblocks, [False] * nblocks, [None] * nblocks
                for block, (value_cell, comment) in enumerate(cells):
                    if block in filled:
                        used[block] = True
                    comments[code][block] = comment
                    letter = get_column_letter(tpl.block_columns(block, first_col)[0])
                    formula = fsheet.cell(row=row, column=value_cell.column).value
                    if value_cell.value is None and isinstance(formula, str) and formula.startswith("="):
                        self._problem(
                            "the cell holds a formula whose result was never computed",
                            sheet=title,
                            row=row,
                            column=f"{letter} (value, block {block + 1})",
                            indicator=code,
                            hint="open and save the file in Excel or LibreOffice, or type the value",
                        )
                        continue
                    try:
                        values[code][block], na[code][block] = decoder.decode(
                            value_cell.value, value_cell.number_format
                        )
                    except _Bad as bad:
                        self._problem(
                            bad.message,
                            sheet=title,
                            row=row,
                            column=f"{letter} (value, block {block + 1})",
                            indicator=code,
                            hint=bad.hint,
                        )

        keep = self._blocks(nblocks, used)
        ident = str(self.meta.get("identification"))
        framing = read_framing(
            worksheet_cells(self.wb[ident]) if ident in self.wb.sheetnames else {},
            keep,
            file=self.file,
            sheet=ident,
            layout=self.meta.get("layout"),
        )
        self.problems.extend(framing.problems)
        if self.problems:
            raise DataValidationError(self.problems, what=f"file {self.file!r}")
        return framing.apply(self._dataset(keep, values, na, comments, indicators))

    def _block(self, sheet: Any, row: int, block: int, first_col: int) -> tuple[Any, str | None]:
        """The value cell and the comment text of one block on one row."""
        value_col, comment_col = tpl.block_columns(block, first_col)
        comment = _text(sheet.cell(row=row, column=comment_col).value) or None
        return sheet.cell(row=row, column=value_col), comment

    def _blocks(self, nblocks: int, used: list[bool]) -> list[tuple[int, str, str]]:
        """The blocks that make dataset rows: (block, organisation, period)."""
        title = str(self.meta.get("identification"))
        if title not in self.wb.sheetnames:
            self.problems.append(
                DataError(
                    f"the identification sheet {title!r} is missing",
                    file=self.file,
                    sheet=title,
                    hint="do not rename or delete the template's sheets",
                )
            )
            return []
        sheet = self.wb[title]
        keep: list[tuple[int, str, str]] = []
        seen: dict[tuple[str, str], int] = {}
        for block in range(nblocks):
            row = tpl.IDENT_FIRST_ROW + block
            org = _text(sheet.cell(row=row, column=2).value)
            per = _text(sheet.cell(row=row, column=3).value)
            if not org or not per:
                if used[block]:
                    empty = "B (organisation)" if not org else "C (period)"
                    self._problem(
                        f"block {block + 1} holds values but its {'organisation' if not org else 'period'} is empty",
                        sheet=title,
                        row=row,
                        column=empty,
                        hint="fill in the organisation and the period of every block you use",
                    )
                continue
            if (org, per) in seen:
                self._problem(
                    f"organisation {org!r}, period {per!r} is already block {seen[(org, per)] + 1}",
                    sheet=title,
                    row=row,
                    column="B (organisation)",
                    hint="give each block a different organisation or period",
                )
                continue
            seen[(org, per)] = block
            keep.append((block, org, per))
        return keep

    def _dataset(
        self,
        keep: list[tuple[int, str, str]],
        values: dict[str, list[Any]],
        na: dict[str, list[bool]],
        comments: dict[str, list[str | None]],
        indicators: dict[str, Indicator],
    ) -> Dataset:
        rows = [block for block, _, _ in keep]
        columns: dict[str, Column] = {}
        text: dict[str, np.ndarray] = {}
        for ind in self.grid.indicators:
            if ind.code not in values:
                continue
            picked = [values[ind.code][b] for b in rows]
            mask = np.array([na[ind.code][b] for b in rows], dtype=bool)
            if ind.kind is Kind.QUANTITY:
                array = np.array([np.nan if v is None else v for v in picked], dtype=np.float64)
            else:
                array = np.empty(len(picked), dtype=object)
                array[:] = picked
            columns[ind.code] = Column(
                values=array,
                unit=ind.unit if ind.kind is Kind.QUANTITY else None,
                not_applicable=mask if mask.any() else None,
            )
            notes = [comments[ind.code][b] for b in rows]
            if any(notes):
                note_array = np.empty(len(notes), dtype=object)
                note_array[:] = notes
                text[ind.code] = note_array
        return Dataset(
            organisations=np.array([org for _, org, _ in keep], dtype=str),
            periods=np.array([per for _, _, per in keep], dtype=str),
            columns=columns,
            text=text,
            source=self.file,
        )


def _read_plain(source: Path, workbook: Any, grid: Grid | None) -> Dataset:
    """The CSV layout in a sheet: header on row 1, one row per organisation and period."""
    from openpyxl.utils import get_column_letter

    from vises.io.frames import ORGANISATION_COLUMNS, build_dataset, split_header

    file = str(source)
    sheet = None
    for candidate in workbook.worksheets:
        first = _text(candidate.cell(row=1, column=1).value)
        if split_header(first)[0].casefold() in ORGANISATION_COLUMNS:
            sheet = candidate
            break
    if sheet is None and len(workbook.worksheets) == 1:
        sheet = workbook.worksheets[0]
    if sheet is None:
        raise DataError(
            "no sheet holds a data table (a sheet whose cell A1 reads 'organisation')",
            file=file,
            hint=(
                "put the table at the top of one sheet, or make a template with 'vises template'; sheets: "
                f"{', '.join(workbook.sheetnames)}"
            ),
        )
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    while rows and all(_text(v) == "" for v in rows[-1]):
        rows.pop()
    if not rows:
        raise DataError(
            "the sheet is empty",
            file=file,
            sheet=sheet.title,
            hint="row 1 holds the headers: organisation, period, <indicator code> [unit], ...",
        )
    header, body = rows[0], rows[1:]
    columns: dict[str, Any] = {}
    problems: list[VisesError] = []
    for index, name in enumerate(header):
        cells = [row[index] if index < len(row) else None for row in body]
        title = _text(name)
        if not title:
            if any(_text(v) for v in cells):
                problems.append(
                    DataError(
                        "the column has values but no header",
                        file=file,
                        sheet=sheet.title,
                        row=1,
                        column=get_column_letter(index + 1),
                        hint="write the indicator code (and [unit]) in row 1",
                    )
                )
            continue
        array = np.empty(len(cells), dtype=object)
        array[:] = cells
        columns[title] = array
    if problems:
        raise DataValidationError(problems, what=f"file {file!r}")
    try:
        return build_dataset(columns, grid=grid, file=file, first_row=2)
    except DataValidationError as exc:
        raise DataValidationError(
            [p.with_context(sheet=sheet.title) for p in exc.problems], what=f"file {file!r}"
        ) from exc
    except VisesError as exc:
        raise exc.with_context(file=file, sheet=sheet.title) from exc
