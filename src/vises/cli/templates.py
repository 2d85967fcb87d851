"""``vises template``: write a data-collection workbook (or CSV) for a grid."""

from __future__ import annotations

from pathlib import Path

import click

from vises.cli.common import LazyChoice, format_by_suffix, grid_option, lang_option, output_option


@click.command("template")
@grid_option()
@lang_option(default="fr", help="Language of the template's words, labels and units.")
@output_option(required=True, help="File to write (.xlsx or .csv).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=LazyChoice("vises.templates.write:FORMATS"),
    default=None,
    help="Default: from the file suffix (.xlsx or .csv).",
)
@click.option(
    "--organisation", "organisations", multiple=True, help="Prepare a block for this organisation (repeatable)."
)
@click.option("--period", "periods", multiple=True, help="Prepare a block for this period (repeatable).")
def template(
    grid_name: str,
    lang: str,
    output: Path,
    fmt: str | None,
    organisations: tuple[str, ...],
    periods: tuple[str, ...],
) -> None:
    """Write a data-collection template (xlsx workbook or csv) for a grid."""
    import vises
    from vises.templates.write import FORMATS, write_template

    suffixes = {name: f".{name}" for name in FORMATS}
    chosen = format_by_suffix(fmt, output, suffixes, default="xlsx", what="template format")
    grid = vises.load_grid(grid_name)
    written = write_template(
        grid, output, lang=lang, format=chosen, organisations=organisations or None, periods=periods or None
    )
    click.echo(f"wrote {written}")
