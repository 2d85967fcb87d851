"""The derived indicators of a grid: formulas and rates checked, typed with their units, in order.

Every formula is parsed once (``vises.model.formula``), its names looked up among the grid's
indicators, its units worked out through pint (``training_hours / trainees`` gives
``hour / person``, which must convert to the unit the indicator declares) and the derived
indicators put in an order where each comes after what it reads; a cycle is refused. All of this
happens on the grid alone, before any data is read, and every problem is reported at once, each
naming the indicator and the character of the formula at fault.

Units follow the arithmetic: ``*`` and ``/`` multiply and divide them; ``+``, ``-``, comparisons,
``min``, ``max``, ``sum``, ``mean``, ``coalesce`` and the branches of ``if`` need units that convert
into one another (the later operands are converted into the first one's unit, one factor per
operand computed here); a number written alone takes the unit of what it is added to or compared
with (``share > 50`` is 50 percent when ``share`` is in percent), and is a pure number in a
product. The result is converted once into the indicator's declared unit (a count over a count is
a fraction, ×100 for an indicator in percent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from vises.errors import FormulaError, VisesError, did_you_mean
from vises.model import Grid, Indicator, Kind
from vises.model.formula import Binary, Call, Expr, Formula, Member, Name, Number, Text, Unary, parse, ratio, walk

if TYPE_CHECKING:  # pragma: no cover
    import pint

#: Functions whose arguments share one unit (the first one's).
_SAME_UNIT = frozenset({"min", "max", "sum", "mean", "coalesce"})


@attrs.frozen(kw_only=True, eq=False)
class Derivation:
    """How one derived indicator is computed: its formula, what it reads, and the unit factors."""

    code: str
    formula: Formula
    #: The indicators it reads, in order of first appearance.
    inputs: tuple[str, ...]
    #: Per node merging operands in one unit: the factor of each operand into the first's unit.
    factors: Mapping[Expr, tuple[float, ...]]
    #: The factor from the formula's own unit into the indicator's declared unit.
    factor: float
    #: A rate (``numerator / denominator``): its inputs are named as numerator and denominator.
    rate: bool = False
    #: For a rate whose two inputs count the same thing (persons over persons): a proportion, whose
    #: denominator is its sample size.
    proportion: bool = False


@attrs.frozen(kw_only=True)
class _Type:
    """What a sub-expression gives: a number in ``unit`` (``None``: a bare number, unit to be
    taken from its neighbour), a condition (true/false/unknown), or text (records filters only)."""

    kind: str  #: number, bool, text
    unit: Any = None


class _Typer:
    """Works out the unit of every node of one formula, or raises ``FormulaError`` where it fails."""

    def __init__(self, formula: Formula, unit_of: Mapping[str, str | None]) -> None:
        from vises import units

        self.formula = formula
        self.unit_of = unit_of
        self.units = units
        self.registry = units.registry()
        self.factors: dict[Expr, tuple[float, ...]] = {}

    def error(self, node: Expr, message: str, hint: str | None = None) -> FormulaError:
        return FormulaError(message, formula=self.formula.text, position=node.start, hint=hint)

    def parse_unit(self, text: str | None) -> pint.Unit:
        return self.units.parse_unit(text)

    def shown(self, unit: Any) -> str:
        text = f"{unit:~}" if unit is not None else ""
        return text or "a pure number"

    def factor(self, source: Any, target: Any, node: Expr, what: str) -> float:
        """The factor turning values in ``source`` into ``target``; a unit error names ``node``."""
        if source is None or target is None or source == target:
            return 1.0
        try:
            zero = self.registry.Quantity(0.0, source).to(target).magnitude
            one = self.registry.Quantity(1.0, source).to(target).magnitude
        except Exception:
            raise self.error(
                node,
                f"{what}: {self.shown(source)} and {self.shown(target)} do not convert into one another",
                hint="only quantities of the same dimension can be added, compared or chosen between",
            ) from None
        if zero != 0.0:
            raise self.error(node, f"{what}: units with an offset (such as °C) cannot be used in a formula")
        return float(one)

    def type(self, node: Expr) -> _Type:
        if isinstance(node, Number):
            return _Type(kind="number")
        if isinstance(node, Text):
            raise self.error(node, "a grid formula works on numbers; text has no place in it")
        if isinstance(node, Name):
            return _Type(kind="number", unit=self.parse_unit(self.unit_of.get(node.name)))
        if isinstance(node, Unary):
            inner = self.type(node.operand)
            if node.op == "not":
                self.condition(node.operand, inner)
                return _Type(kind="bool")
            return _Type(kind="number", unit=self.number(node.operand, inner).unit)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Member):
            operand = self.number(node.operand, self.type(node.operand))
            self.merge(node, [node.operand, *node.options], [operand, *(self.type(o) for o in node.options)], "in")
            return _Type(kind="bool")
        if isinstance(node, Call):
            return self.call(node)
        raise self.error(node, f"cannot use {type(node).__name__} here")  # pragma: no cover - every node is above

    def number(self, node: Expr, found: _Type) -> _Type:
        if found.kind == "number":
            return found
        if found.kind == "bool":
            return _Type(kind="number", unit=self.parse_unit(None))  # true/false count as 1/0
        raise self.error(node, "expected a number here")

    def condition(self, node: Expr, found: _Type) -> bool:
        if found.kind != "bool":
            raise self.error(
                node,
                f"{self.formula.excerpt(node)!r} is not a condition",
                hint="compare it, e.g. x > 0, or test it with is_missing(x)",
            )
        return True

    def merge(self, node: Expr, parts: list[Expr], types: list[_Type], what: str) -> Any:
        """The common unit of operands that must agree; records the factor of each into the first's."""
        numbers = [self.number(part, found) for part, found in zip(parts, types, strict=True)]
        target = next((found.unit for found in numbers if found.unit is not None), None)
        self.factors[node] = tuple(
            self.factor(found.unit, target, part, what) for part, found in zip(parts, numbers, strict=True)
        )
        return target

    def binary(self, node: Binary) -> _Type:
        op = node.op
        left, right = self.type(node.left), self.type(node.right)
        if op in ("and", "or"):
            self.condition(node.left, left)
            self.condition(node.right, right)
            return _Type(kind="bool")
        if op in ("+", "-"):
            unit = self.merge(node, [node.left, node.right], [left, right], f"'{op}' between different units")
            return _Type(kind="number", unit=unit)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            self.merge(node, [node.left, node.right], [left, right], f"'{op}' compares different units")
            return _Type(kind="bool")
        a, b = self.number(node.left, left), self.number(node.right, right)
        if op == "*":
            return _Type(kind="number", unit=_product(a.unit, b.unit, self.parse_unit(None)))
        if op == "/":
            one = self.parse_unit(None)
            return _Type(kind="number", unit=_product(a.unit, None if b.unit is None else one / b.unit, one))
        # op == "^": a pure exponent; a quantity with a unit needs an exponent written as a number.
        if b.unit is not None and b.unit != self.parse_unit(None):
            raise self.error(node.right, f"an exponent must be a pure number, not {self.shown(b.unit)}")
        if a.unit is None or a.unit == self.parse_unit(None):
            return _Type(kind="number", unit=a.unit)
        if not isinstance(node.right, Number):
            raise self.error(node.right, "a quantity with a unit can only be raised to a number written in the formula")
        return _Type(kind="number", unit=a.unit**node.right.value)

    def call(self, node: Call) -> _Type:
        name = node.function
        types = [self.type(arg) for arg in node.args]
        if name == "is_missing":
            return _Type(kind="bool")
        if name == "abs":
            return _Type(kind="number", unit=self.number(node.args[0], types[0]).unit)
        if name == "if":
            self.condition(node.args[0], types[0])
            unit = self.merge(node, list(node.args[1:]), types[1:], "the two branches of if() are in different units")
            return _Type(kind="number", unit=unit)
        if name in _SAME_UNIT:
            unit = self.merge(node, list(node.args), types, f"the arguments of {name}() are in different units")
            return _Type(kind="number", unit=unit)
        raise self.error(node, f"unknown function {name!r}")  # pragma: no cover - the parser refuses it


def _product(a: Any, b: Any, one: Any) -> Any:
    if a is None and b is None:
        return None
    return (one if a is None else a) * (one if b is None else b)


def formula_unit(formula: Formula, unit_of: Mapping[str, str | None]) -> tuple[Any, Mapping[Expr, tuple[float, ...]]]:
    """The pint unit a formula gives (``None`` for a formula of numbers only) and its merge factors."""
    typer = _Typer(formula, unit_of)
    found = typer.type(formula.tree)
    unit = typer.number(formula.tree, found).unit
    return unit, typer.factors


# -- the grid's derived indicators -----------------------------------------------------------------

_USABLE = (Kind.QUANTITY, Kind.RATE, Kind.SCALE, Kind.BINARY, Kind.CATEGORY)


def _unit_of(indicator: Indicator) -> str | None:
    return indicator.unit if indicator.is_number else None


def _declared_formula(indicator: Indicator) -> tuple[Formula | None, FormulaError | None]:
    try:
        if indicator.kind is Kind.RATE:
            if not indicator.numerator or not indicator.denominator:
                return None, None  # reported by the rate check
            return ratio(indicator.numerator, indicator.denominator), None
        assert indicator.formula is not None
        return parse(indicator.formula), None
    except FormulaError as exc:
        return None, exc


class _Checker:
    def __init__(self, grid: Grid, file: str | None) -> None:
        self.grid = grid
        self.file = file
        self.problems: list[VisesError] = []
        self.indicators = grid.index.indicator_by_code
        self.nodes = grid.index.node_by_code
        self.place = {ind.code: f"indicators[{i}]" for i, ind in reversed(list(enumerate(grid.indicators)))}

    def error(self, indicator: Indicator, key: str, message: str, hint: str | None = None) -> None:
        self.problems.append(
            FormulaError(
                message, file=self.file, path=f"{self.place[indicator.code]}.{key}", indicator=indicator.code, hint=hint
            )
        )

    def located(self, indicator: Indicator, key: str, exc: FormulaError) -> None:
        self.problems.append(
            exc.with_context(file=self.file, path=f"{self.place[indicator.code]}.{key}", indicator=indicator.code)
        )

    def declaration(self, indicator: Indicator) -> bool:
        """The fields around a formula or a rate; ``True`` when there is a formula to check."""
        if indicator.kind is Kind.RATE:
            for key in ("numerator", "denominator"):
                if not getattr(indicator, key):
                    self.error(
                        indicator,
                        key,
                        f"a rate needs a {key}: the indicator counted {'above' if key == 'numerator' else 'below'} "
                        "the line",
                        hint='e.g. numerator = "exits_to_work", denominator = "leavers"',
                    )
            if indicator.formula is not None:
                self.error(indicator, "formula", "a rate is its numerator over its denominator; it takes no formula")
            return bool(indicator.numerator and indicator.denominator)
        if indicator.numerator is not None:
            self.error(
                indicator,
                "numerator",
                "only a rate has a numerator",
                hint='declare kind = "rate" (with a denominator), or write a formula',
            )
        if indicator.formula is None:
            return False
        if indicator.kind is not Kind.QUANTITY:
            self.error(indicator, "formula", f"a {indicator.kind.value} indicator cannot have a formula")
            return False
        if indicator.denominator is not None:
            self.error(
                indicator,
                "denominator",
                "a derived indicator divides in its formula; it takes no denominator",
                hint="write the division in the formula",
            )
        return True

    def names(self, indicator: Indicator, formula: Formula) -> list[str]:
        """The indicators the formula reads; unknown names and unusable ones are problems."""
        found = []
        rate = indicator.kind is Kind.RATE
        for node in walk(formula.tree):
            if not isinstance(node, Name):
                continue
            name = node.name
            key = _rate_key(indicator, name)
            problem: str | None = None
            hint: str | None = None
            other = self.indicators.get(name)
            if name == indicator.code:
                problem = f"the formula of {name!r} reads {name!r} itself"
            elif other is None:
                if name in self.nodes:
                    problem, hint = f"{name!r} is a node; a formula reads indicators' values, not scores", None
                else:
                    problem = f"unknown indicator {name!r}"
                    hint = did_you_mean(name, self.indicators) or (
                        "declare it as an indicator (context = true keeps a reported value out of the scores)"
                    )
            elif rate and not other.is_number:
                problem = (
                    f"{name!r} is a {other.kind.value} indicator; a rate's {key} is a number (a quantity or a rate)"
                )
            elif other.kind not in _USABLE:
                problem = f"{name!r} is a {other.kind.value} indicator; a formula reads numbers"
            if problem is not None:
                self.problems.append(
                    FormulaError(
                        problem,
                        formula=None if rate else formula.text,
                        position=None if rate else node.start,
                        file=self.file,
                        path=f"{self.place[indicator.code]}.{key}",
                        indicator=indicator.code,
                        hint=hint,
                    )
                )
            elif name not in found:
                found.append(name)
        return found


def _rate_key(indicator: Indicator, name: str) -> str:
    if indicator.kind is not Kind.RATE:
        return "formula"
    return "numerator" if name == indicator.numerator else "denominator"


def check_derived(grid: Grid, *, file: str | None = None) -> tuple[list[Derivation], list[VisesError]]:
    """Every derived indicator of ``grid`` in an order where each follows what it reads, and every problem.

    Names, cycles and units are checked on the grid alone; data is never needed.
    """
    checker = _Checker(grid, file)
    parsed: dict[str, tuple[Indicator, Formula, list[str]]] = {}
    for indicator in grid.indicators:
        if not checker.declaration(indicator):
            continue
        formula, problem = _declared_formula(indicator)
        if problem is not None:
            checker.located(indicator, "numerator" if indicator.kind is Kind.RATE else "formula", problem)
            continue
        assert formula is not None
        before = len(checker.problems)
        names = checker.names(indicator, formula)
        if len(checker.problems) == before:
            parsed[indicator.code] = (indicator, formula, names)

    order = _order(grid, parsed, checker)
    derivations = []
    for code in order:
        indicator, formula, names = parsed[code]
        unit_of = {name: _unit_of(checker.indicators[name]) for name in names}
        try:
            factors, factor, proportion = _typed(indicator, formula, names, unit_of)
        except FormulaError as exc:
            if indicator.kind is Kind.RATE:
                top = unit_of.get(str(indicator.numerator)) or "no unit"
                bottom = unit_of.get(str(indicator.denominator)) or "no unit"
                exc = FormulaError(
                    f"the numerator {indicator.numerator!r} ({top}) over the denominator {indicator.denominator!r} "
                    f"({bottom}) does not give the rate's unit {indicator.unit or '(none)'!r}: "
                    f"{exc.message.splitlines()[0]}",
                    hint=exc.hint,
                )
            checker.located(indicator, "unit" if indicator.kind is Kind.RATE else "formula", exc)
            continue
        derivations.append(
            Derivation(
                code=code,
                formula=formula,
                inputs=tuple(names),
                factors=factors,
                factor=factor,
                rate=indicator.kind is Kind.RATE,
                proportion=proportion,
            )
        )
    return derivations, checker.problems


def _typed(
    indicator: Indicator, formula: Formula, names: list[str], unit_of: Mapping[str, str | None]
) -> tuple[Mapping[Expr, tuple[float, ...]], float, bool]:
    """The merge factors, the factor into the declared unit and, for a rate, whether it is a proportion.

    Worked out with pint once; the answer is kept between runs (``vises.units.remember``), so a
    known grid is checked without loading pint.
    """
    from vises import units

    nodes = list(walk(formula.tree))

    def compute() -> list[Any]:
        unit, factors = formula_unit(formula, unit_of)
        factor = _declared_factor(indicator, formula, unit)
        proportion = False
        if indicator.kind is Kind.RATE:
            proportion = _same_dimension(unit_of.get(names[0]), unit_of.get(names[-1])) and len(names) == 2
        position = {node: index for index, node in enumerate(nodes)}
        return [[[position[node], list(values)] for node, values in factors.items()], factor, proportion]

    def read(answer: Any) -> tuple[dict[Expr, tuple[float, ...]], float, bool]:
        stored, factor, proportion = answer
        factors = {nodes[index]: tuple(float(value) for value in values) for index, values in stored}
        if min((index for index, _ in stored), default=0) < 0:
            raise IndexError("not a node of the formula")
        if not isinstance(factor, int | float) or not isinstance(proportion, bool):
            raise TypeError("not a stored typing")
        return factors, float(factor), proportion

    question = ["formula", formula.text, sorted(unit_of.items()), indicator.unit, indicator.kind.value, names]
    result: tuple[dict[Expr, tuple[float, ...]], float, bool] = units.remember(question, compute, read)
    return result


def _declared_factor(indicator: Indicator, formula: Formula, unit: Any) -> float:
    from vises import units

    registry = units.registry()
    declared = units.parse_unit(indicator.unit)
    source = registry.dimensionless if unit is None else unit
    try:
        return float(registry.Quantity(1.0, source).to(declared).magnitude)
    except Exception:
        natural = f"{source:~}" or "a pure number"
        raise FormulaError(
            f"the formula gives {natural}, which does not convert to the indicator's unit "
            f"{indicator.unit or '(none: a pure number)'!r}",
            formula=formula.text,
            hint=f'declare unit = "{natural}" (or a unit of the same dimension)'
            if f"{source:~}"
            else "declare no unit, or percent",
        ) from None


def _same_dimension(a: str | None, b: str | None) -> bool:
    from vises import units

    return bool(units.parse_unit(a).dimensionality == units.parse_unit(b).dimensionality)


def _order(grid: Grid, parsed: Mapping[str, tuple[Indicator, Formula, list[str]]], checker: _Checker) -> list[str]:
    """The derived codes, each after the derived codes it reads (Kahn's algorithm); cycles reported."""
    reads = {code: [name for name in names if name in parsed] for code, (_, _, names) in parsed.items()}
    waiting = {code: len(names) for code, names in reads.items()}
    readers: dict[str, list[str]] = {}
    for code, names in reads.items():
        for name in names:
            readers.setdefault(name, []).append(code)
    ready = [code for code in parsed if waiting[code] == 0]
    order: list[str] = []
    while ready:
        code = ready.pop(0)
        order.append(code)
        for reader in readers.get(code, ()):
            waiting[reader] -= 1
            if waiting[reader] == 0:
                ready.append(reader)
    stuck = [code for code in parsed if waiting[code] > 0]
    reported: set[str] = set()
    for start in stuck:
        if start in reported:
            continue
        cycle = _cycle(start, reads, set(stuck))
        if not cycle:
            continue
        reported.update(cycle)
        indicator = parsed[cycle[0]][0]
        checker.error(
            indicator,
            "numerator" if indicator.kind is Kind.RATE else "formula",
            "the derived indicators read each other in a cycle: " + " -> ".join([*cycle, cycle[0]]),
            hint="one of them must be reported, not computed",
        )
    for code in stuck:
        if code not in reported:
            indicator = parsed[code][0]
            checker.error(
                indicator,
                "numerator" if indicator.kind is Kind.RATE else "formula",
                "it reads an indicator caught in a cycle of formulas, so it cannot be computed",
            )
    return order


def _cycle(start: str, reads: Mapping[str, list[str]], stuck: set[str]) -> list[str]:
    """One cycle reachable from ``start`` among the stuck codes (a walk that stops where it repeats)."""
    path: list[str] = []
    seen: dict[str, int] = {}
    code = start
    while code not in seen:
        seen[code] = len(path)
        path.append(code)
        following = [name for name in reads.get(code, ()) if name in stuck]
        if not following:
            return []
        code = following[0]
    return path[seen[code] :]


def derivations(grid: Grid) -> list[Derivation]:
    """The grid's derivations in order, computed once per grid (kept in its index); problems are dropped
    here: ``check_derived`` reports them with the grid's other problems."""
    table = grid.index.derived
    found = table.get("derivations")
    if found is None:
        found = table["derivations"] = check_derived(grid)[0]
    return list(found)


__all__ = ["Derivation", "check_derived", "derivations", "formula_unit"]
