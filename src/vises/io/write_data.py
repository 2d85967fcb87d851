"""Write a ``Dataset`` as a data file vises reads back: CSV, xlsx, Parquet or Arrow IPC.

The wide layout of ``docs/data-format.md``: ``organisation``, ``period``, one column per
indicator, then attributes (``family``, ``region``, ``size``, ``name`` by name, any other as
``attribute:<name>``), texts as ``<code>.comment`` and evidence as ``<code>.n``, ``<code>.source``,
``<code>.verified``, ``<code>.sd``. Units go in a units row (CSV), in the header
as ``code [unit]`` (xlsx) or in the field metadata (Parquet, Arrow). Not applicable stays apart
from missing: ``n/a`` in CSV and xlsx cells, a boolean ``<code>.not_applicable`` column next to a
Parquet/Arrow number column. Numbers are written in their shortest exact form, so reading the
file back gives the same values.

Files a spreadsheet opens (CSV, xlsx) never carry a live formula: xlsx text cells are typed as
text, and in CSV a text beginning like a formula (``=``, ``+``, ``-``, ``@``) gets a leading
``'`` (``vises.spreadsheet_text``; ``neutralise=False`` writes it as it is). Files are written
atomically; CSV is UTF-8 with a BOM, so Excel shows accents right.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.errors import ConfigError, MissingDependencyError
from vises.io.atomic import write_bytes_atomic
from vises.io.cells import as_text, cell_types, of_type
from vises.io.layout import ATTRIBUTE_COLUMNS
from vises.model import Dataset
from vises.neutralise import FORMULA_TRIGGERS, formula_like

PathLike = str | os.PathLike[str]

#: Formats by file suffix.
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
}
#: The text written for a not-applicable cell.
NOT_APPLICABLE = "n/a"
#: Rows an xlsx sheet can hold below its header (Excel's limit is 1,048,576 rows).
XLSX_ROWS = 1_048_575


@attrs.frozen(kw_only=True)
class OutColumn:
    """One written column: its header, unit, and cells as numbers (float64) or text (objects, None empty)."""

    name: str
    values: np.ndarray
    unit: str | None = None
    not_applicable: np.ndarray | None = None

    @property
    def numeric(self) -> bool:
        return self.values.dtype.kind == "f"


def layout(dataset: Dataset) -> list[OutColumn]:
    """The columns of ``dataset`` in the order they are written."""
    out = [
        OutColumn(name="organisation", values=_objects(dataset.organisations)),
        OutColumn(name="period", values=_objects(dataset.periods)),
    ]
    taken = {"organisation", "period"}
    for code, column in dataset.columns.items():
        values = column.values
        mask = column.not_applicable if column.not_applicable is not None and column.not_applicable.any() else None
        if column.numeric:
            out.append(OutColumn(name=code, values=values.astype(np.float64), unit=column.unit, not_applicable=mask))
        else:
            out.append(OutColumn(name=code, values=_objects(values), not_applicable=mask))
        taken.add(code)
    for name, values in dataset.attributes.items():
        header = name if name in ATTRIBUTE_COLUMNS and name not in taken else f"attribute:{name}"
        out.append(OutColumn(name=header, values=_objects(values)))
        taken.add(header)
    for key, values in dataset.text.items():
        out.append(OutColumn(name=f"{key}.comment", values=_objects(values)))
    for code, evidence in dataset.evidence.items():
        if evidence.n is not None:
            out.append(OutColumn(name=f"{code}.n", values=np.asarray(evidence.n, dtype=np.float64)))
        if evidence.source is not None:
            out.append(OutColumn(name=f"{code}.source", values=_objects(evidence.source)))
        if evidence.verified is not None:
            flags = np.full(len(evidence.verified), None, dtype=object)
            given = np.asarray(evidence.verified, dtype=object)
            flags[given == True] = "yes"  # noqa: E712 - elementwise on an object array
            flags[given == False] = "no"  # noqa: E712
            out.append(OutColumn(name=f"{code}.verified", values=flags))
        if evidence.sd is not None:
            out.append(OutColumn(name=f"{code}.sd", values=np.asarray(evidence.sd, dtype=np.float64)))
    return out


def _objects(values: np.ndarray) -> np.ndarray:
    """Text cells as objects; None (not '') for an empty cell, NaN included."""
    out = as_text(values)
    out[out == ""] = None
    return out


_starts = np.frompyfunc(str.startswith, 2, 1)
#: The formula triggers as one object (a 0-d array), so ``_starts`` does not broadcast over them.
_TRIGGERS = np.empty((), dtype=object)
_TRIGGERS[()] = FORMULA_TRIGGERS


def _safe(values: np.ndarray, neutralise: bool) -> np.ndarray:
    """Formula-like text prefixed with ``'`` (the few cells whose first character could start one)."""
    if not neutralise or not len(values):
        return values
    text = np.flatnonzero(of_type(cell_types(values), str))
    if not len(text):
        return values
    suspects = text[np.asarray(_starts(values[text], _TRIGGERS), dtype=bool)]
    if not len(suspects):
        return values
    out = values.copy()
    for index in suspects:
        if formula_like(out[index]):
            out[index] = "'" + out[index]
    return out


def write_data(dataset: Dataset, path: PathLike, *, format: str | None = None, neutralise: bool = True) -> Path:
    """Write ``dataset`` to ``path`` (format from the suffix, or ``format``) and return the path.

    CSV keeps a units row and ``n/a``; xlsx needs openpyxl; Parquet and Arrow need pyarrow.
    """
    target = Path(path)
    chosen = format or FORMATS.get(target.suffix.lower())
    if chosen not in ("csv", "xlsx", "parquet", "arrow"):
        raise ConfigError(
            f"cannot tell which data format to write for {target.name!r}",
            file=str(target),
            hint="name the file .csv, .xlsx, .parquet or .arrow, or pass format=",
        )
    suffix_format = FORMATS.get(target.suffix.lower())
    if suffix_format is not None and suffix_format != chosen:
        raise ConfigError(
            f"the file name {target.name!r} does not match the format {chosen!r}",
            file=str(target),
            hint=f"name the file *.{chosen} or choose format={suffix_format!r}",
        )
    columns = layout(dataset)
    if chosen == "csv":
        data = csv_bytes(columns, delimiter="\t" if target.suffix.lower() == ".tsv" else ",", neutralise=neutralise)
    elif chosen == "xlsx":
        data = xlsx_bytes(columns, len(dataset))
    else:
        data = arrow_bytes(columns, dataset, parquet=chosen == "parquet")
    return write_bytes_atomic(target, data)


def csv_bytes(columns: list[OutColumn], *, delimiter: str = ",", neutralise: bool = True) -> bytes:
    """The CSV file: header, a units row when a column has a unit, then the rows (UTF-8 with BOM)."""
    head = io.StringIO()
    writer = csv.writer(head, delimiter=delimiter, lineterminator="\n")
    writer.writerow([column.name for column in columns])
    if any(column.unit for column in columns):
        writer.writerow(["unit", *[column.unit or "" for column in columns[1:]]])
    try:
        body = _csv_body_arrow(columns, delimiter, neutralise)
    except ImportError:
        body = _csv_body_python(columns, delimiter, neutralise)
    return "\ufeff".encode() + head.getvalue().encode("utf-8") + body


def _csv_body_arrow(columns: list[OutColumn], delimiter: str, neutralise: bool) -> bytes:
    """The rows, each column formatted whole (``vises.io.csv_text``): the text of the ``csv`` module,
    numbers as ``repr``, and a carriage return inside a cell quoted too, so the file reads back."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from vises.io.csv_text import csv_lines, number_cells, text_cells

    arrays = []
    for column in columns:
        if column.numeric:
            array = number_cells(column.values)
        else:
            array = text_cells(column.values, delimiter=delimiter, neutralise=neutralise)
        if column.not_applicable is not None:
            array = pc.if_else(pa.array(column.not_applicable), pa.scalar(NOT_APPLICABLE), array)
        arrays.append(array)
    return csv_lines(arrays, delimiter=delimiter, lineterminator="\n")


def _csv_body_python(columns: list[OutColumn], delimiter: str, neutralise: bool) -> bytes:
    texts = []
    for column in columns:
        if column.numeric:
            cells = np.asarray([repr(v) if v == v else "" for v in column.values.tolist()], dtype=object)
        else:
            cells = np.asarray(
                ["" if v is None else v for v in _safe(column.values, neutralise).tolist()], dtype=object
            )
        if column.not_applicable is not None:
            cells = np.asarray(cells, dtype=object)
            cells[column.not_applicable] = NOT_APPLICABLE
        texts.append(cells.tolist())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows(zip(*texts, strict=True))
    return out.getvalue().encode("utf-8")


def xlsx_bytes(columns: list[OutColumn], rows: int) -> bytes:
    """One sheet ``data``: header row (``code [unit]``), then one row per organisation and period."""
    try:
        import openpyxl
        from openpyxl.cell import WriteOnlyCell
    except ImportError as exc:
        raise MissingDependencyError("openpyxl", "excel", "writing xlsx data") from exc
    if rows > XLSX_ROWS:
        raise ConfigError(
            f"an xlsx sheet holds at most {XLSX_ROWS:,} rows below its header; this dataset has {rows:,}",
            hint="write it as CSV or Parquet",
        )
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("data")

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula, whatever its first character
        return cell

    sheet.append([text_cell(f"{c.name} [{c.unit}]" if c.unit else c.name) for c in columns])
    cells = [_xlsx_cells(column) for column in columns]
    for row in zip(*cells, strict=True):
        sheet.append([text_cell(value) if isinstance(value, str) else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_cells(column: OutColumn) -> Iterator[Any]:
    if column.numeric:
        values: list[Any] = [None if v != v else v for v in column.values.tolist()]
    else:
        values = column.values.tolist()
    if column.not_applicable is not None:
        for index in np.flatnonzero(column.not_applicable):
            values[index] = NOT_APPLICABLE
    return iter(values)


def arrow_bytes(columns: list[OutColumn], dataset: Dataset, *, parquet: bool) -> bytes:
    """A Parquet or Arrow IPC file: typed columns, units in field metadata, n/a as boolean columns."""
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise MissingDependencyError("pyarrow", "parquet", "writing Parquet or Arrow data") from exc
    from vises.io.parquet_data import UNIT_KEY

    fields = []
    arrays = []
    for column in columns:
        if column.numeric:
            arrays.append(pa.array(column.values, type=pa.float64(), from_pandas=True))
            metadata = {UNIT_KEY: column.unit.encode("utf-8")} if column.unit else None
            fields.append(pa.field(column.name, pa.float64(), metadata=metadata))
            if column.not_applicable is not None:
                arrays.append(pa.array(column.not_applicable, type=pa.bool_()))
                fields.append(pa.field(f"{column.name}.not_applicable", pa.bool_()))
        else:
            cells = column.values.copy()
            if column.not_applicable is not None:
                cells[column.not_applicable] = NOT_APPLICABLE
            arrays.append(pa.array(cells.tolist(), type=pa.string()))
            fields.append(pa.field(column.name, pa.string()))
    info = {"written_by": "vises", "rows": len(dataset), "source": dataset.source}
    schema = pa.schema(fields, metadata={b"vises.dataset": json.dumps(info).encode("utf-8")})
    table = pa.Table.from_arrays(arrays, schema=schema)
    sink = pa.BufferOutputStream()
    if parquet:
        import pyarrow.parquet as pq

        pq.write_table(table, sink)
    else:
        with pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


__all__ = ["FORMATS", "NOT_APPLICABLE", "OutColumn", "arrow_bytes", "csv_bytes", "layout", "write_data", "xlsx_bytes"]
