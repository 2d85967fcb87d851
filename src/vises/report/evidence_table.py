"""The evidence the machine-readable reports carry: per indicator, its value, n, source, interval.

The JSON and CSV reports give scores; a value computed from 5 answers is not the same fact as one
from 240, so where the results hold evidence (``Results.evidence``: given in the data, collected
from records or a template, or a rate's denominator) both also give, per indicator and row, the
raw value, ``n``, ``source``, ``verified``, the interval bounds ``low``/``high``, the ``small``
flag, and a rate's ``numerator``/``denominator``. Results without evidence keep their outputs
unchanged. Everything is built a column at a time.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

#: The fields, in the order both reports write them.
FIELDS = ("value", "n", "source", "verified", "low", "high", "small", "numerator", "denominator")


@attrs.frozen(kw_only=True, eq=False)
class EvidenceField:
    """One field of one indicator's evidence for the chosen rows: numbers (float64) or text/flags (object)."""

    code: str
    field: str
    values: np.ndarray


def evidence_fields(results: Results, rows: np.ndarray) -> list[EvidenceField]:
    """Every evidence field of every indicator with evidence, for ``rows``; empty when there is none."""
    from vises.engine.evidence import has_evidence

    if not has_evidence(results):
        return []
    out: list[EvidenceField] = []
    for indicator in results.grid.measured_indicators:
        code = indicator.code
        column = results.evidence(code)
        parts = results.rate_parts(code)
        if not column.given and parts is None and column.interval is None:
            continue
        found: dict[str, np.ndarray] = {"value": results.raw(code)[rows]}
        if column.n is not None:
            found["n"] = column.n[rows]
        if column.source is not None:
            found["source"] = column.source[rows]
        if column.verified is not None:
            found["verified"] = column.verified[rows]
        if column.interval is not None:
            found["low"], found["high"] = column.low[rows], column.high[rows]
        if column.n is not None:
            found["small"] = column.small[rows]
        if parts is not None:
            found["numerator"], found["denominator"] = parts[0][rows], parts[1][rows]
        out += [EvidenceField(code=code, field=name, values=found[name]) for name in FIELDS if name in found]
    return out


def number_cells(values: np.ndarray, missing: str) -> np.ndarray:
    """Shortest round-trip text of each number (``missing`` where unknown), a whole column at once."""
    from vises.io.machine_text import machine_text

    return machine_text(values, missing)


def flag_cells(values: np.ndarray, yes: str, no: str, missing: str) -> np.ndarray:
    """``yes``/``no``/``missing`` for each of ``True``/``False``/unknown."""
    flags = np.asarray(values, dtype=object)
    out = np.full(len(flags), missing, dtype=object)
    out[flags == True] = yes  # noqa: E712 - elementwise
    out[flags == False] = no  # noqa: E712 - elementwise
    return out


def json_cells(field: EvidenceField) -> np.ndarray:
    """The JSON value of each row of one field (``null`` where unknown)."""
    values = field.values
    if field.field in ("verified", "small"):
        return flag_cells(values, "true", "false", "null")
    if field.field == "source":
        text = np.asarray(values, dtype=object)
        distinct = {value for value in text.tolist() if value not in (None, "")}
        said = {value: json.dumps(str(value), ensure_ascii=False) for value in distinct}
        return np.array([said.get(value, "null") for value in text.tolist()], dtype=object)
    return number_cells(values, "null")


def json_records(results: Results, rows: np.ndarray) -> list[str] | None:
    """``"code":{"value":..,"n":..,...}`` joined per row, or ``None`` when the results carry no evidence."""
    fields = evidence_fields(results, rows)
    if not fields:
        return None
    by_code: dict[str, list[EvidenceField]] = {}
    for field in fields:
        by_code.setdefault(field.code, []).append(field)
    entries = []
    for code, parts in by_code.items():
        cells = np.full(len(rows), json.dumps(code, ensure_ascii=False) + ":{", dtype=object)
        for index, part in enumerate(parts):
            cells = cells + (("," if index else "") + json.dumps(part.field) + ":") + json_cells(part)
        entries.append(cells + "}")
    return [",".join(cells) for cells in zip(*entries, strict=True)]


__all__ = ["FIELDS", "EvidenceField", "evidence_fields", "flag_cells", "json_cells", "json_records", "number_cells"]
