"""From the centres' raw records to the profile of one centre, with each value's evidence.

ALL OF IT IS SYNTHETIC. The script writes, seeded, what a CISP keeps: a trainee register (one row
per training path: person, entry and exit dates, exit status, hours followed) and a KoboToolbox
survey export (one row per respondent, the questions in a group), for the centres of the example
network (examples/data/wallonie_cisp.csv). Then ``vises.collect`` turns them into one row per
centre and year with the grid ``cisp_records.toml`` (wallonie.cisp, its outcomes derived from
the records), joins them to what the centres reported themselves, scores, and prints the profile
of one centre: exit rates as "exits / leavers (%)", with n, source and interval.

    python examples/records/run.py [--centre cisp_04] [--out DIR] [--lang fr] [--seed 12]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import tempfile
from pathlib import Path

import attrs

import vises

HERE = Path(__file__).resolve().parent
GRID = HERE / "cisp_records.toml"
REPORTED = HERE.parent / "data" / "wallonie_cisp.csv"
YEARS = (2017, 2018, 2019)
#: Entrants per year by the centre's size (the register of a large centre is longer).
ENTRANTS = {"small": 22, "medium": 38, "large": 64}
STATUSES = ("employment", "self-employment", "training", "dropout", "other")


def _centres() -> list[tuple[str, str]]:
    with REPORTED.open(encoding="utf-8", newline="") as handle:
        seen = {row["organisation"]: row["size"] for row in csv.DictReader(handle)}
    return sorted(seen.items())


def _date(day: dt.date) -> str:
    return day.isoformat()


def write_records(out: Path, seed: int) -> tuple[Path, Path]:
    """The register and the survey export of every centre (seeded: the same files every run)."""
    rng = random.Random(seed)
    register, survey = out / "register.csv", out / "survey.csv"
    end_of_data = dt.date(2019, 12, 31)
    paths, answers = [], []
    for centre, size in _centres():
        quality = rng.gauss(0, 1)  # a centre's practice, unrelated to its size
        work = min(max(0.28 + 0.08 * quality, 0.05), 0.7)
        drop = min(max(0.2 - 0.05 * quality, 0.03), 0.5)
        for year in YEARS:
            for _ in range(max(3, round(rng.gauss(ENTRANTS[size], ENTRANTS[size] / 5)))):
                person = f"{centre}-p{len(paths):05d}"
                entry = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
                months = rng.uniform(3, 14)
                leaving = entry + dt.timedelta(days=round(months * 30.4))
                status = rng.choices(STATUSES, weights=(work * 0.85, work * 0.15, 0.15, drop, 1 - work - drop - 0.15))[
                    0
                ]
                left = leaving <= end_of_data
                paths.append(
                    {
                        "path_id": f"{centre}-{len(paths):05d}",
                        "centre": centre,
                        "person": person,
                        "entry": _date(entry),
                        "exit": _date(leaving) if left else "",
                        "exit_status": status if left else "",
                        "hours": round(months * rng.uniform(70, 110)),
                    }
                )
                if left and rng.random() < 0.45:  # about half of the leavers answer the exit survey
                    score = min(5, max(1, round(3.4 + 0.5 * quality + rng.gauss(0, 1))))
                    answers.append(
                        {
                            "_submission_time": f"{_date(min(leaving + dt.timedelta(days=7), end_of_data))}T10:00:00",
                            "_uuid": f"uuid-{len(answers):06d}",
                            "identification/centre": centre,
                            "feedback/satisfaction": str(score),
                            "feedback/comment": rng.choice(["", "", "Merci à l'équipe (synthetic)"]),
                        }
                    )
    for path, rows in ((register, paths), (survey, answers)):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return register, survey


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centre", default="cisp_04")
    parser.add_argument("--out", type=Path, default=None, help="where to write the records (default: a temp folder)")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="vises-records-"))
    out.mkdir(parents=True, exist_ok=True)
    register, survey = write_records(out, args.seed)
    print(f"SYNTHETIC records written to {out}: {register.name}, {survey.name}")

    grid = vises.load_grid(GRID)
    # The centres' own figures, without the ones the records now give (a value is never overwritten).
    reported = vises.load_data(REPORTED, grid=grid)
    computed = {measure.code for measure in grid.collection.measures} if grid.collection else set()
    reported = attrs.evolve(reported, columns={k: v for k, v in reported.columns.items() if k not in computed})
    data = vises.collect(grid, {"register": register, "survey": survey}, into=reported)
    print(f"collected and joined: {data!r}")
    results = vises.score(grid, data)
    print()
    print(vises.render(results, "table", view="profile", organisation=args.centre, period="2019", lang=args.lang))


if __name__ == "__main__":
    main()
