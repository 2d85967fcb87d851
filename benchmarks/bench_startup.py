"""Start-up cost of vises: fresh processes, medians of 5, against ``python -c pass`` in the same run.

What is measured (targets from issues 9 and 10):

- ``import vises``, over bare Python (target <= 30 ms): the lazy facade loads neither numpy nor pint;
- ``vises --help`` (<= 150 ms wall): no plugin, no numpy;
- ``vises grids`` (<= 400 ms): plugins imported, their grid hooks run, pint never built;
- ``vises validate`` and ``vises score --format table`` on a 30-row file, the first 30 rows of
  ``examples/data/wallonie_cisp.csv`` (<= 0.5 s wall end to end), with the unit answers cached
  (``VISES_CACHE_DIR``, filled by the warm-up run) and, for comparison, with the cache off (every
  run builds pint, as the first run after installing or after a change of definitions does).

Each figure is printed beside its target and as a ratio to bare Python, with the load average:
the machine is shared, so the ratios travel better than the times. Every process may write its
bytecode (to a temporary ``PYTHONPYCACHEPREFIX``, so an environment that forbids it, such as
``PYTHONDONTWRITEBYTECODE=1``, still measures what an installed vises costs). The ``wallonie.cisp``
rows need the bundled ``vises-wallonie`` plugin installed (``make demo`` does it); without it they
are skipped, saying so. Run: ``.venv/bin/python benchmarks/bench_startup.py [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "wallonie_cisp.csv"
ROWS = 30


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes (0 where not measurable)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, float] = {}


def wall(command: list[str], repeats: int, environ: dict[str, str]) -> tuple[float, int]:
    """Median wall time of ``repeats`` fresh processes (after one warm-up run), and the last exit code.

    The median CPU time of the same processes is kept in ``CPU`` (by command): on a loaded machine
    it is close to what the wall time would be on an idle one.
    """
    code = 0
    subprocess.run(command, capture_output=True, env=environ, cwd=ROOT, check=False)  # file cache, bytecode, units
    times, cpu = [], []
    for _ in range(repeats):
        used = children_cpu()
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, env=environ, cwd=ROOT, check=False)
        times.append(time.perf_counter() - start)
        cpu.append(children_cpu() - used)
        code = done.returncode
    CPU[" ".join(command) + environ.get("VISES_CACHE_DIR", "")] = statistics.median(cpu)
    return statistics.median(times), code


def has_wallonie() -> bool:
    from importlib.metadata import entry_points

    return any(ep.name == "wallonie" for ep in entry_points(group="vises"))


def small_file(folder: Path) -> Path:
    """The header and the first ``ROWS`` data rows of the bundled example."""
    lines = DATA.read_text(encoding="utf-8").splitlines(keepends=True)
    path = folder / f"wallonie_cisp_{ROWS}.csv"
    path.write_text("".join(lines[: ROWS + 1]), encoding="utf-8")
    return path


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on this platform
        return "load average unknown"
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    python = sys.executable
    vises = [python, "-m", "vises"]
    with tempfile.TemporaryDirectory(prefix="vises-startup-") as temporary:
        folder = Path(temporary)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("VISES_") and k != "PYTHONDONTWRITEBYTECODE"}
        environ["PYTHONPYCACHEPREFIX"] = str(folder / "bytecode")
        environ["VISES_CACHE_DIR"] = str(folder / "cache")
        before = load()
        bare, _ = wall([python, "-c", "pass"], args.repeats, environ)
        bare_cpu = CPU[f"{python} -c pass" + environ["VISES_CACHE_DIR"]]
        rows: list[tuple[str, float | None, float | None, str, str]] = []
        imported, _ = wall([python, "-c", "import vises"], args.repeats, environ)
        imported_cpu = CPU[f"{python} -c import vises" + environ["VISES_CACHE_DIR"]]
        rows.append(("import vises (over bare Python)", imported - bare, imported_cpu - bare_cpu, "<= 30 ms", ""))
        for label, command, target in (
            ("vises --help", [*vises, "--help"], 0.150),
            ("vises grids", [*vises, "grids"], 0.400),
        ):
            seconds, code = wall(command, args.repeats, environ)
            cpu = CPU[" ".join(command) + environ["VISES_CACHE_DIR"]]
            rows.append((label, seconds, cpu, f"<= {target * 1000:.0f} ms", "" if code == 0 else f"exit {code}"))
        labels = (f"vises validate ({ROWS} rows)", f"vises score --format table ({ROWS} rows)")
        if has_wallonie() and DATA.is_file():
            data = str(small_file(folder))
            commands = (
                [*vises, "validate", data, "--grid", "wallonie.cisp"],
                [*vises, "score", data, "--grid", "wallonie.cisp", "--format", "table"],
            )
            for cached, note in ((True, ""), (False, ", cache off")):
                here = environ if cached else {**environ, "VISES_CACHE_DIR": "off"}
                for label, command in zip(labels, commands, strict=True):
                    seconds, code = wall(command, args.repeats, here)
                    cpu = CPU[" ".join(command) + here["VISES_CACHE_DIR"]]
                    goal = "<= 500 ms" if cached else "(first run)"
                    rows.append((label + note, seconds, cpu, goal, "" if code == 0 else f"exit {code}"))
        else:
            for label in labels:
                rows.append((label, None, None, "<= 500 ms", "skipped: the vises-wallonie plugin is not installed"))
        after = load()

    print(
        f"vises start-up, median of {args.repeats} fresh processes; {platform.python_version()} on {platform.machine()}"
        f", {os.cpu_count()} CPUs; {before} before, {after} after"
    )
    print(f"baseline: python -c pass = {bare * 1000:.0f} ms wall, {bare_cpu * 1000:.0f} ms CPU")
    print("(CPU: user + system time of the same processes; on a loaded machine, about an idle machine's wall time)\n")
    width = max(len(label) for label, *_ in rows)
    print(f"{'command':<{width}}  {'wall':>9}  {'x bare':>7}  {'CPU':>9}  {'x bare':>7}  target")
    for label, spent, used, goal, note in rows:
        if spent is None or used is None:
            print(f"{label:<{width}}  {'-':>9}  {'-':>7}  {'-':>9}  {'-':>7}  {goal}  {note}")
            continue
        ratio = "" if label.startswith("import") else f"{spent / bare:.1f}x"
        used_ratio = "" if label.startswith("import") or not bare_cpu else f"{used / bare_cpu:.1f}x"
        line = f"{label:<{width}}  {spent * 1000:>6.0f} ms  {ratio:>7}  {used * 1000:>6.0f} ms  {used_ratio:>7}"
        print(f"{line}  {goal}  {note}".rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
