"""The data commands: check a dataset against a grid, score it and write a report."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vises.cli.common import (
    DATA,
    check_written,
    columns_options,
    force_option,
    grid_option,
    lang_option,
    note_ignored,
    output_option,
    progress,
    refuse_overwriting_input,
    report_format_for,
)
from vises.errors import ConfigError, ReportError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from vises.model import Grid


@click.command()
@click.argument("data", type=DATA, required=False)
@grid_option()
@click.option(
    "--iris-codes",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Check the grid's IRIS+ ids against this code list (IrisMetric53.ttl, a CSV with an ID column, "
    "or one id a line); default: the VISES_IRIS_CODES file, if set.",
)
@columns_options
def validate(
    data: Path | None, grid_name: str, iris_codes: Path | None, attributes: tuple[str, ...], ignore: tuple[str, ...]
) -> None:
    """Check a dataset against a grid and report every problem at once (exit 1 if invalid).

    Without DATA, only the grid is checked (its structure, methods, codes and IRIS+ ids).
    """
    import vises
    from vises.errors import GridValidationError

    grid = vises.load_grid(grid_name, validate=False)
    file = _grid_file(grid_name)
    grid_problems = vises.validate_grid(grid, file=file, iris_codes=iris_codes)
    if grid_problems:
        raise GridValidationError(grid_problems, what=f"grid {grid.code!r}" + (f" ({file})" if file else ""))
    if data is None:
        if attributes or ignore:
            raise ConfigError("--attribute and --ignore choose columns of DATA", hint="give the data file too")
        counted = f"{len(grid.indicators)} indicators"
        click.echo(f"grid {grid.code!r}: {counted}" + (", IRIS+ ids checked" if iris_codes else "") + ": valid.")
        return
    import numpy as np

    from vises.engine.score import emit_warnings
    from vises.validation.dataset import check_dataset

    # Cell problems are kept with the dataset, so validation lists them with its own: one pass
    # (the checks vises.validate_data runs, kept here for the derived indicators' values).
    dataset = vises.load_data(data, grid=grid, keep_problems=True, attributes=attributes, ignore=ignore)
    note_ignored(dataset)
    checked = check_dataset(grid, dataset, file=dataset.source)
    emit_warnings(checked.warnings)
    if checked.problems:
        raise ValidationError(checked.problems, what=str(data))
    columns = [dataset.columns[ind.code] for ind in grid.scored_indicators if ind.code in dataset.columns]
    present = len(columns)
    filled = sum(int((~column.missing()).sum()) for column in columns)
    not_applicable = sum(int(column.not_applicable.sum()) for column in columns if column.not_applicable is not None)
    # A derived indicator has no column: it is there when its inputs give it a value (or an n/a).
    for ind in grid.scored_indicators:
        if ind.derived and ind.code in checked.raws:
            given = ~np.isnan(checked.raws[ind.code])
            na = checked.not_applicable.get(ind.code, np.zeros(len(dataset), bool))
            if given.any() or na.any():
                present += 1
                filled += int(given.sum())
                not_applicable += int(na.sum())
    cells = len(dataset) * present
    if cells and filled == 0:
        # Valid but empty (a template not filled in yet): say so, since scoring it gives no score.
        click.echo(f"Warning: {data}: no value is filled in yet; every score would be missing.", err=True)
    click.echo(
        f"{data}: {len(dataset)} rows, {len(set(map(str, dataset.organisations)))} organisations, "
        f"{len(dataset.period_values)} periods, {present} of {len(grid.scored_indicators)} scored indicators "
        f"of grid {grid.code!r}; {filled} of {cells} values given"
        + (f", {not_applicable} not applicable" if not_applicable else "")
        + ": ready to score."
    )


def _reference(grid: Grid, reference: Path | None, attributes: tuple[str, ...], ignore: tuple[str, ...]) -> Any:
    """What ``--reference`` names: a round file (``.json``), read back; else a data file, scored on the
    same grid with the same declared columns, so its fitted parameters fit DATA's."""
    import vises

    if reference is None:
        return None
    if reference.suffix.lower() == ".json":
        return vises.load_round(reference)
    return vises.score(grid, reference, attributes=attributes, ignore=ignore)


def _grid_file(grid_name: str) -> str | None:
    """The grid's file, named in its problems (``None`` for a registered grid)."""
    return grid_name if Path(grid_name).is_file() else None


@click.command()
@click.argument("data", type=click.Path(exists=True, path_type=Path))
@grid_option()
@click.option(
    "-f",
    "--format",
    "format_name",
    help="Report format: table (the default on a terminal), markdown, csv, json, html, xlsx, parquet, or a "
    "plugin's ('vises methods' lists them). Default: from the -o file's suffix, else table.",
)
@output_option(help="Write to this file (atomically) instead of stdout; with --engine dask, a folder.", folder=True)
@lang_option(help="Language of the report (default: the grid's first language).")
@click.option(
    "--view",
    type=click.Choice(("network", "profile")),
    default="network",
    show_default=True,
    help="network: every organisation; profile: one organisation's page.",
)
@click.option("--org", "organisation", help="The organisation to report on (profile view).")
@click.option("--period", help="Only this period.")
@click.option(
    "--weighting",
    help="A registered weighting of the grid (e.g. wallonie.resultats_d_abord; 'vises plugins --all' lists them) "
    "or a weighting file.",
)
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A build spec: COINr's steps (denominate, impute, screen, treat, normalise, aggregate); see docs/coinr.md.",
)
@click.option(
    "--indent",
    type=click.IntRange(0, 10),
    help="Indent JSON by this many spaces (json format; compact, one record per line, without it).",
)
@click.option(
    "--width",
    type=click.IntRange(0, 10_000),
    help="Fit the table format to this many characters (default: the terminal's width on screen, "
    "no limit in a file; 0: no limit).",
)
@click.option(
    "--reference",
    "reference",
    type=DATA,
    help="Score on another scale instead of fitting anew: a round file (vises round's private/round-<name>.json), "
    "or a data file (the network's, say) scored on the same grid, whose fitted normalisation, imputation and "
    "treatment are reused.",
)
@click.option(
    "--no-ranks",
    is_flag=True,
    help="Leave ranks out of the report (every format): for a network that does not rank its members, "
    "or a data tool that does not need them.",
)
@click.option(
    "--no-coverage",
    is_flag=True,
    help="Leave the coverage columns out of a Parquet report (with --no-ranks: the scores alone).",
)
@columns_options
@click.option(
    "--engine",
    type=click.Choice(("memory", "dask")),
    default="memory",
    show_default=True,
    help="dask: score a folder of Parquet/CSV files on Dask into a folder of Parquet files (-o); see docs/dask.md.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="The Dask scheduler to run on (tcp://host:8786); default: a local cluster, one worker per core.",
)
@force_option
def score(
    data: Path,
    grid_name: str,
    format_name: str | None,
    output: Path | None,
    lang: str | None,
    view: str,
    organisation: str | None,
    period: str | None,
    weighting: str | None,
    indent: int | None,
    spec_file: Path | None,
    width: int | None,
    reference: Path | None,
    no_ranks: bool,
    no_coverage: bool,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    engine: str,
    scheduler: str | None,
    force: bool,
) -> None:
    """Score a dataset on a grid and write a report (on a saved round's scale with --reference)."""
    from vises.cli.dask_engine import refuse_memory_folder, score_on_dask

    if engine == "dask":
        refused: dict[str, object] = {
            "--lang": lang,
            "--view": view,
            "--org": organisation,
            "--period": period,
            "--spec": spec_file,
        }
        refused |= {"--indent": indent, "--width": width, "--reference": reference, "--no-ranks": no_ranks or None}
        refused["--no-coverage"] = no_coverage or None
        refused |= {"--attribute": attributes or None, "--ignore": ignore or None}
        score_on_dask(
            data,
            grid_name=grid_name,
            weighting=weighting,
            output=output,
            format_name=format_name,
            scheduler=scheduler,
            force=force,
            refused=refused,
        )
        return
    if scheduler is not None:
        raise ReportError("--scheduler runs the Dask engine", hint="add --engine dask")
    refuse_memory_folder(data)
    import vises
    from vises.contract.records import ReportRequest
    from vises.io.overwrite import sidecar_of
    from vises.io.read_log import recording_reads
    from vises.neutralise import terminal_text

    if output is not None and output.is_dir():
        raise ReportError(
            f"-o {output}: is a folder; a report is written to a file",
            hint="name a file, e.g. -o report.html (a folder of Parquet files is what --engine dask writes)",
        )
    if output is not None:
        refuse_overwriting_input(output, data, grid_name, force=force)
        if reference is not None:
            check_written(output, [reference.resolve()], force=force)
    if reference is not None and spec_file is not None:
        raise ConfigError(
            "--reference and --spec do not go together", hint="a build spec fits its own scale; leave one out"
        )
    format_name, spec = report_format_for(format_name, output)
    if output is None and spec.binary:
        raise ReportError(
            f"the {format_name!r} format writes a binary file", hint=f"give an output file: -o report{spec.suffix}"
        )
    steps = ("reading the grid", "reading and scoring the data", "rendering the report")
    with recording_reads() as read, progress(steps) as advance:
        grid = vises.load_grid(grid_name, weighting=weighting)
        advance()
        if spec_file is None:
            results = vises.score(
                grid,
                data,
                attributes=attributes,
                ignore=ignore,
                reference=_reference(grid, reference, attributes, ignore),
            )
        else:  # a COINr build: the spec's steps, units screened out named on stderr (and in the provenance)
            from vises.analysis.coinr_build import build

            built = build(grid_name, data, spec=spec_file, weighting=weighting, attributes=attributes, ignore=ignore)
            results = built.results
            for note in built.notes:
                click.echo(f"Note: {note}", err=True)
        note_ignored(results.dataset)
        advance()
        options: dict[str, int | bool] = {} if indent is None else {"indent": indent}
        if no_ranks:
            from vises.report.views import FORMAT_OPTIONS

            # The csv format has no ranks to leave out; a plugin's format is asked, and refuses what it lacks.
            if "ranks" in FORMAT_OPTIONS.get(format_name, ("ranks",)):
                options["ranks"] = False
        if no_coverage:
            from vises.report.views import FORMAT_OPTIONS

            # Only Parquet writes coverage in columns of its own; elsewhere the flag would be ignored: refused.
            if "coverage" not in FORMAT_OPTIONS.get(format_name, ("coverage",)):
                raise ReportError(
                    f"--no-coverage applies to the parquet format, not {format_name!r}",
                    hint="leave --no-coverage out, or use --format parquet",
                )
            options["coverage"] = False
        if format_name == "table":
            if width is None and output is None:
                # On screen, the table fits the terminal (COLUMNS, else the terminal, else 80).
                width = shutil.get_terminal_size().columns
            if width:
                options["width"] = max(width, 20)
        elif width is not None:
            raise ReportError(
                f"--width applies to the table format, not {format_name!r}",
                hint="leave --width out, or use --format table",
            )
        request = ReportRequest(language=lang, view=view, organisation=organisation, period=period, options=options)
        from vises.io.atomic import write_bytes_atomic, write_chunks_atomic

        if output is not None:
            # Never over a file this command read (grid bases, evaluations included), nor another kind.
            check_written(output, read, force=force)
            if format_name == "csv":
                check_written(sidecar_of(output), read, writing="sidecar", force=force)
        if output is not None and spec.stream is not None:
            # A text format that streams is written piece by piece: memory bounded by a chunk.
            write_chunks_atomic(output, spec.stream(results, request))
            rendered: str | bytes | None = None
        else:
            rendered = spec.render(results, request)
        advance()
    if output is None:
        assert isinstance(rendered, str)
        # The terminal gets the text without control sequences a data file could carry.
        text = terminal_text(rendered)
        click.echo(text, nl=not text.endswith("\n"))
        return
    if isinstance(rendered, bytes):
        write_bytes_atomic(output, rendered)
    elif rendered is not None:
        write_chunks_atomic(output, [rendered])
    click.echo(f"wrote {output}", err=True)
    if format_name == "csv":
        # A CSV table has no place for metadata: its provenance goes beside it.
        import json

        from vises.report.views import provenance_record

        sidecar = sidecar_of(output)
        write_chunks_atomic(sidecar, [json.dumps(provenance_record(results), indent=2, ensure_ascii=False) + "\n"])
        click.echo(f"wrote {sidecar}", err=True)
