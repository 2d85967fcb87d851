"""Sampling intervals of estimates, a whole column at a time: Wilson for shares, Student's t for means.

A share of 17 agreeing among 24 respondents is an estimate: its 95 % Wilson interval (51–85 %)
says how far the true share may lie. The Wilson score interval stays inside 0–1 and behaves at
0/n and n/n, where the textbook normal interval collapses to a point. A mean of n answers with
standard deviation s gets mean ± t(n − 1) · s / √n. Student's quantile is computed here (no SciPy):
the distribution function through the regularised incomplete beta function (a continued fraction),
inverted by bisection once per distinct number of degrees of freedom.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def normal_quantile(confidence: float) -> float:
    """The two-sided standard normal quantile: 1.959964 for 0.95."""
    _check(confidence)
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _check(confidence: float) -> None:
    if not (0.0 < confidence < 1.0):
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")


def wilson(successes: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the share ``successes / n`` (both bounds in 0–1; NaN where n ≤ 0 or unknown)."""
    z = normal_quantile(confidence)
    k = np.asarray(successes, dtype=np.float64)
    size = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = (size > 0) & np.isfinite(k) & np.isfinite(size)
        share = np.where(valid, k / np.where(valid, size, 1.0), np.nan)
        z2n = z * z / size
        centre = (share + z2n / 2.0) / (1.0 + z2n)
        half = z / (1.0 + z2n) * np.sqrt(np.clip(share * (1.0 - share), 0.0, None) / size + z2n / (4.0 * size))
        low = np.where(valid, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(valid, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _continued_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz), for x < (a + 1) / (a + b + 2)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)),
            -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _log_beta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _continued_fraction(a, b, x) / a
    return 1.0 - front * _continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T ≤ t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(probability: float, df: float) -> float:
    """The ``probability`` quantile of Student's t (bisection to about 1e-12; ``probability`` > 0.5)."""
    if not (0.5 <= probability < 1.0) or not df > 0:
        raise ValueError(f"need 0.5 <= probability < 1 and df > 0, got {probability!r}, {df!r}")
    low, high = 0.0, 1.0
    while t_cdf(high, df) < probability:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < probability:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """``mean ± t(n − 1) · sd / √n`` per row; NaN where n < 2 or sd is unknown.

    The quantile is computed once per distinct n, so a million rows with a few hundred sample
    sizes cost a few hundred quantiles.
    """
    _check(confidence)
    m = np.asarray(mean, dtype=np.float64)
    s = np.asarray(sd, dtype=np.float64)
    size = np.asarray(n, dtype=np.float64)
    valid = np.isfinite(m) & np.isfinite(s) & np.isfinite(size) & (size >= 2)
    quantiles = np.full(len(m), np.nan)
    if valid.any():
        distinct, inverse = np.unique(size[valid], return_inverse=True)
        table = np.array([t_quantile(1.0 - (1.0 - confidence) / 2.0, float(k) - 1.0) for k in distinct.tolist()])
        quantiles[valid] = table[inverse.reshape(-1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        half = quantiles * s / np.sqrt(np.where(valid, size, np.nan))
    return np.where(valid, m - half, np.nan), np.where(valid, m + half, np.nan)


def overlap(low_a: np.ndarray, high_a: np.ndarray, low_b: np.ndarray, high_b: np.ndarray) -> np.ndarray:
    """Whether two intervals overlap, per row (``False`` where either is unknown)."""
    with np.errstate(invalid="ignore"):
        return np.asarray((low_a <= high_b) & (low_b <= high_a), dtype=bool)


__all__ = ["incomplete_beta", "normal_quantile", "overlap", "t_cdf", "t_interval", "t_quantile", "wilson"]
