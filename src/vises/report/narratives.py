"""Narrative evidence: the texts every report shows beside the numbers.

VISES reads impact through stakeholders' own words as much as through indicators, so a report
never drops a text the data carries. Three sources, one reading:

* **narrative indicators** (``kind = "narrative"``): read by the CSV and xlsx readers into
  ``Dataset.text`` under the indicator's code (``Results.narrative`` returns them), or given as
  a ``Column`` of texts when a dataset is built in Python;
* **comment columns** (``<code>.comment`` in a data file): ``Dataset.text`` under the code they
  document;
* the **evaluation's narrative** (``Evaluation.narrative``), keyed by a code or ``"*"``.

The profile shows each text under the node it documents (a narrative indicator under its parent,
a text about the root or ``"*"`` with the evaluation); the network overview lists every text with
its organisation, period and what it is about, built column by column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from vises.i18n import translate

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

#: The key of a text about the whole evaluation.
WHOLE = "*"


def present(values: np.ndarray) -> np.ndarray:
    """Which cells of an object column hold a text (not ``None``, NaN, nor only spaces)."""
    values = np.asarray(values, dtype=object)
    candidate = np.asarray((values != None) & (values == values), dtype=bool)  # noqa: E711 - element-wise
    where = np.flatnonzero(candidate)
    if len(where):
        candidate[where] = [bool(str(value).strip()) for value in values[where].tolist()]
    return candidate


def sources(results: Results) -> dict[str, np.ndarray]:
    """Every text column of the results, by the code it documents (comments and narrative indicators)."""
    found: dict[str, np.ndarray] = {
        code: np.asarray(column, dtype=object) for code, column in results.dataset.text.items()
    }
    for code in results.narrative_codes:
        column = results.dataset.columns.get(code)
        if column is None:
            continue
        values = np.asarray(column.values, dtype=object)
        if code in found:
            # Both a column of the indicator and a text column: keep both texts, never one over the other.
            both = present(values) & present(found[code])
            joined = found[code].copy()
            joined[present(values) & ~both] = values[present(values) & ~both]
            for row in np.flatnonzero(both).tolist():
                joined[row] = f"{values[row]}\n{found[code][row]}"
            found[code] = joined
        else:
            found[code] = values
    return found


def about(results: Results, code: str, lang: str) -> str:
    """What a text documents, in words: the node's or indicator's label, the whole evaluation, or the name given."""
    if code == WHOLE:
        return translate("whole_evaluation", lang)
    try:
        return results.label(code, lang)
    except (KeyError, LookupError):
        return code


def row_texts(results: Results, row: int) -> dict[str, str]:
    """Every text of one row, by code (``Results.narrative``: text columns, a narrative indicator given
    as a value column, the evaluation's text)."""
    codes = list(dict.fromkeys([*results.dataset.text, *results.narrative_codes]))
    evaluation = results.evaluation(str(results.organisations[row]), str(results.periods[row]))
    if evaluation is not None:
        codes += [code for code in evaluation.narrative if code not in codes]
    out: dict[str, str] = {}
    for code in codes:
        text = results.narrative(code, row)  # text columns, a narrative value column, the evaluation's
        if text:
            out[code] = text
    return out


def by_row(results: Results, rows: np.ndarray) -> list[dict[str, str]]:
    """Per row of ``rows``: its texts by code (comment columns, narrative indicators, the evaluation's)."""
    out: list[dict[str, str]] = [{} for _ in range(len(rows))]
    for code, column in sources(results).items():
        values = column[rows]
        for position in np.flatnonzero(present(values)).tolist():
            out[position][code] = str(values[position])
    if results.dataset.evaluations:
        for position, row in enumerate(rows.tolist()):
            evaluation = results.evaluation(str(results.organisations[row]), str(results.periods[row]))
            if evaluation is None:
                continue
            mine = out[position]
            for code, text in evaluation.narrative.items():
                mine[code] = f"{mine[code]}\n{text}" if code in mine else text
    return out


@attrs.frozen(kw_only=True, eq=False)
class NarrativeTable:
    """Every text of the network, one row per (organisation, period, code), as columns."""

    organisations: np.ndarray
    names: np.ndarray
    periods: np.ndarray
    codes: np.ndarray
    #: What each text documents, in the report language.
    about: np.ndarray
    texts: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)


def network_texts(results: Results, rows: np.ndarray, names: np.ndarray, lang: str) -> NarrativeTable:
    """The texts of ``rows`` in their order (``names`` aligned with them): each source column taken
    whole, then the evaluations' texts; within a row, in that order."""
    at: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    texts: list[np.ndarray] = []
    position = np.arange(len(rows))
    for code, column in sources(results).items():
        mask = present(column[rows])
        at.append(position[mask])
        codes.append(np.full(int(mask.sum()), code, dtype=object))
        texts.append(column[rows][mask])
    if results.dataset.evaluations:
        evaluated = {evaluation.organisation for evaluation in results.dataset.evaluations}
        extra: list[tuple[int, str, str]] = []
        candidates = np.flatnonzero(np.isin(results.organisations[rows].astype(str), list(evaluated)))
        for i in candidates.tolist():
            row = int(rows[i])
            evaluation = results.evaluation(str(results.organisations[row]), str(results.periods[row]))
            if evaluation is not None:
                extra += [(i, code, text) for code, text in evaluation.narrative.items() if str(text).strip()]
        at.append(np.array([i for i, _, _ in extra], dtype=np.int64))
        codes.append(np.array([code for _, code, _ in extra], dtype=object))
        texts.append(np.array([text for _, _, text in extra], dtype=object))
    where = np.concatenate(at) if at else np.array([], dtype=np.int64)
    order = np.argsort(where, kind="stable")  # the rows' order; within a row, the sources' order
    where = where[order]
    code_column = (np.concatenate(codes) if codes else np.array([], dtype=object))[order]
    text_column = (np.concatenate(texts) if texts else np.array([], dtype=object))[order]
    words = {code: about(results, code, lang) for code in dict.fromkeys(code_column.tolist())}
    chosen = rows[where]
    return NarrativeTable(
        organisations=results.organisations[chosen],
        names=names[where],
        periods=results.periods[chosen],
        codes=code_column,
        about=np.array([words[code] for code in code_column.tolist()], dtype=object),
        texts=np.array([str(text) for text in text_column.tolist()], dtype=object),
    )
