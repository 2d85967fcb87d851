"""The package is typed (``py.typed``), so its annotations must hold: mypy checks them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_type_errors(tmp_path):
    pytest.importorskip("mypy", reason="mypy comes with the dev extra: pip install 'vises[dev]'")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "src/vises", "--cache-dir", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
