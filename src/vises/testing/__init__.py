"""Helpers for testing vises and its plugins.

``check_plugin(module_or_object, name=...)`` calls every hook a plugin implements and checks what
it returns (grids validate, labels exist in the declared languages, methods keep their ranges);
``plugin_registry(module, name=...)`` is the registry it inspects: the core plus that plugin alone.
``grids()`` and ``datasets_for(grid)`` are hypothesis strategies; they are loaded on first use, so
importing ``vises.testing`` needs hypothesis only when they are asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vises.testing.plugin_check import PluginCheck, check_plugin, plugin_registry

if TYPE_CHECKING:  # pragma: no cover (names the lazy strategies for type checkers and the API reference)
    from vises.testing.strategies import datasets_for, grids, methods

__all__ = ["PluginCheck", "check_plugin", "datasets_for", "grids", "methods", "plugin_registry"]


def __getattr__(name: str) -> Any:
    if name in ("grids", "datasets_for", "methods"):
        from vises.testing import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'vises.testing' has no attribute {name!r}")
