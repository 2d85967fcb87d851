"""The core's readers, registered through the same hook a plugin uses.

The reading code (and openpyxl, python-calamine, pyarrow) is imported only when a file is read.
Each reader keeps the problems of single cells in ``Dataset.read_problems``; ``load_data``
decides whether to raise them or hand them to validation.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vises.contract.hookspecs import hookimpl
from vises.contract.records import Reader, ReadRequest
from vises.model import Dataset

if TYPE_CHECKING:  # pragma: no cover
    from vises.io.layout import Declared


def _declared(request: ReadRequest) -> Declared:
    """The columns the caller declared (``--attribute``, ``--ignore``), for the layout's plan."""
    from vises.io.layout import Declared

    return Declared(attributes=request.attributes, ignore=request.ignore)


def _read_csv(path: Path, request: ReadRequest, /) -> Dataset:
    from vises.io.csv_data import read_csv

    return read_csv(path, grid=request.grid, keep_problems=True, declared=_declared(request))


def _read_xlsx(path: Path, request: ReadRequest, /) -> Dataset:
    from vises.io.xlsx_data import read_xlsx

    return read_xlsx(
        path, grid=request.grid, resolve_grid=request.resolve_grid, keep_problems=True, declared=_declared(request)
    )


def _read_parquet(path: Path, request: ReadRequest, /) -> Dataset:
    from vises.io.parquet_data import read_parquet

    return read_parquet(path, grid=request.grid, keep_problems=True, declared=_declared(request))


def _read_arrow(path: Path, request: ReadRequest, /) -> Dataset:
    from vises.io.parquet_data import read_arrow

    return read_arrow(path, grid=request.grid, keep_problems=True, declared=_declared(request))


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
        Reader(
            name="parquet",
            suffixes=(".parquet", ".pq"),
            read=_read_parquet,
            summary="wide tables in Parquet files (needs pyarrow: the parquet extra)",
        ),
        Reader(
            name="arrow",
            suffixes=(".arrow", ".feather", ".ipc"),
            read=_read_arrow,
            summary="wide tables in Arrow IPC / Feather files (needs pyarrow: the parquet extra)",
        ),
    ]
