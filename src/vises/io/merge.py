"""Put several datasets together: the submissions of a round become one dataset, with checks.

Rows are concatenated in the order given. A column some inputs lack is missing for their rows
(the union of the columns). A column in different units is converted once per input to the unit
of the grid's indicator (without a grid: of the first input that gives one), through pint, a
whole column at a time. Nothing is merged silently that does not fit: the same organisation and
period in two inputs, a column that is numbers in one input and levels in another, units that do
not convert, two different portraits of one organisation are all problems, each naming the inputs
(their files), and raised together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vises.errors import DataError, DataValidationError, UnitError, VisesError
from vises.model import Column, Dataset, Evidence, Grid
from vises.model.evidence import FIELDS
from vises.units import conversion


def _name(dataset: Dataset, index: int) -> str:
    return dataset.source or f"input {index + 1}"


def merge_data(datasets: Sequence[Dataset], *, grid: Grid | None = None) -> Dataset:
    """One dataset from ``datasets`` (see the module docstring); raises ``DataValidationError``."""
    if not datasets:
        raise DataError("nothing to merge", hint="give at least one dataset")
    problems: list[VisesError] = []
    problems += _duplicates(datasets)
    indicators = {ind.code: ind for ind in grid.indicators} if grid is not None else {}
    codes = _ordered(code for dataset in datasets for code in dataset.columns)
    columns: dict[str, Column] = {}
    for code in codes:
        merged, found = _merge_column(code, datasets, indicators.get(code))
        problems += found
        if merged is not None:
            columns[code] = merged
    text = {
        key: _concatenate([dataset.text.get(key) for dataset in datasets], datasets)
        for key in _ordered(key for dataset in datasets for key in dataset.text)
    }
    attributes = {
        key: _concatenate([dataset.attributes.get(key) for dataset in datasets], datasets)
        for key in _ordered(key for dataset in datasets for key in dataset.attributes)
    }
    profiles: dict[str, Any] = {}
    where: dict[str, str] = {}
    for index, dataset in enumerate(datasets):
        for code, profile in dataset.organisation_profiles.items():
            if code in profiles and profiles[code] != profile:
                problems.append(
                    DataError(
                        f"organisation {code!r} is described differently in {where[code]} and {_name(dataset, index)}",
                        hint="keep one portrait of each organisation (name, family, region, size)",
                    )
                )
                continue
            profiles[code], where[code] = profile, _name(dataset, index)
    if problems:
        raise DataValidationError(problems, what=f"the merge of {len(datasets)} datasets")
    evidence = {code: _merge_evidence(code, datasets) for code in _ordered(c for d in datasets for c in d.evidence)}
    return Dataset(
        organisations=_concatenate([dataset.organisations for dataset in datasets], datasets, fill=""),
        periods=_concatenate([dataset.periods for dataset in datasets], datasets, fill=""),
        columns=columns,
        text=text,
        attributes=attributes,
        organisation_profiles=profiles,
        evaluations=tuple(evaluation for dataset in datasets for evaluation in dataset.evaluations),
        source=None,
        read_problems=tuple(problem for dataset in datasets for problem in dataset.read_problems),
        evidence=evidence,
        ignored=_ordered(name for dataset in datasets for name in dataset.ignored),
        key_dtypes=_common_dtypes(datasets),
    )


def _merge_evidence(code: str, datasets: Sequence[Dataset]) -> Evidence:
    """The evidence of ``code`` over every input (unknown for the rows of an input that gives none)."""
    fields: dict[str, np.ndarray | None] = {}
    for name in FIELDS:
        parts = [getattr(dataset.evidence.get(code), name, None) for dataset in datasets]
        if all(part is None for part in parts):
            fields[name] = None
        elif name in ("n", "sd"):
            fields[name] = np.concatenate(
                [
                    np.full(len(d), np.nan) if p is None else np.asarray(p, dtype=np.float64)
                    for p, d in zip(parts, datasets, strict=True)
                ]
            )
        else:
            fields[name] = _concatenate(parts, datasets)
    statistics = {d.evidence[code].statistic for d in datasets if code in d.evidence}
    return Evidence(**fields, statistic=statistics.pop() if len(statistics) == 1 else None)


def _common_dtypes(datasets: Sequence[Dataset]) -> dict[str, str]:
    """The key dtypes every input agrees on (a key typed differently by two inputs is left untyped)."""
    out: dict[str, str] = {}
    for key in {key for dataset in datasets for key in dataset.key_dtypes}:
        found = {dataset.key_dtypes.get(key) for dataset in datasets}
        if len(found) == 1 and None not in found:
            out[key] = str(found.pop())
    return out


def _ordered(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


def _duplicates(datasets: Sequence[Dataset]) -> list[VisesError]:
    """The same organisation × period in two inputs (each input's own duplicates are validation's)."""
    seen: dict[tuple[str, str], int] = {}
    problems: list[VisesError] = []
    for index, dataset in enumerate(datasets):
        keys = set(zip(map(str, dataset.organisations.tolist()), map(str, dataset.periods.tolist()), strict=True))
        for key in sorted(keys):
            if key in seen:
                first = datasets[seen[key]]
                problems.append(
                    DataError(
                        f"organisation {key[0]!r}, period {key[1]!r} is in {_name(first, seen[key])} and in "
                        f"{_name(dataset, index)}",
                        hint="keep one submission per organisation and period (remove the older one)",
                    )
                )
            else:
                seen[key] = index
    return problems


def _concatenate(parts: list[np.ndarray | None], datasets: Sequence[Dataset], fill: Any = None) -> np.ndarray:
    out = []
    for part, dataset in zip(parts, datasets, strict=True):
        if part is None:
            block = np.empty(len(dataset), dtype=object)
            block[:] = fill
            out.append(block)
        else:
            out.append(np.asarray(part, dtype=object))
    return np.concatenate(out) if out else np.empty(0, dtype=object)


def _merge_column(code: str, datasets: Sequence[Dataset], indicator: Any) -> tuple[Column | None, list[VisesError]]:
    present = [(index, dataset.columns[code]) for index, dataset in enumerate(datasets) if code in dataset.columns]
    numeric = {column.numeric for _, column in present}
    problems: list[VisesError] = []
    if len(numeric) > 1:
        numbers = [_name(datasets[i], i) for i, column in present if column.numeric]
        levels = [_name(datasets[i], i) for i, column in present if not column.numeric]
        problems.append(
            DataError(
                f"column {code!r} holds numbers in {', '.join(numbers)} but levels or text in {', '.join(levels)}",
                column=code,
                hint="give the column the same kind of values in every file",
            )
        )
        return None, problems
    if numeric == {True}:
        return _merge_numbers(code, datasets, present, indicator)
    values = []
    masks = []
    for dataset in datasets:
        column = dataset.columns.get(code)
        if column is None:
            block = np.empty(len(dataset), dtype=object)
            block[:] = None
            values.append(block)
            masks.append(np.zeros(len(dataset), dtype=bool))
        else:
            values.append(np.asarray(column.values, dtype=object))
            masks.append(_mask(column, len(dataset)))
    mask = np.concatenate(masks)
    return Column(values=np.concatenate(values), not_applicable=mask if mask.any() else None), problems


def _mask(column: Column, n: int) -> np.ndarray:
    return column.not_applicable if column.not_applicable is not None else np.zeros(n, dtype=bool)


def _merge_numbers(
    code: str, datasets: Sequence[Dataset], present: list[tuple[int, Column]], indicator: Any
) -> tuple[Column | None, list[VisesError]]:
    """Numbers in one unit: the indicator's, else the first unit given; converted once per input."""
    if indicator is not None and indicator.is_number:
        target = indicator.unit
    else:
        target = next((column.unit for _, column in present if column.unit), None)
    problems: list[VisesError] = []
    values = []
    masks = []
    for index, dataset in enumerate(datasets):
        column = dataset.columns.get(code)
        if column is None:
            values.append(np.full(len(dataset), np.nan))
            masks.append(np.zeros(len(dataset), dtype=bool))
            continue
        numbers = np.asarray(column.values, dtype=np.float64)
        if column.unit is None and target is not None and indicator is None:
            problems.append(
                DataError(
                    f"column {code!r} has no unit in {_name(dataset, index)} but {target!r} elsewhere",
                    file=dataset.source,
                    column=code,
                    hint="give the unit in every file (in the header, 'code [unit]', or in a units row)",
                )
            )
        elif column.unit is not None and target is not None and column.unit != target:
            try:
                factor, offset = conversion(column.unit, target, column=code)
            except UnitError as exc:
                problems.append(exc.with_context(file=dataset.source))
            else:
                numbers = numbers * factor + offset
        values.append(numbers)
        masks.append(_mask(column, len(dataset)))
    mask = np.concatenate(masks)
    return Column(values=np.concatenate(values), unit=target, not_applicable=mask if mask.any() else None), problems


__all__ = ["merge_data"]
