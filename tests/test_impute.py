"""Imputation: off by default, fills only missing cells, always flagged and traceable."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vises
from vises.engine.compile import compile_grid
from vises.errors import GridValidationError
from vises.model import Column, Dataset, Defaults, Grid, Indicator, Method, Node
from vises.plugins import get_registry
from vises.validation.grid import validate_dataset

NAN = np.nan


def _grid(imputation: Method | None, **indicator) -> Grid:
    return Grid(
        code="g",
        nodes=(Node(code="root"),),
        indicators=(Indicator(code="a", parent="root", **indicator), Indicator(code="b", parent="root")),
        defaults=Defaults(imputation=imputation),
    )


def _data(a, *, periods=None, orgs=None, na=None, family=None) -> Dataset:
    a = np.asarray(a, dtype=float)
    n = len(a)
    attributes = {"family": np.asarray(family, dtype=object)} if family is not None else {}
    return Dataset(
        organisations=np.asarray(orgs if orgs is not None else [f"o{i}" for i in range(n)]),
        periods=np.asarray(periods if periods is not None else ["2024"] * n),
        columns={
            "a": Column(values=a, not_applicable=None if na is None else np.asarray(na)),
            "b": Column(values=np.arange(n, dtype=float)),
        },
        attributes=attributes,
    )


def test_mean_and_median_of_the_period():
    data = _data([1, 2, NAN, 10, 5, NAN], periods=["1", "1", "1", "2", "2", "2"])
    mean = vises.score(_grid(Method(name="mean")), data)
    np.testing.assert_array_equal(mean.raw("a"), [1, 2, 1.5, 10, 5, 7.5])
    assert mean.imputed("a").tolist() == [False, False, True, False, False, True]
    assert mean.fitted_imputation["a"]["values"] == {"1": 1.5, "2": 7.5}
    pooled = vises.score(_grid(Method(name="median", params={"pooled": True})), data)
    np.testing.assert_array_equal(pooled.raw("a"), [1, 2, 3.5, 10, 5, 3.5])  # median of 1, 2, 10, 5


def test_group_mean_within_the_period():
    data = _data([1, 3, NAN, 10, NAN, NAN], family=["x", "x", "x", "y", "y", None])
    results = vises.score(_grid(Method(name="group_mean", params={"group": "family"})), data)
    np.testing.assert_array_equal(results.raw("a"), [1, 3, 2, 10, 10, NAN])  # no family: stays missing
    assert results.reasons("a")[5] == "missing value" and results.reasons("a")[2] is None


def test_previous_carries_the_latest_earlier_value_forward():
    data = _data(
        [4, NAN, NAN, NAN, 7, NAN],
        orgs=["p", "p", "p", "q", "q", "q"],
        periods=["2021", "2022", "2024", "2021", "2022", "2023"],
    )
    results = vises.score(_grid(Method(name="previous")), data)
    np.testing.assert_array_equal(results.raw("a"), [4, 4, 4, NAN, 7, 7])
    # At most one period back: p's 2024 row is two periods after its 2021 value.
    limited = vises.score(_grid(Method(name="previous", params={"max_periods": 1})), data)
    np.testing.assert_array_equal(limited.raw("a"), [4, 4, NAN, NAN, 7, 7])


def test_not_applicable_is_never_filled_and_present_values_never_change():
    data = _data([1, NAN, NAN, 5], na=[False, True, False, False])
    results = vises.score(_grid(Method(name="mean")), data)
    np.testing.assert_array_equal(results.raw("a"), [1, NAN, 3, 5])
    assert results.reasons("a")[1] == "not applicable"
    assert results.imputed("a").tolist() == [False, False, True, False]


def test_imputed_cells_are_visible_everywhere():
    data = _data([1, NAN, 3, 5])
    results = vises.score(_grid(Method(name="mean")), data)
    assert results.explain("o1").imputed is True
    assert [child.imputed for child in results.explain("o1").children] == [True, False]
    assert results.explain("o0").imputed is False
    np.testing.assert_array_equal(results.coverage("a"), [1, 1, 1, 1])
    np.testing.assert_array_equal(results.coverage("a", imputed=False), [1, 0, 1, 1])
    np.testing.assert_array_equal(results.coverage("root", imputed=False), [1, 0.5, 1, 1])
    assert results.provenance["imputations"] == {"a": "mean", "b": "mean"}


def test_off_by_default_and_none_is_off():
    data = _data([1, NAN, 3, 5])
    plain = vises.score(_grid(None), data)
    off = vises.score(_grid(Method(name="none")), data)
    np.testing.assert_array_equal(plain.scores, off.scores)
    assert np.isnan(plain.raw("a")[1]) and not plain.imputed("a").any() and plain.fitted_imputation == {}
    assert "imputations" not in plain.provenance


def test_validation_names_the_place():
    grid = _grid(Method(name="group_mean"))
    with pytest.raises(GridValidationError) as info:
        compile_grid(grid, get_registry())
    assert "defaults.imputation" in {p.path for p in info.value.problems}
    assert "group" in str(info.value)
    grid = _grid(Method(name="group_mean", params={"group": "region"}))
    problems = validate_dataset(grid, _data([1, 2]))
    assert any("'region'" in str(p) for p in problems)


def test_registry_knows_the_imputers():
    registry = get_registry()
    assert {"mean", "median", "group_mean", "group_median", "previous", "none"} <= set(registry.imputers)
    assert registry.imputers["previous"].plugin == "vises"


def test_reference_imputes_from_the_network():
    network = vises.score(_grid(Method(name="mean")), _data([2, 4, 6, NAN]))
    alone = Dataset(
        organisations=np.array(["new"]),
        periods=np.array(["2024"]),
        columns={"a": Column(values=np.array([NAN])), "b": Column(values=np.array([1.0]))},
    )
    again = vises.score(_grid(Method(name="mean")), alone, reference=network)
    assert again.raw("a")[0] == 4.0 and again.imputed("a")[0]


_cells = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(NAN), st.just("na"))


@settings(max_examples=200, deadline=None)
@given(st.lists(_cells, min_size=1, max_size=30), st.sampled_from(["mean", "median", "previous"]), st.integers(1, 3))
def test_imputation_never_touches_present_or_not_applicable_cells(cells, method, n_periods):
    na = np.array([c == "na" for c in cells])
    values = np.array([NAN if c == "na" else c for c in cells], dtype=float)
    n = len(values)
    periods = [str(2020 + i % n_periods) for i in range(n)]
    orgs = [f"o{i // n_periods}" for i in range(n)]
    data = _data(values, periods=periods, orgs=orgs, na=na)
    results = vises.score(_grid(Method(name=method)), data)
    raw = results.raw("a")
    present = ~np.isnan(values)
    np.testing.assert_array_equal(raw[present], values[present])
    assert np.isnan(raw[na]).all()
    assert not results.imputed("a")[present | na].any()
    assert (results.imputed("a") == (~present & ~na & ~np.isnan(raw))).all()
    plain = vises.score(_grid(None), data)
    np.testing.assert_array_equal(plain.raw("a"), values, err_msg="with imputation off nothing is filled")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(-1e3, 1e3, allow_nan=False), st.just(NAN)),
            st.sampled_from(["x", "y", "z", None]),
            st.sampled_from(["9", "10", "2019"]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["group_mean", "group_median"]),
    st.booleans(),
)
def test_group_statistics_match_a_row_by_row_groupby(cells, method, pooled):
    """The column-wise group keys give what keying each row in Python gives (the old way, and COINr's)."""
    values = np.array([c[0] for c in cells], dtype=float)
    family = [c[1] for c in cells]
    periods = [c[2] for c in cells]
    grid = _grid(Method(name=method, params={"group": "family", "pooled": pooled}))
    results = vises.score(grid, _data(values, periods=periods, family=family))
    groups: dict[tuple[str, str], list[float]] = {}
    for value, group, period in cells:
        if group is not None and not np.isnan(value):
            groups.setdefault(("" if pooled else period, group), []).append(value)
    reduce = np.mean if method == "group_mean" else np.median
    expected_table = {f"{period}\x1f{group}": float(reduce(found)) for (period, group), found in groups.items()}
    table = results.fitted_imputation["a"]["values"]
    assert table.keys() == expected_table.keys()
    for key, value in expected_table.items():
        assert table[key] == pytest.approx(value, rel=1e-12, abs=1e-9)
    for i, (value, group, period) in enumerate(cells):
        if np.isnan(value):
            key = (("" if pooled else period), group)
            wanted = expected_table.get(f"{key[0]}\x1f{key[1]}") if group is not None else None
            got = results.raw("a")[i]
            assert (np.isnan(got) and wanted is None) or got == pytest.approx(wanted, rel=1e-12, abs=1e-9)
