"""Denominators (COINr's ``Denominate``): divide an indicator by a size column before anything else.

Hours of training mean little without the staff they were given to; ``Indicator.denominator``
names the dataset column (``staff_fte``, ``population``) to divide by, and the indicator's declared
unit is the unit of the ratio (``hour / FTE``). Units are checked and converted once per column:
the numerator's and the denominator's units make the ratio's unit, which must convert to the
declared one. A denominator that is 0 or negative makes the row missing, with a reason; a ratio is
never infinite.
"""

from __future__ import annotations

import numpy as np

from vises.errors import UnitError


def ratio_conversion(
    numerator_unit: str | None, denominator_unit: str | None, declared: str | None, *, indicator: str
) -> float:
    """The factor turning ``numerator / denominator`` in the columns' units into the declared unit.

    With no unit on either column the ratio is taken to be in the declared unit already (factor 1).
    A column without a unit beside one with a unit counts as dimensionless, so a mismatch is
    reported rather than guessed.
    """
    from vises import units

    if numerator_unit is None and denominator_unit is None:
        return 1.0
    given = f"({numerator_unit or '1'}) / ({denominator_unit or '1'})"
    try:
        factor, _ = units.conversion(given, declared, column=indicator, indicator=indicator)
    except UnitError as exc:
        raise UnitError(
            f"the ratio of the columns, in {numerator_unit or 'no unit'} per {denominator_unit or 'no unit'}, "
            f"cannot be expressed in the indicator's unit {declared or '(none)'!r}",
            column=indicator,
            indicator=indicator,
            hint="give both the indicator column and its denominator column a unit (or neither), "
            'and declare the unit of the ratio, e.g. unit = "hour / FTE"',
        ) from exc
    return factor


def divide(numerator: np.ndarray, denominator: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``numerator / denominator · factor``; rows with a denominator ≤ 0 are NaN, never ±inf.

    Returns the ratios and two masks for the reasons: a denominator ≤ 0, and a denominator missing
    where the numerator is present.
    """
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        not_positive = den <= 0
    den_missing = np.isnan(den) & ~np.isnan(num)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / np.where(not_positive, np.nan, den)
    if factor != 1.0:
        out *= factor
    return out, not_positive & ~np.isnan(num), den_missing


__all__ = ["divide", "ratio_conversion"]
