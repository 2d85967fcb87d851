"""What a newcomer meets on the command line: the format from the -o suffix, did-you-mean, the
same options on every command, help texts naming things that exist, hints in the CLI's words."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vises.cli.hints import cli_hint, for_the_command_line
from vises.cli.main import CORE_COMMANDS, cli
from vises.errors import ConfigError, DataError, DataValidationError

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "tests" / "fixtures" / "network"
DATA = NETWORK / "network.csv"
GRID = str(NETWORK / "grid.toml")


def _run(*argv: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(argv), catch_exceptions=False)


def _commands() -> dict[str, click.Command]:
    ctx = click.Context(cli, info_name="vises")
    found = {name: cli.get_command(ctx, name) for name in sorted(CORE_COMMANDS)}
    assert all(found.values())
    return {name: command for name, command in found.items() if command is not None}


# -- the format from the output's suffix ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("report.xlsx", lambda data: data[:2] == b"PK"),
        ("report.html", lambda data: data.lstrip().lower().startswith(b"<!doctype html")),
        ("report.json", lambda data: data.lstrip()[:1] in (b"{", b"[")),
        # Several formats write .md and .csv (plugins'): the core's is taken.
        ("report.md", lambda data: data.startswith(b"# ")),
        ("report.csv", lambda data: data.startswith(b"organisation,period")),
    ],
)
def test_the_output_suffix_chooses_the_format(tmp_path: Path, name: str, check: object) -> None:
    target = tmp_path / name
    result = _run("score", str(DATA), "-g", GRID, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert callable(check) and check(target.read_bytes()), target.read_bytes()[:80]


def test_a_format_that_contradicts_the_suffix_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    result = _run("score", str(DATA), "-g", GRID, "-f", "html", "-o", str(target))
    assert result.exit_code == 2
    assert "ends in .xlsx" in result.output and "report.html" in result.output and "--format xlsx" in result.output
    assert not target.exists()


def test_an_unknown_suffix_lists_the_formats(tmp_path: Path) -> None:
    result = _run("score", str(DATA), "-g", GRID, "-o", str(tmp_path / "report.docx"))
    assert result.exit_code == 2
    assert "cannot tell the report format" in result.output
    assert "html (.html)" in result.output and "xlsx (.xlsx)" in result.output
    # With the format named, a suffix no format writes is the user's choice.
    result = _run("score", str(DATA), "-g", GRID, "-f", "markdown", "-o", str(tmp_path / "report.markdown"))
    assert result.exit_code == 0, result.output


def test_format_did_you_mean() -> None:
    result = _run("score", str(DATA), "-g", GRID, "--format", "htm")
    assert result.exit_code == 2
    assert "did you mean 'html'?" in result.output


def test_template_and_sroi_infer_their_format_too(tmp_path: Path) -> None:
    result = _run("template", "-g", GRID, "-o", str(tmp_path / "t.csv"))
    assert result.exit_code == 0 and (tmp_path / "t.csv").read_text(encoding="utf-8").startswith(
        "# vises template: grid=network version=2026.1\norganisation"
    )
    result = _run("template", "-g", GRID, "-o", str(tmp_path / "t.txt"))
    assert result.exit_code == 2 and "xlsx (.xlsx)" in result.output
    result = _run("template", "-g", GRID, "-f", "csv", "-o", str(tmp_path / "t.xlsx"))
    assert result.exit_code == 2 and "ends in .xlsx" in result.output
    value_map = ROOT / "examples" / "sroi" / "cisp_value_map.toml"
    result = _run("sroi", str(value_map), "-o", str(tmp_path / "sroi.html"))
    assert result.exit_code == 0, result.output
    assert "<html" in (tmp_path / "sroi.html").read_text(encoding="utf-8").lower()


# -- the same options everywhere --------------------------------------------------------------------

SHORT = {"--grid": "-g", "--lang": "-l", "--output": "-o", "--format": "-f"}


def test_the_same_short_options_and_languages_on_every_command() -> None:
    seen: dict[str, list[str]] = {}
    for name, command in _commands().items():
        for param in command.params:
            if not isinstance(param, click.Option):
                continue
            for long, short in SHORT.items():
                if long in param.opts:
                    assert short in param.opts, f"vises {name} {long} has no {short}"
                    seen.setdefault(long, []).append(name)
            if "--lang" in param.opts:
                assert isinstance(param.type, click.Choice), f"vises {name} --lang is free text"
                assert tuple(param.type.choices) == ("fr", "nl", "en"), name
            # A short option means the same thing everywhere.
            for short in {opt for opt in param.opts if re.fullmatch(r"-\w", opt)}:
                longs = [opt for opt in param.opts if opt.startswith("--")]
                if short in SHORT.values():
                    assert SHORT[longs[0]] == short, f"vises {name}: {short} is {longs}"
    assert {"score", "template", "sroi", "indicators", "compare", "stats"} <= {
        name for names in seen.values() for name in names
    }
    assert len(seen["--lang"]) >= 12


# -- help texts name things that exist --------------------------------------------------------------


def _help_texts() -> list[tuple[str, str]]:
    texts = []
    for name, command in _commands().items():
        texts.append((name, command.help or ""))
        texts.extend((name, param.help or "") for param in command.params if isinstance(param, click.Option))
    return texts


def _registered_keys() -> set[str]:
    from vises.plugins.current import get_registry
    from vises.plugins.registry import KIND_BY_NAME

    registry = get_registry()
    return {key for kind in KIND_BY_NAME for key in registry.catalogue(kind)}


def test_every_name_in_help_texts_exists() -> None:
    keys = _registered_keys()
    plugins = {key.split(".")[0] for key in keys}
    formats = set(_registered_formats())
    commands = _commands()
    problems = []
    for name, text in _help_texts():
        for token in re.findall(r"\b([a-z_]+\.[a-z_]+)\b", text):
            if token.split(".")[0] in plugins and token not in keys:
                problems.append(f"vises {name}: {token!r} is no registered contribution")
        for mentioned in re.findall(r"'vises ([a-z-]+)", text):
            if mentioned not in CORE_COMMANDS:
                problems.append(f"vises {name}: names a command 'vises {mentioned}' that does not exist")
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text):
            if not any(option in param.opts for command in commands.values() for param in command.params):
                problems.append(f"vises {name}: names an option {option} no command has")
    score_format = next(p for p in commands["score"].params if p.name == "format_name")
    listed = re.findall(r"\b([a-z]+)\b", (score_format.help or "").split(":", 1)[1].split("(", 1)[0])
    problems += [f"score --format help names {word!r}" for word in listed if word not in formats | {"or", "a"}]
    assert problems == []


def _registered_formats() -> list[str]:
    from vises.plugins.current import get_registry

    return list(get_registry().report_formats)


def _style_names() -> set[str]:
    from vises.report import xlsx

    return {xlsx.HEADER, xlsx.TITLE, xlsx.TEXT, xlsx.SCORE, xlsx.NUMBER, xlsx.SHARE, xlsx.RANK}


STYLE_NAMES = _style_names()  # the xlsx report's named cell styles, which templates.md names (not commands)


@pytest.mark.federation  # the docs' examples use the bundled plugins' grids
def test_every_name_in_the_docs_command_examples_exists() -> None:
    """``--weighting X``, ``--format X``, ``--grid X`` and ``vises CMD`` in the docs name real things."""
    from vises.plugins.current import get_registry

    registry = get_registry()
    weightings, formats, grids = set(registry.weightings), set(registry.report_formats), set(registry.grid_sources)
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    problems = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        # A page that writes a plugin of its own (writing-a-plugin.md) may name that plugin's contributions.
        own = set(re.findall(r"^\[project\.entry-points\.vises\]\n(\w+) =", text, flags=re.M))
        for found in re.finditer(r"(?:--weighting|-w)[ =]([a-z_]+\.[a-z_]+)\b(?![./\w])", text):
            if found.group(1).split(".")[1] in ("toml", "yaml", "yml", "json"):
                continue  # a weighting file
            if found.group(1) not in weightings:
                problems.append(f"{page.name}: weighting {found.group(1)!r}")
        for found in re.finditer(r"vises score [^\n`]*?(?:--format|-f)[ =]([a-z_.]+)", text):
            if found.group(1) not in formats:
                problems.append(f"{page.name}: report format {found.group(1)!r}")
        for found in re.finditer(r"(?:--grid|-g)[ =]([a-z_]+\.[a-z_]+)\b(?![./\w])", text):
            if found.group(1) not in grids and found.group(1).split(".")[0] not in own:
                problems.append(f"{page.name}: grid {found.group(1)!r}")
        # Commands: in inline code (`vises x ...`) and on command lines of code blocks ($ vises x, vises x).
        spans = [span for span in re.findall(r"`(vises [a-z][a-z-]*)[^`]*`", text) if span not in STYLE_NAMES]
        spans = [span.split()[1] for span in spans]
        code = "\n".join(re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.M | re.S))
        lines = re.findall(r"^\s*(?:\$ )?vises ([a-z][a-z-]*)", code, flags=re.M)
        lines += re.findall(r"^ {4,}(?:\$ )?vises ([a-z][a-z-]*)", text, flags=re.M)
        for word in {*spans, *lines}:
            if word not in CORE_COMMANDS:
                problems.append(f"{page.name}: command 'vises {word}'")
    assert problems == []


# -- hints in the words of the side that sees them -------------------------------------------------


def test_cli_hint_rewrites_only_the_commands_options() -> None:
    options = {"--org", "--lang", "-l", "--format"}
    assert cli_hint('pass organisation="cisp 01"', options) == "pass --org 'cisp 01'"
    assert cli_hint("choose one with organisation= (one of: a, b)", options) == "choose one with --org (one of: a, b)"
    assert cli_hint('pass lang="fr" or lang="nl"', options) == "pass --lang fr or --lang nl"
    assert cli_hint("pass name='x' and weighting='w'", options) == "pass name='x' and weighting='w'"


def test_validation_problems_get_their_hints_rewritten() -> None:
    command = _commands()["score"]
    problems = [DataError("bad", hint='pass organisation="a"'), DataError("worse", hint="retype it")]
    error = for_the_command_line(DataValidationError(problems, what="file 'x'"), command)
    assert isinstance(error, DataValidationError) and error.exit_code == 1
    assert "pass --org a" in str(error) and "retype it" in str(error)
    plain = ConfigError("no", hint='use format="csv"')
    assert str(for_the_command_line(plain, command)).endswith("(hint: use --format csv)")
    assert str(plain).endswith('(hint: use format="csv")')  # the library's error is left as it was


def test_the_profile_without_an_organisation_speaks_each_side() -> None:
    import vises

    result = _run("score", str(DATA), "-g", GRID, "--view", "profile")
    assert result.exit_code == 2
    assert "--org" in result.output and "organisation=" not in result.output
    results = vises.score(GRID, DATA)
    with pytest.raises(ConfigError) as caught:
        vises.render(results, "markdown", view="profile")
    assert "organisation=" in str(caught.value) and "--org" not in str(caught.value)


def test_library_hints_do_not_speak_cli() -> None:
    """Outside vises.cli, a hint names Python keywords (the CLI rewrites them), or both sides explicitly."""
    offenders = []
    for path in sorted((ROOT / "src" / "vises").rglob("*.py")):
        if "cli" in path.relative_to(ROOT / "src" / "vises").parts:
            continue
        text = path.read_text(encoding="utf-8")
        for found in re.finditer(r"hint=(f?\"[^\"]*\"|f?'[^']*')(?:\s*\n\s*(f?\"[^\"]*\"))?", text):
            hint = found.group(0)
            if re.search(r"(?<![\w-])--[a-z]", hint) and "in Python" not in hint and "command line" not in hint:
                offenders.append(f"{path.relative_to(ROOT)}: {hint}")
    # io/ readers are being rewritten; their CLI wording is reported, not fixed here.
    offenders = [line for line in offenders if not line.startswith("src/vises/io/")]
    assert offenders == []


def test_errors_reach_the_terminal_without_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vises", "score", str(DATA), "-g", GRID, "-o", "report.unknown"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and not (ROOT / "report.unknown").exists()


def test_a_folder_as_report_output_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = _run("score", str(DATA), "-g", GRID, "-o", str(folder))
    assert result.exit_code == 2
    assert "is a folder; a report is written to a file" in result.output and "--engine dask" in result.output
    assert list(folder.iterdir()) == []
