"""What a report adds from the analyses: strengths and weaknesses and progress in a profile, the units
screened out in the network overview, and the screening and columns left out in the provenance.

Computed once from the results, as the other views are, and shared by every format. The numbers
come from the engine (``vises.engine.strengths``, ``vises.engine.trends``), the same functions
``vises.analysis.strengths_weaknesses`` and ``vises.analysis.trends`` use, so a report and an
analysis never disagree; the screening is what a build recorded in ``Results.provenance["screening"]``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.i18n import format_number, translate

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

#: At most this many strengths and as many weaknesses in a profile (COINr's default).
MAX_STANDINGS = 5


@attrs.frozen(kw_only=True)
class StandingRow:
    """One indicator among an organisation's strengths or weaknesses."""

    code: str
    label: str
    #: The dimension the indicator belongs to (its parent's label).
    dimension: str | None
    rank: int
    #: How many organisations of the period are ranked on it.
    ranked: int
    #: The raw value as a reader knows it (``12.5``, "Oui", "3 – Souvent"), unit apart.
    value: str
    unit_label: str | None


@attrs.frozen(kw_only=True)
class TrendRow:
    """How one dimension (or the total) moved across the organisation's periods."""

    code: str
    label: str
    is_total: bool
    first_period: str | None
    last_period: str | None
    first_score: float
    last_score: float
    #: Least-squares slope of the score per period unit (a year).
    slope: float
    #: Compound annual growth rate of the score (a share: 0.05 is +5 % a year).
    cagr: float
    #: How many of the organisation's periods have a score.
    points: int


@attrs.frozen(kw_only=True)
class ProfileAnalysis:
    """The strengths and weaknesses and the progress shown in one organisation's profile."""

    strengths: tuple[StandingRow, ...]
    weaknesses: tuple[StandingRow, ...]
    #: Empty when the organisation has fewer than two periods, or the periods are not numbers.
    progress: tuple[TrendRow, ...]
    #: The period the progress runs up to (the profile's).
    period: str
    show_ranks: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON report (``NaN`` left for the writer to turn into ``null``)."""
        return {
            "strengths": [attrs.asdict(row) for row in self.strengths],
            "weaknesses": [attrs.asdict(row) for row in self.weaknesses],
            "progress": [attrs.asdict(row) for row in self.progress],
        }


def _value(results: Results, code: str, row: int, lang: str) -> str:
    from vises.engine.explain import level_text

    texts = results.raw_text(code)
    if texts is not None and texts[row] is not None and str(texts[row]).strip():
        return level_text(results, code, str(texts[row]), lang) or str(texts[row])
    raw = float(results.raw(code)[row])
    digits = next((d for d in (0, 1) if round(raw, d) == round(raw, 2)), 2) if math.isfinite(raw) else 0
    return format_number(raw, lang, digits)


def _standings(results: Results, row: int, lang: str) -> tuple[tuple[StandingRow, ...], tuple[StandingRow, ...]]:
    from vises.engine.strengths import Standings, standings
    from vises.i18n import unit_label

    organisation, period = str(results.organisations[row]), str(results.periods[row])
    every = standings(results, organisation, period, top=len(results.codes), bottom=0, lang=lang, kind=Standings)
    ordered = every.strengths  # every usable indicator, best rank first
    count = min(MAX_STANDINGS, max(1, len(ordered) // 2)) if ordered else 0
    rest = ordered[count:]
    worst = min(count, len(rest))
    best, worst_rows = ordered[:count], rest[len(rest) - worst :] if worst else ()

    def shown(items: tuple[Any, ...]) -> tuple[StandingRow, ...]:
        return tuple(
            StandingRow(
                code=item.code,
                label=item.label,
                dimension=None if item.dimension is None else results.label(item.dimension, lang),
                rank=item.rank,
                ranked=item.ranked,
                value=_value(results, item.code, row, lang),
                unit_label=unit_label(item.unit, lang, results.grid.unit_labels),
            )
            for item in items
        )

    return shown(best), shown(worst_rows)


def _progress(results: Results, row: int, lang: str) -> tuple[TrendRow, ...]:
    from vises.engine.trends import numeric_periods, trend_of

    if not numeric_periods(results):
        return ()
    organisation = results.organisations[row]
    mine = np.flatnonzero((results.organisations == organisation) & (results.period_codes <= results.period_codes[row]))
    if len(mine) < 2:
        return ()
    mine = mine[np.argsort(results.period_codes[mine], kind="stable")]
    periods = results.periods[mine]
    times = periods.astype(np.float64)
    root = results.compiled.root
    codes = (*results.children(root), root)
    block = np.column_stack([results.score(code)[mine] for code in codes]).T  # (codes, periods)
    slopes = trend_of(block, times, "slope")[0]
    growth, first_at, last_at, points = trend_of(block, times, "cagr")
    out = []
    for position, code in enumerate(codes):
        has = points[position] > 0
        out.append(
            TrendRow(
                code=code,
                label=results.label(code, lang),
                is_total=code == root,
                first_period=str(periods[first_at[position]]) if has else None,
                last_period=str(periods[last_at[position]]) if has else None,
                first_score=float(block[position, first_at[position]]) if has else math.nan,
                last_score=float(block[position, last_at[position]]) if has else math.nan,
                slope=float(slopes[position]),
                cagr=float(growth[position]),
                points=int(points[position]),
            )
        )
    if all(trend.points < 2 for trend in out):
        return ()
    return tuple(out)


def profile_analysis(results: Results, row: int, lang: str, *, show_ranks: bool = True) -> ProfileAnalysis:
    """Strengths and weaknesses (COINr's ``get_str_weak``) and the progress over the periods of one row."""
    strengths, weaknesses = _standings(results, row, lang)
    return ProfileAnalysis(
        strengths=strengths,
        weaknesses=weaknesses,
        progress=_progress(results, row, lang),
        period=str(results.periods[row]),
        show_ranks=show_ranks,
    )


# -- screening -------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ScreenedUnit:
    organisation: str
    name: str | None
    period: str
    availability: float
    reason: str


@attrs.frozen(kw_only=True)
class ScreeningView:
    """The screening a build applied (``Results.provenance["screening"]``): its rule and who was left out."""

    #: The rule in words (``data availability at least 67 % (share of the indicators)``).
    rule: str
    kept: int
    total: int
    units: tuple[ScreenedUnit, ...]

    def summary(self, lang: str) -> str:
        """One line for the provenance: the rule, how many were kept, and who was screened out."""
        text = translate("insight_screening_summary", lang, rule=self.rule, kept=self.kept, total=self.total)
        if self.units:
            named = ", ".join(f"{unit.organisation} ({unit.period})" for unit in self.units)
            text += f"; {translate('insight_screened_units', lang, units=named)}"
        return text


def screening_view(
    results: Results, lang: str, *, period: str | None = None, public: bool = False
) -> ScreeningView | None:
    """The recorded screening, ``None`` when the results were not screened; with ``period``, only the
    units of that period are listed (the rule and the counts stay the whole screening's). The public
    view (``public``) names no unit: the rule and the counts only."""
    recorded = results.provenance.get("screening")
    if not isinstance(recorded, dict):
        return None
    threshold = float(recorded.get("min_availability", math.nan))
    by = translate("insight_by_weight" if recorded.get("by") == "weight" else "insight_by_count", lang)
    rule = translate("insight_screening_rule", lang, threshold=format_number(threshold, lang, 0, percent=True), by=by)
    names = results.organisation_names()
    units = []
    for unit in recorded.get("screened_out") or ():
        if period is not None and str(unit.get("period")) != period:
            continue
        availability = unit.get("availability")
        units.append(
            ScreenedUnit(
                organisation=str(unit.get("organisation")),
                name=unit.get("name") or names.get(str(unit.get("organisation"))),
                period=str(unit.get("period")),
                availability=math.nan if availability is None else float(availability),
                reason=str(unit.get("reason") or ""),
            )
        )
    kept = int(recorded.get("kept", len(results)))
    total = int(recorded.get("total", kept + len(recorded.get("screened_out") or ())))
    return ScreeningView(rule=rule, kept=kept, total=total, units=() if public else tuple(units))


def provenance_lines(results: Results, lang: str) -> tuple[tuple[str, str], ...]:
    """Provenance facts beside the versions and methods: the screening, the reference scale, the columns left out."""
    lines = []
    screening = screening_view(results, lang)
    if screening is not None:
        lines.append((translate("insight_screening", lang), screening.summary(lang)))
    reference = results.provenance.get("reference")
    if isinstance(reference, dict):
        source, rows = reference.get("source"), reference.get("rows")
        said = translate("insight_reference_rows", lang, source=source, rows=rows) if source and rows else None
        lines.append((translate("insight_reference", lang), said or translate("insight_reference_given", lang)))
    ignored = results.provenance.get("ignored_columns")
    if ignored:
        lines.append((translate("insight_ignored", lang), ", ".join(map(str, ignored))))
    return tuple(lines)


__all__ = [
    "MAX_STANDINGS",
    "ProfileAnalysis",
    "ScreenedUnit",
    "ScreeningView",
    "StandingRow",
    "TrendRow",
    "profile_analysis",
    "provenance_lines",
    "screening_view",
]
