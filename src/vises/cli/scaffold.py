"""``vises new-plugin``: scaffold an installable plugin package."""

from __future__ import annotations

from pathlib import Path

import click

from vises.scaffold import LANGUAGES


@click.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the vises-NAME folder.",
)
@click.option(
    "-l",
    "--lang",
    type=click.Choice(LANGUAGES),
    default="fr",
    show_default=True,
    help="Language of the starter labels (English is added beside it).",
)
@click.option("--title", help="A human name for the plugin, e.g. 'Réseau bruxellois'.")
@click.option("--author", default="", help="Author written into pyproject.toml: 'Name' or 'Name <email>'.")
def new_plugin(name: str, directory: Path, lang: str, title: str | None, author: str) -> None:
    """Create an installable plugin package NAME with a starter grid, tests and example data."""
    from vises.scaffold import create_plugin

    target = create_plugin(name, directory, lang=lang, title=title, author=author)
    click.echo(f"created {target}")
    click.echo(f"next: pip install -e '{target}[test]' && vises grids && pytest {target / 'tests'}")
    click.echo(
        f"then edit {target / 'src' / f'vises_{name}' / 'grids' / f'{name}.toml'} (its README says what each "
        "file is for)"
    )
