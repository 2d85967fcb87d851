"""Dataset validation against a grid: every problem at once, with file, row, column, indicator.

``check_dataset`` is the one set of checks, run by ``validate`` and by ``score`` alike, so both
refuse the same things with the same words: what the reader recorded (``Dataset.read_problems``),
unknown and missing columns, columns of the wrong length, values that are not levels, numbers
outside the valid range (after unit conversion), units that do not convert, denominator and group
columns, duplicate (organisation, period) rows. It also hands back the prepared columns, so
scoring converts each column once.

Some things are worth a look but not wrong: rows scored as missing because their denominator is
0 or negative, and framing (evaluations, narratives, portraits) keyed to an organisation, period
or code the data or grid does not have. They come back as ``warnings`` (``DataWarning`` when
emitted), listed by ``vises validate`` and never dropped without a word.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np

from vises.errors import DataError, VisesError, did_you_mean
from vises.model import Dataset, Grid
from vises.model.keys import deferred_codes
from vises.model.periods import period_index
from vises.numeric import sorted_distinct
from vises.validation.columns import Prepared, listed_rows, prepare_column
from vises.validation.effective import effective_imputation
from vises.validation.evidence import evidence_problems
from vises.validation.inputs import add_derived, computed_columns, denominator_column, reported_indicators

_hint_for = did_you_mean

#: What to do with a dataset column that is neither an indicator of the grid nor a denominator.
UnusedColumns = Literal["error", "ignore"]


class DatasetCheck:
    """The outcome of ``check_dataset``: problems, warnings, and the columns ready to score."""

    __slots__ = (
        "not_applicable",
        "period_codes",
        "period_labels",
        "period_values",
        "problems",
        "raws",
        "reasons",
        "texts",
        "warnings",
    )

    def __init__(self) -> None:
        #: The rows' periods as text, the distinct periods in natural order, each row's position.
        self.period_labels: np.ndarray = np.array([], dtype=str)
        self.period_values: np.ndarray = np.array([], dtype=str)
        self.period_codes: np.ndarray = np.array([], dtype=np.intp)
        self.problems: list[VisesError] = []
        self.warnings: list[VisesError] = []
        self.raws: dict[str, np.ndarray] = {}
        self.texts: dict[str, np.ndarray] = {}
        self.not_applicable: dict[str, np.ndarray] = {}
        self.reasons: dict[str, dict[str, np.ndarray]] = {}


def check_dataset(
    grid: Grid,
    dataset: Dataset,
    *,
    file: str | None = None,
    first_row: int = 2,
    unused_columns: UnusedColumns = "error",
) -> DatasetCheck:
    """Every problem and warning of ``dataset`` against ``grid``, and its columns prepared for scoring.

    ``first_row`` is the spreadsheet row of the dataset's first row (2 below a one-line header),
    so problems name the row the user sees. ``unused_columns="ignore"`` accepts numeric columns the
    grid does not use (a variant of a grid scoring the data read for the full grid).
    """
    file = file if file is not None else dataset.source
    check = DatasetCheck()
    problems = check.problems
    problems.extend(dataset.read_problems)
    n = len(dataset)
    if len(dataset.periods) != n:
        problems.append(
            DataError(f"the data has {n} organisations but {len(dataset.periods)} periods", file=file, column="period")
        )
    index = grid.index
    indicators = index.indicator_by_code
    reported = reported_indicators(grid)
    denominators: dict[str, list[str]] = {}
    for ind in reported:
        if ind.denominator:
            denominators.setdefault(ind.denominator, []).append(ind.code)
    if unused_columns == "error":
        for code in dataset.columns:
            if code not in indicators and code not in denominators:
                problems.append(
                    DataError(
                        "column is not an indicator of the grid",
                        file=file,
                        column=code,
                        hint=_hint_for(code, indicators)
                        or f"remove it, add it to grid {grid.code!r}, or name it '{code}.comment' to keep it as text",
                    )
                )
    problems.extend(computed_columns(grid, dataset, file=file))
    for ind in reported:
        column = dataset.columns.get(ind.code)
        if column is None:
            attribute = ind.code in dataset.attributes
            problems.append(
                DataError(
                    "indicator column is missing",
                    file=file,
                    column=ind.code,
                    indicator=ind.code,
                    hint="it was read as a text attribute; read the data with the grid so it is read as the indicator"
                    if attribute
                    else "add the column (leave cells empty where values are missing)",
                )
            )
            continue
        if len(column.values) != n:
            problems.append(
                DataError(
                    f"column has {len(column.values)} values for {n} rows",
                    file=file,
                    column=ind.code,
                    indicator=ind.code,
                )
            )
            continue
        denominator = denominator_column(grid, dataset, ind)
        prepared = prepare_column(ind, column, denominator, file=file, first_row=first_row, problems=problems)
        if prepared is None:
            continue
        raw = prepared.raw
        if column.not_applicable is not None and column.not_applicable.any():
            na = np.asarray(column.not_applicable, dtype=bool)
            check.not_applicable[ind.code] = na
            raw = np.where(na, np.nan, raw)
        check.raws[ind.code] = raw
        if prepared.text is not None:
            check.texts[ind.code] = prepared.text
        if prepared.reasons:
            check.reasons[ind.code] = prepared.reasons
    add_derived(grid, check, n, file=file, first_row=first_row)
    problems.extend(evidence_problems(grid, dataset, file=file, first_row=first_row))
    problems.extend(
        _denominator_problems(denominators, dataset, file=file, warnings=check.warnings, first_row=first_row)
    )
    problems.extend(_group_problems(grid, dataset, file=file))
    if len(dataset.periods) == n:
        check.period_labels = np.asarray(dataset.periods).astype(str, copy=False)
        check.period_values, check.period_codes = period_index(check.period_labels)
        problems.extend(duplicate_rows(dataset, file=file, first_row=first_row, period_codes=check.period_codes))
    check.warnings.extend(framing_warnings(grid, dataset, file=file))
    return check


def validate_dataset(grid: Grid, dataset: Dataset, *, file: str | None = None, first_row: int = 2) -> list[VisesError]:
    """Every problem of ``dataset`` against ``grid`` (``check_dataset``'s problems; warnings apart)."""
    return check_dataset(grid, dataset, file=file, first_row=first_row).problems


def _denominator_problems(
    users: dict[str, list[str]],
    dataset: Dataset,
    *,
    file: str | None,
    warnings: list[VisesError],
    first_row: int,
) -> list[VisesError]:
    """A denominator column must exist and hold numbers; rows where it is 0 or negative are warned about."""
    problems: list[VisesError] = []
    for name, codes in users.items():
        column = dataset.columns.get(name)
        used_by = ", ".join(codes)
        if column is None:
            hint = (
                "it was read as a text attribute; read the data with the grid"
                if name in dataset.attributes
                else "add the column (one value per row)"
            )
            problems.append(
                DataError(f"denominator column is missing (used by {used_by})", file=file, column=name, hint=hint)
            )
            continue
        if not column.numeric:
            problems.append(
                DataError(f"a denominator column needs numbers, got text (used by {used_by})", file=file, column=name)
            )
            continue
        warnings.extend(_zero_denominators(name, used_by, column.values, file=file, first_row=first_row))
    return problems


def _zero_denominators(
    name: str, used_by: str, column: np.ndarray, *, file: str | None, first_row: int
) -> list[VisesError]:
    values = column.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):
        zero = values == 0
        negative = values < 0

    def problem(row: int) -> VisesError:
        what = "0: the ratio would divide by zero" if zero[row] else f"negative ({values[row]:g})"
        return DataError(
            f"denominator is {what}; the rows of {used_by} are scored as missing",
            file=file,
            row=row + first_row,
            column=name,
            hint="check the value; leave it empty when unknown",
        )

    def more(count: int, shown: list[int]) -> VisesError:
        return DataError(
            f"{count} more denominators are 0 or negative (rows {', '.join(map(str, shown))}"
            f"{', ...' if count > len(shown) else ''}); those rows of {used_by} are scored as missing",
            file=file,
            column=name,
        )

    return listed_rows(np.flatnonzero(zero | negative), problem, first_row=first_row, more=more)


def _group_problems(grid: Grid, dataset: Dataset, *, file: str | None) -> list[VisesError]:
    """Imputation by group needs the group attribute in the data."""
    problems: list[VisesError] = []
    seen: set[str] = set()
    for ind in grid.scored_indicators:
        method = effective_imputation(grid, ind)
        group = None if method is None else method.params.get("group")
        if isinstance(group, str) and group not in dataset.attributes and group not in seen:
            seen.add(group)
            problems.append(
                DataError(
                    f"imputation by group needs the attribute {group!r}, which the data does not have",
                    file=file,
                    indicator=ind.code,
                    hint=f"attributes in the data: {', '.join(sorted(dataset.attributes)) or 'none'}",
                )
            )
    return problems


# -- duplicate rows --------------------------------------------------------------------------------

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _text_hashes(values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every cell, computed a machine word of text at a time (no Python per row).

    Fixed-width text is hashed eight bytes at a time across the whole column; an object column is
    hashed by Python's own string hash in numpy's loop. Equal hashes are only candidates: the
    caller compares their text before calling anything a duplicate.
    """
    n = len(values)
    if values.dtype.kind != "U":
        hashes = np.frompyfunc(lambda v: hash(str(v)), 1, 1)(values)
        return np.asarray(hashes, dtype=np.int64).view(np.uint64)
    width = values.dtype.itemsize
    data = np.ascontiguousarray(values).view(np.uint8).reshape(n, width)
    words = -(-width // 8)
    if width % 8:
        padded = np.zeros((n, words * 8), dtype=np.uint8)
        padded[:, :width] = data
        data = padded
    matrix = data.view(np.uint64).reshape(n, words)
    # Words past the longest text are zero in every row: leaving them out changes no comparison.
    used = words
    while used > 1 and not matrix[:, used - 1].any():
        used -= 1
    out = np.full(n, _FNV_OFFSET, dtype=np.uint64)
    for j in range(used):
        out ^= matrix[:, j]
        out *= _FNV_PRIME
    out ^= out >> np.uint64(29)
    return out


def duplicate_rows(
    dataset: Dataset, *, file: str | None, first_row: int, period_codes: np.ndarray | None = None
) -> list[VisesError]:
    """Each row whose (organisation, period) appeared on an earlier row, naming that first row.

    Hashes of the two keys are sorted once; only rows whose hash repeats are compared as text, so a
    million rows without duplicates cost two whole-column passes and a sort of integers. A reader
    that kept the organisations in Arrow gives their codes instead of hashes (no Python strings).
    """
    n = len(dataset)
    if n < 2:
        return []
    if period_codes is None:
        period_codes = period_index(np.asarray(dataset.periods).astype(str, copy=False))[1]
    codes = deferred_codes(dataset)
    if codes is not None:  # the reader's codes, equal exactly where the organisations are: exact keys
        keys = codes.astype(np.uint64) * np.uint64(int(period_codes.max()) + 1) + period_codes.astype(np.uint64)
    else:
        keys = _text_hashes(np.asarray(dataset.organisations)) ^ (period_codes.astype(np.uint64) * _GOLDEN)
    ordered = np.sort(keys)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):
        return []
    organisations = np.asarray(dataset.organisations)
    periods = np.asarray(dataset.periods).astype(str, copy=False)
    candidates = np.flatnonzero(np.isin(keys, repeated))
    first_of: dict[tuple[str, str], int] = {}
    duplicates: list[tuple[int, int]] = []
    for row in candidates.tolist():
        key = (str(organisations[row]), str(periods[row]))
        if key in first_of:
            duplicates.append((row, first_of[key]))
        else:
            first_of[key] = row
    if not duplicates:
        return []
    rows = np.array([row for row, _ in duplicates], dtype=np.intp)
    first = dict(duplicates)

    def problem(row: int) -> VisesError:
        return DataError(
            f"organisation {str(organisations[row])!r}, period {str(periods[row])!r} appears again "
            f"(first at row {first[row] + first_row})",
            file=file,
            row=row + first_row,
            hint="keep one row per organisation and period",
        )

    def more(count: int, shown: list[int]) -> VisesError:
        return DataError(
            f"{count} more rows repeat an organisation and period given earlier (rows {', '.join(map(str, shown))}"
            f"{', ...' if count > len(shown) else ''})",
            file=file,
            hint="keep one row per organisation and period",
        )

    return listed_rows(rows, problem, first_row=first_row, more=more)


# -- framing ---------------------------------------------------------------------------------------


def framing_warnings(grid: Grid, dataset: Dataset, *, file: str | None = None) -> list[VisesError]:
    """Evaluations, narratives and portraits keyed to organisations, periods or codes that do not exist.

    The framing would otherwise never reach a report; each one is named so it can be fixed.
    """
    if not dataset.evaluations and not dataset.organisation_profiles:
        return []
    found: list[VisesError] = []
    organisations = np.asarray(dataset.organisations).astype(str)
    periods = np.asarray(dataset.periods).astype(str)
    known_organisations = set(sorted_distinct(organisations).tolist()) if len(organisations) else set()
    codes = {grid.code, "*", *grid.index.node_by_code, *grid.index.indicator_by_code}
    periods_of: dict[str, set[str]] | None = None
    where = f"the framing of {file!r}" if file else "the framing (evaluations)"
    for evaluation in dataset.evaluations:
        org = evaluation.organisation
        if org not in known_organisations:
            found.append(
                DataError(
                    f"{where} has an evaluation of organisation {org!r}, which has no row in the data; "
                    "its questions and narrative appear in no report",
                    hint=_hint_for(org, known_organisations) or "fix the organisation code, or add its data",
                )
            )
            continue
        if evaluation.period is not None:
            if periods_of is None:
                periods_of = _periods_by_organisation(organisations, periods, _framed(dataset.evaluations))
            own = periods_of.get(org, set())
            if evaluation.period not in own:
                found.append(
                    DataError(
                        f"{where} has an evaluation of {org!r} for period {evaluation.period!r}, which the data does "
                        f"not have for it (its periods: {', '.join(sorted(own))}); it appears in no report",
                        hint="fix the period, or leave it out so the evaluation applies to every period",
                    )
                )
        for key in evaluation.narrative:
            if key not in codes:
                found.append(
                    DataError(
                        f"{where} has narrative of {org!r} for {key!r}, which is not a node or indicator of grid "
                        f"{grid.code!r}; it appears in no report",
                        hint=_hint_for(key, codes) or "attach it to a node or indicator code, or to '*' (the whole)",
                    )
                )
    for code in dataset.organisation_profiles:
        if code not in known_organisations:
            found.append(
                DataError(
                    f"{where} has a portrait of organisation {code!r}, which has no row in the data",
                    hint=_hint_for(code, known_organisations) or "fix the organisation code, or add its data",
                )
            )
    return found


def _framed(evaluations: Iterable[Any]) -> set[str]:
    return {evaluation.organisation for evaluation in evaluations if evaluation.period is not None}


def _periods_by_organisation(organisations: np.ndarray, periods: np.ndarray, wanted: set[str]) -> dict[str, set[str]]:
    rows = np.flatnonzero(np.isin(organisations, np.array(sorted(wanted), dtype=organisations.dtype)))
    out: dict[str, set[str]] = {}
    for row in rows.tolist():
        out.setdefault(str(organisations[row]), set()).add(str(periods[row]))
    return out


__all__ = [
    "DatasetCheck",
    "Prepared",
    "UnusedColumns",
    "check_dataset",
    "duplicate_rows",
    "framing_warnings",
    "validate_dataset",
]
