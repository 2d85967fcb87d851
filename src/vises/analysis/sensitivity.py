"""Monte Carlo over the weights (and methods): where does each organisation's rank land?

In each run every weight below the chosen nodes is multiplied by its own factor drawn in
[1 − spread, 1 + spread] (COINr's ``get_noisy_weights``); a method may also be drawn per run. The
indicators are normalised once per method combination and each run only re-aggregates
(``vises.engine.score.aggregate_only``), so hundreds of runs take milliseconds. docs/analysis.md
gives the formulas; ``vises.analysis.sobol`` apportions the variance among the choices.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.analysis._common import (
    as_method,
    check_code,
    check_runs,
    compile_checked,
    frozen,
    labels_of,
    load,
    period_groups,
    with_methods,
)
from vises.analysis.words import number, rank_interval_records, rank_interval_rows, table, word
from vises.errors import ConfigError
from vises.model import Dataset, Grid, Method

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.compile import CompiledGrid
    from vises.engine.replications import Runner

__all__ = ["Sensitivity", "ranks_within", "weight_sensitivity"]


def ranks_within(values: np.ndarray, groups: np.ndarray, *, tolerance: float | None = None) -> np.ndarray:
    """Rank every column of ``values`` (n, r) within each group of rows, as ``Results.ranks`` does.

    1 = highest, exactly equal values share the lowest rank (``tolerance`` makes near-equal ones
    tie), ``NaN`` stays unranked: ``vises.numeric.rank``, one sort for all r columns at once.
    """
    from vises.numeric import rank

    return rank(values, groups, tolerance=tolerance)


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
    #: The indicators whose values were also drawn from their sampling distribution (``sampling=True``).
    sampled: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.organisations)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per row (``None`` for a missing number)."""
        names = ("nominal_score", "nominal_rank", "median_rank", "rank_low", "rank_high", "mean_abs_shift")
        return rank_interval_records(self, names)

    def table(self, lang: str | None = None) -> str:
        """Rows by period then nominal rank, with the rank interval, and the overall mean shift."""
        w = lang or "en"
        rows = rank_interval_rows(self, lang, [number(shift, lang, 2) for shift in self.mean_abs_shift.tolist()])
        headers = [
            word(k, w)
            for k in ("organisation", "period", "score", "nominal_rank", "median_rank", "interval", "mean_shift")
        ]
        choice = "; ".join(f"{key}: {', '.join(values)}" for key, values in self.methods.items())
        title = (
            f"{self.labels.get(lang, self.code)} ({self.code}): "
            + word("runs_title", w, runs=self.runs, low=f"{1 - self.spread:g}", high=f"{1 + self.spread:g}")
            + (f", {choice}" if choice else "")
            + (f"; {word('runs_sampled', w, codes=', '.join(self.sampled))}" if self.sampled else "")
        )
        footer = f"{word('all_rows', w)}: {word('mean_shift', w)} = {number(self.mean_abs_rank_shift, lang, 2)}"
        return "\n\n".join([title, table(rows, headers), footer])


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
        out[key] = tuple(as_method(v, f"methods.{key}[{i}]") for i, v in enumerate(values))
    return out


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
    sampling: bool = False,
    runner: Runner | None = None,
) -> Sensitivity:
    """Monte Carlo over the weights: how stable is each organisation's rank of ``code``?

    In each run every weight on the edges below ``nodes`` (default: every aggregate) is multiplied by
    its own factor drawn uniformly in [1 − spread, 1 + spread]. ``methods`` adds a discrete choice per
    run, e.g. ``{"aggregator": ["arithmetic", "geometric"]}``; each alternative replaces the method
    everywhere in the grid and must be valid for it (checked before any run). The indicators are
    normalised once per method combination; each run only re-aggregates. ``runner`` runs the runs
    (default: here, one after another); ``vises.dask.distribute_runs`` runs them as Dask tasks, with
    the same draws for the same seed.

    ``sampling=True`` also draws, in each run, every value that is an estimate from its sampling
    distribution (``vises.analysis.sampling``: a share from its n, a proportion rate from its
    numerator and denominator, a mean from its n and sd), so a rank interval covers both the weights
    and the samples; each run is then scored again, here (not with a ``runner``).
    ``Sensitivity.sampled`` names those indicators.
    """
    from vises.engine.replications import draw_replications, run_replications
    from vises.engine.score import score

    if not isinstance(runs, int) or isinstance(runs, bool) or runs < 1:
        raise ConfigError(f"runs must be a whole number >= 1, got {runs!r}", path="runs")
    check_runs(runs)
    if not isinstance(spread, (int, float)) or isinstance(spread, bool) or not (0.0 <= float(spread) < 1.0):
        raise ConfigError(
            f"spread must be a number in [0, 1) so that every weight stays > 0, got {spread!r}", path="spread"
        )
    spread = float(spread)
    alternatives = _alternatives(methods)
    loaded, dataset, registry = load(grid, data)
    check_runs(runs, rows=len(dataset))
    compiled = compile_checked(loaded, registry, what=f"grid {loaded.code!r}")
    target = check_code(compiled, code)
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
            variant = with_methods(
                loaded, aggregator=combination.get("aggregator"), normaliser=combination.get("normaliser")
            )
            variant_compiled = compile_checked(variant, registry, what=f"grid {loaded.code!r} with {described}")
            normalised = score(variant_compiled, dataset, registry=registry).scores
        else:
            variant_compiled, normalised = compiled, nominal.scores
        prepared.append((variant_compiled, np.array(normalised, dtype=np.float64, order="F", copy=True)))

    _, groups = period_groups(dataset.periods)
    replications = draw_replications(
        prepared, groups, column=compiled.column_of[target], varied=varied, runs=runs, spread=spread, seed=seed
    )
    picks = replications.picks

    sampled = []
    if sampling:
        from vises.analysis.sampling import redrawn, samplers
        from vises.engine.score import aggregate_only

        if runner is not None:
            raise ConfigError(
                "sampling=True scores every run again, in memory: it does not take a runner",
                path="runner",
                hint="leave runner out, or sampling off",
            )
        sampled = samplers(nominal, dataset)
        if not sampled:
            raise ConfigError(
                "sampling=True, but no value of the data is an estimate with an n to draw from",
                path="sampling",
                hint="give the evidence of survey shares and means (<code>.n, <code>.sd), collect them from "
                "records, or use rates; or leave sampling off",
            )
        draws = np.random.default_rng(None if seed is None else [seed, 12])
        factors, offsets = replications.factors, replications.offsets
        column = compiled.column_of[target]
        run_scores = np.empty((len(dataset), runs))
        for run in range(runs):
            run_compiled, _ = prepared[picks[run]]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the nominal scoring already said what the data lacks
                drawn = score(run_compiled, redrawn(dataset, sampled, draws), registry=registry).scores
            buffer = np.array(drawn, dtype=np.float64, order="F", copy=True)
            weights = {
                name: run_compiled.node(name).weights * factors[run, offsets[k] : offsets[k + 1]]
                for k, name in enumerate(varied)
            }
            aggregate_only(run_compiled, buffer, groups, weights)
            run_scores[:, run] = buffer[:, column]
    else:
        run_scores = np.asarray((runner or run_replications)(replications), dtype=np.float64)
        if run_scores.shape != (len(dataset), runs):
            raise ConfigError(
                f"the runner returned scores of shape {run_scores.shape}, not rows × runs {(len(dataset), runs)}",
                path="runner",
            )

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
        labels=labels_of(nominal, target),
        runs=runs,
        spread=spread,
        seed=seed,
        varied=varied,
        methods={k: tuple(m.describe() for m in v) for k, v in alternatives.items()},
        organisations=frozen(nominal.organisations),
        periods=frozen(nominal.periods),
        nominal_score=frozen(np.array(nominal.score(target))),
        nominal_rank=frozen(nominal_rank),
        median_rank=frozen(median),
        rank_low=frozen(low),
        rank_high=frozen(high),
        mean_abs_shift=frozen(per_row),
        run_ranks=frozen(run_ranks),
        run_methods=frozen(picks),
        combinations=tuple({k: m.describe() for k, m in c.items()} for c in combinations),
        mean_abs_rank_shift=overall,
        sampled=tuple(dict.fromkeys(item.code for item in sampled)),
    )
