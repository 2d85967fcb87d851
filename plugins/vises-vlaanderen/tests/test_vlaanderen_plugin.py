"""vises-vlaanderen: the maatwerk grid, its catalogue indicator, units, data and the jaarverslag."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vises
from vises import get_registry, unit_conversion, validate_grid

DATA = Path(__file__).resolve().parents[3] / "examples" / "data"


def test_grid_loads_validates_and_is_labelled_in_dutch_and_english() -> None:
    registry = get_registry()
    grid = registry.grid("vlaanderen.maatwerk")
    assert validate_grid(grid) == []
    assert grid.languages == ("nl", "en")
    for item in (*grid.nodes, *grid.indicators):
        assert item.label.get("nl") and item.label.get("en"), item.code
        for level in getattr(item, "levels", ()):
            assert level.label.get("nl") and level.label.get("en"), (item.code, level.value)
    assert all(indicator.source for indicator in grid.indicators)


def test_extends_base_with_weights_drop_and_use() -> None:
    registry = get_registry()
    grid = registry.grid("vlaanderen.maatwerk")
    assert grid.node("social").weight == 3.0
    assert {"doelgroep", "begeleiding", "opleiding", "doorstroom"} <= {
        node.code for node in grid.nodes if node.parent == "social"
    }
    assert "disadvantaged_workers_share" not in {i.code for i in grid.indicators}
    reused = grid.indicator("doorstroom_ratio")
    catalogue = registry.indicators["vlaanderen.doorstroom_ratio"]
    assert (
        reused.parent == "doorstroom" and reused.label == catalogue.label and reused.normaliser == catalogue.normaliser
    )


def test_units_parse() -> None:

    get_registry().grid("vlaanderen.maatwerk")
    assert unit_conversion("min / persoon", "begeleidingsuur / doelgroepwerknemer") == pytest.approx((1 / 60, 0.0))
    assert unit_conversion("doelgroepwerknemers", "person") == pytest.approx((1.0, 0.0))


@pytest.fixture(scope="module")
def results():
    path = DATA / "vlaanderen_maatwerk.csv"
    if not path.is_file():
        pytest.skip("example data not present (plugin tested outside the vises repository)")
    grid = vises.load_grid("vlaanderen.maatwerk")
    return vises.score(grid, vises.load_data(path, grid=grid))


def test_example_data_scores_and_converts_minutes(results) -> None:
    assert not np.isnan(results.score("social_economy")).any()
    hours = results.raw("begeleidingsuren")
    assert 5 < np.nanmedian(hours) < 200  # the column is in minutes per person; scored in hours


def test_jaarverslag_renders_in_dutch(results) -> None:
    text = vises.render(results, "vlaanderen.jaarverslag")
    assert text.startswith("# Jaarverslag maatschappelijke impact 2019")
    assert "| Sociale meerwaarde |" in text and "| 2019 | 2018 | Verschil |" in text
    assert "Maatwerkbedrijf A (synthetic)" in text
    assert len(text.splitlines()) < 60  # one page
