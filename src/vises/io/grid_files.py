"""Grid files: TOML, YAML and JSON, read and written through the one model converter.

The format is the same in the three syntaxes (docs/grid-format.md): the top-level keys are the
``Grid`` fields plus the variant keys ``extends``, ``drop`` and ``weights``. Files are read by the
one document reader (``vises.io.documents``): a syntax error names the file, the line and the
column; a content error names the file and the path (``nodes[3].weight``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vises.errors import ConfigError
from vises.io.variants import Resolver, build_grid
from vises.model import Grid

PathLike = str | os.PathLike[str]


def _format_of(path: Path) -> str:
    from vises.io.documents import document_format

    return document_format(path, what="grid file")


def parse_text(text: str, fmt: str, *, file: str | None = None) -> Any:
    """Parse grid-file text in ``fmt`` (toml, yaml, json); a syntax error names the line and column."""
    from vises.io.documents import parse_document

    return parse_document(text, fmt, file=file)


def read_grid_data(path: PathLike) -> Any:
    """The plain data of a grid file (before any checking), chosen by suffix."""
    from vises.io.documents import read_document

    return read_document(path, what="grid file")


def grid_from_dict(data: Mapping[str, Any], *, file: str | None = None, resolve: Resolver | None = None) -> Grid:
    """Build a ``Grid`` from plain data (variant keys and catalogue ``use`` included)."""
    return build_grid(data, file=file, resolve=resolve)


def grid_to_dict(grid: Grid) -> dict[str, Any]:
    """Plain data for ``grid`` (defaults left out, methods as a name or a ``method`` table)."""
    from vises.io.converter import unstructure

    return dict(unstructure(grid))


def read_grid(path: PathLike, *, resolve: Resolver | None = None) -> Grid:
    """Read a grid file (.toml, .yaml/.yml, .json); ``resolve`` finds ``extends``/``use`` targets.

    ``extends`` may also name another grid file, relative to this one (``extends = "base.toml"``),
    so a federation can derive grids without writing a plugin; cycles are refused.

    Raises ``ConfigError`` for a file that cannot be read or parsed and ``GridValidationError``
    listing every content problem. The grid is not checked for consistency here
    (``vises.validation.grid.check_grid`` does that).
    """
    return _read(Path(path), resolve, chain=())


_GRID_SUFFIXES = (".toml", ".yaml", ".yml", ".json")


def _read(path: Path, resolve: Resolver | None, *, chain: tuple[Path, ...]) -> Grid:
    """Read one grid file; an ``extends`` that names a grid file is read relative to this one."""
    here = path.resolve()
    if here in chain:
        cycle = " -> ".join(str(p.name) for p in (*chain, here))
        raise ConfigError(f"grid files extend each other in a cycle: {cycle}", file=str(path), path="extends")

    def resolve_here(kind: str, key: str) -> Any:
        if kind == "grid" and Path(key).suffix.lower() in _GRID_SUFFIXES:
            base = Path(key) if Path(key).is_absolute() else path.parent / key
            if not base.is_file():
                raise ConfigError(
                    f"the base grid file {key!r} does not exist",
                    file=str(path),
                    path="extends",
                    hint="give a path relative to this grid file, or the name of a registered grid",
                )
            return _read(base, resolve, chain=(*chain, here))
        if resolve is None:
            raise ConfigError(
                f"cannot resolve {kind} {key!r} without the plugin registry",
                file=str(path),
                hint="load the grid with vises.load_grid, which knows the registered grids and indicators",
            )
        return resolve(kind, key)

    data = read_grid_data(path)
    return grid_from_dict(data, file=str(path), resolve=resolve_here)


def dump_grid(grid: Grid, fmt: str) -> str:
    """The text of ``grid`` in ``fmt`` (toml, yaml, json)."""
    data = grid_to_dict(grid)
    if fmt == "toml":
        import tomli_w

        return tomli_w.dumps(data)
    if fmt == "yaml":
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return str(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True))
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    raise ConfigError(f"unknown grid format {fmt!r}", hint="use toml, yaml or json")


def write_grid(grid: Grid, path: PathLike) -> Path:
    """Write ``grid`` to ``path`` atomically, in the syntax its suffix names."""
    from vises.io.atomic import write_text_atomic

    path = Path(path)
    try:
        text = dump_grid(grid, _format_of(path))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"grid {grid.code!r} cannot be written as {path.suffix}: {exc}", file=str(path)) from exc
    return write_text_atomic(path, text)


__all__ = ["dump_grid", "grid_from_dict", "grid_to_dict", "parse_text", "read_grid", "read_grid_data", "write_grid"]
