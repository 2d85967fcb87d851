"""The Parquet report: scores, ranks and coverage as typed columns, for data tools.

One row per organisation and period (the rows and order of the CSV report); columns
``organisation``, ``period``, then ``score.<code>`` (float64), ``rank.<code>`` (int32),
``ranked.<code>`` (int32, how many of the period are ranked) and ``coverage.<code>`` (float64) for
every code of ``Results.codes``; ``ranks=False`` leaves out the two rank columns, ``coverage=False``
the coverage (a data tool that wants the scores alone writes a third of the columns). A missing
value is a null, not NaN. The provenance is kept in the file's metadata under ``vises.provenance`` (JSON). pyarrow is
imported only when the report is written (``pip install vises[parquet]``).
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import MissingDependencyError
from vises.report.csv_format import csv_rows
from vises.report.views import provenance_record, resolve

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
    from vises.io.arrow_numpy import integers
    from vises.io.csv_text import text_array
    from vises.model.keys import deferred_source

    rows = csv_rows(resolved, results)
    held = deferred_source(results.dataset)  # the reader's Arrow column: taken as it is, never made strings
    arrays: dict[str, Any] = {
        "organisation": text_array(results.organisations[rows]) if held is None else held.take(integers(rows)),
        "period": text_array(results.periods[rows]),
    }
    # Each column is built once from its numpy buffer (no copy) and a validity bitmap; a rank is
    # known exactly where its score is, so the two share the bitmap.
    known: dict[str, tuple[Any, int] | None] = {}
    ranked: dict[str, np.ndarray] = {}
    periods = results.period_codes[rows]
    for code in results.codes:
        values = results.score(code)[rows]
        present = np.isfinite(values)
        known[code] = _validity(pa, present)
        arrays[f"score.{code}"] = _column(pa, pa.float64(), values, known[code])
        if resolved.options.ranks:  # the N of "rank 5 / N": how many of the period are ranked
            ranked[code] = np.bincount(periods[present], minlength=len(results.period_values)).astype(np.int32)
    if resolved.options.ranks:
        for code in results.codes:
            with np.errstate(invalid="ignore"):  # an unranked row's slot is null: its value is never read
                whole = results.ranks(code)[rows].astype(np.int32)
            arrays[f"rank.{code}"] = _column(pa, pa.int32(), whole, known[code])
        for code in results.codes:
            arrays[f"ranked.{code}"] = _column(pa, pa.int32(), ranked[code][periods], None)
    if resolved.options.coverage:
        for code in results.codes:
            coverage = results.coverage(code)[rows]
            arrays[f"coverage.{code}"] = _column(pa, pa.float64(), coverage, _validity(pa, ~np.isnan(coverage)))
    table = pa.table(arrays)
    metadata = {
        b"vises.provenance": json.dumps(provenance_record(results), ensure_ascii=False, default=str).encode("utf-8")
    }
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    # Into a BytesIO, whose getvalue() hands over its own buffer: an Arrow buffer's to_pybytes() would
    # copy the whole file once more (a fresh page per 4 KiB: seconds at a million rows).
    sink = io.BytesIO()
    # Dictionary pages only where the values repeat: text keys, counts per period, coverage shares.
    # Tried on a million distinct floats (scores, ranks) they are built, then thrown away, for every
    # column (3.5x the writing time, and a larger file). Snappy, pyarrow's default codec: zstd
    # compresses the scores 8 % smaller and takes 2.6x as long to write.
    repeating = [name for name in arrays if not name.startswith(("score.", "rank."))]
    pa.parquet.write_table(table, sink, compression="snappy", use_dictionary=repeating)
    return sink.getvalue()


def _validity(pa: Any, present: np.ndarray) -> tuple[Any, int] | None:
    """A validity bitmap of ``present`` and the number of nulls, ``None`` when nothing is null."""
    nulls = len(present) - int(np.count_nonzero(present))
    if not nulls:
        return None
    return pa.py_buffer(np.packbits(present, bitorder="little")), nulls


def _column(pa: Any, kind: Any, values: np.ndarray, validity: tuple[Any, int] | None) -> Any:
    """An Arrow array over ``values``' own buffer (no copy), null where ``validity`` says."""
    data = pa.py_buffer(np.ascontiguousarray(values))
    if validity is None:
        return pa.Array.from_buffers(kind, len(values), [None, data], null_count=0)
    bitmap, nulls = validity
    return pa.Array.from_buffers(kind, len(values), [bitmap, data], null_count=nulls)
