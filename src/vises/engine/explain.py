"""One organisation's whole score tree: what each child weighed, what it added, why a node is missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


@attrs.frozen(kw_only=True)
class Explanation:
    """One node of one organisation's score tree (see ``Results.explain``)."""

    code: str
    label: str
    is_indicator: bool
    score: float | None
    raw: float | None
    raw_text: str | None
    unit: str | None
    coverage: float | None
    weight: float
    effective_weight: float | None
    contribution: float | None
    rank: int | None
    reason: str | None
    method: str
    narrative: str | None
    children: tuple[Explanation, ...] = ()
    #: Whether the score rests on an imputed value (the indicator's, or one below the node).
    imputed: bool = False

    def walk(self) -> Iterator[Explanation]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=False)
        data["children"] = [child.to_dict() for child in self.children]
        return data


def explain(results: Results, organisation: str, period: str | None = None, *, lang: str | None = None) -> Explanation:
    """The whole score tree of one organisation and period (``Results.explain``)."""
    row = results.row(organisation, period)
    return _explain(results, results.compiled.root, row, lang, parent_shares=None)


def _float_or_none(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _explain(
    results: Results, code: str, row: int, lang: str | None, parent_shares: tuple[float, float | None] | None
) -> Explanation:
    is_node = code in results.compiled.node_index
    children: tuple[Explanation, ...] = ()
    if is_node:
        shares = results.effective_weights(code)
        contributions = results.contributions(code) if results.additive(code) else None
        children = tuple(
            _explain(
                results,
                child,
                row,
                lang,
                parent_shares=(
                    float(shares[child][row]),
                    None if contributions is None else float(contributions[child][row]),
                ),
            )
            for child in results.compiled.node(code).children
        )
    rank = results.ranks(code)[row]
    raw = None if is_node else _float_or_none(results.raw(code)[row])
    text = results.raw_text(code)
    return Explanation(
        code=code,
        label=results.label(code, lang),
        is_indicator=not is_node,
        score=_float_or_none(results.score(code)[row]),
        raw=raw,
        raw_text=None if text is None else text[row],
        unit=results.unit(code),
        coverage=_float_or_none(results.coverage(code)[row]),
        weight=results.weight(code),
        effective_weight=None if parent_shares is None else _float_or_none(parent_shares[0]),
        contribution=None if parent_shares is None else parent_shares[1],
        rank=None if np.isnan(rank) else int(rank),
        reason=results.reasons(code)[row],
        method=results.method(code),
        narrative=results.narrative(code, row),
        children=children,
        imputed=bool(results.imputed(code)[row]),
    )
