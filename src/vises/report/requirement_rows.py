"""Requirements in reports: each one's answer in a profile, how many met it in the network view.

A profile lists every requirement of the grid with its answer for the organisation's row (met,
not met, not demonstrated, not applicable), its conditions with the value given, and the list of
requirements not met or not demonstrated; the network view counts, per requirement and period,
how many organisations gave each answer (suppressed in the public view when the period has fewer
than ``min_group`` organisations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from vises.i18n import translate
from vises.model.requirements import STATUS_ORDER, RequirementStatus

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.requirements import RequirementResults
    from vises.engine.results import Results


def status_text(status: RequirementStatus | str, lang: str) -> str:
    """An answer in the report language ("Atteint", "Niet aangetoond")."""
    return translate(f"requirement_{RequirementStatus(status).value}", lang)


@attrs.frozen(kw_only=True)
class ConditionRow:
    text: str
    status: RequirementStatus
    #: The value the organisation gave, as a reader knows it (empty when missing).
    given: str


@attrs.frozen(kw_only=True)
class RequirementRow:
    """One requirement in a profile."""

    code: str
    label: str
    #: How deep it sits among requirements (0: a requirement that is part of no other).
    depth: int
    #: The node it is shown under (``None``: beside the top-level dimensions).
    node: str | None
    status: RequirementStatus
    status_label: str
    conditions: tuple[ConditionRow, ...]


@attrs.frozen(kw_only=True)
class RequirementSummary:
    """How many organisations of a period gave each answer to one requirement."""

    code: str
    label: str
    period: str
    #: Organisations per answer, in ``STATUS_ORDER`` (NaN when suppressed).
    counts: tuple[float, ...]
    of: int
    suppressed: bool = False


def _answers(results: Results) -> RequirementResults | None:
    if not results.grid.requirements:
        return None
    from vises.engine.requirements import requirement_results

    return requirement_results(results)


def _depths(answers: RequirementResults) -> dict[str, int]:
    parents = {r.code: r.parent for r in answers.requirements}
    depth = {}
    for code in answers.codes:
        steps, current, seen = 0, parents[code], {code}
        while current in parents and current not in seen:
            seen.add(current)
            steps += 1
            current = parents[current]
        depth[code] = steps
    return depth


def _node_of(answers: RequirementResults, code: str) -> str | None:
    """The grid node a requirement is shown under: its own parent node, or its group's."""
    parents = {r.code: r.parent for r in answers.requirements}
    current: str | None = code
    seen: set[str] = set()
    while current in parents and current not in seen:
        seen.add(current)
        current = parents[current]
    return current


def _given(results: Results, code: str, row: int, lang: str) -> str:
    from vises.i18n import format_number
    from vises.report.views import _level_text, _text, unit_text

    texts = results.raw_text(code)
    if texts is not None:
        return _level_text(results, code, _text(texts[row]), lang) or ""
    value = float(results.raw(code)[row])
    if math.isnan(value):
        return ""
    unit = unit_text(results.unit(code), lang, results.grid.unit_labels)
    return format_number(value, lang, 2) + (f" {unit}" if unit else "")


def profile_requirements(results: Results, row: int, lang: str) -> tuple[tuple[RequirementRow, ...], tuple[str, ...]]:
    """The requirement rows of one row's profile (grid order), and the labels of the unmet ones."""
    answers = _answers(results)
    if answers is None:
        return (), ()
    depth = _depths(answers)
    rows = []
    for position, requirement in enumerate(answers.requirements):
        status = STATUS_ORDER[int(answers.matrix[row, position])]
        conditions = tuple(
            ConditionRow(
                text=condition.describe(),
                status=STATUS_ORDER[int(column[row])],
                given=_given(results, condition.indicator, row, lang),
            )
            for condition, column in zip(requirement.conditions, answers.condition_codes(requirement.code), strict=True)
        )
        rows.append(
            RequirementRow(
                code=requirement.code,
                label=requirement.label_in(lang),
                depth=depth[requirement.code],
                node=_node_of(answers, requirement.code),
                status=status,
                status_label=status_text(status, lang),
                conditions=conditions,
            )
        )
    unmet = tuple(answers.requirement(code).label_in(lang) for code in answers.unmet_in_row(row))
    return tuple(rows), unmet


def network_requirements(
    results: Results, periods: Sequence[str], lang: str, *, k: int = 1
) -> tuple[RequirementSummary, ...]:
    """Per requirement and period (latest first): organisations per answer."""
    answers = _answers(results)
    if answers is None:
        return ()
    out = []
    for period in list(periods)[::-1]:
        rows = np.flatnonzero(results.periods == period)
        of = len(rows)
        for requirement in answers.requirements:
            counts = answers.counts(requirement.code, rows)
            hidden = 0 < of < k
            out.append(
                RequirementSummary(
                    code=requirement.code,
                    label=requirement.label_in(lang),
                    period=period,
                    counts=tuple(math.nan if hidden else float(counts[status]) for status in STATUS_ORDER),
                    of=of,
                    suppressed=hidden,
                )
            )
    return tuple(out)


__all__ = [
    "ConditionRow",
    "RequirementRow",
    "RequirementSummary",
    "network_requirements",
    "profile_requirements",
    "status_text",
]
