"""Compile a grid once into the arrays the scoring engine runs on.

A ``CompiledGrid`` fixes the column order of the score matrix and, for every aggregate, the slice
(or index array) of its children and their weights; for every indicator, its resolved normaliser.
Compiling validates the grid (all problems at once) and looks every method up in the registry, so
that scoring itself never meets an unknown name, and a grid compiled once can score many datasets.

Column order: scored indicators in depth-first tree order (so siblings are contiguous), then the
aggregates in reverse breadth-first order (children always before parents, siblings contiguous,
root last). With the score matrix in Fortran order, a node's children are then usually one
contiguous block that aggregators read without a copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import numpy as np

from vises.contract.records import AggregatorSpec, ImputerSpec, NormaliserSpec, TreatmentSpec
from vises.errors import GridValidationError
from vises.model import Direction, Grid, Indicator, Kind, Method, Node

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results
    from vises.engine.scorer import Scorer


class MethodLookup(Protocol):
    """What compiling needs from the plugin registry: its method catalogues (name -> spec)."""

    @property
    def normalisers(self) -> Mapping[str, NormaliserSpec]: ...

    @property
    def aggregators(self) -> Mapping[str, AggregatorSpec]: ...

    @property
    def treatments(self) -> Mapping[str, TreatmentSpec]: ...

    @property
    def imputers(self) -> Mapping[str, ImputerSpec]: ...


@attrs.frozen(kw_only=True)
class CompiledIndicator:
    code: str
    column: int
    indicator: Indicator
    method: Method
    spec: NormaliserSpec
    direction: int
    #: Optional stages before normalising; ``None`` when off (a method named "none" is off too).
    denominator: str | None = None
    imputation: Method | None = None
    imputer: ImputerSpec | None = None
    treatment: Method | None = None
    treater: TreatmentSpec | None = None


@attrs.frozen(kw_only=True, eq=False)
class CompiledNode:
    code: str
    column: int
    node: Node
    children: tuple[str, ...]
    #: ``slice`` of the score matrix when the children are contiguous, else an index array.
    child_columns: slice | np.ndarray
    child_index: np.ndarray
    weights: np.ndarray
    method: Method
    spec: AggregatorSpec
    min_coverage: float


@attrs.frozen(kw_only=True, eq=False)
class CompiledGrid:
    grid: Grid
    codes: tuple[str, ...]
    column_of: Mapping[str, int]
    indicators: tuple[CompiledIndicator, ...]
    #: Bottom-up: every node comes after all of its descendants.
    nodes: tuple[CompiledNode, ...]
    parent_of: Mapping[str, str | None]
    depth_of: Mapping[str, int]
    narrative: tuple[str, ...]
    node_index: Mapping[str, int]

    @property
    def root(self) -> str:
        return self.nodes[-1].code

    def node(self, code: str) -> CompiledNode:
        return self.nodes[self.node_index[code]]

    def __repr__(self) -> str:
        return (
            f"<CompiledGrid {self.grid.code!r} version {self.grid.version!r}: {len(self.indicators)} indicators, "
            f"{len(self.nodes)} aggregates>"
        )

    def scorer(
        self,
        reference: Results | Mapping[str, Mapping[str, Any]],
        *,
        period: str | None = None,
        units: Mapping[str, str | None] | None = None,
    ) -> Scorer:
        """A callable that scores one organisation's values against ``reference``'s parameters, fast.

        The web-form case: ``score_one = compiled.scorer(network_results)`` once, then
        ``score_one({"hours": 12.5, "quality": "3"})`` per organisation gives every code's score
        in well under a millisecond (docs/scoring.md, "Scoring one organisation"). ``period``
        picks the parameters of one period when the reference was fitted per period; ``units``
        gives the unit of an input that is not in its indicator's declared unit.
        """
        from vises.engine.scorer import Scorer

        return Scorer(self, reference, period=period, units=units)


#: Compiled grids kept by ``compiled_for``: the grids a process scores again and again are few.
COMPILED_CACHE_SIZE = 32

_compiled_lock = threading.Lock()
_compiled: OrderedDict[tuple[Grid, int], tuple[MethodLookup, CompiledGrid]] = OrderedDict()


def compiled_for(grid: Grid, lookup: MethodLookup) -> CompiledGrid:
    """``compile_grid(grid, lookup)``, kept for the next call with the same grid and the same registry.

    A ``Grid`` is frozen and hashable (its hash is computed once), so scoring the same grid again
    costs a dictionary lookup instead of validating and compiling it. The registry is part of the
    key by identity: another registry may resolve the same method names to other code. The cache
    holds the ``COMPILED_CACHE_SIZE`` grids used last; a grid that fails validation is not kept.
    """
    try:
        key = (grid, id(lookup))
        hash(key)
    except TypeError:  # a grid holding an unhashable value (built in Python): compile it each time
        return compile_grid(grid, lookup)
    with _compiled_lock:
        found = _compiled.get(key)
        if found is not None and found[0] is lookup:
            _compiled.move_to_end(key)
            return found[1]
    compiled = compile_grid(grid, lookup)
    with _compiled_lock:
        _compiled[key] = (lookup, compiled)
        _compiled.move_to_end(key)
        while len(_compiled) > COMPILED_CACHE_SIZE:
            _compiled.popitem(last=False)
    return compiled


def clear_compiled() -> None:
    """Forget every compiled grid (after the registry's methods changed, and in tests)."""
    with _compiled_lock:
        _compiled.clear()


def compile_grid(grid: Grid, lookup: MethodLookup) -> CompiledGrid:
    """Validate ``grid`` and compile it; raises ``GridValidationError`` listing every problem."""
    from vises.validation.grid import (
        check_grid,
        effective_aggregator,
        effective_imputation,
        effective_min_coverage,
        effective_normaliser,
        effective_treatment,
    )

    normalisers, aggregators = lookup.normalisers, lookup.aggregators
    treatments, imputers = lookup.treatments, lookup.imputers
    check_grid(grid, normalisers=normalisers, aggregators=aggregators, treatments=treatments, imputers=imputers)

    members: tuple[Node | Indicator, ...] = (*grid.nodes, *grid.scored_indicators)
    children: dict[str, list[str]] = {node.code: [] for node in grid.nodes}
    for item in members:
        if item.parent is not None:
            children[item.parent].append(item.code)
    root = grid.root.code

    # Indicators depth-first, so the indicators of one node sit side by side.
    indicator_order: list[str] = []
    indicator_codes = {ind.code for ind in grid.scored_indicators}
    stack = [root]
    while stack:
        code = stack.pop()
        if code in indicator_codes:
            indicator_order.append(code)
            continue
        stack.extend(reversed(children.get(code, [])))

    # Aggregates in reverse breadth-first order: children before parents, siblings together.
    bfs: list[str] = []
    queue = deque([root])
    depth_of: dict[str, int] = {root: 0}
    while queue:
        code = queue.popleft()
        if code in indicator_codes:
            continue
        bfs.append(code)
        below = children.get(code, [])
        for kid in below:
            depth_of[kid] = depth_of[code] + 1
        queue.extend(below)
    node_order = list(reversed(bfs))

    codes = tuple(indicator_order + node_order)
    column_of = {code: i for i, code in enumerate(codes)}
    parent_of: dict[str, str | None] = {item.code: item.parent for item in members}

    compiled_indicators = []
    for code in indicator_order:
        indicator = grid.indicator(code)
        method = effective_normaliser(grid, indicator)
        imputation = effective_imputation(grid, indicator)
        treatment = effective_treatment(grid, indicator)
        compiled_indicators.append(
            CompiledIndicator(
                code=code,
                column=column_of[code],
                indicator=indicator,
                method=method,
                spec=normalisers[method.name],
                direction=-1 if indicator.direction is Direction.LOWER else 1,
                denominator=indicator.denominator,
                imputation=imputation,
                imputer=None if imputation is None else imputers[imputation.name],
                treatment=treatment,
                treater=None if treatment is None else treatments[treatment.name],
            )
        )

    weight_of = {item.code: float(item.weight) for item in members}
    compiled_nodes = []
    for code in node_order:
        node = grid.node(code)
        kids: tuple[str, ...] = tuple(children[code])
        index = np.array([column_of[kid] for kid in kids], dtype=np.intp)
        contiguous = len(index) > 0 and np.array_equal(index, np.arange(index[0], index[0] + len(index)))
        method = effective_aggregator(grid, node)
        compiled_nodes.append(
            CompiledNode(
                code=code,
                column=column_of[code],
                node=node,
                children=kids,
                child_columns=slice(int(index[0]), int(index[0]) + len(index)) if contiguous else index,
                child_index=index,
                weights=np.array([weight_of[kid] for kid in kids], dtype=np.float64),
                method=method,
                spec=aggregators[method.name],
                min_coverage=float(effective_min_coverage(grid, node)),
            )
        )

    return CompiledGrid(
        grid=grid,
        codes=codes,
        column_of=column_of,
        indicators=tuple(compiled_indicators),
        nodes=tuple(compiled_nodes),
        parent_of=parent_of,
        depth_of=depth_of,
        narrative=tuple(ind.code for ind in grid.indicators if ind.kind is Kind.NARRATIVE),
        node_index={node.code: i for i, node in enumerate(compiled_nodes)},
    )


__all__ = [
    "COMPILED_CACHE_SIZE",
    "CompiledGrid",
    "CompiledIndicator",
    "CompiledNode",
    "GridValidationError",
    "clear_compiled",
    "compile_grid",
    "compiled_for",
]
