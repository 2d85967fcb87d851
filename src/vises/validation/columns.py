"""One indicator's column turned into the raw numbers the engine scores, and every problem it has.

Qualitative levels become their scores once per distinct value, units are converted with one
multiply-add per column (the factor cached per pair of units), denominators divide whole columns,
and values outside the indicator's valid range are found with two comparisons. Validation and
scoring both call this, so they find the same problems with the same words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from vises.errors import DataError, UnitError, VisesError
from vises.model import Column, Indicator, Kind

#: Rows listed one by one per column and kind of problem; past it one more problem counts the rest.
MAX_ROWS_LISTED = 20

_QUALITATIVE_KINDS = (Kind.SCALE, Kind.CATEGORY, Kind.BINARY)


class Prepared:
    """What one indicator's column gives: raw numbers, the level text, why rows became missing."""

    __slots__ = ("raw", "reasons", "text")

    def __init__(self, raw: np.ndarray, text: np.ndarray | None = None, reasons: dict[str, np.ndarray] | None = None):
        self.raw = raw
        self.text = text
        self.reasons = reasons or {}


def listed_rows(
    rows: np.ndarray,
    problem: Callable[[int], VisesError],
    *,
    first_row: int,
    more: Callable[[int, list[int]], VisesError],
) -> list[VisesError]:
    """One problem per row for the first ``MAX_ROWS_LISTED`` rows, then one naming how many more."""
    found = [problem(int(row)) for row in rows[:MAX_ROWS_LISTED]]
    if len(rows) > MAX_ROWS_LISTED:
        rest = rows[MAX_ROWS_LISTED:]
        found.append(more(len(rest), [int(row) + first_row for row in rest[:10]]))
    return found


def prepare_column(
    indicator: Indicator,
    column: Column,
    denominator: Column | None,
    *,
    file: str | None,
    first_row: int,
    problems: list[VisesError],
) -> Prepared | None:
    """The indicator's raw values in its declared unit, or ``None`` when the column cannot be used.

    Problems are appended to ``problems``; a column with cell-level problems (levels, ranges) still
    gives its values, so the caller can report every problem of the file in one pass.
    """
    code = indicator.code
    try:
        if indicator.kind in _QUALITATIVE_KINDS:
            return _levels(indicator, column, file=file, first_row=first_row, problems=problems)
        if not column.numeric:
            problems.append(
                DataError(
                    "a quantity indicator needs numbers, got text",
                    file=file,
                    column=code,
                    indicator=code,
                    hint="read the data with the grid (load_data(..., grid=grid)) so values are parsed as numbers",
                )
            )
            return None
        if indicator.denominator is not None:
            if denominator is None or not denominator.numeric:
                return None  # reported once per denominator column
            prepared = _denominated(indicator, column, denominator)
        else:
            prepared = Prepared(_quantity(indicator, column, file=file))
    except UnitError as exc:
        problems.append(exc.with_context(file=file, column=code, indicator=code))
        return None
    except DataError as exc:
        problems.append(exc.with_context(file=file, column=code, indicator=code))
        return None
    problems.extend(_out_of_range(indicator, prepared.raw, column, file=file, first_row=first_row))
    return prepared


def _quantity(indicator: Indicator, column: Column, *, file: str | None) -> np.ndarray:
    from vises import units

    values = np.asarray(column.values, dtype=np.float64)
    declared = indicator.unit
    if column.unit is None or declared is None:
        if column.unit is not None and declared is None and not units.same_unit(column.unit, None):
            raise DataError(
                f"the column is in {column.unit!r} but the indicator declares no unit",
                hint="declare the indicator's unit in the grid, or drop the unit from the column header",
            )
        return values
    factor, offset = units.conversion(column.unit, declared, column=indicator.code, indicator=indicator.code)
    if factor == 1.0 and offset == 0.0:
        return values
    converted = values * factor
    if offset:
        converted += offset
    return np.asarray(converted)


def _denominated(indicator: Indicator, column: Column, denominator: Column) -> Prepared:
    """The indicator divided by its denominator column, in the declared unit; why rows became missing."""
    from vises.numeric import safe_divide
    from vises.units import ratio_conversion

    name = indicator.denominator
    factor = ratio_conversion(column.unit, denominator.unit, indicator.unit, indicator=indicator.code)
    ratio, not_positive, absent = safe_divide(column.values, denominator.values, factor)
    why = {}
    if not_positive.any():
        why[f"denominator {name!r} is 0 or negative"] = not_positive
    if absent.any():
        why[f"denominator {name!r} is missing"] = absent
    return Prepared(ratio, reasons=why)


def _out_of_range(
    indicator: Indicator, values: np.ndarray, column: Column, *, file: str | None, first_row: int
) -> list[VisesError]:
    return out_of_range_problems(indicator, values, column.not_applicable, file=file, first_row=first_row)


def out_of_range_problems(
    indicator: Indicator,
    values: np.ndarray,
    not_applicable: np.ndarray | None,
    *,
    file: str | None,
    first_row: int,
    computed: bool = False,
) -> list[VisesError]:
    """Every value outside the indicator's valid range (``computed``: values its formula gave)."""
    if indicator.minimum is None and indicator.maximum is None:
        return []
    with np.errstate(invalid="ignore"):
        low = values < indicator.minimum if indicator.minimum is not None else np.zeros(len(values), bool)
        high = values > indicator.maximum if indicator.maximum is not None else np.zeros(len(values), bool)
    bad = low | high
    if not_applicable is not None:
        bad &= ~np.asarray(not_applicable, dtype=bool)
    rows = np.flatnonzero(bad)
    if not len(rows):
        return []
    code = indicator.code
    what = "computed values" if computed else "values"

    def problem(row: int) -> VisesError:
        return out_of_range(indicator, float(values[row]), file=file, row=row + first_row, computed=computed)

    def more(count: int, shown: list[int]) -> VisesError:
        return DataError(
            f"{count} more {what} are outside the range {_range_text(indicator)} (rows {_rows_text(shown, count)})",
            file=file,
            column=code,
            indicator=code,
            hint="check the values and their unit",
        )

    return listed_rows(rows, problem, first_row=first_row, more=more)


def out_of_range(
    indicator: Indicator, value: float, *, file: str | None = None, row: int | None = None, computed: bool = False
) -> DataError:
    """The problem of one value outside the indicator's valid range (the one wording for it)."""
    low = indicator.minimum is not None and value < indicator.minimum
    bound = f"below the minimum {indicator.minimum:g}" if low else f"above the maximum {indicator.maximum:g}"
    if computed:
        return DataError(
            f"the computed value {value:g} is {bound}",
            file=file,
            row=row,
            indicator=indicator.code,
            hint="check the inputs of its formula and their units",
        )
    return DataError(
        f"value {value:g} is {bound}",
        file=file,
        row=row,
        column=indicator.code,
        indicator=indicator.code,
        hint="check the value and its unit",
    )


def not_a_level(
    indicator: Indicator, text: str, allowed: str, *, file: str | None = None, row: int | None = None
) -> DataError:
    """The problem of one value that is not a level of the indicator (the one wording for it)."""
    return DataError(
        f"{text!r} is not a level of this {indicator.kind.value} indicator; allowed: {allowed}",
        file=file,
        row=row,
        column=indicator.code,
        indicator=indicator.code,
    )


def _range_text(indicator: Indicator) -> str:
    low = "-inf" if indicator.minimum is None else f"{indicator.minimum:g}"
    high = "inf" if indicator.maximum is None else f"{indicator.maximum:g}"
    return f"{low}–{high}"


def _rows_text(shown: Sequence[int], count: int) -> str:
    return ", ".join(map(str, shown)) + (", ..." if count > len(shown) else "")


def _levels(
    indicator: Indicator, column: Column, *, file: str | None, first_row: int, problems: list[VisesError]
) -> Prepared:
    """Map level values to scores once per distinct value; rows with an unknown level are reported."""
    scores_of = indicator.level_scores()
    values = np.asarray(column.values)
    # Numeric codes for levels ("1".."5" written as numbers) compare as text without ".0".
    text = numeric_text(values.astype(np.float64)) if column.numeric else values.astype(object)
    missing = (text == None) | (text == "")  # noqa: E711 - elementwise on an object array
    filled = np.where(missing, "", text).astype(str)
    distinct, inverse = np.unique(filled, return_inverse=True)
    inverse = inverse.reshape(-1)
    lookup = np.full(len(distinct), np.nan, dtype=np.float64)
    unknown = np.zeros(len(distinct), dtype=bool)
    for i, value in enumerate(distinct.tolist()):
        if value == "":
            continue
        if value in scores_of:
            lookup[i] = scores_of[value]
        else:
            unknown[i] = True
    if unknown.any():
        bad = unknown[inverse]
        if column.not_applicable is not None:
            bad &= ~np.asarray(column.not_applicable, dtype=bool)
        allowed = ", ".join(repr(a) for a in scores_of)
        code = indicator.code

        def problem(row: int) -> VisesError:
            return not_a_level(indicator, str(filled[row]), allowed, file=file, row=row + first_row)

        def more(count: int, shown: list[int]) -> VisesError:
            return DataError(
                f"{count} more values are not levels of this {indicator.kind.value} indicator "
                f"(rows {_rows_text(shown, count)}); allowed: {allowed}",
                file=file,
                column=code,
                indicator=code,
            )

        problems.extend(listed_rows(np.flatnonzero(bad), problem, first_row=first_row, more=more))
    text = np.array(text, dtype=object, copy=True)
    text[missing] = None
    return Prepared(lookup[inverse], text=text)


def numeric_text(values: np.ndarray) -> np.ndarray:
    """3.0 -> '3', 2.5 -> '2.5', NaN -> None: numbers as the text of the level they stand for."""
    out = np.empty(len(values), dtype=object)
    finite = ~np.isnan(values)
    integral = finite & (values == np.round(values))
    out[~finite] = None
    out[integral] = values[integral].astype(np.int64).astype(str)
    rest = finite & ~integral
    out[rest] = values[rest].astype(str)
    return out


__all__ = [
    "MAX_ROWS_LISTED",
    "Prepared",
    "listed_rows",
    "not_a_level",
    "numeric_text",
    "out_of_range",
    "out_of_range_problems",
    "prepare_column",
]
