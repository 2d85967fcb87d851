"""What runs on one partition: read it as a ``Dataset``, check it, run the stages fitted so far, summarise.

A partition is a pandas DataFrame in vises's wide layout. It becomes a ``Dataset`` through the
DataFrame reader and is checked by ``check_dataset``, the very code ``vises.score`` runs; the
imputation and treatment already fitted are applied with the engine's stage functions and the
fitted parameters as a reference (``vises.engine.stages``), and the next stage's statistics are
summarised (``vises.dask.stats``). The scoring pass calls ``vises.engine.score.score`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from vises.contract.records import ImputeContext
from vises.dask.stats import Bounds, Gathered, Keyed, Moments, Rows, Sums, merge_keyed
from vises.dask.support import Need, Stage, StagePlan
from vises.engine.compile import CompiledGrid, CompiledIndicator
from vises.errors import VisesError
from vises.model import Dataset, Pooling
from vises.numeric import sorted_distinct
from vises.validation.dataset import UnusedColumns

#: Hash buckets of the (organisation, period) keys, for finding a row repeated in another partition.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@attrs.frozen(kw_only=True, eq=False)
class PassContext:
    """Everything a partition task needs, shipped to the workers (small: the grid and the fits so far)."""

    compiled: CompiledGrid
    pooling: Pooling
    unused_columns: UnusedColumns
    source: str | None
    units: Mapping[str, str | None]
    plans: Mapping[str, tuple[StagePlan, ...]]
    #: For each indicator, the stage whose statistics this pass summarises (absent: none).
    summarise: Mapping[str, Stage]
    imputation: Mapping[str, Mapping[str, Any]]
    treatment: Mapping[str, Mapping[str, Any]]
    #: log2 of the number of duplicate-key buckets (0: the first pass's duplicate check is off).
    bucket_bits: int = 0
    #: Text cells hold numbers written with a decimal comma (a ``;``-delimited CSV folder).
    decimal_comma: bool = False


@attrs.frozen(kw_only=True)
class Summary:
    """One partition's (or several merged partitions') contribution to a pass."""

    rows: int = 0
    problems: int = 0
    warnings: int = 0
    periods: frozenset[str] = frozenset()
    stats: Mapping[tuple[str, int], Keyed] = attrs.field(factory=dict)
    imputed: Mapping[str, int] = attrs.field(factory=dict)

    def merge(self, other: Summary) -> Summary:
        stats = dict(self.stats)
        for key, keyed in other.stats.items():
            stats[key] = merge_keyed(stats[key], keyed) if key in stats else keyed
        imputed = dict(self.imputed)
        for code, count in other.imputed.items():
            imputed[code] = imputed.get(code, 0) + count
        return Summary(
            rows=self.rows + other.rows,
            problems=self.problems + other.problems,
            warnings=self.warnings + other.warnings,
            periods=self.periods | other.periods,
            stats=stats,
            imputed=imputed,
        )


def merge_all(summaries: list[Summary]) -> Summary:
    """Merge in order (a balanced tree is built by the caller; this folds one level)."""
    out = summaries[0]
    for other in summaries[1:]:
        out = out.merge(other)
    return out


def partition_dataset(frame: Any, ctx: PassContext, *, first_row: int = 1) -> Dataset | None:
    """The partition as a ``Dataset`` read by the DataFrame reader; ``None`` for an empty partition.

    A worker process loads the installed plugins first (once), so the units they define convert
    there as on the client; the workers need the same plugins installed.
    """
    if len(frame) == 0:
        return None
    from vises.io.frames import from_frame
    from vises.plugins.current import get_registry

    len(get_registry().normalisers)  # collects the plugins' unit definitions with the first catalogue
    return from_frame(
        frame,
        grid=ctx.compiled.grid,
        units=dict(ctx.units),
        source=ctx.source,
        keep_problems=True,
        first_row=first_row,
        decimal_comma=ctx.decimal_comma,
    )


def check(ctx: PassContext, dataset: Dataset, *, first_row: int = 2) -> Any:
    from vises.validation.dataset import check_dataset

    return check_dataset(ctx.compiled.grid, dataset, first_row=first_row, unused_columns=ctx.unused_columns)


def summarise(frame: Any, ctx: PassContext) -> tuple[Summary, list[np.ndarray], int]:
    """One pass over one partition: its summary, its key hashes by bucket (first pass), its length."""
    dataset = partition_dataset(frame, ctx)
    buckets = 1 << ctx.bucket_bits if ctx.bucket_bits else 0
    if dataset is None:
        return Summary(), [np.empty(0, dtype=np.uint64)] * buckets, 0
    checked = check(ctx, dataset)
    n = len(dataset)
    hashes = _key_buckets(dataset, ctx.bucket_bits) if buckets else []
    if checked.problems:
        return Summary(rows=n, problems=len(checked.problems), warnings=len(checked.warnings)), hashes, n
    stats, imputed = _statistics(ctx, dataset, checked)
    summary = Summary(
        rows=n,
        warnings=len(checked.warnings),
        periods=frozenset(str(p) for p in checked.period_values.tolist()),
        stats=stats,
        imputed=imputed,
    )
    return summary, hashes, n


def problems_of(frame: Any, ctx: PassContext, offset: int) -> tuple[list[VisesError], list[VisesError]]:
    """The partition's problems and warnings with rows numbered as in the whole table (rows from 1)."""
    dataset = partition_dataset(frame, ctx, first_row=offset + 1)
    if dataset is None:
        return [], []
    checked = check(ctx, dataset, first_row=offset + 2)
    return list(checked.problems), list(checked.warnings)


# -- stage values and statistics ---------------------------------------------------------------------


def _family(compiled: CompiledGrid) -> dict[str | None, list[CompiledIndicator]]:
    family: dict[str | None, list[CompiledIndicator]] = {}
    for other in compiled.indicators:
        family.setdefault(other.indicator.parent, []).append(other)
    return family


def _siblings(
    item: CompiledIndicator, family: Mapping[str | None, list[CompiledIndicator]], given: Mapping[str, np.ndarray]
) -> dict[str, tuple[np.ndarray, int]]:
    return {
        other.code: (given[other.code], other.direction)
        for other in family[item.indicator.parent]
        if other.code != item.code and other.code in given
    }


def stage_input(
    ctx: PassContext,
    item: CompiledIndicator,
    stage: Stage,
    dataset: Dataset,
    checked: Any,
    family: Mapping[str | None, list[CompiledIndicator]],
) -> tuple[np.ndarray, int]:
    """The values ``stage`` receives for ``item`` (the earlier stages applied with their fitted
    parameters, by the engine's own stage functions), and how many cells imputation filled."""
    from vises.engine.stages import impute, treat

    values = checked.raws[item.code]
    filled = 0
    if stage > Stage.IMPUTE and item.imputer is not None:
        values, mask, _ = impute(
            item,
            values,
            checked.not_applicable.get(item.code),
            dataset,
            checked.period_labels,
            ctx.imputation[item.code],
            _siblings(item, family, checked.raws),
        )
        filled = int(mask.sum())
    if stage > Stage.TREAT and item.treater is not None:
        values, _ = treat(
            item,
            values,
            dataset,
            checked.period_labels,
            checked.period_values,
            checked.period_codes,
            ctx.pooling,
            ctx.treatment[item.code],
        )
    return values, filled


def _by_period(values: np.ndarray, checked: Any, by_period: bool) -> list[tuple[str, np.ndarray]]:
    if not by_period:
        return [("", values)]
    return [
        (str(label), values[checked.period_codes == code]) for code, label in enumerate(checked.period_values.tolist())
    ]


def _statistics(
    ctx: PassContext, dataset: Dataset, checked: Any
) -> tuple[dict[tuple[str, int], Keyed], dict[str, int]]:
    family = _family(ctx.compiled)
    stats: dict[tuple[str, int], Keyed] = {}
    imputed: dict[str, int] = {}
    for item in ctx.compiled.indicators:
        stage = ctx.summarise.get(item.code)
        if stage is None:
            continue
        plan = next(p for p in ctx.plans[item.code] if p.stage is stage)
        values, filled = stage_input(ctx, item, stage, dataset, checked, family)
        if filled:
            imputed[item.code] = filled
        stats[(item.code, int(stage))] = _keyed(plan, item, values, dataset, checked, family)
    return stats, imputed


def _keyed(
    plan: StagePlan,
    item: CompiledIndicator,
    values: np.ndarray,
    dataset: Dataset,
    checked: Any,
    family: Mapping[str | None, list[CompiledIndicator]],
) -> Keyed:
    need = plan.need
    if need is Need.NOTHING:
        return {}
    if need is Need.BOUNDS:
        return {key: Bounds.of(part) for key, part in _by_period(values, checked, plan.by_period)}
    if need is Need.MOMENTS:
        return {key: Moments.of(part) for key, part in _by_period(values, checked, plan.by_period)}
    if need is Need.GATHER:
        what = f"treatment {plan.method.describe()!r} of indicator {item.code!r}"
        return {key: Gathered(part[~np.isnan(part)], what) for key, part in _by_period(values, checked, plan.by_period)}
    if need is Need.REFERENCE:
        organisation = str(plan.method.params.get("organisation"))
        rows = np.asarray(dataset.organisations).astype(str) == organisation
        return {"": Rows(values[rows], np.asarray(checked.period_labels[rows]).astype(str))}
    if need is Need.FAMILY_BOUNDS:
        members = [item.code, *_siblings(item, family, checked.raws)]
        return {code: Bounds.of(checked.raws[code]) for code in members}
    return _by_key(plan, item, values, dataset, checked)


def impute_keys(plan: StagePlan, item: CompiledIndicator, dataset: Dataset, periods: np.ndarray) -> Any:
    """The imputer's own keys of each row (period unless pooled, and group): ``methods.impute``'s."""
    from vises.methods.impute import _CHECKS, _Keys

    context = ImputeContext(
        indicator=item.indicator, organisations=dataset.organisations, periods=periods, attributes=dataset.attributes
    )
    return _Keys(context, _CHECKS[plan.method.name](plan.method.params))


def _by_key(plan: StagePlan, item: CompiledIndicator, values: np.ndarray, dataset: Dataset, checked: Any) -> Keyed:
    keys = impute_keys(plan, item, dataset, checked.period_labels)
    usable = ~np.isnan(values) & (keys.codes >= 0)
    codes, present = keys.codes[usable], values[usable]
    out: Keyed = {}
    if plan.need is Need.KEY_SUMS:
        counts = np.bincount(codes, minlength=keys.size)
        sums = np.bincount(codes, weights=present, minlength=keys.size)
        for code in np.flatnonzero(counts).tolist():
            out[keys.text(code)] = Sums(int(counts[code]), float(sums[code]))
        return out
    what = f"imputer {plan.method.describe()!r} of indicator {item.code!r}"
    order = np.argsort(codes, kind="stable")
    codes, present = codes[order], present[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.empty(0, dtype=np.intp)
    for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), len(codes)], strict=True):
        out[keys.text(int(codes[start]))] = Gathered(present[start:stop], what)
    return out


def _key_hashes(dataset: Dataset) -> np.ndarray:
    """A 64-bit hash of each row's (organisation, period), the same in every process (pandas' keyed
    SipHash, not Python's per-process string hash), so two workers hash one key alike."""
    from pandas.util import hash_array

    organisations = np.asarray(dataset.organisations).astype(str).astype(object)
    periods = np.asarray(dataset.periods).astype(str).astype(object)
    return np.asarray(hash_array(organisations) ^ (hash_array(periods) * _GOLDEN), dtype=np.uint64)


def _key_buckets(dataset: Dataset, bits: int) -> list[np.ndarray]:
    """Each row's (organisation, period) hash, split into ``2**bits`` buckets by its top bits."""
    keys = _key_hashes(dataset)
    bucket = (keys >> np.uint64(64 - bits)).astype(np.intp)
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange((1 << bits) + 1))
    ordered = keys[order]
    return [np.sort(ordered[bounds[b] : bounds[b + 1]]) for b in range(1 << bits)]


def repeated(parts: list[np.ndarray]) -> np.ndarray:
    """The hashes of one bucket that occur more than once across every partition."""
    keys = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)
    return sorted_distinct(keys[1:][keys[1:] == keys[:-1]])


def rows_with_keys(frame: Any, ctx: PassContext, candidates: np.ndarray, offset: int) -> list[tuple[str, str, int]]:
    """(organisation, period, row in the whole table) of the rows whose key hash is a candidate."""
    dataset = partition_dataset(frame, ctx)
    if dataset is None:
        return []
    organisations = np.asarray(dataset.organisations)
    periods = np.asarray(dataset.periods).astype(str, copy=False)
    keys = _key_hashes(dataset)
    rows = np.flatnonzero(np.isin(keys, candidates))
    return [(str(organisations[i]), str(periods[i]), offset + int(i)) for i in rows.tolist()]


__all__ = [
    "PassContext",
    "Summary",
    "merge_all",
    "partition_dataset",
    "problems_of",
    "repeated",
    "rows_with_keys",
    "stage_input",
    "summarise",
]
