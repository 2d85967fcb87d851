"""Built-in normalisers: bring every indicator onto a common scale where higher is always better.

Each method is split into ``fit`` (parameters from the data, or only from the grid when
``data_dependent`` is false) and ``apply`` (a whole column at once), so the fitted parameters are
kept in the results and a new organisation can be scored later against the same parameters.
docs/methods.md gives every formula and where vises departs from COINr.

Rules shared by every method:

- ``NaN`` stays ``NaN``; fitting ignores ``NaN``; infinite values are refused (``DataError``).
- ``direction`` is +1 (higher is better) or -1 (lower is better). Only ``target`` handles an
  indicator whose direction is ``target``; every other method refuses one.
- Zero spread (max == min, or sd == 0): the data cannot tell organisations apart, so every present
  value gets the centre of the output range, e.g. ``(low + high) / 2`` (COINr returns ``NaN``,
  which would silently turn a valid measurement into missing data).
- Fitted on no data at all (every value missing): the fitted bounds are ``None``; applying them to
  a column that does hold values is a ``MethodError``.
- Fitted dicts hold only floats, strings, ``None`` and lists, so they are JSON-serialisable. The
  rank family stores its sorted reference values as a list (about 30 bytes per value).
- Parameters are checked by ``check_params`` (unknown keys, wrong types, impossible combinations),
  all problems in one ``MethodError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from .errors import DataError, MethodError
from .hookspecs import hookimpl
from .model import Direction, Indicator
from .records import FitContext, NormaliserSpec

Problems = list[tuple[str, str]]
CrossCheck = Callable[[dict[str, Any], Indicator | None], Problems]

#: Kinds whose values are numbers by the time they are normalised (levels become their scores).
NUMERIC_KINDS = ("quantity", "scale", "binary", "category")


@attrs.frozen(kw_only=True)
class Param:
    """One parameter of a method: its kind (``number``, ``positive``, ``text``, ``bool``) and default."""

    kind: str
    default: Any = None
    required: bool = False

    def describe(self, key: str) -> str:
        if self.required:
            return f"{key} ({self.kind}, required)"
        return f"{key} ({self.kind}, default {self.default!r})" if self.default is not None else f"{key} ({self.kind}, optional)"


def _type_problem(kind: str, value: Any) -> str | None:
    if kind in ("number", "positive"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            return "must be a finite number"
        if kind == "positive" and value <= 0:
            return "must be greater than 0"
        return None
    if kind == "text":
        return None if isinstance(value, str) and value else "must be a non-empty text"
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    raise AssertionError(f"unknown parameter kind {kind!r}")


def validate_params(
    what: str,
    name: str,
    params: Mapping[str, Any] | None,
    schema: Mapping[str, Param],
    cross: CrossCheck | None = None,
    indicator: Indicator | None = None,
) -> dict[str, Any]:
    """Check ``params`` against ``schema`` and return them with defaults filled in.

    Every problem (unknown key, missing or mistyped value, impossible combination) is collected and
    raised together as one ``MethodError`` that names each parameter and lists what is expected.
    """
    given = dict(params or {})
    problems: Problems = [(key, f"unknown parameter {key!r}") for key in sorted(set(given) - set(schema))]
    resolved: dict[str, Any] = {}
    for key, rule in schema.items():
        if key not in given:
            if rule.required:
                problems.append((key, f"parameter {key!r} is required"))
            resolved[key] = rule.default
            continue
        value = given[key]
        problem = _type_problem(rule.kind, value)
        if problem:
            problems.append((key, f"parameter {key!r} {problem}, got {value!r}"))
        resolved[key] = float(value) if rule.kind in ("number", "positive") and problem is None else value
    if not problems and cross is not None:
        problems = cross(resolved, indicator)
    if problems:
        expected = ", ".join(rule.describe(key) for key, rule in schema.items()) or "no parameters"
        raise MethodError(
            f"{what} {name!r}: " + "; ".join(message for _, message in problems),
            path=f"params.{problems[0][0]}" if len(problems) == 1 and (problems[0][0] in schema or problems[0][0] in given) else None,
            hint=f"{name} takes {expected}",
        )
    return resolved


# --- parameter schemas ---------------------------------------------------------------------------

_RANGE = {"low": Param(kind="number", default=0.0), "high": Param(kind="number", default=100.0)}


def _low_below_high(p: dict[str, Any], _: Indicator | None) -> Problems:
    return [] if p["low"] < p["high"] else [("high", f"parameter 'high' ({p['high']:g}) must be greater than 'low' ({p['low']:g})")]


def _posts_ordered(p: dict[str, Any], ind: Indicator | None) -> Problems:
    problems = [] if p["lower"] < p["upper"] else [("upper", f"parameter 'upper' ({p['upper']:g}) must be greater than 'lower' ({p['lower']:g}); for lower-is-better indicators keep lower < upper and set the indicator's direction")]
    return problems + (_low_below_high(p, ind) if "low" in p else [])


def _target_checks(p: dict[str, Any], ind: Indicator | None) -> Problems:
    problems = _low_below_high(p, ind)
    if ind is None:
        return problems
    target = p["target"] if p["target"] is not None else ind.target
    if target is None:
        return problems + [("target", "parameter 'target' is required: the indicator declares no target")]
    if ind.direction is Direction.TARGET:
        if p["scale"] is None and _target_scale(target, ind) is None:
            problems.append(("scale", "parameter 'scale' is required: the indicator declares neither minimum nor maximum to derive it from"))
    else:
        if target <= 0:
            problems.append(("target", f"target {target:g} must be > 0 for a {ind.direction.value}-is-better ratio (use goalposts for zero or negative targets)"))
        if p["scale"] is not None:
            problems.append(("scale", "parameter 'scale' only applies when the indicator's direction is 'target'"))
    return problems


def _needs_levels(p: dict[str, Any], ind: Indicator | None) -> Problems:
    problems = _low_below_high(p, ind) if "low" in p else []
    if ind is not None and ind.score_bounds() is None:
        problems.append(("indicator", f"indicator {ind.code!r} has no levels to take the score range from"))
    return problems


_SCHEMAS: dict[str, tuple[dict[str, Param], CrossCheck | None]] = {
    "minmax": (dict(_RANGE), _low_below_high),
    "zscore": ({"mean": Param(kind="number", default=0.0), "sd": Param(kind="positive", default=1.0)}, None),
    "goalposts": (
        {"lower": Param(kind="number", required=True), "upper": Param(kind="number", required=True), **_RANGE},
        _posts_ordered,
    ),
    "target": (
        {"target": Param(kind="number"), "scale": Param(kind="positive"), **_RANGE},
        _target_checks,
    ),
    "distance_to_max": (dict(_RANGE), _low_below_high),
    "distance_to_reference": (
        {"organisation": Param(kind="text", required=True), "period": Param(kind="text"), "scale": Param(kind="positive", default=100.0)},
        None,
    ),
    "fraction_of_max": ({"scale": Param(kind="positive", default=100.0)}, None),
    "rank": ({}, None),
    "percentile_rank": ({}, None),
    "borda": ({}, None),
    "scaled": (
        {"lower": Param(kind="number", required=True), "upper": Param(kind="number", required=True), "scale": Param(kind="positive", default=100.0)},
        _posts_ordered,
    ),
    "none": ({}, None),
    "scale": (dict(_RANGE), _needs_levels),
    "binary": (dict(_RANGE), _low_below_high),
    "category": ({}, _needs_levels),
}


def check_params(name: str, params: Mapping[str, Any] | None, *, indicator: Indicator | None = None) -> dict[str, Any]:
    """Validate a built-in normaliser's parameters; return them with defaults filled in.

    With ``indicator`` the checks that depend on it run too (a target to fall back on, levels).
    Raises ``MethodError`` for an unknown method name or any bad parameter, all problems at once.
    """
    if name not in _SCHEMAS:
        raise MethodError(f"unknown normaliser {name!r}", hint=f"built-in normalisers: {', '.join(sorted(_SCHEMAS))}")
    schema, cross = _SCHEMAS[name]
    return validate_params("normaliser", name, params, schema, cross, indicator)


# --- shared helpers ------------------------------------------------------------------------------


def _prepare(name: str, params: Mapping[str, Any], direction: int, context: FitContext) -> dict[str, Any]:
    """Check the direction and parameters of a fit; return the resolved parameters."""
    if direction not in (1, -1):
        raise MethodError(f"normaliser {name!r}: direction must be +1 or -1, got {direction!r}", indicator=context.indicator.code)
    if name != "target" and context.indicator.direction is Direction.TARGET:
        raise MethodError(
            f"normaliser {name!r} cannot judge an indicator whose direction is 'target'",
            indicator=context.indicator.code,
            hint='use normaliser = { method = "target", scale = ... }',
        )
    return check_params(name, params, indicator=context.indicator)


def _present(values: np.ndarray, context: FitContext) -> np.ndarray:
    """The non-missing values; infinite values are refused, naming the first rows."""
    values = np.asarray(values, dtype=np.float64)
    infinite = np.isinf(values)
    if infinite.any():
        rows = (np.flatnonzero(infinite)[:5] + 1).tolist()
        raise DataError(
            f"infinite values at rows {rows} cannot be normalised",
            indicator=context.indicator.code,
            hint="check for a division by zero where the data were computed",
        )
    return values[~np.isnan(values)]


def _column(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=np.float64)
    return values, np.isnan(values)


def _nothing_fitted(name: str, values: np.ndarray) -> np.ndarray:
    """Apply parameters fitted on no data: fine for an all-missing column, an error otherwise."""
    values, missing = _column(values)
    if not missing.all():
        raise MethodError(
            f"normaliser {name!r} was fitted on a column with no values, so it cannot score new values",
            hint="fit on data that holds at least one value, or use fixed goalposts",
        )
    return np.full(values.shape, np.nan)


def _linear(values: np.ndarray, a: float, b: float, direction: int, low: float, high: float, *, clip: bool = False) -> np.ndarray:
    """Map ``a`` to ``low`` and ``b`` to ``high`` (swapped when direction is -1); a == b gives the centre."""
    values, missing = _column(values)
    if a == b:
        return np.where(missing, np.nan, (low + high) / 2.0)
    share = (values - a) / (b - a) if direction == 1 else (b - values) / (b - a)
    if clip:
        np.clip(share, 0.0, 1.0, out=share)
    share *= high - low
    share += low
    return share


def _range_of(name: str) -> Callable[[Mapping[str, Any]], tuple[float | None, float | None]]:
    def output_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
        p = check_params(name, params)
        return (p["low"], p["high"])

    return output_range


def _unbounded(_: Mapping[str, Any]) -> tuple[float | None, float | None]:
    return (None, None)


# --- min-max family ------------------------------------------------------------------------------


def _fit_minmax_like(name: str) -> Callable[..., dict[str, Any]]:
    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        p = _prepare(name, params, direction, context)
        x = _present(values, context)
        bounds = (float(x.min()), float(x.max())) if x.size else (None, None)
        return {"min": bounds[0], "max": bounds[1], "low": p["low"], "high": p["high"], "direction": direction}

    return fit


def _apply_minmax_like(name: str) -> Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]:
    def apply(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
        if fitted["min"] is None:
            return _nothing_fitted(name, values)
        return _linear(values, fitted["min"], fitted["max"], fitted["direction"], fitted["low"], fitted["high"])

    return apply


def _fit_zscore(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """x' = mean + sd · d·(x − m)/s, with m and s (ddof = 1) from the data; s = 0 or one value: x' = mean."""
    p = _prepare("zscore", params, direction, context)
    x = _present(values, context)
    centre = float(x.mean()) if x.size else None
    spread = float(x.std(ddof=1)) if x.size > 1 else (0.0 if x.size else None)
    return {"data_mean": centre, "data_sd": spread, "mean": p["mean"], "sd": p["sd"], "direction": direction}


def _apply_zscore(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    if fitted["data_mean"] is None:
        return _nothing_fitted("zscore", values)
    values, missing = _column(values)
    if fitted["data_sd"] == 0.0:
        return np.where(missing, np.nan, fitted["mean"])
    z = (values - fitted["data_mean"]) * (fitted["direction"] * fitted["sd"] / fitted["data_sd"])
    z += fitted["mean"]
    return z


def _fit_fixed(name: str) -> Callable[..., dict[str, Any]]:
    """Fit for methods whose parameters all come from the grid: the resolved params plus direction."""

    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        p = _prepare(name, params, direction, context)
        _present(values, context)
        return {**p, "direction": direction}

    return fit


def _apply_goalposts(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = clip((x − lower)/(upper − lower), 0, 1)·(high − low) + low; mirrored for direction −1."""
    return _linear(values, fitted["lower"], fitted["upper"], fitted["direction"], fitted["low"], fitted["high"], clip=True)


def _apply_scaled(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = (x − lower)/(upper − lower)·scale, not truncated; (upper − x)/(upper − lower)·scale for −1."""
    return _linear(values, fitted["lower"], fitted["upper"], fitted["direction"], 0.0, fitted["scale"])


def _apply_none(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = d·x: the raw value, negated when lower is better."""
    values, _ = _column(values)
    return values * float(fitted["direction"])


# --- distance to a target or a reference ---------------------------------------------------------


def _target_scale(target: float, ind: Indicator) -> float | None:
    distances = [abs(bound - target) for bound in (ind.minimum, ind.maximum) if bound is not None]
    widest = max(distances, default=0.0)
    return widest if widest > 0 else None


def _fit_target(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """Fix the target, the mode (higher / lower / target) and, for mode target, the scale."""
    p = _prepare("target", params, direction, context)
    _present(values, context)
    ind = context.indicator
    target = p["target"] if p["target"] is not None else float(ind.target)  # type: ignore[arg-type]
    if ind.direction is Direction.TARGET:
        mode = "target"
        scale = p["scale"] if p["scale"] is not None else _target_scale(target, ind)
    else:
        mode, scale = ("higher" if direction == 1 else "lower"), None
    return {"target": target, "mode": mode, "scale": scale, "low": p["low"], "high": p["high"]}


def _apply_target(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Share of the target reached, capped at 1, mapped onto [low, high].

    higher: r = clip(x/T, 0, 1); lower: r = 1 when x <= T else T/x; target: r = max(0, 1 − |x − T|/scale).
    """
    values, missing = _column(values)
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
    return share


def _fit_reference(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """Find the reference organisation's value (in ``period`` when given); it must be unique and > 0."""
    p = _prepare("distance_to_reference", params, direction, context)
    values = np.asarray(values, dtype=np.float64)
    _present(values, context)
    org, period = p["organisation"], p["period"]
    rows = np.asarray(context.organisations).astype(str) == org
    where = f"organisation {org!r}" + (f" in period {period!r}" if period is not None else "")
    if period is not None:
        rows &= np.asarray(context.periods).astype(str) == period
    found = values[rows]
    known = found[~np.isnan(found)]
    if not rows.any():
        raise MethodError(f"normaliser 'distance_to_reference': {where} is not in the data", path="params.organisation", indicator=context.indicator.code, hint="name an organisation code present in the dataset (and period)")
    if known.size == 0:
        raise MethodError(f"normaliser 'distance_to_reference': {where} has no value for this indicator", path="params.organisation", indicator=context.indicator.code, hint="choose a reference organisation that reported this indicator")
    if known.size > 1:
        periods = sorted({str(v) for v in np.asarray(context.periods)[rows][~np.isnan(found)]})
        raise MethodError(f"normaliser 'distance_to_reference': {where} has {known.size} values (periods {periods})", path="params.period", indicator=context.indicator.code, hint="set period = ... to say which one is the reference")
    reference = float(known[0])
    if reference <= 0:
        raise MethodError(f"normaliser 'distance_to_reference': the reference value of {where} is {reference:g}; a ratio needs a value > 0", path="params.organisation", indicator=context.indicator.code, hint="choose another reference organisation, or use goalposts")
    return {"reference": reference, "organisation": org, "period": period, "scale": p["scale"], "direction": direction}


def _apply_reference(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = scale·(1 + d·(x − x_ref)/x_ref): x/x_ref·scale when higher is better, mirrored at x_ref otherwise."""
    values, _ = _column(values)
    ref = fitted["reference"]
    return (1.0 + fitted["direction"] * (values - ref) / ref) * fitted["scale"]


def _fit_fraction(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
    """The best value: max when higher is better, min when lower is better; it must be > 0."""
    p = _prepare("fraction_of_max", params, direction, context)
    x = _present(values, context)
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


def _apply_fraction(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = x/max·scale (higher is better) or min/x·scale (lower is better, x > 0)."""
    if fitted["best"] is None:
        return _nothing_fitted("fraction_of_max", values)
    values, _ = _column(values)
    if fitted["direction"] == 1:
        return values / fitted["best"] * fitted["scale"]
    if (values <= 0).any():
        rows = (np.flatnonzero(values <= 0)[:5] + 1).tolist()
        raise MethodError(f"normaliser 'fraction_of_max': values <= 0 at rows {rows} cannot be scored as min/x", hint="use minmax or goalposts")
    return fitted["best"] / values * fitted["scale"]


# --- rank family ---------------------------------------------------------------------------------


def _fit_ranks(name: str) -> Callable[..., dict[str, Any]]:
    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        _prepare(name, params, direction, context)
        x = _present(values, context)
        return {"reference": np.sort(x).tolist(), "direction": direction}

    return fit


def _worse_than(values: np.ndarray, fitted: Mapping[str, Any]) -> tuple[np.ndarray, int, np.ndarray]:
    """How many reference values are strictly worse than each value (ties 'min', as in COINr)."""
    values, missing = _column(values)
    reference = np.asarray(fitted["reference"], dtype=np.float64)
    if fitted["direction"] == 1:
        below = np.searchsorted(reference, values, side="left")
    else:
        below = reference.size - np.searchsorted(reference, values, side="right")
    return below.astype(np.float64), reference.size, missing


def _apply_rank(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = 1 + number of reference values strictly worse (1 = worst; ties share the lowest rank)."""
    if not fitted["reference"]:
        return _nothing_fitted("rank", values)
    below, _, missing = _worse_than(values, fitted)
    below += 1.0
    below[missing] = np.nan
    return below


def _apply_borda(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = number of reference values strictly worse (the Borda count; rank − 1)."""
    if not fitted["reference"]:
        return _nothing_fitted("borda", values)
    below, _, missing = _worse_than(values, fitted)
    below[missing] = np.nan
    return below


def _apply_percentile(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = 100·(number strictly worse)/(n − 1), capped at 100; 50 when n = 1 or all values are equal."""
    reference = fitted["reference"]
    if not reference:
        return _nothing_fitted("percentile_rank", values)
    below, n, missing = _worse_than(values, fitted)
    if n == 1 or reference[0] == reference[-1]:
        return np.where(missing, np.nan, 50.0)
    score = np.minimum(below * (100.0 / (n - 1)), 100.0)
    score[missing] = np.nan
    return score


# --- qualitative kinds ---------------------------------------------------------------------------


def _fit_levels(name: str) -> Callable[..., dict[str, Any]]:
    def fit(values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        p = _prepare(name, params, direction, context)
        _present(values, context)
        bounds = context.indicator.score_bounds()
        if name == "binary" and bounds is None:
            bounds = (0.0, 1.0)
        if bounds is None:  # _prepare has already refused this; kept for the type checker
            raise MethodError(f"normaliser {name!r}: the indicator has no levels", indicator=context.indicator.code)
        if name == "binary" and bounds[0] == bounds[1]:
            raise MethodError("normaliser 'binary': 'yes' and 'no' have the same score", indicator=context.indicator.code, hint="give the two levels different scores")
        return {**p, "min_level": float(bounds[0]), "max_level": float(bounds[1]), "direction": direction}

    return fit


def _apply_scale(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = (x − min level)/(max level − min level)·(high − low) + low; mirrored for −1; one level: centre."""
    return _linear(values, fitted["min_level"], fitted["max_level"], fitted["direction"], fitted["low"], fitted["high"])


def _apply_binary(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """'no' (lower level score) → low and 'yes' → high; swapped for −1; any other value is an error."""
    values, missing = _column(values)
    lo, hi = fitted["min_level"], fitted["max_level"]
    other = ~missing & (values != lo) & (values != hi)
    if other.any():
        rows = (np.flatnonzero(other)[:5] + 1).tolist()
        raise MethodError(f"normaliser 'binary': values at rows {rows} are neither {lo:g} nor {hi:g}", hint="a binary indicator takes only its two level scores")
    return _linear(values, lo, hi, fitted["direction"], fitted["low"], fitted["high"])


def _apply_category(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
    """Score = the category's own score x; min + max − x when lower is better (range kept)."""
    values, _ = _column(values)
    if fitted["direction"] == 1:
        return values.copy()
    return (fitted["min_level"] + fitted["max_level"]) - values


def _category_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
    check_params("category", params)
    return (None, None)


def _checked_unbounded(name: str) -> Callable[[Mapping[str, Any]], tuple[float | None, float | None]]:
    def output_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
        check_params(name, params)
        return (None, None)

    return output_range


def _fixed_range(name: str, low: float | None, high_key: str | None = None, high: float | None = None) -> Callable[[Mapping[str, Any]], tuple[float | None, float | None]]:
    def output_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
        p = check_params(name, params)
        return (low, p[high_key] if high_key else high)

    return output_range


NORMALISERS: dict[str, NormaliserSpec] = {
    spec.name: spec
    for spec in (
        NormaliserSpec(name="minmax", fit=_fit_minmax_like("minmax"), apply=_apply_minmax_like("minmax"), output_range=_range_of("minmax"), kinds=NUMERIC_KINDS, summary="(x − min)/(max − min) onto [low, high]"),
        NormaliserSpec(name="zscore", fit=_fit_zscore, apply=_apply_zscore, output_range=_checked_unbounded("zscore"), kinds=NUMERIC_KINDS, summary="mean + sd·(x − m)/s (sample sd)"),
        NormaliserSpec(name="goalposts", fit=_fit_fixed("goalposts"), apply=_apply_goalposts, output_range=_range_of("goalposts"), data_dependent=False, kinds=NUMERIC_KINDS, summary="fixed lower/upper goalposts, truncated, onto [low, high]"),
        NormaliserSpec(name="target", fit=_fit_target, apply=_apply_target, output_range=_range_of("target"), data_dependent=False, kinds=NUMERIC_KINDS, summary="share of a target reached, capped; or closeness to a target"),
        NormaliserSpec(name="distance_to_max", fit=_fit_minmax_like("distance_to_max"), apply=_apply_minmax_like("distance_to_max"), output_range=_range_of("distance_to_max"), kinds=NUMERIC_KINDS, summary="1 − (max − x)/(max − min) onto [low, high]"),
        NormaliserSpec(name="distance_to_reference", fit=_fit_reference, apply=_apply_reference, output_range=_checked_unbounded("distance_to_reference"), kinds=NUMERIC_KINDS, summary="x/x_ref·scale against a reference organisation"),
        NormaliserSpec(name="fraction_of_max", fit=_fit_fraction, apply=_apply_fraction, output_range=_fixed_range("fraction_of_max", None, "scale"), kinds=NUMERIC_KINDS, summary="x/max·scale (min/x·scale when lower is better)"),
        NormaliserSpec(name="rank", fit=_fit_ranks("rank"), apply=_apply_rank, output_range=_fixed_range("rank", 1.0), kinds=NUMERIC_KINDS, summary="rank, 1 = worst, ties share the lowest"),
        NormaliserSpec(name="percentile_rank", fit=_fit_ranks("percentile_rank"), apply=_apply_percentile, output_range=_fixed_range("percentile_rank", 0.0, high=100.0), kinds=NUMERIC_KINDS, summary="percentile rank 0–100"),
        NormaliserSpec(name="borda", fit=_fit_ranks("borda"), apply=_apply_borda, output_range=_fixed_range("borda", 0.0), kinds=NUMERIC_KINDS, summary="number of values strictly worse"),
        NormaliserSpec(name="scaled", fit=_fit_fixed("scaled"), apply=_apply_scaled, output_range=_checked_unbounded("scaled"), data_dependent=False, kinds=NUMERIC_KINDS, summary="(x − lower)/(upper − lower)·scale, not truncated"),
        NormaliserSpec(name="none", fit=_fit_fixed("none"), apply=_apply_none, output_range=_checked_unbounded("none"), data_dependent=False, kinds=NUMERIC_KINDS, summary="raw value (negated when lower is better)"),
        NormaliserSpec(name="scale", fit=_fit_levels("scale"), apply=_apply_scale, output_range=_range_of("scale"), data_dependent=False, kinds=("scale",), summary="level score onto [low, high] by the scale's range"),
        NormaliserSpec(name="binary", fit=_fit_levels("binary"), apply=_apply_binary, output_range=_range_of("binary"), data_dependent=False, kinds=("binary",), summary="no → low, yes → high"),
        NormaliserSpec(name="category", fit=_fit_levels("category"), apply=_apply_category, output_range=_category_range, data_dependent=False, kinds=("category",), summary="the category's own score"),
    )
}


@hookimpl
def vises_register_normalisers() -> list[NormaliserSpec]:
    return list(NORMALISERS.values())
