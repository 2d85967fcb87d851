"""Immutable mappings for the frozen value classes, so a frozen object is frozen all the way down.

``FrozenDict`` is a ``dict`` that refuses every change and hashes by its items: code that reads a
dict (``json.dumps``, ``isinstance(x, dict)``, ``**labels``) keeps working, while
``grid.label["fr"] = ...`` or ``method.params.update(...)`` is a ``TypeError``. ``freeze`` turns
the plain data a user or a file gives (dicts, lists) into hashable values once, when an object is
built; ``thaw`` gives plain dicts and lists back for writers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from vises.errors import GridError

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict that cannot change after it is built; hashable when its values are."""

    __slots__ = ("_hash",)
    _hash: int

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "this mapping belongs to a frozen vises object and cannot be changed; "
            "build a new object instead (attrs.evolve(obj, field={...}))"
        )

    __setitem__ = _refuse
    __delitem__ = _refuse
    __ior__ = _refuse
    clear = _refuse
    pop = _refuse
    popitem = _refuse
    setdefault = _refuse
    update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        try:
            return self._hash
        except AttributeError:  # the first time: the slot is filled here, not in a Python __init__
            found = hash(frozenset(self.items()))
            object.__setattr__(self, "_hash", found)
            return found

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def to_dict(self) -> dict[K, V]:
        """A plain, mutable copy (for JSON or for building a changed mapping)."""
        return dict(self)

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        return self


#: The one empty mapping every empty field shares (it cannot change, so sharing it is safe).
EMPTY: FrozenDict[Any, Any] = FrozenDict()


def freeze(value: Any) -> Any:
    """Mappings become ``FrozenDict``, lists and tuples tuples, sets frozensets, all the way down."""
    if isinstance(value, FrozenDict):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(item) for item in value)
    return value


def frozen_mapping(value: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None) -> FrozenDict[Any, Any]:
    """The attrs converter of mapping fields: a ``FrozenDict`` whose values are frozen too."""
    if isinstance(value, FrozenDict):
        return value
    if not value:
        return EMPTY
    items = value.items() if isinstance(value, Mapping) else value
    return FrozenDict({key: freeze(item) for key, item in items})


def frozen_labels(value: Mapping[str, str] | None) -> FrozenDict[str, str]:
    """The converter of label and description fields: texts by language, refused clearly otherwise.

    A bare text or a number is the usual slip (``label="Heures"``); it is a ``GridError`` at once,
    not a ``TypeError`` from deep inside the converter.
    """
    if value is not None and not isinstance(value, Mapping):
        raise GridError(
            f"a label or description is a table of texts by language, got {value!r}",
            hint="write it as {'fr': 'Heures', 'en': 'Hours'} (in a grid file: { fr = \"Heures\", en = \"Hours\" })",
        )
    return frozen_mapping(value)


def shallow_frozen(value: Mapping[Any, Any] | None) -> FrozenDict[Any, Any]:
    """A ``FrozenDict`` of the same values (for mappings of arrays and records, which stay as they are)."""
    if isinstance(value, FrozenDict):
        return value
    return FrozenDict(value) if value else EMPTY


def thaw(value: Any) -> Any:
    """Plain dicts and lists again (for TOML, YAML and JSON writers and for messages)."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [thaw(item) for item in value]
    if isinstance(value, frozenset):
        return sorted(thaw(item) for item in value)
    return value


__all__ = ["EMPTY", "FrozenDict", "freeze", "frozen_mapping", "shallow_frozen", "thaw"]
