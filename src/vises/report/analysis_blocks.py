"""The blocks the terminal table and Markdown add from ``analysis_view``: strengths and weaknesses and
progress in a profile, the units screened out in the network overview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vises.i18n import MISSING, colon, format_number, translate
from vises.report.layout import LEFT, RIGHT, Table

if TYPE_CHECKING:  # pragma: no cover
    from vises.report.analysis_view import ProfileAnalysis, ScreeningView, StandingRow
    from vises.report.table import Block


def _t(key: str, lang: str, **values: object) -> str:
    return translate(key, lang, **values)


def standings_table(rows: tuple[StandingRow, ...], lang: str, *, show_ranks: bool) -> Table:
    """Indicator, dimension, rank ("3 of 30", when ranks are shown) and raw value with its unit."""
    headers = [_t("indicator", lang), _t("dimension", lang)]
    align = [LEFT, LEFT]
    if show_ranks:
        headers.append(_t("rank", lang))
        align.append(RIGHT)
    headers.append(_t("raw_value", lang))
    align.append(LEFT)
    body = []
    for row in rows:
        cells = [row.label, row.dimension or ""]
        if show_ranks:
            cells.append(_t("insight_rank_of", lang, rank=row.rank, count=row.ranked))
        cells.append(f"{row.value} {row.unit_label}" if row.unit_label else row.value)
        body.append(cells)
    return Table.from_rows(headers, body, align)


def profile_blocks(found: ProfileAnalysis, lang: str, digits: int) -> list[Block]:
    """Strengths and weaknesses, then the progress over the periods when there are several."""
    from vises.report.table import Heading, Paragraph

    blocks: list[Block] = []
    if found.strengths or found.weaknesses:
        blocks.append(Heading(level=2, text=_t("insight_strengths_title", lang)))
        blocks.append(Paragraph(text=_t("insight_strengths_note", lang)))
        for key, rows in (("insight_strengths", found.strengths), ("insight_weaknesses", found.weaknesses)):
            if rows:
                blocks.append(Heading(level=3, text=_t(key, lang)))
                blocks.append(standings_table(rows, lang, show_ranks=found.show_ranks))
    if found.progress:
        blocks.append(Heading(level=2, text=_t("insight_progress_title", lang)))
        blocks.append(Paragraph(text=_t("insight_progress_note", lang, period=found.period)))
        progress = found.progress
        blocks.append(
            Table(
                headers=(
                    _t("dimension", lang),
                    _t("from_period", lang),
                    _t("to_period", lang),
                    _t("insight_first_score", lang),
                    _t("insight_last_score", lang),
                    _t("insight_slope", lang),
                    _t("insight_cagr", lang),
                ),
                columns=(
                    [row.label for row in progress],
                    [row.first_period or MISSING for row in progress],
                    [row.last_period or MISSING for row in progress],
                    format_number([row.first_score for row in progress], lang, digits),
                    format_number([row.last_score for row in progress], lang, digits),
                    format_number([row.slope for row in progress], lang, digits, signed=True),
                    format_number([row.cagr for row in progress], lang, 1, signed=True, percent=True),
                ),
                align=(LEFT, LEFT, LEFT, RIGHT, RIGHT, RIGHT, RIGHT),
            )
        )
    return blocks


def screening_blocks(screening: ScreeningView | None, lang: str) -> list[Block]:
    """The units a build screened out, with their data availability and why (nothing when none were)."""
    from vises.report.table import Heading, Paragraph

    if screening is None or not screening.units:
        return []
    units = screening.units
    return [
        Heading(level=2, text=_t("insight_screened_title", lang)),
        Paragraph(text=_t("insight_screened_note", lang, rule=screening.rule)),
        Table(
            headers=(
                _t("organisation", lang),
                _t("period", lang),
                _t("insight_availability", lang),
                _t("insight_why", lang),
            ),
            columns=(
                [f"{unit.name} ({unit.organisation})" if unit.name else unit.organisation for unit in units],
                [unit.period for unit in units],
                format_number([unit.availability for unit in units], lang, 0, percent=True),
                [unit.reason for unit in units],
            ),
            align=(LEFT, LEFT, RIGHT, LEFT),
            keys=2,
        ),
    ]


def provenance_items(lines: tuple[tuple[str, str], ...], lang: str) -> list[str]:
    """``label: value`` items for the provenance list."""
    return [f"{label}{colon(lang)}{value}" for label, value in lines]


__all__ = ["profile_blocks", "provenance_items", "screening_blocks", "standings_table"]
