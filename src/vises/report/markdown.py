"""The Markdown report: the same blocks as the terminal table, as headings, lists and pipe tables.

Labels, names and narratives are user data: each goes through ``vises.markdown_text`` (the one
Markdown escape, shared with the plugins), so a label such as ``<script>`` or ``**bold**`` shows
as written on any Markdown renderer and a ``|`` never breaks a table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vises.neutralise import markdown_text
from vises.report.layout import Table, pipe
from vises.report.table import Heading, Items, Paragraph, document
from vises.report.views import resolve

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results


def render_markdown(results: Results, request: ReportRequest, /) -> str:
    """A Markdown report (GitHub-flavoured pipe tables)."""
    out: list[str] = []
    for block in document(results, resolve(results, request, "markdown")):
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {markdown_text(block.text)}")
        elif isinstance(block, Paragraph):
            out.append(markdown_text(block.text))
        elif isinstance(block, Items):
            out.append("\n".join(f"- {markdown_text(item)}" for item in block.items))
        elif isinstance(block, Table):
            out.append(pipe(block, clean=markdown_text))
        out.append("")
    return "\n".join(out).rstrip() + "\n"
