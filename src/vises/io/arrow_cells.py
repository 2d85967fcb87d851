"""The cell rules of ``vises.io.cells`` on Arrow columns: numbers parsed in C, a column at a time.

A number column read as Arrow strings is cast to float64 in one call when it holds only plain
numbers and empty cells. Otherwise the tokens (``n/a``, ``?``, ...) are found by one hash lookup
and set aside, and the rest cast again; only cells that still fail (a typo, a grouped number in a
``;`` file, stray spaces, an odd spelling of a token) go to the reference rules one by one. The
answers are those of ``vises.io.cells`` (the property tests compare them).

Identifier, level and text columns are handed to the numpy rules as Python strings: they become
object arrays in the ``Dataset`` anyway, and that keeps one implementation of their rules.
pyarrow is imported by the caller; this module is only imported when pyarrow is installed.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vises.errors import VisesError
from vises.io import tokens
from vises.io.arrow_numpy import FALSE, NULL_TEXT, integer_scalar, integers, strings, text_scalar, to_numpy
from vises.io.cells import (
    NUMBER,
    Place,
    as_text,
    decode_levels,
    level_problems,
    number_hint,
    parse_numbers,
    quoted,
    text_cells,
)
from vises.io.frames import NumpyCells
from vises.io.layout import Planned
from vises.limits import Limits, exceeded
from vises.model import Column


def _spellings(words: frozenset[str]) -> list[str]:
    found: set[str] = set()
    for word in words:
        if word:
            found.update({word, word.upper(), word.capitalize(), word.title()})
    return sorted(found)


_NA_SPELLINGS = _spellings(tokens.NA_TOKENS)
#: Exact spellings of the missing tokens (the empty cell apart).
MISSING_SPELLINGS = _spellings(tokens.MISSING_TOKENS)
#: Exact spellings looked up by hash (with the empty cell); any other goes to the reference rules.
_TOKENS = strings([*_NA_SPELLINGS, *MISSING_SPELLINGS, ""])
_NA_COUNT = integer_scalar(len(_NA_SPELLINGS))
_EMPTY = text_scalar("")
#: ``vises.io.cells.NUMBER``, anchored, for RE2.
_PLAIN = "^" + NUMBER.pattern + "$"


def is_text(values: Any) -> bool:
    kind = values.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def to_objects(values: Any) -> np.ndarray:
    """An Arrow column as a numpy array the numpy rules take: floats for numbers, objects otherwise."""
    kind = values.type
    if pa.types.is_dictionary(kind):
        values = values.cast(kind.value_type)
        kind = values.type
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        return _floats(values)
    if pa.types.is_boolean(kind) and values.null_count == 0:
        return np.array(to_numpy(values), dtype=bool)
    out = np.empty(len(values), dtype=object)
    out[:] = to_numpy(values)
    return out


_length = np.frompyfunc(len, 1, 1)


#: Rows looked at to tell a column of few distinct texts (periods, regions) from one of many (names).
_PROBE = 8192


def _distinct(values: Any) -> tuple[np.ndarray, np.ndarray | None, int]:
    """The texts of a column stripped of surrounding white space, as Python strings with ``""`` last
    (for null); each row's position among them, ``None`` when the texts are the rows themselves; and
    the length of the longest text.

    A column of few distinct texts is dictionary-encoded (a million periods are three strings); a
    column of many (organisation names) is trimmed in Arrow and turned into strings directly.
    """
    if isinstance(values, pa.ChunkedArray):
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    probe = values.slice(0, _PROBE)
    if len(values) > 2 * _PROBE and pc.count_distinct(probe).as_py() > len(probe) // 4:
        words, index = values, None
    else:
        encoded = pc.dictionary_encode(values)
        words = encoded.dictionary
        index = np.asarray(
            to_numpy(pc.fill_null(encoded.indices, integer_scalar(len(words)).cast(encoded.indices.type))),
            dtype=np.int64,
        )
    trimmed = pc.utf8_trim_whitespace(words)
    longest = pc.max(pc.utf8_length(trimmed)).as_py() or 0
    texts = np.empty(len(trimmed) + 1, dtype=object)
    texts[:-1] = to_numpy(pc.fill_null(trimmed, _EMPTY))
    texts[-1] = ""
    return texts, index, int(longest)


def _spread(unique: np.ndarray, index: np.ndarray | None) -> np.ndarray:
    """Per-row values from per-distinct ones (the last entry, for null, dropped when rows are themselves)."""
    return unique[index] if index is not None else unique[:-1]


def _floats(values: Any) -> np.ndarray:
    """float64, writable (Arrow's zero-copy views are read-only), null as NaN."""
    return _writable(pc.cast(values, pa.float64()))


def to_float_array(values: Any) -> np.ndarray:
    """A numeric Arrow column as a writable float64 array, null as NaN."""
    return _floats(values)


def _writable(numbers: Any) -> np.ndarray:
    return np.asarray(to_numpy(numbers, writable=True), dtype=np.float64)  # one pass over the chunks (NaN for null)


class ArrowCells:
    """Numbers in C; identifiers, levels and text through ``NumpyCells`` as Python strings."""

    def __init__(self, *, decimal_comma: bool, limits: Limits, check_length: bool = True) -> None:
        self.decimal_comma = decimal_comma
        self.limits = limits
        #: False when no cell can be longer than the limit (the whole file is shorter): skips a pass.
        self.check_length = check_length
        self.numpy = NumpyCells(decimal_comma=decimal_comma, limits=limits)

    # Text columns: the rules run on each distinct value once (a column of a million organisations
    # holds a few hundred thousand names, a period column three), then the answers are spread back.

    def identifiers(self, values: Any, place: Place, what: str) -> tuple[np.ndarray, list[VisesError]]:
        if not is_text(values):
            return self.numpy.identifiers(to_objects(values), place, what)
        text, index, longest = _distinct(values)
        self._lengths(text, index, longest, place)
        out = _spread(text, index)
        problems: list[VisesError] = [place.error(int(i), f"the {what} is empty") for i in np.flatnonzero(out == "")]
        return out, problems

    def text(self, values: Any, place: Place) -> np.ndarray:
        if not is_text(values):
            return self.numpy.text(to_objects(values), place)
        text, index, longest = _distinct(values)
        self._lengths(text, index, longest, place)
        cells = text_cells(text)
        cells[-1] = None
        return np.asarray(_spread(cells, index), dtype=object)

    def levels(self, values: Any, planned: Planned, place: Place) -> tuple[Column, list[VisesError]]:
        if not is_text(values):
            return self.numpy.levels(to_objects(values), planned, place)
        assert planned.indicator is not None
        text, index, longest = _distinct(values)
        self._lengths(text, index, longest, place)
        decoded = decode_levels(text, planned.indicator)
        bad_rows = _spread(decoded.bad, index)
        bad = np.flatnonzero(bad_rows)
        problems = level_problems(planned.indicator, place, bad, _spread(decoded.text, index)[bad])
        na = _spread(decoded.not_applicable, index)
        return Column(values=_spread(decoded.values, index), not_applicable=na if na.any() else None), list(problems)

    def _lengths(self, text: np.ndarray, index: np.ndarray | None, longest: int, place: Place) -> None:
        """The field limit on distinct values; the row named is the first holding the long one."""
        if not self.check_length or longest <= self.limits.field_chars:
            return
        lengths = _length(text).astype(np.int64)
        if int(lengths.max()) > self.limits.field_chars:
            longest = int(np.argmax(lengths))
            row = int(np.argmax(index == longest)) if index is not None else longest
            raise exceeded(
                "field_chars",
                int(lengths[longest]),
                "a cell's length in characters",
                limits=self.limits,
                file=place.file,
                sheet=place.sheet,
                row=place.row(row),
                column=place.column,
            )

    def has_values(self, values: Any) -> bool:
        return self.numpy.has_values(to_objects(values))

    def mask(self, values: Any, place: Place) -> tuple[np.ndarray, list[VisesError]]:
        if pa.types.is_boolean(values.type):
            return np.asarray(to_numpy(pc.fill_null(values, FALSE)), dtype=bool), []
        return self.numpy.mask(to_objects(values), place)

    def guess(self, values: Any, place: Place, unit: str | None) -> Column | np.ndarray:
        if not is_text(values):
            return self.numpy.guess(to_objects(values), place, unit)
        column, problems = self.numbers(values, place, unit)
        filled = ~np.isnan(column.values)
        if problems or not filled.any():
            return self.numpy.text(to_objects(values), place)
        return column

    def numbers(self, values: Any, place: Place, unit: str | None) -> tuple[Column, list[VisesError]]:
        kind = values.type
        if pa.types.is_floating(kind) or pa.types.is_integer(kind):  # a typed column (Parquet, Arrow)
            out = _floats(values)
            infinite = np.flatnonzero(np.isinf(out))
            out[infinite] = np.nan
            problems: list[VisesError] = [
                place.error(int(i), "the value is not a finite number", "write a number, or leave the cell empty")
                for i in infinite
            ]
            return Column(values=out, unit=unit), problems
        if pa.types.is_dictionary(kind):
            values = values.cast(kind.value_type)
        if not is_text(values):
            return self.numpy.numbers(to_objects(values), place, unit)
        if self.check_length:
            self._check_length(values, place)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
        # The tokens first (one hash lookup; a number column read as text here usually has some),
        # then one cast of what is left; the reference rules only for cells that still fail.
        text = pc.replace_substring(values, ",", ".") if self.decimal_comma else values
        not_applicable: np.ndarray | None = None
        problems = []
        found = pc.index_in(values, value_set=_TOKENS)
        if found.null_count != len(found):
            applicable = pc.fill_null(pc.less(found, _NA_COUNT), FALSE)
            not_applicable = np.asarray(to_numpy(applicable), dtype=bool)
            text = pc.if_else(pc.is_valid(found), NULL_TEXT, text)
        try:
            numbers = pc.cast(text, pa.float64())
            out = _writable(numbers)
        except pa.ArrowInvalid:
            if not_applicable is None:
                not_applicable = np.zeros(len(values), dtype=bool)
            numbers, out = self._odd_cells(values, text, not_applicable, place, problems)
        nonfinite = pc.fill_null(pc.invert(pc.is_finite(numbers)), FALSE)
        if pc.any(nonfinite).as_py():
            for index in np.flatnonzero(to_numpy(nonfinite)):
                cell = str(values[int(index)].as_py()).strip()
                problems.append(
                    place.error(int(index), f"{quoted(cell)} is not a number", number_hint(cell, self.decimal_comma))
                )
                out[index] = np.nan
        if not_applicable is not None and not not_applicable.any():
            not_applicable = None
        return Column(values=out, unit=unit, not_applicable=not_applicable), problems

    def _odd_cells(
        self, values: Any, text: Any, not_applicable: np.ndarray, place: Place, problems: list[VisesError]
    ) -> tuple[Any, np.ndarray]:
        """Plain numbers cast in C; the few other cells (typos, grouping, spaces, odd spellings of a
        token) decided by the reference rules one by one. Returns the C-cast part and the values."""
        plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN), FALSE)
        numbers = pc.cast(pc.if_else(plain, text, NULL_TEXT), pa.float64())
        out = _writable(numbers)
        odd = np.flatnonzero(to_numpy(pc.and_(pc.is_valid(text), pc.invert(plain))))
        if len(odd):
            cells = as_text(to_objects(pc.take(values, integers(odd))))
            parsed = parse_numbers(cells, decimal_comma=self.decimal_comma, place=_rows(place, odd))
            out[odd] = parsed.values
            if parsed.not_applicable is not None:
                not_applicable[odd] |= parsed.not_applicable
            problems.extend(parsed.problems)
        return numbers, out

    def _check_length(self, values: Any, place: Place) -> None:
        lengths = pc.utf8_length(values)
        most = pc.max(lengths)
        longest = most.as_py()
        if longest is not None and longest > self.limits.field_chars:
            index = int(pc.index(lengths, most).as_py())
            raise exceeded(
                "field_chars",
                int(longest),
                "a cell's length in characters",
                limits=self.limits,
                file=place.file,
                sheet=place.sheet,
                row=place.row(index),
                column=place.column,
            )


def _rows(place: Place, positions: np.ndarray) -> Place:
    rows = place.rows[positions] if place.rows is not None else positions + place.first_row
    return attrs.evolve(place, rows=rows)


__all__ = ["MISSING_SPELLINGS", "ArrowCells", "is_text", "to_float_array", "to_objects"]
