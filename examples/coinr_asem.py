"""Score COINr's ASEM example with vises: the same tables, the same default method, the same results.

COINr (the R package of the JRC composite-indicator team) ships the ASEM Sustainable Connectivity
index as two tables, iMeta (the structure) and iData (the data). vises reads both as they are.
The data live outside this repository, in ../shared/datasets/asem/ (run from the repository root):

    python examples/coinr_asem.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import vises

ASEM = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "asem"


def main() -> int:
    if not (ASEM / "iMeta.csv").is_file():
        print(f"COINr's ASEM tables are not at {ASEM}; nothing to do.")
        return 0
    grid = vises.load_grid(ASEM / "iMeta.csv")
    data = vises.load_data(ASEM / "iData.csv", grid=grid)
    results = vises.score(grid, data)
    print(
        f"{grid.label_in('en') or grid.code}: {len(results)} countries, {len(grid.indicators)} indicators, "
        f"{len(results.codes) - len(grid.scored_indicators)} aggregates"
    )

    index = results.score("Index")
    names = results.organisation_names()
    print("\nTop 10 on the index (min-max 0-100, arithmetic means, as COINr by default):")
    for row in np.argsort(-index)[:10]:
        code = results.organisations[row]
        print(f"  {int(results.ranks('Index')[row]):>2}. {names.get(code, code):<16} {index[row]:6.2f}")

    tree = results.explain("AUT")
    print(f"\nWhy Austria scores {tree.score:.2f}:")
    for pillar in tree.children:
        print(
            f"  {pillar.label:<20} {pillar.score:6.2f}  (weight {pillar.effective_weight:.2f}, adds "
            f"{pillar.contribution:.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
