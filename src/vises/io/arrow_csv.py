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

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from vises.errors import DataError, VisesError
from vises.io.arrow_cells import ArrowCells
from vises.io.cells import Place
from vises.io.frames import assemble
from vises.io.layout import Plan, Planned, Role, plan_columns
from vises.limits import Limits
from vises.model import Column, Dataset, Grid

if TYPE_CHECKING:  # pragma: no cover
    from vises.io.csv_data import Header

#: Blocks parsed in parallel; a row longer than the largest block makes the file irregular.
_BLOCK_SIZES = (1 << 22, 1 << 26)
#: Tables of at least this many cells convert their number columns on several threads.
_PARALLEL_CELLS = 1_000_000


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
    )
    table = _read_table(path, head)
    first_row = 3 if head.has_units_row else 2
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
        table = table.take(pa.array(keep))
        rows = keep.astype(np.int64) + first_row
    cells = ArrowCells(
        decimal_comma=head.delimiter == ";", limits=limits, check_length=path.stat().st_size > limits.field_chars
    )
    columns = {raw: table.column(index) for index, raw in enumerate(raw_names)}
    del table
    ready = _numbers_in_parallel(plan, columns, cells, file=file, first_row=first_row, rows=rows)
    return assemble(
        plan, columns, cells, n=len(columns[raw_names[0]]), file=file, first_row=first_row, rows=rows, ready=ready
    )


def _read_table(path: Path, head: Header) -> pa.Table:
    names = list(head.raw_cells)
    convert = pv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    parse = pv.ParseOptions(delimiter=head.delimiter, newlines_in_values=head.quoted, ignore_empty_lines=False)
    encodings = [head.encoding] if head.encoding != "utf-8" else ["utf8"]
    for block_size in _BLOCK_SIZES:
        read = pv.ReadOptions(
            block_size=block_size, skip_rows_after_names=1 if head.has_units_row else 0, encoding=encodings[0]
        )
        try:
            table = pv.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "straddling" in message or "block size" in message:
                continue  # a row longer than the block: try a larger block, then the csv module
            raise IrregularFile(message) from exc
        break
    else:
        raise IrregularFile("a row is longer than pyarrow's largest block")
    if table.column_names != names or any(not pa.types.is_string(kind) for kind in table.schema.types):
        raise IrregularFile("pyarrow read the header differently")
    return table


def _filled_rows(table: pa.Table) -> np.ndarray | None:
    """Indices of the rows with at least one non-blank cell, or ``None`` when every row has one."""
    candidates = np.flatnonzero(np.asarray(_maybe_blank(table).to_numpy(zero_copy_only=False), dtype=bool))
    if not len(candidates):
        return None
    blank = np.ones(len(candidates), dtype=bool)
    picked = pa.array(candidates)
    for column in table.columns:
        part = pc.take(column, picked)
        trimmed = pc.utf8_trim_whitespace(part)
        filled = pc.fill_null(pc.not_equal(trimmed, ""), False).to_numpy(zero_copy_only=False)
        blank &= ~np.asarray(filled, dtype=bool)
    if not blank.any():
        return None
    keep = np.ones(table.num_rows, dtype=bool)
    keep[candidates[blank]] = False
    return np.flatnonzero(keep)


def _maybe_blank(table: pa.Table) -> Any:
    """Rows whose first cell is null or white space: the only ones that can be blank throughout."""
    first = table.column(0)
    trimmed = pc.utf8_trim_whitespace(first)
    return pc.fill_null(pc.equal(trimmed, ""), True)


def _numbers_in_parallel(
    plan: Plan,
    columns: dict[str, Any],
    cells: ArrowCells,
    *,
    file: str,
    first_row: int,
    rows: np.ndarray | None,
) -> dict[str, tuple[Column, list[VisesError]]]:
    """Number columns converted up front, on several threads for a large table (pyarrow frees the GIL)."""
    numbers = [planned for planned in plan.columns if planned.role is Role.NUMBER]
    n = len(next(iter(columns.values()))) if columns else 0

    def convert(planned: Planned) -> tuple[Column, list[VisesError]]:
        place = Place(
            file=file,
            column=planned.name,
            first_row=first_row,
            rows=rows,
            indicator=planned.name if planned.indicator is not None else None,
        )
        return cells.numbers(columns[planned.raw], place, planned.unit)

    if len(numbers) > 1 and n * len(numbers) >= _PARALLEL_CELLS:
        with ThreadPoolExecutor(max_workers=min(len(numbers), max(pa.cpu_count(), 1))) as pool:
            results = list(pool.map(convert, numbers))
    else:
        results = [convert(planned) for planned in numbers]
    return {planned.raw: result for planned, result in zip(numbers, results, strict=True)}


__all__ = ["IrregularFile", "read_arrow_csv"]
