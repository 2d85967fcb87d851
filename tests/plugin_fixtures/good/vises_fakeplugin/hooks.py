"""A small but complete vises plugin, used by the test suite as an installed distribution."""

from __future__ import annotations

import numpy as np

from vises import Grid, GridSource, Indicator, Method, Node, NormaliserSpec, ReportFormat, Weighting, hookimpl


@hookimpl
def vises_register_units():
    return ["meal = [meal] = meals = repas = maaltijd"]


@hookimpl
def vises_register_indicators():
    return [
        Indicator(
            code="meals_served", unit="meal", label={"en": "Meals served", "fr": "Repas servis", "nl": "Maaltijden"}
        )
    ]


@hookimpl
def vises_register_grids():
    grid = Grid(
        code="demo",
        label={"en": "Demo grid", "fr": "Grille de démonstration", "nl": "Demorooster"},
        languages=("en", "fr", "nl"),
        nodes=(Node(code="impact", label={"en": "Impact", "fr": "Impact", "nl": "Impact"}),),
        indicators=(
            Indicator(
                code="meals",
                unit="meal",
                parent="impact",
                label={"en": "Meals", "fr": "Repas", "nl": "Maaltijden"},
                normaliser=Method(name="fake.share"),
            ),
            Indicator(
                code="jobs",
                unit="person",
                parent="impact",
                weight=2.0,
                label={"en": "Jobs", "fr": "Emplois", "nl": "Banen"},
            ),
        ),
    )
    return [GridSource(code="demo", grid=grid, summary="a two-indicator demo grid")]


@hookimpl
def vises_register_weightings():
    return [Weighting(code="jobs_first", grid="demo", weights={"jobs": 3.0})]


def _fit(values, *, direction, params, context):
    return {"total": float(np.nansum(values))}


def _apply(values, fitted):
    total = fitted["total"] or 1.0
    return 100.0 * np.asarray(values, dtype=float) / total


@hookimpl
def vises_register_normalisers():
    return [
        NormaliserSpec(
            name="share",
            fit=_fit,
            apply=_apply,
            output_range=lambda params: (0.0, 100.0),
            summary="share of the total, in percent",
        )
    ]


@hookimpl
def vises_register_report_formats():
    return [ReportFormat(name="shout", suffix=".txt", render=lambda results, request: "SCORES!\n")]


@hookimpl
def vises_register_commands(cli):
    import click

    @cli.command(name="fake-hello")
    def fake_hello() -> None:
        """Say hello from the fake plugin."""
        click.echo("hello from fake")

    @cli.command(name="fake-fail")
    def fake_fail() -> None:
        """Fail the way a user error fails."""
        from vises import DataError

        raise DataError("the fake data is wrong", file="fake.csv", row=3, hint="fix row 3")

    @cli.command(name="fake-crash")
    def fake_crash() -> None:
        """Fail the way a bug fails."""
        raise ZeroDivisionError("fake bug")
