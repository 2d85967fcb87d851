"""Hook implementations of vises-hauts-de-france: a unit, the IAE grid, a weighting variant and
the "dialogue de gestion" CSV table."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from vises import GridSource, ReportFormat, Weighting, hookimpl

if TYPE_CHECKING:  # pragma: no cover
    from vises import ReportRequest, Results

GRID_DIR = Path(__file__).parent / "grids"

#: Hours per full-time equivalent used to express IAE work volumes (1,607 h, the French legal
#: annual working time). Unlike the core's FTE (a dimension of its own), this unit *is* a number
#: of hours, so a column given in it converts to the grid's hours.
HOURS_PER_ETP = 1607
UNITS = (f"etp_iae = {HOURS_PER_ETP} * hour = etp_insertion",)


@hookimpl
def vises_register_units() -> Iterable[str]:
    return UNITS


@hookimpl
def vises_register_grids() -> Iterable[GridSource]:
    return [
        GridSource(
            code="iae",
            path=GRID_DIR / "iae.toml",
            summary="IAE structure: VISES base + pathway and dynamic exits (illustrative)",
        )
    ]


@hookimpl
def vises_register_weightings() -> Iterable[Weighting]:
    return [
        Weighting(
            code="emploi_durable",
            grid="hdf.iae",
            weights={
                "sorties_emploi_durable": 6.0,
                "sorties_emploi_transition": 2.0,
                "sorties_positives": 1.0,
                "sorties": 3.0,
            },
            label={"fr": "Priorité à l'emploi durable", "en": "Durable employment first"},
            description={
                "fr": "Variante qui valorise surtout les sorties vers l'emploi durable.",
                "en": "Variant that mainly values exits to durable employment.",
            },
        )
    ]


@hookimpl
def vises_register_report_formats() -> Iterable[ReportFormat]:
    return [
        ReportFormat(
            name="dialogue_gestion",
            suffix=".csv",
            render=_render_dialogue_gestion,
            summary="CSV table per structure and year, like an IAE 'dialogue de gestion' (';' and decimal comma)",
        )
    ]


def _render_dialogue_gestion(results: Results, request: ReportRequest, /) -> str:
    """The report module (and what it imports) is loaded only when this format is rendered."""
    from .report import render_dialogue_gestion

    return render_dialogue_gestion(results, request)
