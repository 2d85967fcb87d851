"""``vises collect`` through the real entry point: records in, a data file out that scores, with its evidence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import vises

SPEC = """
[[sources]]
name = "register"
organisation = "centre"
date = "exit"

[[measures]]
code = "leavers"
statistic = "count"
unit = "person"

[[measures]]
code = "exits_to_work"
statistic = "count"
filter = 'status == "employment"'
unit = "person"
"""
REGISTER = """centre,exit,status
a,2024-02-10,employment
a,2024-06-30,training
a,2024-11-05,employment
b,2024-03-01,dropout
b,2023-09-15,employment
"""


def _vises(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vises", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_collect_writes_a_data_file_with_its_evidence(tmp_path: Path) -> None:
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    done = _vises("collect", "spec.toml", "register=register.csv", "-o", "collected.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 rows" in done.stdout and "n and source for: exits_to_work, leavers" in done.stdout
    data = vises.load_data(tmp_path / "collected.csv")
    rows = {(str(o), str(p)): i for i, (o, p) in enumerate(zip(data.organisations, data.periods, strict=True))}
    assert data.columns["leavers"].values[rows[("a", "2024")]] == 3
    assert data.columns["exits_to_work"].values[rows[("a", "2024")]] == 2
    assert data.columns["exits_to_work"].values[rows[("b", "2023")]] == 1
    assert data.evidence["leavers"].source[rows[("b", "2024")]] == "records"
    # A bare file works for a spec with one source; an existing output is not replaced without --force.
    again = _vises("collect", "spec.toml", "register.csv", "-o", "collected.csv", cwd=tmp_path)
    assert again.returncode == 2 and "refusing to replace" in again.stderr
    forced = _vises("collect", "spec.toml", "register.csv", "-o", "collected.csv", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr


def test_collect_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "spec.toml").write_text(SPEC.replace("filter = 'status == \"employment\"'", 'filter = "stat == 1"'))
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    done = _vises("collect", "spec.toml", "register=register.csv", "-o", "out.csv", cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "stat" in done.stderr and "status" in done.stderr  # the unknown column, and what it may have meant
    missing = _vises("collect", "spec.toml", "register=nowhere.csv", "-o", "out.csv", cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere.csv" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "out.csv").exists()
