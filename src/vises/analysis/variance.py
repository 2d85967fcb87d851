"""Sobol indices of any model: the Saltelli design and the estimators, with bootstrap intervals.

Two independent uniform samples A and B of the d inputs, and for each input i the matrix AB_i (A
with column i taken from B): N (d + 2) runs (COINr's ``SA_sample``). For an output y, with V(y) the
variance over the A and B runs,

- first-order index ``S_i = mean(y_B · (y_ABi − y_A)) / V(y)`` (Saltelli 2010): the share of the
  variance that input i explains on its own;
- total index ``ST_i = mean((y_A − y_ABi)²) / (2 V(y))`` (Jansen 1999): its share with every
  interaction it takes part in.

Bootstrap intervals resample the N rows of (A, B, AB_i) together and recompute the variance.
``vises.analysis.sobol`` applies them to a grid's methodological choices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from vises.analysis._common import frozen, none, whole
from vises.analysis.words import number, table, word
from vises.errors import ConfigError

__all__ = ["SobolIndices", "saltelli_sample", "sobol_indices"]


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def saltelli_sample(n: int, d: int, *, seed: int | np.random.Generator | None = 0) -> np.ndarray:
    """The N (d + 2) × d design in [0, 1): rows A, then B, then AB_1 ... AB_d (N rows each).

    AB_i is A with its column i replaced by B's (COINr's ``SA_sample``).
    """
    whole(n, "n", minimum=2)
    whole(d, "d")
    base = _rng(seed).random((n, 2 * d))
    a, b = base[:, :d], base[:, d:]
    blocks = [a, b]
    for i in range(d):
        mixed = a.copy()
        mixed[:, i] = b[:, i]
        blocks.append(mixed)
    return np.vstack(blocks)


@attrs.frozen(kw_only=True, eq=False)
class SobolIndices:
    """First-order and total Sobol indices of d inputs, with bootstrap percentile intervals.

    With no variance at all (every run gives the same output) every index is 0 and every interval
    [0, 0]: nothing is uncertain, so nothing explains anything.
    """

    names: tuple[str, ...]
    first: np.ndarray
    total: np.ndarray
    first_low: np.ndarray
    first_high: np.ndarray
    total_low: np.ndarray
    total_high: np.ndarray
    variance: float
    n: int
    bootstrap: int
    confidence: float

    def to_records(self) -> list[dict[str, Any]]:
        return [
            {
                "choice": name,
                "first": none(float(self.first[i])),
                "first_low": none(float(self.first_low[i])),
                "first_high": none(float(self.first_high[i])),
                "total": none(float(self.total[i])),
                "total_low": none(float(self.total_low[i])),
                "total_high": none(float(self.total_high[i])),
            }
            for i, name in enumerate(self.names)
        ]

    def table(self, lang: str | None = None) -> str:
        w = lang or "en"

        def interval(low: float, high: float) -> str:
            return f"{number(low, lang, 3)} – {number(high, lang, 3)}"

        rows = [
            (
                name,
                number(float(self.first[i]), lang, 3),
                interval(float(self.first_low[i]), float(self.first_high[i])),
                number(float(self.total[i]), lang, 3),
                interval(float(self.total_low[i]), float(self.total_high[i])),
            )
            for i, name in enumerate(self.names)
        ]
        level = f"{self.confidence:.0%}"
        headers = [
            word("choice", w),
            word("first_order", w),
            word("interval_level", w, level=level),
            word("total_order", w),
            word("interval_level", w, level=level),
        ]
        return table(rows, headers)


def _estimate(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices from the runs (arrays with the N runs on axis -2 and the d inputs on axis -1)."""
    both = np.concatenate([ya, yb], axis=-1)
    variance = both.var(axis=-1, ddof=1)[..., None]
    first_sum = np.mean(yb[..., :, None] * (yab - ya[..., :, None]), axis=-2)
    total_sum = np.mean((ya[..., :, None] - yab) ** 2, axis=-2) / 2.0
    flat = variance <= 1e-300 * np.maximum(1.0, np.abs(both).max(axis=-1, keepdims=True)) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        first = np.where(flat, 0.0, first_sum / np.where(flat, 1.0, variance))
        total = np.where(flat, 0.0, total_sum / np.where(flat, 1.0, variance))
    return first, total, variance[..., 0]


def sobol_indices(
    y: np.ndarray | Sequence[float],
    n: int,
    d: int,
    *,
    names: Sequence[str] | None = None,
    bootstrap: int = 1000,
    confidence: float = 0.9,
    seed: int | np.random.Generator | None = 0,
) -> SobolIndices:
    """First-order and total indices from the N (d + 2) outputs of a ``saltelli_sample`` design.

    ``bootstrap`` resamples the N rows (A, B and every AB_i together) that many times; the interval
    is the central ``confidence`` share of the resampled indices (default 90 %, COINr's 5–95 %).
    """
    whole(n, "n", minimum=2)
    whole(d, "d")
    whole(bootstrap, "bootstrap", minimum=0)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0.0 < confidence < 1.0:
        raise ConfigError(f"confidence must be a share between 0 and 1, got {confidence!r}", path="confidence")
    values = np.asarray(y, dtype=np.float64).reshape(-1)
    if values.size != n * (d + 2):
        raise ConfigError(f"expected N (d + 2) = {n * (d + 2)} outputs for N = {n}, d = {d}, got {values.size}")
    if not np.isfinite(values).all():
        raise ConfigError("every run must give a finite output", hint="drop the runs' missing outputs first")
    labels = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(d))
    if len(labels) != d:
        raise ConfigError(f"expected {d} names, got {len(labels)}", path="names")
    ya, yb, yab = values[:n], values[n : 2 * n], values[2 * n :].reshape(d, n).T
    first, total, variance = _estimate(ya, yb, yab)
    first_low, first_high, total_low, total_high = first.copy(), first.copy(), total.copy(), total.copy()
    if bootstrap:
        rng = _rng(seed)
        tail = (1.0 - float(confidence)) / 2.0 * 100.0
        boot_first, boot_total = [], []
        chunk = max(1, 4_000_000 // max(1, n * (d + 2)))
        for start in range(0, bootstrap, chunk):
            rows = rng.integers(0, n, size=(min(chunk, bootstrap - start), n))
            f, t, _ = _estimate(ya[rows], yb[rows], yab[rows])
            boot_first.append(f)
            boot_total.append(t)
        bf, bt = np.concatenate(boot_first), np.concatenate(boot_total)
        first_low, first_high = np.percentile(bf, [tail, 100.0 - tail], axis=0)
        total_low, total_high = np.percentile(bt, [tail, 100.0 - tail], axis=0)
    return SobolIndices(
        names=labels,
        first=frozen(first),
        total=frozen(total),
        first_low=frozen(first_low),
        first_high=frozen(first_high),
        total_low=frozen(total_low),
        total_high=frozen(total_high),
        variance=float(variance),
        n=n,
        bootstrap=bootstrap,
        confidence=float(confidence),
    )
