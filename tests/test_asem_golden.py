"""Golden tests: COINr's ASEM example scored by vises gives COINr's results.

The expected values are computed here, from the CSV files, with nothing from vises, following
COINr's R code step by step:

- raw data: min-max to 0–100 with each indicator multiplied by its Direction first (so "lower is
  better" indicators are flipped), then at each level the weighted arithmetic mean of the level
  below, weights renormalised over the children present (``sum(w x, na.rm) / sum(w[!is.na(x)])``);
- COINr's default example (a), ``build_example_coin()``: ``Denominate`` (by iMeta's Denominator),
  ``Impute(f_i = "i_mean_grp", use_group = "EurAsia_group")``, ``Screen(dat_thresh = 0.9,
  unit_screen = "byNA")``, ``Treat`` (check_SkewKurt, winsorise up to 5 points, else log_CT on the
  original values), ``Normalise`` (min-max 0–100) and ``Aggregate`` (arithmetic mean), reproduced
  through ``vises score --spec`` on the command line;
- ``Screen`` on the denominated data before imputing (units below 90 % availability out, forced
  includes and excludes), and ``get_PCA``'s weights (first principal component of ``prcomp``).
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _asem() -> Path:
    """The shared ASEM tables: ../shared/datasets/asem beside the repository, else /work/shared."""
    for base in (ROOT / ".." / "shared", Path("/work/shared")):
        if (base / "datasets" / "asem" / "iData.csv").is_file():
            return (base / "datasets" / "asem").resolve()
    return ROOT / ".." / "shared" / "datasets" / "asem"


ASEM = _asem()

pytestmark = pytest.mark.skipif(
    not (ASEM / "iData.csv").is_file(),
    reason=(
        f"COINr's ASEM example is not available at {ASEM} (it lives in the shared data folder, outside the repository)"
    ),
)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def coinr_expected() -> tuple[list[str], dict[str, list[float]]]:
    """Independent re-implementation of COINr's default normalise + aggregate on iData/iMeta."""
    meta = _read(ASEM / "iMeta.csv")
    data = _read(ASEM / "iData.csv")
    units = [row["uCode"] for row in data]

    def number(text: str) -> float:
        return float(text) if text not in ("", "NA") else math.nan

    scores: dict[str, list[float]] = {}
    structure = [row for row in meta if row["Type"] in ("Indicator", "Aggregate")]
    for row in structure:
        if row["Type"] != "Indicator":
            continue
        direction = float(row["Direction"])
        values = [number(unit_row[row["iCode"]]) * direction for unit_row in data]
        present = [v for v in values if not math.isnan(v)]
        low, high = min(present), max(present)
        scores[row["iCode"]] = [math.nan if math.isnan(v) else (v - low) / (high - low) * 100.0 for v in values]

    levels = sorted({int(row["Level"]) for row in structure})
    for level in levels[1:]:
        for row in structure:
            if int(row["Level"]) != level:
                continue
            children = [child for child in structure if child["Parent"] == row["iCode"]]
            column = []
            for u in range(len(units)):
                total = weight = 0.0
                for child in children:
                    value = scores[child["iCode"]][u]
                    if not math.isnan(value):
                        total += float(child["Weight"]) * value
                        weight += float(child["Weight"])
                column.append(total / weight if weight > 0 else math.nan)
            scores[row["iCode"]] = column
    return units, scores


def test_asem_matches_coinr_for_every_node_and_unit():
    import vises

    grid = vises.load_grid(ASEM / "iMeta.csv")
    data = vises.load_data(ASEM / "iData.csv", grid=grid)
    results = vises.score(grid, data)

    units, expected = coinr_expected()
    assert set(results.codes) == set(expected), "every indicator and aggregate of iMeta is scored"
    for code, column in expected.items():
        got = np.array([results.score(code)[results.row(unit)] for unit in units])
        np.testing.assert_allclose(got, np.array(column), rtol=1e-12, atol=1e-9, equal_nan=True, err_msg=code)
    # A spot check in plain numbers, so a shared mistake in both implementations would still show.
    index = results.score("Index")
    assert np.all((index > 0) & (index < 100))
    assert len(units) == 51


# -- COINr's build, step by step, in plain Python ----------------------------------------------------
def _number(text: str) -> float:
    return float(text) if text not in ("", "NA") else math.nan


def _skew(x: list[float]) -> float:
    """e1071 type 2 skewness (COINr's ``skew``)."""
    n = len(x)
    m = sum(x) / n
    m2 = sum((v - m) ** 2 for v in x) / n
    m3 = sum((v - m) ** 3 for v in x) / n
    return m3 / m2**1.5 * math.sqrt(n * (n - 1)) / (n - 2)


def _kurt(x: list[float]) -> float:
    """e1071 type 2 excess kurtosis (COINr's ``kurt``)."""
    n = len(x)
    m = sum(x) / n
    m2 = sum((v - m) ** 2 for v in x) / n
    m4 = sum((v - m) ** 4 for v in x) / n
    return ((n + 1) * (m4 / m2**2 - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def _passes(x: list[float]) -> bool:
    present = [v for v in x if not math.isnan(v)]
    return abs(_skew(present)) < 2 or _kurt(present) < 3.5


def _treat(column: list[float], winmax: int = 5) -> list[float]:
    """COINr's ``Treat.numeric`` with its defaults: winsorise (R's loop), else log_CT of the original."""
    if _passes(column):
        return column
    x = list(column)
    nwin, imax, imin = 0, [], []
    passing = False
    while not passing and nwin < winmax:
        present = [v for v in x if not math.isnan(v)]
        if _skew(present) >= 0:
            top = max(present)
            imax = [i for i, v in enumerate(x) if v == top]
            rest = max(v for i, v in enumerate(x) if i not in imax and not math.isnan(v))
            for i in imax:
                x[i] = rest
        else:
            bottom = min(present)
            imin = [i for i, v in enumerate(x) if v == bottom]
            rest = min(v for i, v in enumerate(x) if i not in imin and not math.isnan(v))
            for i in imin:
                x[i] = rest
        nwin = len(imax) + len(imin)
        passing = _passes(x)
    if passing:
        return x
    present = [v for v in column if not math.isnan(v)]
    low, high = min(present), max(present)
    return [v if math.isnan(v) else math.log(v - low + 0.01 * (high - low)) for v in column]


def coinr_build(
    *, screen_first: bool = False, threshold: float = 0.9
) -> tuple[list[str], dict[str, list[float]], list[str]]:
    """COINr's example (a); ``screen_first`` screens the denominated data before imputing instead.

    Returns the units kept, every node's scores for them, and the units screened out.
    """
    meta = _read(ASEM / "iMeta.csv")
    rows = _read(ASEM / "iData.csv")
    indicators = [r for r in meta if r["Type"] == "Indicator"]
    codes = [r["iCode"] for r in indicators]
    values = {c: [_number(row[c]) for row in rows] for c in codes}
    for r in indicators:  # Denominate
        if r["Denominator"]:
            denominator = [_number(row[r["Denominator"]]) for row in rows]
            values[r["iCode"]] = [v / d for v, d in zip(values[r["iCode"]], denominator, strict=True)]
    units = [row["uCode"] for row in rows]
    groups = [row["EurAsia_group"] for row in rows]

    def screen(keep: list[int]) -> tuple[list[int], list[str]]:
        kept, out = [], []
        for u in keep:
            available = 1 - sum(math.isnan(values[c][u]) for c in codes) / len(codes)
            (kept if available >= threshold else out).append(u)
        return kept, [units[u] for u in out]

    def impute(keep: list[int]) -> None:
        for c in codes:
            for group in set(groups[u] for u in keep):
                members = [u for u in keep if groups[u] == group]
                present = [values[c][u] for u in members if not math.isnan(values[c][u])]
                mean = sum(present) / len(present) if present else math.nan
                for u in members:
                    if math.isnan(values[c][u]):
                        values[c][u] = mean

    keep = list(range(len(units)))
    if screen_first:
        keep, out = screen(keep)
        impute(keep)
    else:
        impute(keep)
        keep, out = screen(keep)
    scores: dict[str, list[float]] = {}
    for r in indicators:
        treated = _treat([values[r["iCode"]][u] for u in keep])
        direction = float(r["Direction"])
        x = [v * direction for v in treated]
        present = [v for v in x if not math.isnan(v)]
        low, high = min(present), max(present)
        scores[r["iCode"]] = [math.nan if math.isnan(v) else (v - low) / (high - low) * 100.0 for v in x]
    structure = [r for r in meta if r["Type"] in ("Indicator", "Aggregate")]
    for level in sorted({int(r["Level"]) for r in structure})[1:]:
        for r in (r for r in structure if int(r["Level"]) == level):
            children = [c for c in structure if c["Parent"] == r["iCode"]]
            column = []
            for u in range(len(keep)):
                total = weight = 0.0
                for child in children:
                    value = scores[child["iCode"]][u]
                    if not math.isnan(value):
                        total += float(child["Weight"]) * value
                        weight += float(child["Weight"])
                column.append(total / weight if weight > 0 else math.nan)
            scores[r["iCode"]] = column
    return [units[u] for u in keep], scores, out


SPEC_A = """
[denominate]

[impute]
method = "group_mean"
group = "EurAsia_group"

[screen]
min_availability = 0.9

[treat]
method = "winsorise"
winmax = 5

[normalise]
method = "minmax"
low = 0
high = 100

[aggregate]
method = "arithmetic"
"""


def test_coinr_default_example_a_from_the_command_line(tmp_path: Path) -> None:
    spec = tmp_path / "build.toml"
    spec.write_text(SPEC_A, encoding="utf-8")
    out = tmp_path / "a.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vises",
            "score",
            str(ASEM / "iData.csv"),
            "--grid",
            str(ASEM / "iMeta.csv"),
            "--spec",
            str(spec),
            "--format",
            "csv",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = {row["organisation"]: row for row in _read(out)}
    units, expected, screened_out = coinr_build()
    assert screened_out == [] and sorted(got) == sorted(units)
    for code, column in expected.items():
        mine = np.array([_number(got[unit][code]) for unit in units])
        np.testing.assert_allclose(mine, np.array(column), rtol=1e-10, atol=1e-9, equal_nan=True, err_msg=code)
    provenance = (tmp_path / "a.csv.provenance.json").read_text(encoding="utf-8")
    assert '"screened_out": []' in provenance and '"min_availability": 0.9' in provenance


def test_screening_the_denominated_data_matches_coinr_screen_then_impute() -> None:
    from vises.analysis import build

    spec = {
        "denominate": {},
        "screen": {"min_availability": 0.9, "on": "raw"},
        "impute": {"method": "group_mean", "group": "EurAsia_group"},
        "treat": {"method": "winsorise", "winmax": 5},
    }
    built = build(ASEM / "iMeta.csv", ASEM / "iData.csv", spec=spec)
    units, expected, screened_out = coinr_build(screen_first=True)
    assert sorted(screened_out) == ["BGD", "BRN", "KHM", "LAO", "MMR"]
    assert sorted(o for o, _, _ in built.screening.excluded) == sorted(screened_out)
    assert all("below 0.9" in reason for _, _, reason in built.screening.excluded)
    results = built.results
    assert sorted(results.organisations) == sorted(units)
    for code, column in expected.items():
        mine = np.array([results.score(code)[results.row(u)] for u in units])
        np.testing.assert_allclose(mine, np.array(column), rtol=1e-10, atol=1e-9, equal_nan=True, err_msg=code)
    recorded = results.provenance["screening"]
    assert sorted(r["organisation"] for r in recorded["screened_out"]) == sorted(screened_out)


def test_forced_include_and_exclude_as_coinr_force() -> None:
    from vises.analysis import build

    spec = {"denominate": {}, "screen": {"min_availability": 0.9, "on": "raw", "include": ["BRN"], "exclude": ["AUT"]}}
    built = build(ASEM / "iMeta.csv", ASEM / "iData.csv", spec=spec)
    kept = set(built.results.organisations)
    assert "BRN" in kept and "AUT" not in kept and not {"BGD", "KHM", "LAO", "MMR"} & kept
    reasons = {o: r for o, _, r in built.screening.excluded}
    assert reasons["AUT"] == "excluded on request"
    assert any("kept BRN" in note and "included on request" in note for note in built.notes)


def test_pca_weights_are_the_first_component_of_prcomp() -> None:
    import vises
    from vises.analysis import pca_weights

    results = vises.score(ASEM / "iMeta.csv", ASEM / "iData.csv")
    weights = pca_weights(results, nodes=["Political", "Physical"], form="squared")
    for node in ("Political", "Physical"):
        children = list(results.children(node))
        block = np.column_stack([results.score(c) for c in children])
        block = block[~np.isnan(block).any(axis=1)]
        # prcomp(center = TRUE, scale = TRUE): the SVD of the standardised data; rotation[, 1].
        z = (block - block.mean(axis=0)) / block.std(axis=0, ddof=1)
        first = np.linalg.svd(z, full_matrices=False)[2][0]
        np.testing.assert_allclose([weights.weights[c] for c in children], first**2, rtol=1e-10, err_msg=node)
        loadings = np.array([weights.analyses[node].loadings[c] for c in children])
        np.testing.assert_allclose(np.abs(loadings), np.abs(first), rtol=1e-10)
    assert weights.weighting.grid == "Index"
