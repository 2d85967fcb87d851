"""The frozen records that plugins return from registration hooks.

Each hook returns an iterable of these; the plugin manager attributes every record to the plugin
that returned it and namespaces its key (``wallonie.cisp``). The core's own methods and formats are
records of the same kinds, returned by the core's own hook implementations.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .model import Dataset, Grid, Indicator


@attrs.frozen(kw_only=True)
class FitContext:
    """What a normaliser may look at besides the values when it fits its parameters.

    ``organisations`` and ``periods`` are aligned with the values being fitted (for a reference
    organisation); ``indicator`` gives its declared range, levels and target.
    """

    indicator: Indicator
    organisations: np.ndarray
    periods: np.ndarray


class FitFunction(Protocol):
    def __call__(self, values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]: ...


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
    apply: ApplyFunction
    output_range: Callable[[Mapping[str, Any]], tuple[float | None, float | None]]
    data_dependent: bool = True
    #: Kinds of indicator the method accepts (values of ``vises.model.Kind``).
    kinds: tuple[str, ...] = ("quantity",)
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
    """A named set of weights for a grid: ``weights`` maps node or indicator codes to new weights."""

    code: str
    grid: str
    weights: dict[str, float]
    label: dict[str, str] = attrs.field(factory=dict)
    description: dict[str, str] = attrs.field(factory=dict)
    plugin: str | None = None


@attrs.frozen(kw_only=True)
class Reader:
    """Reads a dataset from a file; chosen by file suffix (``.csv``, ``.xlsx``)."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[..., Dataset]
    summary: str = ""
    plugin: str | None = None


@attrs.frozen(kw_only=True)
class ReportFormat:
    """Renders results. ``render(results, *, lang, view, options)`` returns ``str`` or ``bytes``."""

    name: str
    suffix: str
    render: Callable[..., str | bytes]
    binary: bool = False
    summary: str = ""
    plugin: str | None = None


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
    label: dict[str, str] = attrs.field(factory=dict)
    source: str = ""
    year: int | None = None
    plugin: str | None = None
