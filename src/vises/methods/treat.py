"""Built-in treatments of outliers, applied after imputation and before normalising (COINr's ``Treat``).

A few extreme values can squeeze everyone else into a corner of a min-max scale; treating them
first keeps the scale informative. Each method is split into ``fit`` (decide the bounds or the
transform from the present values, pooled or per period like normalisers) and ``apply`` (a whole
column), so the fitted dict says exactly what was done and a reference's bounds can treat new data.

- ``winsorise``: COINr's default. While the column fails the skew/kurtosis test, the most extreme
  value(s) on the side the skew points to take the next value in; at most ``winmax`` points. If the
  column still fails, COINr's fallback applies: ``log_CT`` on the *original* values. Reproduced
  from COINr's ``Treat.numeric``, ``winsorise``, ``check_SkewKurt``, ``skew`` and ``kurt``.
- ``clip``: fixed ``lower``/``upper`` bounds, or quantiles of the data.
- ``log``: ``log(x − min + 1)`` (the minimum maps to 1 before the log; COINr's ``log_CT_orig``),
  ``form = "log_CT"``: ``log(x − min + a)`` with ``a = 0.01·(max − min)``, or ``form = "log_CT_plus"``
  (COINr's ``log_CT_plus``): ``log_CT`` when the skew is positive, else ``−log(max + a − x)``, so a
  left tail is pulled in too.
- ``boxcox``: COINr's ``boxcox``: ``(y^λ − 1)/λ`` (``log y`` when λ = 0) with ``y = x − min + 1``
  (``makepos = true``, the default) or ``y = x``, which must then be positive.
- ``none``: no treatment (the same as leaving ``treatment`` out).

This module ends with the hook that registers them, like every plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vises.contract.records import FitContext, TreatmentSpec
from vises.errors import MethodError
from vises.methods.params import Param, Problems, validate_params
from vises.numeric import kurtosis, skewness

__all__ = ["TREATMENTS"]

_LOG_FORMS = ("shift1", "log_CT", "log_CT_plus")
_FALLBACKS = ("log_CT", "log_CT_plus", "none")


# -- COINr's pass test -----------------------------------------------------------------------------


def _passes(x: np.ndarray, skew_thresh: float, kurt_thresh: float) -> bool | None:
    """COINr's ``check_SkewKurt``: pass when |skew| < threshold OR kurtosis < threshold; None if undefined."""
    s, k = skewness(x), kurtosis(x)
    if np.isnan(s) or np.isnan(k):
        return None
    return bool(abs(s) < skew_thresh or k < kurt_thresh)


# -- parameters ---------------------------------------------------------------------------------------


def _check(name: str, schema: dict[str, Param], cross: Any = None) -> Any:
    def check(params: Mapping[str, Any]) -> dict[str, Any]:
        return validate_params("treatment", name, params, schema, cross)

    return check


def _winsorise_rules(p: dict[str, Any], _: Any) -> Problems:
    problems: Problems = []
    if p["winmax"] != int(p["winmax"]):
        problems.append(("winmax", f"parameter 'winmax' must be a whole number, got {p['winmax']!r}"))
    if p["fallback"] not in _FALLBACKS:
        problems.append(
            (
                "fallback",
                f"parameter 'fallback' must be one of {', '.join(map(repr, _FALLBACKS))}, got {p['fallback']!r}",
            )
        )
    return problems


def _clip_rules(p: dict[str, Any], _: Any) -> Problems:
    problems: Problems = []
    for side in ("lower", "upper"):
        q = p[f"{side}_quantile"]
        if p[side] is not None and q is not None:
            problems.append((side, f"give either '{side}' or '{side}_quantile', not both"))
        if q is not None and not 0.0 <= q <= 1.0:
            problems.append((f"{side}_quantile", f"parameter '{side}_quantile' must be between 0 and 1, got {q:g}"))
    if all(p[key] is None for key in ("lower", "upper", "lower_quantile", "upper_quantile")):
        problems.append(("lower", "give at least one bound: lower, upper, lower_quantile or upper_quantile"))
    if p["lower"] is not None and p["upper"] is not None and p["lower"] > p["upper"]:
        problems.append(("upper", f"'upper' ({p['upper']:g}) must not be below 'lower' ({p['lower']:g})"))
    if (
        p["lower_quantile"] is not None
        and p["upper_quantile"] is not None
        and p["lower_quantile"] > p["upper_quantile"]
    ):
        problems.append(("upper_quantile", "'upper_quantile' must not be below 'lower_quantile'"))
    return problems


def _log_rules(p: dict[str, Any], _: Any) -> Problems:
    return (
        []
        if p["form"] in _LOG_FORMS
        else [("form", f"parameter 'form' must be one of {', '.join(map(repr, _LOG_FORMS))}, got {p['form']!r}")]
    )


_SCHEMAS: dict[str, tuple[dict[str, Param], Any]] = {
    "winsorise": (
        {
            "winmax": Param(kind="positive", default=5.0),
            "skew_thresh": Param(kind="positive", default=2.0),
            "kurt_thresh": Param(kind="number", default=3.5),
            "fallback": Param(kind="text", default="log_CT"),
        },
        _winsorise_rules,
    ),
    "clip": (
        {
            "lower": Param(kind="number"),
            "upper": Param(kind="number"),
            "lower_quantile": Param(kind="number"),
            "upper_quantile": Param(kind="number"),
        },
        _clip_rules,
    ),
    "log": ({"form": Param(kind="text", default="shift1")}, _log_rules),
    "boxcox": ({"lambda": Param(kind="number", required=True), "makepos": Param(kind="bool", default=True)}, None),
    "none": ({}, None),
}


def _present(values: np.ndarray, context: FitContext) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if np.isinf(x).any():
        raise MethodError(
            "infinite values cannot be treated",
            indicator=context.indicator.code,
            hint="check for a division by zero where the data were computed",
        )
    return x[~np.isnan(x)]


# -- winsorise ----------------------------------------------------------------------------------------


def fit_winsorise(values: np.ndarray, *, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """COINr's two-stage rule: test, winsorise up to ``winmax`` points, test, else fall back to log_CT."""
    p = _SPECS_CHECK["winsorise"](params)
    x = np.sort(_present(values, context))
    skew_t, kurt_t, winmax = p["skew_thresh"], p["kurt_thresh"], int(p["winmax"])
    out: dict[str, Any] = {
        "transform": "none",
        "skew": _float(skewness(x)),
        "kurt": _float(kurtosis(x)),
        "winsorised_high": 0,
        "winsorised_low": 0,
        "lower": None,
        "upper": None,
    }
    passing = _passes(x, skew_t, kurt_t)
    if passing is None:
        out["note"] = "skewness or kurtosis undefined (fewer than 4 values, or no spread): left as is"
        return out
    if passing:
        return out
    v = x.copy()
    n_high = n_low = 0  # points moved by the latest step on each side, as COINr counts them
    while not passing and n_high + n_low < winmax:
        if skewness(v) >= 0:
            top = v[-1]
            tied = int(np.count_nonzero(v == top))
            if tied == v.size:
                break
            v[-tied:] = v[-tied - 1]
            n_high = tied
        else:
            bottom = v[0]
            tied = int(np.count_nonzero(v == bottom))
            if tied == v.size:
                break
            v[:tied] = v[tied]
            n_low = tied
        check = _passes(v, skew_t, kurt_t)
        if check is None:
            break
        passing = check
    out.update(
        winsorised_high=n_high,
        winsorised_low=n_low,
        lower=float(v[0]) if n_low else None,
        upper=float(v[-1]) if n_high else None,
        skew_after=_float(skewness(v)),
        kurt_after=_float(kurtosis(v)),
        transform="clip",
    )
    if passing or p["fallback"] == "none":
        out["passed"] = bool(passing)
        return out
    # COINr (combine_treat = FALSE): the winsorisation is dropped and the log applies to the original values.
    logged_fit = _log_ct(x, plus=p["fallback"] == "log_CT_plus")
    logged = apply_fitted(x, logged_fit)
    out.update(
        transform="log_CT",
        lower=None,
        upper=None,
        log_min=logged_fit["log_min"],
        log_shift=logged_fit["log_shift"],
        winsorised_high=0,
        winsorised_low=0,
        winsorise_tried=n_high + n_low,
        skew_after=_float(skewness(logged[np.isfinite(logged)])),
        kurt_after=_float(kurtosis(logged[np.isfinite(logged)])),
    )
    if "log_max" in logged_fit:
        out["log_max"] = logged_fit["log_max"]
        out["form"] = "log_CT_plus"
    return out


def _log_ct(x: np.ndarray, *, plus: bool) -> dict[str, Any]:
    """COINr's ``log_CT`` (or ``log_CT_plus``: mirrored when the skew is negative) fitted on present values."""
    low, high = float(x.min()), float(x.max())
    fitted: dict[str, Any] = {"log_min": low, "log_shift": 0.01 * (high - low)}
    if plus and skewness(x) <= 0:
        fitted["log_max"] = high
    return fitted


def _float(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def apply_fitted(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Apply a fitted treatment: clip to its bounds, or its log transform; NaN stays NaN."""
    x = np.asarray(values, dtype=np.float64)
    transform = fitted.get("transform", "none")
    if transform == "clip":
        return (
            np.clip(x, fitted["lower"], fitted["upper"])
            if (fitted["lower"] is not None or fitted["upper"] is not None)
            else x
        )
    if transform in ("log_CT", "log"):
        mirrored = fitted.get("log_max") is not None
        shifted = (
            (fitted["log_max"] + fitted["log_shift"] - x) if mirrored else (x - fitted["log_min"] + fitted["log_shift"])
        )
        _refuse_outside(shifted, "above" if mirrored else "below", fitted["log_max" if mirrored else "log_min"])
        return np.asarray(-np.log(shifted) if mirrored else np.log(shifted))
    if transform == "boxcox":
        shifted = x + fitted["shift"]
        _refuse_outside(shifted, "below", fitted["minimum"], what="Box-Cox transform")
        lam = fitted["lambda"]
        with np.errstate(invalid="ignore"):
            return np.asarray(np.log(shifted) if lam == 0 else (shifted**lam - 1.0) / lam)
    return x


def _refuse_outside(shifted: np.ndarray, side: str, edge: float, *, what: str = "log transform") -> None:
    """A value the transform cannot take (the log of a number <= 0) is an error naming the rows, never NaN."""
    with np.errstate(invalid="ignore"):
        bad = shifted <= 0
    if np.any(bad):
        rows = (np.flatnonzero(bad)[:5] + 1).tolist()
        limit = "minimum" if side == "below" else "maximum"
        raise MethodError(
            f"values at rows {rows} lie {side} the range the {what} was fitted on ({limit} {edge:g})",
            hint="fit the treatment on data that includes these values",
        )


# -- clip, log, none ----------------------------------------------------------------------------------


def fit_clip(values: np.ndarray, *, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """Bounds are the fixed ``lower``/``upper`` or quantiles of the present values (R's default type 7)."""
    p = _SPECS_CHECK["clip"](params)
    x = _present(values, context)
    bounds: dict[str, float | None] = {}
    for side in ("lower", "upper"):
        q = p[f"{side}_quantile"]
        if q is not None:
            bounds[side] = float(np.quantile(x, q)) if x.size else None
        else:
            bounds[side] = p[side]
    return {"transform": "clip", "lower": bounds["lower"], "upper": bounds["upper"]}


def fit_log(values: np.ndarray, *, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """``log(x − min + c)``: c = 1 (``shift1``) or 0.01·(max − min) (``log_CT``); no data, nothing to do."""
    p = _SPECS_CHECK["log"](params)
    x = _present(values, context)
    if not x.size:
        return {"transform": "none", "note": "no values"}
    low, high = float(x.min()), float(x.max())
    if p["form"] == "shift1":
        return {"transform": "log", "form": "shift1", "log_min": low, "log_shift": 1.0}
    if high == low:
        return {"transform": "none", "note": "no spread: left as is"}
    fitted = _log_ct(x, plus=p["form"] == "log_CT_plus")
    return {"transform": "log", "form": p["form"], **fitted, "skew": _float(skewness(x))}


def fit_boxcox(values: np.ndarray, *, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """COINr's ``boxcox``: a fixed λ (no optimisation); ``makepos`` shifts the minimum to 1 first."""
    p = _SPECS_CHECK["boxcox"](params)
    x = _present(values, context)
    if not x.size:
        return {"transform": "none", "note": "no values"}
    shift = 1.0 - float(x.min()) if p["makepos"] else 0.0
    if not p["makepos"] and float(x.min()) <= 0.0:
        raise MethodError(
            f"the Box-Cox transform needs positive values, and the smallest is {float(x.min()):g}",
            indicator=context.indicator.code,
            hint="set makepos = true to shift the minimum to 1 first (COINr's default)",
        )
    return {
        "transform": "boxcox",
        "lambda": float(p["lambda"]),
        "shift": shift,
        "makepos": p["makepos"],
        "minimum": float(x.min()),
    }


def fit_none(values: np.ndarray, *, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    _SPECS_CHECK["none"](params)
    return {"transform": "none"}


_SPECS_CHECK = {name: _check(name, schema, cross) for name, (schema, cross) in _SCHEMAS.items()}

TREATMENTS: dict[str, TreatmentSpec] = {
    spec.name: spec
    for spec in (
        TreatmentSpec(
            name="winsorise",
            fit=fit_winsorise,
            apply=apply_fitted,
            check=_SPECS_CHECK["winsorise"],
            summary="COINr: winsorise up to winmax points until |skew| < 2 or kurtosis < 3.5, else log_CT",
        ),
        TreatmentSpec(
            name="clip",
            fit=fit_clip,
            apply=apply_fitted,
            check=_SPECS_CHECK["clip"],
            summary="clip to fixed bounds or quantiles",
        ),
        TreatmentSpec(
            name="log",
            fit=fit_log,
            apply=apply_fitted,
            check=_SPECS_CHECK["log"],
            summary="log(x − min + 1), or COINr's log_CT / log_CT_plus",
        ),
        TreatmentSpec(
            name="boxcox",
            fit=fit_boxcox,
            apply=apply_fitted,
            check=_SPECS_CHECK["boxcox"],
            summary="Box-Cox with a fixed lambda, after shifting the minimum to 1 (COINr's boxcox)",
        ),
        TreatmentSpec(
            name="none", fit=fit_none, apply=apply_fitted, check=_SPECS_CHECK["none"], summary="no treatment"
        ),
    )
}
