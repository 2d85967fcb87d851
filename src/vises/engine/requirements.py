"""Answer a grid's requirements for every row of the results: met, not met, not demonstrated.

Each condition is one comparison over an indicator's whole column of raw values (in the
indicator's unit): present and passing is *met*, present and failing *not met*, missing or imputed
*not demonstrated* (missing data is never met), marked not applicable *not applicable*. A
requirement's answer is the worst of its parts (its conditions and the requirements under it),
not applicable counting for nothing; computed bottom-up, a few numpy passes per condition.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

import numpy as np

from vises.errors import ConfigError
from vises.model import Kind
from vises.model.requirements import STATUS_ORDER, Condition, Requirement, RequirementStatus
from vises.validation.requirements import level_value, threshold

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

NOT_MET, NOT_DEMONSTRATED, MET, NOT_APPLICABLE = (status.code for status in STATUS_ORDER)
#: The statuses that count as unmet in ``RequirementResults.unmet``.
UNMET = (RequirementStatus.NOT_MET, RequirementStatus.NOT_DEMONSTRATED)

_cache: weakref.WeakKeyDictionary[Results, RequirementResults] = weakref.WeakKeyDictionary()


class RequirementResults:
    """Every requirement's status for every row of a ``Results`` (same rows, same order).

    ``codes`` lists the requirements in the grid's order; ``status(code)`` gives each row's
    ``RequirementStatus`` value (text), ``codes_of(code)`` the same as small integers
    (``STATUS_ORDER`` positions: 0 not met, 1 not demonstrated, 2 met, 3 not applicable).
    """

    def __init__(
        self,
        results: Results,
        requirements: tuple[Requirement, ...],
        matrix: np.ndarray,
        conditions: dict[str, tuple[np.ndarray, ...]],
    ) -> None:
        self.results = results
        self.requirements = requirements
        self.codes = tuple(requirement.code for requirement in requirements)
        self._column = {code: position for position, code in enumerate(self.codes)}
        self.matrix = matrix
        self._conditions = conditions

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def __repr__(self) -> str:
        met = int((self.matrix == MET).sum())
        return f"<RequirementResults: {len(self.codes)} requirements × {len(self)} rows, {met} met>"

    def requirement(self, code: str) -> Requirement:
        return self.requirements[self._index(code)]

    def _index(self, code: str) -> int:
        try:
            return self._column[code]
        except KeyError:
            raise ConfigError(
                f"{code!r} is not a requirement of grid {self.results.grid.code!r}",
                hint=f"its requirements: {', '.join(self.codes) or 'none'}",
            ) from None

    def codes_of(self, code: str) -> np.ndarray:
        """Each row's status as its ``STATUS_ORDER`` position (int8)."""
        view = self.matrix[:, self._index(code)].view()
        view.flags.writeable = False
        return view

    def status(self, code: str) -> np.ndarray:
        """Each row's status as text (``"met"``, ``"not_met"``, ``"not_demonstrated"``, ``"not_applicable"``)."""
        words = np.array([status.value for status in STATUS_ORDER], dtype=object)
        picked: np.ndarray = words[self.codes_of(code)]
        return picked

    def condition_codes(self, code: str) -> tuple[np.ndarray, ...]:
        """Per condition of requirement ``code`` (in its order), each row's status position."""
        self._index(code)
        return self._conditions.get(code, ())

    def children(self, code: str) -> tuple[str, ...]:
        """The requirements that are part of ``code``."""
        self._index(code)
        return tuple(requirement.code for requirement in self.requirements if requirement.parent == code)

    def top_level(self) -> tuple[str, ...]:
        """Requirements that are part of no other requirement, in grid order."""
        return tuple(r.code for r in self.requirements if r.parent not in self._column)

    def row_status(self, row: int) -> dict[str, RequirementStatus]:
        return {code: STATUS_ORDER[int(self.matrix[row, i])] for i, code in enumerate(self.codes)}

    def unmet(self, organisation: str, period: str | None = None) -> list[str]:
        """The requirements with conditions of their own that the organisation's row does not meet
        (not met or not demonstrated), in grid order; its latest period when ``period`` is omitted."""
        return self.unmet_in_row(self.results.row(organisation, period))

    def unmet_in_row(self, row: int) -> list[str]:
        return [
            requirement.code
            for position, requirement in enumerate(self.requirements)
            if requirement.conditions and STATUS_ORDER[int(self.matrix[row, position])] in UNMET
        ]

    def counts(self, code: str, rows: np.ndarray | None = None) -> dict[RequirementStatus, int]:
        """How many of ``rows`` (every row by default) have each status for ``code``."""
        column = self.codes_of(code) if rows is None else self.codes_of(code)[rows]
        found = np.bincount(column.astype(np.intp), minlength=len(STATUS_ORDER))
        return {status: int(found[status.code]) for status in STATUS_ORDER}


def _condition(results: Results, condition: Condition) -> np.ndarray:
    """One condition's status per row (``STATUS_ORDER`` positions), a few whole-column passes."""
    indicator = results.grid.indicator(condition.indicator)
    raw = np.asarray(results.raw(indicator.code), dtype=np.float64)
    out = np.full(len(raw), MET, dtype=np.int8)
    passed = np.ones(len(raw), dtype=bool)
    with np.errstate(invalid="ignore"):
        if condition.at_least is not None:
            passed &= raw >= threshold(indicator, condition.at_least)
        if condition.at_most is not None:
            passed &= raw <= threshold(indicator, condition.at_most)
        wanted = (condition.equals,) if condition.equals is not None else condition.one_of
        if wanted:
            texts = results.raw_text(indicator.code)
            if indicator.kind is Kind.QUANTITY or texts is None:
                passed &= np.isin(raw, [threshold(indicator, value) for value in wanted])
            else:
                passed &= np.isin(np.asarray(texts, dtype=object), [level_value(value) for value in wanted])
    out[~passed] = NOT_MET
    unknown = np.isnan(raw) | results.imputed(indicator.code)
    out[unknown] = NOT_DEMONSTRATED
    out[results.not_applicable(indicator.code)] = NOT_APPLICABLE
    return out


def _bottom_up(requirements: tuple[Requirement, ...]) -> list[int]:
    """Positions of the requirements, each after every requirement that is part of it."""
    position = {requirement.code: i for i, requirement in enumerate(requirements)}
    depth = {}
    for i, requirement in enumerate(requirements):
        steps, current, seen = 0, requirement.parent, {requirement.code}
        while current in position and current not in seen:
            seen.add(current)
            steps += 1
            current = requirements[position[current]].parent
        depth[i] = steps
    return sorted(range(len(requirements)), key=lambda i: -depth[i])


def requirement_results(results: Results) -> RequirementResults:
    """The status of every requirement of ``results.grid`` for every row (computed once per results)."""
    found = _cache.get(results)
    if found is not None:
        return found
    requirements = tuple(results.grid.requirements)
    matrix = np.full((len(results), len(requirements)), NOT_APPLICABLE, dtype=np.int8)
    conditions: dict[str, tuple[np.ndarray, ...]] = {}
    position = {requirement.code: i for i, requirement in enumerate(requirements)}
    for i in _bottom_up(requirements):
        requirement = requirements[i]
        own = tuple(_condition(results, condition) for condition in requirement.conditions)
        conditions[requirement.code] = own
        for column in own:
            np.minimum(matrix[:, i], column, out=matrix[:, i])
        parent = position.get(requirement.parent) if requirement.parent is not None else None
        if parent is not None:
            np.minimum(matrix[:, parent], matrix[:, i], out=matrix[:, parent])
    answer = RequirementResults(results, requirements, matrix, conditions)
    _cache[results] = answer
    return answer


__all__ = ["UNMET", "RequirementResults", "requirement_results"]
