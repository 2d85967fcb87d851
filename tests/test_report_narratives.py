"""Narrative evidence reaches every report: the profile of each format, and the network overview.

Three sources (narrative indicators, comment columns, the evaluation's narrative), from a dataset
built in Python and from the CSV reader; the same texts in html, markdown, table, json and xlsx.
"""

from __future__ import annotations

import io
import json

import attrs
import numpy as np
import pytest
from test_report_views import report_data, report_grid

import vises
from vises.report.narratives import network_texts, present, row_texts
from vises.report.views import names_column

STORY = "A trainee found a job"
COMMENT = "counted from the register"
EVALUATION = "Focus group: more confidence."
WHOLE = "Overall the year went well."
TEXT_FORMATS = ("html", "markdown", "table", "json")


def csv_results(tmp_path) -> vises.Results:
    """The report's dataset written as a CSV file (a narrative column, a comment column) and read back."""
    path = tmp_path / "network.csv"
    path.write_text(
        "organisation,period,hours [hour],hours.comment,exits [percent],satisfaction,turnover [EUR],meetings,story\n"
        "a,2022,10,,30,low,100000,4,\n"
        "b,2022,20,,45,mid,250000,6,\n"
        f"a,2023,40,{COMMENT},50,high,110000,5,{STORY}\n"
        "b,2023,25,,,,260000,6,\n",
        encoding="utf-8",
    )
    grid = report_grid()
    dataset = vises.load_data(path, grid=grid)
    evaluations = report_data().evaluations
    return vises.score(grid, attrs.evolve(dataset, evaluations=evaluations))


@pytest.fixture(scope="module")
def python_results():
    return vises.score(report_grid(), report_data())


@pytest.fixture(params=["python", "csv"])
def results(request, python_results, tmp_path):
    return python_results if request.param == "python" else csv_results(tmp_path)


def test_the_csv_reader_keeps_the_narrative_where_results_narrative_reads_it(tmp_path):
    results = csv_results(tmp_path)
    row = results.row("a", "2023")
    assert results.narrative("story", row) == STORY
    assert results.narrative("hours", row) == COMMENT


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_every_text_format_shows_every_narrative_in_the_profile(results, fmt):
    page = vises.render(results, fmt, lang="en", view="profile", organisation="a", period="2023")
    if fmt == "json":
        texts = json.loads(page)["narratives"]
        assert texts == {"hours": COMMENT, "story": STORY, "*": WHOLE, "social": EVALUATION}
        return
    for text in (STORY, COMMENT, EVALUATION, WHOLE):
        assert text in page, (fmt, text)
    # The narrative indicator is shown under its label, beside the node it documents.
    assert "Story" in page


@pytest.mark.parametrize("fmt", ("html", "markdown", "table"))
def test_the_network_overview_lists_every_text_with_who_when_and_what_about(results, fmt):
    page = vises.render(results, fmt, lang="fr", options={"charts": False} if fmt == "html" else None)
    assert "Éléments qualitatifs" in page
    for text in (STORY, COMMENT, EVALUATION, WHOLE):
        assert text in page, (fmt, text)
    assert "L'évaluation dans son ensemble" in page or "L&#39;évaluation dans son ensemble" in page


def test_the_network_text_table_is_in_the_order_of_the_rows(python_results):
    results = python_results
    rows = np.lexsort((results.organisations, -np.asarray([int(p) for p in results.periods])))
    table = network_texts(results, rows, names_column(results)[rows], "en")
    assert list(table.texts) == [COMMENT, STORY, WHOLE, EVALUATION]
    assert list(table.codes) == ["hours", "story", "*", "social"]
    assert list(table.about) == ["Training hours", "Story", "The evaluation as a whole", "Social"]
    assert set(table.organisations) == {"a"} and set(table.periods) == {"2023"}
    assert list(table.names) == ["Atelier A"] * 4


def test_the_xlsx_report_has_a_narratives_sheet(results):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(vises.render(results, "xlsx", lang="fr")), read_only=True)
    assert book.sheetnames[-2:] == ["narratives", "provenance"]
    rows = list(book["narratives"].iter_rows(values_only=True))
    assert rows[0] == ("Organisation", "Période", "Code", "Objet", "Texte")
    assert rows[1] == ("organisation", "period", "code", "about", "text")
    assert {row[4] for row in rows[2:]} == {STORY, COMMENT, EVALUATION, WHOLE}


def test_a_text_about_no_node_is_shown_with_the_evaluation_under_its_own_name():
    data = report_data()
    notes = np.array([None, None, None, None, "Moved to new premises", None, None], dtype=object)
    data = attrs.evolve(data, text={**data.text, "notes": notes})
    results = vises.score(report_grid(), data)
    page = vises.render(results, "markdown", lang="en", view="profile", organisation="a")
    assert "notes: Moved to new premises" in page
    assert row_texts(results, results.row("a", "2023"))["notes"] == "Moved to new premises"


def test_a_narrative_under_the_root_is_part_of_the_general_evidence():
    grid = report_grid()
    story = grid.indicator("story")
    grid = attrs.evolve(
        grid, indicators=tuple(attrs.evolve(i, parent="net") if i is story else i for i in grid.indicators)
    )
    results = vises.score(grid, report_data())
    view = vises.render(results, "table", lang="en", view="profile", organisation="a")
    assert f"Story: {STORY}" in view


def test_blank_texts_are_not_evidence():
    values = np.array([None, "", "   ", float("nan"), "x", 0], dtype=object)
    assert present(values).tolist() == [False, False, False, False, True, True]


def test_csv_scores_carry_no_text(results):
    """The csv report is scores only (one column per code): texts are in json, xlsx and the readable formats."""
    page = vises.render(results, "csv")
    assert STORY not in page and COMMENT not in page
