"""Outcomes, their stakeholders and their impact reports, for the CIDS export (``cids.py``).

An ImpactReport is the VISES evaluation's reading of one outcome for one period: the evaluative
question, the narrative on the outcome, its narrative indicators and the overall reading, with
"how much" (scale, depth) from the outcome's indicators tagged ``scale`` and ``depth``.
Stakeholder groups come from the outcome indicators' ``stakeholders`` and from the evaluations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.engine.measured import text_of, unit_description
from vises.errors import ConfigError, did_you_mean
from vises.model import Indicator, Node, label_in
from vises.standards.codebook import measure, segment
from vises.validation.codes import sdg_goal_of

if TYPE_CHECKING:  # pragma: no cover
    from vises.standards.cids import CidsExport

Node_ = dict[str, Any]


def outcome(export: CidsExport, org: str, code: str, indicators: list[Indicator], rows: np.ndarray) -> str | None:
    """The organisation's Outcome ``code``, when it measured one of its indicators or reported on it."""
    impact = [iri for row in rows.tolist() if (iri := impact_report(export, org, code, row)) is not None]
    if not indicators and not impact:
        return None
    item = export.outcomes.items[code]
    name = label_in(item.label, export.lang, code)
    own = label_in(item.description, export.lang, "") if item.description else ""
    kind = "node" if isinstance(item, Node) else "indicator"
    node: Node_ = {
        "@id": export.outcome_iri(org, code),
        "@type": "cids:Outcome",
        "hasName": name,
        "hasDescription": own or f"{name} ({kind} {code!r} of grid {export.grid_name}, an outcome)",
        "forOrganization": export.org_iri(org),
    }
    if indicators:
        node["hasIndicator"] = [f"{export.org_iri(org)}/indicator/{segment(ind.code)}" for ind in indicators]
        goals = dict.fromkeys(sdg_goal_of(t) for ind in indicators for t in ind.sdg_targets)
        if goals:
            node["forTheme"] = [export.codes.theme(goal) for goal in goals]
    if impact:
        node["hasImpactReport"] = impact
    return export.add(node)


def impact_report(export: CidsExport, org: str, code: str, row: int) -> str | None:
    """The outcome's report for one period: the evaluation's reading of it, with how much where tagged."""
    comment = impact_comment(export, code, row)
    if comment is None:
        return None
    results = export.results
    period = str(results.periods[row])
    iri = f"{export.outcome_iri(org, code)}/impact/{segment(period)}"
    start, end = export.spans[period]
    name = label_in(export.outcomes.items[code].label, export.lang, code)
    node: Node_ = {
        "@id": iri,
        "@type": "cids:ImpactReport",
        "hasName": f"{name}, {period}",
        "forOutcome": export.outcome_iri(org, code),
        "forOrganization": export.org_iri(org),
        "startedAtTime": start,
        "endedAtTime": end,
        "hasComment": comment,
    }
    for dimension, term, kind in (
        ("scale", "hasImpactScale", "ImpactScale"),
        ("depth", "hasImpactDepth", "ImpactDepth"),
    ):
        measured = how_much(export, org, code, row, dimension, f"{iri}/{dimension}", kind)
        if measured is not None:
            node[term] = measured
    return export.add(node)


def how_much(export: CidsExport, org: str, code: str, row: int, tag: str, iri: str, kind: str) -> str | None:
    for ind in export.outcomes.indicators_of(code):
        if tag not in ind.tags or not ind.scored:
            continue
        column = export.columns[ind.code]
        if not column.measured[row]:
            continue
        return export.add(
            {
                "@id": iri,
                "@type": f"cids:{kind}",
                "hasDescription": f"{ind.label_in(export.lang)} ({unit_description(ind, export.lang)})",
                "value": measure(f"{iri}/value", column.text[row]),
                "forIndicator": f"{export.org_iri(org)}/indicator/{segment(ind.code)}",
            }
        )
    return None


def impact_comment(export: CidsExport, code: str, row: int) -> str | None:
    parts: list[str] = []
    evaluation = export.evaluation(row)
    if evaluation is not None and evaluation.questions:
        parts.append("Evaluative question: " + " / ".join(evaluation.questions))
    parts += export.comments(code, row)
    for ind in export.outcomes.indicators_of(code):
        if not ind.scored:
            # A narrative indicator's text: a column of its own, or with the comments (CSV).
            column = export.results.dataset.columns.get(ind.code)
            values = column.values if column is not None else export.results.dataset.text.get(ind.code)
            if values is not None and (text := text_of(values[row])):
                parts.append(f"{ind.label_in(export.lang)}: {text}")
    if evaluation is not None and (text := text_of(evaluation.narrative.get("*"))):
        parts.append(text)
    return "\n\n".join(parts) if parts else None


def stakeholders(export: CidsExport, org: str, by_outcome: Mapping[str, list[Indicator]], rows: np.ndarray) -> None:
    """Stakeholder groups named by the organisation's indicators or its evaluations, and their outcomes."""
    named: dict[str, list[str]] = {}
    for indicators in by_outcome.values():
        for ind in indicators:
            for group in ind.stakeholders:
                named.setdefault(group, []).append(ind.code)
    evaluated: dict[str, list[str]] = {}
    for row in rows.tolist():
        evaluation = export.evaluation(row)
        for group in evaluation.stakeholders if evaluation is not None else ():
            evaluated.setdefault(group, []).append(str(export.results.periods[row]))
    underserved = export.underserved
    org_iri = export.org_iri(org)
    for group in dict.fromkeys([*named, *evaluated]):
        parts = [f"Stakeholder group {group!r} of this organisation"]
        if group in named:
            parts.append(f"concerned by the indicators {', '.join(dict.fromkeys(named[group]))}")
        if group in evaluated:
            parts.append(f"took part in the evaluation of {', '.join(dict.fromkeys(evaluated[group]))}")
        node: Node_ = {
            "@id": f"{org_iri}/stakeholder/{segment(group)}",
            "@type": "cids:Stakeholder",
            "hasName": group,
            "hasDescription": "; ".join(parts),
            "forOrganization": org_iri,
        }
        if export.options.catchment_area is not None:
            node["hasCatchmentArea"] = export.options.catchment_area
        export.add(node)
    for code, indicators in by_outcome.items():
        groups = dict.fromkeys(group for ind in indicators for group in ind.stakeholders)
        links = []
        outcome = export.nodes.get(export.outcome_iri(org, code))
        for group in groups:
            used = [ind.code for ind in indicators if group in ind.stakeholders]
            name = f"{outcome['hasName'] if outcome else code}: {group}"
            node = {
                "@id": f"{export.outcome_iri(org, code)}/stakeholder/{segment(group)}",
                "@type": "cids:StakeholderOutcome",
                "hasName": name,
                "hasDescription": f"The outcome for the stakeholder group {group!r}, measured by {', '.join(used)}",
                "forStakeholder": f"{org_iri}/stakeholder/{segment(group)}",
                "forOutcome": export.outcome_iri(org, code),
            }
            if underserved is not None:
                node["isUnderserved"] = group in underserved
            links.append(export.add(node))
        if outcome is not None and links:
            outcome["hasStakeholderOutcome"] = links


def underserved_groups(export: CidsExport) -> frozenset[str] | None:
    given = export.options.underserved
    if given is None:
        return None
    all_groups = {g for ind in export.grid.indicators for g in ind.stakeholders}
    all_groups |= {g for e in export.results.dataset.evaluations for g in e.stakeholders}
    unknown = [group for group in given if group not in all_groups]
    if unknown:
        raise ConfigError(
            f"CIDS option 'underserved' names unknown stakeholder group(s): {', '.join(map(repr, unknown))}",
            hint=did_you_mean(unknown[0], all_groups) or f"the groups: {', '.join(sorted(all_groups))}",
        )
    return frozenset(given)
