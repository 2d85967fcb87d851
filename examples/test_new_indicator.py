"""For analysts: would adding a candidate indicator change the picture? Score the same data with
and without it and compare rank changes and score shifts.

The candidate here is "still in employment six months after the exit", which a federation might
consider adding to the CISP outcomes; its values are synthetic, drawn to correlate loosely with the
existing exit rate. ``vises.analysis.compare`` matches the two scorings on (centre, year) and
gives the shifts, the Spearman rank correlation and who enters or leaves the top 10.
Run: ``python examples/test_new_indicator.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

import attrs
import numpy as np

import vises
from vises import Column, Direction, Indicator, Kind, Method
from vises.analysis import compare

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
    before = vises.score(grid, data)
    exits = before.raw("exit_employment")  # a rate the grid derives: exits to work over leavers
    rng = random.Random(11)
    candidate = np.array([np.nan if np.isnan(x) else min(60.0, max(0.0, 0.6 * x + rng.gauss(8, 8))) for x in exits])

    with_grid = attrs.evolve(grid, code="cisp_candidate", indicators=(*grid.indicators, CANDIDATE))
    with_data = attrs.evolve(data, columns={**data.columns, CANDIDATE.code: Column(values=candidate, unit="percent")})
    after = vises.score(with_grid, with_data)

    period = before.period_values[-1]
    comparison = compare(before, after)
    latest = comparison.period(period)
    rows = np.flatnonzero(comparison.periods == period)
    shift = np.abs(comparison.difference[rows])
    moved = comparison.rank_shift[rows]

    print(f"Candidate: {CANDIDATE.label_in('en')} (under {CANDIDATE.parent!r}, weight {CANDIDATE.weight})")
    print(
        f"{period}: {latest.compared} centres; mean |score shift| {np.nanmean(shift):.2f} points; "
        f"max {np.nanmax(shift):.2f}; rank correlation (Spearman) {latest.spearman:.3f}"
    )
    print(
        f"centres changing rank: {int((moved != 0).sum())}; by 3 places or more: {int((np.abs(moved) >= 3).sum())}; "
        f"mean |rank shift| {latest.mean_abs_rank_shift:.2f}"
    )
    print(
        f"entering the top {comparison.top}: {', '.join(latest.entering) or 'none'}; leaving it: "
        f"{', '.join(latest.leaving) or 'none'}"
    )
    print("\nBiggest movers (rank before -> after, score shift):")
    ranked = rows[~np.isnan(moved)]  # centres ranked in both scorings
    for k in ranked[np.argsort(-np.abs(comparison.rank_shift[ranked]), kind="stable")[:5]]:
        print(
            f"  {comparison.organisations[k]}: {int(comparison.base_rank[k])} -> {int(comparison.variant_rank[k])} "
            f"({comparison.difference[k]:+.1f})"
        )
    verdict = "changes the ranking noticeably" if (np.abs(moved) >= 3).any() else "mostly confirms the current ranking"
    print(
        f"\nReading: the candidate {verdict}; check its data quality and meaning with the centres before adopting it."
    )


if __name__ == "__main__":
    main()
