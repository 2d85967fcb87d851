"""From what a user has at hand to a ``Grid`` and a ``Dataset``: files, registered names, frames.

A file path, a registered grid name, a pandas DataFrame or a mapping of columns is handed to the
readers and the plugin registry; the readers get a ``ReadRequest`` with the registry's grid lookup,
so they never reach up to the plugin host themselves. Features and the facade load through here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from vises.contract.records import ReadRequest
from vises.errors import ConfigError, DataError, VisesError
from vises.model import Dataset, Grid

if TYPE_CHECKING:  # pragma: no cover
    from vises.limits import Limits
    from vises.plugins.registry import Registry

PathLike = str | os.PathLike[str]

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
    source: Dataset | PathLike | Any,
    *,
    grid: Grid | None = None,
    evaluations: PathLike | None = None,
    keep_problems: bool = False,
) -> Dataset:
    """Read a dataset from a file (by suffix, through the registered readers), a DataFrame or a
    mapping of columns. A sibling ``<name>.evaluations.toml`` (or ``evaluations=``) adds the VISES
    framing: organisation profiles, evaluative questions, stakeholders, methods, narrative.

    A file that cannot be read as a table (not found, not a workbook, no organisation column, a
    repeated column, a limit of ``vises.Limits`` passed) raises at once. Problems of single cells
    and columns (not a number, not a level, a column the grid does not know, an uncomputed
    formula) are raised together as a ``DataValidationError``; with ``keep_problems=True`` the
    dataset is returned instead, those cells left missing and the problems in
    ``Dataset.read_problems``, so validation can report them with its own in one pass."""
    if isinstance(source, Dataset):
        dataset = source
    elif isinstance(source, Mapping):
        from vises.io.frames import from_columns

        dataset = from_columns(source, grid=grid, keep_problems=True)
    elif hasattr(source, "columns") and hasattr(source, "iloc"):
        from vises.io.frames import from_frame

        if "uCode" in source.columns:  # COINr's iData as a DataFrame
            from vises.io.coinr import read_coinr_frame

            dataset = read_coinr_frame(source, grid=grid)
        else:
            dataset = from_frame(source, grid=grid, keep_problems=True)
    else:
        from vises.io.read_log import note_read

        path = Path(source)
        if not path.is_file():
            raise DataError("data file not found", file=str(source), hint="check the path")
        note_read(path)
        dataset = _read_data_file(path, grid)
        if evaluations is None:
            sibling = path.with_name(path.stem + ".evaluations.toml")
            if sibling.is_file():
                evaluations = sibling
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


def _read_data_file(path: Path, grid: Grid | None) -> Dataset:
    if path.suffix.lower() == ".csv":
        from vises.io.coinr import is_coinr_data, read_coinr_data

        if is_coinr_data(path):
            return read_coinr_data(path, grid=grid)
    reader = _registry().reader_for(path)
    return reader.read(path, ReadRequest(grid=grid, resolve_grid=load_grid))


def validate_grid(grid: Grid, *, file: str | None = None, limits: Limits | None = None) -> list[VisesError]:
    """Every problem of ``grid`` (an empty list when it is consistent), its methods checked against
    the installed plugins; ``limits`` (default: ``vises.current_limits()``) bound its size."""
    from vises.validation.grid import method_tables
    from vises.validation.grid import validate_grid as problems_of

    return problems_of(grid, file=file, limits=limits, **method_tables(_registry()))


def validate_data(grid: Grid | PathLike, data: Dataset | PathLike | Any) -> list[VisesError]:
    """Every problem of a dataset against a grid (an empty list when it is fine to score).

    The checks are the ones ``score`` runs (``validation.dataset.check_dataset``); what is only
    worth a look (framing keyed to unknown codes, zero denominators) is emitted as ``DataWarning``.
    """
    from vises.engine.score import emit_warnings
    from vises.errors import ValidationError
    from vises.validation.dataset import check_dataset

    grid = load_grid(grid)
    try:
        dataset = load_data(data, grid=grid, keep_problems=True)
    except ValidationError as exc:
        return list(exc.problems)
    except VisesError as exc:
        return [exc]
    checked = check_dataset(grid, dataset, file=dataset.source)
    emit_warnings(checked.warnings)
    return list(checked.problems)
