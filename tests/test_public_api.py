"""The public API is ``vises.__all__`` (and the ``__all__`` of vises.analysis, vises.dask, vises.sroi, vises.testing).

Bundled plugins, examples, the scaffold's templates and the docs' code import nothing else, so
every module behind the facade stays free to change; importing vises is instant.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vises

ROOT = Path(__file__).resolve().parents[1]
NAMESPACES = ("analysis", "dask", "sroi", "testing")


def _public(module: str, name: str) -> bool:
    if module == "vises":
        return name in vises.__all__
    short = module.removeprefix("vises.")
    if short in NAMESPACES:
        return name in getattr(vises, short).__all__
    return False


def _code_of(path: Path) -> list[tuple[int, str]]:
    """Python sources to check: a whole .py or .tmpl file, or each ```python block of a page."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return [
            (text[: m.start()].count("\n") + 2, m.group(1)) for m in re.finditer(r"```python\n(.*?)```", text, re.S)
        ]
    return [(1, text.replace("$name", "NAME").replace("$title", "T"))]


def _sources() -> list[Path]:
    found = [
        *ROOT.glob("plugins/*/src/**/*.py"),
        *ROOT.glob("plugins/*/tests/*.py"),
        *ROOT.glob("examples/**/*.py"),
        *ROOT.glob("src/vises/scaffold/files/**/*.tmpl"),
        *ROOT.glob("docs/**/*.md"),
        ROOT / "README.md",
    ]
    return [path for path in found if "__pycache__" not in path.parts and path.suffix in (".py", ".md", ".tmpl")]


def _violations(path: Path) -> list[str]:
    problems = []
    for first_line, code in _code_of(path):
        if path.suffix == ".tmpl" and not path.name.endswith(".py.tmpl"):
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue  # shell sessions and fragments; test_docs_snippets runs the code blocks
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{first_line + getattr(node, 'lineno', 1) - 1}"
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "vises":
                for alias in node.names:
                    if not _public(node.module, alias.name):
                        problems.append(f"{where}: from {node.module} import {alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[0] == "vises" and len(parts) > 1 and parts[1] not in NAMESPACES:
                        problems.append(f"{where}: import {alias.name}")
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "vises"
                and node.attr not in vises.__all__
            ):
                problems.append(f"{where}: vises.{node.attr}")
    return problems


def test_plugins_examples_scaffold_and_docs_use_only_the_public_api():
    problems = [problem for path in _sources() for problem in _violations(path)]
    assert problems == [], "\n".join(problems)


def test_the_checker_catches_an_internal_import(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nfrom vises.engine.score import score\nimport vises\nvises.units\n```\n")
    assert len(_violations_at(page)) == 2


def _violations_at(path: Path) -> list[str]:
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return _violations(path)
    finally:
        ROOT = saved


@pytest.mark.parametrize("name", vises.__all__)
def test_every_public_name_resolves(name):
    assert getattr(vises, name) is not None
    assert name in dir(vises)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'scroe'"):
        vises.scroe


def test_import_vises_loads_no_numpy_pint_or_plugin_host():
    code = "import sys, vises; print(sorted(m for m in ('numpy', 'pint', 'pluggy', 'attrs') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_facade_is_typed():
    import vises.api

    # Annotations are strings (PEP 563); mypy --strict checks they hold, this that they are there.
    assert vises.api.score.__annotations__["return"] == "Results | DaskResults"  # a dask DataFrame gives DaskResults
    assert vises.api.render.__annotations__["results"] == "Results"
    assert "Any" not in vises.api.render.__annotations__["return"]


def test_errors_pickle_with_their_fields():
    import pickle

    for error in (
        vises.DataError("bad cell", file="d.csv", row=3, column="hours", hint="fix it"),
        vises.MissingDependencyError("openpyxl", "excel", "reading xlsx"),
        vises.DataValidationError([vises.DataError("a", row=1), vises.UnitError("b", column="x")], what="d.csv"),
    ):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
        assert again.exit_code == error.exit_code
    assert pickle.loads(pickle.dumps(vises.DataError("x", row=2))).row == 2
