"""Every built-in normaliser against hand-computed values, with direction, NaN, constants and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vises.contract.records import FitContext
from vises.errors import DataError, MethodError
from vises.methods.hooks import vises_register_normalisers
from vises.methods.normalise import NORMALISERS, check_params
from vises.model import Direction, Indicator, Kind, Level

NAN = np.nan
X = np.array([2.0, 4.0, NAN, 10.0, 6.0])


def ctx(
    indicator: Indicator | None = None, n: int = 5, orgs: list[str] | None = None, periods: list[str] | None = None
) -> FitContext:
    return FitContext(
        indicator=indicator or Indicator(code="ind"),
        organisations=np.array(orgs or [f"o{i}" for i in range(n)], dtype=object),
        periods=np.array(periods or ["2024"] * n, dtype=object),
    )


def run(
    name: str,
    values: np.ndarray = X,
    *,
    direction: int = 1,
    params: dict | None = None,
    context: FitContext | None = None,
) -> np.ndarray:
    spec = NORMALISERS[name]
    fitted = spec.fit(values, direction=direction, params=params or {}, context=context or ctx(n=len(values)))
    json.dumps(fitted)  # the fitted parameters must be JSON-serialisable
    return spec.apply(values, fitted)


def same(actual: np.ndarray, expected: list[float]) -> None:
    np.testing.assert_allclose(actual, np.array(expected, dtype=float), rtol=1e-12, atol=1e-12, equal_nan=True)


def test_registry_lists_every_method_once() -> None:
    names = [spec.name for spec in vises_register_normalisers()]
    assert names == list(NORMALISERS)
    assert set(names) == {
        "minmax",
        "zscore",
        "goalposts",
        "target",
        "distance_to_max",
        "distance_to_reference",
        "fraction_of_max",
        "rank",
        "percentile_rank",
        "borda",
        "scaled",
        "none",
        "scale",
        "binary",
        "category",
    }


# --- min-max family --------------------------------------------------------------------------


def test_minmax_higher_and_lower() -> None:
    # min 2, max 10: (x - 2)/8 * 100
    same(run("minmax"), [0, 25, NAN, 100, 50])
    # COINr: multiply by -1 first, i.e. (10 - x)/8 * 100
    same(run("minmax", direction=-1), [100, 75, NAN, 0, 50])
    same(run("minmax", params={"low": 1, "high": 11}), [1, 3.5, NAN, 11, 6])


def test_minmax_constant_column_gives_midpoint_and_all_missing_stays_missing() -> None:
    same(run("minmax", np.array([3.0, NAN, 3.0])), [50, NAN, 50])
    same(run("minmax", np.array([3.0, 3.0]), params={"low": 0, "high": 10}), [5, 5])
    same(run("minmax", np.array([NAN, NAN])), [NAN, NAN])


def test_fitted_on_nothing_cannot_score_new_values() -> None:
    spec = NORMALISERS["minmax"]
    fitted = spec.fit(np.array([NAN, NAN]), direction=1, params={}, context=ctx(n=2))
    assert fitted["min"] is None
    with pytest.raises(MethodError, match="no values"):
        spec.apply(np.array([1.0]), fitted)


def test_fitted_parameters_score_a_new_organisation_later() -> None:
    spec = NORMALISERS["minmax"]
    fitted = spec.fit(X, direction=1, params={}, context=ctx())
    assert fitted == {"min": 2.0, "max": 10.0, "low": 0.0, "high": 100.0, "direction": 1}
    same(spec.apply(np.array([8.0]), fitted), [75])


def test_distance_to_max_equals_the_coinr_formula() -> None:
    # 1 - (max - x)/(max - min), times 100
    same(run("distance_to_max"), [0, 25, NAN, 100, 50])
    same(run("distance_to_max", direction=-1), [100, 75, NAN, 0, 50])


def test_zscore_sample_sd() -> None:
    values = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    # mean 5, sample variance 32/7
    s = np.sqrt(32 / 7)
    same(run("zscore", values), list((values - 5) / s))
    same(run("zscore", values, direction=-1), list((5 - values) / s))
    same(run("zscore", values, params={"mean": 100, "sd": 10}), list(100 + 10 * (values - 5) / s))


def test_zscore_constant_and_single_value_give_the_output_mean() -> None:
    same(run("zscore", np.array([4.0, 4.0, NAN]), params={"mean": 50, "sd": 10}), [50, 50, NAN])
    same(run("zscore", np.array([NAN, 7.0])), [NAN, 0])


# --- fixed goalposts, scaled, none ---------------------------------------------------------------


def test_goalposts_truncate_and_are_not_data_dependent() -> None:
    values = np.array([-5.0, 0.0, 10.0, 30.0, 40.0, 55.0, NAN])
    same(run("goalposts", values, params={"lower": 0, "upper": 40}), [0, 0, 25, 75, 100, 100, NAN])
    same(run("goalposts", values, direction=-1, params={"lower": 0, "upper": 40}), [100, 100, 75, 25, 0, 0, NAN])
    same(run("goalposts", values, params={"lower": 0, "upper": 40, "low": 1, "high": 5}), [1, 1, 2, 4, 5, 5, NAN])
    assert not NORMALISERS["goalposts"].data_dependent
    # A single organisation scored alone gets the same score as within the network.
    same(run("goalposts", np.array([10.0]), params={"lower": 0, "upper": 40}), [25])


def test_scaled_does_not_truncate() -> None:
    values = np.array([-10.0, 0.0, 50.0, 150.0])
    same(run("scaled", values, params={"lower": 0, "upper": 100}), [-10, 0, 50, 150])
    same(run("scaled", values, params={"lower": 0, "upper": 200, "scale": 10}), [-0.5, 0, 2.5, 7.5])
    same(run("scaled", values, direction=-1, params={"lower": 0, "upper": 100}), [110, 100, 50, -50])


def test_none_is_identity_and_negates_for_lower() -> None:
    same(run("none"), [2, 4, NAN, 10, 6])
    same(run("none", direction=-1), [-2, -4, NAN, -10, -6])


# --- target, reference, fraction of max ----------------------------------------------------------


def test_target_higher_is_share_of_target_capped() -> None:
    values = np.array([-2.0, 0.0, 20.0, 40.0, 60.0, NAN])
    same(run("target", values, params={"target": 40}), [0, 0, 50, 100, 100, NAN])


def test_target_defaults_to_the_indicators_target() -> None:
    indicator = Indicator(code="jobs", target=40.0)
    same(run("target", np.array([10.0, 80.0]), context=ctx(indicator, n=2)), [25, 100])


def test_target_lower_is_target_over_value() -> None:
    indicator = Indicator(code="co2", direction=Direction.LOWER)
    values = np.array([0.0, 5.0, 10.0, 20.0, 40.0])
    same(run("target", values, direction=-1, params={"target": 10}, context=ctx(indicator)), [100, 100, 100, 50, 25])


def test_target_direction_scores_closeness_to_the_target() -> None:
    indicator = Indicator(code="ratio", direction=Direction.TARGET, target=50.0, minimum=0.0, maximum=100.0)
    values = np.array([0.0, 25.0, 50.0, 60.0, 100.0, 120.0, NAN])
    # scale derived from the declared range: max(50 - 0, 100 - 50) = 50
    same(run("target", values, context=ctx(indicator, n=7)), [0, 50, 100, 80, 0, 0, NAN])
    same(
        run("target", values, params={"scale": 100, "low": 0, "high": 10}, context=ctx(indicator, n=7)),
        [5, 7.5, 10, 9, 5, 3, NAN],
    )


def test_target_errors_name_the_parameter() -> None:
    with pytest.raises(MethodError, match="'target' is required"):
        run("target", context=ctx(Indicator(code="x")))
    with pytest.raises(MethodError, match="must be > 0"):
        run("target", params={"target": 0})
    with pytest.raises(MethodError, match="'scale' only applies"):
        run("target", params={"target": 5, "scale": 2})
    no_range = Indicator(code="x", direction=Direction.TARGET, target=3.0)
    with pytest.raises(MethodError, match="'scale' is required"):
        run("target", context=ctx(no_range))


def test_other_normalisers_refuse_a_target_direction() -> None:
    indicator = Indicator(code="ratio", direction=Direction.TARGET, target=50.0)
    with pytest.raises(MethodError, match="direction is 'target'") as info:
        run("minmax", context=ctx(indicator))
    assert info.value.indicator == "ratio"


def test_distance_to_reference() -> None:
    context = ctx(orgs=["a", "b", "ref", "d", "e"])
    values = np.array([2.0, 4.0, 8.0, NAN, 12.0])
    same(run("distance_to_reference", values, params={"organisation": "ref"}, context=context), [25, 50, 100, NAN, 150])
    # lower is better: mirrored at the reference, scale·(1 - (x - ref)/ref)
    same(
        run("distance_to_reference", values, direction=-1, params={"organisation": "ref"}, context=context),
        [175, 150, 100, NAN, 50],
    )


def test_distance_to_reference_picks_the_period_and_reports_ambiguity() -> None:
    context = ctx(orgs=["ref", "ref", "b", "b"], periods=["2023", "2024", "2023", "2024"])
    values = np.array([5.0, 10.0, 5.0, 20.0])
    same(
        run("distance_to_reference", values, params={"organisation": "ref", "period": "2024"}, context=context),
        [50, 100, 50, 200],
    )
    with pytest.raises(MethodError, match="2 values") as info:
        run("distance_to_reference", values, params={"organisation": "ref"}, context=context)
    assert info.value.path == "params.period"
    with pytest.raises(MethodError, match="not in the data"):
        run("distance_to_reference", values, params={"organisation": "zz"}, context=context)
    with pytest.raises(MethodError, match="> 0"):
        run(
            "distance_to_reference",
            np.array([0.0, 1.0, 1.0, 1.0]),
            params={"organisation": "ref", "period": "2023"},
            context=context,
        )
    with pytest.raises(MethodError, match="no value"):
        run(
            "distance_to_reference",
            np.array([NAN, 1.0, 1.0, 1.0]),
            params={"organisation": "ref", "period": "2023"},
            context=context,
        )


def test_fraction_of_max() -> None:
    same(run("fraction_of_max"), [20, 40, NAN, 100, 60])
    # lower is better: min/x
    same(run("fraction_of_max", direction=-1), [100, 50, NAN, 20, 100 / 3])
    with pytest.raises(MethodError, match="best value is 0"):
        run("fraction_of_max", np.array([0.0, 1.0]), direction=-1)
    with pytest.raises(MethodError, match="best value is -1"):
        run("fraction_of_max", np.array([-3.0, -1.0]))


# --- rank family ---------------------------------------------------------------------------------


def test_rank_ties_share_the_lowest_rank() -> None:
    values = np.array([3.0, 1.0, 3.0, NAN, 7.0, 5.0])
    same(run("rank", values), [2, 1, 2, NAN, 5, 4])
    same(run("rank", values, direction=-1), [3, 5, 3, NAN, 1, 2])


def test_borda_counts_values_strictly_worse() -> None:
    values = np.array([3.0, 1.0, 3.0, NAN, 7.0, 5.0])
    same(run("borda", values), [1, 0, 1, NAN, 4, 3])
    same(run("borda", values, direction=-1), [2, 4, 2, NAN, 0, 1])


def test_percentile_rank() -> None:
    values = np.array([3.0, 1.0, 3.0, NAN, 7.0, 5.0])
    # n = 5 present: 100·below/4
    same(run("percentile_rank", values), [25, 0, 25, NAN, 100, 75])
    same(run("percentile_rank", values, direction=-1), [50, 100, 50, NAN, 0, 25])
    same(run("percentile_rank", np.array([4.0, 4.0, NAN])), [50, 50, NAN])
    same(run("percentile_rank", np.array([4.0])), [50])


def test_rank_family_scores_new_values_against_the_reference() -> None:
    spec = NORMALISERS["percentile_rank"]
    fitted = spec.fit(np.array([1.0, 2.0, 3.0]), direction=1, params={}, context=ctx(n=3))
    assert fitted["reference"] == [1.0, 2.0, 3.0]
    same(spec.apply(np.array([0.0, 2.5, 9.0]), fitted), [0, 100, 100])
    rank = NORMALISERS["rank"]
    same(
        rank.apply(np.array([2.0, 9.0]), rank.fit(np.array([1.0, 2.0, 3.0]), direction=1, params={}, context=ctx(n=3))),
        [2, 4],
    )


# --- qualitative kinds ---------------------------------------------------------------------------


def likert(direction: Direction = Direction.HIGHER) -> Indicator:
    levels = tuple(Level(value=str(i)) for i in range(1, 6))
    return Indicator(code="lik", kind=Kind.SCALE, levels=levels, direction=direction)


def test_scale_uses_the_level_range_not_the_data() -> None:
    values = np.array([2.0, 3.0, NAN])
    same(run("scale", values, context=ctx(likert(), n=3)), [25, 50, NAN])
    same(run("scale", values, direction=-1, context=ctx(likert(Direction.LOWER), n=3)), [75, 50, NAN])
    assert not NORMALISERS["scale"].data_dependent


def test_scale_without_levels_is_an_error() -> None:
    with pytest.raises(MethodError, match="no levels"):
        run("scale", context=ctx(Indicator(code="q", kind=Kind.SCALE)))


def test_binary() -> None:
    indicator = Indicator(code="b", kind=Kind.BINARY)
    values = np.array([0.0, 1.0, NAN])
    same(run("binary", values, context=ctx(indicator, n=3)), [0, 100, NAN])
    same(run("binary", values, direction=-1, context=ctx(indicator, n=3)), [100, 0, NAN])
    with pytest.raises(MethodError, match="neither 0 nor 1"):
        run("binary", np.array([0.0, 0.5]), context=ctx(indicator, n=2))


def test_category_keeps_the_category_score() -> None:
    levels = (Level(value="coop", score=100.0), Level(value="asbl", score=60.0), Level(value="sa", score=20.0))
    indicator = Indicator(code="legal", kind=Kind.CATEGORY, levels=levels)
    values = np.array([100.0, 20.0, 60.0, NAN])
    same(run("category", values, context=ctx(indicator, n=4)), [100, 20, 60, NAN])
    same(run("category", values, direction=-1, context=ctx(indicator, n=4)), [20, 100, 60, NAN])


# --- parameters and bad input --------------------------------------------------------------------


def test_check_params_fills_defaults() -> None:
    assert check_params("minmax", {}) == {"low": 0.0, "high": 100.0}
    assert check_params("goalposts", {"lower": 1, "upper": 5}) == {
        "lower": 1.0,
        "upper": 5.0,
        "low": 0.0,
        "high": 100.0,
    }


def test_check_params_reports_every_problem_at_once() -> None:
    with pytest.raises(MethodError) as info:
        check_params("goalposts", {"lowr": 0, "upper": "40", "high": True})
    text = str(info.value)
    assert "unknown parameter 'lowr'" in text
    assert "'lower' is required" in text
    assert "'upper' must be a finite number" in text
    assert "'high' must be a finite number" in text
    assert "goalposts takes lower (number, required)" in text


def test_check_params_single_problem_names_the_path() -> None:
    with pytest.raises(MethodError) as info:
        check_params("goalposts", {"lower": 5, "upper": 1})
    assert info.value.path == "params.upper"
    with pytest.raises(MethodError) as info:
        check_params("zscore", {"sd": 0})
    assert info.value.path == "params.sd"
    with pytest.raises(MethodError, match="greater than 'low'"):
        check_params("minmax", {"low": 100, "high": 0})


def test_unknown_method_and_unknown_parameter_are_refused_at_fit() -> None:
    with pytest.raises(MethodError, match="unknown normaliser 'minimax'"):
        check_params("minimax", {})
    with pytest.raises(MethodError, match="unknown parameter 'upper'"):
        run("minmax", params={"upper": 3})
    with pytest.raises(MethodError, match="unknown parameter 'x'"):
        run("rank", params={"x": 1})


def test_bad_direction_and_infinite_values() -> None:
    with pytest.raises(MethodError, match="direction must be"):
        run("minmax", direction=0)
    with pytest.raises(DataError, match="rows \\[2\\]"):
        run("minmax", np.array([1.0, np.inf]))


def test_output_ranges() -> None:
    assert NORMALISERS["minmax"].output_range({"low": 1, "high": 5}) == (1.0, 5.0)
    assert NORMALISERS["goalposts"].output_range({"lower": 0, "upper": 1}) == (0.0, 100.0)
    assert NORMALISERS["percentile_rank"].output_range({}) == (0.0, 100.0)
    assert NORMALISERS["rank"].output_range({}) == (1.0, None)
    assert NORMALISERS["borda"].output_range({}) == (0.0, None)
    assert NORMALISERS["fraction_of_max"].output_range({}) == (None, 100.0)
    assert NORMALISERS["zscore"].output_range({}) == (None, None)
    with pytest.raises(MethodError):
        NORMALISERS["minmax"].output_range({"hi": 3})


def test_kinds() -> None:
    assert NORMALISERS["scale"].kinds == ("scale",)
    assert NORMALISERS["binary"].kinds == ("binary",)
    assert NORMALISERS["category"].kinds == ("category",)
    assert "scale" in NORMALISERS["goalposts"].kinds and "quantity" in NORMALISERS["minmax"].kinds


def test_importing_normalise_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, vises.methods.normalise, vises.methods.aggregate; print(any(m in sys.modules for m in "
        "('pint', 'pandas', 'matplotlib', 'openpyxl', 'jinja2', 'babel')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_a_problem_with_the_indicator_is_not_given_a_parameter_path() -> None:
    with pytest.raises(MethodError, match="no levels") as info:
        check_params("category", {}, indicator=Indicator(code="c", kind=Kind.CATEGORY))
    assert info.value.path is None
