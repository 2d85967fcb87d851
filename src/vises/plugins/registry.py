"""What the plugins contribute: one typed catalogue per kind, namespaced, conflicts refused, guarded.

``Registry`` composes a ``PluginLoader`` (which plugins there are, their failures) with one
``Catalogue`` per kind of contribution: ``registry.normalisers["minmax"]``,
``registry.report_formats["csv"]``, ``registry.weightings["wallonie.resultats_d_abord"]``. Nothing is
imported when the registry is built; the first lookup of any kind imports the plugins, and each
kind's registration hook runs the first time that kind is looked up. vises calls every plugin's
implementation itself, so every record and every exception is attributed to its plugin, and every
key is ``<plugin>.<key>`` (the core's methods, readers and formats keep bare names). A key two
plugins both provide is never resolved by picking one: looking it up raises a ``PluginError``
naming both. Records from plugins are handed out with their code wrapped in its contract
(``vises.plugins.guard``). Unit lines are collected with the first kind and given to
``vises.units``, which builds pint only when a unit is first parsed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

import attrs

from vises.errors import ConfigError, DataError, PluginError, VisesError, unknown_name_hint
from vises.plugins import catalogue as kinds
from vises.plugins.catalogue import Catalogue, Kind, Shelf
from vises.plugins.guard import Culprit, describe_escape, guarded, not_callable
from vises.plugins.loading import CORE_NAME, DISABLE_ENV, STRICT_ENV, PluginFailure, PluginInfo, PluginLoader, _Plugin

if TYPE_CHECKING:  # pragma: no cover
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
    from vises.model import Grid, Indicator
    from vises.units import DefinitionProblem

T = TypeVar("T")

_UNITS_HOOK = "vises_register_units"


class Registry:
    """Everything the plugins (the core included) contribute, one read-only catalogue per kind.

    Build it with ``Registry.build()`` (or use the cached ``get_registry()``). Each catalogue is a
    ``Mapping`` from key to record: an unknown key raises the kind's error with a did-you-mean hint,
    a key two plugins both provide raises a ``PluginError`` naming both. ``grid(code)`` loads a
    registered grid (once), ``reader_for(path)`` picks a reader by file suffix.
    """

    indicators: Catalogue[Indicator]
    grid_sources: Catalogue[GridSource]
    weightings: Catalogue[Weighting]
    normalisers: Catalogue[NormaliserSpec]
    aggregators: Catalogue[AggregatorSpec]
    treatments: Catalogue[TreatmentSpec]
    imputers: Catalogue[ImputerSpec]
    readers: Catalogue[Reader]
    report_formats: Catalogue[ReportFormat]
    financial_proxies: Catalogue[FinancialProxy]

    def __init__(self, loader: PluginLoader) -> None:
        self._loader = loader
        self._shelves: dict[str, Shelf[Any]] = {kind.name: Shelf() for kind in kinds.KINDS}
        self._record_owner: dict[str, dict[str, tuple[_Plugin, str]]] = {kind.name: {} for kind in kinds.KINDS}
        self._collected: set[str] = set()
        self._unit_lines = 0
        self._suffixes: dict[str, Reader] = {}
        self._suffix_conflicts: dict[str, PluginError] = {}
        self._grids: dict[str, Grid] = {}
        self._grids_loading: list[str] = []
        self._lock = threading.RLock()
        self.indicators = self._catalogue(kinds.INDICATORS)
        self.grid_sources = self._catalogue(kinds.GRIDS)
        self.weightings = self._catalogue(kinds.WEIGHTINGS)
        self.normalisers = self._catalogue(kinds.NORMALISERS)
        self.aggregators = self._catalogue(kinds.AGGREGATORS)
        self.treatments = self._catalogue(kinds.TREATMENTS)
        self.imputers = self._catalogue(kinds.IMPUTERS)
        self.readers = self._catalogue(kinds.READERS)
        self.report_formats = self._catalogue(kinds.REPORT_FORMATS)
        self.financial_proxies = self._catalogue(kinds.FINANCIAL_PROXIES)

    @classmethod
    def build(
        cls,
        extra_plugins: Mapping[str, Any] | None = None,
        *,
        entry_points: bool = True,
        core: bool = True,
        strict: bool | None = None,
        disabled: Iterable[str] | None = None,
    ) -> Self:
        """A registry of the core, the installed entry points and ``extra_plugins`` (name -> module/object).

        Only metadata is read here; plugins are imported on the first lookup. ``strict`` and
        ``disabled`` default to ``VISES_STRICT_PLUGINS`` / ``VISES_DISABLE_PLUGINS``.
        """
        loader = PluginLoader.build(
            extra_plugins, entry_points=entry_points, core=core, strict=strict, disabled=disabled
        )
        return cls(loader)

    @property
    def strict(self) -> bool:
        return self._loader.strict

    def _catalogue(self, kind: Kind[T]) -> Catalogue[T]:
        def shelf() -> Shelf[T]:
            self._ensure(kind.name)
            found: Shelf[T] = self._shelves[kind.name]
            return found

        return Catalogue(kind, shelf)

    # -- collecting -----------------------------------------------------------------------------

    def _ensure(self, kind: str) -> None:
        """Load the plugins, then run every plugin's registration hook for ``kind``, the first time.

        Unit lines are collected with the first kind (stored, not defined: pint is built when a
        unit is first parsed). In strict mode a failure raises, and keeps raising.
        """
        if kind in self._collected:
            self._loader.raise_strict()
            return
        with self._lock:
            if kind in self._collected:
                return self._ensure(kind)
            self._loader.load()
            since = self._loader.failure_count
            if "units" not in self._collected:
                self._collected.add("units")
                for impl in self._loader.pm.hook.vises_register_units.get_hookimpls():
                    self._add_units(self._loader.owner(impl.plugin_name), impl)
            if kind != "units":
                self._collected.add(kind)
                self._collect(KIND_BY_NAME[kind])
            self._loader.raise_if_strict(since)

    def _ensure_all(self) -> None:
        """Every kind collected, and pint built if plugins gave unit lines, so every failure is known."""
        for kind in ("units", *KIND_BY_NAME):
            self._ensure(kind)
        if self._unit_lines:
            from vises import units

            since = self._loader.failure_count
            units.registry()
            self._loader.raise_if_strict(since)

    @staticmethod
    def _call(impl: Any, kwargs: Mapping[str, Any]) -> Any:
        if impl.hookwrapper or impl.wrapper:
            raise TypeError("registration hooks cannot be wrappers")
        return impl.function(**{arg: kwargs[arg] for arg in impl.argnames if arg in kwargs})

    def _run_hook(self, plugin: _Plugin, impl: Any, hook: str, kwargs: Mapping[str, Any]) -> tuple[bool, Any]:
        """Call one plugin's hook; ``(False, None)`` when it failed (recorded). Ctrl-C passes through."""
        try:
            result = self._call(impl, kwargs)
            if hook != "vises_register_commands":
                result = list(result or ())  # a generator runs here, inside the containment
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit and GeneratorExit too: a hook must not end the program
            self._loader.fail(plugin, describe_escape(exc), hook=hook, exception=exc)
            return False, None
        return True, result

    def _collect(self, kind: Kind[Any]) -> None:
        record_class = kind.record_class
        for impl in getattr(self._loader.pm.hook, kind.hook).get_hookimpls():
            plugin = self._loader.owner(impl.plugin_name)
            ok, records = self._run_hook(plugin, impl, kind.hook, {})
            if not ok:
                continue
            for record in records:
                try:
                    problem = self._record_problem(kind, record_class, record)
                    if problem is None:
                        self._add(kind, plugin, record, impl.plugin_name)
                except KeyboardInterrupt:
                    raise
                except BaseException as exc:  # a record of an odd subclass can fail in its own ways
                    problem = f"a {kind.noun} record could not be registered: {describe_escape(exc)}"
                if problem is not None:
                    self._loader.fail(plugin, problem, hook=kind.hook)
        if kind is kinds.READERS:
            self._index_readers()

    @staticmethod
    def _record_problem(kind: Kind[Any], record_class: type, record: Any) -> str | None:
        """Why ``record`` cannot be registered as a ``kind`` (``None`` when it can)."""
        key = getattr(record, kind.key_attr, None) if isinstance(record, record_class) else None
        if not isinstance(key, str) or not key.strip():
            what = type(record).__name__ if not isinstance(record, record_class) else f"{kind.key_attr} {key!r}"
            return f"expected {record_class.__name__} records with a non-empty {kind.key_attr}, got {what}"
        problems = not_callable(record)
        if kind is kinds.READERS:
            suffixes = record.suffixes
            if isinstance(suffixes, str) or not all(
                isinstance(s, str) and s.startswith(".") and len(s) > 1 for s in suffixes
            ):
                problems.append(f"suffixes must be a tuple of file suffixes like ('.ods',), got {suffixes!r}")
        if kind is kinds.REPORT_FORMATS and not (
            isinstance(record.suffix, str) and record.suffix.startswith(".") and len(record.suffix) > 1
        ):
            problems.append(f"suffix must be a file suffix like '.md', got {record.suffix!r}")
        if problems:
            return f"{kind.noun} {key!r}: " + "; ".join(problems)
        return None

    def _add_units(self, plugin: _Plugin, impl: Any) -> None:
        from vises import units

        ok, lines = self._run_hook(plugin, impl, _UNITS_HOOK, {})
        if not ok:
            return
        if not all(isinstance(line, str) for line in lines):
            self._loader.fail(plugin, "expected pint definition lines (strings)", hook=_UNITS_HOOK)
            return
        if not lines:
            return
        self._unit_lines += len(lines)

        def refused(problem: DefinitionProblem) -> None:
            owner = problem.owner
            if owner is not None and owner not in (plugin.name, units.CORE_SOURCE):
                other = self._loader.plugin_named(owner)
                if other is not None:
                    problem = problem._replace(reason=problem.reason.replace(f"plugin {owner!r}", other.who))
            names = units.defined_names(problem.line)
            if names and plugin.provides.get("units"):
                plugin.provides["units"] = [name for name in plugin.provides["units"] if name != names[0]]
            error = PluginError(problem.message, plugin=plugin.name, hint="define units under new names")
            self._loader.fail(plugin, problem.message, hook=_UNITS_HOOK, exception=error)
            if self.strict:  # raised here too when pint is being built, long after collection
                self._loader.raise_if_strict(self._loader.failure_count - 1)

        for line in lines:
            names = units.defined_names(line)
            before = self._loader.failure_count
            units.add_definitions([line], source=plugin.name, on_problem=refused)
            if names and self._loader.failure_count == before:
                plugin.provides.setdefault("units", []).append(names[0])

    def _key(self, kind: Kind[Any], plugin: _Plugin, name: str) -> str:
        if plugin.name == CORE_NAME and kind.core_bare:
            return name
        return f"{plugin.name}.{name}"

    def _add(self, kind: Kind[Any], plugin: _Plugin, record: Any, source: str) -> None:
        key = self._key(kind, plugin, getattr(record, kind.key_attr))
        if kind is not kinds.INDICATORS:
            changes: dict[str, Any] = {"plugin": plugin.name}
            if kind is kinds.WEIGHTINGS and "." not in record.grid:
                changes["grid"] = f"{plugin.name}.{record.grid}"  # a bare grid code means the plugin's own grid
            record = attrs.evolve(record, **changes)
            if plugin.name != CORE_NAME:
                culprit = Culprit(
                    plugin=plugin.name,
                    distribution=plugin.distribution,
                    version=plugin.version,
                    contribution=f"{kind.noun} {key!r}",
                )
                record = guarded(record, culprit)
        shelf = self._shelves[kind.name]
        owners = self._record_owner[kind.name]
        if key in shelf.records or key in shelf.conflicts:
            first, first_source = owners[key]
            error = PluginError(
                f"{kind.noun} {key!r} is provided twice: by {self._who(first, first_source)} "
                f"and by {self._who(plugin, source)}",
                hint=f"uninstall one of them, or disable one with {DISABLE_ENV}",
            )
            if shelf.records.pop(key, None) is not None:
                first.provides[kind.name].remove(key)
            shelf.conflicts[key] = error
            self._loader.fail(plugin, error.message, hook=kind.hook, exception=error)
            return
        shelf.records[key] = record
        plugin.provides.setdefault(kind.name, []).append(key)
        owners[key] = (plugin, source)

    @staticmethod
    def _who(plugin: _Plugin, source: str) -> str:
        module = f", module {source}" if plugin.name == CORE_NAME else ""
        return plugin.who[:-1] + f"{module})" if module else plugin.who

    def _index_readers(self) -> None:
        owners: dict[str, str] = {}
        for key, reader in self._shelves["readers"].records.items():
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
                    self._loader.fail(
                        self._record_owner["readers"][key][0], error.message, hook=kinds.READERS.hook, exception=error
                    )
                    continue
                self._suffixes[suffix] = reader
                owners[suffix] = key

    # -- lookups that are more than a key ---------------------------------------------------------

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

    def grid(self, code: str) -> Grid:
        """The grid registered as ``code`` (loaded from its file once, then cached)."""
        with self._lock:
            if code in self._grids:
                return self._grids[code]
            source = self.grid_sources[code]
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
        from vises.model import Grid

        if source.grid is not None:
            if not isinstance(source.grid, Grid):
                raise PluginError(
                    f"grid {code!r}: GridSource.grid is {type(source.grid).__name__}, not a vises Grid",
                    plugin=source.plugin,
                    hint="give GridSource(grid=Grid(...)) or GridSource(path=...)",
                )
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
            return self.indicators[key]
        raise ConfigError(f"cannot resolve a reference of kind {kind!r}", hint="kinds are 'grid' and 'indicator'")

    # -- plugins --------------------------------------------------------------------------------

    @property
    def plugins(self) -> list[PluginInfo]:
        """Every plugin with its status and what it provides (imports and collects everything)."""
        self._ensure_all()
        return [plugin.info() for plugin in self._loader.booked]

    def plugin(self, name: str) -> PluginInfo:
        self._ensure_all()
        found = self._loader.plugin_named(name)
        if found is None:
            raise PluginError(
                f"unknown plugin {name!r}", hint=unknown_name_hint(name, (p.ident for p in self._loader.booked))
            )
        return found.info()

    @property
    def failures(self) -> list[PluginFailure]:
        """Every failure so far, after collecting every kind (and defining plugin units)."""
        self._ensure_all()
        return self._loader.failures

    def provenance(self) -> dict[str, str]:
        """Plugin name -> version of every plugin that is loaded, for the record in results."""
        self._loader.load()
        versions: dict[str, list[str]] = {}
        for plugin in self._loader.booked:
            if plugin.objects and plugin.status != "disabled":
                versions.setdefault(plugin.name, []).append(plugin.version or "in-process")
        return {name: ", ".join(found) for name, found in versions.items()}

    def register_commands(self, cli: Any) -> list[PluginFailure]:
        """Let every plugin add sub-commands to the click group ``cli``; returns the new failures.

        A plugin may not replace a command that is already there (the core's or another plugin's):
        that is refused and recorded, since click would otherwise silently override it. A hook that
        raises, even ``SystemExit``, is a failure of that plugin; the others still register.
        """
        hook = "vises_register_commands"
        self._loader.load()
        before = self._loader.failure_count
        for impl in self._loader.pm.hook.vises_register_commands.get_hookimpls():
            plugin = self._loader.owner(impl.plugin_name)
            existing = dict(cli.commands)
            self._run_hook(plugin, impl, hook, {"cli": cli})
            for name, command in existing.items():
                if cli.commands.get(name) is not command:
                    cli.commands[name] = command
                    self._loader.fail(plugin, f"command {name!r} already exists and cannot be replaced", hook=hook)
            added = sorted(set(cli.commands) - set(existing))
            if added:
                plugin.provides.setdefault("commands", []).extend(added)
        new = self._loader.failures_since(before)
        if self.strict and new:
            raise PluginError(
                "; ".join(failure.message for failure in new), hint=f"unset {STRICT_ENV} to continue without it"
            )
        return new

    def catalogue(self, kind: str) -> Catalogue[Any]:
        """The catalogue of a kind by its name (``"normalisers"``), for tools that list every kind."""
        if kind not in KIND_BY_NAME:
            raise ConfigError(f"unknown kind of contribution {kind!r}", hint=unknown_name_hint(kind, KIND_BY_NAME))
        found: Catalogue[Any] = getattr(self, ATTRIBUTE_OF[kind])
        return found


KIND_BY_NAME: dict[str, Kind[Any]] = {kind.name: kind for kind in kinds.KINDS}

#: The ``Registry`` attribute of each kind's catalogue (grids are ``grid_sources``: ``grid()`` loads them).
ATTRIBUTE_OF: Mapping[str, str] = {
    kind.name: "grid_sources" if kind is kinds.GRIDS else kind.name for kind in kinds.KINDS
}
