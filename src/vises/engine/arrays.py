"""Small helpers every reader of ``Results`` shares: read-only arrays, NaN as ``None``, argument checks.

They live in the engine so that the report (which may not import ``vises.analysis``) and the
analyses compute with the same pieces.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


def frozen(array: np.ndarray) -> np.ndarray:
    """A read-only view, so a frozen result cannot be changed through its arrays."""
    view = np.asarray(array).view()
    view.setflags(write=False)
    return view


def none(x: float | None) -> float | None:
    """``None`` for NaN, so records are JSON-ready."""
    return None if x is None or math.isnan(x) else float(x)


def whole(value: Any, name: str, *, minimum: int = 1) -> int:
    """A whole number >= ``minimum`` (not a bool), else a ``ConfigError`` naming the argument."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"{name} must be a whole number >= {minimum}, got {value!r}", path=name)
    return value


def period_rows(results: Results, period: str | None) -> np.ndarray:
    """The row indices of one period (all rows when ``period`` is None)."""
    if period is None:
        return np.arange(len(results))
    if str(period) not in results.period_values:
        raise ConfigError(
            f"period {period!r} is not in the results",
            path="period",
            hint=f"periods: {', '.join(results.period_values)}",
        )
    return np.flatnonzero(results.periods == str(period))


def indicator_codes(results: Results) -> tuple[str, ...]:
    """The scored indicators, in the results' column order."""
    return tuple(code for code in results.codes if results.is_indicator(code))


__all__ = ["frozen", "indicator_codes", "none", "period_rows", "whole"]
