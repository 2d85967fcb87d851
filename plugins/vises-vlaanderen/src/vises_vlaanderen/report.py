"""The "jaarverslag" report: a Dutch one-page annual summary of a maatwerk grid's results.

One page on purpose: a profile per dimension (with the change on the previous year) comes before
the total, and the organisations' own words come after the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}".replace(".", ",")


def _delta(now: float, before: float) -> str:
    if math.isnan(now) or math.isnan(before):
        return "–"
    change = now - before
    return ("+" if change >= 0 else "−") + f"{abs(change):.1f}".replace(".", ",")


def _mean(values: np.ndarray) -> float:
    present = values[~np.isnan(values)]
    return float(present.mean()) if present.size else math.nan


def render_jaarverslag(
    results: Any,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """Render the summary for ``period`` (default: the latest), optionally for one organisation."""
    lang = lang or "nl"
    period = str(period) if period is not None else str(results.period_values[-1])
    before = results.previous_period(period)
    root = results.codes[-1]
    scored = set(results.codes)
    dimensions = [code for code in results.children(root) if code in scored]
    orgs = results.organisations
    selected = np.ones(len(orgs), bool) if organisation is None else orgs == str(organisation)
    now_rows = selected & (results.periods == period)
    before_rows = selected & (results.periods == before) if before else np.zeros(len(orgs), bool)

    lines = [f"# Jaarverslag maatschappelijke impact {period}", ""]
    lines.append(
        f"*{results.grid.label_in(lang)}* · {int(now_rows.sum())} organisatie(s) · illustratief rooster, geen "
        "officieel meetinstrument"
    )
    lines += ["", "## Profiel per dimensie", ""]
    lines += [f"| Dimensie | {period} | {before or 'vorig jaar'} | Verschil |", "|---|---:|---:|---:|"]
    for code in [*dimensions, root]:
        now = _mean(results.score(code)[now_rows])
        then = _mean(results.score(code)[before_rows]) if before else math.nan
        name = results.label(code, lang) if code != root else "**Totaal**"
        lines.append(f"| {name} | {_fmt(now)} | {_fmt(then)} | {_delta(now, then)} |")

    names = results.organisation_names()
    lines += ["", "## Organisaties", "", "| Organisatie | Totaal | Verschil | Rang |", "|---|---:|---:|---:|"]
    total = results.score(root)
    ranks = results.ranks(root)
    for row in sorted(np.flatnonzero(now_rows), key=lambda r: (np.isnan(total[r]), -np.nan_to_num(total[r]))):
        org = str(orgs[row])
        then = math.nan
        if before:
            match = np.flatnonzero((orgs == org) & (results.periods == before))
            then = float(total[match[0]]) if match.size else math.nan
        rank = "–" if math.isnan(float(ranks[row])) else str(int(ranks[row]))
        lines.append(
            f"| {names.get(org, org)} | {_fmt(float(total[row]))} | {_delta(float(total[row]), then)} | {rank} |"
        )

    voices = []
    for code in results.narrative_codes:
        for row in np.flatnonzero(now_rows):
            text = results.narrative(code, int(row))
            if text:
                voices.append(f"- **{names.get(str(orgs[row]), orgs[row])}**: {text}")
    if voices:
        lines += ["", "## Stem van de werknemers", "", *voices[:5]]
    return "\n".join(lines) + "\n"
