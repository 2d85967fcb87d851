"""The checks of a dataset's evidence (``Dataset.evidence``): each field whole-column, every problem named.

Evidence belongs to an indicator of the grid (not a narrative); ``n`` is a count (≥ 0, finite),
``source`` one of ``vises.model.evidence.SOURCES``, ``verified`` yes or no, ``sd`` ≥ 0; every field
has one value per row. Readers record what they cannot read; this catches what a dataset built in
Python (or merged) brings.
"""

from __future__ import annotations

import numpy as np

from vises.errors import DataError, VisesError, did_you_mean
from vises.model import Dataset, Grid, Kind
from vises.model.evidence import FIELDS, SOURCES
from vises.validation.columns import listed_rows


def evidence_problems(grid: Grid, dataset: Dataset, *, file: str | None, first_row: int) -> list[VisesError]:
    """Every problem of ``dataset.evidence`` against ``grid``."""
    problems: list[VisesError] = []
    if not dataset.evidence:
        return problems
    n = len(dataset)
    indicators = grid.index.indicator_by_code
    for code, evidence in dataset.evidence.items():
        indicator = indicators.get(code)
        if indicator is None or indicator.kind is Kind.NARRATIVE:
            problems.append(
                DataError(
                    f"evidence is given for {code!r}, which is not "
                    + (
                        "a scored or reported indicator"
                        if indicator is not None
                        else f"an indicator of grid {grid.code!r}"
                    ),
                    file=file,
                    column=f"{code}.n",
                    hint=did_you_mean(code, indicators) or "rename the evidence columns after an indicator's code",
                )
            )
            continue
        for field in FIELDS:
            values = getattr(evidence, field)
            if values is None:
                continue
            column = f"{code}.{field}"
            if len(values) != n:
                problems.append(
                    DataError(
                        f"evidence has {len(values)} values for {n} rows", file=file, column=column, indicator=code
                    )
                )
                continue
            if field in ("n", "sd"):
                numbers = np.asarray(values, dtype=np.float64)
                with np.errstate(invalid="ignore"):
                    bad = np.isinf(numbers) | (numbers < 0)
                what = "a number of answers or records" if field == "n" else "a standard deviation"
                problems += _rows(bad, numbers, column, code, f"is not {what} (≥ 0)", file, first_row)
            elif field == "source":
                text = np.asarray(values, dtype=object)
                given = (text != None) & (text != "")  # noqa: E711 - elementwise
                bad = given & ~np.isin(text.astype(str), np.array(SOURCES, dtype=object))
                problems += _rows(bad, text, column, code, f"is not a source ({', '.join(SOURCES)})", file, first_row)
            else:
                flags = np.asarray(values, dtype=object)
                known = (flags == True) | (flags == False) | (flags == None)  # noqa: E711, E712 - elementwise
                bad = ~np.asarray(known, dtype=bool)
                problems += _rows(bad, flags, column, code, "is neither yes nor no", file, first_row)
    return problems


def _rows(
    bad: np.ndarray, values: np.ndarray, column: str, code: str, what: str, file: str | None, first_row: int
) -> list[VisesError]:
    def problem(row: int) -> VisesError:
        return DataError(f"{values[row]!r} {what}", file=file, row=row + first_row, column=column, indicator=code)

    def more(count: int, shown: list[int]) -> VisesError:
        return DataError(
            f"{count} more cells {what} (rows {', '.join(map(str, shown))}{', ...' if count > len(shown) else ''})",
            file=file,
            column=column,
            indicator=code,
        )

    return listed_rows(np.flatnonzero(bad), problem, first_row=first_row, more=more)


__all__ = ["evidence_problems"]
