"""``vises score --engine dask``: score a folder of Parquet/CSV files on Dask into a folder of Parquet files;
``vises collect --engine dask``: records (files or folders) collected on Dask into one data file.

The options that shape a report on screen (``--view``, ``--org``, ``--period``, ``--width``,
``--indent``, ``--spec``, a format other than parquet) have no meaning for a Parquet folder of every
row; given with ``--engine dask`` they are refused by name rather than ignored.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from vises.errors import ConfigError, OutputError, ReportError


def refuse_memory_folder(data: Path) -> None:
    """A folder is data for the Dask engine only."""
    if data.is_dir():
        raise ConfigError(
            "the data is a folder: reading a folder of Parquet/CSV files needs the Dask engine",
            file=str(data),
            hint="add --engine dask -o results/ (pip install 'vises[dask]'), or give one data file",
        )


def score_on_dask(
    data: Path,
    *,
    grid_name: str,
    weighting: str | None,
    output: Path | None,
    format_name: str | None,
    scheduler: str | None,
    force: bool,
    refused: Mapping[str, Any],
) -> None:
    """Fit on merged statistics and score every partition; write scores, ranks and coverage as Parquet."""
    given = [option for option, value in refused.items() if value not in (None, False, "network")]
    if given:
        raise ConfigError(
            f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to --engine dask, which writes every "
            "row to a folder of Parquet files",
            hint="leave them out, or score in memory (without --engine dask)",
        )
    if format_name not in (None, "parquet"):
        raise ReportError(
            f"--engine dask writes the parquet format, not {format_name!r}",
            hint="leave --format out, or score in memory for other formats",
        )
    if output is None:
        raise ReportError("--engine dask writes a folder of Parquet files", hint="give the folder: -o results/")
    if output.suffix and output.suffix.lower() != ".parquet":
        raise ReportError(
            f"-o {output.name}: --engine dask writes a folder of Parquet files",
            hint="name a folder (results/ or results.parquet/)",
        )
    _refuse_inside(output, data)
    if output.exists() and not force:
        raise OutputError(
            "the output folder exists", file=str(output), hint="choose another folder, or add --force to replace it"
        )

    from vises.dask.client import require_dask

    require_dask("vises score --engine dask")
    import vises
    import vises.dask

    grid = vises.load_grid(grid_name, weighting=weighting)
    with vises.dask.progress_bars(sys.stderr.isatty()), vises.dask.cluster(scheduler) as client:
        where = scheduler or f"a local cluster of {len(client.scheduler_info()['workers'])} workers"
        click.echo(f"scoring {data} on {where}", err=True)
        results = vises.dask.score(grid, data)
        results.to_parquet(output, overwrite=force)
    click.echo(f"wrote {output} ({len(results)} rows, {len(results.period_values)} periods)", err=True)


def collect_on_dask(
    spec: str,
    tables: Mapping[str, Path] | Path | None,
    *,
    grid_name: str | None,
    into: Path | None,
    scheduler: str | None,
) -> Any:
    """``vises collect --engine dask``: the records read and collected on Dask; the ``Dataset`` of memory."""
    from vises.dask.client import require_dask

    require_dask("vises collect --engine dask")
    import vises.dask
    from vises.api import collect_inputs

    chosen, grid, base = collect_inputs(spec, grid_name, into)
    with vises.dask.progress_bars(sys.stderr.isatty()), vises.dask.cluster(scheduler) as client:
        where = scheduler or f"a local cluster of {len(client.scheduler_info()['workers'])} workers"
        click.echo(f"collecting the records on {where}", err=True)
        return vises.dask.collect(chosen, tables, grid=grid, into=base)


def _refuse_inside(output: Path, data: Path) -> None:
    """The output folder is neither the data nor a folder holding it or held in it."""
    out, source = output.resolve(), data.resolve()
    if out == source or source in out.parents or out in source.parents:
        raise OutputError(
            "the output folder would mix with the data", file=str(output), hint="write the results to another folder"
        )


__all__ = ["collect_on_dask", "refuse_memory_folder", "score_on_dask"]
