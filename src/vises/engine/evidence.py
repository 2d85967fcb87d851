"""The evidence of each indicator in the results: n, source, verified, and the interval of the value.

``evidence_of(results, code)`` reads what the dataset carried (``Dataset.evidence``: given in the
file, collected from records, filled in a template) and adds what follows from the grid: a rate
whose numerator and denominator count the same thing (exits over leavers) is a share of its
denominator, so its ``n`` is the denominator. Where the value is an estimate it gets an interval
at the grid's confidence — Wilson for shares (a records or survey share, a proportion rate, a
value in percent given with its ``n``), Student's t for means (a mean given with its ``n`` and
``sd``) — in the indicator's own unit, and every value from fewer than the grid's ``small_n``
answers is flagged. All of it is whole-column numpy, computed once per indicator and cached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from vises.model import Indicator, Kind
from vises.model.evidence import MEAN_STATISTICS, SHARE_STATISTICS, Evidence

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


@attrs.frozen(kw_only=True, eq=False)
class EvidenceColumn:
    """One indicator's evidence in every row of the results (``None`` fields: not given at all).

    ``low``/``high`` bound the value's interval in the indicator's unit (NaN where it has none);
    ``interval`` says which: ``"wilson"`` (a share), ``"t"`` (a mean) or ``None``. ``small`` marks
    the rows with fewer than the grid's ``small_n`` answers.
    """

    code: str
    n: np.ndarray | None
    source: np.ndarray | None
    verified: np.ndarray | None
    sd: np.ndarray | None
    low: np.ndarray
    high: np.ndarray
    interval: str | None
    small: np.ndarray
    statistic: str | None

    @property
    def given(self) -> bool:
        """Whether any evidence at all backs this indicator."""
        return self.n is not None or self.source is not None or self.verified is not None


def fraction_factor(unit: str | None) -> float | None:
    """The factor from ``unit`` to a fraction (percent → 0.01), or ``None`` when it is not a share's unit."""
    from vises import units

    if not unit or not str(unit).strip():
        return None  # a number without a unit may count anything: it is not taken for a share
    try:
        parsed = units.parse_unit(unit)
        if parsed.dimensionality:
            return None
        return float(units.registry().Quantity(1.0, parsed).to("dimensionless").magnitude)
    except Exception:
        return None


def evidence_of(results: Results, code: str) -> EvidenceColumn:
    """The evidence of ``code`` (an indicator: scored, context or derived) in every row of ``results``."""
    grid = results.grid
    indicator = grid.indicator(code)
    given = results.dataset.evidence.get(code) or Evidence()
    size = len(results)
    n = None if given.n is None else np.asarray(given.n, dtype=np.float64)
    raw = results.raw(code) if indicator.kind is not Kind.NARRATIVE else np.full(size, np.nan)
    statistic = given.statistic
    interval: str | None = None
    low = np.full(size, np.nan)
    high = np.full(size, np.nan)
    share_factor = fraction_factor(indicator.unit) if indicator.is_number else None

    proportion = _proportion(results, indicator)
    if proportion is not None:
        denominator = proportion
        n = denominator if n is None else np.where(np.isnan(n), denominator, n)
        statistic = statistic or "rate"
    # A value given with its sd is a mean (t interval), even in percent; otherwise a share in percent is a share.
    as_share = statistic in SHARE_STATISTICS or statistic == "rate" or (statistic is None and given.sd is None)
    if share_factor is not None and n is not None and as_share:
        from vises.intervals import wilson

        successes = raw * share_factor * n
        lo, hi = wilson(successes, n, grid.evidence.confidence)
        low, high, interval = lo / share_factor, hi / share_factor, "wilson"
    elif n is not None and given.sd is not None and (statistic in MEAN_STATISTICS or statistic is None):
        from vises.intervals import t_interval

        low, high = t_interval(raw, np.asarray(given.sd, dtype=np.float64), n, grid.evidence.confidence)
        interval = "t"
    if interval is not None:
        missing = np.isnan(raw) | results.imputed(code) if code in results.codes else np.isnan(raw)
        low = np.where(missing, np.nan, low)
        high = np.where(missing, np.nan, high)
    with np.errstate(invalid="ignore"):
        small = np.zeros(size, dtype=bool) if n is None else np.asarray(n < grid.evidence.small_n, dtype=bool)
    source = given.source
    if source is None and indicator.kind is Kind.RATE and indicator.numerator is not None:
        # A rate computed from collected counts comes from where they come from (the register).
        counted = results.dataset.evidence.get(indicator.numerator)
        source = None if counted is None else counted.source
    return EvidenceColumn(
        code=code,
        n=n,
        source=source,
        verified=given.verified,
        sd=given.sd,
        low=low,
        high=high,
        interval=interval,
        small=small,
        statistic=statistic,
    )


def _proportion(results: Results, indicator: Indicator) -> np.ndarray | None:
    """A proportion rate's denominator (its sample size), or ``None``."""
    if indicator.kind is not Kind.RATE:
        return None
    from vises.validation.formulas import derivations

    for derivation in derivations(results.grid):
        if derivation.code == indicator.code:
            if derivation.proportion and indicator.denominator is not None:
                return np.asarray(results.raw(indicator.denominator), dtype=np.float64)
            return None
    return None


def has_evidence(results: Results) -> bool:
    """Whether any indicator of the results carries evidence (given, collected or a proportion rate)."""
    if results.dataset.evidence:
        return True
    return any(ind.kind is Kind.RATE for ind in results.grid.indicators)


__all__ = ["EvidenceColumn", "evidence_of", "fraction_factor", "has_evidence"]
