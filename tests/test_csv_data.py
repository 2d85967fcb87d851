"""CSV, DataFrame and mapping readers: layout, units, n/a vs missing, text, attributes, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vises.errors import DataError, DataValidationError
from vises.io.csv_data import read_csv, sniff_delimiter
from vises.io.frames import SINGLE_PERIOD, from_columns, from_frame
from vises.io.hooks import vises_register_readers
from vises.model import Grid, Indicator, Kind, Level, Node

GRID = Grid(
    code="g",
    nodes=(Node(code="r"),),
    indicators=(
        Indicator(code="hours", parent="r", unit="hour"),
        Indicator(code="ok", parent="r", kind=Kind.BINARY),
        Indicator(code="lvl", parent="r", kind=Kind.SCALE, levels=tuple(Level(value=str(i)) for i in range(1, 6))),
        Indicator(code="story", parent="r", kind=Kind.NARRATIVE),
    ),
)


def write(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_grid_columns_units_row_tokens_and_decimal_comma(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "organisation;année;hours;ok;lvl;story;region;hours.comment\n"
        "unité;;min;;;;;\n"
        "A;2023;1,5;oui;3;A fine year;WAL;good\n"
        "B;2023;n/a;Non;2;;BXL;\n"
        "C;2023;?;ja; ;;;\n",
    )
    data = read_csv(path, grid=GRID)
    assert list(data.organisations) == ["A", "B", "C"] and list(data.periods) == ["2023"] * 3
    hours = data.columns["hours"]
    assert hours.unit == "min"
    np.testing.assert_array_equal(hours.values, [1.5, np.nan, np.nan])
    np.testing.assert_array_equal(hours.not_applicable, [False, True, False])  # n/a, not '?' (missing)
    assert list(data.columns["ok"].values) == ["yes", "no", "yes"]
    assert list(data.columns["lvl"].values) == ["3", "2", None]
    assert list(data.text["story"]) == ["A fine year", None, None]
    assert list(data.text["hours"]) == ["good", None, None]
    assert list(data.attributes["region"]) == ["WAL", "BXL", None]
    assert data.source == str(path)


def test_header_units_and_no_period(tmp_path: Path) -> None:
    data = read_csv(
        write(tmp_path, "id,hours [min],lvl\nA,90,4\nB,,5\n"),
        grid=GRID.__class__(code="g2", nodes=GRID.nodes, indicators=GRID.indicators[:1] + GRID.indicators[2:3]),
    )
    assert data.columns["hours"].unit == "min"
    assert list(data.periods) == [SINGLE_PERIOD, SINGLE_PERIOD]


def test_all_problems_named_by_row_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "org,year,hours,ok,lvl,extra\nA,2023,1.5,yes,3,x\n\nB,2023,abc,maybe,9,\n,2024,inf,no,1,\n")
    with pytest.raises(DataValidationError) as info:
        read_csv(path, grid=GRID)
    found = sorted((p.row or 0, p.column, p.message.split(";")[0]) for p in info.value.problems)
    assert found == [
        (0, "extra", "column 'extra' is not an indicator of grid 'g'"),
        (4, "hours", "'abc' is not a number"),
        (4, "lvl", "'9' is not a level of this scale indicator"),
        (4, "ok", "'maybe' is not a level of this binary indicator"),
        (5, "hours", "'inf' is not a number"),
        (5, "org", "the organisation is empty"),
    ]
    assert info.value.exit_code == 1


def test_without_grid_numbers_and_text(tmp_path: Path) -> None:
    data = read_csv(write(tmp_path, "code\tTime\tscore\tnote\nA\t2020\t1e3\thello\nB\t2020\tna\t\n", name="d.tsv"))
    np.testing.assert_array_equal(data.columns["score"].values, [1000.0, np.nan])
    assert list(data.text["note"]) == ["hello", None]


def test_ragged_row_and_missing_organisation_column(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="row 3.*3 cells but the header has 2"):
        read_csv(write(tmp_path, "org,x\nA,1\nB,2,3\n"))
    with pytest.raises(DataValidationError, match="no organisation column"):
        read_csv(write(tmp_path, "who,x\nA,1\n"))
    with pytest.raises(DataError, match="not found"):
        read_csv(tmp_path / "none.csv")


def test_sniff_delimiter() -> None:
    assert sniff_delimiter("a;b;c", ".csv") == ";"
    assert sniff_delimiter("a,b;c,d", ".csv") == ","
    assert sniff_delimiter("a b", ".tsv") == "\t"


def test_from_frame_and_from_columns_agree() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"organisation": ["A", "B"], "year": [2023, 2023], "hours": [1.0, None], "lvl": [3, 5], "ok": [True, False]}
    ).set_index("organisation")
    small = Grid(code="g", nodes=GRID.nodes, indicators=GRID.indicators[:3])
    data = from_frame(frame, grid=small)
    assert list(data.periods) == ["2023", "2023"]
    assert list(data.columns["lvl"].values) == ["3", "5"] and list(data.columns["ok"].values) == ["yes", "no"]
    other = from_columns(
        {"hours": [1.0, None], "lvl": ["3", "5"], "ok": ["oui", "nee"]},
        grid=small,
        organisations=["A", "B"],
        periods="2023",
    )
    np.testing.assert_array_equal(other.columns["hours"].values, data.columns["hours"].values)
    assert list(other.columns["ok"].values) == ["yes", "no"]


def test_reader_hook() -> None:
    (reader,) = [r for r in vises_register_readers() if r.name == "csv"]
    assert ".csv" in reader.suffixes and reader.read.__name__ == "_read_csv"
