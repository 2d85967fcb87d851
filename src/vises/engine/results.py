"""What scoring returns: every node's score for every organisation and period, and its trace.

The score matrix is the only large thing stored (one float64 column per grid node); ranks,
coverage, effective weights and contributions are derived from it on demand, so scoring a million
rows does not pay for tables nobody asked for. ``explain`` gives the whole tree for one
organisation: what each child weighed, what it added, why a node is missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.errors import ConfigError
from vises.model import Dataset, Evaluation, Grid, label_in
from vises.model.grid import DEFAULT_FALLBACK
from vises.model.periods import natural_order, period_key

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vises.engine.compile import CompiledGrid, CompiledNode
    from vises.engine.evidence import EvidenceColumn
    from vises.engine.explain import Explanation
    from vises.engine.frames import FrameKind
    from vises.engine.pooled import PooledRate

#: The languages vises writes its own words in (reports, explanations).
WRITTEN_LANGS = ("fr", "nl", "en")


def default_lang(grid: Grid) -> str:
    """The language used when none is asked for: the grid's first language vises writes, else English.

    One rule for every output (reports, explanations, labels), so ``render`` and ``explain``
    speak the same language by default.
    """
    return next((lang for lang in grid.languages if lang in WRITTEN_LANGS), "en")


def _float_or_none(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


class Results:
    """Scores of every grid node for every (organisation, period) row, with their trace.

    Treat it as read-only. ``codes`` orders the columns of ``scores``: scored indicators (tree order)
    first, then aggregates bottom-up, the root last.
    """

    def __init__(
        self,
        *,
        compiled: CompiledGrid,
        dataset: Dataset,
        scores: np.ndarray,
        raws: dict[str, np.ndarray],
        raw_texts: dict[str, np.ndarray],
        not_applicable: dict[str, np.ndarray],
        fitted: dict[str, dict[str, Any]],
        period_codes: np.ndarray,
        period_values: tuple[str, ...],
        provenance: dict[str, Any],
        fitted_imputation: dict[str, dict[str, Any]] | None = None,
        fitted_treatment: dict[str, dict[str, Any]] | None = None,
        imputed: dict[str, np.ndarray] | None = None,
        treated: dict[str, np.ndarray] | None = None,
        missing_reasons: dict[str, dict[str, np.ndarray]] | None = None,
    ) -> None:
        self.compiled = compiled
        self.dataset = dataset
        self.scores = scores
        self._raws = raws
        self._raw_texts = raw_texts
        self._not_applicable = not_applicable
        self.fitted = fitted
        self._period_codes = period_codes
        self.period_values = period_values
        self.provenance = provenance
        #: What imputation did per indicator (the values it filled from), for indicators that impute.
        self.fitted_imputation = fitted_imputation or {}
        #: What outlier treatment did per indicator (bounds, points winsorised, a fallback transform).
        self.fitted_treatment = fitted_treatment or {}
        self._imputed = imputed or {}
        self._treated = treated or {}
        self._missing_reasons = missing_reasons or {}
        self._organisations: np.ndarray | None = None
        self.periods = np.asarray(dataset.periods).astype(str, copy=False)
        self._cache: dict[tuple[str, str], Any] = {}

    @property
    def organisations(self) -> np.ndarray:
        """Each row's organisation code (strings), made from the dataset's the first time it is asked for:
        a Parquet report of a Parquet file writes the reader's Arrow column and never needs them."""
        if self._organisations is None:
            self._organisations = np.asarray(self.dataset.organisations).astype(str, copy=False)
        return self._organisations

    # -- structure -------------------------------------------------------------------------
    @property
    def grid(self) -> Grid:
        return self.compiled.grid

    @property
    def codes(self) -> tuple[str, ...]:
        return self.compiled.codes

    def __len__(self) -> int:
        return int(self.scores.shape[0])

    def __repr__(self) -> str:
        periods = self.period_values
        shown = ", ".join(periods[:4]) + (", ..." if len(periods) > 4 else "")
        return (
            f"<Results of grid {self.grid.code!r} version {self.grid.version!r}: {len(self)} rows, "
            f"{len(periods)} periods ({shown}), {len(self.compiled.indicators)} indicators and "
            f"{len(self.compiled.nodes)} aggregates scored>"
        )

    @property
    def period_codes(self) -> np.ndarray:
        """Each row's position in ``period_values`` (the natural order of periods: 0 = earliest)."""
        view = self._period_codes.view()
        view.flags.writeable = False
        return view

    def _subtree(self, code: str, kind: str) -> list[str]:
        """The aggregates under ``code`` (and ``code``) whose ``kind`` mask is not cached yet,
        children before parents: one walk without recursion, stopping at what is already known."""
        order: list[str] = []
        stack = [code]
        while stack:
            current = stack.pop()
            if current in self.compiled.node_index and (kind, current) not in self._cache:
                order.append(current)
                stack.extend(self.compiled.node(current).children)
        order.reverse()
        return order

    def _column(self, code: str) -> int:
        try:
            return self.compiled.column_of[code]
        except KeyError:
            raise ConfigError(
                f"{code!r} is not a scored node of grid {self.grid.code!r}",
                hint=f"known codes: {', '.join(self.codes[:12])}{', ...' if len(self.codes) > 12 else ''}",
            ) from None

    def _node(self, code: str) -> CompiledNode:
        """The compiled aggregate ``code``; an indicator or unknown code is a ``ConfigError``."""
        self._column(code)
        if code not in self.compiled.node_index:
            raise ConfigError(
                f"{code!r} is an indicator; weights and contributions belong to aggregates",
                hint=f"ask its parent node {self.grid.indicator(code).parent!r}",
            )
        return self.compiled.node(code)

    def is_indicator(self, code: str) -> bool:
        self._column(code)
        return code not in self.compiled.node_index

    def children(self, code: str) -> tuple[str, ...]:
        self._column(code)
        if code in self.compiled.node_index:
            return self.compiled.node(code).children
        return ()

    def parent(self, code: str) -> str | None:
        self._column(code)
        return self.compiled.parent_of.get(code)

    def depth(self, code: str) -> int:
        self._column(code)
        return self.compiled.depth_of[code]

    def _item(self, code: str) -> Any:
        if code in self.compiled.node_index:
            return self.compiled.node(code).node
        return self.grid.indicator(code)

    @property
    def lang(self) -> str:
        """The default language of everything said about these results (``default_lang``): reports,
        explanations and labels use it unless a language is asked for."""
        return default_lang(self.grid)

    def label(self, code: str, lang: str | None = None) -> str:
        """The node's label in ``lang``; a fallback to another language is marked, never blank.

        Without ``lang``, the label in the default language (``lang``), else in any language the
        grid has (unmarked: no language was asked for). A missing translation falls back to the
        grid's languages in their order, then English, French, Dutch.
        """
        labels = self.grid.label if code == self.grid.code else self._item(code).label
        if lang is None:
            return label_in(labels, None, code, fallback=(self.lang, *self.grid.languages, *DEFAULT_FALLBACK))
        return label_in(labels, lang, code, fallback=(*self.grid.languages, *DEFAULT_FALLBACK))

    def unit(self, code: str) -> str | None:
        return None if code in self.compiled.node_index else self.grid.indicator(code).unit

    def method(self, code: str) -> str:
        return str(self.provenance["methods"][code])

    def weight(self, code: str) -> float:
        return float(self._item(code).weight)

    # -- values ----------------------------------------------------------------------------
    def score(self, code: str) -> np.ndarray:
        """The column of scores of ``code`` (``NaN`` = missing)."""
        return self.scores[:, self._column(code)]

    def raw(self, code: str) -> np.ndarray:
        """Raw values of an indicator in its declared unit (levels as their scores); context and derived
        indicators included."""
        if code in self._raws:
            return self._raws[code]
        self._column(code)
        raise ConfigError(f"{code!r} is an aggregate; only indicators have raw values")

    def treated(self, code: str) -> np.ndarray:
        """The values the normaliser received: raw values after outlier treatment (``raw`` when untreated)."""
        raw = self.raw(code)
        return self._treated.get(code, raw)

    def imputed(self, code: str) -> np.ndarray:
        """Rows whose score rests on an imputed value: the indicator's own, or, for a node, any below it."""
        key = ("imputed", code)
        if key not in self._cache:
            self._column(code)
            if code not in self.compiled.node_index:
                self._cache[key] = self._imputed.get(code, np.zeros(len(self), dtype=bool))
            for node_code in self._subtree(code, "imputed"):
                mask = np.zeros(len(self), dtype=bool)
                for child in self.compiled.node(node_code).children:
                    mask |= self._cache.get(("imputed", child), self._imputed.get(child, False))
                mask &= ~np.isnan(self.score(node_code))
                self._cache[("imputed", node_code)] = mask
        return np.asarray(self._cache[key])

    def raw_text(self, code: str) -> np.ndarray | None:
        """The level values as given, for qualitative indicators; ``None`` for quantities."""
        return self._raw_texts.get(code)

    def not_applicable(self, code: str) -> np.ndarray:
        """Rows where ``code`` does not apply: an indicator marked N/A, or a node whose children all are."""
        key = ("na", code)
        if key not in self._cache:
            if code not in self.compiled.node_index:
                self._cache[key] = self._not_applicable.get(code, np.zeros(len(self), dtype=bool))
            for node_code in self._subtree(code, "na"):
                mask = np.ones(len(self), dtype=bool)
                for child in self.compiled.node(node_code).children:
                    found = self._cache.get(("na", child))
                    if found is None:
                        found = self._not_applicable.get(child, np.zeros(len(self), dtype=bool))
                    mask &= found
                self._cache[("na", node_code)] = mask
        return np.asarray(self._cache[key])

    def coverage(self, code: str, *, imputed: bool = True) -> np.ndarray:
        """Share (0–1) of the node's applicable weight whose children have a score; NaN when N/A.

        For an indicator: 1 when present, 0 when missing. An imputed value counts as present (it
        took part in the score). ``imputed=False`` gives the share of weight actually measured: each
        scored child counts with its own measured share (an indicator 1 or 0, a node recursively),
        so one imputed indicator among many lowers the share by its weight only.
        """
        key = ("coverage" if imputed else "coverage_measured", code)
        if key not in self._cache:
            na = self.not_applicable(code)
            if code not in self.compiled.node_index:
                present_here = ~np.isnan(self.score(code))
                if not imputed:
                    present_here &= ~self.imputed(code)
                cov = present_here.astype(np.float64)
            else:
                # Child by child into two sums, in place (no (rows, children) block: a bool matrix
                # product is not BLAS; and no temporary per child: each would be fresh pages).
                node = self.compiled.node(code)
                covered, weight = np.zeros(len(self)), np.zeros(len(self))
                share = np.empty(len(self), dtype=bool)
                for position, child in enumerate(node.children):
                    child_na = self.not_applicable(child)
                    some_na = bool(child_na.any())
                    np.isnan(self.scores[:, node.child_index[position]], out=share)
                    np.logical_not(share, out=share)
                    if some_na:
                        share &= ~child_na
                    child_weight = float(node.weights[position])
                    if imputed:
                        np.add(covered, child_weight, out=covered, where=share)
                    else:
                        measured = np.nan_to_num(self.coverage(child, imputed=False), nan=0.0)
                        measured *= child_weight
                        np.add(covered, measured, out=covered, where=share)
                    if some_na:
                        np.add(weight, child_weight, out=weight, where=~child_na)
                    else:
                        weight += child_weight
                with np.errstate(invalid="ignore", divide="ignore"):
                    np.divide(covered, weight, out=covered)
                cov = covered
            cov[na] = np.nan
            self._cache[key] = cov
        return np.asarray(self._cache[key])

    def coverage_of_rows(self, code: str, rows: np.ndarray) -> np.ndarray:
        """``coverage(code)[rows]``, without keeping an indicator's whole column: for a writer going
        a row group at a time, where a cached column per indicator would be fresh pages for each."""
        if code in self.compiled.node_index or ("coverage", code) in self._cache:
            return np.asarray(self.coverage(code)[rows])
        cov: np.ndarray = (~np.isnan(self.score(code)[rows])).astype(np.float64)
        cov[self.not_applicable(code)[rows]] = np.nan
        return cov

    def reasons(self, code: str) -> np.ndarray:
        """Why ``code`` has no score in a row (``None`` where it has one)."""
        key = ("reasons", code)
        if key not in self._cache:
            out = np.full(len(self), None, dtype=object)
            missing = np.isnan(self.score(code))
            na = self.not_applicable(code)
            out[missing & na] = "not applicable"
            if code in self.compiled.node_index:
                node = self.compiled.node(code)
                cov = self.coverage(code)
                all_missing = missing & ~na & (np.nan_to_num(cov) == 0)
                out[all_missing] = "all children missing"
                thin = missing & ~na & ~all_missing
                if thin.any():
                    # One message per distinct coverage, not one formatted string per row.
                    percents = np.rint(cov[thin] * 100).astype(np.int64)
                    distinct, inverse = np.unique(percents, return_inverse=True)
                    messages = np.array(
                        [f"coverage {p}% below the minimum {node.min_coverage:.0%}" for p in distinct.tolist()],
                        dtype=object,
                    )
                    out[thin] = messages[inverse.reshape(-1)]
            else:
                out[missing & ~na] = "missing value"
                for reason, mask in self._missing_reasons.get(code, {}).items():
                    out[mask & missing & ~na] = reason
            self._cache[key] = out
        return np.asarray(self._cache[key])

    def ranks(self, code: str) -> np.ndarray:
        """Rank within each period: 1 = best, ties share the lowest rank, missing stays NaN.

        Only exactly equal scores tie, as in R (COINr's ranks); ``vises.numeric.rank`` is the one
        rank function, with a ``tolerance`` for callers who want near-equal scores to tie.
        """
        key = ("ranks", code)
        if key not in self._cache:
            from vises.numeric import rank

            self._cache[key] = rank(self.score(code), self._period_codes)
        return np.asarray(self._cache[key])

    def effective_weights(self, node: str) -> dict[str, np.ndarray]:
        """Each child's weight renormalised over the children present in each row (0 when missing)."""
        compiled = self._node(node)
        block = self.scores[:, compiled.child_index]
        present = ~np.isnan(block)
        weighted = present * compiled.weights
        total = weighted.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = np.where(total > 0, weighted / total, np.nan)
        return {child: shares[:, i] for i, child in enumerate(compiled.children)}

    def additive(self, node: str) -> bool:
        """Whether the node's aggregator is a weighted sum, so contributions add up to its score."""
        return self._node(node).spec.additive

    def contributions(self, node: str) -> dict[str, np.ndarray]:
        """Effective weight × child score for each child; they add up to the node's score when
        ``additive(node)`` is true (arithmetic mean). Missing children contribute 0."""
        compiled = self._node(node)
        shares = self.effective_weights(node)
        out = {}
        for i, child in enumerate(compiled.children):
            child_scores = self.scores[:, compiled.child_index[i]]
            out[child] = np.where(np.isnan(child_scores), 0.0, shares[child] * np.nan_to_num(child_scores))
        return out

    # -- rows ------------------------------------------------------------------------------
    def row(self, organisation: str, period: str | None = None) -> int:
        """Row index of an organisation (its latest period when ``period`` is omitted)."""
        rows = np.flatnonzero(self.organisations == str(organisation))
        if len(rows) == 0:
            raise ConfigError(
                f"organisation {organisation!r} is not in the results",
                hint=f"known: {', '.join(sorted(set(self.organisations))[:10])}",
            )
        if period is None:
            return int(rows[np.argmax(self._period_codes[rows])])
        match = rows[self.periods[rows] == str(period)]
        if len(match) == 0:
            raise ConfigError(
                f"organisation {organisation!r} has no row for period {period!r}",
                hint=f"its periods: {', '.join(natural_order(self.periods[rows].tolist()))}",
            )
        return int(match[0])

    def previous_period(self, period: str) -> str | None:
        position = self.period_values.index(str(period))
        return self.period_values[position - 1] if position > 0 else None

    def evaluation(self, organisation: str, period: str | None = None) -> Evaluation | None:
        """The VISES framing (question, stakeholders, methods, narrative) of one evaluation.

        An evaluation recorded without a period applies to every period; with ``period`` omitted,
        the organisation's latest evaluation is returned.
        """
        mine = [e for e in self.dataset.evaluations if e.organisation == str(organisation)]
        if period is not None:
            exact = [e for e in mine if e.period == str(period)]
            if exact:
                return exact[0]
            return next((e for e in mine if e.period is None), None)
        dated = [e for e in mine if e.period is not None]
        if dated:
            return max(dated, key=lambda e: period_key(e.period))
        return mine[0] if mine else None

    def organisation_names(self) -> dict[str, str]:
        """Display names by organisation code: the evaluations' portraits first, else the data's
        ``name`` column (its latest non-empty value); organisations without either are left out."""
        key = ("names", "")
        if key not in self._cache:
            names: dict[str, str] = {}
            column = self.dataset.attributes.get("name")
            if column is not None:
                for row in np.argsort(self._period_codes, kind="stable"):
                    value = column[row]
                    if value is not None and value == value and str(value).strip():
                        names[self.organisations[row]] = str(value)
            for code, profile in self.dataset.organisation_profiles.items():
                if profile.name:
                    names[code] = profile.name
            self._cache[key] = names
        return dict(self._cache[key])

    def narrative(self, code: str, row: int) -> str | None:
        """Evidence attached to ``code`` for one row, every source joined: a narrative indicator given as a
        value column, its text in ``Dataset.text`` (what readers give: a narrative's answer, a comment
        column), and the evaluation's narrative."""
        parts = []
        for column in (self._narrative_values(code), self.dataset.text.get(code)):
            text = None if column is None else column[row]
            if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
                continue
            if str(text) not in parts:
                parts.append(str(text))
        evaluation = self.evaluation(self.organisations[row], self.periods[row])
        if evaluation is not None and evaluation.narrative.get(code):
            parts.append(evaluation.narrative[code])
        return "\n".join(parts) if parts else None

    def _narrative_values(self, code: str) -> np.ndarray | None:
        """A narrative indicator's answers held as a value column (a ``Dataset`` built by hand or by
        a plugin reader), which scoring never reads."""
        if code not in self.compiled.narrative:
            return None
        column = self.dataset.columns.get(code)
        return None if column is None else np.asarray(column.values)

    def explain(self, organisation: str, period: str | None = None, *, lang: str | None = None) -> Explanation:
        """The whole score tree of one organisation and period, in ``lang`` (default: ``self.lang``).

        ``print()`` it for a readable tree; ``to_frame()`` gives one row per node.
        """
        from vises.engine.explain import explain

        return explain(self, organisation, period, lang=lang)

    # -- export ----------------------------------------------------------------------------
    def to_records(self) -> list[dict[str, str | float | None]]:
        """One plain dict per row: organisation, period, then every code's score (``None`` if missing)."""
        columns = [self.scores[:, j].tolist() for j in range(len(self.codes))]
        records = []
        for i in range(len(self)):
            record: dict[str, str | float | None] = {"organisation": self.organisations[i], "period": self.periods[i]}
            for code, column in zip(self.codes, columns, strict=True):
                value = column[i]
                record[code] = None if value != value else value
            records.append(record)
        return records

    def to_frame(self, what: FrameKind = "scores", *, codes: Iterable[str] | None = None) -> pd.DataFrame:
        """A pandas DataFrame, one row per (organisation, period) and one column per code; needs pandas.

        ``what`` is ``"scores"`` (default), ``"ranks"`` (within each period, nullable ``Int64``),
        ``"coverage"`` (share 0-1) or ``"raw"`` (indicators only, in their unit). ``codes`` picks the
        columns (default: every code; every scored indicator for ``raw``). The index is a
        ``MultiIndex`` (organisation, period) in the dtype the data gave its keys (an integer year
        stays an integer), so ``frame.join(source_frame.set_index([...]))`` lines up.
        ``frame.reset_index()`` gives plain columns.
        """
        from vises.engine.frames import frame

        return frame(self, what, codes)

    def series(self, code: str, what: FrameKind = "scores") -> pd.Series:
        """One code's scores (or ``what``: ranks, coverage, raw) as a labelled pandas Series.

        The Series is named by the code and indexed like ``to_frame``; ``score(code)`` gives the
        same scores as a bare numpy column, aligned with ``organisations`` and ``periods``.
        """
        from vises.engine.frames import series

        return series(self, code, what)

    @property
    def narrative_codes(self) -> tuple[str, ...]:
        """Narrative indicators of the grid: carried to reports, never scored."""
        return self.compiled.narrative

    # -- evidence, context and rates (records → indicators) ----------------------------------------
    @property
    def context_codes(self) -> tuple[str, ...]:
        """Context indicators of the grid (reported, never scored), in grid order: ``raw`` gives their values."""
        return tuple(ind.code for ind in self.grid.indicators if ind.context and ind.code in self._raws)

    def evidence(self, code: str) -> EvidenceColumn:
        """What backs ``code``'s values: n, source, verified, the interval of each value, the small-n flag."""
        key = ("evidence", code)
        if key not in self._cache:
            from vises.engine.evidence import evidence_of

            if code not in self.grid.index.indicator_by_code:
                self._column(code)
                raise ConfigError(f"{code!r} is an aggregate; evidence belongs to indicators")
            self._cache[key] = evidence_of(self, code)
        found: EvidenceColumn = self._cache[key]
        return found

    def rate_parts(self, code: str) -> tuple[np.ndarray, np.ndarray] | None:
        """A rate's numerator and denominator columns (``None`` for any other indicator)."""
        indicator = self.grid.index.indicator_by_code.get(code)
        if indicator is None or indicator.numerator is None or indicator.denominator is None:
            return None
        if indicator.numerator not in self._raws or indicator.denominator not in self._raws:
            return None
        return self._raws[indicator.numerator], self._raws[indicator.denominator]

    def pooled_rate(self, code: str, *, groups: np.ndarray | None = None, rows: np.ndarray | None = None) -> PooledRate:
        """Σ numerator / Σ denominator of the rate ``code`` per period (or per label of ``groups``)."""
        from vises.engine.pooled import pooled_rate

        return pooled_rate(self, code, groups=groups, rows=rows)


def network_order(results: Results) -> np.ndarray:
    """Every row, by period (natural order) then organisation code, as the network reports list them.

    With the organisations' sorted-order codes from the reader (``model.keys.deferred_codes``),
    period, code and position are packed into one integer each and sorted; otherwise the codes
    themselves are sorted as text (``numpy.lexsort``).
    """
    from vises.model.keys import deferred_codes

    periods = results.period_codes
    codes = deferred_codes(results.dataset)
    n = len(results)
    if codes is None or not n:
        return np.lexsort((results.organisations, periods))
    bits = [max(int(top).bit_length(), 1) for top in (n - 1, int(codes.max()), int(periods.max()))]
    if sum(bits) > 64:
        return np.lexsort((codes, periods))
    position_bits, code_bits, _ = bits
    packed = periods.astype(np.uint64) << np.uint64(position_bits + code_bits)
    packed |= codes.astype(np.uint64) << np.uint64(position_bits)
    packed |= np.arange(n, dtype=np.uint64)
    packed.sort()
    order: np.ndarray = (packed & np.uint64((1 << position_bits) - 1)).astype(np.intp)
    return order
