"""The JSON report carries the raw measured values beside the scores, with what a reader needs to
interpret them (kind, unit, levels, external ids, SDG targets), and keeps imputed values apart."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import vises


def _grid_with_codes_and_imputation(network, tmp_path: Path) -> Path:
    text = network.grid.read_text(encoding="utf-8")
    text = text.replace('aggregator = "arithmetic"\n', 'aggregator = "arithmetic"\nimputation = "mean"\n', 1)
    text = text.replace(
        'code = "exit_employment"\n', 'code = "exit_employment"\nexternal_ids = { iris = "PI3527" }\n', 1
    )
    path = tmp_path / "grid.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def document(network, tmp_path: Path) -> dict:
    results = vises.score(_grid_with_codes_and_imputation(network, tmp_path), network.data)
    return json.loads(vises.render(results, "json"))


def test_raw_values_are_the_values_the_file_gave(network, document: dict) -> None:
    with network.data.open(encoding="utf-8", newline="") as handle:
        given = {(row["organisation"], row["period"]): row for row in csv.DictReader(handle)}
    checked = 0
    for record in document["records"]:
        row = given[(record["organisation"], record["period"])]
        raw = record["raw"]
        assert float(row["exit_employment [percent]"]) == raw["exit_employment"]
        assert row["individual_plan"] == raw["individual_plan"]
        assert raw["work_placement"] == (None if row["work_placement"] in ("", "n/a") else row["work_placement"])
        if row["staff_training [hour / FTE]"] == "":
            # Missing in the file, filled by mean imputation: scored, but not reported as measured.
            assert raw["staff_training"] is None and record["imputed"] == ["staff_training"]
            assert record["scores"]["staff_training"] is not None
            checked += 1
        else:
            assert raw["staff_training"] == float(row["staff_training [hour / FTE]"])
            assert "staff_training" not in record["imputed"]
    assert checked == 1
    assert "trainee_voices" not in document["records"][0]["raw"]  # narratives are under "narratives"


def test_each_indicator_says_how_to_read_its_values(document: dict) -> None:
    facts = document["indicators"]
    assert facts["exit_employment"] == {
        "kind": "quantity",
        "unit": "percent",
        "levels": [],
        "external_ids": {"iris": "PI3527"},
        "sdg_targets": ["8.5"],
    }
    assert facts["individual_plan"]["levels"] == ["1", "2", "3"] and facts["individual_plan"]["kind"] == "scale"
    assert facts["work_placement"]["levels"] == ["no", "yes"]
    assert set(facts) == {code for record in document["records"] for code in record["raw"]}


def test_the_profile_carries_the_same_facts_and_indented_output_is_the_same_document(network, tmp_path) -> None:
    results = vises.score(_grid_with_codes_and_imputation(network, tmp_path), network.data)
    profile = json.loads(vises.render(results, "json", view="profile", organisation="centre_01"))
    assert profile["indicators"]["exit_employment"]["external_ids"] == {"iris": "PI3527"}
    compact = json.loads(vises.render(results, "json"))
    indented = json.loads(vises.render(results, "json", options={"indent": 2}))
    compact["provenance"].pop("created"), indented["provenance"].pop("created")
    assert compact == indented
