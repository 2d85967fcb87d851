"""Is the grid's structure backed by the data? Correlations and Cronbach's alpha (the Handbook's step 4).

- ``correlations``: COINr's ``get_corr``: a correlation matrix at one level of the tree (or of one
  node's children), each pair over its complete rows, with two-sided p-values and the Handbook's
  warning signs. Spearman sorts each column once (``vises.numeric.spearman_matrix``).
- ``cronbach_alpha`` / ``internal_consistency``: COINr's ``get_cronbach``: do a node's children
  measure one thing? With missing data, from the pairwise covariance matrix as COINr does, or over
  complete rows on request.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np

from vises.analysis._common import (
    aggregate_children,
    complete_rows,
    dimension_of,
    indicator_codes,
    none,
    period_rows,
    score_block,
)
from vises.analysis.words import MISSING, number, stats_word, table
from vises.errors import ConfigError
from vises.numeric import masked_moments, pearson_matrix

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = [
    "CorrelationFlag",
    "Correlations",
    "InternalConsistency",
    "correlations",
    "cronbach_alpha",
    "internal_consistency",
    "pearson_matrix",
    "t_test_pvalues",
]

#: Handbook warning sign: two indicators this correlated measure the same thing twice.
REDUNDANT_THRESHOLD = 0.9
Missing = Literal["pairwise", "complete"]


# -- matrices ---------------------------------------------------------------------------------------
def _pairwise_covariance(block: np.ndarray) -> np.ndarray:
    """R's ``cov(x, use = "pairwise.complete.obs")``: each pair over its complete rows, n − 1; NaN below 2."""
    n, sx, _, sxy = masked_moments(block)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (sxy - sx * sx.T / n) / (n - 1)
    return np.where(n >= 2, cov, np.nan)


# -- p-values ---------------------------------------------------------------------------------------
def _incomplete_beta(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The regularised incomplete beta function I_x(a, b), elementwise, by its continued fraction.

    The fraction converges fast for x < (a + 1)/(a + b + 2); elsewhere I_x(a, b) = 1 − I_{1−x}(b, a).
    The modified Lentz iteration runs on every entry at once until all have converged.
    """
    a, b, x = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, x)))
    flip = x > (a + 1.0) / (a + b + 2.0)
    aa, bb, xx = np.where(flip, b, a), np.where(flip, a, b), np.where(flip, 1.0 - x, x)
    lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
    with np.errstate(divide="ignore", invalid="ignore"):
        front = np.exp(lgamma(aa + bb) - lgamma(aa) - lgamma(bb) + aa * np.log(xx) + bb * np.log1p(-xx)) / aa
    tiny, eps = 1e-300, 1e-15
    c = np.ones_like(xx)
    d = 1.0 - (aa + bb) * xx / (aa + 1.0)
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    active = np.ones(xx.shape, dtype=bool)
    with np.errstate(all="ignore"):  # entries already converged may over- or underflow; they are not used
        _lentz(aa, bb, xx, c, d, h, active, tiny, eps)
    value = np.clip(front * h, 0.0, 1.0)
    out = np.where(flip, 1.0 - value, value)
    out = np.where(xx <= 0.0, np.where(flip, 1.0, 0.0), out)
    return np.asarray(out)


def _lentz(
    aa: np.ndarray,
    bb: np.ndarray,
    xx: np.ndarray,
    c: np.ndarray,
    d: np.ndarray,
    h: np.ndarray,
    active: np.ndarray,
    tiny: float,
    eps: float,
) -> None:
    """The continued fraction's iterations, updating ``h`` in place."""
    for m in range(1, 500):
        for numerator in (
            m * (bb - m) * xx / ((aa + 2 * m - 1.0) * (aa + 2 * m)),
            -(aa + m) * (aa + bb + m) * xx / ((aa + 2 * m) * (aa + 2 * m + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
            c = 1.0 + numerator / c
            c = np.where(np.abs(c) < tiny, tiny, c)
            step = np.where(active, d * c, 1.0)
            h *= step
        active &= np.abs(step - 1.0) > eps
        if not active.any():
            break


def t_test_pvalues(r: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided p-values of correlations ``r`` over ``n`` pairs: t = r √((n − 2)/(1 − r²)), n − 2 df.

    R's ``cor.test`` for Pearson, and for Spearman with ``exact = FALSE``. NaN below 3 pairs.
    """
    r = np.asarray(r, dtype=np.float64)
    df = np.asarray(n, dtype=np.float64) - 2.0
    ok = (df >= 1) & ~np.isnan(r)
    safe_df = np.where(ok, df, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t2 = np.where(ok, r * r * safe_df / np.maximum(1.0 - r * r, 0.0), 0.0)
        x = np.where(np.isinf(t2), 0.0, safe_df / (safe_df + t2))
    p = _incomplete_beta(safe_df / 2.0, np.full(safe_df.shape, 0.5), x)
    return np.where(ok, p, np.nan)


# -- correlations -----------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class CorrelationFlag:
    """A pair the Handbook asks to look at: ``redundant`` (r > 0.9) or ``negative`` within a dimension."""

    kind: str
    a: str
    b: str
    r: float
    pairs: int


@attrs.frozen(kw_only=True, eq=False)
class Correlations:
    """A correlation matrix of scores over pairwise complete rows.

    ``pairs`` counts those rows; ``pvalues`` are two-sided (t test with n − 2 degrees of freedom).
    """

    method: str
    codes: tuple[str, ...]
    matrix: np.ndarray
    pairs: np.ndarray
    pvalues: np.ndarray
    flags: tuple[CorrelationFlag, ...]

    def _index(self, a: str, b: str) -> tuple[int, int]:
        try:
            return self.codes.index(a), self.codes.index(b)
        except ValueError:
            raise ConfigError(f"{a!r} or {b!r} is not in this matrix", hint=f"codes: {', '.join(self.codes)}") from None

    def r(self, a: str, b: str) -> float:
        i, j = self._index(a, b)
        return float(self.matrix[i, j])

    def p(self, a: str, b: str) -> float:
        """The two-sided p-value of the correlation of ``a`` and ``b``."""
        i, j = self._index(a, b)
        return float(self.pvalues[i, j])

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        """The matrix with the correlations whose p-value exceeds ``alpha`` blanked (NaN), as COINr's ``pval``."""
        return np.where(self.pvalues <= alpha, self.matrix, np.nan)

    def to_records(self) -> list[dict[str, Any]]:
        """One record per pair (upper triangle), with its p-value and flag if any."""
        kinds = {(f.a, f.b): f.kind for f in self.flags}
        return [
            {
                "a": a,
                "b": b,
                "r": none(float(self.matrix[i, j])),
                "p": none(float(self.pvalues[i, j])),
                "pairs": int(self.pairs[i, j]),
                "flag": kinds.get((a, b)),
            }
            for i, a in enumerate(self.codes)
            for j, b in enumerate(self.codes)
            if i < j
        ]

    def table(self, lang: str | None = None) -> str:
        rows = [(code, *(number(float(v), lang, 2) for v in self.matrix[i])) for i, code in enumerate(self.codes)]
        text = f"{stats_word('correlations', lang)} ({self.method})\n\n" + table(rows, ["", *self.codes])
        if self.flags:
            flags = [
                (
                    stats_word(f.kind, lang),
                    f.a,
                    f.b,
                    number(f.r, lang, 2),
                    number(self.p(f.a, f.b), lang, 3),
                    f.pairs,
                )
                for f in self.flags
            ]
            text += "\n\n" + table(flags, [stats_word(k, lang) for k in ("flags", "a", "b", "r", "p", "pairs")])
        return text


def _codes_at(results: Results, level: str | int, within: str | None) -> tuple[str, ...]:
    if within is not None:
        return aggregate_children(results, within, "within")
    if level == "indicators":
        return indicator_codes(results)
    if isinstance(level, int) and not isinstance(level, bool) and level >= 1:
        codes = tuple(c for c in results.codes if not results.is_indicator(c) and results.depth(c) == level)
        if not codes:
            raise ConfigError(f"grid {results.grid.code!r} has no aggregate at depth {level}", path="level")
        return codes
    raise ConfigError(f"level must be 'indicators' or a depth >= 1, got {level!r}", path="level")


def correlations(
    results: Results,
    *,
    level: str | int = "indicators",
    within: str | None = None,
    method: str = "pearson",
    period: str | None = None,
) -> Correlations:
    """COINr's ``get_corr``: correlations of scores at one level, or of one node's children.

    ``level`` is ``"indicators"`` or a depth (1 = the root's children). Each pair uses the rows
    where both have a score, so one gap does not drop a whole row.
    """
    from vises.numeric import spearman_matrix

    if method not in ("pearson", "spearman"):
        raise ConfigError(f"method must be 'pearson' or 'spearman', got {method!r}", path="method")
    codes = _codes_at(results, level, within)
    block = score_block(results, codes, period_rows(results, period))
    matrix, pairs = pearson_matrix(block) if method == "pearson" else spearman_matrix(block)
    pvalues = t_test_pvalues(matrix, pairs)
    np.fill_diagonal(pvalues, np.where(np.isnan(np.diag(matrix)), np.nan, 0.0))
    dims = [dimension_of(results, c) for c in codes]
    flags = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            value = float(matrix[i, j])
            if value > REDUNDANT_THRESHOLD:
                flags.append(CorrelationFlag(kind="redundant", a=codes[i], b=codes[j], r=value, pairs=int(pairs[i, j])))
            elif value < 0 and dims[i] is not None and dims[i] == dims[j]:
                flags.append(CorrelationFlag(kind="negative", a=codes[i], b=codes[j], r=value, pairs=int(pairs[i, j])))
    for array in (matrix, pairs, pvalues):
        array.setflags(write=False)
    return Correlations(method=method, codes=codes, matrix=matrix, pairs=pairs, pvalues=pvalues, flags=tuple(flags))


# -- internal consistency ---------------------------------------------------------------------------
def _alpha(block: np.ndarray, missing: Missing) -> tuple[float, int]:
    """Cronbach's alpha of the columns of ``block`` and the number of rows it rests on.

    COINr's formula: C the covariance matrix, α = k² · mean(off-diagonal C) / ΣC, which is
    k/(k − 1) · (1 − tr C / ΣC); entries undefined for lack of pairs are left out of the sums.
    """
    k = block.shape[1]
    if missing == "complete":
        block = complete_rows(block)
        used = block.shape[0]
    else:
        used = int((~np.isnan(block)).any(axis=1).sum()) if k else 0
    if k < 2 or block.shape[0] < 2:
        return math.nan, used
    cov = np.cov(block, rowvar=False) if missing == "complete" else _pairwise_covariance(block)
    total = float(np.nansum(cov))
    if total == 0.0 or np.isnan(cov).all():
        return math.nan, used
    off_diagonal_mean = (total - float(np.nansum(np.diag(cov)))) / (k * (k - 1))
    return k * k * off_diagonal_mean / total, used


def _check_missing(missing: str) -> Missing:
    if missing not in ("pairwise", "complete"):
        raise ConfigError(f"missing must be 'pairwise' or 'complete', got {missing!r}", path="missing")
    return "pairwise" if missing == "pairwise" else "complete"


def cronbach_alpha(results: Results, node: str, *, period: str | None = None, missing: str = "pairwise") -> float:
    """COINr's ``get_cronbach``: α = k/(k−1) · (1 − Σ var(child) / Σ cov(children)).

    With gaps, each covariance uses the rows where both children have a score (COINr's default,
    ``pairwise.complete.obs``); ``missing="complete"`` keeps only rows where every child has one.
    NaN when it is undefined (fewer than two children or rows, or no spread at all).
    """
    children = aggregate_children(results, node, "node")
    block = score_block(results, children, period_rows(results, period))
    return _alpha(block, _check_missing(missing))[0]


@attrs.frozen(kw_only=True)
class InternalConsistency:
    """Cronbach's alpha of every aggregate over its children, with the rows it rests on.

    ``rows`` counts the rows used: with ``missing="complete"`` those where every child has a score,
    with ``"pairwise"`` those where at least one has.
    """

    missing: str
    codes: tuple[str, ...]
    children: tuple[int, ...]
    rows: tuple[int, ...]
    alpha: tuple[float, ...]

    def to_records(self) -> list[dict[str, Any]]:
        return [
            {"node": c, "children": k, "rows": n, "missing": self.missing, "alpha": none(a)}
            for c, k, n, a in zip(self.codes, self.children, self.rows, self.alpha, strict=True)
        ]

    def table(self, lang: str | None = None) -> str:
        rows = [
            (c, k, n, MISSING if math.isnan(a) else number(a, lang, 2))
            for c, k, n, a in zip(self.codes, self.children, self.rows, self.alpha, strict=True)
        ]
        used = "complete_rows" if self.missing == "complete" else "rows_used"
        return table(rows, [stats_word(k, lang) for k in ("node", "children", used, "alpha")])


def internal_consistency(
    results: Results, *, period: str | None = None, missing: str = "pairwise"
) -> InternalConsistency:
    """Cronbach's alpha for every aggregate, root last (the order of ``Results.codes``)."""
    how = _check_missing(missing)
    rows = period_rows(results, period)
    codes = tuple(c for c in results.codes if not results.is_indicator(c))
    computed = [_alpha(score_block(results, results.children(c), rows), how) for c in codes]
    return InternalConsistency(
        missing=how,
        codes=codes,
        children=tuple(len(results.children(c)) for c in codes),
        rows=tuple(used for _, used in computed),
        alpha=tuple(a for a, _ in computed),
    )
