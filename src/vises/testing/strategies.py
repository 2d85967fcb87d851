"""Hypothesis strategies for vises: valid grids and datasets that fit them.

Plugin authors use them to test their normalisers, aggregators and report formats on many
shapes of grid::

    from hypothesis import given
    from vises.testing.strategies import grids, datasets_for

    @given(grids().flatmap(lambda g: datasets_for(g).map(lambda d: (g, d))))
    def test_my_report(pair): ...

Every generated grid passes ``vises.validation.grid.validate_grid`` (without method lookups).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from vises.model import Column, Dataset, Defaults, Direction, Grid, Indicator, Kind, Level, Method, Node, Pooling

_CODE = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789_", max_size=11),
)
_TEXT = st.text(
    st.characters(max_codepoint=0x2FF, exclude_categories=("Cs", "Cc")) | st.sampled_from("éèàçœ€–’ ëïĳ"),
    min_size=1,
    max_size=20,
)
_LABELS = st.dictionaries(st.sampled_from(("fr", "nl", "en")), _TEXT, max_size=3)
_WEIGHT = st.floats(min_value=0.1, max_value=10, allow_nan=False, allow_infinity=False)
_PARAM = st.one_of(st.integers(-100, 100), st.floats(-100, 100, allow_nan=False), st.text(max_size=8), st.booleans())


def methods(names: tuple[str, ...] = ("minmax", "zscore", "rank", "goalposts")) -> st.SearchStrategy[Method]:
    """A method with a name from ``names`` and a few plain parameters."""
    return st.builds(
        lambda name, params: Method(name=name, params=params),
        st.sampled_from(names),
        st.dictionaries(_CODE.filter(lambda k: k != "method"), _PARAM, max_size=2),
    )


@st.composite
def _indicator(draw: Any, code: str, parent: str) -> Indicator:
    kind = draw(st.sampled_from([Kind.QUANTITY, Kind.QUANTITY, Kind.SCALE, Kind.BINARY, Kind.CATEGORY]))
    levels: tuple[Level, ...] = ()
    if kind is Kind.SCALE:
        levels = tuple(Level(value=str(i), label=draw(_LABELS)) for i in range(1, draw(st.integers(2, 5)) + 1))
    elif kind is Kind.CATEGORY:
        names = draw(st.lists(_CODE, min_size=2, max_size=4, unique=True))
        levels = tuple(Level(value=name, score=float(draw(st.integers(0, 10)))) for name in names)
    minimum = maximum = None
    if kind is Kind.QUANTITY and draw(st.booleans()):
        minimum = float(draw(st.integers(-10, 0)))
        maximum = minimum + float(draw(st.integers(1, 1000)))
    direction = draw(st.sampled_from([Direction.HIGHER, Direction.LOWER, Direction.TARGET]))
    return Indicator(
        code=code,
        label=draw(_LABELS),
        kind=kind,
        unit=draw(st.sampled_from([None, "hour", "person", "EUR", "percent"])) if kind is Kind.QUANTITY else None,
        direction=direction,
        target=float(draw(st.integers(0, 100))) if direction is Direction.TARGET else None,
        minimum=minimum,
        maximum=maximum,
        levels=levels,
        parent=parent,
        weight=draw(_WEIGHT),
        normaliser=draw(st.one_of(st.none(), methods())) if kind is Kind.QUANTITY else None,
        denominator=draw(st.one_of(st.none(), st.just(f"{code}_size"))) if kind is Kind.QUANTITY else None,
        imputation=draw(st.one_of(st.none(), methods(("mean", "median", "previous"))))
        if kind is Kind.QUANTITY
        else None,
        treatment=draw(st.one_of(st.none(), methods(("winsorise", "clip", "log")))) if kind is Kind.QUANTITY else None,
        tags=tuple(draw(st.lists(_CODE, max_size=2))),
        source=draw(st.one_of(st.none(), _TEXT)),
    )


@st.composite
def grids(draw: Any, *, max_nodes: int = 6, max_indicators: int = 12) -> Grid:
    """A consistent grid: one root, every node with at least one child, positive weights."""
    n_nodes = draw(st.integers(1, max_nodes))
    n_indicators = draw(st.integers(n_nodes, max(n_nodes, max_indicators)))
    codes = draw(st.lists(_CODE, min_size=n_nodes + n_indicators, max_size=n_nodes + n_indicators, unique=True))
    node_codes, rest = codes[:n_nodes], codes[n_nodes:]
    nodes = [Node(code=node_codes[0], label=draw(_LABELS))]
    for i, code in enumerate(node_codes[1:], start=1):
        parent = node_codes[draw(st.integers(0, i - 1))]
        nodes.append(
            Node(
                code=code,
                label=draw(_LABELS),
                parent=parent,
                weight=draw(_WEIGHT),
                aggregator=draw(st.one_of(st.none(), st.just(Method(name="arithmetic")))),
                min_coverage=draw(st.one_of(st.none(), st.floats(0, 1))),
            )
        )
    has_child = {node.parent for node in nodes}
    leaves = [code for code in node_codes if code not in has_child]
    # Every childless node gets an indicator first; the others go anywhere.
    parents = leaves + [node_codes[draw(st.integers(0, n_nodes - 1))] for _ in range(len(rest) - len(leaves))]
    indicators = [draw(_indicator(code, parent)) for code, parent in zip(rest, parents, strict=True)]
    return Grid(
        code=draw(_CODE),
        version=draw(st.sampled_from(["1", "2024.1", "0.3"])),
        label=draw(_LABELS),
        description=draw(_LABELS),
        languages=tuple(draw(st.lists(st.sampled_from(("fr", "nl", "en")), min_size=1, max_size=3, unique=True))),
        nodes=tuple(nodes),
        indicators=tuple(indicators),
        defaults=Defaults(
            normaliser=Method(name="minmax", params={"low": 0.0, "high": 100.0}),
            aggregator=Method(name="arithmetic"),
            min_coverage=draw(st.floats(0, 1)),
            pooling=draw(st.sampled_from(list(Pooling))),
            imputation=draw(st.one_of(st.none(), st.just(Method(name="mean")))),
            treatment=draw(st.one_of(st.none(), st.just(Method(name="winsorise", params={"winmax": 3})))),
        ),
        source=draw(st.one_of(st.none(), _TEXT)),
    )


@st.composite
def datasets_for(draw: Any, grid: Grid, *, max_rows: int = 8, missing: bool = True) -> Dataset:
    """A dataset for ``grid``: values within each indicator's range and levels, some missing."""
    organisations = draw(st.lists(_CODE, min_size=1, max_size=max_rows, unique=True))
    periods = draw(st.lists(st.sampled_from(["2022", "2023", "2024"]), min_size=1, max_size=2, unique=True))
    rows = [(org, period) for org in organisations for period in periods]
    n = len(rows)
    columns: dict[str, Column] = {}
    for ind in grid.scored_indicators:
        gaps = draw(st.lists(st.booleans(), min_size=n, max_size=n)) if missing else [False] * n
        if ind.kind is Kind.QUANTITY:
            low = ind.minimum if ind.minimum is not None else -1000.0
            high = ind.maximum if ind.maximum is not None else 1000.0
            values = draw(st.lists(st.floats(low, high, allow_nan=False), min_size=n, max_size=n))
            array = np.where(gaps, np.nan, np.asarray(values, dtype=np.float64))
            columns[ind.code] = Column(values=array, unit=ind.unit)
            if ind.denominator:
                # A size of 1 keeps the ratio within the indicator's range.
                columns[ind.denominator] = Column(values=np.ones(n))
        else:
            allowed = list(ind.level_scores())
            picks = draw(st.lists(st.sampled_from(allowed), min_size=n, max_size=n))
            columns[ind.code] = Column(
                values=np.array([None if gap else pick for gap, pick in zip(gaps, picks, strict=True)], dtype=object)
            )
    return Dataset(
        organisations=np.array([org for org, _ in rows], dtype=object),
        periods=np.array([period for _, period in rows], dtype=object),
        columns=columns,
    )


__all__ = ["datasets_for", "grids", "methods"]
