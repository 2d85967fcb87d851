"""Turn a dataset's columns into the raw numbers the engine scores, one column at a time.

Qualitative levels become their scores once per distinct value, units are converted with one
multiply-add per column, denominators divide whole columns; every problem of every column is
collected so the caller reports them together.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vises.engine.compile import CompiledGrid, CompiledIndicator
from vises.errors import DataError, VisesError
from vises.model import Column, Dataset, Kind


def prepare_columns(
    compiled: CompiledGrid, data: Dataset
) -> tuple[
    dict[str, np.ndarray],
    dict[str, np.ndarray],
    dict[str, np.ndarray],
    list[VisesError],
    dict[str, dict[str, np.ndarray]],
]:
    """Raw numeric columns in each indicator's unit (divided by their denominators), qualitative text,
    N/A masks, all problems found, and the reasons (text -> row mask) rows became missing here."""
    from vises import units

    raws: dict[str, np.ndarray] = {}
    texts: dict[str, np.ndarray] = {}
    not_applicable: dict[str, np.ndarray] = {}
    problems: list[VisesError] = []
    reasons: dict[str, dict[str, np.ndarray]] = {}
    n = len(data)
    for item in compiled.indicators:
        indicator = item.indicator
        column = data.columns.get(item.code)
        if column is None:
            problems.append(
                DataError(
                    "the grid's indicator has no column in the data",
                    indicator=item.code,
                    file=data.source,
                    hint="add the column (leave its cells empty when the values are missing)",
                )
            )
            continue
        if len(column.values) != n:
            problems.append(
                DataError(f"column has {len(column.values)} values for {n} rows", column=item.code, file=data.source)
            )
            continue
        if column.not_applicable is not None and column.not_applicable.any():
            not_applicable[item.code] = np.asarray(column.not_applicable, dtype=bool)
        try:
            if indicator.kind in (Kind.SCALE, Kind.CATEGORY, Kind.BINARY):
                raw, text = _levels_to_scores(item, column, data)
                texts[item.code] = text
            elif item.denominator is not None:
                raw, why = _denominated(item, column, data)
                if why:
                    reasons[item.code] = why
            else:
                raw = _quantity(item, column, data, units)
        except VisesError as exc:
            problems.append(exc)
            continue
        if item.code in not_applicable:
            raw = np.where(not_applicable[item.code], np.nan, raw)
        raws[item.code] = raw
    return raws, texts, not_applicable, problems, reasons


def _denominated(item: CompiledIndicator, column: Column, data: Dataset) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The indicator divided by its denominator column, in the declared unit; why rows became missing."""
    from vises.numeric import safe_divide as divide
    from vises.units import ratio_conversion

    name = item.denominator
    denominator = data.columns.get(name) if name is not None else None
    if denominator is None or not denominator.numeric:
        raise DataError(
            f"the denominator column {name!r} is {'missing' if denominator is None else 'not numeric'}",
            indicator=item.code,
            column=name,
            file=data.source,
            hint="add the column with one number per row (read the data with the grid so it is parsed as numbers)",
        )
    if not column.numeric:
        raise DataError(
            "expected numbers but the column holds text", column=item.code, indicator=item.code, file=data.source
        )
    factor = ratio_conversion(column.unit, denominator.unit, item.indicator.unit, indicator=item.code)
    ratio, not_positive, absent = divide(column.values, denominator.values, factor)
    why = {}
    if not_positive.any():
        why[f"denominator {name!r} is 0 or negative"] = not_positive
    if absent.any():
        why[f"denominator {name!r} is missing"] = absent
    return ratio, why


def _quantity(item: CompiledIndicator, column: Column, data: Dataset, units: Any) -> np.ndarray:
    if not column.numeric:
        raise DataError(
            "expected numbers but the column holds text",
            column=item.code,
            indicator=item.code,
            file=data.source,
            hint="read the data with the grid (load_data(..., grid=grid)) so values are parsed as numbers",
        )
    values = np.asarray(column.values, dtype=np.float64)
    declared = item.indicator.unit
    if column.unit is None or declared is None:
        if column.unit is not None and declared is None and units.parse_unit(column.unit) != units.parse_unit(None):
            raise DataError(
                f"the column is in {column.unit!r} but the indicator declares no unit",
                column=item.code,
                indicator=item.code,
                file=data.source,
                hint="declare the indicator's unit in the grid, or drop the unit from the column header",
            )
        return values
    factor, offset = units.conversion(column.unit, declared, column=item.code, indicator=item.code)
    if factor == 1.0 and offset == 0.0:
        return values
    converted = values * factor
    if offset:
        converted += offset
    return np.asarray(converted)


def _levels_to_scores(item: CompiledIndicator, column: Column, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Map level values to scores once per distinct value; unknown levels are reported together."""
    scores_of = item.indicator.level_scores()
    values = np.asarray(column.values)
    # Numeric codes for levels ("1".."5" written as numbers) compare as text without ".0".
    text = _numeric_text(values.astype(np.float64)) if column.numeric else values.astype(object)
    missing = (text == None) | (text == "")  # noqa: E711 - elementwise on an object array
    filled = np.where(missing, "", text).astype(str)
    distinct, inverse = np.unique(filled, return_inverse=True)
    lookup = np.empty(len(distinct), dtype=np.float64)
    unknown = []
    for i, value in enumerate(distinct):
        if value == "":
            lookup[i] = np.nan
        elif value in scores_of:
            lookup[i] = scores_of[value]
        else:
            unknown.append(value)
            lookup[i] = np.nan
    if unknown:
        first_rows = [int(np.flatnonzero(filled == value)[0]) + 1 for value in unknown]
        raise DataError(
            f"values {unknown!r} are not levels of this indicator (first at data rows {first_rows})",
            column=item.code,
            indicator=item.code,
            file=data.source,
            hint=f"allowed values: {sorted(scores_of)}",
        )
    text = text.copy()
    text[missing] = None
    return lookup[inverse.reshape(-1)], text


def _numeric_text(values: np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    finite = ~np.isnan(values)
    integral = finite & (values == np.round(values))
    out[~finite] = None
    out[integral] = values[integral].astype(np.int64).astype(str)
    rest = finite & ~integral
    out[rest] = values[rest].astype(str)
    return out
