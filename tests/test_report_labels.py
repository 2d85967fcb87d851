"""Stakeholder groups, units and SROI outcomes shown by their labels in the report language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vises
from vises.sroi import evaluate, load_model
from vises.sroi.render import render

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "examples" / "sroi" / "cisp_value_map.toml"

GRID = """
code = "resto"
languages = ["fr", "nl", "en"]
label = { fr = "Restaurant social", nl = "Sociaal restaurant", en = "Social restaurant" }

[stakeholder_labels]
guests = { fr = "Convives", nl = "Gasten", en = "Guests" }
trainees = { fr = "Apprentis cuisiniers" }

[unit_labels]
repas = { fr = "repas", nl = "maaltijden", en = "meals" }
person = { fr = "convives" }
hour = { nl = "openingsuren" }

[[nodes]]
code = "resto"

[[indicators]]
code = "meals"
parent = "resto"
unit = "person / hour"
"""


@pytest.fixture
def grid_file(tmp_path):
    path = tmp_path / "resto.toml"
    path.write_text(GRID, encoding="utf-8")
    return path


def test_grid_files_declare_labels_of_stakeholders_and_units(grid_file):
    grid = vises.load_grid(grid_file)
    assert grid.stakeholder_labels["guests"]["nl"] == "Gasten"
    assert vises.unit_label("repas", "en", grid.unit_labels) == "meals"
    # A grid's own word comes before vises's (person → "personnes"), only in the language it gives.
    assert vises.unit_label(grid.indicator("meals").unit, "fr", grid.unit_labels) == "convives / heures"
    assert vises.unit_label(grid.indicator("meals").unit, "nl", grid.unit_labels) == "personen / openingsuren"
    assert vises.stakeholder_label("trainees", "fr", grid.stakeholder_labels) == "Apprentis cuisiniers"
    # Declared only in French: the other languages take vises's word for the common group.
    assert vises.stakeholder_label("trainees", "nl", grid.stakeholder_labels) == "Cursisten"


def test_the_schema_knows_the_label_tables(grid_file):
    import tomllib

    import jsonschema

    from vises.io.schema import grid_json_schema

    data = tomllib.loads(grid_file.read_text(encoding="utf-8"))
    jsonschema.validate(data, grid_json_schema())
    data["unit_labels"]["repas"] = "repas"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, grid_json_schema())


def test_a_label_table_that_is_not_text_is_refused_naming_its_path(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GRID.replace('guests = { fr = "Convives", nl = "Gasten", en = "Guests" }', "guests = 3"))
    with pytest.raises(vises.ValidationError, match=r"stakeholder_labels\.guests"):
        vises.load_grid(path)


@pytest.mark.federation  # the plugins' grids and variants
def test_a_variant_extends_the_base_label_tables_code_by_code(tmp_path):
    base = vises.load_grid("wallonie.cisp")
    variant = tmp_path / "variant.toml"
    variant.write_text(
        'extends = "wallonie.cisp"\ncode = "cisp_plus"\n'
        '[stakeholder_labels]\nmentors = { fr = "Tuteurs", en = "Mentors" }\n',
        encoding="utf-8",
    )
    grid = vises.load_grid(variant)
    assert grid.stakeholder_labels["mentors"]["fr"] == "Tuteurs"
    assert grid.unit_labels == base.unit_labels  # kept from the base, not replaced by nothing


@pytest.mark.federation  # the plugins' grids and variants
def test_profile_names_the_stakeholders_in_the_report_language():
    results = vises.score("wallonie.cisp", ROOT / "examples" / "data" / "wallonie_cisp.csv")
    for fmt in ("html", "markdown", "table"):
        page = vises.render(results, fmt, lang="nl", view="profile", organisation="cisp_05")
        assert "Raad van bestuur" in page and "Financiers" in page and "Gebruikers" in page, fmt
    data = json.loads(vises.render(results, "json", lang="fr", view="profile", organisation="cisp_05"))
    assert data["evaluation"]["stakeholders"] == ["board", "funders", "users"]  # codes kept for programs
    assert data["stakeholder_labels"]["board"] == "Conseil d'administration"
    network = json.loads(vises.render(results, "json", lang="fr"))
    hours = next(node for node in network["nodes"] if node["code"] == "hours_per_trainee")
    assert hours["unit"] == "heure_stagiaire / person" and hours["unit_label"].startswith("heure stagiaire / ")


def test_sroi_outcomes_and_stakeholders_by_label_in_each_language():
    model = load_model(MAP)
    result = evaluate(model)
    french = render(result, fmt="table", lang="fr", value_map=model)
    assert "Emploi six mois après la formation" in french and "Familles des stagiaires" in french
    dutch = render(result, fmt="markdown", lang="nl", value_map=model, report=None)
    assert "Werk zes maanden na de opleiding" in dutch and "| Stagiairs" in dutch
    data = json.loads(render(result, fmt="json", lang="fr", value_map=model))
    assert data["labels"]["outcomes"]["job"] == "Emploi six mois après la formation"
    assert data["labels"]["stakeholders"]["public"] == "Pouvoirs publics"
    assert next(iter(data["by_outcome"])) == "job"  # machine keys stay codes


def test_sroi_without_declared_labels_falls_back_visibly(tmp_path):
    text = MAP.read_text(encoding="utf-8")
    bare = text.replace('label = { fr = "Stagiaires", nl = "Stagiairs", en = "Trainees" }\n', "")
    bare = bare.replace(
        'label = { fr = "Emploi six mois après la formation", nl = "Werk zes maanden na de opleiding", '
        'en = "Job six months after training" }',
        'label = { en = "Job six months after training" }',
    )
    path = tmp_path / "bare.toml"
    path.write_text(bare, encoding="utf-8")
    model = load_model(path)
    page = render(evaluate(model), fmt="table", lang="fr", value_map=model)
    assert "Job six months after training [en]" in page  # a missing translation is never passed off
    assert "Stagiaires" in page  # no label for 'trainees' in the map: vises's word for the common group
    html = render(evaluate(model), fmt="html", lang="fr", value_map=model)
    assert "Job six months after training [en]" in html


def test_an_outcome_label_may_be_one_plain_text(tmp_path):
    text = MAP.read_text(encoding="utf-8").replace(
        'label = { fr = "Emploi six mois après la formation", nl = "Werk zes maanden na de opleiding", '
        'en = "Job six months after training" }',
        'label = "Werk na zes maanden"',
    )
    path = tmp_path / "plain.toml"
    path.write_text(text, encoding="utf-8")
    model = load_model(path)
    assert "Werk na zes maanden" in render(evaluate(model), fmt="table", lang="fr", value_map=model)
