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

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sroi" / "cisp_value_map.toml"


@pytest.fixture
def cli() -> click.Group:
    from vises.cli import cli as group

    return group


def test_table_is_the_default(cli):
    result = CliRunner().invoke(cli, ["sroi", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "SROI ratio (PV / inputs)" in result.output and "472,000 EUR" in result.output
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
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("deadweight = 0.30", "deadweight = 30", 1), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["sroi", str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "outcome 'job': deadweight 30.0 is outside 0–1" in result.output
    result = CliRunner().invoke(cli, ["--debug", "sroi", str(bad)])
    assert isinstance(result.exception, ValidationError)
    result = CliRunner().invoke(cli, ["--debug", "sroi", str(tmp_path / "absent.toml")])
    assert isinstance(result.exception, SroiError)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vises", "sroi", *args], capture_output=True, text=True, timeout=60)


def test_through_python_m_vises(tmp_path):
    done = _run(str(EXAMPLE), "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "| Job six months after training" in done.stdout  # outcomes by their label, not their code
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('currency = "EUR"\n', "", 1), encoding="utf-8")
    failed = _run(str(bad))
    assert failed.returncode == 2
    assert "Error:" in failed.stderr and "currency" in failed.stderr and "Traceback" not in failed.stderr


def test_quantities_from_a_scored_dataset_through_the_cli():
    """`vises sroi --data --grid` scores the dataset and feeds raw indicator values to the value map."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    model = root / "examples" / "sroi" / "cisp_from_data.toml"
    data = root / "examples" / "data" / "wallonie_cisp.csv"
    import pytest

    import vises.plugins

    if "wallonie.cisp" not in vises.plugins.get_registry().grid_sources:
        pytest.skip("the vises-wallonie plugin is not installed")
    base = [sys.executable, "-m", "vises", "sroi", str(model), "--format", "json"]
    done = subprocess.run(
        [*base, "--data", str(data), "--grid", "wallonie.cisp"], capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 0, done.stderr
    import json

    result = json.loads(done.stdout)
    outcomes = result["by_outcome"]
    # cisp_02's trainees in 2019, as the synthetic data gives them; × 1500 × 0.75 × 0.70 in year 1.
    import csv

    with data.open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if (r["organisation"], r["period"]) == ("cisp_02", "2019"))
    trainees = float(row["trainees [person]"])
    assert outcomes["trainees_reached"]["quantity"] == trainees
    assert outcomes["trainees_reached"]["year_one_impact"] == pytest.approx(trainees * 1500 * 0.75 * 0.70, rel=1e-12)
    missing = subprocess.run(base, capture_output=True, text=True, cwd=root)
    assert missing.returncode == 2 and "--data DATA --grid GRID" in missing.stderr and "Traceback" not in missing.stderr
    half = subprocess.run([*base, "--data", str(data)], capture_output=True, text=True, cwd=root)
    assert half.returncode == 2 and "--data and --grid go together" in half.stderr


def test_lang_translates_the_words_and_the_labels():
    import subprocess
    import sys
    from pathlib import Path

    model = Path(__file__).resolve().parents[1] / "examples" / "sroi" / "cisp_value_map.toml"
    for lang, words in (
        ("fr", ("Valeur actualisée (VA)", "Stagiaires", "CISP fictif", "1,21\u00a0: 1")),
        ("nl", ("Contante waarde (CW)", "Stagiairs", "Fictief CISP", "472.000 EUR")),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "vises", "sroi", str(model), "--lang", lang], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        for word in words:
            assert word in done.stdout, (lang, word)
    html = subprocess.run(
        [sys.executable, "-m", "vises", "sroi", str(model), "--lang", "nl", "--format", "html"],
        capture_output=True,
        text=True,
    )
    assert html.returncode == 0 and '<html lang="nl">' in html.stdout and "Waardekaart" in html.stdout
    english = subprocess.run([sys.executable, "-m", "vises", "sroi", str(model)], capture_output=True, text=True)
    assert "Present value (PV)" in english.stdout, "English stays the default"


def test_dutch_sensitivity_ratios_and_wide_html_tables():
    import subprocess
    import sys
    from pathlib import Path

    model = Path(__file__).resolve().parents[1] / "examples" / "sroi" / "cisp_value_map.toml"
    base = [sys.executable, "-m", "vises", "sroi", str(model), "--sensitivity", "--lang", "nl"]
    text = subprocess.run(base, capture_output=True, text=True)
    assert text.returncode == 0 and "Gevoeligheid" in text.stdout and "1,21" in text.stdout
    assert "1.21 " not in text.stdout.split("Gevoeligheid")[1], "ratios use the Dutch decimal comma"
    html = subprocess.run([*base, "--format", "html"], capture_output=True, text=True).stdout
    assert html.count('<div class="wrap"><table>') == 3 and ".wrap { overflow-x: auto;" in html
