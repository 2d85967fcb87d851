"""The columnar CSV writer gives byte for byte the text of the csv module and of ``repr``.

``vises.io.csv_text`` formats whole columns in pyarrow; output is a user contract, so every cell
must be what the per-cell route (``float.__repr__``, ``spreadsheet_text``, ``csv.writer``) wrote.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

from test_report_evidence import results as evidence_results  # noqa: F401 - a fixture
from test_report_views import ask, make_results

from vises.io import csv_text
from vises.io import machine_text as machine_text_module
from vises.io.csv_text import csv_lines, first_cells, number_cells, number_lines, text_array, text_cells
from vises.io.machine_text import machine_rows, machine_rows_open, machine_text, machine_text_arrow
from vises.neutralise import spreadsheet_text
from vises.report import csv_format

#: Powers of ten and their neighbours: where the two notations switch.
EDGES = [
    v
    for e in range(-323, 309)
    for p in (10.0**e,)
    if math.isfinite(p)
    for v in (p, -p, math.nextafter(p, 0.0), math.nextafter(p, math.inf), 1.5 * p, 9.999999999999998 * p)
] + [0.0, -0.0, 5e-324, 1.7976931348623157e308, 2.0**53, 2.0**53 + 2, 123456789012345.6, 12.0, 100.0]


def _expected_numbers(values: list[float]) -> list[str | None]:
    return [repr(v) if math.isfinite(v) else None for v in values]


def test_machine_numbers_are_repr_at_every_power_of_ten() -> None:
    values = np.array([*EDGES, math.nan, math.inf, -math.inf])
    assert machine_text_arrow(values).to_pylist() == _expected_numbers(values.tolist())
    assert (
        machine_text(values, "-").tolist()
        == [t if t is not None else "-" for t in _expected_numbers(EDGES)] + ["-"] * 3
    )


def test_machine_numbers_are_repr_for_random_bit_patterns() -> None:
    bits = np.random.default_rng(11).integers(0, 2**64, size=200_000, dtype=np.uint64)
    values = bits.view(np.float64)
    assert machine_text_arrow(values).to_pylist() == _expected_numbers(values.tolist())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(width=64), min_size=1, max_size=40))
def test_machine_numbers_are_repr(values: list[float]) -> None:
    assert machine_text_arrow(np.array(values)).to_pylist() == _expected_numbers(values)


def _expected_rows(block: np.ndarray, delimiter: str = ",", end: str = "\r\n") -> list[str]:
    return [
        delimiter + delimiter.join(repr(v) if math.isfinite(v) else "" for v in row) + end for row in block.tolist()
    ]


needs_orjson = pytest.mark.skipif(not machine_rows_open(), reason="orjson is not installed (the block route is closed)")


@needs_orjson
def test_rows_of_machine_numbers_are_repr_at_every_power_of_ten() -> None:
    values = np.array([*EDGES, math.nan, math.inf, -math.inf, 1e-5, 9.99e-5, 1.5e-7, 1e-9, 1.01e-4])
    for k in (1, 2, 7):
        block = np.resize(values, (len(values) // k, k))
        assert machine_rows(block).to_pylist() == _expected_rows(block)


@needs_orjson
def test_rows_of_machine_numbers_are_repr_for_random_bit_patterns() -> None:
    bits = np.random.default_rng(12).integers(0, 2**64, size=300_000, dtype=np.uint64)
    block = bits.view(np.float64).reshape(-1, 30)
    assert machine_rows(block).to_pylist() == _expected_rows(block)


@needs_orjson
@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.floats(width=64), st.floats(min_value=1e-10, max_value=2e-4), st.sampled_from([0.0, 100.0])),
        min_size=1,
        max_size=60,
    ),
    k=st.integers(1, 6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    end=st.sampled_from(["\r\n", "\n\r"]),
)
def test_rows_of_machine_numbers_are_what_repr_writes(values: list[float], k: int, delimiter: str, end: str) -> None:
    block = np.resize(np.array(values), (max(1, len(values) // k), k))
    assert machine_rows(block, delimiter=delimiter, lineterminator=end).to_pylist() == _expected_rows(
        block, delimiter, end
    )


def test_the_block_route_is_closed_where_it_cannot_write_the_same_text(monkeypatch: pytest.MonkeyPatch) -> None:
    block = np.ones((3, 2))
    assert machine_rows(block, lineterminator="\n") is None  # one character: the column-wise route
    assert machine_rows(block, delimiter=".") is None  # a character numbers hold
    assert machine_rows(np.ones((0, 2))) is None and machine_rows(np.ones((2, 0))) is None
    monkeypatch.setattr(machine_text_module, "_checked", [None])  # orjson missing, or writing otherwise than repr
    assert not machine_rows_open() and machine_rows(block) is None
    assert number_lines(first_cells([text_cells(np.array(["a", "b", "c"], dtype=object))]), block) is None


@needs_orjson
def test_a_block_past_a_string_arrays_reach_is_written_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    block = np.array([[1.0, math.nan], [1e-5, 2.5], [math.inf, -0.0], [3.0, 4.0], [5.0, 1e-7]])
    whole = machine_rows(block).to_pylist()
    first = first_cells([text_cells(np.array(list("abcde"), dtype=object))])
    lines = bytes(number_lines(first, block))
    monkeypatch.setattr(machine_text_module, "_MAX_TEXT", 30)
    assert machine_rows(block).num_chunks > 1 and machine_rows(block).to_pylist() == whole == _expected_rows(block)
    assert bytes(number_lines(first, block)) == lines


@needs_orjson
def test_number_lines_follow_the_first_cells() -> None:
    names = text_cells(np.array(["a", "=b", 'c"d'], dtype=object))
    periods = text_cells(np.array(["2019", "2020", "x,y"], dtype=object))
    block = np.array([[1.0, math.nan], [1e-5, 2.5], [math.inf, -0.0]])
    text = bytes(number_lines(first_cells([names, periods]), block)).decode("utf-8")
    assert text == csv_lines([names, periods, number_cells(block[:, 0]), number_cells(block[:, 1])]).decode("utf-8")
    assert text == 'a,2019,1.0,\r\n\'=b,2020,1e-05,2.5\r\n"c""d","x,y",,-0.0\r\n'


@pytest.mark.parametrize(
    "cells",
    [
        ["a", "b"],
        [],
        ["é", "", "x y", "\u2028"],
        ["a\nb", "c"],  # a line feed in a cell: pa.array
        ["a", None],  # not a string: pa.array
        [1, "x"],
    ],
)
def test_text_arrays_are_built_without_pa_array_where_they_can(cells: list[object]) -> None:
    expected = [None if cell is None else str(cell) for cell in cells]
    assert text_array(np.array(cells, dtype=object)).to_pylist() == expected
    joined = csv_text._joined_text(np.array(cells, dtype=object))  # the route taken while pandas is not loaded
    plain = all(isinstance(cell, str) and "\n" not in cell for cell in cells)
    assert (joined.to_pylist() == expected) if plain else joined is None


CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.text(alphabet=st.sampled_from(list("=+-@\t\r\n,;\"' a1.é")), max_size=8),
    st.from_regex(r"[=+\-@][0-9]{1,3}([.,][0-9]*)?", fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.tuples(CELL, CELL, st.floats(width=64)), min_size=1, max_size=30),
    delimiter=st.sampled_from([",", "\t", ";"]),
    neutralise=st.booleans(),
)
def test_lines_are_what_the_csv_module_writes(
    rows: list[tuple[str | None, str | None, float]], delimiter: str, neutralise: bool
) -> None:
    first, second, numbers = (list(column) for column in zip(*rows, strict=True))
    columns = [
        text_cells(np.array(first, dtype=object), delimiter=delimiter, neutralise=neutralise),
        text_cells(np.array(second, dtype=object), delimiter=delimiter, neutralise=neutralise),
        number_cells(np.array(numbers)),
    ]
    got = csv_lines(columns, delimiter=delimiter, lineterminator="\r\n").decode("utf-8")

    def cell(text: str | None) -> str:
        if text is None:
            return ""
        return spreadsheet_text(text) if neutralise else text

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        (cell(a), cell(b), repr(x) if math.isfinite(x) else "") for a, b, x in rows
    )
    assert got == buffer.getvalue()


def test_formula_like_names_are_inert_and_numbers_are_not() -> None:
    cells = text_cells(np.array(["=1+1", "@SUM(A1)", "-3", "+32 2 555", "\tx", "plain", "-", "a,b"], dtype=object))
    assert cells.to_pylist() == ["'=1+1", "'@SUM(A1)", "-3", "'+32 2 555", "'\tx", "plain", "'-", '"a,b"']


def _both_routes(results, request) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    resolved = csv_format.resolve(results, request, "csv")
    rows = csv_format.csv_rows(resolved, results)
    from vises.report.evidence_table import evidence_fields

    evidence = bool(evidence_fields(results, rows[:0]))
    arrow = "".join(csv_format._arrow_chunks(results, rows, evidence))
    python = "".join(csv_format._python_chunks(results, rows, evidence))
    return arrow, python


@pytest.mark.parametrize("orjson", [True, False])
@pytest.mark.parametrize("chunk", [1, 3, 20_000])
def test_the_report_is_the_same_text_with_and_without_pyarrow(
    monkeypatch: pytest.MonkeyPatch, chunk: int, orjson: bool
) -> None:
    monkeypatch.setattr(csv_format, "CHUNK_ROWS", chunk)
    if not orjson:
        monkeypatch.setattr(machine_text_module, "_checked", [None])
    results = make_results()
    arrow, python = _both_routes(results, ask())
    assert arrow == python and arrow.count("\r\n") == len(results)


def test_the_evidence_columns_are_the_same_text_with_and_without_pyarrow(evidence_results) -> None:  # noqa: F811
    arrow, python = _both_routes(evidence_results, ask())
    assert arrow == python and "survey" in arrow


def test_a_small_csv_report_does_not_import_pandas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # pyarrow's first array imports pandas (~150 ms); below ARROW_ROWS the csv module writes the same text.
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    script = (
        "import sys\n"
        "from vises.cli.main import main\n"
        "try:\n"
        f"    main(['score', {str(root / 'examples' / 'data' / 'wallonie_cisp.csv')!r}, '--grid', 'wallonie.cisp',"
        f" '--format', 'csv', '-o', {str(tmp_path / 'out.csv')!r}])\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("organisation,period,")
