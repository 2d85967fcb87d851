"""The plugin registry of this process: built on first use, cached, open to in-process plugins.

Nothing is read until ``get_registry()`` is first called, and then only the entry points'
metadata: plugin code is imported by the first lookup of a contribution. How plugins are loaded and
their failures reported lives in ``vises.plugins.loading``; what they contribute and how it is
namespaced and looked up, in ``vises.plugins.registry`` (one ``Catalogue`` per kind). Their public
names are re-exported here, the import path that code, plugins and docs use.
"""

from __future__ import annotations

import threading
from typing import Any

from vises.contract import hookspecs
from vises.errors import PluginError, VisesPluginWarning, unknown_name_hint
from vises.plugins.loading import (
    CORE_NAME,
    CORE_PLUGINS,
    DISABLE_ENV,
    ENTRY_POINT_GROUP,
    STRICT_ENV,
    PluginFailure,
    PluginInfo,
    PluginLoader,
)
from vises.plugins.registry import Registry

__all__ = [
    "CORE_NAME",
    "CORE_PLUGINS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "STRICT_ENV",
    "PluginFailure",
    "PluginInfo",
    "PluginLoader",
    "Registry",
    "VisesPluginWarning",
    "get_registry",
    "hook_names",
    "register_plugin",
    "reset_registry",
    "unregister_plugin",
]


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
        raise PluginError(
            f"an in-process plugin named {name!r} is already registered",
            hint="unregister it first or pick another name",
        )
    _extra_plugins[name] = obj
    reset_registry()


def unregister_plugin(name: str) -> None:
    """Remove an in-process plugin added with ``register_plugin``."""
    if _extra_plugins.pop(name, None) is None:
        raise PluginError(f"no in-process plugin named {name!r}", hint=unknown_name_hint(name, _extra_plugins))
    reset_registry()


def hook_names() -> list[str]:
    """Every hook a plugin can implement, in the order ``hookspecs`` declares them."""
    return [name for name in vars(hookspecs) if name.startswith("vises_") and callable(getattr(hookspecs, name))]
