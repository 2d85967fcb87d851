"""Score a Dask DataFrame: fit on merged partial statistics, then score each partition with the engine.

1. Plan: every indicator's stages (impute, treat, normalise) and what each fit needs; a method Dask
   cannot fit is refused here, before any work (``support``).
2. Passes over the data: each partition is read and checked as ``vises.score`` checks data, and
   summarises the statistics of the next stage to fit; the summaries merge in a tree (``stats``).
   The first pass also finds every problem (rows numbered across partitions), rows repeated in
   another partition (hashes by bucket) and the periods. With no imputation and no treatment, one
   pass fits everything; each of these stages in use adds one.
3. Fit each stage from the merged statistics with the method's own fit (``fit``).
4. Score: ``map_partitions`` runs ``vises.engine.score.score`` on each partition with the fitted
   parameters as its reference, so scores, coverage and missing reasons are the in-memory ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.dask.client import compute, require_dask
from vises.dask.partition import PassContext, Summary, problems_of, repeated, rows_with_keys, summarise
from vises.dask.support import Need, Stage, StagePlan, plan_grid
from vises.engine.compile import CompiledGrid, MethodLookup, compiled_for
from vises.engine.results import Results
from vises.errors import DataError, DataValidationError, VisesError
from vises.model import Dataset, Grid, Pooling
from vises.validation.dataset import UnusedColumns

if TYPE_CHECKING:  # pragma: no cover
    from vises.dask.results import DaskResults


def score(
    grid: Grid | CompiledGrid | str,
    data: Any,
    *,
    pooling: Pooling | str | None = None,
    reference: Results | Mapping[str, Mapping[str, Any]] | None = None,
    registry: MethodLookup | None = None,
    unused_columns: UnusedColumns = "error",
    units: Mapping[str, str | None] | None = None,
    source: str | None = None,
) -> DaskResults:
    """Score a Dask DataFrame (or a folder of Parquet/CSV files) on ``grid``; same numbers as ``vises.score``.

    ``data`` is a ``dask.dataframe.DataFrame`` in vises's wide layout (``organisation``, ``period``,
    one column per indicator), a folder of Parquet/CSV files, or what ``vises.dask.read_folder`` read.
    ``units`` gives column units the frame cannot carry (Parquet field metadata is read by
    ``read_folder``). ``pooling``, ``reference``, ``registry`` and ``unused_columns`` mean what they
    mean for ``vises.score``. Work runs on the active ``distributed`` client when there is one.

    Returns ``DaskResults``: a lazy dask DataFrame of scores and coverage, the fitted parameters,
    periods, ranks on demand. Raises ``DataValidationError`` with every problem of the data, and a
    ``GridValidationError`` naming every method that is not supported on Dask (docs/dask.md).
    """
    require_dask("scoring a Dask DataFrame")
    from vises.dask.results import DaskResults
    from vises.engine.score import _provenance, emit_warnings

    if registry is None:
        from vises.plugins import get_registry

        registry = get_registry()
    compiled = _compiled(grid, registry)
    frame, folder_units, described, decimal_comma = _frame(data)
    source = source or described
    pooling = Pooling(pooling) if pooling is not None else compiled.grid.defaults.pooling
    plans = plan_grid(compiled, pooling, fitting=reference is None)
    ctx = PassContext(
        compiled=compiled,
        pooling=pooling,
        unused_columns=unused_columns,
        source=source,
        units={**folder_units, **dict(units or {})},
        plans=plans,
        summarise={},
        imputation={},
        treatment={},
        bucket_bits=_bucket_bits(frame.npartitions),
        decimal_comma=decimal_comma,
    )
    pending: dict[str, list[StagePlan]] = {code: list(stages) for code, stages in plans.items()}
    fitted: dict[str, dict[str, Any]] = {}
    imputation: dict[str, dict[str, Any]] = {}
    treatment: dict[str, dict[str, Any]] = {}
    first = _first_pass(frame, ctx, pending if reference is None else {})
    lengths, period_values, summary = first
    emit_warnings(_warnings(frame, ctx, first))
    ctx = _evolve(ctx, bucket_bits=0)
    sink = {Stage.IMPUTE: imputation, Stage.TREAT: treatment, Stage.NORMALISE: fitted}
    directions = {item.code: item.direction for item in compiled.indicators}
    if reference is None:
        _fit_from(summary, pending, compiled, period_values, pooling, sink, directions)
        while any(pending.values()):
            ctx = _evolve(ctx, summarise=_next_stages(pending), imputation=dict(imputation), treatment=dict(treatment))
            (merged,) = compute(_tree([_summary_of(part, ctx) for part in frame.to_delayed()]))
            _fit_from(merged, pending, compiled, period_values, pooling, sink, directions)
        provenance = _provenance(compiled, registry, pooling)
        fitted_reference: Results | Mapping[str, Mapping[str, Any]] = _reference(
            compiled, fitted, imputation, treatment, period_values, provenance
        )
    else:
        provenance = _provenance(compiled, registry, pooling)
        fitted_reference = reference
    scored, scoring = _scored(frame, ctx, fitted_reference, lengths, pooling)
    return DaskResults(
        frame=scored,
        scoring=scoring,
        compiled=compiled,
        fitted=fitted if reference is None else _fitted_of(reference),
        fitted_imputation=imputation,
        fitted_treatment=treatment,
        period_values=tuple(period_values),
        provenance=provenance,
        rows=int(sum(lengths)),
        reference=fitted_reference if isinstance(fitted_reference, Results) else None,
    )


# -- inputs ---------------------------------------------------------------------------------------------


def _compiled(grid: Grid | CompiledGrid | str, registry: MethodLookup) -> CompiledGrid:
    if isinstance(grid, CompiledGrid):
        return grid
    if not isinstance(grid, Grid):
        from vises.engine.load import load_grid

        grid = load_grid(grid)
    return compiled_for(grid, registry)


def _frame(data: Any) -> tuple[Any, dict[str, str | None], str | None, bool]:
    import dask.dataframe as dd

    from vises.dask.read import Folder, read_folder

    if isinstance(data, dd.DataFrame):
        return data, {}, None, False
    if isinstance(data, str) or hasattr(data, "__fspath__"):
        data = read_folder(data)
    if isinstance(data, Folder):
        return data.frame, dict(data.units), data.source, data.decimal_comma
    raise DataError(
        f"expected a dask DataFrame or a folder of Parquet/CSV files, got {type(data).__name__}",
        hint="read the files with vises.dask.read_folder(path) or dask.dataframe.read_parquet(path)",
    )


def _bucket_bits(partitions: int) -> int:
    """Duplicate-key buckets: about one per four partitions, at least 2 and at most 256."""
    return min(8, max(1, math.ceil(math.log2(max(partitions, 1) / 4)) if partitions > 8 else 1))


def _evolve(ctx: PassContext, **changes: Any) -> PassContext:
    import attrs

    return attrs.evolve(ctx, **changes)


# -- passes ---------------------------------------------------------------------------------------------


def _summary_of(part: Any, ctx: PassContext) -> Any:
    import dask

    return dask.delayed(summarise, nout=3)(part, ctx)[0]


def _tree(items: Sequence[Any], merge: Callable[[Any, Any], Any] | None = None) -> Any:
    """Merge delayed summaries pairwise in a balanced tree, keeping their order."""
    import dask

    join = dask.delayed(merge or _merge_two)
    level = list(items)
    if not level:
        return dask.delayed(Summary)()
    while len(level) > 1:
        level = [join(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0]


def _merge_two(a: Summary, b: Summary) -> Summary:
    return a.merge(b)


def _first_pass(
    frame: Any, ctx: PassContext, pending: Mapping[str, list[StagePlan]]
) -> tuple[list[int], list[str], Summary]:
    """Check every partition, summarise the first stages, find repeated keys; raise every problem."""
    import dask

    ctx = _evolve(ctx, summarise=_next_stages(pending))
    parts = frame.to_delayed()
    outs = [dask.delayed(summarise, nout=3)(part, ctx) for part in parts]
    buckets = 1 << ctx.bucket_bits
    repeats = [dask.delayed(repeated)([out[1][b] for out in outs]) for b in range(buckets)]
    counts = [out[2] for out in outs]
    flags = [dask.delayed(_flags)(out[0]) for out in outs]
    merged, lengths, per_partition, repeated_keys = compute(_tree([out[0] for out in outs]), counts, flags, repeats)
    lengths = [int(n) for n in lengths]
    problems: list[VisesError] = []
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(int).tolist()
    troubled = [i for i, (p, _) in enumerate(per_partition) if p]
    if troubled:
        found = compute(*[dask.delayed(problems_of)(parts[i], ctx, offsets[i]) for i in troubled])
        for partition_problems, _ in found:
            problems.extend(partition_problems)
    candidates = np.concatenate(repeated_keys) if repeated_keys else np.empty(0, dtype=np.uint64)
    if len(candidates):
        repeats = _repeated_rows(parts, ctx, candidates, offsets)
        if repeats:
            problems = [problem for problem in problems if not _is_repeat(problem)] + repeats
    if sum(lengths) == 0 and not problems:
        problems.append(
            DataError("the data has no rows", file=ctx.source, hint="give at least one organisation and period")
        )
    if problems:
        raise DataValidationError(problems, what=f"dataset {ctx.source!r}" if ctx.source else "dataset")
    from vises.model.periods import natural_order

    return lengths, list(natural_order(sorted(merged.periods))), merged


def _flags(summary: Summary) -> tuple[int, int]:
    return summary.problems, summary.warnings


def _warnings(frame: Any, ctx: PassContext, first: tuple[list[int], list[str], Summary]) -> list[VisesError]:
    """The checks' warnings (zero denominators), rows numbered across partitions; only when there are some."""
    import dask

    lengths, _, summary = first
    if not summary.warnings:
        return []
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(int).tolist()
    parts = frame.to_delayed()
    found = compute(*[dask.delayed(problems_of)(part, ctx, offsets[i]) for i, part in enumerate(parts) if lengths[i]])
    return [warning for _, partition_warnings in found for warning in partition_warnings]


def _repeated_rows(parts: list[Any], ctx: PassContext, candidates: np.ndarray, offsets: list[int]) -> list[VisesError]:
    """Every row whose (organisation, period) came on an earlier row, in any partition, named as
    ``vises.validation.dataset.duplicate_rows`` names it for the whole table."""
    import dask

    from vises.validation.columns import listed_rows

    found = compute(*[dask.delayed(rows_with_keys)(part, ctx, candidates, offsets[i]) for i, part in enumerate(parts)])
    occurrences: dict[tuple[str, str], list[int]] = {}
    for rows in found:
        for organisation, period, row in rows:
            occurrences.setdefault((organisation, period), []).append(row)
    first: dict[int, tuple[int, str, str]] = {}
    for (organisation, period), rows in occurrences.items():
        rows.sort()
        for row in rows[1:]:
            first[row] = (rows[0], organisation, period)
    if not first:
        return []

    def problem(row: int) -> VisesError:
        earlier, organisation, period = first[row]
        return DataError(
            f"organisation {organisation!r}, period {period!r} appears again (first at row {earlier + 2})",
            file=ctx.source,
            row=row + 2,
            hint="keep one row per organisation and period",
        )

    def more(count: int, shown: list[int]) -> VisesError:
        return DataError(
            f"{count} more rows repeat an organisation and period given earlier (rows {', '.join(map(str, shown))}"
            f"{', ...' if count > len(shown) else ''})",
            file=ctx.source,
            hint="keep one row per organisation and period",
        )

    return listed_rows(np.array(sorted(first), dtype=np.intp), problem, first_row=2, more=more)


def _is_repeat(problem: VisesError) -> bool:
    """A partition's own report of a repeated (organisation, period): replaced by the whole table's."""
    text = problem.message
    return ("appears again (first at row" in text and text.startswith("organisation ")) or (
        "more rows repeat an organisation and period" in text
    )


def _next_stages(pending: Mapping[str, list[StagePlan]]) -> dict[str, Stage]:
    return {code: stages[0].stage for code, stages in pending.items() if stages}


def _fit_from(
    summary: Summary,
    pending: dict[str, list[StagePlan]],
    compiled: CompiledGrid,
    period_values: Sequence[str],
    pooling: Pooling,
    sink: Mapping[Stage, dict[str, dict[str, Any]]],
    directions: Mapping[str, int],
) -> None:
    """Fit every stage this pass summarised, then every following stage that needs no data."""
    from vises.dask.fit import fit_imputation, fit_normaliser, fit_treatment

    items = {item.code: item for item in compiled.indicators}
    for code, stages in pending.items():
        item = items[code]
        first = True
        while stages and (first or stages[0].need is Need.NOTHING):
            plan = stages.pop(0)
            keyed = summary.stats.get((code, int(plan.stage)), {}) if first else {}
            if plan.stage is Stage.IMPUTE:
                sink[plan.stage][code] = fit_imputation(item, plan, keyed, directions)
            elif plan.stage is Stage.TREAT:
                sink[plan.stage][code] = fit_treatment(item, plan, keyed, period_values, pooling)
            else:
                sink[plan.stage][code] = fit_normaliser(item, plan, keyed, period_values, pooling)
            first = False


def _reference(
    compiled: CompiledGrid,
    fitted: Mapping[str, dict[str, Any]],
    imputation: Mapping[str, dict[str, Any]],
    treatment: Mapping[str, dict[str, Any]],
    period_values: Sequence[str],
    provenance: dict[str, Any],
) -> Results:
    """The fitted parameters as ``Results`` of no rows: what ``score(..., reference=...)`` reuses."""
    empty = np.array([], dtype=str)
    return Results(
        compiled=compiled,
        dataset=Dataset(organisations=empty, periods=empty),
        scores=np.empty((0, len(compiled.codes)), order="F"),
        raws={},
        raw_texts={},
        not_applicable={},
        fitted=dict(fitted),
        period_codes=np.empty(0, dtype=np.intp),
        period_values=tuple(period_values),
        provenance=provenance,
        fitted_imputation=dict(imputation),
        fitted_treatment=dict(treatment),
    )


def _fitted_of(reference: Results | Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    table = reference.fitted if isinstance(reference, Results) else reference
    return {code: dict(value) for code, value in table.items()}


# -- the scoring pass -------------------------------------------------------------------------------------


class _NoPlugins:
    """The registry the workers' ``score`` gets: the grid is compiled, so only provenance asks it,
    and the run's provenance is the client's."""

    normalisers: Mapping[str, Any] = {}
    aggregators: Mapping[str, Any] = {}
    treatments: Mapping[str, Any] = {}
    imputers: Mapping[str, Any] = {}


def partition_results(
    frame: Any, ctx: PassContext, reference: Results | Mapping[str, Mapping[str, Any]], pooling: Pooling, first_row: int
) -> Results | None:
    """One partition scored by ``vises.engine.score.score`` with ``reference``; ``None`` when empty."""
    from vises.dask.partition import partition_dataset
    from vises.engine.score import score as engine_score

    dataset = partition_dataset(frame, ctx, first_row=first_row + 1)
    if dataset is None:
        return None
    return engine_score(
        ctx.compiled,
        dataset,
        pooling=pooling,
        registry=_NoPlugins(),
        reference=reference,
        unused_columns=ctx.unused_columns,
        emit_data_warnings=False,  # the first pass showed them once, rows numbered across partitions
    )


def score_partition(
    frame: Any,
    ctx: PassContext,
    reference: Results | Mapping[str, Mapping[str, Any]],
    pooling: Pooling,
    offsets: Sequence[int],
    partition_info: Any = None,
) -> Any:
    """One partition's scores and coverage by ``vises.engine.score.score`` with ``reference``."""
    import pandas as pd

    number = partition_info["number"] if partition_info else 0
    results = partition_results(frame, ctx, reference, pooling, offsets[number])
    if results is None:
        return output_meta(ctx.compiled)
    columns: dict[str, Any] = {
        "organisation": pd.array(results.organisations.astype(str), dtype="str"),
        "period": pd.array(results.periods.astype(str), dtype="str"),
    }
    for code in results.codes:
        columns[f"score.{code}"] = results.score(code)
    for code in results.codes:
        columns[f"coverage.{code}"] = results.coverage(code)
    index = pd.Index(np.arange(offsets[number], offsets[number] + len(results), dtype=np.int64), name="row")
    return pd.DataFrame(columns, index=index)


@attrs.frozen(kw_only=True, eq=False)
class ScoringPass:
    """What the scoring pass runs on each partition, for a writer that scores and writes in one task
    (``vises.dask.write``) without building the pandas frame of ``DaskResults.frame``."""

    frame: Any  #: the input partitions that hold rows
    ctx: PassContext
    reference: Results | Mapping[str, Mapping[str, Any]]
    pooling: Pooling
    starts: tuple[int, ...]  #: the row number of each partition's first row


def output_meta(compiled: CompiledGrid) -> Any:
    """The empty frame of the scoring pass: organisation, period, ``score.<code>``, ``coverage.<code>``."""
    import pandas as pd

    columns: dict[str, Any] = {
        "organisation": pd.array([], dtype="str"),
        "period": pd.array([], dtype="str"),
    }
    for prefix in ("score", "coverage"):
        for code in compiled.codes:
            columns[f"{prefix}.{code}"] = np.empty(0, dtype=np.float64)
    return pd.DataFrame(columns, index=pd.Index(np.empty(0, dtype=np.int64), name="row"))


def _scored(
    frame: Any,
    ctx: PassContext,
    reference: Results | Mapping[str, Mapping[str, Any]],
    lengths: Sequence[int],
    pooling: Pooling,
) -> tuple[Any, ScoringPass]:
    """The scoring pass over the partitions that hold rows, indexed by row number (known divisions)."""
    filled = [i for i, n in enumerate(lengths) if n]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(int)
    starts = [int(offsets[i]) for i in filled]
    part_frame = frame.partitions[filled] if len(filled) != frame.npartitions else frame
    scored = part_frame.map_partitions(
        score_partition, ctx, reference, pooling, starts, meta=output_meta(ctx.compiled), enforce_metadata=False
    )
    divisions = (*starts, int(offsets[-1]) - 1)
    plan = ScoringPass(frame=part_frame, ctx=ctx, reference=reference, pooling=pooling, starts=tuple(starts))
    return scored.reset_index().set_index("row", sorted=True, divisions=divisions), plan


__all__ = ["ScoringPass", "output_meta", "partition_results", "score", "score_partition"]
