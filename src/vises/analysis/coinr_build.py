"""A COINr build from its own tables and a build spec: denominate, impute, screen, treat, normalise, aggregate.

``build(grid, data, spec=...)`` is what ``vises score iData.csv --grid iMeta.csv --spec build.toml``
runs. The spec's methods become the grid's defaults and its denominators (``apply_build_spec``);
the data are scored; when the spec screens, the units below the threshold are taken out and the
rest scored again, so treatment and normalisation are fitted on the units kept, as in COINr.
The screening decision, with every unit screened out and why, goes into
``Results.provenance["screening"]`` (and the spec into ``["build_spec"]``): reports and the JSON
output carry it, nothing is dropped silently.

One difference from COINr, said here because it only shows when someone is screened out: COINr
imputes before screening, so the units it then drops still informed the imputed values (a group
mean, say); vises scores the kept units again, imputation included, so only they do.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from vises.analysis.screening import Screening, screen, screened_dataset
from vises.io.coinr_spec import BuildSpec, apply_build_spec, build_spec_from, read_build_spec
from vises.model import Dataset, Grid

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["Build", "build", "load_spec"]


@attrs.frozen(kw_only=True, eq=False)
class Build:
    """What a build gives: the results, the grid as built, the spec, and the screening (if any)."""

    results: Results
    grid: Grid
    spec: BuildSpec
    screening: Screening | None

    @property
    def notes(self) -> list[str]:
        """One line per thing a user must know about the build (units screened out)."""
        if self.screening is None:
            return []
        out = [
            f"screened out {organisation} ({period}): {reason}"
            for organisation, period, reason in self.screening.excluded
        ]
        forced = [
            f"kept {self.screening.organisations[i]} ({self.screening.periods[i]}): {self.screening.reasons[i]}"
            for i in range(len(self.screening))
            if self.screening.included[i] and self.screening.reasons[i] is not None
        ]
        return out + forced


def load_spec(spec: BuildSpec | Mapping[str, Any] | str | os.PathLike[str]) -> BuildSpec:
    """A ``BuildSpec`` as given, from plain data, or from a file."""
    if isinstance(spec, BuildSpec):
        return spec
    if isinstance(spec, Mapping):
        return build_spec_from(spec)
    return read_build_spec(spec)


def _dataset(
    data: Any, grid: Grid, meta: str | os.PathLike[str] | None, attributes: Sequence[str], ignore: Sequence[str]
) -> Dataset:
    from vises.engine.load import load_data
    from vises.io.layout import Declared

    declared = Declared(attributes=tuple(attributes), ignore=tuple(ignore))
    if hasattr(data, "columns") and hasattr(data, "iloc") and "uCode" in data.columns:
        from vises.io.coinr import read_coinr_frame

        return read_coinr_frame(data, grid=grid, meta=meta, declared=declared)
    if meta is not None and not isinstance(data, (Dataset, Mapping)) and Path(data).suffix.lower() == ".csv":
        from vises.io.coinr import is_coinr_data, read_coinr_data

        if is_coinr_data(data):
            return read_coinr_data(data, grid=grid, meta=meta, declared=declared)
    return load_data(data, grid=grid, attributes=attributes, ignore=ignore)


def build(
    grid: Grid | str | os.PathLike[str],
    data: Dataset | str | os.PathLike[str] | Any,
    *,
    spec: BuildSpec | Mapping[str, Any] | str | os.PathLike[str],
    meta: str | os.PathLike[str] | None = None,
    weighting: str | Mapping[str, float] | None = None,
    attributes: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Build:
    """Build and score ``data`` (a file, a DataFrame, COINr's iData included) on ``grid`` (an iMeta
    table, any grid file or a registered name) with the steps of ``spec``.

    ``meta`` is the iMeta table naming iData's group and denominator columns when ``grid`` is not
    that table or ``data`` is a DataFrame (by default an ``iMeta.csv`` beside the data file).
    ``attributes`` and ``ignore`` are ``vises.load_data``'s (columns kept as descriptors, or left out).
    """
    from vises.engine.load import load_grid
    from vises.engine.score import score
    from vises.io.converter import unstructure
    from vises.plugins import get_registry

    chosen = load_spec(spec)
    if meta is None and not isinstance(grid, Grid) and str(grid).lower().endswith(".csv"):
        meta = grid
    built = load_grid(apply_build_spec(load_grid(grid, weighting=weighting), chosen))
    registry = get_registry()
    dataset = _dataset(data, built, meta, attributes, ignore)
    results = score(built, dataset, registry=registry)
    screening = None
    rule = chosen.screen
    if rule is not None:
        screening = screen(
            results,
            min_availability=rule.min_availability,
            by=rule.by,
            imputed=rule.on == "imputed",
            min_nonzero=rule.min_nonzero,
            include=rule.include,
            exclude=rule.exclude,
        )
        recorded = screening.to_provenance()
        names = results.organisation_names()  # before the units screened out leave the data
        for unit in recorded["screened_out"]:
            if unit["organisation"] in names:
                unit["name"] = names[unit["organisation"]]
        if not screening.included.all():
            results = score(built, screened_dataset(dataset, screening), registry=registry)
        results.provenance["screening"] = recorded
    results.provenance["build_spec"] = _plain(unstructure(chosen))
    return Build(results=results, grid=built, spec=chosen, screening=screening)


def _plain(data: Any) -> Any:
    """Tuples as lists and enums as values, so the provenance stays JSON-ready."""
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(value) for value in data]
    return getattr(data, "value", data)
