"""``vises round``: the federation's yearly round in one command (docs/round.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from vises.cli.common import force_option, grid_option, lang_option


class _Bar:
    """A progress bar on stderr when it is a terminal (one per phase: reading, then writing); silent when piped."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.total = -1
        self.done = 0
        self.live = sys.stderr.isatty()

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.live:
            return
        if total != self.total:
            self.close()
            self.bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            self.bar.__enter__()
            self.total, self.done = total, 0
        self.bar.label = label
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.total - self.done)
            self.bar.__exit__(None, None, None)
            self.bar = None


def _secret(secret_file: Path | None) -> bytes | None:
    from vises.io.pseudonyms import SECRET_ENVIRONMENT, check_secret, read_secret

    if secret_file is not None:
        return read_secret(secret_file)
    given = os.environ.get(SECRET_ENVIRONMENT)
    return None if given is None else check_secret(given, source=f"the environment variable {SECRET_ENVIRONMENT}")


@click.command(name="round")
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@grid_option()
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The round folder to write (it must not hold the submissions).",
)
@click.option(
    "--reference",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Last year's round file (private/round-<name>.json): score on its scale, so published scores stay.",
)
@click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file holding the federation's pseudonym secret (default: the VISES_PSEUDONYM_SECRET variable).",
)
@click.option(
    "--pseudonyms",
    "pseudonym_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The federation's pseudonym file (CSV organisation,pseudonym) instead of a secret.",
)
@lang_option(help="Language of the reports (default: the grid's first language).")
@click.option(
    "--profile-format",
    "profile_formats",
    multiple=True,
    default=("html",),
    show_default=True,
    help="Format of the profiles (repeat for several: --profile-format html --profile-format markdown); "
    "html, markdown, table, csv, json, xlsx or parquet.",
)
@click.option(
    "--network-format",
    "network_formats",
    multiple=True,
    default=("html",),
    show_default=True,
    help="Format of the public network view (repeat for several); the same formats as the profiles.",
)
@click.option(
    "--min-group",
    type=click.IntRange(1, 1000),
    default=3,
    show_default=True,
    help="Fewest organisations behind a published aggregate (k).",
)
@click.option(
    "--dominance",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.5,
    show_default=True,
    help="Largest share of a published total one organisation may hold.",
)
@click.option("--peer", "peer_groups", multiple=True, help="An attribute to group peers by (repeat; default: all).")
@click.option("--no-ranks", is_flag=True, help="Publish the network view without ranks.")
@click.option("--period", help="Only this period in the network view.")
@click.option("--name", help="The round's name (default: its latest period), in round-<name>.json.")
@force_option
def round_command(
    submissions: tuple[Path, ...],
    grid_name: str,
    output: Path,
    reference: Path | None,
    secret_file: Path | None,
    pseudonym_file: Path | None,
    lang: str | None,
    profile_formats: tuple[str, ...],
    network_formats: tuple[str, ...],
    min_group: int,
    dominance: float,
    peer_groups: tuple[str, ...],
    no_ranks: bool,
    period: str | None,
    name: str | None,
    force: bool,
) -> None:
    """Run a yearly round: merge, check and score the submissions, write the round folder.

    SUBMISSIONS are folders (or files) of filled templates, data files and their *.evaluations.toml.
    Every problem of every file is listed at once, and nothing is written then (exit 1).
    """
    from vises.errors import ConfigError
    from vises.neutralise import terminal_text
    from vises.round.run import run_round

    if secret_file is not None and pseudonym_file is not None:
        raise ConfigError(
            "give a secret or a pseudonym file, not both", hint="one way of making pseudonyms per federation"
        )
    bar = _Bar()
    try:
        report = run_round(
            list(submissions),
            grid=grid_name,
            output=output,
            reference=reference,
            secret=None if pseudonym_file is not None else _secret(secret_file),
            pseudonym_file=pseudonym_file,
            lang=lang,
            profile_formats=profile_formats,
            network_formats=network_formats,
            min_group=min_group,
            dominance=dominance,
            peer_groups=peer_groups or None,
            ranks=not no_ranks,
            period=period,
            name=name,
            force=force,
            progress=bar,
        )
    finally:
        bar.close()
    for note in report.warnings:
        click.echo(f"Warning: {terminal_text(note)}", err=True)
    results = report.results
    scale = (
        f"on the scale of round {report.reference.name or report.reference.path}"
        if report.reference
        else "on a scale fitted on this round's own data"
    )
    click.echo(
        f"round {terminal_text(str(output))}: {len(report.sources)} file(s), {report.organisations} organisations, "
        f"{len(results)} rows, periods {', '.join(results.period_values)}; scored {terminal_text(scale)}."
    )
    profiles = sum(1 for path in report.files if path.parts[0] == "profiles")
    click.echo(f"  network view: {', '.join(str(p) for p in report.files if p.name.startswith('network'))} (public)")
    click.echo(f"  profiles: {profiles} in profiles/ (each to its own centre)")
    click.echo("  private/: the staff workbook, the merged data, the results, the pseudonyms (keep them private)")
    click.echo(f"  keep {report.round_file} for next year's --reference")
