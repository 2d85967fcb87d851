"""The round file: saved results that the next round scores against, bit for bit.

A frozen reference keeps published scores where they were (a pooled fit moves them when a year is
added); imputation and treatment parameters travel with it; a damaged or foreign file is refused
with the key it stumbles on; a round of another grid is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import vises
from vises import Column, Dataset, Defaults, Grid, Indicator, Level, Method, Node

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "examples" / "data" / "wallonie_cisp.csv"


def staged_grid() -> Grid:
    return Grid(
        code="staged",
        version="2025.1",
        nodes=(Node(code="root"), Node(code="a", parent="root")),
        indicators=(
            Indicator(code="x", parent="a", unit="hour"),
            Indicator(code="y", parent="a", direction="lower"),
            Indicator(code="z", parent="root", kind="scale", levels=tuple(Level(value=v) for v in "123")),
        ),
        defaults=Defaults(imputation=Method(name="mean"), treatment=Method(name="winsorise")),
    )


def staged_data(n: int = 12, offset: float = 0.0) -> Dataset:
    rng = np.random.default_rng(7)
    x = rng.normal(50, 10, n) + offset
    x[3] = np.nan
    x[5] = 500.0  # an outlier the treatment clips
    return Dataset(
        organisations=np.array([f"o{i}" for i in range(n)]),
        periods=np.array(["2025"] * n),
        columns={
            "x": Column(values=x * 60, unit="minute"),
            "y": Column(values=rng.uniform(0, 1, n), not_applicable=np.arange(n) == 2),
            "z": Column(values=np.array([str(1 + i % 3) for i in range(n)], dtype=object)),
        },
    )


def subset(data: Dataset, rows: np.ndarray) -> Dataset:
    """The rows ``rows`` (a mask) of ``data``, every column, text and attribute with them."""
    import attrs

    def cut(column: Column) -> Column:
        na = None if column.not_applicable is None else column.not_applicable[rows]
        return Column(values=column.values[rows], unit=column.unit, not_applicable=na)

    return attrs.evolve(
        data,
        organisations=data.organisations[rows],
        periods=data.periods[rows],
        columns={code: cut(column) for code, column in data.columns.items()},
        text={code: values[rows] for code, values in data.text.items()},
        attributes={name: values[rows] for name, values in data.attributes.items()},
        evaluations=(),
    )


def test_a_round_file_reads_back_to_the_same_scale(tmp_path: Path) -> None:
    grid = staged_grid()
    results = vises.score(grid, staged_data())
    path = vises.save_round(results, tmp_path / "round-2025.json", name="2025")
    saved = vises.load_round(path)
    assert (saved.grid_code, saved.grid_version, saved.name) == ("staged", "2025.1", "2025")
    assert np.array_equal(saved.scores, results.scores, equal_nan=True)
    assert saved.fitted_treatment.keys() == results.fitted_treatment.keys()
    # The data as scored: minutes converted to the indicator's hours, not-applicable kept.
    assert saved.dataset().columns["x"].unit == "hour"
    again = vises.score(grid, saved.dataset(), reference=saved)
    assert np.array_equal(again.scores, results.scores, equal_nan=True)
    assert np.array_equal(again.imputed("x"), results.imputed("x"))
    # A newcomer scored alone lands on the round's scale, not on one fitted on itself.
    newcomer = Dataset(
        organisations=np.array(["late"]),
        periods=np.array(["2025"]),
        columns={
            "x": Column(values=np.array([np.nan]), unit="hour"),
            "y": Column(values=np.array([0.5])),
            "z": Column(values=np.array(["2"], dtype=object)),
        },
    )
    alone = vises.score(grid, newcomer, reference=path)  # a path is a reference too
    assert alone.raw("x")[0] == pytest.approx(results.fitted_imputation["x"]["values"]["2025"])


@pytest.mark.federation  # the example CISP network
def test_pooled_scores_move_and_frozen_ones_do_not(tmp_path: Path) -> None:
    grid = vises.load_grid("wallonie.cisp")
    data = vises.load_data(NETWORK, grid=grid)
    early = data.periods != "2019"
    first = vises.score(grid, subset(data, early))
    saved = vises.load_round(vises.save_round(first, tmp_path / "round-2018.json"))
    pooled = vises.score(grid, data)
    frozen = vises.score(grid, data, reference=saved)
    root = first.codes[-1]
    rows = np.flatnonzero(early)
    moved = np.nanmax(np.abs(pooled.score(root)[rows] - first.score(root)))
    assert moved > 0.5, "adding a year to a pooled fit moves last year's scores"
    assert np.array_equal(frozen.score(root)[rows], first.score(root), equal_nan=True)


def test_a_damaged_or_foreign_round_file_is_refused(tmp_path: Path) -> None:
    results = vises.score(staged_grid(), staged_data())
    path = vises.save_round(results, tmp_path / "round.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["results"]["scores"]["x"] = document["results"]["scores"]["x"][:-1]
    document["data"]["columns"]["z"]["levels"] = "oops"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(vises.ValidationError) as error:
        vises.load_round(path)
    text = str(error.value)
    assert "results.scores.x" in text and "data.columns.z.levels" in text
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(vises.ConfigError, match="not a vises round file"):
        vises.load_round(other)
    with pytest.raises(vises.ConfigError, match="scored on grid 'staged'"):
        vises.score(
            Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="x", parent="r"),)),
            {"organisation": ["a"], "x": [1.0]},
            reference=vises.load_round(vises.save_round(results, tmp_path / "ok.json")),
        )


def test_a_newer_grid_version_names_what_the_reference_lacks(tmp_path: Path) -> None:
    import attrs

    results = vises.score(staged_grid(), staged_data())
    saved = vises.load_round(vises.save_round(results, tmp_path / "round.json"))
    newer = attrs.evolve(
        staged_grid(),
        version="2026.1",
        indicators=(*staged_grid().indicators, Indicator(code="w", parent="a")),
    )
    data = staged_data()
    data = attrs.evolve(data, columns={**data.columns, "w": Column(values=np.ones(len(data)))})
    with pytest.raises(vises.ConfigError, match=r"grid version 2025\.1.*no fitted parameters for w.*2026\.1 adds"):
        vises.score(newer, data, reference=saved)
