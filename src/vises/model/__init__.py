"""The value classes: indicators, grids, methods, datasets, organisations and their framing.

Frozen, keyword-only attrs classes holding declarations only; the work happens in the layers above.
"""

from vises.model.evidence import SOURCES, Evidence, EvidencePolicy
from vises.model.frozen import FrozenDict, freeze, thaw
from vises.model.grid import (
    DEFAULT_FALLBACK,
    NUMBER_KINDS,
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
from vises.model.records import Calendar, Collection, Measure, RecordFormat, RecordSource, Statistic
from vises.model.requirements import Condition, Requirement, RequirementStatus

__all__ = [
    "DEFAULT_FALLBACK",
    "NUMBER_KINDS",
    "SOURCES",
    "Calendar",
    "Collection",
    "Column",
    "Condition",
    "Dataset",
    "Defaults",
    "Direction",
    "Evaluation",
    "Evidence",
    "EvidencePolicy",
    "Family",
    "FrozenDict",
    "Grid",
    "Indicator",
    "Kind",
    "Labels",
    "Level",
    "Measure",
    "Method",
    "Node",
    "Organisation",
    "Pooling",
    "RecordFormat",
    "RecordSource",
    "Requirement",
    "RequirementStatus",
    "Statistic",
    "freeze",
    "label_in",
    "thaw",
]
