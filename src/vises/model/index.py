"""The lookup tables of one grid, built once in a single linear pass and kept with the grid.

A ``Grid`` is a flat list of nodes and indicators that name their parent. Everything that walks the
tree (validation, compiling, defaults, explanations, reports) needs "the node called x", "the
children of x" and "parents before children"; asking the tuples each time costs a scan per
question, which made 100,000 indicators under one node take minutes. ``GridIndex`` answers each in
constant time, and orders the tree without recursion, so a grid thousands of levels deep is as
easy as a flat one.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from vises.model.grid import Grid, Indicator, Node


class GridIndex:
    """Constant-time lookups over one grid (the first item wins where a code is repeated).

    ``top_down`` lists the nodes reachable from a root, parents before children (breadth first);
    ``depth`` gives their distance from that root (a root is 0). Nodes in a cycle or under an
    unknown parent are not reachable, and the validator reports them. ``derived`` is a place for
    the layers above to keep tables they compute from the grid (e.g. inherited methods), so they
    too are computed once per grid.
    """

    __slots__ = (
        "children",
        "depth",
        "derived",
        "indicator_by_code",
        "levels",
        "node_by_code",
        "roots",
        "scored_indicators",
        "top_down",
    )

    def __init__(self, grid: Grid) -> None:
        node_by_code: dict[str, Node] = {}
        for node in grid.nodes:
            node_by_code.setdefault(node.code, node)
        indicator_by_code: dict[str, Indicator] = {}
        for indicator in grid.indicators:
            indicator_by_code.setdefault(indicator.code, indicator)
        child_nodes: dict[str, list[Node | Indicator]] = {}
        for node in grid.nodes:
            if node.parent is not None:
                child_nodes.setdefault(node.parent, []).append(node)
        child_indicators: dict[str, list[Node | Indicator]] = {}
        for indicator in grid.indicators:
            if indicator.parent is not None:
                child_indicators.setdefault(indicator.parent, []).append(indicator)
        children: dict[str, tuple[Node | Indicator, ...]] = {}
        for code in child_nodes.keys() | child_indicators.keys():
            children[code] = (*child_nodes.get(code, ()), *child_indicators.get(code, ()))
        self.node_by_code = node_by_code
        self.indicator_by_code = indicator_by_code
        #: Direct children of each code, nodes first, in declaration order.
        self.children = children
        self.roots: tuple[Node, ...] = tuple(node for node in grid.nodes if node.parent is None)
        self.scored_indicators: tuple[Indicator, ...] = tuple(ind for ind in grid.indicators if ind.scored)
        top_down: list[str] = []
        depth: dict[str, int] = {}
        queue = deque(node.code for node in self.roots)
        for node in self.roots:
            depth.setdefault(node.code, 0)
        while queue:
            code = queue.popleft()
            top_down.append(code)
            for child in child_nodes.get(code, ()):
                if child.code not in depth and child.code in node_by_code:
                    depth[child.code] = depth[code] + 1
                    queue.append(child.code)
        self.top_down: tuple[str, ...] = tuple(top_down)
        self.depth = depth
        #: Levels of the reachable tree as COINr counts them (indicators are level 1, the root the
        #: highest): root and indicators under it make 2; root, dimensions and indicators 3.
        self.levels = max((level + (2 if code in child_indicators else 1) for code, level in depth.items()), default=0)
        self.derived: dict[str, Any] = {}


_lock = threading.Lock()
#: id(grid) -> (a weak reference to that grid, its index). By identity, not equality: comparing two
#: grids costs a pass over them, and the index is asked for at every lookup.
_indexes: dict[int, tuple[weakref.ref[Grid], GridIndex]] = {}


def _forget(key: int) -> Any:
    def forget(ref: weakref.ref[Grid]) -> None:
        with _lock:
            found = _indexes.get(key)
            if found is not None and found[0] is ref:
                del _indexes[key]

    return forget


def index_of(grid: Grid) -> GridIndex:
    """The index of ``grid``, built on first use and dropped with the grid.

    Kept beside the grid rather than in it, so the grid's fields stay exactly its declaration.
    """
    key = id(grid)
    found = _indexes.get(key)
    if found is not None and found[0]() is grid:
        return found[1]
    index = GridIndex(grid)
    with _lock:
        found = _indexes.get(key)
        if found is not None and found[0]() is grid:
            return found[1]
        _indexes[key] = (weakref.ref(grid, _forget(key)), index)
    return index


__all__ = ["GridIndex", "index_of"]
