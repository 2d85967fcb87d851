"""What the commands share: options spelt the same everywhere, tables, JSON, progress, the registry.

Only click and light vises modules are imported here, so loading a command to list it in
``vises --help`` costs nothing.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from vises.errors import ReportError

if __import__("typing").TYPE_CHECKING:  # pragma: no cover
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
    """The format, checked before any work is done; an unknown one lists what is available."""
    found = registry()
    if name not in found.report_formats:
        available = (
            ", ".join(sorted(found.report_formats))
            or "none (the report plugins failed to load; see 'vises plugins --all')"
        )
        raise ReportError(f"unknown report format {name!r}", hint=f"available formats: {available}")
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
