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
import numpy as np

from vises.errors import DataError
from vises.limits import Limits, current_limits, exceeded

_CHUNK = 1 << 20
#: Sheet parts kept from ``inspect`` for the scans (larger ones are inflated again when scanned).
_KEEP = 256 << 20
_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_RELATION_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'([\w.:-]+)\s*=\s*"([^"]*)"')
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
    #: Sheet parts already inflated by ``inspect`` (up to ``_KEEP`` bytes in all).
    parts: dict[str, bytes] = attrs.field(factory=dict)

    def sheet(self, name: str) -> SheetScan:
        """The real extent of sheet ``name``; past ``xlsx_cells`` is a ``LimitError`` naming the far cell."""
        member = self.sheets[name]
        data = self.parts.get(member)
        if data is None:
            data = _inflate(self.path, member, self.limits)
        fast = _scan_standard(data)
        if fast is not None:
            rows, columns, formulas = fast
            uncomputed = _uncomputed(data, formulas) if len(formulas) else ()
        else:
            rows, columns = _extent_slow(data)
            uncomputed = _uncomputed(data, None)
        scan = SheetScan(name=name, rows=rows, columns=columns, uncomputed=uncomputed)
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
        parts: dict[str, bytes] = {}
        kept = 0
        for info in archive.infolist():
            keep = info.filename.startswith("xl/worksheets/") and kept + info.file_size <= _KEEP
            pieces: list[bytes] = []
            try:
                with archive.open(info) as stream:
                    while chunk := stream.read(_CHUNK):
                        if keep:
                            pieces.append(chunk)
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
            if keep:
                parts[info.filename] = b"".join(pieces)
                kept += len(parts[info.filename])
        sheets = _sheets(archive, file)
    return WorkbookScan(path=path, sheets=sheets, limits=limits, parts=parts)


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


#: Bytes that may follow a tag name: space, tab, newline, carriage return, '>' and '/'.
_AFTER_NAME = np.array([32, 9, 10, 13, 62, 47], dtype=np.uint8)


def _scan_standard(data: bytes) -> tuple[int, int, np.ndarray] | None:
    """Extent and formula tags of a sheet whose every cell tag is ``<c r="A1"...`` (as Excel,
    LibreOffice and openpyxl write them), in a few vectorised passes over the bytes; ``None``
    for any other spelling (prefixes, attributes in another order, cells without a reference)."""
    if b":c " in data or b":c>" in data or b":c/" in data:
        return None
    size = len(data)
    raw = np.frombuffer(data, dtype=np.uint8)
    padded = np.concatenate([raw, np.zeros(16, dtype=np.uint8)])
    opens = np.flatnonzero(raw == 60)  # '<'
    name = padded[opens + 1]
    ends = np.isin(padded[opens + 2], _AFTER_NAME)
    cells = opens[(name == 99) & ends]  # '<c' + delimiter
    formulas = opens[(name == 102) & ends]  # '<f' + delimiter
    if not len(cells):
        return 0, 0, formulas
    plain = (
        (padded[cells + 2] == 32) & (padded[cells + 3] == 114) & (padded[cells + 4] == 61) & (padded[cells + 5] == 34)
    )
    if not plain.all():
        return None
    start = cells + 6
    letters = np.zeros(len(cells), dtype=np.int64)
    count = np.zeros(len(cells), dtype=np.int64)
    for offset in range(3):
        byte = padded[start + offset].astype(np.int64)
        upper = (byte >= 65) & (byte <= 90) & (count == offset)
        letters = np.where(upper, letters * 26 + byte - 64, letters)
        count += upper
    rows = np.zeros(len(cells), dtype=np.int64)
    digits = np.zeros(len(cells), dtype=np.int64)
    for offset in range(8):
        byte = padded[start + count + offset].astype(np.int64)
        digit = (byte >= 48) & (byte <= 57) & (digits == offset)
        rows = np.where(digit, rows * 10 + byte - 48, rows)
        digits += digit
    closed = padded[start + count + digits] == 34
    if not (closed.all() and (count > 0).all() and (digits > 0).all() and (digits <= 7).all()) or size == 0:
        return None
    return int(rows.max()), int(letters.max()), formulas


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


def _uncomputed(data: bytes, formulas: np.ndarray | None) -> tuple[str, ...]:
    """References of formula cells that hold no computed value (``formulas``: their tags' offsets)."""
    if formulas is None:
        starts = [match.start() for match in _FORMULA.finditer(data)] if b"f" in data else []
    else:
        starts = [int(offset) for offset in formulas]
    found: list[str] = []
    for offset in starts:
        start = max(data.rfind(b"<c ", 0, offset), data.rfind(b"<c>", 0, offset))
        prefixed = data.rfind(b":c ", 0, offset)
        if prefixed >= 0:
            start = max(start, data.rfind(b"<", 0, prefixed))
        close = _CELL_END.search(data, offset)
        if start < 0 or close is None:
            continue
        cell = data[start : close.end()]
        if _VALUE.search(cell):
            continue
        ref = re.search(rb'\br="([A-Z]{1,3}[0-9]{1,7})"', cell[: cell.find(b">") + 1])
        found.append(ref[1].decode("ascii") if ref else "?")
    return tuple(found)


__all__ = ["SheetScan", "WorkbookScan", "column_letters", "column_number", "inspect"]
