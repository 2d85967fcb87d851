"""Social Return on Investment: monetised social value, optional and next to the scores.

VISES never reduces impact to money; a value map is one more lens a funder may ask for. Importing
this package is cheap (no pint, no jinja2): units and templates load when first needed.
"""

from __future__ import annotations

from vises.sroi.calculate import InputValue, OutcomeValue, SroiResult, StakeholderValue, evaluate
from vises.sroi.files import load_model
from vises.sroi.model import (
    DEFAULT_DISCOUNT_RATE,
    DiscountBand,
    Input,
    InputKind,
    Outcome,
    Proxy,
    QuantityRef,
    Stakeholder,
    ValueMap,
    check,
)
from vises.sroi.sensitivity import SensitivityReport, SensitivityRow, Variation, sensitivity

__all__ = [
    "DEFAULT_DISCOUNT_RATE",
    "DiscountBand",
    "Input",
    "InputKind",
    "InputValue",
    "Outcome",
    "OutcomeValue",
    "Proxy",
    "QuantityRef",
    "SensitivityReport",
    "SensitivityRow",
    "SroiResult",
    "Stakeholder",
    "StakeholderValue",
    "ValueMap",
    "Variation",
    "check",
    "evaluate",
    "load_model",
    "sensitivity",
]
