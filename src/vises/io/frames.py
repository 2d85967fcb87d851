"""Build a ``Dataset`` from named columns: where planned columns become typed numpy columns.

The CSV reader (without pyarrow), the xlsx table reader, the DataFrame reader, the mapping reader
and the COINr reader end here; the Arrow readers (``vises.io.arrow_data``) follow the same plan
and the same cell rules (``vises.io.cells``). Not applicable and missing differ on purpose: a not
applicable value leaves the indicator out of the coverage, a missing one counts against it.

A cell that cannot be read is left missing and its problem recorded in ``Dataset.read_problems``,
so validation can list it with everything else in one pass; with ``keep_problems=False`` (the
default of the reading functions) the problems are raised together instead, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from vises.errors import DataError, DataValidationError, VisesError
from vises.io import tokens
from vises.io.cells import (
    Place,
    as_text,
    cell_types,
    check_lengths,
    of_type,
    parse_levels,
    parse_numbers,
    quoted,
    text_cells,
)
from vises.io.layout import (
    ATTRIBUTE_COLUMNS,
    NOTHING,
    ORGANISATION_COLUMNS,
    PERIOD_COLUMNS,
    SINGLE_PERIOD,
    Declared,
    Plan,
    Planned,
    Role,
    comment_target,
    plan_columns,
    split_header,
)
from vises.limits import Limits, current_limits
from vises.model import Column, Dataset, Evidence, Grid

#: The shared words of ``io.tokens``, as sorted tuples.
NOT_APPLICABLE_TOKENS = tuple(sorted(tokens.NA_TOKENS))
MISSING_TOKENS = tuple(sorted(tokens.MISSING_TOKENS))
YES_TOKENS = tuple(sorted(tokens.YES_TOKENS))
NO_TOKENS = tuple(sorted(tokens.NO_TOKENS))


def finish(dataset: Dataset, *, keep_problems: bool) -> Dataset:
    """The reading functions' policy: raise the recorded problems together unless asked to keep them."""
    if dataset.read_problems and not keep_problems:
        what = f"data {dataset.source!r}" if dataset.source else "data"
        raise DataValidationError(dataset.read_problems, what=what)
    return dataset


class NumpyCells:
    """The cell rules on numpy arrays (object arrays of cells, or numeric arrays)."""

    def __init__(self, *, decimal_comma: bool, limits: Limits) -> None:
        self.decimal_comma = decimal_comma
        self.limits = limits

    def identifiers(self, values: Any, place: Place, what: str) -> tuple[np.ndarray, list[VisesError]]:
        text = as_text(values)
        check_lengths(text, place, self.limits)
        problems: list[VisesError] = [place.error(int(i), f"the {what} is empty") for i in np.flatnonzero(text == "")]
        return text, problems

    def text(self, values: Any, place: Place) -> np.ndarray:
        text = as_text(values)
        check_lengths(text, place, self.limits)
        return text_cells(text)

    def numbers(self, values: Any, place: Place, unit: str | None) -> tuple[Column, list[VisesError]]:
        array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
        if array.dtype.kind == "b":
            array = array.astype(object)
        if array.dtype.kind in "fiu":
            numbers = array.astype(np.float64)
            infinite = np.flatnonzero(np.isinf(numbers))
            numbers[infinite] = np.nan
            problems: list[VisesError] = [
                place.error(int(i), "the value is not a finite number", "write a number, or leave the cell empty")
                for i in infinite
            ]
            return Column(values=numbers, unit=unit), problems
        array = array.astype(object, copy=False)
        kinds = cell_types(array)
        floats = of_type(kinds, float)
        if floats.all():  # a spreadsheet's number column: Python floats (NaN where empty)
            numbers = array.astype(np.float64)
            return self.numbers(numbers, place, unit)
        number_cells = of_type(kinds, float, int, np.float64, np.float32, np.int64, np.int32)
        values_out = np.full(len(array), np.nan)
        not_applicable = np.zeros(len(array), dtype=bool)
        problems = []
        if number_cells.any():
            given = array[number_cells].astype(np.float64)
            values_out[number_cells] = np.where(np.isfinite(given), given, np.nan)
            for i in np.flatnonzero(number_cells)[~np.isfinite(given) & ~np.isnan(given)]:
                problems.append(place.error(int(i), "the value is not a finite number", "write a number"))
        text_positions = np.flatnonzero(~(number_cells | of_type(kinds, type(None))))
        if len(text_positions):
            text = as_text(array[text_positions])
            check_lengths(text, _subplace(place, text_positions), self.limits)
            parsed = parse_numbers(text, decimal_comma=self.decimal_comma, place=_subplace(place, text_positions))
            values_out[text_positions] = parsed.values
            if parsed.not_applicable is not None:
                not_applicable[text_positions] = parsed.not_applicable
            problems.extend(parsed.problems)
        return Column(
            values=values_out, unit=unit, not_applicable=not_applicable if not_applicable.any() else None
        ), problems

    def levels(self, values: Any, planned: Planned, place: Place) -> tuple[Column, list[VisesError]]:
        assert planned.indicator is not None
        text = as_text(values)
        check_lengths(text, place, self.limits)
        parsed = parse_levels(text, planned.indicator, place=place)
        return Column(values=parsed.values, not_applicable=parsed.not_applicable), list(parsed.problems)

    def guess(self, values: Any, place: Place, unit: str | None) -> Column | np.ndarray:
        """A column of numbers when every filled cell is one (and one is filled), else its text."""
        array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
        if array.dtype.kind in "fiu":
            return Column(values=array.astype(np.float64), unit=unit)
        column, problems = self.numbers(array, place, unit)
        if problems or not (~np.isnan(column.values)).any():
            return self.text(array, place)
        return column

    def has_values(self, values: Any) -> bool:
        return bool((as_text(values) != "").any())

    def mask(self, values: Any, place: Place) -> tuple[np.ndarray, list[VisesError]]:
        """yes/no cells (in fr/nl/en, or true/false, 1/0) as a mask; an empty cell is no."""
        text = as_text(values)
        lowered = np.asarray([cell.lower() for cell in text.tolist()], dtype=object)
        yes = np.isin(lowered, np.array(YES_TOKENS, dtype=object))
        no = np.isin(lowered, np.array(NO_TOKENS, dtype=object)) | (text == "")
        problems: list[VisesError] = [
            place.error(int(i), f"{quoted(text[i])} is neither yes nor no", "write yes or no")
            for i in np.flatnonzero(~(yes | no))
        ]
        return yes, problems


def _subplace(place: Place, positions: np.ndarray) -> Place:
    """The place of some of a column's cells (their own rows)."""
    return attrs.evolve(place, rows=place.rows[positions] if place.rows is not None else positions + place.first_row)


def assemble(
    plan: Plan,
    columns: Mapping[str, Any],
    cells: Any,
    *,
    n: int,
    file: str | None,
    first_row: int,
    sheet: str | None = None,
    rows: np.ndarray | None = None,
    letters: Sequence[str] | None = None,
    organisations: Any = None,
    periods: Any = None,
    extra_problems: Sequence[VisesError] = (),
    ready: Mapping[str, tuple[Column, list[VisesError]]] | None = None,
) -> Dataset:
    """Convert each planned column with ``cells`` (numpy or Arrow rules) and put the dataset together.

    ``columns`` maps each planned column's header (``Planned.raw``) to its cells; ``rows`` gives the
    spreadsheet row of each data row when they are not consecutive from ``first_row``; ``ready``
    holds number columns the caller has already converted (by header).
    """
    problems: list[VisesError] = [*extra_problems, *plan.problems]

    def place(planned: Planned, indicator: str | None = None) -> Place:
        letter = letters[planned.position] if letters is not None and planned.position < len(letters) else None
        return Place(
            file=file,
            column=planned.name or letter or f"column {planned.position + 1}",
            first_row=first_row,
            rows=rows,
            sheet=sheet,
            indicator=indicator,
        )

    organisation_column = plan.of(Role.ORGANISATION)
    if organisation_column is not None:
        organisation_values, found = cells.identifiers(
            columns[organisation_column.raw], place(organisation_column), "organisation"
        )
        problems += found
    else:
        organisation_values = as_text(organisations)
    period_column = plan.of(Role.PERIOD)
    if period_column is not None:
        period_values, found = cells.identifiers(columns[period_column.raw], place(period_column), "period")
        problems += found
    elif isinstance(periods, str):
        period_values = np.full(n, periods, dtype=object)
    elif periods is not None:
        period_values = as_text(periods)
    else:
        period_values = np.full(n, SINGLE_PERIOD, dtype=object)

    dataset_columns: dict[str, Column] = {}
    text: dict[str, np.ndarray] = {}
    attributes: dict[str, np.ndarray] = {}
    masks: list[tuple[Planned, np.ndarray]] = []
    evidence: dict[str, dict[str, np.ndarray]] = {}
    for planned in plan.columns:
        values = columns.get(planned.raw)
        role = planned.role
        if role in (Role.ORGANISATION, Role.PERIOD, Role.UNKNOWN, Role.IGNORED) or values is None:
            continue
        indicator_code = planned.name if planned.indicator is not None else None
        if role is Role.UNNAMED:
            if cells.has_values(values):
                problems.append(
                    DataError(
                        f"column {planned.position + 1} has values but no name in the header; it was left out",
                        file=file,
                        sheet=sheet,
                        row=plan.header_row,
                        column=place(planned).column if letters is not None else None,
                        hint="write its indicator code (and [unit]) in the header, or delete the column",
                    )
                )
        elif role is Role.TEXT:
            text[planned.key] = cells.text(values, place(planned))
        elif role is Role.ATTRIBUTE:
            attributes[planned.key] = cells.text(values, place(planned))
        elif role is Role.MASK:
            mask, found = cells.mask(values, place(planned))
            masks.append((planned, mask))
            problems += found
        elif role is Role.EVIDENCE:
            assert planned.field is not None
            field, found = evidence_cells(cells, values, planned, place(planned))
            evidence.setdefault(planned.key, {})[planned.field] = field
            problems += found
        elif role is Role.NUMBER:
            if ready is not None and planned.raw in ready:
                column, found = ready[planned.raw]
            else:
                column, found = cells.numbers(values, place(planned, indicator_code), planned.unit)
            dataset_columns[planned.name] = column
            problems += found
        elif role is Role.LEVEL:
            column, found = cells.levels(values, planned, place(planned, indicator_code))
            dataset_columns[planned.name] = column
            problems += found
        else:
            guessed = cells.guess(values, place(planned), planned.unit)
            if isinstance(guessed, Column):
                dataset_columns[planned.name] = guessed
            else:
                text[planned.key] = guessed
    for planned, mask in masks:
        target = dataset_columns.get(planned.key)
        if target is None:
            problems.append(
                DataError(
                    f"column {planned.name!r} marks rows of {planned.key!r}, which is not an indicator column here",
                    file=file,
                    sheet=sheet,
                    column=planned.name,
                    hint="drop the column, or give the indicator's values too",
                )
            )
            continue
        clash = mask & ~target.missing()
        problems += [
            place(planned).error(
                int(i),
                f"{planned.key!r} has a value here but {planned.name!r} says it does not apply",
                "empty one of the two cells",
            )
            for i in np.flatnonzero(clash)
        ]
        dataset_columns[planned.key] = _mark(target, mask)
    return Dataset(
        organisations=organisation_values,
        periods=period_values,
        columns=dataset_columns,
        text=text,
        attributes=attributes,
        source=file,
        read_problems=tuple(problems),
        evidence={
            code: Evidence(n=f.get("n"), source=f.get("source"), verified=f.get("verified"), sd=f.get("sd"))
            for code, f in evidence.items()
        },
        ignored=plan.ignored,
    )


def evidence_cells(cells: Any, values: Any, planned: Planned, place: Place) -> tuple[np.ndarray, list[VisesError]]:
    """One evidence column: ``n``/``sd`` as numbers, ``source`` as one of the sources, ``verified`` yes/no/unknown."""
    field = planned.field
    if field in ("n", "sd"):
        column, found = cells.numbers(values, place, None)
        numbers = np.asarray(column.values, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            negative = np.flatnonzero(numbers < 0)
        what = "a number of answers or records" if field == "n" else "a standard deviation"
        found = [*found, *(place.error(int(i), f"{numbers[i]:g} is not {what} (≥ 0)") for i in negative[:20])]
        if column.not_applicable is not None:
            numbers = np.where(column.not_applicable, np.nan, numbers)
        return numbers, found
    given = np.asarray(cells.text(values, place), dtype=object)
    text = np.where(given == None, "", given).astype(str)  # noqa: E711 - elementwise: an empty cell
    distinct, inverse = np.unique(text, return_inverse=True)
    inverse = inverse.reshape(-1)
    lowered = [cell.strip().casefold() for cell in distinct.tolist()]
    problems: list[VisesError] = []
    if field == "source":
        table = np.array([tokens.SOURCE_TOKENS.get(word) for word in lowered], dtype=object)
        unknown = [i for i, word in enumerate(lowered) if word and table[i] is None]
        allowed = ", ".join(tokens.SOURCE_WORDS)
    else:
        table = np.array(
            [True if word in tokens.YES_TOKENS else False if word in tokens.NO_TOKENS else None for word in lowered],
            dtype=object,
        )
        unknown = [i for i, word in enumerate(lowered) if word and table[i] is None]
        allowed = "yes or no"
    for code in unknown:
        rows = np.flatnonzero(inverse == code)
        for row in rows[:20]:
            problems.append(
                place.error(int(row), f"{quoted(str(distinct[code]))} is not a {field} value", f"write {allowed}")
            )
    return table[inverse], problems


def _mark(column: Column, mask: np.ndarray) -> Column:
    """``column`` with the rows of ``mask`` not applicable (their values, if any, dropped)."""
    if not mask.any():
        return column
    values = column.values
    if values.dtype.kind == "f":
        if not np.isnan(values[mask]).all():  # already empty there (as vises writes them): no copy
            values = values.copy()
            values[mask] = np.nan
    else:
        values = values.copy()
        values[mask] = None
    marked = mask if column.not_applicable is None else (mask | column.not_applicable)
    return Column(values=values, unit=column.unit, not_applicable=marked)


def build_dataset(
    columns: Mapping[str, Any],
    *,
    grid: Grid | None = None,
    units: Mapping[str, str | None] | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    organisations: Any = None,
    periods: Any = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    text_columns: Sequence[str] = (),
    file: str | None = None,
    first_row: int = 2,
    decimal_comma: bool = False,
    sheet: str | None = None,
    rows: np.ndarray | None = None,
    letters: Sequence[str] | None = None,
    keep_problems: bool = False,
    limits: Limits | None = None,
    declared: Declared = NOTHING,
    header_row: int = 1,
) -> Dataset:
    """The shared core of the numpy readers; header units (``name [unit]``) are split off here.

    ``first_row`` is the spreadsheet row of the first value (2 below a one-line header), used in
    error messages, and ``rows`` each row's own when they are not consecutive. Raises
    ``DataValidationError`` for a table that cannot be read; cell problems are recorded in
    ``read_problems`` with ``keep_problems``, else raised together.
    """
    lengths = {len(values) for values in columns.values() if hasattr(values, "__len__")}
    if organisations is not None:
        lengths.add(len(organisations))
    if lengths == {0} or not lengths:
        raise DataError("the data has no rows", file=file, hint="give at least one organisation and period")
    if len(lengths) > 1:
        n = len(next(iter(columns.values()))) if columns else 0
        raise DataValidationError(
            [
                DataError(f"column has {len(values)} values, expected {n}", file=file, column=str(name))
                for name, values in columns.items()
                if len(values) != n
            ]
            or [DataError("the organisations and the columns have different lengths", file=file)],
            what=f"data {file!r}" if file else "data",
        )
    n = lengths.pop()
    plan = plan_columns(
        [str(name) for name in columns],
        grid=grid,
        units=units,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        text_columns=text_columns,
        file=file,
        sheet=sheet,
        has_organisations=organisations is not None,
        has_periods=periods is not None,
        letters=letters,
        declared=declared,
        header_row=header_row,
    )
    raw = {str(name): values for name, values in columns.items()}
    cells = NumpyCells(decimal_comma=decimal_comma, limits=limits or current_limits())
    dataset = assemble(
        plan,
        raw,
        cells,
        n=n,
        file=file,
        first_row=first_row,
        sheet=sheet,
        rows=rows,
        letters=letters,
        organisations=organisations,
        periods=periods,
    )
    return finish(dataset, keep_problems=keep_problems)


def from_columns(
    mapping: Mapping[str, Sequence[Any]],
    *,
    grid: Grid | None = None,
    organisations: Sequence[Any] | None = None,
    periods: Sequence[Any] | str | None = None,
    units: Mapping[str, str | None] | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    keep_problems: bool = False,
    declared: Declared = NOTHING,
) -> Dataset:
    """A dataset from a mapping ``column -> values`` (lists or arrays, all the same length).

    ``organisations`` / ``periods`` may be given separately (``periods`` may be one text for every
    row); otherwise they are columns found as in a CSV file. The keys' dtype (integer years, say)
    is kept in ``Dataset.key_dtypes``.
    """
    columns = {
        name: values if isinstance(values, np.ndarray) else _object_array(values) for name, values in mapping.items()
    }
    dataset = build_dataset(
        columns,
        grid=grid,
        units=units,
        id_column=id_column,
        period_column=period_column,
        organisations=organisations,
        periods=periods,
        attributes=attributes,
        first_row=1,
        keep_problems=keep_problems,
        declared=declared,
    )
    given = {
        "organisation": organisations if organisations is not None else _key_column(columns, id_column, "organisation"),
        "period": periods if periods is not None and not isinstance(periods, str) else None,
    }
    if periods is None:
        given["period"] = _key_column(columns, period_column, "period")
    return _with_key_dtypes(dataset, given)


def _key_column(columns: Mapping[str, Any], chosen: str | None, what: str) -> Any:
    """The organisation or period column of a table, as the plan finds it (``None`` when absent)."""
    names = [split_header(str(name))[0] for name in columns]
    candidates = ORGANISATION_COLUMNS if what == "organisation" else PERIOD_COLUMNS
    if chosen is not None:
        position = names.index(chosen) if chosen in names else None
    else:
        lowered = {name.lower(): index for index, name in reversed(list(enumerate(names)))}
        position = next((lowered[c] for c in candidates if c in lowered), None)
    return None if position is None else list(columns.values())[position]


def key_dtype(values: Any) -> str | None:
    """The dtype a source gave a key column: a numpy dtype name for numbers (``int64``), ``"str"``
    for text, ``None`` when mixed or unknown."""
    if values is None:
        return None
    array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if array.dtype.kind in "iuf":
        return str(array.dtype)
    if array.dtype.kind in "US":
        return "str"
    if array.dtype.kind != "O" or not len(array):
        return None
    kinds = {type(value) for value in array.tolist()}
    if kinds <= {str}:
        return "str"
    if kinds <= {int, np.int64, np.int32}:
        return "int64"
    return None


def _with_key_dtypes(dataset: Dataset, given: Mapping[str, Any]) -> Dataset:
    dtypes = {key: found for key, values in given.items() if (found := key_dtype(values)) is not None}
    return attrs.evolve(dataset, key_dtypes=dtypes) if dtypes else dataset


def _object_array(values: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def from_frame(
    frame: Any,
    *,
    grid: Grid | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    units: Mapping[str, str | None] | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    source: str | None = None,
    keep_problems: bool = False,
    first_row: int = 1,
    decimal_comma: bool = False,
    declared: Declared = NOTHING,
) -> Dataset:
    """A dataset from a pandas DataFrame (one row per organisation and period).

    A named index (or MultiIndex) is turned back into columns first, so a frame indexed by
    organisation and year reads like the CSV it came from. The keys' dtypes (an ``int64`` year)
    are kept in ``Dataset.key_dtypes``, so ``Results.to_frame`` gives them back. Problems name rows
    from ``first_row`` (a partition of a larger table gives its own first row); ``decimal_comma``
    reads text cells as ``1,5`` (a ``;``-delimited CSV file read as text).
    """
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - pandas is optional
        from vises.errors import MissingDependencyError

        raise MissingDependencyError("pandas", "pandas", "reading a DataFrame") from exc
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    if any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    names = [str(name) for name in frame.columns]
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise DataValidationError(
            [
                DataError(f"column {name!r} appears twice", column=name, hint="rename or remove one of them")
                for name in twice
            ],
            what="data",
        )
    columns: dict[str, Any] = {}
    dtypes: dict[str, str | None] = {}
    for name, (_, series) in zip(names, frame.items(), strict=True):
        if pd.api.types.is_bool_dtype(series.dtype):
            columns[name] = series.to_numpy(dtype=bool)
        elif pd.api.types.is_numeric_dtype(series.dtype):
            columns[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
            if pd.api.types.is_integer_dtype(series.dtype):
                dtypes[name] = str(
                    np.dtype(series.dtype.numpy_dtype if hasattr(series.dtype, "numpy_dtype") else series.dtype)
                )
            else:
                dtypes[name] = "float64"
        else:
            columns[name] = series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
            dtypes[name] = key_dtype(columns[name])
    dataset = build_dataset(
        columns,
        grid=grid,
        units=units,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        file=source,
        first_row=first_row,
        decimal_comma=decimal_comma,
        keep_problems=keep_problems,
        declared=declared,
    )
    found: dict[str, str] = {}
    for key, chosen in (("organisation", id_column), ("period", period_column)):
        column = _key_column({name: name for name in columns}, chosen, key)
        if column is not None and dtypes.get(column) is not None:
            found[key] = str(dtypes[column])
    return attrs.evolve(dataset, key_dtypes=found) if found else dataset


__all__ = [
    "ATTRIBUTE_COLUMNS",
    "MISSING_TOKENS",
    "NOT_APPLICABLE_TOKENS",
    "NO_TOKENS",
    "ORGANISATION_COLUMNS",
    "PERIOD_COLUMNS",
    "SINGLE_PERIOD",
    "YES_TOKENS",
    "NumpyCells",
    "as_text",
    "assemble",
    "build_dataset",
    "comment_target",
    "finish",
    "from_columns",
    "from_frame",
    "quoted",
    "split_header",
]
