"""The Markdown report: the same blocks as the terminal table, as headings, lists and pipe tables.

Labels are user data, so Markdown and HTML specials in them are escaped: a label such as
``<script>`` or ``**bold**`` shows as written, on any Markdown renderer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from vises.report.table import Heading, Items, Paragraph, Table, document

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

_SPECIALS = re.compile(r"([\\`*_\[\]|])")


def escape(text: str) -> str:
    """Text safe inside a Markdown paragraph or table cell (one line, specials escaped)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIALS.sub(r"\\\1", text)
    text = " ".join(text.splitlines())
    return "\\" + text if text.startswith("#") else text


def render_markdown(
    results: Results,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """A Markdown report (GitHub-flavoured pipe tables)."""
    from tabulate import tabulate

    out: list[str] = []
    for block in document(results, lang=lang, view=view, organisation=organisation, period=period, options=options):
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {escape(block.text)}")
        elif isinstance(block, Paragraph):
            out.append(escape(block.text))
        elif isinstance(block, Items):
            out.append("\n".join(f"- {escape(item)}" for item in block.items))
        elif isinstance(block, Table):
            rows = [[escape(cell) for cell in row] for row in block.rows]
            out.append(
                tabulate(rows, headers=[escape(h) for h in block.headers], tablefmt="pipe", disable_numparse=True)
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"
