"""The Parquet reader's fast paths for large tables give the dataset of the general rules.

From ``DEFERRED_ROWS`` rows the organisation column stays Arrow strings (``DeferredText``) until
``Dataset.organisations`` is read, periods are stripped once per distinct text, and typed float
columns become numpy over their own buffers. Here both paths read the same generated files (white
space of every kind, empty and null codes, non-ASCII text, nulls, infinities, not-applicable
columns) and must agree on every array and every problem.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises.io import parquet_data
from vises.limits import use_limits
from vises.model import Dataset, Grid, Indicator, Node
from vises.model.keys import DeferredText, deferred_source

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

GRID = Grid(
    code="g",
    nodes=(Node(code="r"),),
    indicators=(Indicator(code="hours", parent="r", unit="hour"), Indicator(code="rate", parent="r", unit="percent")),
)
CODES = st.one_of(
    st.sampled_from(["a", "b", " a", "a ", "\ta\n", "\u00a0b", "b\u3000", "é", "  ", "", "x\u00a0y", "\x1cz"]),
    st.text(alphabet="ab é\u00a0\t", max_size=4),
    st.none(),
)
PERIODS = st.sampled_from(["2020", " 2020", "2021 ", "", None, "2022\u00a0"])
NUMBER = st.one_of(st.floats(-1e6, 1e6), st.none(), st.just(float("inf")), st.just(float("nan")))


def _read(path: Path, *, deferred: bool) -> Dataset:
    saved = parquet_data.DEFERRED_ROWS
    parquet_data.DEFERRED_ROWS = 1 if deferred else 10**12
    try:
        return vises.load_data(path, grid=GRID, keep_problems=True)
    finally:
        parquet_data.DEFERRED_ROWS = saved


def _same(a: Dataset, b: Dataset) -> None:
    assert a.organisations.tolist() == b.organisations.tolist()
    assert a.periods.tolist() == b.periods.tolist()
    assert sorted(a.columns) == sorted(b.columns)
    for code, column in a.columns.items():
        np.testing.assert_array_equal(column.values, b.columns[code].values)
        na, other = column.not_applicable, b.columns[code].not_applicable
        assert (na is None) == (other is None) and (na is None or np.array_equal(na, other))
    assert [str(p) for p in a.read_problems] == [str(p) for p in b.read_problems]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(CODES, PERIODS, NUMBER, NUMBER, st.booleans()), min_size=1, max_size=40), st.booleans())
def test_the_fast_paths_read_what_the_general_rules_read(tmp_path: Path, rows: list[tuple], dictionary: bool) -> None:
    organisations, periods, hours, rates, na = (list(column) for column in zip(*rows, strict=True))
    table = pa.table(
        {
            "organisation": pa.array(organisations, type=pa.string()),
            "period": pa.array(periods, type=pa.string()),
            "hours": pa.array(hours, type=pa.float64()),
            "hours.not_applicable": pa.array(na),
            "rate": pa.array(rates, type=pa.float64()),
        }
    )
    path = tmp_path / "data.parquet"
    pq.write_table(table, path, use_dictionary=dictionary)
    deferred, general = _read(path, deferred=True), _read(path, deferred=False)
    _same(deferred, general)
    assert all(isinstance(text, str) for text in deferred.organisations.tolist())


def test_organisations_wait_until_asked_and_are_built_once(tmp_path: Path) -> None:
    n = 50
    path = tmp_path / "data.parquet"
    pq.write_table(pa.table({"organisation": [f"o{i}" for i in range(n)], "hours": np.arange(n, dtype=float)}), path)
    dataset = _read(path, deferred=True)
    source = deferred_source(dataset)
    assert source is not None and len(dataset) == n
    kept = attrs.evolve(dataset, read_problems=())
    assert deferred_source(kept) is source  # evolve keeps the Arrow column, unbuilt
    first = dataset.organisations
    assert first is dataset.organisations and not first.flags.writeable
    assert first.tolist() == [f"o{i}" for i in range(n)]
    assert deferred_source(_read(path, deferred=False)) is None


def test_deferred_text_builds_once_and_checks_its_length() -> None:
    calls: list[int] = []

    def make(source: list[str]) -> np.ndarray:
        calls.append(1)
        return np.array(source, dtype=object)

    deferred = DeferredText(["a", "b"], make, 2)
    dataset = Dataset(organisations=deferred, periods=["1", "1"])
    assert len(dataset) == 2 and calls == []
    assert dataset.organisations.tolist() == ["a", "b"] and dataset.organisations.tolist() == ["a", "b"]
    assert calls == [1]
    with pytest.raises(ValueError, match="expected 3"):
        DeferredText(["a"], make, 3).array()


def test_a_code_over_the_field_limit_names_its_row_on_both_paths(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    codes = ["a", "b", "x" * 40, "c"]
    pq.write_table(pa.table({"organisation": codes, "hours": [1.0, 2.0, 3.0, 4.0]}), path)
    messages = []
    for deferred in (True, False):
        with use_limits(field_chars=30), pytest.raises(vises.VisesError) as caught:
            _read(path, deferred=deferred)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "row 3," in messages[0]  # Parquet rows count from 1


def test_reports_of_a_deferred_column_equal_those_of_strings(tmp_path: Path) -> None:
    """The reports' order (period, then code as text) and content do not depend on the path read."""
    rng = np.random.default_rng(8)
    words = np.array(["b", "a", "é", "z", "Z", "ab", "a b", "\u00e9t\u00e9", "10", "9", "ß"], dtype=object)
    n = 300
    organisations = [f"{words[i % len(words)]}{i // len(words)}" for i in rng.permutation(n)]
    periods = rng.choice(["2021", "2020", "2022"], n).tolist()
    table = pa.table(
        {
            "organisation": organisations,
            "period": periods,
            "hours": rng.gamma(2.0, 5.0, n).round(1),
            "rate": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
        }
    )
    path = tmp_path / "data.parquet"
    pq.write_table(table, path)
    reports = []
    for deferred in (True, False):
        results = vises.score(GRID, _read(path, deferred=deferred))
        assert (deferred_source(results.dataset) is not None) is deferred
        parquet = pq.read_table(pa.BufferReader(vises.render(results, "parquet")))
        reports.append((vises.render(results, "csv"), parquet.to_pydict()))
    assert reports[0] == reports[1]


def test_repeated_rows_are_named_alike_on_both_paths(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    organisations = ["a", "b", "a", "c", "b", "a"]
    periods = ["2020", "2020", "2021", "2020", "2020", "2020"]
    pq.write_table(pa.table({"organisation": organisations, "period": periods, "hours": np.arange(6.0)}), path)
    messages = []
    for deferred in (True, False):
        with pytest.raises(vises.DataValidationError) as caught:
            vises.score(GRID, _read(path, deferred=deferred))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert messages[0].count("appears again") == 2
    assert "organisation 'b', period '2020' appears again" in messages[0]
    assert "organisation 'a', period '2020' appears again" in messages[0]
