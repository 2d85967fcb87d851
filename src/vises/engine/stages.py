"""The per-indicator stages after the raw numbers: impute, treat outliers, normalise.

Each stage fits its parameters (pooled over all periods, or per period) and applies them to a
whole column, or reuses the parameters of reference results so a newcomer lands on the same scale.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from vises.contract.records import FitContext
from vises.engine.compile import CompiledGrid, CompiledIndicator
from vises.engine.results import Results
from vises.errors import ConfigError, MethodError, VisesError
from vises.model import Dataset, Pooling


def impute(
    item: CompiledIndicator,
    values: np.ndarray,
    not_applicable: np.ndarray | None,
    data: Dataset,
    period_labels: np.ndarray,
    reused: Mapping[str, Any] | None,
    siblings: Mapping[str, tuple[np.ndarray, int]] | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Fill missing cells only (never present or N/A ones); returns the values, the filled mask, the fit.

    ``siblings``: the other indicators of the node, ``code -> (values before imputation, direction)``.
    """
    from vises.contract.records import ImputeContext

    spec = item.imputer
    assert spec is not None and item.imputation is not None
    context = ImputeContext(
        indicator=item.indicator,
        organisations=data.organisations,
        periods=period_labels,
        attributes=data.attributes,
        siblings={code: values for code, (values, _) in (siblings or {}).items()},
        sibling_directions={code: direction for code, (_, direction) in (siblings or {}).items()},
    )
    try:
        fitted = (
            dict(reused)
            if reused is not None
            else dict(spec.fit(values, params=item.imputation.params, context=context))
        )
        missing = np.isnan(values)
        if not_applicable is not None:
            missing &= ~not_applicable
        if not missing.any():
            return values, missing, fitted
        candidate = np.asarray(spec.apply(values, fitted, context=context), dtype=np.float64)
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc
    if candidate.shape != values.shape:
        raise MethodError(
            f"imputer {item.imputation.describe()!r} returned {candidate.shape[0]} values for {values.shape[0]} rows",
            indicator=item.code,
        )
    filled = missing & np.isfinite(candidate)
    if not filled.any():
        return values, filled, fitted
    out = values.copy()
    out[filled] = candidate[filled]
    fitted["imputed"] = int(filled.sum())
    return out, filled, fitted


def treat(
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
                context = FitContext(
                    indicator=item.indicator, organisations=data.organisations[rows], periods=period_labels[rows]
                )
                fits[str(period)] = dict(spec.fit(values[rows], params=params, context=context))
        out = np.empty_like(values, dtype=np.float64)
        for code, period in enumerate(period_values):
            rows = np.flatnonzero(period_codes == code)
            out[rows] = spec.apply(values[rows], fits[str(period)])
        return out, {"per_period": fits}
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc


def normalise(
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
            context = FitContext(
                indicator=item.indicator, organisations=data.organisations[rows], periods=period_labels[rows]
            )
            fitted = spec.fit(raw[rows], direction=item.direction, params=params, context=context)
            target[rows] = spec.apply(raw[rows], fitted)
            per_period[str(period)] = dict(fitted)
        return {"per_period": per_period}
    except VisesError as exc:
        raise exc.with_context(indicator=item.code) from exc


def _earlier(reference: Any) -> bool:
    """Earlier results, or a saved round (``engine.saved.SavedRound``): fitted parameters with their provenance."""
    return isinstance(reference, Results) or (hasattr(reference, "fitted") and hasattr(reference, "provenance"))


def _check_reference_grid(compiled: CompiledGrid, reference: Any) -> None:
    """A saved round of another grid cannot give this grid its scale."""
    code = getattr(reference, "grid_code", None)
    if code is not None and code != compiled.grid.code:
        raise ConfigError(
            f"the reference round was scored on grid {code!r}, not {compiled.grid.code!r}",
            file=getattr(reference, "path", None),
            hint="give the round file of a round scored on the same grid",
        )


def reference_parameters(compiled: CompiledGrid, reference: Any) -> dict[str, Mapping[str, Any]]:
    """Fitted parameters to reuse, checked against the methods this grid uses for each indicator."""
    if reference is None:
        return {}
    _check_reference_grid(compiled, reference)
    if _earlier(reference):
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
        version = getattr(reference, "grid_version", None)
        if version is not None and version != compiled.grid.version:
            raise ConfigError(
                f"the reference round (grid version {version}) has no fitted parameters for {', '.join(missing)}, "
                f"which grid version {compiled.grid.version} adds",
                file=getattr(reference, "path", None),
                hint="score without a reference to put every indicator on a new scale (published scores will move)",
            )
        raise ConfigError(
            f"the reference has no fitted parameters for {', '.join(missing)}",
            hint="use results scored on the same grid as the reference",
        )
    return {item.code: table[item.code] for item in compiled.indicators}


def reference_stages(compiled: CompiledGrid, reference: Any) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Imputation and treatment parameters of the reference, checked against this grid's methods.

    A lone centre scored against a network gets the network's treatment bounds and imputed values,
    not ones fitted on itself. Only ``Results`` carry them; a bare ``fitted`` mapping cannot serve
    a grid that uses these stages.
    """
    staged = [item for item in compiled.indicators if item.imputer is not None or item.treater is not None]
    if reference is None or not staged:
        return {}
    if not _earlier(reference):
        raise ConfigError(
            "the grid imputes or treats outliers, so the reference must be earlier Results (a fitted mapping holds "
            "only the normalisers' parameters)",
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
                problems.append(
                    f"{item.code}: {stage} {mine or 'off'} here, {theirs.get(item.code) or 'off'} in the reference"
                )
            elif method is not None and item.code in table:
                out[(stage, item.code)] = table[item.code]
    if problems:
        raise ConfigError(
            "the reference results used other methods: " + "; ".join(problems),
            hint="score against results of the same grid",
        )
    return out


def apply_reference(
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
