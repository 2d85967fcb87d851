"""Data-collection templates: writing, filling by hand (simulated with openpyxl), reading back."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

openpyxl = pytest.importorskip("openpyxl")

from vises.errors import ConfigError, DataError, DataValidationError  # noqa: E402
from vises.io.hooks import vises_register_readers  # noqa: E402
from vises.io.template_layout import META_SHEET  # noqa: E402
from vises.io.xlsx_data import read_xlsx  # noqa: E402
from vises.model import Direction, Grid, Indicator, Kind, Level, Node  # noqa: E402
from vises.templates.write import write_template  # noqa: E402


def make_grid() -> Grid:
    scale = (
        Level(value="1", label={"fr": "jamais", "nl": "nooit", "en": "never"}),
        Level(value="2", label={"fr": "parfois", "nl": "soms", "en": "sometimes"}),
        Level(value="3", label={"fr": "souvent", "nl": "vaak", "en": "often"}),
    )
    legal = (
        Level(value="asbl", label={"fr": "ASBL", "nl": "VZW", "en": "Non-profit"}, score=1),
        Level(value="coop", label={"fr": "Coopérative", "nl": "Coöperatie", "en": "Cooperative"}, score=2),
    )
    return Grid(
        code="demo",
        version="2",
        languages=("fr", "nl", "en"),
        label={"fr": "Grille démo", "nl": "Demoraster", "en": "Demo grid"},
        nodes=(
            Node(code="index", label={"fr": "Indice"}),
            Node(code="social", parent="index", label={"fr": "Social", "nl": "Sociaal", "en": "Social"}),
            Node(code="pedagogy", parent="social", label={"fr": "Pédagogie", "en": "Pedagogy"}),
            Node(code="env", parent="index", label={"fr": "Environnement", "nl": "Milieu", "en": "Environment"}),
        ),
        indicators=(
            Indicator(
                code="hours",
                parent="pedagogy",
                unit="hour",
                minimum=0,
                maximum=2000,
                label={"fr": "Heures de formation"},
            ),
            Indicator(code="quality", parent="pedagogy", kind=Kind.SCALE, levels=scale, label={"fr": "Qualité"}),
            Indicator(code="charter", parent="social", kind=Kind.BINARY, label={"fr": "Charte signée"}),
            Indicator(code="legal", parent="social", kind=Kind.CATEGORY, levels=legal),
            Indicator(code="exit_rate", parent="social", unit="percent", minimum=0, maximum=100),
            Indicator(code="waste", parent="env", unit="kg", minimum=0, direction=Direction.LOWER),
            Indicator(code="story", parent="env", kind=Kind.NARRATIVE),
        ),
    )


def rows_by_code(sheet) -> dict[str, int]:
    return {
        sheet.cell(row=r, column=1).value: r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value
    }


@pytest.fixture()
def grid() -> Grid:
    return make_grid()


@pytest.fixture()
def template(tmp_path: Path, grid: Grid) -> Path:
    return write_template(
        grid, tmp_path / "collecte.xlsx", lang="fr", organisations=["ateliers", "envol"], periods=["2024"]
    )


def test_template_structure(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[:4] == ["Instructions", "Identification", "1 Social", "2 Environnement"]
    assert wb[META_SHEET].sheet_state == "hidden"
    social = wb["1 Social"]
    assert social.freeze_panes == "C5"
    assert [social.cell(row=4, column=c).value for c in (1, 6, 7, 8)] == [
        "Code",
        "Valeur",
        "Commentaire / preuve",
        "Valeur",
    ]
    rows = rows_by_code(social)
    kinds = {}
    for validation in social.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            kinds[cell_range.coord] = validation
    hours = kinds[f"F{rows['hours']}"]
    assert (hours.type, hours.operator, hours.formula1, hours.formula2) == ("decimal", "between", "0", "2000")
    quality = kinds[f"H{rows['quality']}"]
    assert quality.type == "list"
    lists = wb["_lists"]
    target = quality.formula1.split("!")[1].replace("$", "").split(":")
    entries = [cell.value for row in lists[target[0] : target[1]] for cell in row]
    assert entries == ["jamais", "parfois", "souvent", "s.o."]
    instructions = " ".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "sans objet" in instructions and "Commentaire" in instructions


def test_template_dutch_yes_no(tmp_path: Path, grid: Grid) -> None:
    path = write_template(grid, tmp_path / "t.xlsx", lang="nl")
    wb = openpyxl.load_workbook(path)
    values = {cell.value for column in wb["_lists"].iter_cols() for cell in column}
    assert {"ja", "nee", "n.v.t.", "nooit", "VZW"} <= values
    assert "1 Sociaal" in wb.sheetnames


def fill(template: Path, out: Path, cells: dict[str, dict[str, object]]) -> Path:
    wb = openpyxl.load_workbook(template)
    for sheet_name, values in cells.items():
        sheet = wb[sheet_name]
        rows = rows_by_code(sheet)
        for key, value in values.items():
            column, code = key.split(":") if ":" in key else (key, None)
            coord = f"{column}{rows[code]}" if code else column
            sheet[coord] = value
    wb.save(out)
    return out


def test_round_trip(template: Path, tmp_path: Path, grid: Grid) -> None:
    filled = fill(
        template,
        tmp_path / "filled.xlsx",
        {
            "1 Social": {
                "F:hours": 120,
                "H:hours": "s.o.",
                "F:quality": "souvent",
                "H:quality": "vaak",
                "F:charter": "oui",
                "G:charter": "signée en AG de 2020",
                "H:charter": "non",
                "F:legal": "Coöperatie",
                "F:exit_rate": 45.5,
            },
            "2 Environnement": {"F:story": "Une stagiaire a retrouvé un emploi.", "H:waste": "12,5"},
        },
    )
    data = read_xlsx(filled, grid=grid)
    assert list(data.organisations) == ["ateliers", "envol"]
    assert list(data.periods) == ["2024", "2024"]
    hours = data.columns["hours"]
    assert hours.values.dtype == np.float64 and hours.values[0] == 120 and np.isnan(hours.values[1])
    assert hours.unit == "hour"
    assert list(hours.not_applicable) == [False, True]
    assert list(data.columns["quality"].values) == ["3", "3"]
    assert list(data.columns["charter"].values) == ["yes", "no"]
    assert list(data.columns["legal"].values) == ["coop", None]
    assert data.columns["exit_rate"].values[0] == 45.5
    assert data.columns["waste"].values[1] == 12.5
    # A narrative is text, as from the CSV reader (it used to land among the value columns).
    assert "story" not in data.columns and data.text["story"][0].startswith("Une stagiaire")
    assert list(data.text["charter"]) == ["signée en AG de 2020", None]
    assert "quality" not in data.text


def test_percent_formatted_cell_is_read_in_percent(template: Path, tmp_path: Path, grid: Grid) -> None:
    wb = openpyxl.load_workbook(template)
    sheet = wb["1 Social"]
    cell = sheet[f"F{rows_by_code(sheet)['exit_rate']}"]
    cell.value, cell.number_format = 0.45, "0%"
    wb.save(tmp_path / "p.xlsx")
    assert read_xlsx(tmp_path / "p.xlsx", grid=grid).columns["exit_rate"].values[0] == pytest.approx(45.0)


def test_every_wrong_value_is_reported(template: Path, tmp_path: Path, grid: Grid) -> None:
    filled = fill(
        template,
        tmp_path / "bad.xlsx",
        {
            "1 Social": {
                "F:hours": "beaucoup",
                "H:hours": 2500,
                "F:quality": "rarement",
                "F:charter": "peut-être",
                "F:exit_rate": 40,
            },
            "2 Environnement": {"H:waste": -3},
        },
    )
    with pytest.raises(DataValidationError) as caught:
        read_xlsx(filled, grid=grid)
    problems = caught.value.problems
    assert len(problems) == 5
    found = {(p.sheet, p.row, p.indicator, p.column.split()[0]) for p in problems}
    social = rows_by_code(openpyxl.load_workbook(template)["1 Social"])
    assert ("1 Social", social["hours"], "hours", "F") in found
    assert ("1 Social", social["hours"], "hours", "H") in found
    assert ("1 Social", social["quality"], "quality", "F") in found
    assert ("1 Social", social["charter"], "charter", "F") in found
    assert any(p.sheet == "2 Environnement" and p.indicator == "waste" for p in problems)
    text = str(caught.value)
    assert "'beaucoup' is not a number" in text and "between 0 and 2000" in text
    assert "above the maximum 2000" in text and "below the minimum 0" in text
    assert "'rarement' is not an allowed value" in text and "souvent" in text
    assert "sheet '1 Social'" in text and f"row {social['quality']}" in text


def test_values_in_an_unidentified_block_are_refused(tmp_path: Path, grid: Grid) -> None:
    template = write_template(grid, tmp_path / "t.xlsx", lang="en")
    filled = fill(template, tmp_path / "f.xlsx", {"1 Social": {"F:hours": 10}})
    with pytest.raises(DataValidationError, match="block 1 holds values but its organisation is empty") as caught:
        read_xlsx(filled, grid=grid)
    assert caught.value.problems[0].sheet == "Identification"
    named = fill(filled, tmp_path / "g.xlsx", {"Identification": {"B3": "ateliers", "C3": 2023}})
    data = read_xlsx(named, grid=grid)
    assert list(data.organisations) == ["ateliers"] and list(data.periods) == ["2023"]
    assert data.columns["hours"].values[0] == 10


def test_values_outside_indicator_rows_and_wrong_grid(template: Path, tmp_path: Path, grid: Grid) -> None:
    filled = fill(template, tmp_path / "f.xlsx", {"1 Social": {"A40": "nonsense", "F40": 3}})
    with pytest.raises(DataValidationError, match="row 40.*'nonsense', which is no indicator"):
        read_xlsx(filled, grid=grid)
    other = Grid(code="other", nodes=grid.nodes, indicators=grid.indicators)
    with pytest.raises(DataError, match="made for grid 'demo'"):
        read_xlsx(template, grid=other)


def test_uncomputed_formula_is_not_silently_dropped(template: Path, tmp_path: Path, grid: Grid) -> None:
    filled = fill(template, tmp_path / "f.xlsx", {"1 Social": {"F:hours": "=10*12"}})
    with pytest.raises(DataValidationError, match="formula"):
        read_xlsx(filled, grid=grid)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hours=st.floats(min_value=0, max_value=2000, allow_nan=False),
    waste=st.floats(min_value=0, max_value=1e9, allow_nan=False),
)
def test_numbers_round_trip(template: Path, tmp_path: Path, grid: Grid, hours: float, waste: float) -> None:
    filled = fill(
        template, tmp_path / "n.xlsx", {"1 Social": {"F:hours": hours}, "2 Environnement": {"F:waste": waste}}
    )
    data = read_xlsx(filled, grid=grid)
    # openpyxl writes 16 significant digits (Excel keeps 15): compare to that precision.
    assert data.columns["hours"].values[0] == pytest.approx(hours, rel=1e-15, abs=1e-300)
    assert data.columns["waste"].values[0] == pytest.approx(waste, rel=1e-15, abs=1e-300)


def test_csv_template(tmp_path: Path, grid: Grid) -> None:
    path = write_template(
        grid, tmp_path / "collecte.csv", format="csv", organisations=["a", "b"], periods=["2023", "2024"]
    )
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows.pop(0) == [f"# vises template: grid={grid.code} version={grid.version}"]
    assert rows[0] == [
        "organisation",
        "period",
        "hours [hour]",
        "quality",
        "charter",
        "legal",
        "exit_rate [percent]",
        "waste [kg]",
        "story",
    ]
    assert [row[:2] for row in rows[1:]] == [["a", "2023"], ["a", "2024"], ["b", "2023"], ["b", "2024"]]


def test_csv_template_reads_back(tmp_path: Path, grid: Grid) -> None:
    csv_data = pytest.importorskip("vises.io.csv_data")
    path = write_template(grid, tmp_path / "collecte.csv", format="csv", organisations=["a"], periods=["2024"])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = "a,2024,12,2,yes,coop,50,3,bien"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = csv_data.read_csv(path, grid=grid)
    assert data.columns["hours"].values[0] == 12
    assert data.columns["waste"].unit == "kg"


def test_bad_arguments(tmp_path: Path, grid: Grid) -> None:
    with pytest.raises(ConfigError, match="language"):
        write_template(grid, tmp_path / "t.xlsx", lang="de")
    with pytest.raises(ConfigError, match="does not match"):
        write_template(grid, tmp_path / "t.xlsx", format="csv")
    with pytest.raises(ConfigError, match="format"):
        write_template(grid, tmp_path / "t.ods", format="ods")
    assert not list(tmp_path.iterdir())


def test_reader_is_registered() -> None:
    (reader,) = [r for r in vises_register_readers() if r.name == "xlsx"]
    assert reader.suffixes == (".xlsx",)
    assert reader.read.__name__ == "_read_xlsx"  # imports read_xlsx when a workbook is read


def test_template_command(tmp_path: Path, grid: Grid, monkeypatch: pytest.MonkeyPatch) -> None:
    import vises

    monkeypatch.setattr(vises, "load_grid", lambda name: grid if name == "demo" else None)

    from vises.cli import cli

    out = tmp_path / "collecte.xlsx"
    result = CliRunner().invoke(
        cli, ["template", "--grid", "demo", "--lang", "nl", "-o", str(out), "--organisation", "x", "--period", "2024"]
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert wb["Identificatie"]["B3"].value == "x"
    result = CliRunner().invoke(cli, ["template", "--grid", "demo", "-o", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    assert (
        (tmp_path / "c.csv")
        .read_text(encoding="utf-8")
        .startswith("# vises template: grid=demo version=2\norganisation,period,hours [hour]")
    )


def test_plain_wide_sheet(tmp_path: Path, grid: Grid) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    wb.active["A1"] = "not the data"
    sheet = wb.create_sheet("data")
    sheet.append(["organisation", "period", "hours [hour]", "quality", "charter", "waste [kg]"])
    sheet.append(["a", 2024, 12, 3, "oui", None])
    sheet.append(["b", 2024, 30.5, "2", "no", 4])
    wb.save(tmp_path / "wide.xlsx")
    data = read_xlsx(tmp_path / "wide.xlsx", grid=grid)
    assert list(data.organisations) == ["a", "b"] and list(data.periods) == ["2024", "2024"]
    assert list(data.columns["hours"].values) == [12.0, 30.5]
    assert list(data.columns["quality"].values) == ["3", "2"]
    assert list(data.columns["charter"].values) == ["yes", "no"]

    sheet["C3"] = "lots"
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(DataValidationError) as caught:
        read_xlsx(tmp_path / "bad.xlsx", grid=grid)
    assert any(p.sheet == "data" and p.row == 3 for p in caught.value.problems), str(caught.value)


def test_workbook_without_a_table(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.create_sheet("other")
    wb.save(tmp_path / "empty.xlsx")
    with pytest.raises(DataError, match="no sheet holds a data table"):
        read_xlsx(tmp_path / "empty.xlsx")
    (tmp_path / "junk.xlsx").write_text("not a zip")
    with pytest.raises(DataError, match="cannot open"):
        read_xlsx(tmp_path / "junk.xlsx")


def test_derived_indicators_get_no_column_or_row(tmp_path: Path, grid: Grid) -> None:
    """A formula or a rate is computed from its inputs: a template asking for it would be refused on reading."""
    import attrs

    derived = (
        Indicator(code="hours_per_exit", parent="pedagogy", unit="hour / percent", formula="hours / exit_rate"),
        Indicator(code="rate", parent="env", kind=Kind.RATE, numerator="waste", denominator="hours", unit="kg / hour"),
    )
    grid = attrs.evolve(grid, indicators=(*grid.indicators, *derived))
    path = write_template(grid, tmp_path / "c.csv", format="csv", organisations=["a"], periods=["2024"])
    header = [cell.split(" [")[0] for cell in path.read_text(encoding="utf-8").splitlines()[1].split(",")]
    assert header == ["organisation", "period", *(ind.code for ind in make_grid().indicators)]
    book = openpyxl.load_workbook(write_template(grid, tmp_path / "c.xlsx", lang="fr"))
    codes = {cell.value for sheet in book.worksheets for cell in sheet["A"]}
    assert "hours" in codes and "waste" in codes
    assert not {"hours_per_exit", "rate"} & codes
