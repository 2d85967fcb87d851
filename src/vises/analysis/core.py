"""The analyst's toolbox: how much does a ranking owe to the choices made while building the grid?

The JRC/OECD Handbook on Constructing Composite Indicators asks this of every composite index, and
COINr answers it with ``compare_coins``, ``remove_elements`` and ``get_sensitivity``. Here:

- ``compare(base, variant)``: two scorings side by side, aligned on (organisation, period): score
  difference, rank shift, Spearman rank correlation per period, who enters or leaves the top k.
- ``remove_elements(grid, data)``: score without each indicator (or each node of a level) in turn;
  how far the ranks move says how much the ranking rests on that element.
- ``weight_sensitivity(grid, data)``: Monte Carlo over the weights (and optionally over alternative
  aggregators or normalisers); each organisation's median rank and 5–95 % rank interval.

Everything works on whole numpy columns. The sensitivity normalises once per method choice and only
re-aggregates per draw (``vises.engine.score.aggregate_only``), so hundreds of draws take milliseconds.
docs/analysis.md gives the formulas.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.errors import ConfigError, DataError, GridValidationError
from vises.model import Dataset, Grid, Indicator, Method, Node

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.compile import CompiledGrid
    from vises.engine.results import Results

#: Rows are keyed "period<US>organisation": sorting the keys sorts by period, then organisation.
_SEP = "\x1f"
#: Scores equal to this many decimals tie, as in ``Results.ranks``.
_DECIMALS = 9
_MISSING = "—"
_LANGS = (None, "fr", "nl", "en")


# -- shared helpers ------------------------------------------------------------------------------
def _word(key: str, lang: str | None, **values: Any) -> str:
    """A table word from the report catalogues (``analysis_*`` keys, else the shared report words)."""
    from vises.i18n import catalogue, check_lang, translate

    chosen = check_lang(lang)
    if f"analysis_{key}" in catalogue("en"):
        return translate(f"analysis_{key}", chosen, **values)
    return translate(key, chosen, **values)


def _number(x: float, lang: str | None, digits: int = 1, *, signed: bool = False) -> str:
    """Plain ``12.3`` without a language; the language's separators (babel) with one."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return _MISSING
    if lang is None:
        return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"
    from vises.i18n import format_number, format_signed

    return format_signed(x, lang, digits) if signed else format_number(x, lang, digits)


def _rank_text(x: float, lang: str | None, *, signed: bool = False) -> str:
    if math.isnan(x):
        return _MISSING
    x = round(x, 1)  # shown to one decimal, so 5.96 reads as 6, not "6.0"
    if x == int(x):
        return f"{int(x):+d}" if signed else str(int(x))
    return _number(x, lang, 1, signed=signed)


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only view, so a frozen result cannot be changed through its arrays."""
    view = np.asarray(array).view()
    view.setflags(write=False)
    return view


def _labels(results: Results, code: str) -> dict[str | None, str]:
    return {lang: results.label(code, lang) for lang in _LANGS}


def _period_groups(periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct periods and each row's index into them (as the scoring engine computes them)."""
    values, codes = np.unique(np.asarray(periods).astype(str), return_inverse=True)
    return values, codes.reshape(-1).astype(np.intp)


def ranks_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Rank every column of ``values`` (n, r) within each group of rows, as ``Results.ranks`` does.

    1 = highest, ties (to 9 decimals) share the lowest rank, ``NaN`` stays unranked. One sort per
    group for all r columns at once, so a thousand Monte Carlo draws cost one call.
    """
    values = np.asarray(values, dtype=np.float64)
    flat = values.ndim == 1
    block_all = values[:, None] if flat else values
    out = np.full(block_all.shape, np.nan)
    groups = np.asarray(groups).reshape(-1)
    for group in np.unique(groups):
        rows = np.flatnonzero(groups == group)
        key = -np.round(block_all[rows], _DECIMALS)
        missing = np.isnan(key)
        key[missing] = np.inf
        order = np.argsort(key, axis=0, kind="stable")
        ordered = np.take_along_axis(key, order, axis=0)
        position = np.arange(len(rows))[:, None]
        new = np.ones(ordered.shape, dtype=bool)
        new[1:] = ordered[1:] != ordered[:-1]
        starts = np.maximum.accumulate(np.where(new, position, 0), axis=0)
        ranks = np.empty(key.shape)
        np.put_along_axis(ranks, order, starts + 1.0, axis=0)
        ranks[missing] = np.nan
        out[rows] = ranks
    return out[:, 0] if flat else out


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given the mean of the positions they share (Spearman's convention)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new = np.ones(len(values), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(new)
    stops = np.append(starts[1:], len(values))
    block = np.cumsum(new) - 1
    ranks = np.empty(len(values))
    ranks[order] = ((starts + stops - 1) / 2.0 + 1.0)[block]
    return ranks


def spearman(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Spearman's rank correlation: the Pearson correlation of the two sets of average ranks.

    Pairs with a missing value on either side are left out. ``NaN`` when fewer than two pairs remain
    or one side is constant (the correlation is then undefined, not 0 or 1).
    """
    x = np.round(np.asarray(a, dtype=np.float64), _DECIMALS)
    y = np.round(np.asarray(b, dtype=np.float64), _DECIMALS)
    if x.shape != y.shape:
        raise ConfigError(f"spearman needs two series of the same length, got {len(x)} and {len(y)}")
    both = ~(np.isnan(x) | np.isnan(y))
    if both.sum() < 2:
        return math.nan
    rx, ry = _average_ranks(x[both]), _average_ranks(y[both])
    rx -= rx.mean()
    ry -= ry.mean()
    denominator = math.sqrt(float(rx @ rx) * float(ry @ ry))
    return math.nan if denominator == 0 else float(rx @ ry) / denominator


def _row_keys(results: Results, side: str) -> np.ndarray:
    keys = np.char.add(np.char.add(results.periods.astype(str), _SEP), results.organisations.astype(str))
    distinct, counts = np.unique(keys, return_counts=True)
    if (counts > 1).any():
        period, organisation = str(distinct[counts > 1][0]).split(_SEP, 1)
        raise DataError(
            f"the {side} results have {int((counts > 1).sum())} repeated (organisation, period) row(s), "
            f"first {organisation!r} in {period!r}; rows cannot be matched",
            hint="score a dataset with one row per organisation and period",
        )
    return keys


def _load(grid: Grid | str | Any, data: Dataset | Any) -> tuple[Grid, Dataset, Any]:
    """The grid and dataset (read once), and the registry scoring will use."""
    from vises.engine.load import load_data, load_grid
    from vises.plugins import get_registry

    loaded = load_grid(grid)
    return loaded, load_data(data, grid=loaded), get_registry()


def _compile(grid: Grid, registry: Any, *, what: str) -> CompiledGrid:
    from vises.engine.compile import compile_grid

    try:
        return compile_grid(grid, registry)
    except GridValidationError as exc:
        problems = "; ".join(str(p) for p in exc.problems) or str(exc)
        raise ConfigError(f"{what} is not a valid grid: {problems}") from exc


def _check_code(compiled: CompiledGrid, code: str | None, *, path: str = "code") -> str:
    if code is None:
        return compiled.root
    if code not in compiled.column_of:
        raise ConfigError(
            f"{code!r} is not a scored node or indicator of grid {compiled.grid.code!r}",
            path=path,
            hint=f"aggregates: {', '.join(node.code for node in reversed(compiled.nodes))}",
        )
    return code


# -- compare -------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class PeriodSummary:
    """How much one period's ranking moved between two scorings."""

    period: str
    #: Rows ranked on both sides (the base of the shifts and of the correlation).
    compared: int
    mean_abs_rank_shift: float
    max_abs_rank_shift: float
    spearman: float
    #: Organisations in the variant's top k but not the base's, and the reverse (ties included).
    entering: tuple[str, ...]
    leaving: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        for key in ("mean_abs_rank_shift", "max_abs_rank_shift", "spearman"):
            data[key] = None if math.isnan(data[key]) else data[key]
        data["entering"], data["leaving"] = list(self.entering), list(self.leaving)
        return data


@attrs.frozen(kw_only=True, eq=False)
class Comparison:
    """Two scorings of one node side by side, one row per (organisation, period) of either side.

    Rows are sorted by period, then organisation. ``rank_shift`` = base rank − variant rank, so a
    positive shift means the organisation climbed. Ranks are each scoring's own (within the period,
    1 = best). A row present on one side only keeps ``NaN`` for the other and is listed in
    ``only_in_base`` / ``only_in_variant``: it is never dropped silently.
    """

    code: str
    labels: Mapping[str | None, str]
    top: int
    organisations: np.ndarray
    periods: np.ndarray
    base_score: np.ndarray
    variant_score: np.ndarray
    difference: np.ndarray
    base_rank: np.ndarray
    variant_rank: np.ndarray
    rank_shift: np.ndarray
    in_base: np.ndarray
    in_variant: np.ndarray
    by_period: tuple[PeriodSummary, ...]
    #: Over every row ranked on both sides (``NaN`` when there is none).
    mean_abs_rank_shift: float
    max_abs_rank_shift: float

    def __len__(self) -> int:
        return len(self.organisations)

    @property
    def only_in_base(self) -> list[tuple[str, str]]:
        rows = np.flatnonzero(self.in_base & ~self.in_variant)
        return [(str(self.organisations[i]), str(self.periods[i])) for i in rows]

    @property
    def only_in_variant(self) -> list[tuple[str, str]]:
        rows = np.flatnonzero(self.in_variant & ~self.in_base)
        return [(str(self.organisations[i]), str(self.periods[i])) for i in rows]

    @property
    def min_spearman(self) -> float:
        """The lowest per-period correlation: the period whose ranking moved most."""
        values = [s.spearman for s in self.by_period if not math.isnan(s.spearman)]
        return min(values) if values else math.nan

    def period(self, period: str) -> PeriodSummary:
        for summary in self.by_period:
            if summary.period == str(period):
                return summary
        raise ConfigError(
            f"period {period!r} is in neither scoring", hint=f"periods: {', '.join(s.period for s in self.by_period)}"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per row (``None`` for a missing number), JSON-ready."""
        columns = {
            name: getattr(self, name).tolist()
            for name in ("base_score", "variant_score", "difference", "base_rank", "variant_rank", "rank_shift")
        }
        records = []
        for i in range(len(self)):
            record: dict[str, Any] = {"organisation": str(self.organisations[i]), "period": str(self.periods[i])}
            for name, values in columns.items():
                value = values[i]
                record[name] = None if math.isnan(value) else (int(value) if "rank" in name else value)
            record["in_base"], record["in_variant"] = bool(self.in_base[i]), bool(self.in_variant[i])
            records.append(record)
        return records

    def summary_records(self) -> list[dict[str, Any]]:
        return [summary.to_dict() for summary in self.by_period]

    def table(self, lang: str | None = None, *, limit: int | None = None) -> str:
        """The rows (or the ``limit`` biggest movers) and the per-period summary, as plain text."""
        from tabulate import tabulate

        w = lang or "en"
        rows = np.arange(len(self))
        if limit is not None:
            moved = np.nan_to_num(np.abs(self.rank_shift), nan=-1.0)
            rows = np.sort(np.argsort(-moved, kind="stable")[: max(0, int(limit))])
        body = []
        for i in rows:
            present = (
                _word("both", w)
                if self.in_base[i] and self.in_variant[i]
                else _word("base" if self.in_base[i] else "variant", w)
            )
            body.append(
                (
                    self.organisations[i],
                    self.periods[i],
                    _number(self.base_score[i], lang),
                    _number(self.variant_score[i], lang),
                    _number(self.difference[i], lang, signed=True),
                    _rank_text(self.base_rank[i], lang),
                    _rank_text(self.variant_rank[i], lang),
                    _rank_text(self.rank_shift[i], lang, signed=True),
                    present,
                )
            )
        headers = [
            _word(k, w)
            for k in (
                "organisation",
                "period",
                "base",
                "variant",
                "difference",
                "base_rank",
                "variant_rank",
                "rank_shift",
                "present",
            )
        ]
        summary = [
            (
                s.period,
                s.compared,
                _number(s.mean_abs_rank_shift, lang, 2),
                _rank_text(s.max_abs_rank_shift, lang),
                _number(s.spearman, lang, 3),
                ", ".join(s.entering) or _MISSING,
                ", ".join(s.leaving) or _MISSING,
            )
            for s in self.by_period
        ]
        summary_headers = [
            _word(k, w, k=self.top)
            for k in ("period", "compared", "mean_shift", "max_shift", "spearman", "entering", "leaving")
        ]
        title = f"{self.labels.get(lang, self.code)} ({self.code})"
        return "\n\n".join(
            [
                title,
                tabulate(body, headers=headers, tablefmt="simple", disable_numparse=True),
                tabulate(summary, headers=summary_headers, tablefmt="simple", disable_numparse=True),
            ]
        )


def _shift_stats(shift: np.ndarray) -> tuple[float, float]:
    moved = np.abs(shift[~np.isnan(shift)])
    if len(moved) == 0:
        return math.nan, math.nan
    return float(moved.mean()), float(moved.max())


def compare(base: Results, variant: Results, *, code: str | None = None, top: int = 10) -> Comparison:
    """Compare the scores and ranks of ``code`` (default: the base grid's root) in two scorings.

    Rows are matched on (organisation, period). The variant may use another grid (an indicator
    added or removed, other weights or methods); ``code`` must be scored in both.
    """
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ConfigError(f"top must be a whole number >= 1, got {top!r}", path="top")
    code = base.compiled.root if code is None else str(code)
    for side, results in (("base", base), ("variant", variant)):
        if code not in results.compiled.column_of:
            raise ConfigError(f"{code!r} is not scored in the {side} results (grid {results.grid.code!r})", path="code")
    base_keys, variant_keys = _row_keys(base, "base"), _row_keys(variant, "variant")
    keys = np.union1d(base_keys, variant_keys)
    n = len(keys)

    def spread(results: Results, own: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        where = np.searchsorted(keys, own)
        present = np.zeros(n, dtype=bool)
        present[where] = True
        score, rank = np.full(n, np.nan), np.full(n, np.nan)
        score[where] = results.score(code)
        rank[where] = results.ranks(code)
        return present, score, rank

    in_base, base_score, base_rank = spread(base, base_keys)
    in_variant, variant_score, variant_rank = spread(variant, variant_keys)
    split = np.char.partition(keys.astype(str), _SEP)
    periods, organisations = split[:, 0], split[:, 2]
    difference = variant_score - base_score
    rank_shift = base_rank - variant_rank

    summaries = []
    for period in np.unique(periods):
        rows = periods == period
        mean_shift, max_shift = _shift_stats(rank_shift[rows])
        base_top = set(organisations[rows & (base_rank <= top)].tolist())
        variant_top = set(organisations[rows & (variant_rank <= top)].tolist())
        summaries.append(
            PeriodSummary(
                period=str(period),
                compared=int((~np.isnan(rank_shift[rows])).sum()),
                mean_abs_rank_shift=mean_shift,
                max_abs_rank_shift=max_shift,
                spearman=spearman(base_score[rows], variant_score[rows]),
                entering=tuple(sorted(variant_top - base_top)),
                leaving=tuple(sorted(base_top - variant_top)),
            )
        )
    mean_shift, max_shift = _shift_stats(rank_shift)
    return Comparison(
        code=code,
        labels=_labels(base, code),
        top=top,
        organisations=_frozen(organisations.astype(str)),
        periods=_frozen(periods.astype(str)),
        base_score=_frozen(base_score),
        variant_score=_frozen(variant_score),
        difference=_frozen(difference),
        base_rank=_frozen(base_rank),
        variant_rank=_frozen(variant_rank),
        rank_shift=_frozen(rank_shift),
        in_base=_frozen(in_base),
        in_variant=_frozen(in_variant),
        by_period=tuple(summaries),
        mean_abs_rank_shift=mean_shift,
        max_abs_rank_shift=max_shift,
    )


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
        from tabulate import tabulate

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
                    _number(c.mean_abs_rank_shift, lang, 2),
                    _rank_text(c.max_abs_rank_shift, lang),
                    _number(c.min_spearman, lang, 3),
                )
            )
        headers = [
            _word("removed", w),
            "",
            _word("also_removed", w),
            _word("mean_shift", w),
            _word("max_shift", w),
            _word("min_spearman", w),
        ]
        return str(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True))


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
    loaded, dataset, registry = _load(grid, data)
    compiled = _compile(loaded, registry, what=f"grid {loaded.code!r}")
    target = _check_code(compiled, code)
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
            _compile(variant_grid, registry, what=f"grid {loaded.code!r} without {element!r}"),
            dataset,
            registry=registry,
        )
        comparisons[element] = compare(base, variant, code=target, top=top)
        dropped[element] = gone
        labels[element] = _labels(base, element)
    return Removals(code=target, comparisons=comparisons, dropped=dropped, labels=labels)


# -- weight_sensitivity --------------------------------------------------------------------------
@attrs.frozen(kw_only=True, eq=False)
class Sensitivity:
    """Where each organisation's rank of ``code`` lands when weights (and methods) vary.

    Per row: the nominal rank (the grid as given), the median and the 5th–95th percentile of the
    ranks over the runs (linear interpolation, R's type 7), and the mean absolute shift from the
    nominal rank. ``run_ranks`` keeps every run's ranks (n × runs) for plots or other statistics.
    """

    code: str
    labels: Mapping[str | None, str]
    runs: int
    spread: float
    seed: int | None
    varied: tuple[str, ...]
    methods: Mapping[str, tuple[str, ...]]
    organisations: np.ndarray
    periods: np.ndarray
    nominal_score: np.ndarray
    nominal_rank: np.ndarray
    median_rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    mean_abs_shift: np.ndarray
    run_ranks: np.ndarray
    #: For each run, the index of the method combination drawn (into ``combinations``).
    run_methods: np.ndarray
    combinations: tuple[Mapping[str, str], ...]
    #: Mean of |run rank − nominal rank| over every ranked row and run.
    mean_abs_rank_shift: float

    def __len__(self) -> int:
        return len(self.organisations)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per row (``None`` for a missing number)."""
        out = []
        for i in range(len(self)):
            record: dict[str, Any] = {"organisation": str(self.organisations[i]), "period": str(self.periods[i])}
            for name in ("nominal_score", "nominal_rank", "median_rank", "rank_low", "rank_high", "mean_abs_shift"):
                value = float(getattr(self, name)[i])
                record[name] = None if math.isnan(value) else (int(value) if name == "nominal_rank" else value)
            out.append(record)
        return out

    def table(self, lang: str | None = None) -> str:
        """Rows by period then nominal rank, with the rank interval, and the overall mean shift."""
        from tabulate import tabulate

        w = lang or "en"
        order = np.lexsort((self.organisations, np.nan_to_num(self.nominal_rank, nan=np.inf), self.periods))
        rows = [
            (
                self.organisations[i],
                self.periods[i],
                _number(self.nominal_score[i], lang),
                _rank_text(self.nominal_rank[i], lang),
                _rank_text(self.median_rank[i], lang),
                _MISSING
                if math.isnan(self.rank_low[i])
                else f"{_rank_text(self.rank_low[i], lang)}–{_rank_text(self.rank_high[i], lang)}",
                _number(self.mean_abs_shift[i], lang, 2),
            )
            for i in order
        ]
        headers = [
            _word(k, w)
            for k in ("organisation", "period", "score", "nominal_rank", "median_rank", "interval", "mean_shift")
        ]
        choice = "; ".join(f"{key}: {', '.join(values)}" for key, values in self.methods.items())
        title = (
            f"{self.labels.get(lang, self.code)} ({self.code}): "
            + _word("runs_title", w, runs=self.runs, low=f"{1 - self.spread:g}", high=f"{1 + self.spread:g}")
            + (f", {choice}" if choice else "")
        )
        footer = f"{_word('all_rows', w)}: {_word('mean_shift', w)} = {_number(self.mean_abs_rank_shift, lang, 2)}"
        return "\n\n".join([title, tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True), footer])


def _method_name(value: str | Method, path: str) -> Method:
    if isinstance(value, Method):
        return value
    if isinstance(value, str) and value.strip():
        return Method(name=value.strip())
    raise ConfigError(f"expected a method name or a Method, got {value!r}", path=path)


def _alternatives(methods: Mapping[str, Sequence[str | Method]] | None) -> dict[str, tuple[Method, ...]]:
    if not methods:
        return {}
    out: dict[str, tuple[Method, ...]] = {}
    for key, values in methods.items():
        if key not in ("aggregator", "normaliser"):
            raise ConfigError(
                f"cannot vary {key!r}", path=f"methods.{key}", hint="vary 'aggregator' and/or 'normaliser'"
            )
        if isinstance(values, (str, Method)) or not isinstance(values, Sequence) or not values:
            raise ConfigError("expected a non-empty list of methods", path=f"methods.{key}")
        out[key] = tuple(_method_name(v, f"methods.{key}[{i}]") for i, v in enumerate(values))
    return out


def _with_methods(grid: Grid, aggregator: Method | None, normaliser: Method | None) -> Grid:
    """The grid with one aggregator (or normaliser) everywhere: the default, and no overrides."""
    defaults, nodes, indicators = grid.defaults, grid.nodes, grid.indicators
    if aggregator is not None:
        defaults = attrs.evolve(defaults, aggregator=aggregator)
        nodes = tuple(attrs.evolve(node, aggregator=None) for node in nodes)
    if normaliser is not None:
        defaults = attrs.evolve(defaults, normaliser=normaliser)
        nodes = tuple(attrs.evolve(node, normaliser=None) for node in nodes)
        indicators = tuple(attrs.evolve(ind, normaliser=None) for ind in indicators)
    return attrs.evolve(grid, defaults=defaults, nodes=nodes, indicators=indicators)


def weight_sensitivity(
    grid: Grid | str | Any,
    data: Dataset | Any,
    *,
    runs: int = 200,
    spread: float = 0.25,
    seed: int | None = 0,
    nodes: Iterable[str] | None = None,
    code: str | None = None,
    methods: Mapping[str, Sequence[str | Method]] | None = None,
) -> Sensitivity:
    """Monte Carlo over the weights: how stable is each organisation's rank of ``code``?

    In each run every weight on the edges below ``nodes`` (default: every aggregate) is multiplied by
    its own factor drawn uniformly in [1 − spread, 1 + spread]. ``methods`` adds a discrete choice per
    run, e.g. ``{"aggregator": ["arithmetic", "geometric"]}``; each alternative replaces the method
    everywhere in the grid and must be valid for it (checked before any run). The indicators are
    normalised once per method combination; each run only re-aggregates.
    """
    from vises.engine.score import aggregate_only, score

    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
        raise ConfigError(f"runs must be a whole number >= 1, got {runs!r}", path="runs")
    if not isinstance(spread, (int, float)) or isinstance(spread, bool) or not (0.0 <= float(spread) < 1.0):
        raise ConfigError(
            f"spread must be a number in [0, 1) so that every weight stays > 0, got {spread!r}", path="spread"
        )
    spread = float(spread)
    alternatives = _alternatives(methods)
    loaded, dataset, registry = _load(grid, data)
    compiled = _compile(loaded, registry, what=f"grid {loaded.code!r}")
    target = _check_code(compiled, code)
    if nodes is None:
        varied = tuple(node.code for node in compiled.nodes)
    else:
        varied = tuple(dict.fromkeys(str(n) for n in nodes))
        for name in varied:
            if name not in compiled.node_index:
                raise ConfigError(
                    f"{name!r} is not an aggregate of grid {loaded.code!r}: only the weights below an aggregate can "
                    "vary",
                    path="nodes",
                    hint=f"aggregates: {', '.join(node.code for node in reversed(compiled.nodes))}",
                )

    nominal = score(compiled, dataset, registry=registry)
    keys = list(alternatives)
    combinations = [
        dict(zip(keys, chosen, strict=True)) for chosen in itertools.product(*(alternatives[k] for k in keys))
    ] or [{}]
    prepared: list[tuple[CompiledGrid, np.ndarray]] = []
    for combination in combinations:
        if combination:
            described = ", ".join(f"{k} {m.describe()}" for k, m in combination.items())
            variant = _with_methods(loaded, combination.get("aggregator"), combination.get("normaliser"))
            variant_compiled = _compile(variant, registry, what=f"grid {loaded.code!r} with {described}")
            normalised = score(variant_compiled, dataset, registry=registry).scores
        else:
            variant_compiled, normalised = compiled, nominal.scores
        prepared.append((variant_compiled, np.array(normalised, dtype=np.float64, order="F", copy=True)))

    _, groups = _period_groups(dataset.periods)
    rng = np.random.default_rng(seed)
    sizes = [len(compiled.node(name).weights) for name in varied]
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(runs, sum(sizes)))
    picks = rng.integers(0, len(prepared), size=runs) if len(prepared) > 1 else np.zeros(runs, dtype=np.intp)
    offsets = np.concatenate([[0], np.cumsum(sizes)])

    column = compiled.column_of[target]
    run_scores = np.empty((len(dataset), runs))
    for run in range(runs):
        run_compiled, buffer = prepared[picks[run]]
        weights = {
            name: run_compiled.node(name).weights * factors[run, offsets[k] : offsets[k + 1]]
            for k, name in enumerate(varied)
        }
        aggregate_only(run_compiled, buffer, groups, weights)
        run_scores[:, run] = buffer[:, column]

    run_ranks = ranks_within(run_scores, groups)
    nominal_rank = np.asarray(nominal.ranks(target), dtype=np.float64)
    with warnings.catch_warnings():
        # Rows never ranked (missing in every run) give NaN statistics; numpy's warning adds nothing.
        warnings.simplefilter("ignore", RuntimeWarning)
        low, median, high = np.nanpercentile(run_ranks, [5.0, 50.0, 95.0], axis=1)
        shifts = np.abs(run_ranks - nominal_rank[:, None])
        per_row = np.nanmean(shifts, axis=1)
    ranked = ~np.isnan(shifts)
    overall = float(shifts[ranked].mean()) if ranked.any() else math.nan
    return Sensitivity(
        code=target,
        labels=_labels(nominal, target),
        runs=runs,
        spread=spread,
        seed=seed,
        varied=varied,
        methods={k: tuple(m.describe() for m in v) for k, v in alternatives.items()},
        organisations=_frozen(nominal.organisations),
        periods=_frozen(nominal.periods),
        nominal_score=_frozen(np.array(nominal.score(target))),
        nominal_rank=_frozen(nominal_rank),
        median_rank=_frozen(median),
        rank_low=_frozen(low),
        rank_high=_frozen(high),
        mean_abs_shift=_frozen(per_row),
        run_ranks=_frozen(run_ranks),
        run_methods=_frozen(picks),
        combinations=tuple({k: m.describe() for k, m in c.items()} for c in combinations),
        mean_abs_rank_shift=overall,
    )


# -- command line --------------------------------------------------------------------------------
__all__ = [
    "Comparison",
    "PeriodSummary",
    "Removals",
    "Sensitivity",
    "compare",
    "ranks_within",
    "remove_elements",
    "spearman",
    "weight_sensitivity",
]
