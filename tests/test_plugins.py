"""The plugin manager: discovery, namespacing, failure isolation, conflicts and the registry API."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vises import plugins
from vises.contract import hookspecs
from vises.contract.hookspecs import hookimpl
from vises.contract.records import AggregatorSpec, GridSource, Reader, ReportFormat, ReportRequest, Weighting
from vises.errors import ConfigError, DataError, MethodError, PluginError, ReportError
from vises.model import Grid, Indicator
from vises.plugins import CORE_PLUGINS, PluginFailure, Registry, VisesPluginWarning

FIXTURES = Path(__file__).parent / "plugin_fixtures"

pytestmark = pytest.mark.filterwarnings("ignore::vises.plugins.VisesPluginWarning")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(plugins.STRICT_ENV, raising=False)
    monkeypatch.delenv(plugins.DISABLE_ENV, raising=False)


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch):
    """Put fixture distributions (by directory name) on sys.path, as if they were installed."""

    def add(*names: str) -> None:
        for name in names:
            monkeypatch.syspath_prepend(str(FIXTURES / name))
        importlib.invalidate_caches()

    return add


def build(**kwargs) -> Registry:
    """A registry of the entry points only (the core is tested separately), warnings captured."""
    kwargs.setdefault("core", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VisesPluginWarning)
        return Registry.build(**kwargs)


FIXTURE_PLUGINS = {"fake", "brokenimport", "brokenhook", "typo"}


def statuses(registry: Registry) -> dict[str, str]:
    """Status of the fixture plugins only (real plugins may be installed in the environment too)."""
    return {info.name: info.status for info in registry.plugins if info.name in FIXTURE_PLUGINS}


def failures_of(registry: Registry, plugin: str) -> list[PluginFailure]:
    return [failure for failure in registry.failures if failure.plugin == plugin]


class Demo:
    """An in-process plugin object."""

    @hookimpl
    def vises_register_grids(self):
        return [GridSource(code="g", grid=Grid(code="whatever"))]

    @hookimpl
    def vises_register_aggregators(self):
        return [AggregatorSpec(name="maximum", aggregate=lambda s, w, **k: np.nanmax(s, axis=1))]


def test_installed_plugin_is_discovered_and_namespaced(site) -> None:
    site("good")
    registry = build()
    assert failures_of(registry, "fake") == []
    grid = registry.grid("fake.demo")
    assert grid.code == "fake.demo" and grid.plugin == "fake"
    assert registry.grid("fake.demo") is grid  # cached
    assert registry.normalisers["fake.share"].plugin == "fake"
    assert "share" not in registry.normalisers
    assert registry.report_formats["fake.shout"].render(None, ReportRequest()) == "SCORES!\n"
    assert registry.indicators["fake.meals_served"].unit == "meal"
    assert registry.resolve("indicator", "fake.meals_served") is registry.indicators["fake.meals_served"]
    assert registry.resolve("grid", "fake.demo") is grid
    # a bare grid code in a weighting means the plugin's own grid
    assert registry.weightings["fake.jobs_first"].grid == "fake.demo"
    info = registry.plugin("fake")
    assert (info.distribution, info.version, info.status) == ("fakeplugin", "1.0", "ok")
    assert info.provides["grids"] == ("fake.demo",)
    assert "vises_register_grids" in info.hooks
    assert registry.provenance()["fake"] == "1.0"


def test_plugin_units_are_defined(site) -> None:
    from vises import units

    site("good")
    len(build().normalisers)  # any lookup collects the unit lines first
    assert units.conversion("meals", "repas") == (1.0, 0.0)


def test_broken_plugins_are_reported_and_the_others_keep_working(site) -> None:
    site("good", "broken")
    with pytest.warns(VisesPluginWarning) as caught:
        registry = Registry.build(core=False)
        list(registry.grid_sources)
    assert registry.grid("fake.demo").plugin == "fake"
    (imported,) = failures_of(registry, "brokenimport")
    assert (imported.distribution, imported.version, imported.hook) == ("brokenimport", "2.0", None)
    assert "vises_dependency_that_does_not_exist" in imported.error
    (hooked,) = failures_of(registry, "brokenhook")
    assert (hooked.distribution, hooked.version, hooked.hook) == ("brokenhook", "3.1", "vises_register_grids")
    assert "the grid catalogue is corrupt" in hooked.message and "brokenhook 3.1" in hooked.message
    messages = [str(w.message) for w in caught]
    assert any("brokenimport 2.0" in m for m in messages) and any("brokenhook 3.1" in m for m in messages)
    assert statuses(registry) == {"fake": "ok", "brokenimport": "failed", "brokenhook": "failed"}


def test_strict_mode_raises(site, monkeypatch: pytest.MonkeyPatch) -> None:
    site("broken")
    monkeypatch.setenv(plugins.STRICT_ENV, "1")
    monkeypatch.delitem(sys.modules, "vises_brokenhook", raising=False)
    registry = Registry.build(core=False)  # reads metadata only: nothing to fail yet
    assert "vises_brokenhook" not in sys.modules
    with pytest.raises(PluginError, match="brokenimport 2.0"):
        registry.normalisers.get("x")
    with pytest.raises(PluginError, match="brokenimport 2.0"):  # and stays broken
        list(registry.report_formats)


def test_strict_mode_raises_on_hook_failure_when_hook_runs(site) -> None:
    site("broken")
    registry = Registry.build(core=False, strict=True, disabled=["brokenimport"])
    with pytest.raises(PluginError, match="the grid catalogue is corrupt"):
        list(registry.grid_sources)
    with pytest.raises(PluginError):  # stays broken, no half-built registry
        list(registry.grid_sources)


def test_disable_skips_entry_points(site, monkeypatch: pytest.MonkeyPatch) -> None:
    site("good", "broken")
    monkeypatch.setenv(plugins.DISABLE_ENV, "brokenimport, brokenhook")
    registry = build()
    assert [f for f in registry.failures if f.plugin in FIXTURE_PLUGINS] == []
    assert statuses(registry) == {"fake": "ok", "brokenimport": "disabled", "brokenhook": "disabled"}
    assert "vises_brokenimport" not in sys.modules
    assert registry.provenance()["fake"] == "1.0" and "brokenimport" not in registry.provenance()


def test_same_key_from_two_distributions_names_both(site) -> None:
    site("good", "fork")
    registry = build()
    with pytest.raises(PluginError) as caught:
        registry.grid("fake.demo")
    assert "fakeplugin 1.0" in str(caught.value) and "fakeplugin_fork 1.5" in str(caught.value)
    assert "fake.demo" not in registry.grid_sources
    assert registry.grid("fake.only_in_fork").plugin == "fake"  # keys that do not clash still work
    assert any("provided twice" in failure.error for failure in registry.failures)


def test_misspelt_hook_is_caught(site) -> None:
    site("typo")
    registry = build()
    (failure,) = failures_of(registry, "typo")
    assert failure.plugin == "typo" and failure.distribution == "typoplugin"
    assert failure.hook == "vises_register_gridz"
    assert "did you mean 'vises_register_grids'" in failure.error


def test_misspelt_hook_in_strict_mode(site) -> None:
    site("typo")
    with pytest.raises(PluginError, match="vises_register_gridz"):
        len(Registry.build(core=False, strict=True).grid_sources)


def test_in_process_plugin_and_register_plugin() -> None:
    registry = build(entry_points=False, extra_plugins={"demo": Demo()})
    assert registry.grid("demo.g").code == "demo.g"
    assert registry.aggregators["demo.maximum"].plugin == "demo"
    plugins.register_plugin(Demo(), name="other")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", VisesPluginWarning)
            assert plugins.get_registry().grid("other.g").plugin == "other"
            assert plugins.get_registry() is plugins.get_registry()
        assert plugins.get_registry().provenance()["other"] == "in-process"
    finally:
        plugins.unregister_plugin("other")
    with pytest.raises(PluginError, match="no in-process plugin"):
        plugins.unregister_plugin("other")


def test_unknown_names_list_the_available_ones() -> None:
    registry = build(entry_points=False, extra_plugins={"demo": Demo()})
    with pytest.raises(MethodError, match=r"did you mean 'demo.maximum'") as caught:
        registry.aggregators["maximum"]
    assert isinstance(caught.value, ConfigError)
    with pytest.raises(ConfigError, match=r"unknown grid 'demo.h'.*available: demo.g"):
        registry.grid("demo.h")
    with pytest.raises(ReportError, match="unknown report format"):
        registry.report_formats["pdf"]
    with pytest.raises(ConfigError, match="kind"):
        registry.resolve("node", "x")


def test_reader_for_picks_by_suffix_and_lists_known_ones(tmp_path: Path) -> None:
    class Readers:
        @hookimpl
        def vises_register_readers(self):
            return [
                Reader(name="ods", suffixes=(".ods",), read=lambda path, **k: None),
                Reader(name="csvgz", suffixes=(".csv.gz", ".CSVZ"), read=lambda path, **k: None),
            ]

    registry = build(entry_points=False, extra_plugins={"r": Readers()})
    assert registry.reader_for(tmp_path / "DATA.ODS").name == "ods"
    assert registry.reader_for("x/y.csv.gz").plugin == "r"
    assert registry.reader_for("y.csvz").name == "csvgz"
    with pytest.raises(DataError, match=r"\.csv\.gz, \.csvz, \.ods") as caught:
        registry.reader_for("data.sav")
    assert caught.value.file == "data.sav"


def test_two_readers_for_one_suffix_conflict() -> None:
    def readers(name):
        class R:
            @hookimpl
            def vises_register_readers(self):
                return [Reader(name=name, suffixes=(".ods",), read=lambda path, **k: None)]

        return R()

    registry = build(entry_points=False, extra_plugins={"a": readers("one"), "b": readers("two")})
    with pytest.raises(PluginError, match=r"'a.one' and 'b.two'"):
        registry.reader_for("x.ods")


def test_wrong_records_are_the_plugins_failure() -> None:
    class Wrong:
        @hookimpl
        def vises_register_grids(self):
            return [Grid(code="not-a-source")]

        @hookimpl
        def vises_register_report_formats(self):
            return [ReportFormat(name="ok", suffix=".txt", render=str)]

    registry = build(entry_points=False, extra_plugins={"wrong": Wrong()})
    assert "wrong.ok" in registry.report_formats
    (failure,) = registry.failures
    assert failure.hook == "vises_register_grids" and "expected GridSource" in failure.error


def test_bad_unit_line_is_the_plugins_failure() -> None:
    class BadUnits:
        @hookimpl
        def vises_register_units(self):
            return [42]

    registry = build(entry_points=False, extra_plugins={"badunits": BadUnits()})
    (failure,) = registry.failures
    assert failure.hook == "vises_register_units" and "pint definition lines" in failure.error


def test_plugin_name_must_be_a_namespace() -> None:
    registry = build(entry_points=False, extra_plugins={"Bad.Name": Demo()})
    (failure,) = registry.failures
    assert "lower case" in failure.error
    assert registry.grid_sources == {}


def test_circular_extends_is_an_error() -> None:
    class Loop:
        @hookimpl
        def vises_register_grids(self):
            return [GridSource(code="a", path="a.toml")]

    registry = build(entry_points=False, extra_plugins={"loop": Loop()})
    registry._grids_loading.append("loop.a")  # as if loop.a were being read and extended itself
    with pytest.raises(ConfigError, match="circle: loop.a -> loop.a"):
        registry.grid("loop.a")


def test_grid_source_needs_grid_or_path() -> None:
    class Empty:
        @hookimpl
        def vises_register_grids(self):
            return [GridSource(code="nothing")]

    registry = build(entry_points=False, extra_plugins={"empty": Empty()})
    with pytest.raises(PluginError, match="neither a grid nor a path"):
        registry.grid("empty.nothing")


def test_commands_cannot_replace_existing_ones(site) -> None:
    import click

    site("good", "broken")

    class Hijack:
        @hookimpl
        def vises_register_commands(self, cli):
            @cli.command(name="plugins")
            def evil() -> None:
                """Not the real one."""

    @click.group()
    def cli() -> None:
        """Test group."""

    @cli.command(name="plugins")
    def real() -> None:
        """The real one."""

    registry = build(disabled=["brokenimport"], extra_plugins={"hijack": Hijack()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VisesPluginWarning)
        new = registry.register_commands(cli)
    assert cli.commands["plugins"] is real
    assert "fake-hello" in cli.commands
    assert {failure.plugin for failure in new} >= {"hijack", "brokenhook"}
    assert "fake" not in {failure.plugin for failure in new}
    assert registry.plugin("fake").provides["commands"] == ("fake-crash", "fake-fail", "fake-hello")


def test_registry_is_lazy(site) -> None:
    """Building reads metadata only; the first lookup imports the plugins and runs that kind's hook."""
    from vises import units

    site("good")
    sys.modules.pop("vises_fakeplugin.hooks", None)
    units.reset()
    calls: list[str] = []

    class Spy:
        @hookimpl
        def vises_register_grids(self):
            calls.append("grids")
            return []

        @hookimpl
        def vises_register_report_formats(self):
            calls.append("report_formats")
            return []

    registry = build(extra_plugins={"spy": Spy()})
    assert "vises_fakeplugin.hooks" not in sys.modules and calls == []
    assert "fake.shout" in registry.report_formats
    assert "vises_fakeplugin.hooks" in sys.modules and calls == ["report_formats"]
    # the fake plugin's unit lines are collected, but pint is built only when a unit is parsed
    assert not units.is_built()
    assert units.conversion("meals", "repas") == (1.0, 0.0)
    assert units.is_built()
    plugins.reset_registry()


def test_core_plugin_modules_load() -> None:
    """Every core module that exists registers as part of plugin ``vises`` with bare method names."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", VisesPluginWarning)
        registry = Registry.build(entry_points=False)
    present = [name for name in CORE_PLUGINS if _module_exists(name)]
    core = registry.plugin("vises")
    assert core.modules == tuple(present)
    assert [f for f in registry.failures if any(name in f.error for name in present)] == []
    for key in (*registry.normalisers, *registry.aggregators, *registry.readers, *registry.report_formats):
        assert not key.startswith("vises.")
    assert all(key.startswith("vises.") for key in registry.grid_sources)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_every_hook_is_documented() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "plugins.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#+ `?(vises_\w+)", docs, flags=re.M))
    assert set(plugins.hook_names()) == documented
    assert set(plugins.hook_names()) == {n for n in dir(hookspecs) if n.startswith("vises_")}


@given(st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True), st.from_regex(r"[a-z][a-z0-9_.]{0,12}", fullmatch=True))
def test_keys_are_namespaced_by_plugin(plugin_name: str, code: str) -> None:
    module = types.SimpleNamespace(
        vises_register_weightings=hookimpl(lambda: [Weighting(code=code, grid="g", weights={})]),
    )
    registry = build(entry_points=False, extra_plugins={plugin_name: module})
    assert list(registry.weightings) == [f"{plugin_name}.{code}"]
    assert registry.weightings[f"{plugin_name}.{code}"].plugin == plugin_name


def test_indicator_records_keep_their_code() -> None:
    module = types.SimpleNamespace(vises_register_indicators=hookimpl(lambda: [Indicator(code="x")]))
    registry = build(entry_points=False, extra_plugins={"cat": module})
    assert registry.indicators["cat.x"].code == "x"


def test_check_plugin_reports_every_problem() -> None:
    from vises.contract.records import NormaliserSpec
    from vises.model import Node
    from vises.testing.plugin_check import check_plugin

    class Sloppy:
        @hookimpl
        def vises_register_grids(self):
            grid = Grid(
                code="g",
                languages=("fr", "nl"),
                label={"fr": "Grille", "nl": "Rooster"},
                nodes=(Node(code="root", label={"fr": "Racine"}),),
                indicators=(Indicator(code="i", parent="root", label={"fr": "I", "nl": "I"}),),
            )
            return [GridSource(code="g", grid=grid)]

        @hookimpl
        def vises_register_normalisers(self):
            return [
                NormaliserSpec(
                    name="wild", fit=lambda v, **k: {}, apply=lambda v, f: v * 2, output_range=lambda p: (0.0, 100.0)
                )
            ]

        @hookimpl
        def vises_register_aggregators(self):
            return [AggregatorSpec(name="flat", aggregate=lambda s, w, **k: s.ravel())]

        @hookimpl
        def vises_register_weightings(self):
            return [Weighting(code="w", grid="g", weights={"nowhere": 1.0, "i": -2.0})]

    with pytest.raises(PluginError) as caught:
        check_plugin(Sloppy(), name="sloppy")
    text = str(caught.value)
    assert "node 'root': no label in nl" in text
    assert "normaliser 'sloppy.wild': direction +1: apply gave values from 0 to 200" in text
    assert "outside its declared output range [0, 100]" in text
    assert "aggregator 'sloppy.flat': aggregate returned 12 values for 4 rows" in text
    assert "'nowhere' is not a node or indicator" in text and "weight of 'i' must be a finite number >= 0" in text
    report = check_plugin(Sloppy(), name="sloppy", raise_on_problems=False)
    assert not report.ok and report.provides["normalisers"] == ("sloppy.wild",)


def test_check_plugin_on_the_fake_distribution(site) -> None:
    from vises.testing.plugin_check import check_plugin

    site("good")
    report = check_plugin("vises_fakeplugin.hooks", raise_on_problems=False)  # name found from the entry point
    assert report.plugin == "fake"
    assert not [p for p in report.problems if "normaliser" in p or "weighting" in p or "command" in p], report.problems
    assert any("not rendered" in note for note in report.notes)


# -- the catalogues ------------------------------------------------------------------------------


def test_every_kind_is_a_read_only_mapping_raising_its_own_error() -> None:
    from collections.abc import Mapping

    registry = build(entry_points=False, core=True, extra_plugins={"demo": Demo()})
    expected = {
        "normalisers": (MethodError, "minmx", "did you mean 'minmax'"),
        "aggregators": (MethodError, "arithmetik", "did you mean 'arithmetic'"),
        "treatments": (MethodError, "winsorize", "did you mean 'winsorise'"),
        "imputers": (MethodError, "meen", "did you mean 'mean'"),
        "grid_sources": (ConfigError, "social_economy", "did you mean 'vises.social_economy'"),
        "weightings": (ConfigError, "w", "available: none"),
        "indicators": (ConfigError, "x", "available: none"),
        "financial_proxies": (ConfigError, "job_year", "available: none"),
        "readers": (DataError, "xls", "did you mean 'xlsx'"),
        "report_formats": (ReportError, "markdwn", "did you mean 'markdown'"),
    }
    for attribute, (error, key, hint) in expected.items():
        catalogue = getattr(registry, attribute)
        assert isinstance(catalogue, Mapping)
        with pytest.raises(error, match=re.escape(hint)) as caught:
            catalogue[key]
        assert "unknown" in str(caught.value) and "available:" in str(caught.value)
        assert catalogue.get(key) is None and key not in catalogue
        with pytest.raises(TypeError):
            catalogue[key] = None  # read-only
    assert registry.aggregators["demo.maximum"].plugin == "demo"
    assert registry.catalogue("grids") is registry.grid_sources
    with pytest.raises(ConfigError, match="did you mean 'normalisers'"):
        registry.catalogue("normaliser")


def test_a_conflicting_key_is_left_out_yet_names_both_when_asked_for(site) -> None:
    site("good", "fork")
    registry = build()
    assert "fake.demo" not in registry.grid_sources and registry.grid_sources.get("fake.demo") is None
    with pytest.raises(PluginError, match="provided twice") as caught:
        registry.grid_sources["fake.demo"]
    assert "fakeplugin 1.0" in str(caught.value) and "fakeplugin_fork 1.5" in str(caught.value)


def test_records_are_hashable_and_not_mutable_through_their_mappings() -> None:
    import pickle

    from vises.contract.records import FinancialProxy

    weighting = Weighting(code="w", grid="g", weights={"a": 2.0}, label={"fr": "Poids"})
    with pytest.raises(TypeError):
        weighting.weights["a"] = 9.0  # type: ignore[index]
    assert weighting.weights == {"a": 2.0} and dict(weighting.weights) == {"a": 2.0}
    assert hash(weighting) == hash(Weighting(code="w", grid="g", weights={"a": 2.0}, label={"fr": "Poids"}))
    assert pickle.loads(pickle.dumps(weighting)) == weighting
    proxy = FinancialProxy(code="p", value=1.0, currency="EUR", unit="person", label={"en": "P"})
    assert {proxy, weighting, ReportRequest(options={"digits": 2})}  # all hash
    request = ReportRequest(options={"digits": 2})
    with pytest.raises(TypeError):
        request.options["digits"] = 3  # type: ignore[index]
    info = build(entry_points=False, extra_plugins={"demo": Demo()}).plugin("demo")
    assert info.provides["grids"] == ("demo.g",) and hash(info)
    assert info.to_json()["provides"] == {"grids": ["demo.g"], "aggregators": ["demo.maximum"]}


def test_plugin_errors_name_the_distribution_and_survive_context_and_pickling() -> None:
    import pickle

    error = PluginError(
        "apply returned 3 values for 5 rows",
        plugin="x",
        distribution="vises-x",
        version="1.0",
        contribution="normaliser 'x.share'",
    )
    assert (
        str(error) == "plugin 'x' (distribution vises-x 1.0), normaliser 'x.share': apply returned 3 values for 5 rows"
    )
    located = error.with_context(indicator="meals")
    assert str(located).startswith("indicator 'meals', plugin 'x' (distribution vises-x 1.0), normaliser 'x.share'")
    assert str(pickle.loads(pickle.dumps(located))) == str(located)


def test_one_did_you_mean_helper_set() -> None:
    from vises.errors import closest, did_you_mean, unknown_name_hint

    assert closest("csv", ["hauts_de_france.csv", "json"]) == ["hauts_de_france.csv"]
    assert did_you_mean("wieght", ["weight", "code"]) == "did you mean 'weight'?"
    assert did_you_mean("zzz", ["weight"]) is None
    assert unknown_name_hint("minmx", ["minmax", "zscore"]) == "did you mean 'minmax'? available: minmax, zscore"
    assert unknown_name_hint("x", []) == "available: none"
    many = [f"k{i:03d}" for i in range(50)]
    assert unknown_name_hint("zz", many).endswith("k039, … (10 more)")


def test_plugin_unit_lines_are_kept_until_pint_is_built() -> None:
    from vises import units

    class Meals:
        @hookimpl
        def vises_register_units(self):
            return ["assiette = [assiette] = assiettes"]

    units.reset()
    try:
        registry = build(entry_points=False, core=True, extra_plugins={"meals": Meals()})
        assert "csv" in registry.report_formats  # collects every plugin's unit lines ...
        assert not units.is_built()  # ... without building pint
        assert units.conversion("assiettes", "assiette") == (1.0, 0.0)
        assert registry.plugin("meals").provides["units"] == ("assiette",)
    finally:
        units.reset()
        plugins.reset_registry()


@pytest.mark.parametrize("command", [["--help"], ["schema"], ["grids"]])
def test_commands_import_only_what_they_need(command: list[str]) -> None:
    """`--help` and `schema` import no plugin; `grids` imports the plugins but never builds pint."""
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from vises.cli import main\n"
        f"try:\n    main({command!r})\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "from vises import units\n"
        "print('PLUGINS', sorted(m for m in sys.modules if m.startswith('vises_fake')), 'PINT', units.is_built(),"
        " file=sys.stderr)\n"
    )
    environ = {k: v for k, v in __import__("os").environ.items() if not k.startswith("VISES_")}
    environ["PYTHONPATH"] = str(FIXTURES / "good")
    environ["VISES_DISABLE_PLUGINS"] = "wallonie,vlaanderen,hdf"
    import subprocess

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = "['vises_fakeplugin', 'vises_fakeplugin.hooks']" if command == ["grids"] else "[]"
    assert f"PLUGINS {loaded} PINT False" in done.stderr
    if command == ["grids"]:
        assert "fake.demo" in done.stdout


def test_plugins_all_lists_every_contribution_by_name(site) -> None:
    from click.testing import CliRunner

    from vises.cli import cli

    plugins.register_plugin(Demo(), name="listed")
    try:
        result = CliRunner().invoke(cli, ["plugins", "--all"])
    finally:
        plugins.unregister_plugin("listed")
    assert result.exit_code == 0, result.output
    assert "\nlisted:\n  grids: listed.g\n  aggregators: listed.maximum\n" in result.output
    assert "\nvises:\n  grids: vises.social_economy\n" in result.output
    assert "  report formats: table, markdown, csv, json, html, xlsx" in result.output
