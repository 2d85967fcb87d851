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
from vises.model.periods import period_index

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


class _Keys:
    """Each row's key (period, unless pooled, and group) as an integer code, factorised once per column.

    ``codes`` is -1 where a row has no key (no group value); ``text(k)`` is the key as the fitted
    table writes it: the period (``""`` when pooled), then ``"\x1f"`` and the group for group methods.
    """

    __slots__ = ("codes", "group_labels", "groups", "period_labels")

    def __init__(self, context: ImputeContext, p: Mapping[str, Any]) -> None:
        n = len(context.periods)
        if p.get("pooled"):
            period_labels: list[str] = [""]
            period_codes = np.zeros(n, dtype=np.intp)
        else:
            values, period_codes = period_index(np.asarray(context.periods).astype(str))
            period_labels = [str(v) for v in values.tolist()]
        self.period_labels = period_labels
        group = p.get("group")
        self.groups = group is not None
        if group is None:
            self.group_labels: list[str] = []
            self.codes = period_codes
            return
        if group not in context.attributes:
            raise DataError(
                f"imputation by group needs the dataset attribute {group!r}, which the data does not have",
                indicator=context.indicator.code,
                hint=f"attributes in the data: {', '.join(sorted(context.attributes)) or 'none'}",
            )
        labels = np.asarray(context.attributes[group], dtype=object)
        absent = (labels == None) | (labels == "")  # noqa: E711 - elementwise on an object array
        group_values, group_codes = period_index(labels.astype(str))
        self.group_labels = [str(v) for v in group_values.tolist()]
        codes = period_codes * max(len(self.group_labels), 1) + group_codes
        codes[absent] = -1
        self.codes = codes

    @property
    def size(self) -> int:
        return len(self.period_labels) * max(len(self.group_labels), 1)

    def text(self, code: int) -> str:
        if not self.groups:
            return self.period_labels[code]
        period, group = divmod(code, len(self.group_labels))
        return self.period_labels[period] + _SEP + self.group_labels[group]


def _statistic(kind: str) -> Any:
    """fit for mean/median (plain or by group): one value per key, from whole-column numpy passes."""

    def fit(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext, name: str) -> dict[str, Any]:
        p = _CHECKS[name](params)
        x = np.asarray(values, dtype=np.float64)
        keys = _Keys(context, p)
        usable = ~np.isnan(x) & (keys.codes >= 0)
        table: dict[str, float] = {}
        if usable.any():
            codes, present = keys.codes[usable], x[usable]
            counts = np.bincount(codes, minlength=keys.size)
            found = np.flatnonzero(counts)
            if kind == "mean":
                sums = np.bincount(codes, weights=present, minlength=keys.size)
                statistic = sums[found] / counts[found]
            else:
                ordered = present[np.lexsort((present, codes))]
                starts = np.concatenate(([0], np.cumsum(counts)))[found]
                size = counts[found]
                upper = ordered[starts + size // 2]
                lower = ordered[starts + (size - 1) // 2]
                statistic = (lower + upper) / 2.0
            table = {keys.text(int(code)): float(value) for code, value in zip(found, statistic, strict=True)}
        return {"values": table, "pooled": p["pooled"], "group": p.get("group")}

    return fit


def _apply_table(values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray:
    keys = _Keys(context, fitted)
    out = np.full(len(keys.codes), np.nan)
    known = keys.codes >= 0
    if not known.any():
        return out
    distinct, inverse = np.unique(keys.codes[known], return_inverse=True)
    table = fitted["values"]
    lookup = np.array([table.get(keys.text(int(code)), np.nan) for code in distinct.tolist()], dtype=np.float64)
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
    # Periods in their natural order (9 before 10), so "earlier" means earlier.
    _, period_rank = period_index(np.asarray(context.periods).astype(str))
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
