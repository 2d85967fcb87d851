"""What a cell means: the rules every reader shares, on numpy object arrays.

A number cell may be written ``12.5``, ``1e3``, with a decimal comma in a ``;`` file (``12,5``),
with thousands grouped before a decimal comma (``1.234,5``, ``1 234,5``) or by no-break spaces
anywhere; a token says *not applicable* (``n/a``, ``s.o.``, ``nvt``: left out of the coverage) or
*missing* (an empty cell, ``?``: counts against it). Anything else is a problem for that cell,
which is then left missing: ``inf`` and ``nan`` are not numbers a user measured. Text cells
(identifiers, levels, comments, attributes) are only stripped of surrounding white space; no
other rewriting ever touches them, so ``362 521 879`` stays text in an identifier column and
``nan`` stays the text ``nan`` in a comment.

These functions are the reference semantics: ``vises.io.arrow_cells`` does the same on Arrow
columns at C speed, and the property tests hold the two to the same answers. Text never goes
through fixed-width numpy strings (one long comment would make every cell that long); cells stay
Python strings in object arrays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from vises.errors import DataError, VisesError
from vises.io import tokens
from vises.limits import Limits, exceeded
from vises.model import Indicator, Kind

#: A number as the readers accept it (after tokens, grouping and decimal comma are dealt with).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
#: Thousands grouped by points before a decimal comma (Excel, Belgian locales), or by spaces.
GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+|[+-]?[0-9]{1,3}(?: [0-9]{3})+(?:,[0-9]+)?")
#: Spaces that group thousands in French and Belgian writing; removed from number cells.
GROUPING_SPACES = ("\u00a0", "\u202f")
#: Longest piece of a cell quoted in a message.
QUOTED_CHARS = 40

# Element-wise calls of C functions (no Python frame per cell); the str ones only on str cells.
_type = np.frompyfunc(type, 1, 1)
_strip = np.frompyfunc(str.strip, 1, 1)
_lower = np.frompyfunc(str.lower, 1, 1)
_length = np.frompyfunc(len, 1, 1)


def cell_types(values: np.ndarray) -> np.ndarray:
    """The Python type of every cell of an object array (one C call per cell)."""
    return np.asarray(_type(values), dtype=object)


def of_type(kinds: np.ndarray, *types: type) -> np.ndarray:
    """Mask of the cells whose type (from ``cell_types``) is one of ``types``."""
    mask = np.zeros(len(kinds), dtype=bool)
    for kind in types:
        mask |= np.equal(kinds, np.asarray(kind, dtype=object)).astype(bool)
    return mask


def quoted(text: str) -> str:
    """A cell's text for a message: ``repr``, cut to ``QUOTED_CHARS`` characters."""
    return repr(text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS] + "…")


@attrs.frozen(kw_only=True)
class Place:
    """Where a column's cells are, for messages: file, sheet, column, and each row's spreadsheet row."""

    file: str | None
    column: str
    first_row: int = 2
    #: Spreadsheet rows of the cells when they are not ``first_row + index`` (blank lines left out).
    rows: np.ndarray | None = None
    sheet: str | None = None
    indicator: str | None = None

    def row(self, index: int) -> int:
        return int(self.rows[index]) if self.rows is not None else self.first_row + int(index)

    def error(self, index: int | None, message: str, hint: str | None = None) -> DataError:
        return DataError(
            message,
            hint=hint,
            file=self.file,
            sheet=self.sheet,
            row=None if index is None else self.row(index),
            column=self.column,
            indicator=self.indicator,
        )


def plain_numbers(floats: np.ndarray) -> np.ndarray:
    """3.0 -> '3', 2.5 -> '2.5' (a scale level 3 read from a number cell matches '3'), as objects."""
    whole = np.isfinite(floats) & (np.mod(floats, 1) == 0) & (np.abs(floats) < 2**63)
    out = np.empty(len(floats), dtype=object)
    if whole.any():
        out[whole] = floats[whole].astype(np.int64).astype(str).astype(object)
    if not whole.all():
        out[~whole] = floats[~whole].astype(str).astype(object)
    return out


def as_text(values: Any) -> np.ndarray:
    """Every cell as stripped text (``''`` for None/NaN) in an object array; numbers shown plainly."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if array.dtype.kind in "fiu":
        floats = array.astype(np.float64)
        out = plain_numbers(floats)
        out[np.isnan(floats)] = ""
        return out
    if array.dtype.kind == "b":
        return np.where(array, "yes", "no").astype(object)
    array = array.astype(object)  # a copy: fixed-width text arrays become objects, callers' arrays stay
    if not len(array):
        return array
    kinds = cell_types(array)
    text = of_type(kinds, str)
    if text.all():
        return np.asarray(_strip(array), dtype=object)
    out = np.full(len(array), "", dtype=object)
    if text.any():
        out[text] = _strip(array[text])
    floats = of_type(kinds, float, np.float64, np.float32)
    if floats.any():
        numbers = array[floats].astype(np.float64)
        shown = plain_numbers(numbers)
        shown[np.isnan(numbers)] = ""
        out[floats] = shown
    bools = of_type(kinds, bool, np.bool_)
    if bools.any():
        out[bools] = np.where(array[bools].astype(bool), "yes", "no")
    others = ~(text | floats | bools | of_type(kinds, type(None)))
    if others.any():  # ints, dates, decimals: their usual text (pandas.NA and NaT count as empty)
        out[others] = np.asarray([_other_text(v) for v in array[others].tolist()], dtype=object)
    return out


def _other_text(value: Any) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = str(value).strip()
    return "" if text in ("<NA>", "NaT", "nan") and type(value).__module__.startswith(("pandas", "numpy")) else text


def check_lengths(text: np.ndarray, place: Place, limits: Limits) -> None:
    """Refuse a cell longer than ``limits.field_chars`` (a ``LimitError`` naming its row)."""
    if not len(text):
        return
    lengths = _length(text).astype(np.int64)
    if int(lengths.max()) > limits.field_chars:
        index = int(np.argmax(lengths > limits.field_chars))
        raise exceeded(
            "field_chars",
            int(lengths[index]),
            "a cell's length in characters",
            limits=limits,
            file=place.file,
            sheet=place.sheet,
            row=place.row(index),
            column=place.column,
        )


_is_na = np.frompyfunc(tokens.NA_TOKENS.__contains__, 1, 1)
_is_missing = np.frompyfunc(tokens.MISSING_TOKENS.__contains__, 1, 1)


def token_masks(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(not applicable, missing) masks of stripped text cells."""
    if not len(text):
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    lowered = _lower(text)
    return np.asarray(_is_na(lowered), dtype=bool), np.asarray(_is_missing(lowered), dtype=bool)


def clean_number(cell: str, decimal_comma: bool) -> str:
    """A number cell as ``float`` reads it: grouping undone, a decimal comma made a point (``;`` files)."""
    if decimal_comma:
        if ("." in cell or " " in cell) and GROUPED.fullmatch(cell):
            cell = cell.replace(".", "").replace(" ", "")
        cell = cell.replace(",", ".")
    for space in GROUPING_SPACES:
        cell = cell.replace(space, "")
    return cell


def number_hint(text: str, decimal_comma: bool) -> str:
    if "," in text and not decimal_comma:
        return "use a decimal point"
    return "write a number, leave the cell empty when missing, or n/a when not applicable"


@attrs.frozen(kw_only=True)
class Numbers:
    """A number column: values (NaN where missing or not readable), the n/a mask, problems found."""

    values: np.ndarray
    not_applicable: np.ndarray | None
    problems: tuple[VisesError, ...] = ()
    #: Cells that are neither a number nor a token (for guessing whether a column is numeric).
    bad: np.ndarray | None = None


def parse_numbers(text: np.ndarray, *, decimal_comma: bool, place: Place) -> Numbers:
    """Numbers from stripped text cells; each bad cell becomes a problem and is left missing."""
    not_applicable, missing = token_masks(text)
    values = np.full(len(text), np.nan)
    bad = np.zeros(len(text), dtype=bool)
    candidates = np.flatnonzero(~(not_applicable | missing))
    if len(candidates):
        parsed = _floats(text[candidates], decimal_comma)
        ok = np.isfinite(parsed)
        values[candidates[ok]] = parsed[ok]
        bad[candidates[~ok]] = True
    problems = tuple(
        place.error(int(i), f"{quoted(text[i])} is not a number", number_hint(text[i], decimal_comma))
        for i in np.flatnonzero(bad)
    )
    return Numbers(
        values=values,
        not_applicable=not_applicable if not_applicable.any() else None,
        problems=problems,
        bad=bad,
    )


def _floats(cells: np.ndarray, decimal_comma: bool) -> np.ndarray:
    """Each cell as a float, NaN where it is not a number (``inf`` and ``nan`` come out non-finite).

    Plain ASCII numbers go through numpy's conversion in one call (Python's ``float`` grammar is
    then exactly ``NUMBER`` plus the non-finite words); cells with commas, spaces, underscores or
    non-ASCII characters are cleaned and checked one by one.
    """
    listed = cells.tolist()
    joined = "\x00".join(listed)
    if joined.isascii() and not any(mark in joined for mark in ("_", ",", " ")):
        try:
            return np.asarray(cells, dtype=object).astype(np.float64)
        except (ValueError, TypeError):
            pass
    out = np.full(len(listed), np.nan)
    for index, cell in enumerate(listed):
        cleaned = clean_number(cell, decimal_comma)
        if NUMBER.fullmatch(cleaned):
            out[index] = float(cleaned)
    return out


@attrs.frozen(kw_only=True)
class Levels:
    values: np.ndarray
    not_applicable: np.ndarray | None
    problems: tuple[VisesError, ...] = ()


@attrs.frozen(kw_only=True)
class Decoded:
    """Level cells decoded: values (None where missing, not applicable or bad), the masks, the text shown."""

    values: np.ndarray
    not_applicable: np.ndarray
    bad: np.ndarray
    text: np.ndarray


def decode_levels(text: np.ndarray, indicator: Indicator) -> Decoded:
    """The level rules on stripped text cells, without the messages (``level_problems`` words them)."""
    not_applicable, missing = token_masks(text)
    shown = text.copy()
    if indicator.kind is Kind.BINARY and not indicator.levels and len(text):
        lowered = _lower(text)
        shown[np.isin(lowered, np.array(sorted(tokens.YES_TOKENS), dtype=object))] = "yes"
        shown[np.isin(lowered, np.array(sorted(tokens.NO_TOKENS), dtype=object))] = "no"
    allowed = np.array(list(indicator.level_scores()), dtype=object)
    present = ~(not_applicable | missing)
    bad = present & ~np.isin(shown, allowed)
    values = shown.astype(object)
    values[~present | bad] = None
    return Decoded(values=values, not_applicable=not_applicable, bad=bad, text=shown)


def level_problems(indicator: Indicator, place: Place, rows: np.ndarray, shown: np.ndarray) -> tuple[VisesError, ...]:
    """One problem per bad cell (``rows``: their positions; ``shown``: their text)."""
    allowed = ", ".join(repr(a) for a in indicator.level_scores())
    return tuple(
        place.error(
            int(row), f"{quoted(text)} is not a level of this {indicator.kind.value} indicator; allowed: {allowed}"
        )
        for row, text in zip(rows.tolist(), shown.tolist(), strict=True)
    )


def parse_levels(text: np.ndarray, indicator: Indicator, *, place: Place) -> Levels:
    """Level values of a scale, binary or category indicator (yes/no words in fr/nl/en for binary)."""
    decoded = decode_levels(text, indicator)
    bad = np.flatnonzero(decoded.bad)
    na = decoded.not_applicable
    return Levels(
        values=decoded.values,
        not_applicable=na if na.any() else None,
        problems=level_problems(indicator, place, bad, decoded.text[bad]),
    )


def text_cells(text: np.ndarray) -> np.ndarray:
    """Comment, narrative and attribute cells: stripped text, ``None`` for an empty cell."""
    out = text.astype(object, copy=True)
    out[text == ""] = None
    return out


#: A column converter: stripped text cells in, typed cells out.
Converter = Callable[[np.ndarray], Any]

__all__ = [
    "GROUPED",
    "NUMBER",
    "Decoded",
    "Levels",
    "Numbers",
    "Place",
    "as_text",
    "cell_types",
    "check_lengths",
    "clean_number",
    "decode_levels",
    "level_problems",
    "number_hint",
    "of_type",
    "parse_levels",
    "parse_numbers",
    "plain_numbers",
    "quoted",
    "text_cells",
    "token_masks",
]
