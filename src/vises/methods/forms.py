"""Closed forms of the built-in methods, so many indicators can be applied in one numpy step.

Scoring a whole column calls a normaliser once per indicator, which is nothing beside the column's
length. Scoring *one* organisation (the web-form case) would make those calls the whole cost, so
the fast path asks here whether a method is one of the linear family (min-max, distance to max,
goalposts, scaled, scale, binary, category) or the weighted arithmetic mean, and then applies all
of them as vector operations. A method not known here (a plugin's, or a built-in wrapped by
someone) is applied through its own ``apply``: slower, never different.

Recognition is by the identity of the built-in functions, not by name, so a plugin's ``minmax``
that means something else is never taken for the built-in one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class LinearForm:
    """``score = share · (high − low) + low`` with ``share = (x − a)/span`` (``(b − x)/span`` when
    ``sign`` is −1), clipped to 0–1 when ``clip``; ``flat`` (a == b) gives the centre of the range.

    The steps are the ones ``normalisers.common.linear`` takes, in the same order, so the numbers
    are the same to the last bit.
    """

    a: float
    b: float
    span: float
    sign: int
    low: float
    high: float
    clip: bool = False
    flat: bool = False


def _linear(a: float, b: float, sign: int, low: float, high: float, *, clip: bool = False) -> LinearForm:
    flat = a == b
    return LinearForm(
        a=float(a),
        b=float(b),
        span=1.0 if flat else float(b - a),
        sign=1 if sign == 1 else -1,
        low=float(low),
        high=float(high),
        clip=clip,
        flat=flat,
    )


def _minmax(fitted: Mapping[str, Any]) -> LinearForm | None:
    if fitted.get("min") is None:
        return None
    return _linear(fitted["min"], fitted["max"], fitted["direction"], fitted["low"], fitted["high"])


def _goalposts(fitted: Mapping[str, Any]) -> LinearForm:
    return _linear(fitted["lower"], fitted["upper"], fitted["direction"], fitted["low"], fitted["high"], clip=True)


def _scaled(fitted: Mapping[str, Any]) -> LinearForm:
    return _linear(fitted["lower"], fitted["upper"], fitted["direction"], 0.0, fitted["scale"])


def _levels(fitted: Mapping[str, Any]) -> LinearForm:
    return _linear(fitted["min_level"], fitted["max_level"], fitted["direction"], fitted["low"], fitted["high"])


def _category(fitted: Mapping[str, Any]) -> LinearForm:
    # x itself, or min + max − x when lower is better: a share over a span of 1 onto [0, 1].
    if fitted["direction"] == 1:
        return LinearForm(a=0.0, b=0.0, span=1.0, sign=1, low=0.0, high=1.0)
    total = float(fitted["min_level"] + fitted["max_level"])
    return LinearForm(a=0.0, b=total, span=1.0, sign=-1, low=0.0, high=1.0)


_FORMS: dict[int, Callable[[Mapping[str, Any]], LinearForm | None]] | None = None
_WEIGHTED_MEAN: Callable[..., Any] | None = None


def _forms() -> dict[int, Callable[[Mapping[str, Any]], LinearForm | None]]:
    global _FORMS
    if _FORMS is None:
        from vises.methods.normalise import NORMALISERS

        by_name: dict[str, Callable[[Mapping[str, Any]], LinearForm | None]] = {
            "minmax": _minmax,
            "distance_to_max": _minmax,
            "goalposts": _goalposts,
            "scaled": _scaled,
            "scale": _levels,
            "binary": _levels,
            "category": _category,
        }
        _FORMS = {id(NORMALISERS[name].apply): form for name, form in by_name.items()}
    return _FORMS


def linear_form(apply: Callable[..., Any], fitted: Mapping[str, Any]) -> LinearForm | None:
    """The linear form of a built-in normaliser's ``apply`` with these fitted parameters, or ``None``."""
    form = _forms().get(id(apply))
    if form is None:
        return None
    try:
        return form(fitted)
    except (KeyError, TypeError, ValueError):  # parameters of another shape: use the method itself
        return None


def is_weighted_mean(aggregate: Callable[..., Any]) -> bool:
    """Whether ``aggregate`` is the built-in weighted arithmetic mean (weights renormalised per row)."""
    global _WEIGHTED_MEAN
    if _WEIGHTED_MEAN is None:
        from vises.methods.aggregate import AGGREGATORS

        _WEIGHTED_MEAN = AGGREGATORS["arithmetic"].aggregate
    return aggregate is _WEIGHTED_MEAN


__all__ = ["LinearForm", "is_weighted_mean", "linear_form"]
