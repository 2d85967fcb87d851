"""Report writers against their targets (issue 10), measured in one run on this machine.

    python benchmarks/bench_reports.py            # every figure
    python benchmarks/bench_reports.py --quick    # smaller sizes, for a smoke run

Figures, each printed beside its target and a baseline measured in the same run:

* ``vises score --format html -o`` end to end for 30 and 3,000 organisations (three periods),
  median of repeats, against ``--format csv`` on the same file (the cost of reading and scoring);
  targets 1.5 s and 5 s, and the size of the file;
* ``--format json`` at 100,000 rows: peak RSS of a process that scores then writes the report
  (streamed to the file), target 500 MB, beside the same process's RSS before rendering;
* ``--format xlsx`` at 100,000 rows: time and peak RSS of writing the workbook, targets 60 s and
  1.5 GB, beside the CSV report of the same rows.

The data is synthetic: the example network (``examples/data/wallonie_cisp.csv``) resampled to
the wanted number of organisations for the CLI runs, and columns drawn from the grid's indicator
definitions (``wallonie.cisp``: 22 indicators, 8 nodes) for the in-process ones.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "data" / "wallonie_cisp.csv"
GRID = "wallonie.cisp"


def resampled_csv(organisations: int, target: Path) -> Path:
    """The example network with ``organisations`` centres: its rows copied under new codes."""
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    by_org: dict[str, list[list[str]]] = {}
    for row in rows:
        by_org.setdefault(row[0], []).append(row)
    sources = list(by_org.values())
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(organisations):
            for row in sources[i % len(sources)]:
                writer.writerow([f"centre_{i:05d}", row[1], f"Centre {i} (synthetic)", *row[3:]])
    return target


def cli_seconds(data: Path, format_name: str, output: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "vises",
                "score",
                str(data),
                "--grid",
                GRID,
                "--format",
                format_name,
                "-o",
                str(output),
            ],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(format_name: str, rows: int, output: str) -> None:
    """In a fresh process: score ``rows`` synthetic rows, then write one report; print the figures."""
    import numpy as np

    import vises
    from vises import Column, Dataset, Kind

    grid = vises.load_grid(GRID)
    rng = np.random.default_rng(20240611)
    organisations = rows // 2
    columns = {}
    for indicator in grid.indicators:
        if indicator.kind is Kind.NARRATIVE:
            continue
        if indicator.kind is Kind.QUANTITY:
            low = indicator.minimum if indicator.minimum is not None else 0.0
            high = indicator.maximum if indicator.maximum is not None else low + 100.0
            values = rng.uniform(low, high, rows)
            values[rng.random(rows) < 0.04] = np.nan
            columns[indicator.code] = Column(values=values, unit=indicator.unit)
        else:
            levels = [level.value for level in indicator.levels] or ["yes", "no"]
            columns[indicator.code] = Column(values=np.array(levels, dtype=object)[rng.integers(0, len(levels), rows)])
    dataset = Dataset(
        organisations=np.array([f"org_{i // 2:06d}" for i in range(rows)], dtype=object),
        periods=np.array(["2018", "2019"] * (rows // 2), dtype=object),
        columns=columns,
    )
    results = vises.score(grid, dataset)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    spec = vises.get_registry().report_formats[format_name]
    request = vises.ReportRequest()
    start = time.perf_counter()
    from vises.io.atomic import write_bytes_atomic, write_chunks_atomic

    if spec.stream is not None:
        write_chunks_atomic(output, spec.stream(results, request))
    else:
        rendered = spec.render(results, request)
        if isinstance(rendered, bytes):
            write_bytes_atomic(output, rendered)
        else:
            write_chunks_atomic(output, [rendered])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak,
                "before_mb": before,
                "bytes": Path(output).stat().st_size,
                "organisations": organisations,
            }
        )
    )


def in_process(format_name: str, rows: int, folder: Path) -> dict[str, float]:
    output = folder / f"bench.{format_name}"
    done = subprocess.run(
        [sys.executable, __file__, "--worker", format_name, str(rows), str(output)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def line(what: str, value: str, target: str, baseline: str) -> None:
    print(f"{what:<44} {value:>14}   target {target:<10} baseline {baseline}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, not the targets)")
    parser.add_argument("--worker", nargs=3, metavar=("FORMAT", "ROWS", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.worker[2])
        return
    big = 10_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(
            f"python {sys.version.split()[0]}; html: 30 and 3,000 organisations (3 periods); json, xlsx: {big:,} rows"
        )
        for organisations, target, repeats in ((30, 1.5, 5), (3_000, 5.0, 3)):
            data = resampled_csv(organisations, folder / f"network_{organisations}.csv")
            html = cli_seconds(data, "html", folder / "report.html", repeats)
            base = cli_seconds(data, "csv", folder / "report.csv", repeats)
            size = (folder / "report.html").stat().st_size / 1e6
            line(
                f"html, {organisations:,} organisations (end to end)",
                f"{html:.2f} s",
                f"≤ {target} s",
                f"csv {base:.2f} s (html/csv {html / base:.2f}×); file {size:.2f} MB",
            )
        json_run = in_process("json", big, folder)
        csv_run = in_process("csv", big, folder)
        line(
            f"json, {big:,} rows: peak RSS",
            f"{json_run['peak_mb']:.0f} MB",
            "≤ 500 MB",
            f"RSS after scoring {json_run['before_mb']:.0f} MB; csv peak {csv_run['peak_mb']:.0f} MB; "
            f"written in {json_run['seconds']:.1f} s ({json_run['bytes'] / 1e6:.0f} MB file)",
        )
        xlsx_run = in_process("xlsx", big, folder)
        line(
            f"xlsx, {big:,} rows: write time",
            f"{xlsx_run['seconds']:.1f} s",
            "≤ 60 s",
            f"csv {csv_run['seconds']:.1f} s (xlsx/csv {xlsx_run['seconds'] / csv_run['seconds']:.1f}×); "
            f"file {xlsx_run['bytes'] / 1e6:.0f} MB",
        )
        line(
            f"xlsx, {big:,} rows: peak RSS",
            f"{xlsx_run['peak_mb']:.0f} MB",
            "≤ 1500 MB",
            f"RSS after scoring {xlsx_run['before_mb']:.0f} MB",
        )


if __name__ == "__main__":
    main()
