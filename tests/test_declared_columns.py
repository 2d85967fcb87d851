"""The analyst's path: a data file with a column the grid does not score is read with that column
declared as a row descriptor (``attributes=``, ``--attribute``) or left out on purpose (``ignore=``,
``--ignore``), from Python and from every data command, with hints worded for the side that reads them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import vises
from vises import Grid, Indicator, Node
from vises.cli import cli
from vises.errors import ConfigError, DataValidationError

GRID = Grid(
    code="base",
    nodes=(Node(code="index"),),
    indicators=(
        Indicator(code="hours", parent="index", unit="hour"),
        Indicator(code="jobs", parent="index"),
    ),
)
CSV = "organisation,period,hours,jobs,candidate,notes\na,2024,10,1,3.5,x\nb,2024,20,2,1.5,y\nc,2024,30,4,2.0,z\n"


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data.csv"
    data.write_text(CSV, encoding="utf-8")
    grid = tmp_path / "base.toml"
    grid.write_text(
        'code = "base"\n[[nodes]]\ncode = "index"\n'
        '[[indicators]]\ncode = "hours"\nparent = "index"\nunit = "hour"\n'
        '[[indicators]]\ncode = "jobs"\nparent = "index"\n',
        encoding="utf-8",
    )
    return data, grid


def test_an_unknown_column_is_refused_with_a_python_hint(files):
    data, _ = files
    with pytest.raises(DataValidationError) as caught:
        vises.load_data(data, grid=GRID)
    hints = [problem.hint for problem in caught.value.problems]
    assert "pass attributes=['candidate'] to keep it as a row descriptor, or ignore=['candidate']" in hints[0]


@pytest.mark.parametrize("source", ["csv", "frame", "mapping", "xlsx", "parquet"])
def test_load_data_keeps_declared_attributes_and_names_ignored_columns(files, tmp_path, source):
    data, _ = files
    if source == "csv":
        given: object = data
    elif source in ("frame", "xlsx", "parquet"):
        pd = pytest.importorskip("pandas")
        frame = pd.read_csv(data)
        given = frame
        if source == "xlsx":
            pytest.importorskip("openpyxl")
            given = tmp_path / "data.xlsx"
            frame.to_excel(given, index=False)
        elif source == "parquet":
            pytest.importorskip("pyarrow")
            given = tmp_path / "data.parquet"
            frame.to_parquet(given, index=False)
    else:
        given = {
            "organisation": ["a", "b", "c"],
            "period": ["2024"] * 3,
            "hours": [10, 20, 30],
            "jobs": [1, 2, 4],
            "candidate": [3.5, 1.5, 2.0],
            "notes": ["x", "y", "z"],
        }
    dataset = vises.load_data(given, grid=GRID, attributes=["candidate"], ignore=["notes"])
    assert dataset.ignored == ("notes",)
    assert [float(value) for value in dataset.attributes["candidate"]] == [3.5, 1.5, 2.0]
    assert "notes" not in dataset.attributes and "notes" not in dataset.text and "notes" not in dataset.columns
    results = vises.score(GRID, given, attributes=["candidate"], ignore=["notes"])
    assert results.provenance["ignored_columns"] == ["notes"]
    assert not np.isnan(results.score("index")).any()


def test_every_declared_column_is_checked(files):
    data, _ = files
    with pytest.raises(DataValidationError) as caught:
        vises.load_data(data, grid=GRID, attributes=["candidat", "hours"], ignore=["organisation", "notes", "notes2"])
    messages = [str(problem) for problem in caught.value.problems]
    assert any("'candidat' is to be kept as an attribute, but the data has no such column" in m for m in messages)
    assert any("did you mean 'candidate'" in m for m in messages)
    assert any("'hours' is an indicator of grid 'base'; it cannot be kept as an attribute" in m for m in messages)
    assert any("'organisation' is the organisation column; it cannot be left out" in m for m in messages)
    assert any("'notes2' is to be left out" in m for m in messages)
    # The candidate column was not declared: still a problem, said at the same time.
    assert any("'candidate' is not an indicator" in m for m in messages)
    with pytest.raises(DataValidationError, match="both as an attribute and as a column to leave out"):
        vises.load_data(data, grid=GRID, attributes=["notes", "candidate"], ignore=["notes"])


def test_declaring_columns_of_a_dataset_already_read_is_refused(files):
    data, _ = files
    dataset = vises.load_data(data, grid=GRID, attributes=["candidate"], ignore=["notes"])
    with pytest.raises(ConfigError, match="has been read already"):
        vises.load_data(dataset, grid=GRID, attributes=["candidate"])
    with pytest.raises(ConfigError, match="expects column names"):
        vises.load_data(data, grid=GRID, attributes=[""])


def test_validate_data_takes_the_declarations_too(files):
    data, _ = files
    assert len(vises.validate_data(GRID, data)) == 2
    assert vises.validate_data(GRID, data, attributes=["candidate"], ignore=["notes"]) == []


def test_the_command_line_hint_names_the_options(files):
    data, grid = files
    done = CliRunner().invoke(cli, ["validate", str(data), "--grid", str(grid)])
    assert done.exit_code == 1
    assert "pass --attribute candidate to keep it as a row descriptor, or --ignore candidate to leave it out" in (
        done.output
    )
    assert "attributes=" not in done.output and "ignore=" not in done.output
    done = CliRunner().invoke(
        cli, ["validate", str(data), "-g", str(grid), "--attribute", "hours", "--ignore", "notes"]
    )
    assert "remove it from --attribute" in done.output


DATA_COMMANDS = [
    (["validate"], []),
    (["score"], []),
    (["stats"], ["--section", "indicators"]),
    (["sensitivity"], ["--runs", "5"]),
    (["trends"], []),
    (["strengths"], ["--org", "a"]),
    (["weights", "pca"], []),
]


@pytest.mark.parametrize(("prefix", "suffix"), DATA_COMMANDS, ids=lambda c: c[0] if c else "")
def test_every_data_command_takes_attribute_and_ignore(files, prefix, suffix):
    data, grid = files
    args = [*prefix, str(data), "--grid", str(grid), *suffix]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1, refused.output
    assert "--attribute candidate" in refused.output
    done = CliRunner().invoke(cli, [*args, "--attribute", "candidate", "--ignore", "notes"])
    assert done.exit_code == 0, done.output
    assert "left out on request (--ignore): 'notes'" in done.output


def test_the_options_are_on_every_command_that_reads_data():
    from vises.cli.main import CORE_COMMANDS  # the command table

    reading = {"validate", "score", "stats", "sensitivity", "compare", "weights", "trends", "strengths", "plot", "sroi"}
    for name in reading:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None, name
        options = {opt for param in command.params for opt in getattr(param, "opts", ())}
        assert {"--attribute", "--ignore"} <= options, name
    assert reading <= set(CORE_COMMANDS)


def test_score_names_the_ignored_column_in_the_report_provenance(files, tmp_path):
    data, grid = files
    out = tmp_path / "report.json"
    done = CliRunner().invoke(
        cli, ["score", str(data), "-g", str(grid), "--attribute", "candidate", "--ignore", "notes", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text(encoding="utf-8"))["provenance"]["ignored_columns"] == ["notes"]
    text = CliRunner().invoke(
        cli, ["score", str(data), "-g", str(grid), "--attribute", "candidate", "--ignore", "notes"]
    )
    assert "notes" in text.output.split("Provenance")[-1]
