"""Checking the parameters of a method: every problem at once, with defaults filled in.

``validate_params`` is shared by normalisers and aggregators (``vises.methods.aggregate``); the schemas and
cross-checks of the built-in normalisers, and ``check_params`` which applies them, live here too so
that a fit, an output range and ``vises validate`` all judge parameters by the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from vises.errors import MethodError
from vises.model import Direction, Indicator

Problems = list[tuple[str, str]]
CrossCheck = Callable[[dict[str, Any], Indicator | None], Problems]


@attrs.frozen(kw_only=True)
class Param:
    """One parameter of a method: its kind (``number``, ``positive``, ``text``, ``bool``) and default."""

    kind: str
    default: Any = None
    required: bool = False

    def describe(self, key: str) -> str:
        if self.required:
            return f"{key} ({self.kind}, required)"
        return (
            f"{key} ({self.kind}, default {self.default!r})"
            if self.default is not None
            else f"{key} ({self.kind}, optional)"
        )


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
            path=f"params.{problems[0][0]}"
            if len(problems) == 1 and (problems[0][0] in schema or problems[0][0] in given)
            else None,
            hint=f"{name} takes {expected}",
        )
    return resolved


# --- parameter schemas ---------------------------------------------------------------------------


def target_scale(target: float, ind: Indicator) -> float | None:
    """The default scale of a 'target' normaliser: the widest distance from the target to a bound."""
    distances = [abs(bound - target) for bound in (ind.minimum, ind.maximum) if bound is not None]
    widest = max(distances, default=0.0)
    return widest if widest > 0 else None


_RANGE = {"low": Param(kind="number", default=0.0), "high": Param(kind="number", default=100.0)}


def _low_below_high(p: dict[str, Any], _: Indicator | None) -> Problems:
    return (
        []
        if p["low"] < p["high"]
        else [("high", f"parameter 'high' ({p['high']:g}) must be greater than 'low' ({p['low']:g})")]
    )


def _posts_ordered(p: dict[str, Any], ind: Indicator | None) -> Problems:
    problems = (
        []
        if p["lower"] < p["upper"]
        else [
            (
                "upper",
                f"parameter 'upper' ({p['upper']:g}) must be greater than 'lower' ({p['lower']:g}); for "
                "lower-is-better indicators keep lower < upper and set the indicator's direction",
            )
        ]
    )
    return problems + (_low_below_high(p, ind) if "low" in p else [])


def _target_checks(p: dict[str, Any], ind: Indicator | None) -> Problems:
    problems = _low_below_high(p, ind)
    if ind is None:
        return problems
    target = p["target"] if p["target"] is not None else ind.target
    if target is None:
        return [*problems, ("target", "parameter 'target' is required: the indicator declares no target")]
    if ind.direction is Direction.TARGET:
        if p["scale"] is None and target_scale(target, ind) is None:
            problems.append(
                (
                    "scale",
                    "parameter 'scale' is required: the indicator declares neither minimum nor maximum to derive it "
                    "from",
                )
            )
    else:
        if target <= 0:
            problems.append(
                (
                    "target",
                    f"target {target:g} must be > 0 for a {ind.direction.value}-is-better ratio (use goalposts for "
                    "zero or negative targets)",
                )
            )
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
        {
            "organisation": Param(kind="text", required=True),
            "period": Param(kind="text"),
            "scale": Param(kind="positive", default=100.0),
        },
        None,
    ),
    "fraction_of_max": ({"scale": Param(kind="positive", default=100.0)}, None),
    "rank": ({}, None),
    "percentile_rank": ({}, None),
    "borda": ({}, None),
    "scaled": (
        {
            "lower": Param(kind="number", required=True),
            "upper": Param(kind="number", required=True),
            "scale": Param(kind="positive", default=100.0),
        },
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
