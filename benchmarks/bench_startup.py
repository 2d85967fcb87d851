"""Start-up cost of vises: fresh processes, medians of 5, against ``python -c pass`` in the same run.

What is measured (targets from issues 9 and 10):

- ``import vises``, over bare Python (target <= 30 ms): the lazy facade loads neither numpy nor pint;
- ``vises --help`` (<= 150 ms wall): no plugin, no numpy;
- ``vises grids`` (<= 400 ms): plugins imported, their grid hooks run, pint never built;
- ``vises validate`` and ``vises score`` on ``examples/data/wallonie_cisp.csv`` (<= 0.5 s wall end to end).

Each figure is printed beside its target. The ``wallonie.cisp`` rows need the bundled
``vises-wallonie`` plugin installed (``make demo`` does it); without it they are skipped, saying so.
Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "wallonie_cisp.csv"


def wall(command: list[str], repeats: int) -> tuple[float, int]:
    """Median wall time of ``repeats`` fresh processes (after one warm-up run), and the last exit code."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VISES_")}
    code = 0
    subprocess.run(command, capture_output=True, env=environ, cwd=ROOT, check=False)  # warm the file cache
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=environ, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
        code = done.returncode
    return statistics.median(times), code


def has_wallonie() -> bool:
    from importlib.metadata import entry_points

    return any(ep.name == "wallonie" for ep in entry_points(group="vises"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    python = sys.executable
    vises = [python, "-m", "vises"]

    bare, _ = wall([python, "-c", "pass"], args.repeats)
    rows: list[tuple[str, float | None, str, str]] = []
    imported, _ = wall([python, "-c", "import vises"], args.repeats)
    rows.append(("import vises (over bare Python)", imported - bare, "<= 30 ms", ""))
    for label, command, target in (
        ("vises --help", [*vises, "--help"], 0.150),
        ("vises grids", [*vises, "grids"], 0.400),
    ):
        seconds, code = wall(command, args.repeats)
        rows.append((label, seconds, f"<= {target * 1000:.0f} ms", "" if code == 0 else f"exit {code}"))
    if has_wallonie() and DATA.is_file():
        for label, command in (
            ("vises validate wallonie_cisp.csv", [*vises, "validate", str(DATA), "--grid", "wallonie.cisp"]),
            ("vises score wallonie_cisp.csv", [*vises, "score", str(DATA), "--grid", "wallonie.cisp"]),
        ):
            seconds, code = wall(command, args.repeats)
            rows.append((label, seconds, "<= 500 ms", "" if code == 0 else f"exit {code}"))
    else:
        for label in ("vises validate wallonie_cisp.csv", "vises score wallonie_cisp.csv"):
            rows.append((label, None, "<= 500 ms", "skipped: the vises-wallonie plugin is not installed"))

    print(
        f"vises start-up, median of {args.repeats} fresh processes; {platform.python_version()} on {platform.machine()}"
    )
    print(f"baseline: python -c pass = {bare * 1000:.0f} ms\n")
    width = max(len(label) for label, *_ in rows)
    print(f"{'command':<{width}}  {'median':>9}  {'x bare':>7}  target")
    for label, seconds, target, note in rows:
        if seconds is None:
            print(f"{label:<{width}}  {'-':>9}  {'-':>7}  {target}  {note}")
            continue
        ratio = "" if label.startswith("import") else f"{seconds / bare:.1f}x"
        print(f"{label:<{width}}  {seconds * 1000:>6.0f} ms  {ratio:>7}  {target}  {note}".rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
