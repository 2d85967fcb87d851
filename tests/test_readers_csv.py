"""The CSV readers: pyarrow's C parser and the csv-module path give the same Dataset, the one the file means.

Property tests write files from known values (decimal comma and grouping in ``;`` files, tokens for
not applicable and missing, units in the header or a units row, a BOM, quotes, delimiters and
newlines inside text cells) and check both engines against those values and against each other;
text and identifier columns come back exactly as written (stripped of surrounding spaces only).
"""

from __future__ import annotations

import csv
import io
import math
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vises.errors import DataError, DataValidationError, LimitError
from vises.io.csv_data import read_csv
from vises.limits import use_limits
from vises.model import Dataset, Grid, Indicator, Kind, Level, Node

pytest.importorskip("pyarrow")

ENGINES = ("arrow", "python")
GRID = Grid(
    code="g",
    nodes=(Node(code="r"),),
    indicators=(
        Indicator(code="hours", parent="r", unit="hour"),
        Indicator(code="rate", parent="r", unit="percent"),
        Indicator(code="ok", parent="r", kind=Kind.BINARY),
        Indicator(code="lvl", parent="r", kind=Kind.SCALE, levels=tuple(Level(value=str(i)) for i in range(1, 6))),
        Indicator(code="story", parent="r", kind=Kind.NARRATIVE),
    ),
)


def write(tmp_path: Path, text: str, name: str = "d.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def both(path: Path, **options: object) -> tuple[Dataset, Dataset]:
    return tuple(read_csv(path, engine=engine, keep_problems=True, **options) for engine in ENGINES)  # type: ignore[return-value]


def same_dataset(a: Dataset, b: Dataset) -> None:
    assert list(a.organisations) == list(b.organisations)
    assert list(a.periods) == list(b.periods)
    assert list(a.columns) == list(b.columns)
    for code, column in a.columns.items():
        other = b.columns[code]
        assert column.unit == other.unit, code
        if column.numeric:
            np.testing.assert_array_equal(column.values, other.values, err_msg=code)
        else:
            assert list(column.values) == list(other.values), code
        mask_a = column.not_applicable if column.not_applicable is not None else np.zeros(len(a), bool)
        mask_b = other.not_applicable if other.not_applicable is not None else np.zeros(len(b), bool)
        np.testing.assert_array_equal(mask_a, mask_b, err_msg=code)
    assert {k: list(v) for k, v in a.text.items()} == {k: list(v) for k, v in b.text.items()}
    assert {k: list(v) for k, v in a.attributes.items()} == {k: list(v) for k, v in b.attributes.items()}
    assert sorted(str(p) for p in a.read_problems) == sorted(str(p) for p in b.read_problems)


# --- the rules, each engine -------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_identifiers_and_comments_are_never_rewritten_in_semicolon_files(tmp_path: Path, engine: str) -> None:
    path = write(
        tmp_path,
        "organisation;année;hours;vat;hours.comment\n"
        "362 521 879;2023;1.234,5;362 521 879;1 234,5 heures\n"
        "007;2023;1 234,5;0.5;nan\n",
    )
    data = read_csv(path, grid=GRID, engine=engine, keep_problems=True, attributes=("vat",))
    assert list(data.organisations) == ["362 521 879", "007"]  # not 362521879, not 7
    np.testing.assert_array_equal(data.columns["hours"].values, [1234.5, 1234.5])
    assert list(data.attributes["vat"]) == ["362 521 879", "0.5"]
    assert list(data.text["hours"]) == ["1 234,5 heures", "nan"]  # 'nan' is text in a text column
    assert not data.read_problems


@pytest.mark.parametrize("engine", ENGINES)
def test_nan_and_inf_are_errors_in_number_columns(tmp_path: Path, engine: str) -> None:
    path = write(tmp_path, "org,year,hours\nA,2023,nan\nB,2023,inf\nC,2023,-Infinity\nD,2023,\n")
    data = read_csv(path, grid=GRID, engine=engine, keep_problems=True)
    found = sorted((p.row, p.column, p.message) for p in data.read_problems)
    assert found == [
        (2, "hours", "'nan' is not a number"),
        (3, "hours", "'inf' is not a number"),
        (4, "hours", "'-Infinity' is not a number"),
    ]
    assert np.isnan(data.columns["hours"].values).all()
    with pytest.raises(DataValidationError, match="'nan' is not a number"):
        read_csv(path, grid=GRID, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_not_applicable_is_kept_apart_from_missing(tmp_path: Path, engine: str) -> None:
    path = write(tmp_path, "org,year,hours,lvl\nA,1,n/a,N.V.T.\nB,1,?,\nC,1, Not Applicable ,s.o.\nD,1,MISSING,2\n")
    data = read_csv(path, grid=GRID, engine=engine)
    np.testing.assert_array_equal(data.columns["hours"].not_applicable, [True, False, True, False])
    np.testing.assert_array_equal(data.columns["lvl"].not_applicable, [True, False, True, False])
    assert np.isnan(data.columns["hours"].values).all()
    assert list(data.columns["lvl"].values) == [None, None, None, "2"]


@pytest.mark.parametrize("engine", ENGINES)
def test_windows_1252_excel_export(tmp_path: Path, engine: str) -> None:
    text = "organisation;année;hours;story\nCafé Liégeois;2023;12,5;élève très motivé\n"
    data = read_csv(write(tmp_path, text, encoding="cp1252"), grid=GRID, engine=engine)
    assert list(data.organisations) == ["Café Liégeois"] and list(data.periods) == ["2023"]
    assert data.columns["hours"].values[0] == 12.5 and data.text["story"][0] == "élève très motivé"


def test_a_file_mixing_utf8_and_another_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("org,story\nA,élève\n".encode() + "B,élève\n".encode("cp1252"))
    with pytest.raises(DataError, match="mixes UTF-8 with another encoding"):
        read_csv(path)


@pytest.mark.parametrize("engine", ENGINES)
def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path: Path, engine: str) -> None:
    path = write(tmp_path, "org,year,hours\nA,1,2\n\n;;\n ,  ,\nB,1,x\n")
    data = read_csv(path, grid=GRID, engine=engine, keep_problems=True, delimiter=",")
    assert list(data.organisations) == ["A", ";;", "B"]
    rows = sorted((p.row, p.message) for p in data.read_problems)
    assert (6, "'x' is not a number") in rows


@pytest.mark.parametrize("engine", ENGINES)
def test_repeated_header_is_refused(tmp_path: Path, engine: str) -> None:
    with pytest.raises(DataValidationError, match="'hours' appears twice"):
        read_csv(write(tmp_path, "org,hours [h],hours\nA,1,2\n"), engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_unnamed_columns_are_ignored_when_empty_and_reported_when_not(tmp_path: Path, engine: str) -> None:
    data = read_csv(write(tmp_path, "org;hours;;\nA;1;;\nB;2;;\n"), engine=engine)
    assert list(data.columns) == ["hours"] and not data.read_problems
    data = read_csv(write(tmp_path, "org;hours;\nA;1;x\n"), engine=engine, keep_problems=True)
    assert [p.message for p in data.read_problems] == ["column 3 has values but no name in the header; it was left out"]


def test_ragged_rows_go_to_the_csv_module_and_short_rows_are_padded(tmp_path: Path) -> None:
    data = read_csv(write(tmp_path, "org,year,hours,lvl\nA,1,2\nB,1,3,4\n"), grid=GRID)
    np.testing.assert_array_equal(data.columns["hours"].values, [2.0, 3.0])
    assert list(data.columns["lvl"].values) == [None, "4"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cell_over_128_kib_and_a_130k_comment_cost_little(tmp_path: Path, engine: str) -> None:
    long = "x" * 130_000
    rows = "".join(f"o{i},2020,1,{long if i == 7 else 'ok'}\n" for i in range(20_000))
    path = write(tmp_path, "org,year,hours,hours.comment\n" + rows)
    tracemalloc.start()
    data = read_csv(path, grid=GRID, engine=engine)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert data.text["hours"][7] == long and data.text["hours"][0] == "ok"
    assert data.text["hours"].dtype == object
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB"  # fixed-width text would ask for ~10 GiB


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cell_beyond_the_field_limit_is_a_limit_error(tmp_path: Path, engine: str) -> None:
    path = write(tmp_path, "org,year,hours,hours.comment\nA,1,2," + "y" * 5000 + "\n")
    with use_limits(field_chars=1000), pytest.raises(LimitError, match="field_chars") as caught:
        read_csv(path, grid=GRID, engine=engine)
    assert caught.value.exit_code == 2 and caught.value.file == str(path)
    assert "VISES_LIMIT_FIELD_CHARS" in str(caught.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_quoted_delimiters_and_newlines_in_text_cells(tmp_path: Path, engine: str) -> None:
    path = write(tmp_path, 'org,year,story,hours\n"A, the first",2023,"line one\nline ""two""",3\nB,2023,,4\n')
    data = read_csv(path, grid=GRID, engine=engine)
    assert list(data.organisations) == ["A, the first", "B"]
    assert list(data.text["story"]) == ['line one\nline "two"', None]
    np.testing.assert_array_equal(data.columns["hours"].values, [3.0, 4.0])


def test_units_row_and_header_units(tmp_path: Path) -> None:
    path = write(tmp_path, "organisation;période;hours;rate [%]\nunité;;min;\nA;2023;90;12,5\n")
    for data in both(path, grid=GRID, period_column="période"):
        assert data.columns["hours"].unit == "min" and data.columns["rate"].unit == "%"
        assert data.columns["rate"].values[0] == 12.5
    with pytest.raises(DataValidationError, match="the header says unit 'h' but the units row says 'min'"):
        read_csv(write(tmp_path, "org,hours [h]\nunit,min\nA,1\n"), grid=GRID)


def test_an_indicator_named_like_an_attribute_is_the_indicator(tmp_path: Path) -> None:
    grid = Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="size", parent="r", unit="person"),))
    data = read_csv(write(tmp_path, "org,size,region\nA,12,WAL\n"), grid=grid)
    assert data.columns["size"].values[0] == 12 and "size" not in data.attributes


def test_explicit_attributes_and_masks(tmp_path: Path) -> None:
    path = write(tmp_path, "org,hours,hours.not_applicable,attribute:filiere\nA,,yes,EFT\nB,3,no,DéFI\nC,4,oui,\n")
    arrow, python = both(path, grid=GRID)
    same_dataset(arrow, python)
    assert list(arrow.attributes["filiere"]) == ["EFT", "DéFI", None]
    np.testing.assert_array_equal(arrow.columns["hours"].not_applicable, [True, False, True])
    assert [p.message for p in arrow.read_problems] == [
        "'hours' has a value here but 'hours.not_applicable' says it does not apply"
    ]


# --- generated files: both engines, against the values written --------------------------------------

TOKENS_NA = ["n/a", "N/A", "na", "s.o.", "nvt", "n.v.t.", "Not applicable", " sans objet "]
TOKENS_MISSING = ["", "?", "missing", "MANQUANT", "ontbreekt", "  "]
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from([",", ";", '"', "\n"]),
    max_size=12,
)


def _formatted(value: float, semicolon: bool, style: int) -> str:
    if not semicolon:
        return repr(value)
    text = f"{value:.2f}"
    whole, _, part = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if style == 1 and len(digits) > 3:  # 1.234,56
        groups = [digits[max(i - 3, 0) : i] for i in range(len(digits), 0, -3)][::-1]
        return sign + ".".join(groups) + "," + part
    if style == 2 and len(digits) > 3:  # 1 234,56
        groups = [digits[max(i - 3, 0) : i] for i in range(len(digits), 0, -3)][::-1]
        return sign + " ".join(groups) + "," + part
    if style == 3 and len(digits) > 3:  # 1 234,56 with a no-break space, as French Excel writes it
        groups = [digits[max(i - 3, 0) : i] for i in range(len(digits), 0, -3)][::-1]
        return sign + "\u00a0".join(groups) + "," + part
    return text.replace(".", ",")


@st.composite
def files(draw: st.DrawFn) -> tuple[str, dict[str, object], bool]:
    semicolon = draw(st.booleans())
    delimiter = ";" if semicolon else ","
    n = draw(st.integers(min_value=1, max_value=12))
    orgs = draw(
        st.lists(
            st.text(alphabet="ABCxyz0123456789 .-_", min_size=1, max_size=8).filter(lambda s: s.strip()),
            min_size=n,
            max_size=n,
        )
    )
    values = draw(
        st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False) | st.none(), min_size=n, max_size=n)
    )
    kinds = draw(st.lists(st.sampled_from(["value", "na", "missing"]), min_size=n, max_size=n))
    comments = draw(st.lists(TEXT, min_size=n, max_size=n))
    units_row = draw(st.booleans())
    bom = draw(st.booleans())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(["organisation", "period", "hours" if units_row else "hours [min]", "note.comment", "ok"])
    if units_row:
        writer.writerow(["unit", "", "min", "", ""])
    expected_values, expected_na = [], []
    for i in range(n):
        kind = kinds[i] if values[i] is not None else "missing"
        if kind == "value":
            value = round(values[i], 2) if semicolon else values[i]  # type: ignore[arg-type]
            cell = _formatted(value, semicolon, draw(st.integers(0, 3)))
            plain = cell.replace(".", "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
            expected_values.append(float(plain) if semicolon else value)
            expected_na.append(False)
        elif kind == "na":
            cell = draw(st.sampled_from(TOKENS_NA))
            expected_values.append(math.nan)
            expected_na.append(True)
        else:
            cell = draw(st.sampled_from(TOKENS_MISSING))
            expected_values.append(math.nan)
            expected_na.append(False)
        writer.writerow([orgs[i], "2023", cell, comments[i], draw(st.sampled_from(["oui", "non", "ja", "nee", "yes"]))])
    expected = {
        "organisations": [o.strip() for o in orgs],
        "hours": expected_values,
        "na": expected_na,
        "comments": [c.strip() or None for c in comments],
    }
    return ("\ufeff" if bom else "") + out.getvalue(), expected, semicolon


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=files())
def test_generated_files_read_the_same_by_both_engines(
    tmp_path: Path, case: tuple[str, dict[str, object], bool]
) -> None:
    text, expected, _ = case
    path = write(tmp_path, text, name="g.csv")
    grid = Grid(code="g", nodes=GRID.nodes, indicators=(GRID.indicators[0], GRID.indicators[2]))
    arrow, python = both(path, grid=grid)
    same_dataset(arrow, python)
    assert not arrow.read_problems, [str(p) for p in arrow.read_problems]
    assert list(arrow.organisations) == expected["organisations"]
    np.testing.assert_allclose(arrow.columns["hours"].values, expected["hours"], rtol=0, atol=0, equal_nan=True)  # type: ignore[arg-type]
    mask = arrow.columns["hours"].not_applicable
    assert list(mask if mask is not None else [False] * len(arrow)) == expected["na"]
    assert arrow.columns["hours"].unit == "min"
    # Text comes back exactly as written (stripped), whatever it holds: delimiters, quotes, newlines.
    assert list(arrow.text["note"]) == expected["comments"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(TEXT, min_size=1, max_size=10), semicolon=st.booleans())
def test_text_columns_are_never_altered(tmp_path: Path, cells: list[str], semicolon: bool) -> None:
    delimiter = ";" if semicolon else ","
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["organisation", "name", "free"])
    for index, cell in enumerate(cells):
        writer.writerow([f"o{index}", cell, cell])
    path = write(tmp_path, out.getvalue(), name="t.csv")
    arrow, python = both(path)
    same_dataset(arrow, python)
    assert list(arrow.attributes["name"]) == [c.strip() or None for c in cells]
    free = arrow.text.get("free")
    if free is not None:  # a column of numbers only is numbers without a grid; otherwise text as written
        assert list(free) == [c.strip() or None for c in cells]


@pytest.mark.parametrize(
    ("late", "semicolon"),
    [("n/a", False), ("x", False), ("nan", False), ("inf", False), ("1.5", True), ("1.234,5", True), (" 7 ", False)],
)
def test_a_surprise_after_the_first_megabyte_reads_as_the_rules_say(tmp_path: Path, late: str, semicolon: bool) -> None:
    """Columns that look like plain numbers at the start of the file are parsed by pyarrow; a later cell
    that is not one makes the reader start again with the rules, so the answer is the same."""
    delimiter = ";" if semicolon else ","
    plain = "12,5" if semicolon else "12.5"
    rows = [f"o{i}{delimiter}2023{delimiter}{plain}{delimiter}{i}" for i in range(60_000)]
    rows.append(f"late{delimiter}2023{delimiter}{late}{delimiter}1")
    header = f"organisation{delimiter}year{delimiter}hours{delimiter}hours.comment\n"
    path = write(tmp_path, header + "\n".join(rows) + "\n")
    assert path.stat().st_size > 1 << 20
    grid = Grid(code="g", nodes=GRID.nodes, indicators=(GRID.indicators[0],))
    arrow, python = both(path, grid=grid)
    same_dataset(arrow, python)
    assert arrow.columns["hours"].values[0] == 12.5


def test_a_guessed_column_of_gaps_stays_text(tmp_path: Path) -> None:
    arrow, python = both(write(tmp_path, "org,x,y\na,,?\nb,1,missing\n"))
    same_dataset(arrow, python)
    assert list(arrow.text["y"]) == ["?", "missing"] and list(arrow.columns["x"].values[1:]) == [1.0]


def test_many_distinct_names_and_levels_read_the_same(tmp_path: Path) -> None:
    """Beyond a few thousand distinct texts the Arrow reader converts rows directly: same answers."""
    rows = [
        f" org {i:05d} ,2023,{i % 5 + 1 if i % 97 else 9},{'' if i % 13 else '  '}note {i}\n" for i in range(40_000)
    ]
    path = write(tmp_path, "organisation,year,lvl,story\n" + "".join(rows))
    grid = Grid(code="g", nodes=GRID.nodes, indicators=(GRID.indicators[3], GRID.indicators[4]))
    arrow, python = both(path, grid=grid)
    same_dataset(arrow, python)
    assert arrow.organisations[0] == "org 00000" and len(arrow.read_problems) > 400
