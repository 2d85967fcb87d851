"""COINr iMeta / iData tables, on a small hand-made example and on the real ASEM data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vises.errors import GridValidationError
from vises.io.coinr import is_coinr_data, is_coinr_meta, read_coinr_data, read_coinr_meta
from vises.model import Direction
from vises.validation.grid import validate_grid

ROOT = Path(__file__).resolve().parents[1]
ASEM = next(
    (
        base / "datasets" / "asem"
        for base in (ROOT / ".." / "shared", Path("/work/shared"))
        if (base / "datasets" / "asem" / "iMeta.csv").is_file()
    ),
    ROOT / ".." / "shared" / "datasets" / "asem",
)

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


def test_r_missing_values_in_every_kind_of_column(tmp_path: Path) -> None:
    """``NA`` is missing in numbers and in groups; a read of many rows keeps each row's cells in place."""
    (tmp_path / "iMeta.csv").write_text(META, encoding="utf-8")
    rows = ["uName,uCode,Size_group,Time,Pop,jobs,waste"]
    rows += [
        f"U{i},u{i},{'NA' if i % 3 == 0 else 'S'},2020,{i},{'NA' if i % 5 == 0 else i / 4},{i % 7}" for i in range(500)
    ]
    (tmp_path / "iData.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    data = read_coinr_data(tmp_path / "iData.csv", grid=read_coinr_meta(tmp_path / "iMeta.csv"))
    index = np.arange(500)
    np.testing.assert_array_equal(data.columns["jobs"].values, np.where(index % 5 == 0, np.nan, index / 4))
    np.testing.assert_array_equal(data.columns["waste"].values, index % 7)
    assert all(column.not_applicable is None for column in data.columns.values())
    assert list(data.attributes["Size_group"]) == ["" if i % 3 == 0 else "S" for i in index]
    assert list(data.attributes["name"]) == [f"U{i}" for i in index] and "uName" not in data.attributes
    assert list(data.organisations) == [f"u{i}" for i in index]


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


# -- build specs and frames ------------------------------------------------------------------------
META_DENOMINATED = META.replace(
    "1,jobs,Jobs created,1,2,Thousand jobs,,,Eco,Indicator", "1,jobs,Jobs created,1,2,Thousand jobs,,Pop,Eco,Indicator"
)
DATA_MORE = """uName,uCode,Size_group,Time,Pop,jobs,waste
Alpha,A,S,2020,10,1.5,NA
Beta,B,L,2020,20,3,2
Gamma,C,L,2020,40,8,NA
Delta,D,S,2020,5,1,4
"""


def test_a_build_spec_becomes_the_grid_s_defaults_and_denominators(tmp_path: Path) -> None:
    from vises.io.coinr_spec import apply_build_spec, read_build_spec

    (tmp_path / "iMeta.csv").write_text(META_DENOMINATED, encoding="utf-8")
    (tmp_path / "spec.yaml").write_text(
        "denominate: {}\nimpute: {method: group_mean, group: Size_group}\ntreat: none\n"
        "normalise: {method: minmax, low: 1, high: 100}\naggregate: geometric\npooling: per_period\n"
        "screen: {min_availability: 0.5, by: weight, include: [A]}\n",
        encoding="utf-8",
    )
    spec = read_build_spec(tmp_path / "spec.yaml")
    assert spec.screen is not None and spec.screen.by == "weight" and spec.screen.include == ("A",)
    grid = apply_build_spec(read_coinr_meta(tmp_path / "iMeta.csv"), spec)
    assert grid.indicator("jobs").denominator == "Pop" and grid.indicator("waste").denominator is None
    assert grid.defaults.imputation is not None and grid.defaults.imputation.params == {"group": "Size_group"}
    assert grid.defaults.treatment is None and grid.defaults.aggregator.name == "geometric"
    assert grid.defaults.normaliser.params == {"low": 1, "high": 100} and grid.defaults.pooling.value == "per_period"


def test_a_bad_build_spec_lists_every_problem(tmp_path: Path) -> None:
    from vises.io.coinr_spec import apply_build_spec, build_spec_from, read_build_spec

    (tmp_path / "spec.toml").write_text(
        '[screen]\nmin_availibility = 0.9\nby = "share"\n[normalise]\nlow = 0\n[treatment]\nmethod = "clip"\n',
        encoding="utf-8",
    )
    with pytest.raises(GridValidationError) as info:
        read_build_spec(tmp_path / "spec.toml")
    text = str(info.value)
    assert "min_availibility" in text and "min_availability" in text  # did you mean
    assert "treatment" in text and "'treat'" in text
    assert "'method' key" in text and "spec.toml" in text
    with pytest.raises(GridValidationError, match="by must be one of 'count', 'weight', got 'share'"):
        build_spec_from({"screen": {"by": "share"}})
    (tmp_path / "iMeta.csv").write_text(META, encoding="utf-8")
    with pytest.raises(GridValidationError, match="names no denominator"):
        apply_build_spec(read_coinr_meta(tmp_path / "iMeta.csv"), build_spec_from({"denominate": {}}))
    with pytest.raises(GridValidationError, match="not an indicator"):
        apply_build_spec(
            read_coinr_meta(tmp_path / "iMeta.csv"), build_spec_from({"denominate": {"by": {"nope": "Pop"}}})
        )
    with pytest.raises(GridValidationError, match="share between 0 and 1"):
        build_spec_from({"screen": {"min_availability": 1.5}})


def test_coinr_idata_as_a_dataframe(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    import vises
    from vises.io.coinr import read_coinr_frame

    (tmp_path / "iMeta.csv").write_text(META_DENOMINATED, encoding="utf-8")
    (tmp_path / "iData.csv").write_text(DATA_MORE, encoding="utf-8")
    grid = read_coinr_meta(tmp_path / "iMeta.csv", denominators=True)
    frame = pd.read_csv(tmp_path / "iData.csv")
    from_frame = read_coinr_frame(frame, grid, meta=tmp_path / "iMeta.csv")
    from_file = read_coinr_data(tmp_path / "iData.csv", grid)
    np.testing.assert_array_equal(vises.score(grid, from_frame).scores, vises.score(grid, from_file).scores)
    assert list(from_frame.attributes["name"]) == ["Alpha", "Beta", "Gamma", "Delta"]
    # load_data recognises COINr's columns; without iMeta the grid's denominator tags name Pop.
    plain = vises.score(read_coinr_meta(tmp_path / "iMeta.csv"), frame)
    assert len(plain) == 4


def test_building_from_the_tables_screens_and_records(tmp_path: Path) -> None:
    from vises.analysis import build

    (tmp_path / "iMeta.csv").write_text(META_DENOMINATED, encoding="utf-8")
    (tmp_path / "iData.csv").write_text(DATA_MORE, encoding="utf-8")
    built = build(
        tmp_path / "iMeta.csv",
        tmp_path / "iData.csv",
        spec={"denominate": {}, "screen": {"min_availability": 0.9, "on": "raw"}, "impute": "mean"},
    )
    assert sorted(built.results.organisations) == ["B", "D"]
    assert [o for o, _, _ in built.screening.excluded] == ["A", "C"]
    assert built.results.provenance["build_spec"]["screen"]["on"] == "raw"
    np.testing.assert_allclose(built.results.raw("jobs"), [3 / 20, 1 / 5])
    kept_all = build(
        tmp_path / "iMeta.csv",
        tmp_path / "iData.csv",
        spec={"denominate": {}, "impute": "mean", "screen": {"min_availability": 0.9}},
    )
    assert len(kept_all.results) == 4 and kept_all.results.imputed("waste").sum() == 2
