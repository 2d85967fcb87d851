"""Registers the built-in report formats, exactly as a plugin registers its own.

Each format's module is imported on first use (``_lazy``), so loading the plugin registry never
imports a format's code, let alone jinja2 or pyarrow. The renderers take
``(results, request)`` themselves: nothing here adapts arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from vises.contract.hookspecs import hookimpl
from vises.contract.records import ReportFormat

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results


def _lazy(module: str, function: str) -> Any:
    """``vises.report.<module>.<function>``, imported when it is first called."""

    def call(results: Results, request: ReportRequest, /) -> Any:
        return getattr(import_module(f"vises.report.{module}"), function)(results, request)

    call.__name__ = function
    call.__doc__ = f"``vises.report.{module}.{function}`` (imported on first use)."
    return call


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
            stream=_lazy("csv_format", "iter_csv"),
            summary="One row per organisation and period, one column per node",
        ),
        ReportFormat(
            name="json",
            suffix=".json",
            render=_lazy("json_format", "render_json"),
            stream=_lazy("json_format", "iter_json"),
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
        ReportFormat(
            name="parquet",
            suffix=".parquet",
            binary=True,
            render=_lazy("parquet_format", "render_parquet"),
            stream=_lazy("parquet_format", "iter_parquet"),
            summary="Scores, ranks and coverage as typed columns (needs the parquet extra)",
        ),
    ]
