"""SROI results as a text table, Markdown, JSON or a small self-contained HTML page.

Every format shows the same things: the headline figures, the value map (one line per outcome),
the value per stakeholder with its share and, when a sensitivity report is given, the tornado
table. JSON keeps full precision and writes NaN and infinities as ``null``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError, ReportError
from .calculate import SroiResult
from .sensitivity import SensitivityReport, SensitivityRow

FORMATS = ("table", "markdown", "json", "html")


def render(result: SroiResult, *, fmt: str = "table", report: SensitivityReport | None = None) -> str:
    """Render ``result`` (and the sensitivity ``report``, if any) in one of ``FORMATS``."""
    if fmt == "json":
        return render_json(result, report)
    if fmt == "html":
        return render_html(result, report)
    if fmt in ("table", "markdown"):
        return _render_text(result, report, "github" if fmt == "markdown" else "simple", markdown=fmt == "markdown")
    raise ReportError(f"unknown SROI output format {fmt!r}", hint=f"choose one of {', '.join(FORMATS)}")


def money(value: float | None, currency: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.0f} {currency}".strip().replace(",", "\u202f")


def ratio(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.2f} : 1"


def percent(value: float | None) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.1f} %"


def headline(result: SroiResult) -> list[tuple[str, str]]:
    """The headline figures as (label, formatted value) pairs."""
    c = result.currency
    payback = "never (no positive first-year impact)" if result.payback_months is None else f"{result.payback_months:.1f} months"
    rates = ", ".join(f"{100 * rate:g} % from year {first}" for first, rate in result.discount)
    return [
        ("Total inputs", money(result.total_inputs, c)),
        ("Present value (PV)", money(result.present_value, c)),
        ("Net present value (NPV)", money(result.net_present_value, c)),
        ("SROI ratio (PV / inputs)", ratio(result.sroi_ratio)),
        ("Net SROI ratio (NPV / inputs)", ratio(result.net_sroi_ratio)),
        ("Undiscounted value", money(result.undiscounted_value, c)),
        ("Payback period", payback),
        ("Discount rate", rates),
        ("Years of impact", str(len(result.years))),
    ]


def value_map_rows(result: SroiResult) -> list[list[str]]:
    rows = []
    for o in result.by_outcome:
        rows.append([o.code, o.stakeholder, f"{o.quantity:g}", money(o.proxy, result.currency), percent(o.deadweight),
                     percent(o.displacement), percent(o.attribution), percent(o.drop_off), str(o.duration), str(o.start),
                     money(o.year_one_impact, result.currency), money(o.present_value, result.currency)])
    return rows


VALUE_MAP_HEADERS = ["outcome", "stakeholder", "quantity", "proxy", "deadweight", "displacement", "attribution",
                     "drop-off", "duration", "start", "impact year 1", "PV"]
STAKEHOLDER_HEADERS = ["stakeholder", "label", "PV", "share", "undiscounted"]
TORNADO_HEADERS = ["assumption", "outcome", "tested", "ratio low", "ratio high", "swing", "1:1 at"]


def stakeholder_rows(result: SroiResult) -> list[list[str]]:
    return [[s.code, s.label, money(s.value, result.currency), percent(s.share), money(s.undiscounted_value, result.currency)]
            for s in result.by_stakeholder]


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


def switching(row: SensitivityRow) -> str:
    value = row.switching_value
    if value is None:
        return "none"
    if row.switching_kind == "multiplier":
        return f"× {value:.3g}"
    if row.switching_kind == "shift":
        return f"{value:+.3g}"
    return _num(value)


def _num(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:,.0f}".replace(",", "\u202f")


def tornado_rows(report: SensitivityReport) -> list[list[str]]:
    return [[row.assumption, row.outcome or "(all)", tested(row), f"{row.ratio_low:.2f}", f"{row.ratio_high:.2f}",
             f"{row.swing:.2f}", switching(row)] for row in report.rows]


def _render_text(result: SroiResult, report: SensitivityReport | None, style: str, *, markdown: bool) -> str:
    from tabulate import tabulate

    def title(text: str, level: int) -> str:
        return f"{'#' * level} {text}" if markdown else f"{text}\n{'=' * len(text) if level == 1 else '-' * len(text)}"

    parts = [title(f"SROI — {result.label}", 1), "",
             tabulate(headline(result), headers=["figure", "value"], tablefmt=style), "",
             title("Value map", 2), "", tabulate(value_map_rows(result), headers=VALUE_MAP_HEADERS, tablefmt=style), "",
             title("Value by stakeholder", 2), "",
             tabulate(stakeholder_rows(result), headers=STAKEHOLDER_HEADERS, tablefmt=style)]
    if report is not None:
        parts += ["", title("Sensitivity (tornado: largest swing first)", 2), "",
                  f"Base ratio {ratio(report.base_ratio)}; '1:1 at' is the switching value.", "",
                  tabulate(tornado_rows(report), headers=TORNADO_HEADERS, tablefmt=style)]
    parts += ["", "SROI is one optional lens in VISES; read it next to the scores and the stakeholders' own accounts."]
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


def render_html(result: SroiResult, report: SensitivityReport | None = None) -> str:
    """A self-contained page (inline CSS, no scripts); every value is escaped by jinja2."""
    try:
        import jinja2
    except ImportError as exc:
        raise MissingDependencyError("jinja2", "html", "the HTML SROI report") from exc
    from importlib.resources import files

    source = files("vises.sroi").joinpath("templates", "sroi.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(source)
    return template.render(
        result=result, headline=headline(result), value_map_headers=VALUE_MAP_HEADERS, value_map=value_map_rows(result),
        stakeholder_headers=STAKEHOLDER_HEADERS, stakeholders=stakeholder_rows(result),
        tornado_headers=TORNADO_HEADERS, tornado=tornado_rows(report) if report else None,
        base_ratio=ratio(report.base_ratio) if report else "", shares=[(s.label, s.share) for s in result.by_stakeholder],
    )


def write_output(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` atomically: a temporary file in the same folder, then ``os.replace``."""
    target = Path(path)
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as exc:
        raise ReportError(f"cannot write {str(target)!r}: {exc.strerror or exc}", hint="check that the folder exists") from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
