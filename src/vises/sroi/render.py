"""SROI results as a text table, Markdown, JSON or a small self-contained HTML page.

Every format shows the same things: the headline figures, the value map (one line per outcome),
the value per stakeholder with its share and, when a sensitivity report is given, the tornado
table. JSON keeps full precision and writes NaN and infinities as ``null``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

import attrs

from vises.errors import MissingDependencyError, ReportError
from vises.i18n import MISSING, catalogue, check_lang, colon, format_number, stakeholder_label, translate
from vises.neutralise import markdown_text, terminal_text
from vises.sroi.calculate import SroiResult
from vises.sroi.model import ValueMap
from vises.sroi.sensitivity import SensitivityReport, SensitivityRow

FORMATS = ("table", "markdown", "json", "html")


@attrs.frozen(kw_only=True)
class Names:
    """The words for outcome and stakeholder codes in one language (the value map's labels, then vises's)."""

    outcomes: Mapping[str, str] = attrs.field(factory=dict)
    stakeholders: Mapping[str, str] = attrs.field(factory=dict)

    def outcome(self, code: str) -> str:
        return self.outcomes.get(code, code)

    def stakeholder(self, code: str) -> str:
        return self.stakeholders.get(code, code)


def names_for(result: SroiResult, value_map: ValueMap | None, lang: str) -> Names:
    """Outcomes by their label in ``lang``; stakeholder groups by the map's label, else vises's word
    for a common group (``trainees`` → "Stagiaires"), else the code. A missing translation is marked."""
    if value_map is None:
        declared = {s.code: {"und": s.label} for s in result.by_stakeholder if s.label and s.label != s.code}
        return Names(stakeholders={s.code: stakeholder_label(s.code, lang, declared) for s in result.by_stakeholder})
    stakeholders = {s.code: s.label for s in value_map.stakeholders}
    codes = {s.code for s in value_map.stakeholders} | {o.stakeholder for o in value_map.outcomes}
    return Names(
        outcomes={o.code: o.label_in(lang) for o in value_map.outcomes},
        stakeholders={code: stakeholder_label(code, lang, stakeholders) for code in sorted(codes)},
    )


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
    ``value_map``, its labels (outcomes and stakeholders by label, not code); JSON keeps machine
    keys whatever the language and adds the labels beside them.
    """
    lang = check_lang(lang)
    names = names_for(result, value_map, lang)
    if value_map is not None:
        result = attrs.evolve(result, label=value_map.label_in(lang))
    if fmt == "json":
        return render_json(result, report, names=names)
    if fmt == "html":
        return render_html(result, report, lang=lang, names=names)
    if fmt in ("table", "markdown"):
        return _render_text(
            result,
            report,
            "github" if fmt == "markdown" else "simple",
            markdown=fmt == "markdown",
            lang=lang,
            names=names,
        )
    raise ReportError(f"unknown SROI output format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")


def _words(lang: str, *keys: str) -> list[str]:
    return [translate(key, lang) for key in keys]


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def money(value: float | None, currency: str = "", lang: str | None = None) -> str:
    """An amount in whole units with the language's separators and the currency (``12 345 EUR``)."""
    if not _finite(value):
        return MISSING
    return f"{format_number(value, lang, 0)} {currency}".strip()


def ratio(value: float | None, lang: str | None = None) -> str:
    """An SROI ratio, ``2.50 : 1`` (``2,50 : 1`` in French, with a no-break space before the colon)."""
    if not _finite(value):
        return MISSING
    separator = colon(lang) if lang == "fr" else " : "
    return f"{format_number(value, lang, 2)}{separator}1"


def percent(value: float | None, lang: str | None = None) -> str:
    if not _finite(value):
        return MISSING
    return format_number(value, lang, 1, percent=True)


def _decimal(value: float, lang: str | None, digits: int = 1) -> str:
    return format_number(value, lang, digits)


def headline(result: SroiResult, lang: str | None = None) -> list[tuple[str, str]]:
    """The headline figures as (label, formatted value) pairs."""
    c = result.currency
    if result.payback_months is None:
        payback = translate("sroi_payback_never", lang)
    else:
        payback = translate("sroi_months", lang, months=_decimal(result.payback_months, lang))
    rates = ", ".join(
        translate("sroi_rate_from", lang, rate=_num(100 * rate, lang), year=first) for first, rate in result.discount
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


def value_map_rows(result: SroiResult, lang: str | None = None, names: Names | None = None) -> list[list[str]]:
    names = names or Names()
    rows = []
    for o in result.by_outcome:
        rows.append(
            [
                names.outcome(o.code),
                names.stakeholder(o.stakeholder),
                _num(o.quantity, lang),
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


def stakeholder_rows(result: SroiResult, lang: str | None = None, names: Names | None = None) -> list[list[str]]:
    names = names or Names()
    return [
        [
            s.code,
            names.stakeholders.get(s.code, s.label),
            money(s.value, result.currency, lang),
            percent(s.share, lang),
            money(s.undiscounted_value, result.currency, lang),
        ]
        for s in result.by_stakeholder
    ]


def _num(value: float, lang: str | None = None) -> str:
    """A value as tested or found: up to four significant digits, the language's separators."""
    if not math.isfinite(value):
        return MISSING
    digits = 0 if value == 0 or abs(value) >= 1000 else min(10, max(0, 3 - math.floor(math.log10(abs(value)))))
    text = format_number(value, lang, digits)
    decimal = format_number(0.5, lang, 1)[1]
    return text.rstrip("0").rstrip(decimal) if decimal in text else text


def assumption_label(name: str, lang: str | None = None) -> str:
    """An assumption in words ("effet d'aubaine"), its code when vises has no word for it."""
    for key in (f"sroi_h_{name}", f"sroi_{name}"):
        if key in catalogue(check_lang(lang)):
            return translate(key, lang)
    return name


def tested(row: SensitivityRow, lang: str | None = None) -> str:
    """What was tried, in words: '0,15 / 0,35' for one outcome, '-20 % / +20 %' or '+0,1' for all."""
    v = row.variation
    if row.value_low is not None and row.value_high is not None:
        return f"{_num(row.value_low, lang)} / {_num(row.value_high, lang)}"
    if v.mode == "relative":
        low, high = (format_number(x, lang, 0, signed=True, percent=True) for x in (v.low, v.high))
        return f"{low} / {high}"
    if v.mode == "absolute":
        return f"{_signed(v.low, lang)} / {_signed(v.high, lang)}"
    return f"{_num(v.low, lang)} / {_num(v.high, lang)}"


def _signed(value: float, lang: str | None) -> str:
    text = _num(value, lang)
    return text if text.startswith(("-", MISSING)) or value == 0 else "+" + text


def switching(row: SensitivityRow, lang: str | None = None) -> str:
    value = row.switching_value
    if value is None:
        return translate("sroi_none", lang)
    if row.switching_kind == "multiplier":
        return f"× {_num(value, lang)}"
    if row.switching_kind == "shift":
        return _signed(value, lang)
    return _num(value, lang)


def tornado_rows(report: SensitivityReport, lang: str | None = None, names: Names | None = None) -> list[list[str]]:
    names = names or Names()
    return [
        [
            assumption_label(row.assumption, lang),
            names.outcome(row.outcome) if row.outcome else translate("sroi_all", lang),
            tested(row, lang),
            format_number(row.ratio_low, lang, 2),
            format_number(row.ratio_high, lang, 2),
            format_number(row.swing, lang, 2),
            switching(row, lang),
        ]
        for row in report.rows
    ]


def _render_text(
    result: SroiResult,
    report: SensitivityReport | None,
    style: str,
    *,
    markdown: bool,
    lang: str = "en",
    names: Names | None = None,
) -> str:
    from tabulate import tabulate

    # Markdown: every cell and title through the one Markdown escape (codes and labels are user data).
    clean = markdown_text if markdown else terminal_text

    def title(text: str, level: int) -> str:
        text = clean(text)
        return f"{'#' * level} {text}" if markdown else f"{text}\n{'=' * len(text) if level == 1 else '-' * len(text)}"

    def table(rows: list[list[str]] | list[tuple[str, str]], keys: tuple[str, ...]) -> str:
        cells = [[clean(str(cell)) for cell in row] for row in rows]
        heads = [clean(word) for word in _words(lang, *keys)]
        return str(tabulate(cells, headers=heads, tablefmt=style, disable_numparse=True))

    parts = [
        title(translate("sroi_title", lang, label=result.label), 1),
        "",
        table(headline(result, lang), ("sroi_figure", "sroi_value")),
        "",
        title(translate("sroi_value_map", lang), 2),
        "",
        table(value_map_rows(result, lang, names), VALUE_MAP_KEYS),
        "",
        title(translate("sroi_by_stakeholder", lang), 2),
        "",
        table(stakeholder_rows(result, lang, names), STAKEHOLDER_KEYS),
    ]
    if report is not None:
        parts += [
            "",
            title(translate("sroi_sensitivity_title", lang), 2),
            "",
            clean(translate("sroi_base_ratio", lang, ratio=ratio(report.base_ratio, lang))),
            "",
            table(tornado_rows(report, lang, names), TORNADO_KEYS),
        ]
    parts += ["", clean(translate("sroi_closing", lang))]
    return "\n".join(parts) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def render_json(result: SroiResult, report: SensitivityReport | None = None, *, names: Names | None = None) -> str:
    data = result.to_dict()
    if names is not None:
        data["labels"] = {"outcomes": dict(names.outcomes), "stakeholders": dict(names.stakeholders)}
    if report is not None:
        data["sensitivity"] = report.to_dict()
    return json.dumps(_plain(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render_html(
    result: SroiResult, report: SensitivityReport | None = None, *, lang: str = "en", names: Names | None = None
) -> str:
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
        value_map=value_map_rows(result, lang, names),
        stakeholder_headers=_words(lang, *STAKEHOLDER_KEYS),
        stakeholders=stakeholder_rows(result, lang, names),
        tornado_headers=_words(lang, *TORNADO_KEYS),
        tornado=tornado_rows(report, lang, names) if report else None,
        shares=[(s.label, s.share) for s in result.by_stakeholder],
    )


def write_output(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` atomically (``vises.io.atomic``): a reader never sees half a file."""
    from vises.io.atomic import write_text_atomic

    write_text_atomic(path, text)
