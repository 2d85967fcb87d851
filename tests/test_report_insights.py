"""What reports show from the analyses (issue 15): strengths and weaknesses and progress over the periods
in a profile, the units a build screened out in the network view and the provenance, in every format
where it fits, with the same numbers as ``vises.analysis``."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import vises
from vises.analysis import build, strengths_weaknesses, trends
from vises.cli import cli
from vises.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "data" / "wallonie_cisp.csv"
META = """Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type
1,jobs,Jobs created,1,2,Thousand jobs,,,Eco,Indicator
1,sales,Sales,1,1,EUR,,,Eco,Indicator
1,waste,Waste,-1,1,Score 1-5,,,Env,Indicator
1,energy,Energy,-1,1,kWh,,,Env,Indicator
2,Eco,Economic,1,1,Score,,,Index,Aggregate
2,Env,Environmental,1,0.5,Score,,,Index,Aggregate
3,Index,Overall,1,1,Score,,,,Aggregate
"""
DATA = """uName,uCode,Time,jobs,sales,waste,energy
Alpha,A,2020,1.5,100,NA,5
Beta,B,2020,3,250,2,7
Gamma,C,2020,8,NA,NA,NA
Delta,D,2020,1,90,4,3
Eps,E,2020,2,150,3,9
"""
SPEC = """[screen]
min_availability = 0.75
on = "raw"
"""


@pytest.fixture(scope="module")
def network() -> vises.Results:
    if not EXAMPLE.is_file():
        pytest.skip("the example data is not in this checkout")
    try:
        return vises.score("wallonie.cisp", EXAMPLE)
    except ConfigError:
        pytest.skip("the vises-wallonie plugin is not installed")


def test_the_profile_lists_the_same_strengths_and_weaknesses_as_the_analysis(network):
    from vises.report.analysis_view import profile_analysis

    row = network.row("cisp_01")
    found = profile_analysis(network, row, "en")
    every = strengths_weaknesses(network, "cisp_01", top=100, bottom=0)
    ordered = [s.code for s in every.strengths]
    assert [s.code for s in found.strengths] == ordered[:5]
    assert [s.code for s in found.weaknesses] == ordered[-5:]
    assert not {s.code for s in found.strengths} & {s.code for s in found.weaknesses}
    best = found.strengths[0]
    assert (best.rank, best.ranked) == (every.strengths[0].rank, every.strengths[0].ranked)
    assert found.strengths[0].value == "Yes"  # a yes/no value in words


def test_the_profile_progress_is_the_analysis_trend(network):
    from vises.report.analysis_view import profile_analysis

    found = profile_analysis(network, network.row("cisp_01"), "en")
    codes = [trend.code for trend in found.progress]
    assert codes == [*network.children("cisp"), "cisp"] and found.progress[-1].is_total
    slopes = trends(network, codes, method="slope")
    growth = trends(network, codes, method="cagr")
    for trend in found.progress:
        assert trend.slope == pytest.approx(slopes.get("cisp_01", trend.code))
        assert trend.cagr == pytest.approx(growth.get("cisp_01", trend.code))
    first = network.row("cisp_01", "2017")
    assert found.progress[-1].first_score == pytest.approx(network.score("cisp")[first])
    # Up to an earlier period, the progress stops there.
    earlier = profile_analysis(network, network.row("cisp_01", "2018"), "en")
    assert {t.last_period for t in earlier.progress} == {"2018"}


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_every_readable_format_shows_strengths_weaknesses_and_progress(network, fmt):
    text = vises.render(network, fmt, lang="fr", view="profile", organisation="cisp_01")
    assert isinstance(text, str)
    for words in (
        "Points forts et points faibles",
        "Points faibles",
        "Évolution au fil des périodes",
        "Variation par an",
    ):
        assert words in text, (fmt, words)
    # Strengths and progress come before the overall score, which stays last.
    assert text.index("Évolution au fil des périodes") < text.rindex("Score global")
    # Ranks read "k sur N" (the example data's ranks change when it is regenerated).
    assert re.search(r"\b\d+ sur \d+\b", text), fmt


def test_json_and_xlsx_profiles_carry_them(network):
    document = json.loads(vises.render(network, "json", view="profile", organisation="cisp_01"))
    assert len(document["strengths"]) == 5 and len(document["weaknesses"]) == 5
    assert document["progress"][-1]["code"] == "cisp" and document["progress"][-1]["points"] == 3
    hidden = json.loads(vises.render(network, "json", view="profile", organisation="cisp_01", options={"ranks": False}))
    assert "rank" not in hidden["strengths"][0]
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(vises.render(network, "xlsx", view="profile", organisation="cisp_01")))
    assert {"strengths", "progress"} <= set(book.sheetnames) and book.sheetnames[-1] == "provenance"
    sheet = book["progress"]
    assert [cell.value for cell in sheet[2]][:2] == ["code", "dimension"]
    assert sheet.cell(row=sheet.max_row, column=1).value == "cisp"


def test_ranks_off_hides_the_rank_column(network):
    text = vises.render(
        network, "markdown", lang="en", view="profile", organisation="cisp_01", options={"ranks": False}
    )
    part = text.split("## Strengths and weaknesses")[1].split("## ")[0]
    assert " of 29" not in part and "Rank" not in part


def test_no_progress_section_with_one_period_or_periods_that_are_not_years():
    data = {"organisation": ["a", "b"], "period": ["spring", "spring"], "hours": [1.0, 3.0], "jobs": [2.0, 1.0]}
    grid = vises.Grid(
        code="g",
        nodes=(vises.Node(code="index"),),
        indicators=(vises.Indicator(code="hours", parent="index"), vises.Indicator(code="jobs", parent="index")),
    )
    results = vises.score(grid, data)
    text = vises.render(results, "markdown", view="profile", organisation="a")
    assert "Strengths and weaknesses" in text and "Progress over the periods" not in text
    twice = vises.score(grid, {**data, "period": ["spring", "summer"], "organisation": ["a", "a"]})
    assert "Progress" not in vises.render(twice, "markdown", view="profile", organisation="a")


@pytest.fixture()
def screened(tmp_path: Path) -> tuple[vises.Results, Path]:
    (tmp_path / "iMeta.csv").write_text(META, encoding="utf-8")
    (tmp_path / "iData.csv").write_text(DATA, encoding="utf-8")
    (tmp_path / "build.toml").write_text(SPEC, encoding="utf-8")
    built = build(tmp_path / "iMeta.csv", tmp_path / "iData.csv", spec=tmp_path / "build.toml")
    return built.results, tmp_path


def test_the_network_view_lists_who_was_screened_out_and_why(screened):
    results, _ = screened
    assert "C" not in results.organisations.tolist()
    for fmt in ("table", "markdown", "html"):
        text = vises.render(results, fmt, lang="en")
        assert isinstance(text, str)
        assert "Screened out for lack of data" in text, fmt
        assert "Gamma (C)" in text or ("Gamma" in text and "(C)" in text), fmt
        assert "data availability 0.25 below 0.75" in text, fmt
        assert "data availability at least 75% (share of the indicators); 4 of 5 units kept" in text, fmt
    french = vises.render(results, "markdown", lang="fr")
    assert "Écartées faute de données" in french and "4 unités gardées sur 5" in french
    document = json.loads(vises.render(results, "json"))
    unit = document["provenance"]["screening"]["screened_out"][0]
    assert unit["organisation"] == "C" and unit["availability"] == 0.25
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(vises.render(results, "xlsx", lang="en")))
    sheet = book["screened_out"]
    assert [c.value for c in sheet[3]][:3] == ["C", "Gamma", "2020"] and sheet.cell(row=3, column=4).value == 0.25
    lines = [[c.value for c in row] for row in book["provenance"].iter_rows()]
    assert any(line[0] == "Screening" and "4 of 5 units kept" in str(line[1]) for line in lines)


def test_nothing_is_said_about_screening_when_no_unit_was_screened(network):
    text = vises.render(network, "markdown", lang="en")
    assert "Screened out" not in text and "Screening" not in text


def test_the_score_command_shows_the_screened_units(screened):
    _, folder = screened
    done = CliRunner().invoke(
        cli,
        [
            "score",
            str(folder / "iData.csv"),
            "--grid",
            str(folder / "iMeta.csv"),
            "--spec",
            str(folder / "build.toml"),
            "-f",
            "markdown",
            "-l",
            "nl",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "Uitgesloten wegens te weinig gegevens" in done.output and "| 2020" in done.output
    assert "Selectie van eenheden" in done.output


def test_progress_numbers_are_finite_or_missing(network):
    from vises.report.analysis_view import profile_analysis

    for organisation in sorted(set(network.organisations.tolist()))[:10]:
        found = profile_analysis(network, network.row(organisation), "en")
        for trend in found.progress:
            assert trend.points <= 3
            assert math.isnan(trend.slope) == (trend.points < 2)
            assert np.isfinite(trend.first_score) or trend.points == 0
