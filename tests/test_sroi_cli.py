"""The ``vises sroi`` command, through click's runner and through ``python -m vises``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vises.errors import SroiError, ValidationError
from vises.sroi import hooks

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sroi" / "cisp_value_map.toml"


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("vises")
    hooks.vises_register_commands(cli=group)
    return group


def test_table_is_the_default(cli):
    result = CliRunner().invoke(cli, ["sroi", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "SROI ratio (PV / inputs)" in result.output and "472\u202f000 EUR" in result.output
    assert "Sensitivity" not in result.output


def test_json_with_sensitivity(cli):
    result = CliRunner().invoke(cli, ["sroi", str(EXAMPLE), "--format", "json", "--sensitivity"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_inputs"] == pytest.approx(472_000)
    assert set(data["by_stakeholder"]) == {"trainees", "families", "public"}
    swings = [row["swing"] for row in data["sensitivity"]["rows"]]
    assert swings == sorted(swings, reverse=True)


@pytest.mark.parametrize(("fmt", "marker"), [("markdown", "# SROI"), ("html", "<!DOCTYPE html>")])
def test_output_file(cli, tmp_path, fmt, marker):
    target = tmp_path / f"sroi.{fmt}"
    result = CliRunner().invoke(cli, ["sroi", str(EXAMPLE), "--format", fmt, "-o", str(target), "--sensitivity"])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert text.startswith(marker) and "Sensitivity" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_bad_map_raises_vises_error(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("deadweight = 0.30", "deadweight = 30", 1), encoding="utf-8")
    result = CliRunner().invoke(cli, ["sroi", str(bad)])
    assert isinstance(result.exception, ValidationError)
    assert "outcome 'job': deadweight 30.0 is outside 0–1" in str(result.exception)
    result = CliRunner().invoke(cli, ["sroi", str(tmp_path / "absent.toml")])
    assert isinstance(result.exception, SroiError)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vises", "sroi", *args], capture_output=True, text=True, timeout=60)


def test_through_python_m_vises(tmp_path):
    done = _run(str(EXAMPLE), "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "| job" in done.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('currency = "EUR"\n', "", 1), encoding="utf-8")
    failed = _run(str(bad))
    assert failed.returncode == 2
    assert "Error:" in failed.stderr and "currency" in failed.stderr and "Traceback" not in failed.stderr
