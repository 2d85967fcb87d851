"""What the analysis modules share: loading once, compiling with clear errors, read-only arrays, row keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.engine.arrays import frozen, indicator_codes, none, period_rows, whole
from vises.errors import ConfigError, DataError, GridValidationError
from vises.model import Dataset, Grid, Method

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.compile import CompiledGrid
    from vises.engine.results import Results

#: Rows are keyed "period<US>organisation": sorting the keys sorts by period, then organisation.
SEP = "\x1f"
LANGS = (None, "fr", "nl", "en")


def labels_of(results: Results, code: str) -> dict[str | None, str]:
    return {lang: results.label(code, lang) for lang in LANGS}


def period_groups(periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct periods and each row's index into them (as the scoring engine computes them)."""
    values, codes = np.unique(np.asarray(periods).astype(str), return_inverse=True)
    return values, codes.reshape(-1).astype(np.intp)


def row_keys(results: Results, side: str) -> np.ndarray:
    """One key per row; repeated (organisation, period) rows cannot be matched and are an error."""
    keys = np.char.add(np.char.add(results.periods.astype(str), SEP), results.organisations.astype(str))
    distinct, counts = np.unique(keys, return_counts=True)
    if (counts > 1).any():
        period, organisation = str(distinct[counts > 1][0]).split(SEP, 1)
        raise DataError(
            f"the {side} results have {int((counts > 1).sum())} repeated (organisation, period) row(s), "
            f"first {organisation!r} in {period!r}; rows cannot be matched",
            hint="score a dataset with one row per organisation and period",
        )
    return keys


def load(grid: Grid | str | Any, data: Dataset | Any) -> tuple[Grid, Dataset, Any]:
    """The grid and dataset (read once), and the registry scoring will use."""
    from vises.engine.load import load_data, load_grid
    from vises.plugins import get_registry

    loaded = load_grid(grid)
    return loaded, load_data(data, grid=loaded), get_registry()


def compile_checked(grid: Grid, registry: Any, *, what: str) -> CompiledGrid:
    """Compile a grid an analysis built; its problems become one ``ConfigError`` saying which variant."""
    from vises.engine.compile import compile_grid

    try:
        return compile_grid(grid, registry)
    except GridValidationError as exc:
        problems = "; ".join(str(p) for p in exc.problems) or str(exc)
        raise ConfigError(f"{what} is not a valid grid: {problems}") from exc


def check_code(compiled: CompiledGrid, code: str | None, *, path: str = "code") -> str:
    """``code`` if the grid scores it (the root when ``None``), else a ``ConfigError`` listing the aggregates."""
    if code is None:
        return compiled.root
    if code not in compiled.column_of:
        raise ConfigError(
            f"{code!r} is not a scored node or indicator of grid {compiled.grid.code!r}",
            path=path,
            hint=f"aggregates: {', '.join(node.code for node in reversed(compiled.nodes))}",
        )
    return code


def check_runs(runs: int, *, rows: int | None = None, what: str | None = None) -> None:
    """Refuse a sensitivity analysis past the limits ``sensitivity_runs`` and ``sensitivity_cells``
    (runs × rows, the size of its rank matrix), before any work, naming how to raise them."""
    from vises.limits import current_limits, exceeded

    limits = current_limits()
    if runs > limits.sensitivity_runs:
        raise exceeded("sensitivity_runs", runs, what or "the runs asked for", path="runs")
    if rows is not None and runs * rows > limits.sensitivity_cells:
        raise exceeded("sensitivity_cells", runs * rows, f"{runs:,} runs × {rows:,} rows", path="runs")


def as_method(value: str | Method | Mapping[str, Any], path: str) -> Method:
    """A method given by name, as a ``Method``, or as a table ``{method = ..., params...}``."""
    if isinstance(value, Method):
        return value
    if isinstance(value, str) and value.strip():
        return Method(name=value.strip())
    if isinstance(value, Mapping) and isinstance(value.get("method"), str):
        return Method(name=value["method"], params={k: v for k, v in value.items() if k != "method"})
    raise ConfigError(f"expected a method name, a Method or a table with 'method', got {value!r}", path=path)


def with_methods(
    grid: Grid,
    *,
    aggregator: Method | None = None,
    normaliser: Method | None = None,
    imputation: Method | None = None,
    treatment: Method | None = None,
    replace_imputation: bool = False,
    replace_treatment: bool = False,
) -> Grid:
    """The grid with one method everywhere for each stage given: the default, and no overrides.

    ``replace_imputation`` / ``replace_treatment`` set the stage even to ``None`` (off).
    """
    defaults, nodes, indicators = grid.defaults, grid.nodes, grid.indicators
    if aggregator is not None:
        defaults = attrs.evolve(defaults, aggregator=aggregator)
        nodes = tuple(attrs.evolve(node, aggregator=None) for node in nodes)
    if normaliser is not None:
        defaults = attrs.evolve(defaults, normaliser=normaliser)
        nodes = tuple(attrs.evolve(node, normaliser=None) for node in nodes)
        indicators = tuple(attrs.evolve(ind, normaliser=None) for ind in indicators)
    if imputation is not None or replace_imputation:
        defaults = attrs.evolve(defaults, imputation=imputation)
        indicators = tuple(attrs.evolve(ind, imputation=None) for ind in indicators)
    if treatment is not None or replace_treatment:
        defaults = attrs.evolve(defaults, treatment=treatment)
        indicators = tuple(attrs.evolve(ind, treatment=None) for ind in indicators)
    return attrs.evolve(grid, defaults=defaults, nodes=nodes, indicators=indicators)


# -- reading a Results ------------------------------------------------------------------------------
def measured(results: Results, code: str) -> np.ndarray:
    """Rows where the indicator holds a value that was collected (not missing, not imputed)."""
    return np.asarray(~np.isnan(results.raw(code)) & ~results.imputed(code))


def aggregate_children(results: Results, node: str, path: str) -> tuple[str, ...]:
    """The children of aggregate ``node``; an indicator or unknown code is a ``ConfigError``."""
    if node not in results.codes:
        raise ConfigError(
            f"{node!r} is not a node of grid {results.grid.code!r}",
            path=path,
            hint=f"aggregates: {', '.join(c for c in results.codes if not results.is_indicator(c))}",
        )
    if results.is_indicator(node):
        raise ConfigError(f"{node!r} is an indicator; it has no children to check", path=path, node=node)
    return results.children(node)


def dimension_of(results: Results, code: str) -> str | None:
    """The top-level dimension (the root's child) above ``code``; None for the root."""
    above: str | None = code
    while above is not None and results.parent(above) not in (None, results.compiled.root):
        above = results.parent(above)
    return None if above == results.compiled.root else above


def score_block(results: Results, codes: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """The scores of ``codes`` on ``rows``, one column each."""
    return np.column_stack([results.score(code)[rows] for code in codes])


def complete_rows(block: np.ndarray) -> np.ndarray:
    """The rows of a block where every column has a value (COINr's complete cases)."""
    return np.asarray(block[~np.isnan(block).any(axis=1)])


__all__ = [
    "LANGS",
    "SEP",
    "aggregate_children",
    "as_method",
    "check_code",
    "compile_checked",
    "complete_rows",
    "dimension_of",
    "frozen",
    "indicator_codes",
    "labels_of",
    "load",
    "measured",
    "none",
    "period_groups",
    "period_rows",
    "row_keys",
    "score_block",
    "whole",
    "with_methods",
]
