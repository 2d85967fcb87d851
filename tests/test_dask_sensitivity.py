"""The weight sensitivity's runs as Dask tasks: the in-memory result for the same seed (to 1e-12)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
pytest.importorskip("distributed")

from test_dask_score import generated, grid_with  # noqa: E402

import vises  # noqa: E402
import vises.dask  # noqa: E402
from vises.analysis import Sensitivity, weight_sensitivity  # noqa: E402

FIELDS = ("nominal_score", "nominal_rank", "median_rank", "rank_low", "rank_high", "mean_abs_shift", "run_ranks")


def assert_same_sensitivity(memory: Sensitivity, on_dask: Sensitivity) -> None:
    for name in FIELDS:
        ours, theirs = np.asarray(getattr(on_dask, name)), np.asarray(getattr(memory, name))
        assert ours.shape == theirs.shape, name
        assert np.array_equal(np.isnan(ours), np.isnan(theirs)), f"{name}: missing values differ"
        assert np.allclose(ours, theirs, rtol=0.0, atol=1e-12, equal_nan=True), name
    assert np.array_equal(memory.run_methods, on_dask.run_methods)
    assert memory.mean_abs_rank_shift == pytest.approx(on_dask.mean_abs_rank_shift, abs=1e-12)


def sensitivity(frame: Any, **kwargs: Any) -> Sensitivity:
    options: dict[str, Any] = {"runs": 45, "spread": 0.6, "seed": 11}
    return weight_sensitivity(grid_with(), frame, **{**options, **kwargs})


@pytest.mark.parametrize("batch", [None, 1, 7, 45, 100])
def test_runs_on_local_threads_equal_memory(batch: int | None) -> None:
    frame = generated(n=300)
    methods = {"aggregator": ["arithmetic", "median"]}
    memory = sensitivity(frame, methods=methods)
    runner = functools.partial(vises.dask.distribute_runs, batch=batch)
    with dask.config.set(scheduler="threads"):
        on_dask = sensitivity(frame, methods=methods, runner=runner)
    assert len(set(memory.run_methods.tolist())) == 2, "both aggregators drawn"
    assert np.nanmax(memory.rank_high - memory.rank_low) > 0, "the ranks move, so a wrong draw would show"
    assert_same_sensitivity(memory, on_dask)


def test_the_seed_decides_the_draws() -> None:
    frame = generated(n=150)
    with dask.config.set(scheduler="sync"):
        first = sensitivity(frame, runner=vises.dask.distribute_runs)
        again = sensitivity(frame, runner=vises.dask.distribute_runs)
        other = sensitivity(frame, seed=12, runner=vises.dask.distribute_runs)
    assert np.array_equal(first.run_ranks, again.run_ranks, equal_nan=True)
    assert not np.array_equal(first.run_ranks, other.run_ranks, equal_nan=True)


def test_a_bad_batch_or_runner_is_named() -> None:
    frame = generated(n=60)
    with pytest.raises(vises.ConfigError, match="batch must be a whole number >= 1, got 0"):
        sensitivity(frame, runner=functools.partial(vises.dask.distribute_runs, batch=0))
    with pytest.raises(vises.ConfigError, match=r"runner returned scores of shape \(60, 3\), not rows × runs"):
        sensitivity(frame, runner=lambda replications: np.zeros((replications.rows, 3)))
