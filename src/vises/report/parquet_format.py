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
from collections.abc import Iterator
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


#: Rows per row group: each group's columns are gathered, written and freed before the next, so the
#: memory of the arrays written is one group's, used again by each (not the whole file's 224 columns).
ROW_GROUP_ROWS = 131_072


def render_parquet(results: Results, request: ReportRequest, /) -> bytes:
    """The scores, ranks and coverage as a Parquet file (bytes)."""
    resolved = resolve(results, request, "parquet")
    if resolved.view == "network" and resolved.options.public:
        from vises.report.public import public_parquet

        return public_parquet(results, resolved)
    # Into a BytesIO, whose getvalue() hands over its own buffer: an Arrow buffer's to_pybytes() would
    # copy the whole file once more (a fresh page per 4 KiB: seconds at a million rows).
    sink = io.BytesIO()
    for _ in _row_groups(results, resolved, sink):
        pass
    return sink.getvalue()


def iter_parquet(results: Results, request: ReportRequest, /) -> Iterator[bytes]:
    """The same file as ``render_parquet``, in the pieces pyarrow writes, a row group at a time.

    Written to ``-o`` as they come: the file is never held whole in memory, and the pieces, freed
    once written, are reused by the next group instead of a fresh page per 4 KiB of the file.
    """
    resolved = resolve(results, request, "parquet")
    if resolved.view == "network" and resolved.options.public:
        from vises.report.public import public_parquet

        yield public_parquet(results, resolved)
        return
    sink = _Pieces()
    for _ in _row_groups(results, resolved, sink):
        yield from sink.drain()
    yield from sink.drain()


class _Pieces(io.RawIOBase):
    """A write-only file keeping what pyarrow writes until it is drained."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        piece = bytes(data)
        self._parts.append(piece)
        self._position += len(piece)
        return len(piece)

    def tell(self) -> int:
        return self._position

    def drain(self) -> list[bytes]:
        parts, self._parts = self._parts, []
        return parts


def _row_groups(results: Results, resolved: Any, sink: Any) -> Iterator[None]:
    """Write the report into ``sink`` a row group at a time, yielding after each (and the footer)."""
    pa = _pyarrow()
    options = resolved.options
    rows = csv_rows(resolved, results)
    # The N of "rank 5 / N": how many rows of each period are ranked, per code (counted once).
    ranked = {
        code: np.bincount(
            results.period_codes[~np.isnan(results.score(code))], minlength=len(results.period_values)
        ).astype(np.int32)
        for code in (results.codes if options.ranks else ())
    }
    metadata = {
        b"vises.provenance": json.dumps(provenance_record(results), ensure_ascii=False, default=str).encode("utf-8")
    }
    writer = None
    for start in range(0, max(len(rows), 1), ROW_GROUP_ROWS):
        table = pa.table(_arrays(pa, results, rows[start : start + ROW_GROUP_ROWS], ranked, coverage=options.coverage))
        if writer is None:
            # Dictionary pages only where the values repeat: text keys, counts per period, coverage
            # shares. Tried on a million distinct floats (scores, ranks) they are built, then thrown
            # away, for every column (3.5x the writing time, and a larger file). Snappy, pyarrow's
            # default codec: zstd compresses the scores 8 % smaller and takes 2.6x as long to write.
            repeating = [name for name in table.column_names if not name.startswith(("score.", "rank."))]
            schema = table.schema.with_metadata(metadata)
            writer = pa.parquet.ParquetWriter(sink, schema, compression="snappy", use_dictionary=repeating)
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
        yield
    assert writer is not None
    writer.close()


def _arrays(
    pa: Any, results: Results, rows: np.ndarray, ranked: dict[str, np.ndarray], *, coverage: bool
) -> dict[str, Any]:
    """The report's columns for ``rows``, each over its numpy buffer (no copy) with a validity bitmap;
    a rank is known exactly where its score is, so the two share the bitmap."""
    from vises.io.arrow_numpy import integers
    from vises.io.csv_text import text_array
    from vises.model.keys import deferred_source

    held = deferred_source(results.dataset)  # the reader's Arrow column: taken as it is, never made strings
    arrays: dict[str, Any] = {
        "organisation": text_array(results.organisations[rows]) if held is None else held.take(integers(rows)),
        "period": text_array(results.periods[rows]),
    }
    known: dict[str, tuple[Any, int] | None] = {}
    for code in results.codes:
        values = results.score(code)[rows]
        known[code] = _validity(pa, np.isfinite(values))
        arrays[f"score.{code}"] = _column(pa, pa.float64(), values, known[code])
    if ranked:
        periods = results.period_codes[rows]
        for code in results.codes:
            with np.errstate(invalid="ignore"):  # an unranked row's slot is null: its value is never read
                whole = results.ranks(code)[rows].astype(np.int32)
            arrays[f"rank.{code}"] = _column(pa, pa.int32(), whole, known[code])
        for code in results.codes:
            arrays[f"ranked.{code}"] = _column(pa, pa.int32(), ranked[code][periods], None)
    if coverage:
        for code in results.codes:
            shares = results.coverage_of_rows(code, rows)
            arrays[f"coverage.{code}"] = _column(pa, pa.float64(), shares, _validity(pa, ~np.isnan(shares)))
    return arrays


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
