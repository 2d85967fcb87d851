"""Which methods a Dask run can fit, and what each needs from the data: said up front, never silently different.

A method runs on Dask when its fitted parameters can be computed from statistics merged across
partitions (min and max, count, mean and sum of squares, sums by group, the rows of one reference
organisation), from nothing at all (parameters from the grid), or — for a few treatments and the
medians — from the indicator's present values brought to one worker, where the engine's own fit
runs on them (bounded by ``VISES_DASK_MAX_GATHERED``). Everything else is refused before any work,
naming the indicator or node and the method, every refusal at once.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from vises.engine.compile import CompiledGrid, CompiledIndicator
from vises.errors import MethodError, VisesError
from vises.model import Method, Pooling


class Need(enum.Enum):
    """What a stage's fit needs from the data."""

    NOTHING = "nothing"  #: parameters from the grid only: the fit runs on an empty column
    BOUNDS = "bounds"  #: count, minimum, maximum
    MOMENTS = "moments"  #: count, mean, sum of squared deviations (and the bounds)
    REFERENCE = "reference"  #: the rows of the reference organisation (values and periods)
    GATHER = "gather"  #: every present value, brought to one worker (exact, memory-bounded)
    KEY_SUMS = "key_sums"  #: count and sum per imputation key (period, group)
    KEY_GATHER = "key_gather"  #: present values per imputation key (exact medians)
    FAMILY_BOUNDS = "family_bounds"  #: raw minimum and maximum of the node's indicators (row imputation)


class Stage(enum.IntEnum):
    """The per-indicator stages with parameters to fit, in the engine's order."""

    IMPUTE = 0
    TREAT = 1
    NORMALISE = 2


@attrs.frozen(kw_only=True)
class StagePlan:
    """One indicator's stage: the method, what its fit needs, and whether it is fitted per period."""

    stage: Stage
    method: Method
    need: Need
    #: Statistics keyed by period (the grid or call asks per period and the method depends on the data).
    by_period: bool = False


#: Built-in normalisers and what their fit reads; the rank family keeps the whole sorted column.
_NORMALISERS: Mapping[str, Need] = {
    "minmax": Need.BOUNDS,
    "distance_to_max": Need.BOUNDS,
    "fraction_of_max": Need.BOUNDS,
    "zscore": Need.MOMENTS,
    "distance_to_reference": Need.REFERENCE,
}
_NOT_NORMALISERS: Mapping[str, str] = {
    name: "its fit keeps every value of the column, sorted, to rank new values against (use minmax or zscore)"
    for name in ("rank", "percentile_rank", "borda")
}
_IMPUTERS: Mapping[str, Need] = {
    "mean": Need.KEY_SUMS,
    "group_mean": Need.KEY_SUMS,
    "median": Need.KEY_GATHER,
    "group_median": Need.KEY_GATHER,
    "row": Need.FAMILY_BOUNDS,
    "none": Need.NOTHING,
}
_NOT_IMPUTERS: Mapping[str, str] = {
    name: "it reads each organisation's earlier rows, which may lie in other partitions"
    for name in ("previous", "linear", "constant")
}


def _treatment_need(method: Method) -> Need | None:
    name, params = method.name, method.params
    if name in ("winsorise",):
        return Need.GATHER
    if name == "clip":
        quantiles = params.get("lower_quantile") is not None or params.get("upper_quantile") is not None
        return Need.GATHER if quantiles else Need.NOTHING
    if name == "log":
        return Need.BOUNDS if params.get("form", "shift1") == "shift1" else Need.GATHER
    if name == "boxcox":
        return Need.BOUNDS
    if name == "none":
        return Need.NOTHING
    return None


def _builtin(plugin: str | None) -> bool:
    return plugin in (None, "vises")


def plan_indicator(item: CompiledIndicator, pooling: Pooling, problems: list[VisesError]) -> tuple[StagePlan, ...]:
    """The stages of one indicator that fit parameters, or the refusals added to ``problems``."""
    plans: list[StagePlan] = []
    per_period = pooling is Pooling.PER_PERIOD
    if item.imputer is not None and item.imputation is not None:
        name = item.imputation.name
        need = _IMPUTERS.get(name) if _builtin(item.imputer.plugin) else None
        if need is None:
            problems.append(_refusal("imputer", item.imputation, item.code, _NOT_IMPUTERS.get(name)))
        else:
            plans.append(StagePlan(stage=Stage.IMPUTE, method=item.imputation, need=need))
    if item.treater is not None and item.treatment is not None:
        need = _treatment_need(item.treatment) if _builtin(item.treater.plugin) else None
        if need is None:
            problems.append(_refusal("treatment", item.treatment, item.code, None))
        else:
            plans.append(StagePlan(stage=Stage.TREAT, method=item.treatment, need=need, by_period=per_period))
    spec = item.spec
    if not spec.data_dependent:
        plans.append(StagePlan(stage=Stage.NORMALISE, method=item.method, need=Need.NOTHING))
    else:
        need = _NORMALISERS.get(item.method.name) if _builtin(spec.plugin) else None
        if need is None:
            problems.append(_refusal("normaliser", item.method, item.code, _NOT_NORMALISERS.get(item.method.name)))
        else:
            plans.append(StagePlan(stage=Stage.NORMALISE, method=item.method, need=need, by_period=per_period))
    return tuple(plans)


def _refusal(kind: str, method: Method, code: str, why: str | None) -> MethodError:
    reason = why or "its fit has no form computed from statistics merged across partitions"
    return MethodError(
        f"{kind} {method.describe()!r} is not supported on Dask: {reason}",
        indicator=code,
        hint="score this data in memory (vises.score), or choose a method docs/dask.md lists as supported",
    )


def plan_grid(compiled: CompiledGrid, pooling: Pooling, *, fitting: bool = True) -> dict[str, tuple[StagePlan, ...]]:
    """Every indicator's stages; every method Dask cannot run is refused at once (one ``MethodError``
    per indicator or node, raised together).

    With ``fitting=False`` (scoring against a reference: nothing is fitted) only what cannot be
    applied one partition at a time is refused: imputers reading an organisation's earlier rows and
    aggregators comparing rows.
    """
    from vises.errors import GridValidationError

    problems: list[VisesError] = []
    if fitting:
        plans = {item.code: plan_indicator(item, pooling, problems) for item in compiled.indicators}
    else:
        plans = {item.code: () for item in compiled.indicators}
        for item in compiled.indicators:
            if item.imputation is not None and item.imputation.name in _NOT_IMPUTERS:
                problems.append(_refusal("imputer", item.imputation, item.code, _NOT_IMPUTERS[item.imputation.name]))
    for node in compiled.nodes:
        if node.spec.across_rows:
            problems.append(
                MethodError(
                    f"aggregator {node.method.describe()!r} is not supported on Dask: it compares every pair of "
                    "rows of a period, which may lie in different partitions",
                    node=node.code,
                    hint="use a row-wise aggregator (arithmetic, geometric, median, ...), or score in memory",
                )
            )
    if problems:
        raise GridValidationError(problems, what=f"grid {compiled.grid.code!r} on Dask")
    return plans


__all__ = ["Need", "Stage", "StagePlan", "plan_grid", "plan_indicator"]
