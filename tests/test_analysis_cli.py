"""The analyst's commands through the real entry point: score --spec, sensitivity --method sobol,
weights (a weighting file back through --weighting), trends, strengths, compare, plot, stats --missing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vises.cli import cli

ROOT = Path(__file__).resolve().parents[1]
CSV = str(ROOT / "tests" / "fixtures" / "network" / "network.csv")
GRID = str(ROOT / "tests" / "fixtures" / "network" / "grid.toml")
META = """Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type
1,jobs,Jobs created,1,2,Thousand jobs,,Pop,Eco,Indicator
1,sales,Sales,1,1,EUR,,,Eco,Indicator
1,waste,Waste,-1,1,Score 1-5,3,,Env,Indicator
1,energy,Energy,-1,1,kWh,,,Env,Indicator
2,Eco,Economic,1,1,Score,,,Index,Aggregate
2,Env,Environmental,1,0.5,Score,,,Index,Aggregate
3,Index,Overall,1,1,Score,,,,Aggregate
,Size_group,Size group,,,,,,,Group
,Pop,Population,,,Thousands,,,,Denominator
"""
DATA = """uName,uCode,Size_group,Time,Pop,jobs,sales,waste,energy
Alpha,A,S,2020,10,1.5,100,NA,5
Beta,B,L,2020,20,3,250,2,7
Gamma,C,L,2020,40,8,NA,NA,NA
Delta,D,S,2020,5,1,90,4,3
Eps,E,S,2020,8,2,150,3,9
"""
SPEC = """[denominate]
[impute]
method = "group_mean"
group = "Size_group"
[screen]
min_availability = 0.75
on = "raw"
[normalise]
method = "minmax"
low = 0
high = 100
"""


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    (tmp_path / "iMeta.csv").write_text(META, encoding="utf-8")
    (tmp_path / "iData.csv").write_text(DATA, encoding="utf-8")
    (tmp_path / "build.toml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vises", *args], capture_output=True, text=True, check=False)


def test_score_with_a_build_spec_names_who_was_screened_out(tables: Path) -> None:
    out = tables / "r.json"
    done = run(
        "score",
        str(tables / "iData.csv"),
        "--grid",
        str(tables / "iMeta.csv"),
        "--spec",
        str(tables / "build.toml"),
        "--format",
        "json",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "Note: screened out C (2020): data availability 0.25 below 0.75" in done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(r["organisation"] for r in report["records"]) == ["A", "B", "D", "E"]
    assert report["provenance"]["screening"]["screened_out"][0]["organisation"] == "C"
    bad = tables / "bad.toml"
    bad.write_text("[screen]\nthreshold = 0.5\n", encoding="utf-8")
    done = run("score", str(tables / "iData.csv"), "--grid", str(tables / "iMeta.csv"), "--spec", str(bad))
    assert done.returncode == 2 and "unknown key 'threshold'" in done.stderr and "Traceback" not in done.stderr


def test_sobol_sensitivity_on_the_command_line() -> None:
    runner = CliRunner()
    args = ["sensitivity", CSV, "--grid", GRID, "--method", "sobol", "--runs", "16", "--bootstrap", "50"]
    done = runner.invoke(
        cli, [*args, "--vary", "weights=0.3", "--vary", "aggregator=arithmetic,median", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    payload = json.loads(done.output)
    assert payload["runs"] == 16 * 4 and [r["choice"] for r in payload["indices"]] == ["weights", "aggregator"]
    assert len(payload["rows"]) == 24
    done = runner.invoke(cli, args)
    assert done.exit_code == 2 and "needs the uncertain choices" in done.output
    done = runner.invoke(cli, [*args, "--vary", "winmax=a-b"])
    assert done.exit_code == 2 and "whole numbers" in done.output


def test_weights_file_is_usable_as_weighting(tables: Path) -> None:
    weights = tables / "w.toml"
    done = run(
        "weights",
        "optimise",
        str(tables / "iData.csv"),
        "--grid",
        str(tables / "iMeta.csv"),
        "--level",
        "1",
        "-o",
        str(weights),
    )
    assert done.returncode == 0, done.stderr
    assert 'grid = "Index"' in weights.read_text(encoding="utf-8")
    done = run("score", str(tables / "iData.csv"), "--grid", str(tables / "iMeta.csv"), "--weighting", str(weights))
    assert done.returncode == 0, done.stderr
    other = tables / "other.toml"
    other.write_text('code = "x"\ngrid = "another"\n[weights]\nEco = 1.0\n', encoding="utf-8")
    done = run("score", str(tables / "iData.csv"), "--grid", str(tables / "iMeta.csv"), "--weighting", str(other))
    assert done.returncode == 2 and "for grid 'another'" in done.stderr


def test_trends_strengths_compare_and_stats(tables: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["trends", CSV, "--grid", GRID, "--code", "network", "--format", "json"])
    assert done.exit_code == 0, done.output
    records = json.loads(done.output)
    assert records and {"organisation", "code", "cagr", "points"} <= set(records[0])
    done = runner.invoke(cli, ["strengths", CSV, "--grid", GRID, "--org", "centre_02", "--lang", "nl"])
    assert done.exit_code == 0 and "Sterke punten" in done.output
    meta, data = str(tables / "iMeta.csv"), str(tables / "iData.csv")
    done = runner.invoke(cli, ["compare", data, "--grid", meta, "--grid", meta, "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["summary"][0]["max_abs_rank_shift"] == 0
    done = runner.invoke(
        cli, ["stats", CSV, "--grid", GRID, "--section", "consistency", "--missing", "complete", "-l", "en"]
    )
    assert done.exit_code == 0 and "Complete rows" in done.output


@pytest.mark.parametrize("kind", ["framework", "correlations", "scatter", "ranks", "sobol"])
def test_plot_writes_a_standalone_chart(tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.svg"
    extra = {
        "scatter": ["--x", "practice"],
        "sobol": ["--vary", "weights=0.2", "--runs", "8"],
        "ranks": ["--runs", "10"],
    }
    done = CliRunner().invoke(
        cli, ["plot", kind, CSV, "--grid", GRID, "-o", str(out), "--lang", "fr", *extra.get(kind, [])]
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes().lstrip().startswith(b"<?xml")


def test_plot_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    done = CliRunner().invoke(cli, ["plot", "framework", CSV, "--grid", GRID, "-o", str(tmp_path / "x.gif")])
    assert done.exit_code == 2 and ".svg or .png" in done.output
