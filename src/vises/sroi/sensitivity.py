"""Sensitivity analysis: how far the SROI ratio moves when each assumption moves.

Each outcome-level assumption (proxy, quantity, deadweight, displacement, attribution, drop-off,
duration) is varied for every outcome on its own, and also for all outcomes together (quantity
excepted: scaling every quantity is the same as scaling every proxy). The discount rate is varied
for the whole map. For each row the report gives the ratio at both ends, the swing, and the
switching value at which the ratio falls (or rises) to exactly 1:1, found in closed form where the
present value is linear in the assumption and by bisection or a whole-year scan elsewhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from vises.errors import SroiError
from vises.sroi.calculate import Prepared, discount_factors, horizon, impacts, prepare, present_value
from vises.sroi.model import ValueMap

FRACTIONS = ("deadweight", "displacement", "attribution", "drop_off")
OUTCOME_ASSUMPTIONS = ("proxy", "quantity", *FRACTIONS, "duration")
ASSUMPTIONS = (*OUTCOME_ASSUMPTIONS, "discount_rate")
_MODES = ("relative", "absolute", "values")


@attrs.frozen(kw_only=True)
class Variation:
    """How an assumption is moved: by a share of its value, by an amount, or set to two values."""

    mode: str
    low: float
    high: float

    @classmethod
    def relative(cls, share: float) -> Variation:
        return cls(mode="relative", low=-share, high=share)

    @classmethod
    def absolute(cls, amount: float) -> Variation:
        return cls(mode="absolute", low=-amount, high=amount)

    @classmethod
    def values(cls, low: float, high: float) -> Variation:
        return cls(mode="values", low=low, high=high)


#: Proxies and quantities ±20 %, fractions ±0.1 (clipped to 0–1), duration ±1 year, rate 0 % and 5 %.
DEFAULT_CHANGES: dict[str, Variation] = {
    "proxy": Variation.relative(0.2),
    "quantity": Variation.relative(0.2),
    **{name: Variation.absolute(0.1) for name in FRACTIONS},
    "duration": Variation.absolute(1),
    "discount_rate": Variation.values(0.0, 0.05),
}


@attrs.frozen(kw_only=True)
class SensitivityRow:
    """One tested assumption. ``outcome`` is ``None`` when all outcomes (or the map) move together.

    ``value_low``/``value_high`` are the values tried for one outcome (``None`` for all outcomes,
    where ``variation`` says how each was moved). ``switching_value`` is the assumption's value at
    which the ratio is 1:1 — for all outcomes together, the multiplier of every proxy or the amount
    added to every fraction or duration — or ``None`` when no value within bounds reaches 1:1.
    """

    assumption: str
    outcome: str | None
    variation: Variation
    base: float | None
    value_low: float | None
    value_high: float | None
    ratio_low: float
    ratio_high: float
    swing: float
    switching_value: float | None
    switching_kind: str
    method: str


@attrs.frozen(kw_only=True)
class SensitivityReport:
    """All rows, as a tornado: the largest swing of the ratio first."""

    code: str
    currency: str
    base_ratio: float
    present_value: float
    total_inputs: float
    rows: tuple[SensitivityRow, ...]

    def tornado(self, limit: int | None = None) -> tuple[SensitivityRow, ...]:
        return self.rows if limit is None else self.rows[:limit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "currency": self.currency,
            "base_ratio": self.base_ratio,
            "present_value": self.present_value,
            "total_inputs": self.total_inputs,
            "rows": [attrs.asdict(row) for row in self.rows],
        }


def sensitivity(
    model: ValueMap,
    *,
    changes: Mapping[str, Variation | tuple[float, float] | float | None] | None = None,
    results: Any = None,
    proxies: Mapping[str, Any] | None = None,
) -> SensitivityReport:
    """Vary each assumption, per outcome and for all outcomes, and rank the effects on the ratio.

    ``changes`` overrides ``DEFAULT_CHANGES`` per assumption: a ``Variation``; a number ``x`` for a
    symmetric move in the assumption's default mode (±x); a pair ``(low, high)`` in that mode; or
    ``None`` to leave the assumption out.
    """
    variations = _variations(changes)
    p = prepare(model, results=results, proxies=proxies)
    inputs = float(p.amounts.sum())
    base_pv = present_value(p)
    base = base_pv / inputs
    rows: list[SensitivityRow] = []
    for name in OUTCOME_ASSUMPTIONS:
        if name not in variations:
            continue
        variation = variations[name]
        for i, code in enumerate(p.codes):
            rows.append(_outcome_row(p, name, i, code, variation, base, inputs))
        if name != "quantity":
            rows.append(_global_row(p, name, variation, base, inputs))
    if "discount_rate" in variations:
        rows.append(_rate_row(p, variations["discount_rate"], base, inputs))
    rows.sort(key=lambda row: (-row.swing, row.assumption, row.outcome or ""))
    return SensitivityReport(
        code=p.model.code,
        currency=p.model.currency,
        base_ratio=base,
        present_value=base_pv,
        total_inputs=inputs,
        rows=tuple(rows),
    )


def _variations(changes: Mapping[str, Any] | None) -> dict[str, Variation]:
    result = dict(DEFAULT_CHANGES)
    unknown = sorted(set(changes or {}) - set(ASSUMPTIONS))
    if unknown:
        raise SroiError(
            f"unknown sensitivity assumption{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}",
            hint=f"choose among {', '.join(ASSUMPTIONS)}",
        )
    for name, change in (changes or {}).items():
        mode = DEFAULT_CHANGES[name].mode
        if change is None:
            del result[name]
        elif isinstance(change, Variation):
            if change.mode not in _MODES:
                raise SroiError(
                    f"sensitivity of {name}: unknown mode {change.mode!r}", hint=f"use one of {', '.join(_MODES)}"
                )
            result[name] = change
        elif isinstance(change, tuple) and len(change) == 2:
            result[name] = Variation(mode=mode, low=float(change[0]), high=float(change[1]))
        elif isinstance(change, (int, float)) and not isinstance(change, bool) and mode != "values":
            result[name] = Variation(mode=mode, low=-float(change), high=float(change))
        else:
            raise SroiError(
                f"sensitivity of {name}: cannot use {change!r}",
                hint="give a Variation, a number (±x) or a pair (low, high); the discount rate needs a pair of rates",
            )
    return result


def _bounds(name: str, values: np.ndarray) -> np.ndarray:
    if name in FRACTIONS:
        return np.asarray(np.clip(values, 0.0, 1.0))
    if name == "duration":
        return np.asarray(np.maximum(np.rint(values), 1).astype(np.int64))
    if name == "quantity":
        return np.asarray(np.maximum(values, 0.0))
    return values


def _moved(name: str, values: np.ndarray, variation: Variation, delta: float) -> np.ndarray:
    if variation.mode == "relative":
        moved = values * (1.0 + delta)
    elif variation.mode == "absolute":
        moved = values + delta
    else:
        moved = np.full_like(values, delta, dtype=np.float64)
    return _bounds(name, moved)


def _with(p: Prepared, name: str, index: int | None, value: float | np.ndarray) -> Prepared:
    current = getattr(p, name)
    if index is None:
        return p.replace(**{name: np.asarray(value, dtype=current.dtype)})
    changed = current.copy()
    changed[index] = value
    return p.replace(**{name: changed})


def _outcome_pv(p: Prepared, i: int) -> float:
    """One outcome's own present value, computed alone (not as a difference of two totals, which
    loses every digit when the outcome is tiny next to the rest)."""
    years = horizon(p)
    return float(impacts(p, years)[i] @ discount_factors(p.bands, years))


def _ratio(p: Prepared, inputs: float) -> float:
    return present_value(p) / inputs


def _swing(base: float, low: float, high: float) -> float:
    return max(base, low, high) - min(base, low, high)


def _outcome_row(
    p: Prepared, name: str, i: int, code: str, variation: Variation, base: float, inputs: float
) -> SensitivityRow:
    current = float(getattr(p, name)[i])
    tried = [float(_moved(name, np.array([current]), variation, d)[0]) for d in (variation.low, variation.high)]
    ratios = [_ratio(_with(p, name, i, value), inputs) for value in tried]
    value, method = _outcome_switch(p, name, i, current, inputs)
    return SensitivityRow(
        assumption=name,
        outcome=code,
        variation=variation,
        base=current,
        value_low=tried[0],
        value_high=tried[1],
        ratio_low=ratios[0],
        ratio_high=ratios[1],
        swing=_swing(base, *ratios),
        switching_value=value,
        switching_kind="value",
        method=method,
    )


def _outcome_switch(p: Prepared, name: str, i: int, current: float, inputs: float) -> tuple[float | None, str]:
    """The value of one outcome's assumption giving a 1:1 ratio, all else unchanged."""
    rest = present_value(_with(p, "quantity", i, 0.0))  # the value of every other outcome
    needed = inputs - rest
    if name in ("proxy", "quantity"):
        unit = _outcome_pv(_with(p, name, i, 1.0), i)  # PV is proportional to either
        if unit == 0:
            return None, "closed form"
        value = needed / unit
        if not math.isfinite(value):
            return None, "closed form"
        allowed = value >= 0 if (name == "quantity" or current >= 0) else value <= 0
        return (value if allowed else None), "closed form"
    if name in ("deadweight", "displacement", "attribution"):
        full = _outcome_pv(_with(p, name, i, 0.0), i)  # PV is proportional to 1 - fraction
        if full == 0:
            return None, "closed form"
        value = 1.0 - needed / full
        return (value if 0.0 <= value <= 1.0 else None), "closed form"
    if name == "drop_off":
        return _bisect(lambda x: _ratio(_with(p, name, i, x), inputs) - 1.0, 0.0, 1.0), "bisection"
    return _scan_years(lambda d: _ratio(_with(p, name, i, d), inputs), int(current)), "whole-year scan"


def _global_row(p: Prepared, name: str, variation: Variation, base: float, inputs: float) -> SensitivityRow:
    values = getattr(p, name)
    ratios = [
        _ratio(_with(p, name, None, _moved(name, values, variation, d)), inputs)
        for d in (variation.low, variation.high)
    ]
    if name == "proxy":
        pv = present_value(p)
        value, kind, method = (inputs / pv if pv > 0 else None), "multiplier", "closed form"
    elif name == "duration":
        value = _scan_shift(
            lambda k: _ratio(_with(p, name, None, np.maximum(values + k, 1)), inputs), int(values.max())
        )
        kind, method = "shift", "whole-year scan"
    else:
        value = _bisect(lambda d: _ratio(_with(p, name, None, np.clip(values + d, 0.0, 1.0)), inputs) - 1.0, -1.0, 1.0)
        kind, method = "shift", "bisection"
    return SensitivityRow(
        assumption=name,
        outcome=None,
        variation=variation,
        base=None,
        value_low=None,
        value_high=None,
        ratio_low=ratios[0],
        ratio_high=ratios[1],
        swing=_swing(base, *ratios),
        switching_value=value,
        switching_kind=kind,
        method=method,
    )


def _rate_row(p: Prepared, variation: Variation, base: float, inputs: float) -> SensitivityRow:
    """The discount rate, for the whole map: a flat rate replaces the rate or schedule."""
    flat = p.bands[0][1] if len(p.bands) == 1 else None

    def at(rate: float) -> float:
        return _ratio(p.replace(bands=((1, rate),)), inputs)

    if variation.mode == "values":
        tried = [variation.low, variation.high]
    elif flat is None:
        raise SroiError(
            "the discount rate of a map with a discount schedule can only be varied to given values",
            hint='use Variation.values(low, high), e.g. changes={"discount_rate": (0.0, 0.05)}',
        )
    else:
        tried = (
            [flat * (1 + variation.low), flat * (1 + variation.high)]
            if variation.mode == "relative"
            else [flat + variation.low, flat + variation.high]
        )
    tried = [min(max(rate, 0.0), 0.999) for rate in tried]
    ratios = [at(rate) for rate in tried]
    value = _bisect(lambda r: at(r) - 1.0, 0.0, 0.999)
    return SensitivityRow(
        assumption="discount_rate",
        outcome=None,
        variation=variation,
        base=flat,
        value_low=tried[0],
        value_high=tried[1],
        ratio_low=ratios[0],
        ratio_high=ratios[1],
        swing=_swing(base, *ratios),
        switching_value=value,
        switching_kind="value",
        method="bisection",
    )


def _bisect(f: Callable[[float], float], lo: float, hi: float) -> float | None:
    """A root of ``f`` in [lo, hi] when ``f`` changes sign there (f is monotone for these uses)."""
    f_lo, f_hi = f(lo), f(hi)
    if f_lo == 0:
        return lo
    if f_hi == 0:
        return hi
    if math.isnan(f_lo) or math.isnan(f_hi) or (f_lo > 0) == (f_hi > 0):
        return None
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if f_mid == 0 or hi - lo < 1e-12:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _longest() -> int:
    """The longest duration (years) the switching-value scan tries: the SROI horizon limit."""
    from vises.limits import current_limits

    return current_limits().horizon_years


def _scan_years(ratio: Callable[[int], float], current: int) -> float | None:
    """The whole duration nearest ``current`` at which the ratio reaches 1:1 (or crosses it)."""
    above = ratio(current) >= 1.0
    steps = range(current - 1, 0, -1) if above else range(current + 1, _longest() + 1)
    for years in steps:
        if (ratio(years) >= 1.0) != above or ratio(years) == 1.0:
            return float(years)
    return None


def _scan_shift(ratio: Callable[[int], float], longest: int) -> float | None:
    """The whole number of years added to every duration at which the ratio reaches 1:1."""
    above = ratio(0) >= 1.0
    steps = range(-1, -longest, -1) if above else range(1, _longest() + 1)
    for shift in steps:
        if (ratio(shift) >= 1.0) != above or ratio(shift) == 1.0:
            return float(shift)
    return None
