"""``vises template``: write a data-collection workbook (or CSV) for a grid."""

from __future__ import annotations

import click

from vises.cli.common import LazyChoice


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
def template(
    grid_name: str,
    lang: str,
    output: str,
    fmt: str | None,
    organisations: tuple[str, ...],
    periods: tuple[str, ...],
) -> None:
    """Write a data-collection template (xlsx workbook or csv) for a grid."""
    import vises
    from vises.templates.write import write_template

    chosen = fmt or ("csv" if output.lower().endswith(".csv") else "xlsx")
    grid = vises.load_grid(grid_name)
    written = write_template(
        grid, output, lang=lang, format=chosen, organisations=organisations or None, periods=periods or None
    )
    click.echo(f"wrote {written}")
