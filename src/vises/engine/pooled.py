"""Rates pooled over a network: Σ numerators / Σ denominators, never a mean of the centres' rates.

Sixteen exits among 54 leavers in one centre and 2 among 4 in another make 18 / 58 = 31 % for the
two, not the 40 % a mean of 29.6 % and 50 % would claim. ``pooled_rate`` sums a rate's numerator
and denominator over the rows of each group (each period by default, or any labels such as a
region), once per group with ``np.bincount``, and converts the pooled ratio into the rate's unit
with the same factor the rate itself uses. Rows count where both the numerator and the
denominator are known. ``pool`` is the kernel on plain arrays, for callers with their own rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.errors import ConfigError
from vises.model import Kind

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


@attrs.frozen(kw_only=True, eq=False)
class PooledRate:
    """One rate pooled per group: the sums, the pooled value in the rate's unit, how many rows each pools.

    ``low``/``high`` are the Wilson interval of a proportion rate (NaN otherwise).
    """

    code: str
    unit: str | None
    groups: tuple[str, ...]
    numerator: np.ndarray
    denominator: np.ndarray
    value: np.ndarray
    rows: np.ndarray
    low: np.ndarray
    high: np.ndarray
    proportion: bool

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per group (``None`` for a missing number)."""

        def plain(x: float) -> float | None:
            return None if np.isnan(x) else float(x)

        return [
            {
                "group": group,
                "numerator": plain(self.numerator[i]),
                "denominator": plain(self.denominator[i]),
                "value": plain(self.value[i]),
                "rows": int(self.rows[i]),
                "low": plain(self.low[i]),
                "high": plain(self.high[i]),
            }
            for i, group in enumerate(self.groups)
        ]


def pool(
    numerator: np.ndarray, denominator: np.ndarray, groups: np.ndarray, count: int, factor: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Σ numerator, Σ denominator, the pooled ratio × ``factor`` and the rows pooled, per group code 0..count-1.

    ``groups`` holds each row's group code (``-1``: left out). A group whose denominators sum to 0
    (or that pools no row) has no ratio (NaN).
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    codes = np.asarray(groups, dtype=np.intp)
    used = np.isfinite(num) & np.isfinite(den) & (codes >= 0)
    top = np.bincount(codes[used], weights=num[used], minlength=count)[:count]
    bottom = np.bincount(codes[used], weights=den[used], minlength=count)[:count]
    rows = np.bincount(codes[used], minlength=count)[:count]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where((bottom > 0) & (rows > 0), top / np.where(bottom > 0, bottom, 1.0) * factor, np.nan)
    top = np.where(rows > 0, top, np.nan)
    bottom = np.where(rows > 0, bottom, np.nan)
    return top, bottom, value, rows


def pooled_rate(
    results: Results,
    code: str,
    *,
    groups: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> PooledRate:
    """Pool the rate ``code`` of ``results`` per period (or per label of ``groups``, one per row).

    ``rows`` (a boolean mask or row indices) restricts the rows pooled, e.g. to the organisations a
    report may disclose. Raises ``ConfigError`` when ``code`` is not a rate of the grid.
    """
    from vises.validation.formulas import derivations

    grid = results.grid
    indicator = grid.index.indicator_by_code.get(code)
    if indicator is None or indicator.kind is not Kind.RATE:
        rates = [ind.code for ind in grid.indicators if ind.kind is Kind.RATE]
        raise ConfigError(
            f"{code!r} is not a rate of grid {grid.code!r}: only a rate has a numerator and a denominator to pool",
            hint=f"its rates: {', '.join(rates) or 'none'}",
        )
    derivation = next((d for d in derivations(grid) if d.code == code), None)
    if derivation is None:  # pragma: no cover - a grid that scored has every derivation
        raise ConfigError(f"rate {code!r} has no valid derivation", indicator=code)
    if groups is None:
        labels = tuple(results.period_values)
        codes = np.asarray(results.period_codes, dtype=np.intp).copy()
    else:
        given = np.asarray(groups).astype(str)
        if len(given) != len(results):
            raise ConfigError(f"groups has {len(given)} labels for {len(results)} rows")
        distinct, inverse = np.unique(given, return_inverse=True)
        labels = tuple(str(label) for label in distinct.tolist())
        codes = inverse.reshape(-1).astype(np.intp)
    if rows is not None:
        chosen = np.zeros(len(results), dtype=bool)
        chosen[np.asarray(rows)] = True
        codes = np.where(chosen, codes, -1)
    assert indicator.numerator is not None and indicator.denominator is not None
    top, bottom, value, counted = pool(
        results.raw(indicator.numerator), results.raw(indicator.denominator), codes, len(labels), derivation.factor
    )
    low = high = np.full(len(labels), np.nan)
    if derivation.proportion:
        from vises.engine.evidence import fraction_factor
        from vises.intervals import wilson

        fraction = fraction_factor(indicator.unit) or 1.0
        lo, hi = wilson(top, bottom, grid.evidence.confidence)
        low, high = lo / fraction, hi / fraction
    return PooledRate(
        code=code,
        unit=indicator.unit,
        groups=labels,
        numerator=top,
        denominator=bottom,
        value=value,
        rows=counted,
        low=low,
        high=high,
        proportion=derivation.proportion,
    )


def rate_codes(results: Results) -> tuple[str, ...]:
    """The rates of the grid, in grid order (the ones ``pooled_rate`` can pool)."""
    return tuple(ind.code for ind in results.grid.indicators if ind.kind is Kind.RATE)


__all__ = ["PooledRate", "pool", "pooled_rate", "rate_codes"]
