"""The documentation site's generated pages cover the whole public API and every core command.

The strict build itself (``mkdocs build --strict``) runs in ``make docs``, part of ``make test``;
these checks need no MkDocs and say precisely what is missing.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nav_pages(entries: object) -> list[str]:
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, list):
        return [page for entry in entries for page in _nav_pages(entry)]
    if isinstance(entries, dict):
        return [page for value in entries.values() for page in _nav_pages(value)]
    return []


class _Loader(yaml.SafeLoader):
    """mkdocs.yml may hold ``!!python/name:`` tags; the nav is all this test reads."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@pytest.mark.parametrize("module", ["vises", "vises.analysis", "vises.dask", "vises.sroi", "vises.testing"])
def test_every_public_name_has_a_reference_entry(module: str) -> None:
    pages = _hooks().api_pages()
    page = next(text for path, text in pages.items() if text.startswith(f"# {module}\n"))
    documented = set(re.findall(rf"^::: {re.escape(module)}\.(\w+)$", page, flags=re.M))
    names = set(importlib.import_module(module).__all__)
    if module == "vises":
        # Namespaces get a link to their own page, the version a sentence.
        names -= {"analysis", "dask", "sroi", "testing", "__version__"}
        assert all(f"vises.{ns}" in page for ns in ("analysis", "dask", "sroi", "testing"))
    assert documented == names, f"undocumented: {sorted(names - documented)}; not public: {sorted(documented - names)}"


def test_every_core_command_is_in_the_cli_reference() -> None:
    from vises.cli.main import CORE_COMMANDS

    page = _hooks().cli_page()
    sections = set(re.findall(r"^## `vises ([\w-]+)`$", page, flags=re.M))
    assert sections == set(CORE_COMMANDS)
    # The options come from click: the score command's output option, with its short form.
    score = page.split("## `vises score`", 1)[1].split("\n## ", 1)[0]
    assert "`-o`, `--output`" in score


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    nav = _nav_pages(config["nav"])
    generated = {"index.md", "reference/cli.md", *_hooks().api_pages()}
    pages = {str(path.relative_to(ROOT / "docs")) for path in (ROOT / "docs").rglob("*.md")}
    assert sorted(pages - set(nav)) == [], "pages missing from the nav in mkdocs.yml"
    assert sorted(set(nav) - pages - generated) == [], "nav entries with no page"
    assert len(nav) == len(set(nav))


def test_the_home_page_links_into_the_site() -> None:
    index = _hooks().index_page()
    assert "](docs/" not in index
    assert "](install.md" in index
