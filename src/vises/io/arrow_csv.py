"""CSV read by pyarrow's C parser: every column as text, number columns parsed in C.

``vises.io.csv_data`` has read the header and planned the columns; this reads the whole file
with ``pyarrow.csv`` on all cores, keeping every cell as written (identifiers such as ``001`` or
``362 521 879`` are never touched), drops rows whose every cell is blank (as the csv reader does,
keeping the spreadsheet row numbers of the others) and converts each planned column with
``ArrowCells``. A file pyarrow cannot take as a regular table (a row with more or fewer cells than
the header, a row longer than the largest block) raises ``IrregularFile``, and the csv module
reads it instead.
"""

from __future__ import annotations

import io
import mmap
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from vises.errors import DataError, VisesError
from vises.io.arrow_cells import MISSING_SPELLINGS, ArrowCells, in_parallel, to_float_array
from vises.io.arrow_numpy import FALSE, TRUE, integers, strings, text_scalar, to_numpy
from vises.io.cells import NUMBER, Place
from vises.io.frames import assemble
from vises.io.layout import NOTHING, Declared, Plan, Planned, Role, plan_columns
from vises.limits import Limits
from vises.model import Column, Dataset, Grid

if TYPE_CHECKING:  # pragma: no cover
    from vises.io.csv_data import Header

#: Blocks parsed in parallel (pyarrow's default first); a row longer than the largest is irregular.
_BLOCK_SIZES = (1 << 20, 1 << 26)
#: The start of the file sampled for columns of plain numbers (a thousand rows or so).
_SAMPLE_BYTES = 1 << 18


_FILLED = re.compile(rb"\S")
#: A plain number with a decimal comma, as pyarrow parses it with ``decimal_point=","``.
_DECIMAL_COMMA = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Spellings of the missing tokens pyarrow treats as null in number columns read as numbers.
_MISSING = tuple(MISSING_SPELLINGS)
_EMPTY = text_scalar("")


#: What a number column read is replaced with once converted, so its memory is freed early.
_RELEASED = pa.chunked_array([], type=pa.string())


class IrregularFile(Exception):
    """pyarrow cannot read the file as a regular table; the csv module reads it instead."""


def read_arrow_csv(
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
    dataset = _read(path, head, grid, id_column, period_column, attributes, limits, declared, keep_blank=False)
    if any(problem.row is not None for problem in dataset.read_problems) and _has_blank_line(path):
        # Problems to report, and blank lines that would shift their rows: read again, keeping them.
        dataset = _read(path, head, grid, id_column, period_column, attributes, limits, declared, keep_blank=True)
    return dataset


def _read(
    path: Path,
    head: Header,
    grid: Grid | None,
    id_column: str | None,
    period_column: str | None,
    attributes: Sequence[str],
    limits: Limits,
    declared: Declared,
    *,
    keep_blank: bool,
) -> Dataset:
    file = str(path)
    raw_names = [name or " " * (index + 1) for index, name in enumerate(head.cells)]
    plan = plan_columns(
        raw_names,
        grid=grid,
        units=head.units,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        file=file,
        declared=declared,
        header_row=head.header_row,
    )
    typed = _plain_number_columns(plan, head)
    try:
        return _convert(plan, path, head, typed, raw_names, limits, keep_blank=keep_blank)
    except _Retry:  # a cell beyond the sample is no plain number: every column as text, then the rules
        return _convert(plan, path, head, set(), raw_names, limits, keep_blank=keep_blank)


def _convert(
    plan: Plan, path: Path, head: Header, typed: set[str], raw_names: list[str], limits: Limits, *, keep_blank: bool
) -> Dataset:
    """The file read with ``typed`` columns as numbers, then every planned column converted."""
    file = str(path)
    table = _read_table(path, head, typed, keep_blank=keep_blank)
    first_row = head.first_row
    if table.num_rows == 0:
        raise DataError(
            "the file has a header but no data rows",
            file=file,
            row=first_row,
            hint="add one row per organisation and period below the header",
        )
    keep = _filled_rows(table)
    rows = None
    if keep is not None:
        if not len(keep):
            raise DataError(
                "the file has a header but no data rows",
                file=file,
                row=first_row,
                hint="add one row per organisation and period below the header",
            )
        table = table.take(integers(keep))
        rows = keep.astype(np.int64) + first_row
    cells = ArrowCells(
        decimal_comma=head.delimiter == ";", limits=limits, check_length=path.stat().st_size > limits.field_chars
    )
    columns = {raw: table.column(index) for index, raw in enumerate(raw_names)}
    del table
    numbers = {
        planned.raw: planned
        for planned in plan.columns
        if planned.raw in typed or (planned.role is Role.NUMBER and planned.raw in columns)
    }

    def convert(planned: Planned) -> tuple[Column, list[VisesError]]:
        values = columns[planned.raw]
        if planned.raw in typed:
            result = _typed_column(planned, values)
        else:
            indicator = planned.name if planned.indicator is not None else None
            place = Place(file=file, column=planned.name, first_row=first_row, rows=rows, indicator=indicator)
            result = cells.numbers(values, place, planned.unit)
        if planned.role is Role.NUMBER:  # assemble takes the result: the column read can go (peak memory)
            columns[planned.raw] = _RELEASED
        return result

    # Number columns on other threads (those pyarrow parsed are checked, the others parsed by the
    # rules) while the identifiers and text are converted here.
    n = len(columns[raw_names[0]])
    with in_parallel(convert, numbers, rows=n) as ready:
        return assemble(plan, columns, cells, n=n, file=file, first_row=first_row, rows=rows, ready=ready)


class _Retry(Exception):
    """A column read as numbers holds something else: read every column as text instead."""


def _plain_number_columns(plan: Plan, head: Header) -> set[str]:
    """Number columns whose cells in the file's first quarter megabyte are all plain numbers or empty:
    pyarrow parses those itself, in its threads.

    The rest of the file may still hold a token or a typo in such a column; pyarrow then stops with
    a conversion error, and the file is read again with every column as text (``_Retry``).
    """
    wanted = [planned for planned in plan.columns if planned.role in (Role.NUMBER, Role.GUESS)]
    if not wanted or not head.peek:
        return set()
    peek = head.peek if len(head.peek) <= _SAMPLE_BYTES else head.peek[: head.peek.rfind(b"\n", 0, _SAMPLE_BYTES) + 1]
    try:
        sample = pv.read_csv(
            io.BytesIO(peek),
            read_options=pv.ReadOptions(
                skip_rows=head.header_row - 1,
                skip_rows_after_names=1 if head.has_units_row else 0,
                **({} if head.encoding == "utf-8" else {"encoding": head.encoding}),
            ),
            parse_options=pv.ParseOptions(delimiter=head.delimiter, newlines_in_values=head.quoted),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(head.raw_cells, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return set()
    if sample.num_rows == 0 or sample.num_columns != len(plan.columns):
        return set()
    pattern = "^" + (_DECIMAL_COMMA if head.delimiter == ";" else NUMBER).pattern + "$"
    missing = strings(["", *_MISSING])
    found = set()
    for planned in wanted:
        cells = sample.column(planned.position)
        plain = pc.or_(pc.is_in(cells, value_set=missing), pc.match_substring_regex(cells, pattern))
        filled = pc.any(pc.not_equal(cells, _EMPTY)).as_py()
        if filled and pc.all(plain).as_py():
            found.add(planned.raw)
    return found


def _typed_column(planned: Planned, values: Any) -> tuple[Column, list[VisesError]]:
    """A column pyarrow parsed as numbers; ``inf``, ``nan`` or nothing but gaps mean a retry as text."""
    out = to_float_array(values)
    gaps = int(np.count_nonzero(np.isnan(out)))
    if gaps != values.null_count or np.isinf(out).any():
        raise _Retry(planned.raw)  # a 'nan' or 'inf' cell: the rules word the problem
    if planned.role is Role.GUESS and gaps == len(out):
        raise _Retry(planned.raw)  # no number at all: without a grid such a column is text
    return Column(values=out, unit=planned.unit), []


def _read_table(path: Path, head: Header, typed: set[str], *, keep_blank: bool = False) -> pa.Table:
    names = list(head.raw_cells)
    types = {name: pa.float64() if (name or " " * (i + 1)) in typed else pa.string() for i, name in enumerate(names)}
    if typed:
        # Number columns: empty and missing-token cells are null; text columns keep every cell as written.
        convert = pv.ConvertOptions(
            column_types=types,
            null_values=["", *_MISSING],
            strings_can_be_null=False,
            decimal_point="," if head.delimiter == ";" else ".",
        )
    else:
        convert = pv.ConvertOptions(
            column_types=types, null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True
        )
    # With ``keep_blank`` blank lines are empty rows (dropped later), so rows in messages stay
    # spreadsheet rows; skipping them in the parser is faster, and enough when nothing is reported.
    parse = pv.ParseOptions(delimiter=head.delimiter, newlines_in_values=head.quoted, ignore_empty_lines=not keep_blank)
    extra = {} if head.encoding == "utf-8" else {"encoding": head.encoding}
    for block_size in _BLOCK_SIZES:
        read = pv.ReadOptions(
            block_size=block_size,
            skip_rows=head.header_row - 1,
            skip_rows_after_names=1 if head.has_units_row else 0,
            **extra,
        )
        try:
            table = pv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "straddling" in message or "block size" in message:
                continue  # a row longer than the block: try a larger block, then the csv module
            if typed and "conversion error" in message:
                raise _Retry(message) from exc
            raise IrregularFile(message) from exc
        break
    else:
        raise IrregularFile("a row is longer than pyarrow's largest block")
    if table.column_names != names or list(table.schema.types) != list(types.values()):
        raise IrregularFile("pyarrow read the header differently")
    return table


def _has_blank_line(path: Path) -> bool:
    """Whether a line of the file is empty (before its last line): one search of the mapped file."""
    try:
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            size = len(data)
            for pattern in (b"\n\n", b"\n\r\n", b"\r\r"):
                found = data.find(pattern)
                if 0 <= found < size - len(pattern) and _FILLED.search(data, found + len(pattern)):
                    return True
            return data[:1] in (b"\n", b"\r")
    except (OSError, ValueError):
        return True


def _filled_rows(table: pa.Table) -> np.ndarray | None:
    """Indices of the rows with at least one non-blank cell, or ``None`` when every row has one."""
    candidates = np.flatnonzero(np.asarray(to_numpy(_maybe_blank(table)), dtype=bool))
    if not len(candidates):
        return None
    blank = np.ones(len(candidates), dtype=bool)
    picked = integers(candidates)
    for column in table.columns:
        part = pc.take(column, picked)
        if pa.types.is_string(part.type):
            filled = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(part), _EMPTY), FALSE)
        else:
            filled = pc.is_valid(part)
        blank &= ~np.asarray(to_numpy(filled), dtype=bool)
    if not blank.any():
        return None
    keep = np.ones(table.num_rows, dtype=bool)
    keep[candidates[blank]] = False
    return np.flatnonzero(keep)


def _maybe_blank(table: pa.Table) -> Any:
    """Rows whose first cell is null or white space: the only ones that can be blank throughout."""
    first = table.column(0)
    if not pa.types.is_string(first.type):
        return pc.is_null(first)
    return pc.fill_null(pc.equal(pc.utf8_trim_whitespace(first), _EMPTY), TRUE)


__all__ = ["IrregularFile", "read_arrow_csv"]
