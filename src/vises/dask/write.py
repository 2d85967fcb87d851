"""Writing ``DaskResults`` as a folder of Parquet files: one task per partition, the rows never on the client.

1. Each scored partition is written once to a work folder (``scores/``), by the worker that scored it.
2. For each ranked code, the present scores of each period are gathered from those files (two
   columns read) and sorted in a tree of tasks; each file's rows are ranked by binary search and
   the ranks saved beside it (4 bytes a row). Past ``VISES_DASK_MAX_GATHERED`` present scores the
   ranks come from dask's sort instead (``vises.dask.ranks``). One code at a time, so one code's
   sorted scores are in memory at once, not every code's.
3. Each file is joined with its ranks and the count of ranked rows of each period, and written to
   the output folder as the ``parquet`` report's columns.

Files are read and written with pyarrow directly: one partition is one file, whatever dask's
reader would combine, and only the period column is dictionary-encoded (dictionary pages for
float columns cost more time than they save).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vises.dask.client import compute

_ROW = "row"


def part_name(number: int) -> str:
    return f"part.{number:05d}.parquet"


def _write_table(arrays: Mapping[str, Any], file: Path, metadata: Mapping[bytes, bytes]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(dict(arrays))
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    dictionary = [name for name in ("period",) if name in table.column_names]
    pq.write_table(table, file, compression="zstd", use_dictionary=dictionary)


def _floats(values: Any) -> Any:
    import pyarrow as pa

    array = np.asarray(values, dtype=np.float64)
    return pa.array(array, mask=~np.isfinite(array), type=pa.float64())


def _score_arrays(
    row: Any, organisations: Any, periods: Any, columns: Sequence[tuple[str, np.ndarray]], with_row: bool
) -> dict[str, Any]:
    import pyarrow as pa

    arrays: dict[str, Any] = {_ROW: pa.array(np.asarray(row, dtype=np.int64))} if with_row else {}
    arrays["organisation"] = pa.array(organisations, type=pa.string(), from_pandas=True)
    arrays["period"] = pa.array(periods, type=pa.string(), from_pandas=True)
    for name, values in columns:
        arrays[name] = _floats(values)
    return arrays


def write_scores(part: Any, file: Path, metadata: Mapping[bytes, bytes] | None = None) -> int:
    """One scored partition of ``DaskResults.frame`` (indexed by row number) as a Parquet file, with
    a ``row`` column unless it is the output itself (``metadata`` given); returns its rows."""
    columns = [(name, part[name].to_numpy(dtype=np.float64, na_value=np.nan)) for name in part.columns[2:]]
    arrays = _score_arrays(part.index, part["organisation"], part["period"], columns, metadata is None)
    _write_table(arrays, file, metadata or {})
    return len(part)


def score_and_write(
    part: Any, ctx: Any, reference: Any, pooling: Any, start: int, file: Path, metadata: Mapping[bytes, bytes] | None
) -> int:
    """One input partition scored (``vises.dask.scoring.partition_results``) and written as
    ``write_scores`` writes it, straight from the engine's columns."""
    from vises.dask.scoring import partition_results

    results = partition_results(part, ctx, reference, pooling, start)
    if results is None:  # pragma: no cover - the scoring pass keeps the partitions holding rows
        return 0
    codes = results.codes
    columns = [(f"score.{code}", results.score(code)) for code in codes]
    columns += [(f"coverage.{code}", results.coverage(code)) for code in codes]
    row = np.arange(start, start + len(results), dtype=np.int64)
    # pyarrow converts a numpy array of Python strings far faster than a fixed-width unicode one
    organisations = np.asarray(results.organisations).astype(str, copy=False).astype(object)
    periods = np.asarray(results.periods).astype(str, copy=False).astype(object)
    _write_table(_score_arrays(row, organisations, periods, columns, metadata is None), file, metadata or {})
    return len(results)


def _written(source: Any, files: Sequence[Path], metadata: Mapping[bytes, bytes] | None) -> list[Any]:
    """The delayed writes of every partition of ``source`` (a ``ScoringPass`` or a scored frame)."""
    import dask

    from vises.dask.scoring import ScoringPass

    if isinstance(source, ScoringPass):
        parts = source.frame.to_delayed()
        ctx, reference = dask.delayed(source.ctx), dask.delayed(source.reference)  # shipped once, not per task
        return [
            dask.delayed(score_and_write)(part, ctx, reference, source.pooling, start, file, metadata)
            for part, start, file in zip(parts, source.starts, files, strict=True)
        ]
    return [
        dask.delayed(write_scores)(part, file, metadata) for part, file in zip(source.to_delayed(), files, strict=True)
    ]


def _column(file: Path, columns: list[str]) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(file, columns=columns)


def _period_and(file: Path, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One score column of a scores file (NaN where missing), each row's period code and the codes'
    labels (the column is read dictionary-encoded: no string per row)."""
    import pyarrow.parquet as pq

    # one dictionary for every row group, so the chunks concatenate
    table = pq.read_table(file, columns=["period", column], read_dictionary=["period"]).unify_dictionaries()
    values = np.asarray(table.column(column).to_numpy(zero_copy_only=False), dtype=np.float64)
    period = table.column("period").combine_chunks()
    labels = np.asarray([str(label) for label in period.dictionary.to_pylist()], dtype=object)
    return values, period.indices.to_numpy(zero_copy_only=False), labels


def _values_of(file: Path, column: str) -> dict[str, np.ndarray]:
    from vises.dask.ranks import values_by_period

    return values_by_period(*_period_and(file, column))


def _save_ranks(file: Path, column: str, ordered: dict[str, np.ndarray], out: Path) -> None:
    from vises.dask.ranks import searched

    values, codes, labels = _period_and(file, column)
    ranks = searched(values, codes, ordered, labels)
    np.save(out, np.nan_to_num(ranks, nan=0.0).astype(np.int32))


def _save_series(ranks: Any, out: Path) -> None:
    np.save(out, np.nan_to_num(ranks.to_numpy(dtype=np.float64, na_value=np.nan), nan=0.0).astype(np.int32))


def _sizes(ordered: dict[str, np.ndarray]) -> dict[str, int]:
    return {period: len(values) for period, values in ordered.items()}


def _counts_of(file: Path, column: str) -> dict[str, int]:
    return _sizes(_values_of(file, column))


def _merge_counts(*tables: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for table in tables:
        for period, count in table.items():
            out[period] = out.get(period, 0) + count
    return out


def _read_frame(file: Path, columns: list[str]) -> Any:
    return _column(file, [_ROW, *columns]).to_pandas().set_index(_ROW)


def rank_files(
    files: Sequence[Path], rows: Sequence[int], column: str, folder: Path
) -> tuple[list[Path], dict[str, int]]:
    """Rank ``column`` of every scores file within its period over all of them; save each file's
    ranks (int32, 0 = unranked) in ``folder``; return the files and the ranked rows per period."""
    import dask

    from vises.dask import ranks as ranking
    from vises.dask.stats import max_gathered

    folder.mkdir()
    outs = [folder / f"{Path(file).stem}.npy" for file in files]
    counts: dict[str, int] | None = None
    if sum(rows) > max_gathered():  # the bound may hold still when enough scores are missing
        (counts,) = compute(dask.delayed(_merge_counts)(*[dask.delayed(_counts_of)(f, column) for f in files]))
    if counts is None or sum(counts.values()) <= max_gathered():
        ordered = ranking.merged_tree([dask.delayed(_values_of)(file, column) for file in files])
        saved = [dask.delayed(_save_ranks)(file, column, ordered, out) for file, out in zip(files, outs, strict=True)]
        _, counts = compute(saved, dask.delayed(_sizes)(ordered))
        return outs, counts
    frame = _scores_frame(files, rows, column)
    series = ranking._shuffled_ranks(frame, column)
    compute([dask.delayed(_save_series)(piece, out) for piece, out in zip(series.to_delayed(), outs, strict=True)])
    return outs, counts


def _scores_frame(files: Sequence[Path], rows: Sequence[int], column: str) -> Any:
    """Period and ``column`` of the scores files as a dask DataFrame, one partition per file, indexed
    by row number with known divisions (the files hold consecutive rows)."""
    import dask
    import dask.dataframe as dd
    import pandas as pd

    starts = np.concatenate([[0], np.cumsum(rows)]).astype(int).tolist()
    divisions = (*starts[:-1], starts[-1] - 1)
    meta = pd.DataFrame(
        {"period": pd.Series([], dtype=object), column: np.empty(0)}, index=pd.Index([], dtype=np.int64, name=_ROW)
    )
    parts = [dask.delayed(_read_frame)(file, ["period", column]) for file in files]
    return dd.from_delayed(parts, meta=meta, divisions=divisions, verify_meta=False)


def write_final(
    file: Path,
    out: Path,
    codes: Sequence[str],
    ranked: Sequence[str],
    rank_outs: Mapping[str, Path],
    counts: Mapping[str, Mapping[str, int]],
    metadata: Mapping[bytes, bytes],
) -> None:
    """One scores file with its ranks and ranked counts, in the ``parquet`` report's columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(file, read_dictionary=["period"]).unify_dictionaries()
    period = table.column("period").combine_chunks()  # dictionary-encoded: labels and an index per row
    arrays: dict[str, Any] = {"organisation": table.column("organisation"), "period": period.cast(pa.string())}
    arrays.update({f"score.{code}": table.column(f"score.{code}") for code in codes})
    for code in ranked:
        ranks = np.load(rank_outs[code])
        if len(ranks) != table.num_rows:  # pragma: no cover - the files come from the same partitions
            raise AssertionError(f"{rank_outs[code]} holds {len(ranks)} ranks for {table.num_rows} rows")
        arrays[f"rank.{code}"] = pa.array(ranks, mask=ranks == 0, type=pa.int32())
    if ranked:
        labels = [str(label) for label in period.dictionary.to_pylist()]
        codes_of_rows = period.indices.to_numpy(zero_copy_only=False)
    for code in ranked:
        per = np.array([counts[code].get(label, 0) for label in labels], dtype=np.int32)
        arrays[f"ranked.{code}"] = pa.array(per[codes_of_rows], type=pa.int32())
    arrays.update({f"coverage.{code}": table.column(f"coverage.{code}") for code in codes})
    _write_table(arrays, out, metadata)


def write_results(
    source: Any,
    work: Path,
    codes: Sequence[str],
    ranked: Sequence[str],
    metadata: Mapping[bytes, bytes],
) -> Path:
    """Score ``source`` (a ``ScoringPass``, or the scored frame of persisted results) into
    ``work/scores``, rank, and write the output files into ``work/out``."""
    import dask

    scores, out = work / "scores", work / "out"
    out.mkdir()
    from vises.dask.scoring import ScoringPass

    count = source.frame.npartitions if isinstance(source, ScoringPass) else source.npartitions
    if not ranked:  # no ranks: the scored partitions are the output
        compute(_written(source, [out / part_name(i) for i in range(count)], metadata))
        return out
    scores.mkdir()
    files = [scores / part_name(i) for i in range(count)]
    (rows,) = compute(_written(source, files, None))
    rank_outs: dict[str, dict[int, Path]] = {}
    counts: dict[str, dict[str, int]] = {}
    for position, code in enumerate(ranked):
        outs, counts[code] = rank_files(files, rows, f"score.{code}", work / f"rank{position}")
        rank_outs[code] = dict(enumerate(outs))
    final = [
        dask.delayed(write_final)(
            file, out / file.name, codes, ranked, {code: rank_outs[code][i] for code in ranked}, counts, metadata
        )
        for i, file in enumerate(files)
    ]
    compute(final)
    return out


__all__ = ["part_name", "rank_files", "score_and_write", "write_final", "write_results", "write_scores"]
