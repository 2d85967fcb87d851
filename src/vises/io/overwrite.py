"""What a command may replace when it writes a file: never an input, never a file of another kind.

Without ``--force``, a written file (``-o``, a CSV report's ``<file>.provenance.json`` sidecar, a
template) never replaces

- a file the command read: the data, the grid and every grid file it ``extends``, the
  evaluations file, the value map, nor the sidecar of one of them (``vises.io.read_log`` keeps the
  record; links and relative paths are resolved first);
- an existing file of another kind: a report replaces only an earlier report of the same kind
  (a CSV report is known by its sidecar, an xlsx report by its ``provenance`` sheet, a JSON
  report by its ``provenance`` or SROI keys), never a data file, a workbook, a template or a
  grid; a template replaces only a template (or a CSV layout) that holds no value yet, never a
  filled one; a chart (``vises plot``) replaces only a file of its own suffix, a weighting file
  (``vises weights -o``) only an earlier weighting file.

The checks read at most the first megabyte of a JSON file and the cells of a template, so they
cost nothing next to the command.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vises.errors import ConfigError, VisesError
from vises.limits import current_limits

#: The sidecar a CSV report gets beside it.
SIDECAR_SUFFIX = ".provenance.json"
_DOCUMENT_KEYS = {"nodes", "indicators", "extends", "outcomes", "stakeholders", "organisations", "evaluations"}
_SROI_KEYS = {"sroi_ratio", "present_value", "discount_factors"}


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def protected(read: Iterable[Path]) -> list[Path]:
    """The files a command read, and their sidecars."""
    found: list[Path] = []
    for path in read:
        found += [path, sidecar_of(path)]
    return found


def check_output(target: Path, *, read: Iterable[Path], writing: str, force: bool = False) -> None:
    """Refuse to write ``target`` (``writing``: ``report``, ``sidecar``, ``template``, ``chart``,
    ``weighting`` or ``data``) over an input or over an existing file of another kind, unless ``force``."""
    if force:
        return
    for source in protected(read):
        if _same(target, source):
            role = "the sidecar of an input" if source.name.endswith(SIDECAR_SUFFIX) else "an input"
            raise ConfigError(
                f"the output file is {role} of this command; refusing to overwrite it",
                file=str(target),
                hint="choose another -o file (or add --force to replace it anyway)",
            )
    if writing == "sidecar" or not target.exists():
        return
    if target.is_dir():
        raise ConfigError("the output is a folder", file=str(target), hint="give a file name")
    kind = existing_kind(target)
    allowed = _ALLOWED[writing](target)
    if kind not in allowed:
        new = {"template": "template", "chart": "chart", "weighting": "weighting file", "data": "data file"}.get(
            writing, "report"
        )
        raise ConfigError(
            f"refusing to replace {_DESCRIBED.get(kind, kind)} with a {new}",
            file=str(target),
            hint="choose another file name, or add --force to replace it",
        )


def _report_kinds(target: Path) -> set[str]:
    suffix = target.suffix.lower()
    return {
        ".csv": {"csv report"},
        ".tsv": {"csv report"},
        ".xlsx": {"xlsx report"},
        ".json": {"json report"},
        ".parquet": {"parquet report"},
    }.get(suffix, {f"file {suffix}"})


def _template_kinds(target: Path) -> set[str]:
    return {"empty template"}


def _chart_kinds(target: Path) -> set[str]:
    return {f"file {target.suffix.lower()}"}


def _weighting_kinds(target: Path) -> set[str]:
    return {"weighting"}


def _data_kinds(target: Path) -> set[str]:
    return set()  # collected values never silently replace an existing file


_ALLOWED = {
    "report": _report_kinds,
    "template": _template_kinds,
    "chart": _chart_kinds,
    "weighting": _weighting_kinds,
    "data": _data_kinds,
}
_DESCRIBED = {
    "data": "a data file",
    "workbook": "a workbook that is not a vises report",
    "template": "a filled template",
    "document": "a grid, value map or evaluations file",
    "json": "a JSON file that is not a vises report",
    "csv report": "a CSV report",
    "xlsx report": "an xlsx report",
    "json report": "a JSON report",
    "parquet report": "a Parquet report",
    "empty template": "an empty template",
    "weighting": "a weighting file",
}


def existing_kind(path: Path) -> str:
    """What an existing file is, as far as replacing it goes (see the module docstring)."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            if sidecar_of(path).exists():
                return "csv report"
            return "empty template" if not _csv_holds_values(path) else "data"
        if suffix == ".xlsx":
            return _xlsx_kind(path)
        if suffix in (".toml", ".yaml", ".yml"):
            return "weighting" if _is_weighting(path) else "document"
        if suffix == ".json":
            kind = _json_kind(path)
            return "weighting" if kind in ("json", "document") and _is_weighting(path) else kind
        if suffix in (".parquet", ".pq", ".arrow", ".feather", ".ipc"):
            return _arrow_kind(path)
    except (OSError, ValueError, VisesError):
        return "data" if suffix != ".json" else "json"
    return f"file {suffix}"


def _is_weighting(path: Path) -> bool:
    from vises.io.weighting_file import is_weighting_document

    return path.stat().st_size <= current_limits().document_bytes and is_weighting_document(path)


def _csv_holds_values(path: Path) -> bool:
    """Whether a CSV file has a value beyond its organisation and period columns (a filled table)."""
    from vises.io.csv_data import read_rows

    _, rows, _ = read_rows(path)
    return any(cell.strip() for row in rows for cell in row[2:])


def _xlsx_kind(path: Path) -> str:
    from vises.io.template_layout import META_SHEET
    from vises.io.xlsx_guard import inspect

    scan = inspect(path, limits=current_limits())
    if META_SHEET in scan.sheets:
        return "template" if _template_holds_values(path, scan) else "empty template"
    if "provenance" in scan.sheets:
        return "xlsx report"
    return "workbook"


def _template_holds_values(path: Path, scan: Any) -> bool:
    import openpyxl

    from vises.io.template_reader import holds_values

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return holds_values(workbook, scan, str(path))
    finally:
        workbook.close()


def _json_kind(path: Path) -> str:
    if path.stat().st_size > current_limits().document_bytes:
        return "json report"  # too large to be a document vises reads
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        data = json.loads(head.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        text = head.decode("utf-8", "replace")
        return "json report" if '"provenance"' in text else "json"
    if isinstance(data, dict):
        if "provenance" in data or _SROI_KEYS & set(data):
            return "json report"
        if _DOCUMENT_KEYS & set(data):
            return "document"
    return "json"


def _arrow_kind(path: Path) -> str:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return "data"
    if path.suffix.lower() in (".parquet", ".pq"):
        metadata = pq.read_schema(path).metadata or {}
        if any(key.startswith(b"vises.report") or key == b"vises.provenance" for key in metadata):
            return "parquet report"
    return "data"


__all__ = ["SIDECAR_SUFFIX", "check_output", "existing_kind", "protected", "sidecar_of"]
