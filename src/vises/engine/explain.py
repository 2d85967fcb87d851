"""One organisation's whole score tree: what each child weighed, what it added, why a node is missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


_FIELDS = (
    "code",
    "label",
    "is_indicator",
    "score",
    "raw",
    "raw_text",
    "unit",
    "coverage",
    "weight",
    "effective_weight",
    "contribution",
    "rank",
    "reason",
    "method",
    "narrative",
    "imputed",
)


@attrs.frozen(kw_only=True, eq=False)
class Explanation:
    """One node of one organisation's score tree (see ``Results.explain``).

    Built, walked, compared and turned into dicts without recursion, so a tree thousands of levels
    deep is as safe as a flat one.
    """

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

    def __repr__(self) -> str:
        score = "missing" if self.score is None else f"{self.score:.4g}"
        kind = "indicator" if self.is_indicator else f"{len(self.children)} children"
        return f"<Explanation {self.code!r}: score {score}, {kind}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        pending = [(self, other)]
        while pending:
            a, b = pending.pop()
            if a is b:
                continue
            if len(a.children) != len(b.children) or any(
                not _same(getattr(a, name), getattr(b, name)) for name in _FIELDS
            ):
                return False
            pending.extend(zip(a.children, b.children, strict=True))
        return True

    def __hash__(self) -> int:
        return hash((self.code, self.score, len(self.children)))

    def walk(self) -> Iterator[Explanation]:
        """This node and every node below it, depth first."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the fields, and ``children`` as a list of the children's dicts."""
        root = attrs.asdict(self, recurse=False)
        stack = [(self, root)]
        while stack:
            node, data = stack.pop()
            data["children"] = []
            for child in node.children:
                child_data = attrs.asdict(child, recurse=False)
                data["children"].append(child_data)
                stack.append((child, child_data))
        return root


def _same(a: Any, b: Any) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)


def explain(results: Results, organisation: str, period: str | None = None, *, lang: str | None = None) -> Explanation:
    """The whole score tree of one organisation and period (``Results.explain``)."""
    row = results.row(organisation, period)
    root = results.compiled.root
    # Top down: the share and the contribution each child gets from its parent.
    shares_of: dict[str, tuple[float, float | None]] = {}
    order: list[str] = []
    stack = [root]
    while stack:
        code = stack.pop()
        order.append(code)
        if code in results.compiled.node_index:
            shares = results.effective_weights(code)
            contributions = results.contributions(code) if results.additive(code) else None
            for child in results.compiled.node(code).children:
                shares_of[child] = (
                    float(shares[child][row]),
                    None if contributions is None else float(contributions[child][row]),
                )
                stack.append(child)
    # Bottom up: every child is built before its parent.
    built: dict[str, Explanation] = {}
    for code in reversed(order):
        children: tuple[Explanation, ...] = ()
        if code in results.compiled.node_index:
            children = tuple(built.pop(child) for child in results.compiled.node(code).children)
        built[code] = _explain(results, code, row, lang, shares_of.get(code), children)
    return built[root]


def _float_or_none(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _explain(
    results: Results,
    code: str,
    row: int,
    lang: str | None,
    parent_shares: tuple[float, float | None] | None,
    children: tuple[Explanation, ...],
) -> Explanation:
    is_node = code in results.compiled.node_index
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
