"""Partial statistics of one partition, and how two of them merge into the statistics of both.

Each kind answers one ``Need`` of ``support``: bounds (count, min, max), moments (count, mean and
sum of squared deviations, merged with Chan et al.'s pairwise formula, so the variance never comes
from a difference of large sums), the reference organisation's rows, gathered present values
(bounded by ``VISES_DASK_MAX_GATHERED``), and count and sum per imputation key. Merging is
associative, so dask may combine the partitions in any tree.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from vises.errors import ConfigError, MethodError

#: Present values one gathered fit may bring to a worker (8 bytes each), unless the environment says otherwise.
DEFAULT_MAX_GATHERED = 50_000_000


def max_gathered() -> int:
    """``VISES_DASK_MAX_GATHERED`` (a whole number of values), else ``DEFAULT_MAX_GATHERED``."""
    text = os.environ.get("VISES_DASK_MAX_GATHERED")
    if text is None or not text.strip():
        return DEFAULT_MAX_GATHERED
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 1:
        raise ConfigError(
            f"VISES_DASK_MAX_GATHERED must be a whole number >= 1, got {text!r}",
            hint="unset it to use the default (50,000,000 values)",
        )
    return value


@attrs.frozen
class Bounds:
    count: int
    low: float
    high: float

    @staticmethod
    def of(values: np.ndarray) -> Bounds:
        present = values[~np.isnan(values)]
        if not present.size:
            return Bounds(0, np.nan, np.nan)
        return Bounds(int(present.size), float(present.min()), float(present.max()))

    def merge(self, other: Bounds) -> Bounds:
        return Bounds(
            self.count + other.count, float(np.fmin(self.low, other.low)), float(np.fmax(self.high, other.high))
        )


@attrs.frozen
class Moments:
    count: int
    mean: float
    m2: float

    @staticmethod
    def of(values: np.ndarray) -> Moments:
        present = values[~np.isnan(values)]
        if not present.size:
            return Moments(0, 0.0, 0.0)
        mean = present.mean()
        deviation = present - mean
        return Moments(int(present.size), float(mean), float((deviation * deviation).sum()))

    def merge(self, other: Moments) -> Moments:
        if not other.count:
            return self
        if not self.count:
            return other
        n = self.count + other.count
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.count / n)
        m2 = self.m2 + other.m2 + delta * delta * (self.count * other.count / n)
        return Moments(n, mean, m2)


@attrs.frozen
class Rows:
    """Values and period labels of some rows (the reference organisation's)."""

    values: np.ndarray
    periods: np.ndarray

    def merge(self, other: Rows) -> Rows:
        return Rows(np.concatenate([self.values, other.values]), np.concatenate([self.periods, other.periods]))


@attrs.frozen
class Gathered:
    """Present values brought together for a fit that needs them all."""

    values: np.ndarray
    what: str

    def merge(self, other: Gathered) -> Gathered:
        size = len(self.values) + len(other.values)
        limit = max_gathered()
        if size > limit:
            raise MethodError(
                f"{self.what} needs every present value on one worker, more than the limit of {limit:,} values",
                hint="raise VISES_DASK_MAX_GATHERED (8 bytes a value on the worker that fits), or use a method "
                "fitted from merged statistics (clip with fixed bounds, minmax, zscore); see docs/dask.md",
            )
        return Gathered(np.concatenate([self.values, other.values]), self.what)


@attrs.frozen
class Sums:
    count: int
    total: float

    def merge(self, other: Sums) -> Sums:
        return Sums(self.count + other.count, self.total + other.total)


Partial = Bounds | Moments | Rows | Gathered | Sums

#: Statistics of one stage of one indicator: key (a period, "" when pooled, an imputation key or
#: a family member's code) -> partial statistics.
Keyed = dict[str, Any]


def merge_keyed(a: Mapping[str, Any], b: Mapping[str, Any]) -> Keyed:
    out: Keyed = dict(a)
    for key, value in b.items():
        mine = out.get(key)
        out[key] = value if mine is None else mine.merge(value)
    return out


__all__ = [
    "DEFAULT_MAX_GATHERED",
    "Bounds",
    "Gathered",
    "Keyed",
    "Moments",
    "Partial",
    "Rows",
    "Sums",
    "max_gathered",
    "merge_keyed",
]
