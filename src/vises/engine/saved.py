"""The round file: a scored round saved so the next one can use its scale.

A federation publishes scores once a year. Fitting the normalisers again on every round makes
last year's published scores move; scoring the new round against the saved one (its fitted
parameters, imputation and outlier treatment included) keeps them where they were. The round
file holds, in one JSON document (``vises-round/1``):

* what was scored: the grid's code and version, the vises version, the methods (provenance);
* the data as it was scored: every scored indicator's column in the indicator's unit (level
  values as given), not-applicable rows, denominator columns and the row attributes (not names);
* how it was scored: the fitted parameters of every normaliser, imputer and treatment;
* what came out: every node's score for every row, and which cells were imputed.

Floats are written as the shortest text that reads back to the same float, so a round file
read back reproduces its scores bit for bit; a non-finite number inside fitted parameters is
written ``{"$float": "nan"}`` (JSON has no NaN). ``read_round`` checks the document before it is
trusted: a damaged file is a ``ConfigError`` naming the file and the key.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.errors import ConfigError, VisesError
from vises.model import Column, Dataset, Kind

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

ROUND_FORMAT = "vises-round/1"
_FLOAT_TAG = "$float"


def _encode(value: Any) -> Any:
    """Plain JSON data: numpy unwrapped, tuples as lists, non-finite floats tagged."""
    if isinstance(value, Mapping):
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, np.ndarray):
        return [_encode(item) for item in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {_FLOAT_TAG: "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "value"):  # enums
        return _encode(value.value)
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_FLOAT_TAG}:
            return float(value[_FLOAT_TAG])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def _numbers(column: np.ndarray) -> list[float | None]:
    return [None if x != x else x for x in np.asarray(column, dtype=np.float64).tolist()]


def _rows(mask: np.ndarray | None) -> list[int]:
    return [] if mask is None else np.flatnonzero(np.asarray(mask, dtype=bool)).tolist()


@attrs.frozen(kw_only=True, eq=False)
class SavedRound:
    """A round read back from its file: usable as ``reference=`` wherever earlier ``Results`` are.

    ``scores`` is the (rows × codes) matrix the round published; ``dataset()`` gives back the data
    as it was scored, so ``vises.score(grid, saved.dataset(), reference=saved)`` reproduces it.
    """

    name: str | None
    grid_code: str
    grid_version: str
    vises_version: str
    created: str
    provenance: Mapping[str, Any]
    fitted: Mapping[str, Any]
    fitted_imputation: Mapping[str, Any]
    fitted_treatment: Mapping[str, Any]
    organisations: np.ndarray
    periods: np.ndarray
    codes: tuple[str, ...]
    scores: np.ndarray
    columns: Mapping[str, Column]
    attributes: Mapping[str, np.ndarray]
    imputed: Mapping[str, np.ndarray]
    #: The round this one was scored against (``name``, ``grid_version``, ``created``), if any.
    reference: Mapping[str, Any] | None = None
    sources: tuple[str, ...] = ()
    path: str | None = None

    def __len__(self) -> int:
        return len(self.organisations)

    def __repr__(self) -> str:
        periods = sorted({str(p) for p in self.periods.tolist()})
        return (
            f"<SavedRound {self.name or self.path or ''!r} of grid {self.grid_code!r} version {self.grid_version!r}: "
            f"{len(self)} rows, periods {', '.join(periods)}>"
        )

    @property
    def period_values(self) -> tuple[str, ...]:
        from vises.model.periods import period_index

        return tuple(str(p) for p in period_index(self.periods.astype(str))[0].tolist())

    def score(self, code: str) -> np.ndarray:
        """The published scores of ``code``, one per row."""
        try:
            return self.scores[:, self.codes.index(code)]
        except ValueError:
            raise ConfigError(
                f"{code!r} is not a code of the saved round", file=self.path, hint=f"its codes: {', '.join(self.codes)}"
            ) from None

    def dataset(self) -> Dataset:
        """The data as the round scored it (indicator units, level values as given, no names or texts)."""
        return Dataset(
            organisations=self.organisations,
            periods=self.periods,
            columns=dict(self.columns),
            attributes=dict(self.attributes),
            source=self.path,
        )


def _data_columns(results: Results) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data columns (scored and context indicators) in each indicator's unit, and the denominators."""
    from vises.units import conversion

    grid = results.grid
    dataset = results.dataset
    columns: dict[str, Any] = {}
    denominators = {ind.denominator for ind in grid.scored_indicators if ind.denominator}
    # Every column the data gave: scored and context indicators (a rate's or a formula's inputs);
    # derived indicators are computed again from them.
    for indicator in (ind for ind in grid.measured_indicators if not ind.derived):
        column = dataset.columns.get(indicator.code)
        if column is None:
            continue
        entry: dict[str, Any] = {"not_applicable": _rows(column.not_applicable)}
        if indicator.kind is Kind.QUANTITY and column.numeric:
            values = np.asarray(column.values, dtype=np.float64)
            if column.unit and indicator.unit and column.unit != indicator.unit:
                factor, offset = conversion(column.unit, indicator.unit, column=indicator.code)
                values = values * factor + offset
            entry.update(unit=indicator.unit, values=_numbers(values))
        else:
            texts = np.asarray(column.values, dtype=object)
            entry["levels"] = [None if v is None or v != v or v == "" else str(v) for v in texts.tolist()]
        columns[indicator.code] = entry
    for name in sorted(denominators):
        column = dataset.columns.get(name)
        if column is not None and column.numeric:
            columns[name] = {"unit": column.unit, "values": _numbers(column.values), "not_applicable": []}
    attributes = {
        name: [None if v is None or v != v else str(v) for v in np.asarray(values, dtype=object).tolist()]
        for name, values in dataset.attributes.items()
        if name != "name"  # names stay in the staff's own files
    }
    return columns, attributes


def round_document(
    results: Results,
    *,
    name: str | None = None,
    reference: Any = None,
    sources: Sequence[str] = (),
) -> dict[str, Any]:
    """The round file's content (plain JSON data) for ``results``."""
    columns, attributes = _data_columns(results)
    provenance = dict(results.provenance)
    previous = None
    if reference is not None and hasattr(reference, "grid_version"):
        previous = {
            "name": getattr(reference, "name", None),
            "grid_version": reference.grid_version,
            "created": getattr(reference, "created", None),
        }
    elif reference is not None and hasattr(reference, "provenance"):
        previous = {
            "grid_version": reference.provenance.get("grid_version"),
            "created": reference.provenance.get("created"),
        }
    return {
        "format": ROUND_FORMAT,
        "name": name,
        "vises_version": provenance.get("vises_version"),
        "created": provenance.get("created"),
        "grid": {"code": results.grid.code, "version": results.grid.version},
        "reference": previous,
        "sources": list(sources),
        "provenance": _encode(provenance),
        "fitted": _encode(results.fitted),
        "fitted_imputation": _encode(results.fitted_imputation),
        "fitted_treatment": _encode(results.fitted_treatment),
        "rows": {"organisation": results.organisations.tolist(), "period": results.periods.tolist()},
        "data": {"columns": columns, "attributes": attributes},
        "results": {
            "codes": list(results.codes),
            "scores": {code: _numbers(results.score(code)) for code in results.codes},
            "imputed": {code: _rows(results.imputed(code)) for code in results.codes if results.is_indicator(code)},
        },
    }


def round_text(results: Results, **details: Any) -> str:
    """The round file as compact JSON text (a round of many rows stays a file of a few bytes per cell)."""
    document = round_document(results, **details)
    return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def save_round(
    results: Results,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    reference: Any = None,
    sources: Sequence[str] = (),
) -> Path:
    """Write the round file of ``results`` to ``path`` (atomically) and return the path."""
    from vises.io.atomic import write_chunks_atomic

    target = Path(path)
    write_chunks_atomic(target, [round_text(results, name=name, reference=reference, sources=sources)])
    return target


class _Reader:
    """Reads one checked piece of the document at a time; every problem names its key."""

    def __init__(self, data: Mapping[str, Any], file: str) -> None:
        self.data, self.file = data, file
        self.problems: list[VisesError] = []

    def bad(self, key: str, what: str) -> None:
        self.problems.append(
            ConfigError(
                f"the round file is damaged: {what}",
                file=self.file,
                path=key,
                hint="use the round file vises wrote, unchanged",
            )
        )

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, *, required: bool = True) -> Any:
        if key not in self.data:
            if required:
                self.bad(key, "the key is missing")
            return default
        value = self.data[key]
        if not isinstance(value, kind):
            self.bad(key, f"expected {getattr(kind, '__name__', 'another kind of value')}, got {type(value).__name__}")
            return default
        return value


def _float_list(values: Any, n: int, key: str, reader: _Reader) -> np.ndarray | None:
    if not isinstance(values, list) or len(values) != n:
        reader.bad(key, f"expected a list of {n} numbers")
        return None
    if any(v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))) for v in values):
        reader.bad(key, "expected numbers or null")
        return None
    return np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)


def _row_mask(values: Any, n: int, key: str, reader: _Reader) -> np.ndarray | None:
    if not isinstance(values, list) or any(
        isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < n for v in values
    ):
        reader.bad(key, f"expected a list of row numbers from 0 to {n - 1}")
        return None
    mask = np.zeros(n, dtype=bool)
    mask[values] = True
    return mask


def read_round(path: str | os.PathLike[str]) -> SavedRound:
    """Read a round file written by ``save_round``; a damaged or foreign file is a ``ConfigError``."""
    from vises.errors import ValidationError
    from vises.io.documents import read_document

    file = str(path)
    data = read_document(path, what="round file")
    if not isinstance(data, Mapping) or data.get("format") != ROUND_FORMAT:
        found = data.get("format") if isinstance(data, Mapping) else None
        raise ConfigError(
            f"not a vises round file (format {found!r}, expected {ROUND_FORMAT!r})",
            file=file,
            hint="give the round file 'vises round' wrote (round-<period>.json)",
        )
    reader = _Reader(data, file)
    grid = reader.get("grid", dict, {})
    rows = reader.get("rows", dict, {})
    organisations = rows.get("organisation") if isinstance(rows, dict) else None
    periods = rows.get("period") if isinstance(rows, dict) else None
    if not isinstance(organisations, list) or not isinstance(periods, list) or len(organisations) != len(periods):
        reader.bad("rows", "expected lists 'organisation' and 'period' of the same length")
        organisations, periods = [], []
    n = len(organisations)
    results = reader.get("results", dict, {})
    codes = results.get("codes", [])
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        reader.bad("results.codes", "expected a list of codes")
        codes = []
    scores = np.empty((n, len(codes)), dtype=np.float64, order="F")
    given = results.get("scores", {})
    for position, code in enumerate(codes):
        column = _float_list(given.get(code) if isinstance(given, dict) else None, n, f"results.scores.{code}", reader)
        if column is not None:
            scores[:, position] = column
    imputed: dict[str, np.ndarray] = {}
    for code, rows_of in (results.get("imputed") or {}).items():
        mask = _row_mask(rows_of, n, f"results.imputed.{code}", reader)
        if mask is not None:
            imputed[code] = mask
    data_part = reader.get("data", dict, {})
    columns: dict[str, Column] = {}
    for code, entry in (data_part.get("columns") or {}).items():
        key = f"data.columns.{code}"
        if not isinstance(entry, dict):
            reader.bad(key, "expected a table")
            continue
        na = _row_mask(entry.get("not_applicable", []), n, f"{key}.not_applicable", reader)
        if "levels" in entry:
            levels = entry["levels"]
            if (
                not isinstance(levels, list)
                or len(levels) != n
                or not all(v is None or isinstance(v, str) for v in levels)
            ):
                reader.bad(f"{key}.levels", f"expected a list of {n} level values or null")
                continue
            values = np.empty(n, dtype=object)
            values[:] = levels
            columns[code] = Column(values=values, not_applicable=na if na is not None and na.any() else None)
            continue
        numbers = _float_list(entry.get("values"), n, f"{key}.values", reader)
        unit = entry.get("unit")
        if numbers is not None:
            columns[code] = Column(
                values=numbers,
                unit=unit if isinstance(unit, str) else None,
                not_applicable=na if na is not None and na.any() else None,
            )
    attributes: dict[str, np.ndarray] = {}
    for name, values in (data_part.get("attributes") or {}).items():
        if not isinstance(values, list) or len(values) != n:
            reader.bad(f"data.attributes.{name}", f"expected a list of {n} values")
            continue
        column = np.empty(n, dtype=object)
        column[:] = values
        attributes[name] = column
    fitted = reader.get("fitted", dict, {})
    fitted_imputation = reader.get("fitted_imputation", dict, {}, required=False)
    fitted_treatment = reader.get("fitted_treatment", dict, {}, required=False)
    provenance = reader.get("provenance", dict, {})
    if reader.problems:
        raise ValidationError(reader.problems, what=f"round file {file!r}")
    organisation_array = np.empty(n, dtype=object)
    organisation_array[:] = [str(o) for o in organisations]
    period_array = np.empty(n, dtype=object)
    period_array[:] = [str(p) for p in periods]
    scores.flags.writeable = False
    return SavedRound(
        name=data.get("name") if isinstance(data.get("name"), str) else None,
        grid_code=str(grid.get("code", "")),
        grid_version=str(grid.get("version", "")),
        vises_version=str(data.get("vises_version") or ""),
        created=str(data.get("created") or ""),
        provenance=_decode(provenance),
        fitted=_decode(fitted),
        fitted_imputation=_decode(fitted_imputation),
        fitted_treatment=_decode(fitted_treatment),
        organisations=organisation_array,
        periods=period_array,
        codes=tuple(codes),
        scores=scores,
        columns=columns,
        attributes=attributes,
        imputed=imputed,
        reference=data.get("reference") if isinstance(data.get("reference"), dict) else None,
        sources=tuple(str(s) for s in data.get("sources") or ()),
        path=file,
    )


__all__ = ["ROUND_FORMAT", "SavedRound", "read_round", "round_document", "round_text", "save_round"]
