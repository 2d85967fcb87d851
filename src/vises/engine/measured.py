"""The measured values an export reports, prepared a whole column at a time.

A value is *measured* when the organisation gave it: not missing, not "not applicable", and not
filled in by imputation (an imputed value took part in the score but nobody measured it). Its text
is what the data said: a number in the indicator's unit (shortest round-trip form, whole numbers
without ``.0``), a scale or category level as written, ``yes``/``no``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.model import Direction, Grid, Indicator, Kind, label_in
from vises.validation.effective import effective_normaliser

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


@attrs.frozen(kw_only=True, eq=False)
class MeasuredColumn:
    """One indicator's measured values: which rows, and the text of each (``None`` elsewhere)."""

    code: str
    measured: np.ndarray
    text: np.ndarray


def number_texts(values: np.ndarray) -> np.ndarray:
    """Each float as text (``None`` for NaN): ``85``, ``29.7``, ``1e+20``; one numpy pass per form."""
    values = np.asarray(values, dtype=np.float64)
    out = np.full(len(values), None, dtype=object)
    finite = np.isfinite(values)
    whole = finite & (values == np.round(values)) & (np.abs(values) < 1e15)
    out[whole] = values[whole].astype(np.int64).astype(str)
    rest = finite & ~whole
    out[rest] = values[rest].astype(str)
    return out


def measured_column(results: Results, indicator: Indicator) -> MeasuredColumn:
    """The indicator's measured values in every row of ``results``."""
    code = indicator.code
    raw = results.raw(code)
    measured = ~np.isnan(raw)
    if code in results.codes:  # context and derived-context values are never imputed
        measured &= ~results.imputed(code)
    if indicator.is_number:
        text = number_texts(raw)
    elif indicator.kind is Kind.BINARY and not indicator.levels:
        text = np.where(raw == 1.0, "yes", "no").astype(object)
    else:
        given = results.raw_text(code)
        text = given.astype(object) if given is not None else number_texts(raw)
    text = text.copy()
    text[~measured] = None
    return MeasuredColumn(code=code, measured=measured, text=text)


def first_rows(mask: np.ndarray, organisation: np.ndarray, period_rank: np.ndarray) -> dict[int, int]:
    """For each organisation (by index) with a row in ``mask``, its row of the earliest period."""
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return {}
    rows = rows[np.lexsort((period_rank[rows], organisation[rows]))]
    owners = organisation[rows]
    first = rows[np.r_[True, owners[1:] != owners[:-1]]]
    return dict(zip(organisation[first].tolist(), first.tolist(), strict=True))


def target_of(grid: Grid, indicator: Indicator) -> tuple[float, str] | None:
    """The value the grid sets as the aim (and where it says so): a declared target, else the best goalpost."""
    if indicator.target is not None:
        return float(indicator.target), "the target value the grid declares"
    method = effective_normaliser(grid, indicator)
    if method.name == "target" and method.params.get("target") is not None:
        return float(method.params["target"]), "the target of the grid's normaliser"
    if method.name == "goalposts":
        end = "lower" if indicator.direction is Direction.LOWER else "upper"
        if method.params.get(end) is not None:
            return float(method.params[end]), f"the {end} goalpost of the grid, the value that scores best"
    return None


def value_text(indicator: Indicator, value: float) -> str:
    """A raw number written as the data would write it: the level it scores, else the number."""
    if indicator.is_number:
        return str(number_texts(np.array([value]))[0])
    for level, score in indicator.level_scores().items():
        if score == value:
            return level
    return str(number_texts(np.array([value]))[0])


def unit_description(indicator: Indicator, lang: str) -> str:
    """What the numbers mean: the unit, the scale's levels, or yes/no."""
    if indicator.is_number:
        return indicator.unit or "number (no unit)"
    if indicator.kind is Kind.BINARY and not indicator.levels:
        return "yes/no"
    levels = [f"{level.value} = {label_in(level.label, lang, level.value)}" for level in indicator.levels]
    word = "scale" if indicator.kind is Kind.SCALE else "category" if indicator.kind is Kind.CATEGORY else "levels"
    return f"{word}: " + "; ".join(levels)


def text_of(value: Any) -> str | None:
    """Non-empty text of a cell, else ``None`` (missing, NaN, blank)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
