"""The contracts of plugin code, checked where vises calls it.

A plugin's normaliser, aggregator, treatment, imputer, reader or report format is code vises did
not write. The registry hands out its records with every callable wrapped here, so that an
exception, an attempt to exit the program, or a wrong return (``None``, a scalar, the wrong length,
``NaN`` for a present value, a value outside the declared output range, a ``str`` from a binary
format, a piece of a streamed report that is not ``str``) becomes a ``PluginError`` naming the
plugin, its distribution and the method, e.g. ``plugin 'x' (distribution vises-x 1.0), normaliser
'x.share': apply returned 3 values for 5 rows``.
The engine adds the indicator or node it was scoring.

The checks are whole-array numpy operations (a few passes over the column), never per value.
vises' own records are not wrapped: they are tested by the suite and sit on the hot path.

A ``VisesError`` the plugin raises on purpose (a ``DataError`` for a bad file) keeps its class and
exit code and gets the plugin's name. ``KeyboardInterrupt`` is never caught, so Ctrl-C still
stops the program; every other escape (``SystemExit``, ``GeneratorExit``, ...) is contained.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from vises.contract.records import (
    AggregatorSpec,
    FitContext,
    ImputeContext,
    ImputerSpec,
    NormaliserSpec,
    Reader,
    ReadRequest,
    ReportFormat,
    ReportRequest,
    TreatmentSpec,
)
from vises.errors import PluginError, VisesError

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import numpy as np

    from vises.engine.results import Results
    from vises.model import Dataset

R = TypeVar("R")

#: Relative tolerance on a declared output range (floating-point rounding at the bounds).
RANGE_TOLERANCE = 1e-9


@attrs.frozen(kw_only=True)
class Culprit:
    """Who to blame for one contribution: the plugin, its distribution, and what it contributed."""

    plugin: str
    distribution: str | None = None
    version: str | None = None
    #: ``"normaliser 'x.share'"``
    contribution: str

    def error(self, message: str, *, hint: str | None = None) -> PluginError:
        return PluginError(
            message,
            plugin=self.plugin,
            distribution=self.distribution,
            version=self.version,
            contribution=self.contribution,
            hint=hint,
        )


def describe_escape(exc: BaseException) -> str:
    """How an exception out of plugin code reads in a message."""
    if isinstance(exc, SystemExit):
        return f"SystemExit (sys.exit({exc.code!r})): plugin code must not exit the program"
    if isinstance(exc, VisesError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def call(culprit: Culprit, what: str, function: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Call plugin code; an exception becomes an error naming ``culprit`` (Ctrl-C passes through)."""
    try:
        return function(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except VisesError as exc:
        raise exc.with_context(plugin=culprit.plugin) from exc
    except BaseException as exc:
        raise culprit.error(f"{what} raised {describe_escape(exc)}") from exc


def _type_name(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _column(culprit: Culprit, what: str, out: Any, rows: int) -> np.ndarray:
    """``out`` as a float64 column of ``rows`` values, or the error saying what came back instead."""
    import numpy as np

    if not isinstance(out, np.ndarray):
        raise culprit.error(f"{what} returned {_type_name(out)}, expected a numpy array of {rows} values")
    if out.dtype.kind not in "fiub":
        raise culprit.error(f"{what} returned an array of {out.dtype}, expected numbers")
    if out.ndim != 1:
        raise culprit.error(f"{what} returned an array of shape {out.shape} for {rows} rows, expected ({rows},)")
    if out.shape[0] != rows:
        raise culprit.error(f"{what} returned {out.shape[0]} values for {rows} rows")
    return out.astype(np.float64, copy=False)


def _present(values: Any) -> np.ndarray | None:
    """Where the input has a value (not NaN); ``None`` when it is not a numeric column."""
    import numpy as np

    try:
        return ~np.isnan(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        return None


def _count(mask: np.ndarray) -> int:
    return int(mask.sum())


def _missing_kept(culprit: Culprit, what: str, out: np.ndarray, present: np.ndarray | None) -> None:
    """A present value gives a finite number; a missing one stays missing."""
    if present is None or present.shape != out.shape:
        return
    import numpy as np

    finite = np.isfinite(out)
    lost = present & ~finite
    if lost.any():
        raise culprit.error(
            f"{what} gave NaN or infinity for {_count(lost)} of {_count(present)} present values",
            hint="return a finite number for every value that is not NaN",
        )
    invented = ~present & ~np.isnan(out)
    if invented.any():
        raise culprit.error(
            f"{what} gave a number for {_count(invented)} missing values",
            hint="a missing value (NaN) must stay NaN; imputation is a separate stage",
        )


def _fitted(culprit: Culprit, what: str, out: Any) -> dict[str, Any]:
    """Fitted parameters: a mapping of JSON values (they are kept in the results and written out)."""
    if not isinstance(out, Mapping):
        raise culprit.error(f"{what} returned {_type_name(out)}, expected a dict of fitted parameters")
    fitted = dict(out)
    try:
        json.dumps(fitted, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise culprit.error(
            f"{what} returned parameters that are not plain JSON values ({exc})",
            hint="return numbers, strings, lists and dicts (float(x), not a numpy scalar or array)",
        ) from None
    return fitted


def _params(culprit: Culprit, what: str, out: Any) -> dict[str, Any]:
    if not isinstance(out, Mapping):
        raise culprit.error(f"{what} returned {_type_name(out)}, expected a dict of parameters")
    return dict(out)


class _Fitted(dict[str, Any]):
    """Fitted parameters that remember the output range declared for the parameters they came from."""

    __slots__ = ("declared_range",)

    declared_range: tuple[float | None, float | None] | None


def _output_range(culprit: Culprit, out: Any) -> tuple[float | None, float | None]:
    import math

    ok = isinstance(out, tuple | list) and len(out) == 2
    bounds = list(out) if ok else []
    for bound in bounds:
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int | float) or math.isnan(bound)):
            ok = False
    if not ok:
        raise culprit.error(
            f"output_range returned {out!r}, expected (low, high) with numbers or None",
        )
    low, high = (None if b is None else float(b) for b in bounds)
    if low is not None and high is not None and low > high:
        raise culprit.error(f"output_range returned ({low}, {high}): low is above high")
    return low, high


def _within(culprit: Culprit, what: str, out: np.ndarray, present: np.ndarray | None, bounds: Any) -> None:
    if bounds is None:
        return
    import numpy as np

    low, high = bounds
    given = out[present] if present is not None and present.shape == out.shape else out[~np.isnan(out)]
    if given.size == 0 or (low is None and high is None):
        return
    tolerance = RANGE_TOLERANCE * max(1.0, abs(low or 0.0), abs(high or 0.0))
    smallest, largest = float(given.min()), float(given.max())
    if (low is not None and smallest < low - tolerance) or (high is not None and largest > high + tolerance):
        raise culprit.error(
            f"{what} gave values from {smallest:g} to {largest:g}, outside its declared output range "
            f"[{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}]",
            hint="clip the result, or declare the range it can really reach in output_range",
        )


# -- one guard per kind of record ----------------------------------------------------------------


def guard_normaliser(spec: NormaliserSpec, culprit: Culprit) -> NormaliserSpec:
    fit, apply, output_range = spec.fit, spec.apply, spec.output_range

    def guarded_range(params: Mapping[str, Any]) -> tuple[float | None, float | None]:
        return _output_range(culprit, call(culprit, "output_range", output_range, params))

    def guarded_fit(
        values: np.ndarray, *, direction: int, params: Mapping[str, Any], context: FitContext
    ) -> dict[str, Any]:
        out = call(culprit, "fit", fit, values, direction=direction, params=params, context=context)
        fitted = _Fitted(_fitted(culprit, "fit", out))
        fitted.declared_range = guarded_range(params)
        return fitted

    def guarded_apply(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
        out = _column(culprit, "apply", call(culprit, "apply", apply, values, fitted), len(values))
        present = _present(values)
        _missing_kept(culprit, "apply", out, present)
        _within(culprit, "apply", out, present, getattr(fitted, "declared_range", None))
        return out

    return attrs.evolve(spec, fit=guarded_fit, apply=guarded_apply, output_range=guarded_range)


def guard_aggregator(spec: AggregatorSpec, culprit: Culprit) -> AggregatorSpec:
    aggregate = spec.aggregate

    def guarded_aggregate(
        scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None
    ) -> np.ndarray:
        import numpy as np

        rows = scores.shape[0]
        result = call(culprit, "aggregate", aggregate, scores, weights, params=params, groups=groups)
        out = _column(culprit, "aggregate", result, rows)
        none_present = np.isnan(scores).all(axis=1) if scores.ndim == 2 else np.zeros(rows, dtype=bool)
        lost = ~none_present & ~np.isfinite(out)
        if lost.any():
            raise culprit.error(
                f"aggregate gave NaN or infinity for {_count(lost)} rows that have children present",
                hint="NaN is only for a row with every child missing",
            )
        invented = none_present & ~np.isnan(out)
        if invented.any():
            raise culprit.error(f"aggregate gave a score for {_count(invented)} rows with every child missing")
        return out

    return attrs.evolve(spec, aggregate=guarded_aggregate)


def guard_treatment(spec: TreatmentSpec, culprit: Culprit) -> TreatmentSpec:
    fit, apply, check = spec.fit, spec.apply, spec.check

    def guarded_fit(values: np.ndarray, *, params: Mapping[str, Any], context: FitContext) -> dict[str, Any]:
        return _fitted(culprit, "fit", call(culprit, "fit", fit, values, params=params, context=context))

    def guarded_apply(values: np.ndarray, fitted: Mapping[str, Any]) -> np.ndarray:
        out = _column(culprit, "apply", call(culprit, "apply", apply, values, fitted), len(values))
        _missing_kept(culprit, "apply", out, _present(values))
        return out

    def guarded_check(params: Mapping[str, Any]) -> dict[str, Any]:
        return _params(culprit, "check", call(culprit, "check", check, params))

    return attrs.evolve(spec, fit=guarded_fit, apply=guarded_apply, check=guarded_check)


def guard_imputer(spec: ImputerSpec, culprit: Culprit) -> ImputerSpec:
    fit, apply, check = spec.fit, spec.apply, spec.check

    def guarded_fit(values: np.ndarray, *, params: Mapping[str, Any], context: ImputeContext) -> dict[str, Any]:
        return _fitted(culprit, "fit", call(culprit, "fit", fit, values, params=params, context=context))

    def guarded_apply(values: np.ndarray, fitted: Mapping[str, Any], *, context: ImputeContext) -> np.ndarray:
        # A candidate for every row, NaN where it has none: only the shape and type are the contract.
        return _column(culprit, "apply", call(culprit, "apply", apply, values, fitted, context=context), len(values))

    def guarded_check(params: Mapping[str, Any]) -> dict[str, Any]:
        return _params(culprit, "check", call(culprit, "check", check, params))

    return attrs.evolve(spec, fit=guarded_fit, apply=guarded_apply, check=guarded_check)


def guard_reader(spec: Reader, culprit: Culprit) -> Reader:
    read = spec.read

    def guarded_read(path: Path, request: ReadRequest, /) -> Dataset:
        from vises.model import Dataset

        out = call(culprit, "read", read, path, request)
        if not isinstance(out, Dataset):
            raise culprit.error(f"read returned {_type_name(out)}, expected a vises Dataset")
        return out

    return attrs.evolve(spec, read=guarded_read)


def guard_report_format(spec: ReportFormat, culprit: Culprit) -> ReportFormat:
    render, binary = spec.render, spec.binary
    expected = bytes if binary else str

    def guarded_render(results: Results, request: ReportRequest, /) -> str | bytes:
        out = call(culprit, "render", render, results, request)
        if not isinstance(out, expected):
            raise culprit.error(
                f"render returned {_type_name(out)}, expected {expected.__name__} (binary={binary})",
                hint="a text format returns str; set binary=True on a format that returns bytes",
            )
        return out

    stream = spec.stream
    if stream is None:
        return attrs.evolve(spec, render=guarded_render)

    def guarded_stream(results: Results, request: ReportRequest, /) -> Iterator[str | bytes]:
        """The plugin's pieces, each checked as it comes: an escape mid-way or a piece of the wrong
        type (``str`` for a text format, ``bytes`` for a binary one) is an error naming the plugin
        (so an output written piece by piece is abandoned)."""
        pieces = call(culprit, "stream", stream, results, request)
        if isinstance(pieces, (str, bytes)) or not hasattr(pieces, "__iter__"):
            raise culprit.error(
                f"stream returned {_type_name(pieces)}, expected an iterable of {expected.__name__}",
                hint=f"yield the report's {'bytes' if binary else 'text'} in pieces (a generator), "
                f"or return a list of {expected.__name__}",
            )
        iterator = call(culprit, "stream", iter, pieces)
        try:
            while True:
                try:
                    piece = next(iterator)
                except StopIteration:
                    return
                except KeyboardInterrupt:
                    raise
                except VisesError as exc:
                    raise exc.with_context(plugin=culprit.plugin) from exc
                except BaseException as exc:
                    raise culprit.error(f"stream raised {describe_escape(exc)}") from exc
                if not isinstance(piece, expected):
                    raise culprit.error(
                        f"stream yielded {_type_name(piece)}, expected {expected.__name__}",
                        hint="a text format yields str pieces, a format with binary=True bytes pieces",
                    )
                yield piece
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                call(culprit, "stream", close)

    return attrs.evolve(spec, render=guarded_render, stream=guarded_stream)


#: The callables of each kind of record, checked at registration (each must be callable).
CALLABLES: dict[type, tuple[str, ...]] = {
    NormaliserSpec: ("fit", "apply", "output_range"),
    AggregatorSpec: ("aggregate",),
    TreatmentSpec: ("fit", "apply", "check"),
    ImputerSpec: ("fit", "apply", "check"),
    Reader: ("read",),
    ReportFormat: ("render",),
}

_GUARDS: dict[type, Callable[[Any, Culprit], Any]] = {
    NormaliserSpec: guard_normaliser,
    AggregatorSpec: guard_aggregator,
    TreatmentSpec: guard_treatment,
    ImputerSpec: guard_imputer,
    Reader: guard_reader,
    ReportFormat: guard_report_format,
}


#: Callables a record may leave out (``None``); when given, each must be callable.
OPTIONAL_CALLABLES: dict[type, tuple[str, ...]] = {ReportFormat: ("stream",)}


def not_callable(record: Any) -> list[str]:
    """The fields of ``record`` that should be functions and are not (empty when all are)."""
    kind = type(record)
    names = [*CALLABLES.get(kind, ()), *(n for n in OPTIONAL_CALLABLES.get(kind, ()) if getattr(record, n) is not None)]
    return [
        f"{name} is {_type_name(getattr(record, name))}, not a function"
        for name in names
        if not callable(getattr(record, name))
    ]


def guarded(record: R, culprit: Culprit) -> R:
    """``record`` with every callable wrapped in its contract (records without code unchanged)."""
    guard = _GUARDS.get(type(record))
    return record if guard is None else guard(record, culprit)
