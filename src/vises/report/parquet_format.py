"""The Parquet report: scores, ranks and coverage as typed columns, for data tools.

One row per organisation and period (the rows and order of the CSV report); columns
``organisation``, ``period``, then ``score.<code>`` (float64), ``rank.<code>`` (int32) and
``coverage.<code>`` (float64) for every code of ``Results.codes``. A missing value is a null, not
NaN. The provenance is kept in the file's metadata under ``vises.provenance`` (JSON). pyarrow is
imported only when the report is written (``pip install vises[parquet]``).
"""

from __future__ import annotations

import io
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
    rows = csv_rows(resolved, results)
    arrays: dict[str, Any] = {
        "organisation": pa.array(results.organisations[rows].astype(str), type=pa.string()),
        "period": pa.array(results.periods[rows].astype(str), type=pa.string()),
    }
    for code in results.codes:
        scores = results.score(code)[rows]
        arrays[f"score.{code}"] = pa.array(scores, mask=~np.isfinite(scores), type=pa.float64())
    if resolved.options.ranks:
        for code in results.codes:
            ranks = results.ranks(code)[rows]
            known = ~np.isnan(ranks)
            arrays[f"rank.{code}"] = pa.array(np.where(known, ranks, 0).astype(np.int32), mask=~known, type=pa.int32())
        for code in results.codes:  # the N of "rank 5 / N": how many of the period are ranked
            counts = rank_counts(results, code)[rows]
            arrays[f"ranked.{code}"] = pa.array(counts.astype(np.int32), type=pa.int32())
    for code in results.codes:
        coverage = results.coverage(code)[rows]
        arrays[f"coverage.{code}"] = pa.array(coverage, mask=~np.isfinite(coverage), type=pa.float64())
    table = pa.table(arrays)
    metadata = {
        b"vises.provenance": json.dumps(provenance_record(results), ensure_ascii=False, default=str).encode("utf-8")
    }
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    buffer = io.BytesIO()
    pa.parquet.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()
