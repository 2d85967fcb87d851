"""The VISES evaluation framing file: profiles, questions, stakeholders, methods, narrative."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vises.errors import ConfigError, ValidationError, VisesError
from vises.io.evaluations import canonical_method, read_evaluations
from vises.model import Family

GOOD = """
[[organisations]]
code = "cisp_a"
name = "Centre A"
family = "work_integration"
region = "Hainaut"
size = "small"

[[organisations]]
code = "sis_b"
family = "collective_services"

[[evaluations]]
organisation = "cisp_a"
period = 2019
questions = ["Do our trainees gain autonomy?"]
stakeholders = ["trainees", "trainers"]
methods = ["Indicators", "focus-group", "récits de vie", "other: photo language"]
narrative = { exit_employment = "Three trainees found work in logistics.", "*" = "Overall reading." }

[[evaluations]]
organisation = "sis_b"
methods = ["survey"]
"""


def _write(tmp_path: Path, text: str, name: str = "ev.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_profiles_and_framing(tmp_path: Path) -> None:
    profiles, evaluations = read_evaluations(_write(tmp_path, GOOD))
    assert set(profiles) == {"cisp_a", "sis_b"}
    assert profiles["cisp_a"].family is Family.WORK_INTEGRATION
    assert profiles["cisp_a"].region == "Hainaut"
    first, second = evaluations
    assert first.period == "2019"  # a TOML integer year becomes the period text
    assert first.methods == ("indicators", "focus group", "life stories", "other: photo language")
    assert first.narrative["*"] == "Overall reading."
    assert second.period is None


def test_yaml_and_json_read_alike(tmp_path: Path) -> None:
    data = {
        "organisations": [{"code": "a", "family": "other"}],
        "evaluations": [{"organisation": "a", "period": "2018", "methods": ["interviews"]}],
    }
    from_json = read_evaluations(_write(tmp_path, json.dumps(data), "ev.json"))
    import yaml

    from_yaml = read_evaluations(_write(tmp_path, yaml.safe_dump(data), "ev.yaml"))
    assert from_json == from_yaml
    assert from_json[1][0].methods == ("interviews",)


def test_every_structural_problem_named_with_its_path(tmp_path: Path) -> None:
    text = """
[[organisations]]
code = "a"
family = "wise"
colour = "blue"
"""
    with pytest.raises(ValidationError) as caught:
        read_evaluations(_write(tmp_path, text))
    paths = {problem.path for problem in caught.value.problems}
    assert paths == {"organisations[0].family", "organisations[0].colour"}
    assert "work_integration" in str(caught.value)
    assert caught.value.problems[0].file.endswith("ev.toml")


def test_misspelt_top_level_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown key 'evaluation'"):
        read_evaluations(_write(tmp_path, '[[evaluation]]\norganisation = "a"\n'))


def test_semantic_problems_reported_together(tmp_path: Path) -> None:
    text = """
[[organisations]]
code = "a"

[[evaluations]]
organisation = "b"
methods = ["telepathy"]

[[evaluations]]
organisation = "a"
period = "2019"

[[evaluations]]
organisation = "a"
period = "2019"
narrative = { "*" = " " }
"""
    with pytest.raises(ValidationError) as caught:
        read_evaluations(_write(tmp_path, text))
    by_path = {problem.path: str(problem) for problem in caught.value.problems}
    assert "not among the [[organisations]]" in by_path["evaluations[0].organisation"]
    assert (
        "telepathy" in by_path["evaluations[0].methods[0]"]
        and "other: <method>" in by_path["evaluations[0].methods[0]"]
    )
    assert "second evaluation" in by_path["evaluations[2]"]
    assert "evaluations[2].narrative.*" in by_path


def test_duplicate_organisation(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="declared twice"):
        read_evaluations(_write(tmp_path, '[[organisations]]\ncode = "a"\n[[organisations]]\ncode = "a"\n'))


def test_file_problems_are_vises_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        read_evaluations(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="syntax"):
        read_evaluations(_write(tmp_path, "[[organisations]\n"))
    with pytest.raises(ConfigError, match="unsupported"):
        read_evaluations(_write(tmp_path, "x", "ev.txt"))
    with pytest.raises(VisesError):
        read_evaluations(_write(tmp_path, "- a list\n", "ev.yaml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Focus_Group", "focus group"),
        ("levensverhalen", "life stories"),
        ("enquête", "survey"),
        ("other:", None),
        ("magic", None),
    ],
)
def test_canonical_method(text: str, expected: str | None) -> None:
    assert canonical_method(text) == expected


def test_example_files_are_valid() -> None:
    folder = Path(__file__).resolve().parents[1] / "examples" / "data"
    files = sorted(folder.glob("*.evaluations.toml"))
    assert files, "examples/data should hold evaluation framings"
    for path in files:
        profiles, evaluations = read_evaluations(path)
        assert all("(synthetic)" in profile.name for profile in profiles.values())
        assert evaluations and all(ev.questions and ev.methods for ev in evaluations)
