"""Reports show what backs each value: n, source and interval in the profile, a rate as its two
parts, a change within the margin of error marked instead of shown as progress; the JSON and CSV
outputs carry the same evidence. Reports of results without evidence are unchanged."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

import vises
from vises.intervals import wilson

GRID = """
code = "rates"
version = "1"
languages = ["en"]
label = { en = "Rates" }

[evidence]
small_n = 20

[[nodes]]
code = "root"
label = { en = "Root" }

[[nodes]]
code = "outcomes"
parent = "root"
label = { en = "Outcomes" }

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
code = "agree"
parent = "outcomes"
kind = "quantity"
unit = "percent"
minimum = 0
maximum = 100
direction = "higher"
label = { en = "Agree (share)" }
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> vises.Results:
    path = tmp_path_factory.mktemp("grid") / "rates.toml"
    path.write_text(GRID, encoding="utf-8")
    grid = vises.load_grid(path)
    # Centre a: exits 5/54 then 17/24 (intervals apart); agreeing 7/19 (19–59 %) then 17/24 (51–85 %):
    # +34 points, but the two intervals overlap, as in the issue.
    data = vises.load_data(
        {
            "organisation": ["a", "b", "a", "b"],
            "period": ["2023", "2023", "2024", "2024"],
            "leavers": [54.0, 5.0, 24.0, 30.0],
            "exits_to_work": [5.0, 0.0, 17.0, 9.0],
            "agree": [100 * 7 / 19, 50.0, 100 * 17 / 24, 40.0],
            "agree.n": [19.0, 10.0, 24.0, 25.0],
            "agree.source": ["survey", "survey", "survey", "self-declared"],
        },
        grid=grid,
    )
    return vises.score(grid, data)


def test_wilson_bounds_of_the_issue(results: vises.Results) -> None:
    evidence = results.evidence("agree")
    row_2023, row_2024 = results.row("a", "2023"), results.row("a", "2024")
    # By hand (z = 1.959964): 7/19 → centre 0.39055, half-width 0.19905; 17/24 → 0.67959 ± 0.17127.
    assert evidence.low[row_2023] == pytest.approx(19.15, abs=0.01)
    assert evidence.high[row_2023] == pytest.approx(58.96, abs=0.01)
    assert evidence.low[row_2024] == pytest.approx(50.83, abs=0.01)
    assert evidence.high[row_2024] == pytest.approx(85.09, abs=0.01)


def test_profile_shows_n_source_interval_parts_and_marks_overlapping_change(results: vises.Results) -> None:
    page = vises.render(results, "markdown", lang="en", view="profile", organisation="a")
    lines: dict[str, str] = {}
    for line in page.splitlines():
        if line.startswith("| "):
            lines.setdefault(line.split("|")[1].strip(), line)  # the details table comes first
    rate, agree = lines["Exit rate"], lines["Agree (share)"]
    # The rate as its two parts, its n the denominator, its Wilson interval; 5/54 → 17/24 do not overlap.
    assert "17 / 24 (70.8 %)" in rate and "n = 24" in rate and "50.8–85.1 %" in rate
    assert "≈" not in rate
    # The survey share: n, source, interval, and a change within the margin of error marked ≈.
    assert "n = 24 · survey · 50.8–85.1 %" in agree
    assert "≈ +" in agree
    assert "intervals overlap" in page
    small = vises.render(results, "markdown", lang="en", view="profile", organisation="b", period="2023")
    assert "small sample" in small  # 5 leavers, 10 answers: below the grid's small_n of 20


def test_profile_in_french_names_the_source_and_the_small_sample(results: vises.Results) -> None:
    page = vises.render(results, "markdown", lang="fr", view="profile", organisation="b", period="2023")
    assert "n = 10 · enquête" in page and "petit échantillon" in page
    assert "0 / 5 (0,0 %)" in page


def test_json_and_csv_carry_the_evidence(results: vises.Results) -> None:
    network = json.loads(vises.render(results, "json"))
    record = next(r for r in network["records"] if (r["organisation"], r["period"]) == ("a", "2024"))
    rate = record["evidence"]["exit_rate"]
    assert (rate["numerator"], rate["denominator"], rate["n"]) == (17.0, 24.0, 24.0)
    low, high = wilson(np.array([17.0]), np.array([24.0]), 0.95)
    assert rate["low"] == pytest.approx(100 * low[0], rel=1e-12) and rate["high"] == pytest.approx(100 * high[0])
    assert record["evidence"]["agree"]["source"] == "survey" and record["evidence"]["agree"]["small"] is False
    profile = json.loads(vises.render(results, "json", view="profile", organisation="a"))
    assert profile["evidence"]["agree"]["n"] == 24.0
    assert profile["evidence_overlaps"] == {"exit_rate": False, "agree": True}

    rows = list(csv.DictReader(io.StringIO(vises.render(results, "csv"))))
    b_2024 = next(r for r in rows if (r["organisation"], r["period"]) == ("b", "2024"))
    assert b_2024["agree.source"] == "self-declared" and b_2024["agree.n"] == "25.0"
    assert b_2024["exit_rate.numerator"] == "9.0" and b_2024["exit_rate.denominator"] == "30.0"
    assert float(b_2024["exit_rate.value"]) == pytest.approx(30.0)
    assert b_2024["agree.small"] == "no"


@pytest.mark.federation  # the économie sociale example
def test_results_without_evidence_keep_their_outputs() -> None:
    root = Path(__file__).resolve().parents[1]
    results = vises.score("wallonie.economie_sociale", root / "examples" / "data" / "wallonie_economie_sociale.csv")
    header = vises.render(results, "csv").splitlines()[0].split(",")
    assert header == ["organisation", "period", *results.codes]
    record = json.loads(vises.render(results, "json"))["records"][0]
    assert "evidence" not in record


def test_profile_key_figures_give_the_context_values_as_reported(results: vises.Results, tmp_path: Path) -> None:
    """Context indicators are never scored, yet a centre's profile gives them as reported: in every
    format, with the previous period and the change, counts without decimals."""
    page = vises.render(results, "markdown", lang="en", view="profile", organisation="a")
    head, _, rest = page.partition("## Key figures")
    assert rest and "## Evaluation" in head and "## Indicators by dimension" in rest
    table = rest.split("##")[0]
    leavers = next(line for line in table.splitlines() if line.startswith("| Leavers"))
    cells = [cell.strip() for cell in leavers.strip("|").split("|")]
    assert cells == ["Leavers", "24", "people", "54", "-30"]
    exits = next(line for line in table.splitlines() if line.startswith("| Exits to work"))
    assert [cell.strip() for cell in exits.strip("|").split("|")][1:] == ["17", "people", "5", "+12"]
    assert "Exit rate" not in table and "Agree" not in table  # scored indicators keep their own tables
    french = vises.render(results, "markdown", lang="fr", view="profile", organisation="a")
    assert "## Chiffres clés" in french
    document = json.loads(vises.render(results, "json", view="profile", organisation="a"))
    assert document["key_figures"]["leavers"] == {"value": 24.0, "previous": 54.0, "change": -30.0}
    first = json.loads(vises.render(results, "json", view="profile", organisation="a", period="2023"))
    assert first["key_figures"]["exits_to_work"] == {"value": 5.0, "previous": None, "change": None}
    html = vises.render(results, "html", lang="en", view="profile", organisation="a")
    assert "Key figures" in html and "<td>Leavers</td>" in html
