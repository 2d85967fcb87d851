"""The "dialogue_gestion" table: one CSV row per structure and year, as exchanged in the yearly
management dialogue of French IAE structures with their funders.

French spreadsheet conventions by default (``;`` separator, decimal comma); pass
``options={"delimiter": ",", "decimal": "."}`` for machine-oriented CSV. Numbers go through
``vises.format_number`` a whole column at a time (no thousands separator, so a spreadsheet reads
them as numbers; a missing value is an empty cell); a structure or period a spreadsheet would take
for a formula is written as text (``vises.spreadsheet_text``).
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from vises import ConfigError, format_number, spreadsheet_text

from .hooks import HOURS_PER_ETP

if TYPE_CHECKING:  # pragma: no cover
    from vises import ReportRequest, Results

#: Raw indicator columns (code, header), shown when the grid has them.
RAW_COLUMNS = (
    ("salaries_insertion", "salaries_en_insertion"),
    ("heures_travail", "heures_travaillees"),
    ("sorties_emploi_durable", "taux_emploi_durable_pct"),
    ("sorties_emploi_transition", "taux_emploi_transition_pct"),
    ("sorties_positives", "taux_sorties_positives_pct"),
)
EXITS = ("sorties_emploi_durable", "sorties_emploi_transition", "sorties_positives")
#: The options this format understands and their allowed values.
DELIMITERS = (";", ",", "\t")
DECIMALS = {",": "fr", ".": "en"}


def render_dialogue_gestion(results: Results, request: ReportRequest, /) -> str:
    """Every row (or one structure / one period) with raw figures, dynamic-exit rate and scores."""
    import numpy as np

    options = dict(request.options)
    unknown = sorted(set(options) - {"delimiter", "decimal"})
    delimiter = str(options.get("delimiter", ";"))
    decimal = str(options.get("decimal", ","))
    if unknown or delimiter not in DELIMITERS or decimal not in DECIMALS:
        raise ConfigError(
            "the hdf.dialogue_gestion format takes options delimiter (';', ',' or a tab) and decimal (',' or '.')",
            hint="e.g. options={'delimiter': ',', 'decimal': '.'}",
        )
    numbers_lang = DECIMALS[decimal]
    codes = set(results.codes) | set(results.context_codes)  # volumes are reported context, never scored
    root = results.codes[-1]
    raw = [(code, header) for code, header in RAW_COLUMNS if code in codes]
    dimensions = [code for code in results.children(root) if code in codes]
    groups = [code for code in ("parcours", "sorties") if code in codes]

    selected = np.ones(len(results), bool)
    if request.organisation is not None:
        selected &= results.organisations == str(request.organisation)
    if request.period is not None:
        selected &= results.periods == str(request.period)
    rows = np.flatnonzero(selected)
    rows = rows[np.lexsort((results.periods[rows], results.organisations[rows]))]

    def number(values: np.ndarray, digits: int = 1) -> list[str]:
        return format_number(values, numbers_lang, digits, grouping=False, missing="")

    header = ["structure", "periode", *(h for _, h in raw)]
    columns: list[list[str]] = [
        [spreadsheet_text(str(o)) for o in results.organisations[rows].tolist()],
        [spreadsheet_text(str(p)) for p in results.periods[rows].tolist()],
    ]
    for code, _ in raw:
        columns.append(number(results.raw(code)[rows], 0 if code in ("salaries_insertion", "heures_travail") else 1))
    if "heures_travail" in codes:
        header.append("etp_iae")
        columns.append(number(results.raw("heures_travail")[rows] / HOURS_PER_ETP, 2))
    if all(code in codes for code in EXITS):
        header.append("taux_sorties_dynamiques_pct")
        columns.append(number(sum(results.raw(code)[rows] for code in EXITS)))
    header += [f"score_{code}" for code in [*groups, *dimensions]] + ["score_global", "rang"]
    columns += [number(results.score(code)[rows]) for code in [*groups, *dimensions, root]]
    columns.append(format_number(results.ranks(root)[rows], numbers_lang, 0, grouping=False, missing=""))

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue()
