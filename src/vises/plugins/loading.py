"""Loading plugins one at a time, and naming every plugin that fails.

pluggy alone registers every plugin in one go, so one broken plugin would hide the others and an
error would not say whose it is. ``PluginLoader`` imports the core modules, each installed entry
point and each in-process plugin on its own, books every plugin with its distribution and version,
and turns each failure (an import error, a misspelt hook name, an exception in a hook) into a
``PluginFailure`` naming it: a warning and the rest keeps working, unless ``VISES_STRICT_PLUGINS=1``
collects them into one ``PluginError``. ``VISES_DISABLE_PLUGINS`` skips plugins by name. What the
plugins contribute, and how their keys are namespaced, is ``plugin_registry``'s job.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from types import FrameType
from typing import Any, Self

import attrs
import pluggy

from vises.contract import hookspecs
from vises.errors import PluginError, VisesError, VisesPluginWarning, closest

#: Modules of vises itself that implement hooks; they all count as the plugin ``vises``.
CORE_PLUGINS = (
    "vises.methods.hooks",
    "vises.io.hooks",
    "vises.grids.hooks",
    "vises.report.hooks",
)
CORE_NAME = hookspecs.PROJECT_NAME
ENTRY_POINT_GROUP = hookspecs.PROJECT_NAME
STRICT_ENV = "VISES_STRICT_PLUGINS"
DISABLE_ENV = "VISES_DISABLE_PLUGINS"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: Modules whose frames a warning skips, so that it points at the code that asked for plugins.
_OWN_MODULES = frozenset({"vises.plugins.current", "vises.plugins.loading", "vises.plugins.registry"})


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


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _env_list(name: str) -> frozenset[str]:
    return frozenset(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


def _describe(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, VisesError) else f"{type(exc).__name__}: {exc}"


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


class PluginLoader:
    """Which plugins there are and what went wrong loading them; ``Registry`` builds on it."""

    def __init__(self, *, strict: bool = False) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.strict = strict
        self._plugins: dict[str, _Plugin] = {}
        self._owner: dict[str, _Plugin] = {}  # pluggy plugin name -> plugin
        self._failures: list[PluginFailure] = []
        self._strict_error: PluginError | None = None

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

    def _fail(
        self, plugin: _Plugin, error: str, *, hook: str | None = None, exception: BaseException | None = None
    ) -> None:
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
            self._fail(
                plugin, f"plugin name {name!r} must be lower case letters, digits and '_' (it prefixes every key)"
            )
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
        from vises._version import __version__

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
                close = closest(name, known)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self._fail(plugin, f"unknown hook {name!r}{hint}", hook=name)
