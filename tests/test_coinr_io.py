"""COINr iMeta / iData tables, on a small hand-made example and on the real ASEM data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vises.errors import GridValidationError
from vises.io.coinr import is_coinr_data, is_coinr_meta, read_coinr_data, read_coinr_meta
from vises.model import Direction
from vises.validation.grid import validate_grid

ASEM = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "asem"

META = """Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type
1,jobs,Jobs created,1,2,Thousand jobs,,,Eco,Indicator
1,waste,Waste,-1,1,Score 1-5,3,,Env,Indicator
2,Eco,Economic,1,1,Score,,,Index,Aggregate
2,Env,Environmental,1,0.5,Score,,,Index,Aggregate
3,Index,Overall,1,1,Score,,,,Aggregate
,Size_group,Size group,,,,,,,Group
,Pop,Population,,,Thousands,,,,Denominator
"""
DATA = """uName,uCode,Size_group,Time,Pop,jobs,waste
Alpha,A,S,2020,10,1.5,NA
Beta,B,L,2020,20,3,2
"""


def test_small_tables(tmp_path: Path) -> None:
    (tmp_path / "iMeta.csv").write_text(META, encoding="utf-8")
    (tmp_path / "iData.csv").write_text(DATA, encoding="utf-8")
    assert is_coinr_meta(tmp_path / "iMeta.csv") and not is_coinr_meta(tmp_path / "iData.csv")
    assert is_coinr_data(tmp_path / "iData.csv") and not is_coinr_data(tmp_path / "iMeta.csv")
    grid = read_coinr_meta(tmp_path / "iMeta.csv")
    assert grid.code == "Index" and grid.root.code == "Index"
    assert grid.node("Env").weight == 0.5 and grid.node("Env").parent == "Index"
    waste = grid.indicator("waste")
    assert waste.direction is Direction.LOWER and waste.unit is None and "unit:Score 1-5" in waste.tags
    assert grid.indicator("jobs").weight == 2.0
    assert {i.code for i in grid.indicators} == {"jobs", "waste"}
    assert grid.defaults.normaliser.name == "minmax" and grid.defaults.aggregator.name == "arithmetic"
    assert validate_grid(grid) == []
    data = read_coinr_data(tmp_path / "iData.csv", grid=grid)
    assert list(data.organisations) == ["A", "B"] and list(data.periods) == ["2020", "2020"]
    assert list(data.attributes["name"]) == ["Alpha", "Beta"]
    assert list(data.attributes["Size_group"]) == ["S", "L"] and list(data.attributes["Pop"]) == ["10", "20"]
    np.testing.assert_array_equal(data.columns["waste"].values, [np.nan, 2.0])
    assert data.columns["waste"].not_applicable is None  # R's NA is missing, not "not applicable"


def test_bad_meta_reports_every_row(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "Level,iCode,Weight,Direction,Parent,Type\n1,a,heavy,2,X,Indicator\n1,b,1,1,X,Thing\n", encoding="utf-8"
    )
    with pytest.raises(GridValidationError) as info:
        read_coinr_meta(tmp_path / "m.csv")
    assert sorted((p.row, p.column) for p in info.value.problems) == [(2, "Direction"), (2, "Weight"), (3, "Type")]


def test_real_asem_tables() -> None:
    if not (ASEM / "iMeta.csv").is_file():
        pytest.skip(f"ASEM tables not found in {ASEM} (the shared datasets folder is absent)")
    grid = read_coinr_meta(ASEM / "iMeta.csv")
    assert grid.root.code == "Index" and len(grid.nodes) == 11 and len(grid.indicators) == 49
    assert validate_grid(grid) == []
    assert "denominator:Population" in grid.indicator("Flights").tags
    data = read_coinr_data(ASEM / "iData.csv", grid=grid)
    assert len(data) == 51 and set(data.columns) == {i.code for i in grid.indicators}
    assert {"name", "GDP_group", "EurAsia_group", "Area", "Population"} <= set(data.attributes)
    assert data.organisations[0] == "AUT" and data.attributes["name"][0] == "Austria"
    assert data.columns["LPI"].values[0] == pytest.approx(4.097985)
