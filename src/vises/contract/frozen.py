"""An immutable, hashable mapping for the dict fields of frozen records.

A frozen attrs record with a ``dict`` field is neither hashable nor immutable: ``weighting.weights["x"]
= 9`` would change a registered weighting for everyone. ``FrozenMap`` (used as an attrs converter)
keeps the mapping interface, refuses item assignment, hashes by content when its values hash,
compares equal to a ``dict`` with the same items, and pickles.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only mapping; ``FrozenMap(mapping)`` copies ``mapping`` once."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        self._data: dict[K, V] = dict(data or {})
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._data,))

    def to_dict(self) -> dict[K, V]:
        """A plain, mutable copy (for JSON or for building a changed mapping)."""
        return dict(self._data)


def frozen_map(value: Mapping[Any, Any] | None) -> FrozenMap[Any, Any]:
    """The attrs converter: any mapping (or ``None``) becomes a ``FrozenMap``."""
    return value if isinstance(value, FrozenMap) else FrozenMap(value)
