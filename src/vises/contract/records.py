"""The frozen records that plugins return from registration hooks.

Each hook returns an iterable of these; the plugin manager attributes every record to the plugin
that returned it and namespaces its key (``wallonie.cisp``). The core's own methods and formats are
records of the same kinds, returned by the core's own hook implementations.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from vises.contract.frozen import frozen_map

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import numpy as np

    from vises.engine.results import Results
    from vises.model import Dataset, Grid, Indicator


@attrs.frozen(kw_only=True, eq=False)
class FitContext:
    """What a normaliser may look at besides the values when it fits its parameters.

    ``organisations`` and ``periods`` are aligned with the values being fitted (for a reference
    organisation); ``indicator`` gives its declared range, levels and target. It holds arrays, so
    it compares and hashes by identity.
    """

    indicator: Indicator
    organisations: np.ndarray
    periods: np.ndarray


class FitFunction(Protocol):
    def __call__(
        self, values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext
    ) -> dict[str, Any]: ...


class ApplyFunction(Protocol):
    def __call__(self, values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray: ...


@attrs.frozen(kw_only=True)
class NormaliserSpec:
    """A normalisation method, split into *fit* (parameters from data or the grid) and *apply*.

    ``fit(values, direction=+1|-1, params=..., context=...)`` returns a plain dict of fitted
    parameters (JSON-serialisable, recorded in the results so a score can be traced and an
    organisation scored later against the same parameters). ``apply(values, fitted)`` maps a whole
    column at once; ``NaN`` stays ``NaN``. ``output_range(params)`` gives the guaranteed range of the
    result (``None`` bounds when unbounded), which the grid validator uses to refuse, say, a
    geometric mean over scores that can be 0. ``data_dependent`` is false when ``fit`` only reads
    ``params`` (fixed goalposts), so one organisation can be scored alone.
    """

    name: str
    fit: FitFunction
    #: Called positionally: ``apply(values, fitted)``.
    apply: Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]
    output_range: Callable[[Mapping[str, Any]], tuple[float | None, float | None]]
    data_dependent: bool = True
    #: Kinds of indicator the method accepts (values of ``vises.model.Kind``).
    kinds: tuple[str, ...] = ("quantity",)
    summary: str = ""
    plugin: str | None = None


class TreatFitFunction(Protocol):
    def __call__(self, values: np.ndarray, *, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]: ...


class ParamCheck(Protocol):
    def __call__(self, params: Mapping[str, Any]) -> dict[str, Any]: ...


@attrs.frozen(kw_only=True)
class TreatmentSpec:
    """An outlier treatment, split like a normaliser into *fit* (bounds, transform) and *apply*.

    ``fit(values, params=..., context=...)`` decides what to do from the present values (``NaN`` =
    missing) and returns a JSON-serialisable dict that says what was done (bounds, points
    winsorised, a fallback transform), kept in ``Results.fitted_treatment``; ``apply(values,
    fitted)`` maps a whole column (``NaN`` stays ``NaN``), so a reference's bounds can treat new
    data. ``check(params)`` validates parameters without data (a ``MethodError`` naming each
    problem) and returns them with defaults; ``monotone`` promises that the order of values is kept.
    """

    name: str
    fit: TreatFitFunction
    apply: ApplyFunction
    check: ParamCheck
    monotone: bool = True
    summary: str = ""
    plugin: str | None = None


@attrs.frozen(kw_only=True, eq=False)
class ImputeContext:
    """What an imputer may look at besides the column: who and when each row is, and row attributes.

    Every array is aligned with the values; ``attributes`` are the dataset's per-row descriptors
    (``family``, ``region``) for imputing within peer groups. ``siblings`` holds the values, before
    imputation, of the other scored indicators of the same node, with ``sibling_directions`` (+1 or
    -1 each), for imputing within a row. Compared and hashed by identity.
    """

    indicator: Indicator
    organisations: np.ndarray
    periods: np.ndarray
    attributes: Mapping[str, np.ndarray]
    siblings: Mapping[str, np.ndarray] = attrs.field(factory=dict)
    sibling_directions: Mapping[str, int] = attrs.field(factory=dict)


class ImputeFitFunction(Protocol):
    def __call__(self, values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext) -> dict[str, Any]: ...


class ImputeApplyFunction(Protocol):
    def __call__(self, values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray: ...


@attrs.frozen(kw_only=True)
class ImputerSpec:
    """A way of filling missing values, split into *fit* (means, medians, per period or group) and *apply*.

    ``fit(values, params=..., context=...)`` returns a JSON-serialisable dict (kept in
    ``Results.fitted_imputation``); ``apply(values, fitted, context=...)`` returns a candidate value
    for every row (``NaN`` where it has none). The engine, not the imputer, decides which cells
    take it: only missing ones, never a present value and never a "not applicable" cell, and every
    filled cell is flagged (``Results.imputed``). ``check(params)`` validates parameters without data.
    ``attribute_param`` names the parameter that holds a dataset attribute (``group``), so
    validation can check the attribute exists.
    """

    name: str
    fit: ImputeFitFunction
    apply: ImputeApplyFunction
    check: ParamCheck
    attribute_param: str | None = None
    summary: str = ""
    plugin: str | None = None


class AggregateFunction(Protocol):
    def __call__(
        self,
        scores: np.ndarray,
        weights: np.ndarray,
        *,
        params: Mapping[str, Any],
        groups: np.ndarray | None,
    ) -> np.ndarray: ...


@attrs.frozen(kw_only=True)
class AggregatorSpec:
    """An aggregation method over the children of one node.

    ``aggregate(scores, weights, params=..., groups=...)`` gets an ``(n, k)`` float64 matrix of the
    children's scores (``NaN`` = missing) and ``k`` non-negative weights, and returns ``n`` scores;
    weights are renormalised over the children present in each row, and a row with no child present
    gives ``NaN``. ``groups`` (an integer code per row, one per period) is given to methods that
    compare organisations with each other (``across_rows``), such as Copeland.
    ``requires_positive`` means every input must be > 0 (geometric and harmonic means);
    ``monotone`` means improving a child never lowers the result.
    """

    name: str
    aggregate: AggregateFunction
    monotone: bool = True
    requires_positive: bool = False
    across_rows: bool = False
    #: Whether ``effective weight × child score`` adds up to the node's score (arithmetic mean).
    additive: bool = False
    summary: str = ""
    plugin: str | None = None


@attrs.frozen(kw_only=True)
class Weighting:
    """A named set of weights for a grid: ``weights`` maps node or indicator codes to new weights.

    The mappings are stored read-only (any mapping given becomes a ``FrozenMap``), so a registered
    weighting cannot be changed through the record and the record hashes.
    """

    code: str
    grid: str
    weights: Mapping[str, float] = attrs.field(converter=frozen_map)
    label: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_map)
    description: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_map)
    plugin: str | None = None


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class ReadRequest:
    """What a reader is asked for besides the file: the grid to read against, and how to find one.

    A frozen record rather than keyword arguments, so that a new option reaches every reader
    without breaking the readers plugins already ship. ``grid`` is the grid the caller scores on
    (``None``: the file may name its own, e.g. a template); ``resolve_grid`` turns a grid code
    into a ``Grid`` (the registry's lookup, given by the caller so a reader never reaches up to
    the plugin host); ``attributes`` are extra columns the caller declares as row descriptors
    (kept in ``Dataset.attributes`` whatever the grid) and ``ignore`` columns to leave out on
    purpose (named in ``Dataset.ignored``). A reader that cannot honour them may leave them: the
    caller checks that each declared column was kept or left out as asked.
    """

    grid: Grid | None = None
    resolve_grid: Callable[[str], Grid] | None = None
    attributes: tuple[str, ...] = attrs.field(default=(), converter=_names)
    ignore: tuple[str, ...] = attrs.field(default=(), converter=_names)


class ReadFunction(Protocol):
    def __call__(self, path: Path, request: ReadRequest, /) -> Dataset: ...


@attrs.frozen(kw_only=True)
class Reader:
    """Reads a dataset from a file; chosen by file suffix (``.csv``, ``.xlsx``).

    ``read(path, request)`` gets a ``pathlib.Path`` and a ``ReadRequest`` and returns a ``Dataset``.
    """

    name: str
    suffixes: tuple[str, ...]
    read: ReadFunction
    summary: str = ""
    plugin: str | None = None


@attrs.frozen(kw_only=True)
class ReportRequest:
    """What a report is asked to show: the language, the view, whom and when, format options.

    ``view`` is ``"network"`` (every organisation) or ``"profile"`` (one organisation's page, named
    by ``organisation``); ``period`` narrows to one period; ``language`` ``None`` means the grid's
    first language. ``options`` are the format's own settings (``{"ranks": False, "digits": 2}``).
    """

    language: str | None = None
    view: str = "network"
    organisation: str | None = None
    period: str | None = None
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=frozen_map)


class RenderFunction(Protocol):
    def __call__(self, results: Results, request: ReportRequest, /) -> str | bytes: ...


class StreamFunction(Protocol):
    def __call__(self, results: Results, request: ReportRequest, /) -> Iterable[str | bytes]: ...


@attrs.frozen(kw_only=True)
class ReportFormat:
    """A report format: ``render(results, request)`` returns ``str``, or ``bytes`` when ``binary``.

    ``stream`` (optional) yields the same text — or bytes, for a binary format — in pieces, so a
    large report is written to a file without being held whole in memory; joined, the pieces must
    equal ``render(...)``.
    """

    name: str
    suffix: str
    render: RenderFunction
    binary: bool = False
    summary: str = ""
    plugin: str | None = None
    stream: StreamFunction | None = None


@attrs.frozen(kw_only=True)
class GridSource:
    """A grid contributed by a plugin: either a ``Grid`` object or a grid file to load on demand."""

    code: str
    grid: Grid | None = None
    path: os.PathLike[str] | str | None = None
    summary: str = ""
    plugin: str | None = None


@attrs.frozen(kw_only=True)
class FinancialProxy:
    """A monetary value per unit of outcome, with its source, for SROI value maps."""

    code: str
    value: float
    currency: str
    unit: str
    label: Mapping[str, str] = attrs.field(factory=dict, converter=frozen_map)
    source: str = ""
    year: int | None = None
    plugin: str | None = None
