"""The HTML report: one self-contained page that works offline, prints well and scales with the network.

Everything is inside the file: a small stylesheet, a few lines of plain script (search, sort and
paging of long tables; without script every row is shown) and the charts as inline SVG written
by ``charts`` (which escapes its text). No web font, no framework, no network request. Every label
goes through jinja2 with autoescaping on, so an indicator named ``<script>`` is shown, not run;
the script only moves rows and reads ``textContent``, never writes markup.

The network charts summarise the network (one chart per dimension, however many organisations),
and every number of a long table is formatted a whole column at a time.
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import MissingDependencyError
from vises.i18n import MISSING, colon, format_date, format_number, translate
from vises.model.requirements import STATUS_ORDER
from vises.report import charts
from vises.report.csv_format import machine_numbers
from vises.report.requirement_rows import status_text
from vises.report.views import (
    NetworkView,
    ProfileView,
    Request,
    network_view,
    pooling_text,
    profile_view,
    provenance,
    resolve,
)

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results

#: How many periods the network's distribution charts compare (the latest ones).
MAX_CHART_PERIODS = 3
#: Rows a long table shows per page (the script pages it; print shows every row).
PAGE_ROWS = 50


@cache
def _environment() -> Any:
    try:
        import jinja2
    except ImportError as error:  # pragma: no cover - installed with the html extra
        raise MissingDependencyError("jinja2", "html", "the HTML report") from error
    return jinja2.Environment(
        loader=jinja2.PackageLoader("vises.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _helpers(lang: str, digits: int, *, k: int = 1, dominance: float = 0.5) -> dict[str, Any]:
    def rank(x: float, of: float = math.nan) -> str:
        if x is None or math.isnan(x):
            return MISSING
        return str(int(x)) if of is None or math.isnan(of) else f"{int(x)} / {int(of)}"

    def total_value(total: Any) -> str:
        from vises.report.table import _Fmt
        from vises.report.table import total_value as shown

        return shown(total, _Fmt(lang, digits, k=k, dominance=dominance), translate("suppressed_mark", lang))

    def key_figure_cells(figure: Any) -> tuple[str, str, str]:
        from vises.report.table import _Fmt
        from vises.report.table import key_figure_cells as cells

        return cells(figure, _Fmt(lang, digits))

    return {
        "t": lambda key, **values: translate(key, lang, **values),
        "key_figure_cells": key_figure_cells,
        "c": colon(lang),
        "num": lambda x: format_number(x, lang, digits),
        "nums": lambda column: format_number(np.asarray(column, dtype=float), lang, digits),
        "signed": lambda x: format_number(x, lang, digits, signed=True),
        "signeds": lambda column: format_number(np.asarray(column, dtype=float), lang, digits, signed=True),
        "pct": lambda x: format_number(x, lang, 0, percent=True),
        "pct_signed": lambda x: format_number(x, lang, 1, signed=True, percent=True),
        "rank": rank,
        "total_value": total_value,
        "status_text": lambda status: status_text(status, lang),
        "statuses": [status.value for status in STATUS_ORDER],
        "mark": translate("suppressed_mark", lang),
        "is_nan": lambda x: x is None or math.isnan(x),
        "date": lambda d: format_date(d, lang),
        "pooling": lambda code: pooling_text(code, lang),
        "page_rows": PAGE_ROWS,
    }


def _profile_charts(view: ProfileView) -> list[str]:
    labels = [row.label for row in view.dimensions]
    title = translate("chart_radar", view.lang)
    series = [(view.name or view.organisation, [row.score for row in view.dimensions])]
    if any(not math.isnan(m) for m in view.network_medians):
        series.append((f"{translate('network_median', view.lang)} ({view.period})", list(view.network_medians)))
    return [charts.radar(labels, series, title=title, lang=view.lang)]


def chart_words(lang: str) -> charts.Words:
    """The legend and axis words of the distribution charts, in the report language."""
    return charts.Words(
        lang=lang,
        score=translate("chart_axis_score", lang),
        band=translate("chart_legend_band", lang),
        box=translate("chart_legend_box", lang),
        median=translate("chart_legend_median", lang),
        dot=translate("chart_legend_dot", lang),
        histogram=translate("chart_legend_histogram", lang),
    )


def _network_charts(results: Results, view: NetworkView) -> tuple[list[str], list[str]]:
    """The median radar, then one distribution chart per dimension (latest periods, every organisation)."""
    lang = view.lang
    dims = view.codes[:-1]
    labels = list(view.labels[:-1])
    scores = np.column_stack([results.score(code) for code in dims]) if dims else np.empty((len(results), 0))
    series = []
    for period in view.periods[-2:]:
        block = scores[results.periods == period]
        with np.errstate(all="ignore"):
            known = np.isfinite(block).any(axis=0)
            medians = np.full(len(dims), math.nan)
            if known.any():
                medians[known] = np.nanmedian(block[:, known], axis=0)
        series.append((f"{translate('network_median', lang)} {period}", medians.tolist()))
    summary = [charts.radar(labels, series[::-1], title=translate("chart_radar_network", lang), lang=lang)]
    periods = list(view.periods[-MAX_CHART_PERIODS:])
    drawer = charts.DistributionCharts(periods[::-1], words=chart_words(lang))
    masks = [results.periods == period for period in periods[::-1]]
    per_dimension = [
        drawer.draw(
            translate("chart_distribution", lang, dimension=label),
            [scores[mask, position] for mask in masks],
        )
        for position, label in enumerate(labels)
    ]
    return summary, per_dimension


def _structure_charts(results: Results, view: NetworkView) -> list[str]:
    """The framework as a sunburst, and the correlations of the dimension scores in the latest period."""
    from vises.engine.framework import wedges
    from vises.numeric import pearson_matrix
    from vises.report import structure_charts

    lang = view.lang
    laid = wedges(results.compiled)
    labels = {w.code: results.label(w.code, lang) for w in laid}
    out = [structure_charts.sunburst(laid, labels, title=translate("chart_framework", lang), lang=lang)]
    if len(view.codes) > 2 and view.periods:  # two dimensions or more, then the overall score
        period = view.periods[-1]
        rows = results.periods == period
        block = np.column_stack([results.score(code)[rows] for code in view.codes])
        matrix, _ = pearson_matrix(block)
        title = translate("chart_correlations", lang, period=period)
        out.append(structure_charts.correlation_map(list(view.labels), matrix, title=title, lang=lang))
    return out


def _escaped(values: np.ndarray) -> np.ndarray:
    """HTML-escaped text per cell, each distinct value escaped once."""
    from markupsafe import escape

    distinct, inverse = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return np.array([str(escape(v)) for v in distinct.tolist()], dtype=object)[inverse.reshape(-1)]


def _who_cells(codes: np.ndarray, names: np.ndarray) -> np.ndarray:
    """The organisation cell: its name with the code beside it, or the code alone."""
    code_html = _escaped(codes)
    has_name = np.array([bool(name) for name in names.tolist()], dtype=bool)
    name_html = _escaped(np.where(has_name, names, codes))
    with_name = '<td class="who"><span>' + name_html + "</span> <small>(" + code_html + ")</small></td>"
    alone = '<td class="who"><span>' + code_html + "</span></td>"
    return np.where(has_name, with_name, alone)


def _number_cells(
    values: np.ndarray,
    texts: list[str],
    *,
    total: bool,
    ranks: np.ndarray | None = None,
    counts: np.ndarray | None = None,
) -> np.ndarray:
    """``<td>`` cells of one numeric column: the formatted number, the machine value to sort by, the
    rank among the ranked of the period (``5 / 33``)."""
    from vises.report.table import rank_labels

    missing = ~np.isfinite(values)
    sort_key = machine_numbers(values)
    classes = np.where(missing, "n missing", "n").astype(object) + (" total" if total else "")
    cells = '<td class="' + classes + '" data-v="' + sort_key + '">' + np.asarray(texts, dtype=object)
    if ranks is not None:
        labels = rank_labels(ranks, counts)
        cells = cells + np.where(labels != "", '<span class="rank">' + labels + "</span>", "")
    return np.asarray(cells + "</td>", dtype=object)


def _rows_html(columns: list[np.ndarray], first_page: int) -> list[str]:
    """Table rows joined from whole columns of cells; rows past the first page start hidden."""
    rows = ["".join(cells) for cells in zip(*columns, strict=True)]
    return [("<tr>" if position < first_page else "<tr hidden>") + row + "</tr>" for position, row in enumerate(rows)]


def _network_tables(view: NetworkView, lang: str, digits: int) -> dict[str, Any]:
    """The long network tables (scores per period, changes) as ready HTML rows, built column-wise."""
    from markupsafe import Markup

    table = view.table
    last = len(view.codes) - 1
    by_period = {}
    for period in view.periods[::-1]:
        rows = np.flatnonzero(table.periods == period)
        columns = [_who_cells(table.organisations[rows], table.names[rows])]
        for i in range(len(view.codes)):
            values = table.scores[rows, i]
            ranks = None if table.ranks is None else table.ranks[rows, i]
            counts = None if table.rank_counts is None else table.rank_counts[rows, i]
            texts = format_number(values, lang, digits)
            columns.append(_number_cells(values, texts, total=i == last, ranks=ranks, counts=counts))
        by_period[period] = (len(rows), Markup("\n".join(_rows_html(columns, PAGE_ROWS))) if len(rows) else "")
    changes = view.change_table
    change_rows: Any = ""
    if len(changes):
        arrows = _escaped(changes.from_periods) + "&nbsp;→ " + _escaped(changes.to_periods)
        columns = [
            _who_cells(changes.organisations, changes.names),
            '<td class="n" data-v="' + _escaped(changes.to_periods) + '">' + arrows + "</td>",
        ]
        for i in range(len(view.codes)):
            values = changes.changes[:, i]
            texts = format_number(values, lang, digits, signed=True)
            columns.append(_number_cells(values, texts, total=i == last))
        change_rows = Markup("\n".join(_rows_html(columns, PAGE_ROWS)))
    narratives = view.narratives
    evidence_rows: Any = ""
    if len(narratives):
        columns = [
            _who_cells(narratives.organisations, narratives.names),
            "<td>" + _escaped(narratives.periods) + "</td>",
            "<td>" + _escaped(narratives.about) + "</td>",
            '<td class="text">' + _escaped(narratives.texts) + "</td>",
        ]
        evidence_rows = Markup("\n".join(_rows_html(columns, PAGE_ROWS)))
    return {
        "score_rows": by_period,
        "change_rows": change_rows,
        "change_count": len(changes),
        "evidence_rows": evidence_rows,
        "evidence_count": len(narratives),
    }


def render_html(results: Results, request: ReportRequest, /) -> str:
    """A self-contained HTML report of the chosen view, with charts unless ``charts`` is off."""
    from vises.report import analysis_view

    resolved: Request = resolve(results, request, "html")
    opts = resolved.options
    context: dict[str, Any] = {
        "view_name": resolved.view,
        "provenance": provenance(results),
        "provenance_lines": analysis_view.provenance_lines(results, resolved.lang),
        "insight": None,
        "screening": None,
        "structure_charts": [],
    }
    data: ProfileView | NetworkView
    if resolved.view == "profile":
        profile = profile_view(
            results, organisation=resolved.organisation, period=resolved.period, lang=resolved.lang, options=opts
        )
        context.update(charts=_profile_charts(profile) if opts.charts else [], dimension_charts=[])
        row = results.row(profile.organisation, profile.period)
        context["insight"] = analysis_view.profile_analysis(results, row, profile.lang, show_ranks=opts.ranks)
        data = profile
    else:
        network = network_view(results, lang=resolved.lang, options=opts, period=resolved.period)
        summary, per_dimension = _network_charts(results, network) if opts.charts else ([], [])
        context.update(charts=summary, dimension_charts=per_dimension, dot_limit=charts.DOT_LIMIT)
        context["structure_charts"] = _structure_charts(results, network) if opts.charts else []
        context.update(_network_tables(network, network.lang, opts.digits))
        context["screening"] = analysis_view.screening_view(
            results, network.lang, period=resolved.period, public=opts.public
        )
        data = network
    methods: dict[str, list[str]] = {}
    for code, method in context["provenance"].methods:
        methods.setdefault(method, []).append(code)
    context.update(
        data=data,
        lang=data.lang,
        grid_label=results.grid.label_in(data.lang),
        methods=methods,
        vises_version=context["provenance"].vises_version,
        **_helpers(data.lang, opts.digits, k=getattr(data, "min_group", 1), dominance=opts.dominance),
    )
    template = _environment().get_template("report.html.j2")
    return str(template.render(**context))
