"""Evaluate a parsed formula over whole columns, and compute a grid's derived indicators.

``evaluate`` walks the tree once, each node one numpy operation over every row: no Python per
row, no ``eval``. Missing values (``NaN``) propagate through arithmetic; a condition is true (1),
false (0) or unknown (``NaN``, when what it compares is missing), with ``and``/``or`` following
three-valued logic; a division by zero gives a missing value and records why, for the rows where
it happened. Text columns (records filters: ``exit_status == "employment"``) are compared through
their distinct values (``Categorical``), so a million rows cost one integer comparison.

``derive_indicators`` computes every derived indicator of a grid (``vises.validation.formulas``)
from the prepared columns, in order: the dataset check runs it, so ``validate`` and ``score`` see
the same values, ranges and reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from vises.errors import FormulaError
from vises.model import Grid
from vises.model.formula import Binary, Call, Expr, Formula, Member, Name, Number, Text, Unary
from vises.validation.formulas import Derivation, derivations


@attrs.frozen(kw_only=True, eq=False)
class Categorical:
    """A text column as codes into its distinct values (``-1``: missing): equality is integer equality."""

    codes: np.ndarray
    categories: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> Categorical:
        """Factorise an object or string array once (``None``, ``NaN`` and empty text are missing).

        Categories are sorted. pandas' hash-based factorisation is used when it is installed (a
        million texts in tens of milliseconds); else ``np.unique``, which sorts the texts.
        """
        text = np.asarray(values, dtype=object)
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas comes with the dev and all extras
            pd = None
        if pd is not None:
            codes, uniques = pd.factorize(text, sort=True, use_na_sentinel=True)
            categories = np.asarray(uniques, dtype=object)
            codes = np.asarray(codes, dtype=np.int64)
            if not all(isinstance(item, str) for item in categories.tolist()):
                categories = np.array([str(item) for item in categories.tolist()], dtype=object)
            empty = np.flatnonzero(categories == "")
            if len(empty):
                index = int(empty[0])
                codes = np.where(codes == index, -1, np.where(codes > index, codes - 1, codes))
                categories = np.delete(categories, index)
            return cls(codes=codes, categories=categories)
        missing = (text == None) | (text == "") | (text != text)  # noqa: E711 - elementwise
        filled = np.where(missing, "", text).astype(str)
        found, inverse = np.unique(filled, return_inverse=True)
        codes = inverse.reshape(-1).astype(np.int64)
        if len(found) and found[0] == "":
            codes -= 1
            found = found[1:]
        codes[missing] = -1
        return cls(codes=codes, categories=found.astype(object))

    def numbers(self) -> np.ndarray:
        """Each row's value read as a number (``NaN`` where it is not one, or missing)."""
        table = np.array([_as_number(text) for text in self.categories.tolist()] + [np.nan], dtype=np.float64)
        picked: np.ndarray = table[self.codes]  # code -1 picks the trailing NaN
        return picked


def _as_number(text: str) -> float:
    try:
        value = float(str(text).replace(",", ".").strip())
    except ValueError:
        return float("nan")
    return value if np.isfinite(value) else float("nan")


Resolve = Callable[[str], Any]


class _Evaluator:
    def __init__(
        self,
        formula: Formula,
        resolve: Resolve,
        factors: Mapping[Expr, tuple[float, ...]],
        n: int,
        reasons: dict[str, np.ndarray] | None,
    ) -> None:
        self.formula = formula
        self.resolve = resolve
        self.factors = factors
        self.n = n
        self.reasons = reasons

    def error(self, node: Expr, message: str, hint: str | None = None) -> FormulaError:
        return FormulaError(message, formula=self.formula.text, position=node.start, hint=hint)

    def value(self, node: Expr, mask: np.ndarray | None) -> Any:
        """A float column (or a 0-d float for a constant), a ``Categorical``, or a ``str`` for a text literal."""
        if isinstance(node, Number):
            return np.float64(node.value)
        if isinstance(node, Text):
            return node.value
        if isinstance(node, Name):
            try:
                resolved = self.resolve(node.name)
            except KeyError:
                raise self.error(node, f"unknown name {node.name!r}") from None
            if isinstance(resolved, Categorical):
                return resolved
            array = np.asarray(resolved)
            if array.dtype.kind in "OUS":
                return Categorical.of(array)
            return array.astype(np.float64, copy=False)
        if isinstance(node, Unary):
            inner = self.number(node.operand, mask)
            if node.op == "not":
                return 1.0 - inner
            return -inner if node.op == "-" else inner
        if isinstance(node, Binary):
            return self.binary(node, mask)
        if isinstance(node, Member):
            operand = self.value(node.operand, mask)
            found: Any = np.float64(0.0)
            for option in node.options:
                found = _or(found, self.compare("==", operand, self.value(option, mask), node, option))
            return 1.0 - found if node.negated else found
        if isinstance(node, Call):
            return self.call(node, mask)
        raise self.error(node, f"cannot evaluate {type(node).__name__}")  # pragma: no cover

    def number(self, node: Expr, mask: np.ndarray | None) -> Any:
        found = self.value(node, mask)
        if isinstance(found, Categorical):
            return found.numbers()
        if isinstance(found, str):
            raise self.error(node, "text cannot be used as a number here")
        return found

    def scaled(self, node: Expr, parts: tuple[Expr, ...], mask: np.ndarray | None) -> list[Any]:
        factors = self.factors.get(node, ())
        out = []
        for index, part in enumerate(parts):
            value = self.number(part, mask)
            factor = factors[index] if index < len(factors) else 1.0
            out.append(value * factor if factor != 1.0 else value)
        return out

    def binary(self, node: Binary, mask: np.ndarray | None) -> Any:
        op = node.op
        if op in ("and", "or"):
            left, right = self.number(node.left, mask), self.number(node.right, mask)
            return _and(left, right) if op == "and" else _or(left, right)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            left, right = self.value(node.left, mask), self.value(node.right, mask)
            factors = self.factors.get(node, (1.0, 1.0))
            if not isinstance(left, (str, Categorical)) and factors[0] != 1.0:
                left = left * factors[0]
            if not isinstance(right, (str, Categorical)) and factors[1] != 1.0:
                right = right * factors[1]
            return self.compare(op, left, right, node.left, node.right)
        if op in ("+", "-"):
            left, right = self.scaled(node, (node.left, node.right), mask)
            return left + right if op == "+" else left - right
        left, right = self.number(node.left, mask), self.number(node.right, mask)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if op == "*":
                return left * right
            if op == "^":
                return np.power(left, right)
            zero = np.asarray(right == 0.0)
            if self.reasons is not None and zero.any():
                hit = zero & np.isfinite(left)
                if mask is not None:
                    hit = hit & mask
                hit = np.broadcast_to(hit, (self.n,))
                if hit.any():
                    reason = f"division by zero ({self.formula.excerpt(node.right)} is 0)"
                    previous = self.reasons.get(reason)
                    self.reasons[reason] = hit.copy() if previous is None else (previous | hit)
            return np.where(zero, np.nan, left / np.where(zero, 1.0, right))

    def compare(self, op: str, left: Any, right: Any, left_node: Expr, right_node: Expr) -> Any:
        if isinstance(left, str) and not isinstance(right, str):
            left, right, left_node, right_node = right, left, right_node, left_node
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        if isinstance(right, str):
            if isinstance(left, str):
                return np.float64(_compare(op, np.float64(left == right), np.float64(1.0)))
            if isinstance(left, Categorical):
                if op not in ("==", "!="):
                    number = _as_number(right)
                    if np.isnan(number):
                        raise self.error(right_node, "text can only be compared with == or != (or in)")
                    return _compare(op, left.numbers(), np.float64(number))
                matches = np.flatnonzero(left.categories == right)
                equal = (left.codes == matches[0]) if len(matches) else np.zeros(len(left.codes), dtype=bool)
                result = np.where(left.codes < 0, np.nan, equal.astype(np.float64))
                return 1.0 - result if op == "!=" else result
            number = _as_number(right)
            if np.isnan(number):
                raise self.error(
                    right_node,
                    f"{self.formula.excerpt(left_node)!r} holds numbers, compared here with the text {right!r}",
                )
            return _compare(op, left, np.float64(number))
        if isinstance(left, Categorical):
            left = left.numbers()
        if isinstance(right, Categorical):
            right = right.numbers()
        return _compare(op, left, right)

    def call(self, node: Call, mask: np.ndarray | None) -> Any:
        name = node.function
        if name == "is_missing":
            found = self.value(node.args[0], mask)
            if isinstance(found, Categorical):
                return (found.codes < 0).astype(np.float64)
            if isinstance(found, str):
                return np.float64(0.0)
            return np.isnan(found).astype(np.float64)
        if name == "abs":
            return np.abs(self.number(node.args[0], mask))
        if name == "if":
            condition = self.number(node.args[0], mask)
            yes = np.asarray(condition == 1.0)
            no = np.asarray(condition == 0.0)
            chosen = mask if mask is not None else np.ones(self.n, dtype=bool)
            when_yes, when_no = np.broadcast_to(chosen & yes, (self.n,)), np.broadcast_to(chosen & no, (self.n,))
            factors = self.factors.get(node, (1.0, 1.0))
            a = self.number(node.args[1], when_yes) * factors[0]
            b = self.number(node.args[2], when_no) * factors[1]
            return np.where(yes, a, np.where(no, b, np.nan))
        values = self.scaled(node, node.args, mask)
        if name == "coalesce":
            out = values[0]
            for other in values[1:]:
                out = np.where(np.isnan(out), other, out)
            return out
        if name == "min":
            return _reduce(np.minimum, values)
        if name == "max":
            return _reduce(np.maximum, values)
        total = _reduce(np.add, values)
        return total if name == "sum" else total / len(values)


def _reduce(function: Any, values: list[Any]) -> Any:
    out = values[0]
    for other in values[1:]:
        out = function(out, other)
    return out


def _compare(op: str, left: Any, right: Any) -> Any:
    with np.errstate(invalid="ignore"):
        if op == "==":
            result = left == right
        elif op == "!=":
            result = left != right
        elif op == "<":
            result = left < right
        elif op == "<=":
            result = left <= right
        elif op == ">":
            result = left > right
        else:
            result = left >= right
    unknown = np.isnan(left) | np.isnan(right)
    return np.where(unknown, np.nan, np.asarray(result, dtype=np.float64))


def _and(left: Any, right: Any) -> Any:
    false = (left == 0.0) | (right == 0.0)
    unknown = np.isnan(left) | np.isnan(right)
    return np.where(false, 0.0, np.where(unknown, np.nan, 1.0))


def _or(left: Any, right: Any) -> Any:
    true = (left == 1.0) | (right == 1.0)
    unknown = np.isnan(left) | np.isnan(right)
    return np.where(true, 1.0, np.where(unknown, np.nan, 0.0))


def evaluate(
    formula: Formula,
    resolve: Resolve,
    n: int,
    *,
    factors: Mapping[Expr, tuple[float, ...]] | None = None,
    reasons: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """``formula`` over ``n`` rows: a float64 column (conditions as 1/0, ``NaN`` missing or unknown).

    ``resolve(name)`` gives a name's column (floats, text, or a ``Categorical``); ``factors`` the
    unit factors of ``vises.validation.formulas``; ``reasons`` collects, per reason, the rows a
    division by zero left missing.
    """
    found = _Evaluator(formula, resolve, factors or {}, n, reasons).value(formula.tree, None)
    if isinstance(found, Categorical):
        raise FormulaError("the formula gives text, not a number or a condition", formula=formula.text, position=0)
    if isinstance(found, str):
        raise FormulaError("the formula is only a text", formula=formula.text, position=0)
    return np.array(np.broadcast_to(np.asarray(found, dtype=np.float64), (n,)), dtype=np.float64)


@attrs.frozen(kw_only=True, eq=False)
class Derived:
    """One derived indicator's values (in its declared unit), why rows are missing, and where it does not apply."""

    values: np.ndarray
    reasons: dict[str, np.ndarray]
    not_applicable: np.ndarray | None


def derive_one(
    derivation: Derivation, raws: Mapping[str, np.ndarray], not_applicable: Mapping[str, np.ndarray], n: int
) -> Derived:
    """Compute one derived indicator from its inputs' prepared columns."""
    reasons: dict[str, np.ndarray] = {}
    values = evaluate(derivation.formula, raws.__getitem__, n, factors=derivation.factors, reasons=reasons)
    if derivation.factor != 1.0:
        values = values * derivation.factor
    missing = np.isnan(values)
    na = np.zeros(n, dtype=bool)
    for name in derivation.inputs:
        mask = not_applicable.get(name)
        if mask is not None:
            na |= mask
    na &= missing
    roles = ("numerator", "denominator") if derivation.rate else ()
    for position, name in enumerate(derivation.inputs):
        absent = np.isnan(raws[name]) & missing & ~na
        if absent.any():
            role = roles[position] if position < len(roles) else "input"
            reasons[f"{role} {name!r} is missing"] = absent
    return Derived(values=values, reasons=reasons, not_applicable=na if na.any() else None)


def derive_indicators(
    grid: Grid, raws: dict[str, np.ndarray], not_applicable: dict[str, np.ndarray], n: int
) -> dict[str, Derived]:
    """Every derived indicator of ``grid`` whose inputs are all in ``raws``, in order; each result is
    added to ``raws`` (and its not-applicable rows to ``not_applicable``) so later ones can read it."""
    out: dict[str, Derived] = {}
    for derivation in derivations(grid):
        if any(name not in raws for name in derivation.inputs):
            continue  # an input column is missing: that problem is reported where the column is looked for
        derived = derive_one(derivation, raws, not_applicable, n)
        raws[derivation.code] = derived.values
        if derived.not_applicable is not None:
            not_applicable[derivation.code] = derived.not_applicable
        out[derivation.code] = derived
    return out


__all__ = ["Categorical", "Derived", "derive_indicators", "derive_one", "evaluate"]
