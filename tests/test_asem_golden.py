"""Golden test: scoring COINr's ASEM example with the defaults gives COINr's results.

COINr's default pipeline on raw data: min-max to 0–100 with each indicator multiplied by its
Direction first (so "lower is better" indicators are flipped), then at each level the weighted
arithmetic mean of the level below, weights renormalised over the children present
(``sum(w x, na.rm) / sum(w[!is.na(x)])``). The expected values are computed here, from the CSV
files, with nothing from vises, and compared for every node of every unit.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

ASEM = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "asem"

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
