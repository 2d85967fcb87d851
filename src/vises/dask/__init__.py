"""Scoring and sensitivity runs on Dask (the ``dask`` extra): the same numbers as in memory, past one machine.

``vises.dask.score(grid, ddf)`` fits every data-dependent parameter from statistics merged across
partitions, then scores each partition with the engine itself; ``vises.dask.collect`` turns records
into organisation × period indicators as ``vises.collect`` does; ``distribute_runs`` runs a weight
sensitivity's runs as Dask tasks (``docs/dask.md``). Names are
resolved on first use, so ``import vises.dask`` does not import dask.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from vises.dask.client import cluster, progress_bars
    from vises.dask.collect import collect
    from vises.dask.read import Folder, read_folder
    from vises.dask.replicate import distribute_runs
    from vises.dask.results import DaskResults
    from vises.dask.scoring import score

_WHERE: dict[str, str] = {
    "DaskResults": "results",
    "Folder": "read",
    "cluster": "client",
    "collect": "collect",
    "distribute_runs": "replicate",
    "progress_bars": "client",
    "read_folder": "read",
    "score": "scoring",
}

__all__ = [
    "DaskResults",
    "Folder",
    "cluster",
    "collect",
    "distribute_runs",
    "progress_bars",
    "read_folder",
    "score",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'vises.dask' has no attribute {name!r}")
    value = getattr(import_module(f"vises.dask.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
