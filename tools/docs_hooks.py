"""MkDocs hooks for the vises site: the pages that are generated so they cannot drift.

* ``index.md`` is the README, its ``docs/`` links made relative to the site;
* ``reference/*.md`` document exactly the curated public API: one page per namespace, one entry
  per name of ``vises.__all__`` (grouped by the layer it comes from) and of the ``__all__`` of
  ``vises.analysis``, ``vises.dask``, ``vises.sroi`` and ``vises.testing``; a name nobody documents is a warning,
  and the build runs with ``--strict``;
* ``reference/cli.md`` documents every core command from the click objects themselves.

Nothing here fetches anything: the build works offline.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: The API reference pages: page -> (title, module whose ``__all__`` it documents, introduction).
NAMESPACES: dict[str, tuple[str, str, str]] = {
    "reference/vises.md": (
        "vises",
        "vises",
        "The whole promise of the package: every name of `vises.__all__`. Any other module path is "
        "internal and may change in any release ([architecture](../architecture.md#the-public-api)).",
    ),
    "reference/analysis.md": (
        "vises.analysis",
        "vises.analysis",
        "The analyst's bench ([analysis](../analysis.md)): every name of `vises.analysis.__all__`.",
    ),
    "reference/dask.md": (
        "vises.dask",
        "vises.dask",
        "Scoring past one machine ([Dask](../dask.md)): every name of `vises.dask.__all__` (the `dask` extra).",
    ),
    "reference/sroi.md": (
        "vises.sroi",
        "vises.sroi",
        "Social return on investment ([SROI](../sroi.md)): every name of `vises.sroi.__all__`.",
    ),
    "reference/testing.md": (
        "vises.testing",
        "vises.testing",
        "For plugin authors ([writing a plugin](../writing-a-plugin.md)): every name of `vises.testing.__all__`.",
    ),
}

#: Sections of the ``vises`` page, by the module a name comes from (``vises._WHERE``).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Load, check, score, render", ("vises.api",)),
    ("Results", ("vises.engine",)),
    ("Grids and datasets", ("vises.model",)),
    ("Plugins: records, hooks, registry", ("vises.contract", "vises.plugins", "vises.testing")),
    ("Words, numbers, units, safe text", ("vises.i18n", "vises.units", "vises.neutralise")),
    ("Errors and warnings", ("vises.errors",)),
)
_NAMESPACE_LINKS = {"analysis": "analysis.md", "dask": "dask.md", "sroi": "sroi.md", "testing": "testing.md"}


def _entry(path: str) -> str:
    options = ("show_root_heading: true", "show_root_full_path: false", "heading_level: 3")
    return f"::: {path}\n    options:\n" + "".join(f"      {option}\n" for option in options)


def _vises_page(title: str, intro: str) -> str:
    import vises

    where: dict[str, str] = vises._WHERE
    placed: set[str] = set()
    parts = [f"# {title}\n\n{intro}\n"]
    for heading, prefixes in SECTIONS:
        names = [
            name
            for name in vises.__all__
            if name in where and where[name].split(":")[0].startswith(prefixes) and name != "__version__"
        ]
        if not names:
            continue
        parts.append(f"## {heading}\n")
        for name in names:
            parts.append(_entry(f"vises.{name}"))
            placed.add(name)
    namespaces = [name for name in vises.__all__ if name in _NAMESPACE_LINKS]
    parts.append("## Feature namespaces\n")
    parts.extend(f"- [`vises.{name}`]({_NAMESPACE_LINKS[name]}): its own `__all__`.\n" for name in namespaces)
    placed.update(namespaces)
    parts.append("\n## Version\n\n`vises.__version__`: the installed distribution's version, read on first use.\n")
    placed.add("__version__")
    left = [name for name in vises.__all__ if name not in placed]
    if left:
        parts.append("## Other names\n")
        parts.extend(_entry(f"vises.{name}") for name in left)
    return "\n".join(parts)


def _namespace_page(title: str, module: str, intro: str) -> str:
    names = importlib.import_module(module).__all__
    parts = [f"# {title}\n\n{intro}\n"]
    parts.extend(_entry(f"{module}.{name}") for name in names)
    return "\n".join(parts)


def api_pages() -> dict[str, str]:
    """Every API reference page, by its path under the site."""
    pages = {}
    for path, (title, module, intro) in NAMESPACES.items():
        pages[path] = _vises_page(title, intro) if module == "vises" else _namespace_page(title, module, intro)
    return pages


def _cell(text: str) -> str:
    """Text for a markdown table cell: one line, pipes and angle brackets escaped."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def _type_text(param: Any, ctx: Any) -> str:
    import click

    if getattr(param, "is_flag", False) and not getattr(param, "secondary_opts", None):
        return "flag"
    kind = param.type
    if isinstance(kind, click.Choice):
        return " \\| ".join(f"`{choice}`" for choice in kind.choices)
    if isinstance(kind, click.Path):
        return "directory" if not kind.file_okay else "file"
    if isinstance(kind, click.types._NumberRangeBase):
        low, high = kind.min, kind.max
        return f"{kind.name.removesuffix(' range')} ({'' if low is None else low}–{'' if high is None else high})"
    return str(kind.name)


def _default_text(param: Any, ctx: Any) -> str:
    if getattr(param, "is_flag", False) and not getattr(param, "secondary_opts", None):
        return ""
    default = param.get_default(ctx, call=False)
    if default is None or type(default).__name__ == "Sentinel" or callable(default) or default in ((), []):
        return ""
    if isinstance(default, (list, tuple)):
        return ", ".join(f"`{item}`" for item in default)
    return f"`{default}`"


def _command_section(command: Any, path: str, parent: Any) -> list[str]:
    """One command: its help, usage, arguments and options, as click itself knows them."""
    import click

    ctx = click.Context(command, info_name=path.split()[-1], parent=parent)
    lines = [f"## `{path}`\n"]
    help_text = inspect_help(command)
    if help_text:
        lines.append(help_text + "\n")
    pieces = " ".join(command.collect_usage_pieces(ctx))
    lines.append(f"```text\nUsage: {path} {pieces}\n```\n")
    arguments = [param for param in command.params if isinstance(param, click.Argument)]
    if arguments:
        lines.append("| Argument | Type | Required |\n|---|---|---|")
        for param in arguments:
            name = param.human_readable_name
            lines.append(f"| `{name}` | {_type_text(param, ctx)} | {'yes' if param.required else 'no'} |")
        lines.append("")
    options = [param for param in command.params if isinstance(param, click.Option) and not param.hidden]
    lines.append("| Option | Type | Default | Description |\n|---|---|---|---|")
    for param in options:
        names = ", ".join(f"`{name}`" for name in (*param.opts, *param.secondary_opts))
        required = " (required)" if param.required else ""
        repeat = " (repeatable)" if param.multiple else ""
        lines.append(
            f"| {names} | {_type_text(param, ctx)} | {_default_text(param, ctx)} | "
            f"{_cell(param.help or '')}{required}{repeat} |"
        )
    lines.append("| `-h`, `--help` | flag |  | Show the help and exit. |\n")
    return lines


def inspect_help(command: Any) -> str:
    """A command's help as click prints it: paragraphs kept, ``\\b`` markers dropped."""
    import inspect

    text = inspect.cleandoc(command.help or "")
    return "\n".join(line for line in text.splitlines() if line.strip() != "\b")


def cli_page() -> str:
    """The CLI reference: ``vises`` and every core command, from the click objects themselves."""
    import click

    from vises.cli.main import CORE_COMMANDS, cli

    root = click.Context(cli, info_name="vises")
    lines = [
        "# Command line reference\n",
        "Generated from the `vises` command itself: its help texts, arguments, options and defaults, for "
        "every core command in alphabetical order. Plugins add commands of their own (`vises plugins` lists "
        "them). The [command-line guide](../cli.md) explains how the commands fit together.\n",
        *_command_section(cli, "vises", None),
    ]
    lines.append("| Command | What it does |\n|---|---|")
    commands = {}
    for name in sorted(CORE_COMMANDS):
        command = cli.get_command(root, name)
        if command is None:
            raise RuntimeError(f"the core command {name!r} cannot be loaded")
        commands[name] = command
        lines.append(f"| [`{name}`](#vises-{name}) | {_cell(command.get_short_help_str(limit=200))} |")
    lines.append("")
    for name, command in commands.items():
        lines.extend(_command_section(command, f"vises {name}", root))
    return "\n".join(lines)


_DOCS_LINK = re.compile(r"\]\(docs/")


def index_page() -> str:
    """The README as the home page, its links into ``docs/`` made site-relative."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return _DOCS_LINK.sub("](", text)


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    generated = {"index.md": index_page(), "reference/cli.md": cli_page(), **api_pages()}
    for path, content in generated.items():
        files.append(File.generated(config, path, content=content))
    return files
