"""Hook implementations of vises-vsme: the accident-rate units, the ``vsme.social`` grid and the
``vsme.disclosure`` table."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from vises import GridSource, ReportFormat, hookimpl

if TYPE_CHECKING:  # pragma: no cover
    from vises import ReportRequest, Results

GRID_DIR = Path(__file__).parent / "grids"

#: Hours worked behind one unit of an accident rate. VSME B9 states the rate per 200,000 hours
#: (100 full-time employees × 40 hours × 50 weeks); ESRS S1-14 states it per 1,000,000 hours.
#: The multiplier lives in the rate's unit, so a grid that extends ``vsme.social`` changes the
#: convention by redeclaring ``accident_rate`` with ``unit = "per_million_hours"``: numerator and
#: denominator stay, the unit conversion multiplies.
HOURS_PER_RATE_UNIT = {"per_200k_hours": 200_000, "per_million_hours": 1_000_000}
UNITS = tuple(f"{name} = 1 / ({hours} * hour)" for name, hours in HOURS_PER_RATE_UNIT.items())


@hookimpl
def vises_register_units() -> Iterable[str]:
    return UNITS


@hookimpl
def vises_register_grids() -> Iterable[GridSource]:
    return [
        GridSource(
            code="social",
            path=GRID_DIR / "social.toml",
            summary="VSME basic module B8-B10: workforce, health and safety, pay, bargaining, training",
        )
    ]


@hookimpl
def vises_register_report_formats() -> Iterable[ReportFormat]:
    return [
        ReportFormat(
            name="disclosure",
            suffix=".csv",
            render=_render_disclosure,
            summary="CSV of every VSME datapoint per organisation and period: value, unit, how obtained",
        )
    ]


def _render_disclosure(results: Results, request: ReportRequest, /) -> str:
    """The report module (and what it imports) is loaded only when this format is rendered."""
    from .report import render_disclosure

    return render_disclosure(results, request)
