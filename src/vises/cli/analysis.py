"""The analyst's commands: sensitivity (Monte Carlo, Sobol), stats, compare, weights, trends, strengths, plot.

Each command reads the data and the grid (``--spec`` applies a COINr build spec first, screening
included), calls one function of ``vises.analysis`` and prints its table (or its records as JSON);
the library itself knows nothing of the command line.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vises.cli.common import DATA, columns_options, echo_json, force_option, grid_option, lang_option, note_ignored
from vises.errors import ConfigError, VisesError

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results
    from vises.model import Dataset, Grid

#: The sections of ``vises stats``, in the order they print.
SECTIONS = ("indicators", "availability", "correlations", "consistency", "pca")
PLOTS = ("framework", "correlations", "scatter", "ranks", "sobol")

_grid = grid_option(help="A grid file (or COINr iMeta) or a registered grid.")
_spec = click.option(
    "--spec",
    "spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A build spec (COINr steps: denominate, impute, screen, treat, normalise, aggregate; docs/coinr.md).",
)
_format = click.option(
    "-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output."
)
_lang = lang_option(help="Language of the tables (default: the grid's first language).")
_code = click.option("--code", default=None, help="The node studied (default: the root).")


def _inputs(
    data: Path, grid_name: str, spec: Path | None, attributes: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
) -> tuple[Grid, Dataset]:
    """The grid and dataset to analyse: as given, or as a build spec makes them (units screened out)."""
    import vises

    if spec is None:
        grid = vises.load_grid(grid_name)
        dataset = vises.load_data(data, grid=grid, attributes=attributes, ignore=ignore)
        note_ignored(dataset)
        return grid, dataset
    from vises.analysis.coinr_build import build

    built = build(grid_name, data, spec=spec, attributes=attributes, ignore=ignore)
    for note in built.notes:
        click.echo(f"Note: {note}", err=True)
    note_ignored(built.results.dataset)
    return built.grid, built.results.dataset


def _results(
    data: Path, grid_name: str, spec: Path | None, attributes: tuple[str, ...] = (), ignore: tuple[str, ...] = ()
) -> Results:
    import vises

    grid, dataset = _inputs(data, grid_name, spec, attributes, ignore)
    return vises.score(grid, dataset)


def _check_output(output: Path, data: Path, grid_name: str, writing: str, force: bool) -> None:
    """Before any work: ``-o`` is neither the data nor the grid, nor a file of another kind (``--force``
    lifts it), as for ``vises score``."""
    from vises.cli.common import refuse_overwriting_input
    from vises.io.overwrite import check_output

    refuse_overwriting_input(output, data, grid_name, force=force)
    check_output(output, read=[], writing=writing, force=force)


def _default_lang(lang: str | None, grid: Grid) -> str:
    """The language asked for, else the grid's first language vises writes (as ``vises score``)."""
    from vises.engine.results import default_lang

    return lang or default_lang(grid)


def _show(result: Any, fmt: str, lang: str | None, payload: Any = None) -> None:
    if fmt == "json":
        echo_json(result.to_records() if payload is None else payload)
    else:
        click.echo(result.table(lang))


def _vary(items: tuple[str, ...], choices_file: Path | None) -> dict[str, Any]:
    """``--vary key=a,b`` (``winmax=1-5``, ``weights=0.25``) and a ``--choices`` file, as one mapping."""
    choices: dict[str, Any] = {}
    if choices_file is not None:
        from vises.io.coinr_spec import read_choices

        choices.update(read_choices(choices_file))
    for item in items:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key or not text:
            raise ConfigError(f"--vary expects KEY=VALUES, got {item!r}", hint="e.g. --vary normaliser=minmax,zscore")
        if key == "weights":
            try:
                choices[key] = float(text)
            except ValueError:
                raise ConfigError(f"--vary weights expects a spread, got {text!r}", hint="e.g. weights=0.25") from None
        elif key == "winmax":
            low, dash, high = text.partition("-")
            try:
                choices[key] = (
                    {"low": int(low), "high": int(high)} if dash else [int(v) for v in text.split(",") if v.strip()]
                )
            except ValueError:
                raise ConfigError(
                    f"--vary winmax expects whole numbers, got {text!r}", hint="e.g. 1-5 or 2,4"
                ) from None
        else:
            choices[key] = [v.strip() for v in text.split(",") if v.strip()]
    return choices


@click.command("sensitivity")
@click.argument("data", type=DATA)
@_grid
@_spec
@click.option("--method", type=click.Choice(["montecarlo", "sobol"]), default="montecarlo", show_default=True)
@click.option("--runs", type=int, default=None, help="Monte Carlo runs (default 200); Sobol: base sample N (512).")
@click.option("--spread", type=float, default=0.25, show_default=True, help="Monte Carlo: weights × U[1-s, 1+s].")
@click.option(
    "--vary",
    multiple=True,
    help="An uncertain choice: normaliser=a,b aggregator=a,b imputation=a,b treatment=a,b winmax=1-5 weights=0.25.",
)
@click.option("--choices", "choices_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bootstrap", type=int, default=1000, show_default=True, help="Sobol: bootstrap resamples.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws (same seed, same result).")
@_code
@columns_options
@_format
@_lang
@click.option(
    "--sampling",
    is_flag=True,
    help="Monte Carlo: also draw each survey share, rate and mean from its sampling distribution (its n).",
)
def sensitivity(
    data: Path,
    grid_name: str,
    spec: Path | None,
    method: str,
    runs: int | None,
    spread: float,
    vary: tuple[str, ...],
    choices_file: Path | None,
    bootstrap: int,
    seed: int,
    code: str | None,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    lang: str | None,
    sampling: bool,
) -> None:
    """How stable is each organisation's rank? Monte Carlo over the weights, or Sobol indices per choice."""
    from vises import analysis

    grid, dataset = _inputs(data, grid_name, spec, attributes, ignore)
    lang = _default_lang(lang, grid)
    choices = _vary(vary, choices_file)
    if method == "sobol":
        if sampling:
            raise ConfigError("--sampling is part of the Monte Carlo analysis", hint="use --method montecarlo")
        if not choices:
            raise ConfigError(
                "a Sobol analysis needs the uncertain choices", hint="e.g. --vary weights=0.25 --vary winmax=1-5"
            )
        result: Any = analysis.sobol_sensitivity(
            grid, dataset, choices=choices, n=512 if runs is None else runs, seed=seed, bootstrap=bootstrap, code=code
        )
        payload = {"code": result.code, "n": result.n, "runs": result.runs, "seed": result.seed}
        payload |= {"indices": result.indices.to_records(), "rows": result.to_records()}
    else:
        unknown = sorted(set(choices) - {"aggregator", "normaliser"})
        if unknown:
            raise ConfigError(f"the Monte Carlo analysis varies the weights and methods only, not {', '.join(unknown)}")
        result = analysis.weight_sensitivity(
            grid,
            dataset,
            runs=200 if runs is None else runs,
            spread=spread,
            seed=seed,
            code=code,
            methods=choices,
            sampling=sampling,
        )
        shift = result.mean_abs_rank_shift
        payload = {"code": result.code, "runs": result.runs, "spread": result.spread, "seed": result.seed}
        payload |= {"sampled": list(result.sampled)}
        payload |= {"mean_abs_rank_shift": None if math.isnan(shift) else shift, "rows": result.to_records()}
    _show(result, fmt, lang, payload)


@click.command("stats")
@click.argument("data", type=DATA)
@_grid
@_spec
@click.option("--section", type=click.Choice([*SECTIONS, "all"]), default="all", show_default=True)
@click.option("--node", default=None, help="Correlations within this node's children; the PCA's node (the root).")
@click.option("--level", default="indicators", show_default=True, help="Correlations: 'indicators' or a depth.")
@click.option("--method", type=click.Choice(["pearson", "spearman"]), default="pearson", show_default=True)
@click.option("--missing", type=click.Choice(["pairwise", "complete"]), default="pairwise", show_default=True)
@columns_options
@_format
@_lang
def stats(
    data: Path,
    grid_name: str,
    spec: Path | None,
    section: str,
    node: str | None,
    level: str,
    method: str,
    missing: str,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    lang: str | None,
) -> None:
    """Data quality (statistics, availability) and structure (correlations, alpha, PCA) of a dataset."""
    import attrs

    from vises import analysis
    from vises.analysis.words import stats_word

    depth: str | int = int(level) if level.strip().isdigit() else level.strip()
    results = _results(data, grid_name, spec, attributes, ignore)
    lang = _default_lang(lang, results.grid)
    parts: dict[str, Any] = {}
    for name in SECTIONS if section == "all" else (section,):
        if name == "indicators":
            parts[name] = analysis.indicator_statistics(results)
        elif name == "availability":
            parts[name] = analysis.data_availability(results)
        elif name == "correlations":
            parts[name] = analysis.correlations(results, level=depth, within=node, method=method)
        elif name == "consistency":
            parts[name] = analysis.internal_consistency(results, missing=missing)
        else:
            parts[name] = analysis.pca(results, node or results.compiled.root)
    if fmt == "json":
        out: dict[str, Any] = {name: part.to_records() for name, part in parts.items()}
        if "pca" in parts:
            pca = parts["pca"]
            out["pca"] = {"node": pca.node, "rows": pca.rows, "components": out["pca"], "loadings": dict(pca.loadings)}
        if "correlations" in parts:
            out["correlations_flags"] = [attrs.asdict(f) for f in parts["correlations"].flags]
        echo_json(out)
    else:
        click.echo("\n\n".join(f"== {stats_word('section_' + k, lang)} ==\n{v.table(lang)}" for k, v in parts.items()))


@click.command("compare")
@click.argument("inputs", nargs=-1, required=True, metavar="[GRID]... DATA")
@click.option(
    "-g", "--grid", "grids", multiple=True, help="A grid to compare (repeatable), after those given before DATA."
)
@_code
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="The top k whose entries and exits are listed.",
)
@click.option("--values", type=click.Choice(["ranks", "scores", "shifts"]), default="ranks", show_default=True)
@columns_options
@_format
@_lang
def compare(
    inputs: tuple[str, ...],
    grids: tuple[str, ...],
    code: str | None,
    top: int,
    values: str,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    lang: str | None,
) -> None:
    """Score one dataset on two or more grids and compare the rankings with the first grid's.

    \b
    vises compare GRID_A GRID_B DATA        (or: vises compare DATA --grid A --grid B)

    Two grids: every organisation's rank shift, and per period the Spearman correlation of the
    scores and who enters or leaves the top k. More grids: each one's ranks side by side, then the
    same summary for each against the first.
    """
    import vises
    from vises import analysis

    data = _data_last(inputs)
    chosen = [*inputs[:-1], *grids]
    if len(chosen) < 2:
        raise ConfigError(
            f"comparing needs two grids or more, got {len(chosen)}",
            hint="vises compare GRID_A GRID_B DATA (grid files or registered names)",
        )
    loaded = [vises.load_grid(name) for name in chosen]
    lang = _default_lang(lang, loaded[0])
    kept = _kept_for_each(data, loaded, attributes)
    scorings: dict[str, Results] = {}
    for position, (name, grid) in enumerate(zip(chosen, loaded, strict=True)):
        label = name if name not in scorings else f"{name} ({position + 1})"
        # Each grid reads the file itself: a column one grid scores is kept as an attribute for the others.
        dataset = vises.load_data(data, grid=grid, attributes=kept[position], ignore=ignore)
        if position == 0:
            note_ignored(dataset)
        scorings[label] = vises.score(grid, dataset)
    names = list(scorings)
    result = analysis.compare_many(scorings, code=code, top=top)
    if fmt == "json":
        out: dict[str, Any] = {
            "base": result.base,
            "variants": list(result.names[1:]),
            "code": result.code,
            "top": top,
            "summary": result.summary_records(),
            "periods": {name: result.comparisons[name].summary_records() for name in result.names[1:]},
            "rows": result.to_records(values=values),
        }
        if len(names) == 2:  # one variant: each row's scores, ranks and shift side by side
            out["comparison"] = result.comparisons[names[1]].to_records()
        echo_json(out)
    elif len(names) == 2:
        head = _said("base", names[0], lang) + "\n" + _said("variant", names[1], lang)
        click.echo(head + "\n\n" + result.comparisons[names[1]].table(lang))
    else:
        parts = [result.table(lang, values=values)]
        parts += [
            f"{_said('variant', name, lang)}\n\n{result.comparisons[name].summary_table(lang)}" for name in names[1:]
        ]
        click.echo("\n\n".join(parts))


def _kept_for_each(data: Path, grids: list[Grid], attributes: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Per grid, the columns to keep as attributes: those declared, and the data's columns another
    compared grid scores (a candidate indicator in the variant only), except its own indicators."""
    import vises

    scored = [{ind.code for ind in grid.indicators} for grid in grids]
    try:
        header = _column_names(vises.load_data(data, keep_problems=True))
    except VisesError:  # read without a grid, the file may say less; each grid's reading will say why
        header = set()
    out = []
    for position, grid in enumerate(grids):
        others = set().union(*(codes for i, codes in enumerate(scored) if i != position)) - scored[position]
        borrowed = sorted(others & header)
        if borrowed:
            shown = ", ".join(map(repr, borrowed))
            click.echo(
                f"Note: grid {grid.code!r} does not score {shown}; read as attributes when scoring on it", err=True
            )
        out.append(tuple(dict.fromkeys([*(a for a in attributes if a not in scored[position]), *borrowed])))
    return out


def _column_names(dataset: Dataset) -> set[str]:
    """The names of a dataset's columns, read without a grid."""
    return {*dataset.columns, *dataset.text, *dataset.attributes}


_GRID_SUFFIXES = (".toml", ".yaml", ".yml", ".json")


def _data_last(inputs: tuple[str, ...]) -> Path:
    """The data file, which comes last (``GRID_A GRID_B DATA``); a data file given first is named."""
    data, first = Path(inputs[-1]), Path(inputs[0])
    swapped = (
        len(inputs) > 1
        and first.is_file()
        and first.suffix.lower() not in _GRID_SUFFIXES
        and (data.suffix.lower() in _GRID_SUFFIXES or not data.is_file())
    )
    if swapped:
        raise ConfigError(
            f"the data file comes last, after the grids: {inputs[-1]!r} is not a data file",
            hint=f"vises compare {' '.join(inputs[1:])} {inputs[0]}",
        )
    if not data.is_file():
        raise ConfigError(
            "data file not found", file=str(data), hint="vises compare GRID_A GRID_B DATA: the data comes last"
        )
    return data


def _said(key: str, value: str, lang: str | None) -> str:
    from vises.analysis.words import word
    from vises.i18n import colon

    return f"{word(key, lang or 'en')}{colon(lang or 'en')}{value}"


@click.command("weights")
@click.argument("method", type=click.Choice(["pca", "optimise"]))
@click.argument("data", type=DATA)
@_grid
@_spec
@click.option("--level", default=None, help="pca: aggregates at this depth; optimise: 'indicators' or a depth.")
@click.option("--form", type=click.Choice(["squared", "loadings"]), default="squared", show_default=True)
@click.option("--objective", type=click.Choice(["balance", "infomax"]), default="balance", show_default=True)
@click.option("--against", type=click.Choice(["index", "parent"]), default="index", show_default=True)
@click.option("--correlation", type=click.Choice(["pearson", "spearman"]), default="pearson", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a weighting file (.toml, .yaml or .json) for --weighting.",
)
@columns_options
@_format
@_lang
@force_option
def weights(
    method: str,
    data: Path,
    grid_name: str,
    spec: Path | None,
    level: str | None,
    form: str,
    objective: str,
    against: str,
    correlation: str,
    output: Path | None,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    lang: str | None,
    force: bool,
) -> None:
    """Weights from the data: PCA, or optimised correlations; -o writes a file for --weighting."""
    from vises import analysis
    from vises.io.read_log import recording_reads

    if output is not None:
        from vises.io.weighting_file import SUFFIXES

        if output.suffix.lower() not in SUFFIXES:
            raise ConfigError(
                f"a weighting file ends in {', '.join(SUFFIXES)}, not {output.suffix or 'no suffix'!r}",
                file=str(output),
                hint=f"name it {output.with_suffix('.toml').name}",
            )
        _check_output(output, data, grid_name, "weighting", force)
    with recording_reads() as read:
        results = _results(data, grid_name, spec, attributes, ignore)
        lang = _default_lang(lang, results.grid)
    depth: Any = None if level is None else (int(level) if level.strip().isdigit() else level.strip())
    if method == "pca":
        result: Any = analysis.pca_weights(results, level=depth, form=form)
    else:
        result = analysis.optimise_weights(
            results,
            level="indicators" if depth is None else depth,
            objective=objective,
            against=against,
            method=correlation,
        )
    if output is not None:
        from vises.cli.common import check_written
        from vises.io.atomic import write_text_atomic
        from vises.io.weighting_file import dump_weighting

        check_written(output, read, writing="weighting", force=force)
        write_text_atomic(output, dump_weighting(result.weighting, output.suffix))
        click.echo(f"wrote {output} (use it as --weighting {output})", err=True)
    _show(result, fmt, lang)


@click.command("trends")
@click.argument("data", type=DATA)
@_grid
@_spec
@click.option("--code", "codes", multiple=True, help="Nodes or indicators (default: every one).")
@click.option("--method", type=click.Choice(["cagr", "slope", "percent"]), default="cagr", show_default=True)
@click.option("--use", type=click.Choice(["scores", "raw"]), default="scores", show_default=True)
@click.option("--latest", type=int, default=None, help="Only each organisation's last N periods.")
@columns_options
@_format
@_lang
def trends(
    data: Path,
    grid_name: str,
    spec: Path | None,
    codes: tuple[str, ...],
    method: str,
    use: str,
    latest: int | None,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    lang: str | None,
) -> None:
    """Each organisation's trend over the periods (CAGR, slope or percent change) per node."""
    from vises import analysis

    results = _results(data, grid_name, spec, attributes, ignore)
    lang = _default_lang(lang, results.grid)
    _show(analysis.trends(results, codes or None, method=method, use=use, latest=latest), fmt, lang)


@click.command("strengths")
@click.argument("data", type=DATA)
@_grid
@_spec
@click.option("--org", "organisation", required=True, help="The organisation.")
@click.option("--period", default=None, help="The period (default: its latest).")
@click.option("--top", type=int, default=5, show_default=True)
@click.option("--bottom", type=int, default=5, show_default=True)
@columns_options
@_format
@_lang
def strengths(
    data: Path,
    grid_name: str,
    spec: Path | None,
    organisation: str,
    period: str | None,
    top: int,
    bottom: int,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    lang: str | None,
) -> None:
    """An organisation's strengths and weaknesses: its best and worst indicator ranks."""
    from vises import analysis

    results = _results(data, grid_name, spec, attributes, ignore)
    lang = _default_lang(lang, results.grid)
    result = analysis.strengths_weaknesses(results, organisation, period, top=top, bottom=bottom, lang=lang)
    _show(result, fmt, lang)


@click.command("plot")
@click.argument("kind", type=click.Choice(PLOTS))
@click.argument("data", type=DATA)
@_grid
@_spec
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="SVG or PNG.")
@click.option("--x", "x_code", default=None, help="scatter: the node on the horizontal axis.")
@click.option("--y", "y_code", default=None, help="scatter: the node on the vertical axis (default: the root).")
@click.option("--level", default="indicators", show_default=True, help="correlations: 'indicators' or a depth.")
@click.option("--period", default=None, help="scatter and ranks: only this period.")
@click.option("--vary", multiple=True, help="ranks/sobol: uncertain choices, as for 'vises sensitivity'.")
@click.option("--runs", type=int, default=None, help="ranks: Monte Carlo runs (200); sobol: N (256).")
@click.option("--seed", type=int, default=0, show_default=True)
@columns_options
@_lang
@force_option
def plot(
    kind: str,
    data: Path,
    grid_name: str,
    spec: Path | None,
    output: Path,
    x_code: str | None,
    y_code: str | None,
    level: str,
    period: str | None,
    vary: tuple[str, ...],
    runs: int | None,
    seed: int,
    attributes: tuple[str, ...],
    ignore: tuple[str, ...],
    lang: str | None,
    force: bool,
) -> None:
    """Draw a chart as a standalone SVG or PNG file (by the output's suffix)."""
    from vises import analysis
    from vises.analysis import plots
    from vises.cli.common import check_written
    from vises.io.atomic import write_bytes_atomic
    from vises.io.read_log import recording_reads

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in plots.FORMATS:
        raise ConfigError(
            f"the output must end in .svg or .png, not {output.suffix or 'no suffix'!r}",
            file=str(output),
            hint=f"name it {output.with_suffix('.svg').name}",
        )
    _check_output(output, data, grid_name, "chart", force)
    with recording_reads() as read:
        grid, dataset = _inputs(data, grid_name, spec, attributes, ignore)
        lang = _default_lang(lang, grid)
    choices = _vary(vary, None)
    if kind in ("framework", "correlations", "scatter"):
        import vises

        results = vises.score(grid, dataset)
        if kind == "framework":
            image = plots.framework(results, lang=lang, fmt=fmt)
        elif kind == "correlations":
            depth: Any = int(level) if level.strip().isdigit() else level.strip()
            image = plots.correlation_heatmap(analysis.correlations(results, level=depth), lang=lang, fmt=fmt)
        else:
            if x_code is None:
                raise ConfigError("a scatter plot needs --x CODE (and --y CODE, default the root)")
            image = plots.scatter(results, x_code, y_code or results.compiled.root, period=period, lang=lang, fmt=fmt)
    elif kind == "ranks":
        result: Any = (
            analysis.sobol_sensitivity(grid, dataset, choices=choices, n=runs or 256, seed=seed, bootstrap=0)
            if set(choices) - {"aggregator", "normaliser"}
            else analysis.weight_sensitivity(grid, dataset, runs=runs or 200, seed=seed, methods=choices)
        )
        image = plots.rank_intervals(result, period=period, lang=lang, fmt=fmt)
    else:
        if not choices:
            raise ConfigError("a Sobol chart needs the uncertain choices", hint="e.g. --vary weights=0.25")
        result = analysis.sobol_sensitivity(grid, dataset, choices=choices, n=runs or 256, seed=seed)
        image = plots.sobol_chart(result, lang=lang, fmt=fmt)
    check_written(output, read, writing="chart", force=force)
    write_bytes_atomic(output, image)
    click.echo(f"wrote {output}", err=True)
