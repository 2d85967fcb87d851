"""The formula language and derived indicators, against numbers worked out by hand: precedence,
units through pint, missing values, division by zero (missing, with its reason), conditionals,
cycles and unit errors refused with the grid, before any data is read; Wilson and t intervals;
rates pooled over a network as Σ numerators / Σ denominators."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import vises
from vises.errors import DataWarning, FormulaError, GridValidationError
from vises.intervals import t_interval, wilson
from vises.model.formula import Binary, Name, Number, Unary, parse

HEAD = """
code = "derived"
version = "1"
languages = ["en"]
label = { en = "Derived" }

[[nodes]]
code = "root"
label = { en = "Root" }

[[indicators]]
code = "hours"
parent = "root"
kind = "quantity"
unit = "hour"
minimum = 0
context = true
label = { en = "Hours" }

[[indicators]]
code = "fte"
parent = "root"
kind = "quantity"
unit = "FTE"
minimum = 0
context = true
label = { en = "Staff (FTE)" }

[[indicators]]
code = "trainees"
parent = "root"
kind = "quantity"
unit = "person"
minimum = 0
context = true
label = { en = "Trainees" }
"""


def _derived(code: str, formula: str, unit: str | None, extra: str = "") -> str:
    unit_line = f'unit = "{unit}"\n' if unit else ""
    return (
        f'\n[[indicators]]\ncode = "{code}"\nparent = "root"\nkind = "quantity"\nformula = "{formula}"\n'
        f'{unit_line}direction = "higher"\nlabel = {{ en = "{code}" }}\n{extra}'
    )


def _grid(tmp_path: Path, *derived: str) -> Path:
    path = tmp_path / "derived.toml"
    path.write_text(HEAD + "".join(derived), encoding="utf-8")
    return path


DATA = {
    "organisation": ["a", "b", "c", "d"],
    "period": ["2024"] * 4,
    "hours": [1200.0, 300.0, np.nan, 50.0],
    "fte": [4.0, 0.0, 2.0, 1.0],
    "trainees": [30.0, 10.0, 12.0, 5.0],
}


# -- parsing ---------------------------------------------------------------------------------------


def test_precedence_and_associativity() -> None:
    tree = parse("a + b * c ^ 2 ^ 3").tree
    # + below *, * below ^, ^ to the right: a + (b * (c ^ (2 ^ 3))).
    assert isinstance(tree, Binary) and tree.op == "+"
    product = tree.right
    assert isinstance(product, Binary) and product.op == "*"
    power = product.right
    assert isinstance(power, Binary) and power.op == "^" and isinstance(power.right, Binary)
    assert power.right.op == "^" and isinstance(power.right.left, Number) and power.right.left.value == 2
    # Unary minus binds looser than ^: -a ^ 2 is -(a ^ 2).
    negated = parse("-a ^ 2").tree
    assert isinstance(negated, Unary) and isinstance(negated.operand, Binary) and negated.operand.op == "^"
    # Subtraction is left-associative: a - b - c is (a - b) - c.
    left = parse("a - b - c").tree
    assert isinstance(left, Binary) and isinstance(left.left, Binary) and isinstance(left.right, Name)


@pytest.mark.parametrize(
    ("text", "position", "words"),  # position: 0-based character
    [
        ("a +* b", 3, "expected a value"),
        ("max(a, b", 8, "to close the call"),
        ("__import__('os')", 0, "unknown function"),
    ],
)
def test_errors_name_the_position(text: str, position: int, words: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert words in str(caught.value)
    assert caught.value.position == position


# -- evaluation, through a grid and a score ----------------------------------------------------


def test_values_units_missing_and_division_by_zero(tmp_path: Path) -> None:
    grid = vises.load_grid(
        _grid(
            tmp_path,
            _derived("per_fte", "hours / fte", "hour / FTE"),
            _derived("per_trainee_min", "hours / trainees", "minute / person"),
            _derived("capped", "min(hours / trainees, 30)", "hour / person"),
            _derived("chosen", "if(fte > 1, trainees, 0)", "person"),
        )
    )
    with pytest.warns(DataWarning, match="divide by zero"):  # b has 0 FTE: said, not hidden
        results = vises.score(grid, vises.load_data(DATA, grid=grid))
    per_fte = results.raw("per_fte")
    assert per_fte[0] == 300.0  # 1200 hours / 4 FTE
    assert np.isnan(per_fte[1])  # 300 / 0: missing, with the reason
    assert np.isnan(per_fte[2])  # hours missing
    assert per_fte[3] == 50.0
    reasons = results.reasons("per_fte")
    assert reasons[1] is not None and "zero" in reasons[1]
    assert reasons[2] is not None and "hours" in reasons[2]
    # hours / person declared in minutes per person: × 60.
    assert results.raw("per_trainee_min")[0] == pytest.approx(1200 / 30 * 60)
    assert results.raw("capped")[0] == 30.0 and results.raw("capped")[1] == 30.0 and results.raw("capped")[3] == 10.0
    assert list(results.raw("chosen")) == [30.0, 0.0, 12.0, 0.0]


def test_mixed_precedence_value(tmp_path: Path) -> None:
    grid = vises.load_grid(_grid(tmp_path, _derived("value", "(hours - hours * 2 ^ 2 / 8) / fte", "hour / FTE")))
    with pytest.warns(DataWarning, match="divide by zero"):  # b has 0 FTE: said, not hidden
        results = vises.score(grid, vises.load_data(DATA, grid=grid))
    # Hand: a (1200 - 1200 × 4 / 8) / 4 = 150; b divides by 0 FTE; c has no hours; d (50 - 25) / 1 = 25.
    value = results.raw("value")
    assert value[0] == 150.0 and np.isnan(value[1]) and np.isnan(value[2]) and value[3] == 25.0


def test_a_unit_error_is_refused_before_any_data_is_read(tmp_path: Path) -> None:
    path = _grid(tmp_path, _derived("nonsense", "hours + trainees", "hour"))
    missing_data = tmp_path / "never-written.csv"
    with pytest.raises(GridValidationError) as caught:
        vises.score(path, missing_data)  # the grid is refused first: the data file is never opened
    text = str(caught.value)
    assert "nonsense" in text and ("unit" in text or "dimension" in text)
    assert not missing_data.exists()


def test_a_declared_unit_that_does_not_match_is_refused(tmp_path: Path) -> None:
    path = _grid(tmp_path, _derived("per_fte", "hours / fte", "person"))
    with pytest.raises(GridValidationError) as caught:
        vises.load_grid(path)
    assert "per_fte" in str(caught.value)


def test_cycles_and_unknown_names_are_refused_together(tmp_path: Path) -> None:
    path = _grid(
        tmp_path,
        _derived("x", "y * 2", "hour"),
        _derived("y", "x / 2", "hour"),
        _derived("z", "hours / staf", "hour / FTE"),
    )
    with pytest.raises(GridValidationError) as caught:
        vises.load_grid(path)
    text = str(caught.value)
    assert "cycle" in text and "x -> y -> x" in text
    assert "staf" in text  # an unknown name, reported in the same error


# -- intervals, by hand ----------------------------------------------------------------------------


def _wilson_by_hand(k: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(0, 5), (17, 24), (0, 1), (1, 1), (5, 5)])
def test_wilson_against_the_formula(k: int, n: int) -> None:
    low, high = wilson(np.array([float(k)]), np.array([float(n)]), 0.95)
    expected = _wilson_by_hand(k, n)
    assert low[0] == pytest.approx(expected[0], abs=1e-12) and high[0] == pytest.approx(expected[1], abs=1e-12)


def test_wilson_known_values() -> None:
    low, high = wilson(np.array([0.0, 17.0, 1.0, 0.0]), np.array([5.0, 24.0, 1.0, 0.0]), 0.95)
    assert (low[0], round(high[0], 4)) == (0.0, 0.4345)  # 0 of 5: 0–43 %
    assert (round(low[1], 4), round(high[1], 4)) == (0.5083, 0.8509)  # 17 of 24: 51–85 %
    assert (round(low[2], 4), high[2]) == (0.2065, 1.0)  # 1 of 1: 21–100 %
    assert np.isnan(low[3]) and np.isnan(high[3])  # no answer: no interval


def test_t_interval_by_hand() -> None:
    # Mean 3.6 of 10 answers with sd 1.2: t(0.975, 9) = 2.262157; half-width 2.262157 × 1.2 / √10.
    low, high = t_interval(np.array([3.6]), np.array([1.2]), np.array([10.0]), 0.95)
    half = 2.2621571627982 * 1.2 / math.sqrt(10)
    assert low[0] == pytest.approx(3.6 - half, abs=1e-9) and high[0] == pytest.approx(3.6 + half, abs=1e-9)
    one_low, one_high = t_interval(np.array([4.0]), np.array([np.nan]), np.array([1.0]), 0.95)
    assert np.isnan(one_low[0]) and np.isnan(one_high[0])  # n = 1: no interval


# -- rates pooled over a network ---------------------------------------------------------------


def test_rates_pool_sums_of_numerators_over_sums_of_denominators(tmp_path: Path) -> None:
    text = (
        HEAD
        + """
[[indicators]]
code = "exits"
parent = "root"
kind = "quantity"
unit = "person"
minimum = 0
context = true
label = { en = "Exits to work" }

[[indicators]]
code = "exit_rate"
parent = "root"
kind = "rate"
numerator = "exits"
denominator = "trainees"
unit = "percent"
direction = "higher"
label = { en = "Exit rate" }
"""
    )
    path = tmp_path / "rate.toml"
    path.write_text(text, encoding="utf-8")
    grid = vises.load_grid(path)
    data = vises.load_data(
        {
            "organisation": ["a", "b", "c", "a", "b"],
            "period": ["2023", "2023", "2023", "2024", "2024"],
            "trainees": [54.0, 5.0, 24.0, 10.0, 0.0],
            "exits": [16.0, 0.0, 17.0, 4.0, 0.0],
            "hours": [100.0] * 5,
            "fte": [1.0] * 5,
        },
        grid=grid,
    )
    with pytest.warns(DataWarning, match="divide by zero"):
        results = vises.score(grid, data)
    pooled = results.pooled_rate("exit_rate")
    assert pooled.groups == ("2023", "2024")
    # 2023: (16 + 0 + 17) / (54 + 5 + 24) = 33 / 83, not the mean of 29.6 %, 0 % and 70.8 %.
    assert pooled.numerator[0] == 33.0 and pooled.denominator[0] == 83.0
    assert pooled.value[0] == pytest.approx(100 * 33 / 83)
    # 2024: b has no trainees (its rate is missing); a's 4 / 10 is the network's.
    assert pooled.value[1] == pytest.approx(40.0)
    low, high = _wilson_by_hand(33, 83)
    assert pooled.low[0] == pytest.approx(100 * low) and pooled.high[0] == pytest.approx(100 * high)
