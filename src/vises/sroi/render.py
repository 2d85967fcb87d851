"""SROI results as a text table, Markdown, JSON or a small self-contained HTML page.

Every format shows the same things: the headline figures, the value map (one line per outcome),
the value per stakeholder with its share and, when a sensitivity report is given, the tornado
table. JSON keeps full precision and writes NaN and infinities as ``null``.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from vises.errors import MissingDependencyError, ReportError
from vises.i18n import check_lang, translate
from vises.sroi.calculate import SroiResult
from vises.sroi.model import ValueMap
from vises.sroi.sensitivity import SensitivityReport, SensitivityRow

FORMATS = ("table", "markdown", "json", "html")


def render(
    result: SroiResult,
    *,
    fmt: str = "table",
    report: SensitivityReport | None = None,
    lang: str | None = None,
    value_map: ValueMap | None = None,
) -> str:
    """Render ``result`` (and the sensitivity ``report``, if any) in one of ``FORMATS``.

    ``lang`` (fr, nl, en; English by default) chooses the report's words and, given the
    ``value_map``, its labels; JSON keeps machine keys whatever the language.
    """
    lang = check_lang(lang)
    if value_map is not None:
        result = _relabelled(result, value_map, lang)
    if fmt == "json":
        return render_json(result, report)
    if fmt == "html":
        return render_html(result, report, lang=lang)
    if fmt in ("table", "markdown"):
        return _render_text(
            result, report, "github" if fmt == "markdown" else "simple", markdown=fmt == "markdown", lang=lang
        )
    raise ReportError(f"unknown SROI output format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")


def _relabelled(result: SroiResult, value_map: ValueMap, lang: str) -> SroiResult:
    """The result with the map's and the stakeholders' labels in ``lang`` (visible fallback)."""
    import attrs

    labels = {s.code: s.label_in(lang) for s in value_map.stakeholders}
    stakeholders = tuple(attrs.evolve(s, label=labels.get(s.code, s.label)) for s in result.by_stakeholder)
    return attrs.evolve(result, label=value_map.label_in(lang), by_stakeholder=stakeholders)


def _words(lang: str, *keys: str) -> list[str]:
    return [translate(key, lang) for key in keys]


def _local(lang: str | None) -> bool:
    """French and Dutch reports use the language's separators (babel); English keeps the plain style."""
    return lang in ("fr", "nl")


def money(value: float | None, currency: str = "", lang: str | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if _local(lang):
        from vises.i18n import format_number

        return f"{format_number(value, lang, digits=0)} {currency}".strip()
    return f"{value:,.0f} {currency}".strip().replace(",", "\u202f")


def ratio(value: float | None, lang: str | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if _local(lang):
        from vises.i18n import format_number

        return f"{format_number(value, lang, digits=2)} : 1"
    return f"{value:.2f} : 1"


def percent(value: float | None, lang: str | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if _local(lang):
        from vises.i18n import format_number

        return f"{format_number(100 * value, lang, digits=1)} %"
    return f"{100 * value:.1f} %"


def _decimal(value: float, lang: str | None, *, plain: str = ".1f") -> str:
    if _local(lang):
        from vises.i18n import format_number

        return format_number(value, lang, digits=1)
    return format(value, plain)


def headline(result: SroiResult, lang: str | None = None) -> list[tuple[str, str]]:
    """The headline figures as (label, formatted value) pairs."""
    c = result.currency
    if result.payback_months is None:
        payback = translate("sroi_payback_never", lang)
    else:
        payback = translate("sroi_months", lang, months=_decimal(result.payback_months, lang))
    rates = ", ".join(
        translate("sroi_rate_from", lang, rate=_decimal(100 * rate, lang, plain="g"), year=first)
        for first, rate in result.discount
    )
    return [
        (translate("sroi_total_inputs", lang), money(result.total_inputs, c, lang)),
        (translate("sroi_pv", lang), money(result.present_value, c, lang)),
        (translate("sroi_npv", lang), money(result.net_present_value, c, lang)),
        (translate("sroi_ratio", lang), ratio(result.sroi_ratio, lang)),
        (translate("sroi_net_ratio", lang), ratio(result.net_sroi_ratio, lang)),
        (translate("sroi_undiscounted", lang), money(result.undiscounted_value, c, lang)),
        (translate("sroi_payback", lang), payback),
        (translate("sroi_discount_rate", lang), rates),
        (translate("sroi_years", lang), str(len(result.years))),
    ]


def value_map_rows(result: SroiResult, lang: str | None = None) -> list[list[str]]:
    rows = []
    for o in result.by_outcome:
        rows.append(
            [
                o.code,
                o.stakeholder,
                f"{o.quantity:g}",
                money(o.proxy, result.currency, lang),
                percent(o.deadweight, lang),
                percent(o.displacement, lang),
                percent(o.attribution, lang),
                percent(o.drop_off, lang),
                str(o.duration),
                str(o.start),
                money(o.year_one_impact, result.currency, lang),
                money(o.present_value, result.currency, lang),
            ]
        )
    return rows


VALUE_MAP_KEYS = (
    "sroi_h_outcome",
    "sroi_h_stakeholder",
    "sroi_h_quantity",
    "sroi_h_proxy",
    "sroi_h_deadweight",
    "sroi_h_displacement",
    "sroi_h_attribution",
    "sroi_h_drop_off",
    "sroi_h_duration",
    "sroi_h_start",
    "sroi_h_impact_year_1",
    "sroi_h_pv",
)
STAKEHOLDER_KEYS = ("sroi_h_stakeholder", "sroi_h_label", "sroi_h_pv", "sroi_h_share", "sroi_h_undiscounted")
TORNADO_KEYS = (
    "sroi_h_assumption",
    "sroi_h_outcome",
    "sroi_h_tested",
    "sroi_h_ratio_low",
    "sroi_h_ratio_high",
    "sroi_h_swing",
    "sroi_h_switching",
)
#: The English column heads (the defaults).
VALUE_MAP_HEADERS = _words("en", *VALUE_MAP_KEYS)
STAKEHOLDER_HEADERS = _words("en", *STAKEHOLDER_KEYS)
TORNADO_HEADERS = _words("en", *TORNADO_KEYS)


def stakeholder_rows(result: SroiResult, lang: str | None = None) -> list[list[str]]:
    return [
        [
            s.code,
            s.label,
            money(s.value, result.currency, lang),
            percent(s.share, lang),
            money(s.undiscounted_value, result.currency, lang),
        ]
        for s in result.by_stakeholder
    ]


def tested(row: SensitivityRow) -> str:
    """What was tried, in words: '0.15 → 0.35' for one outcome, '±20 %' or '+0.1' for all."""
    v = row.variation
    if row.value_low is not None and row.value_high is not None:
        return f"{_num(row.value_low)} / {_num(row.value_high)}"
    if v.mode == "relative":
        return f"{100 * v.low:+g} % / {100 * v.high:+g} %"
    if v.mode == "absolute":
        return f"{v.low:+g} / {v.high:+g}"
    return f"{v.low:g} / {v.high:g}"


def switching(row: SensitivityRow, lang: str | None = None) -> str:
    value = row.switching_value
    if value is None:
        return translate("sroi_none", lang)
    if row.switching_kind == "multiplier":
        return f"× {value:.3g}"
    if row.switching_kind == "shift":
        return f"{value:+.3g}"
    return _num(value)


def _num(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}".replace(",", "\u202f")


def tornado_rows(report: SensitivityReport, lang: str | None = None) -> list[list[str]]:
    def two(value: float) -> str:
        if _local(lang) and math.isfinite(value):
            from vises.i18n import format_number

            return format_number(value, lang, digits=2)
        return f"{value:.2f}"

    return [
        [
            row.assumption,
            row.outcome or translate("sroi_all", lang),
            tested(row),
            two(row.ratio_low),
            two(row.ratio_high),
            two(row.swing),
            switching(row, lang),
        ]
        for row in report.rows
    ]


def _render_text(
    result: SroiResult, report: SensitivityReport | None, style: str, *, markdown: bool, lang: str = "en"
) -> str:
    from tabulate import tabulate

    def title(text: str, level: int) -> str:
        return f"{'#' * level} {text}" if markdown else f"{text}\n{'=' * len(text) if level == 1 else '-' * len(text)}"

    parts = [
        title(translate("sroi_title", lang, label=result.label), 1),
        "",
        tabulate(headline(result, lang), headers=_words(lang, "sroi_figure", "sroi_value"), tablefmt=style),
        "",
        title(translate("sroi_value_map", lang), 2),
        "",
        tabulate(value_map_rows(result, lang), headers=_words(lang, *VALUE_MAP_KEYS), tablefmt=style),
        "",
        title(translate("sroi_by_stakeholder", lang), 2),
        "",
        tabulate(stakeholder_rows(result, lang), headers=_words(lang, *STAKEHOLDER_KEYS), tablefmt=style),
    ]
    if report is not None:
        parts += [
            "",
            title(translate("sroi_sensitivity_title", lang), 2),
            "",
            translate("sroi_base_ratio", lang, ratio=ratio(report.base_ratio, lang)),
            "",
            tabulate(tornado_rows(report, lang), headers=_words(lang, *TORNADO_KEYS), tablefmt=style),
        ]
    parts += ["", translate("sroi_closing", lang)]
    return "\n".join(parts) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def render_json(result: SroiResult, report: SensitivityReport | None = None) -> str:
    data = result.to_dict()
    if report is not None:
        data["sensitivity"] = report.to_dict()
    return json.dumps(_plain(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_html(result: SroiResult, report: SensitivityReport | None = None, *, lang: str = "en") -> str:
    """A self-contained page (inline CSS, no scripts); every value is escaped by jinja2."""
    try:
        import jinja2
    except ImportError as exc:
        raise MissingDependencyError("jinja2", "html", "the HTML SROI report") from exc
    from importlib.resources import files

    source = files("vises.sroi").joinpath("templates", "sroi.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(source)
    words = {
        key[len("sroi_") :]: translate(key, lang)
        for key in ("sroi_headline", "sroi_value_map", "sroi_by_stakeholder", "sroi_sensitivity", "sroi_closing")
    }
    words["title"] = translate("sroi_title", lang, label=result.label)
    words["map_note"] = translate("sroi_map_note", lang, code=result.code, currency=result.currency)
    words["base_ratio"] = (
        translate("sroi_base_ratio_html", lang, ratio=ratio(report.base_ratio, lang)) if report else ""
    )
    return template.render(
        result=result,
        lang=lang,
        words=words,
        headline=headline(result, lang),
        value_map_headers=_words(lang, *VALUE_MAP_KEYS),
        value_map=value_map_rows(result, lang),
        stakeholder_headers=_words(lang, *STAKEHOLDER_KEYS),
        stakeholders=stakeholder_rows(result, lang),
        tornado_headers=_words(lang, *TORNADO_KEYS),
        tornado=tornado_rows(report, lang) if report else None,
        shares=[(s.label, s.share) for s in result.by_stakeholder],
    )


def write_output(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` atomically (``vises.io.atomic``): a reader never sees half a file."""
    from vises.io.atomic import write_text_atomic

    write_text_atomic(path, text)
