"""vises-vsme: the VSME B8–B10 grid, its formulas against hand-computed values, the example data
through the real command line, and the collection template filled and read back."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises import get_registry, unit_conversion, validate_grid

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "data" / "vsme_social.csv"

#: What the grid scores; everything else is reported and shown (context) or computed for context.
SCORED = {
    "turnover_rate",
    "accident_rate",
    "minimum_wage_respected",
    "gender_pay_gap",
    "collective_bargaining_coverage",
    "training_hours_per_employee",
}
#: Reported inputs of one hand-worked case (two organisations), and what each formula must give.
HAND_HEADER = (
    "organisation,period,employees_female [person],employees_male [person],employees_other_gender [person],"
    "employees_permanent [person],employees_temporary [person],average_employees [person],leavers [person],"
    "hours_worked [hour],recordable_accidents,fatalities [person],minimum_wage_respected,"
    "hourly_pay_female [EUR / hour],hourly_pay_male [EUR / hour],employees_covered_by_agreements [person],"
    "training_hours_female [hour],training_hours_male [hour],training_hours_other_gender [hour]"
)
HAND_ROWS = (
    "a,2024,40,55,5,70,30,80,12,160000,4,0,yes,18,20,85,800,1100,100",
    # no other gender (empty counts as 0), women paid more, no hours worked recorded (0)
    "b,2024,10,10,,12,8,20,3,0,0,0,yes,21,20,20,200,100,",
)
HAND = {
    # 40 + 55 + 5
    "employees": (100.0, 20.0),
    # 70 + 30 − 100, 12 + 8 − 20: the breakdowns agree
    "headcount_check": (0.0, 0.0),
    # 70 / 100, 12 / 20
    "permanent_share": (70.0, 60.0),
    # 12 / 80, 3 / 20
    "turnover_rate": (15.0, 15.0),
    # 4 / 160,000 h × 200,000 h; b: 0 / 0 is no rate
    "accident_rate": (5.0, np.nan),
    # 4 / 160,000 h × 1,000,000 h
    "accident_rate_per_million_hours": (25.0, np.nan),
    # 85 / 100, 20 / 20
    "collective_bargaining_coverage": (85.0, 100.0),
    # (800 + 1100 + 100) / 100; b: (200 + 100 + 0) / 20
    "training_hours_per_employee": (20.0, 15.0),
    # 800 / 40, 200 / 10
    "training_hours_per_female_employee": (20.0, 20.0),
    # 1100 / 55, 100 / 10
    "training_hours_per_male_employee": (20.0, 10.0),
    # (20 − 18) / 20; b: (20 − 21) / 20
    "gender_pay_gap": (10.0, -5.0),
}


def _run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "vises", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


@pytest.fixture(scope="module")
def grid() -> vises.Grid:
    return vises.load_grid("vsme.social")


def test_grid_validates_and_is_labelled_in_three_languages(grid: vises.Grid) -> None:
    assert validate_grid(grid) == []
    assert grid.languages == ("fr", "nl", "en")
    for item in (*grid.nodes, *grid.indicators):
        assert all(item.label.get(lang) for lang in ("fr", "nl", "en")), item.code
    assert {ind.code for ind in grid.indicators if ind.scored} == SCORED
    assert grid.plugin == "vsme" and "vsme.social" in get_registry().grid_sources


def test_every_indicator_cites_its_vsme_disclosure(grid: vises.Grid) -> None:
    disclosure = {"workforce": "B8", "health_safety": "B9", "pay_bargaining_training": "B10"}
    for ind in grid.indicators:
        assert ind.external_ids["vsme"] == disclosure[str(ind.parent)], ind.code
        assert ind.source and ("VSME" in ind.source or "ESRS" in ind.source), ind.code
    derived = {ind.code for ind in grid.indicators if ind.derived}
    assert derived == set(HAND)


def test_a_wrong_vsme_id_is_refused_naming_the_indicator(grid: vises.Grid) -> None:
    import attrs

    wrong = tuple(
        attrs.evolve(ind, external_ids={"vsme": "B12"}) if ind.code == "turnover_rate" else ind
        for ind in grid.indicators
    )
    problems = validate_grid(attrs.evolve(grid, indicators=wrong))
    assert len(problems) == 1
    assert problems[0].indicator == "turnover_rate" and "B12" in str(problems[0])


def test_the_accident_rate_units_carry_the_multiplier() -> None:
    get_registry()
    # one accident per 200,000 hours is five per million hours
    assert unit_conversion("per_200k_hours", "per_million_hours") == pytest.approx((5.0, 0.0))
    assert unit_conversion("1 / hour", "per_200k_hours") == pytest.approx((200_000.0, 0.0))


def test_each_formula_gives_the_hand_computed_value(grid: vises.Grid, tmp_path: Path) -> None:
    path = tmp_path / "hand.csv"
    path.write_text("\n".join((HAND_HEADER, *HAND_ROWS)) + "\n", encoding="utf-8")
    with pytest.warns(vises.DataWarning, match="divide by zero"):
        results = vises.score(grid, vises.load_data(path, grid=grid))
    assert list(results.organisations) == ["a", "b"]
    for code, expected in HAND.items():
        np.testing.assert_allclose(results.raw(code), expected, rtol=1e-12, err_msg=code)
    # the division by zero is a reason, not a silent zero
    assert results.reasons("accident_rate")[1] is not None and results.reasons("accident_rate")[0] is None
    # scores follow the goalposts: turnover 15 % on 0–40 (lower is better), pay gap ±5/±10 % on a 20 % scale
    np.testing.assert_allclose(results.score("turnover_rate"), (62.5, 62.5))
    np.testing.assert_allclose(results.score("gender_pay_gap"), (50.0, 75.0))
    np.testing.assert_allclose(results.score("accident_rate")[0], 50.0)


@pytest.fixture(scope="module")
def example(grid: vises.Grid) -> vises.Results:
    if not EXAMPLE.is_file():
        pytest.skip("example data not present (plugin tested outside the vises repository)")
    return vises.score(grid, vises.load_data(EXAMPLE, grid=grid))


def test_example_rates_pool_over_the_network(example: vises.Results) -> None:
    pooled = example.pooled_rate("accident_rate")
    assert pooled.groups == ("2023", "2024")
    # 2023: (3 + 1 + 6 + 0) accidents / (110,000 + 140,000 + 95,000 + 29,000) h × 200,000
    np.testing.assert_allclose(pooled.value, (10 / 374_000 * 200_000, 7 / 404_000 * 200_000))
    # small organisations give no turnover rate (n/a below 50 employees): not applicable, not missing
    assert list(example.not_applicable("turnover_rate")) == [False] * 6 + [True] * 2
    turnover = example.pooled_rate("turnover_rate")
    np.testing.assert_allclose(
        turnover.value, ((14 + 9 + 22) / (70 + 82 + 58) * 100, (12 + 8 + 18) / (76 + 88 + 63) * 100)
    )


def test_example_scores_through_the_command_line() -> None:
    if not EXAMPLE.is_file():
        pytest.skip("example data not present (plugin tested outside the vises repository)")
    done = _run("score", EXAMPLE, "--grid", "vsme.social", "--format", "json", "--lang", "en")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    records = {(r["organisation"], r["period"]): r for r in report["records"]}
    assert len(records) == 8
    first = records[("atelier_nord", "2023")]["scores"]
    # turnover 14 / 70 = 20 % on goalposts 0–40, lower is better
    assert first["turnover_rate"] == pytest.approx(50.0)
    # 3 accidents / 110,000 h × 200,000 = 5.4545 on goalposts 0–10
    assert first["accident_rate"] == pytest.approx(100 * (1 - 3 / 110_000 * 200_000 / 10))
    # pay gap (15.00 − 14.20) / 15.00 = 5.33 % on a 20 % scale around 0
    assert first["gender_pay_gap"] == pytest.approx(100 * (1 - 0.8 / 15 * 100 / 20))
    # (600 + 900) h / 72 employees on goalposts 0–40
    assert first["training_hours_per_employee"] == pytest.approx(1500 / 72 / 40 * 100)
    assert all(r["scores"]["vsme_social"] is not None for r in records.values())
    assert records[("recycl_ouest", "2024")]["scores"].get("gender_pay_gap") is None  # not collected
    checked = _run("validate", EXAMPLE, "--grid", "vsme.social")
    assert checked.returncode == 0, checked.stderr
    # 6 scored × 8 rows; missing: the small organisation's two turnover rates (n/a) and one pay gap
    assert "6 of 6 scored indicators" in checked.stdout and "45 of 48 values given, 2 not applicable" in checked.stdout
    table = _run("score", EXAMPLE, "--grid", "vsme.social", "--format", "table", "--lang", "nl", "--width", "0")
    assert table.returncode == 0, table.stderr
    assert "Personeelsverloop" in table.stdout or "B8 Personeel" in table.stdout


def _inputs(row: dict[str, str]) -> dict[str, str]:
    return {key.split(" [")[0]: value for key, value in row.items()}


def test_csv_template_round_trips(tmp_path: Path, example: vises.Results) -> None:
    out = tmp_path / "collecte.csv"
    done = _run(
        "template", "--grid", "vsme.social", "-o", out, "--organisation", "atelier_nord", "--organisation", "coop_sud",
        "--period", "2023", "--period", "2024",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        line, *rows = list(csv.reader(handle))
    assert line[0].startswith("# vises template: grid=vsme.social version=")
    header = rows[0]
    codes = [cell.split(" [")[0] for cell in header[2:]]
    grid = example.grid
    # one column per reported input; what the grid computes is not asked for
    assert codes == [ind.code for ind in grid.indicators if not ind.derived]
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        given = {(r["organisation"], r["period"]): _inputs(r) for r in csv.DictReader(handle)}
    filled = [line, header] + [[org, per, *(given[(org, per)][code] for code in codes)] for org, per, *_ in rows[1:]]
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(filled)
    back = vises.score(grid, vises.load_data(out, grid=grid))
    keep = np.isin(example.organisations, ["atelier_nord", "coop_sud"])
    for code in HAND:
        np.testing.assert_allclose(back.raw(code), example.raw(code)[keep], err_msg=code)
    # fixed goalposts: the same scores as the whole network's, whoever else is in the file
    np.testing.assert_allclose(back.score("vsme_social"), example.score("vsme_social")[keep])


def test_xlsx_template_round_trips(tmp_path: Path, example: vises.Results) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "collecte.xlsx"
    done = _run("template", "--grid", "vsme.social", "-o", out, "--organisation", "ferme_est", "--period", "2024")
    assert done.returncode == 0, done.stderr
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        given = next(
            _inputs(r) for r in csv.DictReader(handle) if r["organisation"] == "ferme_est" and r["period"] == "2024"
        )
    book = openpyxl.load_workbook(out)
    grid = example.grid
    written = set()
    for sheet in book.worksheets:
        for row in range(1, sheet.max_row + 1):
            code = sheet.cell(row=row, column=1).value
            if (
                code in given
                and code not in ("organisation", "period", "name")
                and grid.index.indicator_by_code.get(code)
            ):
                value = given[code]
                sheet.cell(row=row, column=6).value = (
                    float(value) if value.replace(".", "").isdigit() else value or None
                )
                written.add(code)
    assert written == {ind.code for ind in grid.indicators if not ind.derived}
    assert not {ind.code for ind in grid.indicators if ind.derived} & {
        sheet.cell(row=r, column=1).value for sheet in book.worksheets for r in range(1, sheet.max_row + 1)
    }
    book.save(out)
    back = vises.score(grid, vises.load_data(out, grid=grid))
    row = int(np.flatnonzero((example.organisations == "ferme_est") & (example.periods == "2024"))[0])
    for code in HAND:
        np.testing.assert_allclose(back.raw(code)[0], example.raw(code)[row], err_msg=code)


def test_a_variant_states_the_accident_rate_per_million_hours(tmp_path: Path, example: vises.Results) -> None:
    variant = tmp_path / "esrs_base.toml"
    variant.write_text(
        """extends = "vsme.social"
code = "social_esrs"

[[indicators]]
code = "accident_rate"
parent = "health_safety"
kind = "rate"
numerator = "recordable_accidents"
denominator = "hours_worked"
unit = "per_million_hours"
direction = "lower"
normaliser = { method = "goalposts", lower = 0, upper = 50 }
label = { fr = "Taux d'accidents", nl = "Ongevallenfrequentie", en = "Accident rate" }
external_ids = { vsme = "B9" }
""",
        encoding="utf-8",
    )
    grid = vises.load_grid(variant)
    assert validate_grid(grid) == []
    results = vises.score(grid, vises.load_data(EXAMPLE, grid=grid))
    np.testing.assert_allclose(results.raw("accident_rate"), example.raw("accident_rate") * 5)
    # the same rate on a five times larger base and five times wider goalposts: the same scores
    np.testing.assert_allclose(results.score("accident_rate"), example.score("accident_rate"))


def test_the_cids_export_carries_computed_values_and_vsme_codes(example: vises.Results) -> None:
    graph = json.loads(vises.render(example, "cids"))["@graph"]
    by_id = {node["@id"]: node for node in graph}
    codes = {node["hasIdentifier"]: node for node in graph if node.get("@type") == "cids:Code"}
    assert {"B8", "B9", "B10"} <= set(codes) and all(
        codes[b]["definedBy"] == "https://www.efrag.org/" for b in ("B8", "B9")
    )
    reports = [node for node in graph if node.get("@type") == "cids:IndicatorReport"]
    turnover = next(r for r in reports if r["@id"].endswith("atelier_nord/indicator/turnover_rate/report/2023"))
    assert float(turnover["value"]["hasNumericalValue"]) == pytest.approx(20.0)  # 14 leavers / 70 on average
    assert turnover["forIndicator"] in by_id


def test_the_grid_says_what_it_holds(grid: vises.Grid) -> None:
    assert "28 indicators (22 context, 11 derived)" in repr(grid)


def test_the_disclosure_table_lists_every_datapoint(example: vises.Results) -> None:
    text = vises.render(example, "vsme.disclosure", lang="en")
    assert isinstance(text, str)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(example) * len(example.grid.indicators)  # every indicator, reported or computed
    found = {(r["organisation"], r["period"], r["indicator"]): r for r in rows}
    turnover = found[("atelier_nord", "2023", "turnover_rate")]
    assert (turnover["disclosure"], turnover["value"], turnover["unit"]) == (
        "B8",
        "20.00",
        "%",
    )  # two decimals: the column has fractions
    assert turnover["obtained"] == "computed: leavers / average_employees"
    rate = found[("atelier_nord", "2023", "accident_rate")]
    assert rate["value"] == "5.45" and rate["unit"] == "per 200,000 hours worked"
    assert found[("atelier_nord", "2023", "hours_worked")]["value"] == "110000"  # no thousands separator
    assert found[("ferme_est", "2023", "minimum_wage_respected")]["value"] == "no"
    assert found[("recycl_ouest", "2024", "turnover_rate")]["note"] == "n/a"
    gap = found[("recycl_ouest", "2024", "gender_pay_gap")]
    assert gap["value"] == "" and "hourly_pay_female" in gap["note"]
    assert found[("atelier_nord", "2023", "employees_other_gender")]["note"] == "not given"


def test_the_disclosure_table_for_one_organisation_in_french(example: vises.Results) -> None:
    text = vises.render(example, "vsme.disclosure", lang="fr", organisation="coop_sud", period="2024")
    rows = list(csv.DictReader(io.StringIO(str(text))))
    assert {(r["organisation"], r["period"]) for r in rows} == {("coop_sud", "2024")}
    assert rows[0]["label"] == "Salariées (femmes), effectif" and rows[0]["unit"] == "personnes"
    with pytest.raises(vises.ConfigError, match="takes no options"):
        vises.render(example, "vsme.disclosure", options={"delimiter": ";"})


counts = st.integers(min_value=1, max_value=5000)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(counts, counts, counts, counts, counts, counts, st.floats(8, 60), st.floats(8, 60)),
        min_size=1,
        max_size=6,
    )
)
def test_the_formulas_agree_with_numpy_on_any_counts(grid: vises.Grid, rows: list[tuple[float, ...]]) -> None:
    """Each derived value equals its definition computed independently, whatever the counts."""
    women, men, leavers, hours, accidents, training, pay_f, pay_m = (
        np.array(c, dtype=float) for c in zip(*rows, strict=True)
    )
    n = len(rows)
    data = {
        "organisation": [f"o{i}" for i in range(n)],
        "period": ["2024"] * n,
        "employees_female": women,
        "employees_male": men,
        "employees_permanent": women,
        "employees_temporary": men,
        "average_employees": women + men,
        "leavers": leavers,
        "hours_worked": hours * 100,
        "recordable_accidents": accidents % 7,
        "employees_covered_by_agreements": np.minimum(women, men),
        "training_hours_female": training,
        "training_hours_male": training / 2,
        "hourly_pay_female": pay_f,
        "hourly_pay_male": pay_m,
        "employees_other_gender": np.full(n, np.nan),
        "training_hours_other_gender": np.full(n, np.nan),
        "fatalities": np.zeros(n),
        "minimum_wage_respected": ["yes"] * n,
    }
    results = vises.score(grid, vises.load_data(data, grid=grid))
    employees = women + men
    expected = {
        "employees": employees,
        "turnover_rate": leavers / employees * 100,
        "accident_rate": (accidents % 7) / (hours * 100) * 200_000,
        "accident_rate_per_million_hours": (accidents % 7) / (hours * 100) * 1_000_000,
        "collective_bargaining_coverage": np.minimum(women, men) / employees * 100,
        "training_hours_per_employee": (training * 1.5) / employees,
        "training_hours_per_female_employee": training / women,
        "gender_pay_gap": (pay_m - pay_f) / pay_m * 100,
        "permanent_share": women / employees * 100,
        "headcount_check": np.zeros(n),
    }
    for code, values in expected.items():
        np.testing.assert_allclose(results.raw(code), values, rtol=1e-9, err_msg=code)


def test_breakdowns_that_do_not_add_up_are_refused_naming_the_row(grid: vises.Grid, tmp_path: Path) -> None:
    path = tmp_path / "inconsistent.csv"
    # b: 12 permanent + 9 temporary employees, but 20 by gender; and 25 covered by agreements of 20
    wrong = HAND_ROWS[1].replace(",12,8,", ",12,9,").replace(",yes,21,20,20,", ",yes,21,20,25,")
    path.write_text("\n".join((HAND_HEADER, HAND_ROWS[0], wrong)) + "\n", encoding="utf-8")
    with pytest.warns(vises.DataWarning, match="divide by zero"):  # b has no hours worked, as in HAND_ROWS
        problems = vises.validate_data(grid, path)
    assert {(p.indicator, p.row) for p in problems} == {("headcount_check", 3), ("collective_bargaining_coverage", 3)}
    assert all("above the maximum" in str(p) for p in problems)
