"""Bounds on the work one input may cause, each a documented limit a caller can raise.

Federations open files other people sent them. A small file must not cost gigabytes or hang: a
workbook that inflates to gigabytes (a zip bomb), one stray cell at the last row and column of a
sheet, a cell of a hundred megabytes, a YAML document whose aliases expand a label a billion
times, JSON or TOML nested thousands of levels deep, a grid ten thousand levels deep, an SROI outcome
lasting a million years, a sensitivity analysis asking for a billion runs. Each is checked before
the work and refused with an error (exit 2) that names the file, the limit and how to raise it.

The defaults suit every genuine file we know of. A caller raises a limit for a block of code
with ``vises.use_limits(xlsx_cells=50_000_000)`` (context-local: other threads keep theirs), or
for a whole process or shell with an environment variable ``VISES_LIMIT_<NAME>``
(``VISES_LIMIT_XLSX_CELLS=50000000 vises score ...``). ``vises.current_limits()`` says which
apply.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import attrs

from vises.errors import ConfigError, LimitError

_MiB = 1 << 20


def _positive(instance: Any, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"the limit {attribute.name} must be a whole number ≥ 1, got {value!r}")


@attrs.frozen(kw_only=True)
class Limits:
    """The bounds readers enforce (see docs/security.md for each one's reason)."""

    #: Characters in one CSV field or spreadsheet cell (Excel itself stops at 32,767).
    field_chars: int = attrs.field(default=1_000_000, validator=_positive)
    #: Bytes of a grid, evaluations or value-map document; for YAML, also after aliases are expanded.
    document_bytes: int = attrs.field(default=64 * _MiB, validator=_positive)
    #: Levels of tables and lists nested in one document (a grid file needs about six).
    document_depth: int = attrs.field(default=64, validator=_positive)
    #: Bytes an xlsx workbook inflates to (all its parts, as actually decompressed).
    xlsx_bytes: int = attrs.field(default=1024 * _MiB, validator=_positive)
    #: Cells of the real extent (rows × columns of the cells present) of one sheet that is read.
    xlsx_cells: int = attrs.field(default=20_000_000, validator=_positive)
    #: Levels of a grid as COINr counts them (indicators are level 1; root, dimensions, indicators make 3).
    grid_levels: int = attrs.field(default=100, validator=_positive)
    #: Nodes and indicators of one grid together.
    grid_items: int = attrs.field(default=1_000_000, validator=_positive)
    #: Years an SROI value map may reach (an outcome's start plus its duration).
    horizon_years: int = attrs.field(default=200, validator=_positive)
    #: Runs of one sensitivity analysis (Monte Carlo draws, or Sobol's N (d + 2) model runs).
    sensitivity_runs: int = attrs.field(default=2_000_000, validator=_positive)
    #: Runs × rows a sensitivity analysis keeps (its rank matrix: 8 bytes each, 800 MB at the default).
    sensitivity_cells: int = attrs.field(default=100_000_000, validator=_positive)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in attrs.fields(cls))


def environment_name(name: str) -> str:
    """``xlsx_cells`` -> ``VISES_LIMIT_XLSX_CELLS``."""
    return f"VISES_LIMIT_{name.upper()}"


def _from_environment() -> Limits:
    return _limits_for(tuple(os.environ.get(environment_name(name)) for name in Limits.names()))


@functools.lru_cache(maxsize=8)
def _limits_for(given: tuple[str | None, ...]) -> Limits:
    changes: dict[str, int] = {}
    for name, raw in zip(Limits.names(), given, strict=True):
        if raw is None or not raw.strip():
            continue
        try:
            changes[name] = int(raw.strip().replace("_", ""))
        except ValueError:
            raise ConfigError(
                f"{environment_name(name)}={raw!r} is not a whole number",
                hint=f"write the limit in digits, e.g. {environment_name(name)}={getattr(Limits(), name) * 4}",
            ) from None
    return Limits(**changes)


_OVERRIDE: ContextVar[Limits | None] = ContextVar("vises_limits", default=None)


def current_limits() -> Limits:
    """The limits in force here: ``use_limits`` if active, else the environment, else the defaults."""
    override = _OVERRIDE.get()
    return override if override is not None else _from_environment()


@contextmanager
def use_limits(limits: Limits | None = None, /, **changes: int) -> Iterator[Limits]:
    """Read with other limits inside a ``with`` block: ``with vises.use_limits(field_chars=5_000_000):``."""
    base = limits if limits is not None else current_limits()
    unknown = sorted(set(changes) - set(Limits.names()))
    if unknown:
        raise ConfigError(f"unknown limit {unknown[0]!r}", hint=f"limits are: {', '.join(Limits.names())}")
    chosen = attrs.evolve(base, **changes)
    token = _OVERRIDE.set(chosen)
    try:
        yield chosen
    finally:
        _OVERRIDE.reset(token)


def exceeded(name: str, amount: int | str, what: str, *, limits: Limits | None = None, **where: Any) -> LimitError:
    """The error for ``what`` (``amount`` of it) going past limit ``name``, with how to raise the limit."""
    value = getattr(limits or current_limits(), name)
    shown = f"{amount:,}" if isinstance(amount, int) else amount
    enough = amount if isinstance(amount, int) and amount > value else value * 4
    return LimitError(
        f"{what} ({shown}) is beyond the limit {name} = {value:,}",
        hint=(
            f"if the file is genuine, raise the limit: {environment_name(name)}={enough} in the environment, "
            f"or vises.use_limits({name}={enough}) in Python"
        ),
        **where,
    )


__all__ = ["Limits", "current_limits", "environment_name", "exceeded", "use_limits"]
