"""The one reader of TOML, YAML and JSON documents: grids, evaluation framings, value maps.

Every document vises reads goes through ``read_document`` (a file, syntax chosen by suffix) or
``parse_document`` (text), so the three syntaxes behave alike: a syntax error says
``not valid TOML at line 3, column 7: ...`` (and names the syntax the file really has), the file
is UTF-8 (a BOM is fine), and the limits of ``vises.limits`` hold before any caller walks the
data: the file's size, the nesting depth of tables and lists, and for YAML the size after
aliases are expanded (a "billion laughs" document is refused, not expanded). YAML is read with
the safe loader only (libyaml's when installed): no tag can build a Python object.

Each file read is noted (``vises.io.read_log``) so commands can refuse to overwrite it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from vises.cache import parsed
from vises.errors import ConfigError, VisesError
from vises.io.read_log import note_read
from vises.limits import Limits, current_limits, exceeded

PathLike = str | os.PathLike[str]

#: File suffixes of documents and their syntax.
FORMATS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}

_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


def document_format(path: PathLike, *, what: str = "document", error: type[VisesError] = ConfigError) -> str:
    """``toml``, ``yaml`` or ``json`` from the suffix; another suffix is an ``error`` naming the file."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise error(
            f"unsupported {what} format {suffix or '(no suffix)'!r}",
            file=str(path),
            hint="use a .toml, .yaml/.yml or .json file",
        ) from None


def read_document(
    path: PathLike,
    *,
    what: str = "document",
    error: type[VisesError] = ConfigError,
    limits: Limits | None = None,
) -> Any:
    """The plain data of a document file (before any checking of its content).

    A missing, unreadable, non-UTF-8 or malformed file is an ``error`` (``ConfigError`` unless
    the caller has its own kind, e.g. ``SroiError``) naming the file; a file past a limit is a
    ``LimitError``.
    """
    path = Path(path)
    file = str(path)
    fmt = document_format(path, what=what, error=error)
    limits = limits or current_limits()
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limits.document_bytes:
                raise exceeded(
                    "document_bytes", size, f"the {what} has {size:,} bytes, which", limits=limits, file=file
                )
            raw = handle.read(limits.document_bytes + 1)
    except FileNotFoundError:
        raise error(f"cannot read the {what}: file not found", file=file, hint="check the path") from None
    except IsADirectoryError:
        raise error(f"the {what} path is a folder, not a file", file=file) from None
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", file=file) from exc
    if len(raw) > limits.document_bytes:  # the file grew while being read
        raise exceeded("document_bytes", len(raw), f"the {what} has more bytes, which", limits=limits, file=file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"the {what} is not UTF-8 text (byte {exc.start})", file=file, hint="save the file as UTF-8"
        ) from exc
    note_read(path)
    return parse_document(text, fmt, file=file, error=error, limits=limits)


def parse_document(
    text: str,
    fmt: str,
    *,
    file: str | None = None,
    error: type[VisesError] = ConfigError,
    limits: Limits | None = None,
) -> Any:
    """Parse ``text`` in ``fmt`` (toml, yaml, json), checking the limits; errors give line and column."""
    limits = limits or current_limits()
    if len(text) > limits.document_bytes:
        raise exceeded("document_bytes", len(text), "the document's size", limits=limits, file=file)
    try:
        if fmt == "toml":
            data = _toml(text, file=file, error=error)
        elif fmt == "json":
            data = _json(text, file=file, error=error)
        elif fmt == "yaml":
            data = _yaml(text, file=file, error=error, limits=limits)
        else:
            raise error(f"unknown document syntax {fmt!r}", file=file, hint="use toml, yaml or json")
    except RecursionError:
        raise exceeded(
            "document_depth", "thousands of levels", "the nesting of tables and lists", limits=limits, file=file
        ) from None
    check_shape(data, limits=limits, file=file, expand=fmt == "yaml" and "&" in text)
    return data


def _syntax_error(
    error: type[VisesError], fmt: str, line: int | None, column: int | None, problem: str, file: str | None
) -> VisesError:
    where = f" at line {line}, column {column}" if line is not None and column is not None else ""
    problem = " ".join(problem.split())
    return error(
        f"not valid {fmt.upper()}{where}: {problem}",
        file=file,
        hint=f"fix the {fmt.upper()} syntax there (is the file really {fmt.upper()}? the suffix chooses the syntax)",
    )


def _toml(text: str, *, file: str | None, error: type[VisesError]) -> Any:
    import tomllib

    try:
        return parsed("toml", text, tomllib.loads)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        found = _TOML_WHERE.search(message)
        if found:
            line, column = int(found[1]), int(found[2])
            message = message[: found.start()]
        elif _TOML_END.search(message):
            lines = text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
            message = _TOML_END.sub("", message) + " (at the end of the file)"
        raise _syntax_error(error, "toml", line, column, message, file) from exc


def _json(text: str, *, file: str | None, error: type[VisesError]) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _syntax_error(error, "json", exc.lineno, exc.colno, exc.msg, file) from exc


def _yaml(text: str, *, file: str | None, error: type[VisesError], limits: Limits) -> Any:
    import yaml

    # The safe loader only (libyaml's C version when present): plain data, no Python objects.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = str(getattr(exc, "problem", None) or exc)
        if "nesting depth" in problem:
            raise exceeded(
                "document_depth", "over a thousand levels", "the nesting of tables and lists", limits=limits, file=file
            ) from None
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise _syntax_error(error, "yaml", line, column, problem, file) from exc


def check_shape(data: Any, *, limits: Limits | None = None, file: str | None = None, expand: bool = False) -> None:
    """Refuse data nested deeper than ``document_depth``, and with ``expand`` (YAML with anchors)
    data whose size with every alias expanded passes ``document_bytes`` or that contains itself.

    Walks containers without recursion; a container reached twice (a YAML alias) is measured once.
    """
    limits = limits or current_limits()
    depth_limit = limits.document_depth
    measured: dict[int, tuple[int, int]] = {}  # id -> (expanded size, height)
    open_now: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(data, 1, False)]
    while stack:
        item, depth, closing = stack.pop()
        key = id(item)
        if closing:
            open_now.discard(key)
            size, height = 1, 1
            for child in _children(item):
                if isinstance(child, (dict, list)):
                    child_size, child_height = measured[id(child)]
                    size += child_size
                    height = max(height, child_height + 1)
                else:
                    size += _scalar_size(child)
            measured[key] = (size, height)
            if expand and size > limits.document_bytes:
                raise exceeded(
                    "document_bytes",
                    size,
                    "the document's size with its YAML aliases expanded",
                    limits=limits,
                    file=file,
                )
            continue
        if key in measured:
            if depth + measured[key][1] - 1 > depth_limit:
                raise exceeded("document_depth", depth + measured[key][1] - 1, "the nesting", limits=limits, file=file)
            continue
        if key in open_now:
            raise ConfigError(
                "the document contains itself (a YAML alias inside the anchor it refers to)",
                file=file,
                hint="write the repeated part out, or point the alias at a finished anchor",
            )
        if depth > depth_limit:
            raise exceeded("document_depth", depth, "the nesting of tables and lists", limits=limits, file=file)
        open_now.add(key)
        stack.append((item, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(item) if isinstance(child, (dict, list)))


def _children(item: Any) -> Any:
    if isinstance(item, dict):
        return [*item.keys(), *item.values()]
    if isinstance(item, list):
        return item
    return ()


def _scalar_size(value: Any) -> int:
    return len(value) + 1 if isinstance(value, (str, bytes)) else 1


__all__ = ["FORMATS", "check_shape", "document_format", "parse_document", "read_document"]
