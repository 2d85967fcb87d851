"""Bounds on the work one grid may ask for, each a documented limit a caller can raise.

Every algorithm over a grid is linear in its nodes and needs no recursion, so these limits are not
there to protect vises: they stop a file that is wrong or hostile (a grid 50,000 levels deep, ten
million indicators) from costing minutes before anyone sees an error, and they keep the trees that
reports and plugins draw within what a reader can use. A grid past a limit is refused by
validation with a ``GridError`` (exit code 2) that names the limit and how to raise it.

Raise them for one call (``validate_grid(grid, limits=GridLimits(max_levels=20_000))``), for a
block of code (``with vises.grid_limits(max_levels=20_000): ...``, thread- and task-local), or for
a whole process, the command line included, with the environment variables
``VISES_MAX_GRID_LEVELS`` and ``VISES_MAX_GRID_ITEMS``.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator, Mapping

import attrs

from vises.errors import ConfigError

#: Levels as COINr counts them: indicators are level 1; a root, dimensions and indicators make 3.
DEFAULT_MAX_LEVELS = 100
#: Nodes and indicators together.
DEFAULT_MAX_ITEMS = 1_000_000

_ENVIRONMENT = {"max_levels": "VISES_MAX_GRID_LEVELS", "max_items": "VISES_MAX_GRID_ITEMS"}


def _positive(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"grid limit {attribute.name} must be a whole number >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class GridLimits:
    """How large a grid may be: ``max_levels`` deep (COINr's levels) and ``max_items`` nodes plus indicators."""

    max_levels: int = attrs.field(default=DEFAULT_MAX_LEVELS, validator=_positive)
    max_items: int = attrs.field(default=DEFAULT_MAX_ITEMS, validator=_positive)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> GridLimits:
        """The defaults, raised or lowered by ``VISES_MAX_GRID_LEVELS`` / ``VISES_MAX_GRID_ITEMS``."""
        environ = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for field, variable in _ENVIRONMENT.items():
            text = environ.get(variable)
            if text is None or not text.strip():
                continue
            try:
                values[field] = int(text.strip().replace("_", ""))
            except ValueError:
                raise ConfigError(
                    f"{variable} must be a whole number, got {text!r}", hint=f"e.g. {variable}=20000"
                ) from None
        return cls(**values)


_current: contextvars.ContextVar[GridLimits | None] = contextvars.ContextVar("vises_grid_limits", default=None)


def current_limits() -> GridLimits:
    """The limits in force here: a ``grid_limits`` block, else the environment, else the defaults."""
    chosen = _current.get()
    return chosen if chosen is not None else GridLimits.from_environment()


@contextlib.contextmanager
def grid_limits(*, max_levels: int | None = None, max_items: int | None = None) -> Iterator[GridLimits]:
    """Raise (or lower) the grid limits inside a ``with`` block; the rest keep their current value."""
    base = current_limits()
    chosen = attrs.evolve(
        base,
        **{name: value for name, value in (("max_levels", max_levels), ("max_items", max_items)) if value is not None},
    )
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


__all__ = ["DEFAULT_MAX_ITEMS", "DEFAULT_MAX_LEVELS", "GridLimits", "current_limits", "grid_limits"]
