"""The one unit registry of vises, created on first use.

pint is slow to import and to build a registry (~0.1–0.3 s), so nothing here runs at import time:
``registry()`` builds it once, adds the units of the social-economy field and every plugin's
``vises_register_units`` lines, and caches it. Unit strings are parsed once (``parse_unit`` is
cached) and values are converted a whole column at a time (``conversion``), never value by value.

Plugin lines (``add_definitions``) are only stored until the registry is built, so collecting them
costs nothing. A plugin may add units, never change one: a line naming a unit that vises, pint or
another plugin already defines is refused, first by name when it is added, then (once pint is
built) against everything pint can parse (``km``, ``hours``); a refused or malformed line is
reported to the ``on_problem`` callback of the plugin that gave it and left out, so the rest of
the registry keeps working.

Answers are kept between runs: whether a unit string parses, its units and dimensions, the factors
between two units, a formula's typing (``remember``) and the plugin lines pint refused are stored as
pint gives them in vises' cache directory (``vises.unit_answers``, ``vises.cache``), so a run that
asks only known questions never imports pint; ``check_unit``, ``same_unit``, ``is_currency``,
``is_count_unit`` and ``conversion_factors`` use them, ``parse_unit`` and ``registry`` are pint's.

Currencies are dimensions of their own (``[currency_EUR]``, ``[currency_USD]``, ...): pint cannot
convert EUR to USD, so mixing currencies without a declared rate is an error, as it should be.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from vises import cache
from vises.errors import UnitError
from vises.unit_answers import Answers, Record, Refusal, items, key

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

#: The source name of vises' own definitions (and of pint's defaults, which vises brings in).
CORE_SOURCE = "vises"


class DefinitionProblem(NamedTuple):
    """A unit line that was refused: whose it is, why, and who defined the name first (if anyone)."""

    source: str
    line: str
    reason: str
    #: The source that already defines the unit the line would change (``"vises"`` for pint's own).
    owner: str | None = None

    @property
    def message(self) -> str:
        return f"unit line {self.line!r} refused: {self.reason}"


OnProblem = Callable[[DefinitionProblem], None]


class _Extra(NamedTuple):
    source: str
    line: str
    on_problem: OnProblem | None


_lock = threading.RLock()
_registry: UnitRegistry | None = None
#: Accepted plugin lines, in the order given, keyed by (source, line).
_extra: dict[tuple[str, str], _Extra] = {}
#: Every unit, symbol, alias, prefix or dimension name a definition line introduces -> its source.
_owners: dict[str, str] = {}
#: Every plugin line that passed the name check, in the order given: with pint's version, what the
#: answers kept on disk were computed from (``vises.unit_answers``).
_given: list[tuple[str, str]] = []
#: The lines pint refused, with why (kept so the answers on disk can report them again without pint).
_refused: dict[tuple[str, str], DefinitionProblem] = {}


def registry() -> UnitRegistry:
    """The shared registry (built on first call, then reused by every part of vises)."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                _registry = _build_registry()
    return _registry


def is_built() -> bool:
    """Whether pint's registry exists yet (collecting plugin lines never builds it)."""
    return _registry is not None


def _build_registry() -> UnitRegistry:
    import pint

    reg: UnitRegistry = pint.UnitRegistry(cache_folder=None, autoconvert_offset_to_baseunit=True)
    for line in _core_lines():
        _define(reg, line, source=CORE_SOURCE)
    for extra in list(_extra.values()):
        _define_extra(reg, extra)
    return reg


def _core_lines() -> tuple[str, ...]:
    return (*currency_definitions(CURRENCIES), *DOMAIN_DEFINITIONS)


def _define(reg: UnitRegistry, line: str, *, source: str) -> None:
    try:
        reg.define(line)
    except Exception as exc:  # pint raises several types for a bad line
        raise UnitError(
            f"cannot define unit {line!r}: {exc}", plugin=source, hint="check the pint definition syntax"
        ) from exc


def defined_names(line: str) -> tuple[str, ...]:
    """The names a pint definition line introduces: the unit, its symbol and aliases (``_`` skipped).

    ``meal = [meal] = meals`` gives ``("meal", "meals")``; a prefix line gives ``("kilo-", "k-")``, a
    dimension ``("[meal]",)``, ``@alias hour = heure`` gives ``("heure",)``.
    """
    text = line.split("#", 1)[0].strip()
    if text.startswith("@alias"):
        parts = [part.strip() for part in text[len("@alias") :].split("=")]
        return tuple(part for part in parts[1:] if part and part != "_")
    parts = [part.strip() for part in text.split("=")]
    if len(parts) < 2:
        return ()
    return tuple(part for part in (parts[0], *parts[2:]) if part and part != "_")


def _owner_of(name: str) -> str | None:
    if CORE_SOURCE not in _owners.values():
        for line in _core_lines():
            for own in defined_names(line):
                _owners.setdefault(own, CORE_SOURCE)
    return _owners.get(name)


def unit_owner(name: str) -> str | None:
    """Who defined a unit name: ``"vises"``, a plugin's name, or ``None`` (pint's own, or unknown).

    Cheap: it reads the definition lines recorded so far and never builds pint.
    """
    with _lock:
        return _owner_of(name.strip())


def add_definitions(lines: Iterable[str], *, source: str, on_problem: OnProblem | None = None) -> None:
    """Add a plugin's unit definition lines; defined now if pint is built, else when it is.

    A line introducing a name another source (vises or another plugin) already defines is refused;
    the same line given again by the same source is ignored. Without ``on_problem`` a refused or
    malformed line raises ``UnitError``; with it, the problem is handed over and the line left out.
    """
    with _lock:
        for line in lines:
            key = (source, line)
            if key in _extra:
                _extra[key] = _Extra(source, line, on_problem)  # a rebuilt plugin registry listens now
                continue
            refused = _name_problem(source, line)
            if refused is not None:
                _report(refused, on_problem)
                continue
            extra = _Extra(source, line, on_problem)
            _extra[key] = extra
            _given.append(key)
            for name in defined_names(line):
                _owners[name] = source
            if _registry is not None:
                _define_extra(_registry, extra)
    parse_unit.cache_clear()
    conversion_factors.cache_clear()


def _name_problem(source: str, line: str) -> DefinitionProblem | None:
    """A name of ``line`` that vises or another line already defines (without building pint)."""
    names = defined_names(line)
    if not names and not line.strip().startswith("@"):
        return DefinitionProblem(source, line, "it is not a pint definition ('name = definition = alias ...')")
    for name in names:
        owner = _owner_of(name)
        if owner is None:
            continue
        return DefinitionProblem(source, line, _redefines(repr(name), owner, source), owner)
    return None


def _redefines(name: str, owner: str, source: str) -> str:
    if owner == CORE_SOURCE:
        whose = "vises (or pint, which vises builds on)"
    elif owner == source:
        whose = "another line of the same plugin"
    else:
        whose = f"plugin {owner!r}"
    return f"it redefines {name}, already defined by {whose}; a plugin may only add new units"


def _define_extra(reg: UnitRegistry, extra: _Extra) -> None:
    """Check a plugin line against everything pint knows, then define it (or report why not)."""
    problem = _pint_problem(reg, extra)
    if problem is None:
        try:
            reg.define(extra.line)
        except Exception as exc:  # pint raises several types for a bad line
            problem = DefinitionProblem(extra.source, extra.line, f"pint cannot define it: {exc}")
    if problem is None:
        return
    _refused[(extra.source, extra.line)] = problem
    _leave_out(extra, problem)


def _leave_out(extra: _Extra, problem: DefinitionProblem) -> None:
    _extra.pop((extra.source, extra.line), None)
    for name in defined_names(extra.line):
        if _owners.get(name) == extra.source:
            del _owners[name]
    _report(problem, extra.on_problem)


def _pint_problem(reg: UnitRegistry, extra: _Extra) -> DefinitionProblem | None:
    names = defined_names(extra.line)
    for name in names:
        found = _known_to_pint(reg, name)
        if found is None:
            continue
        known, unit = found
        owner = _owners.get(unit, CORE_SOURCE)
        if owner == extra.source and unit in names:
            owner = CORE_SOURCE  # the line's own name: what pint already had is pint's or vises'
        meaning = "" if known == name else f" (read as {known!r})"
        return DefinitionProblem(extra.source, extra.line, _redefines(f"{name!r}{meaning}", owner, extra.source), owner)
    text = extra.line.split("#", 1)[0].strip()
    parts = [part.strip() for part in text.split("=")]
    if not text.startswith("@") and not parts[0].startswith("[") and not parts[0].endswith("-"):
        value = parts[1].split(";", 1)[0].strip()
        if value and not value.startswith("["):
            try:
                reg.parse_expression(value)
            except Exception as exc:
                return DefinitionProblem(extra.source, extra.line, f"its value {value!r} is not a known unit ({exc})")
    return None


def _known_to_pint(reg: UnitRegistry, name: str) -> tuple[str, str] | None:
    """What ``name`` already stands for in ``reg`` (as written with its prefix, and the bare unit)."""
    try:
        if name.endswith("-"):
            return (name, name) if name[:-1] in getattr(reg, "_prefixes", {}) else None
        if name.startswith("["):
            return (name, name) if name in getattr(reg, "_dimensions", {}) else None
        candidates = reg.parse_unit_name(name)
    except Exception:  # not a name pint can parse: pint itself will say so when defining
        return None
    if not candidates:
        return None
    prefix, unit, _ = candidates[0]
    return f"{prefix}{unit}", unit


def _report(problem: DefinitionProblem, on_problem: OnProblem | None) -> None:
    if on_problem is not None:
        on_problem(problem)
        return
    raise UnitError(problem.message, plugin=problem.source, hint="a plugin may only add new units")


def reset() -> None:
    """Forget the registry and extra definitions (tests use this); answers not yet stored are stored."""
    global _registry, _answers, _off, _ident_memo
    _save_answers()
    with _lock:
        _registry = None
        _answers = _off = _ident_memo = None
        _extra.clear()
        _owners.clear()
        _given.clear()
        _refused.clear()
    parse_unit.cache_clear()
    conversion_factors.cache_clear()


# -- answers kept between runs (vises.unit_answers) ------------------------------------------------

_answers: Answers | None = None
#: The definitions (their key) for which the cache was found off, so it is not looked for again.
_off: str | None = None
_ident_memo: tuple[int, str] | None = None
_save_at_exit = False


def _ident() -> str:
    """The key of the current definitions: pint's version and place, vises' lines, every plugin line given."""
    global _ident_memo
    if _ident_memo is None or _ident_memo[0] != len(_given):
        from importlib.metadata import version
        from importlib.util import find_spec

        spec = find_spec("pint")
        where = None if spec is None else spec.origin
        ident = key(version("pint"), where, sorted(_SYMBOLS.items()), _core_lines(), _given)
        _ident_memo = (len(_given), ident)
    return _ident_memo[1]


def _answers_now() -> Answers | None:
    """The answers for the current definitions, read from the cache once; ``None`` when the cache is off.

    Answers read from disk also say which plugin lines pint refused: they are reported now, as
    building pint would have reported them.
    """
    global _answers, _off
    with _lock:
        ident = _ident()
        if _answers is not None and _answers.ident == ident:
            return _answers
        if _off == ident:
            return None
        _save_answers()
        if cache.directory() is None:
            _answers, _off = None, ident
            return None
        answers = Answers(ident)
        answers.loaded = answers.merge(cache.read_json(answers.name))
        _answers = answers
        if answers.loaded and _registry is None:
            for refusal in answers.refused.values():
                extra = _extra.get((refusal.source, refusal.line))
                if extra is not None:
                    problem = DefinitionProblem(*refusal)
                    _refused[(refusal.source, refusal.line)] = problem
                    _leave_out(extra, problem)
        return answers


def _learnt() -> None:
    """An answer was added: store the answers when the process ends."""
    global _save_at_exit
    if not _save_at_exit:
        import atexit

        atexit.register(_save_answers)
        _save_at_exit = True


def _save_answers() -> None:
    """Store new answers (merged with what other runs stored meanwhile); a failure stores nothing."""
    with _lock:
        answers = _answers
        if answers is None or not answers.dirty:
            return
        given = set(_given)
        answers.add_refused(Refusal(*problem) for line, problem in _refused.items() if line in given)
        answers.merge(cache.read_json(answers.name))
        if cache.write_json(answers.name, answers.to_json()):
            answers.dirty = False


def _record(text: str | None) -> Record:
    """A unit's units and dimensions: from the stored answers, else from pint (and then stored)."""
    name = "" if text is None else str(text).strip()
    answers = _answers_now()
    if answers is not None:
        found = answers.units.get(name)
        if found is not None:
            return found
    unit = parse_unit(text)
    record = Record(items(unit._units), items(unit.dimensionality))
    if answers is not None:
        answers.add_unit(name, record)
        _learnt()
    return record


def remember(question: Any, compute: Callable[[], Any], read: Callable[[Any], Any]) -> Any:
    """``read(answer)`` for a question about units whose answer ``compute`` works out with pint.

    The answer (JSON: lists, numbers, strings) is kept with the other answers, so a later run with
    the same definitions does not load pint for it. ``read`` turns it into what the caller uses and
    raises ``TypeError``/``ValueError``/``KeyError``/``IndexError`` on a stored answer of the wrong
    shape, which is then worked out again. Errors are never kept: ``compute`` raises them each time.
    """
    text = json.dumps(question, ensure_ascii=False, sort_keys=True)
    answers = _answers_now()
    if answers is not None and text in answers.other:
        try:
            return read(answers.other[text])
        except (TypeError, ValueError, KeyError, IndexError):
            pass
    answer = json.loads(json.dumps(compute()))  # as it will read back from disk
    found = read(answer)
    if answers is not None:
        answers.add_other(text, answer)
        _learnt()
    return found


def check_unit(text: str | None) -> None:
    """Raise ``UnitError`` (pint's words) unless ``text`` is a unit; pint is not loaded for a known one."""
    _record(text)


def same_unit(a: str | None, b: str | None) -> bool:
    """Whether two unit strings are the same unit (``hours`` and ``hour``; not ``percent`` and ``1``)."""
    return _record(a).units == _record(b).units


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

    Computed once per pair of units and cached (``conversion_factors``); applying it is one
    vectorised multiply-add per column. An incompatible pair is a ``UnitError`` naming the column
    and indicator. A column given without a unit (``source`` is ``None``) is taken to be in the
    indicator's unit.
    """
    if source is None or _same(source, target):
        return 1.0, 0.0
    try:
        return conversion_factors(source, target)
    except UnitError as exc:
        raise exc.with_context(column=column, indicator=indicator) from exc.__cause__


@functools.lru_cache(maxsize=4096)
def conversion_factors(source: str, target: str | None) -> tuple[float, float]:
    """``(factor, offset)`` from ``source`` to ``target``, once per pair (the cache is cleared with the units)."""
    answers = _answers_now()
    pair = json.dumps([source, target or ""], ensure_ascii=False)
    if answers is not None and pair in answers.pairs:
        return answers.pairs[pair]
    src = parse_unit(source)
    dst = parse_unit(target)
    if src == dst:
        found = (1.0, 0.0)
    else:
        reg = registry()
        try:
            zero = reg.Quantity(0.0, src).to(dst).magnitude
            one = reg.Quantity(1.0, src).to(dst).magnitude
        except Exception as exc:
            raise UnitError(
                f"values in {source!r} cannot be converted to {target!r} ({_dimension(src)} vs {_dimension(dst)})",
                hint=f"give the column in a unit compatible with {target!r}",
            ) from exc
        found = (float(one - zero), float(zero))
    if answers is not None:
        answers.add_pair(pair, found)
        _learnt()
    return found


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
    dims = _record(unit).dims
    if len(dims) == 1 and dims[0][0].startswith("[currency_") and dims[0][1] == 1:
        return dims[0][0][len("[currency_") : -1]
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


#: Dimensions whose amounts add up across organisations into a network total: people and FTE.
COUNT_DIMENSIONS = ("[person]", "[full_time_equivalent]")


def is_count_unit(unit: str | None) -> bool:
    """Whether ``unit`` counts people or full-time equivalents (``person``, ``FTE``, not ``hour / FTE``)."""
    if not unit:
        return False
    try:
        dims = _record(unit).dims
    except UnitError:
        return False
    return len(dims) == 1 and dims[0][0] in COUNT_DIMENSIONS and dims[0][1] == 1
