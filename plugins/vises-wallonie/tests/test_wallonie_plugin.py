"""vises-wallonie: grids load and validate, labels are complete, units parse, data scores, report renders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vises
from vises import Grid, Kind, get_registry, unit_conversion, validate_grid

GRIDS = ("wallonie.cisp", "wallonie.sis", "wallonie.economie_sociale")
DATA = Path(__file__).resolve().parents[3] / "examples" / "data"


def _labelled(grid: Grid) -> list[str]:
    """Every (code, language) whose label is missing, levels included."""
    gaps = []
    for item in (*grid.nodes, *grid.indicators):
        gaps += [f"{item.code}:{lang}" for lang in grid.languages if not item.label.get(lang)]
    for indicator in grid.indicators:
        for level in indicator.levels:
            gaps += [f"{indicator.code}={level.value}:{lang}" for lang in grid.languages if not level.label.get(lang)]
    return gaps


@pytest.mark.parametrize("name", GRIDS)
def test_grid_loads_validates_and_is_labelled(name: str) -> None:
    registry = get_registry()
    grid = registry.grid(name)
    assert validate_grid(grid) == []
    assert grid.plugin == "wallonie"
    assert _labelled(grid) == []
    assert all(indicator.source for indicator in grid.indicators), "every indicator says where it comes from"
    assert "illustrative" in (grid.source or "").lower()


def test_cisp_covers_the_caips_areas_and_kinds() -> None:
    grid = get_registry().grid("wallonie.cisp")
    areas = {node.code for node in grid.nodes if node.parent == "cisp"}
    assert areas == {"pedagogy", "social_support", "management", "team", "communication", "recruitment", "outcomes"}
    kinds = {indicator.kind for indicator in grid.indicators}
    assert kinds == {Kind.QUANTITY, Kind.RATE, Kind.SCALE, Kind.BINARY, Kind.NARRATIVE}
    # Volumes are context, never scored: a centre does not score better for being large.
    for code in ("trainees", "training_hours", "communication_actions", "information_sessions"):
        assert not grid.indicator(code).scored, code


def test_economie_sociale_extends_the_base_grid() -> None:
    registry = get_registry()
    base = registry.grid("vises.social_economy")
    grid = registry.grid("wallonie.economie_sociale")
    assert grid.root.code == base.root.code
    assert grid.node("political").weight == 2.0
    assert "staff_turnover" not in {i.code for i in grid.indicators}
    assert grid.indicator("profit_distribution").kind is Kind.CATEGORY


def test_units_parse_and_convert() -> None:

    get_registry().grid("wallonie.cisp")  # registers the plugin's unit lines
    assert unit_conversion("min", "heure_stagiaire") == pytest.approx((1 / 60, 0.0))
    assert unit_conversion("heures_stagiaire", "hour") == pytest.approx((1.0, 0.0))


def test_weighting_variant_changes_the_ranking() -> None:
    weighting = get_registry().weightings["wallonie.resultats_d_abord"]
    assert weighting.grid == "wallonie.cisp"
    assert weighting.weights["outcomes"] > 2.0


@pytest.fixture(scope="module")
def cisp_results():
    path = DATA / "wallonie_cisp.csv"
    if not path.is_file():
        pytest.skip("example data not present (plugin tested outside the vises repository)")
    grid = vises.load_grid("wallonie.cisp")
    return vises.score(grid, vises.load_data(path, grid=grid))


def test_example_data_scores(cisp_results) -> None:
    total = cisp_results.score("cisp")
    assert not np.isnan(total).any()
    assert ((total >= 0) & (total <= 100)).all()
    assert cisp_results.evaluation("cisp_01", "2019") is not None


def test_caips_report_renders_in_french(cisp_results) -> None:
    text = vises.render(cisp_results, "wallonie.caips", period="2019")
    assert text.startswith("# Synthèse CAIPS")
    assert "pas l'outil officiel de CAIPS" in text
    assert "| Pratiques pédagogiques |" in text
    assert "Question évaluative" in text
    assert text.count("(synthetic) |") == 30
    one = vises.render(cisp_results, "wallonie.caips", organisation="cisp_02", period="2018")
    assert one.count("(synthetic) |") == 1 and "Période\u00a0: **2018**" in one
