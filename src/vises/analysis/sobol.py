"""Variance-based sensitivity: how much of the ranking's uncertainty does each choice carry?

COINr's ``get_sensitivity(SA_type = "SA")``: the Saltelli design and estimators of
``vises.analysis.variance`` applied to a grid. ``sobol_sensitivity`` runs it:
each run draws a normaliser, winsorisation limit, set of weights, aggregator or imputation, and the
output is COINr's: the mean absolute shift of the ranks from the nominal ranks. Rank intervals per
organisation come from the A and B runs. The indicators are normalised once per combination of the
choices that act before aggregating; each run only re-aggregates (``aggregate_only``).
"""

from __future__ import annotations

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
    whole,
    with_methods,
)
from vises.analysis.variance import SobolIndices, saltelli_sample, sobol_indices
from vises.analysis.words import rank_interval_records, rank_interval_rows, table, word
from vises.errors import ConfigError
from vises.model import Dataset, Grid, Method

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.compile import CompiledGrid

__all__ = ["CHOICES", "SobolSensitivity", "sobol_sensitivity"]

#: The methodological choices a grid's sensitivity analysis can vary.
CHOICES = ("imputation", "treatment", "winmax", "normaliser", "aggregator", "weights")


# -- the choices of a grid --------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class _Choice:
    """One uncertain input: its alternatives, described; ``values`` what each one sets."""

    name: str
    described: tuple[str, ...]
    values: tuple[Any, ...]


def _methods(name: str, given: Any) -> _Choice:
    if isinstance(given, (str, Method, Mapping)) or not isinstance(given, Sequence) or not given:
        raise ConfigError(f"expected a non-empty list of methods for {name!r}", path=f"choices.{name}")
    values: list[Method | None] = []
    for i, item in enumerate(given):
        method = as_method(item, f"choices.{name}[{i}]")
        off = name in ("imputation", "treatment") and method.name == "none" and not method.params
        values.append(None if off else method)
    described = tuple("none" if m is None else m.describe() for m in values)
    return _Choice(name=name, described=described, values=tuple(values))


def _winmax(given: Any) -> _Choice:
    path = "choices.winmax"
    if isinstance(given, Mapping):
        unknown = set(given) - {"low", "high"}
        if unknown or not {"low", "high"} <= set(given):
            raise ConfigError("expected {low = a, high = b} (whole numbers)", path=path)
        low, high = whole(given["low"], f"{path}.low"), whole(given["high"], f"{path}.high")
        if high < low:
            raise ConfigError(f"high ({high}) is below low ({low})", path=path)
        values = list(range(low, high + 1))
    elif isinstance(given, Sequence) and not isinstance(given, str) and given:
        values = [whole(v, f"{path}[{i}]") for i, v in enumerate(given)]
    else:
        raise ConfigError("expected a list of whole numbers or {low = a, high = b}", path=path)
    return _Choice(name="winmax", described=tuple(str(v) for v in values), values=tuple(values))


@attrs.frozen(kw_only=True)
class _WeightNoise:
    spread: float
    nodes: tuple[str, ...] | None
    draws: int


def _weights(given: Any) -> tuple[_Choice, _WeightNoise]:
    path = "choices.weights"
    if isinstance(given, (int, float)) and not isinstance(given, bool):
        given = {"spread": given}
    if not isinstance(given, Mapping) or set(given) - {"spread", "nodes", "draws"} or "spread" not in given:
        raise ConfigError("expected a spread (0 <= s < 1) or {spread = s, nodes = [...], draws = k}", path=path)
    spread = given["spread"]
    if isinstance(spread, bool) or not isinstance(spread, (int, float)) or not 0.0 <= float(spread) < 1.0:
        raise ConfigError(
            f"spread must be a number in [0, 1) so that every weight stays > 0, got {spread!r}", path=path
        )
    nodes = given.get("nodes")
    if nodes is not None and (isinstance(nodes, str) or not isinstance(nodes, Iterable)):
        raise ConfigError("nodes must be a list of aggregate codes", path=f"{path}.nodes")
    draws = whole(given.get("draws", 100), f"{path}.draws")
    noise = _WeightNoise(spread=float(spread), nodes=None if nodes is None else tuple(map(str, nodes)), draws=draws)
    described = tuple(
        f"draw {i + 1} of {draws} (weights × U[{1 - noise.spread:g}, {1 + noise.spread:g}])" for i in range(draws)
    )
    return _Choice(name="weights", described=described, values=tuple(range(draws))), noise


def _parse_choices(choices: Mapping[str, Any]) -> tuple[list[_Choice], _WeightNoise | None]:
    if not isinstance(choices, Mapping) or not choices:
        raise ConfigError(
            "declare at least one uncertain choice", path="choices", hint=f"choices: {', '.join(CHOICES)}"
        )
    parsed: list[_Choice] = []
    noise: _WeightNoise | None = None
    for name, given in choices.items():
        if name not in CHOICES:
            from vises.errors import did_you_mean

            suggestion = did_you_mean(str(name), CHOICES)
            raise ConfigError(
                f"cannot vary {name!r}" + (f"; {suggestion}" if suggestion else ""),
                path=f"choices.{name}",
                hint=f"choices: {', '.join(CHOICES)}",
            )
        if name == "winmax":
            parsed.append(_winmax(given))
        elif name == "weights":
            choice, noise = _weights(given)
            parsed.append(choice)
        else:
            parsed.append(_methods(name, given))
    return parsed, noise


def _set_winmax(grid: Grid, winmax: int) -> Grid:
    """Every winsorising treatment of the grid with ``winmax`` points at most."""

    def changed(method: Method | None) -> Method | None:
        if method is None or method.name != "winsorise":
            return method
        return attrs.evolve(method, params={**method.params, "winmax": winmax})

    defaults = attrs.evolve(grid.defaults, treatment=changed(grid.defaults.treatment))
    indicators = tuple(attrs.evolve(ind, treatment=changed(ind.treatment)) for ind in grid.indicators)
    return attrs.evolve(grid, defaults=defaults, indicators=indicators)


def _winsorises(grid: Grid) -> bool:
    methods = [grid.defaults.treatment, *(ind.treatment for ind in grid.indicators)]
    return any(m is not None and m.name == "winsorise" for m in methods)


def _variant(grid: Grid, chosen: Mapping[str, Any]) -> Grid:
    """The grid with the given alternatives applied (the stages before aggregating, then the aggregator)."""
    variant = grid
    if "imputation" in chosen:
        variant = with_methods(variant, imputation=chosen["imputation"], replace_imputation=True)
    if "treatment" in chosen:
        variant = with_methods(variant, treatment=chosen["treatment"], replace_treatment=True)
    if "winmax" in chosen:
        variant = _set_winmax(variant, chosen["winmax"])
    if "normaliser" in chosen:
        variant = with_methods(variant, normaliser=chosen["normaliser"])
    if "aggregator" in chosen:
        variant = with_methods(variant, aggregator=chosen["aggregator"])
    return variant


# -- the analysis -----------------------------------------------------------------------------------
@attrs.frozen(kw_only=True, eq=False)
class SobolSensitivity:
    """Sobol indices of the grid's uncertain choices on the ranking of ``code``, and rank intervals.

    ``indices`` are those of the mean absolute rank shift from the nominal ranking (COINr's output).
    Per row: the nominal score and rank, and over the 2N runs of A and B the median, mean and
    5th–95th percentile ranks (R's quantile type 7). ``design`` holds the alternative chosen for each
    run and choice (N (d + 2) × d), ``run_ranks`` every run's ranks, ``output`` every run's y.
    """

    code: str
    labels: Mapping[str | None, str]
    n: int
    seed: int | None
    choices: Mapping[str, tuple[str, ...]]
    indices: SobolIndices
    organisations: np.ndarray
    periods: np.ndarray
    nominal_score: np.ndarray
    nominal_rank: np.ndarray
    median_rank: np.ndarray
    mean_rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    design: np.ndarray
    output: np.ndarray
    run_ranks: np.ndarray
    #: The weights choice's draws: ``weight_factors[k]`` multiplies the weights of ``weight_nodes``'
    #: children, node after node in the grid's compiled order (empty without a weights choice).
    weight_nodes: tuple[str, ...] = ()
    weight_factors: np.ndarray = attrs.field(factory=lambda: np.ones((1, 0)))

    def __len__(self) -> int:
        return len(self.organisations)

    @property
    def runs(self) -> int:
        return int(self.output.size)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per row: nominal score and rank, and the rank interval over the runs."""
        names = ("nominal_score", "nominal_rank", "median_rank", "mean_rank", "rank_low", "rank_high")
        return rank_interval_records(self, names)

    def table(self, lang: str | None = None) -> str:
        """The indices, then the rows by period and nominal rank with their rank interval."""
        w = lang or "en"
        rows = rank_interval_rows(self, lang)
        headers = [word(k, w) for k in ("organisation", "period", "score", "nominal_rank", "median_rank", "interval")]
        title = (
            f"{self.labels.get(lang, self.code)} ({self.code}): "
            + word("sobol_title", w, n=self.n, runs=self.runs)
            + "; "
            + "; ".join(f"{k}: {len(v)}" for k, v in self.choices.items())
        )
        return "\n\n".join([title, self.indices.table(lang), table(rows, headers)])


def _groups_of(parsed: list[_Choice]) -> tuple[list[int], list[int]]:
    """Indices of the choices acting before aggregation (one scoring each combination) and after."""
    before = [i for i, c in enumerate(parsed) if c.name in ("imputation", "treatment", "winmax", "normaliser")]
    after = [i for i, c in enumerate(parsed) if c.name == "aggregator"]
    return before, after


def sobol_sensitivity(
    grid: Grid | str | Any,
    data: Dataset | Any,
    *,
    choices: Mapping[str, Any],
    n: int = 512,
    seed: int | None = 0,
    bootstrap: int = 1000,
    confidence: float = 0.9,
    code: str | None = None,
) -> SobolSensitivity:
    """Variance-based sensitivity of the ranking of ``code`` (default: the root) to ``choices``.

    ``choices`` maps each uncertain choice to its alternatives, equally likely:
    ``normaliser``/``aggregator``/``imputation``/``treatment``: a list of methods (``"none"`` turns
    imputation or treatment off), each replacing the method everywhere in the grid; ``winmax``: a
    list of whole numbers or ``{low, high}``, the winsorisation limit of every ``winsorise``
    treatment; ``weights``: a spread s (or ``{spread, nodes, draws}``): ``draws`` sets of weights,
    each weight below ``nodes`` times its own factor in U[1 − s, 1 + s]. Every combination is checked
    before any run. N (``n``) base samples give N (d + 2) runs; the same ``seed`` gives the same result.
    """
    from vises.engine.score import aggregate_only, score

    whole(n, "n", minimum=2)
    parsed, noise = _parse_choices(choices)
    d = len(parsed)
    check_runs(n * (d + 2), what=f"N (d + 2) = {n} × {d + 2} runs")
    loaded, dataset, registry = load(grid, data)
    check_runs(n * (d + 2), rows=len(dataset), what=f"N (d + 2) = {n} × {d + 2} runs")
    compiled = compile_checked(loaded, registry, what=f"grid {loaded.code!r}")
    target = check_code(compiled, code)
    if any(c.name == "winmax" for c in parsed):
        treatments = next((c.values for c in parsed if c.name == "treatment"), None)
        candidates = [loaded] if treatments is None else [_variant(loaded, {"treatment": t}) for t in treatments]
        if not any(_winsorises(g) for g in candidates):
            raise ConfigError(
                "winmax varies the winsorisation limit, but no indicator of the grid is winsorised",
                path="choices.winmax",
                hint="set treatment = 'winsorise' in the grid, or vary 'treatment' with winsorise among the methods",
            )
    varied: tuple[str, ...] = ()
    if noise is not None:
        varied = noise.nodes if noise.nodes is not None else tuple(node.code for node in compiled.nodes)
        for name in varied:
            if name not in compiled.node_index:
                raise ConfigError(
                    f"{name!r} is not an aggregate of grid {loaded.code!r}: only the weights below an aggregate vary",
                    path="choices.weights.nodes",
                )

    rng = np.random.default_rng(seed)
    design_unit = saltelli_sample(n, d, seed=rng)
    sizes = [len(c.values) for c in parsed]
    design = np.minimum((design_unit * np.array(sizes)).astype(np.intp), np.array(sizes) - 1)
    widths = [len(compiled.node(name).weights) for name in varied]
    offsets = np.concatenate([[0], np.cumsum(widths)]).astype(np.intp)
    factors = (
        rng.uniform(1.0 - noise.spread, 1.0 + noise.spread, size=(noise.draws, int(offsets[-1])))
        if noise is not None
        else np.ones((1, 0))
    )

    nominal = score(compiled, dataset, registry=registry)
    before, after = _groups_of(parsed)
    weight_column = next((i for i, c in enumerate(parsed) if c.name == "weights"), None)
    _, groups = period_groups(dataset.periods)
    column = compiled.column_of[target]

    # One scoring per combination of the choices acting before aggregation; one compiled grid per
    # full combination (so an aggregator is checked against the normaliser it meets).
    buffers: dict[tuple[int, ...], np.ndarray] = {}
    grids: dict[tuple[int, ...], CompiledGrid] = {}
    runs = design.shape[0]
    run_scores = np.empty((len(dataset), runs))
    keys_before = [tuple(int(v) for v in row) for row in design[:, before]] if before else [()] * runs
    keys_after = [tuple(int(v) for v in row) for row in design[:, after]] if after else [()] * runs
    for key in sorted(set(keys_before)):
        chosen = {parsed[i].name: parsed[i].values[k] for i, k in zip(before, key, strict=True)}
        if not chosen:
            buffers[key] = np.array(nominal.scores, dtype=np.float64, order="F", copy=True)
            continue
        described = ", ".join(f"{parsed[i].name} {parsed[i].described[k]}" for i, k in zip(before, key, strict=True))
        variant = compile_checked(_variant(loaded, chosen), registry, what=f"grid {loaded.code!r} with {described}")
        buffers[key] = np.array(score(variant, dataset, registry=registry).scores, dtype=np.float64, order="F")
    for pair in sorted(set(zip(keys_before, keys_after, strict=True))):
        full = pair[0] + pair[1]
        chosen = {parsed[i].name: parsed[i].values[k] for i, k in zip(before + after, full, strict=True)}
        described = ", ".join(
            f"{parsed[i].name} {parsed[i].described[k]}" for i, k in zip(before + after, full, strict=True)
        )
        grids[full] = (
            compiled
            if not chosen
            else compile_checked(_variant(loaded, chosen), registry, what=f"grid {loaded.code!r} with {described}")
        )

    for run in range(runs):
        buffer = buffers[keys_before[run]]
        run_compiled = grids[keys_before[run] + keys_after[run]]
        weights = None
        if weight_column is not None:
            draw = factors[design[run, weight_column]]
            weights = {
                name: run_compiled.node(name).weights * draw[offsets[k] : offsets[k + 1]]
                for k, name in enumerate(varied)
            }
        aggregate_only(run_compiled, buffer, groups, weights)
        run_scores[:, run] = buffer[:, column]

    from vises.numeric import rank

    run_ranks = rank(run_scores, groups)
    nominal_rank = np.asarray(nominal.ranks(target), dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows never ranked give NaN statistics
        shifts = np.abs(run_ranks - nominal_rank[:, None])
        output = np.nanmean(shifts, axis=0)
        sampled = run_ranks[:, : 2 * n]
        low, median, high = np.nanpercentile(sampled, [5.0, 50.0, 95.0], axis=1)
        mean = np.nanmean(sampled, axis=1)
    if np.isnan(output).any():
        raise ConfigError(f"no organisation has a score of {target!r} in some runs; nothing to rank")
    indices = sobol_indices(
        output,
        n,
        d,
        names=[c.name for c in parsed],
        bootstrap=bootstrap,
        confidence=confidence,
        seed=rng,
    )
    return SobolSensitivity(
        code=target,
        labels=labels_of(nominal, target),
        n=n,
        seed=seed,
        choices={c.name: c.described for c in parsed},
        indices=indices,
        organisations=frozen(nominal.organisations),
        periods=frozen(nominal.periods),
        nominal_score=frozen(np.array(nominal.score(target))),
        nominal_rank=frozen(nominal_rank),
        median_rank=frozen(median),
        mean_rank=frozen(mean),
        rank_low=frozen(low),
        rank_high=frozen(high),
        design=frozen(design),
        output=frozen(output),
        run_ranks=frozen(run_ranks),
        weight_nodes=varied,
        weight_factors=frozen(factors),
    )
