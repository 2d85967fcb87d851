"""Per-record tables as columns: a register or a survey export read from CSV, xlsx, Parquet or a frame.

A records table is not in the wide layout (one row per trainee, not per organisation and period),
so it is read as it is: every column kept as written (text as text, numbers of a typed file as
numbers, dates of a typed file as dates), to be interpreted by the collection spec. CSV goes
through the same header reading as data files (delimiter, encoding, a ``;`` file's decimal comma),
then pyarrow's C parser when it is installed, else the csv module; an xlsx sheet through the same
guard as data workbooks (``vises.io.xlsx_data.read_sheet_rows``); Parquet and Arrow through
pyarrow. Rows in messages are spreadsheet rows (the header is row 1).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.errors import DataError, MissingDependencyError, did_you_mean
from vises.model.frozen import FrozenDict, shallow_frozen

PathLike = str | os.PathLike[str]

#: Suffixes read as records, by format.
SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
}


@attrs.frozen(kw_only=True, eq=False)
class RecordTable:
    """The columns of one records table, by header, and where its rows are in the file.

    Text columns are object arrays (``None`` where a cell is empty); number columns of a typed
    file float64; date columns ``datetime64``. ``first_row`` is the row of the first record as a
    spreadsheet shows it; ``decimal_comma`` says that number cells may be written ``12,5``.
    """

    columns: FrozenDict[str, np.ndarray] = attrs.field(converter=shallow_frozen)
    file: str | None = None
    first_row: int = 2
    decimal_comma: bool = False
    sheet: str | None = None

    def __len__(self) -> int:
        for values in self.columns.values():
            return len(values)
        return 0

    def __repr__(self) -> str:
        where = f" {self.file!r}" if self.file else ""
        return f"<RecordTable{where}: {len(self):,} records, {len(self.columns)} columns>"

    def column(self, name: str, *, what: str = "column") -> np.ndarray:
        """The column ``name``; a ``DataError`` naming the file and the closest header when absent."""
        try:
            return self.columns[name]
        except KeyError:
            raise DataError(
                f"the records have no {what} {name!r}",
                file=self.file,
                sheet=self.sheet,
                hint=did_you_mean(name, self.columns) or f"its columns: {', '.join(list(self.columns)[:30])}",
            ) from None

    def take(self, rows: np.ndarray) -> RecordTable:
        """Some of the records (by index or mask); rows in messages then count from 1."""
        return RecordTable(
            columns={name: values[rows] for name, values in self.columns.items()},
            file=self.file,
            first_row=self.first_row,
            decimal_comma=self.decimal_comma,
            sheet=self.sheet,
        )


def _objects(values: Any) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def _from_arrow(table: Any, *, file: str | None, first_row: int, decimal_comma: bool) -> RecordTable:
    import pyarrow as pa

    columns: dict[str, np.ndarray] = {}
    names = [str(name) for name in table.column_names]
    _check_names(names, file)
    for name, column in zip(names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_floating(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind):
            columns[name] = column.to_numpy(zero_copy_only=False).astype(np.float64)
        elif pa.types.is_boolean(kind):
            columns[name] = _objects(["yes" if v else ("no" if v is not None else None) for v in column.to_pylist()])
        elif pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            columns[name] = column.to_numpy(zero_copy_only=False).astype("datetime64[s]")
        else:
            columns[name] = column.cast(pa.string()).to_numpy(zero_copy_only=False).astype(object)
    return RecordTable(columns=columns, file=file, first_row=first_row, decimal_comma=decimal_comma)


def _check_names(names: list[str], file: str | None) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(
                f"column {name!r} appears twice", file=file, hint="rename one of them: vises never picks one silently"
            )
        seen.add(name)


def _read_csv(path: Path) -> RecordTable:
    from vises.io.csv_data import read_header, read_rows

    head = read_header(path)
    decimal_comma = head.delimiter == ";"
    file = str(path)
    try:
        import pyarrow as pa
        import pyarrow.csv as pv
    except ImportError:
        pv = None
    if pv is not None:
        names = list(head.raw_cells)
        from vises.io.read_log import note_read

        note_read(path)
        extra = {} if head.encoding == "utf-8" else {"encoding": head.encoding}
        try:
            table = pv.read_csv(
                path,
                read_options=pv.ReadOptions(block_size=1 << 24, **extra),
                parse_options=pv.ParseOptions(delimiter=head.delimiter, newlines_in_values=head.quoted),
                convert_options=pv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
        except pa.ArrowInvalid:
            table = None  # an irregular file: the csv module says where
        if table is not None and table.column_names == names:
            stripped = table.rename_columns([name.strip() for name in names])
            return _from_arrow(stripped, file=file, first_row=2, decimal_comma=decimal_comma)
    header, rows, _ = read_rows(path, delimiter=head.delimiter)
    _check_names(header, file)
    width = len(header)
    for number, row in enumerate(rows, start=2):
        if len(row) > width:
            raise DataError(f"the row has {len(row)} cells for {width} columns", file=file, row=number)
    columns = {
        name: _objects([(row[i].strip() or None) if i < len(row) else None for row in rows])
        for i, name in enumerate(header)
    }
    return RecordTable(columns=columns, file=file, first_row=2, decimal_comma=decimal_comma)


def _read_xlsx(path: Path, sheet: str | None) -> RecordTable:
    import datetime as dt

    from vises.io.xlsx_data import read_sheet_rows

    title, rows = read_sheet_rows(path, sheet=sheet)
    file = str(path)
    if not rows:
        raise DataError("the sheet is empty", file=file, sheet=title, hint="row 1 holds the column names")
    header = ["" if value is None else str(value).strip() for value in rows[0]]
    _check_names([name for name in header if name], file)
    body = rows[1:]
    columns: dict[str, np.ndarray] = {}
    for i, name in enumerate(header):
        cells = [row[i] if i < len(row) else None for row in body]
        if not name:
            if any(cell not in (None, "") for cell in cells):
                raise DataError(f"column {i + 1} has values but no name", file=file, sheet=title, row=1)
            continue
        if (
            cells
            and all(isinstance(cell, (dt.date, dt.datetime)) or cell in (None, "") for cell in cells)
            and any(isinstance(cell, (dt.date, dt.datetime)) for cell in cells)
        ):
            columns[name] = np.array(
                [
                    np.datetime64(cell) if isinstance(cell, (dt.date, dt.datetime)) else np.datetime64("NaT")
                    for cell in cells
                ],
                dtype="datetime64[s]",
            )
        else:
            columns[name] = _objects([_cell_text(cell) for cell in cells])
    return RecordTable(columns=columns, file=file, first_row=2, sheet=title)


def _cell_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).strip()
    return text or None


def _read_arrow_file(path: Path, parquet: bool) -> RecordTable:
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise MissingDependencyError("pyarrow", "parquet", "reading Parquet or Arrow records") from exc
    from vises.io.read_log import note_read

    note_read(path)
    try:
        if parquet:
            import pyarrow.parquet as pq

            table = pq.read_table(path)
        else:
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_file(source).read_all()
    except Exception as exc:  # ArrowInvalid, OSError: a damaged or foreign file
        raise DataError(f"cannot read the file: {exc}", file=str(path)) from exc
    return _from_arrow(table, file=str(path), first_row=2, decimal_comma=False)


def from_frame(frame: Any, *, source: str | None = None) -> RecordTable:
    """The records of a pandas DataFrame (a named index becomes columns)."""
    import pandas as pd

    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    names = [str(name) for name in frame.columns]
    _check_names(names, source)
    columns: dict[str, np.ndarray] = {}
    for name, (_, series) in zip(names, frame.items(), strict=True):
        if pd.api.types.is_bool_dtype(series.dtype):
            columns[name] = _objects(["yes" if v else "no" for v in series.tolist()])
        elif pd.api.types.is_numeric_dtype(series.dtype):
            columns[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            values = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) is not None else series
            columns[name] = values.to_numpy(dtype="datetime64[s]")
        else:
            columns[name] = series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
    return RecordTable(columns=columns, file=source, first_row=1)


def from_mapping(mapping: Mapping[str, Any], *, source: str | None = None) -> RecordTable:
    """The records of a mapping ``column -> values`` (all the same length)."""
    columns: dict[str, np.ndarray] = {}
    lengths = set()
    for name, values in mapping.items():
        array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
        if array.dtype.kind in "iub":
            array = array.astype(np.float64)
        columns[str(name)] = array
        lengths.add(len(array))
    if len(lengths) > 1:
        raise DataError(
            f"the record columns have different lengths ({', '.join(map(str, sorted(lengths)))})", file=source
        )
    return RecordTable(columns=columns, file=source, first_row=1)


def read_records(source: PathLike | Any, *, sheet: str | None = None) -> RecordTable:
    """Read a records table: a CSV/TSV, xlsx, Parquet or Arrow file, a DataFrame, a mapping, or a ``RecordTable``."""
    if isinstance(source, RecordTable):
        return source
    if isinstance(source, Mapping):
        return from_mapping(source)
    if type(source).__name__ == "DataFrame":
        return from_frame(source)
    path = Path(source)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise DataError(
            f"cannot tell how to read records from {path.name!r}",
            file=str(path),
            hint="give a .csv, .tsv, .xlsx, .parquet or .arrow file",
        )
    if not path.is_file():
        raise DataError("records file not found", file=str(path), hint="check the path")
    if kind == "csv":
        return _read_csv(path)
    if kind == "xlsx":
        return _read_xlsx(path, sheet)
    return _read_arrow_file(path, parquet=kind == "parquet")


__all__ = ["SUFFIXES", "RecordTable", "from_frame", "from_mapping", "read_records"]
