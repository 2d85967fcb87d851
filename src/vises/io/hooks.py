"""The core's readers, registered through the same hook a plugin uses.

The reading code (and openpyxl) is imported only when a file is read.
"""

from __future__ import annotations

from pathlib import Path

from vises.contract.hookspecs import hookimpl
from vises.contract.records import Reader, ReadRequest
from vises.model import Dataset


def _read_csv(path: Path, request: ReadRequest, /) -> Dataset:
    from vises.io.csv_data import read_csv

    return read_csv(path, grid=request.grid)


def _read_xlsx(path: Path, request: ReadRequest, /) -> Dataset:
    from vises.io.xlsx_data import read_xlsx

    return read_xlsx(path, grid=request.grid, resolve_grid=request.resolve_grid)


@hookimpl
def vises_register_readers() -> list[Reader]:
    return [
        Reader(
            name="csv",
            suffixes=(".csv", ".tsv", ".txt"),
            read=_read_csv,
            summary="wide CSV/TSV, one row per organisation and period",
        ),
        Reader(
            name="xlsx",
            suffixes=(".xlsx",),
            read=_read_xlsx,
            summary="vises templates and wide tables in Excel workbooks",
        ),
    ]
