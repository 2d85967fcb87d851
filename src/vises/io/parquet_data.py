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

import numpy as np

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
        with pq.ParquetFile(source, pre_buffer=True) as parquet:  # column chunks fetched together, as read_table does
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
    from vises.io.arrow_cells import in_parallel

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
    cells = _table_cells()(decimal_comma=False, limits=current_limits(), own_buffers=owned)
    numbers = {planned.raw: planned for planned in plan.columns if planned.role is Role.NUMBER}

    def convert(planned: Planned) -> tuple[Column, list[VisesError]]:
        indicator = planned.name if planned.indicator is not None else None
        place = Place(file=file, column=planned.name, first_row=1, indicator=indicator)
        converted: tuple[Column, list[VisesError]] = cells.numbers(columns[planned.raw], place, planned.unit)
        return converted

    n = table.num_rows
    del table
    with in_parallel(convert, numbers, rows=n) as ready:  # number columns on other threads meanwhile
        return assemble(plan, columns, cells, n=n, file=file, first_row=1, ready=ready)


#: Rows from which the organisation column stays Arrow strings until it is asked for.
DEFERRED_ROWS = 100_000


def _table_cells() -> Any:
    """``ArrowCells`` whose organisation column of a large table stays an Arrow array (``DeferredText``).

    The checks are the same (every empty code named, the field limit); only the million Python
    strings wait until ``Dataset.organisations`` is read, which scoring a Parquet file into a
    Parquet report never does.
    """
    import pyarrow as pa

    from vises.io.arrow_cells import ArrowCells, is_text
    from vises.io.arrow_numpy import to_numpy
    from vises.model.keys import DeferredText

    def objects(values: Any) -> np.ndarray:
        return np.asarray(to_numpy(values), dtype=object)

    class TableCells(ArrowCells):
        def identifiers(self, values: Any, place: Place, what: str) -> tuple[Any, list[VisesError]]:
            if len(values) < DEFERRED_ROWS or not is_text(values):
                return super().identifiers(values, place, what)
            if pa.types.is_dictionary(values.type):
                values = values.cast(values.type.value_type)
            if isinstance(values, pa.ChunkedArray):
                values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
            if what == "organisation":
                kept, longest, blank = _trimmed(values)
            else:  # periods: a few distinct texts, each looked at once
                found = _few(values)
                if found is None:
                    return super().identifiers(values, place, what)
                kept, longest, blank = found
            if self.check_length and longest > self.limits.field_chars:
                return super().identifiers(values, place, what)  # its error names the row
            problems: list[VisesError] = [place.error(int(i), f"the {what} is empty") for i in blank]
            if isinstance(kept, np.ndarray):
                return kept, problems
            return DeferredText(kept, objects, len(kept), rank=_sorted_codes), problems

        def numbers(self, values: Any, place: Place, unit: str | None) -> tuple[Column, list[VisesError]]:
            column = _owned_floats(values) if self.own_buffers else None
            if column is None or np.isinf(np.fmax.reduce(column)) or np.isinf(np.fmin.reduce(column)):
                # an infinity is a problem (named by the general rules); fmax/fmin pass over NaN
                return super().numbers(values, place, unit)
            return Column(values=column, unit=unit), []

    return TableCells


def _sorted_codes(values: Any) -> np.ndarray:
    """Each row's position among the distinct texts in sorted order (UTF-8 bytes sort as code points)."""
    import pyarrow.compute as pc

    from vises.io.arrow_numpy import to_numpy

    encoded = pc.dictionary_encode(values)
    order = np.asarray(to_numpy(pc.array_sort_indices(encoded.dictionary)), dtype=np.int64)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    indices = np.asarray(to_numpy(encoded.indices), dtype=np.int64)  # no nulls: filled with "" when read
    out: np.ndarray = rank[indices]
    return out


#: ASCII white space (``str.strip``'s); a byte from 0x80 may start a Unicode space (NBSP, ...).
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE[0x80:] = True


def _trimmed(values: Any) -> tuple[Any, int, np.ndarray]:
    """A string array stripped of surrounding white space (null as ``""``), a bound on its longest
    cell in characters, and the rows left empty.

    Looked at through the offsets: when no cell starts or ends with a byte that may be white space
    (nor is null), the array is its own trimmed self and its longest cell in bytes bounds its
    longest in characters; otherwise Arrow trims and counts.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from vises.io.arrow_numpy import text_scalar, to_numpy

    n = len(values)
    _, offsets, data = values.buffers()
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width, count=n + 1, offset=values.offset * np.dtype(width).itemsize)
    lengths = np.diff(bounds)
    every = bool(lengths.all())
    filled = None if every else np.flatnonzero(lengths)
    if not values.null_count and data is not None and (filled is None or len(filled)):
        text = np.frombuffer(data, dtype=np.uint8)
        starts, ends = (
            (bounds[:-1], bounds[1:] - 1) if filled is None else (bounds[:-1][filled], bounds[1:][filled] - 1)
        )
        if not (_EDGE[text[starts]].any() or _EDGE[text[ends]].any()):
            return values, int(lengths.max()), np.flatnonzero(lengths == 0)
    empty = text_scalar("")
    trimmed = pc.fill_null(pc.utf8_trim_whitespace(values), empty)
    longest = pc.max(pc.utf8_length(trimmed)).as_py() or 0
    return trimmed, int(longest), np.flatnonzero(to_numpy(pc.equal(trimmed, empty)))


def _few(values: Any) -> tuple[np.ndarray, int, np.ndarray] | None:
    """A column of few distinct texts (a quarter of the rows at most) as an object array, each text
    stripped once; the longest stripped text in characters; the rows left empty. ``None`` for a
    column of many distinct texts."""
    import pyarrow.compute as pc

    from vises.io.arrow_numpy import integer_scalar, to_numpy

    encoded = pc.dictionary_encode(values)
    words = encoded.dictionary
    if len(words) > len(values) // 4:
        return None
    texts = np.empty(len(words) + 1, dtype=object)
    texts[:-1] = pc.utf8_trim_whitespace(words).to_pylist()  # each distinct text once, as the other readers trim
    texts[-1] = ""  # null
    indices = encoded.indices
    if indices.null_count:
        indices = pc.fill_null(indices, integer_scalar(len(words)).cast(indices.type))
    codes = np.asarray(to_numpy(indices), dtype=np.intp)
    longest = max((len(text) for text in texts.tolist()), default=0)
    blank = np.flatnonzero(np.isin(codes, np.flatnonzero(texts == "")))
    return texts[codes], longest, blank


def _owned_floats(values: Any) -> np.ndarray | None:
    """A float64 column of a table just read, in one chunk, as numpy over its own buffer with NaN
    written where it is null (no copy); ``None`` for any other column (the general rules take it)."""
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        if values.num_chunks != 1:
            return None
        values = values.chunk(0)
    if values.type != pa.float64() or not len(values):
        return None
    validity, data = values.buffers()[:2]
    if data is None or not data.is_mutable:
        return None
    n, offset = len(values), values.offset
    out = np.frombuffer(data, dtype=np.float64, count=n, offset=offset * 8)
    if values.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), count=offset + n, bitorder="little")
        np.putmask(out, ~bits[offset:].view(bool), np.nan)
    return out


__all__ = ["DEFERRED_ROWS", "UNIT_KEY", "read_arrow", "read_parquet", "table_dataset"]
