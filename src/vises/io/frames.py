"""Build a ``Dataset`` from named columns: the one place where cells become typed numpy columns.

The CSV reader, the DataFrame reader and the mapping reader all end here, so the rules are the
same everywhere: which column is the organisation and the period, how units are declared, which
tokens mean *not applicable* and which mean *missing* (they are not the same thing: a not
applicable value leaves the indicator out of the coverage, a missing one counts against it), what
is text and what is an attribute. Each column is converted in one vectorised pass; bad cells are
collected and reported together with their spreadsheet row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from vises.errors import DataError, DataValidationError, VisesError, did_you_mean
from vises.io import tokens
from vises.model import Column, Dataset, Grid, Indicator, Kind

ORGANISATION_COLUMNS = ("organisation", "organization", "org", "ucode", "code", "id")
PERIOD_COLUMNS = ("period", "year", "time", "année", "annee", "jaar")
#: Columns kept as per-row attributes (peer groups, report headers) rather than indicators.
ATTRIBUTE_COLUMNS = ("family", "region", "size", "name")
#: The period given to every row when the data has no period column.
SINGLE_PERIOD = "all"

#: The shared words of ``io.tokens``, as sorted tuples for ``np.isin`` (which cannot take a set).
NOT_APPLICABLE_TOKENS = tuple(sorted(tokens.NA_TOKENS))
MISSING_TOKENS = tuple(sorted(tokens.MISSING_TOKENS))
YES_TOKENS = tuple(sorted(tokens.YES_TOKENS))
NO_TOKENS = tuple(sorted(tokens.NO_TOKENS))

_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*\[(?P<unit>[^\[\]]*)\]\s*$")
_COMMENT = re.compile(r"^(?:(?P<a>.+?)(?:\.comment|#comment)|comment:(?P<b>.+))$", re.IGNORECASE)


def split_header(name: str) -> tuple[str, str | None]:
    """``'training_time [min]'`` -> ``('training_time', 'min')``; no brackets -> no unit."""
    match = _HEADER_UNIT.match(name.strip())
    if match:
        return match["name"].strip(), match["unit"].strip() or None
    return name.strip(), None


def comment_target(name: str) -> str | None:
    """The code a comment column documents (``x.comment``, ``x#comment``, ``comment:x``), else None."""
    match = _COMMENT.match(name.strip())
    if not match:
        return None
    return (match["a"] or match["b"]).strip()


def _is_blank(values: np.ndarray) -> np.ndarray:
    test = np.frompyfunc(lambda v: v is None or (isinstance(v, float) and v != v), 1, 1)
    return np.asarray(test(values).astype(bool))


def as_text(values: Any) -> np.ndarray:
    """Stripped text for every cell (``''`` for None/NaN), as an object array; numbers shown plainly."""
    array = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if array.dtype.kind in "fiu":
        floats = array.astype(np.float64)
        text = np.where(np.isnan(floats), "", _plain_numbers(floats)) if array.dtype.kind == "f" else array.astype(str)
        return np.asarray(text, dtype=object)
    if array.dtype.kind == "b":
        return np.where(array, "yes", "no").astype(object)
    array = array.astype(object)
    blank = _is_blank(array)
    numbers = np.frompyfunc(lambda v: isinstance(v, float) and not isinstance(v, bool), 1, 1)(array).astype(bool)
    text = np.char.strip(array.astype(str)).astype(object)
    if numbers.any():
        text[numbers] = _plain_numbers(array[numbers].astype(np.float64))
    text[blank] = ""
    return text


def _plain_numbers(floats: np.ndarray) -> np.ndarray:
    """3.0 -> '3', 2.5 -> '2.5' (so a scale level 3 read from a float column matches '3')."""
    whole = np.isfinite(floats) & (np.mod(floats, 1) == 0)
    out = floats.astype(str).astype(object)
    out[whole] = floats[whole].astype(np.int64).astype(str)
    return out


class _Builder:
    """Turns named raw columns into a Dataset, collecting every problem."""

    def __init__(
        self,
        *,
        grid: Grid | None,
        file: str | None,
        first_row: int,
        decimal_comma: bool,
        attributes: Sequence[str],
        text_columns: Sequence[str],
    ) -> None:
        self.grid = grid
        self.file = file
        self.first_row = first_row
        self.decimal_comma = decimal_comma
        self.attributes = {name.lower() for name in attributes}
        self.text_columns = set(text_columns)
        self.problems: list[VisesError] = []
        self.indicators: dict[str, Indicator] = {ind.code: ind for ind in grid.indicators} if grid else {}
        #: Size columns the grid divides indicators by: numbers, though not indicators themselves.
        self.denominators = {ind.denominator for ind in grid.indicators if ind.denominator} if grid else set()

    def error(
        self,
        message: str,
        *,
        column: str | None = None,
        row: int | None = None,
        hint: str | None = None,
        indicator: str | None = None,
    ) -> None:
        self.problems.append(DataError(message, file=self.file, column=column, row=row, indicator=indicator, hint=hint))

    def rows(self, mask: np.ndarray) -> list[int]:
        return [int(i) + self.first_row for i in np.flatnonzero(mask)]

    def find(self, names: Sequence[str], wanted: str | None, candidates: Sequence[str], what: str) -> str | None:
        if wanted is not None:
            if wanted in names:
                return wanted
            self.error(f"the {what} column {wanted!r} is not in the data", hint=f"columns are: {', '.join(names)}")
            return None
        lowered = {name.lower(): name for name in names}
        for candidate in candidates:
            if candidate in lowered:
                return lowered[candidate]
        return None

    def build(
        self,
        columns: Mapping[str, Any],
        units: Mapping[str, str | None],
        *,
        id_column: str | None,
        period_column: str | None,
        organisations: Any = None,
        periods: Any = None,
    ) -> Dataset:
        names = list(columns)
        n = len(next(iter(columns.values()))) if columns else (len(organisations) if organisations is not None else 0)
        for name, values in columns.items():
            if len(values) != n:
                self.error(f"column has {len(values)} values, expected {n}", column=name)
        if self.problems:
            raise DataValidationError(self.problems, what=self._what())
        used: set[str] = set()
        if organisations is None:
            org_name = self.find(names, id_column, ORGANISATION_COLUMNS, "organisation")
            if org_name is None:
                if id_column is None:
                    hint = f"name one of the columns {', '.join(ORGANISATION_COLUMNS)}, or pass id_column="
                    if len(names) == 1 and any(mark in names[0] for mark in "|:\t;,"):
                        hint = (
                            f"the header was read as one column ({names[0][:40]!r}): separate columns with ',' or ';'"
                        )
                    self.error("no organisation column", hint=hint)
                raise DataValidationError(self.problems, what=self._what())
            used.add(org_name)
            organisations = as_text(columns[org_name])
            for row in self.rows(organisations == ""):
                self.error("the organisation is empty", column=org_name, row=row)
        else:
            organisations = as_text(organisations)
        if periods is None:
            period_name = self.find(names, period_column, PERIOD_COLUMNS, "period")
            if period_name is None:
                periods = np.full(n, SINGLE_PERIOD, dtype=object)
            else:
                used.add(period_name)
                periods = as_text(columns[period_name])
                for row in self.rows(periods == ""):
                    self.error("the period is empty", column=period_name, row=row)
        elif isinstance(periods, str):
            periods = np.full(n, periods, dtype=object)
        else:
            periods = as_text(periods)
        dataset_columns: dict[str, Column] = {}
        text: dict[str, np.ndarray] = {}
        attributes: dict[str, np.ndarray] = {}
        for name in names:
            if name in used:
                continue
            values = columns[name]
            unit = units.get(name)
            target = comment_target(name)
            if target is not None or name in self.text_columns:
                key = target if target is not None else name
                self._put(text, key, self._text(values), name)
            elif name in self.denominators:
                dataset_columns[name] = self._numbers(name, values, unit)
            elif name.lower() in self.attributes and name not in self.indicators:  # the grid's indicator wins
                self._put(
                    attributes, name.lower() if name.lower() in ATTRIBUTE_COLUMNS else name, self._text(values), name
                )
            elif self.grid is not None:
                indicator = self.indicators.get(name)
                if indicator is None:
                    self._unknown(name)
                elif indicator.kind is Kind.NARRATIVE:
                    self._put(text, name, self._text(values), name)
                elif indicator.kind is Kind.QUANTITY:
                    dataset_columns[name] = self._numbers(name, values, unit)
                else:
                    dataset_columns[name] = self._levels(indicator, values)
            else:
                column = self._guess(name, values, unit)
                if column is None:
                    self._put(text, name, self._text(values), name)
                else:
                    dataset_columns[name] = column
        if self.problems:
            raise DataValidationError(self.problems, what=self._what())
        return Dataset(
            organisations=organisations,
            periods=periods,
            columns=dataset_columns,
            text=text,
            attributes=attributes,
            source=self.file,
        )

    def _what(self) -> str:
        return f"data {self.file!r}" if self.file else "data"

    def _put(self, target: dict[str, np.ndarray], key: str, values: np.ndarray, name: str) -> None:
        if key in target:
            self.error(
                f"two columns give text for {key!r} (a text column and a comment column, or two comment columns)",
                column=name,
                hint="merge them into one column, or fix the non-numeric cells of the indicator column",
            )
        target[key] = values

    def _unknown(self, name: str) -> None:
        hint = did_you_mean(name, self.indicators) or (
            f"add it to the grid, name it '{name}.comment' to keep it as text, or declare it as an attribute"
        )
        self.error(f"column {name!r} is not an indicator of grid {self.grid.code!r}", column=name, hint=hint)  # type: ignore[union-attr]

    def _text(self, values: Any) -> np.ndarray:
        text = as_text(values)
        out = text.copy()
        out[text == ""] = None
        return out

    def _tokens(self, text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lowered = np.char.lower(text.astype(str))
        not_applicable = np.isin(lowered, NOT_APPLICABLE_TOKENS)
        missing = np.isin(lowered, MISSING_TOKENS)
        return not_applicable, missing

    def _number_text(self, text: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cells ready for ``astype(float)``: decimal comma and thousands spaces undone, tokens as NaN.

        Returns the cleaned text and the not-applicable and missing masks.
        """
        not_applicable, missing = self._tokens(text)
        cleaned = text.astype(str)
        if self.decimal_comma:
            cleaned = np.char.replace(cleaned, ",", ".")
        cleaned = np.char.replace(np.char.replace(cleaned, "\u00a0", ""), "\u202f", "")
        return np.where(not_applicable | missing, "nan", cleaned), not_applicable, missing

    def _numbers(self, name: str, values: Any, unit: str | None) -> Column:
        array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
        if array.dtype.kind in "fiu":
            return Column(values=array.astype(np.float64), unit=unit)
        text = as_text(array)
        cleaned, not_applicable, _missing = self._number_text(text)
        try:
            numbers = cleaned.astype(np.float64)
            bad = np.isinf(numbers)
        except ValueError:
            numbers, bad = self._numbers_slowly(cleaned)
        for row in np.flatnonzero(bad):
            hint = (
                "use a decimal point"
                if "," in text[row] and not self.decimal_comma
                else "write a number, leave the cell empty when missing, or n/a when not applicable"
            )
            self.error(
                f"{text[row]!r} is not a number",
                column=name,
                row=int(row) + self.first_row,
                indicator=name if self.grid else None,
                hint=hint,
            )
        return Column(values=numbers, unit=unit, not_applicable=not_applicable if not_applicable.any() else None)

    @staticmethod
    def _numbers_slowly(cleaned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Only when the fast pass failed: find which cells are not numbers."""
        numbers = np.full(len(cleaned), np.nan)
        bad = np.zeros(len(cleaned), dtype=bool)
        for i, cell in enumerate(cleaned.tolist()):
            try:
                numbers[i] = float(cell)
            except ValueError:
                bad[i] = True
        bad |= np.isinf(numbers)
        return numbers, bad

    def _levels(self, indicator: Indicator, values: Any) -> Column:
        text = as_text(values)
        not_applicable, missing = self._tokens(text)
        if indicator.kind is Kind.BINARY and not indicator.levels:
            lowered = np.char.lower(text.astype(str))
            text = text.copy()
            text[np.isin(lowered, YES_TOKENS)] = "yes"
            text[np.isin(lowered, NO_TOKENS)] = "no"
        allowed = list(indicator.level_scores())
        present = ~(not_applicable | missing)
        bad = present & ~np.isin(text.astype(str), np.array(allowed, dtype=str))
        for row in np.flatnonzero(bad):
            self.error(
                f"{text[row]!r} is not a level of this {indicator.kind.value} indicator; allowed: "
                f"{', '.join(repr(a) for a in allowed)}",
                column=indicator.code,
                row=int(row) + self.first_row,
                indicator=indicator.code,
            )
        out = text.astype(object)
        out[~present] = None
        return Column(values=out, not_applicable=not_applicable if not_applicable.any() else None)

    def _guess(self, name: str, values: Any, unit: str | None) -> Column | None:
        """Without a grid: a column whose every filled cell is a number is numeric, else text."""
        array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
        if array.dtype.kind in "fiu":
            return Column(values=array.astype(np.float64), unit=unit)
        text = as_text(array)
        cleaned, not_applicable, missing = self._number_text(text)
        if (not_applicable | missing).all():
            return None
        try:
            numbers = cleaned.astype(np.float64)
        except ValueError:
            return None
        return Column(values=numbers, unit=unit, not_applicable=not_applicable if not_applicable.any() else None)


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
) -> Dataset:
    """The shared core of every reader; header units (``name [unit]``) are split off here.

    ``first_row`` is the spreadsheet row of the first value (2 below a one-line header), used in
    error messages. Raises ``DataValidationError`` listing every problem.
    """
    lengths = {len(values) for values in columns.values() if hasattr(values, "__len__")}
    if lengths == {0}:
        raise DataError("the data has no rows", file=file, hint="give at least one organisation and period")
    renamed: dict[str, Any] = {}
    all_units: dict[str, str | None] = {}
    problems: list[VisesError] = []
    for raw, values in columns.items():
        name, header_unit = split_header(str(raw))
        given = (units or {}).get(name, (units or {}).get(str(raw)))
        if header_unit and given and header_unit != given:
            problems.append(
                DataError(
                    f"the header says unit {header_unit!r} but the units row says {given!r}", file=file, column=name
                )
            )
        if name in renamed:
            problems.append(
                DataError(f"column {name!r} appears twice", file=file, column=name, hint="rename or remove one of them")
            )
        renamed[name] = values
        all_units[name] = header_unit or given
    if problems:
        raise DataValidationError(problems, what=f"data {file!r}" if file else "data")
    builder = _Builder(
        grid=grid,
        file=file,
        first_row=first_row,
        decimal_comma=decimal_comma,
        attributes=attributes,
        text_columns=text_columns,
    )
    return builder.build(
        renamed,
        all_units,
        id_column=id_column,
        period_column=period_column,
        organisations=organisations,
        periods=periods,
    )


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
) -> Dataset:
    """A dataset from a mapping ``column -> values`` (lists or arrays, all the same length).

    ``organisations`` / ``periods`` may be given separately (``periods`` may be one text for every
    row); otherwise they are columns found as in a CSV file.
    """
    columns = {
        name: values if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=object)
        for name, values in mapping.items()
    }
    columns = {name: _tidy(values) for name, values in columns.items()}
    return build_dataset(
        columns,
        grid=grid,
        units=units,
        id_column=id_column,
        period_column=period_column,
        organisations=organisations,
        periods=periods,
        attributes=attributes,
        first_row=1,
    )


def _tidy(values: np.ndarray) -> np.ndarray:
    """An object column of numbers only (None for gaps) becomes float64; other columns stay."""
    if values.dtype != object or not len(values):
        return values
    numeric = np.frompyfunc(lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)), 1, 1)(
        values
    ).astype(bool)
    if numeric.all():
        return np.array([np.nan if v is None else v for v in values.tolist()], dtype=np.float64)
    return values


def from_frame(
    frame: Any,
    *,
    grid: Grid | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    units: Mapping[str, str | None] | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    source: str | None = None,
) -> Dataset:
    """A dataset from a pandas DataFrame (one row per organisation and period).

    A named index (or MultiIndex) is turned back into columns first, so a frame indexed by
    organisation and year reads like the CSV it came from.
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
    columns: dict[str, Any] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype):
            columns[str(name)] = series.to_numpy(dtype=bool)
        elif pd.api.types.is_numeric_dtype(series.dtype):
            columns[str(name)] = series.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            columns[str(name)] = series.astype(object).where(series.notna(), None).to_numpy(dtype=object)
    return build_dataset(
        columns,
        grid=grid,
        units=units,
        id_column=id_column,
        period_column=period_column,
        attributes=attributes,
        file=source,
        first_row=1,
    )


__all__ = [
    "ATTRIBUTE_COLUMNS",
    "MISSING_TOKENS",
    "NOT_APPLICABLE_TOKENS",
    "ORGANISATION_COLUMNS",
    "PERIOD_COLUMNS",
    "SINGLE_PERIOD",
    "as_text",
    "build_dataset",
    "comment_target",
    "from_columns",
    "from_frame",
    "split_header",
]
