"""The ``vsme.disclosure`` table: every VSME datapoint of every organisation and period, as disclosed.

A VSME report is figures, not scores: what a bank or a large customer asks an SME for is its
headcount by gender and contract, its accidents and their rate, its pay gap. This CSV lists, per
organisation and period, every indicator of the grid in grid order — reported and computed alike —
with its VSME disclosure, its label in the report's language, its value, its unit and how it was
obtained (``reported``, or ``computed:`` and the formula), and a note where there is no value (``n/a`` when the
disclosure does not apply, else why it is missing). Numbers are written with a decimal point and no
thousands separator so that any program reads them; every text is neutralised for spreadsheets.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from vises import ConfigError, format_number, spreadsheet_text, unit_label

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from vises import Indicator, ReportRequest, Results

#: The note of a value nobody gave, or that could not be computed, in the report's language.
NOTES = {
    "fr": {"given": "non fourni", "computed": "non calculé (une donnée manque ou divise par zéro)"},
    "nl": {"given": "niet opgegeven", "computed": "niet berekend (een gegeven ontbreekt of deelt door nul)"},
    "en": {"given": "not given", "computed": "not computed (an input is missing or divides by zero)"},
}
HEADER = ("organisation", "period", "disclosure", "indicator", "label", "value", "unit", "obtained", "note")


def render_disclosure(results: Results, request: ReportRequest, /) -> str:
    """One CSV row per organisation, period and indicator (one organisation or period when asked)."""
    import numpy as np

    if request.options:
        raise ConfigError(
            f"the vsme.disclosure format takes no options (given: {', '.join(sorted(request.options))})",
            hint="choose the language with lang= and the rows with organisation= and period=",
        )
    grid = results.grid
    lang = request.language or grid.languages[0]
    selected = np.ones(len(results), bool)
    if request.organisation is not None:
        selected &= results.organisations == str(request.organisation)
    if request.period is not None:
        selected &= results.periods == str(request.period)
    rows = np.flatnonzero(selected)
    rows = rows[np.lexsort((results.periods[rows], results.organisations[rows]))]

    columns: list[list[str]] = []  # per indicator: value, note
    for ind in grid.indicators:
        columns += _value_and_note(results, ind, rows, lang)
    described = [
        (
            spreadsheet_text(str(ind.external_ids.get("vsme", ""))),
            spreadsheet_text(ind.code),
            spreadsheet_text(ind.label_in(lang)),
            spreadsheet_text(unit_label(ind.unit, lang, grid.unit_labels) or ""),
            spreadsheet_text(_obtained(ind)),
        )
        for ind in grid.indicators
    ]
    organisations = [spreadsheet_text(str(o)) for o in results.organisations[rows].tolist()]
    periods = [spreadsheet_text(str(p)) for p in results.periods[rows].tolist()]

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for position in range(len(rows)):
        for number, (disclosure, code, label, unit, obtained) in enumerate(described):
            value, note = columns[2 * number][position], columns[2 * number + 1][position]
            writer.writerow(
                (organisations[position], periods[position], disclosure, code, label, value, unit, obtained, note)
            )
    return buffer.getvalue()


def _obtained(ind: Indicator) -> str:
    if ind.formula:
        return f"computed: {ind.formula}"
    if ind.numerator and ind.denominator:
        return f"computed: {ind.numerator} / {ind.denominator}"
    return "reported"


def _value_and_note(results: Results, ind: Indicator, rows: np.ndarray, lang: str) -> list[list[str]]:
    """The indicator's values on ``rows`` as text (a whole column at once) and the note of each."""
    import numpy as np

    texts = results.raw_text(ind.code)
    if texts is not None:  # yes/no, scales, categories: the value as the data writes it
        values = ["" if t is None else spreadsheet_text(str(t)) for t in texts[rows].tolist()]
        present = np.array([t is not None for t in texts[rows].tolist()], bool)
    else:
        raw = np.asarray(results.raw(ind.code), dtype=np.float64)[rows]
        present = ~np.isnan(raw)
        whole = bool(np.all(raw[present] == np.round(raw[present])))
        digits = 0 if whole else 2
        values = list(format_number(raw, "en", digits, grouping=False, missing=""))
    not_applicable = np.asarray(results.not_applicable(ind.code), bool)[rows]
    # A scored indicator says why it has no score; an unscored one only whether it was given or computed.
    why = np.asarray(results.reasons(ind.code), dtype=object)[rows].tolist() if ind.scored else [None] * len(rows)
    fallback = NOTES.get(lang, NOTES["en"])["computed" if ind.derived else "given"]
    notes = [
        "" if given else ("n/a" if na else spreadsheet_text(str(reason or fallback)))
        for given, na, reason in zip(present.tolist(), not_applicable.tolist(), why, strict=True)
    ]
    return [values, notes]
