"""Grid files: reading, strict errors with paths, variants, catalogue use, schema."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from vises.errors import ConfigError, GridValidationError
from vises.io.converter import structure_or_raise
from vises.io.grid_files import grid_from_dict, grid_to_dict, read_grid, write_grid
from vises.io.schema import grid_json_schema
from vises.io.variants import apply_variant, apply_weighting
from vises.model import Defaults, Grid, Indicator, Kind, Level, Method, Node

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "grids" / "example.toml"

BASE = Grid(
    code="base",
    nodes=(Node(code="root"), Node(code="a", parent="root"), Node(code="b", parent="root")),
    indicators=(
        Indicator(code="x", parent="a"),
        Indicator(code="y", parent="a", weight=2.0),
        Indicator(code="z", parent="b"),
    ),
)
CATALOGUE = Indicator(code="exit_rate", unit="percent", label={"fr": "Taux de sortie"}, minimum=0, maximum=100)


def resolve(kind: str, key: str):
    table = {("grid", "core.base"): BASE, ("indicator", "cat.exit_rate"): CATALOGUE}
    return table[(kind, key)]


def test_example_grid_reads_with_methods_and_levels() -> None:
    grid = read_grid(EXAMPLE)
    assert grid.code == "work_integration_example"
    assert grid.defaults.normaliser == Method(name="minmax", params={"low": 0, "high": 100})
    assert grid.node("governance").aggregator == Method(name="geometric")
    exit_ = grid.indicator("exit_to_employment")
    assert exit_.normaliser == Method(name="goalposts", params={"lower": 0, "upper": 60})
    assert grid.indicator("wellbeing").level_scores() == {"1": 1.0, "2": 2.0, "3": 3.0, "4": 4.0}
    assert grid.indicator("worker_representation").levels[2] == Level(
        value="board_seat", score=100.0, label={"fr": "Siège au CA", "en": "Board seat"}
    )
    assert grid.indicator("worker_testimony").kind is Kind.NARRATIVE


def test_every_problem_is_reported_with_its_path() -> None:
    data = {
        "code": "g",
        "nodes": [{"code": "r"}, {"code": "a", "weight": "abc"}, {"code": "b", "wieght": 2}],
        "indicators": [{"parent": "a", "kind": "quantiy"}],
        "defaults": {"normaliser": {"low": 1}},
    }
    with pytest.raises(GridValidationError) as info:
        grid_from_dict(data, file="g.toml")
    found = {(p.path, p.message) for p in info.value.problems}
    assert ("nodes[1].weight", "expected a number, got 'abc'") in found
    assert ("nodes[2].wieght", "unknown key 'wieght' (did you mean 'weight'?)") in found
    assert ("indicators[0].code", "missing required key 'code'") in found
    assert any(path == "indicators[0].kind" and "'quantity'" in msg for path, msg in found)
    assert any(path == "defaults.normaliser" and "'method'" in msg for path, msg in found)
    assert len(info.value.problems) == 5
    assert all(p.file == "g.toml" for p in info.value.problems)


def test_structure_or_raise_is_reusable_for_other_classes() -> None:
    with pytest.raises(GridValidationError) as info:
        structure_or_raise(None, {"code": 3, "extra": 1}, Node, file="n.yaml", what="node", prefix="things[2]")
    paths = sorted(p.path for p in info.value.problems)
    assert paths == ["things[2].code", "things[2].extra"]


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('code = "g"\n[[nodes]\ncode = "r"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        read_grid(path)
    assert "line 2" in str(info.value) and info.value.file == str(path)


def test_yaml_and_json_syntax_errors_name_line(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text("code: g\nnodes: [\n", encoding="utf-8")
    (tmp_path / "g.json").write_text('{"code": "g",\n "nodes": ]}', encoding="utf-8")
    (tmp_path / "g.toml").write_text('code = "g"\nversion = = 2\n', encoding="utf-8")
    # One document reader: the three syntaxes word an error alike, with the line and the column.
    with pytest.raises(ConfigError, match="not valid YAML at line 3, column 1"):
        read_grid(tmp_path / "g.yaml")
    with pytest.raises(ConfigError, match="not valid JSON at line 2, column 11"):
        read_grid(tmp_path / "g.json")
    with pytest.raises(ConfigError, match="not valid TOML at line 2, column 11"):
        read_grid(tmp_path / "g.toml")


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unsupported grid file format"):
        read_grid(tmp_path / "g.ini")
    with pytest.raises(ConfigError, match="not found"):
        read_grid(tmp_path / "nope.toml")


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_example_round_trips(tmp_path: Path, suffix: str) -> None:
    grid = read_grid(EXAMPLE)
    path = write_grid(grid, tmp_path / f"grid{suffix}")
    assert read_grid(path) == grid
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_method_unstructures_as_bare_name_or_table() -> None:
    data = grid_to_dict(read_grid(EXAMPLE))
    assert "aggregator" not in data["defaults"]  # the default is left out
    assert data["nodes"][3]["aggregator"] == "geometric"
    assert data["indicators"][0]["normaliser"] == {"method": "goalposts", "lower": 0, "upper": 60}
    assert "plugin" not in data


def test_extends_replaces_adds_drops_and_reweights() -> None:
    data = {
        "extends": "core.base",
        "code": "variant",
        "nodes": [{"code": "c", "parent": "root"}],
        "indicators": [{"code": "y", "parent": "a", "weight": 5.0, "unit": "hour"}, {"code": "w", "parent": "c"}],
        "drop": ["b"],
        "weights": {"a": 3},
    }
    grid = grid_from_dict(data, resolve=resolve)
    assert grid.code == "variant"
    assert [n.code for n in grid.nodes] == ["root", "a", "c"]
    assert [i.code for i in grid.indicators] == ["x", "y", "w"]
    assert grid.indicator("y").weight == 5.0 and grid.indicator("y").unit == "hour"
    assert grid.node("a").weight == 3.0
    assert grid.defaults == Defaults()


def test_unknown_codes_in_drop_and_weights_are_errors() -> None:
    with pytest.raises(GridValidationError) as info:
        apply_variant(BASE, {"drop": ["q"], "weights": {"xx": 1, "x": "heavy"}})
    paths = sorted(p.path for p in info.value.problems)
    assert paths == ["drop[0]", "weights.x", "weights.xx"]


def test_extends_and_use_without_resolver_are_clear_errors() -> None:
    with pytest.raises(GridValidationError) as info:
        grid_from_dict({"extends": "core.base", "indicators": [{"use": "cat.exit_rate", "parent": "a"}]})
    paths = {p.path for p in info.value.problems}
    assert {"extends", "indicators[0].use"} <= paths
    assert all("registry" in p.message for p in info.value.problems if p.path in ("extends", "indicators[0].use"))


def test_use_starts_from_catalogue_indicator_and_overrides() -> None:
    grid = grid_from_dict(
        {"code": "g", "nodes": [{"code": "r"}], "indicators": [{"use": "cat.exit_rate", "parent": "r", "maximum": 80}]},
        resolve=resolve,
    )
    ind = grid.indicator("exit_rate")
    assert (ind.unit, ind.maximum, ind.minimum, ind.parent) == ("percent", 80.0, 0.0, "r")
    assert ind.label == {"fr": "Taux de sortie"}


def test_unknown_catalogue_key_is_error() -> None:
    with pytest.raises(GridValidationError, match="unknown indicator 'cat.nope'"):
        grid_from_dict({"code": "g", "indicators": [{"use": "cat.nope"}]}, resolve=resolve)


def test_apply_weighting() -> None:
    grid = apply_weighting(BASE, {"a": 2, "z": 0.5}, name="mine")
    assert grid.node("a").weight == 2.0 and grid.indicator("z").weight == 0.5
    with pytest.raises(GridValidationError, match="weighting 'mine'") as info:
        apply_weighting(BASE, {"nope": 1, "x": -1}, name="mine")
    assert len(info.value.problems) == 2


def _check(schema: dict, data: object, path: str = "$") -> list[str]:
    """A tiny structural checker: types, enums, required and additionalProperties."""
    problems = []
    if "oneOf" in schema:
        if all(_check(option, data, path) for option in schema["oneOf"]):
            problems.append(f"{path}: matches no option")
        return problems
    if "enum" in schema and data not in schema["enum"]:
        problems.append(f"{path}: not in enum")
    kinds = schema.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    python = {"object": dict, "array": list, "string": str, "number": (int, float)}
    if kinds and not any(isinstance(data, python[k]) for k in kinds):
        return [f"{path}: expected {kinds}"]
    if isinstance(data, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in data:
                problems.append(f"{path}.{key}: required")
        for key, value in data.items():
            if key in props:
                problems += _check(props[key], value, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{key}: not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += _check(schema["additionalProperties"], value, f"{path}.{key}")
    if isinstance(data, list) and "items" in schema:
        for i, item in enumerate(data):
            problems += _check(schema["items"], item, f"{path}[{i}]")
    return problems


def test_example_validates_against_schema() -> None:
    import tomllib

    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    schema = grid_json_schema()
    assert _check(schema, data) == []
    assert _check(schema, {"code": "g", "nodes": [{"code": "r", "wieght": 1}]}) == ["$.nodes[0].wieght: not allowed"]


def test_schema_keys_match_model() -> None:
    schema = grid_json_schema()
    grid_fields = {f.name for f in attrs.fields(Grid)} - {"plugin"}
    assert set(schema["properties"]) == grid_fields | {"extends", "drop", "weights"}
    assert set(schema["properties"]["nodes"]["items"]["properties"]) == {f.name for f in attrs.fields(Node)}
    assert set(schema["properties"]["indicators"]["items"]["properties"]) == {
        f.name for f in attrs.fields(Indicator)
    } | {"use"}
    assert set(schema["properties"]["defaults"]["properties"]) == {f.name for f in attrs.fields(Defaults)}


def test_extends_may_name_a_grid_file_relative_to_the_child(tmp_path):
    from vises.errors import VisesError
    from vises.io.grid_files import read_grid

    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "base.toml").write_text(
        'code = "base"\n[[nodes]]\ncode = "r"\n[[nodes]]\ncode = "a"\nparent = "r"\n'
        '[[indicators]]\ncode = "x"\nparent = "a"\n[[indicators]]\ncode = "y"\nparent = "a"\n',
        encoding="utf-8",
    )
    (tmp_path / "child.toml").write_text(
        'code = "child"\nextends = "base/base.toml"\ndrop = ["y"]\nweights = { x = 2.0 }\n', encoding="utf-8"
    )
    child = read_grid(tmp_path / "child.toml")
    assert child.code == "child" and [i.code for i in child.indicators] == ["x"] and child.indicators[0].weight == 2.0
    (tmp_path / "c1.toml").write_text('code = "c1"\nextends = "c2.toml"\n', encoding="utf-8")
    (tmp_path / "c2.toml").write_text('code = "c2"\nextends = "c1.toml"\n', encoding="utf-8")
    with pytest.raises(VisesError, match="cycle: c1.toml -> c2.toml -> c1.toml"):
        read_grid(tmp_path / "c1.toml")
    (tmp_path / "c3.toml").write_text('code = "c3"\nextends = "missing.toml"\n', encoding="utf-8")
    with pytest.raises(VisesError, match="base grid file 'missing.toml' does not exist"):
        read_grid(tmp_path / "c3.toml")
