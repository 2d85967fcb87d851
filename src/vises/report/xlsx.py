"""The xlsx report: one sheet per level of the grid, raw values, coverage, ranks and provenance.

Sheet names are stable codes (``indicators``, ``level_2``, ``level_1``, ``index``, ``raw``,
``coverage``, ``ranks``, ``strengths`` and ``progress`` in a profile, ``screened_out`` when a build
screened units out, ``narratives`` when the rows carry texts, ``provenance``) so that a
federation's own formulas and scripts keep working whatever language the report is written in;
column headers are in the report language. Every data sheet has two frozen header rows (row 1
labels, row 2 codes) and one row per organisation × period; scores are stored as numbers at full
precision (shown with ``digits`` decimals), a missing score is an empty cell. Every text cell is
a string cell, never a formula.

The workbook is written by ``xlsx_package`` column by column with shared named styles; it needs
no optional package.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from vises.i18n import translate, unit_label
from vises.numeric import sorted_distinct
from vises.report.analysis_view import provenance_lines
from vises.report.narratives import network_texts
from vises.report.views import names_column, period_ranks, profile_row, provenance, rank_counts, resolve
from vises.report.xlsx_package import Column, Style, Workbook

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results

_HEADER_FILL = "DDEBF7"
_MAX_WIDTH = 45
#: Stable sheet names (language independent).
INDICATORS, INDEX, RAW, COVERAGE, RANKS, NARRATIVES, PROVENANCE = (
    "indicators",
    "index",
    "raw",
    "coverage",
    "ranks",
    "narratives",
    "provenance",
)
#: How many rows of each period are ranked (the N of "rank 5 / N").
RANKED = "ranked"
#: The named styles every cell of the report uses.
HEADER, TITLE, TEXT, SCORE, NUMBER, SHARE, RANK = (
    "vises header",
    "vises title",
    "vises text",
    "vises score",
    "vises number",
    "vises share",
    "vises rank",
)


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
    stack = [results.codes[-1]]
    while stack:
        code = stack.pop()
        order[code] = len(order)
        stack.extend(reversed(results.children(code)))
    return sorted(codes, key=lambda code: order.get(code, len(order)))


def _styles(digits: int) -> list[Style]:
    return [
        Style(name=HEADER, bold=True, fill=_HEADER_FILL),
        Style(name=TITLE, bold=True),
        Style(name=TEXT),
        Style(name=SCORE, number_format="0" if digits == 0 else "0." + "0" * digits),
        Style(name=NUMBER, number_format="General"),
        Style(name=SHARE, number_format="0%"),
        Style(name=RANK, number_format="0"),
    ]


def render_xlsx(results: Results, request: ReportRequest, /) -> bytes:
    """The results as an Excel workbook (bytes): scores per level, raw values, coverage, ranks."""
    resolved = resolve(results, request, "xlsx")
    lang = resolved.lang
    if resolved.view == "network" and resolved.options.public:
        from vises.report.public import public_xlsx

        return public_xlsx(results, resolved)
    if resolved.view == "profile":
        rows = np.array([profile_row(results, resolved)])
    else:
        rows = np.lexsort((results.organisations, period_ranks(results)))
        if resolved.period is not None:
            rows = rows[results.periods[rows] == resolved.period]
    buffer = io.BytesIO()
    book = Workbook(buffer, _styles(resolved.options.digits))
    for name, codes in level_sheets(results):
        _data_sheet(book, name, results, rows, codes, [results.score(c) for c in codes], lang, SCORE)
    indicators = [code for code in results.codes if results.is_indicator(code)]
    if indicators:
        raw = [results.raw(code) for code in indicators]
        _data_sheet(book, RAW, results, rows, indicators, raw, lang, NUMBER, units=True)
    aggregates = [code for code in results.codes if not results.is_indicator(code)]
    _data_sheet(book, COVERAGE, results, rows, aggregates, [results.coverage(c) for c in aggregates], lang, SHARE)
    if resolved.options.ranks:
        ranked = [results.ranks(code) for code in results.codes]
        _data_sheet(book, RANKS, results, rows, list(results.codes), ranked, lang, RANK)
        # Beside each rank, how many of its period are ranked: "5 / 33" is rank 5 of ranked 33.
        counts = [rank_counts(results, code) for code in results.codes]
        _data_sheet(book, RANKED, results, rows, list(results.codes), counts, lang, RANK)
    _analysis_sheets(book, results, resolved.view, rows, lang, ranks=resolved.options.ranks, period=resolved.period)
    _narratives_sheet(book, results, rows, lang)
    if resolved.options.staff and resolved.view == "network":
        from vises.report.staff import staff_sheets

        staff_sheets(book, results, resolved, rows)
    _provenance_sheet(book, results, lang)
    book.close()
    return buffer.getvalue()


def _data_sheet(
    book: Workbook,
    name: str,
    results: Results,
    rows: np.ndarray,
    codes: Sequence[str],
    columns: Sequence[np.ndarray],
    lang: str,
    style: str,
    *,
    units: bool = False,
) -> None:
    labels = [translate("organisation", lang), translate("period", lang)]
    for code in codes:
        label = results.label(code, lang)
        unit = unit_label(results.unit(code), lang, results.grid.unit_labels) if units else None
        labels.append(f"{label} [{unit}]" if unit else label)
    heads = [[(label, HEADER) for label in labels], [(code, HEADER) for code in ("organisation", "period", *codes)]]
    organisations = results.organisations[rows].astype(str)
    periods = results.periods[rows].astype(str)
    body = [Column(values=organisations, style=TEXT, numeric=False), Column(values=periods, style=TEXT, numeric=False)]
    body += [Column(values=np.asarray(column)[rows], style=style, numeric=True) for column in columns]
    longest = max((len(o) for o in sorted_distinct(organisations).tolist()), default=0)
    widths = [max(len(labels[0]), longest, 12), max(len(labels[1]), 8)]
    widths += [max(len(label), len(code), 8) for label, code in zip(labels[2:], codes, strict=True)]
    book.add_sheet(name, heads, body, widths=[min(w + 2, _MAX_WIDTH) for w in widths], freeze=(2, 2))


def _text_column(values: Sequence[object]) -> Column:
    return Column(
        values=np.array(["" if v is None else str(v) for v in values], dtype=object), style=TEXT, numeric=False
    )


def _number_column(values: Sequence[float], style: str) -> Column:
    return Column(values=np.array(values, dtype=np.float64), style=style, numeric=True)


def _analysis_sheets(
    book: Workbook, results: Results, view: str, rows: np.ndarray, lang: str, *, ranks: bool, period: str | None
) -> None:
    """``strengths`` and ``progress`` for a profile, ``screened_out`` for a screened network (stable names)."""
    from vises.report import analysis_view

    def heads(keys: Sequence[str], words: Sequence[str]) -> list[list[tuple[str, str]]]:
        return [[(word, HEADER) for word in words], [(key, HEADER) for key in keys]]

    if view == "profile":
        found = analysis_view.profile_analysis(results, int(rows[0]), lang, show_ranks=ranks)
        listed = [(translate("insight_strengths", lang), s) for s in found.strengths]
        listed += [(translate("insight_weaknesses", lang), s) for s in found.weaknesses]
        if listed:
            keys = ["list", "code", "indicator", "dimension", *(["rank", "ranked"] if ranks else []), "value", "unit"]
            words = [
                "",
                translate("code", lang),
                translate("indicator", lang),
                translate("dimension", lang),
                *([translate("rank", lang), translate("count", lang)] if ranks else []),
                translate("raw_value", lang),
                translate("unit", lang),
            ]
            body = [
                _text_column([kind for kind, _ in listed]),
                _text_column([item.code for _, item in listed]),
                _text_column([item.label for _, item in listed]),
                _text_column([item.dimension for _, item in listed]),
            ]
            if ranks:
                body += [
                    _number_column([item.rank for _, item in listed], RANK),
                    _number_column([item.ranked for _, item in listed], RANK),
                ]
            body += [
                _text_column([item.value for _, item in listed]),
                _text_column([item.unit_label for _, item in listed]),
            ]
            book.add_sheet(
                "strengths",
                heads(keys, words),
                body,
                widths=[14, 22, 45, 30, *([8, 8] if ranks else []), 22, 12],
                freeze=(2, 0),
            )
        if found.progress:
            progress = found.progress
            keys = ["code", "dimension", "from", "to", "first_score", "last_score", "slope", "cagr"]
            words = [
                translate("code", lang),
                translate("dimension", lang),
                translate("from_period", lang),
                translate("to_period", lang),
                translate("insight_first_score", lang),
                translate("insight_last_score", lang),
                translate("insight_slope", lang),
                translate("insight_cagr", lang),
            ]
            body = [
                _text_column([t.code for t in progress]),
                _text_column([t.label for t in progress]),
                _text_column([t.first_period for t in progress]),
                _text_column([t.last_period for t in progress]),
                _number_column([t.first_score for t in progress], SCORE),
                _number_column([t.last_score for t in progress], SCORE),
                _number_column([t.slope for t in progress], SCORE),
                _number_column([t.cagr for t in progress], SHARE),
            ]
            book.add_sheet("progress", heads(keys, words), body, widths=[18, 40, 8, 8, 12, 12, 14, 14], freeze=(2, 0))
        return
    screening = analysis_view.screening_view(results, lang, period=period)
    if screening is None or not screening.units:
        return
    units = screening.units
    keys = ["organisation", "name", "period", "availability", "reason"]
    words = [
        translate("organisation", lang),
        translate("name", lang),
        translate("period", lang),
        translate("insight_availability", lang),
        translate("insight_why", lang),
    ]
    body = [
        _text_column([u.organisation for u in units]),
        _text_column([u.name for u in units]),
        _text_column([u.period for u in units]),
        _number_column([u.availability for u in units], SHARE),
        _text_column([u.reason for u in units]),
    ]
    book.add_sheet("screened_out", heads(keys, words), body, widths=(16, 30, 10, 14, 60), freeze=(2, 1))


def _narratives_sheet(book: Workbook, results: Results, rows: np.ndarray, lang: str) -> None:
    """Every text of the rows (narrative indicators, comments, evaluations): one line per text."""
    texts = network_texts(results, rows, names_column(results)[rows], lang)
    if not len(texts):
        return
    keys = ("organisation", "period", "code", "about", "text")
    heads = [[(translate(key, lang), HEADER) for key in keys], [(key, HEADER) for key in keys]]
    body = [
        Column(values=np.asarray(column, dtype=object).astype(str), style=TEXT, numeric=False)
        for column in (texts.organisations, texts.periods, texts.codes, texts.about, texts.texts)
    ]
    book.add_sheet(NARRATIVES, heads, body, widths=(16, 10, 20, 36, 80), freeze=(2, 2))


def _provenance_sheet(book: Workbook, results: Results, lang: str) -> None:
    info = provenance(results)

    def word(key: str) -> str:
        return translate(key, lang)

    lines: list[list[str]] = [
        [word("provenance")],
        [word("vises_version"), info.vises_version],
        [word("grid"), info.grid, results.grid.label_in(lang)],
        [word("grid_version"), info.grid_version],
        [word("pooling"), info.pooling],
        [word("created"), info.created],
        *([label, value] for label, value in provenance_lines(results, lang)),
        [],
        [word("plugins")],
        *([[plugin, version] for plugin, version in info.plugins] or [[word("none"), ""]]),
        [],
        [word("methods_used")],
        [word("code"), word("node"), word("methods")],
        *([code, results.label(code, lang), method] for code, method in info.methods),
    ]
    heads = [[(text, TITLE if len(line) == 1 else TEXT) for text in line] for line in lines]
    book.add_sheet(PROVENANCE, heads, [], widths=(28, 30, 45), freeze=(1, 0))
