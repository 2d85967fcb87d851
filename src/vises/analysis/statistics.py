"""Data-quality and multivariate checks on scored results (the Handbook's steps 3 and 4).

Before a composite score is read, the JRC/OECD Handbook on Constructing Composite Indicators asks
whether the data hold up (how much is missing, which indicators are skewed or hardly vary) and
whether the grid's structure is backed by the data (do indicators of one dimension move together,
does one direction summarise them). COINr answers with ``get_stats``, ``get_data_avail``,
``get_corr``, ``get_cronbach`` and ``get_PCA``; here:

- ``indicator_statistics``: per indicator, its measured raw values (imputed cells left out, since
  they say nothing about the data collected): counts, spread, skew and kurtosis, outlier and
  low-variation flags.
- ``data_availability``: per organisation and period, the share of applicable indicators measured.
- ``correlations``: a correlation matrix at one level of the tree, with the Handbook's warning signs.
- ``cronbach_alpha`` / ``internal_consistency``: do a node's children measure one thing?
- ``pca``: how much of the children's variance one direction carries.

Every function works on whole numpy columns of a ``Results``. docs/analysis.md gives the formulas.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.errors import ConfigError, DataError
from vises.methods.treat import kurtosis, skewness

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = [
    "CorrelationFlag",
    "Correlations",
    "DataAvailability",
    "IndicatorStat",
    "IndicatorStatistics",
    "InternalConsistency",
    "PCAResult",
    "correlations",
    "cronbach_alpha",
    "data_availability",
    "indicator_statistics",
    "internal_consistency",
    "pca",
]

#: COINr's ``get_stats`` thresholds: an outlier column has |skew| > 2 and kurtosis > 3.5; a column
#: whose most frequent value holds more than half of the values hardly varies.
SKEW_THRESHOLD = 2.0
KURTOSIS_THRESHOLD = 3.5
SAME_THRESHOLD = 0.5
#: Handbook warning sign: two indicators this correlated measure the same thing twice.
REDUNDANT_THRESHOLD = 0.9
_MISSING = "—"
SECTIONS = ("indicators", "availability", "correlations", "consistency", "pca")


# -- helpers -------------------------------------------------------------------------------------
def _word(key: str, lang: str | None, **values: Any) -> str:
    """A table word from the catalogues (``stats_*`` keys)."""
    from vises.i18n import translate

    return translate(f"stats_{key}", lang or "en", **values)


def _number(x: float | None, lang: str | None, digits: int = 2) -> str:
    from vises.analysis.core import _number as number

    return _MISSING if x is None else number(x, lang, digits)


def _none(x: float) -> float | None:
    """``None`` for NaN, so records are JSON-ready."""
    return None if math.isnan(x) else float(x)


def _rows(results: Results, period: str | None) -> np.ndarray:
    """The row indices of one period (all rows when ``period`` is None)."""
    if period is None:
        return np.arange(len(results))
    if str(period) not in results.period_values:
        raise ConfigError(
            f"period {period!r} is not in the results",
            path="period",
            hint=f"periods: {', '.join(results.period_values)}",
        )
    return np.flatnonzero(results.periods == str(period))


def _indicators(results: Results) -> tuple[str, ...]:
    return tuple(code for code in results.codes if results.is_indicator(code))


def _measured(results: Results, code: str) -> np.ndarray:
    """Rows where the indicator holds a value that was collected (not missing, not imputed)."""
    return np.asarray(~np.isnan(results.raw(code)) & ~results.imputed(code))


def _aggregate(results: Results, node: str, path: str) -> tuple[str, ...]:
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


def _dimension(results: Results, code: str) -> str | None:
    """The top-level dimension (the root's child) above ``code``; None for the root."""
    above: str | None = code
    while above is not None and results.parent(above) not in (None, results.compiled.root):
        above = results.parent(above)
    return None if above == results.compiled.root else above


def _complete(results: Results, codes: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    """The children's scores on the rows where every child has one (COINr's complete cases)."""
    block = np.column_stack([results.score(code)[rows] for code in codes])
    return np.asarray(block[~np.isnan(block).any(axis=1)])


def _table(rows: list[tuple[Any, ...]], headers: list[str]) -> str:
    from tabulate import tabulate

    return str(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True))


# -- 1. indicator statistics ---------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class IndicatorStat:
    """The measured raw values of one indicator in one period (``period`` None = pooled)."""

    code: str
    label: str
    unit: str | None
    period: str | None
    #: Rows measured (imputed cells are not counted).
    present: int
    #: Missing rows over applicable rows; not-applicable rows over all rows.
    missing_share: float
    not_applicable_share: float
    minimum: float
    maximum: float
    mean: float
    median: float
    sd: float
    skewness: float
    kurtosis: float
    #: COINr's rule: |skewness| > 2 and kurtosis > 3.5.
    outlier: bool
    #: Share of the measured values equal to the most frequent one; above 0.5 is low variation.
    same_share: float
    low_variation: bool

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = _none(value)
        return data


@attrs.frozen(kw_only=True)
class IndicatorStatistics:
    """``get_stats`` for a grid: one ``IndicatorStat`` per scored indicator (and period)."""

    by_period: bool
    stats: tuple[IndicatorStat, ...]

    def __len__(self) -> int:
        return len(self.stats)

    def get(self, code: str, period: str | None = None) -> IndicatorStat:
        for stat in self.stats:
            if stat.code == code and stat.period == (None if period is None else str(period)):
                return stat
        raise ConfigError(f"no statistics for {code!r}" + (f" in period {period!r}" if period else ""), indicator=code)

    @property
    def flagged(self) -> tuple[IndicatorStat, ...]:
        """Indicators whose distribution deserves a look (outliers or low variation)."""
        return tuple(s for s in self.stats if s.outlier or s.low_variation)

    def to_records(self) -> list[dict[str, Any]]:
        return [stat.to_dict() for stat in self.stats]

    def table(self, lang: str | None = None) -> str:
        rows = [
            (
                s.code,
                s.period or _word("pooled", lang),
                s.present,
                _number(s.missing_share, lang),
                _number(s.not_applicable_share, lang),
                _number(s.minimum, lang),
                _number(s.maximum, lang),
                _number(s.mean, lang),
                _number(s.median, lang),
                _number(s.sd, lang),
                _number(s.skewness, lang),
                _number(s.kurtosis, lang),
                ", ".join(
                    _word(k, lang) for k, on in (("outlier", s.outlier), ("low_variation", s.low_variation)) if on
                )
                or _MISSING,
            )
            for s in self.stats
        ]
        keys = (
            "indicator",
            "period",
            "present",
            "missing",
            "not_applicable",
            "min",
            "max",
            "mean",
            "median",
            "sd",
            "skewness",
            "kurtosis",
            "flags",
        )
        return _table(rows, [_word(k, lang) for k in keys])


def _describe(results: Results, code: str, rows: np.ndarray, period: str | None) -> IndicatorStat:
    na = results.not_applicable(code)[rows]
    measured = _measured(results, code)[rows]
    values = results.raw(code)[rows][measured]
    applicable = int((~na).sum())
    n = values.size
    nan = math.nan
    if n:
        _, counts = np.unique(values, return_counts=True)
        same = float(counts.max()) / n
    else:
        same = nan
    skew, kurt = skewness(values), kurtosis(values)
    return IndicatorStat(
        code=code,
        label=results.label(code),
        unit=results.unit(code),
        period=period,
        present=n,
        missing_share=(applicable - n) / applicable if applicable else nan,
        not_applicable_share=float(na.sum()) / len(rows) if len(rows) else nan,
        minimum=float(values.min()) if n else nan,
        maximum=float(values.max()) if n else nan,
        mean=float(values.mean()) if n else nan,
        median=float(np.median(values)) if n else nan,
        sd=float(values.std(ddof=1)) if n > 1 else nan,
        skewness=skew,
        kurtosis=kurt,
        outlier=bool(abs(skew) > SKEW_THRESHOLD and kurt > KURTOSIS_THRESHOLD),
        same_share=same,
        low_variation=bool(same > SAME_THRESHOLD),
    )


def indicator_statistics(results: Results, *, by_period: bool = False) -> IndicatorStatistics:
    """Describe every scored indicator's measured raw values, pooled or one row per period.

    Pooled is what COINr does; per period shows whether a collection went wrong one year.
    """
    groups: list[tuple[str | None, np.ndarray]] = (
        [(p, _rows(results, p)) for p in results.period_values] if by_period else [(None, _rows(results, None))]
    )
    stats = tuple(_describe(results, code, rows, period) for code in _indicators(results) for period, rows in groups)
    return IndicatorStatistics(by_period=by_period, stats=stats)


# -- 2. data availability ------------------------------------------------------------------------
@attrs.frozen(kw_only=True, eq=False)
class DataAvailability:
    """Per (organisation, period) row, the share of applicable indicators actually measured.

    ``by_dimension`` gives the same share within each top-level dimension (NaN where none of its
    indicators applies). ``below`` lists the rows under ``threshold``: their scores rest on little.
    """

    threshold: float
    dimensions: tuple[str, ...]
    organisations: np.ndarray
    periods: np.ndarray
    measured: np.ndarray
    applicable: np.ndarray
    share: np.ndarray
    by_dimension: Mapping[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.organisations)

    @property
    def below(self) -> tuple[tuple[str, str], ...]:
        rows = np.flatnonzero(np.nan_to_num(self.share, nan=0.0) < self.threshold)
        return tuple((str(self.organisations[i]), str(self.periods[i])) for i in rows)

    def to_records(self) -> list[dict[str, Any]]:
        out = []
        for i in range(len(self)):
            record: dict[str, Any] = {
                "organisation": str(self.organisations[i]),
                "period": str(self.periods[i]),
                "measured": int(self.measured[i]),
                "applicable": int(self.applicable[i]),
                "share": _none(float(self.share[i])),
            }
            for dim in self.dimensions:
                record[dim] = _none(float(self.by_dimension[dim][i]))
            record["below_threshold"] = bool(np.nan_to_num(self.share[i], nan=0.0) < self.threshold)
            out.append(record)
        return out

    def table(self, lang: str | None = None) -> str:
        order = np.lexsort((self.organisations, self.periods))
        rows = [
            (
                self.organisations[i],
                self.periods[i],
                f"{int(self.measured[i])}/{int(self.applicable[i])}",
                _number(self.share[i], lang),
                *(_number(self.by_dimension[d][i], lang) for d in self.dimensions),
                "*" if np.nan_to_num(self.share[i], nan=0.0) < self.threshold else "",
            )
            for i in order
        ]
        headers = [_word(k, lang) for k in ("organisation", "period", "measured", "availability")]
        headers += [*self.dimensions, _word("below", lang, threshold=_number(self.threshold, lang))]
        return _table(rows, headers)


def data_availability(results: Results, *, threshold: float = 0.5) -> DataAvailability:
    """COINr's ``get_data_avail``: not-applicable indicators leave the denominator, imputed ones count as missing."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= float(threshold) <= 1.0:
        raise ConfigError(f"threshold must be a share between 0 and 1, got {threshold!r}", path="threshold")
    codes = _indicators(results)
    if not codes:
        raise ConfigError(f"grid {results.grid.code!r} has no scored indicator", path="grid")
    measured = np.column_stack([_measured(results, c) for c in codes])
    applicable = np.column_stack([~results.not_applicable(c) for c in codes])
    measured &= applicable

    def share(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        m, a = measured[:, columns].sum(axis=1), applicable[:, columns].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return m, a, np.where(a > 0, m / np.maximum(a, 1), np.nan)

    dims = tuple(results.children(results.compiled.root))
    of_code = [_dimension(results, c) for c in codes]
    by_dimension = {d: share(np.array([o == d for o in of_code], dtype=bool))[2] for d in dims}
    m, a, total = share(np.ones(len(codes), dtype=bool))
    return DataAvailability(
        threshold=float(threshold),
        dimensions=dims,
        organisations=results.organisations,
        periods=results.periods,
        measured=m,
        applicable=a,
        share=total,
        by_dimension=by_dimension,
    )


# -- 3. correlations -----------------------------------------------------------------------------
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
    """A correlation matrix of scores over pairwise complete rows; ``pairs`` counts those rows."""

    method: str
    codes: tuple[str, ...]
    matrix: np.ndarray
    pairs: np.ndarray
    flags: tuple[CorrelationFlag, ...]

    def r(self, a: str, b: str) -> float:
        try:
            return float(self.matrix[self.codes.index(a), self.codes.index(b)])
        except ValueError:
            raise ConfigError(f"{a!r} or {b!r} is not in this matrix", hint=f"codes: {', '.join(self.codes)}") from None

    def to_records(self) -> list[dict[str, Any]]:
        """One record per pair (upper triangle), with its flag if any."""
        kinds = {(f.a, f.b): f.kind for f in self.flags}
        return [
            {
                "a": a,
                "b": b,
                "r": _none(float(self.matrix[i, j])),
                "pairs": int(self.pairs[i, j]),
                "flag": kinds.get((a, b)),
            }
            for i, a in enumerate(self.codes)
            for j, b in enumerate(self.codes)
            if i < j
        ]

    def table(self, lang: str | None = None) -> str:
        rows = [(code, *(_number(float(v), lang) for v in self.matrix[i])) for i, code in enumerate(self.codes)]
        text = f"{_word('correlations', lang)} ({self.method})\n\n" + _table(rows, ["", *self.codes])
        if self.flags:
            flags = [(_word(f.kind, lang), f.a, f.b, _number(f.r, lang), f.pairs) for f in self.flags]
            text += "\n\n" + _table(flags, [_word(k, lang) for k in ("flags", "a", "b", "r", "pairs")])
        return text


def _pearson(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete Pearson correlations of every column pair at once (masked sums)."""
    present = ~np.isnan(block)
    m = present.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column: its NaN mean is never used
        centred = block - np.nanmean(block, axis=0)
    x = np.where(present, centred, 0.0)
    n = m.T @ m
    sx = x.T @ m  # [i, j]: sum of column i over rows where j is present too
    sxx = (x * x).T @ m
    sxy = x.T @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        var_i = sxx - sx * sx / n
        var_j = var_i.T
        r = cov / np.sqrt(var_i * var_j)
    spread = (var_i > 1e-12 * np.maximum(sxx, 1.0)) & (var_j > 1e-12 * np.maximum(sxx.T, 1.0)) & (n >= 2)
    r = np.where(spread, np.clip(r, -1.0, 1.0), np.nan)
    return r, n.astype(np.int64)


def _spearman(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from vises.analysis import spearman

    k = block.shape[1]
    r = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            r[i, j] = r[j, i] = spearman(block[:, i], block[:, j])
    present = (~np.isnan(block)).astype(np.int64)
    return r, present.T @ present


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
    if method not in ("pearson", "spearman"):
        raise ConfigError(f"method must be 'pearson' or 'spearman', got {method!r}", path="method")
    if within is not None:
        codes = _aggregate(results, within, "within")
    elif level == "indicators":
        codes = _indicators(results)
    elif isinstance(level, int) and not isinstance(level, bool) and level >= 1:
        codes = tuple(c for c in results.codes if not results.is_indicator(c) and results.depth(c) == level)
        if not codes:
            raise ConfigError(f"grid {results.grid.code!r} has no aggregate at depth {level}", path="level")
    else:
        raise ConfigError(f"level must be 'indicators' or a depth >= 1, got {level!r}", path="level")
    rows = _rows(results, period)
    block = np.column_stack([results.score(code)[rows] for code in codes])
    matrix, pairs = (_pearson if method == "pearson" else _spearman)(block)
    dims = [_dimension(results, c) for c in codes]
    flags = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            value = float(matrix[i, j])
            if value > REDUNDANT_THRESHOLD:
                flags.append(CorrelationFlag(kind="redundant", a=codes[i], b=codes[j], r=value, pairs=int(pairs[i, j])))
            elif value < 0 and dims[i] is not None and dims[i] == dims[j]:
                flags.append(CorrelationFlag(kind="negative", a=codes[i], b=codes[j], r=value, pairs=int(pairs[i, j])))
    matrix.setflags(write=False)
    pairs.setflags(write=False)
    return Correlations(method=method, codes=codes, matrix=matrix, pairs=pairs, flags=tuple(flags))


# -- 4. internal consistency ---------------------------------------------------------------------
def _alpha(block: np.ndarray) -> float:
    k, n = block.shape[1], block.shape[0]
    if k < 2 or n < 2:
        return math.nan
    total = block.sum(axis=1).var(ddof=1)
    if total == 0:
        return math.nan
    return float(k / (k - 1) * (1.0 - block.var(axis=0, ddof=1).sum() / total))


def cronbach_alpha(results: Results, node: str, *, period: str | None = None) -> float:
    """COINr's ``get_cronbach``: k/(k−1)·(1 − Σ var(child) / var(Σ children)) over complete rows.

    NaN when it is undefined (fewer than two children or complete rows, or no spread at all).
    """
    children = _aggregate(results, node, "node")
    return _alpha(_complete(results, children, _rows(results, period)))


@attrs.frozen(kw_only=True)
class InternalConsistency:
    """Cronbach's alpha of every aggregate over its children, with the rows it rests on."""

    codes: tuple[str, ...]
    children: tuple[int, ...]
    rows: tuple[int, ...]
    alpha: tuple[float, ...]

    def to_records(self) -> list[dict[str, Any]]:
        return [
            {"node": c, "children": k, "complete_rows": n, "alpha": _none(a)}
            for c, k, n, a in zip(self.codes, self.children, self.rows, self.alpha, strict=True)
        ]

    def table(self, lang: str | None = None) -> str:
        rows = [
            (c, k, n, _number(a, lang))
            for c, k, n, a in zip(self.codes, self.children, self.rows, self.alpha, strict=True)
        ]
        return _table(rows, [_word(k, lang) for k in ("node", "children", "complete_rows", "alpha")])


def internal_consistency(results: Results, *, period: str | None = None) -> InternalConsistency:
    """Cronbach's alpha for every aggregate, root last (the order of ``Results.codes``)."""
    rows = _rows(results, period)
    codes = tuple(c for c in results.codes if not results.is_indicator(c))
    blocks = [_complete(results, results.children(c), rows) for c in codes]
    return InternalConsistency(
        codes=codes,
        children=tuple(b.shape[1] for b in blocks),
        rows=tuple(b.shape[0] for b in blocks),
        alpha=tuple(_alpha(b) for b in blocks),
    )


# -- 5. principal components ---------------------------------------------------------------------
@attrs.frozen(kw_only=True, eq=False)
class PCAResult:
    """Principal components of a node's standardised children (COINr's ``get_PCA``).

    ``eigenvalues`` are those of the children's correlation matrix, largest first; ``variance_share``
    their share of the total; ``loadings`` the first component's unit eigenvector, signed so that its
    first entry is positive (an eigenvector's sign is arbitrary).
    """

    node: str
    children: tuple[str, ...]
    rows: int
    eigenvalues: np.ndarray
    variance_share: np.ndarray
    loadings: Mapping[str, float]

    def to_records(self) -> list[dict[str, Any]]:
        """One record per component: eigenvalue, share and cumulative share of the variance."""
        cumulative = np.cumsum(self.variance_share)
        return [
            {"component": i + 1, "eigenvalue": float(e), "variance_share": float(s), "cumulative_share": float(c)}
            for i, (e, s, c) in enumerate(zip(self.eigenvalues, self.variance_share, cumulative, strict=True))
        ]

    def table(self, lang: str | None = None) -> str:
        components = [
            (
                r["component"],
                _number(r["eigenvalue"], lang, 3),
                _number(r["variance_share"], lang, 3),
                _number(r["cumulative_share"], lang, 3),
            )
            for r in self.to_records()
        ]
        title = f"{_word('pca', lang)}: {self.node} ({_word('complete_rows', lang)} = {self.rows})"
        loadings = [(code, _number(value, lang, 3)) for code, value in self.loadings.items()]
        return "\n\n".join(
            [
                title,
                _table(
                    components,
                    [_word(k, lang) for k in ("component", "eigenvalue", "variance_share", "cumulative_share")],
                ),
                _table(loadings, [_word("child", lang), _word("loading", lang)]),
            ]
        )


def pca(results: Results, node: str, *, period: str | None = None) -> PCAResult:
    """PCA of ``node``'s children: eigen-decomposition of their correlation matrix over complete rows.

    A first component with most of the variance says the children move together, which backs
    aggregating them; several comparable components say the node mixes distinct things.
    """
    children = _aggregate(results, node, "node")
    if len(children) < 2:
        raise ConfigError(f"{node!r} has {len(children)} child; a PCA needs at least two", path="node", node=node)
    block = _complete(results, children, _rows(results, period))
    if block.shape[0] < 2:
        raise DataError(
            f"{node!r} has {block.shape[0]} row(s) where every child has a score; a PCA needs two", node=node
        )
    sd = block.std(axis=0, ddof=1)
    flat = [c for c, s in zip(children, sd, strict=True) if not s > 1e-12 * max(1.0, float(np.abs(block).max()))]
    if flat:
        raise DataError(
            f"{', '.join(map(repr, flat))} do(es) not vary over the complete rows of {node!r}; a correlation needs "
            "spread",
            node=node,
            hint="drop the constant child from the PCA's node or check its data",
        )
    z = (block - block.mean(axis=0)) / sd
    corr = z.T @ z / (block.shape[0] - 1)
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)
    first = vectors[:, order[0]]
    if first[0] < 0:
        first = -first
    share = values / values.sum()
    values.setflags(write=False)
    share.setflags(write=False)
    return PCAResult(
        node=node,
        children=children,
        rows=int(block.shape[0]),
        eigenvalues=values,
        variance_share=share,
        loadings={c: float(v) for c, v in zip(children, first, strict=True)},
    )


# -- command line --------------------------------------------------------------------------------
def _payload(results: Results, section: str, node: str | None, level: str | int, method: str) -> Any:
    target = node or results.compiled.root
    if section == "indicators":
        return indicator_statistics(results)
    if section == "availability":
        return data_availability(results)
    if section == "correlations":
        return correlations(results, level=level, within=node, method=method)
    if section == "consistency":
        return internal_consistency(results)
    return pca(results, target)
