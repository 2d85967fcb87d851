"""Benchmark the CIDS export against the JSON report of the same results, in one run.

The example CISP network (30 centres, 2017–2019, 20 scored indicators) is copied N times under
new organisation codes, scored once, then rendered as ``cids`` (JSON-LD: a report per measured value
with its measure inside) and as ``json`` (the whole results: every score, rank, coverage). Both
write every row. JSON-LD names every node by a full IRI, so the CIDS file is about ten times
larger; the target is on the cost per byte written: at most 1.5 times the JSON report's (a writer
that works a column at a time), i.e. no per-value cost beyond writing the larger graph. Prints the
median times over repeats, the sizes, both ratios and the values exported per second.

    python benchmarks/bench_cids.py [--copies N] [--repeats R]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import vises

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "wallonie_cisp.csv"


def network(copies: int, folder: Path) -> Path:
    """The example network copied ``copies`` times (organisation codes and names made distinct)."""
    with DATA.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    out = folder / "network.csv"
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for copy in range(copies):
            for row in body:
                writer.writerow([f"{row[0]}_{copy}", row[1], f"{row[2]} {copy}", *row[3:]])
    return out


def median_time(function: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100, help="copies of the 30-centre network (default 100)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        results = vises.score("wallonie.cisp", network(args.copies, Path(folder)))
    options = {"namespace": "https://data.example.org/cisp/", "publisher": "Federation (benchmark)"}
    cids_bytes = len(vises.render(results, "cids", options=options).encode())
    json_bytes = len(str(vises.render(results, "json")).encode())
    cids = median_time(lambda: vises.render(results, "cids", options=options), args.repeats)
    json_report = median_time(lambda: vises.render(results, "json"), args.repeats)
    values = sum(int((~np.isnan(results.raw(ind.code))).sum()) for ind in results.grid.scored_indicators)
    ratio = cids / json_report
    per_byte = ratio / (cids_bytes / json_bytes)
    print(f"rows: {len(results)}, values: {values}")
    print(
        f"cids export: {cids:.2f} s (median of {args.repeats}), {cids_bytes / 1e6:.1f} MB,",
        f"{values / cids:,.0f} values/s",
    )
    print(f"json report: {json_report:.2f} s (baseline, same results), {json_bytes / 1e6:.1f} MB")
    print(f"size cids / json: {cids_bytes / json_bytes:.2f}; time cids / json: {ratio:.2f}")
    print(f"time per byte written, cids / json: {per_byte:.2f} (target <= 1.5)")
    return 0 if per_byte <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
