"""Generate the synthetic example datasets in examples/data/ (fixed seed, byte-for-byte stable).

For every regional plugin grid it writes ``<plugin>_<grid>.csv`` (about 30 organisations × the
years 2017–2019) and ``<plugin>_<grid>.evaluations.toml`` (profiles and a few VISES evaluation
framings). ALL OF IT IS SYNTHETIC: organisations are called "Centre A (synthetic)" and so on, and
the numbers only look plausible. The data has what real files have: gaps, "n/a" where an
indicator does not apply, a column given in another (compatible) unit, comments next to values,
narrative text, and progress over the years with noise. Volumes (trainees, hours, staff) grow with
a centre's size; the counts behind a rate (exits among leavers) are drawn as a share of their base
that depends on the centre's quality, never on its size, so outcomes scores do not follow size.
Derived indicators (formulas, rates) have no column: the grid computes them.

``examples/records.py`` writes the trainee register and the survey export of the same network.

    python examples/generate.py            # rewrite examples/data/
    python examples/generate.py --out DIR  # write elsewhere (the tests compare both)
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from collections.abc import Sequence
from pathlib import Path

import attrs
import tomli_w

import vises
from vises import Direction, Grid, Indicator, Kind

HERE = Path(__file__).parent
PERIODS = ("2017", "2018", "2019")
SEED = 20240611
MISSING_SHARE = 0.04


@attrs.frozen(kw_only=True)
class Spec:
    """How one quantity is drawn: centre, spread between organisations, yearly trend, decimals."""

    centre: float
    spread: float
    trend: float = 0.0
    decimals: int = 1
    #: Grows with the organisation's size (counts, hours, FTE), unlike rates.
    extensive: bool = False


SPECS: dict[str, Spec] = {
    # base grid
    "disadvantaged_workers_share": Spec(centre=55, spread=15, trend=1.5),
    "training_hours_per_employee": Spec(centre=18, spread=6, trend=1.0),
    "accident_rate": Spec(centre=4.0, spread=1.5, trend=-0.3, decimals=2),
    "employees_fte": Spec(centre=25, spread=10, trend=1.0, extensive=True),
    "own_income_share": Spec(centre=45, spread=15, trend=1.0),
    "staff_turnover": Spec(centre=18, spread=6, trend=-0.8),
    "ghg_per_fte": Spec(centre=3.5, spread=1.0, trend=-0.15, decimals=2),
    "pay_ratio": Spec(centre=2.4, spread=0.5, trend=-0.05, decimals=2),
    # wallonie.cisp / wallonie.sis
    "social_worker_fte": Spec(centre=2.0, spread=0.5, trend=0.1, extensive=True),
    "staff_fte": Spec(centre=9.0, spread=2.5, trend=0.3, extensive=True),
    "staff_training": Spec(centre=20, spread=7, trend=1.5),
    "communication_actions": Spec(centre=12, spread=4, trend=1.0, decimals=0, extensive=True),
    "information_sessions": Spec(centre=10, spread=3, trend=0.5, decimals=0, extensive=True),
    "trainees": Spec(centre=60, spread=12, trend=3, decimals=0, extensive=True),
    "training_hours": Spec(centre=30000, spread=7000, trend=1500, decimals=0, extensive=True),
    "participants": Spec(centre=80, spread=18, trend=3, decimals=0, extensive=True),
    "activity_hours": Spec(centre=12000, spread=3000, trend=600, decimals=0, extensive=True),
    "admin_autonomy": Spec(centre=45, spread=12, trend=2.0),
    "onward_training": Spec(centre=10, spread=4, trend=0.6),
    "referring_partners": Spec(centre=8, spread=2.5, trend=0.3, decimals=0, extensive=True),
    # wallonie.economie_sociale
    "mission_budget_share": Spec(centre=70, spread=12, trend=1.0),
    "local_purchases": Spec(centre=40, spread=15, trend=1.5),
    "public_board_seats": Spec(centre=15, spread=10, trend=-0.5),
    # vlaanderen.maatwerk
    "doelgroep_aandeel": Spec(centre=72, spread=8, trend=0.5),
    "doelgroepwerknemers": Spec(centre=120, spread=50, trend=4, decimals=0, extensive=True),
    "begeleidingsuren": Spec(centre=40, spread=12, trend=1.5),
    "opleidingsuren": Spec(centre=16, spread=6, trend=1.2),
    "attesten": Spec(centre=20, spread=8, trend=1.5),
    "doorstroom_ratio": Spec(centre=4, spread=2, trend=0.4),
    # hdf.iae
    "salaries_insertion": Spec(centre=45, spread=15, trend=2, decimals=0, extensive=True),
    "heures_travail": Spec(centre=40000, spread=15000, trend=1500, decimals=0, extensive=True),
    "formation_heures": Spec(centre=25, spread=10, trend=2.0),
    "sorties_emploi_durable": Spec(centre=22, spread=8, trend=1.0),
    "sorties_emploi_transition": Spec(centre=18, spread=6, trend=0.5),
    "sorties_positives": Spec(centre=12, spread=5, trend=0.5),
}
FALLBACK = Spec(centre=50, spread=15, trend=1.0)


@attrs.frozen(kw_only=True)
class Share:
    """A count drawn as a share (percent) of another count of the same row: exits among leavers."""

    base: str
    spec: Spec
    #: +1 when a higher share is better (exits to work), -1 when lower is (drop-outs).
    sign: float = 1.0


SHARES: dict[str, Share] = {
    "leavers": Share(base="trainees", spec=Spec(centre=65, spread=8, trend=0.0), sign=0.0),
    "exits_to_work": Share(base="leavers", spec=Spec(centre=28, spread=8, trend=1.5)),
    "exits_to_training": Share(base="leavers", spec=Spec(centre=15, spread=5, trend=0.8)),
    "dropouts": Share(base="leavers", spec=Spec(centre=20, spread=6, trend=-1.0), sign=-1.0),
}
SIZE_FACTOR = {"small": 0.6, "medium": 1.0, "large": 1.7}


@attrs.frozen(kw_only=True)
class Example:
    """One example dataset: which grid, how its organisations are named and described."""

    plugin: str
    grid: str
    prefix: str
    names: tuple[str, ...]
    families: tuple[str, ...]
    regions: tuple[str, ...]
    lang: str
    #: Columns written in another unit than the indicator's: code -> (unit, factor, decimals).
    other_units: dict[str, tuple[str, float, int]] = attrs.field(factory=dict)
    #: Indicators that sometimes carry a comment column.
    commented: tuple[str, ...] = ()
    #: Overrides of SPECS for this grid only.
    specs: dict[str, Spec] = attrs.field(factory=dict)
    count: int = 30

    @property
    def stem(self) -> str:
        return f"{self.plugin}_{self.grid}"


WALLOON = ("Hainaut", "Liège", "Namur", "Luxembourg", "Brabant wallon")
EXAMPLES = (
    Example(
        plugin="wallonie",
        grid="cisp",
        prefix="cisp",
        names=("Centre",),
        families=("work_integration",),
        regions=WALLOON,
        lang="fr",
        other_units={"training_hours": ("min", 60.0, 0)},
        commented=("dropout", "exit_employment"),
        specs={
            "own_income_share": Spec(centre=12, spread=6, trend=0.5),
            "staff_turnover": Spec(centre=15, spread=5, trend=-0.5),
        },
    ),
    Example(
        plugin="wallonie",
        grid="sis",
        prefix="sis",
        names=("Service",),
        families=("collective_services",),
        regions=WALLOON,
        lang="fr",
        other_units={"staff_training": ("min / ETP", 60.0, 0)},
        commented=("admin_autonomy",),
    ),
    Example(
        plugin="wallonie",
        grid="economie_sociale",
        prefix="es",
        names=("Coopérative", "Entreprise", "ASBL"),
        families=("other", "work_integration", "collective_services"),
        regions=WALLOON,
        lang="fr",
        other_units={"ghg_per_fte": ("kgCO2e / FTE", 1000.0, 0)},
        commented=("mission_budget_share",),
    ),
    Example(
        plugin="vlaanderen",
        grid="maatwerk",
        prefix="mw",
        names=("Maatwerkbedrijf",),
        families=("work_integration",),
        regions=("Antwerpen", "Limburg", "Oost-Vlaanderen", "West-Vlaanderen", "Vlaams-Brabant"),
        lang="nl",
        other_units={"begeleidingsuren": ("min / persoon", 60.0, 0)},
        commented=("doorstroom_ratio",),
        specs={"employees_fte": Spec(centre=140, spread=50, trend=3, extensive=True)},
    ),
    Example(
        plugin="hdf",
        grid="iae",
        prefix="siae",
        names=("ACI", "EI", "ETTI"),
        families=("work_integration",),
        regions=("Nord", "Pas-de-Calais", "Somme", "Oise", "Aisne"),
        lang="fr",
        other_units={"heures_travail": ("etp_iae", 1 / 1607, 2)},
        commented=("sorties_emploi_durable",),
    ),
)

COMMENTS = {
    "fr": (
        "Chiffre provisoire, à confirmer (synthetic)",
        "Effet d'un départ en cours d'année (synthetic)",
        "Nouveau partenariat local (synthetic)",
        "Méthode de calcul revue cette année (synthetic)",
    ),
    "nl": (
        "Voorlopig cijfer (synthetic)",
        "Nieuwe samenwerking met de VDAB (synthetic)",
        "Berekeningswijze aangepast (synthetic)",
    ),
}
STORIES = {
    "fr": (
        "« J'ai repris confiance et je prépare un permis de conduire. » (synthetic)",
        "Focus group : les stagiaires citent l'ambiance du groupe comme premier apport. (synthetic)",
        "Récit de vie : retour à l'emploi après deux ans d'arrêt. (synthetic)",
        "Les participants demandent plus d'ateliers numériques. (synthetic)",
    ),
    "nl": (
        "„Ik voel me hier gewaardeerd en leer elke week bij.” (synthetic)",
        "Focusgroep: de werknemers noemen de begeleiding als grootste meerwaarde. (synthetic)",
        "Levensverhaal: doorgestroomd naar een job in de logistiek. (synthetic)",
    ),
}
QUESTIONS = {
    "fr": (
        "Nos stagiaires gagnent-ils en autonomie pendant leur parcours ?",
        "Notre accompagnement social facilite-t-il l'accès à l'emploi ?",
        "Quelle valeur notre structure apporte-t-elle au territoire ?",
    ),
    "nl": (
        "Groeien onze doelgroepwerknemers in zelfstandigheid?",
        "Helpt onze begeleiding bij de doorstroom naar regulier werk?",
    ),
}
STAKEHOLDERS = ("trainees", "workers", "funders", "partners", "users", "board")
METHOD_SETS = (
    ("indicators", "survey"),
    ("indicators", "focus group"),
    ("indicators", "interviews", "life stories"),
    ("indicators", "survey", "focus group"),
)


def _letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else "A" + chr(ord("A") + index - 26)


def _clip(value: float, indicator: Indicator) -> float:
    low = 0.0 if indicator.minimum is None else indicator.minimum
    high = math.inf if indicator.maximum is None else indicator.maximum
    return min(max(value, low), high)


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def _quantity(rng: random.Random, ind: Indicator, spec: Spec, quality: float, year: int, size: str) -> float:
    sign = -1.0 if ind.direction is Direction.LOWER else 1.0
    scale = SIZE_FACTOR[size] if spec.extensive else 1.0
    # A volume follows the centre's size; its quality moves rates and practices, not how large it is.
    pull = 0.0 if (ind.context or spec.extensive) else 0.7 * sign * quality
    value = spec.centre * scale + spec.spread * scale * (pull + 0.5 * rng.gauss(0, 1))
    value += spec.trend * scale * year
    return _clip(value, ind)


def _share_count(rng: random.Random, share: Share, base: float, quality: float, year: int) -> float:
    spec = share.spec
    percent = spec.centre + spec.spread * (0.7 * share.sign * quality + 0.5 * rng.gauss(0, 1)) + spec.trend * year
    return float(round(max(base, 0.0) * min(max(percent, 0.0), 100.0) / 100.0))


def _level(rng: random.Random, ind: Indicator, quality: float, year: int) -> str:
    if ind.kind is Kind.BINARY:
        chance = 1 / (1 + math.exp(-(1.2 * quality + 0.4 * year + rng.gauss(0, 0.5))))
        return "yes" if chance > 0.5 else "no"
    levels = ind.levels
    if ind.kind is Kind.CATEGORY:
        ranked = sorted(levels, key=lambda level: level.score or 0.0)
        position = 0 if quality < -0.9 else (1 if quality < 0.3 else 2)
        return ranked[min(position, len(ranked) - 1)].value
    position = round((len(levels) + 1) / 2 + quality + 0.3 * year + rng.gauss(0, 0.6))
    return levels[min(max(position, 1), len(levels)) - 1].value


def _size(rng: random.Random) -> str:
    return rng.choices(("small", "medium", "large"), weights=(4, 4, 2))[0]


def _header(ind: Indicator, example: Example) -> str:
    unit = example.other_units[ind.code][0] if ind.code in example.other_units else ind.unit
    return f"{ind.code} [{unit}]" if ind.kind is Kind.QUANTITY and unit else ind.code


def generate(example: Example, grid: Grid, out: Path, seed: int) -> tuple[Path, Path]:
    """Write the CSV and evaluations file of one example; return their paths."""
    rng = random.Random(seed)
    # Columns for every value the data gives (scored or context); derived indicators are computed.
    scored = [ind for ind in grid.indicators if ind.kind is not Kind.NARRATIVE and not ind.derived]
    narratives = [ind for ind in grid.indicators if ind.kind is Kind.NARRATIVE]
    derived_comments = [ind.code for ind in grid.indicators if ind.derived and ind.code in example.commented]
    organisations = []
    for index in range(example.count):
        kind = example.names[index % len(example.names)]
        family = example.families[index % len(example.families)]
        organisations.append(
            {
                "code": f"{example.prefix}_{index + 1:02d}",
                "name": f"{kind} {_letter(index)} (synthetic)",
                "family": family,
                "region": rng.choice(example.regions),
                "size": _size(rng),
                "quality": rng.gauss(0, 1),
                "first": 1 if index % 11 == 5 else 0,  # a few joined the network in 2018
            }
        )

    header = ["organisation", "period", "name", "family", "region", "size"]
    for ind in scored:
        header.append(_header(ind, example))
        if ind.code in example.commented:
            header.append(f"{ind.code}.comment")
    header += [f"{code}.comment" for code in derived_comments]
    header += [ind.code for ind in narratives]

    rows = []
    for org in organisations:
        for year, period in enumerate(PERIODS):
            if year < org["first"]:
                continue
            row = [org["code"], period, org["name"], org["family"], org["region"], org["size"]]
            drawn: dict[str, float] = {}
            for ind in scored:
                share = SHARES.get(ind.code)
                if ind.code == "staff_turnover" and org["size"] == "small":
                    cell = "n/a"  # the VSME asks for a turnover rate only above 50 employees
                elif share is not None and share.base in drawn:
                    value = _share_count(rng, share, drawn[share.base], org["quality"], year)
                    drawn[ind.code] = value
                    cell = "" if rng.random() < MISSING_SHARE / 2 else _number(value, 0)
                elif rng.random() < MISSING_SHARE:
                    cell = ""
                    if ind.kind is Kind.QUANTITY:  # the register knows it, the file does not say it
                        spec = example.specs.get(ind.code, SPECS.get(ind.code, FALLBACK))
                        drawn[ind.code] = _quantity(rng, ind, spec, org["quality"], year, org["size"])
                elif ind.kind is Kind.QUANTITY:
                    spec = example.specs.get(ind.code, SPECS.get(ind.code, FALLBACK))
                    value = _quantity(rng, ind, spec, org["quality"], year, org["size"])
                    drawn[ind.code] = round(value, spec.decimals)
                    if ind.code in example.other_units:
                        _, factor, decimals = example.other_units[ind.code]
                        cell = _number(value * factor, decimals)
                    else:
                        cell = _number(value, spec.decimals)
                else:
                    cell = _level(rng, ind, org["quality"], year)
                row.append(cell)
                if ind.code in example.commented:
                    row.append(rng.choice(COMMENTS[example.lang]) if rng.random() < 0.15 else "")
            for _ in derived_comments:
                row.append(rng.choice(COMMENTS[example.lang]) if rng.random() < 0.15 else "")
            for _ in narratives:
                row.append(rng.choice(STORIES[example.lang]) if rng.random() < 0.4 else "")
            rows.append(row)

    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / f"{example.stem}.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)

    evaluations_path = out / f"{example.stem}.evaluations.toml"
    evaluations_path.write_text(_evaluations(rng, example, grid, organisations), encoding="utf-8")
    return csv_path, evaluations_path


def _evaluations(rng: random.Random, example: Example, grid: Grid, organisations: Sequence[dict]) -> str:
    root = grid.root.code
    areas = [node.code for node in grid.nodes if node.parent == root]
    evaluations = []
    for org in organisations[::4]:
        area = rng.choice(areas)
        evaluations.append(
            {
                "organisation": org["code"],
                "period": PERIODS[-1],
                "questions": [rng.choice(QUESTIONS[example.lang])],
                "stakeholders": sorted(rng.sample(STAKEHOLDERS, 3)),
                "methods": list(rng.choice(METHOD_SETS)),
                "narrative": {
                    area: rng.choice(COMMENTS[example.lang]),
                    "*": rng.choice(STORIES[example.lang]),
                },
            }
        )
    document = {
        "organisations": [
            {key: org[key] for key in ("code", "name", "family", "region", "size")} for org in organisations
        ],
        "evaluations": evaluations,
    }
    banner = (
        "# SYNTHETIC example data generated by examples/generate.py: not real organisations.\n"
        f"# VISES framing of the evaluations for {example.plugin}.{example.grid} (see docs/vises-approach.md).\n\n"
    )
    return banner + tomli_w.dumps(document)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "data", help="folder to write into (default: examples/data)")
    args = parser.parse_args(argv)
    for index, example in enumerate(EXAMPLES):
        grid = vises.load_grid(f"{example.plugin}.{example.grid}")
        csv_path, _ = generate(example, grid, args.out, SEED + index)
        print(f"wrote {csv_path} and its .evaluations.toml ({example.count} organisations, {len(PERIODS)} periods)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
