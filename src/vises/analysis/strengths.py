"""Strengths and weaknesses of one organisation (COINr's ``get_str_weak``): its best and worst ranks.

The numbers are ``vises.engine.strengths`` (the report's profile shows the same); this module adds
the plain-text table and keeps the analysis names. Each scored indicator is ranked among the
organisations of the same period (on its score, so a lower-is-better indicator is already turned
the right way; 1 = best, ties share the lowest rank); the first ``top`` are the organisation's
strengths, the last ``bottom`` its weaknesses; an indicator it ranks last on (tied at the bottom)
is left out unless ``keep_last=True``, as are indicators where it has no value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from vises.analysis.words import MISSING, number, rank_text, table, word
from vises.engine.strengths import Standing, Standings, standings

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["Standing", "StrengthsWeaknesses", "strengths_weaknesses"]


@attrs.frozen(kw_only=True)
class StrengthsWeaknesses(Standings):
    """The strengths (best ranks first) and weaknesses (worst last) of one organisation in one period."""

    def table(self, lang: str | None = None) -> str:
        w = lang or "en"

        def rows(items: tuple[Standing, ...]) -> list[tuple[Any, ...]]:
            return [
                (
                    s.code,
                    s.label,
                    s.dimension or MISSING,
                    f"{rank_text(float(s.rank), lang)}/{s.ranked}",
                    number(s.value, lang, 2) + (f" {s.unit}" if s.unit else ""),
                )
                for s in items
            ]

        headers = [word("indicator", w), "", word("dimension", w), word("rank", w), word("value", w)]
        title = f"{self.organisation} ({self.period})"
        return "\n\n".join(
            [
                title,
                word("strengths", w),
                table(rows(self.strengths), headers),
                word("weaknesses", w),
                table(rows(self.weaknesses), headers),
            ]
        )


def strengths_weaknesses(
    results: Results,
    organisation: str,
    period: str | None = None,
    *,
    top: int = 5,
    bottom: int = 5,
    keep_last: bool = False,
    unique_share: float | None = None,
    level: int | None = None,
    lang: str | None = None,
) -> StrengthsWeaknesses:
    """The ``top`` best and ``bottom`` worst indicators of ``organisation`` in ``period`` (default: its
    latest) by rank among that period's organisations. ``level`` names the dimension shown (a depth,
    1 = the root's children; default: each indicator's parent, COINr's ``report_level = 2``).
    """
    return standings(
        results,
        organisation,
        period,
        top=top,
        bottom=bottom,
        keep_last=keep_last,
        unique_share=unique_share,
        level=level,
        lang=lang,
        kind=StrengthsWeaknesses,
    )
