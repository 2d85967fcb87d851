"""Datasets written and read back (CSV, xlsx, Parquet, Arrow IPC) and merged from Python."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises.errors import ConfigError, DataValidationError
from vises.model import Column, Dataset, Grid, Indicator, Kind, Level, Node

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

GRID = Grid(
    code="g",
    nodes=(Node(code="r"),),
    indicators=(
        Indicator(code="hours", parent="r", unit="hour"),
        Indicator(code="lvl", parent="r", kind=Kind.SCALE, levels=tuple(Level(value=str(i)) for i in (1, 2, 3))),
        Indicator(code="story", parent="r", kind=Kind.NARRATIVE),
    ),
)
SUFFIXES = (".csv", ".xlsx", ".parquet", ".arrow")


def objects(values: list[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def sample() -> Dataset:
    return Dataset(
        organisations=objects(["001", "B", "=cmd"]),
        periods=objects(["2019", "2019", "2020"]),
        columns={
            "hours": Column(values=np.array([90.0, np.nan, 0.1]), unit="min", not_applicable=np.array([0, 1, 0], bool)),
            "lvl": Column(values=objects(["3", None, None]), not_applicable=np.array([False, False, True])),
        },
        text={"story": objects(['une histoire, "citée"\navec deux lignes', None, "nan"])},
        attributes={"region": objects(["WAL", None, "BXL"]), "filiere": objects(["EFT", "DéFI", None])},
    )


def same(a: Dataset, b: Dataset) -> None:
    assert list(a.organisations) == list(b.organisations) and list(a.periods) == list(b.periods)
    assert set(a.columns) == set(b.columns)
    for code, column in a.columns.items():
        other = b.columns[code]
        if column.numeric:
            np.testing.assert_array_equal(column.values, other.values)
        else:
            assert list(column.values) == list(other.values)
        assert column.unit == other.unit
        mask = column.not_applicable if column.not_applicable is not None else np.zeros(len(a), bool)
        back = other.not_applicable if other.not_applicable is not None else np.zeros(len(b), bool)
        np.testing.assert_array_equal(mask, back)
    assert {k: list(v) for k, v in a.text.items()} == {k: list(v) for k, v in b.text.items()}
    assert {k: list(v) for k, v in a.attributes.items()} == {k: list(v) for k, v in b.attributes.items()}


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_written_datasets_read_back_the_same(tmp_path: Path, suffix: str) -> None:
    data = sample()
    path = vises.write_data(data, tmp_path / f"d{suffix}", neutralise=False)
    back = vises.load_data(path, grid=GRID)
    same(data, back)


def test_csv_keeps_a_units_row_and_neutralises_formulas(tmp_path: Path) -> None:
    path = vises.write_data(sample(), tmp_path / "d.csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("organisation,period,hours,lvl,region,attribute:filiere,story.comment")
    assert lines[1].startswith("unit,,min,")
    back = vises.load_data(path, grid=GRID)
    assert list(back.organisations) == ["001", "B", "'=cmd"]  # inert in a spreadsheet


def test_xlsx_text_cells_are_text(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = vises.write_data(sample(), tmp_path / "d.xlsx")
    sheet = openpyxl.load_workbook(path)["data"]
    assert sheet["A4"].value == "=cmd" and sheet["A4"].data_type == "s"
    assert sheet["C1"].value == "hours [min]"


def test_parquet_carries_units_and_not_applicable(tmp_path: Path) -> None:
    path = vises.write_data(sample(), tmp_path / "d.parquet")
    schema = pq.read_schema(path)
    assert schema.field("hours").metadata == {b"vises.unit": b"min"}
    assert "hours.not_applicable" in schema.names and b"vises.dataset" in schema.metadata


def test_a_parquet_file_written_by_others(tmp_path: Path) -> None:
    table = pa.table(
        {
            "organisation": ["a", "b", "c"],
            "year": pa.array([2019, 2019, 2020], pa.int64()),
            "hours [h]": pa.array([1.5, None, float("nan")]),
            "lvl": pa.array(["3", "n/a", "7"]).dictionary_encode(),
        }
    )
    pq.write_table(table, tmp_path / "x.parquet")
    data = vises.load_data(tmp_path / "x.parquet", grid=GRID, keep_problems=True)
    assert list(data.periods) == ["2019", "2019", "2020"] and data.columns["hours"].unit == "h"
    np.testing.assert_array_equal(data.columns["hours"].values, [1.5, np.nan, np.nan])
    assert list(data.columns["lvl"].values) == ["3", None, None]
    assert [p.row for p in data.read_problems] == [3]  # '7' is not a level; rows count from 1


def test_write_data_refuses_unknown_or_mismatched_formats(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot tell which data format"):
        vises.write_data(sample(), tmp_path / "d.ods")
    with pytest.raises(ConfigError, match="does not match"):
        vises.write_data(sample(), tmp_path / "d.csv", format="parquet")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.floats(allow_nan=False, allow_infinity=False) | st.none(), min_size=1, max_size=8),
    names=st.lists(st.text(min_size=1, max_size=6).filter(lambda s: s.strip() == s and s), min_size=8, max_size=8),
    suffix=st.sampled_from((".csv", ".parquet", ".arrow")),
)
def test_numbers_and_names_round_trip_exactly(
    tmp_path: Path, values: list[float | None], names: list[str], suffix: str
) -> None:
    n = len(values)
    data = Dataset(
        organisations=objects(names[:n]),
        periods=objects(["2020"] * n),
        columns={"hours": Column(values=np.array([np.nan if v is None else v for v in values]), unit="hour")},
    )
    back = vises.load_data(vises.write_data(data, tmp_path / f"r{suffix}", neutralise=False), grid=GRID)
    np.testing.assert_array_equal(back.columns["hours"].values, data.columns["hours"].values)
    assert list(back.organisations) == names[:n]


def test_merge_harmonises_units_and_takes_the_union(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("organisation,period,hours [min],lvl\nA,2019,90,3\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text("organisation,period,hours [h],region\nB,2019,2,WAL\n", encoding="utf-8")
    merged = vises.merge_data(a, b, grid=GRID)
    assert list(merged.organisations) == ["A", "B"]
    assert merged.columns["hours"].unit == "hour"
    np.testing.assert_allclose(merged.columns["hours"].values, [1.5, 2.0])
    assert list(merged.columns["lvl"].values) == ["3", None]
    assert list(merged.attributes["region"]) == [None, "WAL"]


def test_merge_refuses_a_resubmission_naming_both_files(tmp_path: Path) -> None:
    a = tmp_path / "ateliers.csv"
    a.write_text("organisation,period,hours\nA,2019,90\n", encoding="utf-8")
    b = tmp_path / "ateliers-v2.csv"
    b.write_text("organisation,period,hours\nA,2019,95\nB,2019,1\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        vises.merge_data(a, b, grid=GRID)
    (problem,) = caught.value.problems
    assert str(a) in problem.message and str(b) in problem.message and "'A', period '2019'" in problem.message


def test_merge_refuses_units_that_do_not_convert_and_kinds_that_differ(tmp_path: Path) -> None:
    first = Dataset(
        organisations=objects(["A"]), periods=objects(["1"]), columns={"x": Column(values=[1.0], unit="hour")}
    )
    second = Dataset(
        organisations=objects(["B"]), periods=objects(["1"]), columns={"x": Column(values=[1.0], unit="EUR")}
    )
    third = Dataset(organisations=objects(["C"]), periods=objects(["1"]), columns={"x": Column(values=objects(["a"]))})
    with pytest.raises(DataValidationError, match="cannot be converted"):
        vises.merge_data(first, second)
    with pytest.raises(DataValidationError, match="holds numbers in"):
        vises.merge_data(first, third)
