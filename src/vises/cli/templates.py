"""``vises template``: write a data-collection workbook (or CSV) for a grid."""

from __future__ import annotations

from pathlib import Path

import click

from vises.cli.common import (
    LazyChoice,
    check_written,
    force_option,
    format_by_suffix,
    grid_option,
    lang_option,
    output_option,
)


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
@force_option
def template(
    grid_name: str,
    lang: str,
    output: Path,
    fmt: str | None,
    organisations: tuple[str, ...],
    periods: tuple[str, ...],
    force: bool,
) -> None:
    """Write a data-collection template (xlsx workbook or csv) for a grid."""
    from pathlib import Path

    import vises
    from vises.io.read_log import recording_reads
    from vises.templates.write import FORMATS, write_template

    suffixes = {name: f".{name}" for name in FORMATS}
    chosen = format_by_suffix(fmt, output, suffixes, default="xlsx", what="template format")
    with recording_reads() as read:
        grid = vises.load_grid(grid_name)
    # Never over a grid file it read, nor over a template or table that already holds values.
    check_written(Path(output), read, writing="template", force=force)
    written = write_template(
        grid, output, lang=lang, format=chosen, organisations=organisations or None, periods=periods or None
    )
    click.echo(f"wrote {written}")
