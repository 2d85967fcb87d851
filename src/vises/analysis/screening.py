"""Unit screening (COINr's ``Screen``): who has too little data to be scored, and why.

A unit here is one organisation in one period. Its data availability is the share of the grid's
applicable indicators that hold a value (``by="count"``, COINr's ``Dat_Avail``) or the share of
their effective weight (``by="weight"``: each indicator's weight times its ancestors' normalised
weights, COINr's ``get_eff_weights``); not-applicable indicators leave the denominator. With
``imputed=False`` only measured values count. Units below ``min_availability`` (or, when
``min_nonzero`` is set, whose share of non-zero values is below it) are screened out; ``include``
and ``exclude`` force organisations in or out. Every decision is kept with its reason: nothing is
dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.analysis._common import frozen, indicator_codes, measured, none
from vises.analysis.words import number, stats_word, table, word
from vises.errors import ConfigError
from vises.model import Dataset

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["Screening", "effective_weights", "screen", "screened_dataset"]


@attrs.frozen(kw_only=True, eq=False)
class Screening:
    """The screening decision for every row of the results it was made on.

    ``included[i]`` says whether row i is kept; ``reasons[i]`` why it was screened out (or forced
    in despite its data), ``None`` for a row kept on its data.
    """

    min_availability: float
    by: str
    imputed: bool
    min_nonzero: float | None
    forced_in: tuple[str, ...]
    forced_out: tuple[str, ...]
    organisations: np.ndarray
    periods: np.ndarray
    availability: np.ndarray
    nonzero: np.ndarray
    included: np.ndarray
    reasons: np.ndarray

    def __len__(self) -> int:
        return len(self.organisations)

    @property
    def excluded(self) -> list[tuple[str, str, str]]:
        """(organisation, period, reason) of every row screened out."""
        rows = np.flatnonzero(~self.included)
        return [(str(self.organisations[i]), str(self.periods[i]), str(self.reasons[i])) for i in rows]

    def to_records(self) -> list[dict[str, Any]]:
        return [
            {
                "organisation": str(self.organisations[i]),
                "period": str(self.periods[i]),
                "availability": none(float(self.availability[i])),
                "nonzero": none(float(self.nonzero[i])),
                "included": bool(self.included[i]),
                "reason": self.reasons[i],
            }
            for i in range(len(self))
        ]

    def to_provenance(self) -> dict[str, Any]:
        """What ``Results.provenance["screening"]`` records: the rule and every unit screened out."""
        return {
            "min_availability": self.min_availability,
            "by": self.by,
            "imputed_count_as_available": self.imputed,
            "min_nonzero": self.min_nonzero,
            "include": list(self.forced_in),
            "exclude": list(self.forced_out),
            "screened_out": [
                {
                    "organisation": str(self.organisations[i]),
                    "period": str(self.periods[i]),
                    "availability": none(float(self.availability[i])),
                    "reason": str(self.reasons[i]),
                }
                for i in np.flatnonzero(~self.included).tolist()
            ],
            "total": len(self),
            "kept": int(self.included.sum()),
        }

    def table(self, lang: str | None = None) -> str:
        """The rows screened out or forced in, with their availability and reason."""
        w = lang or "en"
        rows = [
            (
                self.organisations[i],
                self.periods[i],
                number(float(self.availability[i]), lang, 2),
                word("kept" if self.included[i] else "screened_out", w),
                self.reasons[i],
            )
            for i in range(len(self))
            if self.reasons[i] is not None
        ]
        title = word(
            "screening_title",
            w,
            threshold=number(self.min_availability, lang, 2),
            kept=int(self.included.sum()),
            total=len(self),
        )
        if not rows:
            return title
        headers = [
            word("organisation", w),
            word("period", w),
            stats_word("availability", lang),
            word("decision", w),
            word("reason", w),
        ]
        return "\n\n".join([title, table(rows, headers)])


def effective_weights(results: Results) -> dict[str, float]:
    """Each scored indicator's weight in the root: its weight share among its siblings times its
    parent's, up to the root (COINr's ``get_eff_weights``); they sum to 1."""
    compiled = results.compiled
    share: dict[str, float] = {compiled.root: 1.0}
    for node in reversed(compiled.nodes):  # top-down
        total = float(node.weights.sum())
        for child, weight in zip(node.children, node.weights.tolist(), strict=True):
            share[child] = share.get(node.code, 0.0) * (weight / total if total > 0 else 0.0)
    return {code: share.get(code, 0.0) for code in indicator_codes(results)}


def screen(
    results: Results,
    *,
    min_availability: float = 2.0 / 3.0,
    by: str = "count",
    imputed: bool = True,
    min_nonzero: float | None = None,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> Screening:
    """Decide which rows of ``results`` are screened out (COINr's ``Screen``; defaults as COINr's).

    ``imputed=True`` counts an imputed value as available (COINr's example screens its imputed
    data); ``False`` counts only measured values. ``include``/``exclude`` name organisations kept or
    dropped in every period whatever their data; an unknown code is an error, never ignored.
    """
    for name, value in (("min_availability", min_availability), ("min_nonzero", min_nonzero)):
        if value is None and name == "min_nonzero":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
            raise ConfigError(f"{name} must be a share between 0 and 1, got {value!r}", path=name)
    if by not in ("count", "weight"):
        raise ConfigError(f"by must be 'count' or 'weight', got {by!r}", path="by")
    forced_in, forced_out = tuple(dict.fromkeys(map(str, include))), tuple(dict.fromkeys(map(str, exclude)))
    known = set(results.organisations.tolist())
    for name, codes in (("include", forced_in), ("exclude", forced_out)):
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ConfigError(f"{', '.join(map(repr, unknown))} is not an organisation of the data", path=name)
    both = sorted(set(forced_in) & set(forced_out))
    if both:
        raise ConfigError(f"{', '.join(map(repr, both))} is both included and excluded", path="include")

    codes = indicator_codes(results)
    if not codes:
        raise ConfigError(f"grid {results.grid.code!r} has no scored indicator", path="grid")
    present = np.column_stack([measured(results, c) if not imputed else ~np.isnan(results.raw(c)) for c in codes])
    applicable = np.column_stack([~results.not_applicable(c) for c in codes])
    weights = np.ones(len(codes)) if by == "count" else np.array([effective_weights(results)[c] for c in codes])
    with np.errstate(invalid="ignore", divide="ignore"):
        availability = ((present & applicable) @ weights) / (applicable @ weights)
        raws = np.column_stack([results.raw(c) for c in codes])
        nonzero_count = ((present & applicable) & (raws != 0)).sum(axis=1)
        nonzero = nonzero_count / (present & applicable).sum(axis=1)
    availability = np.where(applicable.any(axis=1), availability, np.nan)
    low_data = ~(np.nan_to_num(availability, nan=0.0) >= float(min_availability) - 1e-12)
    low_nonzero = (
        ~(np.nan_to_num(nonzero, nan=0.0) >= float(min_nonzero) - 1e-12)
        if min_nonzero is not None
        else np.zeros(len(results), dtype=bool)
    )
    included = ~(low_data | low_nonzero)
    orgs = results.organisations
    reasons = np.full(len(results), None, dtype=object)
    for i in np.flatnonzero(low_data | low_nonzero):
        parts = []
        if low_data[i]:
            parts.append(f"data availability {_share(availability[i])} below {_share(min_availability)}")
        if low_nonzero[i]:
            parts.append(f"share of non-zero values {_share(nonzero[i])} below {_share(min_nonzero)}")
        reasons[i] = "; ".join(parts)
    forced_in_rows = np.isin(orgs, forced_in)
    forced_out_rows = np.isin(orgs, forced_out)
    for i in np.flatnonzero(forced_in_rows & ~included):
        reasons[i] = f"included on request despite {reasons[i]}"
    for i in np.flatnonzero(forced_out_rows):
        reasons[i] = "excluded on request" + (f" (and {reasons[i]})" if reasons[i] else "")
    included = (included | forced_in_rows) & ~forced_out_rows
    return Screening(
        min_availability=float(min_availability),
        by=by,
        imputed=imputed,
        min_nonzero=None if min_nonzero is None else float(min_nonzero),
        forced_in=forced_in,
        forced_out=forced_out,
        organisations=frozen(orgs),
        periods=frozen(results.periods),
        availability=frozen(availability),
        nonzero=frozen(nonzero),
        included=frozen(included),
        reasons=frozen(reasons),
    )


def _share(x: float | None) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:.3g}"


def screened_dataset(dataset: Dataset, screening: Screening) -> Dataset:
    """The dataset without the rows screened out (rows must be those the screening was made on)."""
    if len(dataset) != len(screening):
        raise ConfigError(f"the screening covers {len(screening)} rows, the dataset has {len(dataset)}")
    keep = np.asarray(screening.included, dtype=bool)
    if keep.all():
        return dataset
    columns = {
        code: attrs.evolve(
            column,
            values=column.values[keep],
            not_applicable=None if column.not_applicable is None else column.not_applicable[keep],
        )
        for code, column in dataset.columns.items()
    }
    return attrs.evolve(
        dataset,
        organisations=dataset.organisations[keep],
        periods=dataset.periods[keep],
        columns=columns,
        text={key: values[keep] for key, values in dataset.text.items()},
        attributes={key: values[keep] for key, values in dataset.attributes.items()},
    )
