"""Sampling uncertainty: redraw each estimated value from its sampling distribution, seeded.

A share agreeing among 24 respondents, or an exit rate among 16 leavers, is an estimate. For the
robustness analysis each run can draw it again: a share (a collected share or top-box, a value in
percent given with its n) as Binomial(n, p) / n; a proportion rate by drawing its numerator as
Binomial(denominator, numerator / denominator); a mean given with its n and sd as
Normal(mean, sd / √n), kept within the indicator's bounds. Values without an n are left as they
are. Each sampler returns the whole column of one run at once. Rates sharing a denominator (exits
to work, to training, drop-outs among the same leavers) are drawn independently, not jointly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results
    from vises.model import Dataset, Indicator

Sampler = Callable[[np.random.Generator], np.ndarray]


@attrs.frozen(kw_only=True, eq=False)
class Sampled:
    """A data column redrawn in each run (``column`` the dataset's; ``code`` the indicator it estimates)."""

    column: str
    code: str
    #: The unit the draws are in: the indicator's own (``Results.raw``), whatever the file gave.
    unit: str | None
    draw: Sampler


def _binomial(share: np.ndarray, n: np.ndarray, scale: float) -> Sampler:
    known = ~np.isnan(share) & ~np.isnan(n) & (n > 0)
    trials = np.where(known, np.round(n), 0).astype(np.int64)
    p = np.clip(np.where(known, share / scale, 0.0), 0.0, 1.0)

    def draw(rng: np.random.Generator) -> np.ndarray:
        hits = rng.binomial(trials, p)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(known, scale * hits / np.where(trials > 0, trials, 1), share)

    return draw


def samplers(results: Results, dataset: Dataset) -> list[Sampled]:
    """The columns of ``dataset`` that hold estimates, each with how to redraw it."""
    from vises.engine.evidence import fraction_factor
    from vises.model import Kind

    grid = results.grid
    out: list[Sampled] = []
    for indicator in grid.measured_indicators:
        code = indicator.code
        evidence = results.evidence(code)
        if evidence.interval is None or evidence.n is None:
            continue
        n = np.asarray(evidence.n, dtype=np.float64)
        if indicator.kind is Kind.RATE and evidence.statistic == "rate":
            parts = results.rate_parts(code)
            numerator = indicator.numerator
            if parts is None or numerator is None or numerator not in dataset.columns:
                continue
            counts, base = parts
            with np.errstate(invalid="ignore", divide="ignore"):
                share = counts / base
            unit = grid.indicator(numerator).unit
            draw = _counts(_binomial(share, base, 1.0), base)
            out.append(Sampled(column=numerator, code=code, unit=unit, draw=draw))
        elif evidence.interval == "wilson" and code in dataset.columns:
            factor = fraction_factor(indicator.unit)
            if factor:
                draw = _binomial(results.raw(code), n, 1.0 / factor)
                out.append(Sampled(column=code, code=code, unit=indicator.unit, draw=draw))
        elif evidence.interval == "t" and code in dataset.columns and evidence.sd is not None:
            draw = _normal(results.raw(code), evidence.sd, n, indicator)
            out.append(Sampled(column=code, code=code, unit=indicator.unit, draw=draw))
    return out


def _counts(shares: Sampler, base: np.ndarray) -> Sampler:
    def draw(rng: np.random.Generator) -> np.ndarray:
        counts: np.ndarray = shares(rng) * base
        return counts

    return draw


def _normal(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, indicator: Indicator) -> Sampler:
    spread = np.asarray(sd, dtype=np.float64) / np.sqrt(np.where(n > 0, n, np.nan))
    known = ~np.isnan(mean) & ~np.isnan(spread)
    low, high = indicator.minimum, indicator.maximum

    def draw(rng: np.random.Generator) -> np.ndarray:
        values = np.where(known, mean + rng.standard_normal(len(mean)) * np.nan_to_num(spread), mean)
        return np.clip(values, -np.inf if low is None else low, np.inf if high is None else high)

    return draw


def redrawn(dataset: Dataset, sampled: list[Sampled], rng: np.random.Generator) -> Dataset:
    """``dataset`` with every sampled column drawn again (units and not-applicable marks kept)."""
    from vises.model import Column

    columns: dict[str, Column] = dict(dataset.columns)
    for item in sampled:
        old = columns[item.column]
        # Only values the data gave are redrawn: an imputed value stays for the engine to impute again.
        values = np.where(old.missing(), np.nan, item.draw(rng))
        columns[item.column] = Column(values=values, unit=item.unit, not_applicable=old.not_applicable)
    return attrs.evolve(dataset, columns=columns)


__all__ = ["Sampled", "redrawn", "samplers"]
