"""Standard codes in grids: IRIS+ metric ids, SDG targets, ESRS and VSME datapoints, the namespace.

The IRIS+ code list is Common Approach's ``IrisMetric53.ttl`` in ``../shared/datasets/cids`` (or
``/work/shared/datasets/cids``); the tests that need it are skipped, saying why, without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import vises
from vises.errors import ConfigError, GridValidationError
from vises.model import Grid, Indicator, Node
from vises.plugins import get_registry
from vises.validation.codes import (
    IRIS_CODES_ENV,
    code_problems,
    iris_code_list,
    sdg_codes,
    sdg_goals,
)
from vises.validation.grid import validate_grid

ROOT = Path(__file__).resolve().parents[1]
CIDS_DIR = next(
    (p for p in (ROOT / ".." / "shared" / "datasets" / "cids", Path("/work/shared/datasets/cids")) if p.is_dir()),
    None,
)
IRIS_TTL = CIDS_DIR / "IrisMetric53.ttl" if CIDS_DIR is not None else None
needs_iris = pytest.mark.skipif(
    IRIS_TTL is None or not IRIS_TTL.is_file(),
    reason="the IRIS+ code list (../shared/datasets/cids/IrisMetric53.ttl) is absent",
)


def grid_with(**indicator: object) -> Grid:
    return Grid(code="g", nodes=(Node(code="root"),), indicators=(Indicator(code="x", parent="root", **indicator),))  # type: ignore[arg-type]


def messages(grid: Grid, **kwargs: object) -> list[str]:
    return [str(problem) for problem in code_problems(grid, **kwargs)]  # type: ignore[arg-type]


# -- the SDG list ---------------------------------------------------------------------------------


def test_the_shipped_sdg_list_has_17_goals_and_169_targets() -> None:
    goals = sdg_goals()
    assert sorted(goals, key=int) == [str(n) for n in range(1, 18)]
    targets = sdg_codes() - set(goals)
    assert len(targets) == 169
    # Targets per goal as the 2030 Agenda numbers them (numbered, then lettered).
    per_goal = {goal: sum(1 for t in targets if t.split(".")[0] == goal) for goal in goals}
    assert per_goal == {
        "1": 7, "2": 8, "3": 13, "4": 10, "5": 9, "6": 8, "7": 5, "8": 12, "9": 8,
        "10": 10, "11": 10, "12": 11, "13": 5, "14": 10, "15": 12, "16": 12, "17": 19,
    }  # fmt: skip
    assert {"3.d", "8.10", "16.10", "17.19", "1.b", "12.c"} <= targets
    assert not {"1.c", "8.11", "17.20", "7.4", "13.c"} & targets
    assert goals["8"] == (
        "Decent work and economic growth",
        "Promote sustained, inclusive and sustainable economic growth, full and productive employment and decent "
        "work for all",
    )


@pytest.mark.skipif(CIDS_DIR is None, reason="the UN SDG code list (../shared/datasets/cids/SDGImpacts.ttl) is absent")
def test_goal_titles_agree_with_common_approachs_sdg_list() -> None:
    rdflib = pytest.importorskip("rdflib", reason="rdflib (dev extra) reads the code list")
    assert CIDS_DIR is not None
    graph = rdflib.Graph().parse(CIDS_DIR / "SDGImpacts.ttl", format="turtle")
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    for goal, (short, title) in sdg_goals().items():
        concept = rdflib.URIRef(f"https://metadata.un.org/sdg/{goal}")
        assert str(graph.value(concept, skos.definition)) == title
        assert str(graph.value(concept, skos.prefLabel)).lower() == f"goal {goal}: {short}".lower()


@given(st.sampled_from(sorted(sdg_codes())))
def test_every_official_code_is_accepted_and_found_from_a_common_miswriting(code: str) -> None:
    assert messages(grid_with(sdg_targets=(code,))) == []
    (problem,) = messages(grid_with(sdg_targets=(f"SDG {code.replace('.', ',')}",)))
    assert f"did you mean {code!r}" in problem


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("99.9", ["'99.9' is not an SDG goal or target", "goals are numbered 1 to 17"]),
        ("8.11", ["'8.11' is not an SDG goal or target", "did you mean '8.1', '8.10'"]),
        ("8,5", ["not written as an SDG target", "did you mean '8.5'"]),
        ("Goal 4.4", ["did you mean '4.4'"]),
        ("8.A", ["did you mean '8.a'"]),
    ],
)
def test_unknown_sdg_targets_are_refused_naming_the_indicator(target: str, words: list[str]) -> None:
    (problem,) = messages(grid_with(sdg_targets=(target,)))
    assert "indicator 'x'" in problem and "sdg_targets[0]" in problem
    for word in words:
        assert word in problem


# -- IRIS+, ESRS, VSME ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "good", "bad", "suggested"),
    [
        (
            "iris",
            ["PI4060", "OI8408", "FP1001", "OD5990"],
            ["PI406", "P4060", "PX4060", "PI40601"],
            {"pi4060": "PI4060"},
        ),
        (
            "esrs",
            ["S1-6_01", "G1-5_12", "E1-6_12", "GOV-1_01", "SBM-3_05", "MDR-P_01", "S1.MDR-A_01-12", "E4.IRO-1_02"],
            ["S1-6", "S5-1_01", "S1_6_01", "GOV1_01", "MDR-X_01"],
            {"s1-6-01": "S1-6_01", "S1.6.01": "S1-6_01"},
        ),
        ("vsme", ["B1", "B8", "B11", "C9", "B8.39", "B9.41a"], ["B12", "C10", "A1", "B8.", "B8-39(a)"], {"b8": "B8"}),
    ],
)
def test_external_ids_are_checked_by_their_pattern(
    scheme: str, good: list[str], bad: list[str], suggested: dict[str, str]
) -> None:
    for code in good:
        assert messages(grid_with(external_ids={scheme: code})) == [], code
    for code in bad:
        (problem,) = messages(grid_with(external_ids={scheme: code}))
        assert f"{scheme} id {code!r} is not well formed" in problem and "indicator 'x'" in problem
    for code, fixed in suggested.items():
        (problem,) = messages(grid_with(external_ids={scheme: code}))
        assert f"did you mean {fixed!r}" in problem


def test_other_schemes_are_not_checked() -> None:
    assert messages(grid_with(external_ids={"giin_theme": "anything at all"})) == []


@pytest.mark.federation  # the bundled grids' codes
@needs_iris
def test_every_iris_id_of_the_bundled_grids_is_in_the_iris_code_list() -> None:
    known = iris_code_list(IRIS_TTL)
    assert known is not None and len(known) == 735
    registry = get_registry()
    grids = [registry.grid(key) for key in registry.grid_sources]
    grids += [vises.load_grid(path) for path in sorted((ROOT / "examples" / "grids").glob("*.toml"))]
    used = {
        (grid.code, ind.code, ind.external_ids["iris"])
        for grid in grids
        for ind in grid.indicators
        if "iris" in ind.external_ids
    }
    assert {iris for _, _, iris in used} >= {"PI4060", "PI5683", "OI9028", "OI8408"}
    missing = [entry for entry in used if entry[2] not in known]
    assert missing == []
    for grid in grids:
        assert [p for p in validate_grid(grid, iris_codes=IRIS_TTL)] == [], grid.code


@needs_iris
def test_an_iris_id_missing_from_the_code_list_is_refused_with_the_closest_ids() -> None:
    grid = grid_with(external_ids={"iris": "PI4061"})
    assert messages(grid) == []  # well formed: without a code list, nothing more can be said
    (problem,) = messages(grid, iris_codes=IRIS_TTL)
    assert "IRIS+ id 'PI4061' is not in the IRIS+ code list" in problem
    assert "indicator 'x'" in problem and "did you mean 'PI4060'" in problem
    (malformed,) = messages(grid_with(external_ids={"iris": "PI406"}), iris_codes=IRIS_TTL)
    assert "did you mean 'PI4060'" in malformed


@needs_iris
def test_the_code_list_can_come_from_the_environment_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from vises.cli import cli

    grid = tmp_path / "grid.toml"
    grid.write_text(
        'code = "g"\n[[nodes]]\ncode = "root"\n[[indicators]]\ncode = "hours"\nparent = "root"\n'
        'external_ids = { iris = "PI9999" }\nsdg_targets = ["4.4", "4.44"]\n',
        encoding="utf-8",
    )
    data = tmp_path / "data.csv"
    data.write_text("organisation,period,hours\na,2019,3\n", encoding="utf-8")
    monkeypatch.setenv(IRIS_CODES_ENV, str(IRIS_TTL))
    outcome = CliRunner().invoke(cli, ["validate", str(data), "--grid", str(grid)])
    assert outcome.exit_code != 0
    assert "PI9999" in outcome.output and "4.44" in outcome.output and "'hours'" in outcome.output
    monkeypatch.delenv(IRIS_CODES_ENV)
    outcome = CliRunner().invoke(cli, ["validate", str(data), "--grid", str(grid)])
    assert "PI9999" not in outcome.output and "4.44" in outcome.output


def test_loading_a_grid_reports_every_wrong_code_at_once(tmp_path: Path) -> None:
    path = tmp_path / "grid.toml"
    path.write_text(
        'code = "g"\nnamespace = "no-scheme"\n[[nodes]]\ncode = "root"\n'
        '[[indicators]]\ncode = "a"\nparent = "root"\nsdg_targets = ["99.9"]\n'
        '[[indicators]]\ncode = "b"\nparent = "root"\nexternal_ids = { iris = "PI406", esrs = "S1-6" }\n',
        encoding="utf-8",
    )
    with pytest.raises(GridValidationError) as caught:
        vises.load_grid(path)
    found = {(p.indicator, p.path) for p in caught.value.problems}
    assert found == {
        ("a", "indicators[0].sdg_targets[0]"),
        ("b", "indicators[1].external_ids.iris"),
        ("b", "indicators[1].external_ids.esrs"),
        (None, "namespace"),
    }
    assert all(p.file == str(path) for p in caught.value.problems)


def test_code_lists_as_text_and_csv(tmp_path: Path) -> None:
    text = tmp_path / "ids.txt"
    text.write_text("# my ids\nPI4060\nOI8408\n\n", encoding="utf-8")
    assert iris_code_list(text) == {"PI4060", "OI8408"}
    table = tmp_path / "catalog.csv"
    table.write_text("Metric Name,ID\nClient Individuals,PI4060\nService Hours,PI5683\n", encoding="utf-8")
    assert iris_code_list(table) == {"PI4060", "PI5683"}
    assert iris_code_list(["PI4060"]) == {"PI4060"}
    empty = tmp_path / "empty.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="holds no IRIS\\+ metric id"):
        iris_code_list(empty)
    (problem,) = code_problems(grid_with(), iris_codes=tmp_path / "absent.ttl")
    assert "cannot read the IRIS+ code list" in str(problem) and IRIS_CODES_ENV in str(problem)


@pytest.mark.parametrize(
    ("namespace", "ok"),
    [
        ("https://data.example.org/vises/", True),
        ("https://data.example.org/vises#", True),
        ("urn:example:cisp:", True),
        ("https://data.example.org/vises", False),
        ("data.example.org/", False),
        ("https://data example.org/", False),
    ],
)
def test_the_grid_namespace_must_be_a_base_iri(namespace: str, ok: bool) -> None:
    grid = Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="x", parent="r"),), namespace=namespace)
    found = messages(grid)
    assert (found == []) is ok
    if not ok:
        assert re.search(r"path 'namespace'.*not an absolute IRI", found[0])


def _iris_grid(tmp_path: Path, iris: str) -> Path:
    grid = tmp_path / "grid.toml"
    grid.write_text(
        f'code = "g"\n[[nodes]]\ncode = "root"\n[[indicators]]\ncode = "hours"\nparent = "root"\n'
        f'external_ids = {{ iris = "{iris}" }}\n',
        encoding="utf-8",
    )
    return grid


def test_the_public_validate_grid_checks_iris_ids_against_a_code_list_file(tmp_path: Path) -> None:
    codes = tmp_path / "iris.txt"
    codes.write_text("PI4060\nOI8408\n", encoding="utf-8")
    unknown = vises.load_grid(_iris_grid(tmp_path, "PI9999"), validate=False)
    problems = vises.validate_grid(unknown, iris_codes=codes)
    assert [(p.indicator, p.path) for p in problems] == [("hours", "indicators[0].external_ids.iris")]
    assert "PI9999" in str(problems[0])
    assert vises.validate_grid(unknown) == []  # the pattern alone is fine: no list, no list check
    known = vises.load_grid(_iris_grid(tmp_path, "PI4060"), validate=False)
    assert vises.validate_grid(known, iris_codes=codes) == []
    assert vises.validate_grid(known, iris_codes=["OI8408"]) != []


def test_vises_validate_iris_codes_checks_the_grid_with_or_without_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from vises.cli import cli

    monkeypatch.delenv(IRIS_CODES_ENV, raising=False)
    codes = tmp_path / "iris.txt"
    codes.write_text("PI4060\n", encoding="utf-8")
    grid = _iris_grid(tmp_path, "PI9999")
    data = tmp_path / "data.csv"
    data.write_text("organisation,period,hours\na,2019,3\n", encoding="utf-8")
    runner = CliRunner()
    alone = runner.invoke(cli, ["validate", "--grid", str(grid), "--iris-codes", str(codes)])
    assert alone.exit_code == 2 and "PI9999" in alone.output and "grid.toml" in alone.output
    with_data = runner.invoke(cli, ["validate", str(data), "--grid", str(grid), "--iris-codes", str(codes)])
    assert with_data.exit_code == 2 and "PI9999" in with_data.output
    unchecked = runner.invoke(cli, ["validate", str(data), "--grid", str(grid)])
    assert unchecked.exit_code == 0, unchecked.output
    fine = runner.invoke(cli, ["validate", "--grid", str(_iris_grid(tmp_path, "PI4060")), "--iris-codes", str(codes)])
    assert fine.exit_code == 0 and "IRIS+ ids checked" in fine.output
    missing = runner.invoke(cli, ["validate", "--grid", str(grid), "--iris-codes", str(tmp_path / "nope.ttl")])
    assert missing.exit_code == 2 and "nope.ttl" in missing.output
