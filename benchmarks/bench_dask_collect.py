"""Benchmark the records step on Dask (``vises.dask.collect``) against ``vises.collect`` on the same records.

The records and the 20 measures are ``bench_records.py``'s (every statistic, with filters), written
as a folder of Parquet files. The baseline reads the same folder with pandas and runs
``vises.collect`` in memory; the Dask run reads the folder on a ``LocalCluster`` (two worker
processes by default). Both are checked equal first (values and n to 1e-12), then timed: medians
of repeats in the same run, and their ratio. Dask is not expected to win on one machine (its
passes, the shuffle for count distinct and median, and the task overheads cost more than they
save); the figure says how much a run costs when the records outgrow memory.

    python benchmarks/bench_dask_collect.py [--records 1000000] [--files 8] [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_records import make_records, measures


def _median_time(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import pandas as pd

    import vises
    import vises.dask
    from vises import Collection, RecordSource

    spec = Collection(
        sources=(RecordSource(name="register", organisation="centre", period="year"),), measures=measures()
    )
    frame = make_records(args.records)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "register"
        folder.mkdir()
        bounds = np.linspace(0, len(frame), args.files + 1).astype(int)
        for i in range(args.files):
            frame.iloc[bounds[i] : bounds[i + 1]].to_parquet(folder / f"part{i:03d}.parquet", index=False)
        size = sum(f.stat().st_size for f in folder.iterdir())

        def in_memory() -> vises.Dataset:
            return vises.collect(spec, pd.read_parquet(folder))

        def on_dask() -> vises.Dataset:
            return vises.dask.collect(spec, folder)

        warnings.simplefilter("ignore", vises.DataWarning)
        with vises.dask.cluster(workers=args.workers, threads=1):
            memory, distributed = in_memory(), on_dask()
            assert distributed.organisations.tolist() == memory.organisations.tolist()
            for code, column in memory.columns.items():
                a, b = column.values, distributed.columns[code].values
                assert np.array_equal(np.isnan(a), np.isnan(b)), code
                ok = ~np.isnan(a)
                assert np.all(np.abs(a[ok] - b[ok]) <= 1e-12 * np.maximum(1.0, np.abs(a[ok]))), code
            memory_seconds = _median_time(in_memory, args.repeats)
            dask_seconds = _median_time(on_dask, args.repeats)
    print(
        f"{args.records:,} records x {len(spec.measures)} measures, {args.files} Parquet files "
        f"({size / 2**20:.0f} MiB), {len(memory)} organisation x period rows"
    )
    print(f"vises.collect (memory):            {memory_seconds:7.2f} s  (median of {args.repeats})")
    print(f"vises.dask.collect ({args.workers} workers):     {dask_seconds:7.2f} s  (median of {args.repeats})")
    print(f"ratio dask / memory:               {dask_seconds / memory_seconds:7.2f}")


if __name__ == "__main__":
    main()
