"""Checks of a grid's requirements, and the one reading of a condition's thresholds.

Every problem at once, each with the path of the offending key (``requirements[2].conditions[0]``):
codes that are empty, repeated or taken by a node or indicator; a parent that is neither a node nor
a requirement; requirements that contain each other; a requirement with nothing to check; a
condition on an unknown or narrative indicator, with no test, with a test the indicator's kind
cannot take (``at_least`` on a category has no order) or a value it cannot have (a level that
does not exist, text for a quantity), and bounds that exclude each other.
"""

from __future__ import annotations

from typing import Any

from vises.errors import GridError, VisesError, did_you_mean
from vises.model import Grid, Indicator, Kind
from vises.model.requirements import Condition, Value

#: The tests a condition may hold, per indicator kind.
_TESTS: dict[Kind, tuple[str, ...]] = {
    Kind.QUANTITY: ("at_least", "at_most", "equals"),
    Kind.SCALE: ("at_least", "at_most", "equals", "one_of"),
    Kind.BINARY: ("equals", "one_of"),
    Kind.CATEGORY: ("equals", "one_of"),
}


def level_value(value: Value) -> str:
    """A threshold as a level value: ``4`` (a number in the file) is the level ``"4"``."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return value


def level_values(indicator: Indicator) -> dict[str, float]:
    """Each level's data value and the score it stands for (``yes``/``no`` for a plain binary)."""
    return indicator.level_scores()


def threshold(indicator: Indicator, value: Value) -> float:
    """The number a condition compares raw values with: the value itself for a quantity, the
    level's score for a level (the raw values of levels are their scores). Assumes a checked grid."""
    if indicator.kind is Kind.QUANTITY:
        return float(value)
    return level_values(indicator)[level_value(value)]


def _value_problem(indicator: Indicator, test: str, value: Any) -> str | None:
    if indicator.kind is Kind.QUANTITY:
        if isinstance(value, str):
            return f"{test} of quantity {indicator.code!r} must be a number, not {value!r}"
        return None
    known = level_values(indicator)
    values = value if test == "one_of" else (value,)
    wrong = [level_value(v) for v in values if level_value(v) not in known]
    if wrong:
        return (
            f"{', '.join(map(repr, wrong))} {'is not a level' if len(wrong) == 1 else 'are not levels'} of "
            f"{indicator.code!r} (its levels: {', '.join(known)})"
        )
    return None


def _condition_problems(grid: Grid, condition: Condition, path: str, out: list[VisesError], file: str | None) -> None:
    indicators = grid.index.indicator_by_code
    indicator = indicators.get(condition.indicator)
    if indicator is None:
        out.append(
            GridError(
                f"the condition names {condition.indicator!r}, which is no indicator of the grid",
                file=file,
                path=f"{path}.indicator",
                hint=did_you_mean(condition.indicator, indicators) or "name an indicator of the grid",
            )
        )
        return
    if indicator.kind is Kind.NARRATIVE:
        out.append(
            GridError(
                f"{indicator.code!r} is a narrative indicator: a text cannot meet a condition",
                file=file,
                path=f"{path}.indicator",
                hint="test a quantity, a scale, a yes/no or a category",
            )
        )
        return
    given = {
        test: value
        for test, value in (
            ("at_least", condition.at_least),
            ("at_most", condition.at_most),
            ("equals", condition.equals),
            ("one_of", condition.one_of or None),
        )
        if value is not None
    }
    if not given:
        out.append(
            GridError(
                f"the condition on {indicator.code!r} tests nothing",
                file=file,
                path=path,
                hint="give at_least, at_most (or both), equals or one_of",
            )
        )
        return
    exclusive = [test for test in given if test in ("equals", "one_of")]
    if exclusive and len(given) > 1:
        out.append(
            GridError(
                f"the condition on {indicator.code!r} mixes {', '.join(given)}",
                file=file,
                path=path,
                hint="use equals, one_of, or at_least/at_most: write two conditions to test two things",
            )
        )
    allowed = _TESTS[indicator.kind]
    for test, value in given.items():
        if test not in allowed:
            out.append(
                GridError(
                    f"{test} cannot test {indicator.kind.value} {indicator.code!r}",
                    file=file,
                    path=f"{path}.{test}",
                    hint=f"a {indicator.kind.value} takes {', '.join(allowed)}",
                )
            )
            continue
        problem = _value_problem(indicator, test, value)
        if problem:
            out.append(GridError(problem, file=file, path=f"{path}.{test}"))
    low, high = given.get("at_least"), given.get("at_most")
    if isinstance(low, (float, str)) and isinstance(high, (float, str)) and "at_least" in allowed:
        try:
            contradiction = threshold(indicator, low) > threshold(indicator, high)
        except (KeyError, ValueError, TypeError):
            contradiction = False  # reported above
        if contradiction:
            out.append(
                GridError(
                    f"at_least {level_value(low)} is above at_most {level_value(high)}: "
                    f"no value of {indicator.code!r} can meet it",
                    file=file,
                    path=path,
                )
            )


def requirement_problems(grid: Grid, *, file: str | None = None) -> list[VisesError]:
    """Every problem of ``grid.requirements`` (an empty list when they are consistent)."""
    out: list[VisesError] = []
    if not grid.requirements:
        return out
    taken = {*grid.index.node_by_code, *grid.index.indicator_by_code}
    codes: dict[str, int] = {}
    for position, requirement in enumerate(grid.requirements):
        path = f"requirements[{position}]"
        code = requirement.code
        if not code or not code.strip():
            out.append(GridError("a requirement code must not be empty", file=file, path=f"{path}.code"))
        elif code in taken:
            out.append(
                GridError(
                    f"requirement code {code!r} is also a node or indicator code",
                    file=file,
                    path=f"{path}.code",
                    hint="give the requirement a code of its own",
                )
            )
        elif code in codes:
            out.append(
                GridError(
                    f"duplicate requirement code {code!r} (also requirements[{codes[code]}])",
                    file=file,
                    path=f"{path}.code",
                )
            )
        else:
            codes[code] = position
    parent_of = {requirement.code: requirement.parent for requirement in grid.requirements}
    has_children = {requirement.parent for requirement in grid.requirements if requirement.parent in codes}
    for position, requirement in enumerate(grid.requirements):
        path = f"requirements[{position}]"
        parent = requirement.parent
        if parent is not None and parent not in codes and parent not in grid.index.node_by_code:
            out.append(
                GridError(
                    f"parent {parent!r} is neither a node nor a requirement of the grid",
                    file=file,
                    path=f"{path}.parent",
                    hint=did_you_mean(parent, [*codes, *grid.index.node_by_code])
                    or "leave it out to show the requirement beside the top-level dimensions",
                )
            )
        if not requirement.conditions and requirement.code not in has_children:
            out.append(
                GridError(
                    f"requirement {requirement.code!r} checks nothing",
                    file=file,
                    path=path,
                    hint="give it conditions, or requirements whose parent it is",
                )
            )
        for index, condition in enumerate(requirement.conditions):
            _condition_problems(grid, condition, f"{path}.conditions[{index}]", out, file)
    # Requirements that contain each other (a cycle of parents) could never be answered.
    for code in codes:
        seen, current = {code}, parent_of.get(code)
        while current in codes:
            if current in seen:
                out.append(
                    GridError(
                        f"requirement {code!r} is part of itself (a cycle of parents)",
                        file=file,
                        path=f"requirements[{codes[code]}].parent",
                    )
                )
                break
            seen.add(current)
            current = parent_of.get(current)
    return out


__all__ = ["level_value", "level_values", "requirement_problems", "threshold"]
