"""A build spec: the COINr pipeline a COINr table pair does not carry, in a small TOML/YAML/JSON file.

COINr's ``iMeta``/``iData`` describe the framework and the values; the steps of a build
(``Denominate``, ``Impute``, ``Screen``, ``Treat``, ``Normalise``, ``Aggregate``) live in R code. A
build spec states them beside the tables, one table per step, every step optional::

    [denominate]                 # divide by iMeta's Denominator column (COINr's Denominate)
    [impute]                     # any vises imputer, with its parameters
    method = "group_mean"
    group = "EurAsia_group"
    [screen]                     # COINr's Screen: drop units with too little data
    min_availability = 0.9
    [treat]                      # any treatment (COINr's Treat: winsorise, then log_CT)
    method = "winsorise"
    winmax = 5
    [normalise]
    method = "minmax"
    low = 0
    high = 100
    [aggregate]
    method = "arithmetic"

The file is read strictly (one cattrs converter, unknown keys refused with a did-you-mean, every
problem at once). ``apply_build_spec`` turns the methods into the grid's defaults and its
denominators; screening needs scores, so ``vises.analysis.build`` runs it. docs/coinr.md has the
full format and the COINr function each step stands for.
"""

from __future__ import annotations

import os
from typing import Any

import attrs

from vises.errors import ConfigError, GridValidationError, VisesError
from vises.model import Grid, Method, Pooling

PathLike = str | os.PathLike[str]

SPEC_STEPS = ("denominate", "impute", "screen", "treat", "normalise", "aggregate")
SCREEN_BY = ("count", "weight")
SCREEN_ON = ("imputed", "raw")


def _one_of(allowed: tuple[str, ...]) -> Any:
    def check(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
        if value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")

    return check


def _share(_: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a share between 0 and 1, got {value!r}")


@attrs.frozen(kw_only=True)
class Denomination:
    """``[denominate]``: divide indicators by a denominator column of the data (COINr's ``Denominate``).

    Each indicator with a ``Denominator`` in iMeta is divided by it; ``by`` adds or replaces pairs
    ``indicator = "denominator column"``.
    """

    by: dict[str, str] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ScreenRule:
    """``[screen]``: COINr's ``Screen``. A unit (an organisation in a period) is screened out when its
    data availability is below ``min_availability`` (COINr's ``dat_thresh``, default 2/3) or, when
    ``min_nonzero`` is set, its share of non-zero values is below it (``byzeros``).

    ``by``: availability as a share of the applicable indicators (``"count"``, COINr) or of their
    effective weight (``"weight"``). ``on``: count imputed values as available (``"imputed"``, COINr's
    example screens after imputing) or only measured ones (``"raw"``). ``include`` / ``exclude``
    force organisations in or out (COINr's ``Force``), whatever their data.
    """

    min_availability: float = attrs.field(default=2.0 / 3.0, validator=_share)
    by: str = attrs.field(default="count", validator=_one_of(SCREEN_BY))
    on: str = attrs.field(default="imputed", validator=_one_of(SCREEN_ON))
    min_nonzero: float | None = attrs.field(default=None, validator=_share)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class BuildSpec:
    """The steps of a COINr build, each optional; a step left out keeps the grid's own choice."""

    denominate: Denomination | None = None
    impute: Method | None = None
    screen: ScreenRule | None = None
    treat: Method | None = None
    normalise: Method | None = None
    aggregate: Method | None = None
    pooling: Pooling | None = None


def build_spec_from(data: Any, *, file: str | None = None) -> BuildSpec:
    """A ``BuildSpec`` from plain data (a parsed file or a dict); every problem at once."""
    from vises.io.converter import converter, structure_or_raise

    # The grid files' converter: the same strict scalars, method tables and enums.
    return structure_or_raise(converter(), data, BuildSpec, file=file, what="build spec")


def read_build_spec(path: PathLike) -> BuildSpec:
    """Read a build spec file (``.toml``, ``.yaml``/``.yml`` or ``.json``, by suffix)."""
    return build_spec_from(read_document(path, "build spec") or {}, file=str(path))


def read_document(path: PathLike, what: str) -> Any:
    """The plain data of a TOML/YAML/JSON file (by suffix), with ``what`` naming it in errors
    (the one document reader: line and column in errors, bounded work, the file noted as read)."""
    from vises.io.documents import read_document as read

    return read(path, what=f"{what} file")


def read_choices(path: PathLike) -> dict[str, Any]:
    """The uncertain choices of a sensitivity analysis (``vises sensitivity --choices``): a table
    ``choice = alternatives`` checked by ``vises.analysis.sobol_sensitivity``."""
    data = read_document(path, "choices")
    if not isinstance(data, dict):
        raise ConfigError("a choices file must hold a table choice = alternatives", file=str(path))
    return data


def _denominators(grid: Grid, denomination: Denomination) -> tuple[dict[str, str], list[VisesError]]:
    """Indicator -> denominator column: iMeta's ``Denominator`` (kept as a tag) and ``by``."""
    codes = {ind.code for ind in grid.indicators}
    pairs: dict[str, str] = {}
    for ind in grid.indicators:
        tagged = [tag.split(":", 1)[1] for tag in ind.tags if tag.startswith("denominator:")]
        if ind.denominator:
            pairs[ind.code] = ind.denominator
        elif tagged:
            pairs[ind.code] = tagged[0]
    problems: list[VisesError] = [
        ConfigError(f"{code!r} is not an indicator of grid {grid.code!r}", path=f"denominate.by.{code}")
        for code in denomination.by
        if code not in codes
    ]
    pairs.update({code: column for code, column in denomination.by.items() if code in codes})
    if not pairs and not problems:
        problems.append(
            ConfigError(
                f"the spec asks to denominate, but grid {grid.code!r} names no denominator",
                path="denominate",
                hint='fill iMeta\'s Denominator column, or give pairs: [denominate.by] indicator = "column"',
            )
        )
    return pairs, problems


def apply_build_spec(grid: Grid, spec: BuildSpec, *, file: str | None = None) -> Grid:
    """The grid with the spec's steps: its denominators set, its default methods replaced.

    The methods become the grid's defaults, as COINr's ``global_specs``; a method the grid sets on
    one node or indicator stays (there is none in a grid read from iMeta).
    """
    defaults = grid.defaults
    indicators = grid.indicators
    problems: list[VisesError] = []
    if spec.denominate is not None:
        pairs, problems = _denominators(grid, spec.denominate)
        indicators = tuple(attrs.evolve(ind, denominator=pairs.get(ind.code, ind.denominator)) for ind in indicators)
    if problems:
        raise GridValidationError([p.with_context(file=file) for p in problems], what="build spec")
    changes: dict[str, Any] = {}
    if spec.impute is not None:
        changes["imputation"] = None if spec.impute.name == "none" and not spec.impute.params else spec.impute
    if spec.treat is not None:
        changes["treatment"] = None if spec.treat.name == "none" and not spec.treat.params else spec.treat
    if spec.normalise is not None:
        changes["normaliser"] = spec.normalise
    if spec.aggregate is not None:
        changes["aggregator"] = spec.aggregate
    if spec.pooling is not None:
        changes["pooling"] = spec.pooling
    return attrs.evolve(grid, defaults=attrs.evolve(defaults, **changes), indicators=indicators)


__all__ = [
    "SCREEN_BY",
    "SCREEN_ON",
    "SPEC_STEPS",
    "BuildSpec",
    "Denomination",
    "ScreenRule",
    "apply_build_spec",
    "build_spec_from",
    "read_build_spec",
    "read_choices",
    "read_document",
]
