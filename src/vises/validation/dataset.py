"""Dataset validation against a grid: every problem at once, with file, row, column, indicator.

Unknown and missing columns, values that are not levels, numbers outside the valid range,
denominator and group columns, duplicate (organisation, period) rows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from vises.errors import DataError, UnitError, VisesError, did_you_mean
from vises.model import Dataset, Grid
from vises.validation.effective import _QUALITATIVE, effective_imputation

_hint_for = did_you_mean


# -- dataset --------------------------------------------------------------------------------------


def _string_array(values: np.ndarray) -> np.ndarray:
    return np.array(["" if v is None else str(v) for v in values.tolist()], dtype=object)


def validate_dataset(grid: Grid, dataset: Dataset, *, file: str | None = None, first_row: int = 2) -> list[VisesError]:
    """Every problem of ``dataset`` against ``grid``.

    ``first_row`` is the spreadsheet row of the dataset's first row (2 below a one-line header),
    so problems name the row the user sees.
    """
    file = file if file is not None else dataset.source
    problems: list[VisesError] = []
    indicators = {ind.code: ind for ind in grid.indicators}
    denominators = {ind.denominator for ind in grid.indicators if ind.scored and ind.denominator}
    for code in dataset.columns:
        if code not in indicators and code not in denominators:
            problems.append(
                DataError(
                    "column is not an indicator of the grid",
                    file=file,
                    column=code,
                    hint=_hint_for(code, indicators)
                    or f"remove it, add it to grid {grid.code!r}, or name it '{code}.comment' to keep it as text",
                )
            )
    for ind in grid.indicators:
        if ind.scored and ind.code not in dataset.columns:
            problems.append(
                DataError(
                    "indicator column is missing",
                    file=file,
                    column=ind.code,
                    indicator=ind.code,
                    hint="add the column (leave cells empty where values are missing)",
                )
            )
    for code, column in dataset.columns.items():
        found = indicators.get(code)
        if found is None or not found.scored:
            continue
        ind = found
        present = ~column.missing()
        if column.not_applicable is not None:
            present &= ~np.asarray(column.not_applicable, dtype=bool)
        if ind.kind in _QUALITATIVE:
            allowed = list(ind.level_scores())
            if column.numeric:
                text = np.array([_format_number(v) for v in column.values.tolist()], dtype=object)
            else:
                text = _string_array(column.values)
            bad = present & ~np.isin(text, np.array(allowed, dtype=object))
            for row in np.flatnonzero(bad):
                problems.append(
                    DataError(
                        f"{text[row]!r} is not a level of this {ind.kind.value} indicator; allowed: "
                        f"{', '.join(repr(a) for a in allowed)}",
                        file=file,
                        row=int(row) + first_row,
                        column=code,
                        indicator=code,
                    )
                )
            continue
        if not column.numeric:
            problems.append(
                DataError("a quantity indicator needs numbers, got text", file=file, column=code, indicator=code)
            )
            continue
        values = column.values.astype(np.float64, copy=False)
        denominator = dataset.columns.get(ind.denominator) if ind.denominator else None
        if ind.denominator:
            if denominator is None or not denominator.numeric:
                continue  # reported once per denominator column below
            from vises.numeric import safe_divide as divide
            from vises.units import ratio_conversion

            try:
                factor = ratio_conversion(column.unit, denominator.unit, ind.unit, indicator=code)
            except UnitError as exc:
                problems.append(exc.with_context(file=file, column=code, indicator=code))
                continue
            values = divide(values, denominator.values, factor)[0]
        elif column.unit is not None or ind.unit is not None:
            try:
                from vises.units import conversion

                factor, offset = conversion(column.unit, ind.unit, column=code, indicator=code)
            except UnitError as exc:
                problems.append(exc.with_context(file=file, column=code, indicator=code))
                continue
            if (factor, offset) != (1.0, 0.0):
                values = values * factor + offset
        with np.errstate(invalid="ignore"):
            low = present & (values < ind.minimum) if ind.minimum is not None else np.zeros(len(values), bool)
            high = present & (values > ind.maximum) if ind.maximum is not None else np.zeros(len(values), bool)
        for row in np.flatnonzero(low | high):
            bound = f"below the minimum {ind.minimum:g}" if low[row] else f"above the maximum {ind.maximum:g}"
            problems.append(
                DataError(
                    f"value {values[row]:g} is {bound}",
                    file=file,
                    row=int(row) + first_row,
                    column=code,
                    indicator=code,
                    hint="check the value and its unit",
                )
            )
    problems += _denominator_problems(grid, dataset, file=file, first_row=first_row)
    problems += _group_problems(grid, dataset, file=file)
    problems += _duplicate_rows(dataset, file=file, first_row=first_row)
    return problems


def _denominator_problems(grid: Grid, dataset: Dataset, *, file: str | None, first_row: int) -> list[VisesError]:
    """A denominator column must exist, hold numbers, and be > 0 where it is given."""
    problems: list[VisesError] = []
    users: dict[str, list[str]] = {}
    for ind in grid.scored_indicators:
        if ind.denominator:
            users.setdefault(ind.denominator, []).append(ind.code)
    for name, codes in users.items():
        column = dataset.columns.get(name)
        used_by = ", ".join(codes)
        if column is None:
            hint = (
                "it was read as a text attribute; read the data with the grid"
                if name in dataset.attributes
                else "add the column (one value per row)"
            )
            problems.append(
                DataError(f"denominator column is missing (used by {used_by})", file=file, column=name, hint=hint)
            )
            continue
        if not column.numeric:
            problems.append(
                DataError(f"a denominator column needs numbers, got text (used by {used_by})", file=file, column=name)
            )
            continue
        values = column.values.astype(np.float64, copy=False)
        with np.errstate(invalid="ignore"):
            zero = values == 0
            negative = values < 0
        for row in np.flatnonzero(zero | negative):
            what = "0: the ratio would divide by zero" if zero[row] else f"negative ({values[row]:g})"
            problems.append(
                DataError(
                    f"denominator is {what}; the rows of {used_by} are scored as missing",
                    file=file,
                    row=int(row) + first_row,
                    column=name,
                    hint="check the value; leave it empty when unknown",
                )
            )
    return problems


def _group_problems(grid: Grid, dataset: Dataset, *, file: str | None) -> list[VisesError]:
    """Imputation by group needs the group attribute in the data."""
    problems: list[VisesError] = []
    seen: set[str] = set()
    for ind in grid.scored_indicators:
        method = effective_imputation(grid, ind)
        group = None if method is None else method.params.get("group")
        if isinstance(group, str) and group not in dataset.attributes and group not in seen:
            seen.add(group)
            problems.append(
                DataError(
                    f"imputation by group needs the attribute {group!r}, which the data does not have",
                    file=file,
                    indicator=ind.code,
                    hint=f"attributes in the data: {', '.join(sorted(dataset.attributes)) or 'none'}",
                )
            )
    return problems


def _format_number(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _duplicate_rows(dataset: Dataset, *, file: str | None, first_row: int) -> list[VisesError]:
    if len(dataset) < 2:
        return []
    keys = np.char.add(np.char.add(dataset.organisations.astype(str), "\x1f"), dataset.periods.astype(str))
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    repeated = np.flatnonzero((counts[inverse] > 1) & (np.arange(len(keys)) != first[inverse]))
    return [
        DataError(
            f"organisation {str(dataset.organisations[row])!r}, period {str(dataset.periods[row])!r} appears again "
            f"(first at row {int(first[inverse[row]]) + first_row})",
            file=file,
            row=int(row) + first_row,
            hint="keep one row per organisation and period",
        )
        for row in repeated
    ]
