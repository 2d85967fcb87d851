"""The xlsx report format: sheets per level, frozen headers, real numbers, labels in the language."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

openpyxl = pytest.importorskip("openpyxl")

from test_report_views import ask  # noqa: E402

import vises  # noqa: E402
from vises.errors import ConfigError  # noqa: E402
from vises.model import Grid, Indicator, Kind, Level, Node  # noqa: E402
from vises.report.hooks import vises_register_report_formats  # noqa: E402
from vises.report.xlsx import render_xlsx  # noqa: E402


def make_grid() -> Grid:
    scale = tuple(Level(value=str(i), label={"fr": f"niveau {i}", "en": f"level {i}"}) for i in (1, 2, 3))
    return Grid(
        code="mini",
        version="1",
        languages=("fr", "en"),
        label={"fr": "Mini grille", "en": "Mini grid"},
        nodes=(
            Node(code="index", label={"fr": "Indice", "en": "Index"}),
            Node(code="social", parent="index", label={"fr": "Social", "en": "Social"}),
            Node(code="training", parent="social", label={"fr": "Formation", "en": "Training"}),
            Node(code="env", parent="index", label={"fr": "Environnement", "en": "Environment"}),
        ),
        indicators=(
            Indicator(
                code="hours",
                parent="training",
                unit="hour",
                minimum=0,
                maximum=100,
                label={"fr": "Heures", "en": "Hours"},
            ),
            Indicator(
                code="quality",
                parent="training",
                kind=Kind.SCALE,
                levels=scale,
                label={"fr": "Qualité", "en": "Quality"},
            ),
            Indicator(code="jobs", parent="social", unit="person", label={"fr": "Emplois", "en": "Jobs"}),
            Indicator(code="waste", parent="env", unit="kg", label={"fr": "Déchets", "en": "Waste"}),
        ),
    )


@pytest.fixture(scope="module")
def results():
    data = {
        "organisation": ["a", "b", "c", "a", "b", "c"],
        "period": ["2023", "2023", "2023", "2024", "2024", "2024"],
        "hours [hour]": [10.0, 50.0, 90.0, 20.0, None, 80.0],
        "quality": ["1", "2", "3", "3", "2", None],
        "jobs [person]": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "waste [kg]": [5.0, 1.0, 3.0, None, None, 2.0],
    }
    return vises.score(make_grid(), vises.load_data(data, grid=make_grid()))


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_one_sheet_per_level_and_extras(results) -> None:
    wb = workbook(render_xlsx(results, ask(lang="fr")))
    assert wb.sheetnames == [
        "indicators",
        "level_2",
        "level_1",
        "index",
        "raw",
        "coverage",
        "ranks",
        "ranked",
        "provenance",
    ]
    assert [c.value for c in wb["level_1"][2]] == ["organisation", "period", "social", "env"]
    assert [c.value for c in wb["level_2"][2]] == ["organisation", "period", "training"]
    assert [c.value for c in wb["index"][1]] == ["Organisation", "Période", "Indice"]
    for name in ("indicators", "level_1", "index", "raw", "ranks"):
        assert wb[name].freeze_panes == "C3"
        assert wb[name].max_row == 2 + len(results)


def test_numbers_are_numbers_and_missing_is_empty(results) -> None:
    wb = workbook(render_xlsx(results, ask(lang="en")))
    sheet = wb["indicators"]
    codes = [c.value for c in sheet[2]]
    rows = {(r[0].value, r[1].value): r for r in sheet.iter_rows(min_row=3)}
    for row_index in range(len(results)):
        org, per = str(results.organisations[row_index]), str(results.periods[row_index])
        for code in ("hours", "quality", "waste"):
            cell = rows[(org, per)][codes.index(code)]
            expected = results.score(code)[row_index]
            if np.isnan(expected):
                assert cell.value is None
            else:
                assert cell.data_type == "n" and cell.value == pytest.approx(expected)
    raw = wb["raw"]
    assert [c.value for c in raw[1]][2] == "Hours [hours]"
    assert {row[2].value for row in raw.iter_rows(min_row=3)} == {10.0, 50.0, 90.0, 20.0, None, 80.0}
    assert wb["index"]["C3"].number_format == "0.0"


def test_ranks_and_provenance(results) -> None:
    wb = workbook(render_xlsx(results, ask(lang="nl", options={"digits": 2})))
    ranks = wb["ranks"]
    codes = [c.value for c in ranks[2]]
    col = codes.index("index")
    for row in ranks.iter_rows(min_row=3):
        index = results.row(row[0].value, row[1].value)
        expected = results.ranks("index")[index]
        assert (row[col].value is None) if np.isnan(expected) else row[col].value == expected
    prov = {row[0].value: row[1].value for row in wb["provenance"].iter_rows() if row[0].value}
    assert prov.get("Grid") or any(v == "mini" for v in prov.values())
    first = {row[0].value for row in wb["provenance"].iter_rows()}
    # Only plugins that contributed to this grid are listed: none here, not every installed one.
    assert first.isdisjoint({"hdf", "vlaanderen", "wallonie", "vises"}) and "Versie van vises" in first
    assert wb["level_1"]["C3"].number_format == "0.00"


def test_options_and_views(results) -> None:
    assert "ranks" not in workbook(render_xlsx(results, ask(options={"ranks": False}))).sheetnames
    profile = workbook(render_xlsx(results, ask(view="profile", organisation="b", period="2024")))
    assert profile["index"].max_row == 3 and profile["index"]["A3"].value == "b"
    with pytest.raises(ConfigError):
        render_xlsx(results, ask(view="profile"))
    with pytest.raises(ConfigError):
        render_xlsx(results, ask(options={"colour": True}))


def test_the_report_needs_no_openpyxl(results, monkeypatch: pytest.MonkeyPatch) -> None:
    """The xlsx report is written by vises itself (column-wise); only reading it back needs openpyxl."""
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    data = render_xlsx(results, ask())
    assert data[:2] == b"PK"


def test_registered_as_binary_format() -> None:
    (spec,) = [spec for spec in vises_register_report_formats() if spec.name == "xlsx"]
    assert (spec.suffix, spec.binary, spec.render.__name__) == (".xlsx", True, "render_xlsx")
