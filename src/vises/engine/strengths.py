"""Strengths and weaknesses of one organisation (COINr's ``get_str_weak``): its best and worst ranks.

The computation lives in the engine so that the report's profile and ``vises.analysis`` (which adds
a plain-text table) share it.

Each scored indicator is ranked among the organisations of the same period (on its score, so a
lower-is-better indicator is already turned the right way; 1 = best, ties share the lowest rank).
The organisation's indicators are sorted by its rank: the first ``top`` are its strengths, the
last ``bottom`` its weaknesses. As in COINr, an indicator on which it ranks last (tied at the
bottom, typically a run of zeros) is left out unless ``keep_last=True``, indicators where it has
no value are left out, and ``unique_share`` leaves out indicators whose share of distinct values
in the period is at most that (mostly identical values rank nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import numpy as np

from vises.engine.arrays import indicator_codes, period_rows, whole
from vises.errors import ConfigError
from vises.numeric import sorted_distinct

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["Standing", "Standings", "standings"]


@attrs.frozen(kw_only=True)
class Standing:
    """One indicator of the list: its rank among ``ranked`` organisations, raw value and dimension."""

    code: str
    label: str
    dimension: str | None
    rank: int
    ranked: int
    value: float
    unit: str | None

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        data["value"] = None if self.value != self.value else self.value
        return data


@attrs.frozen(kw_only=True)
class Standings:
    """The strengths (best ranks first) and weaknesses (worst last) of one organisation in one period."""

    organisation: str
    period: str
    strengths: tuple[Standing, ...]
    weaknesses: tuple[Standing, ...]

    def to_records(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "strengths": [s.to_dict() for s in self.strengths],
            "weaknesses": [s.to_dict() for s in self.weaknesses],
        }


T = TypeVar("T", bound=Standings)


def standings(
    results: Results,
    organisation: str,
    period: str | None = None,
    *,
    top: int = 5,
    bottom: int = 5,
    keep_last: bool = False,
    unique_share: float | None = None,
    level: int | None = None,
    lang: str | None = None,
    kind: type[T] = Standings,  # type: ignore[assignment]
) -> T:
    """The ``top`` best and ``bottom`` worst indicators of ``organisation`` in ``period`` (default: its
    latest) by rank among that period's organisations. ``level`` names the dimension shown (a depth,
    1 = the root's children; default: each indicator's parent, COINr's ``report_level = 2``).
    ``kind`` is the class built (``vises.analysis.StrengthsWeaknesses`` adds a table).
    """
    whole(top, "top", minimum=0)
    whole(bottom, "bottom", minimum=0)
    if unique_share is not None and (
        isinstance(unique_share, bool) or not isinstance(unique_share, (int, float)) or not 0 <= unique_share <= 1
    ):
        raise ConfigError(f"unique_share must be a share between 0 and 1, got {unique_share!r}", path="unique_share")
    row = results.row(organisation, period)
    chosen_period = str(results.periods[row])
    rows = period_rows(results, chosen_period)
    items: list[tuple[float, int, Standing]] = []
    for position, code in enumerate(indicator_codes(results)):
        ranks = results.ranks(code)
        mine = float(ranks[row])
        if mine != mine:
            continue
        scored = ranks[rows][~np.isnan(ranks[rows])]
        if not keep_last and mine == scored.max() and scored.size > 1:
            continue
        if unique_share is not None:
            raw = results.raw(code)[rows]
            distinct = sorted_distinct(raw[~np.isnan(raw)]).size + int(np.isnan(raw).any())
            if distinct / raw.size <= unique_share:
                continue
        items.append(
            (
                mine,
                position,
                Standing(
                    code=code,
                    label=results.label(code, lang),
                    dimension=_dimension(results, code, level),
                    rank=int(mine),
                    ranked=int(scored.size),
                    value=float(results.raw(code)[row]),
                    unit=results.unit(code),
                ),
            )
        )
    items.sort(key=lambda item: (item[0], item[1]))
    ordered = tuple(item[2] for item in items)
    return kind(
        organisation=str(organisation),
        period=chosen_period,
        strengths=ordered[:top],
        weaknesses=ordered[max(0, len(ordered) - bottom) :] if bottom else (),
    )


def _dimension(results: Results, code: str, level: int | None) -> str | None:
    if level is None:
        return results.parent(code)
    above: str | None = code
    while above is not None and results.depth(above) > level:
        above = results.parent(above)
    return above if above is not None and results.depth(above) == level else None
