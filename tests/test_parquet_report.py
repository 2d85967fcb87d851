"""The Parquet report: typed columns equal to the results (ranks, the N ranked, coverage), the
``coverage`` option, and ``vises score --no-coverage`` through the real entry point."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_report_views import make_results

import vises
from vises.errors import ConfigError
from vises.report.views import rank_counts

pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def results():
    return make_results()


def _table(results, **options):
    return pq.read_table(io.BytesIO(vises.render(results, "parquet", options=options)))


def _rows(results, table) -> list[int]:
    keys = zip(table["organisation"].to_pylist(), table["period"].to_pylist(), strict=True)
    return [results.row(organisation, period) for organisation, period in keys]


def test_every_column_holds_the_results_in_its_type(results) -> None:
    table = _table(results)
    rows = _rows(results, table)
    assert sorted(rows) == list(range(len(results)))
    for code in results.codes:
        score, ranks, counts = results.score(code), results.ranks(code), rank_counts(results, code)
        coverage = results.coverage(code)
        assert table.schema.field(f"score.{code}").type == pa.float64()
        assert table.schema.field(f"rank.{code}").type == pa.int32()
        assert table.schema.field(f"ranked.{code}").type == pa.int32()
        assert table[f"score.{code}"].to_pylist() == [None if math.isnan(score[r]) else score[r] for r in rows]
        assert table[f"rank.{code}"].to_pylist() == [None if math.isnan(ranks[r]) else int(ranks[r]) for r in rows]
        assert table[f"ranked.{code}"].to_pylist() == [int(counts[r]) for r in rows]
        assert table[f"coverage.{code}"].to_pylist() == [None if math.isnan(coverage[r]) else coverage[r] for r in rows]
        assert table[f"score.{code}"].null_count == int(np.isnan(score).sum())


def test_coverage_and_ranks_can_be_left_out(results) -> None:
    names = _table(results).column_names
    assert names[:2] == ["organisation", "period"]
    scores_only = _table(results, ranks=False, coverage=False).column_names
    assert scores_only == ["organisation", "period", *(f"score.{code}" for code in results.codes)]
    without_coverage = _table(results, coverage=False).column_names
    assert without_coverage == [name for name in names if not name.startswith("coverage.")]
    with pytest.raises(ConfigError, match="coverage"):
        vises.render(results, "json", options={"coverage": False})
    with pytest.raises(ConfigError, match="coverage"):
        vises.render(results, "parquet", options={"coverage": "no"})


def _vises(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vises", *args], capture_output=True, text=True, timeout=120)


def test_cli_no_coverage(network, tmp_path: Path) -> None:
    base = ["score", str(network.data), "--grid", str(network.grid)]
    out = tmp_path / "scores.parquet"
    done = _vises(*base, "--no-coverage", "--no-ranks", "-o", str(out))
    assert done.returncode == 0, done.stderr
    columns = pq.read_table(out).column_names
    assert columns[:2] == ["organisation", "period"] and all(c.startswith("score.") for c in columns[2:])
    refused = _vises(*base, "--format", "csv", "--no-coverage")
    assert refused.returncode != 0 and "--no-coverage applies to the parquet format" in refused.stderr
    dask = _vises(*base, "--no-coverage", "--engine", "dask", "-o", str(tmp_path / "folder"))
    assert dask.returncode == 2 and "--no-coverage" in dask.stderr


def test_row_groups_hold_the_same_table(results, monkeypatch: pytest.MonkeyPatch) -> None:
    from vises.report import parquet_format

    whole = _table(results)
    monkeypatch.setattr(parquet_format, "ROW_GROUP_ROWS", 2)
    data = vises.render(results, "parquet")
    assert pq.ParquetFile(io.BytesIO(data)).num_row_groups == -(-len(results) // 2)
    split = pq.read_table(io.BytesIO(data))
    assert split.equals(whole) and split.schema.metadata[b"vises.provenance"]


@pytest.mark.parametrize("group_rows", [2, 131_072])
@pytest.mark.parametrize("options", [{}, {"ranks": False, "coverage": False}])
def test_the_streamed_file_is_the_rendered_file_byte_for_byte(
    results, monkeypatch: pytest.MonkeyPatch, group_rows: int, options: dict[str, bool]
) -> None:
    from vises.report import parquet_format

    monkeypatch.setattr(parquet_format, "ROW_GROUP_ROWS", group_rows)
    request = vises.ReportRequest(options=options)
    pieces = list(parquet_format.iter_parquet(results, request))
    assert all(isinstance(piece, bytes) for piece in pieces)
    if group_rows == 2:
        assert len(pieces) > -(-len(results) // 2)  # written as it goes, not in one block
    assert b"".join(pieces) == parquet_format.render_parquet(results, request)


def test_coverage_of_indicators_not_applicable_in_some_rows_matches_the_results() -> None:
    """The writer makes an indicator's coverage from its scores and N/A marks row group by row
    group; it must equal ``Results.coverage`` (NaN where N/A), on the example network with ``n/a``."""
    example = Path(__file__).resolve().parents[1] / "examples" / "data" / "wallonie_cisp.csv"
    results = vises.score("wallonie.cisp", example)
    marked = [code for code in results.codes if results.not_applicable(code).any()]
    assert marked, "the example data should hold n/a cells"
    table = _table(results)
    rows = _rows(results, table)
    for code in results.codes:
        coverage = results.coverage(code)
        assert table[f"coverage.{code}"].to_pylist() == [None if math.isnan(coverage[r]) else coverage[r] for r in rows]
    some = np.arange(0, len(results), 3)
    fresh = vises.score("wallonie.cisp", example)  # nothing cached yet: the indicators' rows made anew
    for code in fresh.codes:
        np.testing.assert_array_equal(fresh.coverage_of_rows(code, some), results.coverage(code)[some])
