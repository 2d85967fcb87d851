"""Sampling uncertainty in the robustness analysis: each estimate redrawn from its sampling
distribution (seeded), so rank intervals cover the samples as well as the weights."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import vises
from vises.analysis import weight_sensitivity
from vises.analysis.sampling import redrawn, samplers
from vises.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
GRID = """
code = "sampled"
version = "1"
languages = ["en"]
label = { en = "Sampled" }

[[nodes]]
code = "root"
label = { en = "Root" }

[[nodes]]
code = "voice"
parent = "root"
label = { en = "Voice" }

[[indicators]]
code = "agree"
parent = "voice"
kind = "quantity"
unit = "percent"
minimum = 0
maximum = 100
direction = "higher"
label = { en = "Agree" }

[[indicators]]
code = "mean_score"
parent = "voice"
kind = "quantity"
minimum = 1
maximum = 5
direction = "higher"
label = { en = "Mean answer" }

[[indicators]]
code = "budget"
parent = "voice"
kind = "quantity"
unit = "percent"
minimum = 0
maximum = 100
direction = "higher"
label = { en = "Own budget share (no n)" }
"""


@pytest.fixture()
def grid(tmp_path: Path) -> vises.Grid:
    path = tmp_path / "sampled.toml"
    path.write_text(GRID, encoding="utf-8")
    return vises.load_grid(path)


def _data(grid: vises.Grid, agree_n: list[float]) -> vises.Dataset:
    return vises.load_data(
        {
            "organisation": ["a", "b", "c", "d"],
            "period": ["2024"] * 4,
            "agree": [60.0, 55.0, 50.0, np.nan],
            "agree.n": agree_n,
            "mean_score": [3.6, 3.4, 3.2, 3.0],
            "mean_score.n": [10.0, 40.0, 25.0, 12.0],
            "mean_score.sd": [1.2, 0.9, 1.1, 1.0],
            "budget": [40.0, 30.0, 20.0, 10.0],
        },
        grid=grid,
    )


def test_draws_follow_the_sampling_distributions(grid: vises.Grid) -> None:
    data = _data(grid, [20.0, 200.0, 5.0, 10.0])
    results = vises.score(grid, data)
    found = {item.code: item for item in samplers(results, data)}
    assert set(found) == {"agree", "mean_score"}  # the budget share has no n: it is not an estimate
    rng = np.random.default_rng(3)
    agree = np.array([found["agree"].draw(rng) for _ in range(20_000)])
    # Binomial(20, 0.6) / 20 in percent: mean 60, sd 100 × sqrt(0.6 × 0.4 / 20) = 10.95.
    assert agree[:, 0].mean() == pytest.approx(60.0, abs=0.3)
    assert agree[:, 0].std() == pytest.approx(100 * np.sqrt(0.24 / 20), rel=0.03)
    assert agree[:, 1].std() == pytest.approx(100 * np.sqrt(0.2475 / 200), rel=0.03)
    assert np.isnan(agree[:, 3]).all()  # no value: nothing drawn
    means = np.array([found["mean_score"].draw(rng) for _ in range(20_000)])
    # Normal(3.6, 1.2 / sqrt(10)) kept within [1, 5].
    assert means[:, 0].mean() == pytest.approx(3.6, abs=0.01)
    assert means[:, 0].std() == pytest.approx(1.2 / np.sqrt(10), rel=0.03)
    assert (means >= 1).all() and (means <= 5).all()
    # The dataset redrawn keeps every other column as it was.
    again = redrawn(data, list(found.values()), np.random.default_rng(1))
    np.testing.assert_array_equal(again.columns["budget"].values, data.columns["budget"].values)
    assert np.isnan(again.columns["agree"].values[3])


def test_small_samples_widen_the_rank_intervals_and_the_seed_repeats_them(grid: vises.Grid) -> None:
    small = _data(grid, [5.0, 5.0, 5.0, 5.0])
    large = _data(grid, [5000.0, 5000.0, 5000.0, 5000.0])
    runs = {"runs": 300, "spread": 0.05, "seed": 4, "code": "root"}
    weights_only = weight_sensitivity(grid, small, **runs)
    with_small = weight_sensitivity(grid, small, sampling=True, **runs)
    with_large = weight_sensitivity(grid, large, sampling=True, **runs)
    assert weights_only.sampled == ()
    assert with_small.sampled == ("agree", "mean_score")
    width = {
        name: float(np.nanmean(np.asarray(s.rank_high) - np.asarray(s.rank_low)))
        for name, s in (("weights", weights_only), ("small", with_small), ("large", with_large))
    }
    assert width["small"] > width["large"] >= width["weights"]
    repeat = weight_sensitivity(grid, small, sampling=True, **runs)
    np.testing.assert_array_equal(np.asarray(repeat.run_ranks), np.asarray(with_small.run_ranks))
    assert "values drawn from their sampling distribution: agree, mean_score" in with_small.table("en")


def test_sampling_without_any_estimate_is_refused(grid: vises.Grid) -> None:
    data = vises.load_data(
        {
            "organisation": ["a", "b"],
            "period": ["2024"] * 2,
            "agree": [1.0, 2.0],
            "mean_score": [2.0, 3.0],
            "budget": [5.0, 6.0],
        },
        grid=grid,
    )
    with pytest.raises(ConfigError, match="no value of the data is an estimate"):
        weight_sensitivity(grid, data, runs=5, sampling=True)


@pytest.mark.federation  # the CISP example
def test_sensitivity_command_with_sampling_on_the_cisp_example() -> None:
    data = ROOT / "examples" / "data" / "wallonie_cisp.csv"
    base = [sys.executable, "-m", "vises", "sensitivity", str(data), "--grid", "wallonie.cisp", "--runs", "40"]
    done = subprocess.run(
        [*base, "--sampling", "--code", "outcomes", "--lang", "en"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "sampling distribution: exit_employment, exit_training, dropout" in done.stdout
    sobol = subprocess.run([*base, "--sampling", "--method", "sobol"], capture_output=True, text=True, timeout=300)
    assert sobol.returncode == 2 and "Monte Carlo" in sobol.stderr
