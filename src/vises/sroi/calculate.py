"""The SROI calculation: impact by outcome and year, discounting, ratios and payback.

A value map is first *prepared*: checked, proxy references resolved, quantities read from scored
results, every amount converted to the map's currency, and the outcomes laid out as numpy
vectors. The arithmetic then runs on an outcomes × years matrix at once; sensitivity analysis
re-runs it on modified vectors without checking or converting again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from vises.errors import SroiError, ValidationError, VisesError
from vises.sroi.model import InputKind, QuantityRef, ValueMap, check, currency_factor


@attrs.frozen(kw_only=True, eq=False)
class Prepared:
    """A checked value map as aligned vectors, all money in the map's currency."""

    model: ValueMap
    codes: tuple[str, ...]
    stakeholders: tuple[str, ...]
    quantity: np.ndarray
    proxy: np.ndarray
    deadweight: np.ndarray
    displacement: np.ndarray
    attribution: np.ndarray
    drop_off: np.ndarray
    duration: np.ndarray
    start: np.ndarray
    #: (first year, discount rate) of each band, in order; the last band is open-ended.
    bands: tuple[tuple[int, float], ...]
    funders: tuple[str, ...]
    amounts: np.ndarray

    def replace(self, **changes: Any) -> Prepared:
        return attrs.evolve(self, **changes)


def prepare(model: ValueMap, *, results: Any = None, proxies: Mapping[str, Any] | None = None) -> Prepared:
    """Check ``model`` (every problem at once), resolve proxies and quantities, convert currencies."""
    from vises.sroi.files import registered_proxies, resolve_proxies

    if proxies is None and any(isinstance(o.proxy, str) for o in model.outcomes):
        proxies = registered_proxies()
    problems = check(model, proxies=proxies)
    if problems:
        raise ValidationError(problems, what=f"value map {model.code!r}")
    model = resolve_proxies(model, proxies or {})

    quantities: list[float] = []
    factors: list[float] = []
    for i, outcome in enumerate(model.outcomes):
        where = f"outcome {outcome.code!r}"
        try:
            if isinstance(outcome.quantity, QuantityRef):
                quantities.append(
                    _quantity_from(results, outcome.quantity, where=where, path=f"outcomes[{i}].quantity")
                )
            else:
                quantities.append(float(outcome.quantity))
        except SroiError as exc:
            problems.append(exc)
            quantities.append(math.nan)
        proxy = outcome.proxy
        assert not isinstance(proxy, str)  # resolve_proxies replaced every reference
        factors.append(currency_factor(proxy.currency, model, where=where, path=f"outcomes[{i}].proxy.currency"))
    if problems:
        raise ValidationError(problems, what=f"value map {model.code!r}")

    amounts = [
        item.amount
        * currency_factor(item.currency, model, where=f"input of {item.funder!r}", path=f"inputs[{i}].currency")
        for i, item in enumerate(model.inputs)
    ]
    outcomes = model.outcomes

    def column(name: str) -> np.ndarray:
        return np.array([float(getattr(o, name)) for o in outcomes], dtype=np.float64)

    return Prepared(
        model=model,
        codes=tuple(o.code for o in outcomes),
        stakeholders=tuple(o.stakeholder for o in outcomes),
        quantity=np.array(quantities, dtype=np.float64),
        proxy=np.array([o.proxy.value for o in outcomes], dtype=np.float64) * np.array(factors),  # type: ignore[union-attr]
        deadweight=column("deadweight"),
        displacement=column("displacement"),
        attribution=column("attribution"),
        drop_off=column("drop_off"),
        duration=np.array([o.duration for o in outcomes], dtype=np.int64),
        start=np.array([o.start for o in outcomes], dtype=np.int64),
        bands=tuple((band.from_year, band.rate) for band in model.schedule()),
        funders=tuple(item.funder for item in model.inputs),
        amounts=np.array(amounts, dtype=np.float64),
    )


def _quantity_from(results: Any, ref: QuantityRef, *, where: str, path: str) -> float:
    """The raw value of ``ref.indicator`` for one organisation and period of scored results."""
    if results is None:
        raise SroiError(
            f"{where}: the quantity comes from indicator {ref.indicator!r} but no scored results were given",
            path=path,
            hint="on the command line add --data DATA --grid GRID; in Python pass "
            "results=vises.score(...) to evaluate; or write the quantity as a number",
        )
    try:
        row = results.row(ref.organisation, ref.period)
    except (KeyError, LookupError, ValueError) as exc:
        raise SroiError(
            f"{where}: the results have no row for organisation {ref.organisation!r}, period {ref.period!r}",
            path=path,
            hint=f"check the organisation and period against the scored dataset ({_why(exc)})",
        ) from exc
    try:
        raw = results.raw(ref.indicator)
    except (KeyError, LookupError, ValueError) as exc:
        raise SroiError(
            f"{where}: the results have no raw values for indicator {ref.indicator!r}",
            path=path,
            hint=f"use the code of a quantity indicator of the scored grid ({_why(exc)})",
        ) from exc
    value = float(np.asarray(raw, dtype=np.float64)[row])
    if math.isnan(value):
        raise SroiError(
            f"{where}: indicator {ref.indicator!r} has no value for {ref.organisation!r}, {ref.period!r}",
            path=path,
            hint="fill in the value in the dataset or write the quantity as a number",
        )
    if value < 0:
        raise SroiError(f"{where}: indicator {ref.indicator!r} gives a negative quantity {value}", path=path)
    return value


def _why(exc: Exception) -> str:
    return exc.message if isinstance(exc, VisesError) else str(exc)


def year_one(p: Prepared) -> np.ndarray:
    """Impact in each outcome's first year: quantity × proxy × (1−deadweight)(1−displacement)(1−attribution)."""
    return np.asarray(p.quantity * p.proxy * (1.0 - p.deadweight) * (1.0 - p.displacement) * (1.0 - p.attribution))


def horizon(p: Prepared) -> int:
    return int((p.start + p.duration - 1).max()) if len(p.codes) else 0


def impacts(p: Prepared, years: int | None = None) -> np.ndarray:
    """Undiscounted impact, outcomes × analysis years 1..H; drop-off applies from the second year."""
    years = horizon(p) if years is None else years
    t = np.arange(1, years + 1)
    k = t[None, :] - p.start[:, None]  # years since the outcome's first year of impact
    active = (k >= 0) & (k < p.duration[:, None])
    kept = np.power((1.0 - p.drop_off)[:, None], np.maximum(k, 0))
    return np.where(active, year_one(p)[:, None] * kept, 0.0)


def discount_factors(bands: Iterable[tuple[int, float]], years: int) -> np.ndarray:
    """1 / Π_{s=1..t}(1 + r_s) for t = 1..years, r_s being the rate of the band year s falls in."""
    rates = np.empty(years, dtype=np.float64)
    for first, rate in bands:
        rates[first - 1 :] = rate
    return 1.0 / np.cumprod(1.0 + rates)


def present_value(p: Prepared) -> float:
    """Total discounted value (used in loops by the sensitivity analysis)."""
    years = horizon(p)
    return float((impacts(p, years) @ discount_factors(p.bands, years)).sum())


@attrs.frozen(kw_only=True)
class OutcomeValue:
    """One outcome's figures; money in the map's currency, ``*_by_year`` over analysis years 1..H."""

    code: str
    stakeholder: str
    description: str
    indicator: str
    quantity: float
    proxy: float
    proxy_unit: str
    proxy_source: str
    deadweight: float
    displacement: float
    attribution: float
    drop_off: float
    duration: int
    start: int
    year_one_impact: float
    impact_by_year: tuple[float, ...]
    pv_by_year: tuple[float, ...]
    present_value: float
    undiscounted_value: float


@attrs.frozen(kw_only=True)
class StakeholderValue:
    """Value created for one stakeholder group, and its share of the total present value."""

    code: str
    label: str
    value: float
    share: float
    undiscounted_value: float
    by_year: tuple[float, ...]


@attrs.frozen(kw_only=True)
class InputValue:
    funder: str
    amount: float
    kind: str
    description: str


@attrs.frozen(kw_only=True)
class SroiResult:
    """The headline figures of a value map and their breakdown; everything in ``currency``.

    ``payback_months`` is ``None`` when the first-year impact is not positive (never paid back).
    """

    code: str
    label: str
    currency: str
    discount: tuple[tuple[int, float], ...]
    years: tuple[int, ...]
    discount_factors: tuple[float, ...]
    present_value: float
    net_present_value: float
    sroi_ratio: float
    net_sroi_ratio: float
    payback_months: float | None
    total_inputs: float
    undiscounted_value: float
    year_one_impact: float
    by_outcome: tuple[OutcomeValue, ...]
    by_stakeholder: tuple[StakeholderValue, ...]
    inputs: tuple[InputValue, ...]

    def ratio_for(self, *, funders: Iterable[str]) -> float:
        """PV per unit invested by ``funders`` only (the whole value set against part of the inputs)."""
        wanted = list(funders)
        known = {item.funder for item in self.inputs}
        unknown = [f for f in wanted if f not in known]
        if unknown or not wanted:
            raise SroiError(
                f"unknown funder{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown)) or '(none given)'}",
                hint=f"funders of value map {self.code!r}: {', '.join(sorted(known))}",
            )
        total = sum(item.amount for item in self.inputs if item.funder in wanted)
        if total <= 0:
            raise SroiError(f"the inputs of {', '.join(map(repr, wanted))} add up to zero, so the ratio is undefined")
        return self.present_value / total

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready apart from NaN, which the json renderer writes as null)."""
        return {
            "code": self.code,
            "label": self.label,
            "currency": self.currency,
            "discount": [{"from_year": first, "rate": rate} for first, rate in self.discount],
            "years": list(self.years),
            "discount_factors": list(self.discount_factors),
            "present_value": self.present_value,
            "net_present_value": self.net_present_value,
            "sroi_ratio": self.sroi_ratio,
            "net_sroi_ratio": self.net_sroi_ratio,
            "payback_months": self.payback_months,
            "total_inputs": self.total_inputs,
            "undiscounted_value": self.undiscounted_value,
            "year_one_impact": self.year_one_impact,
            "inputs": [attrs.asdict(item) for item in self.inputs],
            "by_stakeholder": {
                s.code: {
                    "label": s.label,
                    "value": s.value,
                    "share": s.share,
                    "undiscounted_value": s.undiscounted_value,
                    "by_year": list(s.by_year),
                }
                for s in self.by_stakeholder
            },
            "by_outcome": {
                o.code: {
                    key: (list(value) if isinstance(value, tuple) else value)
                    for key, value in attrs.asdict(o).items()
                    if key != "code"
                }
                for o in self.by_outcome
            },
        }


def evaluate(model: ValueMap, *, results: Any = None, proxies: Mapping[str, Any] | None = None) -> SroiResult:
    """Compute present value, NPV, SROI ratios, payback and breakdowns of a value map.

    ``results`` (a scored ``vises.engine.results.Results``) supplies quantities written as
    ``{ indicator, organisation, period }``; ``proxies`` maps keys to ``records.FinancialProxy``
    (default: the plugin registry, asked only when the map references proxies by key).
    """
    return summarise(prepare(model, results=results, proxies=proxies))


def summarise(p: Prepared) -> SroiResult:
    """Build the result of a prepared map (one matrix product for all outcomes and years)."""
    model = p.model
    years = horizon(p)
    factors = discount_factors(p.bands, years)
    matrix = impacts(p, years)
    discounted = matrix * factors[None, :]
    pv_outcome = discounted.sum(axis=1)
    pv = float(pv_outcome.sum())
    total_inputs = float(p.amounts.sum())
    first = year_one(p)
    first_total = float(first.sum())

    outcomes = []
    for i, outcome in enumerate(model.outcomes):
        proxy = outcome.proxy
        assert not isinstance(proxy, str)
        outcomes.append(
            OutcomeValue(
                code=outcome.code,
                stakeholder=outcome.stakeholder,
                description=outcome.description,
                indicator=outcome.indicator,
                quantity=float(p.quantity[i]),
                proxy=float(p.proxy[i]),
                proxy_unit=proxy.unit,
                proxy_source=proxy.source or (proxy.ref or ""),
                deadweight=outcome.deadweight,
                displacement=outcome.displacement,
                attribution=outcome.attribution,
                drop_off=outcome.drop_off,
                duration=outcome.duration,
                start=outcome.start,
                year_one_impact=float(first[i]),
                impact_by_year=tuple(map(float, matrix[i])),
                pv_by_year=tuple(map(float, discounted[i])),
                present_value=float(pv_outcome[i]),
                undiscounted_value=float(matrix[i].sum()),
            )
        )

    owners = np.array(p.stakeholders, dtype=object)
    by_stakeholder = []
    for stakeholder in model.stakeholders:
        mine = owners == stakeholder.code
        value = float(pv_outcome[mine].sum())
        by_stakeholder.append(
            StakeholderValue(
                code=stakeholder.code,
                label=stakeholder.label_in(None),
                value=value,
                share=value / pv if pv else math.nan,
                undiscounted_value=float(matrix[mine].sum()),
                by_year=tuple(map(float, discounted[mine].sum(axis=0))),
            )
        )

    return SroiResult(
        code=model.code,
        label=model.label_in(None),
        currency=model.currency,
        discount=p.bands,
        years=tuple(range(1, years + 1)),
        discount_factors=tuple(map(float, factors)),
        present_value=pv,
        net_present_value=pv - total_inputs,
        sroi_ratio=pv / total_inputs,
        net_sroi_ratio=(pv - total_inputs) / total_inputs,
        payback_months=12.0 * total_inputs / first_total if first_total > 0 else None,
        total_inputs=total_inputs,
        undiscounted_value=float(matrix.sum()),
        year_one_impact=first_total,
        by_outcome=tuple(outcomes),
        by_stakeholder=tuple(by_stakeholder),
        inputs=tuple(
            InputValue(
                funder=item.funder,
                amount=float(p.amounts[i]),
                kind=InputKind(item.kind).value,
                description=item.description,
            )
            for i, item in enumerate(model.inputs)
        ),
    )


__all__ = [
    "InputValue",
    "OutcomeValue",
    "Prepared",
    "SroiResult",
    "StakeholderValue",
    "discount_factors",
    "evaluate",
    "impacts",
    "prepare",
    "present_value",
    "summarise",
    "year_one",
]
