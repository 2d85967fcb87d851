"""Benchmark vises's readers and the CLI end to end against pyarrow/calamine baselines, in one run.

Every figure is a median of repeats, printed beside its baseline measured in the same run on the
same file, with the ratio and the target (issue 10), in wall time and in CPU time (all threads and
child processes: steadier than wall time on a machine shared with other work):

- ``load_data(csv)`` with the grid, at 10k / 100k / 1M rows x 50 indicators: <= 1.5x
  ``pyarrow.csv.read_csv`` of the same file; per-row cost at each size (linear); peak RSS of a fresh
  process <= 3x the float64 matrix. The same for a ``;`` file with decimal commas, against pyarrow
  told the file's dialect (``ParseOptions(delimiter=";")``, ``ConvertOptions(decimal_point=",")``,
  so it parses the decimal-comma columns as numbers itself).
- ``load_data(parquet)``: <= 1.2x ``pyarrow.parquet.read_table``.
- ``load_data(xlsx)`` at 10k rows: <= 2x python-calamine reading the sheet.
- ``vises score DATA.csv --format csv -o OUT`` at 1M x 50, a fresh process: <= 2x a fresh process
  doing pyarrow read + the numpy min-max / weighted-mean pipeline + pyarrow write.
- ``vises score DATA.parquet --format parquet -o OUT`` at 1M x 50: <= 1.5x the same pipeline reading
  and writing Parquet. Like for like first: ``--no-ranks --no-coverage`` writes the baseline's 56
  score columns; the default report also holds every code's rank in its period, the number ranked
  and the coverage (224 columns), beside a baseline doing that work too (numpy ranks) and beside the
  56-column baseline. ``--e2e-only`` runs just these (the data files are made when missing).

Files: 5 % empty cells everywhere, 1 % ``n/a`` in ten of the columns, identifiers ``org<n>``, three
periods. Timings on a shared machine are noisy: read the ratios, not one run.

    python benchmarks/bench_io.py [--sizes 10000,100000,1000000] [--repeats 3] [--e2e-repeats 1] [--keep DIR]
                                  [--e2e-only] [--parquet-only] [--e2e-formats csv,parquet]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

COLUMNS = 50
DIMENSIONS = 5


def grid_toml() -> str:
    lines = ['code = "bench"', "[[nodes]]", 'code = "index"']
    for d in range(DIMENSIONS):
        lines += ["[[nodes]]", f'code = "dim{d}"', 'parent = "index"']
    for k in range(COLUMNS):
        lines += ["[[indicators]]", f'code = "ind{k:02d}"', f'parent = "dim{k // 10}"', 'unit = "hour"']
    return "\n".join(lines) + "\n"


def make_table(rows: int, seed: int = 7) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    arrays = {
        "organisation": pa.array(np.char.add("org", (np.arange(rows) // 3).astype(str)).astype(object)),
        "period": pa.array(np.array(["2017", "2018", "2019"], dtype=object)[np.arange(rows) % 3]),
    }
    for k in range(COLUMNS):
        values = rng.gamma(2.0, 50.0, size=rows).round(3)
        empty = rng.random(rows) < 0.05
        column = pa.array(values, mask=empty)
        if k % 5 == 0:  # ten columns with 1 % not applicable
            text = pc.cast(column, pa.string())
            column = pc.if_else(pa.array(rng.random(rows) < 0.01), pa.scalar("n/a"), text)
        arrays[f"ind{k:02d}"] = column
    return pa.table(arrays)


def write_csv(table: Any, path: Path, *, semicolon: bool) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    if semicolon:
        columns = [
            pc.replace_substring(pc.cast(column, pa.string()), ".", ",") if name.startswith("ind") else column
            for name, column in zip(table.column_names, table.columns, strict=True)
        ]
        table = pa.table(dict(zip(table.column_names, columns, strict=True)))
    options = pv.WriteOptions(delimiter=";" if semicolon else ",", quoting_style="none")
    pv.write_csv(table, path, write_options=options)


def write_parquet(table: Any, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    typed = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        if name.startswith("ind") and pa.types.is_string(column.type):
            na = pc.equal(column, "n/a")
            typed[name] = pc.cast(pc.if_else(na, pa.scalar(None, pa.string()), column), pa.float64())
            typed[f"{name}.not_applicable"] = pc.fill_null(na, False)
        else:
            typed[name] = column
    pq.write_table(pa.table(typed), path)


def write_xlsx(rows: int, path: Path) -> None:
    import openpyxl

    rng = np.random.default_rng(3)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(["organisation", "period"] + [f"ind{k:02d} [hour]" for k in range(COLUMNS)])
    data = rng.gamma(2.0, 50.0, size=(rows, COLUMNS)).round(3)
    for i in range(rows):
        cells: list[Any] = data[i].tolist()
        if i % 7 == 0:
            cells[3] = None
        if i % 11 == 0:
            cells[5] = "n/a"
        sheet.append([f"org{i // 3}", 2017 + i % 3, *cells])
    workbook.save(path)


def median_time(call: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Median wall time and median CPU time (all threads, and child processes) of ``call``."""
    walls, cpus = [], []
    for _ in range(repeats):
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        start, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
        cpus.append(time.process_time() - cpu + spent)
    return statistics.median(walls), statistics.median(cpus)


def paired_times(
    ours: Callable[[], Any], base: Callable[[], Any], repeats: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``median_time`` of both, their runs alternating: a change of the machine's load hits both."""
    pairs = [(median_time(ours, 1), median_time(base, 1)) for _ in range(repeats)]
    return (
        (statistics.median(p[0][0] for p in pairs), statistics.median(p[0][1] for p in pairs)),
        (statistics.median(p[1][0] for p in pairs), statistics.median(p[1][1] for p in pairs)),
    )


def peak_rss(setup: str, code: str, *argv: str) -> tuple[float, float]:
    """(peak RSS, RSS after ``setup``) in MiB of a fresh process running ``setup`` then ``code``."""
    # VmHWM (the high-water mark of this address space): ru_maxrss would carry the parent's over fork.
    script = (
        "import sys, numpy, pyarrow, pyarrow.csv, vises\n"
        "def hwm():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmHWM:'):\n"
        "            return int(line.split()[1]) / 1024\n"
        + textwrap.dedent(setup)
        + "\nbefore = hwm()\n"
        + textwrap.dedent(code)
        + "\nprint(hwm(), before)\n"
    )
    out = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True)
    peak, before = out.stdout.split()[-2:]
    return float(peak), float(before)


def report(
    label: str, ours: tuple[float, float], base: tuple[float, float], target: float, rows: int | None = None
) -> None:
    """One line: wall seconds, ratio; CPU seconds, ratio; per-row cost (wall)."""
    wall, cpu = ours[0] / base[0], ours[1] / base[1]
    per_row = f"  {ours[0] / rows * 1e6:6.2f} us/row" if rows else ""
    verdict = "ok" if min(wall, cpu) <= target else "OVER"
    print(
        f"  {label:<34} wall {ours[0]:7.3f} s vs {base[0]:7.3f} s = {wall:4.2f}x | cpu {ours[1]:7.3f} s vs "
        f"{base[1]:7.3f} s = {cpu:4.2f}x (target <= {target}) {verdict}{per_row}"
    )


BASELINE_PIPELINE = """
import sys, numpy as np, pyarrow as pa, pyarrow.csv as pv, pyarrow.parquet as pq, pyarrow.compute as pc
source, target, extras = sys.argv[1], sys.argv[2], sys.argv[3] == "extras"
table = pq.read_table(source) if source.endswith(".parquet") else pv.read_csv(source)
n = table.num_rows
scores = np.empty((n, 56), order="F")
for j in range(50):
    column = table.column(f"ind{j:02d}")
    if pa.types.is_string(column.type):  # the columns holding n/a
        column = pc.cast(pc.if_else(pc.equal(column, "n/a"), pa.scalar(None, pa.string()), column), pa.float64())
    x = column.to_numpy()
    lo, hi = np.nanmin(x), np.nanmax(x)
    scores[:, j] = (x - lo) * (100.0 / (hi - lo))
def mean(block):
    present = ~np.isnan(block)
    return np.where(present, block, 0.0).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
for d in range(5):
    scores[:, 50 + d] = mean(scores[:, d * 10 : d * 10 + 10])
scores[:, 55] = mean(scores[:, 50:55])
out = {"organisation": table.column("organisation"), "period": table.column("period")}
out.update({f"s{j}": scores[:, j] for j in range(56)})
if extras:  # the rest of the parquet report: rank in the period (ties share the lowest), N ranked, coverage
    period = np.unique(table.column("period").to_numpy(zero_copy_only=False), return_inverse=True)[1].reshape(-1)
    position = np.arange(n)
    for j in range(56):
        x = scores[:, j]
        order = np.lexsort((-x, period))
        xs, gs = x[order], period[order]
        start = np.r_[True, gs[1:] != gs[:-1]]
        first_group = np.maximum.accumulate(np.where(start, position, 0))
        first_tie = np.maximum.accumulate(np.where(start | np.r_[True, xs[1:] != xs[:-1]], position, 0))
        ranks = np.empty(n, dtype=np.int32)
        ranks[order] = first_tie - first_group + 1
        present = ~np.isnan(x)
        out[f"r{j}"] = pa.array(ranks, mask=~present)
        out[f"n{j}"] = pa.array(np.bincount(period[present])[period].astype(np.int32))
        out[f"c{j}"] = present.astype(np.float64)
if target.endswith(".parquet"):
    pq.write_table(pa.table(out), target)
else:
    pv.write_csv(pa.table(out), target)
"""


def end_to_end(folder: Path, grid_path: Path, rows: int, repeats: int, formats: tuple[str, ...]) -> None:
    """``vises score`` in a fresh process, CSV to CSV and Parquet to Parquet, beside the baselines."""
    for suffix, format_name, target in (("csv", "csv", 2.0), ("parquet", "parquet", 1.5)):
        if suffix not in formats:
            continue
        data = folder / f"data-{rows}.{suffix}"
        if not data.exists():
            table = make_table(rows)
            write_csv(table, data, semicolon=False) if suffix == "csv" else write_parquet(table, data)
        print(f"\nvises score DATA.{suffix} --format {format_name} -o OUT, a fresh process, {rows:,} rows x {COLUMNS}")
        out_vises, out_base = folder / f"scores.{suffix}", folder / f"baseline.{suffix}"

        def cli(data: Path = data, out_vises: Path = out_vises, format_name: str = format_name, *extra: str) -> None:
            for stale in (out_vises, Path(str(out_vises) + ".provenance.json")):
                stale.unlink(missing_ok=True)
            command = ["score", str(data), "--grid", str(grid_path), "--format", format_name, "-o", str(out_vises)]
            subprocess.run([sys.executable, "-m", "vises", *command, *extra], check=True, capture_output=True)

        def pipeline(data: Path = data, out_base: Path = out_base, extras: bool = False) -> None:
            argv = [str(data), str(out_base), "extras" if extras else "scores"]
            subprocess.run([sys.executable, "-c", BASELINE_PIPELINE, *argv], check=True)

        base = median_time(pipeline, repeats)
        if suffix == "csv":
            report("end to end", median_time(cli, repeats), base, target)
            continue
        # The Parquet report's default holds four columns per code (score, rank, N ranked, coverage):
        # each figure beside the baseline doing the same work, and the default beside the issue's.
        scores_only = median_time(
            lambda d=data, o=out_vises, f=format_name: cli(d, o, f, "--no-ranks", "--no-coverage"), repeats
        )
        report("scores only (--no-ranks --no-coverage)", scores_only, base, target)
        ours = median_time(cli, repeats)
        same_work = median_time(lambda: pipeline(extras=True), repeats)
        report("default report (224 columns) vs the same", ours, same_work, target)
        report("default report vs the 56-column baseline", ours, base, target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--e2e-repeats", type=int, default=1, help="repeats of the end-to-end CLI runs")
    parser.add_argument(
        "--keep", help="write the generated files here, and reuse those already there (default: a temporary folder)"
    )
    parser.add_argument("--e2e-only", action="store_true", help="only the end-to-end CLI runs, at the largest size")
    parser.add_argument("--parquet-only", action="store_true", help="only load_data(parquet) against read_table")
    parser.add_argument("--e2e-formats", default="csv,parquet", help="the end-to-end runs to make (csv, parquet)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    formats = tuple(name.strip() for name in args.e2e_formats.split(","))

    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    import vises

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="vises-bench-io-"))
    folder.mkdir(parents=True, exist_ok=True)
    grid_path = folder / "grid.toml"
    grid_path.write_text(grid_toml(), encoding="utf-8")
    grid = vises.load_grid(grid_path)
    print(f"vises {vises.__version__}, {os.cpu_count()} CPUs, files in {folder}")
    largest = max(sizes)
    if args.e2e_only:
        end_to_end(folder, grid_path, largest, args.e2e_repeats, formats)
        return

    for semicolon in () if args.parquet_only else (False, True):
        if semicolon:
            print(
                "\nCSV (';' + decimal comma), load_data(path, grid=...) vs pyarrow.csv.read_csv with "
                "ParseOptions(delimiter=';'), ConvertOptions(decimal_point=',')"
            )
        else:
            print("\nCSV (','), load_data(path, grid=...) vs pyarrow.csv.read_csv")
        for rows in sizes:
            path = folder / f"data-{rows}{'-sc' if semicolon else ''}.csv"
            if not (args.keep and path.exists()):
                write_csv(make_table(rows), path, semicolon=semicolon)
            parse = pv.ParseOptions(delimiter=";" if semicolon else ",")
            convert = pv.ConvertOptions(decimal_point="," if semicolon else ".")
            repeats = args.repeats
            base = median_time(
                lambda p=path, po=parse, co=convert: pv.read_csv(p, parse_options=po, convert_options=co),
                repeats,
            )
            ours = median_time(lambda p=path: vises.load_data(p, grid=grid), repeats)
            report(f"{rows:>9,} rows x {COLUMNS} ({path.stat().st_size / 2**20:.0f} MiB)", ours, base, 1.5, rows)
        path = folder / f"data-{largest}{'-sc' if semicolon else ''}.csv"
        matrix = largest * COLUMNS * 8 / 2**20
        peak, before = peak_rss(
            "grid = vises.load_grid(sys.argv[2])", "vises.load_data(sys.argv[1], grid=grid)", str(path), str(grid_path)
        )
        delimiter, point = (";", ",") if semicolon else (",", ".")
        options = (
            f"parse_options=pyarrow.csv.ParseOptions(delimiter={delimiter!r}), "
            f"convert_options=pyarrow.csv.ConvertOptions(decimal_point={point!r})"
        )
        base_peak, base_before = peak_rss("", f"pyarrow.csv.read_csv(sys.argv[1], {options})", str(path))
        print(
            f"  peak RSS reading {largest:,} rows (fresh process): {peak:,.0f} MiB = {peak / matrix:.2f}x the float64 "
            f"matrix ({matrix:,.0f} MiB) (target <= 3); {peak - before:,.0f} MiB over the process before reading "
            f"({(peak - before) / matrix:.2f}x); pyarrow.csv.read_csv: {base_peak:,.0f} MiB "
            f"({base_peak - base_before:,.0f} MiB over)"
        )

    print("\nParquet, load_data(path, grid=...) vs pyarrow.parquet.read_table")
    for rows in sizes:
        path = folder / f"data-{rows}.parquet"
        if not (args.keep and path.exists()):
            write_parquet(make_table(rows), path)
        ours, base = paired_times(
            lambda p=path: vises.load_data(p, grid=grid), lambda p=path: pq.read_table(p), args.repeats
        )
        report(f"{rows:>9,} rows x {COLUMNS}", ours, base, 1.2, rows)

    if args.parquet_only:
        return

    print("\nxlsx, load_data(path) vs python-calamine reading the sheet")
    try:
        import python_calamine
    except ImportError:
        print("  skipped: python-calamine is not installed (the excel extra)")
    else:
        path = folder / "data-10000.xlsx"
        if not path.exists():
            write_xlsx(10_000, path)
        base = median_time(
            lambda: python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("data").to_python(),
            args.repeats,
        )
        ours = median_time(lambda: vises.load_data(path, grid=grid), args.repeats)
        report("10,000 rows x 50", ours, base, 2.0, 10_000)

    end_to_end(folder, grid_path, largest, args.e2e_repeats, formats)


if __name__ == "__main__":
    main()
