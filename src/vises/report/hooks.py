"""Registers the built-in report formats, exactly as a plugin registers its own.

Each ``render`` is a thin wrapper importing its module on first use, so loading the plugin registry
never imports a format's code, let alone tabulate, jinja2 or matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from vises.contract.hookspecs import hookimpl
from vises.contract.records import ReportFormat


def _lazy(module: str, function: str) -> Callable[..., str]:
    def render(results: Any, **kwargs: Any) -> str:
        return getattr(import_module(f"vises.report.{module}"), function)(results, **kwargs)

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
    ]
