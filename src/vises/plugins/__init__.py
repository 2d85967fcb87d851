"""The plugin host: entry points found from metadata and loaded one by one, the registry of what they contribute.

``get_registry()`` is the registry of this process, built on first use and cached
(``vises.plugins.current``); finding, loading and failure reporting live in ``loading``, one typed
``Catalogue`` per kind in ``catalogue``, the registry composing them in ``registry``, and the
contracts plugin code is held to in ``guard``.
"""

from vises.plugins.catalogue import Catalogue
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
    "Catalogue",
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
