"""Data quality before a score is read (the Handbook's step 3; COINr's ``get_stats`` and ``get_data_avail``).

- ``indicator_statistics``: per indicator, its measured raw values (imputed cells left out, since
  they say nothing about the data collected): counts, spread, skew and kurtosis, outlier and
  low-variation flags.
- ``data_availability``: per organisation and period, the share of applicable indicators measured.

Structure checks (correlations, Cronbach's alpha, principal components) are in
``vises.analysis.correlation`` and ``vises.analysis.pca``; docs/analysis.md gives the formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.analysis._common import dimension_of, indicator_codes, measured, none, period_rows
from vises.analysis.words import MISSING, number, stats_word, table
from vises.errors import ConfigError
from vises.numeric import kurtosis, skewness

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = [
    "DataAvailability",
    "IndicatorStat",
    "IndicatorStatistics",
    "data_availability",
    "indicator_statistics",
]

#: COINr's ``get_stats`` thresholds: an outlier column has |skew| > 2 and kurtosis > 3.5; a column
#: whose most frequent value holds more than half of the values hardly varies.
SKEW_THRESHOLD = 2.0
KURTOSIS_THRESHOLD = 3.5
SAME_THRESHOLD = 0.5


def _num(x: float | None, lang: str | None, digits: int = 2) -> str:
    return number(x, lang, digits)


# -- 1. indicator statistics ---------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class IndicatorStat:
    """The measured raw values of one indicator in one period (``period`` None = pooled)."""

    code: str
    label: str
    unit: str | None
    period: str | None
    #: Rows measured (imputed cells are not counted).
    present: int
    #: Missing rows over applicable rows; not-applicable rows over all rows.
    missing_share: float
    not_applicable_share: float
    minimum: float
    maximum: float
    mean: float
    median: float
    sd: float
    skewness: float
    kurtosis: float
    #: COINr's rule: |skewness| > 2 and kurtosis > 3.5.
    outlier: bool
    #: Share of the measured values equal to the most frequent one; above 0.5 is low variation.
    same_share: float
    low_variation: bool

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = none(value)
        return data


@attrs.frozen(kw_only=True)
class IndicatorStatistics:
    """``get_stats`` for a grid: one ``IndicatorStat`` per scored indicator (and period)."""

    by_period: bool
    stats: tuple[IndicatorStat, ...]

    def __len__(self) -> int:
        return len(self.stats)

    def get(self, code: str, period: str | None = None) -> IndicatorStat:
        for stat in self.stats:
            if stat.code == code and stat.period == (None if period is None else str(period)):
                return stat
        raise ConfigError(f"no statistics for {code!r}" + (f" in period {period!r}" if period else ""), indicator=code)

    @property
    def flagged(self) -> tuple[IndicatorStat, ...]:
        """Indicators whose distribution deserves a look (outliers or low variation)."""
        return tuple(s for s in self.stats if s.outlier or s.low_variation)

    def to_records(self) -> list[dict[str, Any]]:
        return [stat.to_dict() for stat in self.stats]

    def table(self, lang: str | None = None) -> str:
        rows = [
            (
                s.code,
                s.period or stats_word("pooled", lang),
                s.present,
                _num(s.missing_share, lang),
                _num(s.not_applicable_share, lang),
                _num(s.minimum, lang),
                _num(s.maximum, lang),
                _num(s.mean, lang),
                _num(s.median, lang),
                _num(s.sd, lang),
                _num(s.skewness, lang),
                _num(s.kurtosis, lang),
                ", ".join(
                    stats_word(k, lang) for k, on in (("outlier", s.outlier), ("low_variation", s.low_variation)) if on
                )
                or MISSING,
            )
            for s in self.stats
        ]
        keys = (
            "indicator",
            "period",
            "present",
            "missing",
            "not_applicable",
            "min",
            "max",
            "mean",
            "median",
            "sd",
            "skewness",
            "kurtosis",
            "flags",
        )
        return table(rows, [stats_word(k, lang) for k in keys])


def _describe(results: Results, code: str, rows: np.ndarray, period: str | None) -> IndicatorStat:
    na = results.not_applicable(code)[rows]
    kept = measured(results, code)[rows]
    values = results.raw(code)[rows][kept]
    applicable = int((~na).sum())
    n = values.size
    nan = math.nan
    if n:
        _, counts = np.unique(values, return_counts=True)
        same = float(counts.max()) / n
    else:
        same = nan
    skew, kurt = skewness(values), kurtosis(values)
    return IndicatorStat(
        code=code,
        label=results.label(code),
        unit=results.unit(code),
        period=period,
        present=n,
        missing_share=(applicable - n) / applicable if applicable else nan,
        not_applicable_share=float(na.sum()) / len(rows) if len(rows) else nan,
        minimum=float(values.min()) if n else nan,
        maximum=float(values.max()) if n else nan,
        mean=float(values.mean()) if n else nan,
        median=float(np.median(values)) if n else nan,
        sd=float(values.std(ddof=1)) if n > 1 else nan,
        skewness=skew,
        kurtosis=kurt,
        outlier=bool(abs(skew) > SKEW_THRESHOLD and kurt > KURTOSIS_THRESHOLD),
        same_share=same,
        low_variation=bool(same > SAME_THRESHOLD),
    )


def indicator_statistics(results: Results, *, by_period: bool = False) -> IndicatorStatistics:
    """Describe every scored indicator's measured raw values, pooled or one row per period.

    Pooled is what COINr does; per period shows whether a collection went wrong one year.
    """
    groups: list[tuple[str | None, np.ndarray]] = (
        [(p, period_rows(results, p)) for p in results.period_values]
        if by_period
        else [(None, period_rows(results, None))]
    )
    stats = tuple(
        _describe(results, code, rows, period) for code in indicator_codes(results) for period, rows in groups
    )
    return IndicatorStatistics(by_period=by_period, stats=stats)


# -- 2. data availability ------------------------------------------------------------------------
@attrs.frozen(kw_only=True, eq=False)
class DataAvailability:
    """Per (organisation, period) row, the share of applicable indicators actually measured.

    ``by_dimension`` gives the same share within each top-level dimension (NaN where none of its
    indicators applies). ``below`` lists the rows under ``threshold``: their scores rest on little.
    """

    threshold: float
    dimensions: tuple[str, ...]
    organisations: np.ndarray
    periods: np.ndarray
    measured: np.ndarray
    applicable: np.ndarray
    share: np.ndarray
    by_dimension: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.organisations)

    @property
    def below(self) -> tuple[tuple[str, str], ...]:
        rows = np.flatnonzero(np.nan_to_num(self.share, nan=0.0) < self.threshold)
        return tuple((str(self.organisations[i]), str(self.periods[i])) for i in rows)

    def to_records(self) -> list[dict[str, Any]]:
        out = []
        for i in range(len(self)):
            record: dict[str, Any] = {
                "organisation": str(self.organisations[i]),
                "period": str(self.periods[i]),
                "measured": int(self.measured[i]),
                "applicable": int(self.applicable[i]),
                "share": none(float(self.share[i])),
            }
            for dim in self.dimensions:
                record[dim] = none(float(self.by_dimension[dim][i]))
            record["below_threshold"] = bool(np.nan_to_num(self.share[i], nan=0.0) < self.threshold)
            out.append(record)
        return out

    def table(self, lang: str | None = None) -> str:
        order = np.lexsort((self.organisations, self.periods))
        rows = [
            (
                self.organisations[i],
                self.periods[i],
                f"{int(self.measured[i])}/{int(self.applicable[i])}",
                _num(self.share[i], lang),
                *(_num(self.by_dimension[d][i], lang) for d in self.dimensions),
                "*" if np.nan_to_num(self.share[i], nan=0.0) < self.threshold else "",
            )
            for i in order
        ]
        headers = [stats_word(k, lang) for k in ("organisation", "period", "measured", "availability")]
        headers += [*self.dimensions, stats_word("below", lang, threshold=_num(self.threshold, lang))]
        return table(rows, headers)


def data_availability(results: Results, *, threshold: float = 0.5) -> DataAvailability:
    """COINr's ``get_data_avail``: not-applicable indicators leave the denominator, imputed ones count as missing."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= float(threshold) <= 1.0:
        raise ConfigError(f"threshold must be a share between 0 and 1, got {threshold!r}", path="threshold")
    codes = indicator_codes(results)
    if not codes:
        raise ConfigError(f"grid {results.grid.code!r} has no scored indicator", path="grid")
    collected = np.column_stack([measured(results, c) for c in codes])
    applicable = np.column_stack([~results.not_applicable(c) for c in codes])
    collected &= applicable

    def share(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m, a = collected[:, columns].sum(axis=1), applicable[:, columns].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return m, a, np.where(a > 0, m / np.maximum(a, 1), np.nan)

    dims = tuple(results.children(results.compiled.root))
    of_code = [dimension_of(results, c) for c in codes]
    by_dimension = {d: share(np.array([o == d for o in of_code], dtype=bool))[2] for d in dims}
    m, a, total = share(np.ones(len(codes), dtype=bool))
    return DataAvailability(
        threshold=float(threshold),
        dimensions=dims,
        organisations=results.organisations,
        periods=results.periods,
        measured=m,
        applicable=a,
        share=total,
        by_dimension=by_dimension,
    )
