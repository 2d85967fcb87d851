"""Benchmark vises.score against a hand-written numpy pipeline doing the same work, in one run.

1,000,000 rows × 50 quantity indicators (10 of them given in minutes for hour indicators), a
3-level grid (root, 5 dimensions, 10 indicators each), about 5 % missing values, minmax 0–100 and
weighted arithmetic means with weights renormalised over present children.

Prints median times over several repeats, their ratio (target ≤ 1.5), the peak memory of
``vises.score`` over the raw float64 matrix (target ≤ 2.5×), and checks both pipelines agree.
Timings on shared machines are noisy: read the ratio and the medians, not one run.

    python benchmarks/bench_score.py [--rows N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc

import numpy as np

DIMENSIONS = 5
PER_DIMENSION = 10


def build(rows: int, seed: int = 7):
    from vises.model import Column, Dataset, Grid, Indicator, Node

    rng = np.random.default_rng(seed)
    nodes = [Node(code="index")]
    indicators = []
    columns = {}
    weights = rng.integers(1, 4, size=DIMENSIONS * PER_DIMENSION).astype(float)
    for d in range(DIMENSIONS):
        nodes.append(Node(code=f"dim{d}", parent="index", weight=float(d + 1)))
        for i in range(PER_DIMENSION):
            k = d * PER_DIMENSION + i
            code = f"ind{k:02d}"
            in_minutes = k % 5 == 0
            indicators.append(
                Indicator(
                    code=code,
                    parent=f"dim{d}",
                    unit="hour",
                    weight=float(weights[k]),
                    direction="lower" if k % 7 == 0 else "higher",
                )
            )
            values = rng.gamma(2.0, 50.0, size=rows)
            values[rng.random(rows) < 0.05] = np.nan
            if in_minutes:
                values *= 60.0
            columns[code] = Column(values=values, unit="min" if in_minutes else "hour")
    grid = Grid(code="bench", nodes=tuple(nodes), indicators=tuple(indicators))
    organisations = np.char.add("org", (np.arange(rows) // 3).astype(str))
    periods = np.array(["2017", "2018", "2019"])[np.arange(rows) % 3]
    return grid, Dataset(organisations=organisations, periods=periods, columns=columns)


def numpy_baseline(grid, dataset) -> np.ndarray:
    """The same computation written directly in numpy: the yardstick for the engine's overhead."""
    n = len(dataset)
    codes = [ind.code for ind in grid.indicators]
    out = np.empty((n, len(codes) + DIMENSIONS + 1), order="F")
    for j, ind in enumerate(grid.indicators):
        column = dataset.columns[ind.code]
        x = column.values * (1.0 / 60.0) if column.unit == "min" else column.values
        if ind.direction.value == "lower":
            x = -x
        lo, hi = np.nanmin(x), np.nanmax(x)
        out[:, j] = (x - lo) * (100.0 / (hi - lo))
    weights = np.array([ind.weight for ind in grid.indicators])

    def mean(block, w):
        present = ~np.isnan(block)
        total = np.where(present, block, 0.0) @ w
        return total / (present @ w)

    for d in range(DIMENSIONS):
        cols = slice(d * PER_DIMENSION, (d + 1) * PER_DIMENSION)
        out[:, len(codes) + d] = mean(out[:, cols], weights[cols])
    dim_weights = np.array([float(d + 1) for d in range(DIMENSIONS)])
    out[:, -1] = mean(out[:, len(codes) : len(codes) + DIMENSIONS], dim_weights)
    return out


def timed(fn, repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    import vises
    from vises.engine.compile import compile_grid
    from vises.plugins import get_registry

    grid, dataset = build(args.rows)
    raw_bytes = args.rows * len(grid.indicators) * 8
    registry = get_registry()
    compile_grid(grid, registry)  # warm caches (pint registry, plugins) outside the timing
    vises.units.registry()

    t_vises, results = timed(lambda: vises.score(grid, dataset), args.repeats)
    t_numpy, baseline = timed(lambda: numpy_baseline(grid, dataset), args.repeats)

    order = [
        results.codes.index(code)
        for code in [i.code for i in grid.indicators] + [f"dim{d}" for d in range(DIMENSIONS)] + ["index"]
    ]
    agree = np.allclose(results.scores[:, order], baseline, equal_nan=True, rtol=1e-9, atol=1e-9)
    del results, baseline

    gc.collect()
    tracemalloc.start()
    kept = vises.score(grid, dataset)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept

    ratio = t_vises / t_numpy
    memory = peak / raw_bytes
    print(f"rows={args.rows:,} indicators={len(grid.indicators)} repeats={args.repeats}")
    print(f"vises.score     median {t_vises:8.3f} s")
    print(f"numpy baseline  median {t_numpy:8.3f} s")
    print(f"ratio (vises / numpy)  {ratio:8.2f}   target <= 1.5   {'ok' if ratio <= 1.5 else 'OVER'}")
    print(f"peak memory / raw matrix {memory:6.2f}   target <= 2.5   {'ok' if memory <= 2.5 else 'OVER'}")
    print(f"results agree with the baseline: {agree}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
