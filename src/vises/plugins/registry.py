"""What the plugins contribute: records collected per kind, namespaced, conflicts refused, looked up.

The registry calls each plugin's implementation of each registration hook itself, lazily and one
kind at a time, so every record is attributed to its plugin and keyed ``<plugin>.<key>`` (the
core's methods, readers and formats keep bare names). A key two plugins both provide is never
resolved by picking one: it becomes a ``PluginError`` naming both, raised when the key is looked
up. Looking up an unknown key raises an error that lists the available ones. Which plugins are
loaded, and their failures, is ``plugin_loading``'s job.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

import attrs

from vises.contract.records import (
    AggregatorSpec,
    FinancialProxy,
    GridSource,
    ImputerSpec,
    NormaliserSpec,
    Reader,
    ReportFormat,
    TreatmentSpec,
    Weighting,
)
from vises.errors import ConfigError, DataError, MethodError, PluginError, ReportError, VisesError, closest
from vises.plugins.loading import (
    CORE_NAME,
    DISABLE_ENV,
    STRICT_ENV,
    PluginFailure,
    PluginInfo,
    PluginLoader,
    _describe,
    _Plugin,
)

if TYPE_CHECKING:  # pragma: no cover
    from vises.model import Grid, Indicator


@attrs.frozen(kw_only=True)
class _Kind:
    hook: str
    record: type
    key_attr: str
    noun: str
    #: Whether the core plugin's keys stay bare (methods, readers, formats) or become ``vises.x``.
    core_bare: bool
    error: type[VisesError]


_KINDS: dict[str, _Kind] = {
    "indicators": _Kind(
        hook="vises_register_indicators",
        record=object,
        key_attr="code",
        noun="indicator",
        core_bare=False,
        error=ConfigError,
    ),
    "grids": _Kind(
        hook="vises_register_grids", record=GridSource, key_attr="code", noun="grid", core_bare=False, error=ConfigError
    ),
    "weightings": _Kind(
        hook="vises_register_weightings",
        record=Weighting,
        key_attr="code",
        noun="weighting",
        core_bare=False,
        error=ConfigError,
    ),
    "normalisers": _Kind(
        hook="vises_register_normalisers",
        record=NormaliserSpec,
        key_attr="name",
        noun="normaliser",
        core_bare=True,
        error=MethodError,
    ),
    "aggregators": _Kind(
        hook="vises_register_aggregators",
        record=AggregatorSpec,
        key_attr="name",
        noun="aggregator",
        core_bare=True,
        error=MethodError,
    ),
    "treatments": _Kind(
        hook="vises_register_treatments",
        record=TreatmentSpec,
        key_attr="name",
        noun="treatment",
        core_bare=True,
        error=MethodError,
    ),
    "imputers": _Kind(
        hook="vises_register_imputers",
        record=ImputerSpec,
        key_attr="name",
        noun="imputer",
        core_bare=True,
        error=MethodError,
    ),
    "readers": _Kind(
        hook="vises_register_readers", record=Reader, key_attr="name", noun="reader", core_bare=True, error=DataError
    ),
    "report_formats": _Kind(
        hook="vises_register_report_formats",
        record=ReportFormat,
        key_attr="name",
        noun="report format",
        core_bare=True,
        error=ReportError,
    ),
    "financial_proxies": _Kind(
        hook="vises_register_financial_proxies",
        record=FinancialProxy,
        key_attr="code",
        noun="financial proxy",
        core_bare=False,
        error=ConfigError,
    ),
}


def did_you_mean(name: str, keys: Iterable[str]) -> str:
    """The hint of an unknown-name error: close matches (also ``<plugin>.name``) first, then every key."""
    keys = sorted(keys)
    close = closest(name, keys, n=3)
    close += [key for key in keys if "." in key and key.rsplit(".", 1)[1] == name and key not in close]
    text = "available: " + (", ".join(keys) if keys else "none")
    if close:
        text = f"did you mean {', '.join(repr(k) for k in close)}? " + text
    return text


class Registry(PluginLoader):
    """Everything the plugins (the core included) contribute, by namespaced key.

    Build it with ``Registry.build()`` (or use the cached ``get_registry()``); lookups of unknown
    names raise an error listing the available keys, and a key two plugins both provide raises a
    ``PluginError`` naming both instead of silently picking one.
    """

    def __init__(self, *, strict: bool = False) -> None:
        super().__init__(strict=strict)
        self._records: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
        self._conflicts: dict[str, dict[str, PluginError]] = {kind: {} for kind in _KINDS}
        self._record_owner: dict[str, dict[str, tuple[_Plugin, str]]] = {kind: {} for kind in _KINDS}
        self._suffixes: dict[str, Reader] = {}
        self._suffix_conflicts: dict[str, PluginError] = {}
        self._collected: set[str] = set()
        self._grids: dict[str, Grid] = {}
        self._grids_loading: list[str] = []
        self._lock = threading.RLock()

    # -- collecting -----------------------------------------------------------------------------

    def _call(self, plugin: _Plugin, impl: Any, hook: str, kwargs: Mapping[str, Any]) -> Any:
        if impl.hookwrapper or impl.wrapper:
            raise TypeError("registration hooks cannot be wrappers")
        return impl.function(**{arg: kwargs[arg] for arg in impl.argnames if arg in kwargs})

    def _ensure(self, kind: str) -> None:
        """Call every plugin's registration hook for ``kind`` the first time it is needed.

        Hooks run lazily, one kind at a time, so a command that only needs report formats never
        runs (nor pays the imports of) the grid hooks; unit definitions always come first.
        """
        if kind in self._collected:
            if self._strict_error is not None:
                raise self._strict_error
            return
        with self._lock:
            if kind in self._collected:
                return self._ensure(kind)
            since = len(self._failures)
            if "units" not in self._collected:
                self._collected.add("units")
                for impl in self.pm.hook.vises_register_units.get_hookimpls():
                    self._add_units(self._owner[impl.plugin_name], impl)
            if kind != "units":
                self._collected.add(kind)
                self._collect(kind)
            self._raise_if_strict(since)

    def _ensure_all(self) -> None:
        for kind in ("units", *_KINDS):
            self._ensure(kind)

    def _collect(self, kind: str) -> None:
        spec = _KINDS[kind]
        for impl in getattr(self.pm.hook, spec.hook).get_hookimpls():
            plugin = self._owner[impl.plugin_name]
            try:
                records = list(self._call(plugin, impl, spec.hook, {}) or ())
                bad = [r for r in records if not self._is_record(kind, r)]
                if bad:
                    expected = "Indicator" if spec.record is object else spec.record.__name__
                    raise TypeError(
                        f"expected {expected} records with a non-empty {spec.key_attr}, got "
                        f"{', '.join(sorted({type(r).__name__ for r in bad}))}"
                    )
            except Exception as exc:
                self._fail(plugin, _describe(exc), hook=spec.hook, exception=exc)
                continue
            for record in records:
                self._add(kind, plugin, record, impl.plugin_name)
        if kind == "readers":
            self._index_readers()

    def _is_record(self, kind: str, record: Any) -> bool:
        spec = _KINDS[kind]
        if kind == "indicators":
            from vises.model import Indicator

            ok = isinstance(record, Indicator)
        else:
            ok = isinstance(record, spec.record)
        key = getattr(record, spec.key_attr, None) if ok else None
        return ok and isinstance(key, str) and bool(key.strip())

    def _add_units(self, plugin: _Plugin, impl: Any) -> None:
        from vises import units

        hook = "vises_register_units"
        try:
            lines = list(self._call(plugin, impl, hook, {}) or ())
            if not all(isinstance(line, str) for line in lines):
                raise TypeError("expected pint definition lines (strings)")
        except Exception as exc:
            self._fail(plugin, _describe(exc), hook=hook, exception=exc)
            return
        if not lines:
            return
        units.registry()  # defined now, so a bad line is this plugin's failure, not everyone's later
        for line in lines:
            if (plugin.name, line) in units._extra_definitions:
                continue  # already defined by an earlier build of the registry
            try:
                units.add_definitions([line], source=plugin.name)
            except Exception as exc:
                self._fail(plugin, _describe(exc), hook=hook, exception=exc)

    def _key(self, kind: str, plugin: _Plugin, name: str) -> str:
        if plugin.name == CORE_NAME and _KINDS[kind].core_bare:
            return name
        return f"{plugin.name}.{name}"

    def _add(self, kind: str, plugin: _Plugin, record: Any, source: str) -> None:
        key = self._key(kind, plugin, getattr(record, _KINDS[kind].key_attr))
        if kind != "indicators":
            changes: dict[str, Any] = {"plugin": plugin.name}
            if kind == "weightings" and "." not in record.grid:
                changes["grid"] = f"{plugin.name}.{record.grid}"  # a bare grid code means the plugin's own grid
            record = attrs.evolve(record, **changes)
        table = self._records[kind]
        if key in table or key in self._conflicts[kind]:
            first, first_source = self._record_owner[kind][key]
            error = PluginError(
                f"{_KINDS[kind].noun} {key!r} is provided twice: by {self._who(first, first_source)} "
                f"and by {self._who(plugin, source)}",
                hint=f"uninstall one of them, or disable one with {DISABLE_ENV}",
            )
            if table.pop(key, None) is not None:
                first.provides[kind].remove(key)
            self._conflicts[kind][key] = error
            self._fail(plugin, error.message, hook=_KINDS[kind].hook, exception=error)
            return
        table[key] = record
        plugin.provides.setdefault(kind, []).append(key)
        self._record_owner[kind][key] = (plugin, source)

    @staticmethod
    def _who(plugin: _Plugin, source: str) -> str:
        dist = f"distribution {plugin.distribution} {plugin.version or '?'}" if plugin.distribution else "in-process"
        module = f", module {source}" if plugin.name == CORE_NAME else ""
        return f"plugin {plugin.name!r} ({dist}{module})"

    def _index_readers(self) -> None:
        owners: dict[str, str] = {}
        for key, reader in self._records["readers"].items():
            for suffix in reader.suffixes:
                suffix = suffix.lower()
                if suffix in self._suffix_conflicts or self._suffixes.get(suffix) is reader:
                    continue
                if suffix in self._suffixes:
                    error = PluginError(
                        f"files ending in {suffix!r} are claimed by two readers: {owners[suffix]!r} and {key!r}",
                        hint=f"disable one of the plugins with {DISABLE_ENV}",
                    )
                    del self._suffixes[suffix]
                    self._suffix_conflicts[suffix] = error
                    self._fail(
                        self._record_owner["readers"][key][0],
                        error.message,
                        hook="vises_register_readers",
                        exception=error,
                    )
                    continue
                self._suffixes[suffix] = reader
                owners[suffix] = key

    # -- lookups --------------------------------------------------------------------------------

    def _table(self, kind: str) -> Mapping[str, Any]:
        self._ensure(kind)
        return MappingProxyType(self._records[kind])

    def _lookup(self, kind: str, key: str) -> Any:
        self._ensure(kind)
        if key in self._conflicts[kind]:
            raise self._conflicts[kind][key]
        try:
            return self._records[kind][key]
        except KeyError:
            spec = _KINDS[kind]
            raise spec.error(f"unknown {spec.noun} {key!r}", hint=did_you_mean(key, self._records[kind])) from None

    def normaliser(self, name: str) -> NormaliserSpec:
        return cast("NormaliserSpec", self._lookup("normalisers", name))

    @property
    def normalisers(self) -> Mapping[str, NormaliserSpec]:
        return self._table("normalisers")

    def aggregator(self, name: str) -> AggregatorSpec:
        return cast("AggregatorSpec", self._lookup("aggregators", name))

    @property
    def aggregators(self) -> Mapping[str, AggregatorSpec]:
        return self._table("aggregators")

    def treatment(self, name: str) -> TreatmentSpec:
        return cast("TreatmentSpec", self._lookup("treatments", name))

    @property
    def treatments(self) -> Mapping[str, TreatmentSpec]:
        return self._table("treatments")

    def imputer(self, name: str) -> ImputerSpec:
        return cast("ImputerSpec", self._lookup("imputers", name))

    @property
    def imputers(self) -> Mapping[str, ImputerSpec]:
        return self._table("imputers")

    def indicator(self, key: str) -> Indicator:
        return cast("Indicator", self._lookup("indicators", key))

    @property
    def indicators(self) -> Mapping[str, Indicator]:
        return self._table("indicators")

    def weighting(self, key: str) -> Weighting:
        return cast("Weighting", self._lookup("weightings", key))

    @property
    def weightings(self) -> Mapping[str, Weighting]:
        return self._table("weightings")

    @property
    def readers(self) -> Mapping[str, Reader]:
        return self._table("readers")

    def reader_for(self, path: os.PathLike[str] | str) -> Reader:
        """The reader whose suffix matches the end of the file name (the longest match wins)."""
        self._ensure("readers")
        name = Path(path).name.lower()
        matches = [s for s in (*self._suffixes, *self._suffix_conflicts) if name.endswith(s)]
        if not matches:
            known = ", ".join(sorted(self._suffixes)) or "none"
            raise DataError(
                "no reader for this kind of file",
                file=str(path),
                hint=f"known file types: {known} (a plugin can add more with vises_register_readers)",
            )
        best = max(matches, key=len)
        if best in self._suffix_conflicts:
            raise self._suffix_conflicts[best]
        return self._suffixes[best]

    def report_format(self, name: str) -> ReportFormat:
        return cast("ReportFormat", self._lookup("report_formats", name))

    @property
    def report_formats(self) -> Mapping[str, ReportFormat]:
        return self._table("report_formats")

    @property
    def financial_proxies(self) -> Mapping[str, FinancialProxy]:
        return self._table("financial_proxies")

    def financial_proxy(self, key: str) -> FinancialProxy:
        return cast("FinancialProxy", self._lookup("financial_proxies", key))

    @property
    def grid_sources(self) -> Mapping[str, GridSource]:
        return self._table("grids")

    def grid(self, code: str) -> Grid:
        """The grid registered as ``code`` (loaded from its file once, then cached)."""
        with self._lock:
            if code in self._grids:
                return self._grids[code]
            source: GridSource = self._lookup("grids", code)
            if code in self._grids_loading:
                chain = " -> ".join([*self._grids_loading, code])
                raise ConfigError(f"grids extend each other in a circle: {chain}", plugin=source.plugin)
            self._grids_loading.append(code)
            try:
                grid = self._load_grid(code, source)
            finally:
                self._grids_loading.remove(code)
            self._grids[code] = grid
            return grid

    def _load_grid(self, code: str, source: GridSource) -> Grid:
        if source.grid is not None:
            grid = source.grid
        elif source.path is not None:
            from vises.io.grid_files import read_grid

            try:
                grid = read_grid(source.path, resolve=self.resolve)
            except VisesError as exc:
                raise exc.with_context(plugin=source.plugin) from exc
        else:
            raise PluginError(
                f"grid {code!r} has neither a grid nor a path",
                plugin=source.plugin,
                hint="give GridSource(grid=...) or GridSource(path=...)",
            )
        return attrs.evolve(grid, code=code, plugin=source.plugin)

    def resolve(self, kind: str, key: str) -> Grid | Indicator:
        """Resolve an ``extends = "<grid>"`` or ``use = "<indicator>"`` reference of a grid file."""
        if kind == "grid":
            return self.grid(key)
        if kind == "indicator":
            return self.indicator(key)
        raise ConfigError(f"cannot resolve a reference of kind {kind!r}", hint="kinds are 'grid' and 'indicator'")

    # -- plugins --------------------------------------------------------------------------------

    @property
    def plugins(self) -> list[PluginInfo]:
        self._ensure_all()
        return [plugin.info() for plugin in self._plugins.values()]

    def plugin(self, name: str) -> PluginInfo:
        self._ensure_all()
        if name not in self._plugins:
            raise PluginError(f"unknown plugin {name!r}", hint=did_you_mean(name, self._plugins))
        return self._plugins[name].info()

    @property
    def failures(self) -> list[PluginFailure]:
        self._ensure_all()
        return list(self._failures)

    def provenance(self) -> dict[str, str]:
        """Plugin name -> version of every plugin that contributed, for the record in results."""
        versions: dict[str, list[str]] = {}
        for plugin in self._plugins.values():
            if plugin.objects and plugin.status != "disabled":
                versions.setdefault(plugin.name, []).append(plugin.version or "in-process")
        return {name: ", ".join(found) for name, found in versions.items()}

    def register_commands(self, cli: Any) -> list[PluginFailure]:
        """Let every plugin add sub-commands to the click group ``cli``; returns the new failures.

        A plugin may not replace a command that is already there (the core's or another plugin's):
        that is refused and recorded, since click would otherwise silently override it.
        """
        hook = "vises_register_commands"
        before = len(self._failures)
        for impl in self.pm.hook.vises_register_commands.get_hookimpls():
            plugin = self._owner[impl.plugin_name]
            existing = dict(cli.commands)
            try:
                self._call(plugin, impl, hook, {"cli": cli})
            except Exception as exc:
                self._fail(plugin, _describe(exc), hook=hook, exception=exc)
            for name, command in existing.items():
                if cli.commands.get(name) is not command:
                    cli.commands[name] = command
                    self._fail(plugin, f"command {name!r} already exists and cannot be replaced", hook=hook)
            added = sorted(set(cli.commands) - set(existing))
            if added:
                plugin.provides.setdefault("commands", []).extend(added)
        new = self._failures[before:]
        if self.strict and new:
            raise PluginError(
                "; ".join(failure.message for failure in new), hint=f"unset {STRICT_ENV} to continue without it"
            )
        return new
