"""The "dialogue_gestion" table: one CSV row per structure and year, as exchanged in the yearly
management dialogue of French IAE structures with their funders.

French spreadsheet conventions by default (``;`` separator, decimal comma); pass
``options={"delimiter": ",", "decimal": "."}`` for machine-oriented CSV.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .hooks import HOURS_PER_ETP

#: Raw indicator columns (code, header), shown when the grid has them.
RAW_COLUMNS = (
    ("salaries_insertion", "salaries_en_insertion"),
    ("heures_travail", "heures_travaillees"),
    ("sorties_emploi_durable", "taux_emploi_durable_pct"),
    ("sorties_emploi_transition", "taux_emploi_transition_pct"),
    ("sorties_positives", "taux_sorties_positives_pct"),
)
EXITS = ("sorties_emploi_durable", "sorties_emploi_transition", "sorties_positives")


def render_dialogue_gestion(
    results: Any,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """Every row (or one structure / one period) with raw figures, dynamic-exit rate and scores."""
    options = dict(options or {})
    delimiter = str(options.get("delimiter", ";"))
    decimal = str(options.get("decimal", ","))
    codes = set(results.codes)
    root = results.codes[-1]
    raw = [(code, header) for code, header in RAW_COLUMNS if code in codes]
    dimensions = [code for code in results.children(root) if code in codes]
    groups = [code for code in ("parcours", "sorties") if code in codes]

    def number(value: float, digits: int = 1) -> str:
        return "" if math.isnan(value) else f"{value:.{digits}f}".replace(".", decimal)

    header = ["structure", "periode", *(h for _, h in raw)]
    if "heures_travail" in codes:
        header.append("etp_iae")
    if all(code in codes for code in EXITS):
        header.append("taux_sorties_dynamiques_pct")
    header += [f"score_{code}" for code in [*groups, *dimensions]] + ["score_global", "rang"]

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    rows = np.ones(len(results), bool)
    if organisation is not None:
        rows &= results.organisations == str(organisation)
    if period is not None:
        rows &= results.periods == str(period)
    ranks = results.ranks(root)
    for i in sorted(np.flatnonzero(rows), key=lambda r: (results.organisations[r], results.periods[r])):
        line = [str(results.organisations[i]), str(results.periods[i])]
        line += [
            number(float(results.raw(code)[i]), 0 if code in ("salaries_insertion", "heures_travail") else 1)
            for code, _ in raw
        ]
        if "heures_travail" in codes:
            line.append(number(float(results.raw("heures_travail")[i]) / HOURS_PER_ETP, 2))
        if all(code in codes for code in EXITS):
            line.append(number(float(sum(results.raw(code)[i] for code in EXITS))))
        line += [number(float(results.score(code)[i])) for code in [*groups, *dimensions, root]]
        line.append("" if math.isnan(float(ranks[i])) else str(int(ranks[i])))
        writer.writerow(line)
    return buffer.getvalue()
