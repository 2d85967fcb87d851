"""Checks of what a grid declares for collecting its data: derived indicators, evidence, record sources.

``derived_problems`` is what grid validation adds for issue-12 features: formulas and rates
(``formulas.check_derived``), the evidence an indicator asks templates to collect, the grid's
evidence policy, and its collection spec (``collection_problems``, also run on a spec read from a
file of its own). Every problem is reported at once, with its path in the file.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

from vises.errors import FormulaError, GridError, VisesError, did_you_mean
from vises.model import Grid, Indicator, Kind
from vises.model.evidence import COLLECTED
from vises.model.formula import Binary, Call, Expr, Member, Unary, parse
from vises.model.records import SOURCE_KINDS, Collection, Measure, RecordFormat, Statistic
from vises.validation.formulas import check_derived

#: Statistics that read a column of the records.
NEEDS_COLUMN = frozenset({Statistic.COUNT_DISTINCT, Statistic.SUM, Statistic.MEAN, Statistic.MEDIAN, Statistic.TOP_BOX})
#: Statistics whose value is a share in percent.
SHARES = frozenset({Statistic.SHARE, Statistic.TOP_BOX})
#: Survey formats that give each submission a date of their own (the source needs no period rule).
DATED_FORMATS = frozenset({RecordFormat.KOBO, RecordFormat.ODK, RecordFormat.LIMESURVEY})


def is_condition(tree: Expr) -> bool:
    """Whether an expression is a condition (a comparison, ``and``/``or``/``not``, ``in``, ``is_missing``)."""
    if isinstance(tree, Binary):
        return tree.op in ("and", "or", "==", "!=", "<", "<=", ">", ">=")
    if isinstance(tree, Unary):
        return tree.op == "not"
    if isinstance(tree, Member):
        return True
    return isinstance(tree, Call) and tree.function == "is_missing"


def derived_problems(grid: Grid, *, file: str | None = None) -> list[VisesError]:
    """Formulas and rates, evidence fields, the evidence policy and the collection spec of ``grid``."""
    found = list(check_derived(grid, file=file)[1])
    for i, indicator in enumerate(grid.indicators):
        unknown = [field for field in indicator.evidence if field not in COLLECTED]
        for field in unknown:
            found.append(
                GridError(
                    f"unknown evidence {field!r}",
                    file=file,
                    path=f"indicators[{i}].evidence",
                    indicator=indicator.code,
                    hint=did_you_mean(field, COLLECTED) or f"evidence is any of {', '.join(COLLECTED)}",
                )
            )
        if indicator.evidence and (indicator.derived or indicator.kind is Kind.NARRATIVE):
            what = "computed from others" if indicator.derived else "a narrative"
            found.append(
                GridError(
                    f"the indicator is {what}; templates collect evidence only for values a centre gives",
                    file=file,
                    path=f"indicators[{i}].evidence",
                    indicator=indicator.code,
                    hint="ask for the evidence of its inputs instead",
                )
            )
        if indicator.context and indicator.kind is Kind.NARRATIVE:
            found.append(
                GridError(
                    "a narrative is never scored already; context = true is for values reported beside the scores",
                    file=file,
                    path=f"indicators[{i}].context",
                    indicator=indicator.code,
                )
            )
    policy = grid.evidence
    if not (isinstance(policy.small_n, int) and policy.small_n >= 1):
        found.append(
            GridError(
                f"small_n must be a whole number >= 1, got {policy.small_n!r}", file=file, path="evidence.small_n"
            )
        )
    if not (0.0 < policy.confidence < 1.0):
        found.append(
            GridError(
                f"confidence must be between 0 and 1 (0.95 for 95 %), got {policy.confidence!r}",
                file=file,
                path="evidence.confidence",
            )
        )
    if grid.collection is not None:
        found += collection_problems(grid.collection, grid=grid, file=file, prefix="collection.")
    return found


def collection_problems(
    collection: Collection, *, grid: Grid | None = None, file: str | None = None, prefix: str = ""
) -> list[VisesError]:
    """Every problem of a collection spec (with ``grid``: also what its measures fill)."""
    from vises.model.calendar import label_ordinal

    problems: list[VisesError] = []

    def error(message: str, path: str, hint: str | None = None) -> None:
        problems.append(GridError(message, file=file, path=prefix + path, hint=hint))

    names = Counter(source.name for source in collection.sources)
    for i, source in enumerate(collection.sources):
        place = f"sources[{i}]"
        if not source.name.strip():
            error("a source needs a name", f"{place}.name")
        elif names[source.name] > 1:
            error(f"source {source.name!r} is declared twice", f"{place}.name", "give every source its own name")
        if not source.organisation.strip():
            error("a source needs the column naming the organisation", f"{place}.organisation")
        rules = [key for key in ("period", "date", "start") if getattr(source, key)]
        if len(rules) > 1:
            error(
                f"a source places its records by one rule, not {' and '.join(rules)}",
                place,
                "give period (a period column), date (a date column) or start and end (an active span)",
            )
        elif not rules and source.format not in DATED_FORMATS:
            error(
                "the source does not say how a record's period is found",
                place,
                'give period = "<year column>", date = "<date column>", or start = "<entry date>" and '
                'end = "<exit date>"',
            )
        if source.end and not source.start:
            error("end needs start: the record counts from the period of start to the period of end", f"{place}.end")
        if source.kind is not None and source.kind not in SOURCE_KINDS:
            error(
                f"kind {source.kind!r} is not a source of records",
                f"{place}.kind",
                f"use {' or '.join(repr(k) for k in SOURCE_KINDS)}",
            )
        for j, label in enumerate(source.periods):
            try:
                label_ordinal(label, source.calendar.value)
            except VisesError as exc:
                error(exc.message, f"{place}.periods[{j}]", exc.hint)

    declared = {source.name for source in collection.sources}
    codes = Counter(measure.code for measure in collection.measures)
    indicators = grid.index.indicator_by_code if grid is not None else {}
    for i, measure in enumerate(collection.measures):
        place = f"measures[{i}]"
        statistic = measure.statistic
        if not measure.code.strip():
            error("a measure needs the code of the indicator it fills", f"{place}.code")
        elif codes[measure.code] > 1:
            error(f"two measures fill {measure.code!r}", f"{place}.code", "keep one measure per indicator")
        if measure.source is None:
            if len(collection.sources) != 1:
                error(
                    "the measure does not say which source it reads",
                    f"{place}.source",
                    f"the sources are {', '.join(sorted(declared)) or 'none'}",
                )
        elif measure.source not in declared:
            error(
                f"unknown source {measure.source!r}",
                f"{place}.source",
                did_you_mean(measure.source, declared) or f"the sources are {', '.join(sorted(declared)) or 'none'}",
            )
        if statistic in NEEDS_COLUMN and not measure.column:
            error(f"statistic {statistic.value!r} reads a column of the records; name it", f"{place}.column")
        if statistic is Statistic.SHARE and not measure.condition:
            error(
                "a share needs the condition it counts",
                f"{place}.condition",
                "e.g. condition = 'exit_status == \"employment\"'",
            )
        if statistic is not Statistic.SHARE and measure.condition:
            error("only a share takes a condition", f"{place}.condition", "use filter to choose the records")
        if statistic is Statistic.TOP_BOX:
            if not measure.top:
                error("a top-box share needs the answers it counts", f"{place}.top", 'e.g. top = ["4", "5"]')
            missing = [value for value in measure.top if measure.scale and value not in measure.scale]
            if missing:
                error(f"top answers {', '.join(map(repr, missing))} are not in the scale", f"{place}.top")
        elif measure.top or measure.scale:
            error("only a top_box measure takes top and scale", f"{place}.top")
        for key in ("filter", "condition"):
            text = getattr(measure, key)
            if text is None:
                continue
            try:
                tree = parse(text).tree
            except FormulaError as exc:
                problems.append(exc.with_context(file=file, path=f"{prefix}{place}.{key}"))
                continue
            if not is_condition(tree):
                problems.append(
                    FormulaError(
                        f"the {key} is not a condition",
                        formula=text,
                        position=0,
                        file=file,
                        path=f"{prefix}{place}.{key}",
                        hint='compare a column, e.g. exit_status == "employment" or hours > 0',
                    )
                )
        if measure.unit is not None:
            from vises import units

            try:
                units.parse_unit(measure.unit)
            except VisesError as exc:
                error(exc.message, f"{place}.unit", exc.hint)
        if grid is not None and measure.code in codes:
            problems += _target_problems(measure, indicators, grid, file=file, path=f"{prefix}{place}")
    return problems


def _target_problems(
    measure: Measure, indicators: Mapping[str, Indicator], grid: Grid, *, file: str | None, path: str
) -> list[VisesError]:
    """What a measure fills must be an indicator that takes that kind of value."""
    from vises import units

    code = measure.code
    statistic = measure.statistic
    indicator = indicators.get(code)
    if indicator is None:
        return [
            GridError(
                f"the measure fills {code!r}, which is not an indicator of grid {grid.code!r}",
                file=file,
                path=f"{path}.code",
                hint=did_you_mean(code, indicators) or "declare it (context = true for a value reported as context)",
            )
        ]
    if indicator.derived:
        return [
            GridError(
                f"{code!r} is computed from others (a formula or a rate); fill its inputs instead",
                file=file,
                path=f"{path}.code",
                indicator=code,
            )
        ]
    allowed = {Kind.QUANTITY} | ({Kind.SCALE} if statistic in (Statistic.MEAN, Statistic.MEDIAN) else set())
    if indicator.kind not in allowed:
        return [
            GridError(
                f"a {statistic.value} gives a number; {code!r} is a {indicator.kind.value} indicator",
                file=file,
                path=f"{path}.statistic",
                indicator=code,
                hint="fill a quantity indicator (a mean of answers may fill a scale)",
            )
        ]
    if indicator.kind is Kind.QUANTITY:
        given = "percent" if statistic in SHARES else measure.unit
        if given is not None:
            try:
                factor, _ = units.conversion(given, indicator.unit, indicator=code)
            except VisesError as exc:
                return [
                    GridError(
                        f"a {statistic.value} in {given!r} cannot fill {code!r} in {indicator.unit or 'no unit'!r}: "
                        f"{exc.message}",
                        file=file,
                        path=f"{path}.unit",
                        indicator=code,
                    )
                ]
            if not math.isfinite(factor):  # pragma: no cover - pint gives finite factors
                return [GridError("the unit conversion is not finite", file=file, path=f"{path}.unit")]
    return []


__all__ = ["DATED_FORMATS", "NEEDS_COLUMN", "SHARES", "collection_problems", "derived_problems", "is_condition"]
