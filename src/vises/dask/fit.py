"""From merged statistics to fitted parameters, by the methods' own ``fit`` functions.

Each fit runs the method's own code on the smallest column that gives it the same answer as the
whole one: ``[min, max]`` for the min-max family, fraction of max, the log and Box-Cox shifts;
the reference organisation's rows for distance to a reference; one value per key (its merged mean)
for mean imputation; the gathered values for the medians and the treatments that need every
value; an empty column for methods whose parameters come from the grid. The z-score's mean and
standard deviation come from the merged moments (Chan et al.), the rest of its fitted dict from
its own fit. Pooled or per period exactly as ``vises.engine.stages`` decides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from vises.contract.records import FitContext, ImputeContext
from vises.dask.stats import Bounds, Gathered, Keyed, Moments, Rows, Sums
from vises.dask.support import Need, StagePlan
from vises.engine.compile import CompiledIndicator
from vises.errors import VisesError
from vises.model import Pooling

_SEP = "\x1f"
_EMPTY = np.empty(0, dtype=np.float64)


def _context(item: CompiledIndicator, organisations: Sequence[str] = (), periods: Sequence[str] = ()) -> FitContext:
    return FitContext(
        indicator=item.indicator,
        organisations=np.asarray(list(organisations), dtype=object).astype(str),
        periods=np.asarray(list(periods), dtype=object).astype(str),
    )


def _bounds_column(partial: Any) -> np.ndarray:
    if partial is None or partial.count == 0:
        return _EMPTY
    return np.array([partial.low, partial.high], dtype=np.float64)


def _surrogate(plan: StagePlan, partial: Any, period: str | None) -> tuple[np.ndarray, Sequence[str], Sequence[str]]:
    """The column (and its organisations and periods) the method's fit is run on."""
    need = plan.need
    if need is Need.NOTHING or partial is None:
        return _EMPTY, (), ()
    if need is Need.BOUNDS:
        column = _bounds_column(partial)
        return column, [""] * len(column), [period or ""] * len(column)
    if need is Need.MOMENTS:
        assert isinstance(partial, Moments)
        column = np.full(min(partial.count, 2), partial.mean)
        return column, [""] * len(column), [period or ""] * len(column)
    if need is Need.GATHER:
        assert isinstance(partial, Gathered)
        return partial.values, [""] * len(partial.values), [period or ""] * len(partial.values)
    if need is Need.REFERENCE:
        assert isinstance(partial, Rows)
        rows = np.ones(len(partial.values), dtype=bool) if period is None else partial.periods == period
        organisation = str(plan.method.params.get("organisation"))
        values = partial.values[rows]
        return values, [organisation] * len(values), partial.periods[rows].tolist()
    raise AssertionError(f"no surrogate for {need}")  # pragma: no cover


def _fit_normaliser(item: CompiledIndicator, plan: StagePlan, partial: Any, period: str | None) -> dict[str, Any]:
    values, organisations, periods = _surrogate(plan, partial, period)
    try:
        fitted = dict(
            item.spec.fit(
                values,
                direction=item.direction,
                params=item.method.params,
                context=_context(item, organisations, periods),
            )
        )
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc
    if plan.need is Need.MOMENTS and isinstance(partial, Moments) and partial.count >= 2:
        fitted["data_mean"] = float(partial.mean)
        fitted["data_sd"] = math.sqrt(partial.m2 / (partial.count - 1))
    return fitted


def _fit_treatment(item: CompiledIndicator, plan: StagePlan, partial: Any, period: str | None) -> dict[str, Any]:
    spec = item.treater
    assert spec is not None and item.treatment is not None
    values, organisations, periods = _surrogate(plan, partial, period)
    try:
        return dict(spec.fit(values, params=item.treatment.params, context=_context(item, organisations, periods)))
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc


def _merged(keyed: Keyed) -> Any:
    """The pooled statistics of statistics kept per period (the data turned out to have one period)."""
    parts = list(keyed.values())
    if not parts:
        return None
    out = parts[0]
    for other in parts[1:]:
        out = out.merge(other)
    return out


def fit_pooled_or_per_period(
    item: CompiledIndicator,
    plan: StagePlan,
    keyed: Keyed,
    period_values: Sequence[str],
    pooling: Pooling,
    *,
    fit: Any,
    data_dependent: bool = True,
) -> dict[str, Any]:
    """Pooled, or ``{"per_period": ...}`` for every period: ``vises.engine.stages``'s rule."""
    if pooling is Pooling.POOLED or not data_dependent or len(period_values) == 1:
        if plan.need is Need.REFERENCE:
            return dict(fit(item, plan, keyed.get(""), None))
        return dict(fit(item, plan, _merged(keyed) if plan.by_period else keyed.get(""), None))
    if plan.need is Need.REFERENCE:
        return {"per_period": {str(p): fit(item, plan, keyed.get(""), str(p)) for p in period_values}}
    return {"per_period": {str(p): fit(item, plan, keyed.get(str(p)), str(p)) for p in period_values}}


def fit_normaliser(
    item: CompiledIndicator, plan: StagePlan, keyed: Keyed, period_values: Sequence[str], pooling: Pooling
) -> dict[str, Any]:
    return fit_pooled_or_per_period(
        item, plan, keyed, period_values, pooling, fit=_fit_normaliser, data_dependent=item.spec.data_dependent
    )


def fit_treatment(
    item: CompiledIndicator, plan: StagePlan, keyed: Keyed, period_values: Sequence[str], pooling: Pooling
) -> dict[str, Any]:
    return fit_pooled_or_per_period(item, plan, keyed, period_values, pooling, fit=_fit_treatment)


def fit_imputation(
    item: CompiledIndicator, plan: StagePlan, keyed: Keyed, directions: Mapping[str, int]
) -> dict[str, Any]:
    """The imputer's fit on one value per key (merged means), the gathered values (medians), or the
    family's bounds (row imputation); never on more than the statistics say."""
    spec, method = item.imputer, item.imputation
    assert spec is not None and method is not None
    group = method.params.get("group")
    values: np.ndarray
    periods: list[str] = []
    groups: list[str] = []
    siblings: dict[str, np.ndarray] = {}
    sibling_directions: dict[str, int] = {}
    if plan.need is Need.KEY_SUMS:
        keys = sorted(keyed)
        values = np.array([keyed[k].total / keyed[k].count for k in keys if isinstance(keyed[k], Sums)])
        periods, groups = _split(keys)
    elif plan.need is Need.KEY_GATHER:
        keys = sorted(keyed)
        values = np.concatenate([keyed[k].values for k in keys]) if keys else _EMPTY
        sizes = [len(keyed[k].values) for k in keys]
        key_periods, key_groups = _split(keys)
        periods = [p for p, size in zip(key_periods, sizes, strict=True) for _ in range(size)]
        groups = [g for g, size in zip(key_groups, sizes, strict=True) for _ in range(size)]
    elif plan.need is Need.FAMILY_BOUNDS:
        values = _bounds_pair(keyed.get(item.code))
        for code, bounds in keyed.items():
            if code != item.code:
                siblings[code] = _bounds_pair(bounds)
                sibling_directions[code] = directions[code]
        periods = [""] * 2
    else:
        values = _EMPTY
    n = len(values)
    context = ImputeContext(
        indicator=item.indicator,
        organisations=np.full(n, "", dtype=object).astype(str),
        periods=np.asarray(periods or [""] * n, dtype=object).astype(str),
        attributes={group: np.asarray(groups, dtype=object)} if isinstance(group, str) else {},
        siblings=siblings,
        sibling_directions=sibling_directions,
    )
    try:
        return dict(spec.fit(values, params=method.params, context=context))
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc


def _bounds_pair(bounds: Bounds | None) -> np.ndarray:
    if bounds is None or bounds.count == 0:
        return np.full(2, np.nan)
    return np.array([bounds.low, bounds.high])


def _split(keys: Sequence[str]) -> tuple[list[str], list[str]]:
    periods, groups = [], []
    for key in keys:
        period, _, group = key.partition(_SEP)
        periods.append(period)
        groups.append(group)
    return periods, groups


__all__ = ["fit_imputation", "fit_normaliser", "fit_treatment"]
