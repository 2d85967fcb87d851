"""CSV (and TSV) datasets in the wide layout: one row per organisation and period.

The header is read first (with the csv module, from the file's first bytes): it gives the
delimiter (``;``, tab or ``,``), the units row if there is one (first cell ``unit``, ``units``,
``unité`` or ``eenheid``) and the plan of the columns (``vises.io.layout``). The whole file is then
read by pyarrow's multi-threaded C parser, every column as text, and each number column parsed at
C speed (``vises.io.arrow_cells``); identifier and text columns are never parsed as numbers. A
``;`` file takes a decimal comma and thousands grouped before it (``1.234,5``, ``1 234,5``) in its
number columns only.

Without pyarrow (it comes with the ``parquet`` extra), or for a file pyarrow cannot take as a
regular table (rows with a different number of cells than the header), the csv module reads it
and ``vises.io.frames`` applies the same rules: same answers, slower. Files are UTF-8 (a BOM is
fine); a file that is not UTF-8 but is Windows-1252 text (as Excel writes "CSV (séparateur:
point-virgule)" on Windows in Belgium and France) is read as such.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.errors import DataError, DataValidationError, VisesError
from vises.io.frames import ATTRIBUTE_COLUMNS, build_dataset, finish
from vises.io.layout import NOTHING, Declared
from vises.io.read_log import note_read
from vises.io.template_csv import under_grid
from vises.io.template_line import TemplateLine, after_template_line, read_template_line
from vises.limits import Limits, current_limits, exceeded
from vises.model import Dataset, Grid

PathLike = str | os.PathLike[str]

UNIT_ROW_MARKERS = ("unit", "units", "unité", "unite", "unités", "eenheid", "eenheden")

#: How much of the file is decoded to find the header, the units row and the delimiter.
_PEEK_BYTES = 1 << 20
#: Rows at least this many cells x rows go through pyarrow's threads for the number columns too.
_PARALLEL_CELLS = 2_000_000
#: Bytes that only UTF-8 text contains in a valid multi-byte sequence (to spot a mixed file).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def sniff_delimiter(first_line: str, suffix: str) -> str:
    """Tab for .tsv; otherwise whichever of ``;``, tab and ``,`` the header uses most (``,`` on ties)."""
    if suffix.lower() == ".tsv":
        return "\t"
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts.values())
    if best == 0 or counts[","] == best:
        return ","
    return ";" if counts[";"] == best else "\t"


@attrs.frozen(kw_only=True)
class Header:
    """What the first rows of a file say: delimiter, encoding, header cells, units row."""

    delimiter: str
    encoding: str
    #: The header's cells, stripped, and as written.
    cells: tuple[str, ...]
    raw_cells: tuple[str, ...]
    units: dict[str, str | None]
    has_units_row: bool
    #: Whether the file has a quote character at all (then values may hold newlines).
    quoted: bool
    #: The first megabyte of the file (whole lines): a sample of which columns hold plain numbers.
    peek: bytes = b""
    #: Whether ``peek`` is the whole file.
    complete: bool = False
    #: A CSV template's metadata line, the file's first line (``vises.io.template_line``).
    template: TemplateLine | None = None

    @property
    def header_row(self) -> int:
        """The header's spreadsheet row: 1, or 2 below a template's metadata line."""
        return 1 if self.template is None else 2

    @property
    def first_row(self) -> int:
        """The spreadsheet row of the first data row (below the header and the units row)."""
        return self.header_row + (2 if self.has_units_row else 1)


def _decode(raw: bytes, file: str) -> tuple[str, str]:
    """Text and encoding: UTF-8 (BOM or not), else Windows-1252 when the bytes are that and only that."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(raw):
            raise DataError(
                f"the file mixes UTF-8 with another encoding (byte {exc.start} is not UTF-8)",
                file=file,
                hint="save it again as 'CSV UTF-8' from Excel or LibreOffice",
            ) from exc
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise DataError(
                f"the file is neither UTF-8 nor Windows-1252 text (byte {exc.start})",
                file=file,
                hint="save it as 'CSV UTF-8'",
            ) from exc


def _open_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError("data file not found", file=str(path), hint="check the path") from None
    except IsADirectoryError:
        raise DataError("the data path is a folder, not a file", file=str(path)) from None
    except OSError as exc:
        raise DataError(f"cannot read the data file: {exc.strerror or exc}", file=str(path)) from exc


def read_header(path: Path, *, delimiter: str | None = None, limits: Limits | None = None) -> Header:
    """The header, units row, delimiter and encoding, from the first megabyte of the file."""
    file = str(path)
    limits = limits or current_limits()
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            head = handle.read(_PEEK_BYTES)
            quoted = _has_quote(handle) if size > _PEEK_BYTES else b'"' in head
            quoted = quoted or b'"' in head
    except FileNotFoundError:
        raise DataError("data file not found", file=file, hint="check the path") from None
    except IsADirectoryError:
        raise DataError("the data path is a folder, not a file", file=file) from None
    except OSError as exc:
        raise DataError(f"cannot read the data file: {exc.strerror or exc}", file=file) from exc
    complete = size <= len(head)
    if not complete:  # cut at the last line end, so no character or row is cut in half
        head = head[: head.rfind(b"\n") + 1] or head
    text, encoding = _decode(head, file)
    template = read_template_line(text, file)
    if template is not None:
        text = after_template_line(text)
    first_line = text.split("\n", 1)[0]
    if not text.strip() or not first_line.strip():
        raise DataError("the file is empty or its first line (the header) is blank", file=file)
    delimiter = delimiter or sniff_delimiter(first_line, path.suffix)
    rows = _rows(text, delimiter, file, limits, stop=2, partial=not complete, first_row=1 if template is None else 2)
    raw_cells = tuple(rows[0]) if rows else ()
    header = tuple(cell.strip() for cell in raw_cells)
    units: dict[str, str | None] = {}
    has_units_row = len(rows) > 1 and bool(rows[1]) and rows[1][0].strip().lower() in UNIT_ROW_MARKERS
    if has_units_row:
        units = {name: cell.strip() or None for name, cell in zip(header[1:], rows[1][1:], strict=False)}
    return Header(
        delimiter=delimiter,
        encoding=encoding,
        cells=header,
        raw_cells=raw_cells,
        units=units,
        has_units_row=has_units_row,
        quoted=quoted,
        peek=head,
        complete=complete,
        template=template,
    )


def _has_quote(handle: Any) -> bool:
    try:
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b'"') >= 0
    except (OSError, ValueError):
        return True


def _rows(
    text: str,
    delimiter: str,
    file: str,
    limits: Limits,
    *,
    stop: int | None = None,
    partial: bool = False,
    first_row: int = 1,
) -> list[list[str]]:
    """Records of ``text`` (quoted newlines kept), refusing a field past ``limits.field_chars``.

    ``partial``: ``text`` is the start of the file, so a malformed last record is left out;
    ``first_row``: the spreadsheet row of ``text``'s first line, for messages."""
    if csv.field_size_limit() < limits.field_chars + 1:
        csv.field_size_limit(limits.field_chars + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if stop is not None and len(rows) >= stop:
                break
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise exceeded(
                "field_chars", f"more than {limits.field_chars:,}", "a cell's length", limits=limits, file=file
            ) from None
        if not (partial and rows):
            raise DataError(
                f"the file is not valid CSV: {exc}", file=file, row=reader.line_num + first_row - 1
            ) from exc
    for number, row in enumerate(rows, start=first_row):
        for index, cell in enumerate(row):
            if len(cell) > limits.field_chars:
                raise exceeded(
                    "field_chars",
                    len(cell),
                    "a cell's length in characters",
                    limits=limits,
                    file=file,
                    row=number,
                    column=f"column {index + 1}",
                )
    return rows


def read_rows(path: PathLike, *, delimiter: str | None = None) -> tuple[list[str], list[list[str]], str]:
    """Header and rows of a delimited text file (blank lines skipped), and the delimiter used."""
    path = Path(path)
    limits = current_limits()
    head = read_header(path, delimiter=delimiter, limits=limits)
    note_read(path)
    header, rows = _python_rows(path, head, limits=limits)
    return header, [row for _, row in rows if any(cell.strip() for cell in row)], head.delimiter


def _python_rows(path: Path, head: Header, *, limits: Limits) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and every record with its spreadsheet row (the header is row 1), with the csv module."""
    file = str(path)
    text, _ = _decode(_open_bytes(path), file)
    if head.template is not None:
        text = after_template_line(text)
    records = _rows(text, head.delimiter, file, limits, first_row=head.header_row)
    header = [cell.strip() for cell in records[0]]
    first = head.first_row
    body = records[first - head.header_row :]
    return header, [(first + offset, row) for offset, row in enumerate(body)]


def read_csv(
    path: PathLike,
    *,
    grid: Grid | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    delimiter: str | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    keep_problems: bool = False,
    engine: str | None = None,
    declared: Declared = NOTHING,
) -> Dataset:
    """Read a wide CSV file into a ``Dataset``; every problem is reported at once.

    With a grid, scale/binary/category columns become text checked against the levels and
    quantity columns numbers; without one, columns whose filled cells are all numbers become
    numbers and the others text. Without a period column every row gets the period ``"all"``.
    Rows in messages are spreadsheet rows (the header is row 1, or 2 below a CSV template's
    metadata line, which is checked against ``grid``: ``vises.io.template_csv``). A cell that cannot be read is
    left missing and its problem kept in ``Dataset.read_problems`` with ``keep_problems``, else
    the problems are raised together. ``engine`` is ``"arrow"`` or ``"python"`` (default: arrow
    when pyarrow is installed and the file is larger than ``SMALL_FILE_BYTES``).
    """
    path = Path(path)
    limits = current_limits()
    head = read_header(path, delimiter=delimiter, limits=limits)
    note_read(path)
    # A CSV template: refused under another grid; of another version, read with a note (template_csv).
    template = under_grid(
        head.template,
        head.cells,
        grid=grid,
        declared=declared,
        file=str(path),
        units=head.units,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
    )
    if template is not None:
        declared = template.declared
    options: dict[str, Any] = {
        "grid": grid,
        "id_column": id_column,
        "period_column": period_column,
        "attributes": attributes,
        "limits": limits,
        "declared": declared,
    }
    if engine is None:
        engine = _default_engine(path)
    if engine == "arrow":
        from vises.io.arrow_csv import IrregularFile, read_arrow_csv

        try:
            dataset = read_arrow_csv(path, head, **options)
        except IrregularFile:
            dataset = _read_python(path, head, **options)
    elif engine == "python":
        dataset = _read_python(path, head, **options)
    else:
        raise DataError(f"unknown CSV engine {engine!r}", hint="use 'arrow' or 'python'")
    if template is not None:
        dataset = template.finish(dataset)
    return finish(dataset, keep_problems=keep_problems)


# Below this size the csv module reads the file faster than pyarrow is imported (about 60 ms).
SMALL_FILE_BYTES = 256 * 1024


def _default_engine(path: Path) -> str:
    """``"python"`` for a small file or without pyarrow, else ``"arrow"``: the answers are the same."""
    try:
        if path.stat().st_size <= SMALL_FILE_BYTES:
            return "python"
    except OSError:
        pass  # the reader names the file when it cannot open it
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "python"
    return "arrow"


def _read_python(
    path: Path,
    head: Header,
    *,
    grid: Grid | None,
    id_column: str | None,
    period_column: str | None,
    attributes: Sequence[str],
    limits: Limits,
    declared: Declared = NOTHING,
) -> Dataset:
    file = str(path)
    header, numbered = _python_rows(path, head, limits=limits)
    if not any(header):
        raise DataError("the header row has no column names", file=file, row=head.header_row)
    width = len(header)
    problems: list[VisesError] = []
    kept: list[list[str]] = []
    rows: list[int] = []
    for line, row in numbered:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(
                DataError(
                    f"the row has {len(row)} cells but the header has {width}",
                    file=file,
                    row=line,
                    hint="check for a stray delimiter or a missing header",
                )
            )
            continue
        kept.append((row + [""] * (width - len(row)))[:width])
        rows.append(line)
    if problems:
        raise DataValidationError(problems, what=f"data {file!r}")
    first_row = head.first_row
    if not kept:
        raise DataError(
            "the file has a header but no data rows",
            file=file,
            row=first_row,
            hint="add one row per organisation and period below the header",
        )
    # Unnamed columns get distinct blank names (the plan reads them as unnamed).
    raw_names = [name or " " * (index + 1) for index, name in enumerate(header)]
    if len(set(raw_names)) != len(raw_names):  # a repeated header: the plan says which, and stops
        from vises.io.layout import plan_columns

        plan_columns(raw_names, grid=grid, units=head.units, file=file, header_row=head.header_row)
    columns: dict[str, Any] = {}
    for index, name in enumerate(raw_names):
        cells = np.empty(len(kept), dtype=object)
        cells[:] = [row[index] for row in kept]
        columns[name] = cells
    row_numbers = np.asarray(rows, dtype=np.int64)
    consecutive = row_numbers[-1] - row_numbers[0] + 1 == len(row_numbers) and row_numbers[0] == first_row
    return build_dataset(
        columns,
        grid=grid,
        units=head.units,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        file=file,
        first_row=first_row,
        decimal_comma=head.delimiter == ";",
        rows=None if consecutive else row_numbers,
        keep_problems=True,
        limits=limits,
        declared=declared,
        header_row=head.header_row,
    )


__all__ = ["UNIT_ROW_MARKERS", "Header", "read_csv", "read_header", "read_rows", "sniff_delimiter"]
