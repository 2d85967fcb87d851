"""Score a dataset against a compiled grid, one column at a time.

The steps, each a whole-column numpy operation: take an indicator's column, turn qualitative
levels into their scores (once per distinct value), convert its unit (one multiply-add), fit the
normaliser (on all periods pooled, or per period) and apply it straight into the score matrix;
then aggregate every node from its children's block of that matrix, bottom-up. Nothing here loops
over rows or calls pint or a hook per value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import numpy as np

from .compile import CompiledGrid, CompiledIndicator, CompiledNode, MethodLookup, compile_grid
from .errors import ConfigError, DataError, DataValidationError, MethodError, VisesError
from .model import Column, Dataset, Grid, Kind, Pooling
from .records import FitContext
from .results import Results


def score(
    grid: Grid | CompiledGrid,
    data: Dataset,
    *,
    pooling: Pooling | str | None = None,
    registry: MethodLookup | None = None,
    reference: Results | Mapping[str, Mapping[str, Any]] | None = None,
) -> Results:
    """Score every organisation and period of ``data`` on ``grid``.

    ``pooling`` overrides the grid's choice of fitting data-dependent normalisation parameters on all
    periods at once (``"pooled"``) or per period (``"per_period"``). ``registry`` supplies the methods
    (default: the plugin registry, with every installed plugin's normalisers and aggregators).
    ``reference`` reuses the normalisation parameters of earlier results (or a ``fitted`` mapping)
    instead of fitting them on ``data``: a centre that joins later, or scores itself alone, is then
    placed on the network's scale.
    """
    if registry is None:
        from .plugins import get_registry

        registry = get_registry()
    compiled = grid if isinstance(grid, CompiledGrid) else compile_grid(grid, registry)
    pooling = Pooling(pooling) if pooling is not None else compiled.grid.defaults.pooling

    n = len(data)
    period_labels = np.asarray(data.periods).astype(str, copy=False)
    period_values, period_codes = period_index(period_labels)
    scores = np.empty((n, len(compiled.codes)), dtype=np.float64, order="F")

    raws, texts, not_applicable, problems, missing_reasons = _prepare_columns(compiled, data)
    if problems:
        raise DataValidationError(problems, what=_describe(data))

    reused = _reference_parameters(compiled, reference)
    reused_stages = _reference_stages(compiled, reference)
    fitted: dict[str, dict[str, Any]] = {}
    fitted_imputation: dict[str, dict[str, Any]] = {}
    fitted_treatment: dict[str, dict[str, Any]] = {}
    imputed: dict[str, np.ndarray] = {}
    treated: dict[str, np.ndarray] = {}
    for item in compiled.indicators:
        values = raws[item.code]
        # The optional stages, in COINr's order: (denominate, done above) impute, treat, normalise.
        if item.imputer is not None:
            values, mask, fitted_imputation[item.code] = _impute(
                item, values, not_applicable.get(item.code), data, period_labels, reused_stages.get(("imputation", item.code))
            )
            if mask.any():
                raws[item.code] = values
                imputed[item.code] = mask
        if item.treater is not None:
            values, fitted_treatment[item.code] = _treat(
                item, values, data, period_labels, period_values, period_codes, pooling, reused_stages.get(("treatment", item.code))
            )
            treated[item.code] = values
        if item.code in reused:
            fitted[item.code] = _apply_reference(item, values, scores[:, item.column], reused[item.code], period_values, period_codes)
            continue
        fitted[item.code] = _normalise(
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
        provenance=_provenance(compiled, registry, pooling),
        fitted_imputation=fitted_imputation,
        fitted_treatment=fitted_treatment,
        imputed=imputed,
        treated=treated,
        missing_reasons=missing_reasons,
    )


def period_index(labels: np.ndarray, *, few: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct periods and each row's position among them (like ``np.unique``'s inverse).

    A dataset has a handful of periods: one equality pass per distinct value beats sorting a
    million strings. Past ``few`` distinct values it falls back to ``np.unique``.
    """
    codes = np.full(len(labels), -1, dtype=np.intp)
    found: list[str] = []
    start = 0
    while True:
        pending = np.flatnonzero(codes[start:] < 0)
        if len(pending) == 0:
            break
        if len(found) == few:
            values, inverse = np.unique(labels, return_inverse=True)
            return values, inverse.reshape(-1).astype(np.intp, copy=False)
        start += int(pending[0])
        value = labels[start]
        codes[labels == value] = len(found)
        found.append(value)
    values = np.array(sorted(found), dtype=labels.dtype)
    order = np.argsort(np.array(found, dtype=labels.dtype), kind="stable")
    remap = np.empty(len(found), dtype=np.intp)
    remap[order] = np.arange(len(found))
    return values, remap[codes] if len(found) else codes


def _describe(data: Dataset) -> str:
    return f"dataset {data.source!r}" if data.source else "dataset"


def _prepare_columns(
    compiled: CompiledGrid, data: Dataset
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray], list[VisesError], dict[str, dict[str, np.ndarray]]]:
    """Raw numeric columns in each indicator's unit (divided by their denominators), qualitative text,
    N/A masks, all problems found, and the reasons (text -> row mask) rows became missing here."""
    from . import units

    raws: dict[str, np.ndarray] = {}
    texts: dict[str, np.ndarray] = {}
    not_applicable: dict[str, np.ndarray] = {}
    problems: list[VisesError] = []
    reasons: dict[str, dict[str, np.ndarray]] = {}
    n = len(data)
    for item in compiled.indicators:
        indicator = item.indicator
        column = data.columns.get(item.code)
        if column is None:
            problems.append(
                DataError(
                    "the grid's indicator has no column in the data",
                    indicator=item.code,
                    file=data.source,
                    hint="add the column (leave its cells empty when the values are missing)",
                )
            )
            continue
        if len(column.values) != n:
            problems.append(DataError(f"column has {len(column.values)} values for {n} rows", column=item.code, file=data.source))
            continue
        if column.not_applicable is not None and column.not_applicable.any():
            not_applicable[item.code] = np.asarray(column.not_applicable, dtype=bool)
        try:
            if indicator.kind in (Kind.SCALE, Kind.CATEGORY, Kind.BINARY):
                raw, text = _levels_to_scores(item, column, data)
                texts[item.code] = text
            elif item.denominator is not None:
                raw, why = _denominated(item, column, data)
                if why:
                    reasons[item.code] = why
            else:
                raw = _quantity(item, column, data, units)
        except VisesError as exc:
            problems.append(exc)
            continue
        if item.code in not_applicable:
            raw = np.where(not_applicable[item.code], np.nan, raw)
        raws[item.code] = raw
    return raws, texts, not_applicable, problems, reasons


def _denominated(item: CompiledIndicator, column: Column, data: Dataset) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The indicator divided by its denominator column, in the declared unit; why rows became missing."""
    from .denominate import divide, ratio_conversion

    name = item.denominator
    denominator = data.columns.get(name) if name is not None else None
    if denominator is None or not denominator.numeric:
        raise DataError(
            f"the denominator column {name!r} is {'missing' if denominator is None else 'not numeric'}",
            indicator=item.code,
            column=name,
            file=data.source,
            hint="add the column with one number per row (read the data with the grid so it is parsed as numbers)",
        )
    if not column.numeric:
        raise DataError("expected numbers but the column holds text", column=item.code, indicator=item.code, file=data.source)
    factor = ratio_conversion(column.unit, denominator.unit, item.indicator.unit, indicator=item.code)
    ratio, not_positive, absent = divide(column.values, denominator.values, factor)
    why = {}
    if not_positive.any():
        why[f"denominator {name!r} is 0 or negative"] = not_positive
    if absent.any():
        why[f"denominator {name!r} is missing"] = absent
    return ratio, why


def _impute(
    item: CompiledIndicator,
    values: np.ndarray,
    not_applicable: np.ndarray | None,
    data: Dataset,
    period_labels: np.ndarray,
    reused: Mapping[str, Any] | None,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Fill missing cells only (never present or N/A ones); returns the values, the filled mask, the fit."""
    from .records import ImputeContext

    spec = item.imputer
    assert spec is not None and item.imputation is not None
    context = ImputeContext(indicator=item.indicator, organisations=data.organisations, periods=period_labels, attributes=data.attributes)
    try:
        fitted = dict(reused) if reused is not None else dict(spec.fit(values, params=item.imputation.params, context=context))
        missing = np.isnan(values)
        if not_applicable is not None:
            missing &= ~not_applicable
        if not missing.any():
            return values, missing, fitted
        candidate = np.asarray(spec.apply(values, fitted, context=context), dtype=np.float64)
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc
    if candidate.shape != values.shape:
        raise MethodError(f"imputer {item.imputation.describe()!r} returned {candidate.shape[0]} values for {values.shape[0]} rows", indicator=item.code)
    filled = missing & np.isfinite(candidate)
    if not filled.any():
        return values, filled, fitted
    out = values.copy()
    out[filled] = candidate[filled]
    fitted["imputed"] = int(filled.sum())
    return out, filled, fitted


def _treat(
    item: CompiledIndicator,
    values: np.ndarray,
    data: Dataset,
    period_labels: np.ndarray,
    period_values: np.ndarray,
    period_codes: np.ndarray,
    pooling: Pooling,
    reused: Mapping[str, Any] | None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Fit (pooled or per period, like the normaliser) and apply the outlier treatment; a new array."""
    spec, params = item.treater, item.treatment.params if item.treatment is not None else {}
    assert spec is not None
    try:
        if reused is not None:
            if "per_period" not in reused:
                return np.asarray(spec.apply(values, reused), dtype=np.float64), dict(reused)
            per_period = reused["per_period"]
            absent = [str(p) for p in period_values if str(p) not in per_period]
            if absent:
                raise ConfigError(
                    f"the reference treated outliers per period and has no bounds for period(s) {', '.join(absent)}",
                    hint="use a pooled reference, or score periods the reference knows",
                )
            fits = {str(p): per_period[str(p)] for p in period_values}
        elif pooling is Pooling.POOLED or len(period_values) == 1:
            context = FitContext(indicator=item.indicator, organisations=data.organisations, periods=period_labels)
            fitted = dict(spec.fit(values, params=params, context=context))
            return np.asarray(spec.apply(values, fitted), dtype=np.float64), fitted
        else:
            fits = {}
            for code, period in enumerate(period_values):
                rows = np.flatnonzero(period_codes == code)
                context = FitContext(indicator=item.indicator, organisations=data.organisations[rows], periods=period_labels[rows])
                fits[str(period)] = dict(spec.fit(values[rows], params=params, context=context))
        out = np.empty_like(values, dtype=np.float64)
        for code, period in enumerate(period_values):
            rows = np.flatnonzero(period_codes == code)
            out[rows] = spec.apply(values[rows], fits[str(period)])
        return out, {"per_period": fits}
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc


def _quantity(item: CompiledIndicator, column: Column, data: Dataset, units: Any) -> np.ndarray:
    if not column.numeric:
        raise DataError(
            "expected numbers but the column holds text",
            column=item.code,
            indicator=item.code,
            file=data.source,
            hint="read the data with the grid (load_data(..., grid=grid)) so values are parsed as numbers",
        )
    values = np.asarray(column.values, dtype=np.float64)
    declared = item.indicator.unit
    if column.unit is None or declared is None:
        if column.unit is not None and declared is None and units.parse_unit(column.unit) != units.parse_unit(None):
            raise DataError(
                f"the column is in {column.unit!r} but the indicator declares no unit",
                column=item.code,
                indicator=item.code,
                file=data.source,
                hint="declare the indicator's unit in the grid, or drop the unit from the column header",
            )
        return values
    factor, offset = units.conversion(column.unit, declared, column=item.code, indicator=item.code)
    if factor == 1.0 and offset == 0.0:
        return values
    converted = values * factor
    if offset:
        converted += offset
    return converted


def _levels_to_scores(item: CompiledIndicator, column: Column, data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Map level values to scores once per distinct value; unknown levels are reported together."""
    scores_of = item.indicator.level_scores()
    values = np.asarray(column.values)
    if column.numeric:
        # Numeric codes for levels ("1".."5" written as numbers): compare as text without ".0".
        text = _numeric_text(values.astype(np.float64))
    else:
        text = values.astype(object)
    missing = (text == None) | (text == "")  # noqa: E711 - elementwise on an object array
    filled = np.where(missing, "", text).astype(str)
    distinct, inverse = np.unique(filled, return_inverse=True)
    lookup = np.empty(len(distinct), dtype=np.float64)
    unknown = []
    for i, value in enumerate(distinct):
        if value == "":
            lookup[i] = np.nan
        elif value in scores_of:
            lookup[i] = scores_of[value]
        else:
            unknown.append(value)
            lookup[i] = np.nan
    if unknown:
        first_rows = [int(np.flatnonzero(filled == value)[0]) + 1 for value in unknown]
        raise DataError(
            f"values {unknown!r} are not levels of this indicator (first at data rows {first_rows})",
            column=item.code,
            indicator=item.code,
            file=data.source,
            hint=f"allowed values: {sorted(scores_of)}",
        )
    text = text.copy()
    text[missing] = None
    return lookup[inverse.reshape(-1)], text


def _numeric_text(values: np.ndarray) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    finite = ~np.isnan(values)
    integral = finite & (values == np.round(values))
    out[~finite] = None
    out[integral] = values[integral].astype(np.int64).astype(str)
    rest = finite & ~integral
    out[rest] = values[rest].astype(str)
    return out


def _normalise(
    item: CompiledIndicator,
    raw: np.ndarray,
    target: np.ndarray,
    data: Dataset,
    period_labels: np.ndarray,
    period_values: np.ndarray,
    period_codes: np.ndarray,
    pooling: Pooling,
) -> dict[str, Any]:
    """Fit and apply one indicator's normaliser, writing into its column of the score matrix."""
    spec, params = item.spec, item.method.params
    try:
        if pooling is Pooling.POOLED or not spec.data_dependent or len(period_values) == 1:
            context = FitContext(indicator=item.indicator, organisations=data.organisations, periods=period_labels)
            fitted = spec.fit(raw, direction=item.direction, params=params, context=context)
            target[:] = spec.apply(raw, fitted)
            return dict(fitted)
        per_period: dict[str, Any] = {}
        for code, period in enumerate(period_values):
            rows = np.flatnonzero(period_codes == code)
            context = FitContext(indicator=item.indicator, organisations=data.organisations[rows], periods=period_labels[rows])
            fitted = spec.fit(raw[rows], direction=item.direction, params=params, context=context)
            target[rows] = spec.apply(raw[rows], fitted)
            per_period[str(period)] = dict(fitted)
        return {"per_period": per_period}
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc


def _reference_parameters(compiled: CompiledGrid, reference: Any) -> dict[str, Mapping[str, Any]]:
    """Fitted parameters to reuse, checked against the methods this grid uses for each indicator."""
    if reference is None:
        return {}
    if isinstance(reference, Results):
        methods = reference.provenance.get("methods", {})
        problems = [
            f"{item.code}: {item.method.describe()} here, {methods[item.code]} in the reference"
            for item in compiled.indicators
            if item.code in methods and methods[item.code] != item.method.describe()
        ]
        if problems:
            raise ConfigError(
                "the reference results were normalised with other methods: " + "; ".join(problems),
                hint="score against results of the same grid",
            )
        table: Mapping[str, Mapping[str, Any]] = reference.fitted
    else:
        table = reference
    missing = [item.code for item in compiled.indicators if item.code not in table]
    if missing:
        raise ConfigError(
            f"the reference has no fitted parameters for {', '.join(missing)}",
            hint="use results scored on the same grid as the reference",
        )
    return {item.code: table[item.code] for item in compiled.indicators}


def _reference_stages(compiled: CompiledGrid, reference: Any) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Imputation and treatment parameters of the reference, checked against this grid's methods.

    A lone centre scored against a network gets the network's treatment bounds and imputed values,
    not ones fitted on itself. Only ``Results`` carry them; a bare ``fitted`` mapping cannot serve
    a grid that uses these stages.
    """
    staged = [item for item in compiled.indicators if item.imputer is not None or item.treater is not None]
    if reference is None or not staged:
        return {}
    if not isinstance(reference, Results):
        raise ConfigError(
            "the grid imputes or treats outliers, so the reference must be earlier Results (a fitted mapping holds only the normalisers' parameters)",
            hint="pass the Results of the network's scoring as reference",
        )
    out: dict[tuple[str, str], Mapping[str, Any]] = {}
    problems = []
    for stage, methods_key, table in (
        ("imputation", "imputations", reference.fitted_imputation),
        ("treatment", "treatments", reference.fitted_treatment),
    ):
        theirs = reference.provenance.get(methods_key, {})
        for item in staged:
            method = getattr(item, stage)
            mine = None if method is None else method.describe()
            if theirs.get(item.code) != mine:
                problems.append(f"{item.code}: {stage} {mine or 'off'} here, {theirs.get(item.code) or 'off'} in the reference")
            elif method is not None and item.code in table:
                out[(stage, item.code)] = table[item.code]
    if problems:
        raise ConfigError("the reference results used other methods: " + "; ".join(problems), hint="score against results of the same grid")
    return out


def _apply_reference(
    item: CompiledIndicator,
    raw: np.ndarray,
    target: np.ndarray,
    fitted: Mapping[str, Any],
    period_values: np.ndarray,
    period_codes: np.ndarray,
) -> dict[str, Any]:
    """Apply parameters fitted elsewhere; per-period parameters need the same periods."""
    try:
        if "per_period" not in fitted:
            target[:] = item.spec.apply(raw, fitted)
            return dict(fitted)
        per_period = fitted["per_period"]
        absent = [str(p) for p in period_values if str(p) not in per_period]
        if absent:
            raise ConfigError(
                f"the reference was normalised per period and has no parameters for period(s) {', '.join(absent)}",
                indicator=item.code,
                hint="use a pooled reference, or score periods the reference knows",
            )
        for code, period in enumerate(period_values):
            rows = np.flatnonzero(period_codes == code)
            target[rows] = item.spec.apply(raw[rows], per_period[str(period)])
        return {"per_period": {str(p): per_period[str(p)] for p in period_values}}
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc


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


def _provenance(compiled: CompiledGrid, registry: Any, pooling: Pooling) -> dict[str, Any]:
    from . import __version__

    plugins: Mapping[str, str] = {}
    if hasattr(registry, "provenance"):
        try:
            plugins = dict(registry.provenance())
        except Exception:  # provenance is informative; never let it break scoring
            plugins = {}
    methods = {item.code: item.method.describe() for item in compiled.indicators}
    methods.update({node.code: node.method.describe() for node in compiled.nodes})
    stages = {
        "denominators": {item.code: item.denominator for item in compiled.indicators if item.denominator is not None},
        "imputations": {item.code: item.imputation.describe() for item in compiled.indicators if item.imputation is not None},
        "treatments": {item.code: item.treatment.describe() for item in compiled.indicators if item.treatment is not None},
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
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        # Only the optional stages in use are recorded, so results without them look as before.
        **{key: value for key, value in stages.items() if value},
    }
