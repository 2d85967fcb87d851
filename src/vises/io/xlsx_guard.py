"""Look inside an xlsx file before a spreadsheet library does: size, real extent, formulas.

An xlsx file is a zip of XML parts. Two small files can cost a spreadsheet library gigabytes: a
zip bomb (parts that inflate a thousandfold), and a sheet with one stray cell at the last row and
column (``XFD1048576``), which makes a dense reader such as calamine allocate every cell between
``A1`` and it (17 billion cells: the process is killed). So before any library opens the file,
``inspect`` inflates every part once, counting the bytes it really gets (not the sizes the zip
declares), and ``WorkbookScan.sheet`` finds the real extent of a sheet from the references of the
cells it holds, and the formula cells that carry no computed value (a library would read them as
empty). Both stop with a ``LimitError`` naming the file (and the far cell) past
``Limits.xlsx_bytes`` and ``Limits.xlsx_cells``.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path, PurePosixPath

import attrs

from vises.errors import DataError
from vises.limits import Limits, current_limits, exceeded

_CHUNK = 1 << 20
_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_RELATION_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'([\w.:-]+)\s*=\s*"([^"]*)"')
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>[^<]|<(?:[\w.-]+:)?is>")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c>")
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")


def column_number(letters: str) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27, ``XFD`` -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """1 -> ``A``, 27 -> ``AA``."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@attrs.frozen(kw_only=True)
class SheetScan:
    """What a sheet really holds: its extent (from ``A1``) and the formula cells without a value."""

    name: str
    rows: int
    columns: int
    #: References (``D7``) of formula cells whose result was never computed (no cached value).
    uncomputed: tuple[str, ...] = ()

    @property
    def far_cell(self) -> str:
        return f"{column_letters(self.columns)}{self.rows}" if self.rows and self.columns else "A1"


@attrs.frozen(kw_only=True)
class WorkbookScan:
    path: Path
    #: Sheet name -> its part in the zip, in the workbook's order.
    sheets: dict[str, str]
    limits: Limits

    def sheet(self, name: str) -> SheetScan:
        """The real extent of sheet ``name``; past ``xlsx_cells`` is a ``LimitError`` naming the far cell."""
        member = self.sheets[name]
        data = _inflate(self.path, member, self.limits)
        if _standard(data):
            rows, columns = _extent_fast(data)
        else:
            rows, columns = _extent_slow(data)
        scan = SheetScan(name=name, rows=rows, columns=columns, uncomputed=_uncomputed(data))
        if rows * columns > self.limits.xlsx_cells:
            raise exceeded(
                "xlsx_cells",
                rows * columns,
                f"sheet {name!r} reaches cell {scan.far_cell}: its real extent in cells (rows × columns from A1)",
                limits=self.limits,
                file=str(self.path),
                sheet=name,
            ) from None
        return scan


def inspect(path: Path, *, limits: Limits | None = None) -> WorkbookScan:
    """Open ``path`` as a zip, inflate every part once (bounded), and list its sheets."""
    limits = limits or current_limits()
    file = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError(
            f"cannot open as an xlsx workbook: {exc}", file=file, hint="save the file as .xlsx (Excel workbook)"
        ) from exc
    with archive:
        declared = sum(info.file_size for info in archive.infolist())
        if declared > limits.xlsx_bytes:
            raise exceeded(
                "xlsx_bytes", declared, "the size the workbook inflates to, in bytes", limits=limits, file=file
            )
        total = 0
        for info in archive.infolist():
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > limits.xlsx_bytes:
                            raise exceeded(
                                "xlsx_bytes",
                                f"more than {limits.xlsx_bytes:,}",
                                "the size the workbook inflates to, in bytes",
                                limits=limits,
                                file=file,
                            )
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                raise DataError(
                    f"the workbook is damaged (part {info.filename!r}: {exc})",
                    file=file,
                    hint="open and save it again in Excel or LibreOffice",
                ) from exc
        sheets = _sheets(archive, file)
    return WorkbookScan(path=path, sheets=sheets, limits=limits)


def _sheets(archive: zipfile.ZipFile, file: str) -> dict[str, str]:
    try:
        workbook = archive.read("xl/workbook.xml")
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError as exc:
        raise DataError(
            "not an xlsx workbook (no xl/workbook.xml)", file=file, hint="save the file as .xlsx (Excel workbook)"
        ) from exc
    targets: dict[str, str] = {}
    for match in _RELATION_TAG.finditer(relations):
        found = _attributes(match[1])
        if "Id" in found and "Target" in found:
            target = found["Target"]
            path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            targets[found["Id"]] = path
    sheets: dict[str, str] = {}
    for match in _SHEET_TAG.finditer(workbook):
        found = _attributes(match[1])
        relation = next((value for key, value in found.items() if key.endswith(":id") or key == "id"), None)
        name = found.get("name")
        if name is not None and relation in targets and targets[relation] in archive.namelist():
            sheets[name] = targets[relation]
    return sheets


def _attributes(raw: bytes) -> dict[str, str]:
    return {
        key.decode("utf-8", "replace"): html.unescape(value.decode("utf-8", "replace"))
        for key, value in _ATTRIBUTE.findall(raw)
    }


def _inflate(path: Path, member: str, limits: Limits) -> bytes:
    with zipfile.ZipFile(path) as archive, archive.open(member) as stream:
        return stream.read(limits.xlsx_bytes + 1)


def _standard(data: bytes) -> bool:
    """Every cell tag is a plain ``<c r="...">`` (as Excel, LibreOffice and openpyxl write them)."""
    if b":c " in data or b":c>" in data or b":c/" in data:
        return False
    plain = data.count(b'<c r="')
    return plain == data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")


def _extent_fast(data: bytes) -> tuple[int, int]:
    refs = _CELL_REF.findall(data)
    if not refs:
        return 0, 0
    letters = max({letters for letters, _ in refs}, key=lambda text: (len(text), text))
    rows = max(int(number) for number in {number for _, number in refs})
    return rows, column_number(letters.decode("ascii"))


def _extent_slow(data: bytes) -> tuple[int, int]:
    """Any spelling of the tags (prefixes, attributes in any order, cells without a reference)."""
    rows = columns = 0
    row = 0
    column = 0
    for match in re.finditer(rb"<(?:[\w.-]+:)?(row|c)\b([^>]*?)(/?)>", data):
        attributes = _attributes(match[2])
        if match[1] == b"row":
            row = int(attributes["r"]) if attributes.get("r", "").isdigit() else row + 1
            column = 0
            rows = max(rows, row)
            continue
        ref = _REF.fullmatch(attributes.get("r", "").encode("ascii", "replace"))
        if ref:
            column = column_number(ref[1].decode("ascii"))
            rows = max(rows, int(ref[2]))
        else:
            column += 1
            rows = max(rows, row)
        columns = max(columns, column)
    return rows, columns


def _uncomputed(data: bytes) -> tuple[str, ...]:
    """References of formula cells that hold no computed value."""
    if b"<f" not in data and b":f" not in data:
        return ()
    found: list[str] = []
    for match in _FORMULA.finditer(data):
        start = max(data.rfind(b"<c ", 0, match.start()), data.rfind(b"<c>", 0, match.start()))
        prefixed = data.rfind(b":c ", 0, match.start())
        if prefixed >= 0:
            start = max(start, data.rfind(b"<", 0, prefixed))
        close = _CELL_END.search(data, match.end())
        if start < 0 or close is None:
            continue
        cell = data[start : close.end()]
        if _VALUE.search(cell):
            continue
        ref = re.search(rb'\br="([A-Z]{1,3}[0-9]{1,7})"', cell[: cell.find(b">") + 1])
        found.append(ref[1].decode("ascii") if ref else "?")
    return tuple(found)


__all__ = ["SheetScan", "WorkbookScan", "column_letters", "column_number", "inspect"]
