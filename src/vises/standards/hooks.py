"""Registers the exchange formats of vises (``cids``), exactly as a plugin registers its own.

The hook body imports nothing heavy: ``render`` imports the exporter on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from vises.contract.hookspecs import hookimpl
from vises.contract.records import ReportFormat, ReportRequest

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


def render_cids(results: Results, request: ReportRequest, /) -> str:
    """Render with ``vises.standards.cids.render_cids`` (imported on first use)."""
    from vises.standards.cids import render_cids as render

    return render(results, request)


def iter_cids(results: Results, request: ReportRequest, /) -> Iterator[str]:
    """Stream with ``vises.standards.cids.iter_cids`` (imported on first use)."""
    from vises.standards.cids import iter_cids as stream

    return stream(results, request)


@hookimpl
def vises_register_report_formats() -> Iterable[ReportFormat]:
    return [
        ReportFormat(
            name="cids",
            suffix=".jsonld",
            render=render_cids,
            stream=iter_cids,
            summary="Common Impact Data Standard (CIDS) JSON-LD: raw values, outcomes, codes, for funders",
        )
    ]
