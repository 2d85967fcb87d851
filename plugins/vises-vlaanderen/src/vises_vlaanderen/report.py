"""The "jaarverslag" report: a Dutch one-page annual summary of a maatwerk grid's results.

One page on purpose: a profile per dimension (with the change on the previous year) comes before
the total, and the organisations' own words come after the numbers. Numbers go through
``vises.format_number`` (a whole column at a time, the missing mark included); names, labels and
narratives through ``vises.markdown_text``, so they can neither carry HTML nor break a table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vises import format_number, markdown_text

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from vises import ReportRequest, Results


def _mean(values: np.ndarray) -> float:
    import numpy as np

    present = values[~np.isnan(values)]
    return float(present.mean()) if present.size else float("nan")


def render_jaarverslag(results: Results, request: ReportRequest, /) -> str:
    """The summary for ``request.period`` (default: the latest), optionally for one organisation."""
    import numpy as np

    lang = request.language or "nl"
    period = str(request.period) if request.period is not None else str(results.period_values[-1])
    before = results.previous_period(period)
    root = results.codes[-1]
    scored = set(results.codes)
    dimensions = [code for code in results.children(root) if code in scored]
    orgs = results.organisations.astype(str)
    periods = results.periods.astype(str)
    selected = np.ones(len(orgs), bool) if request.organisation is None else orgs == str(request.organisation)
    now_rows = selected & (periods == period)
    before_rows = selected & (periods == before) if before else np.zeros(len(orgs), bool)

    lines = [f"# Jaarverslag maatschappelijke impact {markdown_text(period)}", ""]
    lines.append(
        f"*{markdown_text(results.grid.label_in(lang))}* · {int(now_rows.sum())} organisatie(s) · illustratief "
        "rooster, geen officieel meetinstrument"
    )
    lines += ["", "## Profiel per dimensie", ""]
    lines += [
        f"| Dimensie | {markdown_text(period)} | {markdown_text(before or 'vorig jaar')} | Verschil |",
        "|---|---:|---:|---:|",
    ]
    codes = [*dimensions, root]
    now = np.array([_mean(results.score(code)[now_rows]) for code in codes])
    then = np.array([_mean(results.score(code)[before_rows]) if before else np.nan for code in codes])
    for code, a, b, d in zip(
        codes,
        format_number(now, lang, 1),
        format_number(then, lang, 1),
        format_number(now - then, lang, 1, signed=True),
        strict=True,
    ):
        name = markdown_text(results.label(code, lang)) if code != root else "**Totaal**"
        lines.append(f"| {name} | {a} | {b} | {d} |")

    names = results.organisation_names()
    lines += ["", "## Organisaties", "", "| Organisatie | Totaal | Verschil | Rang |", "|---|---:|---:|---:|"]
    total = results.score(root)
    rows = np.flatnonzero(now_rows)
    rows = rows[np.lexsort((-np.nan_to_num(total[rows]), np.isnan(total[rows])))]
    previous = np.full(len(rows), np.nan)
    if before:
        earlier = {org: float(total[i]) for i, org in enumerate(orgs.tolist()) if periods[i] == before}
        previous = np.array([earlier.get(orgs[i], np.nan) for i in rows.tolist()])
    scores = format_number(total[rows], lang, 1)
    changes = format_number(total[rows] - previous, lang, 1, signed=True)
    ranks = format_number(results.ranks(root)[rows], lang, 0)
    for position, row in enumerate(rows.tolist()):
        org = orgs[row]
        name = markdown_text(names.get(org, org))
        lines.append(f"| {name} | {scores[position]} | {changes[position]} | {ranks[position]} |")

    voices = []
    for code in results.narrative_codes:
        for row in np.flatnonzero(now_rows).tolist():
            text = results.narrative(code, int(row))
            if text:
                voices.append(f"- **{markdown_text(names.get(orgs[row], orgs[row]))}**: {markdown_text(text)}")
    if voices:
        lines += ["", "## Stem van de werknemers", "", *voices[:5]]
        if len(voices) > 5:
            # One page on purpose, but never a silent cut: say how many more there are, and where.
            lines.append(f"- … en nog {len(voices) - 5} getuigenis(sen): zie het html- of json-rapport.")
    return "\n".join(lines) + "\n"
