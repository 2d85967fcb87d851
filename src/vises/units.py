"""The one unit registry of vises, created on first use.

pint is slow to import and to build a registry (~0.1–0.3 s), so nothing here runs at import time:
``registry()`` builds it once, adds the units of the social-economy field and every plugin's
``vises_register_units`` lines, and caches it. Unit strings are parsed once (``parse_unit`` is
cached) and values are converted a whole column at a time (``conversion``), never value by value.

Currencies are dimensions of their own (``[currency_EUR]``, ``[currency_USD]``, ...): pint cannot
convert EUR to USD, so mixing currencies without a declared rate is an error, as it should be.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from vises.errors import UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

    UnitRegistry = pint.UnitRegistry[Any]

#: ISO 4217 codes that get their own dimension; plugins may add more with ``currency_definitions``.
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "CAD", "AUD", "SEK", "DKK", "NOK", "PLN", "CZK")

#: Units of the field, as pint definition lines. Aliases cover French and Dutch usage.
DOMAIN_DEFINITIONS = (
    "person = [person] = persons = people = personne = personnes = persoon = personen = participant = participants",
    "FTE = [full_time_equivalent] = ETP = VTE = fte = etp = vte",
    "training_hour = hour = training_hours = heure_de_formation = opleidingsuur",
    "gCO2e = [greenhouse_gas] = g_CO2e",
    "kgCO2e = 1000 * gCO2e",
    "tCO2e = 1000000 * gCO2e = t_CO2e",
    "one = [] = unitless",
)


def currency_definitions(codes: Iterable[str]) -> list[str]:
    """Definition lines giving each currency code its own dimension, with thousands and millions."""
    lines = []
    for code in codes:
        lines.append(f"{code} = [currency_{code}]")
        lines.append(f"k{code} = 1000 * {code}")
        lines.append(f"M{code} = 1000000 * {code} = m{code}")
    return lines


#: Symbols pint cannot take as unit names, replaced before parsing (``k€`` becomes ``kEUR``).
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "%": "percent"}

_lock = threading.Lock()
_registry: UnitRegistry | None = None
_extra_definitions: list[tuple[str, str]] = []


def registry() -> UnitRegistry:
    """The shared registry (built on first call, then reused by every part of vises)."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                _registry = _build_registry()
    return _registry


def _build_registry() -> UnitRegistry:
    import pint

    reg: UnitRegistry = pint.UnitRegistry(cache_folder=None, autoconvert_offset_to_baseunit=True)
    for line in (*currency_definitions(CURRENCIES), *DOMAIN_DEFINITIONS):
        _define(reg, line, source="vises")
    for source, line in _extra_definitions:
        _define(reg, line, source=source)
    return reg


def _define(reg: UnitRegistry, line: str, *, source: str) -> None:
    try:
        reg.define(line)
    except Exception as exc:  # pint raises several types for a bad line
        raise UnitError(
            f"cannot define unit {line!r}: {exc}", plugin=source, hint="check the pint definition syntax"
        ) from exc


def add_definitions(lines: Iterable[str], *, source: str) -> None:
    """Register extra unit definitions (from a plugin); applied now or when the registry is built."""
    lines = list(lines)
    with _lock:
        _extra_definitions.extend((source, line) for line in lines)
        reg = _registry
    if reg is not None:
        for line in lines:
            _define(reg, line, source=source)
    parse_unit.cache_clear()


def reset() -> None:
    """Forget the registry and extra definitions (tests use this)."""
    global _registry
    with _lock:
        _registry = None
        _extra_definitions.clear()
    parse_unit.cache_clear()


@functools.lru_cache(maxsize=4096)
def parse_unit(text: str | None) -> pint.Unit:
    """Parse a unit string once; ``None``, ``""`` and ``"1"`` mean dimensionless."""
    reg = registry()
    if text is None or not str(text).strip() or str(text).strip() == "1":
        return reg.dimensionless
    cleaned = str(text).strip()
    for symbol, name in _SYMBOLS.items():
        cleaned = cleaned.replace(symbol, name)
    try:
        return reg.parse_units(cleaned)
    except Exception as exc:
        raise UnitError(
            f"unknown unit {text!r}",
            hint="use a pint unit name such as 'hour', 'FTE', 'EUR', 'kEUR', 'person', 'percent', 'tCO2e'",
        ) from exc


def conversion(
    source: str | None, target: str | None, *, column: str | None = None, indicator: str | None = None
) -> tuple[float, float]:
    """Return ``(factor, offset)`` so that ``target_value = source_value * factor + offset``.

    Computed once per column; applying it is one vectorised multiply-add. An incompatible pair is
    a ``UnitError`` naming the column and indicator. A column given without a unit (``source`` is
    ``None``) is taken to be in the indicator's unit.
    """
    if source is None or _same(source, target):
        return 1.0, 0.0
    src = parse_unit(source)
    dst = parse_unit(target)
    if src == dst:
        return 1.0, 0.0
    reg = registry()
    try:
        zero = reg.Quantity(0.0, src).to(dst).magnitude
        one = reg.Quantity(1.0, src).to(dst).magnitude
    except Exception as exc:
        raise UnitError(
            f"values in {source!r} cannot be converted to {target!r} ({_dimension(src)} vs {_dimension(dst)})",
            column=column,
            indicator=indicator,
            hint=f"give the column in a unit compatible with {target!r}",
        ) from exc
    return float(one - zero), float(zero)


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip() == (b or "").strip()


def _dimension(unit: Any) -> str:
    try:
        return str(unit.dimensionality) or "dimensionless"
    except Exception:  # pragma: no cover - defensive
        return "?"


def is_currency(unit: str | None) -> str | None:
    """The ISO code when ``unit`` is a currency (or a multiple of one), else ``None``."""
    if not unit:
        return None
    dims = parse_unit(unit).dimensionality
    keys = [str(key) for key in dims]
    if len(keys) == 1 and keys[0].startswith("[currency_") and dims[keys[0]] == 1:
        return keys[0][len("[currency_") : -1]
    return None


def format_unit(unit: str | None) -> str:
    """The unit as the user wrote it, or an empty string."""
    return "" if unit is None else str(unit)


def ratio_conversion(
    numerator_unit: str | None, denominator_unit: str | None, declared: str | None, *, indicator: str
) -> float:
    """The factor turning ``numerator / denominator`` in the columns' units into the declared unit.

    With no unit on either column the ratio is taken to be in the declared unit already (factor 1).
    A column without a unit beside one with a unit counts as dimensionless, so a mismatch is
    reported rather than guessed.
    """
    if numerator_unit is None and denominator_unit is None:
        return 1.0
    given = f"({numerator_unit or '1'}) / ({denominator_unit or '1'})"
    try:
        factor, _ = conversion(given, declared, column=indicator, indicator=indicator)
    except UnitError as exc:
        raise UnitError(
            f"the ratio of the columns, in {numerator_unit or 'no unit'} per {denominator_unit or 'no unit'}, "
            f"cannot be expressed in the indicator's unit {declared or '(none)'!r}",
            column=indicator,
            indicator=indicator,
            hint="give both the indicator column and its denominator column a unit (or neither), "
            'and declare the unit of the ratio, e.g. unit = "hour / FTE"',
        ) from exc
    return factor
