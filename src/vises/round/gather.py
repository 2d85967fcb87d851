"""Read every submission of a round and check them all together, before anything is scored.

Each file is read with the grid (a template made for another grid is refused, one made for another
version of it is read with a note naming the indicators dropped or added since) and checked alone,
so each problem names its file, sheet and row; a column one file lacks but others give is missing
for that file's rows, as in the merge. Then the files are merged (units harmonised per column; the
same organisation and period in two files refused, naming both) and the round-wide framing added.
Every problem of every file comes back in one ``DataValidationError``; warnings come back as notes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from vises.engine.load import load_data
from vises.errors import DataError, DataValidationError, ValidationError, VisesError, VisesWarning
from vises.io.evaluations import read_evaluations
from vises.io.merge import merge_data
from vises.model import Column, Dataset, Grid, Kind, Organisation
from vises.round.submissions import Submissions
from vises.validation.dataset import check_dataset

#: ``progress(label, done, total)``: called as the work advances (``vises round`` draws a bar).
Progress = Callable[[str, int, int], None]


@attrs.frozen(kw_only=True, eq=False)
class Gathered:
    """The merged dataset of a round, the datasets it came from, and what is worth a look."""

    dataset: Dataset
    parts: tuple[Dataset, ...]
    notes: tuple[str, ...]


def _noted(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    out = []
    for warning in caught:
        if issubclass(warning.category, VisesWarning):
            out.append(str(warning.message))
        else:  # not ours: let it through as it came
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return out


def _padded(dataset: Dataset, grid: Grid, codes: Sequence[str]) -> Dataset:
    """``dataset`` with an all-missing column for each of ``codes`` it lacks (as the merge gives them)."""
    missing = [code for code in codes if code not in dataset.columns]
    if not missing:
        return dataset
    n = len(dataset)
    columns = dict(dataset.columns)
    indicators = grid.index.indicator_by_code
    for code in missing:
        indicator = indicators.get(code)
        if indicator is None or indicator.kind is Kind.QUANTITY:
            columns[code] = Column(values=np.full(n, np.nan), unit=None if indicator is None else indicator.unit)
        else:
            empty = np.empty(n, dtype=object)
            columns[code] = Column(values=empty)
    return attrs.evolve(dataset, columns=columns)


def _framing(paths: Sequence[Path], problems: list[VisesError]) -> tuple[dict[str, Organisation], list[Any]]:
    profiles: dict[str, Organisation] = {}
    where: dict[str, str] = {}
    evaluations: list[Any] = []
    for path in paths:
        try:
            found, records = read_evaluations(path)
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        except VisesError as exc:
            problems.append(exc)
            continue
        for code, profile in found.items():
            if code in profiles and profiles[code] != profile:
                problems.append(
                    DataError(
                        f"organisation {code!r} is described differently in {where[code]} and {path}",
                        hint="keep one portrait of each organisation (name, family, region, size, attributes)",
                    )
                )
                continue
            profiles[code], where[code] = profile, str(path)
        evaluations.extend(records)
    return profiles, evaluations


def gather(submissions: Submissions, grid: Grid, *, progress: Progress | None = None) -> Gathered:
    """Read, check and merge every submission; raises one ``DataValidationError`` with every problem."""
    problems: list[VisesError] = []
    notes: list[str] = []
    parts: list[Dataset] = []
    total = len(submissions.data)
    for done, path in enumerate(submissions.data):
        if progress is not None:
            progress(f"reading {path.name}", done, total)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                parts.append(load_data(path, grid=grid, keep_problems=True))
            except ValidationError as exc:
                problems.extend(exc.problems)
            except VisesError as exc:
                problems.append(exc if exc.file else exc.with_context(file=str(path)))
        notes += _noted(caught)
    union = list(dict.fromkeys(code for part in parts for code in part.columns))
    for part in parts:
        # Alone, without its framing: framing is checked once the round is together (it may frame
        # organisations of other files).
        alone = attrs.evolve(_padded(part, grid, union), evaluations=(), organisation_profiles={})
        checked = check_dataset(grid, alone, file=part.source)
        problems.extend(checked.problems)
        notes += [str(warning) for warning in checked.warnings]
    profiles, evaluations = _framing(submissions.framing, problems)
    merged: Dataset | None = None
    if parts:
        try:
            merged = merge_data(parts, grid=grid)
        except DataValidationError as exc:
            problems.extend(exc.problems)
    if merged is not None and (profiles or evaluations):
        for code, profile in profiles.items():
            if code in merged.organisation_profiles and merged.organisation_profiles[code] != profile:
                problems.append(
                    DataError(
                        f"organisation {code!r} is described differently in a submission and in the round's framing",
                        hint="keep one portrait of each organisation (name, family, region, size, attributes)",
                    )
                )
        merged = attrs.evolve(
            merged,
            organisation_profiles={**profiles, **merged.organisation_profiles},
            evaluations=(*merged.evaluations, *evaluations),
        )
    if problems or merged is None:
        raise DataValidationError(problems, what=f"the round's {total} submission(s)")
    # What only shows once the files are together: a column no file gives, framing of nobody.
    checked = check_dataset(grid, merged, file=None)
    if checked.problems:
        raise DataValidationError(checked.problems, what=f"the round's {total} submission(s)")
    notes += [str(warning) for warning in checked.warnings]
    return Gathered(dataset=attrs.evolve(merged, source=None), parts=tuple(parts), notes=tuple(dict.fromkeys(notes)))


__all__ = ["Gathered", "Progress", "gather"]
