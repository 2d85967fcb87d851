"""``vises collect``: from per-record tables (a register, a survey export) to a data file vises scores."""

from __future__ import annotations

from pathlib import Path

import click

from vises.cli.common import DATA, check_written, force_option, grid_option
from vises.errors import ConfigError


def _records(given: tuple[str, ...], *, folders: bool = False) -> dict[str, Path] | Path | None:
    """``NAME=FILE`` pairs (one per source), or one bare file for a spec with a single source
    (on Dask, a folder of Parquet/CSV files is a source's records too)."""
    if not given:
        return None
    named: dict[str, Path] = {}
    bare: list[Path] = []
    for item in given:
        name, sep, file = item.partition("=")
        if sep and name and not Path(item).exists():
            named[name] = Path(file)
        else:
            bare.append(Path(item))
    if bare and (named or len(bare) > 1):
        raise ConfigError(
            f"records {', '.join(map(str, bare))} name no source",
            hint="give each table as SOURCE=FILE (e.g. register=register.csv survey=survey.csv)",
        )
    for path in [*named.values(), *bare]:
        if path.is_dir() and not folders:
            raise ConfigError(
                f"records {str(path)!r} are a folder: reading a folder of Parquet/CSV files needs the Dask engine",
                file=str(path),
                hint="add --engine dask (pip install 'vises[dask]'), or give one records file",
            )
        if not path.is_file() and not path.is_dir():
            raise ConfigError(f"records file {str(path)!r} does not exist", file=str(path))
    return bare[0] if bare else named


@click.command()
@click.argument("spec")
@click.argument("records", nargs=-1)
@grid_option(
    required=False,
    help="The grid the values feed (a file or a registered name), when SPEC is a collection spec of its own.",
)
@click.option("--into", "into", type=DATA, help="A data file of reported values to join the collected ones into.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The data file to write (.csv, .xlsx, .parquet): one row per organisation and period, with .n/.source.",
)
@click.option(
    "--engine",
    type=click.Choice(("memory", "dask")),
    default="memory",
    show_default=True,
    help="dask: read each source's records (a file or a folder of Parquet/CSV files) on Dask; the data file "
    "written is the same. See docs/dask.md.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="The Dask scheduler to run on (tcp://host:8786); default: a local cluster, one worker per core.",
)
@force_option
def collect(
    spec: str,
    records: tuple[str, ...],
    grid_name: str | None,
    into: Path | None,
    output: Path,
    engine: str,
    scheduler: str | None,
    force: bool,
) -> None:
    """Turn per-record tables into one row per organisation and period, each value with its n and source.

    SPEC is a collection spec file, or a grid (file or registered name) holding one. RECORDS are the
    tables as SOURCE=FILE (CSV, xlsx, Parquet; a survey export as the tool wrote it), or one file
    when the spec has one source; without them, the files the spec names are read. With --engine
    dask a source's records may be a folder of Parquet/CSV files. See docs/records.md.
    """
    import vises

    if scheduler is not None and engine != "dask":
        raise ConfigError("--scheduler runs the Dask engine", hint="add --engine dask")
    tables = _records(records, folders=engine == "dask")
    read = [Path(p).resolve() for p in (spec, *(tables.values() if isinstance(tables, dict) else [tables or spec]))]
    read += [into.resolve()] if into is not None else []
    check_written(output, [p for p in read if p.exists()], writing="data", force=force)
    if engine == "dask":
        from vises.cli.dask_engine import collect_on_dask

        dataset = collect_on_dask(spec, tables, grid_name=grid_name, into=into, scheduler=scheduler)
    else:
        dataset = vises.collect(spec, tables, grid=grid_name, into=into)
    written = vises.write_data(dataset, output)
    evidence = ", ".join(sorted(dataset.evidence)) or "none"
    click.echo(
        f"{written}: {len(dataset)} rows ({len(set(map(str, dataset.organisations)))} organisations, "
        f"{len(dataset.period_values)} periods), {len(dataset.columns)} indicator columns; n and source for: {evidence}"
    )
