"""The Parquet report: scores, ranks and coverage as typed columns, for data tools.

One row per organisation and period (the rows and order of the CSV report); columns
``organisation``, ``period``, then ``score.<code>`` (float64), ``rank.<code>`` (int32) and
``coverage.<code>`` (float64) for every code of ``Results.codes``. A missing value is a null, not
NaN. The provenance is kept in the file's metadata under ``vises.provenance`` (JSON). pyarrow is
imported only when the report is written (``pip install vises[parquet]``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import MissingDependencyError
from vises.report.csv_format import csv_rows
from vises.report.views import provenance_record, rank_counts, resolve

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as error:
        raise MissingDependencyError("pyarrow", "parquet", "Parquet reports") from error
    return pyarrow


def render_parquet(results: Results, request: ReportRequest, /) -> bytes:
    """The scores, ranks and coverage as a Parquet file (bytes)."""
    resolved = resolve(results, request, "parquet")
    if resolved.view == "network" and resolved.options.public:
        from vises.report.public import public_parquet

        return public_parquet(results, resolved)
    pa = _pyarrow()
    from vises.io.csv_text import text_array

    rows = csv_rows(resolved, results)
    arrays: dict[str, Any] = {
        "organisation": text_array(results.organisations[rows]),
        "period": text_array(results.periods[rows]),
    }
    for code in results.codes:
        arrays[f"score.{code}"] = _floats(pa, results.score(code)[rows])
    if resolved.options.ranks:
        for code in results.codes:
            ranks = results.ranks(code)[rows]
            known = ~np.isnan(ranks)
            arrays[f"rank.{code}"] = pa.array(np.where(known, ranks, 0).astype(np.int32), mask=~known, type=pa.int32())
        for code in results.codes:  # the N of "rank 5 / N": how many of the period are ranked
            arrays[f"ranked.{code}"] = pa.array(rank_counts(results, code)[rows].astype(np.int32), type=pa.int32())
    for code in results.codes:
        arrays[f"coverage.{code}"] = _floats(pa, results.coverage(code)[rows])
    table = pa.table(arrays)
    metadata = {
        b"vises.provenance": json.dumps(provenance_record(results), ensure_ascii=False, default=str).encode("utf-8")
    }
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    sink = pa.BufferOutputStream()
    # Dictionary pages only for the two text columns: tried on a million distinct floats they are
    # built, then thrown away, for every column (3.5x the writing time, and a larger file).
    pa.parquet.write_table(table, sink, compression="zstd", use_dictionary=["organisation", "period"])
    data: bytes = sink.getvalue().to_pybytes()
    return data


def _floats(pa: Any, values: np.ndarray) -> Any:
    """A float64 column, null where not finite (pyarrow takes the array without a copy where it can)."""
    return pa.array(values, mask=~np.isfinite(values), type=pa.float64())
