"""vises: measure the social impact of social-economy enterprises.

The public API: ``load_grid``, ``load_data``, ``score``, ``validate_data``, ``render``, the model
classes, and ``hookimpl`` for plugins. Importing vises is cheap: pint, pandas, openpyxl and
matplotlib load only when a feature needs them.
"""

from vises._version import __version__
from vises.api import load_data, load_grid, render, score, validate_data
from vises.contract.hookspecs import hookimpl
from vises.errors import VisesError
from vises.model import (
    Column,
    Dataset,
    Defaults,
    Direction,
    Evaluation,
    Family,
    Grid,
    Indicator,
    Kind,
    Level,
    Method,
    Node,
    Organisation,
    Pooling,
)

__all__ = [
    "Column",
    "Dataset",
    "Defaults",
    "Direction",
    "Evaluation",
    "Family",
    "Grid",
    "Indicator",
    "Kind",
    "Level",
    "Method",
    "Node",
    "Organisation",
    "Pooling",
    "VisesError",
    "__version__",
    "hookimpl",
    "load_data",
    "load_grid",
    "render",
    "score",
    "validate_data",
]
