"""A tiny regional plugin: one catalogue indicator a federation wants to add to the CISP grid.

Installed, it would be a package with an entry point (``[project.entry-points.vises]``); here it
is registered in-process by ``run.py``. The indicator is an example, not a federation's.
"""

from __future__ import annotations

from collections.abc import Iterable

from vises import Direction, Indicator, Kind, Method, hookimpl


@hookimpl
def vises_register_indicators() -> Iterable[Indicator]:
    return [
        Indicator(
            code="childcare_support",
            kind=Kind.QUANTITY,
            unit="percent",
            direction=Direction.HIGHER,
            minimum=0.0,
            maximum=100.0,
            normaliser=Method(name="goalposts", params={"lower": 0.0, "upper": 100.0}),
            label={
                "fr": "Stagiaires parents ayant obtenu une solution de garde",
                "en": "Trainee parents who obtained childcare",
            },
            stakeholders=("trainees",),
            tags=("outcome",),
            source="illustrative",
        )
    ]
