"""Folders of Parquet and CSV files on Dask, the Parquet output, and ``vises score --engine dask``."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

from test_dask_score import _close, assert_same, generated, grid_with  # noqa: E402

import vises  # noqa: E402
import vises.dask  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "data" / "wallonie_cisp.csv"


def _parts(frame: Any, cuts: list[int]) -> list[Any]:
    bounds = [0, *cuts, len(frame)]
    return [frame.iloc[a:b] for a, b in itertools.pairwise(bounds)]


@pytest.mark.federation  # the example CISP network
def test_parquet_folder_keeps_units_and_scores_as_one_file(tmp_path: Path) -> None:
    grid = vises.load_grid("wallonie.cisp")
    dataset = vises.load_data(EXAMPLE, grid=grid)
    import pyarrow.parquet as pq

    whole = vises.write_data(dataset, tmp_path / "whole.parquet")
    table = pq.read_table(whole)
    folder = tmp_path / "network"
    folder.mkdir()
    for i, (a, b) in enumerate([(0, 30), (30, 31), (31, table.num_rows)]):
        pq.write_table(table.slice(a, b - a), folder / f"part{i}.parquet")
    lacking = tmp_path / "lacking"
    lacking.mkdir()
    pq.write_table(table.slice(0, 10), lacking / "a.parquet")
    dropped = table.column_names[-1]
    pq.write_table(table.slice(10, 10).drop_columns([dropped]), lacking / "b.parquet")
    with pytest.raises(
        vises.DataValidationError,
        match=rf"b\.parquet.*columns differ from a\.parquet's \(missing {re.escape(dropped)}\)",
    ):
        vises.dask.read_folder(lacking)
    folder_read = vises.dask.read_folder(folder)
    assert folder_read.format == "parquet" and len(folder_read.files) == 3
    assert folder_read.units  # the plugin's units, from the fields' metadata
    memory = vises.score(grid, dataset)
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, folder)
    assert_same(memory, on_dask, ranks=[grid.root.code])


def test_csv_folder_with_a_units_row_and_decimal_commas(tmp_path: Path) -> None:
    frame = generated(n=300)
    grid = grid_with()
    folder = tmp_path / "csv"
    folder.mkdir()
    header = ";".join(frame.columns)
    units = ";".join(["unit", *("hour" if c == "hours" else "" for c in frame.columns[1:])])
    lines_all = []
    for i, part in enumerate(_parts(frame, [120, 200])):
        lines = [
            ";".join("" if pd.isna(v) else str(v).replace(".", ",") for v in row) for row in part.itertuples(False)
        ]
        lines_all += lines
        (folder / f"part{i}.csv").write_text("\n".join([header, units, *lines]) + "\n", encoding="utf-8")
    whole = tmp_path / "whole.csv"
    whole.write_text("\n".join([header, units, *lines_all]) + "\n", encoding="utf-8")
    read = vises.dask.read_folder(folder)
    assert read.decimal_comma and read.units == {"hours": "hour"}
    memory = vises.score(grid, whole)
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, read)
    assert_same(memory, on_dask, ranks=["index"])


def test_folders_that_break_the_pattern_are_named(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.csv").write_text("organisation,period,hours\na,2024,1\n", encoding="utf-8")
    (mixed / "b.csv").write_text("organisation,period,exits\na,2024,1\n", encoding="utf-8")
    with pytest.raises(vises.DataValidationError, match=r"b\.csv.*the header differs from a\.csv's"):
        vises.dask.read_folder(mixed)
    (mixed / "c.parquet").write_bytes(b"")
    with pytest.raises(vises.DataError, match="mixes Parquet and CSV"):
        vises.dask.read_folder(mixed)
    with pytest.raises(vises.DataError, match="no Parquet"):
        vises.dask.read_folder(_empty(tmp_path))
    with pytest.raises(vises.DataError, match="not found"):
        vises.dask.read_folder(tmp_path / "absent")


def _empty(tmp_path: Path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_to_parquet_writes_the_parquet_report_columns(tmp_path: Path) -> None:
    frame = generated(n=300)
    grid = grid_with()
    memory = vises.score(grid, frame)
    report = tmp_path / "memory.parquet"
    report.write_bytes(vises.render(memory, "parquet"))  # type: ignore[arg-type]
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, dd.from_pandas(frame, npartitions=4, sort=False))
        written = on_dask.to_parquet(tmp_path / "out", ranks="all")
        with pytest.raises(vises.OutputError, match="exists"):
            on_dask.to_parquet(written)
    ours = pd.read_parquet(written)
    theirs = pd.read_parquet(report)
    assert list(ours.columns) == list(theirs.columns)
    keys = ["period", "organisation"]
    ours = ours.sort_values(keys, kind="stable").reset_index(drop=True)
    theirs = theirs.sort_values(keys, kind="stable").reset_index(drop=True)
    assert ours["organisation"].tolist() == theirs["organisation"].tolist()
    for column in ours.columns[2:]:
        _close(ours[column].astype("float64"), theirs[column].astype("float64"), column)
    import pyarrow.parquet as pq

    metadata = pq.read_schema(next(written.glob("*.parquet"))).metadata
    assert b"vises.provenance" in metadata
    assert not list(tmp_path.glob(".out.vises-*")), "the work folder is removed"


@pytest.mark.parametrize("bound", [None, "40"], ids=["searched", "shuffled"])
def test_to_parquet_ranks_every_file_as_the_whole_table(
    bound: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Partitions cutting periods, an empty one, tied and missing scores: the written ranks and
    ranked counts are the memory report's, whether the scores are gathered or sorted by dask."""
    from test_dask_score import partitioned

    if bound is not None:
        monkeypatch.setenv("VISES_DASK_MAX_GATHERED", bound)
    frame = generated(n=400)
    frame.loc[frame.index[::5], "hours"] = frame["hours"].iloc[0]  # many equal scores
    frame.loc[frame.index[3::11], "hours"] = np.nan
    grid = grid_with()
    memory = vises.score(grid, frame)
    report = tmp_path / "memory.parquet"
    report.write_bytes(vises.render(memory, "parquet"))  # type: ignore[arg-type]
    with dask.config.set(scheduler="sync"):
        on_dask = vises.dask.score(grid, partitioned(frame, [90, 91, 250], empty_at=1))
        written = on_dask.to_parquet(tmp_path / "out", ranks="all")
        persisted = on_dask.persist().to_parquet(tmp_path / "persisted", ranks="all")
    assert len(list(written.glob("*.parquet"))) == 4, "one file per partition holding rows"
    assert pd.read_parquet(persisted).equals(pd.read_parquet(written)), "persisted results are written alike"
    keys = ["period", "organisation"]
    ours = pd.read_parquet(written).sort_values(keys, kind="stable").reset_index(drop=True)
    theirs = pd.read_parquet(report).sort_values(keys, kind="stable").reset_index(drop=True)
    assert list(ours.columns) == list(theirs.columns)
    assert list(ours.dtypes) == list(theirs.dtypes), "the memory report's column types"
    for column in ours.columns[2:]:
        if column.startswith(("rank.", "ranked.")):
            assert ours[column].astype("Int64").equals(theirs[column].astype("Int64")), column
        else:
            _close(ours[column].astype("float64"), theirs[column].astype("float64"), column)


def test_vises_score_dispatches_a_dask_frame() -> None:
    frame = generated(n=120)
    with dask.config.set(scheduler="sync"):
        results = vises.score(grid_with(), dd.from_pandas(frame, npartitions=2, sort=False))
    assert isinstance(results, vises.dask.DaskResults)
    _close(results.score("index").compute().sort_index(), vises.score(grid_with(), frame).score("index"), "index")


# -- the command line ----------------------------------------------------------------------------------------


@pytest.mark.federation  # the example CISP network
def test_cli_refuses_what_a_parquet_folder_cannot_hold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _empty(tmp_path)
    cases = [
        (["--period", "2019", "-o", str(tmp_path / "o")], "--period does not apply to --engine dask"),
        (["--format", "html", "-o", str(tmp_path / "o")], "writes the parquet format, not 'html'"),
        ([], "writes a folder of Parquet files"),
        (["-o", str(folder / "inside")], "would mix with the data"),
    ]
    for extra, message in cases:
        done = subprocess.run(
            [sys.executable, "-m", "vises", "score", str(folder), "-g", "wallonie.cisp", "--engine", "dask", *extra],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert message in done.stderr
        assert "Traceback" not in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "vises", "score", str(folder), "-g", "wallonie.cisp"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "needs the Dask engine" in done.stderr


@pytest.mark.federation  # the example CISP network
@pytest.mark.slow
def test_cli_scores_a_parquet_folder_on_a_local_cluster(tmp_path: Path) -> None:
    grid = vises.load_grid("wallonie.cisp")
    dataset = vises.load_data(EXAMPLE, grid=grid)
    folder = tmp_path / "network"
    folder.mkdir()
    vises.write_data(dataset, folder / "all.parquet")
    out = tmp_path / "scores"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vises",
            "score",
            str(folder),
            "-g",
            "wallonie.cisp",
            "--engine",
            "dask",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "on a local cluster of" in done.stderr and f"wrote {out}" in done.stderr
    assert "% Completed" not in done.stderr + done.stdout, "no progress bar off a terminal"
    written = pd.read_parquet(out).sort_values(["period", "organisation"], kind="stable").reset_index(drop=True)
    memory = vises.score(grid, dataset)
    order = np.lexsort((memory.organisations, memory.period_codes))
    for code in memory.codes:
        _close(written[f"score.{code}"], memory.score(code)[order], code)
        if code in memory.compiled.node_index:
            _close(written[f"rank.{code}"].astype("float64"), memory.ranks(code)[order], f"rank of {code}")


@pytest.mark.federation  # the example CISP network
@pytest.mark.slow
def test_cli_scores_a_csv_folder_with_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    """Three CSV files (one with its header only) through ``vises score --engine dask``, stderr a terminal."""
    import os
    import pty

    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    folder = tmp_path / "network"
    folder.mkdir()
    for i, chunk in enumerate([rows[:40], [], rows[40:]]):
        (folder / f"part{i}.csv").write_text("\n".join([header, *chunk]) + "\n", encoding="utf-8")
    out = tmp_path / "scores"
    command = [sys.executable, "-m", "vises", "score", str(folder), "-g", "wallonie.cisp", "--engine", "dask"]
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [*command, "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=follower,
            check=False,
            cwd=tmp_path,
            timeout=300,
        )
        os.close(follower)
        follower = -1
        terminal = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    shown = terminal.decode("utf-8", "replace")
    assert done.returncode == 0, shown
    assert "% Completed" in shown, "a progress bar on the terminal"
    assert done.stdout == b"", "the bar stays off stdout"
    assert f"wrote {out}" in shown
    grid = vises.load_grid("wallonie.cisp")
    memory = vises.score(grid, EXAMPLE)
    written = pd.read_parquet(out).sort_values(["period", "organisation"], kind="stable").reset_index(drop=True)
    order = np.lexsort((memory.organisations, memory.period_codes))
    assert written["organisation"].tolist() == np.asarray(memory.organisations)[order].tolist()
    for code in memory.codes:
        _close(written[f"score.{code}"], memory.score(code)[order], code)
        if code in memory.compiled.node_index:
            _close(written[f"rank.{code}"].astype("float64"), memory.ranks(code)[order], f"rank of {code}")


def test_a_saved_round_is_refused_as_a_reference_on_dask(tmp_path: Path) -> None:
    frame = generated(n=120)
    grid = grid_with()
    saved = vises.save_round(vises.score(grid, frame), tmp_path / "round.json")
    ddf = dd.from_pandas(frame, npartitions=2, sort=False)
    for reference in (saved, vises.load_round(saved)):
        with pytest.raises(vises.ConfigError, match="a saved round is not a reference on Dask yet"):
            vises.score(grid, ddf, reference=reference)


@pytest.mark.slow
def test_cli_force_replaces_an_existing_output_folder(network: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(network.data, data / "part.csv")
    out = tmp_path / "out"
    out.mkdir()
    command = [sys.executable, "-m", "vises", "score", str(data), "-g", str(network.grid), "--engine", "dask"]
    refused = subprocess.run([*command, "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "the output folder exists" in refused.stderr and "--force" in refused.stderr
    assert list(out.iterdir()) == []
    done = subprocess.run([*command, "-o", str(out), "--force"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(out)
    assert table.num_rows == 24 and "Traceback" not in done.stderr
