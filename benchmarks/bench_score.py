"""Benchmark vises.score against hand-written numpy doing the same work, each figure in one run.

1. The whole network: 1,000,000 rows × 50 quantity indicators (10 of them given in minutes for
   hour indicators), a 3-level grid (root, 5 dimensions, 10 indicators each), about 5 % missing
   values, minmax 0–100 and weighted arithmetic means with weights renormalised over present
   children. Prints the median times, their ratio (target ≤ 1.5), the peak memory of ``vises.score``
   over the raw float64 matrix (target ≤ 2.5×), and checks both pipelines agree.
2. One organisation against the network's parameters (the web-form case): the fast path
   ``CompiledGrid.scorer(reference)`` per call against a hand-written numpy version of the same
   job (target ≤ 0.3 ms and ≤ 4×), and what ``vises.score`` on a one-row dataset costs beside it.
3. COINr's default build (a) at 100,000 units — denominate, group-mean imputation,
   winsorisation, min-max, arithmetic mean — on COINr's ASEM example resampled, in the engine.
   The side-by-side with R's COINr runs only when ``Rscript`` and COINr are installed; otherwise
   the line says why it is skipped.
4. Min-max + arithmetic mean at 100,000 units: ``vises score`` through the CLI, CSV in and CSV out,
   beside COINr's ``new_coin`` → ``Normalise`` → ``Aggregate`` in R (target: vises ≥ 20× faster),
   and beside the same job written by hand (pyarrow read, numpy, pyarrow write of the same score
   columns, in a fresh process): the floor any Python pipeline starts from, so the line shows how
   far the target is from what reading and writing the files alone cost.

Timings on shared machines are noisy: read the ratios and the medians, not one run. BLAS runs on
one thread unless ``OPENBLAS_NUM_THREADS`` is set (see the note at the imports).

    python benchmarks/bench_score.py [--rows N] [--repeats R] [--units N] [--only network,one,coinr]
"""

from __future__ import annotations

import os

# BLAS threads pinned to one unless asked otherwise: on a shared machine, waking a second BLAS
# thread for each small matrix product measures the machine's load, not the engine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

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


def network(rows: int, repeats: int) -> bool:
    import vises
    from vises.engine.compile import compile_grid
    from vises.plugins import get_registry

    grid, dataset = build(rows)
    raw_bytes = rows * len(grid.indicators) * 8
    registry = get_registry()
    compile_grid(grid, registry)  # warm caches (pint registry, plugins) outside the timing
    vises.units.registry()

    t_vises, results = timed(lambda: vises.score(grid, dataset), repeats)
    t_numpy, baseline = timed(lambda: numpy_baseline(grid, dataset), repeats)

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
    print(f"== the whole network: rows={rows:,} indicators={len(grid.indicators)} repeats={repeats}")
    print(f"vises.score     median {t_vises:8.3f} s")
    print(f"numpy baseline  median {t_numpy:8.3f} s")
    print(f"ratio (vises / numpy)  {ratio:8.2f}   target <= 1.5   {'ok' if ratio <= 1.5 else 'OVER'}")
    print(f"peak memory / raw matrix {memory:6.2f}   target <= 2.5   {'ok' if memory <= 2.5 else 'OVER'}")
    print(f"results agree with the baseline: {agree}")
    return bool(agree)


def hand_written_one(grid, results, units):
    """One organisation scored by hand in numpy against the network's min and max: the yardstick."""
    codes = [ind.code for ind in grid.indicators]
    factor = np.array([1.0 / 60.0 if units[code] == "min" else 1.0 for code in codes])
    rising = np.array([ind.direction.value != "lower" for ind in grid.indicators])
    low = np.array([results.fitted[code]["min"] for code in codes])
    high = np.array([results.fitted[code]["max"] for code in codes])
    weights = np.array([ind.weight for ind in grid.indicators]).reshape(DIMENSIONS, PER_DIMENSION)
    dim_weights = np.array([float(d + 1) for d in range(DIMENSIONS)])
    names = [*codes, *(f"dim{d}" for d in range(DIMENSIONS)), "index"]

    def score_one(values):
        x = np.array([values.get(code) for code in codes], dtype=np.float64) * factor
        s = np.where(rising, x - low, high - x) / (high - low) * 100.0
        present = ~np.isnan(s)
        block = np.where(present, s, 0.0).reshape(DIMENSIONS, PER_DIMENSION)
        dims = (block * weights).sum(axis=1) / (present.reshape(DIMENSIONS, PER_DIMENSION) * weights).sum(axis=1)
        ok = ~np.isnan(dims)
        root = (np.where(ok, dims, 0.0) * dim_weights).sum() / (ok * dim_weights).sum()
        return dict(zip(names, [*s.tolist(), *dims.tolist(), float(root)], strict=True))

    return score_one


def per_call(fn, calls: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean time of one call, in seconds."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def one_organisation(repeats: int) -> bool:
    import vises
    from vises.model import Column, Dataset

    grid, dataset = build(3_000)
    compiled = vises.compile_grid(grid)
    reference = vises.score(compiled, dataset)
    units = {code: column.unit for code, column in dataset.columns.items()}
    row = 4
    values = {code: float(column.values[row]) for code, column in dataset.columns.items()}
    fast = compiled.scorer(reference, units=units)
    hand = hand_written_one(grid, reference, units)
    alone = Dataset(
        organisations=np.array(["new"]),
        periods=np.array(["2019"]),
        columns={code: Column(values=np.array([value]), unit=units[code]) for code, value in values.items()},
    )
    got, expected = fast(values), hand(values)
    agree = all(np.isclose(got[code], expected[code], rtol=1e-12, atol=1e-9, equal_nan=True) for code in expected)
    t_fast = per_call(lambda: fast(values), 2_000, repeats)
    t_hand = per_call(lambda: hand(values), 2_000, repeats)
    t_score = per_call(lambda: vises.score(compiled, alone, reference=reference), 200, repeats)
    ratio = t_fast / t_hand
    print(
        f"== one organisation against the network's parameters ({len(grid.indicators)} indicators, {repeats} repeats)"
    )
    print(
        f"compiled.scorer(reference)   {t_fast * 1e3:8.4f} ms per call   target <= 0.3   "
        f"{'ok' if t_fast <= 3e-4 else 'OVER'}"
    )
    print(f"hand-written numpy           {t_hand * 1e3:8.4f} ms per call")
    print(f"ratio (scorer / numpy)       {ratio:8.2f}   target <= 4     {'ok' if ratio <= 4 else 'OVER'}")
    print(f"vises.score on one row       {t_score * 1e3:8.4f} ms per call   (the general path, compiled grid)")
    print(f"scorer agrees with the hand-written version: {agree}")
    return bool(agree)


def _asem() -> Path | None:
    for folder in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")):
        if (folder / "datasets" / "asem" / "iMeta.csv").is_file():
            return folder / "datasets" / "asem"
    return None


def coinr_build_a(units: int, repeats: int) -> bool:
    """COINr's default build (a) on ASEM resampled to ``units`` units, in the engine."""
    import attrs

    import vises
    from vises.io.coinr import read_coinr_meta
    from vises.model import Column, Dataset, Defaults, Method

    asem = _asem()
    print(
        f"== COINr default build (a) at {units:,} units (denominate, group-mean imputation, winsorisation, "
        "min-max, arithmetic mean)"
    )
    if asem is None:
        print("skipped: COINr's ASEM example is not in ../shared/datasets/asem nor /work/shared/datasets/asem")
        return True
    grid = read_coinr_meta(asem / "iMeta.csv", denominators=True)
    grid = attrs.evolve(
        grid,
        defaults=Defaults(
            normaliser=Method(name="minmax", params={"low": 0.0, "high": 100.0}),
            aggregator=Method(name="arithmetic"),
            imputation=Method(name="group_mean", params={"group": "GDP_group", "pooled": True}),
            treatment=Method(name="winsorise"),
        ),
    )
    small = vises.load_data(asem / "iData.csv", grid=grid)
    rng = np.random.default_rng(11)
    pick = rng.integers(0, len(small), size=units)
    columns = {}
    for code, column in small.columns.items():
        noise = np.exp(rng.normal(0.0, 0.1, size=units))
        columns[code] = Column(values=column.values[pick] * noise, unit=column.unit)
    data = Dataset(
        organisations=np.char.add("u", np.arange(units).astype(str)),
        periods=np.full(units, "2018"),
        columns=columns,
        attributes={name: values[pick] for name, values in small.attributes.items()},
    )
    vises.score(grid, data)  # compile and warm outside the timing
    t_engine, results = timed(lambda: vises.score(grid, data), repeats)
    imputed = sum(int(results.imputed(item.code).sum()) for item in results.compiled.indicators)
    print(
        f"vises.score (engine)   median {t_engine:8.3f} s   ({imputed:,} cells imputed by group, "
        f"{len(results.compiled.indicators)} indicators)"
    )
    rscript = _coinr_rscript()
    if rscript is None:
        return True
    t_coinr = _coinr_build_a(rscript, grid, data)
    print(
        f"COINr new_coin ... Aggregate   {t_coinr:8.3f} s   ratio (COINr / vises) {t_coinr / t_engine:8.1f}   "
        f"target >= 20   {'ok' if t_coinr / t_engine >= 20 else 'UNDER'}"
    )
    return True


def _write_idata(data, path: Path) -> None:
    """The dataset as COINr's iData: uCode, every attribute (uName for the name), every column; R reads
    an empty numeric cell as NA."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = {"uCode": pa.array(data.organisations.astype(str)), "Time": pa.array(data.periods.astype(str))}
    for name, values in data.attributes.items():
        table["uName" if name == "name" else name] = pa.array(np.asarray(values, dtype=str))
    for code, column in data.columns.items():
        table[code] = pa.array(column.values, mask=np.isnan(column.values))
    pacsv.write_csv(pa.table(table), path)


def _coinr_build_a(rscript: str, grid, data) -> float:
    """Time COINr's build (a) on the same data in R (only when R and COINr are installed)."""
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        _write_idata(data, here / "iData.csv")
        asem = _asem()
        assert asem is not None
        script = f"""
suppressPackageStartupMessages(library(COINr))
iData <- read.csv("{here / "iData.csv"}")
iMeta <- read.csv("{asem / "iMeta.csv"}", na.strings = c("NA", ""))
start <- Sys.time()
coin <- new_coin(iData, iMeta, quietly = TRUE)
coin <- Denominate(coin, dset = "Raw")
coin <- Impute(coin, dset = "Denominated", f_i = "i_mean_grp", use_group = "GDP_group")
coin <- Treat(coin, dset = "Imputed")
coin <- Normalise(coin, dset = "Treated")
coin <- Aggregate(coin, dset = "Normalised")
cat(as.numeric(difftime(Sys.time(), start, units = "secs")))
"""
        return _run_r(rscript, script)


def _resampled_idata(asem: Path, units: int, path: Path, seed: int = 13) -> None:
    """ASEM's iData resampled to ``units`` units (log-normal noise on every number), written as CSV."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(asem / "iData.csv")
    rng = np.random.default_rng(seed)
    pick = pa.array(rng.integers(0, table.num_rows, size=units))
    codes = pa.array(np.char.add("u", np.arange(units).astype(str)))
    columns = {}
    for name in table.column_names:
        column = pc.take(table[name], pick)
        if name in ("uName", "uCode"):
            column = codes
        elif pa.types.is_floating(column.type) or (pa.types.is_integer(column.type) and name != "Time"):
            noise = pa.array(np.exp(rng.normal(0.0, 0.1, size=units)))
            column = pc.multiply(pc.cast(column, pa.float64()), noise)
        columns[name] = column
    pacsv.write_csv(pa.table(columns), path)


#: Min-max + arithmetic mean over ASEM's tree by hand, run as ``python -c SCRIPT iData iMeta out.csv``:
#: what a careful analyst writes with pyarrow and numpy (no checks), every score column written.
HAND_WRITTEN_ASEM = """
import sys
import numpy as np, pyarrow as pa, pyarrow.csv as pacsv
data, meta, out = sys.argv[1:4]
m = pacsv.read_csv(meta).to_pylist()
table = pacsv.read_csv(data)
scores = {}
for row in m:
    if row["Type"] == "Indicator":
        x = table[row["iCode"]].to_numpy(zero_copy_only=False).astype(np.float64)
        x = x * row["Direction"]
        low, high = np.nanmin(x), np.nanmax(x)
        scores[row["iCode"]] = (x - low) / (high - low) * 100
for level in sorted({row["Level"] for row in m if row["Type"] == "Aggregate"}):
    for node in (row for row in m if row["Type"] == "Aggregate" and row["Level"] == level):
        children = [row for row in m if row["Parent"] == node["iCode"] and row["iCode"] in scores]
        block = np.column_stack([scores[child["iCode"]] for child in children])
        weights = np.array([child["Weight"] for child in children], dtype=np.float64)
        present = ~np.isnan(block)
        scores[node["iCode"]] = np.where(present, block, 0.0) @ weights / (present @ weights)
columns = {"uCode": table["uCode"]} | {code: pa.array(values) for code, values in scores.items()}
pacsv.write_csv(pa.table(columns), out)
"""


def coinr_minmax_mean(units: int, repeats: int) -> bool:
    """`vises score` CSV in, CSV out, against COINr's new_coin ... Aggregate for min-max + mean."""
    asem = _asem()
    print(f"== min-max + arithmetic mean at {units:,} units: vises score (CLI, CSV in and out) beside COINr")
    if asem is None:
        print("skipped: COINr's ASEM example is not in ../shared/datasets/asem nor /work/shared/datasets/asem")
        return True
    vises_cli = Path(sys.executable).with_name("vises")
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        _resampled_idata(asem, units, here / "iData.csv")
        # vises reads the denominators and groups of an iData from the iMeta beside it.
        (here / "iMeta.csv").symlink_to(asem / "iMeta.csv")
        command = [str(vises_cli), "score", str(here / "iData.csv"), "--grid", str(here / "iMeta.csv")]
        command += ["--format", "csv", "-o", str(here / "scores.csv"), "--force"]
        # As an installed package has: modules' bytecode cached (pip compiles it at install). A
        # PYTHONDONTWRITEBYTECODE in the environment would make every run compile vises anew (~0.3 s).
        env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        subprocess.run(command, check=True, capture_output=True, env=env)  # warm the file and bytecode caches
        print(f"load average before: {_load()}")
        t_vises, _ = timed(lambda: subprocess.run(command, check=True, capture_output=True, env=env), repeats)
        print(f"vises score (CLI, end to end)   median {t_vises:8.3f} s   (load average after: {_load()})")
        # The floor: the same job written by hand in a fresh process (pyarrow read, numpy min-max
        # and weighted means, pyarrow write of the same score columns), as the baselines.
        floor = [sys.executable, "-c", HAND_WRITTEN_ASEM, str(here / "iData.csv"), str(asem / "iMeta.csv")]
        floor.append(str(here / "floor.csv"))
        subprocess.run(floor, check=True, capture_output=True, env=env)
        t_floor, _ = timed(lambda: subprocess.run(floor, check=True, capture_output=True, env=env), repeats)
        print(
            f"hand-written (pyarrow read, numpy, pyarrow write)   median {t_floor:8.3f} s   "
            f"vises / hand-written {t_vises / t_floor:5.2f}   "
            f"(indexes differ by at most {_index_gap(here / 'scores.csv', here / 'floor.csv', 'uCode'):.1e})"
        )
        rscript = _coinr_rscript()
        if rscript is None:
            return True
        script = f"""
suppressPackageStartupMessages(library(COINr))
iData <- read.csv("{here / "iData.csv"}")
iMeta <- read.csv("{asem / "iMeta.csv"}", na.strings = c("NA", ""))
start <- Sys.time()
coin <- new_coin(iData, iMeta, quietly = TRUE)
coin <- Normalise(coin, dset = "Raw")
coin <- Aggregate(coin, dset = "Normalised")
seconds <- as.numeric(difftime(Sys.time(), start, units = "secs"))
write.csv(coin$Data$Aggregated[, c("uCode", "Index")], "{here / "coinr.csv"}", row.names = FALSE)
cat(seconds)
"""
        runs = [_run_r(rscript, script) for _ in range(max(1, min(repeats, 3)))]
        t_coinr = statistics.median(runs)
        print(f"load average after COINr: {_load()}")
        print(f"the two indexes differ by at most {_index_gap(here / 'scores.csv', here / 'coinr.csv'):.1e}")
        print(
            f"COINr new_coin ... Aggregate (in R, reading excluded)   median {t_coinr:8.3f} s   "
            f"ratio (COINr / vises) {t_coinr / t_vises:8.1f}   target >= 20   "
            f"{'ok' if t_coinr / t_vises >= 20 else 'UNDER'}"
        )
        print(f"COINr / hand-written {t_coinr / t_floor:8.1f}   (what the target asks of vises: >= 20)")
    return True


def _load() -> str:
    """The machine's load average over 1, 5 and 15 minutes (timings on a shared machine depend on it)."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _index_gap(vises_scores: Path, other_scores: Path, unit: str = "uCode") -> float:
    """The largest difference between the index vises wrote and another pipeline's, unit by unit."""
    import pyarrow.csv as pacsv

    ours = pacsv.read_csv(vises_scores).select(["organisation", "Index"]).to_pydict()
    theirs = pacsv.read_csv(other_scores).select([unit, "Index"]).to_pydict()
    by_unit = dict(zip(theirs[unit], theirs["Index"], strict=True))
    return max(abs(score - by_unit[unit]) for unit, score in zip(ours["organisation"], ours["Index"], strict=True))


def _coinr_rscript() -> str | None:
    """Rscript when R and COINr are installed; otherwise None, after saying why."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("COINr side by side: skipped (Rscript is not installed on this machine)")
        return None
    check = subprocess.run([rscript, "-e", "library(COINr)"], capture_output=True, text=True)
    if check.returncode != 0:
        print("COINr side by side: skipped (R is installed but the COINr package is not)")
        return None
    return rscript


def _run_r(rscript: str, script: str) -> float:
    done = subprocess.run([rscript, "-e", script], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the COINr script failed:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().split()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--units", type=int, default=100_000, help="units for COINr's build (a)")
    parser.add_argument("--only", default="network,one,coinr", help="which parts to run, comma-separated")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    ok = True
    if "network" in parts:
        ok &= network(args.rows, args.repeats)
    if "one" in parts:
        ok &= one_organisation(args.repeats)
    if "coinr" in parts:
        ok &= coinr_minmax_mean(args.units, args.repeats)
        ok &= coinr_build_a(args.units, args.repeats)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
