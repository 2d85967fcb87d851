"""Finding plugins from their metadata, importing them one at a time, naming every one that fails.

pluggy alone registers every plugin in one go, so one broken plugin would hide the others and an
error would not say whose it is. ``PluginLoader.build`` books the core, each installed entry point
(read from the distributions' metadata: nothing is imported) and each in-process plugin, with its
distribution and version; ``load()``, called the first time any contribution is needed, imports and
registers them one by one. Each failure (an import error, even ``sys.exit()`` at import, a misspelt
hook name, an exception in a hook) becomes a ``PluginFailure`` naming the plugin: a warning, and the
rest keeps working, unless ``VISES_STRICT_PLUGINS=1`` collects them into one ``PluginError``.
``VISES_DISABLE_PLUGINS`` skips plugins by name. ``KeyboardInterrupt`` is never contained: Ctrl-C
stops the program. What the plugins contribute is the registry's job (``vises.plugins.registry``).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterable, Mapping
from types import FrameType
from typing import Any, Self

import attrs
import pluggy

from vises.contract import hookspecs
from vises.contract.frozen import FrozenMap, frozen_map
from vises.errors import PluginError, VisesPluginWarning, did_you_mean
from vises.plugins.guard import describe_escape

#: Modules of vises itself that implement hooks; they all count as the plugin ``vises``.
CORE_PLUGINS = (
    "vises.methods.hooks",
    "vises.io.hooks",
    "vises.grids.hooks",
    "vises.report.hooks",
    "vises.standards.hooks",
)
CORE_NAME = hookspecs.PROJECT_NAME
ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
STRICT_ENV = "VISES_STRICT_PLUGINS"
DISABLE_ENV = "VISES_DISABLE_PLUGINS"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: Modules whose frames a warning skips, so that it points at the code that asked for plugins.
_OWN_MODULES = frozenset(
    {
        "vises.plugins.current",
        "vises.plugins.loading",
        "vises.plugins.registry",
        "vises.plugins.catalogue",
        "vises.units",
    }
)


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
    #: Keys contributed per kind (``{"grids": ("wallonie.cisp",), "units": ("heure_stagiaire",)}``).
    provides: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=frozen_map)
    status: str = "ok"  #: "ok", "failed" (something went wrong, see ``error``) or "disabled"
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain values for ``vises plugins --json``."""
        out = attrs.asdict(self, recurse=False)
        out["modules"], out["hooks"] = list(self.modules), list(self.hooks)
        out["provides"] = {kind: list(keys) for kind, keys in self.provides.items()}
        return out


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str) -> frozenset[str]:
    return frozenset(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside the plugin modules."""
    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__") in _OWN_MODULES:
        frame = frame.f_back
        level += 1
    return level


@attrs.define
class _Plugin:
    """Mutable bookkeeping for one plugin: where it comes from, what it registered, what went wrong."""

    name: str
    distribution: str | None
    version: str | None
    ident: str = ""  # unique among plugins: the name, or name@distribution for a second one
    #: What to import when the plugin is loaded: core module names, an entry point, or the object itself.
    sources: list[Any] = attrs.field(factory=list)
    objects: list[tuple[str, Any]] = attrs.field(factory=list)  # (pluggy name, module/object)
    hooks: set[str] = attrs.field(factory=set)
    provides: dict[str, list[str]] = attrs.field(factory=dict)
    errors: list[str] = attrs.field(factory=list)
    status: str = "ok"

    @property
    def who(self) -> str:
        """``plugin 'x' (distribution vises-x 1.0)``, or ``(in-process)``, as messages name it."""
        if self.distribution:
            return f"plugin {self.name!r} (distribution {self.distribution} {self.version or '?'})"
        return f"plugin {self.name!r} (in-process)"

    def info(self) -> PluginInfo:
        return PluginInfo(
            name=self.name,
            distribution=self.distribution,
            version=self.version,
            modules=tuple(module for module, _ in self.objects),
            hooks=tuple(sorted(self.hooks)),
            provides=FrozenMap({kind: tuple(keys) for kind, keys in self.provides.items() if keys}),
            status=self.status,
            error="; ".join(self.errors) or None,
        )


class PluginLoader:
    """Which plugins there are, importing them on first need, and what went wrong doing so.

    ``build()`` reads metadata only; ``load()`` imports and registers every plugin (once, thread-safe)
    and is what the registry calls before collecting any kind of contribution.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.strict = strict
        self.loaded = False
        self._plugins: dict[str, _Plugin] = {}
        self._owner: dict[str, _Plugin] = {}  # pluggy plugin name -> plugin
        self._failures: list[PluginFailure] = []
        self._strict_error: PluginError | None = None
        self._lock = threading.RLock()

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
        """Book the core, the installed entry points and ``extra_plugins`` (name -> module/object).

        Nothing is imported here: entry points are read from the distributions' metadata, and
        ``load()`` imports the plugins when a contribution is first needed. ``strict`` and
        ``disabled`` default to ``VISES_STRICT_PLUGINS`` / ``VISES_DISABLE_PLUGINS``. In strict mode
        every failure is collected and raised as one ``PluginError`` when the plugins load.
        """
        loader = cls(strict=_env_flag(STRICT_ENV) if strict is None else strict)
        skip = _env_list(DISABLE_ENV) if disabled is None else frozenset(disabled)
        if core:
            loader._book_core()
        if entry_points:
            loader._book_entry_points(skip)
        for name, obj in (extra_plugins or {}).items():
            if name in skip:
                loader._plugins.setdefault(name, _Plugin(name, None, None, status="disabled"))
                continue
            plugin = loader._new_plugin(name, None, None)
            if plugin is not None:
                plugin.sources.append(obj)
        return loader

    # -- what the registry uses ----------------------------------------------------------------

    def load(self) -> None:
        """Import and register every booked plugin, each on its own (done once)."""
        if self.loaded:
            self.raise_strict()
            return
        with self._lock:
            if self.loaded:
                return self.load()
            for plugin in list(self._plugins.values()):
                for source in plugin.sources:
                    self._load(plugin, source)
            self._check_pending()
            self.loaded = True
            self.raise_if_strict(0)

    def raise_strict(self) -> None:
        """Raise again the strict-mode error already raised, so a broken registry stays broken."""
        if self._strict_error is not None:
            raise self._strict_error

    def owner(self, pluggy_name: str) -> _Plugin:
        return self._owner[pluggy_name]

    def plugin_named(self, name: str) -> _Plugin | None:
        return self._plugins.get(name)

    @property
    def booked(self) -> list[_Plugin]:
        return list(self._plugins.values())

    @property
    def failures(self) -> list[PluginFailure]:
        return list(self._failures)

    @property
    def failure_count(self) -> int:
        return len(self._failures)

    def failures_since(self, since: int) -> list[PluginFailure]:
        return self._failures[since:]

    def raise_if_strict(self, since: int) -> None:
        """In strict mode, raise one ``PluginError`` listing every failure recorded since ``since``."""
        new = self._failures[since:]
        if self.strict and new:
            lines = "\n".join(f"  - {failure.message}" for failure in new)
            self._strict_error = PluginError(
                f"{len(new)} plugin failure(s) in strict mode:\n{lines}",
                hint=f"fix or uninstall the plugin, or unset {STRICT_ENV}",
            )
            raise self._strict_error

    def fail(
        self, plugin: _Plugin, error: str, *, hook: str | None = None, exception: BaseException | None = None
    ) -> PluginFailure:
        """Record a failure of ``plugin``: a warning (not in strict mode), its status becomes failed."""
        failure = PluginFailure(
            plugin=plugin.name,
            distribution=plugin.distribution,
            version=plugin.version,
            hook=hook,
            error=error,
            exception=exception,
        )
        self._failures.append(failure)
        plugin.errors.append(error if hook is None else f"{hook}: {error}")
        plugin.status = "failed"
        if not self.strict:
            warnings.warn(failure.message, VisesPluginWarning, stacklevel=_caller_level())
        return failure

    # -- booking (metadata only) ---------------------------------------------------------------

    def _new_plugin(self, name: str, distribution: str | None, version: str | None) -> _Plugin | None:
        """Book a plugin under ``name``; a second distribution using the same name is allowed to load,
        and every key both provide becomes a conflict."""
        plugin = _Plugin(name, distribution, version)
        ident = name if name not in self._plugins else f"{name}@{distribution or 'in-process'}"
        if ident in self._plugins:
            self._plugins[f"{ident}#{len(self._plugins)}"] = plugin
            self.fail(plugin, f"plugin {name!r} of {distribution or '(in-process)'} is registered twice")
            return None
        plugin.ident = ident
        self._plugins[ident] = plugin
        if name != CORE_NAME and not _NAME_RE.match(name):
            self.fail(
                plugin, f"plugin name {name!r} must be lower case letters, digits and '_' (it prefixes every key)"
            )
            return None
        return plugin

    def _book_core(self) -> None:
        from vises._version import __version__

        plugin = self._new_plugin(CORE_NAME, CORE_NAME, __version__)
        assert plugin is not None
        plugin.sources.extend(_CoreModule(name) for name in CORE_PLUGINS)

    def _book_entry_points(self, skip: frozenset[str]) -> None:
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
                self.fail(rogue, f"the plugin name {CORE_NAME!r} is reserved for vises itself; rename the entry point")
                continue
            plugin = self._new_plugin(ep.name, dist_name, version)
            if plugin is not None:
                plugin.sources.append(ep)

    # -- loading -------------------------------------------------------------------------------

    def _load(self, plugin: _Plugin, source: Any) -> None:
        """Import one module (a core module or an entry point) or take an in-process object; register it."""
        from importlib.metadata import EntryPoint

        # Once the importlib_metadata backport is imported (pyshacl pulls it in), the
        # standard library's entry_points() hands out the backport's EntryPoint objects.
        backport = sys.modules.get("importlib_metadata")
        entry_point_types = (EntryPoint, backport.EntryPoint) if backport is not None else (EntryPoint,)
        if isinstance(source, _CoreModule):
            what, name = f"core module {source.name}", source.name
        elif isinstance(source, entry_point_types):
            what, name = source.value, plugin.ident
        else:
            self._register(plugin, plugin.ident, source)
            return
        try:
            obj = importlib.import_module(source.name) if isinstance(source, _CoreModule) else source.load()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a plugin may even call sys.exit() at import
            self.fail(plugin, f"cannot import {what}: {describe_escape(exc)}", exception=exc)
            return
        self._register(plugin, name, obj)

    def _register(self, plugin: _Plugin, pluggy_name: str, obj: Any) -> None:
        try:
            self.pm.register(obj, name=pluggy_name)
            callers = list(self.pm.get_hookcallers(obj) or ())
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # pluggy refuses duplicates and malformed hookimpls; objects can be odd
            self.fail(plugin, f"cannot register {pluggy_name!r}: {describe_escape(exc)}", exception=exc)
            return
        plugin.objects.append((pluggy_name, obj))
        self._owner[pluggy_name] = plugin
        plugin.hooks.update(caller.name for caller in callers)

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
                hint = did_you_mean(name, known)
                self.fail(plugin, f"unknown hook {name!r}" + (f" ({hint})" if hint else ""), hook=name)


@attrs.frozen
class _CoreModule:
    """A core hook module, imported by name when the plugins load."""

    name: str
