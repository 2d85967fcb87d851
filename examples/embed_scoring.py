"""For developers embedding vises: load a grid and data, score, read scores, explain one result.

Run from the repository root: ``python examples/embed_scoring.py`` (needs vises-wallonie installed).
The data is synthetic (examples/data/README.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import vises

DATA = Path(__file__).parent / "data" / "wallonie_cisp.csv"


def main() -> None:
    grid = vises.load_grid("wallonie.cisp")
    data = vises.load_data(DATA, grid=grid)  # also reads wallonie_cisp.evaluations.toml next to it
    results = vises.score(grid, data)
    root = grid.root.code
    print(f"{grid.label_in('en')}: {len(results)} rows, {len(results.codes)} scored nodes")

    # A profile per area before any total, for each year: the progress shows because the
    # data-driven parameters are fitted on all years pooled.
    print("\nMean score per area and year")
    for code in results.children(root):
        means = [np.nanmean(results.score(code)[results.periods == p]) for p in results.period_values]
        print(f"  {results.label(code, 'en'):45s}" + "".join(f"{m:7.1f}" for m in means))

    latest = results.period_values[-1]
    rows = np.flatnonzero(results.periods == latest)
    best = rows[np.argsort(results.ranks(root)[rows])][:3]
    print(
        f"\nTop 3 in {latest}: " + ", ".join(f"{results.organisations[i]} ({results.score(root)[i]:.1f})" for i in best)
    )

    organisation = str(results.organisations[best[0]])
    tree = results.explain(organisation, latest, lang="en")
    print(f"\nWhy {organisation} scores {tree.score:.1f} in {latest}:")
    for area in tree.children:
        if area.score is None:
            continue
        share = "" if area.contribution is None else f", adds {area.contribution:.1f}"
        print(f"  {area.label}: {area.score:.1f} (weight {area.effective_weight:.2f}{share})")
    weakest = min((n for n in tree.walk() if n.is_indicator and n.score is not None), key=lambda n: n.score)
    print(f"  weakest indicator: {weakest.label} = {weakest.raw} {weakest.unit or ''} -> {weakest.score:.1f}")
    evaluation = results.evaluation(organisation, latest)
    if evaluation is not None and evaluation.questions:
        print(f"  evaluative question: {evaluation.questions[0]}")


if __name__ == "__main__":
    main()
