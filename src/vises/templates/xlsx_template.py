"""The xlsx template: a workbook to fill by hand, with dropdowns and ranges, that reads back without guessing.

Sheets are planned from the grid (one per top-level dimension, titled by its number and label),
every value cell gets a data validation built from the indicator, the identification sheet collects
each organisation's portrait and each evaluation's framing, and the positions of
``vises.io.template_layout`` are recorded in the hidden metadata sheet. Every sheet prints on
landscape A4 (``xlsx_print``). openpyxl is imported only when a workbook is written.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import attrs

from vises.errors import MissingDependencyError
from vises.io.template_layout import (
    BLOCK_ROW,
    FIRST_BLOCK_COLUMN,
    FIRST_ROW,
    HEADER_ROW,
    IDENT_COLUMNS,
    IDENT_FIRST_ROW,
    LAYOUT_VERSION,
    LISTS_SHEET,
    META_SHEET,
    block_columns,
)
from vises.model import Grid, Indicator, Kind, Node, label_in
from vises.neutralise import xlsx_text
from vises.templates.words import (
    allowed_text,
    choices,
    evidence_choices,
    family_choices,
    method_choices,
    number_text,
    size_choices,
    template_words,
    unit_words,
)
from vises.templates.xlsx_print import fit_row_heights, page_setup, sheet_title


@attrs.frozen(kw_only=True)
class EvidenceRow:
    """The row below an indicator collecting one field of its evidence (``n``, ``source``, ``verified``).

    Its code in column A is ``<indicator>.<field>``, the name a CSV file gives the same column.
    """

    indicator: Indicator
    field: str

    @property
    def code(self) -> str:
        return f"{self.indicator.code}.{self.field}"


@attrs.frozen(kw_only=True)
class SheetPlan:
    """One dimension sheet: the node it covers and its rows (headings, indicators, evidence), in order."""

    title: str
    node: str
    rows: tuple[Node | Indicator | EvidenceRow, ...]


def _with_evidence(indicator: Indicator) -> Iterator[Indicator | EvidenceRow]:
    """A collected indicator and its evidence rows; a derived one has nothing to fill (the grid computes it)."""
    if indicator.derived:
        return
    yield indicator
    for field in indicator.evidence:
        yield EvidenceRow(indicator=indicator, field=field)


def _descend(grid: Grid, code: str) -> Iterator[Node | Indicator | EvidenceRow]:
    """Depth-first: sub-dimension headings, each followed by what lies below it; indicators in order."""
    for child in grid.children(code):
        if isinstance(child, Node):
            yield child
            yield from _descend(grid, child.code)
        else:
            yield from _with_evidence(child)


def plan_sheets(grid: Grid, lang: str, taken: set[str]) -> list[SheetPlan]:
    """One sheet per top-level dimension, plus one for indicators hanging directly from the root."""
    root = grid.root
    words = template_words(lang)
    plans = []
    direct = [
        row for child in grid.children(root.code) if isinstance(child, Indicator) for row in _with_evidence(child)
    ]
    if direct:
        plans.append(SheetPlan(title=sheet_title(words["general"], taken), node=root.code, rows=tuple(direct)))
    dimensions = [child for child in grid.children(root.code) if isinstance(child, Node)]
    for number, child in enumerate(dimensions, start=1):
        rows = tuple(_descend(grid, child.code))
        title = sheet_title(child.label_in(lang), taken, number=number)
        plans.append(SheetPlan(title=title, node=child.code, rows=rows))
    return plans


def xlsx_bytes(grid: Grid, lang: str, pairs: list[tuple[str, str]]) -> bytes:
    """The workbook for ``grid`` in ``lang``, one block per (organisation, period) pair, as bytes."""
    try:
        import openpyxl
    except ImportError as exc:
        raise MissingDependencyError("openpyxl", "excel", "xlsx templates") from exc
    workbook = openpyxl.Workbook()
    _fill_workbook(workbook, grid, lang, pairs)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_workbook(workbook: Any, grid: Grid, lang: str, pairs: list[tuple[str, str]]) -> None:
    words = template_words(lang)
    taken = {META_SHEET.casefold(), LISTS_SHEET.casefold()}
    instructions = workbook.active
    instructions.title = sheet_title(words["instructions"], taken)
    ident_title = sheet_title(words["identification"], taken)
    plans = plan_sheets(grid, lang, taken)

    _write_instructions(instructions, grid, lang)
    lists = _ListSheet(workbook.create_sheet(LISTS_SHEET))
    _write_identification(workbook.create_sheet(ident_title, index=1), lang, pairs, lists)
    for plan in plans:
        _write_dimension(workbook.create_sheet(plan.title), plan, grid, lang, pairs, lists)
    lists.sheet.sheet_state = "hidden"
    workbook.move_sheet(lists.sheet, offset=len(workbook.sheetnames) - 1 - workbook.index(lists.sheet))

    meta = workbook.create_sheet(META_SHEET)
    rows: list[tuple[Any, ...]] = [
        ("layout", LAYOUT_VERSION),
        ("grid", grid.code),
        ("grid_version", str(grid.version)),
        ("lang", lang),
        ("identification", ident_title),
        ("blocks", len(pairs)),
        ("first_row", FIRST_ROW),
        ("first_block_column", FIRST_BLOCK_COLUMN),
        *(("sheet", plan.title, plan.node) for plan in plans),
    ]
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            _text(meta.cell(row=number, column=column), value)
    meta.sheet_state = "hidden"


def _text(cell: Any, value: Any) -> Any:
    """Put ``value`` in ``cell``; text is always a string cell (never a formula, never an error code),
    so a label such as ``=1+1`` or ``#N/A`` stays text and reads back as written."""
    if isinstance(value, str):
        cell.value = xlsx_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


_HEADER_FILL = "DDEBF7"
_INPUT_FILL = "FFF2CC"
_COMMENT_FILL = "F2F2F2"
_HEADING_FILL = "E2EFDA"


def _style() -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill

    class Style:
        bold = Font(bold=True)
        title = Font(bold=True, size=14)
        wrap = Alignment(wrap_text=True, vertical="top")
        header = PatternFill("solid", fgColor=_HEADER_FILL)
        input = PatternFill("solid", fgColor=_INPUT_FILL)
        comment = PatternFill("solid", fgColor=_COMMENT_FILL)
        heading = PatternFill("solid", fgColor=_HEADING_FILL)

    return Style


def _write_instructions(sheet: Any, grid: Grid, lang: str) -> None:
    style = _style()
    words = template_words(lang)
    _text(sheet["A1"], words["title"].format(grid=grid.code, version=grid.version))
    sheet["A1"].font = style.title
    _text(sheet["A2"], grid.label_in(lang))
    sheet["A2"].font = style.bold
    description = label_in(grid.description, lang, "")
    if description:
        _text(sheet["A3"], description)
        sheet["A3"].alignment = style.wrap
    lines = words["lines"].splitlines()
    for offset, line in enumerate(lines):
        _text(sheet.cell(row=5 + offset, column=1), line.format(grid=grid.code)).alignment = style.wrap
    sheet.column_dimensions["A"].width = _INSTRUCTIONS_WIDTH
    fit_row_heights(sheet, {1: _INSTRUCTIONS_WIDTH}, range(1, 5 + len(lines)))
    page_setup(sheet, footer=words["page_footer"])


#: Column widths (characters): the instructions, the identification sheet, a dimension sheet.
_INSTRUCTIONS_WIDTH = 120
_IDENT_WIDTHS = {"block": 6, "organisation": 18, "period": 10, "name": 28, "family": 20, "region": 14}
_IDENT_WIDTHS |= {"size": 11, "questions": 44, "stakeholders": 26, "methods": 26}
_LABEL_WIDTH, _DEFINITION_WIDTH, _ALLOWED_WIDTH = 36, 48, 30
_VALUE_WIDTH, _COMMENT_WIDTH = 18, 30


def _write_identification(sheet: Any, lang: str, pairs: list[tuple[str, str]], lists: _ListSheet) -> None:
    """One row per block: who (code, name, family, region, size), when, and the evaluation's framing."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    style = _style()
    words = template_words(lang)
    _text(sheet["A1"], words["identification"])
    sheet["A1"].font = style.title
    header_row = IDENT_FIRST_ROW - 1
    notes = {"questions": words["one_per_line"], "stakeholders": words["separated"]}
    notes["methods"] = f"{words['separated']}: {'; '.join(method_choices(lang).values())}; {words['other_method']}"
    for key, column in IDENT_COLUMNS.items():
        heading = words[key] + (f" ({notes[key]})" if key in notes and key != "methods" else "")
        cell = _text(sheet.cell(row=header_row, column=column), heading)
        cell.font = style.bold
        cell.fill = style.header
        cell.alignment = style.wrap
        sheet.column_dimensions[get_column_letter(column)].width = _IDENT_WIDTHS[key]
    last = IDENT_FIRST_ROW + len(pairs) - 1
    for index, (org, per) in enumerate(pairs):
        row = IDENT_FIRST_ROW + index
        sheet.cell(row=row, column=IDENT_COLUMNS["block"], value=index + 1).alignment = style.wrap
        given = {"organisation": org, "period": per}
        for key, column in IDENT_COLUMNS.items():
            if key == "block":
                continue
            cell = _text(sheet.cell(row=row, column=column), given.get(key) or None)
            cell.fill = style.input
            cell.alignment = style.wrap
        # Room to write a question or two without the row spilling over the next block.
        sheet.row_dimensions[row].height = 3 * 15.0

    def listed(key: str, entries: list[str], *, strict: bool, prompt: str) -> None:
        validation = DataValidation(type="list", formula1=lists.range_for(entries), allow_blank=True)
        validation.errorStyle = "stop" if strict else "warning"
        validation.showErrorMessage = validation.showInputMessage = True
        validation.promptTitle = validation.errorTitle = words[key][:32]
        validation.prompt = validation.error = prompt[:250]
        letter = get_column_letter(IDENT_COLUMNS[key])
        validation.add(f"{letter}{IDENT_FIRST_ROW}:{letter}{last}")
        sheet.add_data_validation(validation)

    families = list(family_choices(lang).values())
    listed("family", families, strict=True, prompt=" / ".join(families))
    sizes = list(size_choices(lang).values())
    listed("size", sizes, strict=False, prompt=" / ".join(sizes))
    methods = DataValidation(type="custom", formula1="TRUE", allow_blank=True)
    methods.showInputMessage = True
    methods.promptTitle = words["methods"][:32]
    methods.prompt = notes["methods"][:250]
    letter = get_column_letter(IDENT_COLUMNS["methods"])
    methods.add(f"{letter}{IDENT_FIRST_ROW}:{letter}{last}")
    sheet.add_data_validation(methods)

    widths = {column: float(_IDENT_WIDTHS[key]) for key, column in IDENT_COLUMNS.items()}
    fit_row_heights(sheet, widths, [header_row])
    sheet.freeze_panes = sheet.cell(row=IDENT_FIRST_ROW, column=IDENT_COLUMNS["name"]).coordinate
    page_setup(sheet, title_rows=f"{header_row}:{header_row}", footer=words["page_footer"])


class _ListSheet:
    """The hidden sheet of dropdown choices: one column per distinct list."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._ranges: dict[tuple[str, ...], str] = {}

    def range_for(self, entries: list[str]) -> str:
        from openpyxl.utils import get_column_letter

        key = tuple(entries)
        if key not in self._ranges:
            column = len(self._ranges) + 1
            for row, entry in enumerate(entries, start=1):
                _text(self.sheet.cell(row=row, column=column), entry)
            letter = get_column_letter(column)
            self._ranges[key] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(entries)}"
        return self._ranges[key]


def _write_dimension(
    sheet: Any, plan: SheetPlan, grid: Grid, lang: str, pairs: list[tuple[str, str]], lists: _ListSheet
) -> None:
    from openpyxl.utils import get_column_letter

    style = _style()
    words = template_words(lang)
    node_label = grid.node(plan.node).label_in(lang)
    _text(sheet["A1"], f"{node_label} ({plan.node})")
    sheet["A1"].font = style.title
    _text(sheet["A2"], words["sheet_hint"])
    headers = [words[key] for key in ("code", "indicator", "definition", "unit", "allowed")]
    for index, (org, per) in enumerate(pairs):
        value_col, comment_col = block_columns(index)
        title = " · ".join(part for part in (org, per) if part)
        cell = _text(
            sheet.cell(row=BLOCK_ROW, column=value_col),
            f"{words['block']} {index + 1}" + (f" — {title}" if title else ""),
        )
        cell.font = style.bold
        sheet.merge_cells(start_row=BLOCK_ROW, start_column=value_col, end_row=BLOCK_ROW, end_column=comment_col)
        headers += [words["value"], words["comment"]]
    for column, text in enumerate(headers, start=1):
        cell = _text(sheet.cell(row=HEADER_ROW, column=column), text)
        cell.font = style.bold
        cell.fill = style.header
        cell.alignment = style.wrap

    validations: list[tuple[Indicator | EvidenceRow, Any]] = []
    for offset, item in enumerate(plan.rows):
        row = FIRST_ROW + offset
        if isinstance(item, Node):
            cell = _text(sheet.cell(row=row, column=2), f"{item.label_in(lang)} ({item.code})")
            cell.font = style.bold
            for column in range(1, len(headers) + 1):
                sheet.cell(row=row, column=column).fill = style.heading
            continue
        if isinstance(item, EvidenceRow):
            _write_evidence_row(sheet, row, item, lang, pairs, lists, style, validations)
            continue
        values = [
            item.code,
            item.label_in(lang),
            label_in(item.description, lang, ""),
            unit_words(item, grid, lang),
            allowed_text(item, lang),
        ]
        for column, value in enumerate(values, start=1):
            _text(sheet.cell(row=row, column=column), value or None).alignment = style.wrap
        validation = _validation(item, lang, lists)
        for index in range(len(pairs)):
            value_col, comment_col = block_columns(index)
            value_cell = sheet.cell(row=row, column=value_col)
            value_cell.fill = style.input
            value_cell.alignment = style.wrap
            comment_cell = sheet.cell(row=row, column=comment_col)
            comment_cell.fill = style.comment
            comment_cell.alignment = style.wrap
            if validation is not None:
                validation.add(value_cell.coordinate)
        if validation is not None:
            validations.append((item, validation))
    for _, validation in validations:
        sheet.add_data_validation(validation)

    indicators = [item for item in plan.rows if isinstance(item, Indicator)]  # evidence rows are narrower
    code_width = max((len(item.code) for item in indicators), default=8) + 2
    unit_width = max((len(unit_words(item, grid, lang)) for item in indicators), default=6) + 2
    described = any(label_in(item.description, lang, "") for item in indicators)
    widths: dict[int, float] = {
        1: float(min(max(code_width, 10), 30)),
        2: float(_LABEL_WIDTH),
        3: float(_DEFINITION_WIDTH if described else 12),
        4: float(min(max(unit_width, 8), 20)),
        5: float(_ALLOWED_WIDTH),
    }
    for index in range(len(pairs)):
        value_col, comment_col = block_columns(index)
        widths[value_col], widths[comment_col] = _VALUE_WIDTH, _COMMENT_WIDTH
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    # The hint and the title span the sheet's width (merged), so they wrap over all of it.
    fit_row_heights(sheet, {1: sum(widths.values()), 2: sum(widths.values())}, (1, 2))
    fit_row_heights(sheet, widths, range(BLOCK_ROW, FIRST_ROW + len(plan.rows)))
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3).coordinate
    page_setup(sheet, title_rows=f"{BLOCK_ROW}:{HEADER_ROW}", footer=words["page_footer"])


def _write_evidence_row(
    sheet: Any,
    row: int,
    item: EvidenceRow,
    lang: str,
    pairs: list[tuple[str, str]],
    lists: _ListSheet,
    style: Any,
    validations: list[tuple[Indicator | EvidenceRow, Any]],
) -> None:
    """One evidence row: its code, what it asks, and a value cell per block (no comment: the indicator has one)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    words = template_words(lang)
    label = item.indicator.label_in(lang)
    entries = evidence_choices(item.field, lang)
    allowed = words["evidence_n_allowed"] if entries is None else " / ".join(entries)
    cells = [item.code, words[f"evidence_{item.field}"].format(label=label), None, None, allowed]
    for column, value in enumerate(cells, start=1):
        _text(sheet.cell(row=row, column=column), value).alignment = style.wrap
    if entries is None:
        validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    else:
        validation = DataValidation(type="list", formula1=lists.range_for(entries), allow_blank=True)
    validation.errorStyle = "stop"
    validation.showErrorMessage = True
    validation.errorTitle = item.code[:32]
    validation.error = allowed[:250]
    for index in range(len(pairs)):
        value_col, _ = block_columns(index)
        value_cell = sheet.cell(row=row, column=value_col)
        value_cell.fill = style.input
        validation.add(value_cell.coordinate)
    validations.append((item, validation))


def _validation(indicator: Indicator, lang: str, lists: _ListSheet) -> Any:
    """The DataValidation of an indicator's value cells (``None`` for free text)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    words = template_words(lang)
    allowed = allowed_text(indicator, lang)[:250]
    entries = choices(indicator, lang)
    if entries is not None:
        validation = DataValidation(type="list", formula1=lists.range_for([*entries, words["na"]]), allow_blank=True)
        validation.errorStyle = "stop"
    elif indicator.kind is Kind.QUANTITY:
        lo, hi = indicator.minimum, indicator.maximum
        if lo is not None and hi is not None:
            validation = DataValidation(
                type="decimal", operator="between", formula1=number_text(lo), formula2=number_text(hi)
            )
        elif lo is not None:
            validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=number_text(lo))
        elif hi is not None:
            validation = DataValidation(type="decimal", operator="lessThanOrEqual", formula1=number_text(hi))
        else:
            validation = DataValidation(type="decimal", operator="between", formula1="-1E+300", formula2="1E+300")
        # A warning, not a stop: the not-applicable token is text and must stay enterable.
        validation.errorStyle = "warning"
        validation.allow_blank = True
    else:
        return None
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.errorTitle = indicator.code[:32]
    validation.error = allowed
    validation.promptTitle = indicator.code[:32]
    validation.prompt = allowed
    return validation
