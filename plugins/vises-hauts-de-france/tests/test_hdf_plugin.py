"""vises-hauts-de-france: the IAE grid, the etp_iae unit, data and the dialogue-de-gestion CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

import vises
from vises import get_registry, unit_conversion, validate_grid

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"


def test_grid_loads_validates_and_is_labelled() -> None:
    registry = get_registry()
    grid = registry.grid("hdf.iae")
    assert validate_grid(grid) == []
    for item in (*grid.nodes, *grid.indicators):
        assert all(item.label.get(lang) for lang in grid.languages), item.code
    exits = [
        grid.indicator(code) for code in ("sorties_emploi_durable", "sorties_emploi_transition", "sorties_positives")
    ]
    assert all("sorties-dynamiques" in (indicator.source or "") for indicator in exits)
    assert [indicator.weight for indicator in exits] == [3.0, 2.0, 1.0]
    assert grid.node("social").weight == 2.0 and grid.node("environmental").weight == 0.5


def test_etp_iae_is_1607_hours() -> None:

    get_registry().grid("hdf.iae")
    assert unit_conversion("etp_iae", "hour") == pytest.approx((1607.0, 0.0))
    assert unit_conversion("etp_insertion", "hour") == pytest.approx((1607.0, 0.0))


@pytest.fixture(scope="module")
def results():
    path = DATA / "hdf_iae.csv"
    if not path.is_file():
        pytest.skip("example data not present (plugin tested outside the vises repository)")
    grid = vises.load_grid("hdf.iae")
    return vises.score(grid, vises.load_data(path, grid=grid))


def test_example_data_scores(results) -> None:
    assert not np.isnan(results.score("social_economy")).any()
    assert np.nanmin(results.raw("heures_travail")) > 1000  # given in etp_iae, read in hours


def test_dialogue_de_gestion_csv(results) -> None:
    text = vises.render(results, "hdf.dialogue_gestion", options={"delimiter": ",", "decimal": "."})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(results)
    first = rows[0]
    assert first["structure"] == "siae_01" and first["periode"] == "2017"
    parts = [
        float(first[key])
        for key in ("taux_emploi_durable_pct", "taux_emploi_transition_pct", "taux_sorties_positives_pct")
    ]
    assert float(first["taux_sorties_dynamiques_pct"]) == pytest.approx(sum(parts), abs=0.11)
    assert float(first["etp_iae"]) == pytest.approx(float(first["heures_travaillees"]) / 1607, abs=0.01)
    french = vises.render(results, "hdf.dialogue_gestion", period="2019")
    assert french.splitlines()[0].startswith("structure;periode;")
    assert len(french.splitlines()) == 1 + int((results.periods == "2019").sum())
