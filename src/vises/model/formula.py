"""The formula language: text parsed once into a tree of frozen nodes, never evaluated as Python.

A derived indicator (``formula = "training_hours / trainees"``), a rate (numerator over
denominator) and a records filter (``exit_status == "employment"``) are all written in it. The
parser is a small recursive descent over a hand-written tokenizer; nothing of the user's text
reaches ``eval``. Each node keeps where it starts and ends in the text, so an error names the
character at fault. Checking names and units against a grid is ``vises.validation.formulas``;
evaluating a tree over whole columns is ``vises.validation.derived``.

Precedence, lowest first::

    or  ·  and  ·  not  ·  == != < <= > >= in  ·  + -  ·  * /  ·  unary -  ·  ^ (right)

Values: numbers (``12``, ``0.5``, ``1e3``), text in double or single quotes, names (letters,
digits, ``_`` and ``.``; any other name between backticks: ```Q3 satisfaction```), calls of the
functions in ``FUNCTIONS``, and parentheses.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import attrs

from vises.errors import FormulaError

#: A formula longer than this is refused (no genuine formula comes near it).
MAX_LENGTH = 10_000
#: Parentheses and calls nested deeper than this are refused (bounded recursion).
MAX_DEPTH = 100

#: Functions and how many arguments each takes (``None``: one or more).
FUNCTIONS: dict[str, int | None] = {
    "min": None,
    "max": None,
    "sum": None,
    "mean": None,
    "coalesce": None,
    "abs": 1,
    "is_missing": 1,
    "if": 3,
}
KEYWORDS = frozenset({"and", "or", "not", "in"})
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")


# -- the tree --------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Expr:
    """A node of a parsed formula: ``start``/``end`` are character offsets in its text (0-based)."""

    start: int
    end: int


@attrs.frozen(kw_only=True)
class Number(Expr):
    value: float


@attrs.frozen(kw_only=True)
class Text(Expr):
    value: str


@attrs.frozen(kw_only=True)
class Name(Expr):
    name: str


@attrs.frozen(kw_only=True)
class Unary(Expr):
    op: str  #: ``-``, ``+`` or ``not``
    operand: Expr


@attrs.frozen(kw_only=True)
class Binary(Expr):
    op: str  #: ``+ - * / ^``, a comparison, ``and`` or ``or``
    left: Expr
    right: Expr


@attrs.frozen(kw_only=True)
class Member(Expr):
    """``x in ("a", "b")`` (``negated``: ``not in``)."""

    operand: Expr
    options: tuple[Expr, ...]
    negated: bool = False


@attrs.frozen(kw_only=True)
class Call(Expr):
    function: str
    args: tuple[Expr, ...]


@attrs.frozen(kw_only=True)
class Formula:
    """A parsed formula: its text and its tree."""

    text: str
    tree: Expr

    @property
    def names(self) -> tuple[str, ...]:
        """The names it reads, each once, in order of first appearance."""
        return tuple(dict.fromkeys(node.name for node in walk(self.tree) if isinstance(node, Name)))

    def excerpt(self, node: Expr) -> str:
        """The text of one of its nodes, as written."""
        return self.text[node.start : node.end]


def walk(tree: Expr) -> Iterator[Expr]:
    """Every node of a tree, parents before children (no recursion: trees are bounded, but cheaply)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack += [node.right, node.left]
        elif isinstance(node, Member):
            stack += [*reversed(node.options), node.operand]
        elif isinstance(node, Call):
            stack += list(reversed(node.args))


def ratio(numerator: str, denominator: str) -> Formula:
    """The formula of a rate: ``numerator / denominator`` (names quoted when they need it)."""
    return parse(f"{quote_name(numerator)} / {quote_name(denominator)}")


def quote_name(name: str) -> str:
    """A name as a formula writes it: bare when it can be, else between backticks."""
    plain = name and (name[0].isalpha() or name[0] == "_") and all(c.isalnum() or c in "_." for c in name)
    if plain and name not in KEYWORDS and name not in FUNCTIONS:
        return name
    return "`" + name.replace("`", "") + "`"


# -- tokens ----------------------------------------------------------------------------------------


@attrs.frozen
class _Token:
    kind: str  #: number, text, name, op, end
    value: Any
    start: int
    end: int


_OPERATORS = ("**", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "^", "(", ")", ",")


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char.isdigit() or (char == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            if j < n and text[j] in "eE":
                k = j + 1
                if k < n and text[k] in "+-":
                    k += 1
                if k < n and text[k].isdigit():
                    j = k
                    while j < n and text[j].isdigit():
                        j += 1
            literal = text[i:j]
            try:
                value = float(literal)
            except ValueError:
                raise _error(text, i, f"{literal!r} is not a number") from None
            if not math.isfinite(value):
                raise _error(text, i, f"{literal!r} is not a finite number")
            out.append(_Token("number", value, i, j))
            i = j
            continue
        if char in "\"'":
            j = text.find(char, i + 1)
            if j < 0:
                raise _error(text, i, "this text is never closed", hint=f"end it with {char}")
            out.append(_Token("text", text[i + 1 : j], i, j + 1))
            i = j + 1
            continue
        if char == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise _error(text, i, "this name is never closed", hint="end it with `")
            if j == i + 1:
                raise _error(text, i, "an empty name between backticks")
            out.append(_Token("name", text[i + 1 : j], i, j + 1))
            i = j + 1
            continue
        if char.isalpha() or char == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_."):
                j += 1
            word = text[i:j]
            out.append(_Token("op" if word in KEYWORDS else "name", word, i, j))
            i = j
            continue
        for op in _OPERATORS:
            if text.startswith(op, i):
                out.append(_Token("op", "^" if op == "**" else op, i, i + len(op)))
                i += len(op)
                break
        else:
            if char == "=":
                raise _error(text, i, "'=' alone is not an operator", hint="compare with '=='")
            if char in "&|!":
                word = {"&": "and", "|": "or", "!": "not"}[char]
                raise _error(text, i, f"{char!r} is not an operator", hint=f"write {word!r}")
            raise _error(text, i, f"unexpected character {char!r}")
    out.append(_Token("end", None, n, n))
    return out


def _error(text: str, position: int, message: str, *, hint: str | None = None) -> FormulaError:
    return FormulaError(message, formula=text, position=position, hint=hint)


# -- parser ----------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.at]

    def error(self, message: str, token: _Token | None = None, *, hint: str | None = None) -> FormulaError:
        return _error(self.text, (token or self.token).start, message, hint=hint)

    def take(self, kind: str, value: Any = None) -> _Token | None:
        token = self.token
        if token.kind == kind and (value is None or token.value == value):
            self.at += 1
            return token
        return None

    def expect(self, value: str, what: str) -> _Token:
        token = self.take("op", value)
        if token is None:
            raise self.error(f"expected {value!r} {what}, found {self._found()}")
        return token

    def _found(self) -> str:
        token = self.token
        if token.kind == "end":
            return "the end of the formula"
        if token.kind == "text":
            return f"the text {token.value!r}"
        return repr(self.text[token.start : token.end])

    def parse(self) -> Expr:
        if self.token.kind == "end":
            raise self.error("the formula is empty")
        tree = self.expression()
        if self.token.kind != "end":
            raise self.error(f"unexpected {self._found()} after a complete expression", hint="is an operator missing?")
        return tree

    def expression(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the formula nests more than {MAX_DEPTH} levels deep")
        try:
            return self.either()
        finally:
            self.depth -= 1

    def either(self) -> Expr:
        left = self.both()
        while self.take("op", "or"):
            right = self.both()
            left = Binary(start=left.start, end=right.end, op="or", left=left, right=right)
        return left

    def both(self) -> Expr:
        left = self.negation()
        while self.take("op", "and"):
            right = self.negation()
            left = Binary(start=left.start, end=right.end, op="and", left=left, right=right)
        return left

    def negation(self) -> Expr:
        token = self.take("op", "not")
        if token is not None:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(f"the formula nests more than {MAX_DEPTH} levels deep")
            try:
                operand = self.negation()
            finally:
                self.depth -= 1
            return Unary(start=token.start, end=operand.end, op="not", operand=operand)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.additive()
        token = self.token
        if token.kind == "op" and token.value in COMPARISONS:
            self.at += 1
            right = self.additive()
            after = self.token
            if after.kind == "op" and after.value in COMPARISONS:
                raise self.error(
                    "comparisons cannot be chained", after, hint="write 'a < b and b < c' instead of 'a < b < c'"
                )
            return Binary(start=left.start, end=right.end, op=str(token.value), left=left, right=right)
        negated = False
        if token.kind == "op" and token.value == "not" and self.tokens[self.at + 1].value == "in":
            self.at += 1
            negated = True
        if self.take("op", "in"):
            self.expect("(", "after 'in'")
            options = [self.additive()]
            while self.take("op", ","):
                options.append(self.additive())
            close = self.expect(")", "to close the list after 'in'")
            return Member(start=left.start, end=close.end, operand=left, options=tuple(options), negated=negated)
        return left

    def additive(self) -> Expr:
        left = self.multiplicative()
        while self.token.kind == "op" and self.token.value in ("+", "-"):
            op = str(self.token.value)
            self.at += 1
            right = self.multiplicative()
            left = Binary(start=left.start, end=right.end, op=op, left=left, right=right)
        return left

    def multiplicative(self) -> Expr:
        left = self.unary()
        while self.token.kind == "op" and self.token.value in ("*", "/"):
            op = str(self.token.value)
            self.at += 1
            right = self.unary()
            left = Binary(start=left.start, end=right.end, op=op, left=left, right=right)
        return left

    def unary(self) -> Expr:
        token = self.token
        if token.kind == "op" and token.value in ("-", "+"):
            self.at += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.error(f"the formula nests more than {MAX_DEPTH} levels deep")
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return Unary(start=token.start, end=operand.end, op=str(token.value), operand=operand)
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.take("op", "^"):
            exponent = self.unary()  # right-associative: 2 ^ 3 ^ 2 is 2 ^ 9; 2 ^ -1 is allowed
            return Binary(start=base.start, end=exponent.end, op="^", left=base, right=exponent)
        return base

    def atom(self) -> Expr:
        token = self.token
        if token.kind == "number":
            self.at += 1
            return Number(start=token.start, end=token.end, value=float(token.value))
        if token.kind == "text":
            self.at += 1
            return Text(start=token.start, end=token.end, value=str(token.value))
        if token.kind == "name":
            self.at += 1
            if self.token.kind == "op" and self.token.value == "(":
                return self.call(token)
            return Name(start=token.start, end=token.end, name=str(token.value))
        if self.take("op", "("):
            inner = self.expression()
            close = self.expect(")", "to close the parenthesis")
            return _spanned(inner, token, close)
        raise self.error(f"expected a value, found {self._found()}")

    def call(self, name: _Token) -> Expr:
        function = str(name.value)
        if function not in FUNCTIONS:
            from vises.errors import did_you_mean

            raise self.error(
                f"unknown function {function!r}",
                name,
                hint=did_you_mean(function, FUNCTIONS) or f"the functions are {', '.join(FUNCTIONS)}",
            )
        self.expect("(", "after the function name")
        args: list[Expr] = []
        if not (self.token.kind == "op" and self.token.value == ")"):
            args.append(self.expression())
            while self.take("op", ","):
                args.append(self.expression())
        close = self.expect(")", f"to close the call of {function}()")
        wanted = FUNCTIONS[function]
        if (wanted is None and not args) or (wanted is not None and len(args) != wanted):
            count = "one or more arguments" if wanted is None else f"{wanted} argument{'s' if wanted != 1 else ''}"
            raise _error(self.text, name.start, f"{function}() takes {count}, got {len(args)}")
        return Call(start=name.start, end=close.end, function=function, args=tuple(args))


def _spanned(inner: Expr, opening: _Token, closing: _Token) -> Expr:
    """A parenthesised expression keeps its tree; only its span grows to the parentheses."""
    return attrs.evolve(inner, start=opening.start, end=closing.end)


def parse(text: str) -> Formula:
    """Parse ``text`` into a ``Formula``; a ``FormulaError`` names the character at fault."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is {len(text):,} characters long, more than the limit of {MAX_LENGTH:,}",
            hint="split it into several derived indicators",
        )
    return Formula(text=text, tree=_Parser(text).parse())


__all__ = [
    "COMPARISONS",
    "FUNCTIONS",
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Binary",
    "Call",
    "Expr",
    "Formula",
    "Member",
    "Name",
    "Number",
    "Text",
    "Unary",
    "parse",
    "quote_name",
    "ratio",
    "walk",
]
