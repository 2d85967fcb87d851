"""Imputers that look along a time series or along a row (COINr's ``impute_panel`` and row-wise ``Impute``).

Like every imputer they fill only missing cells and the engine flags each one (``Results.imputed``).

- ``linear``: each organisation's series over the periods (read as numbers, e.g. years),
  interpolated linearly between the nearest present periods before and after; before its first
  or after its last value the series takes that value (R's ``approx(rule = 2)``, as COINr's
  ``impute_panel(imp_type = "linear-constant")``); ``ends = "none"`` fills interior gaps only.
- ``constant``: the latest earlier value, and before the first one the first value (R's
  ``approx(method = "constant", rule = 2)``, COINr's ``imp_type = "constant"``); ``ends = "none"``
  carries forward only (like ``previous``, but with the periods' numeric order).
- ``row``: within a row, from the other indicators of the same node (COINr's ``Impute`` with
  ``impute_by = "row"``): each column is first put on [0, 1] (its minimum to 0, its maximum to 1,
  lower-is-better columns flipped), the row's mean (or median) of the node's other indicators is
  taken, and mapped back onto the indicator's own scale. ``normalise = false`` averages raw values.

Every method works on whole columns: one sort and two running scans for the series, one masked
mean over the siblings' block for a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vises.contract.records import ImputeContext, ImputerSpec
from vises.errors import DataError
from vises.methods.params import Param, Problems, validate_params

__all__ = ["PANEL_IMPUTERS"]

_ENDS = ("nearest", "none")
_STATISTICS = ("mean", "median")


def _choice(key: str, allowed: tuple[str, ...]) -> Any:
    def rule(p: dict[str, Any], _: Any) -> Problems:
        if p[key] in allowed:
            return []
        return [(key, f"parameter {key!r} must be one of {', '.join(map(repr, allowed))}, got {p[key]!r}")]

    return rule


_SCHEMAS: dict[str, tuple[dict[str, Param], Any]] = {
    "linear": ({"ends": Param(kind="text", default="nearest")}, _choice("ends", _ENDS)),
    "constant": ({"ends": Param(kind="text", default="nearest")}, _choice("ends", _ENDS)),
    "row": (
        {"statistic": Param(kind="text", default="mean"), "normalise": Param(kind="bool", default=True)},
        _choice("statistic", _STATISTICS),
    ),
}


def _check(name: str) -> Any:
    schema, cross = _SCHEMAS[name]

    def check(params: Mapping[str, Any]) -> dict[str, Any]:
        return validate_params("imputer", name, params, schema, cross)

    return check


_CHECKS = {name: _check(name) for name in _SCHEMAS}


# -- along the periods ------------------------------------------------------------------------------
def _times(context: ImputeContext) -> np.ndarray:
    labels = np.asarray(context.periods).astype(str)
    distinct, inverse = np.unique(labels, return_inverse=True)
    try:
        values = distinct.astype(np.float64)
    except ValueError:
        bad = [str(p) for p in distinct if not _is_number(str(p))][:3]
        raise DataError(
            f"interpolating along the periods needs periods that are numbers, got {', '.join(map(repr, bad))}",
            indicator=context.indicator.code,
            hint="name periods by year (2021, 2022, ...) or impute with 'previous'",
        ) from None
    return np.asarray(values[inverse.reshape(-1)])


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _fit_series(name: str) -> Any:
    def fit(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext) -> dict[str, Any]:
        p = _CHECKS[name](params)
        _times(context)  # refuse non-numeric periods when fitting, before anything is scored
        return {"ends": p["ends"]}

    return fit


def _neighbours(values: np.ndarray, context: ImputeContext) -> tuple[np.ndarray, ...]:
    """For every row, in (organisation, time) order: the time, the value, and the nearest present
    row of the same organisation before (``-1`` if none) and after (``n`` if none)."""
    x = np.asarray(values, dtype=np.float64)
    n = x.size
    times = _times(context)
    orgs = np.asarray(context.organisations).astype(str)
    order = np.lexsort((times, orgs))
    v, t, o = x[order], times[order], orgs[order]
    position = np.arange(n)
    present = ~np.isnan(v)
    before = np.where(present, position, -1)
    np.maximum.accumulate(before, out=before)
    after = np.where(present, position, n)
    after = np.flip(np.minimum.accumulate(np.flip(after)))
    # A neighbour from another organisation does not count.
    before = np.where((before >= 0) & (o[np.maximum(before, 0)] == o), before, -1)
    after = np.where((after < n) & (o[np.minimum(after, n - 1)] == o), after, n)
    return order, v, t, before, after


def _apply_series(kind: str) -> Any:
    def apply(values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray:
        x = np.asarray(values, dtype=np.float64)
        n = x.size
        if n == 0:
            return x.copy()
        order, v, t, before, after = _neighbours(x, context)
        has_before, has_after = before >= 0, after < n
        b, a = np.maximum(before, 0), np.minimum(after, n - 1)
        out = np.full(n, np.nan)
        inside = has_before & has_after
        if kind == "linear":
            span = t[a] - t[b]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.where(span > 0, (t - t[b]) / span, 0.0)
            out[inside] = (v[b] + (v[a] - v[b]) * share)[inside]
            if fitted.get("ends", "nearest") == "nearest":
                out[has_before & ~has_after] = v[b][has_before & ~has_after]
                out[~has_before & has_after] = v[a][~has_before & has_after]
        else:
            out[has_before] = v[b][has_before]
            if fitted.get("ends", "nearest") == "nearest":
                out[~has_before & has_after] = v[a][~has_before & has_after]
        result = np.empty(n)
        result[order] = out
        return result

    return apply


# -- along a row ------------------------------------------------------------------------------------
def _columns(values: np.ndarray, context: ImputeContext) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The indicator and its siblings as one (n, k) block, each multiplied by its direction."""
    codes = [context.indicator.code, *context.siblings]
    directions = np.array(
        [-1.0 if context.indicator.direction.sign < 0 else 1.0]
        + [float(context.sibling_directions.get(code, 1)) for code in context.siblings]
    )
    block = np.column_stack(
        [np.asarray(values, dtype=np.float64)]
        + [np.asarray(context.siblings[code], dtype=np.float64) for code in context.siblings]
    )
    return codes, block * directions, directions


def fit_row(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext) -> dict[str, Any]:
    """The columns' direction-adjusted minimum and maximum (the [0, 1] scale the row statistic uses)."""
    p = _CHECKS["row"](params)
    codes, block, _ = _columns(values, context)
    fitted: dict[str, Any] = {"statistic": p["statistic"], "normalise": p["normalise"], "siblings": codes[1:]}
    if p["normalise"]:
        present = ~np.isnan(block)
        low = np.where(present.any(axis=0), np.nanmin(np.where(present, block, np.inf), axis=0), np.nan)
        high = np.where(present.any(axis=0), np.nanmax(np.where(present, block, -np.inf), axis=0), np.nan)
        fitted["minimum"] = {code: _plain(v) for code, v in zip(codes, low.tolist(), strict=True)}
        fitted["maximum"] = {code: _plain(v) for code, v in zip(codes, high.tolist(), strict=True)}
    return fitted


def _plain(value: float) -> float | None:
    return None if value != value else float(value)


def apply_row(values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray:
    codes, block, directions = _columns(values, context)
    if block.shape[1] < 2:
        return np.full(block.shape[0], np.nan)
    if fitted.get("normalise", True):
        low = np.array([_or_nan(fitted["minimum"].get(code)) for code in codes])
        high = np.array([_or_nan(fitted["maximum"].get(code)) for code in codes])
        with np.errstate(invalid="ignore", divide="ignore"):
            scaled = (block - low) / (high - low)  # a constant column gives NaN and is left out, as in R
    else:
        scaled = block
    others = scaled[:, 1:]
    usable = ~np.isnan(others)
    out = np.full(block.shape[0], np.nan)
    rows = usable.any(axis=1)
    if rows.any():
        if fitted.get("statistic", "mean") == "mean":
            level = np.where(usable, others, 0.0).sum(axis=1)[rows] / usable.sum(axis=1)[rows]
        else:
            level = np.nanmedian(others[rows], axis=1)
        if fitted.get("normalise", True):
            level = level * (high[0] - low[0]) + low[0]
        out[rows] = level * directions[0]
    return out


def _or_nan(value: Any) -> float:
    return float("nan") if value is None else float(value)


PANEL_IMPUTERS: dict[str, ImputerSpec] = {
    spec.name: spec
    for spec in (
        ImputerSpec(
            name="linear",
            fit=_fit_series("linear"),
            apply=_apply_series("linear"),
            check=_CHECKS["linear"],
            summary="linear interpolation over the organisation's periods, constant beyond its first/last value",
        ),
        ImputerSpec(
            name="constant",
            fit=_fit_series("constant"),
            apply=_apply_series("constant"),
            check=_CHECKS["constant"],
            summary="the latest earlier value (before the first one: the first value), COINr's panel 'constant'",
        ),
        ImputerSpec(
            name="row",
            fit=fit_row,
            apply=apply_row,
            check=_CHECKS["row"],
            summary="mean (or median) of the row's other indicators of the same node, on their [0, 1] scale",
        ),
    )
}
