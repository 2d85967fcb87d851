"""Commands that show what is installed: plugins, grids, methods, indicators, a grid's tree, the schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from vises.cli.common import echo_json, grid_option, lang_option, registry, table

# -- plugins, grids, indicators -----------------------------------------------------------------


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--all", "show_all", is_flag=True, help="Include vises' own core plugin and list every contribution by name."
)
def plugins(as_json: bool, show_all: bool) -> None:
    """List installed plugins, what they provide (commands included) and whether they loaded.

    With --all, every contribution is listed by kind and key (grids, weightings, report formats,
    units, ...), the names to give to --grid, --weighting or --format.
    """
    root = click.get_current_context().find_root().command
    if hasattr(root, "load_plugin_commands"):
        root.load_plugin_commands()  # so each plugin's commands are counted in what it provides
    infos = [info for info in registry().plugins if show_all or info.name != "vises"]
    if as_json:
        echo_json([info.to_json() for info in infos])
        return
    if not infos:
        click.echo("No plugins installed (use --all to see vises' own).")
        return
    rows = []
    for info in infos:
        provides = ", ".join(f"{len(keys)} {kind.replace('_', ' ')}" for kind, keys in info.provides.items())
        rows.append((info.name, info.distribution or "(in-process)", info.version or "", info.status, provides))
    click.echo(table(rows, ("name", "distribution", "version", "status", "provides")))
    if show_all:
        for info in infos:
            if info.provides:
                click.echo(f"\n{info.name}:")
                for kind, keys in info.provides.items():
                    click.echo(f"  {kind.replace('_', ' ')}: {', '.join(keys)}")
    for info in infos:
        if info.error:
            click.echo(f"\n{info.name}: {info.error}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def grids(as_json: bool) -> None:
    """List the registered grids (usable as --grid NAME)."""
    sources = registry().grid_sources
    if as_json:
        echo_json(
            [
                {
                    "code": key,
                    "plugin": src.plugin,
                    "summary": src.summary,
                    "path": None if src.path is None else str(src.path),
                }
                for key, src in sources.items()
            ]
        )
        return
    click.echo(
        table([(key, src.plugin, src.summary) for key, src in sorted(sources.items())], ("grid", "plugin", "summary"))
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def methods(as_json: bool) -> None:
    """List the normalisers, aggregators, treatments, imputers, readers and report formats in use."""
    found = registry()
    tables: dict[str, Mapping[str, Any]] = {
        "normaliser": found.normalisers,
        "aggregator": found.aggregators,
        "treatment": found.treatments,
        "imputer": found.imputers,
        "reader": found.readers,
        "report format": found.report_formats,
    }
    rows = [
        (kind, key, spec.plugin, spec.summary) for kind, table in tables.items() for key, spec in sorted(table.items())
    ]
    if as_json:
        echo_json(
            [{"kind": kind, "name": key, "plugin": plugin, "summary": summary} for kind, key, plugin, summary in rows]
        )
        return
    click.echo(table(rows, ("kind", "name", "plugin", "summary")))


@click.command()
@grid_option(required=False, help="A grid file or registered grid name; default: the plugins' indicator catalogue.")
@lang_option(help="Language of the labels.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def indicators(grid_name: str | None, lang: str | None, as_json: bool) -> None:
    """List the indicators of a grid, or the catalogue indicators plugins offer for reuse."""
    if grid_name is not None:
        import vises

        found = [(ind.code, ind) for ind in vises.load_grid(grid_name).indicators]
    else:
        found = sorted(registry().indicators.items())
    if as_json:
        echo_json(
            [
                {
                    "code": key,
                    "label": ind.label_in(lang),
                    "kind": ind.kind.value,
                    "unit": ind.unit,
                    "direction": ind.direction.value,
                    "parent": ind.parent,
                    "weight": ind.weight,
                }
                for key, ind in found
            ]
        )
        return
    rows = [
        (key, ind.label_in(lang), ind.kind.value, ind.unit or "", ind.direction.value, ind.parent or "")
        for key, ind in found
    ]
    click.echo(table(rows, ("code", "label", "kind", "unit", "direction", "parent")))


@click.command()
@click.argument("grid_name", metavar="GRID")
@lang_option(help="Language of the labels and words (default: the grid's first).")
def show(grid_name: str, lang: str | None) -> None:
    """Show a grid as a tree, with weights and the methods that will actually be used."""
    import vises

    click.echo(_render_tree(vises.load_grid(grid_name), lang=lang))


def _tree_lang(grid: Any, lang: str | None) -> str:
    """The language asked for, else the grid's first language vises writes, else English."""
    from vises.i18n import LANGUAGES

    return lang or next((candidate for candidate in grid.languages if candidate in LANGUAGES), "en")


def _number(value: Any, lang: str) -> str:
    """A weight or a parameter as few digits as it needs, with the language's decimal sign."""
    from vises.i18n import format_number

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return format_number(float(value), lang, 0, grouping=False)
    text = format_number(float(value), lang, 6, grouping=False)
    decimal = format_number(0.5, lang, 1)[1]
    return text.rstrip("0").rstrip(decimal)


def method_words(kind: str, method: Any, lang: str) -> str:
    """A method in words with its parameters, ``bornes fixes (borne basse = 1, borne haute = 5)``;
    a plugin's method or parameter, which vises has no word for, keeps its name."""
    from vises.i18n import catalogue

    words = catalogue(lang)

    def value(item: Any) -> str:
        if isinstance(item, bool):
            return words[f"param_{str(item).lower()}"]
        return _number(item, lang)

    params = ", ".join(
        f"{words.get(f'param_{key}', key)} = {value(item)}" for key, item in sorted(method.params.items())
    )
    word = words.get(f"{kind}_{method.name}", method.name)
    return f"{word} ({params})" if params else word


def _render_tree(grid: Any, *, lang: str | None) -> str:
    """``code  w=2 (40%)  label [unit] · kind, direction · stages · method`` per line, drawn as a tree.

    Every word is the catalogue's in the chosen language (``--lang``, default the grid's first);
    codes, method names and parameters stay as a grid file writes them.
    """
    from vises.i18n import colon, format_number, translate, unit_label
    from vises.neutralise import terminal_text
    from vises.validation.grid import (
        effective_aggregator,
        effective_imputation,
        effective_normaliser,
        effective_treatment,
    )

    lang = _tree_lang(grid, lang)
    version = translate("show_version", lang, version=grid.version)
    lines = [f"{grid.code} ({version}){colon(lang)}{grid.label_in(lang)}", translate("show_legend", lang), ""]

    def describe(item: Any) -> str:
        if hasattr(item, "kind"):
            unit = unit_label(item.unit, lang, grid.unit_labels)
            parts = [f"{item.label_in(lang)}" + (f" [{unit}]" if unit else "")]
            kind = translate(f"kind_{item.kind.value}", lang)
            # A direction says how a score reads; context is reported, never scored, so it has none.
            parts.append(f"{kind}, {translate(f'direction_{item.direction.value}', lang)}" if item.scored else kind)
            if item.derived:  # computed, not collected: say from what
                parts.append("= " + terminal_text(item.formula or f"{item.numerator} / {item.denominator}"))
            if item.scored:
                # The optional stages, in the order they run, only when the grid turns them on.
                imputation, treatment = effective_imputation(grid, item), effective_treatment(grid, item)
                if item.denominator and not item.derived:
                    parts.append(translate("show_per", lang, column=item.denominator))
                if imputation:
                    parts.append(
                        f"{translate('show_impute', lang)}{colon(lang)}{method_words('imputer', imputation, lang)}"
                    )
                if treatment:
                    parts.append(
                        f"{translate('show_treat', lang)}{colon(lang)}{method_words('treatment', treatment, lang)}"
                    )
                parts.append(method_words("normaliser", effective_normaliser(grid, item), lang))
            return " · ".join(parts)
        return f"{item.label_in(lang)} · {method_words('aggregator', effective_aggregator(grid, item), lang)}"

    weight_word = translate("show_weight", lang)

    def walk(item: Any, prefix: str, share: float | None, last: bool, top: bool) -> None:
        if share is None:
            weight = "" if top else f"  ({translate('show_not_scored', lang)})"
        else:
            weight = f"  {weight_word}={_number(item.weight, lang)} ({format_number(share, lang, 0, percent=True)})"
        branch = "" if top else ("└── " if last else "├── ")
        lines.append(f"{prefix}{branch}{item.code}{weight}  {describe(item)}")
        if hasattr(item, "kind"):
            return
        children = grid.children(item.code)
        scored = [child for child in children if getattr(child, "scored", True)]
        total = sum(child.weight for child in scored) or 1.0
        inner = prefix + ("" if top else ("    " if last else "│   "))
        for position, child in enumerate(children):
            share = child.weight / total if child in scored else None
            walk(child, inner, share, position == len(children) - 1, False)

    walk(grid.root, "", None, True, True)
    return "\n".join(lines)


@click.command()
def schema() -> None:
    """Print the JSON Schema of grid files (for editors and CI checks)."""
    from vises.io.schema import grid_json_schema

    echo_json(grid_json_schema())
