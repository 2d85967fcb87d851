"""``vises sroi``: the social return on investment of a value map.

SROI is optional in VISES: one monetised view next to the scores, never the whole story.
"""

from __future__ import annotations

from pathlib import Path

import click

from vises.cli.common import (
    LazyChoice,
    check_written,
    columns_options,
    force_option,
    format_by_suffix,
    grid_option,
    lang_option,
    note_ignored,
    output_option,
)

#: The file suffix each SROI output format writes (``-o`` without ``--format`` goes by it).
SUFFIXES = {"table": ".txt", "markdown": ".md", "json": ".json", "html": ".html"}


@click.command("sroi")
@click.argument("model", type=click.Path(dir_okay=False, path_type=str))
@click.option(
    "-f",
    "--format",
    "fmt",
    type=LazyChoice("vises.sroi.render:FORMATS"),
    default=None,
    help="Output format (default: from the -o file's suffix, else table).",
)
@output_option()
@click.option(
    "--sensitivity",
    "with_sensitivity",
    is_flag=True,
    help="Add the sensitivity analysis (tornado table and switching values).",
)
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    help="A dataset whose raw indicator values feed quantities written as "
    "{ indicator = ..., organisation = ..., period = ... } (needs --grid).",
)
@grid_option(required=False, help="The grid of --data: a file or a registered grid name.")
@lang_option(help="Language of the report's words and labels (default: English).")
@columns_options
@force_option
def sroi(
    model: str,
    fmt: str | None,
    output: Path | None,
    with_sensitivity: bool,
    data: str | None,
    grid_name: str | None,
    lang: str | None,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    force: bool,
) -> None:
    """Compute the social return on investment of the value map MODEL (TOML, YAML or JSON).

    SROI is optional in VISES: one monetised view next to the scores, never the whole story.
    """
    from vises.errors import ConfigError
    from vises.sroi import evaluate, load_model, sensitivity
    from vises.sroi.render import FORMATS, render, write_output

    fmt = format_by_suffix(fmt, output, {name: SUFFIXES.get(name, f".{name}") for name in FORMATS}, default="table")
    if (data is None) != (grid_name is None):
        raise ConfigError("--data and --grid go together", hint="give both, or neither when every quantity is a number")
    if data is None and (attributes or ignore):
        raise ConfigError("--attribute and --ignore choose columns of --data", hint="give --data and --grid too")
    from pathlib import Path

    from vises.io.read_log import recording_reads

    results = None
    with recording_reads() as read:
        if data is not None and grid_name is not None:
            import vises

            results = vises.score(vises.load_grid(grid_name), data, attributes=attributes, ignore=ignore)
            note_ignored(results.dataset)
        value_map = load_model(model)
    result = evaluate(value_map, results=results)
    report = sensitivity(value_map, results=results) if with_sensitivity else None
    text = render(result, fmt=fmt, report=report, lang=lang, value_map=value_map)
    if output:
        check_written(Path(output), read, force=force)
        write_output(text, output)
        click.echo(f"SROI written to {output}", err=True)
    else:
        click.echo(text, nl=False)
