"""The Arrow number rules give the reference rules' answers, whatever the column's layout.

``ArrowCells.numbers`` parses a text column in C (commas made points byte for byte in ``;`` files,
tokens looked up only in cells that start like one) and takes typed columns' buffers as numpy
arrays (nulls set to NaN, in place when the table is the reader's own). These tests compare it with
``NumpyCells.numbers`` (the reference rules) on generated cells, in arrays that are sliced, chunked,
nullable or not, and check that a caller's table is never written to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises.io import arrow_cells
from vises.io.cells import Place
from vises.io.frames import NumpyCells
from vises.limits import current_limits
from vises.model import Grid, Indicator, Node

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pq = pytest.importorskip("pyarrow.parquet")

PLACE = Place(file="f.csv", column="hours", first_row=2, indicator="hours")
TOKENS = ["n/a", "N/A", "na", "NA", "s.o.", "nvt", "n.v.t.", "So", "?", "missing", "MANQUANT", "ontbreekt", ""]
ODD = [
    "1.234,5",
    "1 234,5",
    "1\u00a0234,5",
    "12,5 h",
    "abc",
    " 7 ",
    "nan",
    "inf",
    "-inf",
    "1_000",
    "n/a ",
    "N.A.",
    "x,y",
]
NUMBERS = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False).map(lambda v: f"{v:.3f}")
CELL = (
    NUMBERS
    | NUMBERS.map(lambda text: text.replace(".", ","))
    | st.integers(-5000, 5000).map(str)
    | st.sampled_from(TOKENS)
    | st.sampled_from(ODD)
    | st.text(alphabet="0123456789,.-+eEnas/ ?", max_size=6)
)


def _reference(cells: list[str | None], decimal_comma: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    array = np.empty(len(cells), dtype=object)
    array[:] = [None if cell is None else cell.strip() for cell in cells]
    column, problems = NumpyCells(decimal_comma=decimal_comma, limits=current_limits()).numbers(array, PLACE, "h")
    na = column.not_applicable if column.not_applicable is not None else np.zeros(len(cells), bool)
    return column.values, na, sorted(str(problem) for problem in problems)


def _arrow(values: object, decimal_comma: bool) -> tuple[np.ndarray, np.ndarray, list[str]]:
    cells = arrow_cells.ArrowCells(decimal_comma=decimal_comma, limits=current_limits())
    column, problems = cells.numbers(values, PLACE, "h")
    na = column.not_applicable if column.not_applicable is not None else np.zeros(len(column.values), bool)
    return column.values, na, sorted(str(problem) for problem in problems)


def _layouts(cells: list[str | None], cut: int) -> list[object]:
    """The same cells as one array, a slice of a longer one (offset), and chunks."""
    whole = pa.array(cells, type=pa.string())
    padded = pa.array(["pad", *cells, "pad"], type=pa.string()).slice(1, len(cells))
    cut = min(cut, len(cells))
    chunked = pa.chunked_array([whole.slice(0, cut), whole.slice(cut)], type=pa.string())
    return [whole, padded, chunked, pa.array(cells, type=pa.large_string())]


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(CELL | st.none(), min_size=1, max_size=40),
    decimal_comma=st.booleans(),
    cut=st.integers(0, 40),
)
def test_text_columns_parse_as_the_reference_rules_say(cells: list[str | None], decimal_comma: bool, cut: int) -> None:
    expected = _reference(cells, decimal_comma)
    for layout in _layouts(cells, cut):
        values, na, problems = _arrow(layout, decimal_comma)
        np.testing.assert_array_equal(values, expected[0])
        np.testing.assert_array_equal(na, expected[1])
        assert problems == expected[2]


def test_tokens_are_told_from_numbers_by_their_first_byte_only_as_a_shortcut() -> None:
    """Every spelling looked up by hash starts with a byte the shortcut sends to the lookup."""
    spellings = [*arrow_cells._NA_SPELLINGS, *arrow_cells.MISSING_SPELLINGS]
    assert all(arrow_cells._TOKEN_START[word.encode()[0]] for word in spellings if word)
    assert not arrow_cells._TOKEN_START[[ord(digit) for digit in "0123456789"]].any()


def test_commas_become_points_in_number_cells_only_and_the_text_is_kept() -> None:
    values = pa.array(["1,5", "é,2", None, "", "3"], type=pa.string())
    pointed = arrow_cells._Bytes(values).with_points()
    assert pointed.to_pylist() == ["1.5", "é.2", None, "", "3"]
    assert values.to_pylist() == ["1,5", "é,2", None, "", "3"]  # the column read is left as it was


def _raw(values: object) -> bytes:
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    return b"".join(buffer.to_pybytes() for chunk in chunks for buffer in chunk.buffers() if buffer is not None)


@settings(max_examples=60, deadline=None)
@given(
    numbers=st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.none(), min_size=1, max_size=30),
    cut=st.integers(0, 30),
    owned=st.booleans(),
)
def test_typed_columns_become_float64_with_nan_for_null(numbers: list[float | None], cut: int, owned: bool) -> None:
    cut = min(cut, len(numbers))
    expected = np.array([np.nan if value is None or np.isinf(value) else value for value in numbers], dtype=float)
    cells = arrow_cells.ArrowCells(decimal_comma=False, limits=current_limits(), own_buffers=owned)
    layouts = (
        lambda whole: whole,
        lambda whole: pa.chunked_array([whole.slice(0, cut), whole.slice(cut)]),
        lambda whole: pa.chunked_array([whole]),
        lambda whole: pa.concat_arrays([pa.array([7.0]), whole]).slice(1),
    )
    for layout in layouts:  # a new array each time: an owned one may be written to
        given = layout(pa.array(numbers, type=pa.float64()))
        shown = _raw(given)
        column, problems = cells.numbers(given, PLACE, None)
        np.testing.assert_array_equal(column.values, expected)
        assert len(problems) == sum(1 for value in numbers if value is not None and np.isinf(value))
        if not owned:
            assert _raw(given) == shown


def test_integer_columns_and_columns_without_nulls() -> None:
    cells = arrow_cells.ArrowCells(decimal_comma=False, limits=current_limits())
    column, _ = cells.numbers(pa.array([1, None, 3], type=pa.int32()), PLACE, None)
    np.testing.assert_array_equal(column.values, [1.0, np.nan, 3.0])
    plain = pa.array([1.5, 2.5])
    column, _ = cells.numbers(plain, PLACE, None)
    np.testing.assert_array_equal(column.values, [1.5, 2.5])
    assert not column.values.flags.writeable


def test_a_callers_table_is_never_written_to() -> None:
    """Without ``owned``, nulls are filled in a copy: the table's own buffer keeps what it held."""
    from vises.io.parquet_data import table_dataset

    values = pa.array([1.0, None, 3.0])
    table = pa.table({"organisation": ["a", "b", "c"], "hours": values})
    before = np.frombuffer(values.buffers()[1], dtype=np.float64).copy()
    grid = Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="hours", parent="r", unit="hour"),))
    dataset = table_dataset(table, file=None, grid=grid)
    np.testing.assert_array_equal(dataset.columns["hours"].values, [1.0, np.nan, 3.0])
    np.testing.assert_array_equal(np.frombuffer(values.buffers()[1], dtype=np.float64), before)


def test_parquet_with_several_row_groups_reads_as_one(tmp_path: Path) -> None:
    n = 5000
    rng = np.random.default_rng(1)
    hours = rng.random(n) * 100
    missing = rng.random(n) < 0.1
    na = rng.random(n) < 0.05
    table = pa.table(
        {
            "organisation": [f"o{i}" for i in range(n)],
            "hours": pa.array(hours, mask=missing | na),
            "hours.not_applicable": pa.array(na),
            "rate": pa.array(np.where(missing, np.inf, hours)),
        }
    )
    grid = Grid(
        code="g",
        nodes=(Node(code="r"),),
        indicators=(
            Indicator(code="hours", parent="r", unit="hour"),
            Indicator(code="rate", parent="r", unit="percent"),
        ),
    )
    one, many = tmp_path / "one.parquet", tmp_path / "many.parquet"
    pq.write_table(table, one)
    pq.write_table(table, many, row_group_size=700)
    assert pq.ParquetFile(many).num_row_groups > 1
    first = vises.load_data(one, grid=grid, keep_problems=True)
    second = vises.load_data(many, grid=grid, keep_problems=True)
    for data in (first, second):
        np.testing.assert_array_equal(data.columns["hours"].values, np.where(missing | na, np.nan, hours))
        np.testing.assert_array_equal(data.columns["hours"].not_applicable, na)
        np.testing.assert_array_equal(data.columns["rate"].values, np.where(missing, np.nan, hours))
        assert len(data.read_problems) == int(missing.sum())  # each infinite value named
    assert [str(p).replace("one.", "many.") for p in first.read_problems] == [str(p) for p in second.read_problems]


@pytest.mark.parametrize("late", ["nan", "n/a", "1.234,5", "x"])
def test_threads_give_the_same_dataset_and_raise_a_late_surprise(
    tmp_path: Path, late: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the number columns on threads (any table size), a cell late in a column read as
    numbers still makes the reader start again with the rules: the answer is the threadless one."""
    rows = [f"o{i};2023;{i},5;{i % 7},25;n/a" if i % 11 == 0 else f"o{i};2023;{i},5;{i % 7},25;3" for i in range(3000)]
    rows.append(f"late;2023;{late};1;2")
    path = tmp_path / "d.csv"
    path.write_text("organisation;period;hours;rate;size\n" + "\n".join(rows) + "\n", encoding="utf-8")
    grid = Grid(
        code="g",
        nodes=(Node(code="r"),),
        indicators=tuple(Indicator(code=code, parent="r", unit="hour") for code in ("hours", "rate", "size")),
    )
    alone = vises.load_data(path, grid=grid, keep_problems=True)
    monkeypatch.setattr(arrow_cells, "PARALLEL_CELLS", 0)
    threaded = vises.load_data(path, grid=grid, keep_problems=True)
    for code in ("hours", "rate", "size"):
        np.testing.assert_array_equal(threaded.columns[code].values, alone.columns[code].values)
    assert [str(p) for p in threaded.read_problems] == [str(p) for p in alone.read_problems]
    assert threaded.columns["hours"].values[1] == 1.5
    np.testing.assert_array_equal(threaded.columns["size"].not_applicable[:12], [i % 11 == 0 for i in range(12)])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(CELL, min_size=1, max_size=30))
def test_semicolon_files_read_the_same_by_both_engines(tmp_path: Path, cells: list[str]) -> None:
    """End to end: a ``;`` file of such cells, the Arrow reader against the csv-module reader."""
    from vises.io.csv_data import read_csv

    cells = [cell.replace(";", "").replace('"', "").replace("\n", "") for cell in cells]
    path = tmp_path / "s.csv"
    lines = [f"o{i};2023;{cell};note, {cell}" for i, cell in enumerate(cells)]
    path.write_text("organisation;period;hours;hours.comment\n" + "\n".join(lines) + "\n", encoding="utf-8")
    grid = Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="hours", parent="r", unit="hour"),))
    arrow = read_csv(path, grid=grid, engine="arrow", keep_problems=True)
    python = read_csv(path, grid=grid, engine="python", keep_problems=True)
    np.testing.assert_array_equal(arrow.columns["hours"].values, python.columns["hours"].values)
    na = [
        c.not_applicable if c.not_applicable is not None else np.zeros(len(cells), bool)
        for c in (
            arrow.columns["hours"],
            python.columns["hours"],
        )
    ]
    np.testing.assert_array_equal(*na)
    assert sorted(map(str, arrow.read_problems)) == sorted(map(str, python.read_problems))
    assert list(arrow.text["hours"]) == [f"note, {cell}".strip() for cell in cells]  # comments never rewritten


EDGE_TEXT = st.text(alphabet=st.sampled_from(list("ab é\t\u00a0\u3000\u2028\x1f\u0085\r\n-")), max_size=8)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(EDGE_TEXT | st.none(), min_size=1, max_size=40), cut=st.integers(0, 40))
def test_text_cells_are_trimmed_as_the_reference_rules_say(cells: list[str | None], cut: int) -> None:
    """Identifiers and text lose their surrounding white space (Unicode's too) and nothing else, whether
    or not the column needed trimming, in every layout (the untrimmed shortcut looks at edge bytes)."""
    cells_ = arrow_cells.ArrowCells(decimal_comma=False, limits=current_limits())
    place = Place(file="f.csv", column="name", first_row=2)
    expected = [None if cell is None or not cell.strip() else cell.strip() for cell in cells]
    for layout in _layouts(cells, cut):
        got = cells_.text(layout, place)
        assert [None if value is None or value == "" else value for value in got.tolist()] == expected
        names, _ = cells_.identifiers(layout, place, "organisation")
        assert names.tolist() == ["" if cell is None else cell.strip() for cell in cells]
