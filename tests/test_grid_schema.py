"""Every grid file vises ships validates against the published JSON Schema (``vises schema``).

Editors and CI pipelines of federations check their grids with that schema; a shipped grid it
refuses, or a schema that refuses valid grids, would send them the wrong signal.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema comes with the dev extra")

from vises.io.schema import grid_json_schema  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(
    [
        *ROOT.glob("src/vises/grids/*.toml"),
        *ROOT.glob("plugins/*/src/*/grids/*.toml"),
        *ROOT.glob("examples/**/*.toml"),
    ]
)
GRIDS = [path for path in SHIPPED if "nodes" in path.read_text(encoding="utf-8") or "extends" in path.read_text()]


@pytest.fixture(scope="module")
def validator():
    schema = grid_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_there_are_grids_to_check():
    assert len(GRIDS) >= 6, GRIDS


@pytest.mark.parametrize("path", GRIDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_grid_matches_the_schema(validator, path):
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_refuses_an_unknown_key(validator):
    errors = list(validator.iter_errors({"code": "g", "nodes": [{"code": "r", "colour": "red"}]}))
    assert errors and any("colour" in error.message for error in errors)


def test_the_schema_is_what_the_cli_prints():
    import contextlib
    import io

    from vises.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
        main(["schema"])
    assert done.value.code == 0
    assert json.loads(out.getvalue()) == grid_json_schema()
