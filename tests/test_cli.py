"""The ``vises`` command: in-process with click's runner for most, a real subprocess where it matters."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from vises import plugins
from vises.cli import cli
from vises.contract.hookspecs import hookimpl
from vises.contract.records import GridSource, ReportFormat
from vises.errors import ExitCode
from vises.model import Grid, Indicator, Method, Node

FIXTURES = Path(__file__).parent / "plugin_fixtures"

pytestmark = pytest.mark.filterwarnings("ignore::vises.plugins.VisesPluginWarning")


def run(
    *args: str, pythonpath: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real entry point (``python -m vises``) in a fresh process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VISES_")}
    environ["PYTHONPATH"] = os.pathsep.join([*(str(FIXTURES / p) for p in pythonpath), environ.get("PYTHONPATH", "")])
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "vises", *args], capture_output=True, text=True, env=environ, timeout=60
    )


class Mini:
    """An in-process plugin with a tiny grid and a text format, so the CLI can run without files."""

    @hookimpl
    def vises_register_grids(self):
        grid = Grid(
            code="mini",
            label={"en": "Mini grid", "fr": "Mini grille"},
            nodes=(Node(code="all", label={"en": "All"}), Node(code="half", parent="all", weight=3.0)),
            indicators=(
                Indicator(code="a", parent="half", label={"en": "A", "fr": "A fr"}, unit="hour"),
                Indicator(code="b", parent="all", normaliser=Method(name="zscore")),
            ),
        )
        return [GridSource(code="mini", grid=grid, summary="two indicators")]

    @hookimpl
    def vises_register_report_formats(self):
        return [ReportFormat(name="bin", suffix=".bin", render=lambda r, **k: b"\x00", binary=True)]


@pytest.fixture
def mini():
    plugins.register_plugin(Mini(), name="mini")
    yield
    plugins.unregister_plugin("mini")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from vises.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "heavy = [m for m in ('numpy', 'pint', 'pandas', 'matplotlib', 'openpyxl', 'jinja2', 'babel', 'pluggy')\n"
        "         if m in sys.modules]\n"
        "plugins = [m for m in sys.modules if m.startswith('vises_')]\n"
        "print('HEAVY', heavy, 'PLUGINS', plugins)\n"
    )
    environ = {**os.environ, "PYTHONPATH": str(FIXTURES / "good")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=60)
    assert "HEAVY [] PLUGINS []" in done.stdout, done.stdout + done.stderr
    # Plugin commands are not listed (listing them would import every plugin); the help says where they are.
    assert "fake-hello" not in done.stdout and "vises plugins" in done.stdout


def test_plugin_commands_and_errors_in_a_subprocess() -> None:
    done = run("fake-hello", pythonpath=("good",))
    assert (done.returncode, done.stdout) == (0, "hello from fake\n")

    done = run("fake-fail", pythonpath=("good",))
    assert done.returncode == 1
    assert "Error: file 'fake.csv', row 3: the fake data is wrong (hint: fix row 3)" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout

    done = run("fake-crash", pythonpath=("good",))
    assert done.returncode == ExitCode.INTERNAL
    assert "internal error (ZeroDivisionError: fake bug)" in done.stderr and "Traceback" not in done.stderr

    done = run("--debug", "fake-crash", pythonpath=("good",))
    assert "Traceback" in done.stderr and "ZeroDivisionError" in done.stderr


def test_bad_arguments_exit_2_without_traceback(tmp_path: Path) -> None:
    for args in (("score",), ("nosuchcommand",), ("score", str(tmp_path / "missing.csv"), "--grid", "x")):
        done = run(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert "Error" in done.stderr and "Traceback" not in done.stderr


def test_broken_plugins_are_listed_and_strict_mode_fails() -> None:
    done = run("plugins", "--json", pythonpath=("good", "broken"))
    assert done.returncode == 0, done.stderr
    listed = {info["name"]: info for info in json.loads(done.stdout)}
    assert listed["fake"]["status"] == "ok" and listed["fake"]["version"] == "1.0"
    assert listed["brokenimport"]["status"] == "failed" and listed["brokenimport"]["distribution"] == "brokenimport"
    assert "Warning: plugin 'brokenimport' (distribution brokenimport 2.0)" in done.stderr
    assert "Traceback" not in done.stderr

    done = run("grids", pythonpath=("broken",), env={"VISES_STRICT_PLUGINS": "1"})
    assert done.returncode == 2
    assert "Error:" in done.stderr and "brokenimport 2.0" in done.stderr and "Traceback" not in done.stderr


def test_plugins_table(runner: CliRunner, mini) -> None:
    result = runner.invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "mini" in result.output and "(in-process)" in result.output and "1 grids" in result.output
    assert "\nvises " not in result.output
    result = runner.invoke(cli, ["plugins", "--all", "--json"])
    assert "vises" in {info["name"] for info in json.loads(result.output)}


def test_grids_and_indicators(runner: CliRunner, mini) -> None:
    result = runner.invoke(cli, ["grids", "--json"])
    assert {"code": "mini.mini", "plugin": "mini", "summary": "two indicators", "path": None} in json.loads(
        result.output
    )
    result = runner.invoke(cli, ["indicators", "--grid", "mini.mini", "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "A fr" in result.output and "hour" in result.output
    result = runner.invoke(cli, ["indicators", "--grid", "mini.mini", "--json"])
    assert [row["code"] for row in json.loads(result.output)] == ["a", "b"]


def test_unknown_grid_says_what_exists(runner: CliRunner, mini) -> None:
    result = runner.invoke(cli, ["indicators", "--grid", "mini"])
    assert result.exit_code == 2
    assert "unknown grid 'mini'" in result.output and "did you mean 'mini.mini'" in result.output


def test_bad_lang_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["indicators", "--lang", "de"])
    assert result.exit_code == 2 and "'de' is not one of" in result.output


def test_binary_format_needs_output_and_unknown_format_lists_available(runner: CliRunner, mini, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("organisation,period,a,b\nx,2024,1,2\n", encoding="utf-8")
    result = runner.invoke(cli, ["score", str(data), "--grid", "mini.mini", "--format", "mini.bin"])
    assert result.exit_code == 2 and "binary" in result.output and "-o report.bin" in result.output
    result = runner.invoke(cli, ["score", str(data), "--grid", "mini.mini", "--format", "nope"])
    assert result.exit_code == 2 and "unknown report format 'nope'" in result.output and "mini.bin" in result.output
    result = runner.invoke(cli, ["score", str(data), "--grid", "mini.mini", "--format", "mini.bin", "-o", str(data)])
    assert result.exit_code == 2 and "refusing to overwrite" in result.output
    assert data.read_text(encoding="utf-8").startswith("organisation")


def test_show_draws_the_tree_with_weights(runner: CliRunner, mini) -> None:
    pytest.importorskip("vises.validation.grid")
    result = runner.invoke(cli, ["show", "mini.mini", "--lang", "en"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("mini.mini (version 1): Mini grid")
    assert any(line.startswith("├── half  w=3 (75%)") for line in lines)
    assert any("└── b  w=1 (25%)" in line and "z-score" in line for line in lines)


def test_show_says_what_a_derived_indicator_is_computed_from(runner: CliRunner, tmp_path: Path) -> None:
    grid = tmp_path / "derived.toml"
    grid.write_text(
        """code = "derived"
version = "1"
languages = ["en"]
[[nodes]]
code = "root"
[[indicators]]
code = "hours"
parent = "root"
unit = "hour"
context = true
[[indicators]]
code = "people"
parent = "root"
unit = "person"
context = true
[[indicators]]
code = "per_person"
parent = "root"
unit = "hour / person"
formula = "hours / people"
[[indicators]]
code = "share"
parent = "root"
kind = "rate"
numerator = "people"
denominator = "people"
unit = "percent"
""",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["show", str(grid), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("per_person" in line and "· = hours / people ·" in line for line in lines)
    assert any("share" in line and "taux, " in line and "· = people / people ·" in line for line in lines)
    assert not any("divisé" in line for line in lines if "share" in line)
    # validate counts a derived indicator as given where its inputs give it a value
    data = tmp_path / "data.csv"
    data.write_text("organisation,period,hours,people\nx,2024,10,2\ny,2024,4,\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(data), "--grid", str(grid)])
    assert result.exit_code == 0, result.output
    assert "2 of 2 scored indicators" in result.output and "2 of 4 values given" in result.output


def _valid_value(indicator: Indicator, position: int) -> str:
    """A value the indicator accepts, different for each organisation."""
    kind = indicator.kind.value
    if kind in ("scale", "category"):
        return indicator.levels[position % len(indicator.levels)].value
    if kind == "binary":
        return ("yes", "no")[position % 2]
    if kind == "narrative":
        return f"story {position}"
    low = indicator.minimum or 0.0
    high = indicator.maximum if indicator.maximum is not None else low + 100.0
    return repr(low + (high - low) * (position + 1) / 4)


def test_score_and_validate_end_to_end(runner: CliRunner, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = plugins.get_registry().grid("vises.social_economy")
    data = tmp_path / "data.csv"
    rows = [
        "organisation,period,"
        + ",".join(f"{ind.code} [{ind.unit}]" if ind.unit else ind.code for ind in grid.indicators)
    ]
    for position, org in enumerate(("a", "b", "c")):
        rows.append(f"{org},2024," + ",".join(_valid_value(ind, position) for ind in grid.indicators))
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(data), "--grid", "vises.social_economy"])
    assert result.exit_code == 0, result.output
    assert "3 rows" in result.output and "ready to score" in result.output

    out = tmp_path / "scores.csv"
    result = runner.invoke(
        cli, ["score", str(data), "--grid", "vises.social_economy", "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert header[:2] == ["organisation", "period"], "the header row comes first"
    sidecar = json.loads((tmp_path / "scores.csv.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["grid"] == "vises.social_economy" and "methods" in sidecar
    assert header[0].startswith("organisation") and header[1] == "period" and "social_economy" in header
    assert [line.split(",")[0] for line in lines[1:]] == ["a", "b", "c"]
    result = runner.invoke(cli, ["score", str(data), "--grid", "vises.social_economy", "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.splitlines() == lines  # stdout: same report

    assert grid.indicators[0].code == "disadvantaged_workers_share"  # 0..100, so -5000 is invalid
    bad = tmp_path / "bad.csv"
    bad.write_text(data.read_text(encoding="utf-8").replace("a,2024,25.0,", "a,2024,-5000,"), encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(bad), "--grid", "vises.social_economy"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_the_installed_console_script() -> None:
    """The `vises` script pip installs (the console entry point), not only `python -m vises`."""
    script = Path(sys.executable).with_name("vises")
    if not script.is_file():
        pytest.skip(f"the console script is not installed next to {sys.executable} (pip install -e . creates it)")
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and "vises" in version.stdout
    bad = subprocess.run([str(script), "score", "--no-such-option"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "no such option" in bad.stderr.lower()
    missing = subprocess.run(
        [str(script), "validate", "missing.csv", "--grid", "vises.social_economy"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_validate_counts_the_values_given_and_warns_on_an_empty_file(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    example = root / "examples" / "data" / "wallonie_cisp.csv"
    if not example.is_file():
        pytest.skip("the example data are not there")
    done = run("validate", str(example), "--grid", "wallonie.cisp")
    if done.returncode != 0 and "unknown grid" in done.stderr:
        pytest.skip("the vises-wallonie plugin is not installed")
    assert done.returncode == 0 and "values given" in done.stdout and "not applicable" in done.stdout
    empty = tmp_path / "empty.csv"
    header = example.read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")
    empty.write_text(header + "\n" + "c1,2024" + "," * (len(columns) - 2) + "\n", encoding="utf-8")
    done = run("validate", str(empty), "--grid", "wallonie.cisp")
    assert done.returncode == 0 and "no value is filled in yet" in done.stderr


def test_show_gives_no_direction_to_context_indicators(network, tmp_path):
    """Context is reported, never scored: ``vises show`` names its kind but no 'higher is better'."""
    from click.testing import CliRunner

    from vises.cli import cli

    text = network.grid.read_text(encoding="utf-8").replace(
        'code = "trainees"\n', 'code = "trainees"\ncontext = true\n'
    )
    grid = tmp_path / "grid.toml"
    grid.write_text(text, encoding="utf-8")
    done = CliRunner().invoke(cli, ["show", str(grid), "--lang", "en"])
    assert done.exit_code == 0, done.output
    line = next(line for line in done.output.splitlines() if "── trainees " in line)
    assert "(not scored)" in line and "better" not in line and "quantity" in line
    scored = next(line for line in done.output.splitlines() if "── dropout " in line)
    assert "lower is better" in scored


def test_score_no_ranks_leaves_ranks_out_of_every_format(network, tmp_path: Path) -> None:
    """``--no-ranks`` through the real entry point: no rank in json, markdown or parquet; csv has none
    to leave out and is unchanged; the Dask engine, which does not take it, refuses it by name."""
    base = ["score", str(network.data), "--grid", str(network.grid), "--lang", "en"]
    ranked = run(*base, "--format", "json")
    assert ranked.returncode == 0, ranked.stderr
    assert '"rank' in ranked.stdout
    for name in ("json", "markdown", "parquet", "csv"):
        out = tmp_path / f"plain.{name}"
        done = run(*base, "--format", name, "--no-ranks", "-o", str(out))
        assert done.returncode == 0, done.stderr
        if name == "parquet":
            pq = pytest.importorskip("pyarrow.parquet")
            columns = pq.read_table(out).column_names
            assert not any("rank" in c for c in columns) and any(c.startswith("coverage.") for c in columns)
        else:
            assert "rank" not in out.read_text(encoding="utf-8").casefold()
    same = run(*base, "--format", "csv")
    assert same.stdout == (tmp_path / "plain.csv").read_text(encoding="utf-8")
    dask = run(*base, "--no-ranks", "--engine", "dask", "-o", str(tmp_path / "folder"))
    assert dask.returncode == 2 and "--no-ranks" in dask.stderr
