"""The analyst's commands: ``vises sensitivity`` (weights) and ``vises stats`` (data quality, structure)."""

from __future__ import annotations

import math
from typing import Any

import click

from vises.cli.common import LazyChoice


@click.command("sensitivity")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--grid", "grid_name", required=True, help="A grid file or a registered grid name.")
@click.option("--runs", type=int, default=200, show_default=True, help="Number of Monte Carlo runs.")
@click.option(
    "--spread",
    type=float,
    default=0.25,
    show_default=True,
    help="Each weight is multiplied by U[1 - spread, 1 + spread].",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed of the random draws (same seed, same result)."
)
@click.option("--code", default=None, help="The node whose ranks are studied (default: the root).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", default=None, help="Language of the table headers (fr, nl, en).")
def sensitivity(
    data: str, grid_name: str, runs: int, spread: float, seed: int, code: str | None, fmt: str, lang: str | None
) -> None:
    """How stable is each organisation's rank when the weights vary? (median and 5-95 % ranks)"""
    from vises.analysis.core import weight_sensitivity

    result = weight_sensitivity(grid_name, data, runs=runs, spread=spread, seed=seed, code=code)
    if fmt == "json":
        import json

        payload = {
            "code": result.code,
            "runs": result.runs,
            "spread": result.spread,
            "seed": result.seed,
            "mean_abs_rank_shift": None if math.isnan(result.mean_abs_rank_shift) else result.mean_abs_rank_shift,
            "rows": result.to_records(),
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(result.table(lang))


@click.command("stats")
@click.argument("data", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--grid", "grid_name", required=True, help="A grid file or a registered grid name.")
@click.option(
    "--section", type=LazyChoice("vises.analysis.statistics:SECTIONS", extra=("all",)), default="all", show_default=True
)
@click.option(
    "--node", default=None, help="Correlations within this node's children; the PCA's node (default: the root)."
)
@click.option(
    "--level",
    default="indicators",
    show_default=True,
    help="Correlations at 'indicators' or a depth (1 = dimensions).",
)
@click.option("--method", type=click.Choice(["pearson", "spearman"]), default="pearson", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--lang", default=None, help="Language of the table headers (fr, nl, en).")
def stats(
    data: str, grid_name: str, section: str, node: str | None, level: str, method: str, fmt: str, lang: str | None
) -> None:
    """Data quality (statistics, availability) and structure (correlations, alpha, PCA) of a dataset."""
    import attrs

    from vises.analysis.statistics import SECTIONS, _payload, _word
    from vises.engine.load import load_data, load_grid
    from vises.engine.score import score
    from vises.i18n import check_lang

    if lang is not None:
        check_lang(lang)
    depth: str | int = int(level) if level.strip().isdigit() else level.strip()
    grid = load_grid(grid_name)
    results = score(grid, load_data(data, grid=grid))
    sections = SECTIONS if section == "all" else (section,)
    parts = {name: _payload(results, name, node, depth, method) for name in sections}
    if fmt == "json":
        import json

        out: dict[str, Any] = {name: part.to_records() for name, part in parts.items()}
        if "pca" in parts:
            out["pca"] = {
                "node": parts["pca"].node,
                "rows": parts["pca"].rows,
                "components": out["pca"],
                "loadings": dict(parts["pca"].loadings),
            }
        if "correlations" in parts:
            out["correlations_flags"] = [attrs.asdict(f) for f in parts["correlations"].flags]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        click.echo(
            "\n\n".join(f"== {_word('section_' + name, lang)} ==\n{part.table(lang)}" for name, part in parts.items())
        )
