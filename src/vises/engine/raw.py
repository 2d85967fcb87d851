"""Raw values, units, external ids and SDG targets, for reports that carry them beside the scores.

``raw_values(results)`` is what the JSON report adds to its nodes and records: the values as
measured, in each indicator's unit (quantities as numbers, levels as written, ``yes``/``no``), the
values imputation filled in kept apart, and per indicator its kind, unit, levels, external ids and
SDG targets. Built a column at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from vises.engine.measured import measured_column
from vises.model import Kind

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


def raw_values(results: Results, rows: Any = None) -> dict[str, Any]:
    """``{"indicators": {code: {...}}, "raw": [{code: value}], "imputed": [{code: value}]}`` for ``rows``.

    ``rows`` (default: every row) are row indices of ``results``; ``raw`` and ``imputed`` hold one
    dict per row, in that order: ``raw`` every scored indicator's measured value (``None`` when
    missing, not applicable or imputed), ``imputed`` only the values imputation filled in.
    """
    chosen = np.arange(len(results)) if rows is None else np.asarray(rows, dtype=np.intp).reshape(-1)
    indicators: dict[str, Any] = {}
    raw: list[dict[str, Any]] = [{} for _ in range(len(chosen))]
    imputed: list[dict[str, Any]] = [{} for _ in range(len(chosen))]
    for ind in results.grid.measured_indicators:
        indicators[ind.code] = {
            "kind": ind.kind.value,
            "unit": ind.unit,
            "levels": [level.value for level in ind.levels] or (["no", "yes"] if ind.kind is Kind.BINARY else []),
            "external_ids": dict(ind.external_ids),
            "sdg_targets": list(ind.sdg_targets),
        }
        column = measured_column(results, ind)
        numbers = results.raw(ind.code)[chosen]
        if ind.is_number:
            values = np.where(column.measured[chosen], numbers, np.nan).astype(object)
            values[~column.measured[chosen]] = None
        else:
            values = column.text[chosen]
        for record, value in zip(raw, values.tolist(), strict=True):
            record[ind.code] = value
        filled = (
            np.flatnonzero(results.imputed(ind.code)[chosen]) if ind.code in results.codes else np.zeros(0, np.intp)
        )
        for position, value in zip(filled.tolist(), numbers[filled].tolist(), strict=True):
            imputed[position][ind.code] = value
    return {"indicators": indicators, "raw": raw, "imputed": imputed}
