"""A plain ``pip install vises vises-wallonie`` is enough for the default commands.

The test venv has every extra installed, so each command runs in a subprocess whose
``sitecustomize`` makes the optional packages unimportable (as on a plain install) and records
every attempt to import one: the default commands must succeed without them and must not even
try them; a command that needs one must stop with the extra to install.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data" / "wallonie_cisp.csv"
#: The optional packages of the extras (import names), and what they pull in.
OPTIONAL = (
    "openpyxl",
    "defusedxml",
    "pandas",
    "jinja2",
    "matplotlib",
    "pyarrow",
    "python_calamine",
    "dask",
    "distributed",
)
#: Optional packages a default command may try and do without: pyarrow reads CSV faster when it is
#: there, and the csv module gives the same dataset when it is not.
ACCELERATORS = {"pyarrow"}

_BLOCKER = """
import atexit, os, sys

_BLOCKED = set(os.environ["VISES_TEST_BLOCKED"].split(","))
_tried = []


class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in _BLOCKED:
            _tried.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (blocked: a plain install)", name=name)
        return None


sys.meta_path.insert(0, _Blocker())

# A probe (pint looks for dask with find_spec when it loads) finds nothing, as on a plain install.
import importlib.util as _util

_find_spec = _util.find_spec
_util.find_spec = lambda name, package=None: None if name.split(".")[0] in _BLOCKED else _find_spec(name, package)


@atexit.register
def _report():
    if _tried:
        sys.stderr.write("BLOCKED-IMPORTS: " + ",".join(sorted(set(_tried))) + "\\n")
"""


def _run(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(_BLOCKER, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("VISES_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(site), env.get("PYTHONPATH", ""))))
    env["VISES_TEST_BLOCKED"] = ",".join(OPTIONAL)
    return subprocess.run(
        [sys.executable, "-m", "vises", *argv], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def _blocked(done: subprocess.CompletedProcess[str]) -> list[str]:
    found = re.search(r"^BLOCKED-IMPORTS: (.*)$", done.stderr, flags=re.M)
    return found.group(1).split(",") if found else []


def test_the_blocker_blocks(tmp_path: Path) -> None:
    """Guards the test itself: an xlsx template really cannot be written under the blocker."""
    done = _run(["template", "--grid", "wallonie.cisp", "-o", str(tmp_path / "t.xlsx")], tmp_path)
    assert done.returncode == 2, done.stderr
    assert "pip install 'vises[excel]'" in done.stderr
    assert "openpyxl" in _blocked(done)
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["score", str(DATA), "--grid", "wallonie.cisp", "--format", "table", "--period", "2019"],
        ["score", str(DATA), "--grid", "wallonie.cisp"],
        ["validate", str(DATA), "--grid", "wallonie.cisp"],
        ["grids"],
        ["show", "wallonie.cisp", "--lang", "fr"],
        ["template", "--grid", "wallonie.cisp", "--format", "csv", "-o", "collecte.csv"],
        ["score", str(DATA), "--grid", "wallonie.cisp", "--format", "markdown", "-o", "report.md"],
    ],
    ids=["score-table", "score-default", "validate", "grids", "show", "template-csv", "score-markdown"],
)
def test_default_commands_need_no_extra(argv: list[str], tmp_path: Path) -> None:
    done = _run(argv, tmp_path)
    assert done.returncode == 0, done.stderr
    assert set(_blocked(done)) <= ACCELERATORS, f"tried optional packages: {_blocked(done)}"
    assert done.stdout.strip() or "wrote" in done.stderr


def test_the_readme_install_section_works_on_a_plain_install(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Install as a package", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.startswith("    ")]
    assert lines[0] == "pip install vises vises-wallonie"
    commands = [line.split()[1:] for line in lines if line.startswith("vises ")]
    assert commands, "the section shows no vises command"
    for argv in commands:
        done = _run(argv, tmp_path)
        assert done.returncode == 0, f"vises {' '.join(argv)}: {done.stderr}"
        assert set(_blocked(done)) <= ACCELERATORS


def test_every_extra_is_described_in_the_install_page() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    page = (ROOT / "docs" / "install.md").read_text(encoding="utf-8")
    rows = {match.group(1): match.group(2) for match in re.finditer(r"^\| `(\w+)` \| ([^|]*) \|", page, flags=re.M)}
    assert set(extras) <= set(rows), f"extras not described in docs/install.md: {sorted(set(extras) - set(rows))}"
    for extra, requirements in extras.items():
        for requirement in requirements:
            name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0]
            if name == "vises" or extra == "dev":
                continue
            assert name.lower() in rows[extra].lower(), (
                f"docs/install.md: the {extra!r} extra installs {name}, which its row does not name"
            )
