"""Cell problems recorded by the readers, raised by load_data, reported in one pass by validate_data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vises
from vises.errors import DataError, DataValidationError

GRID = """\
code = "mini"
[[nodes]]
code = "root"
[[indicators]]
code = "hours"
parent = "root"
unit = "hour"
minimum = 0
[[indicators]]
code = "quality"
parent = "root"
kind = "scale"
levels = [{ value = "1" }, { value = "2" }, { value = "3" }]
[[indicators]]
code = "charter"
parent = "root"
kind = "binary"
"""


@pytest.fixture
def grid(tmp_path: Path) -> vises.Grid:
    (tmp_path / "g.toml").write_text(GRID, encoding="utf-8")
    return vises.load_grid(tmp_path / "g.toml")


def test_load_data_raises_every_cell_problem_or_keeps_them(tmp_path: Path, grid: vises.Grid) -> None:
    path = tmp_path / "d.csv"
    path.write_text("organisation,period,hours,quality,charter\nA,2023,x,7,yes\nB,2023,3,2,maybe\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        vises.load_data(path, grid=grid)
    assert len(caught.value.problems) == 3 and caught.value.exit_code == 1
    data = vises.load_data(path, grid=grid, keep_problems=True)
    assert [(p.row, p.column) for p in data.read_problems] == [(2, "hours"), (2, "quality"), (3, "charter")]
    assert np.isnan(data.columns["hours"].values[0]) and data.columns["hours"].values[1] == 3
    assert list(data.columns["quality"].values) == [None, "2"] and list(data.columns["charter"].values) == ["yes", None]
    with pytest.raises(DataValidationError):  # a dataset carrying problems is not scored
        vises.score(grid, data)


def test_validate_data_reports_cells_columns_units_ranges_and_duplicates_at_once(
    tmp_path: Path, grid: vises.Grid
) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "organisation,period,hours [blorp],quality,extra\nA,2023,-4,7,1\nA,2023,2,abc,1\n,2023,1,1,\n",
        encoding="utf-8",
    )
    problems = vises.validate_data(grid, path)
    text = "\n".join(str(p) for p in problems)
    for needle in (
        "'7' is not a level",
        "'abc' is not a level",
        "the organisation is empty",
        "'extra' is not an indicator",
        "indicator column is missing",  # charter
        "unknown unit 'blorp'",
    ):
        assert needle in text, f"{needle!r} missing from:\n{text}"
    assert all(isinstance(p, DataError) for p in problems)


def test_a_file_that_cannot_be_read_stops_at_once(tmp_path: Path, grid: vises.Grid) -> None:
    path = tmp_path / "d.csv"
    path.write_text("who,hours\nA,1\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="no organisation column"):
        vises.load_data(path, grid=grid, keep_problems=True)
    assert next(str(p) for p in vises.validate_data(grid, path)).endswith(
        "(hint: name one of the columns organisation, organization, org, ucode, code, id, or pass id_column=)"
    )
