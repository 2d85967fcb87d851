"""The "caips" report: a French markdown summary of a grid's areas, centre by centre.

It shows a profile per area before the total, as VISES asks, and puts the evaluation framing
(evaluative question, stakeholders, methods, narrative) next to the numbers. It reads results
through the public ``Results`` API only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

NOTICE = (
    "> Grille illustrative, structurée d'après les domaines nommés par CAIPS "
    "(https://caips.be/?p=482) ; ce n'est pas l'outil officiel de CAIPS."
)


def _fmt(value: float) -> str:
    return (
        "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1f}".replace(".", ",")
    )


def _areas(results: Any, root: str) -> list[str]:
    """The root's children that carry a score (narrative indicators are left out)."""
    scored = {str(code) for code in results.codes}
    return [code for code in results.children(root) if code in scored and not np.all(np.isnan(results.score(code)))]


def render_caips(
    results: Any,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """Render the summary; ``period`` defaults to the latest one, ``organisation`` narrows to one centre."""
    lang = lang or "fr"
    periods = [str(p) for p in results.period_values]
    period = str(period) if period is not None else periods[-1]
    root = results.codes[-1]
    areas = _areas(results, root)
    names = results.organisation_names()
    in_period = np.asarray([str(p) for p in results.periods]) == period
    orgs = [str(o) for o in results.organisations]
    rows = [i for i in range(len(orgs)) if in_period[i] and (organisation is None or orgs[i] == organisation)]

    lines = [f"# Synthèse CAIPS : {results.grid.label_in(lang)}", "", NOTICE, ""]
    lines.append(
        f"Période : **{period}** · organisations : **{len(rows)}** · périodes disponibles : {', '.join(periods)}"
    )
    lines += ["", "## Profil par domaine", "", "| Domaine | Moyenne | Min | Max |", "|---|---:|---:|---:|"]
    for code in [*areas, root]:
        values = results.score(code)[rows]
        present = values[~np.isnan(values)]
        stats = (float(present.mean()), float(present.min()), float(present.max())) if present.size else (math.nan,) * 3
        name = results.label(code, lang) if code != root else "**Total (après le profil)**"
        lines.append(f"| {name} | {_fmt(stats[0])} | {_fmt(stats[1])} | {_fmt(stats[2])} |")

    lines += ["", "## Centres", ""]
    header = "| Organisation | " + " | ".join(results.label(code, lang) for code in areas) + " | Total | Rang |"
    lines += [header, "|---" * (len(areas) + 3) + "|"]
    ranks = results.ranks(root)
    for i in sorted(rows, key=lambda r: orgs[r]):
        cells = [_fmt(float(results.score(code)[i])) for code in areas]
        rank = "–" if math.isnan(float(ranks[i])) else str(int(ranks[i]))
        label = names.get(orgs[i], orgs[i])
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {_fmt(float(results.score(root)[i]))} | {rank} |")

    framed = [i for i in rows if results.evaluation(orgs[i], period) is not None]
    if framed:
        lines += ["", "## Démarche d'évaluation", ""]
        for i in sorted(framed, key=lambda r: orgs[r]):
            evaluation = results.evaluation(orgs[i], period)
            lines.append(f"### {names.get(orgs[i], orgs[i])}")
            if evaluation.questions:
                lines.append(f"- Question évaluative : {' / '.join(evaluation.questions)}")
            if evaluation.stakeholders:
                lines.append(f"- Parties prenantes : {', '.join(evaluation.stakeholders)}")
            if evaluation.methods:
                lines.append(f"- Méthodes : {', '.join(evaluation.methods)}")
            for code, text in sorted(evaluation.narrative.items()):
                where = "ensemble" if code == "*" else (results.label(code, lang) if code in results.codes else code)
                lines.append(f"- *{where}* : {text}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
