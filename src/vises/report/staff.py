"""The federation staff's own workbook: the xlsx report with every detail, names included.

With the xlsx option ``staff`` the report's sheets (scores per level, raw values, coverage, ranks,
narratives) are followed by what only the staff may see together: ``organisations`` (code, name,
portrait, every attribute, the pseudonym it is published under, its periods), ``requirements``
(each row's answer to every requirement and the unmet ones) and the network view's tables
(``distributions``, ``peer_groups``, ``totals``, ``changes``) without suppression. It is private:
never send it outside the federation's office.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vises.i18n import translate
from vises.report.peers import attribute_title, attribute_values, known_attributes
from vises.report.views import Request, names_column, network_view

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results
    from vises.report.xlsx_package import Workbook


def _text(values: list[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = ["" if value is None else str(value) for value in values]
    return out


def staff_sheets(book: Workbook, results: Results, request: Request, rows: np.ndarray) -> None:
    """Add the staff's sheets to ``book`` (``rows``: the report's rows, in its order)."""
    from vises.report.public import public_tables
    from vises.report.xlsx import HEADER, NUMBER, TEXT
    from vises.report.xlsx_package import Column

    lang = request.lang

    def t(key: str) -> str:
        return translate(key, lang)

    def sheet(name: str, keys: list[str], labels: list[str], columns: list[np.ndarray], numeric: list[bool]) -> None:
        heads = [[(label, HEADER) for label in labels], [(key, HEADER) for key in keys]]
        body = [
            Column(values=column, style=NUMBER if is_number else TEXT, numeric=is_number)
            for column, is_number in zip(columns, numeric, strict=True)
        ]
        widths = [min(max(len(label), len(key), 10) + 2, 45) for label, key in zip(labels, keys, strict=True)]
        book.add_sheet(name, heads, body, widths=widths, freeze=(2, 1))

    # One line per organisation: who it is, how it is published, when it reported.
    codes = sorted(set(results.organisations.tolist()))
    first_row = {code: int(np.flatnonzero(results.organisations == code)[-1]) for code in codes}
    names = names_column(results)
    attributes = known_attributes(results)
    keys = ["organisation", "name", *attributes]
    labels = [t("organisation"), t("name"), *(attribute_title(results, name, lang) for name in attributes)]
    columns = [_text(list(codes)), _text([names[first_row[code]] for code in codes])]
    for name in attributes:
        values = attribute_values(results, name)
        columns.append(_text([None if values is None else values[first_row[code]] for code in codes]))
    if request.options.pseudonyms:
        keys.append("pseudonym")
        labels.append(t("pseudonym"))
        columns.append(_text([request.options.pseudonyms.get(code) for code in codes]))
    periods = {
        code: sorted({str(p) for p in results.periods[results.organisations == code].tolist()}) for code in codes
    }
    keys.append("periods")
    labels.append(t("period"))
    columns.append(_text([", ".join(periods[code]) for code in codes]))
    sheet("organisations", keys, labels, columns, [False] * len(keys))

    if results.grid.requirements:
        from vises.engine.requirements import requirement_results
        from vises.report.requirement_rows import status_text

        answers = requirement_results(results)
        keys = ["organisation", "period", *answers.codes, "unmet"]
        labels = [
            t("organisation"),
            t("period"),
            *(answers.requirement(code).label_in(lang) for code in answers.codes),
            t("unmet_requirements"),
        ]
        columns = [_text(results.organisations[rows].tolist()), _text(results.periods[rows].tolist())]
        for code in answers.codes:
            columns.append(_text([status_text(status, lang) for status in answers.status(code)[rows].tolist()]))
        columns.append(_text(["; ".join(answers.unmet_in_row(int(row))) for row in rows.tolist()]))
        sheet("requirements", keys, labels, columns, [False] * len(keys))

    # The network view's tables, in full (nothing suppressed, organisations by code).
    plain = network_view(results, lang=lang, period=request.period)
    for table in public_tables(plain)[1:]:
        sheet(table.name, list(table.keys), list(table.labels), list(table.columns), list(table.numeric))


__all__ = ["staff_sheets"]
