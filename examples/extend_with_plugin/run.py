"""For federations: add a regional indicator with a plugin, then score a grid that uses it.

``register_plugin`` adds the plugin to the running registry (an installed package would do the
same through its entry point); the grid file extends ``wallonie.cisp`` and reuses the plugin's
indicator with ``use = "demo.childcare_support"``. Run: ``python examples/extend_with_plugin/run.py``.
"""

from __future__ import annotations

import random
from pathlib import Path

import attrs
import childcare_plugin
import numpy as np

import vises
from vises import Column, register_plugin, unregister_plugin

HERE = Path(__file__).parent
DATA = HERE.parent / "data" / "wallonie_cisp.csv"


def main() -> None:
    register_plugin(childcare_plugin, name="demo")
    try:
        grid = vises.load_grid(HERE / "cisp_childcare.toml")
        indicator = grid.indicator("childcare_support")
        print(
            f"grid {grid.code!r} extends wallonie.cisp; new indicator under {indicator.parent!r}: "
            f"{indicator.label_in('en')}"
        )

        data = vises.load_data(DATA, grid=grid)
        # The example CSV has no childcare column yet: add synthetic values, as a federation
        # would collect them in the following year's file.
        rng = random.Random(7)
        values = np.array([min(100.0, max(0.0, rng.gauss(55, 20))) for _ in range(len(data))])
        data = attrs.evolve(data, columns={**data.columns, "childcare_support": Column(values=values, unit="percent")})

        results = vises.score(grid, data)
        base = vises.load_grid("wallonie.cisp")
        before = vises.score(base, vises.load_data(DATA, grid=base))
        shift = results.score("social_support") - before.score("social_support")
        print(f"scored {len(results)} rows; social support moved by {np.nanmean(np.abs(shift)):.1f} points on average")
        print(f"provenance plugins: {results.provenance.get('plugins')}")
    finally:
        unregister_plugin("demo")


if __name__ == "__main__":
    main()
