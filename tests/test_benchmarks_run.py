"""The benchmark scripts still run on what the grids and readers are today (a smoke run each),
and the hand-written baseline the COINr comparison times does the same job as vises."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"


def test_the_report_bench_worker_scores_its_synthetic_network(tmp_path: Path) -> None:
    """Its data is drawn from the grid's definitions: computed indicators are left to the grid and
    rates stay in range, so a change to the bundled grid cannot quietly break the bench."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_reports.py"), "--worker", "json", "400", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["organisations"] == 200
    assert figures["bytes"] == out.stat().st_size > 0


def test_the_hand_written_asem_pipeline_gives_the_index_vises_gives(asem_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_score
    finally:
        sys.path.remove(str(BENCHMARKS))
    shutil.copy(asem_dir / "iData.csv", tmp_path / "iData.csv")
    (tmp_path / "iMeta.csv").symlink_to(asem_dir / "iMeta.csv")
    vises_cli = Path(sys.executable).with_name("vises")
    scored = tmp_path / "scores.csv"
    command = [str(vises_cli), "score", str(tmp_path / "iData.csv"), "--grid", str(tmp_path / "iMeta.csv")]
    command += ["--format", "csv", "-o", str(scored)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    by_hand = tmp_path / "floor.csv"
    script = [sys.executable, "-c", bench_score.HAND_WRITTEN_ASEM, str(tmp_path / "iData.csv")]
    subprocess.run([*script, str(asem_dir / "iMeta.csv"), str(by_hand)], check=True, capture_output=True, timeout=300)
    assert bench_score._index_gap(scored, by_hand) < 1e-9
