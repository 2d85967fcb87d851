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

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

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

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future


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
_NA_COUNT = len(_NA_SPELLINGS)
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


#: Bytes that may begin or end a white-space character (ASCII white space, and any byte of a
#: multi-byte character: Unicode white space such as U+00A0 is trimmed too, so such cells are trimmed).
_EDGE_SPACE = np.zeros(256, dtype=bool)
_EDGE_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE_SPACE[128:] = True


def _untrimmed(words: Any) -> bool:
    """Whether no cell of a string array (without nulls) begins or ends with white space: two lookups
    per cell in its bytes, instead of a trimmed copy of the column."""
    cells = _Bytes(words)
    filled = cells.lengths > 0
    if not filled.any():
        return True
    starts = cells.bounds[:-1][filled]
    return not (_EDGE_SPACE[cells.data[starts]].any() or _EDGE_SPACE[cells.data[cells.bounds[1:][filled] - 1]].any())


def _distinct(values: Any) -> tuple[np.ndarray, np.ndarray | None, int]:
    """The texts of a column stripped of surrounding white space, as Python strings with ``""`` last
    (for null); each row's position among them, ``None`` when the texts are the rows themselves; and
    the length of the longest text in bytes (at least its length in characters: ``_lengths`` counts
    the characters when that is past the limit).

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
    if words.null_count:
        words = pc.fill_null(words, _EMPTY)
    trimmed = words if _untrimmed(words) else pc.utf8_trim_whitespace(words)
    longest = _Bytes(trimmed).longest()
    texts = np.empty(len(trimmed) + 1, dtype=object)
    texts[:-1] = to_numpy(trimmed)
    texts[-1] = ""
    return texts, index, longest


def _spread(unique: np.ndarray, index: np.ndarray | None) -> np.ndarray:
    """Per-row values from per-distinct ones (the last entry, for null, dropped when rows are themselves)."""
    return unique[index] if index is not None else unique[:-1]


def _floats(values: Any, *, in_place: bool = False) -> np.ndarray:
    """float64, null as NaN, with at most one copy: chunks joined (or the type cast) in Arrow, then
    viewed, the nulls' slots set to NaN in the view.

    The array is writable when its buffer was made here, or ``in_place`` says the caller owns the
    column's buffer (a table just read) and it may be written; a view of another buffer (a column
    without nulls, in one chunk) is read-only, so writing to it means copying it first.
    """
    own = False
    if values.type != pa.float64():
        values, own = pc.cast(values, pa.float64()), True
    if isinstance(values, pa.ChunkedArray):
        if values.num_chunks != 1:
            if not values.num_chunks:
                return np.zeros(0)
            values, own = pa.concat_arrays(values.chunks), True
        else:
            values = values.chunk(0)
    if not len(values):
        return np.zeros(0)
    data = values.buffers()[1]
    if values.null_count and not (own or (in_place and data.is_mutable)):
        values, own = pc.fill_null(values, _NAN), True
        data = values.buffers()[1]
    out = np.frombuffer(data, dtype=np.float64, count=len(values), offset=values.offset * 8)
    if values.null_count:
        out[_true_at(pc.is_null(values))] = np.nan
    elif not (own or in_place):
        out.flags.writeable = False
    return out


def to_float_array(values: Any) -> np.ndarray:
    """A numeric Arrow column as float64, null as NaN (read-only when it is a view of ``values``)."""
    return _floats(values)


def _writable(numbers: Any) -> np.ndarray:
    """A float64 array made here (a cast's result), writable: its own buffer, unless that is read-only."""
    out = _floats(numbers, in_place=True)
    return out if out.flags.writeable else out.copy()


#: NaN and -1 as Arrow scalars built from buffers (``pa.scalar`` goes through pandas).
_NAN = pa.Array.from_buffers(pa.float64(), 1, [None, pa.py_buffer(np.array([np.nan]))])[0]
_NO_CODE = pa.Array.from_buffers(pa.int32(), 1, [None, pa.py_buffer(np.array([-1], dtype=np.int32))])[0]
#: First bytes of the token spellings: a cell that starts with any other byte is no token.
_TOKEN_START = np.zeros(256, dtype=bool)
for _spelling in (*_NA_SPELLINGS, *MISSING_SPELLINGS):
    _TOKEN_START[_spelling.encode("utf-8")[0]] = True
#: Every byte to itself, but the comma to the point.
_COMMA_TO_POINT = bytes.maketrans(b",", b".")


def _flags(mask: np.ndarray) -> Any:
    """A numpy boolean mask as an Arrow boolean array (bit-packed, no nulls)."""
    bits = np.packbits(mask, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def _true_at(flags: Any) -> np.ndarray:
    """Positions where an Arrow boolean array is true (null counts as false)."""
    found = pc.indices_nonzero(flags)
    if not len(found):
        return np.zeros(0, dtype=np.int64)
    return np.frombuffer(found.buffers()[1], dtype=np.uint64, count=len(found), offset=found.offset * 8).astype(
        np.int64
    )


class _Bytes:
    """A string array's cells as byte ranges of its data buffer (no copy)."""

    def __init__(self, values: Any) -> None:
        _, offsets, data = values.buffers()
        width = np.dtype(np.int64 if pa.types.is_large_string(values.type) else np.int32)
        n = len(values)
        self.values = values
        self.bounds = np.frombuffer(offsets, dtype=width, count=n + 1, offset=values.offset * width.itemsize)
        self.data = np.zeros(0, dtype=np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
        self.lengths = np.diff(self.bounds)

    def longest(self) -> int:
        """The longest cell in bytes (at least its length in characters)."""
        return int(self.lengths.max()) if len(self.lengths) else 0

    def maybe_tokens(self) -> np.ndarray:
        """Rows that may hold a token (or are empty, or null): the others cannot equal any spelling."""
        candidate = self.lengths == 0
        if len(self.data):  # an empty cell at the very end starts past the data: clipped, and empty anyway
            candidate |= _TOKEN_START.take(self.data.take(self.bounds[:-1], mode="clip"))
        return np.flatnonzero(candidate)

    def with_points(self) -> Any:
        """The same cells with every decimal comma a point: a comma is one byte in UTF-8 and never part
        of another character, so the cells keep their offsets and only the data bytes are mapped."""
        if not len(self.data):
            return self.values
        validity, offsets, data = self.values.buffers()
        data = pa.py_buffer(data.to_pybytes().translate(_COMMA_TO_POINT))
        return pa.Array.from_buffers(
            self.values.type,
            len(self.values),
            [validity, offsets, data],
            null_count=self.values.null_count,
            offset=self.values.offset,
        )


class ArrowCells:
    """Numbers in C; identifiers, levels and text through ``NumpyCells`` as Python strings."""

    def __init__(
        self, *, decimal_comma: bool, limits: Limits, check_length: bool = True, own_buffers: bool = False
    ) -> None:
        self.decimal_comma = decimal_comma
        self.limits = limits
        #: True when the columns are a table just read here: typed number columns are then made
        #: float64 arrays in their own buffers (nulls set to NaN there), without a copy.
        self.own_buffers = own_buffers
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
            out = _floats(values, in_place=self.own_buffers)
            infinite = np.flatnonzero(np.isinf(out)) if np.isinf(out).any() else ()
            problems: list[VisesError] = []
            if len(infinite):
                out = out if out.flags.writeable else out.copy()
                out[infinite] = np.nan
                problems = [
                    place.error(int(i), "the value is not a finite number", "write a number, or leave the cell empty")
                    for i in infinite
                ]
            return Column(values=out, unit=unit), problems
        if pa.types.is_dictionary(kind):
            values = values.cast(kind.value_type)
        if not is_text(values):
            return self.numpy.numbers(to_objects(values), place, unit)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
        if not len(values):
            return Column(values=np.zeros(0), unit=unit), []
        cells = _Bytes(values)
        if self.check_length and cells.longest() > self.limits.field_chars:
            self._check_length(values, place)  # bytes over the limit: count the characters
        # The tokens first: only cells that start like one are looked up (a hash each); then one cast
        # of the rest, commas made points byte for byte; the reference rules only for cells that still fail.
        text = cells.with_points() if self.decimal_comma else values
        not_applicable: np.ndarray | None = None
        problems = []
        maybe = cells.maybe_tokens()
        if len(maybe):
            codes = pc.fill_null(pc.index_in(pc.take(values, integers(maybe)), value_set=_TOKENS), _NO_CODE)
            code = np.frombuffer(codes.buffers()[1], dtype=np.int32, count=len(codes), offset=codes.offset * 4)
            hit = code >= 0
            if hit.any():
                tokens_at = maybe[hit]
                not_applicable = np.zeros(len(values), dtype=bool)
                not_applicable[tokens_at[code[hit] < _NA_COUNT]] = True
                token = np.zeros(len(values), dtype=bool)
                token[tokens_at] = True
                text = pc.if_else(_flags(token), NULL_TEXT, text)
        try:
            numbers = pc.cast(text, pa.float64())
            out = _writable(numbers)
        except pa.ArrowInvalid:
            if not_applicable is None:
                not_applicable = np.zeros(len(values), dtype=bool)
            numbers, out = self._odd_cells(values, text, not_applicable, place, problems)
        if pc.any(pc.invert(pc.is_finite(numbers))).as_py():  # nulls skipped
            for index in _true_at(pc.invert(pc.is_finite(numbers))):
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


#: Tables of at least this many cells convert their number columns on several threads.
PARALLEL_CELLS = 1_000_000

_T = TypeVar("_T")
_R = TypeVar("_R")


class _Pending(Mapping[str, _R]):
    """Results being computed on other threads; each is waited for when it is asked for."""

    def __init__(self, futures: dict[str, Future[_R]]) -> None:
        self.futures = futures

    def __getitem__(self, key: str) -> _R:
        return self.futures[key].result()

    def __iter__(self) -> Iterator[str]:
        return iter(self.futures)

    def __len__(self) -> int:
        return len(self.futures)


@contextmanager
def in_parallel(convert: Callable[[_T], _R], items: Mapping[str, _T], *, rows: int) -> Iterator[Mapping[str, _R]]:
    """``convert`` of each item (a column of ``rows`` cells) by key. For a large table they run on
    other threads (pyarrow's kernels and numpy's loops free the GIL) while the caller goes on with
    the text columns, and each result is waited for when asked for; every one is waited for at the
    end, so an exception of any is raised."""
    if not (len(items) > 1 and rows * len(items) >= PARALLEL_CELLS and pa.cpu_count() > 1):
        yield {key: convert(item) for key, item in items.items()}
        return
    from concurrent.futures import ThreadPoolExecutor  # ~10 ms to import: only for a large table

    with ThreadPoolExecutor(max_workers=min(len(items), pa.cpu_count())) as pool:
        futures = {key: pool.submit(convert, item) for key, item in items.items()}
        try:
            yield _Pending(futures)
        except BaseException:
            for future in futures.values():
                future.cancel()
            raise
        for future in futures.values():
            future.result()


def _rows(place: Place, positions: np.ndarray) -> Place:
    rows = place.rows[positions] if place.rows is not None else positions + place.first_row
    return attrs.evolve(place, rows=rows)


__all__ = [
    "MISSING_SPELLINGS",
    "PARALLEL_CELLS",
    "ArrowCells",
    "in_parallel",
    "is_text",
    "to_float_array",
    "to_objects",
]
