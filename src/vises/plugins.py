"""Loading plugins one at a time, attributing every contribution, and the cached registry.

pluggy alone calls every implementation of a hook in one go, so one broken plugin would hide the
others and an exception would not say whose it is. Here each entry point is imported on its own,
and the registry calls each plugin's implementation of each registration hook itself: every record
is attributed to (and namespaced by) its plugin, and every failure names the plugin, its
distribution and version. A failure is a warning and the rest keeps working, unless
``VISES_STRICT_PLUGINS=1``. Nothing is loaded until ``get_registry()`` is first called.
"""

from __future__ import annotations

import difflib
import importlib
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from . import hookspecs
from .errors import ConfigError, DataError, MethodError, PluginError, ReportError, VisesError
from .records import AggregatorSpec, FinancialProxy, GridSource, NormaliserSpec, Reader, ReportFormat, Weighting

if TYPE_CHECKING:  # pragma: no cover
    from .model import Grid, Indicator

#: Modules of vises itself that implement hooks; they all count as the plugin ``vises``.
CORE_PLUGINS = (
    "vises.normalise",
    "vises.aggregate",
    "vises.io.hooks",
    "vises.io.xlsx_data",
    "vises.grids",
    "vises.report.hooks",
    "vises.report.xlsx",
    "vises.sroi.hooks",
    "vises.templates",
)
CORE_NAME = hookspecs.PROJECT_NAME
ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
STRICT_ENV = "VISES_STRICT_PLUGINS"
DISABLE_ENV = "VISES_DISABLE_PLUGINS"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class VisesPluginWarning(UserWarning):
    """A plugin failed to load or raised in a hook; the rest of vises keeps working."""


@attrs.frozen(kw_only=True)
class PluginFailure:
    """One thing a plugin got wrong: an import error, an exception in a hook, a conflict."""

    plugin: str
    distribution: str | None = None
    version: str | None = None
    hook: str | None = None
    error: str
    exception: BaseException | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def message(self) -> str:
        where = f"plugin {self.plugin!r}"
        if self.distribution:
            where += f" (distribution {self.distribution} {self.version or '?'})"
        if self.hook:
            where += f", hook {self.hook}"
        return f"{where}: {self.error}"

    def __str__(self) -> str:
        return self.message


@attrs.frozen(kw_only=True)
class PluginInfo:
    """What ``vises plugins`` shows about one plugin."""

    name: str
    distribution: str | None = None
    version: str | None = None
    modules: tuple[str, ...] = ()
    hooks: tuple[str, ...] = ()
    #: Keys contributed per kind (``{"grids": ("wallonie.cisp",)}``).
    provides: dict[str, tuple[str, ...]] = attrs.field(factory=dict)
    status: str = "ok"  #: "ok", "failed" (something went wrong, see ``error``) or "disabled"
    error: str | None = None


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
    "indicators": _Kind(hook="vises_register_indicators", record=object, key_attr="code", noun="indicator", core_bare=False, error=ConfigError),
    "grids": _Kind(hook="vises_register_grids", record=GridSource, key_attr="code", noun="grid", core_bare=False, error=ConfigError),
    "weightings": _Kind(hook="vises_register_weightings", record=Weighting, key_attr="code", noun="weighting", core_bare=False, error=ConfigError),
    "normalisers": _Kind(hook="vises_register_normalisers", record=NormaliserSpec, key_attr="name", noun="normaliser", core_bare=True, error=MethodError),
    "aggregators": _Kind(hook="vises_register_aggregators", record=AggregatorSpec, key_attr="name", noun="aggregator", core_bare=True, error=MethodError),
    "readers": _Kind(hook="vises_register_readers", record=Reader, key_attr="name", noun="reader", core_bare=True, error=DataError),
    "report_formats": _Kind(hook="vises_register_report_formats", record=ReportFormat, key_attr="name", noun="report format", core_bare=True, error=ReportError),
    "financial_proxies": _Kind(hook="vises_register_financial_proxies", record=FinancialProxy, key_attr="code", noun="financial proxy", core_bare=False, error=ConfigError),
}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str) -> frozenset[str]:
    return frozenset(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, VisesError) else f"{type(exc).__name__}: {exc}"


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this module."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
        level += 1
    return level


def _did_you_mean(name: str, keys: Iterable[str]) -> str:
    keys = sorted(keys)
    close = difflib.get_close_matches(name, keys, n=3, cutoff=0.6)
    close += [key for key in keys if "." in key and key.rsplit(".", 1)[1] == name and key not in close]
    text = "available: " + (", ".join(keys) if keys else "none")
    if close:
        text = f"did you mean {', '.join(repr(k) for k in close)}? " + text
    return text


@attrs.define
class _Plugin:
    """Mutable bookkeeping for one plugin while the registry is built."""

    name: str
    distribution: str | None
    version: str | None
    ident: str = ""  # unique among plugins: the name, or name@distribution for a second one
    objects: list[tuple[str, Any]] = attrs.field(factory=list)  # (pluggy name, module/object)
    hooks: set[str] = attrs.field(factory=set)
    provides: dict[str, list[str]] = attrs.field(factory=dict)
    errors: list[str] = attrs.field(factory=list)
    status: str = "ok"

    def info(self) -> PluginInfo:
        return PluginInfo(
            name=self.name,
            distribution=self.distribution,
            version=self.version,
            modules=tuple(module for module, _ in self.objects),
            hooks=tuple(sorted(self.hooks)),
            provides={kind: tuple(keys) for kind, keys in self.provides.items() if keys},
            status=self.status,
            error="; ".join(self.errors) or None,
        )


class Registry:
    """Everything the plugins (the core included) contribute, by namespaced key.

    Build it with ``Registry.build()`` (or use the cached ``get_registry()``); lookups of unknown
    names raise an error listing the available keys, and a key two plugins both provide raises a
    ``PluginError`` naming both instead of silently picking one.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.strict = strict
        self._plugins: dict[str, _Plugin] = {}
        self._owner: dict[str, _Plugin] = {}  # pluggy plugin name -> plugin
        self._failures: list[PluginFailure] = []
        self._records: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
        self._conflicts: dict[str, dict[str, PluginError]] = {kind: {} for kind in _KINDS}
        self._record_owner: dict[str, dict[str, tuple[_Plugin, str]]] = {kind: {} for kind in _KINDS}
        self._suffixes: dict[str, Reader] = {}
        self._suffix_conflicts: dict[str, PluginError] = {}
        self._collected: set[str] = set()
        self._strict_error: PluginError | None = None
        self._grids: dict[str, Grid] = {}
        self._grids_loading: list[str] = []
        self._lock = threading.RLock()

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        extra_plugins: Mapping[str, Any] | None = None,
        *,
        entry_points: bool = True,
        core: bool = True,
        strict: bool | None = None,
        disabled: Iterable[str] | None = None,
    ) -> Registry:
        """Load the core, the installed entry points and ``extra_plugins`` (name -> module/object).

        ``strict`` and ``disabled`` default to ``VISES_STRICT_PLUGINS`` / ``VISES_DISABLE_PLUGINS``.
        In strict mode every failure is collected and raised at the end as one ``PluginError``.
        """
        registry = cls(strict=_env_flag(STRICT_ENV) if strict is None else strict)
        skip = _env_list(DISABLE_ENV) if disabled is None else frozenset(disabled)
        if core:
            registry._load_core()
        if entry_points:
            registry._load_entry_points(skip)
        for name, obj in (extra_plugins or {}).items():
            if name in skip:
                registry._plugins.setdefault(name, _Plugin(name, None, None, status="disabled"))
                continue
            plugin = registry._new_plugin(name, None, None)
            if plugin is not None:
                registry._register(plugin, plugin.ident, obj)
        registry._check_pending()
        registry._raise_if_strict(0)
        return registry

    def _raise_if_strict(self, since: int) -> None:
        new = self._failures[since:]
        if self.strict and new:
            lines = "\n".join(f"  - {failure.message}" for failure in new)
            self._strict_error = PluginError(
                f"{len(new)} plugin failure(s) in strict mode:\n{lines}",
                hint=f"fix or uninstall the plugin, or unset {STRICT_ENV}",
            )
            raise self._strict_error

    def _fail(self, plugin: _Plugin, error: str, *, hook: str | None = None, exception: BaseException | None = None) -> None:
        failure = PluginFailure(
            plugin=plugin.name, distribution=plugin.distribution, version=plugin.version, hook=hook, error=error, exception=exception
        )
        self._failures.append(failure)
        plugin.errors.append(error if hook is None else f"{hook}: {error}")
        plugin.status = "failed"
        if not self.strict:
            warnings.warn(failure.message, VisesPluginWarning, stacklevel=_caller_level())

    def _new_plugin(self, name: str, distribution: str | None, version: str | None) -> _Plugin | None:
        """Book a plugin under ``name``; a second distribution using the same name is allowed to load,
        and every key both provide becomes a conflict (see ``_add``)."""
        plugin = _Plugin(name, distribution, version)
        ident = name if name not in self._plugins else f"{name}@{distribution or 'in-process'}"
        if ident in self._plugins:
            self._plugins[f"{ident}#{len(self._plugins)}"] = plugin
            self._fail(plugin, f"plugin {name!r} of {distribution or '(in-process)'} is registered twice")
            return None
        plugin.ident = ident
        self._plugins[ident] = plugin
        if name != CORE_NAME and not _NAME_RE.match(name):
            self._fail(plugin, f"plugin name {name!r} must be lower case letters, digits and '_' (it prefixes every key)")
            return None
        return plugin

    def _register(self, plugin: _Plugin, pluggy_name: str, obj: Any) -> None:
        try:
            self.pm.register(obj, name=pluggy_name)
        except Exception as exc:  # pluggy refuses duplicates and malformed hookimpls
            self._fail(plugin, f"cannot register {pluggy_name!r}: {_describe(exc)}", exception=exc)
            return
        plugin.objects.append((pluggy_name, obj))
        self._owner[pluggy_name] = plugin
        for caller in self.pm.get_hookcallers(obj) or ():
            plugin.hooks.add(caller.name)

    def _load_core(self) -> None:
        from . import __version__

        plugin = self._new_plugin(CORE_NAME, CORE_NAME, __version__)
        assert plugin is not None
        for module_name in CORE_PLUGINS:
            try:
                module = importlib.import_module(module_name)
            except Exception as exc:
                self._fail(plugin, f"core module {module_name} cannot be imported: {_describe(exc)}", exception=exc)
                continue
            self._register(plugin, module_name, module)

    def _load_entry_points(self, skip: frozenset[str]) -> None:
        from importlib.metadata import entry_points

        for ep in entry_points(group=ENTRY_POINT_GROUP):
            dist = getattr(ep, "dist", None)
            dist_name = dist.metadata["Name"] if dist is not None else None
            version = dist.version if dist is not None else None
            if ep.name in skip:
                self._plugins.setdefault(ep.name, _Plugin(ep.name, dist_name, version, status="disabled"))
                continue
            if ep.name == CORE_NAME:
                rogue = _Plugin(ep.name, dist_name, version)
                self._plugins[f"{ep.name} ({dist_name})"] = rogue
                self._fail(rogue, f"the plugin name {CORE_NAME!r} is reserved for vises itself; rename the entry point")
                continue
            plugin = self._new_plugin(ep.name, dist_name, version)
            if plugin is None:
                continue
            try:
                obj = ep.load()
            except BaseException as exc:  # a plugin may even call sys.exit() at import
                if isinstance(exc, KeyboardInterrupt):
                    raise
                self._fail(plugin, f"cannot import {ep.value}: {_describe(exc)}", exception=exc)
                continue
            self._register(plugin, plugin.ident, obj)

    def _check_pending(self) -> None:
        """Report every hookimpl without a hookspec (a misspelt hook name), not only the first."""
        known = [name for name in dir(hookspecs) if name.startswith("vises_")]
        for name in sorted(vars(self.pm.hook)):
            caller = getattr(self.pm.hook, name)
            if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                plugin = self._owner[impl.plugin_name]
                plugin.hooks.discard(name)
                close = difflib.get_close_matches(name, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self._fail(plugin, f"unknown hook {name!r}{hint}", hook=name)

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
                    raise TypeError(f"expected {expected} records with a non-empty {spec.key_attr}, got {', '.join(sorted({type(r).__name__ for r in bad}))}")
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
            from .model import Indicator

            ok = isinstance(record, Indicator)
        else:
            ok = isinstance(record, spec.record)
        key = getattr(record, spec.key_attr, None) if ok else None
        return ok and isinstance(key, str) and bool(key.strip())

    def _add_units(self, plugin: _Plugin, impl: Any) -> None:
        from . import units

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
                    self._fail(self._record_owner["readers"][key][0], error.message, hook="vises_register_readers", exception=error)
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
            raise spec.error(f"unknown {spec.noun} {key!r}", hint=_did_you_mean(key, self._records[kind])) from None

    def normaliser(self, name: str) -> NormaliserSpec:
        return self._lookup("normalisers", name)

    @property
    def normalisers(self) -> Mapping[str, NormaliserSpec]:
        return self._table("normalisers")

    def aggregator(self, name: str) -> AggregatorSpec:
        return self._lookup("aggregators", name)

    @property
    def aggregators(self) -> Mapping[str, AggregatorSpec]:
        return self._table("aggregators")

    def indicator(self, key: str) -> Indicator:
        return self._lookup("indicators", key)

    @property
    def indicators(self) -> Mapping[str, Indicator]:
        return self._table("indicators")

    def weighting(self, key: str) -> Weighting:
        return self._lookup("weightings", key)

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
        return self._lookup("report_formats", name)

    @property
    def report_formats(self) -> Mapping[str, ReportFormat]:
        return self._table("report_formats")

    @property
    def financial_proxies(self) -> Mapping[str, FinancialProxy]:
        return self._table("financial_proxies")

    def financial_proxy(self, key: str) -> FinancialProxy:
        return self._lookup("financial_proxies", key)

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
            from .io.grid_files import read_grid

            try:
                grid = read_grid(source.path, resolve=self.resolve)
            except VisesError as exc:
                raise exc.with_context(plugin=source.plugin) from exc
        else:
            raise PluginError(f"grid {code!r} has neither a grid nor a path", plugin=source.plugin, hint="give GridSource(grid=...) or GridSource(path=...)")
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
            raise PluginError(f"unknown plugin {name!r}", hint=_did_you_mean(name, self._plugins))
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
            raise PluginError("; ".join(failure.message for failure in new), hint=f"unset {STRICT_ENV} to continue without it")
        return new


_registry: Registry | None = None
_registry_lock = threading.Lock()
_extra_plugins: dict[str, Any] = {}


def get_registry() -> Registry:
    """The registry of the core and every installed plugin, built on first use and cached."""
    global _registry
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                _registry = Registry.build(extra_plugins=dict(_extra_plugins))
    return _registry


def reset_registry() -> None:
    """Forget the cached registry (tests, or after changing the environment or plugins)."""
    global _registry
    with _registry_lock:
        _registry = None


def register_plugin(obj: Any, *, name: str) -> None:
    """Add an in-process plugin (a module or any object with hookimpls) to the cached registry.

    The registry is rebuilt on next use, so the plugin's records appear under ``<name>.<key>``.
    """
    if name in _extra_plugins and _extra_plugins[name] is not obj:
        raise PluginError(f"an in-process plugin named {name!r} is already registered", hint="unregister it first or pick another name")
    _extra_plugins[name] = obj
    reset_registry()


def unregister_plugin(name: str) -> None:
    """Remove an in-process plugin added with ``register_plugin``."""
    if _extra_plugins.pop(name, None) is None:
        raise PluginError(f"no in-process plugin named {name!r}", hint=_did_you_mean(name, _extra_plugins))
    reset_registry()


def hook_names() -> list[str]:
    """Every hook a plugin can implement, in the order ``hookspecs`` declares them."""
    return [name for name in vars(hookspecs) if name.startswith("vises_") and callable(getattr(hookspecs, name))]
