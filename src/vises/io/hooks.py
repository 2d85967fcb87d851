"""The core's own reader registrations, made through the same hook a plugin would use."""

from __future__ import annotations

from vises.contract.hookspecs import hookimpl
from vises.contract.records import Reader


@hookimpl
def vises_register_readers() -> list[Reader]:
    from vises.io.csv_data import read_csv

    return [
        Reader(
            name="csv",
            suffixes=(".csv", ".tsv", ".txt"),
            read=read_csv,
            summary="wide CSV/TSV, one row per organisation and period",
        )
    ]
