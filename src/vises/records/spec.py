"""A collection spec in a file of its own (TOML, YAML or JSON), read with the grid files' strictness.

The same keys as a grid's ``[collection]`` table, at the top level: ``[[sources]]``,
``[[measures]]`` and optionally ``grid`` (the grid the values feed). Unknown keys are refused with
a did-you-mean, every problem is listed with its path (``measures[2].statistic``), and a source's
``file`` is read relative to the spec file.
"""

from __future__ import annotations

import os
from pathlib import Path

from vises.errors import GridValidationError
from vises.io.converter import structure_or_raise
from vises.io.documents import read_document
from vises.model import Grid
from vises.model.records import Collection
from vises.validation.collection import collection_problems


def read_collection(path: str | os.PathLike[str], *, grid: Grid | None = None) -> Collection:
    """The collection spec of ``path``, checked (against ``grid`` when given); raises ``GridValidationError``."""
    source = Path(path)
    data = read_document(source, what="collection spec")
    collection = structure_or_raise(None, data, Collection, file=str(source), what="collection spec")
    problems = collection_problems(collection, grid=grid, file=str(source))
    if problems:
        raise GridValidationError(problems, what=f"collection spec {str(source)!r}")
    return collection


__all__ = ["read_collection"]
