"""Which elements does a ranking rest on? Score without each one in turn (COINr's ``remove_elements``)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
import numpy as np

from vises.analysis._common import check_code, compile_checked, labels_of, load
from vises.analysis.comparison import Comparison, compare
from vises.analysis.words import number, rank_text, table, word
from vises.errors import ConfigError
from vises.model import Dataset, Grid, Indicator, Node

__all__ = ["Removals", "remove_elements"]


# -- remove_elements -----------------------------------------------------------------------------
@attrs.frozen(kw_only=True, eq=False)
class Removals(Mapping[str, Comparison]):
    """For each element removed in turn, the comparison of the ranking without it to the full one.

    A read-only mapping ``element code -> Comparison``, in the grid's order. ``dropped[element]``
    says what was actually taken out: removing the last scored child of a node removes the node too.
    """

    code: str
    comparisons: Mapping[str, Comparison]
    dropped: Mapping[str, str]
    labels: Mapping[str, Mapping[str | None, str]]

    def __getitem__(self, element: str) -> Comparison:
        try:
            return self.comparisons[element]
        except KeyError:
            raise ConfigError(
                f"{element!r} was not removed in this analysis", hint=f"removed: {', '.join(self.comparisons)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.comparisons)

    def __len__(self) -> int:
        return len(self.comparisons)

    def ranking(self) -> list[str]:
        """Elements from the most to the least important (mean absolute rank shift, then max)."""

        def key(element: str) -> tuple[float, float]:
            c = self.comparisons[element]
            return (-np.nan_to_num(c.mean_abs_rank_shift, nan=-1.0), -np.nan_to_num(c.max_abs_rank_shift, nan=-1.0))

        return sorted(self.comparisons, key=key)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per element, most important first."""
        out = []
        for element in self.ranking():
            c = self.comparisons[element]
            out.append(
                {
                    "element": element,
                    "dropped": self.dropped[element],
                    "mean_abs_rank_shift": None if math.isnan(c.mean_abs_rank_shift) else c.mean_abs_rank_shift,
                    "max_abs_rank_shift": None if math.isnan(c.max_abs_rank_shift) else c.max_abs_rank_shift,
                    "min_spearman": None if math.isnan(c.min_spearman) else c.min_spearman,
                    "periods": c.summary_records(),
                }
            )
        return out

    def table(self, lang: str | None = None) -> str:
        w = lang or "en"
        rows = []
        for element in self.ranking():
            c = self.comparisons[element]
            dropped = self.dropped[element]
            rows.append(
                (
                    element,
                    self.labels[element].get(lang, element),
                    dropped if dropped != element else "",
                    number(c.mean_abs_rank_shift, lang, 2),
                    rank_text(c.max_abs_rank_shift, lang),
                    number(c.min_spearman, lang, 3),
                )
            )
        headers = [
            word("removed", w),
            "",
            word("also_removed", w),
            word("mean_shift", w),
            word("max_shift", w),
            word("min_spearman", w),
        ]
        return table(rows, headers)


def _children_of(grid: Grid) -> dict[str, list[str]]:
    children: dict[str, list[str]] = {node.code: [] for node in grid.nodes}
    items: tuple[Node | Indicator, ...] = (*grid.nodes, *grid.scored_indicators)
    for item in items:
        if item.parent is not None:
            children[item.parent].append(item.code)
    return children


def _to_drop(grid: Grid, element: str, children: Mapping[str, list[str]], parent_of: Mapping[str, str | None]) -> str:
    """The element, or its highest ancestor left without any scored child once it is gone."""
    dropped = element
    parent = parent_of[dropped]
    while parent is not None and len(children[parent]) == 1:
        if parent_of[parent] is None:
            raise ConfigError(
                f"removing {element!r} would leave grid {grid.code!r} with nothing to score", node=element
            )
        dropped, parent = parent, parent_of[parent]
    return dropped


def remove_elements(
    grid: Grid | str | Any,
    data: Dataset | Any,
    *,
    level: int | None = None,
    codes: Iterable[str] | None = None,
    code: str | None = None,
    top: int = 10,
) -> Removals:
    """Score the grid without each element in turn and compare each ranking of ``code`` with the full one.

    The elements are every scored indicator (default), every node ``level`` steps below the root
    (1 = the root's children), or ``codes``. Weights renormalise over the remaining siblings. The
    dataset is read once; each variant is the grid with one ``drop`` (``io.variants.apply_variant``).
    """
    from vises.engine.score import score
    from vises.io.variants import apply_variant

    if level is not None and codes is not None:
        raise ConfigError("give either level or codes, not both", path="level")
    loaded, dataset, registry = load(grid, data)
    compiled = compile_checked(loaded, registry, what=f"grid {loaded.code!r}")
    target = check_code(compiled, code)
    if codes is not None:
        elements = [str(c) for c in codes]
        for element in elements:
            if element not in compiled.column_of:
                raise ConfigError(
                    f"cannot remove {element!r}: grid {loaded.code!r} scores no such node or indicator", path="codes"
                )
    elif level is not None:
        if not isinstance(level, int) or isinstance(level, bool) or level < 1:
            raise ConfigError(
                f"level must be a whole number >= 1 (1 = the root's children), got {level!r}", path="level"
            )
        elements = [node.code for node in loaded.nodes if compiled.depth_of.get(node.code) == level]
        if not elements:
            depths = sorted({compiled.depth_of[node.code] for node in compiled.nodes} - {0})
            raise ConfigError(
                f"grid {loaded.code!r} has no aggregate at level {level} (levels counted below the root)",
                path="level",
                hint=(
                    f"levels with aggregates: {', '.join(map(str, depths)) or 'none'}; or remove indicators (no level)"
                ),
            )
    else:
        elements = [item.code for item in compiled.indicators]
    if not elements:
        raise ConfigError("no element to remove", path="codes")
    if compiled.root in elements:
        raise ConfigError(f"the root {compiled.root!r} cannot be removed", path="codes")

    base = score(compiled, dataset, registry=registry)
    children, parent_of = _children_of(loaded), dict(compiled.parent_of)
    comparisons: dict[str, Comparison] = {}
    dropped: dict[str, str] = {}
    labels: dict[str, Mapping[str | None, str]] = {}
    for element in dict.fromkeys(elements):
        gone = _to_drop(loaded, element, children, parent_of)
        above: str | None = target
        while above is not None and above != gone:
            above = parent_of.get(above)
        if above == gone:
            raise ConfigError(
                f"removing {element!r} removes {target!r}, the node being compared",
                node=element,
                hint="compare a node above it (the root by default)",
            )
        variant_grid = apply_variant(loaded, {"drop": [gone]})
        variant = score(
            compile_checked(variant_grid, registry, what=f"grid {loaded.code!r} without {element!r}"),
            dataset,
            registry=registry,
            unused_columns="ignore",  # the removed indicators' columns stay in the data
        )
        comparisons[element] = compare(base, variant, code=target, top=top)
        dropped[element] = gone
        labels[element] = labels_of(base, element)
    return Removals(code=target, comparisons=comparisons, dropped=dropped, labels=labels)
