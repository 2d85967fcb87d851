"""Where a grid's defaults are resolved: the one answer to "which method applies here?".

The validator, the compiler and ``vises show`` all ask these functions, so they can never
disagree about which normaliser, treatment, imputation, aggregator or coverage rule applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from vises.model import Grid, Indicator, Kind, Method, Node

#: Kinds whose default normaliser is the method of the same name (``scale``, ``binary``, ``category``).
_QUALITATIVE = (Kind.SCALE, Kind.BINARY, Kind.CATEGORY)


# -- effective methods ------------------------------------------------------------------------------


def _ancestors(grid: Grid, parent: str | None) -> Iterable[Node]:
    """The nodes above an item, nearest first (stops at unknown parents and at cycles)."""
    by_code = {node.code: node for node in grid.nodes}
    seen: set[str] = set()
    while parent is not None and parent in by_code and parent not in seen:
        seen.add(parent)
        node = by_code[parent]
        yield node
        parent = node.parent


def effective_normaliser(grid: Grid, indicator: Indicator) -> Method:
    """The normaliser that applies to ``indicator``.

    Its own; else the nearest ancestor node's ``normaliser``; else, for scale, binary and category
    indicators, the method of that name with the ``low``/``high`` of the grid default (0 and 100
    when the default does not say); else the grid default.
    """
    if indicator.normaliser is not None:
        return indicator.normaliser
    for node in _ancestors(grid, indicator.parent):
        if node.normaliser is not None:
            return node.normaliser
    default = grid.defaults.normaliser
    if indicator.kind in _QUALITATIVE:
        low = default.params.get("low", 0.0)
        high = default.params.get("high", 100.0)
        return Method(name=indicator.kind.value, params={"low": low, "high": high})
    return default


def _stage(own: Method | None, default: Method | None, indicator: Indicator) -> Method | None:
    """An optional stage's method: the indicator's own, else (quantities only) the default; "none" is off."""
    method = own if own is not None else (default if indicator.kind is Kind.QUANTITY else None)
    return None if method is None or method.name == "none" else method


def effective_treatment(grid: Grid, indicator: Indicator) -> Method | None:
    """The outlier treatment of ``indicator``, or ``None`` (off: the default)."""
    return _stage(indicator.treatment, grid.defaults.treatment, indicator)


def effective_imputation(grid: Grid, indicator: Indicator) -> Method | None:
    """The imputation of ``indicator``, or ``None`` (off: the default, so no value is invented)."""
    return _stage(indicator.imputation, grid.defaults.imputation, indicator)


def effective_aggregator(grid: Grid, node: Node) -> Method:
    """The node's own aggregator, else the grid default."""
    return node.aggregator if node.aggregator is not None else grid.defaults.aggregator


def effective_min_coverage(grid: Grid, node: Node) -> float:
    """The node's own minimum coverage (share of its weight present, 0–1), else the grid default."""
    return float(node.min_coverage if node.min_coverage is not None else grid.defaults.min_coverage)
