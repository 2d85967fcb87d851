"""From what a user has at hand to a ``Grid`` and a ``Dataset``: files, registered names, frames.

A file path, a registered grid name, a pandas DataFrame or a mapping of columns is handed to the
readers and the plugin registry; the readers get a ``ReadRequest`` with the registry's grid lookup,
so they never reach up to the plugin host themselves. Features and the facade load through here.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from vises.contract.records import ReadRequest
from vises.errors import ConfigError, DataError, VisesError
from vises.model import Dataset, Grid

PathLike = str | os.PathLike[str]

if TYPE_CHECKING:  # pragma: no cover
    from typing import TypeAlias

    import pandas as pd

    from vises.io.layout import Declared
    from vises.limits import Limits
    from vises.plugins.registry import Registry

    #: What data may be given as: a ``Dataset``, a data file, a pandas DataFrame, a mapping of columns.
    DataSource: TypeAlias = Dataset | PathLike | pd.DataFrame | Mapping[str, Any]

_GRID_SUFFIXES = (".toml", ".yaml", ".yml", ".json")


def _registry() -> Registry:
    from vises.plugins.current import get_registry

    return get_registry()


def load_grid(
    source: Grid | PathLike,
    *,
    weighting: str | Mapping[str, float] | None = None,
    validate: bool = True,
) -> Grid:
    """Load a grid from a file (TOML, YAML, JSON or a COINr iMeta CSV) or by its registered name.

    ``weighting`` applies a registered weighting variant (by key) or a mapping ``code -> weight``.
    The grid is validated (every problem at once, as a ``GridValidationError``) unless
    ``validate=False``, which lets a tool list an unfinished grid's problems itself.
    """
    if isinstance(source, Grid):
        grid = source
    else:
        path = Path(source)
        looks_like_file = path.suffix.lower() in (*_GRID_SUFFIXES, ".csv") or os.sep in str(source)
        if path.is_file():
            grid = _read_grid_file(path)
        elif looks_like_file:
            raise ConfigError(
                "grid file not found",
                file=str(source),
                hint="check the path, or give the name of a registered grid (see 'vises grids')",
            )
        else:
            grid = _registry().grid(str(source))
    if weighting is not None:
        grid = _apply_weighting(grid, weighting)
    if validate:
        from vises.validation.grid import check_grid, method_tables

        check_grid(grid, file=_file_of(source), **method_tables(_registry()))
    return grid


def _file_of(source: Grid | PathLike) -> str | None:
    return None if isinstance(source, Grid) or not Path(source).is_file() else str(source)


def _read_grid_file(path: Path) -> Grid:
    from vises.io.coinr import is_coinr_meta, read_coinr_meta
    from vises.io.grid_files import read_grid
    from vises.io.read_log import note_read

    note_read(path)
    if path.suffix.lower() == ".csv":
        if is_coinr_meta(path):
            return read_coinr_meta(path)
        raise ConfigError(
            "a CSV grid must be a COINr iMeta table (columns Level, iCode, Parent, Direction, Weight, Type)",
            file=str(path),
        )
    return read_grid(path, resolve=_registry().resolve)


def _apply_weighting(grid: Grid, weighting: str | Mapping[str, float]) -> Grid:
    from vises.io.variants import apply_weighting

    if isinstance(weighting, str):
        from vises.io.weighting_file import is_weighting_file, read_weighting

        if is_weighting_file(weighting):  # a file a weighting analysis wrote (vises weights ... -o w.toml)
            record = read_weighting(weighting)
            if record.grid != grid.code:
                raise ConfigError(
                    f"the weighting is for grid {record.grid!r}, not {grid.code!r}", file=weighting, path="grid"
                )
        else:
            record = _registry().weightings[weighting]
        return apply_weighting(grid, record.weights, name=weighting)
    return apply_weighting(grid, dict(weighting), name="custom")


def load_data(
    source: DataSource,
    *,
    grid: Grid | None = None,
    evaluations: PathLike | None = None,
    keep_problems: bool = False,
    attributes: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Dataset:
    """Read a dataset from a file (by suffix, through the registered readers), a DataFrame or a
    mapping of columns. A sibling ``<name>.evaluations.toml`` (or ``evaluations=``) adds the VISES
    framing: organisation profiles, evaluative questions, stakeholders, methods, narrative.

    ``attributes`` names more columns to keep as row descriptors (beside ``family``, ``region``,
    ``size``, ``name``), e.g. a candidate indicator the grid does not have yet; ``ignore`` names
    columns to leave out on purpose (``Dataset.ignored`` lists them). Each must be a column of the
    data and not an indicator of the grid.

    A file that cannot be read as a table (not found, not a workbook, no organisation column, a
    repeated column, a limit of ``vises.Limits`` passed) raises at once. Problems of single cells
    and columns (not a number, not a level, a column the grid does not know, an uncomputed
    formula) are raised together as a ``DataValidationError``; with ``keep_problems=True`` the
    dataset is returned instead, those cells left missing and the problems in
    ``Dataset.read_problems``, so validation can report them with its own in one pass."""
    from vises.io.layout import Declared

    declared = Declared(attributes=_names(attributes, "attributes"), ignore=_names(ignore, "ignore"))
    if isinstance(source, Dataset):
        if declared:
            raise ConfigError(
                "attributes= and ignore= choose what a reader keeps; this Dataset has been read already",
                hint="give them when reading the file, DataFrame or mapping, or build the Dataset with them",
            )
        dataset = source
    elif isinstance(source, Mapping):
        from vises.io.frames import from_columns

        dataset = from_columns(source, grid=grid, keep_problems=True, declared=declared)
    elif hasattr(source, "columns") and hasattr(source, "iloc"):
        from vises.io.frames import from_frame

        if "uCode" in source.columns:  # COINr's iData as a DataFrame
            from vises.io.coinr import read_coinr_frame

            dataset = read_coinr_frame(source, grid=grid, declared=declared)
        else:
            dataset = from_frame(source, grid=grid, keep_problems=True, declared=declared)
    else:
        from vises.io.read_log import note_read

        path = Path(source)
        if not path.is_file():
            raise DataError("data file not found", file=str(source), hint="check the path")
        note_read(path)
        dataset = _read_data_file(path, grid, declared)
        if evaluations is None:
            sibling = path.with_name(path.stem + ".evaluations.toml")
            if sibling.is_file():
                evaluations = sibling
    if declared:
        dataset = _check_declared(dataset, declared)
    if dataset.read_problems and not keep_problems:
        from vises.io.frames import finish

        finish(dataset, keep_problems=False)
    if evaluations is not None:
        from vises.io.evaluations import read_evaluations

        profiles, records = read_evaluations(evaluations)
        dataset = attrs.evolve(
            dataset,
            organisation_profiles={**dataset.organisation_profiles, **profiles},
            evaluations=(*dataset.evaluations, *records),
        )
    return dataset


def _names(value: Sequence[str], keyword: str) -> tuple[str, ...]:
    """Column names given to ``attributes=`` / ``ignore=``: a list of texts (one text is one name)."""
    names = (value,) if isinstance(value, str) else tuple(value)
    bad = [name for name in names if not isinstance(name, str) or not name.strip()]
    if bad:
        raise ConfigError(f"{keyword}= expects column names, got {bad[0]!r}", path=keyword)
    return tuple(name.strip() for name in names)


def _read_data_file(path: Path, grid: Grid | None, declared: Declared) -> Dataset:
    if path.suffix.lower() == ".csv":
        from vises.io.coinr import is_coinr_data, read_coinr_data

        if is_coinr_data(path):
            return read_coinr_data(path, grid=grid, declared=declared)
    reader = _registry().reader_for(path)
    request = ReadRequest(grid=grid, resolve_grid=load_grid, attributes=declared.attributes, ignore=declared.ignore)
    return reader.read(path, request)


def _check_declared(dataset: Dataset, declared: Declared) -> Dataset:
    """Each declared column kept or left out as asked, or a problem saying it was not (a plugin's
    reader, or a template, may not honour the request); the readers' own problems are not repeated."""
    told = {
        str(problem.column).casefold()
        for problem in dataset.read_problems
        if isinstance(problem, VisesError) and problem.column is not None
    }
    kept = {name.casefold() for name in dataset.attributes}
    left_out = {name.casefold() for name in dataset.ignored}
    problems: list[VisesError] = []
    for keyword, names, found in (("attributes", declared.attributes, kept), ("ignore", declared.ignore, left_out)):
        for name in names:
            if name.casefold() not in found and name.casefold() not in told:
                what = "kept as an attribute" if keyword == "attributes" else "left out"
                problems.append(
                    DataError(
                        f"column {name!r} was to be {what}, but reading the data did not find it",
                        file=dataset.source,
                        column=name,
                        hint=f"check the name; the data's attributes: {', '.join(dataset.attributes) or 'none'}",
                    )
                )
    return attrs.evolve(dataset, read_problems=(*dataset.read_problems, *problems)) if problems else dataset


def validate_grid(
    grid: Grid,
    *,
    file: str | None = None,
    limits: Limits | None = None,
    iris_codes: Collection[str] | PathLike | None = None,
) -> list[VisesError]:
    """Every problem of ``grid`` (an empty list when it is consistent), its methods checked against
    the installed plugins; ``limits`` (default: ``vises.current_limits()``) bound its size.

    ``iris_codes`` checks IRIS+ ids against a code list: the ids themselves, or a code list file
    (RDF such as ``IrisMetric53.ttl``, a CSV with an ``ID`` column, or one id a line); default:
    the ``VISES_IRIS_CODES`` file, if set.
    """
    from vises.validation.grid import method_tables
    from vises.validation.grid import validate_grid as problems_of

    return problems_of(grid, file=file, limits=limits, iris_codes=iris_codes, **method_tables(_registry()))


def validate_data(
    grid: Grid | PathLike,
    data: DataSource,
    *,
    attributes: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> list[VisesError]:
    """Every problem of a dataset against a grid (an empty list when it is fine to score).

    The checks are the ones ``score`` runs (``validation.dataset.check_dataset``); what is only
    worth a look (framing keyed to unknown codes, zero denominators) is emitted as ``DataWarning``.
    ``attributes`` and ``ignore`` are ``load_data``'s, for data read here.
    """
    from vises.engine.score import emit_warnings
    from vises.errors import ValidationError
    from vises.validation.dataset import check_dataset

    grid = load_grid(grid)
    try:
        dataset = load_data(data, grid=grid, keep_problems=True, attributes=attributes, ignore=ignore)
    except ValidationError as exc:
        return list(exc.problems)
    except VisesError as exc:
        return [exc]
    checked = check_dataset(grid, dataset, file=dataset.source)
    emit_warnings(checked.warnings)
    return list(checked.problems)
