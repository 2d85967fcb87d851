"""The CSV report: one row per organisation and period, one column per grid node, machine numbers.

Columns are ``organisation``, ``period``, then every code of ``Results.codes`` (indicators'
normalised scores, then every aggregate, the root last), headed by the codes themselves. Values
are the shortest text that reads back to exactly the same float (numpy's, a whole column at a
time); a missing score is an empty cell. The header row comes first, so any CSV reader takes the
file as it is; the provenance is written beside it by ``vises score -o``
(``<file>.provenance.json``), or as leading ``#`` comment lines with ``options={"provenance":
True}`` (read with ``pandas.read_csv(path, comment="#")``).

Lines end with CRLF (RFC 4180), so a carriage return inside a name is quoted like a line break.
A CSV file is opened by spreadsheets: an organisation or period that a spreadsheet would take for
a formula (``=1+1``, ``@SUM(...)``, ``+33 ...``) gets a leading ``'`` (``vises.spreadsheet_text``,
after OWASP's CSV-injection guidance); plain numbers are left alone.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.io.machine_text import machine_text
from vises.neutralise import spreadsheet_text
from vises.report.views import Request, profile_row, provenance_record, resolve

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results

#: Rows written per chunk when streaming.
CHUNK_ROWS = 20_000
#: Number cells per chunk on the block route (fewer rows per chunk when there are many columns): about
#: 2.5 MB of text, so the buffers of a chunk are reused from the allocators' free lists instead of
#: being mapped anew (500,000 cells made 6x more page faults, and 0.1-0.8 s of system time per 100 MB).
BLOCK_CELLS = 150_000
#: Rows from which the columnar writer pays for itself: pyarrow's first array imports pandas
#: (~150 ms), more than the csv module takes for a few thousand rows. The text is the same either way.
ARROW_ROWS = 5_000


def provenance_lines(results: Results) -> list[str]:
    """The provenance as ``# key: value`` lines."""
    data = provenance_record(results)
    plugins = ", ".join(f"{name} {version}" for name, version in sorted((data.get("plugins") or {}).items()))
    methods = "; ".join(f"{code}={method}" for code, method in (data.get("methods") or {}).items())
    return [
        f"# vises {data.get('vises_version', '')}",
        f"# grid: {data.get('grid', results.grid.code)} {data.get('grid_version', results.grid.version)}",
        f"# plugins: {plugins}",
        f"# pooling: {data.get('pooling', '')}",
        f"# methods: {methods}",
        f"# created: {data.get('created', '')}",
    ]


def machine_numbers(column: np.ndarray) -> np.ndarray:
    """A float column as shortest round-trip text (``repr``), a missing value as an empty cell (objects)."""
    return machine_text(column)


def inert_text(values: np.ndarray) -> np.ndarray:
    """Text cells made inert for a spreadsheet, each distinct value neutralised once."""
    distinct, inverse = np.unique(np.asarray(values).astype(str), return_inverse=True)
    safe = np.array([spreadsheet_text(str(value)) for value in distinct.tolist()], dtype=object)
    return safe[inverse.reshape(-1)]


def csv_rows(request: Request, results: Results) -> np.ndarray:
    """The rows written: the profile's one row, or every row by period (natural order) and code."""
    if request.view == "profile":
        return np.array([profile_row(results, request)])
    from vises.engine.results import network_order

    rows = network_order(results)
    if request.period is not None:
        rows = rows[results.periods[rows] == request.period]
    return rows


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def iter_csv(results: Results, request: ReportRequest, /) -> Iterator[str]:
    """The CSV in chunks of ``CHUNK_ROWS`` rows, each formatted column by column."""
    resolved = resolve(results, request, "csv")
    if resolved.view == "network" and resolved.options.public:
        from vises.report.public import iter_public_csv

        yield from iter_public_csv(results, resolved)
        return
    rows = csv_rows(resolved, results)
    if resolved.options.provenance:
        yield "".join(" ".join(line.splitlines()) + "\r\n" for line in provenance_lines(results))
    from vises.report.evidence_table import evidence_fields

    # Evidence columns (<code>.value, .n, .source, ..., .low, .high) follow the scores, only when there is evidence.
    evidence_names = [f"{field.code}.{field.field}" for field in evidence_fields(results, rows[:0])]
    evidence = bool(evidence_names)
    yield _line(["organisation", "period", *(spreadsheet_text(name) for name in (*results.codes, *evidence_names))])
    if len(rows) < ARROW_ROWS and "pandas" not in sys.modules:
        yield from _python_chunks(results, rows, evidence)
        return
    try:
        import pyarrow  # noqa: F401 - the columnar writer's engine
    except ImportError:
        yield from _python_chunks(results, rows, evidence)
    else:
        yield from _arrow_chunks(results, rows, evidence)


def _arrow_chunks(results: Results, rows: np.ndarray, evidence: bool) -> Iterator[str]:
    """The rows as CSV text, every column formatted whole in pyarrow's C kernels."""
    from vises.io.csv_text import csv_lines, first_cells, number_cells, text_array, text_cells
    from vises.io.machine_text import machine_rows_open
    from vises.report.evidence_table import evidence_fields, flag_cells

    names, periods = text_cells(results.organisations[rows]), text_cells(results.periods[rows])
    if not evidence and len(results.codes) and machine_rows_open():
        yield from _block_chunks(results, rows, first_cells([names, periods]))
        return
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        columns = [names.slice(start, len(chunk)), periods.slice(start, len(chunk))]
        columns += [number_cells(results.scores[chunk, index]) for index in range(len(results.codes))]
        for field in evidence_fields(results, chunk) if evidence else []:
            if field.field in ("verified", "small"):
                columns.append(text_array(flag_cells(field.values, "yes", "no", "")))
            elif field.field == "source":
                columns.append(text_cells(field.values))
            else:
                columns.append(number_cells(field.values))
        yield csv_lines(columns).decode("utf-8")


def _block_chunks(results: Results, rows: np.ndarray, first: Any) -> Iterator[str]:
    """The rows as CSV text, the numbers of a chunk as one block (orjson: the same text, a few times
    faster than column by column).

    One thread: formatting chunks on two threads while the previous one was written made a fresh
    ``vises score`` slower, not faster (each thread's allocator arena is mapped anew, which cost
    more system time than the overlap saved; orjson holds the GIL)."""
    from vises.io.csv_text import number_lines

    size = max(1, min(CHUNK_ROWS, BLOCK_CELLS // len(results.codes)))
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        text: Any = number_lines(first.slice(start, len(chunk)), results.scores[chunk])
        yield str(memoryview(text), "utf-8")


def _python_chunks(results: Results, rows: np.ndarray, evidence: bool) -> Iterator[str]:
    """The same text through the ``csv`` module, for an install without pyarrow."""
    from vises.report.evidence_table import evidence_fields

    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        columns = [inert_text(results.organisations[chunk]), inert_text(results.periods[chunk])]
        columns += [machine_numbers(results.scores[chunk, index]) for index in range(len(results.codes))]
        columns += [_evidence_cells(field) for field in evidence_fields(results, chunk)] if evidence else []
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(zip(*columns, strict=True))
        yield buffer.getvalue()


def _evidence_cells(field: Any) -> np.ndarray:
    """One evidence column as CSV text: machine numbers, ``yes``/``no`` flags, a source's name (inert)."""
    from vises.report.evidence_table import flag_cells

    if field.field in ("verified", "small"):
        return flag_cells(field.values, "yes", "no", "")
    if field.field == "source":
        text = np.asarray(field.values, dtype=object)
        return inert_text(np.where(text == None, "", text))  # noqa: E711 - elementwise
    return machine_numbers(field.values)


def render_csv(results: Results, request: ReportRequest, /) -> str:
    """Scores as CSV: every row for the network view, the one chosen row for the profile view.

    The language is checked but changes nothing: column heads are codes, numbers are machine numbers.
    """
    return "".join(iter_csv(results, request))
