"""Parquet and Arrow IPC (Feather) datasets in the wide layout, through pyarrow (the ``parquet`` extra).

The columns follow the CSV rules (``vises.io.layout``): ``organisation``, ``period``, one column
per indicator, ``<code>.comment``, attributes. Typed number columns are taken as they are (a null
or NaN is missing); text columns go through the same token and number rules as CSV cells. A
unit is the field's ``vises.unit`` metadata or the header's ``[unit]``; not-applicable rows of a
number column are a boolean column ``<code>.not_applicable`` (Parquet has no place for a token in
a float column), which is how ``vises.write_data`` writes them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vises.errors import DataError, MissingDependencyError, VisesError
from vises.io.cells import Place
from vises.io.frames import ATTRIBUTE_COLUMNS, assemble, finish
from vises.io.layout import NOTHING, Declared, Planned, Role, plan_columns
from vises.io.read_log import note_read
from vises.limits import current_limits
from vises.model import Column, Dataset, Grid

PathLike = str | os.PathLike[str]

#: Field metadata key holding a column's unit.
UNIT_KEY = b"vises.unit"


def _pyarrow(feature: str) -> Any:
    try:
        import pyarrow
    except ImportError as exc:
        raise MissingDependencyError("pyarrow", "parquet", feature) from exc
    return pyarrow


def read_parquet(
    path: PathLike,
    *,
    grid: Grid | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    keep_problems: bool = False,
    declared: Declared = NOTHING,
) -> Dataset:
    """Read a Parquet file into a ``Dataset`` (cell problems as in ``read_csv``)."""
    _pyarrow("reading Parquet data")
    import pyarrow.parquet as pq

    source = _existing(path)
    try:
        # One chunk per row group (read_table cuts them in batches): number columns become numpy
        # arrays in place, without joining chunks.
        with pq.ParquetFile(source) as parquet:
            table = parquet.read()
    except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
        raise DataError(
            f"cannot read as a Parquet file: {exc}", file=str(source), hint="is it really a .parquet file?"
        ) from exc
    dataset = table_dataset(
        table,
        file=str(source),
        grid=grid,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        declared=declared,
        owned=True,
    )
    del table
    return finish(dataset, keep_problems=keep_problems)


def read_arrow(
    path: PathLike,
    *,
    grid: Grid | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    keep_problems: bool = False,
    declared: Declared = NOTHING,
) -> Dataset:
    """Read an Arrow IPC file (Feather v2, ``.arrow``), memory-mapped, into a ``Dataset``."""
    pa = _pyarrow("reading Arrow IPC data")
    source = _existing(path)
    try:
        with pa.memory_map(str(source), "r") as stream:
            try:
                table = pa.ipc.open_file(stream).read_all()
            except pa.ArrowInvalid:
                stream.seek(0)
                table = pa.ipc.open_stream(stream).read_all()
    except (OSError, ValueError) as exc:
        raise DataError(
            f"cannot read as an Arrow IPC file: {exc}", file=str(source), hint="is it really an .arrow/.feather file?"
        ) from exc
    dataset = table_dataset(
        table,
        file=str(source),
        grid=grid,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        declared=declared,
    )
    return finish(dataset, keep_problems=keep_problems)


def _existing(path: PathLike) -> Path:
    source = Path(path)
    if not source.is_file():
        raise DataError("data file not found", file=str(source), hint="check the path")
    note_read(source)
    return source


def table_dataset(
    table: Any,
    *,
    file: str | None,
    grid: Grid | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    declared: Declared = NOTHING,
    owned: bool = False,
) -> Dataset:
    """A ``Dataset`` from a ``pyarrow.Table`` (problems of cells recorded in ``read_problems``).

    ``owned``: the table was just read here and nothing else holds it, so its number columns'
    buffers may become the dataset's arrays (nulls set to NaN in place) instead of being copied.
    """
    from vises.io.arrow_cells import ArrowCells, in_parallel

    if table.num_rows == 0:
        raise DataError("the data has no rows", file=file, hint="give at least one organisation and period")
    names = [str(name) for name in table.column_names]
    units: dict[str, str | None] = {}
    for field in table.schema:
        unit = (field.metadata or {}).get(UNIT_KEY)
        if unit:
            units[str(field.name)] = unit.decode("utf-8")
    raw_names = [name or " " * (index + 1) for index, name in enumerate(names)]
    plan = plan_columns(
        raw_names,
        grid=grid,
        units=units,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        file=file,
        declared=declared,
    )
    columns = {raw: table.column(index) for index, raw in enumerate(raw_names)}
    cells = ArrowCells(decimal_comma=False, limits=current_limits(), own_buffers=owned)
    numbers = {planned.raw: planned for planned in plan.columns if planned.role is Role.NUMBER}

    def convert(planned: Planned) -> tuple[Column, list[VisesError]]:
        indicator = planned.name if planned.indicator is not None else None
        place = Place(file=file, column=planned.name, first_row=1, indicator=indicator)
        return cells.numbers(columns[planned.raw], place, planned.unit)

    n = table.num_rows
    del table
    with in_parallel(convert, numbers, rows=n) as ready:  # number columns on other threads meanwhile
        return assemble(plan, columns, cells, n=n, file=file, first_row=1, ready=ready)


__all__ = ["UNIT_KEY", "read_arrow", "read_parquet", "table_dataset"]
