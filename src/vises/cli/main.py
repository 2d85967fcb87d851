"""The ``vises`` command: list plugins and grids, show a grid, validate and score data.

Only click and vises' light modules are imported here; the plugin registry, pint, pandas and the
report libraries load when a command needs them, so ``vises --help`` stays fast. Plugin commands
are found lazily: a core command never loads plugins to be looked up, an unknown name or the help
listing does. A ``VisesError`` prints ``Error: <message>`` and exits with its ``exit_code``; any
other exception is a bug and exits with ``EXIT_INTERNAL``; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from vises._version import __version__
from vises.errors import DataError, ReportError, ValidationError, VisesError

#: Exit code of an unexpected exception (a bug in vises or in a plugin).
EXIT_INTERNAL = 3
LANGS = ("fr", "nl", "en")
_DEBUG_KEY = "vises.debug"


class VisesGroup(click.Group):
    """A click group that loads plugin commands only when they are asked for or listed."""

    _plugins_loaded = False

    def _load_plugin_commands(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from vises.plugins import get_registry

        get_registry().register_commands(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            self._load_plugin_commands()
        except VisesError as exc:  # strict mode: still list the core commands in the help
            click.echo(f"Error: plugin commands unavailable: {exc}", err=True)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and not self._plugins_loaded:
            self._load_plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except VisesError as exc:
            if ctx.meta.get(_DEBUG_KEY):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:
            if ctx.meta.get(_DEBUG_KEY):
                raise
            click.echo(
                f"Error: internal error ({type(exc).__name__}: {exc}). This is a bug in vises or one of its "
                "plugins; please report it with the output of the same command run with 'vises --debug ...'.",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


@contextmanager
def _cli_warnings() -> Iterator[None]:
    """Plugin warnings as one readable line on stderr, without the Python source location."""
    from vises.plugins import VisesPluginWarning

    with warnings.catch_warnings():
        original = warnings.showwarning

        def show(
            message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
        ) -> None:
            if issubclass(category, VisesPluginWarning):
                click.echo(f"Warning: {message}", err=True)
            else:
                original(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


@click.group(cls=VisesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(version=__version__, prog_name="vises")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Measure the social impact of social-economy enterprises.

    Exit codes: 0 ok, 1 data failed validation, 2 usage or input error, 3 internal error.
    """
    ctx.meta[_DEBUG_KEY] = debug


def _registry() -> Any:
    from vises.plugins import get_registry

    return get_registry()


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain aligned text table (no heavy dependency)."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# -- plugins, grids, indicators -----------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all", "show_all", is_flag=True, help="Include vises' own core plugin.")
def plugins(as_json: bool, show_all: bool) -> None:
    """List installed plugins, what they provide and whether they loaded."""
    import attrs

    infos = [info for info in _registry().plugins if show_all or info.name != "vises"]
    if as_json:
        _echo_json([attrs.asdict(info) for info in infos])
        return
    if not infos:
        click.echo("No plugins installed (use --all to see vises' own).")
        return
    rows = []
    for info in infos:
        provides = ", ".join(f"{len(keys)} {kind}" for kind, keys in info.provides.items())
        rows.append((info.name, info.distribution or "(in-process)", info.version or "", info.status, provides))
    click.echo(_table(rows, ("name", "distribution", "version", "status", "provides")))
    for info in infos:
        if info.error:
            click.echo(f"\n{info.name}: {info.error}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def grids(as_json: bool) -> None:
    """List the registered grids (usable as --grid NAME)."""
    sources = _registry().grid_sources
    if as_json:
        _echo_json(
            [
                {
                    "code": key,
                    "plugin": src.plugin,
                    "summary": src.summary,
                    "path": None if src.path is None else str(src.path),
                }
                for key, src in sources.items()
            ]
        )
        return
    click.echo(
        _table([(key, src.plugin, src.summary) for key, src in sorted(sources.items())], ("grid", "plugin", "summary"))
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def methods(as_json: bool) -> None:
    """List the normalisers, aggregators, treatments, imputers, readers and report formats in use."""
    registry = _registry()
    tables = {
        "normaliser": registry.normalisers,
        "aggregator": registry.aggregators,
        "treatment": registry.treatments,
        "imputer": registry.imputers,
        "reader": registry.readers,
        "report format": registry.report_formats,
    }
    rows = [
        (kind, key, spec.plugin, spec.summary) for kind, table in tables.items() for key, spec in sorted(table.items())
    ]
    if as_json:
        _echo_json(
            [{"kind": kind, "name": key, "plugin": plugin, "summary": summary} for kind, key, plugin, summary in rows]
        )
        return
    click.echo(_table(rows, ("kind", "name", "plugin", "summary")))


@cli.command()
@click.option(
    "--grid", "grid_name", help="A grid file or registered grid name; default: the plugins' indicator catalogue."
)
@click.option("--lang", type=click.Choice(LANGS), help="Language of the labels.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def indicators(grid_name: str | None, lang: str | None, as_json: bool) -> None:
    """List the indicators of a grid, or the catalogue indicators plugins offer for reuse."""
    if grid_name is not None:
        import vises

        found = [(ind.code, ind) for ind in vises.load_grid(grid_name).indicators]
    else:
        found = sorted(_registry().indicators.items())
    if as_json:
        _echo_json(
            [
                {
                    "code": key,
                    "label": ind.label_in(lang),
                    "kind": ind.kind.value,
                    "unit": ind.unit,
                    "direction": ind.direction.value,
                    "parent": ind.parent,
                    "weight": ind.weight,
                }
                for key, ind in found
            ]
        )
        return
    rows = [
        (key, ind.label_in(lang), ind.kind.value, ind.unit or "", ind.direction.value, ind.parent or "")
        for key, ind in found
    ]
    click.echo(_table(rows, ("code", "label", "kind", "unit", "direction", "parent")))


@cli.command()
@click.argument("grid_name", metavar="GRID")
@click.option("--lang", type=click.Choice(LANGS), help="Language of the labels.")
def show(grid_name: str, lang: str | None) -> None:
    """Show a grid as a tree, with weights and the methods that will actually be used."""
    import vises

    click.echo(_render_tree(vises.load_grid(grid_name), lang=lang))


def _render_tree(grid: Any, *, lang: str | None) -> str:
    """``code  w=2 (40%)  label  [method]`` per line, drawn as a tree from the root."""
    from vises.validation.grid import (
        effective_aggregator,
        effective_imputation,
        effective_normaliser,
        effective_treatment,
    )

    lines = [f"{grid.code} (version {grid.version}): {grid.label_in(lang)}"]

    def describe(item: Any) -> str:
        if hasattr(item, "kind"):
            unit = f" [{item.unit}]" if item.unit else ""
            method = "narrative" if not item.scored else effective_normaliser(grid, item).describe()
            if item.scored:
                # The optional stages, in the order they run, only when the grid turns them on.
                imputation, treatment = effective_imputation(grid, item), effective_treatment(grid, item)
                stages = [
                    f"per {item.denominator}" if item.denominator else None,
                    f"impute {imputation.describe()}" if imputation else None,
                    f"treat {treatment.describe()}" if treatment else None,
                ]
                method = "; ".join([*(stage for stage in stages if stage), method])
            return f"{item.label_in(lang)}{unit}; {item.kind.value}, {item.direction.value}; {method}"
        return f"{item.label_in(lang)}; {effective_aggregator(grid, item).describe()}"

    def walk(item: Any, prefix: str, share: float | None, last: bool, top: bool) -> None:
        weight = "" if share is None else f"  w={item.weight:g} ({share:.0%})"
        if not top and share is None:
            weight = "  (not scored)"
        branch = "" if top else ("└── " if last else "├── ")
        lines.append(f"{prefix}{branch}{item.code}{weight}  {describe(item)}")
        if hasattr(item, "kind"):
            return
        children = grid.children(item.code)
        scored = [child for child in children if getattr(child, "scored", True)]
        total = sum(child.weight for child in scored) or 1.0
        inner = prefix + ("" if top else ("    " if last else "│   "))
        for position, child in enumerate(children):
            share = child.weight / total if child in scored else None
            walk(child, inner, share, position == len(children) - 1, False)

    walk(grid.root, "", None, True, True)
    return "\n".join(lines)


# -- validate and score ---------------------------------------------------------------------------

_DATA = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command()
@click.argument("data", type=_DATA)
@click.option("--grid", "grid_name", required=True, help="A grid file or registered grid name.")
def validate(data: Path, grid_name: str) -> None:
    """Check a dataset against a grid and report every problem at once (exit 1 if invalid)."""
    import vises

    grid = vises.load_grid(grid_name)
    try:
        dataset = vises.load_data(data, grid=grid)
    except ValidationError:
        raise  # already says which file (the data, or its evaluations file) has the problems
    except DataError as exc:
        problems: list[VisesError] = [exc]
    else:
        problems = vises.validate_data(grid, dataset)
    if problems:
        raise ValidationError(problems, what=str(data))
    columns = [dataset.columns[ind.code] for ind in grid.scored_indicators if ind.code in dataset.columns]
    cells = len(dataset) * len(columns)
    filled = sum(int((~column.missing()).sum()) for column in columns)
    not_applicable = sum(int(column.not_applicable.sum()) for column in columns if column.not_applicable is not None)
    if cells and filled == 0:
        # Valid but empty (a template not filled in yet): say so, since scoring it gives no score.
        click.echo(f"Warning: {data}: no value is filled in yet; every score would be missing.", err=True)
    click.echo(
        f"{data}: {len(dataset)} rows, {len(set(map(str, dataset.organisations)))} organisations, "
        f"{len(dataset.period_values)} periods, {len(columns)} of {len(grid.scored_indicators)} scored indicators "
        f"of grid {grid.code!r}; {filled} of {cells} values given"
        + (f", {not_applicable} not applicable" if not_applicable else "")
        + ": ready to score."
    )


@cli.command()
@click.argument("data", type=_DATA)
@click.option("--grid", "grid_name", required=True, help="A grid file or registered grid name.")
@click.option(
    "--format", "format_name", default="table", show_default=True, help="Report format (see 'vises plugins --all')."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout.",
)
@click.option("--lang", type=click.Choice(LANGS), help="Language of the report.")
@click.option(
    "--view",
    type=click.Choice(("network", "profile")),
    default="network",
    show_default=True,
    help="network: every organisation; profile: one organisation's page.",
)
@click.option("--org", "organisation", help="The organisation to report on (profile view).")
@click.option("--period", help="Only this period.")
@click.option("--weighting", help="A registered weighting of the grid (e.g. wallonie.outcomes_first).")
def score(
    data: Path,
    grid_name: str,
    format_name: str,
    output: Path | None,
    lang: str | None,
    view: str,
    organisation: str | None,
    period: str | None,
    weighting: str | None,
) -> None:
    """Score a dataset on a grid and write a report."""
    import vises

    spec = _report_format(format_name)
    if output is not None:
        _refuse_overwriting_input(output, data, grid_name)
    elif spec.binary:
        raise ReportError(
            f"the {format_name!r} format writes a binary file", hint=f"give an output file: -o report{spec.suffix}"
        )
    steps = ("reading the grid", "reading and scoring the data", "rendering the report")
    with _progress(steps) as advance:
        grid = vises.load_grid(grid_name, weighting=weighting)
        advance()
        results = vises.score(grid, data)
        advance()
        rendered = vises.render(results, format_name, lang=lang, view=view, organisation=organisation, period=period)
        advance()
    if output is None:
        assert isinstance(rendered, str)
        click.echo(rendered, nl=not rendered.endswith("\n"))
        return
    from vises.io.atomic import write_bytes_atomic, write_text_atomic

    if isinstance(rendered, bytes):
        write_bytes_atomic(output, rendered)
    else:
        write_text_atomic(output, rendered)
    click.echo(f"wrote {output}", err=True)
    if format_name == "csv":
        # A CSV table has no place for metadata: its provenance goes beside it.
        import json

        sidecar = output.with_name(output.name + ".provenance.json")
        write_text_atomic(sidecar, json.dumps(results.provenance, indent=2, ensure_ascii=False) + "\n")
        click.echo(f"wrote {sidecar}", err=True)


def _report_format(name: str) -> Any:
    """The format, checked before any work is done; an unknown one lists what is available."""
    registry = _registry()
    if name not in registry.report_formats:
        available = (
            ", ".join(sorted(registry.report_formats))
            or "none (the report plugins failed to load; see 'vises plugins --all')"
        )
        raise ReportError(f"unknown report format {name!r}", hint=f"available formats: {available}")
    return registry.report_format(name)


def _refuse_overwriting_input(output: Path, data: Path, grid_name: str) -> None:
    for source in (data, Path(grid_name)):
        same = output.resolve() == source.resolve() or (
            source.exists() and output.exists() and os.path.samefile(source, output)
        )
        if same:
            raise ReportError(
                "the output file is an input file; refusing to overwrite it",
                file=str(output),
                hint="choose another -o file",
            )


@contextmanager
def _progress(steps: Sequence[str]) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; nothing at all when output is piped."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(length=len(steps), label=steps[0], file=sys.stderr) as bar:
        done = [0]

        def advance() -> None:
            done[0] += 1
            if done[0] < len(steps):
                bar.label = steps[done[0]]
            bar.update(1)

        yield advance


@cli.command()
def schema() -> None:
    """Print the JSON Schema of grid files (for editors and CI checks)."""
    from vises.io.schema import grid_json_schema

    _echo_json(grid_json_schema())


def main(argv: Sequence[str] | None = None) -> None:
    """The console-script entry point (``vises = vises.cli:main``)."""
    with _cli_warnings():
        cli.main(args=list(argv) if argv is not None else None, prog_name="vises")


__all__ = ["EXIT_INTERNAL", "VisesGroup", "cli", "main"]
