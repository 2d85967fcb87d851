"""The value classes: indicators, grids, methods, datasets, organisations and their framing.

Frozen, keyword-only attrs classes holding declarations only; the work happens in the layers above.
"""

from vises.model.frozen import FrozenDict, freeze, thaw
from vises.model.grid import (
    DEFAULT_FALLBACK,
    Column,
    Dataset,
    Defaults,
    Direction,
    Evaluation,
    Family,
    Grid,
    Indicator,
    Kind,
    Labels,
    Level,
    Method,
    Node,
    Organisation,
    Pooling,
    label_in,
)
from vises.model.requirements import Condition, Requirement, RequirementStatus

__all__ = [
    "DEFAULT_FALLBACK",
    "Column",
    "Condition",
    "Dataset",
    "Defaults",
    "Direction",
    "Evaluation",
    "Family",
    "FrozenDict",
    "Grid",
    "Indicator",
    "Kind",
    "Labels",
    "Level",
    "Method",
    "Node",
    "Organisation",
    "Pooling",
    "Requirement",
    "RequirementStatus",
    "freeze",
    "label_in",
    "thaw",
]
