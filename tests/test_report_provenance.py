"""Provenance names the plugins that contributed to the grid and its methods, not every installed one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import vises
from vises.cli import cli
from vises.model import Column, Dataset, Grid, Indicator, Node
from vises.report.views import contributors, provenance_record

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "wallonie_cisp.csv"
OTHERS = ("hdf", "vlaanderen")


@pytest.fixture(scope="module")
def cisp(federation):
    federation("wallonie")
    return vises.score("wallonie.cisp", DATA)


def test_a_plugin_grid_lists_its_plugin_only(cisp):
    assert set(cisp.provenance["plugins"]) >= {"wallonie", *OTHERS}  # what was loaded
    assert contributors(cisp) == {"wallonie"}
    record = provenance_record(cisp)
    assert set(record["plugins"]) == {"wallonie"}
    assert record["installed_plugins"] == cisp.provenance["plugins"]  # nothing dropped, only put apart


@pytest.mark.parametrize("fmt", ["table", "markdown", "html"])
def test_readable_formats_list_only_contributing_plugins(cisp, fmt):
    page = vises.render(cisp, fmt, lang="en")
    tail = page[page.rindex("Provenance") :]
    assert "wallonie 0.1.0" in tail
    for other in OTHERS:
        assert f"{other} 0.1.0" not in tail


def test_machine_formats_keep_the_installed_plugins_apart(cisp, tmp_path):
    data = json.loads(vises.render(cisp, "json"))
    assert set(data["provenance"]["plugins"]) == {"wallonie"}
    assert set(data["provenance"]["installed_plugins"]) >= {"wallonie", *OTHERS}
    lines = vises.render(cisp, "csv", options={"provenance": True}).splitlines()
    assert "# plugins: wallonie 0.1.0" in lines
    out = tmp_path / "scores.csv"
    done = CliRunner().invoke(cli, ["score", str(DATA), "--grid", "wallonie.cisp", "--format", "csv", "-o", str(out)])
    assert done.exit_code == 0, done.output
    sidecar = json.loads((tmp_path / "scores.csv.provenance.json").read_text(encoding="utf-8"))
    assert set(sidecar["plugins"]) == {"wallonie"} and "hdf" in sidecar["installed_plugins"]


@pytest.mark.federation  # a plugin's unit
def test_a_grid_of_ones_own_that_uses_a_plugin_unit_names_that_plugin():
    grid = Grid(
        code="own",
        nodes=(Node(code="own"),),
        indicators=(Indicator(code="hours", parent="own", unit="heure_stagiaire"),),
    )
    vises.get_registry().grid("wallonie.cisp")  # the plugin's units are defined once its hooks ran
    data = Dataset(
        organisations=np.array(["a", "b"], dtype=object),
        periods=np.array(["2024", "2024"], dtype=object),
        columns={"hours": Column(values=np.array([10.0, 20.0]), unit="heure_stagiaire")},
    )
    results = vises.score(grid, data)
    assert contributors(results) == {"wallonie"}
    plain = Grid(
        code="own", nodes=(Node(code="own"),), indicators=(Indicator(code="hours", parent="own", unit="hour"),)
    )
    data = Dataset(
        organisations=data.organisations, periods=data.periods, columns={"hours": Column(values=np.array([1.0, 2.0]))}
    )
    bare = vises.score(plain, data)
    assert contributors(bare) == set()
    assert "Plugins: none" in vises.render(bare, "table", lang="en")


def test_the_xlsx_and_parquet_reports_carry_the_same_record(cisp):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(vises.render(cisp, "xlsx")), read_only=True)
    first = [row[0] for row in book["provenance"].iter_rows(values_only=True) if row]
    assert "wallonie" in first and not set(OTHERS) & set(first)
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(vises.render(cisp, "parquet")))
    record = json.loads(table.schema.metadata[b"vises.provenance"])
    assert set(record["plugins"]) == {"wallonie"}
