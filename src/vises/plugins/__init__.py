"""The plugin host: entry points loaded one by one, the registry of what they contribute.

``get_registry()`` is the registry of this process, built on first use and cached
(``vises.plugins.current``); loading and failure reporting live in ``loading``, the catalogues
of contributions in ``registry``.
"""

from vises.plugins.current import (
    CORE_NAME,
    CORE_PLUGINS,
    DISABLE_ENV,
    ENTRY_POINT_GROUP,
    STRICT_ENV,
    PluginFailure,
    PluginInfo,
    PluginLoader,
    Registry,
    VisesPluginWarning,
    get_registry,
    hook_names,
    register_plugin,
    reset_registry,
    unregister_plugin,
)

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
