"""The Markdown report: the same blocks as the terminal table, as headings, lists and pipe tables.

Labels, names and narratives are user data: each goes through ``vises.markdown_text`` (the one
Markdown escape, shared with the plugins), so a label such as ``<script>`` or ``**bold**`` shows
as written on any Markdown renderer and a ``|`` never breaks a table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vises.neutralise import markdown_text, terminal_text
from vises.report.layout import Table, pipe
from vises.report.table import Heading, Items, Paragraph, document
from vises.report.views import resolve

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results


def _clean(text: str) -> str:
    """User text for Markdown: control sequences dropped (a page is often read in a terminal), then escaped."""
    return markdown_text(terminal_text(text))


def render_markdown(results: Results, request: ReportRequest, /) -> str:
    """A Markdown report (GitHub-flavoured pipe tables)."""
    out: list[str] = []
    for block in document(results, resolve(results, request, "markdown")):
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {_clean(block.text)}")
        elif isinstance(block, Paragraph):
            out.append(_clean(block.text))
        elif isinstance(block, Items):
            out.append("\n".join(f"- {_clean(item)}" for item in block.items))
        elif isinstance(block, Table):
            out.append(pipe(block, clean=_clean))
        out.append("")
    return "\n".join(out).rstrip() + "\n"
