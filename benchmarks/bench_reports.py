"""Report writers against their targets (issue 10), measured in one run on this machine.

    python benchmarks/bench_reports.py            # every figure
    python benchmarks/bench_reports.py --quick    # smaller sizes, for a smoke run

Figures, each printed beside its target and a baseline measured in the same run:

* ``vises score --format html -o`` end to end for 30 and 3,000 organisations (three periods),
  median of repeats (wall time, and the CPU time of the process, which a loaded machine does not
  inflate), against ``--format csv`` on the same file (the cost of reading and scoring);
  targets 1.5 s and 5 s, and the size of the file; the charts are hand-written SVG, so the run
  imports no plotting library (checked);
* headless Chromium (``/usr/bin/chromium``, skipped with the reason when absent) opening the
  3,000-organisation file: the load event as the page measures it (``performance.now()``), and
  the wall time of the whole browser run beside the same run on an empty page; target 3 s;
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


def cli_seconds(data: Path, format_name: str, output: Path, repeats: int) -> tuple[float, float]:
    """Median wall and median CPU seconds (user + system of the child) of ``vises score`` runs."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


CHROMIUM = Path("/usr/bin/chromium")
#: Added to a copy of the page: the time of the load event, written where --dump-dom shows it.
LOAD_PROBE = (
    "<script>window.addEventListener('load', function () { setTimeout(function () {"
    "var p = document.createElement('pre'); p.id = 'loaded'; p.textContent = String(performance.now());"
    "document.body.appendChild(p); }, 0); });</script>"
)


def chromium_run(page: Path, folder: Path) -> tuple[float, float | None]:
    """Wall seconds of one headless Chromium run that opens ``page`` and dumps its DOM, and the
    page's own load time in seconds (``None`` when the probe did not run)."""
    import re

    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={folder / 'chromium-profile'}",
        "--window-size=1280,900",
        "--dump-dom",
        page.as_uri(),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    wall = time.perf_counter() - start
    found = re.search(r'<pre id="loaded">([0-9.]+)</pre>', done.stdout)
    return wall, (float(found.group(1)) / 1000 if found else None)


def chromium_figures(report: Path, folder: Path, repeats: int = 3) -> str | tuple[float, float, float]:
    """(median page load time, median wall time, median wall time on an empty page), or why not."""
    if not CHROMIUM.exists():
        return f"skipped: no {CHROMIUM}"
    probed = folder / "probed.html"
    probed.write_text(report.read_text(encoding="utf-8").replace("</body>", LOAD_PROBE + "</body>", 1), "utf-8")
    empty = folder / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body>" + LOAD_PROBE + "</body></html>", encoding="utf-8")
    runs = [chromium_run(probed, folder) for _ in range(repeats)]
    loads = [load for _, load in runs if load is not None]
    if not loads:
        return "skipped: the page's load probe did not run"
    empties = [chromium_run(empty, folder)[0] for _ in range(repeats)]
    return statistics.median(loads), statistics.median(wall for wall, _ in runs), statistics.median(empties)


def imports_of_html_run(data: Path, output: Path) -> list[str]:
    """Plotting modules a ``--format html`` run imports (expected: none)."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['vises', 'score', {str(data)!r}, '--grid', {GRID!r}, '--format', 'html', '-o', {str(output)!r}]\n"
        "try:\n    runpy.run_module('vises', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'PIL')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))


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
        if indicator.kind in (Kind.NARRATIVE, Kind.RATE) or getattr(indicator, "formula", None):
            continue  # computed by the grid from its inputs (a rate's are drawn below), never given
        if indicator.kind is Kind.QUANTITY:
            low = indicator.minimum if indicator.minimum is not None else 0.0
            high = indicator.maximum if indicator.maximum is not None else low + 100.0
            values = rng.uniform(low, high, rows)
            values[rng.random(rows) < 0.04] = np.nan
            columns[indicator.code] = Column(values=values, unit=indicator.unit)
        else:
            levels = [level.value for level in indicator.levels] or ["yes", "no"]
            columns[indicator.code] = Column(values=np.array(levels, dtype=object)[rng.integers(0, len(levels), rows)])
    for indicator in grid.indicators:
        # A rate's numerator is a share of its denominator (drop-outs among leavers), within the
        # rate's range: drawn apart, they would make rates over 100 % that validation refuses.
        if indicator.kind is Kind.RATE and indicator.numerator in columns and indicator.denominator in columns:
            cap = 1.0
            if indicator.unit == "percent" and indicator.maximum is not None:
                cap = min(1.0, indicator.maximum / 100.0)
            below = columns[indicator.denominator].values
            share = rng.uniform(0.0, cap, rows)
            columns[indicator.numerator] = Column(values=below * share, unit=columns[indicator.numerator].unit)
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
            report = folder / f"report_{organisations}.html"
            html, html_cpu = cli_seconds(data, "html", report, repeats)
            base, base_cpu = cli_seconds(data, "csv", folder / "report.csv", repeats)
            size = report.stat().st_size / 1e6
            line(
                f"html, {organisations:,} organisations (end to end)",
                f"{html:.2f} s",
                f"≤ {target} s",
                f"csv {base:.2f} s (html/csv {html / base:.2f}×); CPU html {html_cpu:.2f} s, csv {base_cpu:.2f} s; "
                f"file {size:.2f} MB",
            )
        plotting = imports_of_html_run(folder / "network_30.csv", folder / "imports.html")
        line("html: plotting modules imported", str(len(plotting)), "0", ", ".join(plotting) or "none")
        seen = chromium_figures(folder / "report_3000.html", folder)
        if isinstance(seen, str):
            line("chromium opens the 3,000-organisation html", seen, "≤ 3 s", "")
        else:
            load, wall, empty = seen
            line(
                "chromium opens the 3,000-organisation html",
                f"{load:.2f} s",
                "≤ 3 s",
                f"page load event; whole browser run {wall:.2f} s vs {empty:.2f} s for an empty page",
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
