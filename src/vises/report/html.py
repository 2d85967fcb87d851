"""The HTML report: one self-contained page that works offline and prints well.

Everything is inside the file: a small stylesheet, and the charts as inline SVG (matplotlib, which
escapes its text). No script, no web font, no network request. Every label goes through jinja2
with autoescaping on, so an indicator named ``<script>`` is shown, not run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache, partial
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import MissingDependencyError
from vises.i18n import format_date, format_number, format_percent, format_signed, translate
from vises.report import charts
from vises.report.views import (
    NetworkView,
    Options,
    ProfileView,
    check_view,
    dimension_codes,
    network_view,
    parse_options,
    pooling_text,
    profile_view,
    provenance,
)

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

#: How many periods the network's box plots compare side by side (the latest ones).
MAX_BOX_PERIODS = 3


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


def _helpers(lang: str, digits: int) -> dict[str, Any]:
    def rank(x: float) -> str:
        return "—" if x is None or math.isnan(x) else str(int(x))

    return {
        "t": lambda key, **values: translate(key, lang, **values),
        "num": lambda x: format_number(x, lang, digits),
        "signed": lambda x: format_signed(x, lang, digits),
        "pct": lambda x: format_percent(x, lang),
        "rank": rank,
        "is_nan": lambda x: x is None or math.isnan(x),
        "date": lambda d: format_date(d, lang),
        "pooling": lambda code: pooling_text(code, lang),
    }


def _profile_charts(view: ProfileView) -> list[str]:
    labels = [row.label for row in view.dimensions]
    title = translate("chart_radar", view.lang)
    series = [(view.name or view.organisation, [row.score for row in view.dimensions])]
    if any(not math.isnan(m) for m in view.network_medians):
        series.append((f"{translate('network_median', view.lang)} ({view.period})", list(view.network_medians)))
    return [charts.radar(labels, series, title=title, prefix="radar")]


def _network_charts(results: Results, view: NetworkView, digits: int = 1) -> tuple[list[str], list[str]]:
    """The summary charts (median radar, box plots) and one bar chart per dimension."""
    lang = view.lang
    dims = dimension_codes(results)
    labels = list(view.labels[: len(dims)])
    latest = view.periods[-1]
    summary = []
    series = []
    for period in view.periods[-2:]:
        rows = results.periods == period
        medians = [
            float(np.nanmedian(col)) if np.isfinite(col).any() else math.nan
            for col in (results.score(c)[rows] for c in dims)
        ]
        series.append((f"{translate('network_median', lang)} {period}", medians))
    summary.append(charts.radar(labels, series[::-1], title=translate("chart_radar_network", lang), prefix="radar"))
    groups = [
        (period, [results.score(c)[results.periods == period] for c in dims])
        for period in view.periods[-MAX_BOX_PERIODS:]
    ]
    summary.append(charts.boxes(labels, groups, title=translate("chart_distribution", lang), prefix="boxes"))

    current = [row for row in view.rows if row.period == latest]
    num = partial(format_number, lang=lang, digits=digits)
    names = [row.name or row.organisation for row in current]
    per_dimension = []
    for position, label in enumerate(labels):
        values = [row.scores[position] for row in current]
        finite = [v for v in values if not math.isnan(v)]
        median = float(np.median(finite)) if finite else None
        title = f"{translate('chart_bars', lang, dimension=label)} ({latest})"
        per_dimension.append(
            charts.bars(
                names,
                values,
                title=title,
                prefix=f"bars{position}",
                marker=median,
                marker_label=f"{translate('network_median', lang)} ({num(median)})",
            )
        )
    return summary, per_dimension


def render_html(
    results: Results,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """A self-contained HTML report of the chosen view, with charts unless ``charts`` is off."""
    check_view(view)
    opts: Options = parse_options(options)
    context: dict[str, Any] = {"view_name": view, "provenance": provenance(results), "grid_label": ""}
    data: ProfileView | NetworkView
    if view == "profile":
        profile = profile_view(results, organisation=organisation, period=period, lang=lang, options=opts)
        context["charts"] = _profile_charts(profile) if opts.charts else []
        context["bar_charts"] = []
        data = profile
    else:
        network = network_view(results, lang=lang, options=opts, period=period)
        summary, per_dimension = _network_charts(results, network, opts.digits) if opts.charts else ([], [])
        data = network
        context["charts"], context["bar_charts"] = summary, per_dimension
    methods: dict[str, list[str]] = {}
    for code, method in context["provenance"].methods:
        methods.setdefault(method, []).append(code)
    context.update(
        data=data,
        lang=data.lang,
        grid_label=results.grid.label_in(data.lang),
        methods=methods,
        vises_version=context["provenance"].vises_version,
        **_helpers(data.lang, opts.digits),
    )
    template = _environment().get_template("report.html.j2")
    return str(template.render(**context))
