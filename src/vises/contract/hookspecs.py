"""The hooks a vises plugin can implement.

A plugin is a module (or object) with functions named after these hooks and decorated with
``vises.hookimpl``; it is found through the ``vises`` entry-point group::

    # pyproject.toml of the plugin
    [project.entry-points.vises]
    wallonie = "vises_wallonie.hooks"

Registration hooks return iterables of frozen records (``vises.contract.records``); the core calls each
plugin's implementation itself, so every record and every exception is attributed to the plugin
that produced it, and every key is namespaced by the plugin's name (``wallonie.cisp``). Keep heavy
imports inside the hook bodies: they run only when a command needs that kind of contribution.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import (
        AggregatorSpec,
        FinancialProxy,
        GridSource,
        ImputerSpec,
        NormaliserSpec,
        Reader,
        ReportFormat,
        TreatmentSpec,
        Weighting,
    )
    from vises.model import Indicator

PROJECT_NAME = "vises"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def vises_register_units() -> Iterable[str]:
    """Return pint definition lines for units the plugin's indicators use. Runs before the others.

    Example::

        @hookimpl
        def vises_register_units():
            return ["meal = [meal] = meals = repas = maaltijd"]
    """


@hookspec
def vises_register_indicators() -> Iterable[Indicator]:
    """Return catalogue indicators that grids (of any plugin) can reuse with ``use = "<key>"``.

    Example::

        @hookimpl
        def vises_register_indicators():
            return [Indicator(code="exit_rate", unit="percent", label={"fr": "Taux de sortie"})]

    The key becomes ``<plugin>.exit_rate``.
    """


@hookspec
def vises_register_grids() -> Iterable[GridSource]:
    """Return the grids the plugin ships, as ``GridSource`` records (a ``Grid`` or a file path).

    Example::

        @hookimpl
        def vises_register_grids():
            here = Path(__file__).parent / "grids"
            return [GridSource(code="cisp", path=here / "cisp.toml")]
    """


@hookspec
def vises_register_weightings() -> Iterable[Weighting]:
    """Return named weight variants of a grid (``Weighting(code=, grid=, weights={code: w})``).

    Example::

        @hookimpl
        def vises_register_weightings():
            return [Weighting(code="outcomes_first", grid="wallonie.cisp", weights={"outcomes": 3})]
    """


@hookspec
def vises_register_normalisers() -> Iterable[NormaliserSpec]:
    """Return normalisation methods (``NormaliserSpec``: fit / apply / output range).

    Example::

        @hookimpl
        def vises_register_normalisers():
            return [NormaliserSpec(name="share_of_100", fit=lambda v, **k: {},
                                   apply=lambda v, f: v, output_range=lambda p: (0, 100),
                                   data_dependent=False)]
    """


@hookspec
def vises_register_aggregators() -> Iterable[AggregatorSpec]:
    """Return aggregation methods (``AggregatorSpec``) usable as a node's ``aggregator``.

    Example::

        @hookimpl
        def vises_register_aggregators():
            return [AggregatorSpec(name="max", aggregate=lambda s, w, **k: np.nanmax(s, axis=1))]
    """


@hookspec
def vises_register_treatments() -> Iterable[TreatmentSpec]:
    """Return outlier treatments (``TreatmentSpec``: fit / apply / check) usable as ``treatment``.

    Example::

        @hookimpl
        def vises_register_treatments():
            def fit(values, *, params, context):
                return {"cap": float(np.nanpercentile(values, params.get("q", 99)))}

            return [TreatmentSpec(name="cap99", fit=fit,
                                  apply=lambda v, f: np.minimum(v, f["cap"]),
                                  check=lambda p: dict(p))]

    The key becomes ``<plugin>.cap99``; a grid writes ``treatment = "myplugin.cap99"``.
    """


@hookspec
def vises_register_imputers() -> Iterable[ImputerSpec]:
    """Return imputation methods (``ImputerSpec``: fit / apply / check) usable as ``imputation``.

    Only missing cells take the imputed values, never present or "not applicable" ones, and every
    imputed cell is flagged in the results. Example::

        @hookimpl
        def vises_register_imputers():
            return [ImputerSpec(name="zero", fit=lambda v, **k: {},
                                apply=lambda v, f, **k: np.zeros(len(v)),
                                check=lambda p: dict(p))]
    """


@hookspec
def vises_register_readers() -> Iterable[Reader]:
    """Return dataset readers chosen by file suffix (``Reader(name=, suffixes=, read=)``).

    Example::

        @hookimpl
        def vises_register_readers():
            return [Reader(name="ods", suffixes=(".ods",), read=read_ods)]
    """


@hookspec
def vises_register_report_formats() -> Iterable[ReportFormat]:
    """Return report formats (``ReportFormat(name=, suffix=, render=)``) for ``vises score --format``.

    Example::

        @hookimpl
        def vises_register_report_formats():
            return [ReportFormat(name="caips", suffix=".md", render=render_caips)]
    """


@hookspec
def vises_register_commands(cli: Any) -> None:
    """Add sub-commands to the ``vises`` click group ``cli``.

    Example::

        @hookimpl
        def vises_register_commands(cli):
            @cli.command()
            def hello():
                click.echo("hello")
    """


@hookspec
def vises_register_financial_proxies() -> Iterable[FinancialProxy]:
    """Return financial proxies (value per unit of outcome, with source) for SROI value maps.

    Example::

        @hookimpl
        def vises_register_financial_proxies():
            return [FinancialProxy(code="job_year", value=21000, currency="EUR", unit="person",
                                   source="agreed by the federation, 2024")]
    """
