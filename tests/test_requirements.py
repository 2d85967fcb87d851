"""Requirements beside scores ("meet the bar"): met, not met, not demonstrated, not applicable.

Missing or imputed data never meets a requirement; a requirement groups others and holds when all
of them do; requirements change no score. Grid files read them strictly, validation reports every
problem at once, and profiles, the network view and the staff workbook show them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import vises
from vises import Column, Condition, Dataset, Grid, Indicator, Kind, Level, Node, Requirement, RequirementStatus


def grid(requirements: tuple[Requirement, ...] | None = None) -> Grid:
    return Grid(
        code="bar",
        languages=("en", "fr"),
        nodes=(Node(code="root"), Node(code="work", parent="root"), Node(code="climate", parent="root")),
        indicators=(
            Indicator(code="pay_gap", parent="work", unit="percent", direction="lower"),
            Indicator(code="policy", parent="work", kind=Kind.BINARY),
            Indicator(
                code="dialogue",
                parent="climate",
                kind=Kind.SCALE,
                levels=tuple(Level(value=str(v)) for v in range(1, 6)),
            ),
        ),
        requirements=requirements
        if requirements is not None
        else (
            Requirement(code="fair_work", label={"en": "Fair work", "fr": "Travail équitable"}),
            Requirement(
                code="gap",
                parent="fair_work",
                label={"en": "Pay gap at most 10 %"},
                conditions=(Condition(indicator="pay_gap", at_most=10.0),),
            ),
            Requirement(
                code="written_policy",
                parent="fair_work",
                label={"en": "A written policy"},
                conditions=(Condition(indicator="policy", equals="yes"),),
            ),
            Requirement(
                code="talks",
                parent="climate",
                label={"en": "Regular dialogue"},
                conditions=(Condition(indicator="dialogue", at_least="4"),),
            ),
        ),
    )


def data() -> Dataset:
    return Dataset(
        organisations=np.array(["a", "b", "c", "d", "e"]),
        periods=np.array(["2025"] * 5),
        columns={
            "pay_gap": Column(
                values=np.array([5.0, 15.0, np.nan, 3.0, 8.0]),
                unit="percent",
                not_applicable=np.array([False, False, False, False, True]),
            ),
            "policy": Column(values=np.array(["yes", "yes", "yes", None, "yes"], dtype=object)),
            "dialogue": Column(values=np.array(["5", "4", "2", "4", "1"], dtype=object)),
        },
    )


def test_each_answer_and_the_unmet_list() -> None:
    results = vises.score(grid(), data())
    answers = vises.check_requirements(results)
    assert answers.status("gap").tolist() == ["met", "not_met", "not_demonstrated", "met", "not_applicable"]
    assert answers.status("written_policy").tolist() == ["met", "met", "met", "not_demonstrated", "met"]
    # A group holds when all of its parts hold; not applicable counts for nothing.
    assert answers.status("fair_work").tolist() == ["met", "not_met", "not_demonstrated", "not_demonstrated", "met"]
    assert answers.status("talks").tolist() == ["met", "met", "not_met", "met", "not_met"]
    assert answers.unmet("a") == [] and answers.unmet("b") == ["gap"]
    assert answers.unmet("c") == ["gap", "talks"] and answers.unmet("d") == ["written_policy"]
    assert answers.counts("fair_work")[RequirementStatus.MET] == 2
    # Requirements change no score.
    without = vises.score(grid(requirements=()), data())
    assert np.array_equal(results.scores, without.scores, equal_nan=True)


def test_an_imputed_value_never_meets_a_requirement() -> None:
    from vises import Defaults, Method

    imputing = vises.score(
        Grid(**{**_fields(grid()), "defaults": Defaults(imputation=Method(name="mean"))}),
        data(),
    )
    assert imputing.imputed("pay_gap")[2]
    assert vises.check_requirements(imputing).status("gap")[2] == "not_demonstrated"


def _fields(grid_: Grid) -> dict:
    import attrs

    return {field.name: getattr(grid_, field.name) for field in attrs.fields(Grid) if field.name != "plugin"}


def test_grid_files_read_requirements_and_every_problem_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bar.toml"
    path.write_text(
        """
code = "bar"
[[nodes]]
code = "root"
[[indicators]]
code = "gap"
parent = "root"
unit = "percent"
[[indicators]]
code = "level"
parent = "root"
kind = "scale"
levels = [{ value = 1 }, { value = 2 }, { value = 3 }]
[[requirements]]
code = "ok"
conditions = [{ indicator = "gap", at_most = 10 }, { indicator = "level", one_of = [2, 3] }]
""",
        encoding="utf-8",
    )
    loaded = vises.load_grid(path)
    assert loaded.requirements[0].conditions[1].one_of == ("2", "3")
    assert loaded.requirements[0].conditions[0].describe() == "gap ≤ 10"
    path.write_text(
        path.read_text(encoding="utf-8")
        + """
[[requirements]]
code = "bad"
parent = "nowhere"
conditions = [{ indicator = "level", at_least = 7 }, { indicator = "gapp", at_most = 1 }, { indicator = "gap" },
  { indicator = "gap", equals = 1, at_most = 3 }, { indicator = "gap", at_least = 5, at_most = 2 }]
[[requirements]]
code = "gap"
conditions = [{ indicator = "gap", equals = "yes", wrong = 1 }]
""",
        encoding="utf-8",
    )
    with pytest.raises(vises.GridValidationError) as error:
        vises.load_grid(path)
    text = str(error.value)
    assert "unknown key 'wrong'" in text
    path.write_text(path.read_text(encoding="utf-8").replace(", wrong = 1", ""), encoding="utf-8")
    with pytest.raises(vises.GridValidationError) as error:
        vises.load_grid(path)
    messages = [str(problem) for problem in error.value.problems]
    expected = [
        "'7' is not a level of 'level'",
        "which is no indicator of the grid",
        "tests nothing",
        "mixes at_most, equals",
        "at_least 5 is above at_most 2",
        "neither a node nor a requirement",
        "also a node or indicator code",
        "must be a number, not 'yes'",
    ]
    for words in expected:
        assert any(words in message for message in messages), (words, messages)
    assert any("did you mean 'gap'?" in message for message in messages)


def test_reports_show_requirements_beside_the_scores() -> None:
    results = vises.score(grid(), data())
    profile = vises.render(results, "markdown", view="profile", organisation="c", lang="fr")
    assert "Exigences" in profile and "Non démontrée" in profile and "Non atteinte" in profile
    assert "Exigences non atteintes ou non démontrées" in profile and "- Regular dialogue" in profile
    network = vises.render(results, "table", lang="en")
    assert "Requirements" in network and "Fair work" in network
    import json

    document = json.loads(vises.render(results, "json", view="profile", organisation="b"))
    assert document["requirements"]["gap"]["status"] == "not_met" and document["unmet"] == ["Pay gap at most 10 %"]
    html = vises.render(results, "html", view="profile", organisation="a", lang="en")
    assert "Every requirement is met or does not apply." in html


def test_variants_drop_and_merge_requirements(tmp_path: Path) -> None:
    from vises.io.variants import VariantSpec, apply_drop_and_weights

    dropped, problems = apply_drop_and_weights(grid(), VariantSpec(drop=("fair_work",)))
    assert problems == [] and [r.code for r in dropped.requirements] == ["talks"]
