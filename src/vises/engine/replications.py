"""The runs of a Monte Carlo weight sensitivity: the draws, and re-aggregating a batch of runs.

One place draws every run's weight factors and method choice from the seed, so a run on Dask and a
run in memory with the same seed see the very same draws (``vises.analysis.weight_sensitivity``
draws here; ``vises.dask.distribute_runs`` runs batches of the runs as tasks). A batch needs only the
normalised score matrices (normalised once per method combination) and its slice of the draws.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np

from vises.engine.compile import CompiledGrid


@attrs.frozen(kw_only=True, eq=False)
class Replications:
    """What the runs need: one normalised matrix per method combination, the period groups and the draws.

    Run ``r`` multiplies the weights below ``varied[k]`` by ``factors[r, offsets[k]:offsets[k + 1]]``
    and re-aggregates ``prepared[picks[r]]``; its result is the column ``column`` of that matrix.
    """

    prepared: tuple[tuple[CompiledGrid, np.ndarray], ...]
    groups: np.ndarray
    column: int
    varied: tuple[str, ...]
    factors: np.ndarray
    picks: np.ndarray
    offsets: np.ndarray

    @property
    def runs(self) -> int:
        return len(self.factors)

    @property
    def rows(self) -> int:
        return len(self.groups)

    def batch(self, start: int, stop: int) -> Replications:
        """Runs ``start`` to ``stop`` only (their draws; the matrices are shared)."""
        return attrs.evolve(self, factors=self.factors[start:stop], picks=self.picks[start:stop])

    def without_draws(self) -> Replications:
        """The shared part a cluster receives once; each task then brings its own ``factors`` and ``picks``."""
        return self.batch(0, 0)


#: Runs every run of a ``Replications`` and returns its scores, rows × runs (``run_replications`` in memory).
Runner = Callable[[Replications], np.ndarray]


def draw_replications(
    prepared: list[tuple[CompiledGrid, np.ndarray]],
    groups: np.ndarray,
    *,
    column: int,
    varied: tuple[str, ...],
    runs: int,
    spread: float,
    seed: int | None,
) -> Replications:
    """Every run's factors, uniform in [1 − spread, 1 + spread], then its method combination, from ``seed``."""
    rng = np.random.default_rng(seed)
    first = prepared[0][0]
    sizes = [len(first.node(name).weights) for name in varied]
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(runs, sum(sizes)))
    picks = rng.integers(0, len(prepared), size=runs) if len(prepared) > 1 else np.zeros(runs, dtype=np.intp)
    return Replications(
        prepared=tuple(prepared),
        groups=groups,
        column=column,
        varied=varied,
        factors=factors,
        picks=picks,
        offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp),
    )


def run_replications(replications: Replications, *, copy: bool = False) -> np.ndarray:
    """Re-aggregate each run with its weights; the target's scores, rows × runs.

    The matrices are overwritten run after run (every aggregate column is recomputed from the
    indicators each time); ``copy`` works on copies instead, for matrices shared between threads.
    """
    from vises.engine.score import aggregate_only

    buffers = [np.array(matrix, order="F", copy=True) if copy else matrix for _, matrix in replications.prepared]
    offsets = replications.offsets
    out = np.empty((replications.rows, replications.runs))
    for run in range(replications.runs):
        pick = int(replications.picks[run])
        compiled, buffer = replications.prepared[pick][0], buffers[pick]
        weights = {
            name: compiled.node(name).weights * replications.factors[run, offsets[k] : offsets[k + 1]]
            for k, name in enumerate(replications.varied)
        }
        aggregate_only(compiled, buffer, replications.groups, weights)
        out[:, run] = buffer[:, replications.column]
    return out


__all__ = ["Replications", "Runner", "draw_replications", "run_replications"]
