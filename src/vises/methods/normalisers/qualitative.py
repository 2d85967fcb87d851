"""Normalisers of qualitative kinds (scale, binary, category): scores taken from the indicator's levels."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from vises.contract.records import FitContext
from vises.errors import MethodError
from vises.methods.normalisers.common import as_column, linear, prepare_fit, present_values
from vises.methods.params import check_params


def fit_levels(name: str) -> Callable[..., dict[str, Any]]:
    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        p = prepare_fit(name, params, direction, context)
        present_values(values, context)
        bounds = context.indicator.score_bounds()
        if name == "binary" and bounds is None:
            bounds = (0.0, 1.0)
        if bounds is None:  # prepare_fit has already refused this; kept for the type checker
            raise MethodError(f"normaliser {name!r}: the indicator has no levels", indicator=context.indicator.code)
        if name == "binary" and bounds[0] == bounds[1]:
            raise MethodError(
                "normaliser 'binary': 'yes' and 'no' have the same score",
                indicator=context.indicator.code,
                hint="give the two levels different scores",
            )
        return {**p, "min_level": float(bounds[0]), "max_level": float(bounds[1]), "direction": direction}

    return fit


def apply_scale(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = (x − min level)/(max level − min level)·(high − low) + low; mirrored for −1; one level: centre."""
    return linear(values, fitted["min_level"], fitted["max_level"], fitted["direction"], fitted["low"], fitted["high"])


def apply_binary(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """'no' (lower level score) → low and 'yes' → high; swapped for −1; any other value is an error."""
    values, missing = as_column(values)
    lo, hi = fitted["min_level"], fitted["max_level"]
    other = ~missing & (values != lo) & (values != hi)
    if other.any():
        rows = (np.flatnonzero(other)[:5] + 1).tolist()
        raise MethodError(
            f"normaliser 'binary': values at rows {rows} are neither {lo:g} nor {hi:g}",
            hint="a binary indicator takes only its two level scores",
        )
    return linear(values, lo, hi, fitted["direction"], fitted["low"], fitted["high"])


def apply_category(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = the category's own score x; min + max − x when lower is better (range kept)."""
    values, _ = as_column(values)
    if fitted["direction"] == 1:
        return values.copy()
    return np.asarray((fitted["min_level"] + fitted["max_level"]) - values)


def category_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
    check_params("category", params)
    return (None, None)
