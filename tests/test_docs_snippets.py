"""Every example in README.md and docs/*.md runs as printed.

The conventions (which blocks run, how, and how to opt a block out) are in CONTRIBUTING.md,
section "Examples in the documentation". In short:

- a ```python block runs in a fresh interpreter; zero-argument ``vises_register_*`` hooks it
  defines are called too, so the records they build are checked;
- the ``vises ...`` lines of ```console/```bash/```sh blocks (and of indented blocks in README.md
  and docs/cli.md) run through ``python -m vises``, in order, one page at a time, and must exit 0;
- a block whose first line is a comment naming a file (``# src/pkg/hooks.py``) is that file: it is
  written into the page's working folder and not run by itself;
- ``<!-- not-run: why -->`` on the line before a fence skips the block, ``<!-- exit: N -->``
  expects exit code N from every command of the block;
- the working folder is a temporary one in which ``examples/`` links to the repository's, so
  ``examples/data/...`` paths work and the files snippets write are thrown away.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Pages whose indented (four-space) blocks are command examples as well.
INDENTED_COMMAND_PAGES = {"README.md", "cli.md"}
SHELL_LANGUAGES = {"console", "bash", "sh", "shell", "indented"}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<lang>[^`]*)$")
_MARKER = re.compile(r"^\s*<!--\s*(?P<kind>not-run|exit:\s*(?P<code>\d+))\b.*-->\s*$")
_FILE_HEADER = re.compile(r"^#\s+(?P<path>[\w.-]+(?:/[\w.-]+)*\.\w+)\s*$")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@dataclass(frozen=True)
class Block:
    page: str
    line: int  # 1-based line of the opening fence (or of the first indented line)
    lang: str
    text: str
    skip: bool = False
    expect_exit: int = 0

    @property
    def file_path(self) -> str | None:
        first = self.text.split("\n", 1)[0]
        match = _FILE_HEADER.match(first)
        return match.group("path") if match else None

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def _marker(lines: list[str], index: int) -> tuple[bool, int]:
    """The marker comment on the nearest non-blank line before ``index``."""
    j = index - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    match = _MARKER.match(lines[j]) if j >= 0 else None
    if not match:
        return False, 0
    if match.group("kind") == "not-run":
        return True, 0
    return False, int(match.group("code"))


def parse(page: Path) -> list[Block]:
    """Fenced blocks of a page (and indented ones on command pages), in page order."""
    lines = page.read_text(encoding="utf-8").split("\n")
    blocks: list[Block] = []
    i = 0
    previous_blank = True
    while i < len(lines):
        line = lines[i]
        match = _FENCE.match(line)
        if match:
            indent, fence = len(match.group("indent")), match.group("fence")
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            body = "\n".join(text[indent:] if text[:indent].strip() == "" else text for text in lines[i + 1 : j])
            skip, code = _marker(lines, i)
            blocks.append(Block(page.name, i + 1, match.group("lang").strip(), body, skip, code))
            i = j + 1
            previous_blank = False
            continue
        if page.name in INDENTED_COMMAND_PAGES and previous_blank and line.startswith("    ") and line.strip():
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or not lines[j].strip()):
                j += 1
            body = "\n".join(text[4:] for text in lines[i:j]).strip("\n")
            skip, code = _marker(lines, i)
            blocks.append(Block(page.name, i + 1, "indented", body, skip, code))
            i = j
            previous_blank = False
            continue
        previous_blank = not line.strip()
        i += 1
    return blocks


ALL_BLOCKS = {page.name: parse(page) for page in PAGES}
PYTHON_BLOCKS = [
    b for blocks in ALL_BLOCKS.values() for b in blocks if b.lang == "python" and not b.skip and not b.file_path
]
SHELL_PAGES = sorted(
    name for name, blocks in ALL_BLOCKS.items() if any(b.lang in SHELL_LANGUAGES and not b.skip for b in blocks)
)


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISES_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(workdir / "src"), str(workdir), env.get("PYTHONPATH", "")) if p)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return env


def _workdir(tmp_path: Path, page: str) -> Path:
    """A folder with ``examples/`` linked in and the page's file blocks written out."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    for block in ALL_BLOCKS[page]:
        if block.file_path and not block.skip:
            target = workdir / block.file_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text + "\n", encoding="utf-8")
    return workdir


_DRIVER = """
import inspect, runpy, sys
namespace = runpy.run_path(sys.argv[1], run_name="__main__")
for name, function in namespace.items():
    if name.startswith("vises_register_") and callable(function) and not inspect.signature(function).parameters:
        records = list(function() or ())
        assert records, f"{name}() returned nothing"
"""


def commands(block: Block) -> list[list[str]]:
    """The ``vises`` command lines of a shell block (continuations joined, prompts and comments dropped)."""
    joined = re.sub(r"\\\n\s*", " ", block.text)
    found = []
    for line in joined.split("\n"):
        line = line.strip()
        if line.startswith("$ "):
            line = line[2:]
        argv = shlex.split(line, comments=True)
        if argv and argv[0] == "vises":
            found.append(argv[1:])
    return found


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=str)
def test_python_block_runs(block: Block, tmp_path: Path) -> None:
    workdir = _workdir(tmp_path, block.page)
    script = workdir / f"snippet_{block.line}.py"
    script.write_text(block.text + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(script)],
        cwd=workdir,
        env=_environment(workdir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"{block} failed:\n{block.text}\n--- stderr ---\n{done.stderr[-3000:]}"


@pytest.mark.parametrize("page", SHELL_PAGES)
def test_vises_commands_run(page: str, tmp_path: Path) -> None:
    workdir = _workdir(tmp_path, page)
    ran = 0
    for block in ALL_BLOCKS[page]:
        if block.lang not in SHELL_LANGUAGES or block.skip:
            continue
        for argv in commands(block):
            done = subprocess.run(
                [sys.executable, "-m", "vises", *argv],
                cwd=workdir,
                env=_environment(workdir),
                capture_output=True,
                text=True,
                timeout=120,
            )
            shown = "vises " + shlex.join(argv)
            assert done.returncode == block.expect_exit, (
                f"{block}: `{shown}` exited {done.returncode}:\n{done.stderr[-3000:]}"
            )
            assert "Traceback" not in done.stderr, f"{block}: `{shown}`:\n{done.stderr}"
            ran += 1
    assert ran, f"{page} has shell blocks but no `vises` command in them"


def test_every_fence_names_its_language() -> None:
    unnamed = [str(b) for blocks in ALL_BLOCKS.values() for b in blocks if not b.lang]
    assert not unnamed, f"fences without a language (use ```text for output or syntax): {unnamed}"


def test_the_extraction_finds_the_examples() -> None:
    """Guards against a parser that silently finds nothing (and so lets every doc pass)."""
    readme = ALL_BLOCKS["README.md"]
    assert any(b.lang == "python" and "vises.score" in b.text for b in readme)
    assert len([argv for b in readme if b.lang == "indented" for argv in commands(b)]) >= 7
    assert "templates.md" in SHELL_PAGES and "sroi.md" in SHELL_PAGES
    assert len(PYTHON_BLOCKS) >= 15
    plugin_files = {b.file_path for b in ALL_BLOCKS["writing-a-plugin.md"]}
    assert {"src/vises_resto/hooks.py", "src/vises_resto/grids/resto.toml"} <= plugin_files
    sample = parse_text(
        "x\n\n<!-- not-run: demo -->\n```python\nraise SystemExit(1)\n```\n<!-- exit: 1 -->\n```console\n$ vises "
        "nope\n```\n"
    )
    assert [(b.lang, b.skip, b.expect_exit) for b in sample] == [("python", True, 0), ("console", False, 1)]
    assert commands(sample[1]) == [["nope"]]


def parse_text(text: str, name: str = "sample.md") -> list[Block]:
    """``parse`` on a text instead of a page (for the self-test above)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / name
        page.write_text(text, encoding="utf-8")
        return parse(page)
