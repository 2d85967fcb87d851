"""Hostile plugins: every way a plugin's code can misbehave is contained and named, and the rest works.

Each case asserts the exact outcome (the exception class or exit code), the words the message must
contain (the plugin, its distribution where it has one, the method, the indicator or node), and that
the other plugins, the core and the next call keep working. In-process plugins go through
``Registry.build(extra_plugins=...)`` or ``vises.register_plugin``; installed ones are the fixture
distributions in ``tests/plugin_fixtures`` put on ``PYTHONPATH`` (``hostile/``: a plugin exiting at
import, one whose hooks exit, one redefining units).
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import vises
from vises import (
    AggregatorSpec,
    DataError,
    Grid,
    GridSource,
    ImputerSpec,
    Indicator,
    Method,
    MethodError,
    Node,
    NormaliserSpec,
    PluginError,
    Reader,
    Registry,
    ReportFormat,
    TreatmentSpec,
    VisesPluginWarning,
    hookimpl,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "plugin_fixtures"

pytestmark = pytest.mark.filterwarnings("ignore::vises.VisesPluginWarning")


# -- helpers -------------------------------------------------------------------------------------


def build(**extra: Any) -> Registry:
    """The core plus in-process plugins only (no installed entry point), warnings swallowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VisesPluginWarning)
        return Registry.build(extra_plugins=extra, entry_points=False, strict=False, disabled=())


def failures(registry: Registry, plugin: str) -> list[str]:
    return [failure.message for failure in registry.failures if failure.plugin == plugin]


def normaliser(name: str = "n", *, fit: Any = None, apply: Any = None, output_range: Any = None) -> NormaliserSpec:
    return NormaliserSpec(
        name=name,
        fit=fit or (lambda values, **kw: {}),
        apply=apply or (lambda values, fitted: np.asarray(values, dtype=float)),
        output_range=output_range or (lambda params: (None, None)),
        data_dependent=False,
    )


class Methods:
    """An in-process plugin contributing the given records, one hook per kind."""

    def __init__(self, **records: list[Any]) -> None:
        self.records = records

    @hookimpl
    def vises_register_normalisers(self):
        return self.records.get("normalisers", [])

    @hookimpl
    def vises_register_aggregators(self):
        return self.records.get("aggregators", [])

    @hookimpl
    def vises_register_treatments(self):
        return self.records.get("treatments", [])

    @hookimpl
    def vises_register_imputers(self):
        return self.records.get("imputers", [])

    @hookimpl
    def vises_register_readers(self):
        return self.records.get("readers", [])

    @hookimpl
    def vises_register_report_formats(self):
        return self.records.get("formats", [])


X = [1.0, 2.0, np.nan, 4.0, 5.0]
Y = [10.0, 20.0, 30.0, 40.0, 50.0]


def grid(*, normaliser: str = "minmax", aggregator: str = "arithmetic", **stages: Any) -> Grid:
    x = Indicator(code="x", parent="root", normaliser=Method(name=normaliser), **stages)
    return Grid(
        code="g",
        nodes=(Node(code="root", aggregator=Method(name=aggregator)),),
        indicators=(x, Indicator(code="y", parent="root")),
    )


def score(registry: Registry, g: Grid) -> vises.Results:
    columns = {"organisation": list("abcde"), "period": ["2024"] * 5, "x": X, "y": Y}
    codes = {indicator.code for indicator in g.indicators} | {"organisation", "period"}
    data = vises.load_data({name: values for name, values in columns.items() if name in codes}, grid=g)
    return vises.score(g, data, registry=registry)


def still_scores(registry: Registry) -> None:
    """The core's methods keep working on the registry a plugin broke."""
    assert np.isfinite(score(registry, grid()).score("root")).all()


def run(*args: str, pythonpath: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VISES_")}
    environ["PYTHONPATH"] = os.pathsep.join([*(str(FIXTURES / p) for p in pythonpath), environ.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "vises", *args], capture_output=True, text=True, env=environ, timeout=120
    )


@pytest.fixture
def in_process() -> Iterator[Any]:
    """Register in-process plugins on the process registry for CLI tests; removed afterwards."""
    added: list[str] = []

    def add(obj: Any, name: str) -> None:
        vises.register_plugin(obj, name=name)
        added.append(name)

    yield add
    for name in added:
        vises.unregister_plugin(name)


def write_case(tmp_path: Path, normaliser: str) -> tuple[Path, Path]:
    grid_file = tmp_path / "g.toml"
    grid_file.write_text(
        'code = "h"\n[[nodes]]\ncode = "root"\n'
        f'[[indicators]]\ncode = "x"\nparent = "root"\nnormaliser = "{normaliser}"\n'
        '[[indicators]]\ncode = "y"\nparent = "root"\n',
        encoding="utf-8",
    )
    data = tmp_path / "d.csv"
    data.write_text("organisation,period,x,y\na,2024,1,10\nb,2024,2,20\nc,2024,3,30\n", encoding="utf-8")
    return grid_file, data


# -- escapes from registration hooks -------------------------------------------------------------


def test_sys_exit_in_a_registration_hook_is_a_failure_of_that_plugin() -> None:
    class Exits:
        @hookimpl
        def vises_register_grids(self):
            sys.exit(0)

    other = Methods(normalisers=[normaliser("ok")])
    registry = build(exits=Exits(), other=other)
    assert list(registry.grid_sources) == ["vises.social_economy"]
    (message,) = failures(registry, "exits")
    assert "hook vises_register_grids" in message and "SystemExit (sys.exit(0))" in message
    assert "must not exit the program" in message
    assert registry.normalisers["other.ok"].plugin == "other"
    assert registry.plugin("exits").status == "failed" and registry.plugin("other").status == "ok"


def test_generator_exit_and_odd_base_exceptions_are_contained() -> None:
    class Odd:
        @hookimpl
        def vises_register_normalisers(self):
            raise GeneratorExit("odd")

        @hookimpl
        def vises_register_aggregators(self):
            raise SystemExit("leaving")

    registry = build(odd=Odd())
    messages = failures(registry, "odd")
    assert any("vises_register_normalisers: GeneratorExit: odd" in m for m in messages)
    assert any("vises_register_aggregators: SystemExit (sys.exit('leaving'))" in m for m in messages)
    assert "minmax" in registry.normalisers and "arithmetic" in registry.aggregators
    still_scores(registry)


def test_a_generator_hook_that_exits_halfway_contributes_nothing() -> None:
    class Halfway:
        @hookimpl
        def vises_register_normalisers(self):
            yield normaliser("first")
            sys.exit(1)

    registry = build(halfway=Halfway())
    assert "halfway.first" not in registry.normalisers
    (message,) = failures(registry, "halfway")
    assert "SystemExit (sys.exit(1))" in message


def test_keyboard_interrupt_in_a_hook_still_stops_the_program() -> None:
    class CtrlC:
        @hookimpl
        def vises_register_grids(self):
            raise KeyboardInterrupt

    registry = build(ctrlc=CtrlC())
    with pytest.raises(KeyboardInterrupt):
        list(registry.grid_sources)


def test_sys_exit_in_the_units_hook_is_contained() -> None:
    class Units:
        @hookimpl
        def vises_register_units(self):
            sys.exit(2)

    registry = build(units=Units())
    (message,) = failures(registry, "units")
    assert "hook vises_register_units: SystemExit (sys.exit(2))" in message
    assert vises.unit_conversion("hour", "minute") == (60.0, 0.0)


def test_sys_exit_while_registering_commands_is_contained() -> None:
    import click

    class Commands:
        @hookimpl
        def vises_register_commands(self, cli):
            @cli.command(name="fine-one")
            def fine() -> None:
                """Registered before the exit."""

            sys.exit(0)

    @click.group()
    def cli() -> None:
        """Test group."""

    registry = build(commands=Commands())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VisesPluginWarning)
        new = registry.register_commands(cli)
    (failure,) = new
    assert failure.plugin == "commands" and failure.hook == "vises_register_commands"
    assert "SystemExit (sys.exit(0))" in failure.error


def test_a_hook_returning_a_non_iterable_is_its_failure() -> None:
    class Scalar:
        @hookimpl
        def vises_register_report_formats(self):
            return 42

    registry = build(scalar=Scalar())
    (message,) = failures(registry, "scalar")
    assert "vises_register_report_formats: TypeError: 'int' object is not iterable" in message
    assert "csv" in registry.report_formats


def test_an_object_that_explodes_when_inspected_is_refused_at_registration() -> None:
    class Booby:
        def __dir__(self):
            raise SystemExit("inspected")

    registry = build(booby=Booby(), other=Methods(normalisers=[normaliser("ok")]))
    (message,) = failures(registry, "booby")
    assert "cannot register 'booby'" in message and "SystemExit" in message
    assert "other.ok" in registry.normalisers


def test_records_with_missing_functions_or_bad_suffixes_are_refused_one_by_one() -> None:
    plugin = Methods(
        normalisers=[
            NormaliserSpec(name="nofit", fit=None, apply=lambda v, f: v, output_range=lambda p: (0, 1)),
            normaliser("fine"),
        ],
        readers=[Reader(name="ods", suffixes=".ods", read=lambda path, request: None)],  # a str, not a tuple
        formats=[ReportFormat(name="x", suffix="txt", render=lambda r, q: "")],
    )
    registry = build(p=plugin)
    messages = " | ".join(failures(registry, "p"))
    assert "normaliser 'nofit': fit is None, not a function" in messages
    assert "reader 'ods': suffixes must be a tuple of file suffixes" in messages
    assert "report format 'x': suffix must be a file suffix like '.md'" in messages
    assert "p.fine" in registry.normalisers and "p.nofit" not in registry.normalisers
    assert registry.reader_for("data.csv").name == "csv"  # '.ods' as a str did not claim every file


def test_a_grid_source_holding_something_else_than_a_grid() -> None:
    class Fake:
        @hookimpl
        def vises_register_grids(self):
            return [GridSource(code="g", grid="not a grid")]

    registry = build(fake=Fake())
    with pytest.raises(PluginError, match="GridSource.grid is str, not a vises Grid") as caught:
        registry.grid("fake.g")
    assert caught.value.plugin == "fake"
    assert registry.grid("vises.social_economy").code == "vises.social_economy"


# -- installed plugins (fixture distributions, real entry point) ---------------------------------


def test_sys_exit_at_import_and_in_hooks_never_ends_vises_plugins_silently() -> None:
    done = run("plugins", pythonpath=("good", "hostile"))
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if line and not line.startswith("-")}
    assert "failed" in rows["exitimport"] and "failed" in rows["exithooks"] and "ok" in rows["fake"]
    assert "exitimport: cannot import vises_exitimport: SystemExit (sys.exit(0))" in done.stdout
    assert "vises_register_grids: SystemExit (sys.exit(0))" in done.stdout
    assert "Warning: plugin 'exitimport' (distribution exitimport 0.1)" in done.stderr
    assert "Traceback" not in done.stderr


def test_vises_score_keeps_working_next_to_plugins_that_exit(tmp_path: Path) -> None:
    data = tmp_path / "demo.csv"
    data.write_text("organisation,period,meals,jobs\na,2024,10,1\nb,2024,20,3\n", encoding="utf-8")
    done = run("score", str(data), "--grid", "fake.demo", "--format", "exithooks.calm", pythonpath=("good", "hostile"))
    assert (done.returncode, done.stdout) == (0, "calm\n"), done.stderr
    assert "plugin 'exithooks' (distribution exithooks 0.2), hook vises_register_grids: SystemExit" in done.stderr

    done = run("score", str(data), "--grid", "exithooks.anything", pythonpath=("good", "hostile"))
    assert done.returncode == 2 and "unknown grid 'exithooks.anything'" in done.stderr
    assert "SystemExit" in done.stderr  # the reason the grid is missing is on screen


def test_unit_redefinitions_are_refused_naming_both_plugins() -> None:
    done = run("plugins", "--all", pythonpath=("good", "hostile"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "unit line 'hour = 30 * minute' refused: it redefines 'hour', already defined by vises" in out
    assert "unit line 'EUR = 2 * USD' refused: it redefines 'EUR', already defined by vises" in out
    assert "it redefines 'meal', already defined by plugin 'fake' (distribution fakeplugin 1.0)" in out
    assert "it redefines 'km' (read as 'kilometer')" in out
    assert "  units: plat" in out  # the one new unit is accepted
    assert "Warning: plugin 'redefine' (distribution redefine 0.3), hook vises_register_units" in done.stderr


def test_redefined_units_keep_their_meaning_when_scoring(tmp_path: Path) -> None:
    code = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "import vises\n"
        "len(vises.get_registry().grid_sources)\n"
        "print(vises.unit_conversion('hour', 'minute'), vises.unit_conversion('km', 'm'),"
        " vises.unit_conversion('EUR', 'kEUR'), vises.unit_conversion('plats', 'plat'),"
        " vises.unit_conversion('repas', 'meal'))\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VISES_")}
    environ["PYTHONPATH"] = os.pathsep.join([str(FIXTURES / "good"), str(FIXTURES / "hostile")])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(60.0, 0.0) (1000.0, 0.0) (0.001, 0.0) (1.0, 0.0) (1.0, 0.0)"


def test_in_process_unit_redefinition_and_a_bad_line_found_when_pint_is_built() -> None:
    from vises import units

    class Units:
        @hookimpl
        def vises_register_units(self):
            return ["gCO2e = 2 * gram", "bol = [bol] = bols", "broken = 3 * no_such_unit"]

    registry = build(mine=Units())
    list(registry.normalisers)  # collects the lines; pint may not be built yet
    messages = " | ".join(failures(registry, "mine"))  # ``failures`` defines the lines, so all are known
    assert "it redefines 'gCO2e', already defined by vises" in messages
    assert "unit line 'broken = 3 * no_such_unit' refused: its value '3 * no_such_unit' is not a known unit" in messages
    assert units.conversion("bols", "bol") == (1.0, 0.0)
    assert units.conversion("kgCO2e", "gCO2e") == (1000.0, 0.0)
    assert registry.plugin("mine").provides["units"] == ("bol",)


# -- normalisers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (normaliser(fit=lambda values, **kw: None), "fit returned None, expected a dict of fitted parameters"),
        (normaliser(fit=lambda values, **kw: 1 / 0), "fit raised ZeroDivisionError: division by zero"),
        (
            normaliser(fit=lambda values, **kw: {"scale": np.float32(2.0)}),
            "fit returned parameters that are not plain JSON values",
        ),
        (normaliser(apply=lambda values, fitted: values[:3]), "apply returned 3 values for 5 rows"),
        (normaliser(apply=lambda values, fitted: 0.5), "apply returned float, expected a numpy array of 5 values"),
        (normaliser(apply=lambda values, fitted: None), "apply returned None, expected a numpy array of 5 values"),
        (normaliser(apply=lambda values, fitted: np.array(["a"] * 5)), "apply returned an array of <U1"),
        (
            normaliser(apply=lambda values, fitted: np.zeros((5, 2))),
            "apply returned an array of shape (5, 2) for 5 rows",
        ),
        (
            normaliser(apply=lambda values, fitted: np.where(values > 3, np.nan, values)),
            "apply gave NaN or infinity for 2 of 4 present values",
        ),
        (normaliser(apply=lambda values, fitted: np.zeros(len(values))), "apply gave a number for 1 missing values"),
        (
            normaliser(apply=lambda values, fitted: values * 50, output_range=lambda params: (0, 100)),
            "apply gave values from 50 to 250, outside its declared output range [0, 100]",
        ),
        (normaliser(apply=lambda values, fitted: sys.exit(0)), "apply raised SystemExit (sys.exit(0))"),
    ],
    ids=[
        "fit-none",
        "fit-raises",
        "fit-numpy-scalar",
        "apply-short",
        "apply-scalar",
        "apply-none",
        "apply-strings",
        "apply-2d",
        "apply-nan-for-present",
        "apply-fills-missing",
        "apply-out-of-range",
        "apply-sys-exit",
    ],
)
def test_a_normaliser_breaking_its_contract_is_named_with_the_indicator(spec: NormaliserSpec, words: str) -> None:
    registry = build(evil=Methods(normalisers=[spec]))
    with pytest.raises(PluginError) as caught:
        score(registry, grid(normaliser="evil.n"))
    error = caught.value
    text = str(error)
    assert words in text
    assert text.startswith("indicator 'x', plugin 'evil', normaliser 'evil.n': ")
    assert error.exit_code == 2 and error.plugin == "evil" and error.indicator == "x"
    still_scores(registry)


def test_output_range_returning_junk_is_reported_by_validation() -> None:
    registry = build(evil=Methods(normalisers=[normaliser(output_range=lambda params: "0 to 100")]))
    with pytest.raises(vises.GridValidationError) as caught:
        score(registry, grid(normaliser="evil.n"))
    assert "output_range returned '0 to 100', expected (low, high) with numbers or None" in str(caught.value)
    assert "plugin 'evil', normaliser 'evil.n'" in str(caught.value)
    still_scores(registry)


def test_a_method_error_raised_on_purpose_keeps_its_class_and_names_the_plugin() -> None:
    def fit(values, **kw):
        raise MethodError("needs a 'total' parameter", hint="write normaliser = { method = 'evil.n', total = 10 }")

    registry = build(evil=Methods(normalisers=[normaliser(fit=fit)]))
    with pytest.raises(MethodError) as caught:
        score(registry, grid(normaliser="evil.n"))
    assert not isinstance(caught.value, PluginError)
    assert str(caught.value).startswith("indicator 'x', plugin 'evil': needs a 'total' parameter (hint: write")


# -- aggregators -----------------------------------------------------------------------------------


def _aggregator(function: Any) -> AggregatorSpec:
    return AggregatorSpec(name="a", aggregate=function)


@pytest.mark.parametrize(
    ("function", "words"),
    [
        (lambda s, w, **k: s[:, :1], "aggregate returned an array of shape (5, 1) for 5 rows, expected (5,)"),
        (lambda s, w, **k: np.full(len(s), np.nan), "aggregate gave NaN or infinity for 5 rows that have children"),
        (lambda s, w, **k: list(np.nanmean(s, axis=1)), "aggregate returned list, expected a numpy array of 5 values"),
        (lambda s, w, **k: np.nansum(s, axis=1), "aggregate gave a score for 1 rows with every child missing"),
        (lambda s, w, **k: {}["missing"], "aggregate raised KeyError: 'missing'"),
    ],
    ids=["2d", "all-nan", "list", "score-for-empty-row", "raises"],
)
def test_an_aggregator_breaking_its_contract_is_named_with_the_node(function: Any, words: str) -> None:
    registry = build(evil=Methods(aggregators=[_aggregator(function)]))
    g = grid(aggregator="evil.a")
    if "empty row" in words or "every child missing" in words:
        g = Grid(
            code="g",
            nodes=(Node(code="root", aggregator=Method(name="evil.a")),),
            indicators=(Indicator(code="x", parent="root"),),
        )
    with pytest.raises(PluginError) as caught:
        score(registry, g)
    text = str(caught.value)
    assert words in text and text.startswith("node 'root', plugin 'evil', aggregator 'evil.a': ")
    still_scores(registry)


# -- treatments and imputers -----------------------------------------------------------------------


def test_a_treatment_returning_none_or_a_bad_check() -> None:
    treatment = TreatmentSpec(name="t", fit=lambda v, **k: {}, apply=lambda v, f: None, check=lambda p: dict(p))
    registry = build(evil=Methods(treatments=[treatment]))
    with pytest.raises(PluginError, match=r"indicator 'x', plugin 'evil', treatment 'evil.t': apply returned None"):
        score(registry, grid(treatment=Method(name="evil.t")))
    still_scores(registry)

    unchecked = TreatmentSpec(name="u", fit=lambda v, **k: {}, apply=lambda v, f: v, check=lambda p: None)
    registry = build(evil=Methods(treatments=[unchecked]))
    with pytest.raises(vises.GridValidationError) as caught:
        score(registry, grid(treatment=Method(name="evil.u")))
    assert "treatment 'evil.u': check returned None, expected a dict of parameters" in str(caught.value)


def test_an_imputer_returning_the_wrong_length() -> None:
    imputer = ImputerSpec(name="i", fit=lambda v, **k: {}, apply=lambda v, f, **k: np.zeros(2), check=lambda p: dict(p))
    registry = build(evil=Methods(imputers=[imputer]))
    with pytest.raises(PluginError) as caught:
        score(registry, grid(imputation=Method(name="evil.i")))
    assert str(caught.value).startswith("indicator 'x', plugin 'evil', imputer 'evil.i': apply returned 2 values for 5")
    still_scores(registry)


# -- readers and report formats through the command line -------------------------------------------


def test_a_reader_returning_none_is_named_and_csv_still_reads(tmp_path: Path, in_process: Any) -> None:
    from vises.cli import cli

    in_process(Methods(readers=[Reader(name="ods", suffixes=(".ods",), read=lambda path, request: None)]), "evil")
    grid_file, data = write_case(tmp_path, "minmax")
    bad = tmp_path / "d.ods"
    bad.write_bytes(b"whatever")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(bad), "--grid", str(grid_file)])
    assert result.exit_code == 2
    assert "plugin 'evil', reader 'evil.ods': read returned None, expected a vises Dataset" in result.output
    assert "internal error" not in result.output
    assert runner.invoke(cli, ["validate", str(data), "--grid", str(grid_file)]).exit_code == 0


def test_a_reader_raising_a_data_error_on_purpose_stays_a_data_error(tmp_path: Path, in_process: Any) -> None:
    def read(path, request):
        raise DataError("sheet 'Données' is missing", file=str(path), hint="use the federation's template")

    in_process(Methods(readers=[Reader(name="ods", suffixes=(".ods",), read=read)]), "evil")
    grid_file, _ = write_case(tmp_path, "minmax")
    bad = tmp_path / "d.ods"
    bad.write_bytes(b"whatever")
    with pytest.raises(DataError) as caught:
        vises.load_data(bad, grid=vises.load_grid(grid_file))
    assert not isinstance(caught.value, PluginError) and caught.value.exit_code == 1
    assert caught.value.plugin == "evil" and "sheet 'Données' is missing" in str(caught.value)


@pytest.mark.parametrize(
    ("format_", "words"),
    [
        (ReportFormat(name="f", suffix=".txt", render=lambda r, q: b"bytes"), "render returned bytes, expected str"),
        (
            ReportFormat(name="f", suffix=".bin", render=lambda r, q: "text", binary=True),
            "render returned str, expected bytes (binary=True)",
        ),
        (ReportFormat(name="f", suffix=".txt", render=lambda r, q: None), "render returned None, expected str"),
        (ReportFormat(name="f", suffix=".txt", render=lambda r, q: sys.exit(0)), "render raised SystemExit"),
    ],
    ids=["bytes-for-text", "str-for-binary", "none", "sys-exit"],
)
def test_a_report_format_breaking_its_contract_exits_2_naming_it(
    tmp_path: Path, in_process: Any, format_: ReportFormat, words: str
) -> None:
    from vises.cli import cli

    in_process(Methods(formats=[format_]), "evil")
    grid_file, data = write_case(tmp_path, "minmax")
    runner = CliRunner()
    args = ["score", str(data), "--grid", str(grid_file), "--format", "evil.f", "-o", str(tmp_path / "out.bin")]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert f"plugin 'evil', report format 'evil.f': {words}" in result.output
    assert not (tmp_path / "out.bin").exists()
    result = runner.invoke(cli, ["score", str(data), "--grid", str(grid_file), "--format", "csv"])
    assert result.exit_code == 0 and result.output.startswith("organisation,period")


def _pieces_then(failure: BaseException) -> Any:
    """A stream that yields a first piece, then fails (the output must then be abandoned whole)."""

    def stream(results, request):
        yield "organisation,period\n"
        raise failure

    return stream


@pytest.mark.parametrize(
    ("format_", "words"),
    [
        (
            ReportFormat(name="f", suffix=".txt", render=lambda r, q: "", stream=lambda r, q: iter([b"bytes"])),
            "stream yielded bytes, expected str",
        ),
        (
            ReportFormat(name="f", suffix=".txt", render=lambda r, q: "", stream=lambda r, q: None),
            "stream returned None, expected an iterable of str",
        ),
        (
            ReportFormat(name="f", suffix=".txt", render=lambda r, q: "", stream=lambda r, q: "a whole text"),
            "stream returned str, expected an iterable of str",
        ),
        (
            ReportFormat(name="f", suffix=".txt", render=lambda r, q: "", stream=_pieces_then(RuntimeError("boom"))),
            "stream raised RuntimeError: boom",
        ),
        (
            ReportFormat(name="f", suffix=".txt", render=lambda r, q: "", stream=_pieces_then(SystemExit(3))),
            "stream raised SystemExit (sys.exit(3))",
        ),
        (
            ReportFormat(name="f", suffix=".bin", render=lambda r, q: b"", binary=True, stream=lambda r, q: iter([""])),
            "stream yielded str, expected bytes",
        ),
        (
            ReportFormat(name="f", suffix=".bin", render=lambda r, q: b"", binary=True, stream=lambda r, q: b"whole"),
            "stream returned bytes, expected an iterable of bytes",
        ),
    ],
    ids=["bytes-piece", "none", "one-str", "raises-mid-way", "exits-mid-way", "binary-str-piece", "binary-whole"],
)
def test_a_streamed_report_breaking_its_contract_exits_2_naming_it_and_writes_nothing(
    tmp_path: Path, in_process: Any, format_: ReportFormat, words: str
) -> None:
    from vises.cli import cli

    in_process(Methods(formats=[format_]), "evil")
    grid_file, data = write_case(tmp_path, "minmax")
    out = tmp_path / f"out{format_.suffix}"
    args = ["score", str(data), "--grid", str(grid_file), "--format", "evil.f", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert f"plugin 'evil', report format 'evil.f': {words}" in result.output
    assert "internal error" not in result.output
    # Nothing half-written: no report, and no temporary file left behind.
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}.")] == []


def test_a_good_stream_is_passed_through_piece_by_piece(in_process: Any) -> None:
    seen: list[str] = []

    def stream(results, request):
        for piece in ("a", "b", "c"):
            seen.append(piece)
            yield piece

    in_process(Methods(formats=[ReportFormat(name="f", suffix=".txt", render=lambda r, q: "abc", stream=stream)]), "ok")
    spec = vises.get_registry().report_formats["ok.f"]
    pieces = spec.stream(None, vises.ReportRequest())
    assert next(pieces) == "a" and seen == ["a"]  # lazily, one piece at a time
    assert list(pieces) == ["b", "c"]


def test_a_binary_format_streams_its_bytes_to_the_output(tmp_path: Path, in_process: Any) -> None:
    from vises.cli import cli

    stream = lambda r, q: iter([b"PK", b"\x00\x01", b"end"])  # noqa: E731
    binary = ReportFormat(name="f", suffix=".bin", render=lambda r, q: b"PK\x00\x01end", binary=True, stream=stream)
    in_process(Methods(formats=[binary]), "ok")
    grid_file, data = write_case(tmp_path, "minmax")
    out = tmp_path / "out.bin"
    result = CliRunner().invoke(cli, ["score", str(data), "--grid", str(grid_file), "--format", "ok.f", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"PK\x00\x01end"


def test_a_normaliser_breaking_its_contract_through_the_cli(tmp_path: Path, in_process: Any) -> None:
    from vises.cli import cli

    in_process(Methods(normalisers=[normaliser(apply=lambda values, fitted: values[:1])]), "evil")
    grid_file, data = write_case(tmp_path, "evil.n")
    result = CliRunner().invoke(cli, ["score", str(data), "--grid", str(grid_file), "--format", "csv"])
    assert result.exit_code == 2
    assert "Error: indicator 'x', plugin 'evil', normaliser 'evil.n': apply returned 1 values for 3 rows" in (
        result.output
    )
    assert "internal error" not in result.output and "bug in vises" not in result.output


def test_strict_mode_turns_a_contained_escape_and_a_refused_unit_into_errors() -> None:
    class Exits:
        @hookimpl
        def vises_register_grids(self):
            sys.exit(0)

    class Units:
        @hookimpl
        def vises_register_units(self):
            return ["FTE = 2 * person"]

    registry = Registry.build(extra_plugins={"exits": Exits()}, entry_points=False, strict=True, disabled=())
    with pytest.raises(PluginError, match=r"plugin 'exits'.*SystemExit"):
        list(registry.grid_sources)
    with pytest.raises(PluginError):  # and it stays refused
        list(registry.grid_sources)
    registry = Registry.build(extra_plugins={"units": Units()}, entry_points=False, strict=True, disabled=())
    with pytest.raises(PluginError, match="it redefines 'FTE', already defined by vises"):
        list(registry.normalisers)
    assert vises.unit_conversion("FTE", "FTE") == (1.0, 0.0)
