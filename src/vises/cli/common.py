"""What the commands share: options spelt the same everywhere, tables, JSON, progress, the registry.

Only click and light vises modules are imported here, so loading a command to list it in
``vises --help`` costs nothing.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
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


def refuse_overwriting_input(output: Path, data: Path, grid_name: str) -> None:
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
