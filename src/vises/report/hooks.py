"""Registers the built-in report formats, exactly as a plugin registers its own.

Each ``render`` is a thin wrapper importing its module on first use, so loading the plugin registry
never imports a format's code, let alone tabulate, jinja2, matplotlib or openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import TYPE_CHECKING

from vises.contract.hookspecs import hookimpl
from vises.contract.records import ReportFormat, ReportRequest

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import RenderFunction
    from vises.engine.results import Results


def _lazy(module: str, function: str) -> RenderFunction:
    def render(results: Results, request: ReportRequest, /) -> str | bytes:
        rendered: str | bytes = getattr(import_module(f"vises.report.{module}"), function)(
            results,
            lang=request.language,
            view=request.view,
            organisation=request.organisation,
            period=request.period,
            options=dict(request.options),
        )
        return rendered

    render.__name__ = function
    render.__doc__ = f"Render with ``vises.report.{module}.{function}`` (imported on first use)."
    return render


@hookimpl
def vises_register_report_formats() -> Iterable[ReportFormat]:
    return [
        ReportFormat(
            name="table",
            suffix=".txt",
            render=_lazy("table", "render_table"),
            summary="Plain-text tables for the terminal",
        ),
        ReportFormat(
            name="markdown",
            suffix=".md",
            render=_lazy("markdown", "render_markdown"),
            summary="Markdown with pipe tables",
        ),
        ReportFormat(
            name="csv",
            suffix=".csv",
            render=_lazy("csv_format", "render_csv"),
            summary="One row per organisation and period, one column per node",
        ),
        ReportFormat(
            name="json",
            suffix=".json",
            render=_lazy("json_format", "render_json"),
            summary="The whole results, full precision",
        ),
        ReportFormat(
            name="html",
            suffix=".html",
            render=_lazy("html", "render_html"),
            summary="Self-contained page with charts, works offline",
        ),
        ReportFormat(
            name="xlsx",
            suffix=".xlsx",
            binary=True,
            render=_lazy("xlsx", "render_xlsx"),
            summary="Excel workbook: a sheet per level, raw values, coverage, ranks, provenance",
        ),
    ]
