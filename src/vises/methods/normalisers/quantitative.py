"""Normalisers of numbers: min-max family, z-score, goalposts, raw, target, reference and fraction of max."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from vises.contract.records import FitContext
from vises.errors import MethodError
from vises.methods.normalisers.common import (
    as_column,
    linear,
    nothing_fitted,
    prepare_fit,
    present_values,
    value_bounds,
)
from vises.methods.params import target_scale
from vises.model import Direction

# --- min-max family ------------------------------------------------------------------------------


def fit_minmax_like(name: str) -> Callable[..., dict[str, Any]]:
    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        p = prepare_fit(name, params, direction, context)
        low, high = value_bounds(values, context)
        return {"min": low, "max": high, "low": p["low"], "high": p["high"], "direction": direction}

    return fit


def apply_minmax_like(name: str) -> Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]:
    def apply(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
        if fitted["min"] is None:
            return nothing_fitted(name, values)
        return linear(values, fitted["min"], fitted["max"], fitted["direction"], fitted["low"], fitted["high"])

    return apply


def fit_zscore(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """x' = mean + sd · d·(x − m)/s, with m and s (ddof = 1) from the data; s = 0 or one value: x' = mean."""
    p = prepare_fit("zscore", params, direction, context)
    x = present_values(values, context)
    centre = float(x.mean()) if x.size else None
    spread = float(x.std(ddof=1)) if x.size > 1 else (0.0 if x.size else None)
    return {"data_mean": centre, "data_sd": spread, "mean": p["mean"], "sd": p["sd"], "direction": direction}


def apply_zscore(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    if fitted["data_mean"] is None:
        return nothing_fitted("zscore", values)
    values, missing = as_column(values)
    if fitted["data_sd"] == 0.0:
        return np.where(missing, np.nan, fitted["mean"])
    z = (values - fitted["data_mean"]) * (fitted["direction"] * fitted["sd"] / fitted["data_sd"])
    z += fitted["mean"]
    return np.asarray(z)


def fit_fixed(name: str) -> Callable[..., dict[str, Any]]:
    """Fit for methods whose parameters all come from the grid: the resolved params plus direction."""

    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        p = prepare_fit(name, params, direction, context)
        present_values(values, context)
        return {**p, "direction": direction}

    return fit


def apply_goalposts(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = clip((x − lower)/(upper − lower), 0, 1)·(high − low) + low; mirrored for direction −1."""
    return linear(
        values, fitted["lower"], fitted["upper"], fitted["direction"], fitted["low"], fitted["high"], clip=True
    )


def apply_scaled(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = (x − lower)/(upper − lower)·scale, not truncated; (upper − x)/(upper − lower)·scale for −1."""
    return linear(values, fitted["lower"], fitted["upper"], fitted["direction"], 0.0, fitted["scale"])


def apply_none(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = d·x: the raw value, negated when lower is better."""
    values, _ = as_column(values)
    return values * float(fitted["direction"])


# --- distance to a target or a reference ---------------------------------------------------------


def fit_target(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """Fix the target, the mode (higher / lower / target) and, for mode target, the scale."""
    p = prepare_fit("target", params, direction, context)
    present_values(values, context)
    ind = context.indicator
    target = p["target"] if p["target"] is not None else float(ind.target)  # type: ignore[arg-type]
    if ind.direction is Direction.TARGET:
        mode = "target"
        scale = p["scale"] if p["scale"] is not None else target_scale(target, ind)
    else:
        mode, scale = ("higher" if direction == 1 else "lower"), None
    return {"target": target, "mode": mode, "scale": scale, "low": p["low"], "high": p["high"]}


def apply_target(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Share of the target reached, capped at 1, mapped onto [low, high].

    higher: r = clip(x/T, 0, 1); lower: r = 1 when x <= T else T/x; target: r = max(0, 1 − |x − T|/scale).
    """
    values, missing = as_column(values)
    target, mode = fitted["target"], fitted["mode"]
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "higher":
            share = np.clip(values / target, 0.0, 1.0)
        elif mode == "lower":
            share = np.where(values <= target, 1.0, target / values)
        else:
            share = np.clip(1.0 - np.abs(values - target) / fitted["scale"], 0.0, 1.0)
    share = share * (fitted["high"] - fitted["low"]) + fitted["low"]
    share[missing] = np.nan
    return np.asarray(share)


def fit_reference(
    values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext
) -> dict[str, Any]:
    """Find the reference organisation's value (in ``period`` when given); it must be unique and > 0."""
    p = prepare_fit("distance_to_reference", params, direction, context)
    values = np.asarray(values, dtype=np.float64)
    present_values(values, context)
    org, period = p["organisation"], p["period"]
    rows = np.asarray(context.organisations).astype(str) == org
    where = f"organisation {org!r}" + (f" in period {period!r}" if period is not None else "")
    if period is not None:
        rows &= np.asarray(context.periods).astype(str) == period
    found = values[rows]
    known = found[~np.isnan(found)]
    if not rows.any():
        raise MethodError(
            f"normaliser 'distance_to_reference': {where} is not in the data",
            path="params.organisation",
            indicator=context.indicator.code,
            hint="name an organisation code present in the dataset (and period)",
        )
    if known.size == 0:
        raise MethodError(
            f"normaliser 'distance_to_reference': {where} has no value for this indicator",
            path="params.organisation",
            indicator=context.indicator.code,
            hint="choose a reference organisation that reported this indicator",
        )
    if known.size > 1:
        periods = sorted({str(v) for v in np.asarray(context.periods)[rows][~np.isnan(found)]})
        raise MethodError(
            f"normaliser 'distance_to_reference': {where} has {known.size} values (periods {periods})",
            path="params.period",
            indicator=context.indicator.code,
            hint="set period = ... to say which one is the reference",
        )
    reference = float(known[0])
    if reference <= 0:
        raise MethodError(
            f"normaliser 'distance_to_reference': the reference value of {where} is {reference:g}; a ratio needs a "
            "value > 0",
            path="params.organisation",
            indicator=context.indicator.code,
            hint="choose another reference organisation, or use goalposts",
        )
    return {"reference": reference, "organisation": org, "period": period, "scale": p["scale"], "direction": direction}


def apply_reference(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = scale·(1 + d·(x − x_ref)/x_ref): x/x_ref·scale when higher is better, mirrored at x_ref otherwise."""
    values, _ = as_column(values)
    ref = fitted["reference"]
    return np.asarray((1.0 + fitted["direction"] * (values - ref) / ref) * fitted["scale"])


def fit_fraction(
    values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext
) -> dict[str, Any]:
    """The best value: max when higher is better, min when lower is better; it must be > 0."""
    p = prepare_fit("fraction_of_max", params, direction, context)
    x = present_values(values, context)
    if x.size == 0:
        return {"best": None, "scale": p["scale"], "direction": direction}
    best = float(x.max() if direction == 1 else x.min())
    if best <= 0:
        raise MethodError(
            f"normaliser 'fraction_of_max': the best value is {best:g}; a fraction of it needs a value > 0"
            + ("" if direction == 1 else " and every value > 0 when lower is better"),
            indicator=context.indicator.code,
            hint="use minmax or goalposts for indicators that can be zero or negative",
        )
    return {"best": best, "scale": p["scale"], "direction": direction}


def apply_fraction(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = x/max·scale (higher is better) or min/x·scale (lower is better, x > 0)."""
    if fitted["best"] is None:
        return nothing_fitted("fraction_of_max", values)
    values, _ = as_column(values)
    if fitted["direction"] == 1:
        return np.asarray(values / fitted["best"] * fitted["scale"])
    if (values <= 0).any():
        rows = (np.flatnonzero(values <= 0)[:5] + 1).tolist()
        raise MethodError(
            f"normaliser 'fraction_of_max': values <= 0 at rows {rows} cannot be scored as min/x",
            hint="use minmax or goalposts",
        )
    return np.asarray(fitted["best"] / values * fitted["scale"])
