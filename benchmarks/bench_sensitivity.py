"""Benchmark the variance-based sensitivity analysis and the Spearman matrix, against baselines of the same run.

1. ``sobol_sensitivity``: 1,000 organisations × 50 indicators (5 dimensions), 5 uncertain choices
   (imputation none/mean, winsorisation limit 1–5, normaliser minmax/zscore, aggregator
   arithmetic/median, weights ±25 %), N = 512: N (d + 2) = 3,584 runs. Target: ≤ 60 s. Baseline:
   one full ``vises.score`` of the same grid and data (median of repeats); the ratio
   "runs × one scoring / analysis" is what normalising once per combination and re-aggregating
   per run saves over re-scoring every run.
2. ``spearman_matrix``: 100,000 rows × 50 columns with gaps (1,225 pairs), against per-pair
   ``spearman`` (each pair ranked anew) timed on a sample of pairs and scaled, and pandas'
   ``DataFrame.corr(method="spearman")`` when pandas is installed.

Timings on a shared machine are noisy: read the medians and ratios, not one run.

    python benchmarks/bench_sensitivity.py [--orgs 1000] [--n 512] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np


def build(orgs: int, seed: int = 5):  # type: ignore[no-untyped-def]
    from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node

    rng = np.random.default_rng(seed)
    nodes = [Node(code="index"), *(Node(code=f"dim{d}", parent="index", weight=float(d + 1)) for d in range(5))]
    indicators, columns = [], {}
    for k in range(50):
        code = f"ind{k:02d}"
        indicators.append(Indicator(code=code, parent=f"dim{k // 10}", weight=float(1 + k % 3)))
        values = rng.gamma(3.0, 10.0, size=orgs)
        values[rng.choice(orgs, size=1 + k % 6, replace=False)] *= 8.0  # 1 to 6 outliers: winmax matters
        values[rng.random(orgs) < 0.04] = np.nan
        columns[code] = Column(values=values)
    grid = Grid(
        code="bench",
        nodes=tuple(nodes),
        indicators=tuple(indicators),
        defaults=Defaults(treatment=Method(name="winsorise")),
    )
    data = Dataset(
        organisations=np.array([f"org{i}" for i in range(orgs)]), periods=np.full(orgs, "2024"), columns=columns
    )
    return grid, data


CHOICES = {
    "imputation": ["none", "mean"],
    "winmax": {"low": 1, "high": 5},
    "normaliser": ["minmax", "zscore"],
    "aggregator": ["arithmetic", "median"],
    "weights": 0.25,
}


def median_time(function, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_sobol(orgs: int, n: int, repeats: int) -> bool:
    import vises
    from vises.analysis import sobol_sensitivity

    grid, data = build(orgs)
    compiled = vises.compile_grid(grid)
    one_scoring = median_time(lambda: vises.score(compiled, data), max(3, repeats))
    result = None

    def analysis() -> None:
        nonlocal result
        result = sobol_sensitivity(grid, data, choices=CHOICES, n=n, seed=0, bootstrap=1000)

    elapsed = median_time(analysis, repeats)
    assert result is not None
    runs = result.runs
    print(f"Sobol: {orgs} organisations x 50 indicators x {len(CHOICES)} choices x N = {n} ({runs} runs)")
    print(f"  one full scoring (baseline, median):       {one_scoring * 1000:8.1f} ms")
    print(f"  the whole analysis (median of {repeats}):        {elapsed:8.2f} s   (target <= 60 s)")
    print(f"  re-scoring every run would take about:    {runs * one_scoring:8.1f} s")
    print(f"  ratio (runs x one scoring / analysis):     {runs * one_scoring / elapsed:8.1f} x")
    for record in result.indices.to_records():
        print(
            f"    {record['choice']:<11} S = {record['first']:6.3f} [{record['first_low']:6.3f}, "
            f"{record['first_high']:6.3f}]   ST = {record['total']:6.3f} [{record['total_low']:6.3f}, "
            f"{record['total_high']:6.3f}]"
        )
    return elapsed <= 60.0


def bench_spearman(rows: int, columns: int, repeats: int) -> None:
    from vises.numeric import spearman, spearman_matrix

    rng = np.random.default_rng(1)
    block = rng.normal(size=(rows, columns))
    block[rng.random(block.shape) < 0.02] = np.nan
    pairs = columns * (columns - 1) // 2
    matrix = median_time(lambda: spearman_matrix(block), repeats)
    sample = [(i, (i * 7 + 3) % columns) for i in range(10) if i != (i * 7 + 3) % columns]
    per_pair = median_time(lambda: [spearman(block[:, i], block[:, j]) for i, j in sample], 1) / len(sample)
    print(f"Spearman matrix: {rows} rows x {columns} columns ({pairs} pairs), 2 % missing")
    print(f"  spearman_matrix (median of {repeats}):        {matrix:8.2f} s")
    scaled = per_pair * pairs
    print(f"  ranking each pair anew (scaled from {len(sample)}):  {scaled:8.2f} s   ratio {scaled / matrix:5.1f} x")
    try:
        import pandas as pd
    except ImportError:
        return
    frame = pd.DataFrame(block)
    with_pandas = median_time(lambda: frame.corr(method="spearman"), 1)
    print(f"  pandas DataFrame.corr('spearman'):          {with_pandas:8.2f} s   ratio {with_pandas / matrix:5.1f} x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    ok = bench_sobol(args.orgs, args.n, args.repeats)
    bench_spearman(args.rows, 50, args.repeats)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
