"""Small numeric kernels shared by the layers above: whole-column numpy, no Python loop per value."""

from __future__ import annotations

import numpy as np


def safe_divide(
    numerator: np.ndarray, denominator: np.ndarray, factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``numerator / denominator · factor``; rows with a denominator ≤ 0 are NaN, never ±inf.

    Returns the ratios and two masks for the reasons: a denominator ≤ 0, and a denominator missing
    where the numerator is present.
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        not_positive = den <= 0
    den_missing = np.isnan(den) & ~np.isnan(num)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / np.where(not_positive, np.nan, den)
    if factor != 1.0:
        out *= factor
    return out, not_positive & ~np.isnan(num), den_missing


__all__ = ["safe_divide"]
