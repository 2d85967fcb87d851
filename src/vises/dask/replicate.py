"""The runs of a weight sensitivity as Dask tasks: the normalised matrices sent once, batches of runs spread out.

``vises.analysis.weight_sensitivity(..., runner=vises.dask.distribute_runs)`` normalises once and draws
every run from the seed on the client, as in memory; this runner scatters the matrices to every
worker (once) and submits one task per batch of runs, each re-aggregating with its own slice of the
draws (``vises.engine.replications``). The scores gathered back are the in-memory ones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from vises.dask.client import active_client, compute, require_dask, show_progress
from vises.engine.replications import Replications, run_replications
from vises.errors import ConfigError

#: Batches per worker thread: enough for the scheduler to balance a loaded machine, few enough that
#: a task's overhead stays small beside its runs.
_BATCHES_PER_THREAD = 4


def distribute_runs(replications: Replications, *, batch: int | None = None) -> np.ndarray:
    """Run every run of ``replications`` as Dask tasks of ``batch`` runs; the scores, rows × runs.

    On the active ``distributed`` client the matrices are scattered to every worker once; without
    one, dask's local threads run the batches. ``batch`` defaults to the runs split into four
    batches per worker thread. Use it as ``runner=`` of ``vises.analysis.weight_sensitivity``
    (``functools.partial(distribute_runs, batch=50)`` to choose the batch).
    """
    require_dask("running sensitivity runs on Dask")
    if batch is not None and (not isinstance(batch, int) or isinstance(batch, bool) or batch < 1):
        raise ConfigError(f"batch must be a whole number >= 1, got {batch!r}", path="batch")
    client = active_client()
    runs = replications.runs
    if batch is None:
        batch = max(1, math.ceil(runs / (_BATCHES_PER_THREAD * _threads(client))))
    bounds = [(start, min(start + batch, runs)) for start in range(0, runs, batch)]
    shared = replications.without_draws()
    if client is not None:
        scattered = client.scatter(shared, broadcast=True, hash=False)
        futures = [
            client.submit(_batch, scattered, replications.factors[a:b], replications.picks[a:b], pure=False)
            for a, b in bounds
        ]
        show_progress(futures)
        pieces = client.gather(futures)
    else:
        import dask

        base = dask.delayed(shared, traverse=False)
        tasks = [
            dask.delayed(_batch, pure=False)(base, replications.factors[a:b], replications.picks[a:b])
            for a, b in bounds
        ]
        pieces = compute(*tasks)
    return np.concatenate(pieces, axis=1)


def _batch(shared: Replications, factors: np.ndarray, picks: np.ndarray) -> np.ndarray:
    """One task: its runs on copies of the shared matrices (tasks on one worker share them)."""
    import attrs

    return run_replications(attrs.evolve(shared, factors=factors, picks=picks), copy=True)


def _threads(client: Any) -> int:
    if client is None:
        import os

        return os.cpu_count() or 1
    return max(1, sum(int(w.get("nthreads", 1)) for w in client.scheduler_info()["workers"].values()))


__all__ = ["distribute_runs"]
