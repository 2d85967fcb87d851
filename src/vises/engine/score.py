"""Score a dataset against a compiled grid, one column at a time.

The steps, each a whole-column numpy operation: check the dataset and turn each indicator's column
into raw numbers (``validation.dataset.check_dataset``, the very checks ``validate`` runs: levels,
units, ranges, denominators, duplicates), run the optional stages and the normaliser straight into
the score matrix (``stages``), then aggregate every node from its children's block of that matrix,
bottom-up. Nothing here loops over rows or calls pint or a hook per value. A ``Grid`` is compiled
once and kept (``compile.compiled_for``), so scoring it again costs no validation.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.engine.compile import CompiledGrid, CompiledNode, MethodLookup, compiled_for
from vises.engine.results import Results
from vises.engine.stages import apply_reference, impute, normalise, reference_parameters, reference_stages, treat
from vises.errors import ConfigError, DataValidationError, DataWarning, MethodError, VisesError
from vises.model import Dataset, Grid, Method, Pooling
from vises.validation.dataset import UnusedColumns, check_dataset

if TYPE_CHECKING:
    from vises.engine.saved import SavedRound


def score(
    grid: Grid | CompiledGrid,
    data: Dataset,
    *,
    pooling: Pooling | str | None = None,
    registry: MethodLookup | None = None,
    reference: Results | SavedRound | Mapping[str, Mapping[str, Any]] | None = None,
    unused_columns: UnusedColumns = "error",
) -> Results:
    """Score every organisation and period of ``data`` on ``grid``.

    ``pooling`` overrides the grid's choice of fitting data-dependent normalisation parameters on all
    periods at once (``"pooled"``) or per period (``"per_period"``). ``registry`` supplies the methods
    (default: the plugin registry, with every installed plugin's normalisers and aggregators).
    ``reference`` reuses the normalisation parameters of earlier results (or a ``fitted`` mapping)
    instead of fitting them on ``data``: a centre that joins later, or scores itself alone, is then
    placed on the network's scale.

    The data is checked exactly as ``validate`` checks it; any problem raises one
    ``DataValidationError`` listing them all, and warnings (framing keyed to unknown codes, rows
    whose denominator is 0) are emitted as ``DataWarning``. ``unused_columns="ignore"`` lets a
    variant of a grid score data read for the whole grid.
    """
    if registry is None:
        from vises.plugins import get_registry

        registry = get_registry()
    compiled = grid if isinstance(grid, CompiledGrid) else compiled_for(grid, registry)
    pooling = Pooling(pooling) if pooling is not None else compiled.grid.defaults.pooling

    checked = check_dataset(compiled.grid, data, unused_columns=unused_columns)
    if checked.problems:
        raise DataValidationError(checked.problems, what=_describe(data))
    emit_warnings(checked.warnings)
    raws, texts, not_applicable, missing_reasons = checked.raws, checked.texts, checked.not_applicable, checked.reasons

    n = len(data)
    period_labels, period_values, period_codes = checked.period_labels, checked.period_values, checked.period_codes
    scores = np.empty((n, len(compiled.codes)), dtype=np.float64, order="F")

    reused = reference_parameters(compiled, reference)
    reused_stages = reference_stages(compiled, reference)
    fitted: dict[str, dict[str, Any]] = {}
    fitted_imputation: dict[str, dict[str, Any]] = {}
    fitted_treatment: dict[str, dict[str, Any]] = {}
    imputed: dict[str, np.ndarray] = {}
    treated: dict[str, np.ndarray] = {}
    given = dict(raws)  # before imputation, for imputers that look along a row (siblings)
    family: dict[str | None, list[Any]] = {}
    for other in compiled.indicators:
        family.setdefault(other.indicator.parent, []).append(other)
    for item in compiled.indicators:
        values = raws[item.code]
        # The optional stages, in COINr's order: (denominate, done above) impute, treat, normalise.
        if item.imputer is not None:
            values, mask, fitted_imputation[item.code] = impute(
                item,
                values,
                not_applicable.get(item.code),
                data,
                period_labels,
                reused_stages.get(("imputation", item.code)),
                {
                    other.code: (given[other.code], other.direction)
                    for other in family[item.indicator.parent]
                    if other.code != item.code and other.code in given
                },
            )
            if mask.any():
                raws[item.code] = values
                imputed[item.code] = mask
        if item.treater is not None:
            values, fitted_treatment[item.code] = treat(
                item,
                values,
                data,
                period_labels,
                period_values,
                period_codes,
                pooling,
                reused_stages.get(("treatment", item.code)),
            )
            treated[item.code] = values
        if item.code in reused:
            fitted[item.code] = apply_reference(
                item, values, scores[:, item.column], reused[item.code], period_values, period_codes
            )
            continue
        fitted[item.code] = normalise(
            item, values, scores[:, item.column], data, period_labels, period_values, period_codes, pooling
        )

    groups = period_codes.astype(np.intp, copy=False)
    for node in compiled.nodes:
        _aggregate(node, scores, groups)

    return Results(
        compiled=compiled,
        dataset=data,
        scores=scores,
        raws=raws,
        raw_texts=texts,
        not_applicable=not_applicable,
        fitted=fitted,
        period_codes=period_codes,
        period_values=tuple(str(p) for p in period_values),
        provenance=_provenance(compiled, registry, pooling) | _data_provenance(data) | _reference_provenance(reference),
        fitted_imputation=fitted_imputation,
        fitted_treatment=fitted_treatment,
        imputed=imputed,
        treated=treated,
        missing_reasons=missing_reasons,
    )


def emit_warnings(found: Iterable[VisesError]) -> None:
    """Each warning of a dataset check as a ``DataWarning`` (shown by the command line as ``Warning: ...``)."""
    for problem in found:
        warnings.warn(DataWarning(problem), stacklevel=3)


def _describe(data: Dataset) -> str:
    return f"dataset {data.source!r}" if data.source else "dataset"


def _aggregate(node: CompiledNode, scores: np.ndarray, groups: np.ndarray) -> None:
    """Aggregate a node's children into its column, applying its minimum coverage first."""
    block = scores[:, node.child_columns]
    if node.min_coverage > 0.0:
        present_weight = (~np.isnan(block)) @ node.weights
        total = node.weights.sum()
        too_thin = present_weight < node.min_coverage * total - 1e-12
        if too_thin.any():
            block = block.copy()
            block[too_thin, :] = np.nan
    try:
        scores[:, node.column] = node.spec.aggregate(
            block, node.weights, params=node.method.params, groups=groups if node.spec.across_rows else None
        )
    except VisesError as exc:
        raise exc.with_context(node=node.code) from exc
    except (ValueError, TypeError, FloatingPointError) as exc:
        raise MethodError(f"aggregator {node.method.describe()!r} failed: {exc}", node=node.code) from exc


def aggregate_only(
    compiled: CompiledGrid,
    scores: np.ndarray,
    groups: np.ndarray,
    weights: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Recompute every aggregate column of ``scores`` in place from the indicator columns already in it.

    Normalisation does not depend on weights, so a weight sensitivity analysis normalises once and
    calls this for each draw. ``weights`` maps a node code to its children's weights (in the order of
    ``CompiledNode.children``); other nodes keep the grid's. ``groups`` are the period codes of the rows.
    """
    import attrs

    chosen = weights or {}
    for node in compiled.nodes:
        new = chosen.get(node.code)
        if new is not None:
            new = np.asarray(new, dtype=np.float64)
            if new.shape != node.weights.shape:
                raise ConfigError(f"expected {len(node.weights)} child weights, got {new.shape}", node=node.code)
            node = attrs.evolve(node, weights=new)
        _aggregate(node, scores, groups)


def described() -> Callable[[Method], str]:
    """``Method.describe`` remembered per method: a grid of 100,000 indicators shares a handful."""
    seen: dict[Method, str] = {}

    def describe(method: Method) -> str:
        try:
            return seen[method]
        except KeyError:
            text = seen[method] = method.describe()
            return text
        except TypeError:  # parameters that cannot be hashed
            return method.describe()

    return describe


def _data_provenance(data: Dataset) -> dict[str, Any]:
    """What the data's reading left out on request (``--ignore``): named wherever provenance goes."""
    return {"ignored_columns": list(data.ignored)} if data.ignored else {}


def _reference_provenance(reference: Any) -> dict[str, Any]:
    """Whose scale the scores are on when fitted parameters were reused (a report must say so)."""
    if reference is None:
        return {}
    from vises.engine.saved import SavedRound

    if isinstance(reference, Results):
        return {"reference": {"source": reference.dataset.source, "rows": len(reference)}}
    if isinstance(reference, SavedRound):
        source = f"round {reference.name}" if reference.name else "a saved round"
        return {"reference": {"source": source, "rows": len(reference.organisations)}}
    return {"reference": {"source": None, "rows": None}}


def _provenance(compiled: CompiledGrid, registry: Any, pooling: Pooling) -> dict[str, Any]:
    from vises._version import __version__

    plugins: Mapping[str, str] = {}
    if hasattr(registry, "provenance"):
        try:
            plugins = dict(registry.provenance())
        except Exception:  # provenance is informative; never let it break scoring
            plugins = {}
    describe = described()
    methods = {item.code: describe(item.method) for item in compiled.indicators}
    methods.update({node.code: describe(node.method) for node in compiled.nodes})
    stages = {
        "denominators": {item.code: item.denominator for item in compiled.indicators if item.denominator is not None},
        "imputations": {
            item.code: describe(item.imputation) for item in compiled.indicators if item.imputation is not None
        },
        "treatments": {
            item.code: describe(item.treatment) for item in compiled.indicators if item.treatment is not None
        },
    }
    # Which plugin contributed each method in use, so a score can be traced to the code behind it.
    method_plugins = {item.method.name: item.spec.plugin or "vises" for item in compiled.indicators}
    method_plugins.update({node.method.name: node.spec.plugin or "vises" for node in compiled.nodes})
    for item in compiled.indicators:
        for method, spec in ((item.imputation, item.imputer), (item.treatment, item.treater)):
            if method is not None and spec is not None:
                method_plugins[method.name] = spec.plugin or "vises"
    grid = compiled.grid
    return {
        "vises_version": __version__,
        "grid": grid.code,
        "grid_version": grid.version,
        "grid_plugin": grid.plugin,
        "plugins": plugins,
        "methods": methods,
        "method_plugins": method_plugins,
        "pooling": pooling.value,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        # Only the optional stages in use are recorded, so results without them look as before.
        **{key: value for key, value in stages.items() if value},
    }
