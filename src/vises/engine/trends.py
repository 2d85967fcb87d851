"""Trends across periods (COINr's ``get_trends``): how each organisation moves on each node.

The computation lives in the engine so that reports (a profile's progress) and ``vises.analysis.trends``
(which adds a plain-text table) share it.

For every organisation and code, over the periods with a value (periods read as numbers, e.g.
years; ``x``), in time order:

- ``cagr``: the compound annual growth rate between the first and the last value,
  (y_last / y_first)^(1 / (x_last − x_first)) − 1; 0 when both are equal (COINr's ``CAGR``); NaN
  when the first value is 0 or the two have opposite signs (no growth rate exists);
- ``slope``: the least-squares slope of y on x, in units per period unit;
- ``percent``: COINr's ``prc_change``: the percentage change per period unit, from the first and last
  value with two points, else from the regression line, 100 · b / (a + b · x_first); 0 for a flat series.

At least two values are needed. ``latest = L`` uses only the organisation's last L rows ending at
its latest value (NaN when it has fewer), as COINr's ``use_latest``. Everything is computed on an
(organisation × period) matrix at once, one per code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import numpy as np

from vises.engine.arrays import frozen, none, whole
from vises.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["METHODS", "TrendTable", "numeric_periods", "trend_of", "trend_table"]

METHODS = ("cagr", "slope", "percent")


@attrs.frozen(kw_only=True, eq=False)
class TrendTable:
    """One trend per (organisation, code): ``values[i, j]`` for ``organisations[i]`` and ``codes[j]``.

    ``first``/``last`` are the periods of the first and last value used, ``points`` how many values
    the trend rests on (below 2 the trend is NaN).
    """

    method: str
    use: str
    latest: int | None
    organisations: np.ndarray
    codes: tuple[str, ...]
    values: np.ndarray
    first: np.ndarray
    last: np.ndarray
    points: np.ndarray

    def get(self, organisation: str, code: str) -> float:
        rows = np.flatnonzero(self.organisations == str(organisation))
        if not rows.size:
            raise ConfigError(f"organisation {organisation!r} is not in the trends")
        if code not in self.codes:
            raise ConfigError(f"{code!r} is not in the trends", hint=f"codes: {', '.join(self.codes)}")
        return float(self.values[rows[0], self.codes.index(code)])

    def to_records(self) -> list[dict[str, Any]]:
        out = []
        for i, organisation in enumerate(self.organisations.tolist()):
            for j, code in enumerate(self.codes):
                out.append(
                    {
                        "organisation": organisation,
                        "code": code,
                        self.method: none(float(self.values[i, j])),
                        "first_period": self.first[i, j] or None,
                        "last_period": self.last[i, j] or None,
                        "points": int(self.points[i, j]),
                    }
                )
        return out


T = TypeVar("T", bound=TrendTable)


def _series(
    results: Results, code: str, use: str, row_of: np.ndarray, col_of: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    values = results.raw(code) if use == "raw" else results.score(code)
    matrix = np.full(shape, np.nan)
    matrix[row_of, col_of] = values
    return matrix


def trend_of(y: np.ndarray, x: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The trend of every row of y (n, p) over the times x (p,); NaN marks a missing value."""
    ok = ~np.isnan(y)
    count = ok.sum(axis=1)
    p = y.shape[1]
    first_at = np.where(ok.any(axis=1), np.argmax(ok, axis=1), 0)
    last_at = np.where(ok.any(axis=1), p - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    rows = np.arange(y.shape[0])
    y_first, y_last = y[rows, first_at], y[rows, last_at]
    x_first, x_last = x[first_at], x[last_at]
    xs = np.where(ok, x[None, :], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x = xs.sum(axis=1) / count
        mean_y = np.where(ok, y, 0.0).sum(axis=1) / count
        dx = np.where(ok, x[None, :] - mean_x[:, None], 0.0)
        dy = np.where(ok, y - mean_y[:, None], 0.0)
        slope = (dx * dy).sum(axis=1) / (dx * dx).sum(axis=1)
        if method == "cagr":
            ratio = y_last / y_first
            growth = np.where(ratio > 0, ratio ** (1.0 / (x_last - x_first)) - 1.0, np.nan)
            out = np.where(y_last == y_first, 0.0, growth)
        elif method == "slope":
            out = slope
        else:
            two = ((y_last - y_first) * 100.0 / y_first) / (x_last - x_first)
            fitted_first = (mean_y - slope * mean_x) + slope * x_first
            regression = slope / fitted_first * 100.0
            flat = np.nanmax(np.where(ok, y, -np.inf), axis=1) == np.nanmin(np.where(ok, y, np.inf), axis=1)
            out = np.where(flat, 0.0, np.where(count < 3, two, regression))
    out = np.where((count >= 2) & np.isfinite(out), out, np.nan)
    return out, first_at, last_at, count


def numeric_periods(results: Results) -> bool:
    """Whether every period reads as a number (years), the condition of a trend."""
    try:
        np.asarray(results.period_values).astype(np.float64)
    except ValueError:
        return False
    return True


def trend_table(
    results: Results,
    codes: Iterable[str] | None = None,
    *,
    method: str = "cagr",
    use: str = "scores",
    latest: int | None = None,
    kind: type[T] = TrendTable,  # type: ignore[assignment]
) -> T:
    """The trend of each organisation on each of ``codes`` (default: every scored node) over the periods.

    ``use="scores"`` follows the scores; ``"raw"`` an indicator's raw values (indicators only).
    ``kind`` is the class built (``vises.analysis.Trends`` adds a table).
    """
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}", path="method")
    if use not in ("scores", "raw"):
        raise ConfigError(f"use must be 'scores' or 'raw', got {use!r}", path="use")
    if latest is not None:
        whole(latest, "latest", minimum=2)
    chosen = tuple(results.codes if codes is None else dict.fromkeys(str(c) for c in codes))
    for code in chosen:
        if code not in results.codes:
            raise ConfigError(f"{code!r} is not a scored node of grid {results.grid.code!r}", path="codes")
        if use == "raw" and not results.is_indicator(code):
            raise ConfigError(f"{code!r} is an aggregate; raw values exist for indicators only", path="codes")
    periods = np.asarray(results.period_values)
    try:
        times = periods.astype(np.float64)
    except ValueError:
        raise DataError(
            f"trends need periods that are numbers (years), got {', '.join(map(repr, periods.tolist()[:3]))}",
            hint="name periods by year (2021, 2022, ...)",
        ) from None
    order = np.argsort(times, kind="stable")
    times, periods = times[order], periods[order]
    organisations, row_of = np.unique(results.organisations, return_inverse=True)
    col_of = _position(periods, results.periods)
    shape = (len(organisations), len(periods))
    exists = np.zeros(shape, dtype=bool)
    exists[row_of, col_of] = True
    values = np.full((shape[0], len(chosen)), np.nan)
    first = np.full((shape[0], len(chosen)), "", dtype=object)
    last = np.full((shape[0], len(chosen)), "", dtype=object)
    points = np.zeros((shape[0], len(chosen)), dtype=np.int64)
    for j, code in enumerate(chosen):
        y = _series(results, code, use, row_of, col_of, shape)
        if latest is not None:
            y = _latest(y, exists, latest)
        out, first_at, last_at, count = trend_of(y, times, method)
        values[:, j] = out
        points[:, j] = count
        has = count > 0
        first[has, j] = periods[first_at[has]]
        last[has, j] = periods[last_at[has]]
    return kind(
        method=method,
        use=use,
        latest=latest,
        organisations=frozen(organisations.astype(str)),
        codes=chosen,
        values=frozen(values),
        first=frozen(first),
        last=frozen(last),
        points=frozen(points),
    )


def _position(sorted_periods: np.ndarray, periods: np.ndarray) -> np.ndarray:
    index = {str(p): i for i, p in enumerate(sorted_periods.tolist())}
    distinct, inverse = np.unique(periods.astype(str), return_inverse=True)
    return np.array([index[str(p)] for p in distinct.tolist()], dtype=np.intp)[inverse.reshape(-1)]


def _latest(y: np.ndarray, exists: np.ndarray, latest: int) -> np.ndarray:
    """Keep each organisation's last ``latest`` rows ending at its latest value; all NaN when it has fewer."""
    position = np.cumsum(exists, axis=1)  # 1-based position among the organisation's own rows
    ok = ~np.isnan(y)
    has = ok.any(axis=1)
    last_at = np.where(has, y.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    end = position[np.arange(y.shape[0]), last_at]
    start = end - latest + 1
    window = exists & (position >= start[:, None]) & (position <= end[:, None])
    window &= (start >= 1)[:, None] & has[:, None]
    return np.where(window, y, np.nan)
