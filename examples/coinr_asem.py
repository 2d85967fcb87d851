"""Score COINr's ASEM example with vises: the same tables, the same methods, the same results.

COINr (the R package of the JRC composite-indicator team) ships the ASEM Sustainable Connectivity
index as two tables, iMeta (the structure) and iData (the data). vises reads both as they are,
scores them with COINr's defaults, then runs COINr's example build (``build_example_coin()``:
denominate, impute by group, screen, winsorise, normalise, aggregate) from a build spec, and asks
which methodological choice the ranking is most sensitive to. The data live outside this
repository, in ../shared/datasets/asem/ (run from the repository root, or give the folder):

    python examples/coinr_asem.py [ASEM_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import vises
from vises.analysis import build, pca_weights, sobol_sensitivity

ASEM = Path(__file__).resolve().parents[1].parent / "shared" / "datasets" / "asem"

#: COINr's build_example_coin(), step by step.
EXAMPLE_A = {
    "denominate": {},
    "impute": {"method": "group_mean", "group": "EurAsia_group"},
    "screen": {"min_availability": 0.9},
    "treat": {"method": "winsorise", "winmax": 5},
    "normalise": {"method": "minmax", "low": 0, "high": 100},
    "aggregate": {"method": "arithmetic"},
}


def main(folder: Path = ASEM) -> int:
    if not (folder / "iMeta.csv").is_file():
        print(f"COINr's ASEM tables are not at {folder}; nothing to do.")
        return 0
    grid = vises.load_grid(folder / "iMeta.csv")
    data = vises.load_data(folder / "iData.csv", grid=grid)
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

    built = build(folder / "iMeta.csv", folder / "iData.csv", spec=EXAMPLE_A)
    example = built.results
    screened = built.screening.excluded if built.screening is not None else []
    print(f"\nCOINr's example build (a): {len(example)} countries kept, {len(screened)} screened out")
    top = np.argsort(-example.score("Index"))[:5]
    print("  top 5: " + ", ".join(f"{example.organisations[i]} {example.score('Index')[i]:.2f}" for i in top))

    weights = pca_weights(example, nodes=["Physical"])
    print("\nPCA weights of the Physical pillar (squared loadings of the first component):")
    print("  " + ", ".join(f"{code} {value:.3f}" for code, value in weights.weights.items()))

    choices = {"weights": 0.25, "winmax": {"low": 1, "high": 5}, "aggregator": ["arithmetic", "median"]}
    sensitivity = sobol_sensitivity(built.grid, example.dataset, choices=choices, n=64, bootstrap=200)
    print("\nWhich choice moves the ranking (Sobol indices of the mean |rank shift|, N = 64):")
    for record in sensitivity.indices.to_records():
        print(f"  {record['choice']:<11} first order {record['first']:6.3f}   total {record['total']:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ASEM))
