"""Where a grid's defaults are resolved: the one answer to "which method applies here?".

The validator, the compiler and ``vises show`` all ask these functions, so they can never
disagree about which normaliser, treatment, imputation, aggregator or coverage rule applies.
"""

from __future__ import annotations

from vises.model import Grid, Indicator, Kind, Method, Node

#: Kinds whose default normaliser is the method of the same name (``scale``, ``binary``, ``category``).
_QUALITATIVE = (Kind.SCALE, Kind.BINARY, Kind.CATEGORY)


# -- effective methods ------------------------------------------------------------------------------


def inherited_normalisers(grid: Grid) -> dict[str, Method | None]:
    """For every node, the normaliser its indicators inherit: its own, else its nearest ancestor's.

    Computed once per grid, parents before children, so a grid 10,000 levels deep costs one pass.
    Nodes under an unknown parent or in a cycle (which validation reports) inherit what the nodes
    above them up to that point give.
    """
    index = grid.index
    table: dict[str, Method | None] | None = index.derived.get("inherited_normalisers")
    if table is not None:
        return table
    table = {}
    for code in index.top_down:
        node = index.node_by_code[code]
        above = table.get(node.parent) if node.parent is not None else None
        table[code] = node.normaliser if node.normaliser is not None else above
    for start in grid.nodes:
        if start.code in table:
            continue
        # Unreachable from a root: walk up to a known node, a missing parent or a repeat, then fill down.
        path: list[Node] = []
        seen: set[str] = set()
        walk: str | None = start.code
        while walk is not None and walk in index.node_by_code and walk not in table and walk not in seen:
            seen.add(walk)
            node = index.node_by_code[walk]
            path.append(node)
            walk = node.parent
        above = table.get(walk) if walk is not None else None
        for node in reversed(path):
            above = node.normaliser if node.normaliser is not None else above
            table[node.code] = above
    index.derived["inherited_normalisers"] = table
    return table


def effective_normaliser(grid: Grid, indicator: Indicator) -> Method:
    """The normaliser that applies to ``indicator``.

    Its own; else the nearest ancestor node's ``normaliser``; else, for scale and binary indicators,
    the method of that name with the ``low``/``high`` of the grid default (0 and 100 when the default
    does not say), and for category indicators ``category`` (the category's own score, no parameters);
    else the grid default.
    """
    if indicator.normaliser is not None:
        return indicator.normaliser
    if indicator.parent is not None:
        inherited = inherited_normalisers(grid).get(indicator.parent)
        if inherited is not None:
            return inherited
    default = grid.defaults.normaliser
    if indicator.kind is Kind.CATEGORY:
        return _CATEGORY
    if indicator.kind in _QUALITATIVE:
        low = default.params.get("low", 0.0)
        high = default.params.get("high", 100.0)
        return Method(name=indicator.kind.value, params={"low": low, "high": high})
    return default


_CATEGORY = Method(name="category")


def _stage(own: Method | None, default: Method | None, indicator: Indicator) -> Method | None:
    """An optional stage's method: the indicator's own, else (quantities only) the default; "none" is off."""
    method = own if own is not None else (default if indicator.is_number else None)
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
