"""The analyst's commands: sensitivity (Monte Carlo, Sobol), stats, compare, weights, trends, strengths, plot.

Each command reads the data and the grid (``--spec`` applies a COINr build spec first, screening
included), calls one function of ``vises.analysis`` and prints its table (or its records as JSON);
the library itself knows nothing of the command line.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from vises.cli.common import DATA, echo_json, grid_option, lang_option
from vises.errors import ConfigError

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
_lang = lang_option(help="Language of the tables.")
_code = click.option("--code", default=None, help="The node studied (default: the root).")


def _inputs(data: Path, grid_name: str, spec: Path | None) -> tuple[Any, Any]:
    """The grid and dataset to analyse: as given, or as a build spec makes them (units screened out)."""
    import vises

    if spec is None:
        grid = vises.load_grid(grid_name)
        return grid, vises.load_data(data, grid=grid)
    from vises.analysis.coinr_build import build

    built = build(grid_name, data, spec=spec)
    for note in built.notes:
        click.echo(f"Note: {note}", err=True)
    return built.grid, built.results.dataset


def _results(data: Path, grid_name: str, spec: Path | None) -> Any:
    import vises

    grid, dataset = _inputs(data, grid_name, spec)
    return vises.score(grid, dataset)


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
    fmt: str,
    lang: str | None,
    sampling: bool,
) -> None:
    """How stable is each organisation's rank? Monte Carlo over the weights, or Sobol indices per choice."""
    from vises import analysis

    grid, dataset = _inputs(data, grid_name, spec)
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
    fmt: str,
    lang: str | None,
) -> None:
    """Data quality (statistics, availability) and structure (correlations, alpha, PCA) of a dataset."""
    import attrs

    from vises import analysis
    from vises.analysis.words import stats_word

    depth: str | int = int(level) if level.strip().isdigit() else level.strip()
    results = _results(data, grid_name, spec)
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
@click.argument("data", type=DATA)
@click.option("-g", "--grid", "grids", multiple=True, required=True, help="Two or more grids; the first is the base.")
@_code
@click.option("--values", type=click.Choice(["ranks", "scores", "shifts"]), default="ranks", show_default=True)
@_format
@_lang
def compare(data: Path, grids: tuple[str, ...], code: str | None, values: str, fmt: str, lang: str | None) -> None:
    """Score one dataset on several grids and compare the rankings against the first."""
    import vises
    from vises import analysis

    if len(grids) < 2:
        raise ConfigError("give at least two --grid options to compare", hint="--grid base.toml --grid variant.toml")
    scorings: dict[str, Any] = {}
    for name in grids:
        label = name if name not in scorings else f"{name} ({len(scorings) + 1})"
        scorings[label] = vises.score(name, data)
    result = analysis.compare_many(scorings, code=code)
    if fmt == "json":
        echo_json({"base": result.base, "summary": result.summary_records(), "rows": result.to_records(values=values)})
    else:
        click.echo(result.table(lang, values=values))


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
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write a weighting file.")
@_format
@_lang
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
    fmt: str,
    lang: str | None,
) -> None:
    """Weights from the data: PCA, or optimised correlations; -o writes a file for --weighting."""
    from vises import analysis

    results = _results(data, grid_name, spec)
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
        from vises.cli.common import refuse_overwriting_input
        from vises.io.atomic import write_text_atomic
        from vises.io.weighting_file import dump_weighting

        refuse_overwriting_input(output, data, grid_name)
        write_text_atomic(output, dump_weighting(result.weighting))
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
    fmt: str,
    lang: str | None,
) -> None:
    """Each organisation's trend over the periods (CAGR, slope or percent change) per node."""
    from vises import analysis

    results = _results(data, grid_name, spec)
    _show(analysis.trends(results, codes or None, method=method, use=use, latest=latest), fmt, lang)


@click.command("strengths")
@click.argument("data", type=DATA)
@_grid
@_spec
@click.option("--org", "organisation", required=True, help="The organisation.")
@click.option("--period", default=None, help="The period (default: its latest).")
@click.option("--top", type=int, default=5, show_default=True)
@click.option("--bottom", type=int, default=5, show_default=True)
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
    fmt: str,
    lang: str | None,
) -> None:
    """An organisation's strengths and weaknesses: its best and worst indicator ranks."""
    from vises import analysis

    results = _results(data, grid_name, spec)
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
@_lang
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
    lang: str | None,
) -> None:
    """Draw a chart as a standalone SVG or PNG file (by the output's suffix)."""
    from vises import analysis
    from vises.analysis import plots
    from vises.cli.common import refuse_overwriting_input
    from vises.io.atomic import write_bytes_atomic

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in plots.FORMATS:
        raise ConfigError("the output must end in .svg or .png", file=str(output))
    refuse_overwriting_input(output, data, grid_name)
    grid, dataset = _inputs(data, grid_name, spec)
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
    write_bytes_atomic(output, image)
    click.echo(f"wrote {output}", err=True)
