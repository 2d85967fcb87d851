"""Built-in imputation of missing values (COINr's ``Impute``): off unless a grid asks, always flagged.

VISES does not invent data silently. Imputation runs only where a grid sets ``imputation`` (on the
defaults or an indicator); it fills only *missing* cells, never a present value and never a cell
marked "not applicable"; every filled cell is flagged (``Results.imputed(code)``, ``explain()``'s
``imputed``) and the fitted values are kept (``Results.fitted_imputation``).

- ``mean`` / ``median``: of the present values of the same period (``pooled = true``: all periods).
- ``group_mean`` / ``group_median``: of the same period and the same value of a dataset attribute
  (``group = "family"``, ``"region"``); a row without that attribute stays missing.
- ``previous``: the organisation's own value from its latest earlier period that has one
  (longitudinal carry-forward, COINr's ``impute_panel``); ``max_periods`` limits how far back.
- ``none``: nothing (the same as leaving ``imputation`` out).

Each method is split into ``fit`` (the means or medians, per period and group) and ``apply`` (a
candidate value for every row), so results scored against a reference impute from the reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vises.contract.records import ImputeContext, ImputerSpec
from vises.errors import DataError
from vises.methods.params import Param, Problems, validate_params

__all__ = ["IMPUTERS"]

_SEP = "\x1f"


def _whole(key: str) -> Any:
    def rule(p: dict[str, Any], _: Any) -> Problems:
        value = p[key]
        return (
            []
            if value is None or value == int(value)
            else [(key, f"parameter {key!r} must be a whole number, got {value!r}")]
        )

    return rule


_SCHEMAS: dict[str, tuple[dict[str, Param], Any]] = {
    "mean": ({"pooled": Param(kind="bool", default=False)}, None),
    "median": ({"pooled": Param(kind="bool", default=False)}, None),
    "group_mean": ({"group": Param(kind="text", required=True), "pooled": Param(kind="bool", default=False)}, None),
    "group_median": ({"group": Param(kind="text", required=True), "pooled": Param(kind="bool", default=False)}, None),
    "previous": ({"max_periods": Param(kind="positive")}, _whole("max_periods")),
    "none": ({}, None),
}


def _check(name: str) -> Any:
    schema, cross = _SCHEMAS[name]

    def check(params: Mapping[str, Any]) -> dict[str, Any]:
        return validate_params("imputer", name, params, schema, cross)

    return check


_CHECKS = {name: _check(name) for name in _SCHEMAS}


def _keys(context: ImputeContext, p: Mapping[str, Any]) -> np.ndarray:
    """One text key per row: its period (unless pooled) and its group (for group methods); '' = no key."""
    n = len(context.periods)
    keys = np.full(n, "", dtype=object) if p.get("pooled") else np.asarray(context.periods).astype(str).astype(object)
    group = p.get("group")
    if group is None:
        return keys
    if group not in context.attributes:
        raise DataError(
            f"imputation by group needs the dataset attribute {group!r}, which the data does not have",
            indicator=context.indicator.code,
            hint=f"attributes in the data: {', '.join(sorted(context.attributes)) or 'none'}",
        )
    labels = np.asarray(context.attributes[group], dtype=object)
    absent = (labels == None) | (labels == "")  # noqa: E711 - elementwise on an object array
    keyed = keys + _SEP + labels.astype(str).astype(object)
    keyed[absent] = None
    return np.asarray(keyed)


def _statistic(kind: str) -> Any:
    """fit for mean/median (plain or by group): one value per key, computed per distinct key, not per row."""
    reduce = np.mean if kind == "mean" else np.median

    def fit(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext, name: str) -> dict[str, Any]:
        p = _CHECKS[name](params)
        x = np.asarray(values, dtype=np.float64)
        keys = _keys(context, p)
        usable = ~np.isnan(x) & (keys != None)  # noqa: E711
        table: dict[str, float] = {}
        if usable.any():
            distinct, inverse = np.unique(keys[usable].astype(str), return_inverse=True)
            order = np.argsort(inverse, kind="stable")
            bounds = np.searchsorted(inverse[order], np.arange(len(distinct) + 1))
            present = x[usable][order]
            for i, key in enumerate(distinct):
                table[str(key)] = float(reduce(present[bounds[i] : bounds[i + 1]]))
        return {"values": table, "pooled": p["pooled"], "group": p.get("group")}

    return fit


def _apply_table(values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray:
    keys = _keys(context, fitted)
    out = np.full(len(keys), np.nan)
    known = keys != None  # noqa: E711
    if not known.any():
        return out
    distinct, inverse = np.unique(keys[known].astype(str), return_inverse=True)
    table = fitted["values"]
    lookup = np.array([table.get(str(key), np.nan) for key in distinct], dtype=np.float64)
    out[known] = lookup[inverse.reshape(-1)]
    return out


def _named(fit: Any, name: str) -> Any:
    def bound(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext) -> dict[str, Any]:
        return dict(fit(values, params=params, context=context, name=name))

    return bound


def fit_previous(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext) -> dict[str, Any]:
    p = _CHECKS["previous"](params)
    return {"max_periods": None if p["max_periods"] is None else int(p["max_periods"])}


def apply_previous(values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray:
    """Carry each organisation's latest earlier present value forward: a sort and a running maximum."""
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    if n == 0:
        return x.copy()
    orgs = np.asarray(context.organisations).astype(str)
    _, period_rank = np.unique(np.asarray(context.periods).astype(str), return_inverse=True)
    period_rank = period_rank.reshape(-1)
    order = np.lexsort((period_rank, orgs))
    v, o, r = x[order], orgs[order], period_rank[order]
    last = np.where(~np.isnan(v), np.arange(n), -1)
    np.maximum.accumulate(last, out=last)
    # The value must come from an earlier row of the same organisation and an earlier period.
    source = np.maximum(last, 0)
    ok = (last >= 0) & (o[source] == o) & (r[source] < r)
    if fitted.get("max_periods") is not None:
        ok &= r - r[source] <= fitted["max_periods"]
    sorted_out = np.where(ok, v[source], np.nan)
    out = np.empty(n)
    out[order] = sorted_out
    return out


def fit_none(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext) -> dict[str, Any]:
    _CHECKS["none"](params)
    return {}


def apply_none(values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray:
    return np.full(len(values), np.nan)


IMPUTERS: dict[str, ImputerSpec] = {
    spec.name: spec
    for spec in (
        ImputerSpec(
            name="mean",
            fit=_named(_statistic("mean"), "mean"),
            apply=_apply_table,
            check=_CHECKS["mean"],
            summary="mean of the period (or of all periods, pooled = true)",
        ),
        ImputerSpec(
            name="median",
            fit=_named(_statistic("median"), "median"),
            apply=_apply_table,
            check=_CHECKS["median"],
            summary="median of the period (or pooled)",
        ),
        ImputerSpec(
            name="group_mean",
            fit=_named(_statistic("mean"), "group_mean"),
            apply=_apply_table,
            check=_CHECKS["group_mean"],
            attribute_param="group",
            summary="mean of the same group (attribute) within the period",
        ),
        ImputerSpec(
            name="group_median",
            fit=_named(_statistic("median"), "group_median"),
            apply=_apply_table,
            check=_CHECKS["group_median"],
            attribute_param="group",
            summary="median of the same group within the period",
        ),
        ImputerSpec(
            name="previous",
            fit=fit_previous,
            apply=apply_previous,
            check=_CHECKS["previous"],
            summary="the organisation's latest earlier value (carry forward)",
        ),
        ImputerSpec(name="none", fit=fit_none, apply=apply_none, check=_CHECKS["none"], summary="no imputation"),
    )
}
