"""The "caips" report: a French markdown summary of a grid's areas, centre by centre.

It shows a profile per area before the total, as VISES asks, and puts the evaluation framing
(evaluative question, stakeholders in words, methods, narratives and the narrative indicators'
texts) next to the numbers. It reads results
through the public API only: ``Results`` for the numbers, ``vises.format_number`` for every
number (a whole column at a time), ``vises.markdown_text`` for every name, label and narrative
(so a centre's text can neither carry HTML nor break a table). French typography: a no-break
space before ``:``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vises import format_number, markdown_text, method_label, stakeholder_label

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from vises import ReportRequest, Results

NOTICE = (
    "> Grille illustrative, structurée d'après les domaines nommés par CAIPS "
    "(https://caips.be/?p=482)\u202f; ce n'est pas l'outil officiel de CAIPS."
)
#: What joins a French label to its value.
COLON = "\u00a0: "


def _areas(results: Results, root: str) -> list[str]:
    """The root's children that carry a score (narrative indicators are left out)."""
    import numpy as np

    scored = {str(code) for code in results.codes}
    return [code for code in results.children(root) if code in scored and not np.all(np.isnan(results.score(code)))]


def _stats(values: np.ndarray) -> tuple[float, float, float]:
    import numpy as np

    present = values[~np.isnan(values)]
    if not present.size:
        return (float("nan"),) * 3
    return float(present.mean()), float(present.min()), float(present.max())


def render_caips(results: Results, request: ReportRequest, /) -> str:
    """The summary for ``request.period`` (default: the latest); ``request.organisation`` narrows to one centre."""
    import numpy as np

    lang = request.language or "fr"
    periods = [str(p) for p in results.period_values]
    period = str(request.period) if request.period is not None else periods[-1]
    root = results.codes[-1]
    areas = _areas(results, root)
    names = results.organisation_names()
    orgs = results.organisations.astype(str)
    selected = results.periods.astype(str) == period
    if request.organisation is not None:
        selected &= orgs == str(request.organisation)
    rows = np.flatnonzero(selected)
    rows = rows[np.argsort(orgs[rows], kind="stable")]

    def num(values: object) -> list[str]:
        return format_number(np.asarray(values, dtype=float), lang, 1)

    grid_label = markdown_text(results.grid.label_in(lang))
    lines = [f"# Synthèse CAIPS{COLON}{grid_label}", "", NOTICE, ""]
    lines.append(
        f"Période{COLON}**{markdown_text(period)}** · organisations{COLON}**{len(rows)}** · "
        f"périodes disponibles{COLON}{markdown_text(', '.join(periods))}"
    )
    lines += ["", "## Profil par domaine", "", "| Domaine | Moyenne | Min | Max |", "|---|---:|---:|---:|"]
    for code in [*areas, root]:
        mean, low, high = num(_stats(results.score(code)[rows]))
        name = markdown_text(results.label(code, lang)) if code != root else "**Total (après le profil)**"
        lines.append(f"| {name} | {mean} | {low} | {high} |")

    lines += ["", "## Centres", ""]
    header = "| Organisation | " + " | ".join(markdown_text(results.label(code, lang)) for code in areas)
    lines += [header + " | Total | Rang |", "|---" * (len(areas) + 3) + "|"]
    columns = [num(results.score(code)[rows]) for code in [*areas, root]]
    ranks = format_number(results.ranks(root)[rows], lang, 0)
    labels = [markdown_text(names.get(orgs[i], orgs[i])) for i in rows.tolist()]
    for position, label in enumerate(labels):
        cells = " | ".join(column[position] for column in columns)
        lines.append(f"| {label} | {cells} | {ranks[position]} |")

    # The framing and every text of each centre: its evaluation, then its narrative indicators.
    stories = {
        int(i): [(code, text) for code in results.narrative_codes if (text := results.narrative(code, int(i)))]
        for i in rows.tolist()
    }
    framed = [int(i) for i in rows.tolist() if results.evaluation(orgs[i], period) is not None or stories[int(i)]]
    if framed:
        lines += ["", "## Démarche d'évaluation", ""]
        for i in framed:
            evaluation = results.evaluation(orgs[i], period)
            lines.append(f"### {markdown_text(names.get(orgs[i], orgs[i]))}")
            if evaluation is not None and evaluation.questions:
                lines.append(f"- Question évaluative{COLON}{' / '.join(map(markdown_text, evaluation.questions))}")
            if evaluation is not None and evaluation.stakeholders:
                groups = [
                    stakeholder_label(code, lang, results.grid.stakeholder_labels) for code in evaluation.stakeholders
                ]
                lines.append(f"- Parties prenantes{COLON}{', '.join(map(markdown_text, groups))}")
            if evaluation is not None and evaluation.methods:
                methods = [method_label(method, lang) for method in evaluation.methods]
                lines.append(f"- Méthodes{COLON}{', '.join(map(markdown_text, methods))}")
            for code, text in sorted(evaluation.narrative.items()) if evaluation is not None else ():
                where = "ensemble" if code == "*" else (results.label(code, lang) if code in results.codes else code)
                lines.append(f"- *{markdown_text(where)}*{COLON}{markdown_text(text)}")
            for code, text in stories[i]:
                lines.append(f"- *{markdown_text(results.label(code, lang))}*{COLON}{markdown_text(text)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
