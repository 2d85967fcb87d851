"""What the network achieves together: totals beside the score distributions.

Scores say how each centre does on a 0–100 scale; a federation also reports what its members
achieved together (trainees trained, hours of training). An indicator is summed into a network
total when it is a **count**: a quantity whose unit counts people or full-time equivalents
(``person``, ``FTE``), or any quantity the grid tags ``count`` (``tags = ["count"]``, for trainee
hours, actions, euros); the tag ``no_total`` keeps a counted unit out (an average headcount). A
ratio (a denominator, ``hour / FTE``, ``percent``) is never summed: its total means nothing.

Each total is over the organisations that gave the value in the period (imputed cells are left
out: a total of what was reported, with how many reported it). An indicator divided by a
``denominator`` column (a rate, an intensity) is given as a **pooled rate**: Σ numerator /
Σ denominator over the organisations that reported both (``kind = "pooled_rate"``, with the two
sums), the network's own rate rather than a mean of the centres' rates, in the indicator's unit.
In the public view a total from fewer than ``min_group`` organisations, or one where a single
organisation holds more than ``dominance`` of it (of the numerator or of the denominator of a
pooled rate), is suppressed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs
import numpy as np

from vises.model import Indicator, Kind
from vises.numeric import sorted_distinct

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results
    from vises.report.disclosure import Disclosure

#: The tag that makes a quantity a count, and the one that keeps a counted unit out of the totals.
COUNT_TAG, NO_TOTAL_TAG = "count", "no_total"


def is_count(indicator: Indicator) -> bool:
    """Whether an indicator's values add up across organisations (see the module docstring)."""
    from vises.units import is_count_unit

    if indicator.kind is not Kind.QUANTITY or indicator.denominator or NO_TOTAL_TAG in indicator.tags:
        return False
    return COUNT_TAG in indicator.tags or is_count_unit(indicator.unit)


@attrs.frozen(kw_only=True)
class Total:
    """One network total for one period."""

    code: str
    label: str
    period: str
    unit: str | None
    #: The unit in the report language.
    unit_label: str | None
    #: ``"sum"`` (Σ of a count), or ``"pooled_rate"`` (Σ numerator / Σ denominator).
    kind: str
    #: The total (NaN when suppressed or when no organisation reported it).
    value: float
    #: Organisations that reported the value, of the organisations of the period.
    count: int
    of: int
    #: Why the total is not shown in the public view: ``"min_group"``, ``"dominance"``, or ``None``.
    suppressed: str | None = None
    numerator: float = math.nan
    denominator: float = math.nan


def is_pooled_rate(indicator: Indicator) -> bool:
    """Whether an indicator is a ratio whose numerator and denominator add up across organisations."""
    return (
        indicator.kind in (Kind.QUANTITY, Kind.RATE)
        and bool(indicator.denominator)
        and NO_TOTAL_TAG not in indicator.tags
    )


def network_totals(
    results: Results, periods: Sequence[str], lang: str, disclosure: Disclosure | None = None
) -> tuple[Total, ...]:
    """The total of every count indicator and the pooled rate of every denominated one, per period
    (latest period first), disclosure applied."""
    from vises.report.disclosure import dominated
    from vises.report.views import unit_text

    # Volumes are usually context indicators (reported, never scored): they have totals too.
    codes = [ind.code for ind in results.grid.measured_indicators if is_count(ind) and not ind.derived]
    rates = [ind for ind in results.grid.scored_indicators if is_pooled_rate(ind)]
    out: list[Total] = []
    for period in list(periods)[::-1]:
        rows = results.periods == period
        of = len(sorted_distinct(results.organisations[rows]))
        out += [_pooled_rate(results, ind, period, rows, of, lang, disclosure) for ind in rates]
        for code in codes:
            values = np.asarray(results.raw(code), dtype=np.float64)[rows]
            if code in results.codes:  # context values are never imputed
                values = np.where(results.imputed(code)[rows], np.nan, values)
            reported = ~np.isnan(values)
            count = int(reported.sum())
            value = float(values[reported].sum()) if count else math.nan
            why = None
            if disclosure is not None and disclosure.public and count:
                if count < disclosure.k:
                    why = "min_group"
                elif dominated(values, disclosure.dominance):
                    why = "dominance"
            unit = results.unit(code)
            out.append(
                Total(
                    code=code,
                    label=results.label(code, lang),
                    period=period,
                    unit=unit,
                    unit_label=unit_text(unit, lang, results.grid.unit_labels),
                    kind="sum",
                    value=math.nan if why else value,
                    count=count,
                    of=of,
                    suppressed=why,
                )
            )
    return tuple(out)


def _pooled_rate(
    results: Results,
    indicator: Indicator,
    period: str,
    rows: np.ndarray,
    of: int,
    lang: str,
    disclosure: Disclosure | None,
) -> Total:
    """Σ numerator / Σ denominator of ``indicator`` over ``rows``: each ratio times its denominator,
    summed, over the sum of the denominators (rows with both reported, none imputed)."""
    from vises.i18n import translate
    from vises.report.disclosure import dominated
    from vises.report.views import unit_text

    code = indicator.code
    ratio = np.where(results.imputed(code)[rows], np.nan, np.asarray(results.raw(code), dtype=np.float64)[rows])
    column = results.dataset.columns.get(indicator.denominator or "")
    if column is None or not column.numeric:
        base = np.full(int(rows.sum()), np.nan)
    else:
        base = np.asarray(column.values, dtype=np.float64)[rows]
    both = ~np.isnan(ratio) & ~np.isnan(base) & (base > 0)
    numerators, denominators = ratio[both] * base[both], base[both]
    count = int(both.sum())
    numerator, denominator = float(numerators.sum()), float(denominators.sum())
    value = numerator / denominator if count and denominator > 0 else math.nan
    why = None
    if disclosure is not None and disclosure.public and count:
        if count < disclosure.k:
            why = "min_group"
        elif dominated(numerators, disclosure.dominance) or dominated(denominators, disclosure.dominance):
            why = "dominance"
    unit = results.unit(code)
    return Total(
        code=code,
        label=translate("pooled_rate_label", lang, label=results.label(code, lang)),
        period=period,
        unit=unit,
        unit_label=unit_text(unit, lang, results.grid.unit_labels),
        kind="pooled_rate",
        value=math.nan if why else value,
        count=count,
        of=of,
        suppressed=why,
        numerator=math.nan if why else numerator,
        denominator=math.nan if why else denominator,
    )


__all__ = ["COUNT_TAG", "NO_TOTAL_TAG", "Total", "is_count", "is_pooled_rate", "network_totals"]
