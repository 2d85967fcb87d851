"""Rank-family normalisers (rank, Borda count, percentile rank): scores from the sorted reference values kept at fit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from vises.contract.records import FitContext
from vises.methods.normalisers.common import as_column, nothing_fitted, prepare_fit, present_values


def fit_ranks(name: str) -> Callable[..., dict[str, Any]]:
    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        prepare_fit(name, params, direction, context)
        x = present_values(values, context)
        return {"reference": np.sort(x).tolist(), "direction": direction}

    return fit


def _worse_than(values: np.ndarray, fitted: Mapping[str, Any]) -> tuple[np.ndarray, int, np.ndarray]:
    """How many reference values are strictly worse than each value (ties 'min', as in COINr)."""
    values, missing = as_column(values)
    reference = np.asarray(fitted["reference"], dtype=np.float64)
    if fitted["direction"] == 1:
        below = np.searchsorted(reference, values, side="left")
    else:
        below = reference.size - np.searchsorted(reference, values, side="right")
    return below.astype(np.float64), reference.size, missing


def apply_rank(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = 1 + number of reference values strictly worse (1 = worst; ties share the lowest rank)."""
    if not fitted["reference"]:
        return nothing_fitted("rank", values)
    below, _, missing = _worse_than(values, fitted)
    below += 1.0
    below[missing] = np.nan
    return below


def apply_borda(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = number of reference values strictly worse (the Borda count; rank − 1)."""
    if not fitted["reference"]:
        return nothing_fitted("borda", values)
    below, _, missing = _worse_than(values, fitted)
    below[missing] = np.nan
    return below


def apply_percentile(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = 100·(number strictly worse)/(n − 1), capped at 100; 50 when n = 1 or all values are equal."""
    reference = fitted["reference"]
    if not reference:
        return nothing_fitted("percentile_rank", values)
    below, n, missing = _worse_than(values, fitted)
    if n == 1 or reference[0] == reference[-1]:
        return np.where(missing, np.nan, 50.0)
    score = np.minimum(below * (100.0 / (n - 1)), 100.0)
    score[missing] = np.nan
    return score
