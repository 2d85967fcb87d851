"""The core's methods, registered through the same hooks a plugin uses.

Each hook imports its catalogue when it runs, so building the registry for a command that needs
only report formats never imports the numerics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vises.contract.hookspecs import hookimpl

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import AggregatorSpec, ImputerSpec, NormaliserSpec, TreatmentSpec


@hookimpl
def vises_register_normalisers() -> list[NormaliserSpec]:
    from vises.methods.normalise import NORMALISERS

    return list(NORMALISERS.values())


@hookimpl
def vises_register_aggregators() -> list[AggregatorSpec]:
    from vises.methods.aggregate import AGGREGATORS

    return list(AGGREGATORS.values())


@hookimpl
def vises_register_treatments() -> list[TreatmentSpec]:
    from vises.methods.treat import TREATMENTS

    return list(TREATMENTS.values())


@hookimpl
def vises_register_imputers() -> list[ImputerSpec]:
    from vises.methods.impute import IMPUTERS
    from vises.methods.impute_panel import PANEL_IMPUTERS

    return [*IMPUTERS.values(), *PANEL_IMPUTERS.values()]
