"""vises.dask.collect gives the Dataset of vises.collect: rows, values, n, sd, sources, problems, warnings.

Partitions are cut inside an organisation and inside a period, one is empty, open spans end at the
whole source's latest date whichever partition holds it, problems are numbered and listed as for
the whole table, and a LocalCluster of two worker processes gives the same answer.
"""

from __future__ import annotations

import importlib.util
import itertools
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

from test_dask_score import partitioned  # noqa: E402

import vises  # noqa: E402
import vises.dask  # noqa: E402
from vises import Collection, Measure, RecordSource  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-12

MEASURES = (
    Measure(code="trainees", statistic="count_distinct", column="person"),
    Measure(code="paths", statistic="count"),
    Measure(code="hours", statistic="sum", column="hours", unit="hour"),
    Measure(code="mean_hours", statistic="mean", column="hours", unit="hour"),
    Measure(code="median_hours", statistic="median", column="hours", unit="hour"),
    Measure(code="leavers", statistic="count", filter='status != ""', date="exit"),
    Measure(code="to_work", statistic="count", filter='status == "work"', date="exit"),
    Measure(code="work_share", statistic="share", condition='status == "work"', filter='status != ""'),
    Measure(code="top2", statistic="top_box", column="likert", top=("4", "5"), scale=("1", "2", "3", "4", "5")),
    Measure(code="young_hours", statistic="mean", column="hours", filter="age < 26", unit="hour"),
)
SPAN = Collection(
    sources=(RecordSource(name="register", organisation="centre", start="entry", end="exit", id="path"),),
    measures=MEASURES,
)
#: Twelve paths of three centres over 2021-2025: spans across years, open ends, a centre cut by the partitions.
REGISTER = pd.DataFrame(
    {
        "centre": ["a", "a", "b", "a", "c", "b", "a", "c", "b", "a", "c", "b"],
        "path": [f"k{i}" for i in range(12)],
        "person": ["p1", "p2", "p3", "p1", "p4", "p5", "p6", "p4", "p3", "p7", "p8", "p9"],
        "entry": [
            "2021-03-01",
            "2022-01-10",
            "2022-05-05",
            "2022-09-01",
            "2023-02-02",
            "2023-03-03",
            "2023-06-30",
            "2024-01-15",
            "2024-02-01",
            "2024-03-01",
            "2024-11-11",
            "2025-01-05",
        ],
        "exit": [
            "2022-02-01",
            None,
            "2023-01-31",
            "2023-08-31",
            None,
            "2023-12-01",
            "2024-06-30",
            "2024-12-20",
            None,
            "2025-06-30",
            None,
            "2025-02-01",
        ],
        "status": ["work", "", "dropout", "work", "", "training", "work", "work", "", "dropout", "", "work"],
        "hours": [120.0, 80.5, np.nan, 200.0, 33.25, 90.0, 10.0, 64.0, 45.5, np.nan, 12.0, 300.0],
        "likert": ["5", "4", "2", "", "3", "5", "9", "4", "1", "4", "", "5"],
        "age": [22.0, 31.0, 24.0, 22.0, 45.0, 19.0, 25.0, 46.0, 24.0, 29.0, 33.0, 20.0],
    }
)


def _close(a: Any, b: Any, what: str) -> None:
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, what
    assert np.array_equal(np.isnan(a), np.isnan(b)), f"{what}: missing rows differ: {a} vs {b}"
    both = ~np.isnan(a)
    if both.any():
        worst = float(np.max(np.abs(a[both] - b[both]) / np.maximum(1.0, np.abs(a[both]))))
        assert worst <= TOLERANCE, f"{what}: differs by {worst:g}: {a} vs {b}"


def assert_same(memory: vises.Dataset, on_dask: vises.Dataset) -> None:
    """The two datasets agree: rows, values and units, every evidence field, problems, source."""
    assert on_dask.organisations.tolist() == memory.organisations.tolist()
    assert on_dask.periods.tolist() == memory.periods.tolist()
    assert list(on_dask.columns) == list(memory.columns)
    for code, column in memory.columns.items():
        _close(on_dask.columns[code].values, column.values, f"values of {code}")
        assert on_dask.columns[code].unit == column.unit, code
    assert list(on_dask.evidence) == list(memory.evidence)
    for code, evidence in memory.evidence.items():
        other = on_dask.evidence[code]
        _close(other.n, evidence.n, f"n of {code}")
        assert (other.sd is None) == (evidence.sd is None), code
        if evidence.sd is not None:
            _close(other.sd, evidence.sd, f"sd of {code}")
        assert np.asarray(other.source).tolist() == np.asarray(evidence.source).tolist(), code
        assert (other.verified is None) == (evidence.verified is None), code
        if evidence.verified is not None:
            assert np.asarray(other.verified).tolist() == np.asarray(evidence.verified).tolist(), code
        assert other.statistic == evidence.statistic
    assert [str(p) for p in on_dask.read_problems] == [str(p) for p in memory.read_problems]
    assert on_dask.source == memory.source


def both(
    run: Callable[[], vises.Dataset], on_dask: Callable[[], vises.Dataset]
) -> tuple[Any, Any, list[str], list[str]]:
    """Each path's dataset and the text of the warnings it gave."""
    with warnings.catch_warnings(record=True) as memory_warnings:
        warnings.simplefilter("always")
        memory = run()
    with warnings.catch_warnings(record=True) as dask_warnings, dask.config.set(scheduler="sync"):
        warnings.simplefilter("always")
        result = on_dask()

    def texts(found: list[warnings.WarningMessage]) -> list[str]:
        return [str(w.message) for w in found if issubclass(w.category, vises.DataWarning)]

    return memory, result, texts(memory_warnings), texts(dask_warnings)


@pytest.mark.parametrize(
    ("cuts", "empty_at"),
    [
        ([], None),  # one partition
        ([3, 7], 1),  # centre a and 2022-2024 cut three ways, an empty partition
        ([1, 2, 5, 6, 9, 11], 0),  # almost a record per partition, the empty one first
        ([11], 2),  # the empty partition last; the latest open span alone
    ],
)
def test_spans_across_partitions_equal_memory(cuts: list[int], empty_at: int | None) -> None:
    memory, on_dask, memory_warnings, dask_warnings = both(
        lambda: vises.collect(SPAN, REGISTER),
        lambda: vises.dask.collect(SPAN, partitioned(REGISTER, cuts, empty_at=empty_at)),
    )
    assert_same(memory, on_dask)
    assert dask_warnings == memory_warnings and memory_warnings  # the top-box answer 9 is off the scale


def test_open_spans_end_at_the_whole_sources_latest_date() -> None:
    """A record still active counts up to the latest date of the source, not of its partition."""
    spec = Collection(
        sources=(RecordSource(name="register", organisation="centre", start="entry", end="exit"),),
        measures=(Measure(code="active", statistic="count"),),
    )
    records = pd.DataFrame(
        {
            "centre": ["a", "b"],
            "entry": ["2020-05-01", "2021-01-01"],
            "exit": [None, "2024-03-01"],  # b's exit, in the other partition, is the latest date
        }
    )
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.collect(spec, partitioned(records, [1]))
    rows = {
        (o, p): v
        for o, p, v in zip(on_dask.organisations, on_dask.periods, on_dask.columns["active"].values, strict=True)
    }
    assert [p for o, p in rows if o == "a"] == ["2020", "2021", "2022", "2023", "2024"]
    assert_same(vises.collect(spec, records), on_dask)


def test_every_statistic_by_hand_on_dask() -> None:
    """A few values worked out by hand, so both paths are not merely equally wrong."""
    with dask.config.set(scheduler="sync"), warnings.catch_warnings():
        warnings.simplefilter("ignore", vises.DataWarning)
        data = vises.dask.collect(SPAN, partitioned(REGISTER, [3, 7], empty_at=1))
    row = {(str(o), str(p)): i for i, (o, p) in enumerate(zip(data.organisations, data.periods, strict=True))}
    a23 = row[("a", "2023")]
    # a in 2023: k1 (open, p2, 80.5 h), k3 (2022-09..2023-08, p1, 200 h), k6 (2023-06.., p6, 10 h).
    assert data.columns["paths"].values[a23] == 3
    assert data.columns["trainees"].values[a23] == 3
    assert data.columns["hours"].values[a23] == pytest.approx(290.5)
    assert data.columns["median_hours"].values[a23] == 80.5
    assert data.columns["mean_hours"].values[a23] == pytest.approx(290.5 / 3)
    sd = data.evidence["mean_hours"].sd
    assert sd is not None and sd[a23] == pytest.approx(np.std([80.5, 200.0, 10.0], ddof=1))
    # Exits are counted in the year of the exit: k3 (work) in 2023.
    assert data.columns["leavers"].values[a23] == 1 and data.columns["to_work"].values[a23] == 1
    # Under 26: k3 (22) and k6 (25): 105 hours on average.
    assert data.columns["young_hours"].values[a23] == pytest.approx(105.0)


SURVEY = pd.DataFrame(
    {
        "_submission_time": [
            "2023-02-17T10:00:00",
            "2023-07-05T09:30:00",
            "2024-11-12T14:00:00",
            "2023-09-20T11:00:00",
            "2024-01-02T08:00:00",
            "2024-03-03T08:00:00",
        ],
        "_uuid": ["u1", "u2", "u3", "u4", "u5", "u2"],  # u2 sent twice: the second is a problem
        "identification/centre": ["a", "a", "b", "b", "d", "a"],
        "feedback/satisfaction": ["5", "3", "4", "4", "2", "1"],
        "feedback/hours": ["1,5", "2", "x", "3", "", "4"],
    }
)
TWO_SOURCES = Collection(
    sources=(
        RecordSource(
            name="register", organisation="centre", start="entry", end="exit", periods=("2022", "2023", "2024")
        ),
        RecordSource(name="survey", format="kobo", organisation="centre", verified=True),
    ),
    measures=(
        Measure(code="paths", statistic="count", source="register"),
        Measure(code="trainees", statistic="count_distinct", column="person", source="register"),
        Measure(code="satisfied", statistic="top_box", column="satisfaction", top=("4", "5"), source="survey"),
        Measure(code="survey_hours", statistic="median", column="hours", source="survey"),
        Measure(code="answers", statistic="count", source="survey"),
    ),
)


@pytest.mark.filterwarnings("ignore::vises.errors.DataWarning")
def test_two_sources_ids_periods_and_problems_equal_memory() -> None:
    """Rows are the union of both sources'; the survey's repeated id and its cell that is no number
    are problems named as in memory; records outside the periods are counted in the same warning."""
    records = {"register": REGISTER, "survey": SURVEY}
    memory, on_dask, memory_warnings, dask_warnings = both(
        lambda: vises.collect(TWO_SOURCES, records, keep_problems=True),
        lambda: vises.dask.collect(
            TWO_SOURCES,
            {"register": partitioned(REGISTER, [4, 8]), "survey": partitioned(SURVEY, [2, 5], empty_at=1)},
            keep_problems=True,
        ),
    )
    assert_same(memory, on_dask)
    messages = [str(p) for p in memory.read_problems]
    assert any("already on an earlier record" in m and "row 6" in m for m in messages)  # u2 again, in another partition
    assert any("not a number" in m and "row 3" in m for m in messages)  # "x" (a frame's rows count from 1)
    assert dask_warnings == memory_warnings and any("outside the periods" in w for w in memory_warnings)
    with pytest.raises(vises.DataValidationError) as raised, dask.config.set(scheduler="sync"):
        vises.dask.collect(TWO_SOURCES, {"register": partitioned(REGISTER, [4]), "survey": partitioned(SURVEY, [3])})
    assert "already on an earlier record" in str(raised.value)


def test_many_bad_records_are_listed_as_for_the_whole_table() -> None:
    """More than twenty records without an organisation, in several partitions: the first twenty
    one by one, then one "N more" naming the next rows, as for the whole table."""
    n = 90
    records = pd.DataFrame(
        {
            "centre": [None if i % 3 == 0 else f"c{i % 4}" for i in range(n)],
            "year": [str(2020 + i % 3) if i % 7 else None for i in range(n)],
            "hours": [("oops" if i % 11 == 0 else str(i)) for i in range(n)],
        }
    )
    spec = Collection(
        sources=(RecordSource(name="table", organisation="centre", period="year"),),
        measures=(
            Measure(code="total", statistic="sum", column="hours"),
            Measure(code="middle", statistic="median", column="hours"),
        ),
    )
    memory, on_dask, _, _ = both(
        lambda: vises.collect(spec, records, keep_problems=True),
        lambda: vises.dask.collect(spec, partitioned(records, [5, 40, 41, 77], empty_at=3), keep_problems=True),
    )
    assert len(memory.read_problems) > 20
    assert_same(memory, on_dask)


rows_of = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 1500),  # entry, days after 2020-01-01
        st.one_of(st.none(), st.integers(0, 900)),  # days active, or still active
        st.sampled_from(["work", "", "dropout"]),
        st.one_of(st.just(np.nan), st.floats(0, 500, allow_nan=False).map(lambda x: round(x, 2))),
        st.sampled_from(["1", "2", "3", "4", "5", ""]),
        st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6"]),
    ),
    min_size=1,  # no record at all: an empty frame's columns have no type to tell texts from numbers
    max_size=40,
)


#: The same measures with a record's period from a year column, or from one date by quarter.
BY_YEAR = Collection(sources=(RecordSource(name="register", organisation="centre", period="year"),), measures=MEASURES)
BY_QUARTER = Collection(
    sources=(RecordSource(name="register", organisation="centre", date="entry", calendar="quarter"),),
    measures=MEASURES,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=rows_of,
    cuts=st.lists(st.integers(0, 40), max_size=4),
    empty=st.one_of(st.none(), st.integers(0, 5)),
    spec=st.sampled_from([SPAN, BY_YEAR, BY_QUARTER]),
)
def test_generated_records_equal_memory(
    rows: list[tuple[Any, ...]], cuts: list[int], empty: int | None, spec: Collection
) -> None:
    start = np.datetime64("2020-01-01")
    frame = pd.DataFrame(
        {
            "centre": [r[0] for r in rows],
            "path": [f"k{i}" for i in range(len(rows))],
            "entry": [str(start + r[1]) for r in rows],
            "year": [str(start + r[1])[:4] for r in rows],
            "exit": [None if r[2] is None else str(start + r[1] + r[2]) for r in rows],
            "status": [r[3] for r in rows],
            "hours": np.array([r[4] for r in rows], dtype=np.float64),
            "likert": [r[5] for r in rows],
            "person": [r[6] for r in rows],
            "age": np.array([20.0 + i % 15 for i in range(len(rows))]),
        }
    )
    positions = sorted({min(c, len(frame)) for c in cuts})
    parts = partitioned(frame, positions, empty_at=None if empty is None else min(empty, len(positions) + 1))
    memory, on_dask, memory_warnings, dask_warnings = both(
        lambda: vises.collect(spec, frame), lambda: vises.dask.collect(spec, parts)
    )
    assert_same(memory, on_dask)
    assert dask_warnings == memory_warnings


def test_vises_collect_hands_dask_frames_to_dask() -> None:
    with dask.config.set(scheduler="sync"), warnings.catch_warnings():
        warnings.simplefilter("ignore", vises.DataWarning)
        on_dask = vises.collect(SPAN, partitioned(REGISTER, [5]))
        memory = vises.collect(SPAN, REGISTER)
    assert_same(memory, on_dask)


def test_folders_of_parquet_and_csv_files(tmp_path: Path) -> None:
    """Records read from a folder (several files, read lazily): the values of the concatenated table."""
    pytest.importorskip("pyarrow")
    parquet, csv = tmp_path / "parquet", tmp_path / "csv"
    parquet.mkdir()
    csv.mkdir()
    typed = REGISTER.assign(entry=pd.to_datetime(REGISTER["entry"]), exit=pd.to_datetime(REGISTER["exit"]))
    for i, (a, b) in enumerate(itertools.pairwise([0, 5, 9, 12])):
        typed.iloc[a:b].to_parquet(parquet / f"part{i}.parquet", index=False)
        REGISTER.iloc[a:b].to_csv(csv / f"part{i}.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vises.DataWarning)
        memory = vises.collect(SPAN, REGISTER)
        with dask.config.set(scheduler="sync"):
            from_parquet = vises.dask.collect(SPAN, {"register": parquet})
            from_csv = vises.dask.collect(SPAN, csv, blocksize=200)  # several partitions per file
    for found in (from_parquet, from_csv):
        assert found.organisations.tolist() == memory.organisations.tolist()
        assert found.periods.tolist() == memory.periods.tolist()
        for code in memory.columns:
            _close(found.columns[code].values, memory.columns[code].values, code)
            _close(found.evidence[code].n, memory.evidence[code].n, code)


def test_a_single_csv_file_names_its_rows_as_in_memory(tmp_path: Path) -> None:
    file = tmp_path / "register.csv"
    bad = REGISTER.copy()
    bad.loc[[2, 9], "entry"] = "someday"
    bad.loc[10, "centre"] = None
    bad.to_csv(file, index=False)
    memory, on_dask, _, _ = both(
        lambda: vises.collect(SPAN, file, keep_problems=True),
        lambda: vises.dask.collect(SPAN, file, keep_problems=True, blocksize=300),
    )
    assert {p.row for p in memory.read_problems} == {4, 11, 12}
    assert_same(memory, on_dask)


def test_what_dask_cannot_read_is_refused_by_name(tmp_path: Path) -> None:
    book = tmp_path / "register.xlsx"
    book.write_bytes(b"not really")
    with pytest.raises(vises.DataError, match="xlsx workbook fits in memory"):
        vises.dask.collect(SPAN, book)
    with pytest.raises(vises.DataError, match="dask DataFrame or a Parquet/CSV"):
        vises.dask.collect(SPAN, [1, 2, 3])
    with pytest.raises(vises.DataValidationError, match="agee"):
        vises.dask.collect(
            Collection(sources=SPAN.sources, measures=(Measure(code="x", statistic="mean", column="agee"),)),
            partitioned(REGISTER, [3]),
        )


def _example_module() -> Any:
    spec = importlib.util.spec_from_file_location("records_example", ROOT / "examples" / "records" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.federation("wallonie")
def test_the_records_example_on_dask(tmp_path: Path) -> None:
    """The CISP example's register and survey export, read in small blocks: the in-memory indicators."""
    example = _example_module()
    register, survey = example.write_records(tmp_path, 12)
    grid = vises.load_grid(example.GRID)
    memory, on_dask, memory_warnings, dask_warnings = both(
        lambda: vises.collect(grid, {"register": register, "survey": survey}),
        lambda: vises.dask.collect(grid, {"register": register, "survey": survey}, blocksize=20_000),
    )
    assert_same(memory, on_dask)
    assert dask_warnings == memory_warnings


@pytest.fixture(scope="module")
def client() -> Any:
    """One LocalCluster of two worker processes (one thread each) for the tests of this module."""
    pytest.importorskip("distributed")
    with vises.dask.cluster(workers=2, threads=1) as running:
        yield running


@pytest.mark.filterwarnings("ignore::vises.errors.DataWarning")
def test_local_cluster_of_two_worker_processes(client: Any) -> None:
    assert len(client.scheduler_info()["workers"]) == 2
    records = {"register": REGISTER, "survey": SURVEY}
    memory = vises.collect(TWO_SOURCES, records, keep_problems=True)
    on_dask = vises.dask.collect(
        TWO_SOURCES,
        {"register": partitioned(REGISTER, [3, 7], empty_at=2), "survey": partitioned(SURVEY, [1, 4])},
        keep_problems=True,
    )
    assert_same(memory, on_dask)
    span_memory = vises.collect(SPAN, REGISTER)
    assert_same(span_memory, vises.dask.collect(SPAN, partitioned(REGISTER, [2, 6, 10], empty_at=0)))


SPEC_FILE = """
[[sources]]
name = "register"
organisation = "centre"
start = "entry"
end = "exit"

[[measures]]
code = "paths"
statistic = "count"
unit = "person"

[[measures]]
code = "median_hours"
statistic = "median"
column = "hours"
unit = "hour"
"""


@pytest.mark.slow
def test_cli_collects_a_folder_on_a_running_scheduler(client: Any, tmp_path: Path) -> None:
    """``vises collect --engine dask --scheduler ADDRESS`` through the real entry point: the data file of memory."""
    import subprocess
    import sys

    (tmp_path / "spec.toml").write_text(SPEC_FILE, encoding="utf-8")
    folder = tmp_path / "register"
    folder.mkdir()
    for i, (a, b) in enumerate(itertools.pairwise([0, 4, 9, 12])):
        REGISTER.iloc[a:b].to_csv(folder / f"part{i}.csv", index=False)
    REGISTER.to_csv(tmp_path / "register.csv", index=False)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "vises", "collect", "spec.toml", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
            cwd=tmp_path,
        )

    address = client.scheduler.address
    done = run("register=register", "--engine", "dask", "--scheduler", address, "-o", "on_dask.csv")
    assert done.returncode == 0, done.stderr
    assert f"on {address}" in done.stderr
    memory = run("register.csv", "-o", "memory.csv")
    assert memory.returncode == 0, memory.stderr
    assert (tmp_path / "on_dask.csv").read_text(encoding="utf-8") == (tmp_path / "memory.csv").read_text(
        encoding="utf-8"
    )
    refused = run("register", "-o", "never.csv")
    assert refused.returncode == 2 and "needs the Dask engine" in refused.stderr and "Traceback" not in refused.stderr
    scheduler_alone = run("register.csv", "--scheduler", address, "-o", "never.csv")
    assert scheduler_alone.returncode == 2 and "--engine dask" in scheduler_alone.stderr
    assert not (tmp_path / "never.csv").exists()
