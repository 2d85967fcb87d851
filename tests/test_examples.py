"""The examples: generated data is reproducible, and every user script runs and says something."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DATA = EXAMPLES / "data"
STEMS = ("wallonie_cisp", "wallonie_sis", "wallonie_economie_sociale", "vlaanderen_maatwerk", "hdf_iae")


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )


@pytest.mark.federation  # the examples use the bundled plugins
def test_regenerating_gives_identical_files(tmp_path: Path) -> None:
    done = _run(EXAMPLES / "generate.py", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    for stem in STEMS:
        for name in (f"{stem}.csv", f"{stem}.evaluations.toml"):
            assert (DATA / name).is_file(), f"examples/data/{name} is missing: run examples/generate.py"
            assert filecmp.cmp(tmp_path / name, DATA / name, shallow=False), f"{name} differs from a fresh generation"


@pytest.mark.federation  # the examples use the bundled plugins
def test_demo_input_exists_and_looks_real() -> None:
    text = (DATA / "wallonie_cisp.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert header[:6] == ["organisation", "period", "name", "family", "region", "size"]
    assert "training_hours [min]" in header and "dropout.comment" in header
    assert ",n/a," in text and ",," in text
    assert "(synthetic)" in text and "SYNTHETIC" in (DATA / "README.md").read_text(encoding="utf-8")


@pytest.mark.federation  # the examples use the bundled plugins
def test_embed_scoring() -> None:
    done = _run(EXAMPLES / "embed_scoring.py")
    assert done.returncode == 0, done.stderr
    assert "Mean score per area and year" in done.stdout
    assert "Why cisp_" in done.stdout and "weakest indicator" in done.stdout


@pytest.mark.federation  # the examples use the bundled plugins
def test_extend_with_plugin() -> None:
    done = _run(EXAMPLES / "extend_with_plugin" / "run.py")
    assert done.returncode == 0, done.stderr
    assert "extends wallonie.cisp" in done.stdout
    assert "'demo': 'in-process'" in done.stdout


@pytest.mark.federation  # the examples use the bundled plugins
def test_new_indicator_comparison() -> None:
    done = _run(EXAMPLES / "test_new_indicator.py")
    assert done.returncode == 0, done.stderr
    assert "rank correlation" in done.stdout and "Biggest movers" in done.stdout


@pytest.mark.federation  # the examples use the bundled plugins
def test_demo_command_scores_the_cisp_example() -> None:
    done = _run("-m", "vises", "score", DATA / "wallonie_cisp.csv", "--grid", "wallonie.cisp", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    assert "Centre" in done.stdout or "cisp_01" in done.stdout


def test_coinr_asem_example(asem_dir: Path) -> None:
    # The shared folder found by conftest (beside the checkout, else /work/shared), given to the example.
    done = _run(EXAMPLES / "coinr_asem.py", asem_dir)
    assert done.returncode == 0, done.stderr
    assert "51 countries" in done.stdout and "Why Austria scores" in done.stdout


@pytest.mark.federation  # the records example extends wallonie.cisp
def test_records_example_goes_from_raw_records_to_a_profile(tmp_path: Path) -> None:
    done = _run(EXAMPLES / "records" / "run.py", "--out", tmp_path, "--centre", "cisp_04")
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC records" in done.stdout
    register = (tmp_path / "register.csv").read_text(encoding="utf-8").splitlines()
    assert register[0] == "path_id,centre,person,entry,exit,exit_status,hours" and len(register) > 1000
    assert (tmp_path / "survey.csv").read_text(encoding="utf-8").startswith("_submission_time,_uuid,")
    # The profile shows the exit rates as exits / leavers, from the register, with n and an interval.
    # (The count of exits is a key figure above, as reported; the rate is the scored indicator.)
    rate = next(
        line for line in done.stdout.splitlines() if line.startswith("Exits to a job") and "(count)" not in line
    )
    assert " / " in rate and "n = " in rate and "records" in rate and "%" in rate
    assert "survey" in next(line for line in done.stdout.splitlines() if line.startswith("Trainees satisfied"))
    # Seeded: a second run writes the same records.
    again = tmp_path / "again"
    assert _run(EXAMPLES / "records" / "run.py", "--out", again).returncode == 0
    assert filecmp.cmp(tmp_path / "register.csv", again / "register.csv", shallow=False)


@pytest.mark.federation  # the examples use the bundled plugins
def test_round_demo(tmp_path: Path) -> None:
    """make demo's small round: last year's round file keeps last year's published scores."""
    done = _run(EXAMPLES / "round_demo.py", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "this year: 30 centres" in done.stdout
    published, scored = done.stdout.split("cisp_02 in 2018: published ")[1].split("\n")[0].split(", this round ")
    assert published == scored
    assert (tmp_path / "round-2019" / "network.html").is_file()
    assert (tmp_path / "round-2019" / "private" / "round-2019.json").is_file()
