"""A small yearly round, start to finish, on the synthetic CISP network (SYNTHETIC data).

Last year (2018): the federation scored the centres' 2017–2018 rows and kept the round file.
This year (2019): centre cisp_01 sends a filled template in Dutch, the others their rows in one
CSV file; the round is scored on last year's scale, so last year's published scores do not move.

    python examples/round_demo.py out/round-demo

Everything goes under the folder given (default ``out/round-demo``); the pseudonym secret is a demo
one (a federation keeps its own, long and random, for every round).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import vises

HERE = Path(__file__).resolve().parent
NETWORK = HERE / "data" / "wallonie_cisp.csv"
FRAMING = HERE / "data" / "wallonie_cisp.evaluations.toml"
GRID = "wallonie.cisp"
SECRET = "demo-secret-not-for-real-use"


def rows_of(periods: tuple[str, ...], *, leave_out: str | None = None) -> str:
    """The example network's lines for ``periods`` (its header kept), without one centre's."""
    lines = NETWORK.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines[1:] if line.split(",")[1] in periods and line.split(",")[0] != leave_out]
    return "\n".join([lines[0], *kept]) + "\n"


def dutch_template(path: Path) -> None:
    """cisp_01's template for 2019, written in Dutch by ``vises template`` and filled as a centre would."""
    import openpyxl

    command = [sys.executable, "-m", "vises", "template", "--grid", GRID, "--lang", "nl", "-o", str(path)]
    subprocess.run([*command, "--organisation", "cisp_01", "--period", "2019"], check=True)
    values = {"individual_plan": "4", "work_placement": "ja", "trainees": 88, "training_hours": 64000}
    values.update(exit_employment=33.0, dropout=15.0, social_participation="4", own_income_share=9.0)
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=5):
            if row[0].value in values:
                sheet.cell(row=row[0].row, column=6, value=values[row[0].value])
    book.save(path)


def main(base: Path) -> None:
    base.mkdir(parents=True, exist_ok=True)
    last = base / "last-year"
    last.mkdir(exist_ok=True)
    (last / "cisp-2017-2018.csv").write_text(rows_of(("2017", "2018")), encoding="utf-8")
    (last / "cisp-2017-2018.evaluations.toml").write_text(FRAMING.read_text(encoding="utf-8"), encoding="utf-8")
    before = vises.run_round(last, grid=GRID, output=base / "round-2018", secret=SECRET, force=True)
    print(f"last year: {before.organisations} centres scored; kept {before.round_file.relative_to(base)}")

    this = base / "submissions-2019"
    this.mkdir(exist_ok=True)
    (this / "cisp-2019.csv").write_text(rows_of(("2017", "2018", "2019"), leave_out="cisp_01"), encoding="utf-8")
    (this / "cisp-2019.evaluations.toml").write_text(FRAMING.read_text(encoding="utf-8"), encoding="utf-8")
    history = this / "cisp_01-2017-2018.csv"
    history.write_text(
        "\n".join(
            line for line in rows_of(("2017", "2018")).splitlines() if line.startswith(("organisation", "cisp_01"))
        )
        + "\n",
        encoding="utf-8",
    )
    dutch_template(this / "cisp_01-2019.xlsx")
    report = vises.run_round(
        this, grid=GRID, output=base / "round-2019", reference=before.round_file, secret=SECRET, lang="fr", force=True
    )
    print(f"this year: {report.organisations} centres, periods {', '.join(report.results.period_values)}")
    print(f"  network view (public): {(report.output / 'network.html').relative_to(base)}")
    print(f"  profiles: {len(list((report.output / 'profiles').iterdir()))} in {report.output.name}/profiles/")
    print(f"  staff workbook (private): {report.output.name}/private/staff.xlsx")
    saved = vises.load_round(before.round_file)
    root = saved.codes[-1]
    row = report.results.row("cisp_02", "2018")
    published = saved.score(root)[[i for i, o in enumerate(saved.organisations) if o == "cisp_02"][-1]]
    print(f"  cisp_02 in 2018: published {published:.1f}, this round {report.results.score(root)[row]:.1f}")
    for note in report.warnings:
        print(f"  note: {note}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out") / "round-demo")
