"""The JSON report: everything the results know, for other programs.

The network view carries the whole results: every node (label, parent, unit, method), every row's
scores, ranks, coverage and reasons, the narratives, the evaluations, the fitted normaliser
parameters and the provenance. The profile view carries one organisation's explain tree and every text of its row
(``narratives``: narrative indicators, comment columns and the evaluation's texts, by code), its
``strengths`` and ``weaknesses`` and its ``progress`` over the periods. The provenance carries the
screening a build applied (who was screened out, and why) and the columns left out on request. Floats
keep full precision (the shortest text that reads back to the same float); ``NaN`` becomes
``null``.

The network document is written incrementally (``iter_json``): records are built as text a chunk
of rows at a time, each column formatted at once, so memory stays bounded by the chunk, never by a
dict per cell. Compact by default (one record per line); ``options={"indent": 2}`` indents it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.i18n import stakeholder_label, unit_label
from vises.report.csv_format import machine_numbers
from vises.report.narratives import by_row, row_texts
from vises.report.views import profile_view, provenance_record, resolve

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results

#: Records built per chunk.
CHUNK_ROWS = 2_000
_COMPACT = (",", ":")


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


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else x


def _dumps(value: Any) -> str:
    return json.dumps(plain(value), ensure_ascii=False, allow_nan=False, separators=_COMPACT)


def _keyed(code: str, cells: np.ndarray) -> np.ndarray:
    """``"code":value`` for each cell of a column (``null`` where the cell is empty)."""
    values = np.where(cells == "", "null", cells)
    return json.dumps(code, ensure_ascii=False) + ":" + values


def _record_texts(results: Results, rows: np.ndarray, raw: list[_RawColumn], *, ranks: bool) -> list[str]:
    """The compact JSON text of each row's record, every part built a column at a time."""
    codes = results.codes
    scores = [_keyed(code, machine_numbers(results.score(code)[rows])) for code in codes]
    coverage = [_keyed(code, machine_numbers(results.coverage(code)[rows])) for code in codes]
    reasons = []
    for code in codes:
        column = results.reasons(code)[rows]
        distinct = {value for value in column.tolist() if value is not None}
        if distinct:
            said = {value: json.dumps(code) + ":" + json.dumps(value, ensure_ascii=False) for value in distinct}
            reasons.append(np.array([said.get(value, "") for value in column.tolist()], dtype=object))
    rank_parts = []
    if ranks:
        for code in codes:
            rank = results.ranks(code)[rows]
            known = ~np.isnan(rank)
            cells = np.where(known, np.nan_to_num(rank).astype(np.int64).astype(str), "").astype(object)
            rank_parts.append(_keyed(code, cells))
    organisations = [json.dumps(str(o), ensure_ascii=False) for o in results.organisations[rows].tolist()]
    periods = [json.dumps(str(p), ensure_ascii=False) for p in results.periods[rows].tolist()]
    narratives = [_dumps(texts) for texts in by_row(results, rows)]
    score_rows = [",".join(cells) for cells in zip(*scores, strict=True)]
    coverage_rows = [",".join(cells) for cells in zip(*coverage, strict=True)]
    reason_rows = (
        [",".join(cell for cell in cells if cell) for cells in zip(*reasons, strict=True)]
        if reasons
        else [""] * len(rows)
    )
    rank_rows = [",".join(cells) for cells in zip(*rank_parts, strict=True)] if ranks else []
    raw_rows, imputed_rows = _measured_texts(raw, rows)
    from vises.report.evidence_table import json_records

    evidence_rows = json_records(results, rows)
    out = []
    for position in range(len(rows)):
        text = (
            f'{{"organisation":{organisations[position]},"period":{periods[position]},'
            f'"scores":{{{score_rows[position]}}},"coverage":{{{coverage_rows[position]}}},'
            f'"reasons":{{{reason_rows[position]}}},"narratives":{narratives[position]},'
            f'"raw":{{{raw_rows[position]}}},"imputed":[{imputed_rows[position]}]'
        )
        if evidence_rows is not None:
            text += f',"evidence":{{{evidence_rows[position]}}}'
        text += f',"ranks":{{{rank_rows[position]}}}}}' if ranks else "}"
        out.append(text)
    return out


@attrs.frozen(eq=False)
class _RawColumn:
    """One measured indicator's part of the records, prepared once for the whole document: its
    key, which rows were measured, and the numbers (or the JSON text of each distinct level)."""

    key: str
    measured: np.ndarray
    numbers: np.ndarray | None
    levels: np.ndarray | None
    level_of: np.ndarray | None
    imputed: np.ndarray | None


def _raw_columns(results: Results) -> list[_RawColumn]:
    """The measured values of every indicator, a whole column at a time, once per document."""
    from vises.engine.measured import measured_column

    out = []
    for ind in results.grid.measured_indicators:
        column = measured_column(results, ind)
        key = json.dumps(ind.code, ensure_ascii=False) + ":"
        filled = results.imputed(ind.code) if ind.code in results.codes else None
        imputed = filled if filled is not None and filled.any() else None
        if ind.is_number:
            out.append(_RawColumn(key, column.measured, results.raw(ind.code), None, None, imputed))
            continue
        texts = column.text  # None where not measured
        given = sorted({value for value in texts[column.measured].tolist()})
        levels = np.array(["null", *(json.dumps(value, ensure_ascii=False) for value in given)], dtype=object)
        position = {value: number for number, value in enumerate(given, start=1)}
        level_of = np.zeros(len(texts), dtype=np.intp)
        for value, number in position.items():  # one pass per distinct level, not per row
            level_of[texts == value] = number
        out.append(_RawColumn(key, column.measured, None, levels, level_of, imputed))
    return out


def _measured_texts(columns: list[_RawColumn], rows: np.ndarray) -> tuple[list[str], list[str]]:
    """Per row, ``"code":value`` of every measured indicator value (``null`` when missing, not
    applicable or imputed) and the quoted codes imputation filled in."""
    raw_parts, imputed_parts = [], []
    for column in columns:
        if column.numbers is not None:
            cells = np.where(column.measured[rows], machine_numbers(column.numbers[rows]), "null").astype(object)
        else:
            assert column.levels is not None and column.level_of is not None
            cells = column.levels[column.level_of[rows]]
        raw_parts.append(column.key + cells)
        if column.imputed is not None:
            imputed_parts.append(np.where(column.imputed[rows], column.key[:-1], ""))
    raw_rows = [",".join(cells) for cells in zip(*raw_parts, strict=True)] if raw_parts else [""] * len(rows)
    imputed_rows = (
        [",".join(cell for cell in cells if cell) for cells in zip(*imputed_parts, strict=True)]
        if imputed_parts
        else [""] * len(rows)
    )
    return raw_rows, imputed_rows


def _indicator_facts(results: Results) -> dict[str, Any]:
    """What a reader of the raw values needs per measured indicator: kind, unit, levels, external ids, SDG targets."""
    out: dict[str, Any] = {}
    for ind in results.grid.measured_indicators:
        levels = [level.value for level in ind.levels] or (["no", "yes"] if ind.kind.value == "binary" else [])
        out[ind.code] = {
            "kind": ind.kind.value,
            "unit": ind.unit,
            "levels": levels,
            "external_ids": dict(ind.external_ids),
            "sdg_targets": list(ind.sdg_targets),
        }
    return out


def _nodes(results: Results, lang: str) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "label": results.label(code, lang),
            "parent": results.parent(code),
            "depth": results.depth(code),
            "is_indicator": results.is_indicator(code),
            "unit": results.unit(code),
            "unit_label": unit_label(results.unit(code), lang, results.grid.unit_labels),
            "method": results.method(code),
        }
        for code in results.codes
    ]


def _indented(text: str, indent: int, level: int) -> str:
    """One compact JSON value re-indented, to sit ``level`` deep in an indented document."""
    lines = json.dumps(json.loads(text), ensure_ascii=False, indent=indent).split("\n")
    pad = " " * (indent * level)
    return "\n".join(pad + line for line in lines)


def ranked_counts(results: Results) -> dict[str, dict[str, int]]:
    """Per period and code, how many rows are ranked: the N of "rank 5 / N"."""
    out: dict[str, dict[str, int]] = {str(period): {} for period in results.period_values}
    for code in results.codes:
        present = ~np.isnan(results.score(code))
        counts = np.bincount(results.period_codes[present], minlength=len(results.period_values))
        for period, count in zip(results.period_values, counts.tolist(), strict=True):
            out[str(period)][code] = int(count)
    return out


def _numbers(values: np.ndarray) -> str:
    """A JSON array of floats (``null`` where missing), built a column at a time."""
    cells = machine_numbers(values)
    return "[" + ",".join(np.where(cells == "", "null", cells).tolist()) + "]"


def _texts(values: np.ndarray) -> str:
    """A JSON array of period texts (``null`` where there is none), without a Python step per cell."""
    texts = np.array(values, dtype=object)
    texts[texts == ""] = None
    return json.dumps(texts.tolist(), ensure_ascii=False)


def network_trends(results: Results) -> str | None:
    """The ``trends`` of the network document as compact JSON text, ``None`` when the periods are not
    years or there is only one: per top-level dimension and the overall score, each organisation's
    change per year (least-squares slope) and growth per year (CAGR) over its periods, columnar
    (``organisations`` once, one array per measure and code), so it costs a few array operations per code."""
    from vises.engine.trends import TrendTable, numeric_periods, trend_table

    if len(results.period_values) < 2 or not numeric_periods(results):
        return None
    root = results.compiled.root
    codes = [*results.compiled.node(root).children, root]
    slope: TrendTable = trend_table(results, codes, method="slope")
    cagr: TrendTable = trend_table(results, codes, method="cagr")
    parts = []
    for j, code in enumerate(codes):
        parts.append(
            "{"
            + f'"code":{json.dumps(code, ensure_ascii=False)},'
            + f'"slope":{_numbers(slope.values[:, j])},"cagr":{_numbers(cagr.values[:, j])},'
            + f'"first_period":{_texts(slope.first[:, j])},"last_period":{_texts(slope.last[:, j])},'
            + f'"points":{json.dumps(slope.points[:, j].tolist())}'
            + "}"
        )
    organisations = json.dumps(slope.organisations.tolist(), ensure_ascii=False)
    return f'{{"organisations":{organisations},"codes":[{",".join(parts)}]}}'


def iter_network(results: Results, *, lang: str, ranks: bool, indent: int = 0) -> Iterator[str]:
    """The network document in pieces; ``"".join`` of them is the whole JSON text."""
    head = {
        "view": "network",
        "lang": lang,
        "provenance": provenance_record(results),
        "grid": {"code": results.grid.code, "version": results.grid.version, "label": results.grid.label_in(lang)},
        "codes": list(results.codes),
        "periods": list(results.period_values),
        "nodes": _nodes(results, lang),
        "indicators": _indicator_facts(results),
    }
    if ranks:
        head["ranked"] = ranked_counts(results)
    tail: dict[str, Any] = {"fitted": results.fitted, "evaluations": list(results.dataset.evaluations)}
    trends = network_trends(results)
    if indent:
        pad = " " * indent
        opening = json.dumps(plain(head), ensure_ascii=False, indent=indent, allow_nan=False)[:-2]
        yield opening + f',\n{pad}"records": ['
    else:
        yield _dumps(head)[:-1] + ',"records":['
    total = len(results)
    raw = _raw_columns(results)
    for start in range(0, total, CHUNK_ROWS):
        rows = np.arange(start, min(start + CHUNK_ROWS, total))
        texts = _record_texts(results, rows, raw, ranks=ranks)
        if indent:
            texts = [_indented(text, indent, 2) for text in texts]
        separator = ",\n"
        yield ("\n" if start == 0 else separator) + separator.join(texts)
    if indent:
        if trends is not None:
            tail["trends"] = json.loads(trends)
        closing = json.dumps(plain(tail), ensure_ascii=False, indent=indent, allow_nan=False)
        body = "\n".join(closing.split("\n")[1:])
        yield ("\n" + " " * indent + "],\n" if total else "],\n") + body + "\n"
    else:
        closing = _dumps(tail)[1:] if trends is None else _dumps(tail)[1:-1] + f',"trends":{trends}}}'
        yield ("\n]," if total else "],") + closing + "\n"


def iter_json(results: Results, request: ReportRequest, /) -> Iterator[str]:
    """The JSON report in pieces (network view) or whole (profile view)."""
    resolved = resolve(results, request, "json")
    opts = resolved.options
    if resolved.view != "profile" and opts.public:
        from vises.report.public import public_json

        yield public_json(results, resolved)
        return
    if resolved.view != "profile":
        yield from iter_network(results, lang=resolved.lang, ranks=opts.ranks, indent=opts.indent)
        return
    profile = profile_view(
        results, organisation=resolved.organisation, period=resolved.period, lang=resolved.lang, options=opts
    )
    explain = profile.explanation.to_dict()
    if not opts.ranks:
        _drop_ranks(explain)
    document: dict[str, Any] = {
        "view": "profile",
        "lang": resolved.lang,
        "organisation": profile.organisation,
        "name": profile.name,
        "period": profile.period,
        "previous_period": profile.previous_period,
        "provenance": provenance_record(results),
        "indicators": _indicator_facts(results),
        "evaluation": profile.evaluation,
        "stakeholder_labels": {
            code: stakeholder_label(code, resolved.lang, results.grid.stakeholder_labels)
            for code in (profile.evaluation.stakeholders if profile.evaluation else ())
        },
        "narratives": row_texts(results, results.row(profile.organisation, profile.period)),
        "changes": {row.code: row.change for block in profile.blocks for row in (block.dimension, *block.rows)}
        | {profile.total.code: profile.total.change},
        "explain": explain,
    }
    from vises.report.evidence_table import json_records

    evidence = json_records(results, np.array([results.row(profile.organisation, profile.period)]))
    if evidence is not None:
        document["evidence"] = json.loads("{" + evidence[0] + "}")
        document["evidence_overlaps"] = {
            row.code: row.support.overlaps
            for block in profile.blocks
            for row in block.rows
            if row.support is not None and profile.previous_period is not None
        }
    if opts.ranks:
        document["ranked"] = ranked_counts(results)[profile.period]
    if profile.key_figures:
        document["key_figures"] = {
            figure.code: {
                "value": figure.text if figure.text is not None else _finite(figure.value),
                "previous": None if figure.text is not None else _finite(figure.previous),
                "change": None if figure.text is not None else _finite(figure.change),
            }
            for figure in profile.key_figures
        }
    if profile.requirements:
        document["requirements"] = {
            row.code: {"status": row.status.value, "conditions": [c.status.value for c in row.conditions]}
            for row in profile.requirements
        }
        document["unmet"] = list(profile.unmet)
    from vises.report.analysis_view import profile_analysis

    row = results.row(profile.organisation, profile.period)
    found = profile_analysis(results, row, resolved.lang, show_ranks=opts.ranks).to_dict()
    if not opts.ranks:
        for item in (*found["strengths"], *found["weaknesses"]):
            item.pop("rank", None)
            item.pop("ranked", None)
    document.update(found)
    if opts.indent:
        yield json.dumps(plain(document), ensure_ascii=False, indent=opts.indent, allow_nan=False) + "\n"
    else:
        yield _dumps(document) + "\n"


def render_json(results: Results, request: ReportRequest, /) -> str:
    """The results as JSON (network view) or one organisation's explain tree (profile view)."""
    return "".join(iter_json(results, request))


def _drop_ranks(node: dict[str, Any]) -> None:
    node.pop("rank", None)
    for child in node.get("children", ()):
        _drop_ranks(child)
