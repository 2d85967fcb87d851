"""Which columns a dataset gives and which the grid computes: reported, context and derived indicators.

A grid's *reported* indicators (scored or kept as context) each need a column of the data; its
*derived* indicators (a formula, a rate) are computed from them and must not have one, since two
sources for one value would be one too many. ``add_derived`` computes the derived values after the
reported columns are prepared, checks them against the indicator's valid range, and records why
rows are missing (a division by zero, a missing input), so the dataset check hands scoring every
raw column it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from vises.errors import DataError, VisesError
from vises.model import Column, Dataset, Grid, Indicator, Kind
from vises.validation.columns import out_of_range_problems

if TYPE_CHECKING:  # pragma: no cover
    from vises.validation.dataset import DatasetCheck


def reported_indicators(grid: Grid) -> tuple[Indicator, ...]:
    """Indicators whose values the data gives: scored or context, not narrative, not derived (once per grid)."""
    table = grid.index.derived
    found = table.get("reported")
    if found is None:
        found = table["reported"] = tuple(
            ind for ind in grid.indicators if ind.kind is not Kind.NARRATIVE and not ind.derived
        )
    return tuple(found)


def computed_columns(grid: Grid, dataset: Dataset, *, file: str | None) -> list[VisesError]:
    """A column given for a derived indicator is refused: the grid computes it."""
    problems: list[VisesError] = []
    for ind in grid.indicators:
        if ind.derived and ind.code in dataset.columns:
            how = f"{ind.numerator} / {ind.denominator}" if ind.kind is Kind.RATE else ind.formula
            problems.append(
                DataError(
                    f"{ind.code!r} is computed by the grid ({how}); the data must not give it",
                    file=file,
                    column=ind.code,
                    indicator=ind.code,
                    hint="remove the column and give its inputs instead",
                )
            )
    return problems


def denominator_column(grid: Grid, dataset: Dataset, indicator: Indicator) -> Column | None:
    """The column a quantity is divided by; an indicator's column in its declared unit when it gives none."""
    if not indicator.denominator:
        return None
    column = dataset.columns.get(indicator.denominator)
    other = grid.index.indicator_by_code.get(indicator.denominator)
    own = dataset.columns.get(indicator.code)
    # Units are read off the columns; with none on either, the ratio is in the declared unit already.
    given = own is not None and own.unit is not None
    if column is not None and other is not None and column.unit is None and other.unit is not None and given:
        return Column(values=column.values, unit=other.unit, not_applicable=column.not_applicable)
    return column


def add_derived(grid: Grid, check: DatasetCheck, n: int, *, file: str | None, first_row: int) -> None:
    """Compute the derived indicators into ``check`` (raws, reasons, not applicable) and check their range."""
    from vises.validation.derived import derive_indicators

    if not any(ind.derived for ind in grid.indicators):
        return
    for code, derived in derive_indicators(grid, check.raws, check.not_applicable, n).items():
        if derived.reasons:
            check.reasons[code] = derived.reasons
        indicator = grid.indicator(code)
        check.problems.extend(
            out_of_range_problems(
                indicator, derived.values, derived.not_applicable, file=file, first_row=first_row, computed=True
            )
        )
        zero = [mask for reason, mask in derived.reasons.items() if reason.startswith("division by zero")]
        if zero:
            rows = np.flatnonzero(np.logical_or.reduce(zero))
            shown = ", ".join(str(int(row) + first_row) for row in rows[:10]) + (", ..." if len(rows) > 10 else "")
            check.warnings.append(
                DataError(
                    f"{len(rows)} row(s) divide by zero in the formula of {code!r} (rows {shown}); they are scored "
                    "as missing",
                    file=file,
                    indicator=code,
                    hint="check its inputs; leave a value empty when it is unknown",
                )
            )


__all__ = ["add_derived", "computed_columns", "denominator_column", "reported_indicators"]
