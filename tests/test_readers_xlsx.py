"""xlsx data: looked inside before any library opens it; calamine for tables, openpyxl for templates."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

openpyxl = pytest.importorskip("openpyxl")

from vises.errors import ConfigError, DataError, DataValidationError, LimitError  # noqa: E402
from vises.io.xlsx_data import read_xlsx  # noqa: E402
from vises.io.xlsx_guard import column_letters, column_number, inspect  # noqa: E402
from vises.limits import use_limits  # noqa: E402
from vises.model import Grid, Indicator, Kind, Level, Node  # noqa: E402
from vises.templates.write import write_template  # noqa: E402

GRID = Grid(
    code="demo",
    nodes=(Node(code="root"), Node(code="social", parent="root")),
    indicators=(
        Indicator(code="hours", parent="social", unit="hour", minimum=0),
        Indicator(code="lvl", parent="social", kind=Kind.SCALE, levels=tuple(Level(value=str(i)) for i in (1, 2, 3))),
    ),
)


def table(path: Path, rows: list[list[object]], title: str = "data") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def rewrite_sheet(path: Path, member: str, change) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_letters_and_numbers() -> None:
    assert [column_letters(n) for n in (1, 26, 27, 702, 703, 16384)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]
    assert [column_number(text) for text in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]


def test_plain_table_through_calamine(tmp_path: Path) -> None:
    pytest.importorskip("python_calamine")
    path = table(
        tmp_path / "t.xlsx",
        [
            ["organisation", "period", "hours [min]", "lvl", "hours.comment"],
            ["001", 2023, 90, 3, "nan"],
            [None, None, None, None, None],
            [17, 2023, "n/a", "2", "1 234,5"],
            ["c", 2023, "lots", 9, None],
        ],
    )
    data = read_xlsx(path, grid=GRID, keep_problems=True)
    assert list(data.organisations) == ["001", "17", "c"] and list(data.periods) == ["2023"] * 3
    assert data.columns["hours"].unit == "min"
    np.testing.assert_array_equal(data.columns["hours"].values, [90, np.nan, np.nan])
    np.testing.assert_array_equal(data.columns["hours"].not_applicable, [False, True, False])
    assert list(data.text["hours"]) == ["nan", "1 234,5", None]
    assert sorted((p.sheet, p.row, p.column) for p in data.read_problems) == [("data", 5, "hours"), ("data", 5, "lvl")]


def test_uncomputed_formulas_in_a_plain_table_are_reported(tmp_path: Path) -> None:
    path = table(tmp_path / "f.xlsx", [["organisation", "period", "hours"], ["a", 2023, "=10*12"], ["b", 2023, 4]])
    with pytest.raises(DataValidationError) as caught:
        read_xlsx(path, grid=GRID)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("data", 2, "C") and "never computed" in problem.message


def test_a_stray_cell_at_the_last_row_and_column_is_a_limit(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["organisation", "hours"])
    workbook.active.append(["a", 1])
    workbook.active["XFD1048576"] = 1
    workbook.save(tmp_path / "s.xlsx")
    with pytest.raises(LimitError, match="reaches cell XFD1048576") as caught:
        read_xlsx(tmp_path / "s.xlsx")
    assert caught.value.exit_code == 2 and "xlsx_cells" in str(caught.value)


def test_a_cell_out_of_order_or_with_a_prefix_is_still_found(tmp_path: Path) -> None:
    path = table(tmp_path / "o.xlsx", [["organisation", "hours"], ["a", 1]])
    member = "xl/worksheets/sheet1.xml"
    rewrite_sheet(path, member, lambda xml: xml.replace(b'<c r="B2"', b'<c t="n" r="ZZ900000"'))
    with use_limits(xlsx_cells=10**9):
        scan = inspect(path).sheet("data")
    assert (scan.rows, scan.columns) == (900000, 702)
    with use_limits(xlsx_cells=1000), pytest.raises(LimitError, match="ZZ900000"):
        read_xlsx(path)


def test_a_zip_bomb_is_refused_by_what_it_really_inflates_to(tmp_path: Path) -> None:
    path = table(tmp_path / "b.xlsx", [["organisation", "hours"], ["a", 1]])
    rewrite_sheet(
        path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (8 << 20))
    )
    assert path.stat().st_size < 200_000
    with use_limits(xlsx_bytes=4 << 20), pytest.raises(LimitError, match="xlsx_bytes") as caught:
        read_xlsx(path)
    assert caught.value.file == str(path)


def test_a_damaged_zip_is_a_data_error(tmp_path: Path) -> None:
    (tmp_path / "d.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DataError, match="cannot open as an xlsx workbook"):
        read_xlsx(tmp_path / "d.xlsx")


@pytest.fixture
def template(tmp_path: Path) -> Path:
    return write_template(GRID, tmp_path / "t.xlsx", lang="en", organisations=["a"], periods=["2024"])


def _row_of(sheet: object, code: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == code)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("blocks", 10**9, "blocks is 1000000000"),
        ("blocks", "many", "blocks is 'many'"),
        ("first_row", -3, "first_row is -3"),
        ("grid", None, "it names no grid"),
        ("layout", "vises-template/99", "template layout 'vises-template/99' is not one this vises reads"),
    ],
)
def test_a_damaged_metadata_sheet_is_an_error_naming_it(template: Path, key: str, value: object, words: str) -> None:
    workbook = openpyxl.load_workbook(template)
    meta = workbook["_vises"]
    row = next(cell.row for cell in meta["A"] if cell.value == key)
    meta.cell(row=row, column=2).value = value
    workbook.save(template)
    with pytest.raises((DataError, ConfigError), match=words) as caught:
        read_xlsx(template, grid=GRID)
    assert caught.value.sheet == "_vises"


def test_values_outside_the_blocks_and_blocks_beyond_are_reported(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[[name for name in workbook.sheetnames if name not in ("_vises", "_lists")][2]]
    row = _row_of(sheet, "hours")
    sheet.cell(row=row, column=6, value=12)  # block 1 value: fine
    sheet.cell(row=row, column=8, value=99)  # a hand-made block 2: outside the one block
    workbook["Identification"]["B4"] = "b"
    workbook["Identification"]["C4"] = "2024"
    workbook.save(template)
    data = read_xlsx(template, grid=GRID, keep_problems=True)
    assert data.columns["hours"].values.tolist() == [12.0]
    found = sorted((p.sheet, p.row, p.column, p.message.split(";")[0]) for p in data.read_problems)
    assert found == sorted(
        [
            ("Identification", 4, "B", "an organisation or period beyond the template's 1 block(s)"),
            (sheet.title, row, "H", "a value outside the template's blocks"),
        ]
    )


def test_a_template_formula_without_value_is_reported(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[[name for name in workbook.sheetnames if name not in ("_vises", "_lists")][2]]
    sheet.cell(row=_row_of(sheet, "hours"), column=6, value="=2*3")
    workbook.save(template)
    with pytest.raises(DataValidationError, match="formula whose result was never computed"):
        read_xlsx(template, grid=GRID)
