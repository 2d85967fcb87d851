"""The SROI value map: stakeholders, inputs, outcomes, proxies and discounting.

The classes hold declarations only and may be built in an invalid state, so that ``check`` can
list every problem of a map at once (as the grid validator does). Amounts keep the currency the
user wrote (``kEUR``, ``USD``); conversion to the map's currency happens once, in ``calculate``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from typing import Any

import attrs

from vises.errors import SroiError, UnitError, VisesError
from vises.model import label_in

#: The UK Green Book social time preference rate, used when a map declares no discounting.
DEFAULT_DISCOUNT_RATE = 0.035


class InputKind(enum.StrEnum):
    """Whether an input is money or a contribution valued in money (volunteer time, premises)."""

    CASH = "cash"
    IN_KIND = "in_kind"


@attrs.frozen(kw_only=True)
class Stakeholder:
    """A group that experiences change or contributes; ``size`` is the number of people in it."""

    code: str
    label: dict[str, str] = attrs.field(factory=dict)
    size: int | None = None
    involved: bool = False

    def label_in(self, lang: str | None = None) -> str:
        return pick_label(self.label, lang, self.code)


@attrs.frozen(kw_only=True)
class Input:
    """What one funder or stakeholder puts in; ``currency`` defaults to the map's currency."""

    funder: str
    amount: float
    currency: str | None = None
    kind: InputKind = InputKind.CASH
    description: str = ""


@attrs.frozen(kw_only=True)
class Proxy:
    """A money value per unit of outcome. ``ref`` names the registered proxy it came from."""

    value: float
    currency: str | None = None
    unit: str = ""
    source: str = ""
    ref: str | None = None


@attrs.frozen(kw_only=True)
class QuantityRef:
    """Take an outcome's quantity from the raw value of a scored indicator for one row."""

    indicator: str
    organisation: str
    period: str | None = None


@attrs.frozen(kw_only=True)
class Outcome:
    """One line of the value map.

    ``proxy`` is either a ``Proxy`` or the key of a registered ``records.FinancialProxy``
    (``"wallonie.job_year"``); ``quantity`` is a number or a ``QuantityRef``. ``start`` is the
    analysis year in which the outcome's first year of impact falls (1 = first year).
    """

    code: str
    stakeholder: str
    quantity: float | QuantityRef
    proxy: Proxy | str
    #: What the outcome is, per language (or one plain text): reports show it instead of the code.
    label: dict[str, str] = attrs.field(factory=dict)
    description: str = ""
    indicator: str = ""
    deadweight: float = 0.0
    displacement: float = 0.0
    attribution: float = 0.0
    duration: int = 1
    drop_off: float = 0.0
    start: int = 1

    def label_in(self, lang: str | None = None) -> str:
        return pick_label(self.label, lang, self.code)


@attrs.frozen(kw_only=True)
class DiscountBand:
    """A discount rate for analysis years ``from_year`` to ``to_year`` (open-ended when ``None``)."""

    from_year: int
    rate: float
    to_year: int | None = None


@attrs.frozen(kw_only=True)
class ValueMap:
    """A whole SROI analysis as declared by the user (or a plugin).

    Give ``discount_rate`` or ``discount_schedule``, not both; with neither, the Green Book 3.5 %
    applies. ``exchange_rates`` maps ``"USD/EUR"`` to the number of EUR one USD is worth.
    """

    code: str
    currency: str
    label: dict[str, str] = attrs.field(factory=dict)
    description: str = ""
    period: str | None = None
    discount_rate: float | None = None
    discount_schedule: tuple[DiscountBand, ...] = ()
    stakeholders: tuple[Stakeholder, ...] = ()
    inputs: tuple[Input, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    exchange_rates: dict[str, float] = attrs.field(factory=dict)
    source: str | None = None

    def label_in(self, lang: str | None = None) -> str:
        return pick_label(self.label, lang, self.code)

    def stakeholder(self, code: str) -> Stakeholder:
        for stakeholder in self.stakeholders:
            if stakeholder.code == code:
                return stakeholder
        raise KeyError(code)

    def schedule(self) -> tuple[DiscountBand, ...]:
        """The effective discounting, always as bands (a flat rate is one open band)."""
        if self.discount_schedule:
            return self.discount_schedule
        rate = DEFAULT_DISCOUNT_RATE if self.discount_rate is None else self.discount_rate
        return (DiscountBand(from_year=1, rate=rate),)

    @property
    def horizon(self) -> int:
        """The last analysis year in which any outcome still has impact."""
        return max((o.start + o.duration - 1 for o in self.outcomes), default=0)


def labels_from(value: str | Mapping[str, str] | None) -> dict[str, str]:
    """Labels may be written as one string (kept under ``"und"``, undetermined language) or a table."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"und": value}
    return dict(value)


def pick_label(labels: Mapping[str, str], lang: str | None, default: str) -> str:
    """Like ``vises.model.label_in``, but a label written as one plain string is shown as is."""
    if set(labels) == {"und"}:
        return labels["und"]
    return label_in(labels, lang, default)


def currency_factor(unit: str | None, model: ValueMap, *, where: str, path: str) -> float:
    """How many units of the map's currency one ``unit`` (``kEUR``, ``USD``) is worth.

    Multiples convert through vises.units; a different currency needs a declared exchange rate
    (``"USD/EUR"``, or its inverse ``"EUR/USD"``). Rates are never chained through a third currency.
    """
    from vises import units

    target = units.is_currency(model.currency)
    if target is None:
        raise SroiError(
            f"the value map currency {model.currency!r} is not a currency",
            path="currency",
            hint=f"use an ISO 4217 code: {', '.join(units.CURRENCIES)}",
        )
    text = model.currency if unit is None else unit
    try:
        source = units.is_currency(text)
    except UnitError as exc:
        raise SroiError(
            f"{where}: unknown currency {text!r}",
            path=path,
            hint=f"use an ISO 4217 code ({', '.join(units.CURRENCIES)}) or a multiple such as kEUR",
        ) from exc
    if source is None:
        raise SroiError(f"{where}: {text!r} is not a currency", path=path, hint="use an ISO code such as EUR or kEUR")
    to_iso, _ = units.conversion(text, source)
    from_map_iso, _ = units.conversion(target, model.currency)
    if source == target:
        return to_iso * from_map_iso
    direct = model.exchange_rates.get(f"{source}/{target}")
    if direct is not None:
        return to_iso * direct * from_map_iso
    inverse = model.exchange_rates.get(f"{target}/{source}")
    if inverse:
        return to_iso / inverse * from_map_iso
    raise SroiError(
        f"{where}: amount in {source} but the value map is in {target} and no exchange rate is declared",
        path=path,
        hint=f'add exchange_rates = {{ "{source}/{target}" = <{target} per {source}> }} to the value map',
    )


def _fraction(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value <= 1.0


def _whole(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check(model: ValueMap, *, proxies: Mapping[str, Any] | None = None) -> list[VisesError]:
    """Every problem of ``model``, each an ``SroiError`` naming its path and outcome or input.

    ``proxies`` (registered financial proxies by key) is used to check ``proxy = "key"``
    references; when it is ``None`` references are left to be resolved at evaluation.
    """
    problems: list[VisesError] = []

    def add(message: str, path: str, hint: str | None = None) -> None:
        problems.append(SroiError(message, path=path, hint=hint))

    def money(unit: str | None, where: str, path: str) -> None:
        try:
            currency_factor(unit, model, where=where, path=path)
        except SroiError as exc:
            problems.append(exc)

    if not model.code:
        add("the value map has no code", "code", 'give it a short identifier, e.g. code = "cisp_2023"')
    currency_ok = bool(model.currency)
    if not model.currency:
        add("the value map has no currency", "currency", 'add currency = "EUR" (an ISO 4217 code)')
    else:
        from vises import units

        try:
            currency_ok = units.is_currency(model.currency) is not None
        except UnitError:
            currency_ok = False
        if not currency_ok:
            add(
                f"the value map currency {model.currency!r} is not a currency",
                "currency",
                f"use an ISO 4217 code: {', '.join(units.CURRENCIES)}",
            )
    _check_rates(model, add)
    _check_discounting(model, add)

    seen: set[str] = set()
    for i, stakeholder in enumerate(model.stakeholders):
        where = f"stakeholders[{i}]"
        if stakeholder.code in seen:
            add(
                f"stakeholder {stakeholder.code!r} is declared twice",
                f"{where}.code",
                "give each stakeholder its own code",
            )
        seen.add(stakeholder.code)
        if stakeholder.size is not None and not _whole(stakeholder.size, 0):
            add(
                f"stakeholder {stakeholder.code!r}: size {stakeholder.size!r} is not a whole number >= 0",
                f"{where}.size",
            )

    if not model.inputs:
        add(
            "the value map has no inputs, so no ratio can be computed",
            "inputs",
            "list what each funder invests under [[inputs]] (funder, amount)",
        )
    for i, item in enumerate(model.inputs):
        where, name = f"inputs[{i}]", f"input of {item.funder!r}"
        if not _finite(item.amount) or item.amount < 0:
            add(f"{name}: amount {item.amount!r} must be a number >= 0", f"{where}.amount")
        if item.kind not in tuple(InputKind) and item.kind not in {k.value for k in InputKind}:
            add(f"{name}: kind {item.kind!r} is neither 'cash' nor 'in_kind'", f"{where}.kind")
        if currency_ok:
            money(item.currency, name, f"{where}.currency")
    if model.inputs and all(_finite(i.amount) for i in model.inputs) and sum(i.amount for i in model.inputs) <= 0:
        add("the inputs add up to zero, so the ratio is undefined", "inputs", "value in-kind contributions too")

    if not model.outcomes:
        add("the value map has no outcomes", "outcomes", "add at least one [[outcomes]] table")
    codes: set[str] = set()
    for i, outcome in enumerate(model.outcomes):
        _check_outcome(model, i, outcome, codes, seen, proxies, add, money if currency_ok else None)
    return problems


def _check_rates(model: ValueMap, add: Any) -> None:
    from vises import units

    for pair, rate in model.exchange_rates.items():
        path = f"exchange_rates[{pair!r}]"
        parts = pair.split("/")
        if len(parts) != 2:
            add(
                f"exchange rate key {pair!r} is not of the form 'USD/EUR'", path, 'write FROM/TO, e.g. "USD/EUR" = 0.92'
            )
            continue
        for code in parts:
            try:
                ok = units.is_currency(code) == code
            except UnitError:
                ok = False
            if not ok:
                add(f"exchange rate {pair!r}: {code!r} is not an ISO currency code", path)
        if not _finite(rate) or rate <= 0:
            add(f"exchange rate {pair!r} must be a number > 0, got {rate!r}", path)


def _check_discounting(model: ValueMap, add: Any) -> None:
    if model.discount_rate is not None and model.discount_schedule:
        add("both discount_rate and discount_schedule are given", "discount_rate", "keep one of them")
    if model.discount_rate is not None and not (_finite(model.discount_rate) and 0 <= model.discount_rate < 1):
        add(
            f"discount_rate {model.discount_rate!r} must be a fraction in [0, 1)",
            "discount_rate",
            "write 3.5 % as 0.035",
        )
    expected = 1
    bands = model.discount_schedule
    for i, band in enumerate(bands):
        path = f"discount_schedule[{i}]"
        if not (_finite(band.rate) and 0 <= band.rate < 1):
            add(f"discount rate {band.rate!r} must be a fraction in [0, 1)", f"{path}.rate", "write 3.5 % as 0.035")
        if band.from_year != expected:
            add(
                f"band starts in year {band.from_year!r} but year {expected} is expected",
                f"{path}.from_year",
                "bands must start in year 1 and follow each other without gap or overlap",
            )
        if band.to_year is None:
            if i != len(bands) - 1:
                add("only the last band may omit to_year", f"{path}.to_year")
                break
        elif not _whole(band.to_year, band.from_year if isinstance(band.from_year, int) else 1):
            add(f"to_year {band.to_year!r} is before from_year {band.from_year!r}", f"{path}.to_year")
            break
        else:
            expected = band.to_year + 1
    if bands and bands[-1].to_year is not None:
        add(
            "the last band of the discount schedule must be open-ended",
            f"discount_schedule[{len(bands) - 1}].to_year",
            "leave to_year out of the last band so that it covers every later year",
        )


def _check_outcome(
    model: ValueMap,
    i: int,
    outcome: Outcome,
    codes: set[str],
    stakeholders: set[str],
    proxies: Mapping[str, Any] | None,
    add: Any,
    money: Any,
) -> None:
    where, name = f"outcomes[{i}]", f"outcome {outcome.code!r}"
    if not outcome.code:
        add(f"outcome number {i + 1} has no code", f"{where}.code")
    elif outcome.code in codes:
        add(f"{name} is declared twice", f"{where}.code", "give each outcome its own code")
    codes.add(outcome.code)
    if outcome.stakeholder not in stakeholders:
        known = ", ".join(sorted(stakeholders)) or "none declared"
        add(
            f"{name}: unknown stakeholder {outcome.stakeholder!r}",
            f"{where}.stakeholder",
            f"declared stakeholders: {known}",
        )
    if not isinstance(outcome.quantity, QuantityRef) and not (_finite(outcome.quantity) and outcome.quantity >= 0):
        add(f"{name}: quantity {outcome.quantity!r} must be a number >= 0", f"{where}.quantity")
    for field in ("deadweight", "displacement", "attribution", "drop_off"):
        value = getattr(outcome, field)
        if not _fraction(value):
            add(
                f"{name}: {field} {value!r} is outside 0–1", f"{where}.{field}", "write it as a fraction: 0.25 for 25 %"
            )
    if not _whole(outcome.duration, 1):
        add(f"{name}: duration {outcome.duration!r} must be a whole number of years >= 1", f"{where}.duration")
    if not _whole(outcome.start, 1):
        add(
            f"{name}: start {outcome.start!r} must be a whole year >= 1 (1 = first year of the analysis)",
            f"{where}.start",
        )
    elif _whole(outcome.duration, 1):
        from vises.limits import current_limits, environment_name

        reach, longest = outcome.start + outcome.duration - 1, current_limits().horizon_years
        if reach > longest:
            add(
                f"{name}: starting in year {outcome.start} and lasting {outcome.duration} years, it reaches year "
                f"{reach:,}, beyond the limit horizon_years = {longest:,}",
                f"{where}.duration",
                f"SROI guides count outcomes over a few years; if this horizon is meant, raise the limit: "
                f"{environment_name('horizon_years')}={reach} or vises.use_limits(horizon_years={reach})",
            )
    proxy = outcome.proxy
    if isinstance(proxy, str):
        if proxies is not None and proxy not in proxies:
            known = ", ".join(sorted(proxies)[:20]) or "none registered"
            add(f"{name}: unknown financial proxy {proxy!r}", f"{where}.proxy", f"registered proxies: {known}")
        return
    if not _finite(proxy.value):
        add(f"{name}: proxy value {proxy.value!r} is not a number", f"{where}.proxy.value")
    if money is not None:
        money(proxy.currency, name, f"{where}.proxy.currency")
