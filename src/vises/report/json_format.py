"""The JSON report: everything the results know, for other programs.

The network view carries the whole results: every node (label, parent, unit, method), every row's
scores, ranks, coverage and reasons, the narratives, the evaluations, the fitted normaliser
parameters and the provenance. The profile view carries one organisation's explain tree. Floats
keep full precision (Python's shortest round-trip repr); ``NaN`` becomes ``null``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.report.views import check_view, parse_options, profile_view, report_lang

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


def plain(value: Any) -> Any:
    """``value`` as JSON-ready Python: numpy scalars and arrays unwrapped, NaN and inf as ``None``."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.ndarray):
        return [plain(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if attrs.has(type(value)):
        return plain(attrs.asdict(value, recurse=False))
    if hasattr(value, "value") and type(value).__module__.startswith("vises"):
        return plain(value.value)  # enums of the model
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _column(values: np.ndarray) -> list[Any]:
    return [None if v != v else v for v in values.tolist()]


def _narratives(results: Results) -> list[dict[str, str]]:
    """Per row: comment columns, narrative indicators and the evaluation's texts, by code."""
    n = len(results)
    out: list[dict[str, str]] = [{} for _ in range(n)]
    sources: dict[str, np.ndarray] = dict(results.dataset.text)
    for code in results.narrative_codes:
        narrative = results.dataset.columns.get(code)
        if narrative is not None:
            sources[code] = narrative.values
    for code, column in sources.items():
        for row, text in enumerate(column):
            if text is not None and not (isinstance(text, float) and math.isnan(text)) and str(text) != "":
                out[row][code] = str(text)
    for row in range(n):
        evaluation = results.evaluation(str(results.organisations[row]), str(results.periods[row]))
        if evaluation is None:
            continue
        for code, text in evaluation.narrative.items():
            out[row][code] = f"{out[row][code]}\n{text}" if code in out[row] else text
    return out


def network_document(results: Results, *, lang: str, ranks: bool) -> dict[str, Any]:
    codes = results.codes
    scores = {code: _column(results.score(code)) for code in codes}
    rank = {code: _column(results.ranks(code)) for code in codes} if ranks else {}
    coverage = {code: _column(results.coverage(code)) for code in codes}
    reasons = {code: results.reasons(code) for code in codes}
    narratives = _narratives(results)
    records = []
    for row in range(len(results)):
        record: dict[str, Any] = {
            "organisation": str(results.organisations[row]),
            "period": str(results.periods[row]),
            "scores": {code: scores[code][row] for code in codes},
            "coverage": {code: coverage[code][row] for code in codes},
            "reasons": {code: reasons[code][row] for code in codes if reasons[code][row] is not None},
            "narratives": narratives[row],
        }
        if ranks:
            record["ranks"] = {code: None if rank[code][row] is None else int(rank[code][row]) for code in codes}
        records.append(record)
    nodes = [
        {
            "code": code,
            "label": results.label(code, lang),
            "parent": results.parent(code),
            "depth": results.depth(code),
            "is_indicator": results.is_indicator(code),
            "unit": results.unit(code),
            "method": results.method(code),
        }
        for code in codes
    ]
    return {
        "view": "network",
        "lang": lang,
        "provenance": results.provenance,
        "grid": {"code": results.grid.code, "version": results.grid.version, "label": results.grid.label_in(lang)},
        "codes": list(codes),
        "periods": list(results.period_values),
        "nodes": nodes,
        "records": records,
        "fitted": results.fitted,
        "evaluations": list(results.dataset.evaluations),
    }


def render_json(
    results: Results,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """The results as JSON (network view) or one organisation's explain tree (profile view)."""
    check_view(view)
    opts = parse_options(options)
    lang_used = report_lang(results, lang)
    if view == "profile":
        profile = profile_view(results, organisation=organisation, period=period, lang=lang_used, options=opts)
        explain = profile.explanation.to_dict()
        if not opts.ranks:
            _drop_ranks(explain)
        document: dict[str, Any] = {
            "view": "profile",
            "lang": lang_used,
            "organisation": profile.organisation,
            "name": profile.name,
            "period": profile.period,
            "previous_period": profile.previous_period,
            "provenance": results.provenance,
            "evaluation": profile.evaluation,
            "changes": {row.code: row.change for block in profile.blocks for row in (block.dimension, *block.rows)}
            | {profile.total.code: profile.total.change},
            "explain": explain,
        }
    else:
        document = network_document(results, lang=lang_used, ranks=opts.ranks)
    return json.dumps(plain(document), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _drop_ranks(node: dict[str, Any]) -> None:
    node.pop("rank", None)
    for child in node.get("children", ()):
        _drop_ranks(child)
