"""Read a filled vises xlsx template (the workbook with the hidden ``_vises`` sheet).

The layout comes from the metadata sheet, checked before it is trusted (a damaged one is an error
naming the sheet, never a crash or an endless loop). Dropdown labels in any language of the grid
map back to level values, yes/no words in French, Dutch or English to ``"yes"``/``"no"``, the
not-applicable words to ``Column.not_applicable``, comment cells to ``Dataset.text``, and a cell
formatted as a percentage to percent. Cells are read with openpyxl in read-only mode within the
sheet's real extent (``vises.io.xlsx_guard``). Nothing is dropped silently: a value outside the
blocks, on a row without an indicator, in a block without organisation or period, or a formula
never computed, is a problem with its sheet, row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.errors import ConfigError, DataError, MissingDependencyError, VisesError
from vises.io import template_layout as tpl
from vises.io.layout import evidence_target
from vises.io.template_framing import read_framing
from vises.io.template_version import (
    added_since,
    check_grid,
    missing_column,
    needs_column,
    version_changed,
    version_note,
)
from vises.io.tokens import MISSING_TOKENS, NA_TOKENS, NO_TOKENS, SOURCE_TOKENS, SOURCE_WORDS, YES_TOKENS
from vises.io.xlsx_guard import SheetScan, WorkbookScan, column_letters, column_number
from vises.model import Column, Dataset, Evidence, Grid, Indicator, Kind, label_in
from vises.model.evidence import FIELDS

_ALL_LANGS = ("fr", "nl", "en")
_NUMBER_RE = re.compile(r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?$")
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384


class _Bad(Exception):
    """One cell that cannot be read; turned into a located DataError by the caller."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def cell_text(value: Any) -> str:
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
        text = cell_text(raw)
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
                raise _Bad(f"{text[:40]!r} is not a number", self._range_hint())
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


def decode_evidence(field: str, raw: Any) -> Any:
    """One evidence cell: ``n``/``sd`` a number ≥ 0, ``source`` a source in any language, ``verified`` yes/no."""
    text = cell_text(raw)
    if not text or text.casefold() in MISSING_TOKENS:
        return None
    if field in ("n", "sd"):
        compact = text.replace("\u00a0", "").replace(" ", "")
        number = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else None
        if number is None and _NUMBER_RE.match(compact):
            number = float(compact.replace(",", "."))
        if number is None or not math.isfinite(number) or number < 0:
            what = "a number of answers or records" if field == "n" else "a standard deviation"
            raise _Bad(f"{text[:40]!r} is not {what} (≥ 0)", "enter a whole number ≥ 0, or leave the cell empty")
        return number
    if field == "source":
        source = SOURCE_TOKENS.get(text.casefold())
        if source is None:
            shown = ", ".join(words.get("en", key) for key, words in SOURCE_WORDS.items())
            raise _Bad(f"{text[:40]!r} is not a source", f"choose one of {shown} (or its French or Dutch word)")
        return source
    folded = text.casefold()
    if folded in YES_TOKENS:
        return True
    if folded in NO_TOKENS:
        return False
    raise _Bad(f"{text[:40]!r} is neither yes nor no", "choose yes/oui/ja or no/non/nee, or leave the cell empty")


def _show(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _is_percent_unit(unit: str | None) -> bool:
    return (unit or "").strip().casefold() in {"percent", "%", "pourcent", "procent", "pct"}


#: Cells of one sheet: (row, column) -> (value, number format); only cells that hold something.
Cells = dict[tuple[int, int], tuple[Any, str | None]]


@attrs.frozen(kw_only=True)
class Layout:
    """The checked contents of the metadata sheet."""

    version: str
    grid: str
    grid_version: str | None
    lang: str
    identification: str
    blocks: int
    first_row: int
    first_column: int
    sheets: tuple[tuple[str, str], ...]


def sheet_cells(workbook: Any, scan: SheetScan) -> Cells:
    """The non-empty cells of a sheet, within its real extent (read-only, so never the declared one)."""
    cells: Cells = {}
    if not scan.rows or not scan.columns:
        return cells
    for row in workbook[scan.name].iter_rows(min_row=1, max_col=scan.columns):
        for cell in row:
            value = getattr(cell, "value", None)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            cells[(cell.row, cell.column)] = (value, getattr(cell, "number_format", None))
    return cells


def _damaged(file: str, what: str) -> ConfigError:
    # An input error (exit 2), like any other malformed file: trusting it would read nonsense or loop.
    return ConfigError(
        f"the template's metadata sheet is damaged: {what}",
        file=file,
        sheet=tpl.META_SHEET,
        hint="make a new template with 'vises template' and copy the values into it",
    )


def parse_layout(cells: Cells, file: str) -> Layout:
    """The layout recorded in the metadata sheet, every entry checked (a damaged sheet is a ``DataError``)."""
    rows: dict[int, dict[int, Any]] = {}
    for (row, column), (value, _) in cells.items():
        rows.setdefault(row, {})[column] = value
    meta: dict[str, Any] = {}
    sheets: list[tuple[str, str]] = []
    for row in sorted(rows):
        values = rows[row]
        key = values.get(1)
        if key is None:
            continue
        if key == "sheet":
            title, node = values.get(2), values.get(3)
            if not isinstance(title, str) or not isinstance(node, str):
                raise _damaged(file, f"row {row} should name a sheet and its node")
            sheets.append((title, node))
        elif isinstance(key, str):
            meta[key] = values.get(2)
    if meta.get("layout") not in tpl.READABLE_LAYOUTS:
        raise DataError(
            f"template layout {meta.get('layout')!r} is not one this vises reads ({', '.join(tpl.READABLE_LAYOUTS)})",
            file=file,
            sheet=tpl.META_SHEET,
            hint="make a new template with 'vises template' and copy the values into it",
        )
    grid = meta.get("grid")
    if not isinstance(grid, str) or not grid.strip():
        raise _damaged(file, "it names no grid")
    identification = meta.get("identification")
    if not isinstance(identification, str):
        raise _damaged(file, "it names no identification sheet")

    def whole(key: str, default: int, low: int, high: int) -> int:
        value = meta.get(key, default)
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _damaged(file, f"{key} is {value!r}, not a whole number between {low} and {high:,}")
        return value

    first_column = whole("first_block_column", tpl.FIRST_BLOCK_COLUMN, 1, _MAX_COLUMNS)
    lang = meta.get("lang")
    return Layout(
        version=str(meta.get("layout")),
        grid=grid,
        grid_version=None if meta.get("grid_version") is None else str(meta.get("grid_version")),
        lang=lang if isinstance(lang, str) and lang in _ALL_LANGS else "en",
        identification=identification,
        blocks=whole("blocks", 0, 0, (_MAX_COLUMNS - first_column + 1) // 2),
        first_row=whole("first_row", tpl.FIRST_ROW, 1, _MAX_ROWS),
        first_column=first_column,
        sheets=tuple(sheets),
    )


def holds_values(workbook: Any, scan: WorkbookScan, file: str) -> bool:
    """Whether any value or comment cell in a template's blocks is filled in."""
    layout = parse_layout(sheet_cells(workbook, scan.sheet(tpl.META_SHEET)), file)
    for title, _ in layout.sheets:
        if title in scan.sheets:
            cells = sheet_cells(workbook, scan.sheet(title))
            if any(row >= layout.first_row and column >= layout.first_column for row, column in cells):
                return True
    return False


class TemplateReader:
    """Reads one filled template; collects every problem before returning."""

    def __init__(
        self,
        source: Path,
        workbook: Any,
        scan: WorkbookScan,
        grid: Grid | None,
        resolve_grid: Callable[[str], Grid] | None,
    ) -> None:
        self.source = source
        self.file = str(source)
        self.wb = workbook
        self.scan = scan
        self.resolve_grid = resolve_grid
        self.problems: list[VisesError] = []
        self._scans: dict[str, SheetScan] = {}
        self.layout = self._layout()
        self.grid = self._grid(grid)

    def _layout(self) -> Layout:
        return parse_layout(self._cells(tpl.META_SHEET), self.file)

    def _grid(self, grid: Grid | None) -> Grid:
        code = self.layout.grid
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
        check_grid(code, self.layout.grid_version, grid, file=self.file)
        return grid

    # Cells --------------------------------------------------------------------------------------

    def _sheet_scan(self, title: str) -> SheetScan:
        if title not in self._scans:
            self._scans[title] = self.scan.sheet(title)
        return self._scans[title]

    def _cells(self, title: str) -> Cells:
        return sheet_cells(self.wb, self._sheet_scan(title))

    def _uncomputed(self, title: str) -> set[tuple[int, int]]:
        found = set()
        for ref in self._sheet_scan(title).uncomputed:
            match = _REF.fullmatch(ref)
            if match:
                found.add((int(match[2]), column_number(match[1])))
        return found

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

    # Reading ------------------------------------------------------------------------------------

    def read(self) -> Dataset:
        layout = self.layout
        nblocks, first_row, first_col = layout.blocks, layout.first_row, layout.first_column
        last_col = first_col + 2 * nblocks - 1
        indicators = {ind.code: ind for ind in self.grid.indicators}
        decoders: dict[str, Decoder] = {}
        values: dict[str, list[Any]] = {}
        na: dict[str, list[bool]] = {}
        comments: dict[str, list[str | None]] = {}
        evidence: dict[tuple[str, str], list[Any]] = {}
        where: dict[str, str] = {}
        used = [False] * nblocks
        sheetnames = set(self.wb.sheetnames)
        # A template of another version of the grid: rows of indicators the grid has dropped since.
        dropped: dict[str, list[str]] = {}

        for title, _node in layout.sheets:
            if title not in sheetnames or title not in self.scan.sheets:
                self._problem(
                    f"sheet {title!r} of the template is missing",
                    sheet=title,
                    row=1,
                    hint="do not rename or delete the template's sheets",
                )
                continue
            cells = self._cells(title)
            uncomputed = self._uncomputed(title)
            rows = sorted({row for row, _ in cells} | {row for row, _ in uncomputed})
            for row, column in sorted(cells.keys() | uncomputed):
                if row >= first_row and column > last_col:
                    self._problem(
                        "a value outside the template's blocks; it was not read",
                        sheet=title,
                        row=row,
                        column=column_letters(column),
                        hint=(
                            f"the template has {nblocks} block(s), columns {column_letters(first_col)}–"
                            f"{column_letters(max(last_col, first_col))}: make a template with more blocks "
                            "('vises template --organisation ... --period ...') and copy the values into it"
                        ),
                    )
            for row in rows:
                if row < first_row:
                    continue
                code = cell_text(cells.get((row, 1), (None, None))[0])
                filled = [
                    block
                    for block in range(nblocks)
                    if any(
                        (row, col) in cells or (row, col) in uncomputed for col in tpl.block_columns(block, first_col)
                    )
                ]
                target = None if code in indicators else evidence_target(code)
                if target is not None and target[0] in indicators and target[1] in FIELDS and code not in where:
                    where[code] = f"sheet {title!r}, row {row}"
                    self._evidence_row(title, row, code, target, cells, uncomputed, filled, evidence, used)
                    continue
                if code not in indicators:
                    if code and self.version_changed:
                        dropped.setdefault(code, []).extend(f"sheet {title!r}, row {row}" for _ in filled[:1])
                        continue
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
                self._indicator_row(
                    title, row, indicators[code], cells, uncomputed, filled, decoders, values, na, comments, used
                )
        # Indicators on no sheet (their rows deleted) are missing, as they are from any other reader.
        if self.version_changed:
            self._version_note(dropped, list(added_since(self.grid, where)))
        keep = self._blocks(nblocks, used)
        ident = self.layout.identification
        framing = read_framing(
            {key: value for key, (value, _) in self._cells(ident).items()},
            keep,
            file=self.file,
            sheet=ident,
            layout=self.layout.version,
        )
        self.problems.extend(framing.problems)
        return framing.apply(self._dataset(keep, values, na, comments, evidence))

    def _evidence_row(
        self,
        title: str,
        row: int,
        code: str,
        target: tuple[str, str],
        cells: Cells,
        uncomputed: set[tuple[int, int]],
        filled: list[int],
        evidence: dict[tuple[str, str], list[Any]],
        used: list[bool],
    ) -> None:
        """The evidence row ``<indicator>.<field>``: one value per block; its comment column stays empty."""
        column = evidence[target] = [None] * self.layout.blocks
        for block in filled:
            used[block] = True
            value_col, comment_col = tpl.block_columns(block, self.layout.first_column)
            if (row, comment_col) in cells:
                self._problem(
                    "a comment on an evidence row; it was not read",
                    sheet=title,
                    row=row,
                    column=f"{column_letters(comment_col)} (block {block + 1})",
                    indicator=target[0],
                    hint=f"write the comment beside the value of {target[0]!r}, on its own row",
                )
            if (row, value_col) in uncomputed:
                self._problem(
                    "the cell holds a formula whose result was never computed",
                    sheet=title,
                    row=row,
                    column=f"{column_letters(value_col)} (block {block + 1})",
                    indicator=target[0],
                    hint="open and save the file in Excel or LibreOffice, or type the value",
                )
                continue
            try:
                column[block] = decode_evidence(target[1], cells.get((row, value_col), (None, None))[0])
            except _Bad as bad:
                self._problem(
                    bad.message,
                    sheet=title,
                    row=row,
                    column=f"{column_letters(value_col)} ({code}, block {block + 1})",
                    indicator=target[0],
                    hint=bad.hint,
                )

    @property
    def version_changed(self) -> bool:
        """Whether the template was made for another version of the grid than the one reading it."""
        return version_changed(self.layout.grid_version, self.grid)

    def _version_note(self, dropped: dict[str, list[str]], added: list[str]) -> None:
        """Say, as a warning, which indicators the grid dropped or added since the template was made."""
        version_note(self.grid, self.layout.grid_version, dropped=dropped, added=added, file=self.file, stacklevel=3)

    def _indicator_row(
        self,
        title: str,
        row: int,
        indicator: Indicator,
        cells: Cells,
        uncomputed: set[tuple[int, int]],
        filled: list[int],
        decoders: dict[str, Decoder],
        values: dict[str, list[Any]],
        na: dict[str, list[bool]],
        comments: dict[str, list[str | None]],
        used: list[bool],
    ) -> None:
        layout = self.layout
        nblocks, first_col = layout.blocks, layout.first_column
        code = indicator.code
        decoder = decoders.setdefault(code, Decoder.for_indicator(indicator, layout.lang))
        values[code], na[code], comments[code] = [None] * nblocks, [False] * nblocks, [None] * nblocks
        for block in filled:
            used[block] = True
            value_col, comment_col = tpl.block_columns(block, first_col)
            letter = column_letters(value_col)
            comment = cells.get((row, comment_col))
            comments[code][block] = cell_text(comment[0]) or None if comment is not None else None
            if (row, value_col) in uncomputed or (row, comment_col) in uncomputed:
                self._problem(
                    "the cell holds a formula whose result was never computed",
                    sheet=title,
                    row=row,
                    column=f"{column_letters(value_col if (row, value_col) in uncomputed else comment_col)} "
                    f"(block {block + 1})",
                    indicator=code,
                    hint="open and save the file in Excel or LibreOffice, or type the value",
                )
                continue
            value, number_format = cells.get((row, value_col), (None, None))
            try:
                values[code][block], na[code][block] = decoder.decode(value, number_format)
            except _Bad as bad:
                self._problem(
                    bad.message,
                    sheet=title,
                    row=row,
                    column=f"{letter} (value, block {block + 1})",
                    indicator=code,
                    hint=bad.hint,
                )

    def _blocks(self, nblocks: int, used: list[bool]) -> list[tuple[int, str, str]]:
        """The blocks that make dataset rows: (block, organisation, period)."""
        title = self.layout.identification
        if title not in self.wb.sheetnames or title not in self.scan.sheets:
            raise DataError(
                f"the identification sheet {title!r} is missing",
                file=self.file,
                sheet=title,
                hint="do not rename or delete the template's sheets",
            )
        cells = self._cells(title)
        uncomputed = self._uncomputed(title)
        keep: list[tuple[int, str, str]] = []
        seen: dict[tuple[str, str], int] = {}
        for row, column in sorted(uncomputed):
            if row >= tpl.IDENT_FIRST_ROW and column in (2, 3):
                self._problem(
                    "the cell holds a formula whose result was never computed",
                    sheet=title,
                    row=row,
                    column=column_letters(column),
                    hint="open and save the file in Excel or LibreOffice, or type the value",
                )
        beyond = sorted({row for row, column in cells if row >= tpl.IDENT_FIRST_ROW + nblocks and column in (2, 3)})
        for row in beyond:
            self._problem(
                f"an organisation or period beyond the template's {nblocks} block(s); it was not read",
                sheet=title,
                row=row,
                column="B",
                hint="make a template with a block for it ('vises template --organisation ... --period ...')",
            )
        for block in range(nblocks):
            row = tpl.IDENT_FIRST_ROW + block
            org = cell_text(cells.get((row, 2), (None, None))[0])
            per = cell_text(cells.get((row, 3), (None, None))[0])
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
        evidence: dict[tuple[str, str], list[Any]],
    ) -> Dataset:
        rows = [block for block, _, _ in keep]
        columns: dict[str, Column] = {}
        text: dict[str, np.ndarray] = {}
        for ind in self.grid.indicators:
            if ind.code not in values:
                if self.version_changed and needs_column(ind):
                    # Added to the grid since the template was made: missing here, and said so.
                    columns[ind.code] = missing_column(ind, len(rows))
                continue
            picked = [values[ind.code][b] for b in rows]
            mask = np.array([na[ind.code][b] for b in rows], dtype=bool)
            if ind.kind is Kind.NARRATIVE:
                # A narrative is text, as from every other reader; a comment beside it is kept with it.
                told = [
                    "\n".join(part for part in (value, comments[ind.code][b]) if part) or None
                    for value, b in zip(picked, rows, strict=True)
                ]
                if any(told):
                    notes = np.empty(len(told), dtype=object)
                    notes[:] = told
                    text[ind.code] = notes
                continue
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
            notes_list = [comments[ind.code][b] for b in rows]
            if any(notes_list):
                note_array = np.empty(len(notes_list), dtype=object)
                note_array[:] = notes_list
                text[ind.code] = note_array
        fields: dict[str, dict[str, np.ndarray]] = {}
        for (code, field), cells in evidence.items():
            picked = [cells[b] for b in rows]
            if field in ("n", "sd"):
                array = np.array([np.nan if v is None else v for v in picked], dtype=np.float64)
            else:
                array = np.empty(len(picked), dtype=object)
                array[:] = picked
            fields.setdefault(code, {})[field] = array
        organisations = np.empty(len(keep), dtype=object)
        organisations[:] = [org for _, org, _ in keep]
        periods = np.empty(len(keep), dtype=object)
        periods[:] = [per for _, _, per in keep]
        return Dataset(
            organisations=organisations,
            periods=periods,
            columns=columns,
            text=text,
            source=self.file,
            read_problems=tuple(self.problems),
            evidence={
                code: Evidence(n=given.get("n"), source=given.get("source"), verified=given.get("verified"))
                for code, given in fields.items()
            },
        )


def read_template(
    source: Path, scan: WorkbookScan, *, grid: Grid | None, resolve_grid: Callable[[str], Grid] | None
) -> Dataset:
    try:
        import openpyxl
    except ImportError as exc:
        raise MissingDependencyError("openpyxl", "excel", "reading xlsx templates") from exc
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise DataError(
            f"cannot open as an xlsx workbook: {exc}", file=str(source), hint="save the file as .xlsx (Excel workbook)"
        ) from exc
    try:
        return TemplateReader(source, workbook, scan, grid, resolve_grid).read()
    finally:
        workbook.close()


__all__ = [
    "Decoder",
    "Layout",
    "TemplateReader",
    "cell_text",
    "decode_evidence",
    "holds_values",
    "parse_layout",
    "read_template",
    "sheet_cells",
]
