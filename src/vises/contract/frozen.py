"""The immutable, hashable mapping of frozen records: the model's ``FrozenDict``, one type for both.

A frozen attrs record with a ``dict`` field is neither hashable nor immutable: ``weighting.weights["x"]
= 9`` would change a registered weighting for everyone. ``FrozenMap`` (used as an attrs converter)
keeps the mapping interface — it is a ``dict`` that refuses every change — hashes by content when
its values hash, compares equal to a ``dict`` with the same items, and pickles. Records and model
classes share it (``vises.model.frozen``), so there is one read-only mapping in vises.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vises.model.frozen import FrozenDict as FrozenMap
from vises.model.frozen import shallow_frozen


def frozen_map(value: Mapping[Any, Any] | None) -> FrozenMap[Any, Any]:
    """The attrs converter: any mapping (or ``None``) becomes a ``FrozenMap`` of the same values."""
    return shallow_frozen(value)


__all__ = ["FrozenMap", "frozen_map"]
