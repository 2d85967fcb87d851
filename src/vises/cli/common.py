"""What the commands share: options spelt the same everywhere, tables, JSON, progress, the registry.

Only click and light vises modules are imported here, so loading a command to list it in
``vises --help`` costs nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from vises.errors import ReportError

if __import__("typing").TYPE_CHECKING:  # pragma: no cover
    from vises.model import Dataset
    from vises.plugins.registry import Registry

LANGS = ("fr", "nl", "en")

#: The data file argument of every data command.
DATA = click.Path(exists=True, dir_okay=False, path_type=Path)


class LazyChoice(click.Choice[str]):
    """A ``click.Choice`` whose values are read from a module only when an option needs them.

    ``vises --help`` loads every command to show its summary; the values of their choices live in
    feature modules (numpy and all), which this keeps out of that listing.
    """

    def __init__(self, where: str, *, extra: Sequence[str] = ()) -> None:
        self.where = where
        self.extra = tuple(extra)
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        from importlib import import_module

        module, name = self.where.split(":")
        return (*getattr(import_module(module), name), *self.extra)

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:
        raise AttributeError("the choices of a LazyChoice come from its module")


def registry() -> Registry:
    from vises.plugins.current import get_registry

    return get_registry()


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    """A plain aligned text table (no heavy dependency)."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def report_format(name: str) -> Any:
    """The format, checked before any work is done; an unknown one gets did-you-mean and the list."""
    found = registry()
    if not found.report_formats:
        raise ReportError(
            f"unknown report format {name!r}",
            hint="no format is available: the report plugins failed to load (see 'vises plugins --all')",
        )
    return found.report_formats[name]


#: ``--force`` on every command that writes a file.
force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace the output file even when it is a file this command read, or a file of another kind.",
)


def refuse_overwriting_input(output: Path, data: Path, grid_name: str, *, force: bool = False) -> None:
    """Before any work: the output is not the data or the grid file (the full check runs before writing)."""
    from vises.io.overwrite import check_output

    inputs = [path.resolve() for path in (data, Path(grid_name)) if path.exists()]
    check_output(output, read=inputs, writing="sidecar", force=force)


def check_written(output: Path, read: Iterable[Path], *, writing: str = "report", force: bool = False) -> None:
    """Before writing: ``output`` replaces no file the command read, nor a file of another kind."""
    from vises.io.overwrite import check_output

    check_output(output, read=read, writing=writing, force=force)


def report_format_for(name: str | None, output: Path | None) -> tuple[str, Any]:
    """``--format`` and ``-o`` together: the chosen format, else the one the output's suffix names."""
    formats = registry().report_formats
    if name is not None:
        report_format(name)  # an unknown name: did-you-mean, before the suffix is looked at
    chosen = format_by_suffix(
        name,
        output,
        {key: spec.suffix for key, spec in formats.items()},
        default="table",
        what="report format",
        preferred=[key for key, spec in formats.items() if spec.plugin == "vises"],
    )
    return chosen, report_format(chosen)


@contextmanager
def progress(steps: Sequence[str]) -> Iterator[Any]:
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


# -- options spelt the same on every command ------------------------------------------------------
#
# ``-g/--grid``, ``-l/--lang``, ``-o/--output`` and ``-f/--format`` mean the same thing wherever a
# command has them, and ``--lang`` is always the choice ``[fr|nl|en]`` (tests/test_cli_options.py).


#: A command function, as click's decorators take and return it.
F = TypeVar("F", bound=Callable[..., Any])


def grid_option(
    *, required: bool = True, help: str = "A grid file or a registered grid name ('vises grids')."
) -> Callable[[F], F]:
    return click.option("-g", "--grid", "grid_name", required=required, help=help)


def lang_option(
    *, help: str = "Language of the output's words and labels.", default: str | None = None
) -> Callable[[F], F]:
    return click.option(
        "-l", "--lang", type=click.Choice(LANGS), default=default, show_default=default is not None, help=help
    )


def output_option(
    *, help: str = "Write to this file (atomically) instead of stdout.", required: bool = False, folder: bool = False
) -> Callable[[F], F]:
    """``-o``; ``folder=True`` lets it name an existing folder (the command checks which it needs)."""
    return click.option(
        "-o", "--output", type=click.Path(dir_okay=folder, path_type=Path), required=required, help=help
    )


def columns_options(command: F) -> F:
    """``--attribute COL`` and ``--ignore COL`` on every command that reads a data file."""
    command = click.option(
        "--ignore",
        "ignore",
        multiple=True,
        metavar="COLUMN",
        help="Leave this column of the data out on purpose (named on stderr and in the provenance); repeatable.",
    )(command)
    return click.option(
        "--attribute",
        "attributes",
        multiple=True,
        metavar="COLUMN",
        help="Keep this column of the data as a row descriptor, e.g. a candidate indicator the grid does not "
        "have yet; repeatable.",
    )(command)


def note_ignored(dataset: Dataset) -> None:
    """Say on stderr which columns were left out on request, so nothing is dropped unseen."""
    if dataset.ignored:
        click.echo(f"Note: left out on request (--ignore): {', '.join(map(repr, dataset.ignored))}", err=True)


def format_by_suffix(
    chosen: str | None,
    output: Path | None,
    suffixes: Mapping[str, str],
    *,
    default: str,
    what: str = "format",
    preferred: Sequence[str] = (),
) -> str:
    """The output format: ``chosen`` (checked, with did-you-mean), else the one ``output``'s suffix names.

    ``suffixes`` maps each format to the suffix it writes (``{"html": ".html", ...}``). A chosen
    format whose suffix differs from a suffix another format writes is an error (an ``.xlsx`` file
    holding HTML helps nobody); a suffix no format writes is accepted when the format is chosen.
    Without ``chosen`` nor ``output`` the format is ``default``. When several formats write the
    suffix, the one in ``preferred`` (the core's) is taken, else the choice is asked for.
    """
    from vises.errors import ReportError, unknown_name_hint

    listing = ", ".join(f"{name} ({suffix})" for name, suffix in sorted(suffixes.items()))
    if chosen is not None and chosen not in suffixes:
        raise ReportError(f"unknown {what} {chosen!r}", hint=unknown_name_hint(chosen, suffixes))
    if output is None:
        return default if chosen is None else chosen
    suffix = output.suffix.lower()
    owners = sorted(name for name, written in suffixes.items() if written.lower() == suffix) if suffix else []
    if chosen is not None:
        if owners and chosen not in owners:
            expected = suffixes[chosen]
            raise ReportError(
                f"the output file {output.name!r} ends in {suffix}, the suffix of the {' / '.join(owners)} {what}, "
                f"not of {chosen!r} ({expected})",
                file=str(output),
                hint=f"name the file {output.with_suffix(expected).name}, or choose --format {owners[0]}",
            )
        return chosen
    if not owners:
        raise ReportError(
            f"cannot tell the {what} from the output file name {output.name!r}",
            file=str(output),
            hint=f"choose --format, or end the file name in the suffix of one: {listing}",
        )
    if len(owners) > 1:
        core = [name for name in owners if name in preferred]
        if len(core) == 1:
            return core[0]
        raise ReportError(
            f"several {what}s write {suffix} files: {', '.join(owners)}",
            file=str(output),
            hint=f"choose one with --format {owners[0]}",
        )
    return owners[0]
