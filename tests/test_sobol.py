"""Variance-based sensitivity: the estimators on a model with a known answer, and on grids.

Golden: for Y = Σ wᵢ Xᵢ with independent Xᵢ ~ U(0, 1), V(Y) = Σ wᵢ²/12 and each input explains
wᵢ²/12 of it alone and nothing with others, so Sᵢ = STᵢ = wᵢ² / Σ wⱼ². Property: with no uncertainty
every index is 0 and every interval has zero width. Reconstruction: every run of a grid analysis
equals a full scoring of the grid with the alternatives the design drew.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import vises
from vises.analysis import saltelli_sample, sobol_indices, sobol_sensitivity
from vises.errors import ConfigError
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node


def grid(treatment: Method | None = None) -> Grid:
    return Grid(
        code="g",
        nodes=(Node(code="g"), Node(code="d1", parent="g"), Node(code="d2", parent="g", weight=2.0)),
        indicators=(
            Indicator(code="a", parent="d1"),
            Indicator(code="b", parent="d1", weight=3.0),
            Indicator(code="c", parent="d2", direction="lower"),
            Indicator(code="e", parent="d2"),
        ),
        defaults=Defaults(treatment=treatment),
    )


def data(values: np.ndarray | None = None, periods: int = 1) -> Dataset:
    rng = np.random.default_rng(3)
    block = rng.gamma(2.0, 10.0, size=(12 * periods, 4)) if values is None else values
    n = block.shape[0]
    return Dataset(
        organisations=np.array([f"o{i % 12}" for i in range(n)]),
        periods=np.array([str(2020 + i // 12) for i in range(n)]),
        columns={code: Column(values=block[:, j]) for j, code in enumerate("abce")},
    )


def test_linear_model_indices_are_the_squared_weights_shares() -> None:
    w = np.array([1.0, 2.0, 3.0, 0.5])
    n = 2**14
    design = saltelli_sample(n, 4, seed=7)
    indices = sobol_indices(design @ w, n, 4, bootstrap=300, seed=8)
    exact = w**2 / (w**2).sum()
    np.testing.assert_allclose(indices.first, exact, atol=0.02)
    np.testing.assert_allclose(indices.total, exact, atol=0.02)
    assert np.all(indices.first_low <= exact + 0.01) and np.all(exact - 0.01 <= indices.first_high)
    assert np.all(indices.total_low <= exact + 0.005) and np.all(exact - 0.005 <= indices.total_high)
    assert indices.variance == pytest.approx((w**2).sum() / 12, rel=0.03)


def test_an_interaction_shows_in_the_total_index_only() -> None:
    n = 2**14
    x = saltelli_sample(n, 3, seed=1)
    y = x[:, 0] + (x[:, 1] - 0.5) * (x[:, 2] - 0.5) * 12  # x2 and x3 act only together
    indices = sobol_indices(y, n, 3, bootstrap=0)
    assert indices.first[1] == pytest.approx(0.0, abs=0.02) and indices.first[2] == pytest.approx(0.0, abs=0.02)
    assert indices.total[1] > 0.4 and indices.total[2] > 0.4


def test_the_design_is_saltelli_s() -> None:
    x = saltelli_sample(5, 3, seed=0)
    a, b = x[:5], x[5:10]
    assert x.shape == (25, 3)
    for i in range(3):
        mixed = x[10 + 5 * i : 15 + 5 * i]
        np.testing.assert_array_equal(mixed[:, i], b[:, i])
        np.testing.assert_array_equal(np.delete(mixed, i, axis=1), np.delete(a, i, axis=1))
    np.testing.assert_array_equal(saltelli_sample(5, 3, seed=0), x)


@settings(max_examples=15, deadline=None)
@given(hnp.arrays(np.float64, (9, 4), elements=st.floats(0.0, 1000.0, allow_nan=False)))
def test_no_uncertainty_gives_zero_indices_and_zero_width_intervals(values: np.ndarray) -> None:
    result = sobol_sensitivity(
        grid(),
        data(values),
        choices={"weights": 0.0, "aggregator": ["arithmetic"], "normaliser": ["minmax"]},
        n=8,
        bootstrap=50,
    )
    for name in ("first", "total", "first_low", "first_high", "total_low", "total_high"):
        np.testing.assert_array_equal(getattr(result.indices, name), 0.0)
    ranked = ~np.isnan(result.rank_low)
    np.testing.assert_array_equal(result.rank_low[ranked], result.rank_high[ranked])


def _weighted(base: Grid, result: object, draw: int) -> Grid:
    """The grid with the weights of one draw, built the slow way (a weighting per edge)."""
    compiled = vises.compile_grid(base)
    factors = result.weight_factors[draw]  # type: ignore[attr-defined]
    weights, at = {}, 0
    for name in result.weight_nodes:  # type: ignore[attr-defined]
        node = compiled.node(name)
        for child, weight in zip(node.children, node.weights, strict=True):
            weights[child] = float(weight * factors[at])
            at += 1
    return vises.load_grid(base, weighting=weights)


def test_every_run_is_a_full_scoring_of_the_drawn_grid() -> None:
    import attrs

    base, dataset = grid(), data(periods=2)
    choices = {
        "normaliser": ["minmax", "zscore"],
        "aggregator": ["arithmetic", "median"],
        "weights": {"spread": 0.4, "draws": 6},
    }
    result = sobol_sensitivity(base, dataset, choices=choices, n=6, bootstrap=0, seed=11)
    assert result.design.shape == (6 * 5, 3) and result.runs == 30
    for run in range(result.runs):
        normaliser, aggregator, draw = (int(v) for v in result.design[run])
        variant = _weighted(base, result, draw)
        variant = attrs.evolve(
            variant,
            defaults=attrs.evolve(
                variant.defaults,
                normaliser=Method(name=choices["normaliser"][normaliser]),
                aggregator=Method(name=choices["aggregator"][aggregator]),
            ),
        )
        expected = vises.score(variant, dataset).ranks("g")
        np.testing.assert_array_equal(result.run_ranks[:, run], expected, err_msg=f"run {run}")
    nominal = vises.score(base, dataset).ranks("g")
    np.testing.assert_allclose(result.output, np.abs(result.run_ranks - nominal[:, None]).mean(axis=0))


def test_winmax_and_imputation_choices_and_reproducibility() -> None:
    values = np.random.default_rng(5).lognormal(2.0, 1.5, size=(30, 4))
    values[3, 1] = np.nan
    dataset = Dataset(
        organisations=np.array([f"o{i}" for i in range(30)]),
        periods=np.full(30, "2021"),
        columns={code: Column(values=values[:, j]) for j, code in enumerate("abce")},
    )
    choices = {"winmax": {"low": 1, "high": 4}, "imputation": ["none", "mean"], "weights": 0.2}
    one = sobol_sensitivity(grid(Method(name="winsorise")), dataset, choices=choices, n=16, bootstrap=100, seed=3)
    two = sobol_sensitivity(grid(Method(name="winsorise")), dataset, choices=choices, n=16, bootstrap=100, seed=3)
    np.testing.assert_array_equal(one.indices.first, two.indices.first)
    np.testing.assert_array_equal(one.run_ranks, two.run_ranks)
    assert one.choices["winmax"] == ("1", "2", "3", "4") and one.choices["imputation"] == ("none", "mean")
    assert one.indices.names == ("winmax", "imputation", "weights")
    records = one.indices.to_records()
    assert {r["choice"] for r in records} == {"winmax", "imputation", "weights"}
    assert "winmax" in one.table()


def test_bad_choices_are_refused_with_their_name() -> None:
    with pytest.raises(ConfigError, match="cannot vary 'weight'; did you mean 'weights'"):
        sobol_sensitivity(grid(), data(), choices={"weight": 0.2})
    with pytest.raises(ConfigError, match="no indicator of the grid is winsorised"):
        sobol_sensitivity(grid(), data(), choices={"winmax": [1, 2]})
    with pytest.raises(ConfigError, match="spread"):
        sobol_sensitivity(grid(), data(), choices={"weights": 1.5})
    with pytest.raises(ConfigError, match="geometric"):
        sobol_sensitivity(grid(), data(), choices={"aggregator": ["geometric"]})
