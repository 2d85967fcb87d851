"""Grids shipped with the core, registered like any plugin's grids.

``social_economy`` is a small, generic grid over the four kinds of added value named around VISES
(social, economic, environmental, political): regional plugins extend it with ``extends`` rather
than each re-declaring the same dimensions, so their grids stay comparable at the top level.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from vises.contract.hookspecs import hookimpl
from vises.contract.records import GridSource

#: Folder holding the core's grid files.
GRID_DIR = Path(__file__).parent


@hookimpl
def vises_register_grids() -> Iterable[GridSource]:
    return [
        GridSource(
            code="social_economy",
            path=GRID_DIR / "social_economy.toml",
            summary="Generic VISES base grid: social, economic, environmental and political added value",
        )
    ]
