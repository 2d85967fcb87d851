"""pint's answers about units, kept between runs so that a run asking known questions never loads pint.

Importing pint and building its registry costs ~0.3 s, more than validating a 30-row file. What
vises asks pint is small and fixed for a given set of definitions: whether a unit string parses,
its units and dimensions, the ``(factor, offset)`` between two units, and which plugin lines pint
refused and why. ``units`` records those answers as pint gives them and stores them in vises' cache
directory (``vises.cache``), under a name derived from everything they depend on: the storage
format, pint's version and location, vises' own definition lines and symbols, and every plugin line
in the order given. A change to any of them is another entry, so an answer never goes stale; only
answers pint gave are stored, never errors (an unknown unit still goes to pint, which words it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

#: Bump when what is stored changes shape or meaning.
FORMAT = 1

Items = tuple[tuple[str, float], ...]


class Record(NamedTuple):
    """A parsed unit: its units with exponents (equal records are the same unit) and its dimensions."""

    units: Items
    dims: Items


class Refusal(NamedTuple):
    source: str
    line: str
    reason: str
    owner: str | None


def key(*parts: Any) -> str:
    """The entry's identity: a hash of everything the answers depend on (JSON-serialisable parts)."""
    return hashlib.sha256(json.dumps([FORMAT, *parts], ensure_ascii=False).encode("utf-8")).hexdigest()


def items(mapping: Mapping[Any, Any]) -> Items:
    return tuple(sorted((str(name), value) for name, value in mapping.items()))


_Parsed = tuple[dict[str, Record], dict[str, tuple[float, float]], list[Refusal], dict[str, Any]]


class Answers:
    """The answers for one set of definitions; ``loaded`` when they came from disk."""

    def __init__(self, ident: str) -> None:
        self.ident = ident
        self.units: dict[str, Record] = {}
        self.pairs: dict[str, tuple[float, float]] = {}
        self.refused: dict[tuple[str, str], Refusal] = {}
        #: Other questions answered with pint (a formula's units), as JSON text -> the JSON answer.
        self.other: dict[str, Any] = {}
        self.loaded = False
        self.dirty = False

    @property
    def name(self) -> str:
        return f"units-{self.ident[:40]}.json"

    def add_unit(self, text: str, record: Record) -> None:
        self.dirty |= self.units.setdefault(text, record) is record

    def add_pair(self, pair: str, factors: tuple[float, float]) -> None:
        self.dirty |= self.pairs.setdefault(pair, factors) is factors

    def add_other(self, question: str, answer: Any) -> None:
        self.dirty |= self.other.setdefault(question, answer) is answer

    def add_refused(self, refusals: Iterable[Refusal]) -> None:
        for refusal in refusals:
            if (refusal.source, refusal.line) not in self.refused:
                self.refused[(refusal.source, refusal.line)] = refusal
                self.dirty = True

    def merge(self, data: Any) -> bool:
        """Take in a stored entry (JSON) for the same definitions; ``False``, nothing taken, if it is not one."""
        parsed = _parse(data, self.ident)
        if parsed is None:
            return False
        units, pairs, refused, other = parsed
        for text, record in units.items():
            self.units.setdefault(text, record)
        for pair, factors in pairs.items():
            self.pairs.setdefault(pair, factors)
        for refusal in refused:
            self.refused.setdefault((refusal.source, refusal.line), refusal)
        for question, answer in other.items():
            self.other.setdefault(question, answer)
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.ident,
            "units": {text: [list(map(list, r.units)), list(map(list, r.dims))] for text, r in self.units.items()},
            "pairs": {pair: list(factors) for pair, factors in self.pairs.items()},
            "refused": [list(refusal) for refusal in self.refused.values()],
            "other": self.other,
        }


def _parse(data: Any, ident: str) -> _Parsed | None:
    """A stored entry checked field by field: anything unexpected means it is not used at all (the
    ``other`` answers are checked by whoever asks them)."""
    try:
        if not isinstance(data, dict) or data.get("key") != ident:
            return None
        units = {text: Record(_items(pair[0]), _items(pair[1])) for text, pair in data["units"].items()}
        pairs = {}
        for pair, factors in data["pairs"].items():
            factor, offset = (float(_number(value)) for value in factors)
            pairs[_text(pair)] = (factor, offset)
        refused = []
        for source, line, reason, owner in data["refused"]:
            refused.append(Refusal(_text(source), _text(line), _text(reason), None if owner is None else _text(owner)))
        other = data["other"]
        if not isinstance(other, dict) or not all(isinstance(text, str) for text in (*units, *other)):
            return None
        return units, pairs, refused, dict(other)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return None


def _items(value: Any) -> Items:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return tuple((_text(name), _number(exponent)) for name, exponent in value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    return value


__all__ = ["FORMAT", "Answers", "Record", "Refusal", "items", "key"]
