"""What every built-in normaliser shares: checking a fit, reading a column, the linear map, output ranges."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from vises.contract.records import FitContext
from vises.errors import DataError, MethodError
from vises.methods.params import check_params
from vises.model import Direction


def prepare_fit(name: str, params: Mapping[str, Any], direction: int, context: FitContext) -> dict[str, Any]:
    """Check the direction and parameters of a fit; return the resolved parameters."""
    if direction not in (1, -1):
        raise MethodError(
            f"normaliser {name!r}: direction must be +1 or -1, got {direction!r}", indicator=context.indicator.code
        )
    if name != "target" and context.indicator.direction is Direction.TARGET:
        raise MethodError(
            f"normaliser {name!r} cannot judge an indicator whose direction is 'target'",
            indicator=context.indicator.code,
            hint='use normaliser = { method = "target", scale = ... }',
        )
    return check_params(name, params, indicator=context.indicator)


def present_values(values: np.ndarray, context: FitContext) -> np.ndarray:
    """The non-missing values; infinite values are refused, naming the first rows."""
    values = np.asarray(values, dtype=np.float64)
    infinite = np.isinf(values)
    if infinite.any():
        rows = (np.flatnonzero(infinite)[:5] + 1).tolist()
        raise DataError(
            f"infinite values at rows {rows} cannot be normalised",
            indicator=context.indicator.code,
            hint="check for a division by zero where the data were computed",
        )
    return np.asarray(values[~np.isnan(values)])


def value_bounds(values: np.ndarray, context: FitContext) -> tuple[float | None, float | None]:
    """(min, max) of the non-missing values in two passes and no copy; infinite values refused."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return None, None
    low, high = float(np.fmin.reduce(values)), float(np.fmax.reduce(values))
    if np.isnan(low):
        return None, None
    if np.isinf(low) or np.isinf(high):
        present_values(values, context)  # raises, naming the rows
    return low, high


def as_column(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values as floats, and where they are missing."""
    values = np.asarray(values, dtype=np.float64)
    return values, np.isnan(values)


def nothing_fitted(name: str, values: np.ndarray) -> np.ndarray:
    """Apply parameters fitted on no data: fine for an all-missing column, an error otherwise."""
    values, missing = as_column(values)
    if not missing.all():
        raise MethodError(
            f"normaliser {name!r} was fitted on a column with no values, so it cannot score new values",
            hint="fit on data that holds at least one value, or use fixed goalposts",
        )
    return np.full(values.shape, np.nan)


def linear(
    values: np.ndarray, a: float, b: float, direction: int, low: float, high: float, *, clip: bool = False
) -> np.ndarray:
    """Map ``a`` to ``low`` and ``b`` to ``high`` (swapped when direction is -1); a == b gives the centre.

    One new array and in-place steps: this runs once per indicator column on every scoring.
    """
    values = np.asarray(values, dtype=np.float64)
    if a == b:
        return np.where(np.isnan(values), np.nan, (low + high) / 2.0)
    share = np.subtract(values, a) if direction == 1 else np.subtract(b, values)
    share /= b - a
    if clip:
        np.clip(share, 0.0, 1.0, out=share)
    if (low, high) != (0.0, 1.0):
        share *= high - low
        share += low
    return np.asarray(share)


# --- output ranges (each checks the parameters it is given) --------------------------------------


def range_of(name: str) -> Callable[[Mapping[str, Any]], tuple[float | None, float | None]]:
    def output_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
        p = check_params(name, params)
        return (p["low"], p["high"])

    return output_range


def checked_unbounded(name: str) -> Callable[[Mapping[str, Any]], tuple[float | None, float | None]]:
    def output_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
        check_params(name, params)
        return (None, None)

    return output_range


def fixed_range(
    name: str, low: float | None, high_key: str | None = None, high: float | None = None
) -> Callable[[Mapping[str, Any]], tuple[float | None, float | None]]:
    def output_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
        p = check_params(name, params)
        return (low, p[high_key] if high_key else high)

    return output_range
