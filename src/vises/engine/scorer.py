"""The fast path for scoring one organisation at a time against a reference (the web-form case).

``CompiledGrid.scorer(reference)`` does once everything that does not depend on the organisation:
it checks the reference against the grid's methods, picks the fitted parameters (of one period,
when the reference was fitted per period), computes the unit conversion factors, turns every
built-in linear normaliser into vectors and groups the weighted means level by level. Each call
then costs a handful of numpy operations on arrays as long as the grid, whatever the number of
indicators: a lookup per input value, one vector step per normaliser family, two ``reduceat`` per
level of the tree. Methods without a closed form (plugins', rank-based, geometric means,
imputation and outlier treatment from the reference) are applied through their own functions on a
row of one, so the scores are those ``vises.score`` gives for the same row against the same
reference (to rounding: sums may be added in another order).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import ConfigError, DataError, DataValidationError, MethodError, VisesError, did_you_mean
from vises.methods.forms import is_weighted_mean, linear_form
from vises.model import Kind
from vises.validation.columns import not_a_level, out_of_range

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.compile import CompiledGrid, CompiledIndicator, CompiledNode
    from vises.engine.results import Results

_QUALITATIVE = (Kind.SCALE, Kind.BINARY, Kind.CATEGORY)
_NAN = math.nan


def _per_period(fitted: Mapping[str, Any], period: str | None, what: str, code: str) -> Mapping[str, Any]:
    """The parameters of ``period`` when the reference was fitted per period."""
    if "per_period" not in fitted:
        return fitted
    table = fitted["per_period"]
    if period is None:
        raise ConfigError(
            f"the reference {what} {code!r} per period; say which period to score against",
            indicator=code,
            hint=f"scorer(reference, period=...) with one of: {', '.join(map(str, table))}",
        )
    if str(period) not in table:
        raise ConfigError(
            f"the reference {what} {code!r} per period and has no parameters for period {period!r}",
            indicator=code,
            hint=f"its periods: {', '.join(map(str, table))}",
        )
    return dict(table[str(period)])


class Scorer:
    """Scores one organisation's values against fixed parameters; call it with ``{code: value}``.

    Values are numbers in the indicator's unit (or in the unit given in ``units``), level values
    (``"3"``, ``"often"``, ``"yes"``) for qualitative indicators, and the size for a denominator
    column; ``None``, NaN or a missing key means missing. The result maps every scored code
    (indicators, then aggregates bottom-up, the root last: ``codes``) to its score, NaN when it has
    none. Values outside an indicator's valid range, unknown levels and unknown codes are refused
    with the words ``validate`` uses, all at once.
    """

    def __init__(
        self,
        compiled: CompiledGrid,
        reference: Results | Mapping[str, Mapping[str, Any]],
        *,
        period: str | None = None,
        units: Mapping[str, str | None] | None = None,
    ) -> None:
        from vises.engine.stages import reference_parameters, reference_stages
        from vises.units import conversion, ratio_conversion

        self.compiled = compiled
        self.period = None if period is None else str(period)
        self.codes: tuple[str, ...] = compiled.codes
        if any(item.column != j for j, item in enumerate(compiled.indicators)):  # pragma: no cover - compile's order
            raise ConfigError("the compiled grid does not put its indicators first")
        fitted = reference_parameters(compiled, reference)
        stages = reference_stages(compiled, reference)
        units = dict(units or {})
        items = compiled.indicators
        k = len(items)
        self._items = items
        self._quantities: list[tuple[int, str]] = []
        self._levels: list[tuple[int, str, dict[str, float]]] = []
        factor = np.ones(k)
        offset = np.zeros(k)
        minimum = np.full(k, -np.inf)
        maximum = np.full(k, np.inf)
        denominators: list[tuple[int, str, float]] = []
        known_inputs = set()
        for j, item in enumerate(items):
            indicator = item.indicator
            known_inputs.add(item.code)
            if indicator.kind in _QUALITATIVE:
                self._levels.append((j, item.code, indicator.level_scores()))
                continue
            self._quantities.append((j, item.code))
            if item.denominator is not None:
                known_inputs.add(item.denominator)
                ratio = ratio_conversion(
                    units.get(item.code), units.get(item.denominator), indicator.unit, indicator=item.code
                )
                denominators.append((j, item.denominator, ratio))
            elif item.code in units and units[item.code] is not None and indicator.unit is not None:
                factor[j], offset[j] = conversion(
                    units[item.code], indicator.unit, column=item.code, indicator=item.code
                )
            if indicator.minimum is not None:
                minimum[j] = indicator.minimum
            if indicator.maximum is not None:
                maximum[j] = indicator.maximum
        unknown_units = sorted(set(units) - known_inputs)
        if unknown_units:
            raise ConfigError(
                f"units given for {', '.join(map(repr, unknown_units))}, which the grid does not score",
                hint=did_you_mean(unknown_units[0], known_inputs),
            )
        self._inputs = frozenset(known_inputs)
        self._quantity_rows = np.array([j for j, _ in self._quantities], dtype=np.intp)
        self._quantity_codes = [code for _, code in self._quantities]
        self._factor = factor[self._quantity_rows]
        self._offset = offset[self._quantity_rows]
        self._convert = bool(np.any(self._factor != 1.0) or np.any(self._offset != 0.0))
        self._minimum, self._maximum = minimum, maximum
        self._checks_range = bool(np.isfinite(minimum).any() or np.isfinite(maximum).any())
        self._denominators = denominators
        self._stages: list[tuple[int, CompiledIndicator, str, Mapping[str, Any]]] = []
        for j, item in enumerate(items):
            if item.imputer is not None and ("imputation", item.code) in stages:
                imputation = dict(stages[("imputation", item.code)])
                if self.period is None and "values" in imputation and not imputation.get("pooled", True):
                    raise ConfigError(
                        f"the reference imputes {item.code!r} from the values of each period; say which period "
                        "to score against",
                        indicator=item.code,
                        hint="scorer(reference, period=...)",
                    )
                self._stages.append((j, item, "imputation", imputation))
            if item.treater is not None and ("treatment", item.code) in stages:
                bounds = _per_period(stages[("treatment", item.code)], self.period, "treated outliers of", item.code)
                self._stages.append((j, item, "treatment", bounds))
        self._linear_rows: list[int] = []
        self._applied: list[tuple[int, CompiledIndicator, Mapping[str, Any]]] = []
        forms = []
        for j, item in enumerate(items):
            chosen = _per_period(fitted[item.code], self.period, "normalised", item.code)
            form = linear_form(item.spec.apply, chosen)
            if form is None:
                self._applied.append((j, item, chosen))
            else:
                self._linear_rows.append(j)
                forms.append(form)
        self._linear = np.array(self._linear_rows, dtype=np.intp)
        self._a = np.array([f.a for f in forms])
        self._b = np.array([f.b for f in forms])
        self._span = np.array([f.span for f in forms])
        self._rising = np.array([f.sign == 1 for f in forms], dtype=bool)
        self._low = np.array([f.low for f in forms])
        self._range = np.array([f.high - f.low for f in forms])
        self._clip = np.array([f.clip for f in forms], dtype=bool)
        self._any_clip = bool(self._clip.any())
        self._flat = np.array([f.flat for f in forms], dtype=bool)
        self._any_flat = bool(self._flat.any())
        self._centre = np.array([(f.low + f.high) / 2.0 for f in forms])
        self._levels_of_tree = self._plan(compiled)
        self._missing = np.full(k, _NAN)

    @staticmethod
    def _plan(compiled: CompiledGrid) -> list[tuple[Any, ...]]:
        """Per level of the tree, deepest first: the weighted means as arrays, the other nodes apart."""
        by_depth: dict[int, list[CompiledNode]] = {}
        for node in compiled.nodes:
            by_depth.setdefault(compiled.depth_of[node.code], []).append(node)
        plan: list[tuple[Any, ...]] = []
        for depth in sorted(by_depth, reverse=True):
            means = [node for node in by_depth[depth] if is_weighted_mean(node.spec.aggregate)]
            others = [node for node in by_depth[depth] if not is_weighted_mean(node.spec.aggregate)]
            if means:
                children = np.concatenate([node.child_index for node in means]).astype(np.intp)
                weights = np.concatenate([node.weights for node in means])
                sizes = np.array([len(node.child_index) for node in means])
                starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
                totals = np.array([node.weights.sum() for node in means])
                needed = np.array([node.min_coverage for node in means]) * totals - 1e-12
                columns = np.array([node.column for node in means], dtype=np.intp)
                thin = bool(np.any(np.array([node.min_coverage for node in means]) > 0.0))
                plan.append(("means", columns, children, weights, starts, needed, thin))
            for node in others:
                plan.append(("node", node))
        return plan

    def __repr__(self) -> str:
        period = f", period {self.period!r}" if self.period is not None else ""
        return (
            f"<Scorer for grid {self.compiled.grid.code!r}{period}: {len(self._items)} indicators, "
            f"{len(self._linear_rows)} in closed form>"
        )

    # -- one call ----------------------------------------------------------------------------------
    def __call__(
        self, values: Mapping[str, Any], *, organisation: str = "", attributes: Mapping[str, Any] | None = None
    ) -> dict[str, float]:
        """Every code's score for these values (NaN where a score is missing).

        ``organisation`` and ``attributes`` (``{"family": ...}``) matter only to imputation from
        the reference (by group, or carried forward).
        """
        if not self._inputs.issuperset(values):
            self._refuse_unknown(values)
        raw = self._raw(values)
        if self._stages:
            self._run_stages(raw, organisation, attributes or {})
        scores = np.empty(len(self.codes))
        k = len(self._items)
        normalised = scores[:k]
        if len(self._linear):
            x = raw[self._linear]
            share = np.where(self._rising, x - self._a, self._b - x)
            share /= self._span
            if self._any_clip:
                share = np.where(self._clip, np.clip(share, 0.0, 1.0), share)
            share *= self._range
            share += self._low
            if self._any_flat:
                share = np.where(self._flat & ~np.isnan(x), self._centre, share)
            normalised[self._linear] = share
        for j, item, fitted in self._applied:
            try:
                normalised[j] = np.asarray(item.spec.apply(raw[j : j + 1], fitted), dtype=np.float64)[0]
            except VisesError as exc:
                raise exc.with_context(indicator=item.code) from exc
        for step in self._levels_of_tree:
            if step[0] == "means":
                _, columns, children, weights, starts, needed, thin = step
                block = scores[children]
                present = ~np.isnan(block)
                weighted = np.where(present, block, 0.0) * weights
                total = np.add.reduceat(weighted, starts)
                weight = np.add.reduceat(present * weights, starts)
                bad = ~(weight > 0)
                mean = total / np.where(bad, 1.0, weight)
                if thin:
                    bad |= weight < needed
                mean[bad] = _NAN
                scores[columns] = mean
            else:
                self._aggregate(step[1], scores)
        return dict(zip(self.codes, scores.tolist(), strict=True))

    def _aggregate(self, node: CompiledNode, scores: np.ndarray) -> None:
        block = scores[node.child_index][None, :]
        if node.min_coverage > 0.0:
            present = (~np.isnan(block)) @ node.weights
            if present[0] < node.min_coverage * node.weights.sum() - 1e-12:
                block = np.full_like(block, _NAN)
        try:
            out = node.spec.aggregate(
                block,
                node.weights,
                params=node.method.params,
                groups=np.zeros(1, np.intp) if node.spec.across_rows else None,
            )
        except VisesError as exc:
            raise exc.with_context(node=node.code) from exc
        except (ValueError, TypeError, FloatingPointError) as exc:
            raise MethodError(f"aggregator {node.method.describe()!r} failed: {exc}", node=node.code) from exc
        scores[node.column] = float(np.asarray(out, dtype=np.float64)[0])

    def _raw(self, values: Mapping[str, Any]) -> np.ndarray:
        raw = self._missing.copy()
        get = values.get
        if self._quantities:
            try:
                given = np.array([get(code) for code in self._quantity_codes], dtype=np.float64)
            except (TypeError, ValueError):
                given = self._numbers_one_by_one(values)
            if self._convert:
                given = given * self._factor + self._offset
            raw[self._quantity_rows] = given
        problems: list[VisesError] = []
        for j, code, scores_of in self._levels:
            value = get(code)
            if value is None or (isinstance(value, float) and value != value) or value == "":
                continue
            text = _level_text(value)
            score = scores_of.get(text)
            if score is None:
                allowed = ", ".join(repr(a) for a in scores_of)
                problems.append(not_a_level(self._items[j].indicator, text, allowed))
                continue
            raw[j] = score
        if self._denominators:
            for j, name, ratio in self._denominators:
                size = get(name)
                size = _NAN if size is None else float(size)
                raw[j] = raw[j] / size * ratio if size > 0 else _NAN
        if self._checks_range:
            outside = np.flatnonzero((raw < self._minimum) | (raw > self._maximum))
            problems.extend(out_of_range(self._items[j].indicator, float(raw[j])) for j in outside.tolist())
        if problems:
            raise DataValidationError(problems, what="the values to score")
        return raw

    def _numbers_one_by_one(self, values: Mapping[str, Any]) -> np.ndarray:
        out = np.full(len(self._quantity_codes), _NAN)
        problems: list[VisesError] = []
        for i, code in enumerate(self._quantity_codes):
            value = values.get(code)
            if value is None or value == "":
                continue
            try:
                out[i] = float(value)
            except (TypeError, ValueError):
                problems.append(
                    DataError(
                        f"{value!r} is not a number",
                        column=code,
                        indicator=code,
                        hint="give a number in the indicator's unit, or None when it is missing",
                    )
                )
        if problems:
            raise DataValidationError(problems, what="the values to score")
        return out

    def _refuse_unknown(self, values: Mapping[str, Any]) -> None:
        unknown = sorted(set(values) - self._inputs, key=str)
        raise DataValidationError(
            [
                DataError(
                    f"{code!r} is not an indicator (or denominator) this grid scores",
                    column=str(code),
                    hint=did_you_mean(str(code), self._inputs),
                )
                for code in unknown
            ],
            what="the values to score",
        )

    def _run_stages(self, raw: np.ndarray, organisation: str, attributes: Mapping[str, Any]) -> None:
        from vises.contract.records import ImputeContext

        organisations = np.array([organisation], dtype=object)
        periods = np.array(["" if self.period is None else self.period], dtype=object)
        row_attributes = {name: np.array([value], dtype=object) for name, value in attributes.items()}
        for j, item, stage, fitted in self._stages:
            column = raw[j : j + 1]
            try:
                if stage == "imputation":
                    if not np.isnan(column[0]):
                        continue
                    assert item.imputer is not None
                    context = ImputeContext(
                        indicator=item.indicator,
                        organisations=organisations,
                        periods=periods,
                        attributes=row_attributes,
                    )
                    filled = np.asarray(item.imputer.apply(column, fitted, context=context), dtype=np.float64)
                    if np.isfinite(filled[0]):
                        raw[j] = filled[0]
                else:
                    assert item.treater is not None
                    raw[j] = float(np.asarray(item.treater.apply(column, fitted), dtype=np.float64)[0])
            except VisesError as exc:
                raise exc.with_context(indicator=item.code) from exc


def _level_text(value: Any) -> str:
    """A level value as the text the grid names it by: 3 and 3.0 are '3', True is 'yes'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


__all__ = ["Scorer"]
