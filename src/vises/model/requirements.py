"""Requirements: conditions an organisation meets or not, beside (never inside) its scores.

B Lab's 2025 standards dropped points for "meet the bar" requirements: a company either meets
each requirement or it does not. vises keeps both readings side by side: scored dimensions
aggregate into scores, requirements give one of four answers per organisation and period:

* **met**: every condition holds on data the organisation gave;
* **not met**: a condition fails on data the organisation gave;
* **not demonstrated**: no condition fails, but a value is missing or was imputed, so the
  requirement is not shown to be met (missing data is never met);
* **not applicable**: every condition concerns indicators marked not applicable.

A requirement lists ``conditions`` on indicator values and/or groups other requirements (whose
``parent`` is its code); it holds when all its parts hold. Its ``parent`` may also be a node of the
grid, which only says where reports show it. Requirements are not columns of the score matrix:
they never change a score.
"""

from __future__ import annotations

import enum

import attrs

from vises.model.frozen import EMPTY, FrozenDict, frozen_mapping

#: A threshold or expected value: a number for quantities, a level value (text) for levels.
Value = float | str


class RequirementStatus(enum.StrEnum):
    """The answer of one requirement for one organisation and period."""

    NOT_MET = "not_met"
    NOT_DEMONSTRATED = "not_demonstrated"
    MET = "met"
    NOT_APPLICABLE = "not_applicable"

    @property
    def code(self) -> int:
        """Its position in ``STATUS_ORDER``: the status of several parts is the smallest code."""
        return STATUS_ORDER.index(self)


#: Worst first: combining parts keeps the smallest code (not applicable is neutral, the last).
STATUS_ORDER = (
    RequirementStatus.NOT_MET,
    RequirementStatus.NOT_DEMONSTRATED,
    RequirementStatus.MET,
    RequirementStatus.NOT_APPLICABLE,
)


@attrs.frozen(kw_only=True)
class Condition:
    """One test on an indicator's raw value (in the indicator's unit, after unit conversion).

    ``at_least`` / ``at_most`` (either or both) take a number for a quantity and a level value for
    a scale (compared by the levels' order); ``equals`` takes a number, a level value or
    ``"yes"``/``"no"``; ``one_of`` a list of level values.
    """

    indicator: str
    at_least: Value | None = None
    at_most: Value | None = None
    equals: Value | None = None
    one_of: tuple[str, ...] = ()

    def describe(self) -> str:
        """The condition in plain symbols (``own_income_share ≥ 5``), for messages and reports."""
        parts = []
        if self.at_least is not None:
            parts.append(f"≥ {_show(self.at_least)}")
        if self.at_most is not None:
            parts.append(f"≤ {_show(self.at_most)}")
        if self.equals is not None:
            parts.append(f"= {_show(self.equals)}")
        if self.one_of:
            parts.append("∈ {" + ", ".join(self.one_of) + "}")
        return f"{self.indicator} {' and '.join(parts)}" if parts else self.indicator


def _show(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@attrs.frozen(kw_only=True)
class Requirement:
    """A requirement of the grid: met, not met, not demonstrated or not applicable per row."""

    code: str
    label: FrozenDict[str, str] = attrs.field(default=EMPTY, converter=frozen_mapping)
    description: FrozenDict[str, str] = attrs.field(default=EMPTY, converter=frozen_mapping)
    #: A node (where reports show it) or another requirement (which it is part of); ``None``: beside
    #: the top-level dimensions.
    parent: str | None = None
    conditions: tuple[Condition, ...] = ()
    tags: tuple[str, ...] = ()

    def label_in(self, lang: str | None = None) -> str:
        from vises.model.grid import label_in

        return label_in(self.label, lang, self.code)


__all__ = ["STATUS_ORDER", "Condition", "Requirement", "RequirementStatus", "Value"]
