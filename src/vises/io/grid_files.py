"""Grid files: TOML, YAML and JSON, read and written through the one model converter.

The format is the same in the three syntaxes (docs/grid-format.md): the top-level keys are the
``Grid`` fields plus the variant keys ``extends``, ``drop`` and ``weights``. A syntax error names
the file and the line; a content error names the file and the path (``nodes[3].weight``).
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

SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def _format_of(path: Path) -> str:
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise ConfigError(
            f"unknown grid file type {path.suffix or '(no suffix)'!r}",
            file=str(path),
            hint="use .toml, .yaml, .yml or .json",
        ) from None


def parse_text(text: str, fmt: str, *, file: str | None = None) -> Any:
    """Parse grid-file text in ``fmt`` (toml, yaml, json); a syntax error names the line."""
    if fmt == "toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                f"invalid TOML: {exc}", file=file, hint="fix the syntax at the line and column given"
            ) from exc
    if fmt == "yaml":
        import yaml

        try:
            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"invalid YAML{where}: {problem}", file=file) from exc
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=file) from exc
    raise ConfigError(f"unknown grid format {fmt!r}", file=file, hint="use toml, yaml or json")


def read_grid_data(path: PathLike) -> Any:
    """The plain data of a grid file (before any checking), chosen by suffix."""
    path = Path(path)
    fmt = _format_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("grid file not found", file=str(path), hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"grid file is not UTF-8 text (byte {exc.start})", file=str(path), hint="save the file as UTF-8"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read grid file: {exc.strerror}", file=str(path)) from exc
    return parse_text(text, fmt, file=str(path))


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
