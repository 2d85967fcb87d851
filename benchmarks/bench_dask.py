"""Benchmark vises.dask.score on a folder of Parquet files against vises.score in memory, in one run.

1. The large run: ``--rows`` rows × 20 indicators (default 2,000,000; the issue's size is
   ``--rows 20000000``: a 3.0 GiB float64 matrix) written file by file (never the whole matrix in
   memory) as a folder of Parquet files of ``--file-rows`` rows (one partition each), into a
   temporary folder removed afterwards, then scored on a LocalCluster of ``--workers`` worker
   processes of one thread and ``--memory-limit`` each: fit on merged statistics, score every
   partition, global ranks of the five aggregates per period (what ``vises score --engine dask``
   ranks), written as a Parquet folder. Prints the wall time, the rows per second and the peak
   memory of the whole process tree (this process, the scheduler, the nannies and the workers,
   sampled every 50 ms by a thread: the sum of proportional set sizes, shared pages counted once,
   and the sum of resident set sizes) beside the size of the data: the float64 matrix of the
   indicators (rows × 20 × 8 bytes), the frame as pandas holds it (with the key columns), and the
   Parquet files on disk.
2. The ratio: at ``--fit-rows`` (a size that fits; default 2,000,000) the job in memory —
   ``vises.load_data`` of the Parquet file, ``vises.score``, the ``parquet`` report written (it ranks
   every code) — and on Dask (the same rows in four files, the CLI's output), each repeated
   ``--repeats`` times; prints the medians and the throughput ratio (Dask / memory; above 1 is
   faster on Dask). The outputs' common columns are checked equal (scores to 1e-12, ranks
   exactly) before any figure is printed.

Timings on a shared machine are noisy: read the medians and the ratio, not one run; the load
average is printed with them. ``--report FILE`` writes dask's performance report (HTML; needs
bokeh) of the large run.

    python benchmarks/bench_dask.py [--rows N] [--fit-rows N] [--file-rows N] [--workers W]
        [--memory-limit 2GiB] [--repeats R] [--skip-large] [--report FILE]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import contextlib
import gc
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

DIMENSIONS = 4
PER_DIMENSION = 5
PERIODS = ("2021", "2022", "2023", "2024")


def grid() -> Any:
    import vises

    nodes = [vises.Node(code="index")]
    indicators = []
    for d in range(DIMENSIONS):
        nodes.append(vises.Node(code=f"dim{d}", parent="index", weight=float(d + 1)))
        for i in range(PER_DIMENSION):
            k = d * PER_DIMENSION + i
            indicators.append(
                vises.Indicator(code=f"ind{k:02d}", parent=f"dim{d}", direction="lower" if k % 7 == 0 else "higher")
            )
    return vises.Grid(code="bench", nodes=tuple(nodes), indicators=tuple(indicators))


def write_store(folder: Path, rows: int, file_rows: int, seed: int = 7) -> int:
    """``rows`` rows in files of ``file_rows`` (sorted by period, ~5 % missing); returns the bytes on disk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    per_period = -(-rows // len(PERIODS))
    for number, start in enumerate(range(0, rows, file_rows)):
        stop = min(start + file_rows, rows)
        position = np.arange(start, stop)
        columns: dict[str, Any] = {
            "organisation": pa.array(np.char.add("org", (position % per_period).astype(str))),
            "period": pa.array(np.asarray(PERIODS)[position // per_period]),
        }
        for k in range(DIMENSIONS * PER_DIMENSION):
            values = rng.gamma(2.0, 50.0, size=stop - start)
            values[rng.random(stop - start) < 0.05] = np.nan
            columns[f"ind{k:02d}"] = pa.array(values, from_pandas=True)
        pq.write_table(pa.table(columns), folder / f"part{number:04d}.parquet", compression="zstd")
    return sum(f.stat().st_size for f in folder.iterdir())


def split_store(file: Path, folder: Path, pieces: int) -> None:
    """The rows of ``file`` in ``pieces`` files (the same rows, so the outputs compare)."""
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    table = pq.read_table(file)
    step = -(-table.num_rows // pieces)
    for number, start in enumerate(range(0, table.num_rows, step)):
        pq.write_table(table.slice(start, step), folder / f"part{number:04d}.parquet", compression="zstd")


def size_in_memory(rows: int, folder: Path) -> int:
    """The data as pandas holds it: float64 indicators plus the key columns of one file, scaled."""
    import pandas as pd

    first = pd.read_parquet(next(iter(sorted(folder.iterdir()))))
    return int(first.memory_usage(deep=True, index=False).sum() / len(first) * rows)


def memory_now() -> tuple[int, int]:
    """The memory of this process and all its descendants: (proportional set sizes summed, shared
    library pages counted once across processes; resident set sizes summed). PSS is RSS where the
    system does not say."""
    import psutil

    me = psutil.Process()
    pss = rss = 0
    for process in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            info = process.memory_full_info()
            pss += getattr(info, "pss", info.rss)
            rss += info.rss
    return pss, rss


@contextlib.contextmanager
def peak_memory() -> Iterator[list[int]]:
    """The peaks of ``memory_now`` (PSS, RSS) while inside, sampled every 50 ms by a thread."""
    peak = [0, 0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            pss, rss = memory_now()
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def on_dask(the_grid: Any, folder: Path, out: Path, ranks: str = "nodes") -> Path:
    import vises.dask

    if out.exists():
        shutil.rmtree(out)
    return vises.dask.score(the_grid, folder).to_parquet(out, ranks=ranks)


def in_memory(the_grid: Any, file: Path, out: Path) -> Path:
    import vises

    results = vises.score(the_grid, vises.load_data(file, grid=the_grid))
    out.write_bytes(vises.render(results, "parquet"))  # type: ignore[arg-type]
    return out


def check_equal(memory_file: Path, dask_folder: Path) -> None:
    import pandas as pd

    keys = ["period", "organisation"]
    ours = pd.read_parquet(dask_folder).sort_values(keys, kind="stable").reset_index(drop=True)
    theirs = pd.read_parquet(memory_file).sort_values(keys, kind="stable").reset_index(drop=True)
    assert set(ours.columns) <= set(theirs.columns), sorted(set(ours.columns) - set(theirs.columns))
    assert (ours["organisation"] == theirs["organisation"]).all()
    for column in ours.columns[2:]:
        a = ours[column].astype("float64").to_numpy()
        b = theirs[column].astype("float64").to_numpy()
        assert np.array_equal(np.isnan(a), np.isnan(b)), column
        tolerance = 0.0 if column.startswith("rank.") else 1e-12
        assert np.allclose(a, b, rtol=0.0, atol=tolerance, equal_nan=True), column


def _total_memory() -> int:
    import psutil

    return int(psutil.virtual_memory().total)


def _performance_report(path: Path) -> Any:
    from distributed import performance_report

    return performance_report(filename=str(path))


def load() -> str:
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())


def median_time(job: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows of the large run (the issue's: 20000000)")
    parser.add_argument("--fit-rows", type=int, default=2_000_000, help="rows of the memory-vs-Dask ratio")
    parser.add_argument("--file-rows", type=int, default=250_000, help="rows per Parquet file (one partition each)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="2GiB", help="per worker: spills past 60 %%, restarts past 95 %%")
    parser.add_argument("--report", type=Path, help="dask's performance report of the large run (HTML, needs bokeh)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true", help="only the ratio")
    parser.add_argument("--skip-ratio", action="store_true", help="only the large run")
    parser.add_argument("--scratch", type=Path, help="where the temporary files go (default: the system's temp)")
    args = parser.parse_args()

    import logging

    import vises.dask

    logging.getLogger("distributed").setLevel(logging.ERROR)
    the_grid = grid()
    scratch = Path(tempfile.mkdtemp(prefix="vises-bench-dask-", dir=args.scratch))
    try:
        with vises.dask.cluster(workers=args.workers, threads=1, memory_limit=args.memory_limit) as client:
            workers = len(client.scheduler_info()["workers"])
            print(
                f"LocalCluster: {workers} worker processes × 1 thread, {args.memory_limit} each; "
                f"{os.cpu_count()} cores, {_total_memory() / 2**30:.1f} GiB; scratch {scratch}",
                flush=True,
            )
            large_rate = None if args.skip_large else large_run(args, client, the_grid, scratch)
            if not args.skip_ratio:
                ratio(args, the_grid, scratch, large_rate)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    sys.stdout.flush()


def large_run(args: Any, client: Any, the_grid: Any, scratch: Path) -> float:
    """Section 1: the large store scored, ranked and written; returns its rows per second."""
    large = scratch / "large"
    start = time.perf_counter()
    on_disk = write_store(large, args.rows, args.file_rows)
    print(
        f"\nwrote {args.rows:,} rows in {time.perf_counter() - start:.0f} s (files of {args.file_rows:,})", flush=True
    )
    matrix = args.rows * DIMENSIONS * PER_DIMENSION * 8
    data_size = size_in_memory(args.rows, large)
    client.run(gc.collect)
    idle, idle_rss = memory_now()
    report = contextlib.nullcontext() if args.report is None else _performance_report(args.report)
    with report, peak_memory() as peak:
        start = time.perf_counter()
        on_dask(the_grid, large, scratch / "dask-large")
        elapsed = time.perf_counter() - start
    files = len(list(large.iterdir()))
    written = sum(f.stat().st_size for f in (scratch / "dask-large").iterdir())
    shutil.rmtree(large)
    shutil.rmtree(scratch / "dask-large")
    print(f"\n{args.rows:,} rows × 20 indicators from {files} Parquet files on Dask (load average {load()}):")
    print(
        f"  data: {matrix / 2**30:.2f} GiB as a float64 matrix, {data_size / 2**30:.2f} GiB as pandas holds "
        f"it (with the key columns), {on_disk / 2**30:.2f} GiB of Parquet on disk"
    )
    print(f"  scored, ranked and written in {elapsed:.1f} s ({args.rows / elapsed:,.0f} rows/s)")
    print(f"  output: {written / 2**30:.2f} GiB of Parquet")
    print(
        f"  peak memory of all processes: {peak[0] / 2**30:.2f} GiB PSS = {peak[0] / matrix:.2f} × the matrix, "
        f"{peak[0] / on_disk:.2f} × the Parquet ({peak[1] / 2**30:.2f} GiB RSS summed)"
    )
    print(
        f"  (the idle client, scheduler and workers held {idle / 2**30:.2f} GiB PSS, "
        f"{idle_rss / 2**30:.2f} GiB RSS, before the run)",
        flush=True,
    )
    return args.rows / elapsed


def ratio(args: Any, the_grid: Any, scratch: Path, large_rate: float | None) -> None:
    """Section 2: the same job in memory and on Dask at a size that fits, outputs checked equal."""
    fit = scratch / "fit"
    write_store(fit, args.fit_rows, args.fit_rows)
    fit_file = next(iter(fit.iterdir()))
    split = scratch / "fit-split"  # the same rows in four files, so Dask has partitions to spread
    split_store(fit_file, split, 4)
    memory_out, dask_out = scratch / "memory.parquet", scratch / "dask-fit"
    with peak_memory() as memory_peak:
        memory_time = median_time(lambda: in_memory(the_grid, fit_file, memory_out), args.repeats)
    with peak_memory() as dask_peak:
        dask_time = median_time(lambda: on_dask(the_grid, split, dask_out), args.repeats)
    check_equal(memory_out, dask_out)
    print(f"\n{args.fit_rows:,} rows × 20 indicators, medians of {args.repeats} (load average {load()}):")
    rate = args.fit_rows / memory_time
    print(f"  in memory  {memory_time:8.2f} s   {rate:12,.0f} rows/s   peak {memory_peak[0] / 2**30:.2f} GiB PSS")
    print(
        f"  on Dask    {dask_time:8.2f} s   {args.fit_rows / dask_time:12,.0f} rows/s   "
        f"peak {dask_peak[0] / 2**30:.2f} GiB PSS"
    )
    print("  (peaks of all processes, the idle cluster included)")
    print(f"  throughput ratio Dask / memory: {memory_time / dask_time:.2f}  (outputs checked equal)")
    if large_rate is not None:
        print(f"  the large run's rows/s / memory's rows/s here: {large_rate / rate:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
