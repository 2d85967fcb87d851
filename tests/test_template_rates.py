"""A template for a grid with rates and evidence round-trips: written, filled programmatically, read
back, validated and scored, the rate computed from the inputs the template collected and the
evidence (n, source, verified) carried into the results."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

openpyxl = pytest.importorskip("openpyxl")

import vises  # noqa: E402
from vises.errors import DataValidationError  # noqa: E402
from vises.intervals import wilson  # noqa: E402
from vises.templates.write import write_template  # noqa: E402

GRID = """
code = "rates"
version = "1"
languages = ["fr", "en"]
label = { fr = "Taux", en = "Rates" }

[evidence]
small_n = 20

[[nodes]]
code = "root"
label = { en = "Root" }

[[nodes]]
code = "outcomes"
parent = "root"
label = { fr = "Résultats", en = "Outcomes" }

[[indicators]]
code = "leavers"
parent = "outcomes"
kind = "quantity"
unit = "person"
minimum = 0
context = true
label = { en = "Leavers" }

[[indicators]]
code = "exits_to_work"
parent = "outcomes"
kind = "quantity"
unit = "person"
minimum = 0
context = true
label = { en = "Exits to work" }

[[indicators]]
code = "exit_rate"
parent = "outcomes"
kind = "rate"
numerator = "exits_to_work"
denominator = "leavers"
unit = "percent"
direction = "higher"
label = { en = "Exit rate" }

[[indicators]]
code = "satisfied"
parent = "outcomes"
kind = "quantity"
unit = "percent"
minimum = 0
maximum = 100
direction = "higher"
evidence = ["n", "source", "verified"]
label = { en = "Satisfied (share)" }
"""

#: organisation -> (leavers, exits to work, satisfied %, its n, its source as typed, verified as typed)
FILLED = {
    "ateliers": (54, 16, 62.5, 24, "enquête", "oui"),
    "envol": (5, 0, 40.0, 5, "survey", "non"),
    "relais": (24, 17, 80.0, 30, "registre", None),
}


@pytest.fixture()
def grid(tmp_path: Path) -> vises.Grid:
    path = tmp_path / "rates.toml"
    path.write_text(GRID, encoding="utf-8")
    return vises.load_grid(path)


def _rows(sheet) -> dict[str, int]:
    return {
        sheet.cell(row=r, column=1).value: r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value
    }


def _dimension_sheet(workbook) -> str:
    return next(name for name in workbook.sheetnames if name.startswith("1 "))


def _fill(template: Path, out: Path, values: dict[str, object]) -> Path:
    """Fill every block: ``values[code]`` is a list, one entry per block (None leaves the cell empty)."""
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[_dimension_sheet(workbook)]
    rows = _rows(sheet)
    for code, entries in values.items():
        for block, value in enumerate(entries):
            if value is not None:
                sheet.cell(row=rows[code], column=6 + 2 * block, value=value)
    workbook.save(out)
    return out


def test_xlsx_template_with_rates_and_evidence_round_trips(grid: vises.Grid, tmp_path: Path) -> None:
    orgs = list(FILLED)
    template = write_template(grid, tmp_path / "t.xlsx", lang="fr", organisations=orgs, periods=["2024"])
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[_dimension_sheet(workbook)]
    rows = _rows(sheet)
    # The inputs and the evidence are asked for; the rate, computed by the grid, is not.
    assert "exit_rate" not in rows
    assert {"leavers", "exits_to_work", "satisfied", "satisfied.n", "satisfied.source", "satisfied.verified"} <= set(
        rows
    )
    assert rows["satisfied.n"] == rows["satisfied"] + 1
    columns = list(zip(*FILLED.values(), strict=True))
    filled = _fill(
        template,
        tmp_path / "filled.xlsx",
        {
            "leavers": columns[0],
            "exits_to_work": columns[1],
            "satisfied": columns[2],
            "satisfied.n": columns[3],
            "satisfied.source": columns[4],
            "satisfied.verified": columns[5],
        },
    )
    data = vises.load_data(filled, grid=grid)
    assert vises.validate_data(grid, data) == []
    evidence = data.evidence["satisfied"]
    assert list(evidence.n) == [24.0, 5.0, 30.0]
    assert list(evidence.source) == ["survey", "survey", "records"]
    assert list(evidence.verified) == [True, False, None]

    results = vises.score(grid, data)
    row = {org: results.row(org, "2024") for org in orgs}
    rate = results.raw("exit_rate")
    for org, (leavers, work, *_rest) in FILLED.items():
        assert rate[row[org]] == pytest.approx(100 * work / leavers, rel=1e-12)
    # The rate's n is its denominator, its interval Wilson's; the survey share's n is the one typed.
    rate_evidence = results.evidence("exit_rate")
    assert rate_evidence.interval == "wilson"
    low, high = wilson(np.array([16.0, 0.0, 17.0]), np.array([54.0, 5.0, 24.0]), 0.95)
    order = [row[o] for o in orgs]
    np.testing.assert_allclose(rate_evidence.low[order], 100 * low, rtol=1e-12)
    np.testing.assert_allclose(rate_evidence.high[order], 100 * high, rtol=1e-12)
    assert list(rate_evidence.small[order]) == [False, True, False]  # 5 leavers < small_n 20
    share = results.evidence("satisfied")
    assert list(share.n[order]) == [24.0, 5.0, 30.0]
    assert share.interval == "wilson"
    # Scores exist for every row: the rate and the share both enter the outcomes.
    assert not np.isnan(results.score("root")).any()


def test_xlsx_template_refuses_bad_evidence_cells(grid: vises.Grid, tmp_path: Path) -> None:
    template = write_template(grid, tmp_path / "t.xlsx", lang="en", organisations=["a", "b"], periods=["2024"])
    filled = _fill(
        template,
        tmp_path / "filled.xlsx",
        {"satisfied": [50, 60], "satisfied.n": [-3, "many"], "satisfied.source": ["gossip", None]},
    )
    with pytest.raises(DataValidationError) as caught:
        vises.load_data(filled, grid=grid)
    text = str(caught.value)
    assert "'-3' is not a number of answers" in text or "-3" in text
    assert "'many' is not a number of answers" in text
    assert "'gossip' is not a source" in text


def test_csv_template_with_rates_and_evidence_round_trips(grid: vises.Grid, tmp_path: Path) -> None:
    template = write_template(grid, tmp_path / "t.csv", format="csv", organisations=list(FILLED), periods=["2024"])
    with template.open(newline="", encoding="utf-8") as handle:
        line, header = list(csv.reader(handle))[:2]
    assert line == [f"# vises template: grid={grid.code} version={grid.version}"]
    assert header == [
        "organisation",
        "period",
        "leavers [person]",
        "exits_to_work [person]",
        "satisfied [percent]",
        "satisfied.n",
        "satisfied.source",
        "satisfied.verified",
    ]
    lines = [line[0], ",".join(header)]
    for org, (leavers, work, share, n, source, verified) in FILLED.items():
        lines.append(f"{org},2024,{leavers},{work},{share},{n},{source},{verified or ''}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = vises.load_data(template, grid=grid)
    assert vises.validate_data(grid, data) == []
    results = vises.score(grid, data)
    assert results.raw("exit_rate")[results.row("ateliers", "2024")] == pytest.approx(100 * 16 / 54)
    assert list(data.evidence["satisfied"].source) == ["survey", "survey", "records"]
