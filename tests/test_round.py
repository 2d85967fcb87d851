"""The yearly round end to end: three filled templates, the example network, last year's round file.

A Dutch xlsx template, a CSV template whose centre gave its training hours in minutes, and a
resubmission duplicating the Dutch one sit in a folder with the example network; last year's
round (the example network scored alone) gives the scale. The round refuses the duplicate naming
both files and writes nothing; once it is removed, the round folder holds every profile, the
public network view, the staff workbook and the round file, and last year's rows keep last year's
published scores exactly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

import vises
from vises.cli import main

openpyxl = pytest.importorskip("openpyxl")
pytestmark = pytest.mark.federation("wallonie")  # the round of the example CISP network

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "examples" / "data" / "wallonie_cisp.csv"
FRAMING = ROOT / "examples" / "data" / "wallonie_cisp.evaluations.toml"
GRID = "wallonie.cisp"
SECRET = "a-federation-secret-kept-for-every-round"

#: cisp_01's 2020 values, as a centre types them (level values, Dutch yes/no).
DUTCH = {
    "individual_plan": "4",
    "trainee_feedback": "3",
    "work_placement": "ja",
    "social_worker_fte": 2.5,
    "partner_network": "4",
    "budget_monitoring": "3",
    "own_income_share": 11.0,
    "reports_on_time": "ja",
    "staff_training": 17.5,
    "staff_turnover": 12.0,
    "team_meetings": "3",
    "communication_actions": 10,
    "public_activity_report": "ja",
    "information_sessions": 6,
    "orientation_partners": "3",
    "trainees": 90,
    "training_hours": 61000,
    "exit_employment": 31.0,
    "exit_training": 18.0,
    "dropout": 17.0,
    "social_participation": "4",
    "trainee_voices": "Een cursist vond werk in de bouw.",
}


def rows_by_code(sheet) -> dict[str, int]:
    return {str(row[0].value): row[0].row for row in sheet.iter_rows(min_row=5) if row[0].value}


def dutch_template(path: Path, values: dict[str, object]) -> Path:
    from vises.templates.write import write_template

    write_template(vises.load_grid(GRID), path, lang="nl", organisations=["cisp_01"], periods=["2020"])
    book = openpyxl.load_workbook(path)
    for name in book.sheetnames:
        if name.startswith(("_", "Instructies", "Identificatie")):
            continue
        sheet = book[name]
        for code, row in rows_by_code(sheet).items():
            if code in values:
                sheet.cell(row=row, column=6, value=values[code])
    ident = book["Identificatie"]
    ident["H3"] = "Vinden onze cursisten duurzaam werk?"
    ident["J3"] = "indicatoren; focusgroep"
    book.save(path)
    return path


def minutes_template(path: Path) -> Path:
    """The CSV template of cisp_02 for 2020, its training hours given in minutes."""
    from vises.templates.write import write_template

    write_template(vises.load_grid(GRID), path, format="csv", organisations=["cisp_02"], periods=["2020"])
    line, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert line == [f"# vises template: grid={GRID} version=2025.1"], "the template names its grid and version"
    header = [("training_hours [min]" if cell.startswith("training_hours") else cell) for cell in rows[0]]
    given = {**{k: v for k, v in DUTCH.items() if k != "trainee_voices"}, "work_placement": "oui"}
    given.update(training_hours=3_600_000, reports_on_time="non", trainees=70)
    values = ["cisp_02", "2020"] + [str(given.get(cell.split(" [")[0], "")) for cell in rows[0][2:]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([line, header, values])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def last_year(tmp_path_factory: pytest.TempPathFactory) -> vises.RoundReport:
    """Last year's round: the example network (2017–2019) scored on its own."""
    base = tmp_path_factory.mktemp("last")
    return vises.run_round([NETWORK], grid=GRID, output=base / "round-2019", secret=SECRET, name="2019")


@pytest.fixture()
def submissions(tmp_path: Path) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(NETWORK, folder / NETWORK.name)
    shutil.copy(FRAMING, folder / FRAMING.name)
    dutch_template(folder / "cisp_01_2020.xlsx", DUTCH)
    minutes_template(folder / "cisp_02_2020.csv")
    dutch_template(folder / "cisp_01_2020_resubmitted.xlsx", {**DUTCH, "trainees": 95})
    return folder


def test_round_refuses_the_duplicate_naming_both_files_then_writes_the_whole_folder(
    submissions: Path, last_year: vises.RoundReport, tmp_path: Path
) -> None:
    output = tmp_path / "round-2020"
    with pytest.raises(vises.DataValidationError) as refused:
        vises.run_round(submissions, grid=GRID, output=output, reference=last_year.round_file, secret=SECRET)
    duplicate = [str(p) for p in refused.value.problems if "'cisp_01', period '2020'" in str(p)]
    assert len(duplicate) == 1, refused.value.problems
    assert "cisp_01_2020.xlsx" in duplicate[0] and "cisp_01_2020_resubmitted.xlsx" in duplicate[0]
    assert not output.exists() and not list(tmp_path.glob(".round-2020*")), "nothing is written when checks fail"

    (submissions / "cisp_01_2020_resubmitted.xlsx").unlink()
    report = vises.run_round(
        submissions, grid=GRID, output=output, reference=last_year.round_file, secret=SECRET, lang="fr"
    )
    results = report.results
    organisations = sorted(set(results.organisations.tolist()))
    assert len(organisations) == 30 and set(results.period_values) == {"2017", "2018", "2019", "2020"}
    assert sorted(p.name for p in (output / "profiles").iterdir()) == [f"{code}.html" for code in organisations]
    for name in ("network.html", "private/staff.xlsx", "private/round-2020.json", "private/data.csv"):
        assert (output / name).is_file(), name
    if os.name == "posix":
        assert stat.S_IMODE((output / "private").stat().st_mode) == 0o700  # the owner's only
    assert report.round_file == output / "private" / "round-2020.json"

    # The minutes were converted once for the column: 3,600,000 minutes are 60,000 trainee hours.
    row = results.row("cisp_02", "2020")
    assert results.raw("training_hours")[row] == pytest.approx(60_000.0)
    # The Dutch template read back: 'ja' is yes, the framing of the block became an evaluation.
    assert results.raw_text("work_placement")[results.row("cisp_01", "2020")] == "yes"
    assert results.evaluation("cisp_01", "2020").methods == ("indicators", "focus group")

    # Last year's published scores stay exactly where they were.
    saved = vises.load_round(last_year.round_file)
    mine = {(o, p): i for i, (o, p) in enumerate(zip(results.organisations, results.periods, strict=True))}
    rows = np.array([mine[(str(o), str(p))] for o, p in zip(saved.organisations, saved.periods, strict=True)])
    for code in saved.codes:
        assert np.array_equal(results.score(code)[rows], saved.score(code), equal_nan=True), code
    again = vises.score(GRID, saved.dataset(), reference=saved)
    assert np.array_equal(again.scores, saved.scores, equal_nan=True)

    # The network view names no centre and no code; each profile names its own centre.
    network = (output / "network.html").read_text(encoding="utf-8")
    for code in organisations:
        assert code not in network
        assert report.pseudonyms[code] in network
    assert "Centre A (synthetic)" not in network
    assert "Centre A (synthetic)" in (output / "profiles" / "cisp_01.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(output / "private" / "staff.xlsx", read_only=True)
    names = [row[1] for row in book["organisations"].iter_rows(min_row=3, values_only=True)]
    assert "Centre A (synthetic)" in names


def test_the_command_line_round_and_score_against_the_round_file(
    submissions: Path, last_year: vises.RoundReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("VISES_PSEUDONYM_SECRET", SECRET)
    output = tmp_path / "out"
    with pytest.raises(SystemExit) as refused:
        main(["round", str(submissions), "-g", GRID, "-o", str(output), "--reference", str(last_year.round_file)])
    assert refused.value.code == 1
    err = capsys.readouterr().err
    assert "cisp_01_2020_resubmitted.xlsx" in err and "cisp_01_2020.xlsx" in err
    assert not output.exists()
    (submissions / "cisp_01_2020_resubmitted.xlsx").unlink()
    with pytest.raises(SystemExit) as done:
        main(["round", str(submissions), "-g", GRID, "-o", str(output), "--reference", str(last_year.round_file)])
    assert done.value.code in (0, None)
    assert "round-2020.json" in capsys.readouterr().out

    # Last year's rows scored alone against last year's round file: last year's published scores.
    saved = vises.load_round(last_year.round_file)
    scored = tmp_path / "again.csv"
    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(NETWORK), "-g", GRID, "--reference", str(last_year.round_file), "-o", str(scored)])
    assert exit_info.value.code in (0, None)
    table = list(csv.DictReader(io.StringIO(scored.read_text(encoding="utf-8"))))
    root = saved.codes[-1]
    published = dict(zip(zip(saved.organisations, saved.periods, strict=True), saved.score(root), strict=True))
    for line in table:
        expected = published[(line["organisation"], line["period"])]
        assert (float(line[root]) if line[root] else float("nan")) == pytest.approx(expected, abs=0, nan_ok=True)

    # A late centre scored alone on the round's scale gets the score it has in the network, not one
    # fitted on itself (every min-max indicator at 0 or 100).
    lines = NETWORK.read_text(encoding="utf-8").splitlines()
    late = tmp_path / "late.csv"
    late.write_text("\n".join([lines[0], *(x for x in lines[1:] if x.startswith("cisp_05,"))]) + "\n", "utf-8")
    alone = tmp_path / "alone.csv"
    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(late), "-g", GRID, "--reference", str(last_year.round_file), "-o", str(alone)])
    assert exit_info.value.code in (0, None)
    scored_alone = list(csv.DictReader(io.StringIO(alone.read_text(encoding="utf-8"))))
    assert len(scored_alone) == 3
    for line in scored_alone:
        assert float(line[root]) == pytest.approx(published[("cisp_05", line["period"])], abs=0)
    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(late), "-g", GRID, "-o", str(alone), "--force"])
    fitted_on_itself = list(csv.DictReader(io.StringIO(alone.read_text(encoding="utf-8"))))
    assert any(float(x[root]) != pytest.approx(published[("cisp_05", x["period"])]) for x in fitted_on_itself)

    # A second run without --force refuses to replace the round folder; with it, replaces it.
    with pytest.raises(SystemExit) as again:
        main(["round", str(submissions), "-g", GRID, "-o", str(output)])
    assert again.value.code == 2 and "--force" in capsys.readouterr().err
    with pytest.raises(SystemExit) as forced:
        main(["round", str(submissions), "-g", GRID, "-o", str(output), "--force"])
    assert forced.value.code in (0, None)


def test_the_round_file_holds_what_the_issue_lists(last_year: vises.RoundReport) -> None:
    document = json.loads(last_year.round_file.read_text(encoding="utf-8"))
    assert document["format"] == "vises-round/1"
    assert document["grid"] == {"code": GRID, "version": vises.load_grid(GRID).version}
    assert document["vises_version"] == vises.__version__
    assert {"fitted", "fitted_imputation", "fitted_treatment", "data", "results", "provenance"} <= set(document)
    assert "name" not in document["data"]["attributes"], "names stay in the staff's files"


def test_a_round_without_pseudonyms_or_with_inputs_inside_the_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(vises.ConfigError, match="secret or pseudonym file"):
        vises.run_round([NETWORK], grid=GRID, output=tmp_path / "r")
    folder = tmp_path / "subs"
    folder.mkdir()
    shutil.copy(NETWORK, folder / NETWORK.name)
    with pytest.raises(vises.ConfigError, match="holds inputs"):
        vises.run_round([folder], grid=GRID, output=tmp_path, secret=SECRET)
    assert not (tmp_path / "r").exists()


def test_a_pseudonym_file_the_federation_keeps(tmp_path: Path) -> None:
    codes = sorted(set(vises.load_data(NETWORK, grid=vises.load_grid(GRID)).organisations.tolist()))
    mapping = tmp_path / "pseudonyms.csv"
    mapping.write_text("organisation,pseudonym\n" + "".join(f"{c},Centre {i:02d}\n" for i, c in enumerate(codes)))
    report = vises.run_round([NETWORK], grid=GRID, output=tmp_path / "r", pseudonym_file=mapping)
    assert report.pseudonyms["cisp_01"] == "Centre 00"
    assert "Centre 00" in (tmp_path / "r" / "network.html").read_text(encoding="utf-8")
    mapping.write_text("organisation,pseudonym\ncisp_01,Centre 00\n")
    with pytest.raises(vises.ConfigError, match="no pseudonym for 29"):
        vises.run_round([NETWORK], grid=GRID, output=tmp_path / "r2", pseudonym_file=mapping)


def test_keyed_pseudonyms_are_stable_and_need_the_secret() -> None:
    first = vises.make_pseudonyms(["cisp_01", "cisp_02"], secret=SECRET)
    assert first == vises.make_pseudonyms(["cisp_02", "cisp_01"], secret=SECRET)
    assert first != vises.make_pseudonyms(["cisp_01", "cisp_02"], secret=SECRET + "!")
    assert all(value.startswith("P-") and len(value) == 11 for value in first.values())
    with pytest.raises(vises.ConfigError, match="at least 16"):
        vises.make_pseudonyms(["a"], secret="short")


def test_every_core_format_of_the_network_view_and_the_profiles_without_ranks(tmp_path: Path) -> None:
    formats = ("html", "csv", "json", "xlsx", "parquet", "markdown", "table")
    report = vises.run_round(
        [NETWORK],
        grid=GRID,
        output=tmp_path / "r",
        secret=SECRET,
        network_formats=formats,
        profile_formats=("csv", "markdown"),
        ranks=False,
    )
    suffixes = {".html", ".csv", ".json", ".xlsx", ".parquet", ".md", ".txt"}
    assert {p.suffix for p in report.files if p.name.startswith("network")} == suffixes
    assert (tmp_path / "r" / "profiles" / "cisp_01.csv").is_file()
    for name in ("network.md", "network.txt", "network.html", "profiles/cisp_01.md"):
        text = (tmp_path / "r" / name).read_text(encoding="utf-8")
        assert " / 30" not in text and " / 27" not in text, f"{name} shows ranks"
    with_ranks = vises.run_round(
        [NETWORK], grid=GRID, output=tmp_path / "r2", secret=SECRET, network_formats=["markdown"]
    )
    assert " / 30" in (with_ranks.output / "network.md").read_text(encoding="utf-8")


def test_the_round_writes_only_formats_that_apply_its_disclosure_control(tmp_path: Path) -> None:
    from vises.report.views import FORMAT_OPTIONS
    from vises.round.run import PUBLIC_FORMATS

    assert set(PUBLIC_FORMATS) == {name for name, options in FORMAT_OPTIONS.items() if "public" in options}
    for format in ("wallonie.caips", "cids"):
        with pytest.raises(vises.ReportError, match="disclosure control"):
            vises.run_round([NETWORK], grid=GRID, output=tmp_path / "r", secret=SECRET, network_formats=[format])
    with pytest.raises(vises.ReportError, match="disclosure control"):
        vises.run_round([NETWORK], grid=GRID, output=tmp_path / "r", secret=SECRET, profile_formats=["cids"])
    assert not (tmp_path / "r").exists()
