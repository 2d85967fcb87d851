"""`vises new-plugin` writes a plugin package that vises finds, validates and that passes its own tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vises.errors import ConfigError
from vises.scaffold import create_plugin


def _installed(tmp_path: Path, package: Path, name: str) -> dict[str, str]:
    """An environment in which the generated package looks installed (a fake dist-info on the path)."""
    site = tmp_path / "site"
    info = site / f"vises_{name}-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: vises-{name}\nVersion: 0.1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[vises]\n{name} = vises_{name}.hooks\n", encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(package / "src"), env.get("PYTHONPATH", "")])
    return env


def test_the_generated_plugin_is_found_validates_and_passes_its_tests(tmp_path):
    package = create_plugin("bruxelles", tmp_path, lang="nl", title="Brussels network")
    assert (package / "pyproject.toml").read_text(encoding="utf-8").count('bruxelles = "vises_bruxelles.hooks"') == 1
    grid_text = (package / "src" / "vises_bruxelles" / "grids" / "bruxelles.toml").read_text(encoding="utf-8")
    assert 'languages = ["nl", "en"]' in grid_text and "Gegeven opleidingsuren" in grid_text
    env = _installed(tmp_path, package, "bruxelles")
    vises = [sys.executable, "-m", "vises"]
    grids = subprocess.run([*vises, "grids"], capture_output=True, text=True, env=env)
    assert grids.returncode == 0 and "bruxelles.bruxelles" in grids.stdout
    example = package / "examples" / "bruxelles.csv"
    checked = subprocess.run(
        [*vises, "validate", str(example), "--grid", "bruxelles.bruxelles"], capture_output=True, text=True, env=env
    )
    assert checked.returncode == 0, checked.stderr
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(package / "tests")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_bad_names_and_existing_folders_are_refused(tmp_path):
    for bad in ("Bruxelles", "1st", "with-dash", "vises", ""):
        with pytest.raises(ConfigError, match="not a valid plugin name"):
            create_plugin(bad, tmp_path)
    create_plugin("liege", tmp_path)
    with pytest.raises(ConfigError, match="already exists"):
        create_plugin("liege", tmp_path)


def test_the_command_through_the_cli(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "vises", "new-plugin", "namur", "--dir", str(tmp_path), "--lang", "fr"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and (tmp_path / "vises-namur" / "src" / "vises_namur" / "hooks.py").is_file()
    again = subprocess.run(
        [sys.executable, "-m", "vises", "new-plugin", "namur", "--dir", str(tmp_path)], capture_output=True, text=True
    )
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr


def test_titles_and_authors_are_quoted_and_the_scale_runs_from_1_to_5(tmp_path):
    import tomllib

    package = create_plugin(
        "gent", tmp_path, lang="nl", title='Het "Gentse" netwerk', author="Ada Lovelace <ada@example.org>"
    )
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["description"] == 'vises plugin: Het "Gentse" netwerk'
    assert project["authors"] == [{"name": "Ada Lovelace", "email": "ada@example.org"}]
    grid = tomllib.loads((package / "src" / "vises_gent" / "grids" / "gent.toml").read_text(encoding="utf-8"))
    scale = next(indicator for indicator in grid["indicators"] if indicator.get("kind") == "scale")
    assert [level["value"] for level in scale["levels"]] == ["1", "2", "3", "4", "5"]
    assert {indicator.get("kind", "quantity") for indicator in grid["indicators"]} == {
        "quantity",
        "scale",
        "binary",
        "narrative",
    }
    assert "datasets_for" in (package / "tests" / "test_gent_plugin.py").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match=r"title=\)"):
        create_plugin("gent2", tmp_path, title="two\nlines")
    assert not (tmp_path / "vises-gent2").exists()


def test_check_plugin_has_no_false_alarm_on_the_core_methods():
    """The core's normalisers (scales, yes/no, categories included) and aggregators pass, as a plugin's would;
    a method that needs parameters is noted, not reported, and is run when they are given."""
    import types

    import vises.methods.hooks
    from vises.testing import check_plugin

    methods = types.SimpleNamespace(
        vises_register_normalisers=vises.methods.hooks.vises_register_normalisers,
        vises_register_aggregators=vises.methods.hooks.vises_register_aggregators,
    )
    report = check_plugin(methods, name="again", raise_on_problems=False)
    assert report.problems == ()
    assert any(note.startswith("aggregator 'again.power_mean': not run") for note in report.notes)
    assert any(note.startswith("normaliser 'again.goalposts'") for note in report.notes)
    given = check_plugin(
        methods,
        name="again",
        sample_params={"again.power_mean": {"p": 2}, "again.goalposts": {"lower": 0, "upper": 10}},
    )
    assert not [
        note
        for note in given.notes
        if note.startswith(("aggregator 'again.power_mean'", "normaliser 'again.goalposts'"))
    ]
    with pytest.raises(ConfigError, match="core plugin"):
        check_plugin("vises.methods.hooks", name="again")
