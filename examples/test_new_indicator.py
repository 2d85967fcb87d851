"""For analysts: would adding a candidate indicator change the picture? Score the same data with
and without it and compare rank changes and score shifts.

The candidate here is "still in employment six months after the exit", which a federation might
consider adding to the CISP outcomes; its values are synthetic, drawn to correlate loosely with the
existing exit rate. Run: ``python examples/test_new_indicator.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

import attrs
import numpy as np

import vises
from vises.model import Column, Direction, Indicator, Kind, Method

DATA = Path(__file__).parent / "data" / "wallonie_cisp.csv"

CANDIDATE = Indicator(
    code="employed_after_6_months",
    parent="outcomes",
    weight=1.0,
    kind=Kind.QUANTITY,
    unit="percent",
    direction=Direction.HIGHER,
    minimum=0.0,
    maximum=100.0,
    normaliser=Method(name="goalposts", params={"lower": 0.0, "upper": 60.0}),
    label={"fr": "En emploi six mois après la sortie", "en": "In employment six months after the exit"},
    source="illustrative candidate",
)


def main() -> None:
    grid = vises.load_grid("wallonie.cisp")
    data = vises.load_data(DATA, grid=grid)
    exits = data.columns["exit_employment"].values.astype(float)
    rng = random.Random(11)
    candidate = np.array([np.nan if np.isnan(x) else min(60.0, max(0.0, 0.6 * x + rng.gauss(8, 8))) for x in exits])

    with_grid = attrs.evolve(grid, code="cisp_candidate", indicators=(*grid.indicators, CANDIDATE))
    with_data = attrs.evolve(data, columns={**data.columns, CANDIDATE.code: Column(values=candidate, unit="percent")})
    before = vises.score(grid, data)
    after = vises.score(with_grid, with_data)

    root = grid.root.code
    period = before.period_values[-1]
    rows = np.flatnonzero(before.periods == period)
    rank_before = before.ranks(root)[rows]
    rank_after = after.ranks(root)[rows]
    moved = rank_after - rank_before
    shift = after.score(root)[rows] - before.score(root)[rows]
    spearman = np.corrcoef(rank_before, rank_after)[0, 1]

    print(f"Candidate: {CANDIDATE.label_in('en')} (under {CANDIDATE.parent!r}, weight {CANDIDATE.weight})")
    print(f"{period}: {len(rows)} centres; mean |score shift| {np.nanmean(np.abs(shift)):.2f} points; "
          f"max {np.nanmax(np.abs(shift)):.2f}; rank correlation {spearman:.3f}")
    print(f"centres changing rank: {int((moved != 0).sum())}; by 3 places or more: {int((np.abs(moved) >= 3).sum())}")
    print("\nBiggest movers (rank before -> after, score shift):")
    for k in np.argsort(-np.abs(moved))[:5]:
        org = before.organisations[rows[k]]
        print(f"  {org}: {int(rank_before[k])} -> {int(rank_after[k])} ({shift[k]:+.1f})")
    verdict = "changes the ranking noticeably" if (np.abs(moved) >= 3).any() else "mostly confirms the current ranking"
    print(f"\nReading: the candidate {verdict}; check its data quality and meaning with the centres before adopting it.")


if __name__ == "__main__":
    main()
