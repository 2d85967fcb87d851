"""Hook implementations of vises-vlaanderen: units, a catalogue indicator, the maatwerk grid, a
weighting variant and the Dutch "jaarverslag" report."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from vises import (
    Direction,
    GridSource,
    Indicator,
    Kind,
    Method,
    ReportFormat,
    Weighting,
    hookimpl,
)

if TYPE_CHECKING:  # pragma: no cover
    from vises import ReportRequest, Results

GRID_DIR = Path(__file__).parent / "grids"

#: A guidance hour is an hour of a job coach's time; a target-group employee is a person.
UNITS = (
    "begeleidingsuur = hour = begeleidingsuren",
    "doelgroepwerknemer = person = doelgroepwerknemers",
)

DOORSTROOM = Indicator(
    code="doorstroom_ratio",
    kind=Kind.QUANTITY,
    unit="percent",
    direction=Direction.HIGHER,
    minimum=0.0,
    maximum=100.0,
    normaliser=Method(name="goalposts", params={"lower": 0.0, "upper": 15.0}),
    label={
        "nl": "Doorstroom van doelgroepwerknemers naar regulier werk",
        "fr": "Transitions des travailleurs du public cible vers l'emploi ordinaire",
        "en": "Transitions of target-group employees to regular work",
    },
    description={
        "nl": "Aandeel doelgroepwerknemers dat in het jaar naar een reguliere job doorstroomt.",
        "en": "Share of target-group employees moving on to a regular job during the year.",
    },
    stakeholders=("doelgroepwerknemers", "werkgevers"),
    tags=("outcome",),
    sdg_targets=("8.5",),
    source=(
        "Decree on collective custom work of 12 July 2013, chapter 5 'Doorstroom', "
        "https://codex.vlaanderen.be/PrintDocument.ashx?id=1023214&datum=&geannoteerd=false&print=false ; goalposts "
        "illustrative"
    ),
)


@hookimpl
def vises_register_units() -> Iterable[str]:
    return UNITS


@hookimpl
def vises_register_indicators() -> Iterable[Indicator]:
    return [DOORSTROOM]


@hookimpl
def vises_register_grids() -> Iterable[GridSource]:
    return [
        GridSource(
            code="maatwerk",
            path=GRID_DIR / "maatwerk.toml",
            summary="Maatwerkbedrijf: VISES base + decree headings (illustrative)",
        )
    ]


@hookimpl
def vises_register_weightings() -> Iterable[Weighting]:
    return [
        Weighting(
            code="doorstroom_eerst",
            grid="vlaanderen.maatwerk",
            weights={"doorstroom": 4.0, "opleiding": 2.0},
            label={"nl": "Doorstroom eerst", "en": "Transition first"},
            description={
                "nl": "Variant die doorstroom en opleiding zwaarder laat doorwegen.",
                "en": "Variant weighing transition and training more heavily.",
            },
        )
    ]


@hookimpl
def vises_register_report_formats() -> Iterable[ReportFormat]:
    return [
        ReportFormat(
            name="jaarverslag",
            suffix=".md",
            render=_render_jaarverslag,
            summary="Dutch one-page annual summary: profile per dimension and change on the previous year",
        )
    ]


def _render_jaarverslag(results: Results, request: ReportRequest, /) -> str:
    """The report module (and what it imports) is loaded only when this format is rendered."""
    from .report import render_jaarverslag

    return render_jaarverslag(results, request)
