"""The xlsx report: one sheet per level of the grid, raw values, coverage, ranks and provenance.

Sheet names are stable codes (``indicators``, ``level_2``, ``level_1``, ``index``, ``raw``,
``coverage``, ``ranks``, ``provenance``) so that a federation's own formulas and scripts keep
working whatever language the report is written in; column headers are in the report language.
Every data sheet has two frozen header rows (row 1 labels, row 2 codes) and one row per
organisation × period; scores are stored as numbers at full precision (shown with ``digits``
decimals), a missing score is an empty cell.

openpyxl is imported when a report is rendered, never when the plugin registry loads.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import ConfigError, MissingDependencyError
from vises.i18n import translate
from vises.report.views import check_view, parse_options, provenance, report_lang

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

_HEADER_FILL = "DDEBF7"
_MAX_WIDTH = 45
#: Stable sheet names (language independent).
INDICATORS, INDEX, RAW, COVERAGE, RANKS, PROVENANCE = "indicators", "index", "raw", "coverage", "ranks", "provenance"


def level_sheets(results: Results) -> list[tuple[str, tuple[str, ...]]]:
    """``(sheet name, codes)`` per level: indicators, then aggregates deepest first, the root last."""
    indicators = tuple(code for code in results.codes if results.is_indicator(code))
    by_depth: dict[int, list[str]] = {}
    for code in results.codes:
        if not results.is_indicator(code):
            by_depth.setdefault(results.depth(code), []).append(code)
    sheets = [(INDICATORS, indicators)] if indicators else []
    for depth in sorted(by_depth, reverse=True):
        name = INDEX if depth == 0 else f"level_{depth}"
        sheets.append((name, tuple(_tree_order(results, by_depth[depth]))))
    return sheets


def _tree_order(results: Results, codes: list[str]) -> list[str]:
    """Codes of one level in the grid's reading order (depth first from the root)."""
    order: dict[str, int] = {}

    def walk(code: str) -> None:
        order[code] = len(order)
        for child in results.children(code):
            walk(child)

    walk(results.codes[-1])
    return sorted(codes, key=lambda code: order.get(code, len(order)))


def _rows(results: Results, view: str, organisation: str | None, period: str | None) -> np.ndarray:
    if view == "profile":
        if organisation is None and len(set(results.organisations.tolist())) == 1:
            organisation = str(results.organisations[0])
        if organisation is None:
            raise ConfigError("the profile view needs an organisation", hint="pass --organisation (organisation=)")
        return np.array([results.row(organisation, period)])
    return np.lexsort((results.organisations, results.periods))


def render_xlsx(
    results: Results,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> bytes:
    """The results as an Excel workbook (bytes): scores per level, raw values, coverage, ranks."""
    check_view(view)
    opts = parse_options(options)
    lang = report_lang(results, lang)
    try:
        import openpyxl
    except ImportError as exc:
        raise MissingDependencyError("openpyxl", "excel", "xlsx reports") from exc
    rows = _rows(results, view, organisation, period)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    number = "0" if opts.digits == 0 else "0." + "0" * opts.digits

    for name, codes in level_sheets(results):
        columns = [results.score(code)[rows] for code in codes]
        _data_sheet(workbook, name, results, rows, codes, columns, lang, number)
    indicators = [code for code in results.codes if results.is_indicator(code)]
    if indicators:
        raw = [results.raw(code)[rows] for code in indicators]
        _data_sheet(workbook, RAW, results, rows, indicators, raw, lang, "General", units=True)
    aggregates = [code for code in results.codes if not results.is_indicator(code)]
    coverage = [results.coverage(code)[rows] for code in aggregates]
    _data_sheet(workbook, COVERAGE, results, rows, aggregates, coverage, lang, "0%")
    if opts.ranks:
        ranked = [results.ranks(code)[rows] for code in results.codes]
        _data_sheet(workbook, RANKS, results, rows, list(results.codes), ranked, lang, "0")
    _provenance_sheet(workbook, results, lang)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _data_sheet(
    workbook: Any,
    name: str,
    results: Results,
    rows: np.ndarray,
    codes: Sequence[str],
    columns: Sequence[np.ndarray],
    lang: str,
    number_format: str,
    *,
    units: bool = False,
) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(name)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=_HEADER_FILL)
    labels = [translate("organisation", lang), translate("period", lang)]
    for code in codes:
        label = results.label(code, lang)
        unit = results.unit(code) if units else None
        labels.append(f"{label} [{unit}]" if unit else label)
    heads = [labels, ["organisation", "period", *codes]]
    for row_index, values in enumerate(heads, start=1):
        for col_index, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_index, column=col_index, value=value)
            cell.font = bold
            cell.fill = fill
    organisations = results.organisations[rows]
    periods = results.periods[rows]
    for offset in range(len(rows)):
        line: list[str | float | None] = [str(organisations[offset]), str(periods[offset])]
        for column in columns:
            number = float(column[offset])
            line.append(None if np.isnan(number) else number)
        sheet.append(line)
    for col_index in range(3, len(codes) + 3):
        for (cell,) in sheet.iter_rows(min_row=3, min_col=col_index, max_col=col_index):
            cell.number_format = number_format
    widths = [max(len(str(labels[0])), *(len(str(o)) for o in organisations), 12), max(len(str(labels[1])), 8)]
    widths += [max(len(label), len(code), 8) for label, code in zip(labels[2:], codes, strict=True)]
    for col_index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col_index)].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = "C3"


def _provenance_sheet(workbook: Any, results: Results, lang: str) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(PROVENANCE)
    bold = Font(bold=True)
    info = provenance(results)

    def word(key: str) -> str:
        return translate(key, lang)

    lines: list[list[Any]] = [
        [word("provenance")],
        [word("vises_version"), info.vises_version],
        [word("grid"), info.grid, results.grid.label_in(lang)],
        [word("grid_version"), info.grid_version],
        [word("pooling"), info.pooling],
        [word("created"), info.created],
        [],
        [word("plugins")],
        *([plugin, version] for plugin, version in info.plugins),
        [],
        [word("methods_used")],
        [word("code"), word("node"), word("methods")],
        *([code, results.label(code, lang), method] for code, method in info.methods),
    ]
    for line in lines:
        sheet.append(line)
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        if len([cell for cell in row if cell.value is not None]) == 1:
            row[0].font = bold
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 45
    sheet.freeze_panes = "A2"
