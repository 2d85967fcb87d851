"""``vises score DATA --reference NETWORK``: a lone centre placed on the network's scale from the CLI,
as ``vises.score(..., reference=...)`` does in Python, and said in the report's provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import vises
from vises.cli import cli

GRID = 'code = "g"\n[[nodes]]\ncode = "root"\n[[indicators]]\ncode = "hours"\nparent = "root"\n'


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    grid = tmp_path / "g.toml"
    grid.write_text(GRID, encoding="utf-8")
    network = tmp_path / "network.csv"
    network.write_text("organisation,period,hours\na,2019,3\nb,2019,10\nc,2019,6\n", encoding="utf-8")
    one = tmp_path / "one.csv"
    one.write_text("organisation,period,hours\nz,2019,4\n", encoding="utf-8")
    return grid, network, one


def test_reference_reuses_the_networks_min_and_max(files):
    grid, network, one = files
    done = CliRunner().invoke(cli, ["score", str(one), "-g", str(grid), "--reference", str(network), "-f", "json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert "14.2857" in done.output  # min-max over the network's 3 to 10: 100 * (4 - 3) / 7
    assert report["provenance"]["reference"] == {"source": str(network), "rows": 3}
    alone = CliRunner().invoke(cli, ["score", str(one), "-g", str(grid), "-f", "json"])
    assert "reference" not in json.loads(alone.output)["provenance"]


def test_the_cli_and_python_agree(files):
    grid, network, one = files
    expected = vises.score(grid, one, reference=vises.score(grid, network)).score("hours")
    done = CliRunner().invoke(cli, ["score", str(one), "-g", str(grid), "--reference", str(network), "-f", "csv"])
    assert done.exit_code == 0, done.output
    assert float(done.output.splitlines()[1].split(",")[2]) == pytest.approx(float(expected[0]), rel=1e-12)


def test_the_report_names_the_reference_in_its_language(files):
    grid, network, one = files
    done = CliRunner().invoke(
        cli, ["score", str(one), "-g", str(grid), "--reference", str(network), "-f", "markdown", "--lang", "fr"]
    )
    assert done.exit_code == 0, done.output
    assert "paramètres ajustés sur" in done.output and "network.csv" in done.output


def test_reference_and_spec_are_refused_together(files, tmp_path):
    grid, network, one = files
    spec = tmp_path / "build.toml"
    spec.write_text("", encoding="utf-8")
    done = CliRunner().invoke(
        cli, ["score", str(one), "-g", str(grid), "--reference", str(network), "--spec", str(spec)]
    )
    assert done.exit_code == 2 and "--reference and --spec" in done.output
