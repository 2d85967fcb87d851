"""Records → indicators (``vises.collect``): each statistic against numbers worked out by hand, the
active-span calendar, and the properties that matter — aggregating records then scoring equals
scoring the indicators computed by hand; permuting the records changes nothing; splitting a
records file in two and concatenating the parts gives the same indicators."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises import Collection, Measure, RecordSource

MEASURES = (
    Measure(code="trainees", statistic="count_distinct", column="person"),
    Measure(code="records", statistic="count"),
    Measure(code="hours", statistic="sum", column="hours", unit="hour"),
    Measure(code="mean_hours", statistic="mean", column="hours", unit="hour"),
    Measure(code="median_hours", statistic="median", column="hours", unit="hour"),
    Measure(code="to_work", statistic="count", filter='status == "work"'),
    Measure(code="work_share", statistic="share", condition='status == "work"', filter='status != ""'),
    Measure(code="top2", statistic="top_box", column="likert", top=("4", "5"), scale=("1", "2", "3", "4", "5")),
)
SPEC = Collection(sources=(RecordSource(name="register", organisation="centre", period="year"),), measures=MEASURES)
RECORDS = {
    "centre": ["a", "a", "a", "b", "b", "a", "a"],
    "year": ["2023", "2023", "2023", "2023", "2024", "2024", "2023"],
    "person": ["p1", "p2", "p1", "p3", "p3", "p4", "p5"],
    "hours": [10.0, 20.0, 30.0, 5.0, np.nan, 8.0, 41.0],
    "status": ["work", "training", "work", "", "work", "dropout", "dropout"],
    "likert": ["5", "4", "2", "3", "", "1", "4"],
}


def _by_row(dataset: vises.Dataset, code: str) -> dict[tuple[str, str], float]:
    values = dataset.columns[code].values
    return {(str(o), str(p)): float(v) for o, p, v in zip(dataset.organisations, dataset.periods, values, strict=True)}


def _n(dataset: vises.Dataset, code: str) -> dict[tuple[str, str], float]:
    n = dataset.evidence[code].n
    assert n is not None
    return {(str(o), str(p)): float(v) for o, p, v in zip(dataset.organisations, dataset.periods, n, strict=True)}


@pytest.fixture(scope="module")
def collected() -> vises.Dataset:
    return vises.collect(SPEC, RECORDS)


def test_one_row_per_organisation_and_period_with_records(collected: vises.Dataset) -> None:
    assert sorted(zip(collected.organisations.tolist(), collected.periods.tolist(), strict=True)) == [
        ("a", "2023"),
        ("a", "2024"),
        ("b", "2023"),
        ("b", "2024"),
    ]


def test_count_and_count_distinct(collected: vises.Dataset) -> None:
    # a/2023 has four records of three people (p1 twice).
    assert _by_row(collected, "records") == {("a", "2023"): 4, ("a", "2024"): 1, ("b", "2023"): 1, ("b", "2024"): 1}
    assert _by_row(collected, "trainees")[("a", "2023")] == 3
    assert _by_row(collected, "to_work") == {("a", "2023"): 2, ("a", "2024"): 0, ("b", "2023"): 0, ("b", "2024"): 1}


def test_sum_mean_median_and_their_n(collected: vises.Dataset) -> None:
    hours = _by_row(collected, "hours")
    assert hours[("a", "2023")] == 10 + 20 + 30 + 41
    assert np.isnan(hours[("b", "2024")])  # its one record gives no hours: no value, not 0
    assert _n(collected, "hours")[("b", "2024")] == 0
    assert _by_row(collected, "mean_hours")[("a", "2023")] == pytest.approx(101 / 4)
    # Sample standard deviation of 10, 20, 30, 41 (mean 25.25): sqrt(((15.25)²+(5.25)²+(4.75)²+(15.75)²)/3).
    sd = collected.evidence["mean_hours"].sd
    pairs = list(zip(collected.organisations.tolist(), collected.periods.tolist(), strict=True))
    row = pairs.index(("a", "2023"))
    assert sd is not None and sd[row] == pytest.approx(np.sqrt((15.25**2 + 5.25**2 + 4.75**2 + 15.75**2) / 3))
    assert _by_row(collected, "median_hours")[("a", "2023")] == 25.0  # middle of 10, 20, 30, 41
    assert _by_row(collected, "median_hours")[("a", "2024")] == 8.0
    assert collected.columns["hours"].unit == "hour"


def test_share_and_top_box_keep_their_n(collected: vises.Dataset) -> None:
    share = _by_row(collected, "work_share")
    # a/2023: work, training, work, dropout → 2 of 4; b/2023: its only status is empty, filtered out.
    assert share[("a", "2023")] == 50.0 and _n(collected, "work_share")[("a", "2023")] == 4
    assert np.isnan(share[("b", "2023")]) and _n(collected, "work_share")[("b", "2023")] == 0
    top = _by_row(collected, "top2")
    # a/2023 answers 5, 4, 2, 4 → 3 of 4 in the top two boxes.
    assert top[("a", "2023")] == 75.0 and _n(collected, "top2")[("a", "2023")] == 4
    assert top[("a", "2024")] == 0.0
    assert collected.evidence["top2"].statistic == "top_box"
    assert set(collected.evidence["top2"].source.tolist()) == {"records"}


def test_a_record_counts_in_every_year_it_was_active() -> None:
    spec = Collection(
        sources=(RecordSource(name="register", organisation="centre", start="entry", end="exit"),),
        measures=(
            Measure(code="active", statistic="count_distinct", column="person"),
            Measure(code="leavers", statistic="count", filter='exit != ""', date="exit"),
            Measure(code="exits_to_work", statistic="count", filter='status == "work"', date="exit"),
        ),
    )
    records = {
        "centre": ["a", "a", "a", "b"],
        "person": ["p1", "p2", "p3", "p4"],
        "entry": ["2022-11-01", "2023-03-01", "2023-06-15", "2024-01-10"],
        "exit": ["2024-02-01", "2023-09-30", "", "2024-05-01"],
        "status": ["work", "dropout", "", "work"],
    }
    data = vises.collect(spec, records)
    # p1 is active 2022–2024; p2 in 2023; p3, still active, from 2023 to the source's latest date (2024).
    assert _by_row(data, "active") == {("a", "2022"): 1, ("a", "2023"): 3, ("a", "2024"): 2, ("b", "2024"): 1}
    # An exit counts once, in the year it happened.
    assert _by_row(data, "leavers") == {("a", "2022"): 0, ("a", "2023"): 1, ("a", "2024"): 1, ("b", "2024"): 1}
    assert _by_row(data, "exits_to_work")[("a", "2024")] == 1


# -- properties ----------------------------------------------------------------------------------

GRID = """
code = "from_records"
version = "1"
languages = ["en"]
label = { en = "From records" }

[[nodes]]
code = "root"
label = { en = "Root" }

[[indicators]]
code = "leavers"
parent = "root"
kind = "quantity"
unit = "person"
minimum = 0
context = true
label = { en = "Leavers" }

[[indicators]]
code = "exits_to_work"
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
numerator = "exits_to_work"
denominator = "leavers"
unit = "percent"
direction = "higher"
label = { en = "Exit rate" }

[[indicators]]
code = "hours"
parent = "root"
kind = "quantity"
unit = "hour"
direction = "higher"
label = { en = "Mean hours followed" }

[[indicators]]
code = "satisfied"
parent = "root"
kind = "quantity"
unit = "percent"
direction = "higher"
label = { en = "Satisfied (top-2 box)" }

[[collection.sources]]
name = "register"
organisation = "centre"
period = "year"

[[collection.measures]]
code = "leavers"
statistic = "count"
unit = "person"

[[collection.measures]]
code = "exits_to_work"
statistic = "count"
filter = 'status == "work"'
unit = "person"

[[collection.measures]]
code = "hours"
statistic = "mean"
column = "hours"
unit = "hour"

[[collection.measures]]
code = "satisfied"
statistic = "top_box"
column = "likert"
top = ["4", "5"]
scale = ["1", "2", "3", "4", "5"]
"""

record_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["2022", "2023"]),
        st.sampled_from(["work", "training", "dropout"]),
        st.one_of(st.none(), st.integers(min_value=0, max_value=400).map(float)),
        st.sampled_from(["1", "2", "3", "4", "5", ""]),
    ),
    min_size=1,
    max_size=40,
)


def _table(rows: list[tuple[str, str, str, float | None, str]]) -> dict[str, list[object]]:
    return {
        "centre": [r[0] for r in rows],
        "year": [r[1] for r in rows],
        "status": [r[2] for r in rows],
        "hours": [np.nan if r[3] is None else r[3] for r in rows],
        "likert": [r[4] for r in rows],
    }


def _hand(rows: list[tuple[str, str, str, float | None, str]]) -> dict[str, list[object]]:
    """The same indicators, computed the slow and obvious way."""
    keys = sorted({(r[0], r[1]) for r in rows})
    out: dict[str, list[object]] = {k: [] for k in ("organisation", "period", "leavers", "exits_to_work", "hours")}
    out["satisfied"] = []
    for org, period in keys:
        mine = [r for r in rows if (r[0], r[1]) == (org, period)]
        hours = [r[3] for r in mine if r[3] is not None]
        answers = [r[4] for r in mine if r[4]]
        out["organisation"].append(org)
        out["period"].append(period)
        out["leavers"].append(float(len(mine)))
        out["exits_to_work"].append(float(sum(r[2] == "work" for r in mine)))
        out["hours"].append(sum(hours) / len(hours) if hours else np.nan)
        out["satisfied"].append(100.0 * sum(a in ("4", "5") for a in answers) / len(answers) if answers else np.nan)
    return out


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> vises.Grid:
    path = tmp_path_factory.mktemp("grid") / "from_records.toml"
    path.write_text(GRID, encoding="utf-8")
    return vises.load_grid(path)


def _keyed(results: vises.Results, code: str) -> dict[tuple[str, str], float]:
    values = results.score(code) if code in results.codes else results.raw(code)
    return {(str(o), str(p)): float(v) for o, p, v in zip(results.organisations, results.periods, values, strict=True)}


def _same(left: dict[tuple[str, str], float], right: dict[tuple[str, str], float]) -> None:
    assert left.keys() == right.keys()
    for key, value in left.items():
        other = right[key]
        assert (np.isnan(value) and np.isnan(other)) or value == pytest.approx(other, rel=1e-12, abs=1e-12), key


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=record_rows)
def test_aggregating_then_scoring_equals_scoring_the_hand_computed_indicators(grid: vises.Grid, rows) -> None:
    collected = vises.collect(grid, _table(rows))
    by_hand = vises.load_data(_hand(rows), grid=grid)
    from_records, from_hand = vises.score(grid, collected), vises.score(grid, by_hand)
    for code in (*from_records.codes, "leavers", "exits_to_work"):
        _same(_keyed(from_records, code), _keyed(from_hand, code))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=record_rows, data=st.data())
def test_permuting_the_records_changes_nothing(grid: vises.Grid, rows, data) -> None:
    shuffled = data.draw(st.permutations(rows))
    first, second = vises.collect(grid, _table(rows)), vises.collect(grid, _table(list(shuffled)))
    for code in ("leavers", "exits_to_work", "hours", "satisfied"):
        _same(_by_row(first, code), _by_row(second, code))
        _same(_n(first, code), _n(second, code))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=record_rows, data=st.data())
def test_splitting_a_records_file_in_two_and_concatenating_gives_the_same_indicators(
    grid: vises.Grid, rows, data, tmp_path: Path
) -> None:
    """The register split in two files (some centres in each), each collected, the two datasets
    concatenated: the same indicators as the whole file collected at once."""
    first_part = data.draw(st.sets(st.sampled_from(["a", "b", "c"])))

    def write(path: Path, part: list) -> Path:
        lines = ["centre,year,status,hours,likert"]
        lines += [f"{r[0]},{r[1]},{r[2]},{'' if r[3] is None else r[3]},{r[4]}" for r in part]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    head = [r for r in rows if r[0] in first_part]
    tail = [r for r in rows if r[0] not in first_part]
    whole = vises.collect(grid, write(tmp_path / "whole.csv", rows))
    parts = [
        vises.collect(grid, write(tmp_path / f"{name}.csv", part)) for name, part in (("h", head), ("t", tail)) if part
    ]
    joined = parts[0] if len(parts) == 1 else vises.merge_data(*parts, grid=grid)
    for code in ("leavers", "exits_to_work", "hours", "satisfied"):
        _same(_by_row(whole, code), _by_row(joined, code))
        _same(_n(whole, code), _n(joined, code))


def test_collect_stays_the_function_once_its_package_is_loaded() -> None:
    """The package doing the work is ``vises.records``: importing it never replaces ``vises.collect``."""
    import vises.records

    assert callable(vises.collect)
    assert vises.collect(SPEC, RECORDS).columns.keys() == {m.code for m in MEASURES}
