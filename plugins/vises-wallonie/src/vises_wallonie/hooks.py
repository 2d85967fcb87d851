"""Hook implementations of vises-wallonie: units, grids, a weighting variant and the CAIPS report.

Everything here is cheap to import; the report's work happens in ``report`` only when rendered.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from vises import GridSource, ReportFormat, Weighting, hookimpl

if TYPE_CHECKING:  # pragma: no cover
    from vises import ReportRequest, Results

GRID_DIR = Path(__file__).parent / "grids"

#: A trainee-hour is one hour of training delivered to one trainee: dimensionally an hour, named
#: so that the CISP and SIS grids say what their hour columns count.
UNITS = ("heure_stagiaire = hour = heures_stagiaire",)


@hookimpl
def vises_register_units() -> Iterable[str]:
    return UNITS


@hookimpl
def vises_register_grids() -> Iterable[GridSource]:
    return [
        GridSource(
            code="cisp", path=GRID_DIR / "cisp.toml", summary="CISP (illustrative, after the areas named by CAIPS)"
        ),
        GridSource(
            code="sis", path=GRID_DIR / "sis.toml", summary="SIS (illustrative, after the areas named by CAIPS)"
        ),
        GridSource(
            code="economie_sociale",
            path=GRID_DIR / "economie_sociale.toml",
            summary="Social-economy enterprise: VISES base + Walloon decree principles (illustrative)",
        ),
    ]


@hookimpl
def vises_register_weightings() -> Iterable[Weighting]:
    return [
        Weighting(
            code="resultats_d_abord",
            grid="wallonie.cisp",
            weights={"outcomes": 4.0, "communication": 0.25, "recruitment": 0.25},
            label={"fr": "Résultats d'abord", "en": "Outcomes first"},
            description={
                "fr": "Variante où les résultats pour les stagiaires pèsent pour moitié.",
                "en": "Variant where outcomes for trainees weigh half of the total.",
            },
        ),
        Weighting(
            code="pratiques_egales",
            grid="wallonie.sis",
            weights={
                "pedagogy": 1.0,
                "social_support": 1.0,
                "management": 1.0,
                "team": 1.0,
                "communication": 1.0,
                "recruitment": 1.0,
                "outcomes": 1.0,
            },
            label={"fr": "Tous les domaines à égalité", "en": "All areas equal"},
        ),
    ]


@hookimpl
def vises_register_report_formats() -> Iterable[ReportFormat]:
    return [
        ReportFormat(
            name="caips",
            suffix=".md",
            render=_render_caips,
            summary="French markdown summary per area and centre, with the evaluation framing",
        )
    ]


def _render_caips(results: Results, request: ReportRequest, /) -> str:
    """The report module (and what it imports) is loaded only when this format is rendered."""
    from .report import render_caips

    return render_caips(results, request)
