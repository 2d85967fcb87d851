"""The Dask path on COINr's ASEM example and on a LocalCluster of worker processes: the in-memory numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")
pytest.importorskip("distributed")

from test_dask_score import assert_same, generated, grid_with, partitioned  # noqa: E402

import vises  # noqa: E402
import vises.dask  # noqa: E402
from vises import Method  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _asem() -> Path:
    for base in (ROOT / ".." / "shared", Path("/work/shared")):
        if (base / "datasets" / "asem" / "iData.csv").is_file():
            return (base / "datasets" / "asem").resolve()
    return ROOT / ".." / "shared" / "datasets" / "asem"


ASEM = _asem()
needs_asem = pytest.mark.skipif(
    not (ASEM / "iData.csv").is_file(),
    reason=f"COINr's ASEM example is not available at {ASEM} (it lives in the shared data folder, outside the repo)",
)


def asem_frame() -> tuple[vises.Grid, Any]:
    """ASEM's grid (iMeta) and its data as a wide DataFrame: unit code, year, indicators, the EurAsia group."""
    grid = vises.load_grid(ASEM / "iMeta.csv")
    dataset = vises.load_data(ASEM / "iData.csv", grid=grid)
    columns: dict[str, Any] = {
        "organisation": np.asarray(dataset.organisations).astype(str),
        "period": np.asarray(dataset.periods).astype(str),
        "family": np.asarray(dataset.attributes["EurAsia_group"]).astype(str),  # an attribute the frame reader knows
    }
    for code, column in dataset.columns.items():
        columns[code] = column.values
    return grid, pd.DataFrame(columns)


@needs_asem
@pytest.mark.parametrize("build", ["COINr defaults", "impute, winsorise", "two periods, per period"])
def test_asem_on_dask_equals_memory(build: str) -> None:
    grid, frame = asem_frame()
    if build != "COINr defaults":
        defaults = attrs.evolve(
            grid.defaults,
            imputation=Method(name="group_mean", params={"group": "family"}),
            treatment=Method(name="winsorise"),
        )
        grid = attrs.evolve(grid, defaults=defaults)
    if build == "two periods, per period":
        later = frame.assign(period="2019")
        numbers = later.columns[3:]
        later[numbers] = later[numbers] * np.linspace(0.9, 1.2, len(later))[:, None]
        frame = pd.concat([frame, later], ignore_index=True)
        grid = attrs.evolve(grid, defaults=attrs.evolve(grid.defaults, pooling="per_period"))
    memory = vises.score(grid, frame)
    cuts = [10, 23, 40] if len(frame) < 60 else [10, 40, 51, 77]
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, partitioned(frame, cuts, empty_at=2))
    assert_same(memory, on_dask, ranks=[grid.root.code, "Conn", "Sust", "LPI"])


@pytest.fixture(scope="module")
def client() -> Any:
    """One LocalCluster of two worker processes (one thread each) for the tests of this module."""
    with vises.dask.cluster(workers=2, threads=1) as started:
        yield started


@pytest.mark.slow
def test_local_cluster_of_two_worker_processes(client: Any) -> None:
    """Two worker processes of one thread: scores, coverage, ranks and fits are the in-memory ones."""
    frame = generated(n=1500)
    grid = grid_with(
        imputation=Method(name="group_median", params={"group": "family"}),
        treatment=Method(name="winsorise"),
        normaliser=Method(name="zscore"),
        pooling="per_period",
    )
    memory = vises.score(grid, frame)
    assert len(client.scheduler_info()["workers"]) == 2
    on_dask = vises.dask.score(grid, partitioned(frame, [200, 480, 900, 1200], empty_at=3))
    assert_same(memory, on_dask, ranks=["index", "economic", "paid"])


@needs_asem
@pytest.mark.slow
def test_asem_sensitivity_runs_as_tasks_on_worker_processes(client: Any) -> None:
    """ASEM's weight sensitivity, runs scattered to two worker processes: the in-memory result, same seed."""
    from test_dask_sensitivity import assert_same_sensitivity

    from vises.analysis import weight_sensitivity

    grid, frame = asem_frame()
    options: dict[str, Any] = {
        "runs": 120,
        "spread": 0.5,
        "seed": 5,
        "methods": {"aggregator": ["arithmetic", "median"]},
    }
    memory = weight_sensitivity(grid, frame, **options)
    from distributed import get_task_stream

    with get_task_stream(client) as stream:
        on_dask = weight_sensitivity(grid, frame, runner=vises.dask.distribute_runs, **options)
    batches = [task for task in stream.data if "_batch" in str(task["key"])]
    assert len(batches) == 8, "four batches per worker thread"
    assert_same_sensitivity(memory, on_dask)


@pytest.mark.federation  # the example CISP network
@pytest.mark.slow
def test_cli_scores_on_a_running_scheduler(client: Any, tmp_path: Path) -> None:
    """``vises score --engine dask --scheduler ADDRESS`` through the real entry point, on this module's cluster."""
    import subprocess
    import sys

    example = ROOT / "examples" / "data" / "wallonie_cisp.csv"
    folder = tmp_path / "network"
    folder.mkdir()
    lines = example.read_text(encoding="utf-8").splitlines()
    for i, chunk in enumerate([lines[1:50], lines[50:]]):
        (folder / f"part{i}.csv").write_text("\n".join([lines[0], *chunk]) + "\n", encoding="utf-8")
    out = tmp_path / "scores"
    address = client.scheduler.address
    command = [sys.executable, "-m", "vises", "score", str(folder), "-g", "wallonie.cisp", "--engine", "dask"]
    done = subprocess.run(
        [*command, "--scheduler", address, "-o", str(out)], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert f"on {address}" in done.stderr
    grid = vises.load_grid("wallonie.cisp")
    memory = vises.score(grid, example)
    written = pd.read_parquet(out).sort_values(["period", "organisation"], kind="stable").reset_index(drop=True)
    order = np.lexsort((memory.organisations, memory.period_codes))
    for code in (grid.root.code, *memory.compiled.node_index):
        assert np.allclose(written[f"score.{code}"], memory.score(code)[order], rtol=0, atol=1e-12, equal_nan=True)
        assert np.array_equal(written[f"rank.{code}"].astype("float64"), memory.ranks(code)[order], equal_nan=True)
    unreachable = subprocess.run(
        [*command, "--scheduler", "tcp://127.0.0.1:9", "-o", str(tmp_path / "never")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert unreachable.returncode == 2
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr and not (tmp_path / "never").exists()
