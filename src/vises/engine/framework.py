"""The framework's geometry: each element's share of the index (its effective weight) and where it
sits among its siblings, top-down, for a sunburst (``vises plot framework`` and the HTML report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.compile import CompiledGrid


@attrs.frozen(kw_only=True)
class Wedge:
    """One element of the grid on the unit circle: from ``start`` over ``share`` of the whole (0-1)."""

    code: str
    depth: int  #: 0 for the root
    start: float
    share: float
    #: The position of its top-level dimension among the root's children (-1 for the root): its colour.
    dimension: int


def wedges(compiled: CompiledGrid) -> tuple[Wedge, ...]:
    """Every node and scored indicator, the root first, each parent before its children.

    A child's share is its parent's times its weight over the sum of its siblings' weights, so the
    shares of one ring add up to the root's (the effective weights of the Handbook).
    """
    root = compiled.root
    out = {root: Wedge(code=root, depth=0, start=0.0, share=1.0, dimension=-1)}
    for node in reversed(compiled.nodes):  # top-down
        parent = out[node.code]
        total = float(node.weights.sum()) or 1.0
        at = parent.start
        for index, (child, weight) in enumerate(zip(node.children, node.weights.tolist(), strict=True)):
            share = parent.share * weight / total
            dimension = index if node.code == root else parent.dimension
            out[child] = Wedge(code=child, depth=parent.depth + 1, start=at, share=share, dimension=dimension)
            at += share
    return tuple(out.values())


__all__ = ["Wedge", "wedges"]
