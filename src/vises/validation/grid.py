"""Grid validation: every problem at once, each naming where it is and how to fix it.

Dataset validation lives in ``dataset`` and the resolution of defaults in ``effective``; both are
re-exported here, the one module callers import. Every check is linear in the grid's nodes and
indicators (lookups through the grid's index, no walk up the tree per item, no recursion), and a
grid past the limits of ``limits`` is refused before any other work.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any, TypedDict

from vises.errors import GridError, GridValidationError, MethodError, PluginError, VisesError, did_you_mean
from vises.limits import Limits, current_limits, environment_name
from vises.model import Direction, Grid, Indicator, Kind, Method, Node
from vises.validation.codes import code_problems
from vises.validation.collection import derived_problems
from vises.validation.dataset import validate_dataset
from vises.validation.effective import (
    _QUALITATIVE,
    effective_aggregator,
    effective_imputation,
    effective_min_coverage,
    effective_normaliser,
    effective_treatment,
)
from vises.validation.requirements import requirement_problems

# -- grid -----------------------------------------------------------------------------------------


_hint_for = did_you_mean

#: Codes of a cycle written out in its message; a longer one is shortened in the middle.
_CYCLE_SHOWN = 12


class _GridChecker:
    """Collects the problems of one grid; each ``check_*`` method adds to ``problems``."""

    def __init__(
        self,
        grid: Grid,
        *,
        normalisers: Mapping[str, Any] | None,
        aggregators: Mapping[str, Any] | None,
        file: str | None,
        treatments: Mapping[str, Any] | None = None,
        imputers: Mapping[str, Any] | None = None,
        iris_codes: Any = None,
    ) -> None:
        self.grid = grid
        self.iris_codes = iris_codes
        self.normalisers = normalisers
        self.aggregators = aggregators
        self.treatments = treatments
        self.imputers = imputers
        self.file = file
        self.problems: list[VisesError] = []
        self.index = grid.index
        self.node_by_code = self.index.node_by_code
        self.indicator_codes = self.index.indicator_by_code.keys()
        self.node_index = {node.code: i for i, node in enumerate(grid.nodes)}
        self._ranges: dict[Any, tuple[tuple[float | None, float | None] | None, str | None]] = {}

    def error(
        self,
        message: str,
        *,
        path: str | None = None,
        hint: str | None = None,
        kind: type[VisesError] = GridError,
        **where: Any,
    ) -> None:
        self.problems.append(kind(message, file=self.file, path=path, hint=hint, **where))

    def scored_children(self, code: str) -> list[Node | Indicator]:
        return [child for child in self.index.children.get(code, ()) if getattr(child, "scored", True)]

    def run(self) -> list[VisesError]:
        self.check_codes()
        self.check_labels()
        self.check_tree()
        self.check_weights()
        self.check_indicators()
        self.check_coverage()
        self.check_methods()
        self.check_stages()
        self.problems += code_problems(self.grid, iris_codes=self.iris_codes, file=self.file)
        self.problems += derived_problems(self.grid, file=self.file)
        self.problems += requirement_problems(self.grid, file=self.file)
        return self.problems

    def check_codes(self) -> None:
        seen: dict[str, str] = {}
        items = [(f"nodes[{i}]", n.code) for i, n in enumerate(self.grid.nodes)]
        items += [(f"indicators[{i}]", ind.code) for i, ind in enumerate(self.grid.indicators)]
        for place, code in items:
            if not code or not code.strip():
                self.error("a code must not be empty", path=f"{place}.code")
            elif code in seen:
                self.error(
                    f"duplicate code {code!r} (also at {seen[code]})",
                    path=f"{place}.code",
                    hint="give every node and indicator its own code",
                )
            else:
                seen[code] = place

    def check_labels(self) -> None:
        """Labels and descriptions are texts by language (a grid built in Python may hold a number)."""
        places: list[tuple[str, Any, dict[str, Any]]] = [("", self.grid, {})]
        places += [(f"nodes[{i}].", n, {"node": n.code}) for i, n in enumerate(self.grid.nodes)]
        places += [(f"indicators[{i}].", ind, {"indicator": ind.code}) for i, ind in enumerate(self.grid.indicators)]
        places += [
            (f"indicators[{i}].levels[{j}].", level, {"indicator": ind.code})
            for i, ind in enumerate(self.grid.indicators)
            for j, level in enumerate(ind.levels)
        ]
        for prefix, item, where in places:
            for field in ("label", "description"):
                for lang, text in getattr(item, field, {}).items():
                    if not isinstance(lang, str) or not isinstance(text, str):
                        self.error(
                            f"a {field} is a text by language, got {text!r} for {lang!r}",
                            path=f"{prefix}{field}.{lang}",
                            hint=f'write it as text, e.g. {field} = {{ fr = "Heures", en = "Hours" }}',
                            **where,
                        )

    def check_tree(self) -> None:
        roots = [node.code for node in self.grid.nodes if node.parent is None]
        if len(roots) != 1:
            listed = ", ".join(repr(code) for code in roots) or "none"
            self.error(
                f"a grid needs exactly one root node (a node without parent); found {len(roots)}: {listed}",
                path="nodes",
                hint="give every node but the top one a parent",
            )
        groups: tuple[tuple[str, tuple[Node | Indicator, ...]], ...] = (
            ("nodes", self.grid.nodes),
            ("indicators", self.grid.indicators),
        )
        for prefix, items in groups:
            for i, item in enumerate(items):
                where: dict[str, Any] = {"node": item.code} if prefix == "nodes" else {"indicator": item.code}
                path = f"{prefix}[{i}].parent"
                if item.parent is None:
                    if isinstance(item, Indicator) and item.scored:
                        self.error("an indicator needs a parent node", path=path, **where)
                elif item.parent in self.indicator_codes and item.parent not in self.node_by_code:
                    self.error(
                        f"parent {item.parent!r} is an indicator; only nodes can have children", path=path, **where
                    )
                elif item.parent not in self.node_by_code:
                    self.error(
                        f"unknown parent {item.parent!r}",
                        path=path,
                        hint=_hint_for(item.parent, self.node_by_code),
                        **where,
                    )
                elif item.parent == item.code:
                    self.error("a node cannot be its own parent", path=path, **where)
        # Each node is walked up once: a walk stops at a node an earlier walk has finished.
        finished: set[str] = set()
        for node in self.grid.nodes:
            chain: list[str] = []
            on_chain: dict[str, int] = {}
            code: str | None = node.code
            while code is not None and code in self.node_by_code and code not in finished:
                if code in on_chain:
                    cycle = [*chain[on_chain[code] :], code]
                    shown = " -> ".join(cycle)
                    if len(cycle) > _CYCLE_SHOWN:
                        shown = f"{' -> '.join(cycle[: _CYCLE_SHOWN - 2])} -> ... -> {cycle[-2]} -> {cycle[-1]} "
                        shown += f"({len(cycle) - 1} nodes)"
                    self.error(
                        f"the parents form a cycle: {shown}",
                        path=f"nodes[{self.node_index[code]}].parent",
                        node=code,
                    )
                    break
                on_chain[code] = len(chain)
                chain.append(code)
                code = self.node_by_code[code].parent
            finished.update(chain)

    def check_weights(self) -> None:
        groups: tuple[tuple[str, tuple[Node | Indicator, ...]], ...] = (
            ("nodes", self.grid.nodes),
            ("indicators", self.grid.indicators),
        )
        for prefix, items in groups:
            for i, item in enumerate(items):
                weight = item.weight
                if not math.isfinite(weight) or weight < 0:
                    where: dict[str, Any] = {"node" if prefix == "nodes" else "indicator": item.code}
                    self.error(
                        f"weight must be a finite number >= 0, got {weight!r}", path=f"{prefix}[{i}].weight", **where
                    )
        for i, node in enumerate(self.grid.nodes):
            children = self.scored_children(node.code)
            if not children:
                self.error(
                    "node has no children",
                    path=f"nodes[{i}]",
                    node=node.code,
                    hint="add indicators or sub-nodes under it, or drop it",
                )
            elif all(child.weight == 0 for child in children):
                self.error(
                    "all the weights of this node's children are 0, so it cannot be scored",
                    path=f"nodes[{i}]",
                    node=node.code,
                )

    def check_indicators(self) -> None:
        for i, ind in enumerate(self.grid.indicators):
            place = f"indicators[{i}]"
            if ind.kind in (Kind.SCALE, Kind.CATEGORY) and not ind.levels:
                self.error(f"a {ind.kind.value} indicator needs levels", path=f"{place}.levels", indicator=ind.code)
            if ind.kind is Kind.CATEGORY:
                for j, level in enumerate(ind.levels):
                    if level.score is None:
                        self.error(
                            f"category level {level.value!r} needs a score",
                            path=f"{place}.levels[{j}].score",
                            indicator=ind.code,
                        )
            counts = Counter(level.value for level in ind.levels)
            for value in (v for v, count in counts.items() if count > 1):
                self.error(f"level value {value!r} appears more than once", path=f"{place}.levels", indicator=ind.code)
            for j, level in enumerate(ind.levels):
                if level.score is not None and not math.isfinite(level.score):
                    self.error(
                        f"level score must be finite, got {level.score!r}",
                        path=f"{place}.levels[{j}].score",
                        indicator=ind.code,
                    )
            if ind.direction is Direction.TARGET and ind.target is None:
                self.error("direction 'target' needs a target value", path=f"{place}.target", indicator=ind.code)
            if ind.minimum is not None and ind.maximum is not None and ind.minimum > ind.maximum:
                self.error(
                    f"minimum {ind.minimum:g} is greater than maximum {ind.maximum:g}",
                    path=f"{place}.minimum",
                    indicator=ind.code,
                )
            if ind.unit is not None:
                if not ind.is_number:
                    self.error(
                        f"a {ind.kind.value} indicator takes no unit",
                        path=f"{place}.unit",
                        indicator=ind.code,
                        hint="remove the unit",
                    )
                else:
                    self.check_unit(ind.unit, place, ind.code)

    def check_unit(self, unit: str, place: str, code: str) -> None:
        from vises.units import check_unit  # pint loads only for a unit not answered before (vises.unit_answers)

        try:
            check_unit(unit)
        except VisesError as exc:
            self.error(exc.message, path=f"{place}.unit", indicator=code, hint=exc.hint, kind=type(exc))

    def check_coverage(self) -> None:
        places: list[tuple[str, float | None, str | None]] = [
            ("defaults.min_coverage", self.grid.defaults.min_coverage, None)
        ]
        places += [(f"nodes[{i}].min_coverage", n.min_coverage, n.code) for i, n in enumerate(self.grid.nodes)]
        for path, value, node in places:
            if value is not None and not (0.0 <= value <= 1.0):
                self.error(
                    f"min_coverage is a share of the weight and must be between 0 and 1, got {value!r}",
                    path=path,
                    node=node,
                )

    # -- methods ------------------------------------------------------------------------------------

    def _spec(
        self,
        table: Mapping[str, Any] | None,
        method: Method,
        *,
        kind: str,
        path: str,
        inherited: bool = False,
        **where: Any,
    ) -> Any:
        """The method's spec; an unknown name is reported where it is written, not where it is inherited."""
        if table is None:
            return None
        if method.name in table:
            return table[method.name]
        if inherited:
            return None
        self.error(
            f"unknown {kind} {method.name!r}",
            path=path,
            hint=_hint_for(method.name, list(table)) or f"see 'vises methods' for the {kind}s available",
            kind=MethodError,
            **where,
        )
        return None

    def _range(self, spec: Any, method: Method, *, path: str, **where: Any) -> tuple[float | None, float | None] | None:
        # Thousands of indicators share a handful of methods: ask each method's range once.
        key: tuple[int, Method] | None = (id(spec), method)
        try:
            known = self._ranges.get(key)
        except TypeError:  # parameters that cannot be hashed (an object built in Python): no memo
            key, known = None, None
        if known is None:
            try:
                low, high = spec.output_range(method.params)
                known = ((None if low is None else float(low), None if high is None else float(high)), None)
            except Exception as exc:  # a plugin's output_range may reject bad params in its own way
                known = (None, f"parameters of {method.describe()} are not valid: {exc}")
            if key is not None:
                self._ranges[key] = known
        found, message = known
        if message is not None:
            self.error(message, path=path, kind=MethodError, **where)
        return found

    def check_methods(self) -> None:
        grid = self.grid
        self._spec(self.normalisers, grid.defaults.normaliser, kind="normaliser", path="defaults.normaliser")
        self._spec(self.aggregators, grid.defaults.aggregator, kind="aggregator", path="defaults.aggregator")
        ranges: dict[str, tuple[float | None, float | None] | None] = {}
        for i, ind in enumerate(grid.indicators):
            if not ind.scored:
                continue
            method = effective_normaliser(grid, ind)
            path = f"indicators[{i}].normaliser"
            spec = self._spec(
                self.normalisers,
                method,
                kind="normaliser",
                path=path,
                inherited=ind.normaliser is None,
                indicator=ind.code,
            )
            if spec is None:
                continue
            kinds = tuple(getattr(spec, "kinds", ()) or ())
            # A rate is a number in a unit, normalised as a quantity is.
            judged = Kind.QUANTITY.value if ind.kind is Kind.RATE else ind.kind.value
            if kinds and judged not in kinds:
                self.error(
                    f"normaliser {method.name!r} does not accept {ind.kind.value} indicators (it takes "
                    f"{', '.join(kinds)})",
                    path=path,
                    indicator=ind.code,
                    kind=MethodError,
                    hint=f"set the indicator's normaliser, e.g. normaliser = {ind.kind.value!r}"
                    if ind.kind in _QUALITATIVE
                    else None,
                )
            ranges[ind.code] = self._range(spec, method, path=path, indicator=ind.code)
        for i, node in enumerate(grid.nodes):
            if node.normaliser is not None:
                self._spec(
                    self.normalisers, node.normaliser, kind="normaliser", path=f"nodes[{i}].normaliser", node=node.code
                )
        specs = {}
        for i, node in enumerate(grid.nodes):
            specs[node.code] = self._spec(
                self.aggregators,
                effective_aggregator(grid, node),
                kind="aggregator",
                path=f"nodes[{i}].aggregator",
                inherited=node.aggregator is None,
                node=node.code,
            )
        if self.normalisers is None or self.aggregators is None:
            return
        for code in self._bottom_up():
            node = self.node_by_code[code]
            children = self.scored_children(code)
            child_ranges = [ranges.get(child.code) for child in children]
            known = [r for r in child_ranges if r is not None]
            if known and len(known) == len(child_ranges):
                lows = [r[0] for r in known]
                highs = [r[1] for r in known]
                ranges[code] = (None if None in lows else min(lows), None if None in highs else max(highs))  # type: ignore[type-var]
            spec = specs.get(code)
            if spec is None or not getattr(spec, "requires_positive", False):
                continue
            offending = [
                child.code
                for child, r in zip(children, child_ranges, strict=True)
                if r is not None and (r[0] is None or r[0] <= 0) and child.weight > 0
            ]
            if offending:
                name = effective_aggregator(grid, node).name
                self.error(
                    f"aggregator {name!r} needs every child score > 0, but {', '.join(repr(c) for c in offending)} "
                    "can score 0 or less",
                    path=f"nodes[{self.node_index[code]}].aggregator",
                    node=code,
                    kind=MethodError,
                    hint="normalise to 1–100 instead of 0–100, e.g. "
                    'normaliser = { method = "minmax", low = 1, high = 100 } '
                    "(as COINr recommends), or use another aggregator such as 'arithmetic'",
                )

    def check_stages(self) -> None:
        """Denominators, imputation and treatment: names, parameters, and what they may apply to."""
        grid = self.grid
        for key, table in (("treatment", self.treatments), ("imputation", self.imputers)):
            default = getattr(grid.defaults, key)
            if default is not None:
                self._stage_method(table, default, key, path=f"defaults.{key}")
        node_codes = set(self.node_by_code)
        for i, ind in enumerate(grid.indicators):
            place = f"indicators[{i}]"
            if ind.denominator is not None and ind.kind is not Kind.RATE and ind.formula is None:
                if not ind.denominator.strip():
                    self.error(
                        "a denominator must name a dataset column", path=f"{place}.denominator", indicator=ind.code
                    )
                elif ind.denominator in node_codes:
                    self.error(
                        f"denominator {ind.denominator!r} is a node of the grid; a denominator is a dataset column "
                        "or a reported quantity indicator",
                        path=f"{place}.denominator",
                        indicator=ind.code,
                        hint="give the size (population, staff_fte) as its own column or context indicator",
                    )
                elif ind.denominator in self.indicator_codes:
                    other = self.index.indicator_by_code[ind.denominator]
                    if other.kind is not Kind.QUANTITY or other.derived or other.code == ind.code:
                        self.error(
                            f"denominator {ind.denominator!r} is a {other.kind.value} indicator"
                            + (" computed from others" if other.derived else "")
                            + "; a denominator is a reported quantity",
                            path=f"{place}.denominator",
                            indicator=ind.code,
                            hint='for a computed ratio declare kind = "rate" with a numerator, or write a formula',
                        )
                if ind.kind is not Kind.QUANTITY:
                    self.error(
                        f"a {ind.kind.value} indicator cannot have a denominator",
                        path=f"{place}.denominator",
                        indicator=ind.code,
                    )
            for key, table in (("treatment", self.treatments), ("imputation", self.imputers)):
                own = getattr(ind, key)
                if own is None:
                    continue
                if not ind.is_number and own.name != "none":
                    self.error(
                        f"{key} applies to quantity indicators only, not {ind.kind.value} ones",
                        path=f"{place}.{key}",
                        indicator=ind.code,
                        kind=MethodError,
                    )
                    continue
                self._stage_method(table, own, key, path=f"{place}.{key}", indicator=ind.code)

    def _stage_method(
        self, table: Mapping[str, Any] | None, method: Method, key: str, *, path: str, **where: Any
    ) -> None:
        noun = "treatment" if key == "treatment" else "imputer"
        spec = self._spec(table, method, kind=noun, path=path, **where)
        if spec is None:
            return
        try:
            spec.check(method.params)
        except PluginError as exc:  # a plugin's check broke its contract: keep who is to blame
            self.error(str(exc), path=path, kind=MethodError, **where)
        except VisesError as exc:
            self.error(exc.message, path=path, hint=exc.hint, kind=MethodError, **where)
        except Exception as exc:  # a plugin's check may fail in its own way
            self.error(f"parameters of {method.describe()} are not valid: {exc}", path=path, kind=MethodError, **where)

    def _bottom_up(self) -> list[str]:
        """Node codes, children before parents (nodes in cycles or under unknown parents left out)."""
        depth = self.index.depth
        codes = dict.fromkeys(node.code for node in self.grid.nodes if node.code in depth)
        return sorted(codes, key=lambda code: -depth[code])


def _limit_problems(grid: Grid, limits: Limits, file: str | None) -> list[VisesError]:
    """A grid past a limit gets that one problem, before any other work is spent on it."""
    size = len(grid.nodes) + len(grid.indicators)
    if size > limits.grid_items:
        return [
            GridError(
                f"the grid has {size:,} nodes and indicators, more than the limit grid_items = {limits.grid_items:,}",
                file=file,
                path="indicators",
                hint="raise the limit if the grid is meant to be this large: "
                f"{environment_name('grid_items')}={size}, or vises.use_limits(grid_items={size})",
            )
        ]
    levels = grid.index.levels
    if levels > limits.grid_levels:
        return [
            GridError(
                f"the grid is {levels:,} levels deep, more than the limit grid_levels = {limits.grid_levels:,}",
                file=file,
                path="nodes",
                hint="raise the limit if the grid is meant to be this deep: "
                f"{environment_name('grid_levels')}={levels}, or vises.use_limits(grid_levels={levels})",
            )
        ]
    return []


class MethodTables(TypedDict):
    normalisers: Mapping[str, Any]
    aggregators: Mapping[str, Any]
    treatments: Mapping[str, Any]
    imputers: Mapping[str, Any]


def method_tables(registry: Any) -> MethodTables:
    """The registry's method catalogues as ``validate_grid`` / ``check_grid`` keyword arguments,
    so every caller checks every kind of method (normalisers, aggregators, treatments, imputers)."""
    return MethodTables(
        normalisers=registry.normalisers,
        aggregators=registry.aggregators,
        treatments=registry.treatments,
        imputers=registry.imputers,
    )


def validate_grid(
    grid: Grid,
    *,
    normalisers: Mapping[str, Any] | None = None,
    aggregators: Mapping[str, Any] | None = None,
    file: str | None = None,
    treatments: Mapping[str, Any] | None = None,
    imputers: Mapping[str, Any] | None = None,
    iris_codes: Any = None,
    limits: Limits | None = None,
) -> list[VisesError]:
    """Every problem of ``grid`` (an empty list when it is consistent).

    Method names are checked only when the ``normalisers`` / ``aggregators`` / ``treatments`` /
    ``imputers`` mappings (name -> spec) are given; so is the rule that ``requires_positive``
    aggregators get positive inputs. IRIS+ ids are checked against ``iris_codes`` (ids or a code
    list file; default: the ``VISES_IRIS_CODES`` file, if set) besides their pattern. A grid past
    ``limits`` (default: ``current_limits()``) gets only that problem.
    """
    too_large = _limit_problems(grid, limits if limits is not None else current_limits(), file)
    if too_large:
        return too_large
    checker = _GridChecker(
        grid,
        normalisers=normalisers,
        aggregators=aggregators,
        file=file,
        treatments=treatments,
        imputers=imputers,
        iris_codes=iris_codes,
    )
    return checker.run()


def check_grid(
    grid: Grid,
    *,
    normalisers: Mapping[str, Any] | None = None,
    aggregators: Mapping[str, Any] | None = None,
    file: str | None = None,
    treatments: Mapping[str, Any] | None = None,
    imputers: Mapping[str, Any] | None = None,
    iris_codes: Any = None,
    limits: Limits | None = None,
) -> Grid:
    """Return ``grid`` unchanged, or raise ``GridValidationError`` listing all its problems."""
    problems = validate_grid(
        grid,
        normalisers=normalisers,
        aggregators=aggregators,
        file=file,
        treatments=treatments,
        imputers=imputers,
        iris_codes=iris_codes,
        limits=limits,
    )
    if problems:
        where = f"grid {grid.code!r}" + (f" ({file})" if file else "")
        raise GridValidationError(problems, what=where)
    return grid


__all__ = [
    "check_grid",
    "effective_aggregator",
    "effective_imputation",
    "effective_min_coverage",
    "effective_normaliser",
    "effective_treatment",
    "validate_dataset",
    "validate_grid",
]
