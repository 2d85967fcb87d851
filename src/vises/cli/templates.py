"""``vises template``: write a data-collection workbook (or CSV) for a grid."""

from __future__ import annotations

import click

from vises.cli.common import LazyChoice, check_written, force_option


@click.command("template")
@click.option("--grid", "-g", "grid_name", required=True, help="Grid code or grid file.")
@click.option(
    "--lang", "-l", default="fr", show_default=True, type=LazyChoice("vises.templates.words:TEMPLATE_LANGUAGES")
)
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="File to write (.xlsx or .csv).")
@click.option(
    "--format",
    "fmt",
    type=LazyChoice("vises.templates.write:FORMATS"),
    default=None,
    help="Default: from the file suffix, else xlsx.",
)
@click.option(
    "--organisation", "organisations", multiple=True, help="Prepare a block for this organisation (repeatable)."
)
@click.option("--period", "periods", multiple=True, help="Prepare a block for this period (repeatable).")
@force_option
def template(
    grid_name: str,
    lang: str,
    output: str,
    fmt: str | None,
    organisations: tuple[str, ...],
    periods: tuple[str, ...],
    force: bool,
) -> None:
    """Write a data-collection template (xlsx workbook or csv) for a grid."""
    from pathlib import Path

    import vises
    from vises.io.read_log import recording_reads
    from vises.templates.write import write_template

    chosen = fmt or ("csv" if output.lower().endswith(".csv") else "xlsx")
    with recording_reads() as read:
        grid = vises.load_grid(grid_name)
    # Never over a grid file it read, nor over a template or table that already holds values.
    check_written(Path(output), read, writing="template", force=force)
    written = write_template(
        grid, output, lang=lang, format=chosen, organisations=organisations or None, periods=periods or None
    )
    click.echo(f"wrote {written}")
