"""Which column of a wide table is what: the organisation, the period, indicators, comments, attributes.

Every reader of the wide layout (CSV, Parquet, Arrow, xlsx tables, DataFrames, mappings) plans its
columns here from the header alone, before any cell is read, so that the rules are the same
everywhere and the readers can read each column as what it is (an identifier column is read as
text, never through number parsing):

- the organisation column is the first of ``ORGANISATION_COLUMNS`` (any case), or ``id_column``;
  the period column the first of ``PERIOD_COLUMNS``, or ``period_column`` (none: every row gets
  the period ``"all"``);
- ``<code>.comment``, ``<code>#comment`` and ``comment:<code>`` are comments on ``<code>``;
  ``attribute:<name>`` (or ``<name>.attribute``) is the attribute ``<name>`` whatever its name;
  ``<code>.not_applicable`` (yes/no) marks the rows where column ``<code>`` does not apply;
  ``<code>.n``, ``<code>.source``, ``<code>.verified`` and ``<code>.sd`` are the evidence of
  indicator ``<code>`` (with a grid, of one of its indicators);
- with a grid, a grid code is that indicator (even when named like an attribute, e.g. ``size``),
  a denominator of the grid is a number column, ``family``, ``region``, ``size``, ``name`` (and
  ``attributes``) are per-row attributes, and anything else is a problem that is reported (the
  column is left out, never silently);
- the caller may declare more columns (``Declared``): ``attributes`` kept as row descriptors
  whatever the grid, and ``ignore`` left out on purpose (listed in ``Dataset.ignored``); a declared
  column the header lacks, or one that is a grid indicator, is a problem;
- without a grid, a column is numbers when every filled cell is a number, else text;
- a unit comes from the header (``hours [min]``) or from the units row.

Problems that make the table unusable (a repeated column, two different units for one column, no
organisation column) are raised at once; problems of one column are recorded with the plan.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence

import attrs

from vises.errors import DataError, DataValidationError, VisesError, did_you_mean
from vises.model import Grid, Indicator, Kind

ORGANISATION_COLUMNS = ("organisation", "organization", "org", "ucode", "code", "id")
PERIOD_COLUMNS = ("period", "year", "time", "année", "annee", "jaar")
#: Columns kept as per-row attributes (peer groups, report headers) rather than indicators.
ATTRIBUTE_COLUMNS = ("family", "region", "size", "name")
#: The period given to every row when the data has no period column.
SINGLE_PERIOD = "all"

_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*\[(?P<unit>[^\[\]]*)\]\s*$")
_COMMENT = re.compile(r"^(?:(?P<a>.+?)(?:\.comment|#comment)|comment:(?P<b>.+))$", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"^(?:attribute:(?P<a>.+)|(?P<b>.+?)\.attribute)$", re.IGNORECASE)
_NOT_APPLICABLE = re.compile(r"^(?P<a>.+?)\.not_applicable$", re.IGNORECASE)
_EVIDENCE = re.compile(r"^(?P<a>.+)\.(?P<field>n|source|verified|sd)$", re.IGNORECASE)


def split_header(name: str) -> tuple[str, str | None]:
    """``'training_time [min]'`` -> ``('training_time', 'min')``; no brackets -> no unit."""
    match = _HEADER_UNIT.match(name.strip())
    if match:
        return match["name"].strip(), match["unit"].strip() or None
    return name.strip(), None


def comment_target(name: str) -> str | None:
    """The code a comment column documents (``x.comment``, ``x#comment``, ``comment:x``), else None."""
    match = _COMMENT.match(name.strip())
    if not match:
        return None
    return (match["a"] or match["b"]).strip()


def attribute_target(name: str) -> str | None:
    """The attribute a column names explicitly (``attribute:filiere``, ``filiere.attribute``), else None."""
    match = _ATTRIBUTE.match(name.strip())
    return (match["a"] or match["b"]).strip() if match else None


def evidence_target(name: str) -> tuple[str, str] | None:
    """``(code, field)`` of an evidence column (``hours.n``, ``share.source``, ``share.verified``, ``mean.sd``)."""
    match = _EVIDENCE.match(name.strip())
    return (match["a"].strip(), match["field"].lower()) if match else None


def mask_target(name: str) -> str | None:
    """The column whose not-applicable rows ``<code>.not_applicable`` marks (how Parquet files carry n/a)."""
    match = _NOT_APPLICABLE.match(name.strip())
    return match["a"].strip() if match else None


class Role(enum.Enum):
    ORGANISATION = "organisation"
    PERIOD = "period"
    #: Comments and narratives: ``Dataset.text[key]``.
    TEXT = "text"
    #: Per-row descriptors: ``Dataset.attributes[key]``.
    ATTRIBUTE = "attribute"
    #: Quantity indicators and denominators: float64.
    NUMBER = "number"
    #: Scale, binary and category indicators: level values.
    LEVEL = "level"
    #: No grid: numbers when every filled cell is one, else text.
    GUESS = "guess"
    #: Not an indicator of the grid: reported, left out.
    UNKNOWN = "unknown"
    #: No header: left out, reported when it holds values.
    UNNAMED = "unnamed"
    #: ``<code>.not_applicable``: yes/no per row, the not-applicable mask of column ``key``.
    MASK = "mask"
    #: ``<code>.n``, ``.source``, ``.verified``, ``.sd``: the evidence of indicator ``key`` (``Planned.field``).
    EVIDENCE = "evidence"
    #: Left out on the caller's request (``Declared.ignore``): named in ``Dataset.ignored``.
    IGNORED = "ignored"


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Declared:
    """Columns the caller names explicitly (``load_data(attributes=..., ignore=...)``, ``--attribute``,
    ``--ignore``): more row descriptors to keep, and columns to leave out on purpose.

    Names are matched like attribute names: any case, the unit in brackets not part of the name.
    """

    attributes: tuple[str, ...] = attrs.field(default=(), converter=_names)
    ignore: tuple[str, ...] = attrs.field(default=(), converter=_names)

    def __bool__(self) -> bool:
        return bool(self.attributes or self.ignore)


#: Nothing declared.
NOTHING = Declared()


#: Roles whose cells are text and never go through number parsing.
TEXT_ROLES = frozenset({Role.ORGANISATION, Role.PERIOD, Role.TEXT, Role.ATTRIBUTE, Role.LEVEL})


@attrs.frozen(kw_only=True)
class Planned:
    """One column: its header as written, its name and unit, what it is and where it goes."""

    raw: str
    position: int
    name: str
    unit: str | None
    role: Role
    key: str
    indicator: Indicator | None = None
    #: For an evidence column: which field (``n``, ``source``, ``verified``, ``sd``).
    field: str | None = None


@attrs.frozen(kw_only=True)
class Plan:
    columns: tuple[Planned, ...]
    #: Problems of single columns (unknown to the grid, two texts for one code): recorded, not raised.
    problems: tuple[VisesError, ...] = ()
    #: Columns left out on request (``Declared.ignore``), as the header names them.
    ignored: tuple[str, ...] = ()
    #: The header's spreadsheet row (2 below a CSV template's metadata line), for messages.
    header_row: int = 1

    def of(self, role: Role) -> Planned | None:
        return next((column for column in self.columns if column.role is role), None)


def plan_columns(
    raw_names: Sequence[str],
    *,
    grid: Grid | None = None,
    units: Mapping[str, str | None] | None = None,
    id_column: str | None = None,
    period_column: str | None = None,
    attributes: Sequence[str] = ATTRIBUTE_COLUMNS,
    text_columns: Sequence[str] = (),
    file: str | None = None,
    sheet: str | None = None,
    has_organisations: bool = False,
    has_periods: bool = False,
    letters: Sequence[str] | None = None,
    declared: Declared = NOTHING,
    header_row: int = 1,
) -> Plan:
    """Plan the columns of a table from its header (``letters``: spreadsheet column letters for messages).

    ``has_organisations`` / ``has_periods``: the caller gives them separately, so no column is
    looked for. Raises ``DataValidationError`` when the table cannot be read at all.
    """
    fatal: list[VisesError] = []
    recorded: list[VisesError] = []

    def place(position: int) -> str | None:
        return letters[position] if letters is not None and position < len(letters) else None

    if raw_names and not any(str(name).strip() for name in raw_names):
        raise DataError("the header row has no column names", file=file, sheet=sheet, row=header_row)
    names: list[tuple[str, str | None]] = []
    seen: dict[str, int] = {}
    units = units or {}
    for position, raw in enumerate(raw_names):
        name, header_unit = split_header(str(raw))
        given = units.get(name, units.get(str(raw)))
        if header_unit and given and header_unit != given:
            fatal.append(
                DataError(
                    f"the header says unit {header_unit!r} but the units row says {given!r}",
                    file=file,
                    sheet=sheet,
                    column=name,
                    hint="keep one of them",
                )
            )
        if name and name in seen:
            fatal.append(
                DataError(
                    f"column {name!r} appears twice (columns {seen[name] + 1} and {position + 1})",
                    file=file,
                    sheet=sheet,
                    column=place(position) or name,
                    hint="rename or remove one of them: vises never drops a column silently",
                )
            )
        elif name:
            seen[name] = position
        names.append((name, header_unit or given))

    plain = [name for name, _ in names]
    used: dict[int, Role] = {}
    if not has_organisations:
        found = _find(plain, id_column, ORGANISATION_COLUMNS, "organisation", file, sheet, fatal)
        if found is not None:
            used[found] = Role.ORGANISATION
        elif id_column is None:
            hint = f"name one of the columns {', '.join(ORGANISATION_COLUMNS)}, or pass id_column="
            if len(plain) == 1 and any(mark in plain[0] for mark in "|:\t;,"):
                hint = f"the header was read as one column ({plain[0][:40]!r}): separate columns with ',' or ';'"
            fatal.append(DataError("no organisation column", file=file, sheet=sheet, hint=hint))
    if not has_periods:
        found = _find(plain, period_column, PERIOD_COLUMNS, "period", file, sheet, fatal)
        if found is not None:
            used[found] = Role.PERIOD
    if fatal:
        raise DataValidationError(fatal, what=f"data {file!r}" if file else "data")

    indicators = {ind.code: ind for ind in grid.indicators} if grid is not None else {}
    denominators = {ind.denominator for ind in grid.indicators if ind.denominator} if grid is not None else set()
    recorded += _declared_problems(declared, plain, used, indicators, grid, file, sheet)
    ignored_names = {name.strip().casefold() for name in declared.ignore}
    declared_names = {name.strip().casefold() for name in declared.attributes} - ignored_names
    # The grid's declared organisation attributes (filière, agrément) are attributes in every file.
    grid_attributes = tuple(getattr(grid, "attributes", None) or ()) if grid is not None else ()
    attribute_names = {name.lower() for name in (*attributes, *grid_attributes)}
    spelled = {name.lower(): name for name in grid_attributes}
    ignored: list[str] = []
    text_names = set(text_columns)
    planned: list[Planned] = []
    text_keys: dict[str, str] = {}
    for position, (raw, (name, unit)) in enumerate(zip(raw_names, names, strict=True)):
        key = name
        indicator: Indicator | None = None
        field: str | None = None
        target = comment_target(name) if name else None
        attribute = attribute_target(name) if name else None
        masked = mask_target(name) if name else None
        evidence = evidence_target(name) if name and name not in indicators else None
        if evidence is not None and grid is not None and evidence[0] not in indicators:
            evidence = None  # not an indicator's evidence: reported as a column the grid does not know
        if not name:
            role = Role.UNNAMED
        elif position in used:
            role = used[position]
        elif name.casefold() in ignored_names and name not in indicators:
            role = Role.IGNORED
            ignored.append(name)
        elif name.casefold() in declared_names and name not in indicators:
            role, key = Role.ATTRIBUTE, name.lower() if name.lower() in ATTRIBUTE_COLUMNS else name
        elif target is not None or name in text_names:
            role, key = Role.TEXT, target if target is not None else name
        elif attribute is not None:
            role, key = Role.ATTRIBUTE, attribute
        elif masked is not None and masked in plain:
            role, key = Role.MASK, masked
        elif evidence is not None:
            role, key, field = Role.EVIDENCE, evidence[0], evidence[1]
        elif name in indicators:
            indicator = indicators[name]
            role = {Kind.NARRATIVE: Role.TEXT, Kind.QUANTITY: Role.NUMBER}.get(indicator.kind, Role.LEVEL)
        elif name in denominators:
            role = Role.NUMBER
        elif name.lower() in attribute_names:
            role = Role.ATTRIBUTE
            key = name.lower() if name.lower() in ATTRIBUTE_COLUMNS else spelled.get(name.lower(), name)
        elif grid is not None:
            role = Role.UNKNOWN
            hint = did_you_mean(name, indicators) or (
                f"add it to the grid, name it '{name}.comment' to keep it as text, pass attributes={[name]!r} to "
                f"keep it as a row descriptor, or ignore={[name]!r} to leave it out"
            )
            recorded.append(
                DataError(
                    f"column {name!r} is not an indicator of grid {grid.code!r}; it was left out",
                    file=file,
                    sheet=sheet,
                    column=name,
                    hint=hint,
                )
            )
        else:
            role = Role.GUESS
        if role is Role.TEXT:
            if key in text_keys:
                recorded.append(
                    DataError(
                        f"two columns give text for {key!r} ({text_keys[key]!r} and {name!r}); the second was left out",
                        file=file,
                        sheet=sheet,
                        column=name,
                        hint="merge them into one column",
                    )
                )
                role = Role.UNKNOWN
            else:
                text_keys[key] = name
        planned.append(
            Planned(
                raw=str(raw),
                position=position,
                name=name,
                unit=unit,
                role=role,
                key=key,
                indicator=indicator,
                field=field,
            )
        )
    return Plan(columns=tuple(planned), problems=tuple(recorded), ignored=tuple(ignored), header_row=header_row)


def _declared_problems(
    declared: Declared,
    names: Sequence[str],
    used: Mapping[int, Role],
    indicators: Mapping[str, Indicator],
    grid: Grid | None,
    file: str | None,
    sheet: str | None,
) -> list[VisesError]:
    """Each declared column the header lacks, that is a grid indicator, the organisation or period
    column, or that is both kept and left out: said, never ignored."""
    problems: list[VisesError] = []
    by_name = {name.strip().casefold(): position for position, name in reversed(list(enumerate(names))) if name}
    both = {name.strip().casefold() for name in declared.ignore} & {n.strip().casefold() for n in declared.attributes}
    for keyword, chosen in (("attributes", declared.attributes), ("ignore", declared.ignore)):
        what = "kept as an attribute" if keyword == "attributes" else "left out"
        for name in chosen:
            folded = name.strip().casefold()
            position = by_name.get(folded)
            if keyword == "attributes" and folded in both:
                problems.append(
                    DataError(
                        f"column {name!r} is declared both as an attribute and as a column to leave out",
                        file=file,
                        sheet=sheet,
                        column=name,
                        hint="keep one of attributes= and ignore= for it",
                    )
                )
            elif position is None:
                close = did_you_mean(name, [n for n in names if n])
                problems.append(
                    DataError(
                        f"column {name!r} is to be {what}, but the data has no such column",
                        file=file,
                        sheet=sheet,
                        column=name,
                        hint=close or f"the columns are: {', '.join(n for n in names if n)[:300]}",
                    )
                )
            elif position in used:
                problems.append(
                    DataError(
                        f"column {names[position]!r} is the {used[position].value} column; it cannot be {what}",
                        file=file,
                        sheet=sheet,
                        column=names[position],
                        hint=f"remove {names[position]!r} from {keyword}=",
                    )
                )
            elif names[position] in indicators:
                assert grid is not None
                problems.append(
                    DataError(
                        f"column {names[position]!r} is an indicator of grid {grid.code!r}; it cannot be {what}",
                        file=file,
                        sheet=sheet,
                        column=names[position],
                        hint=f"remove it from {keyword}=; to score without it, drop it from the grid "
                        f'(drop = ["{names[position]}"] in a grid file that extends {grid.code!r})',
                    )
                )
    return problems


def _find(
    names: Sequence[str],
    wanted: str | None,
    candidates: Sequence[str],
    what: str,
    file: str | None,
    sheet: str | None,
    fatal: list[VisesError],
) -> int | None:
    if wanted is not None:
        if wanted in names:
            return names.index(wanted)
        fatal.append(
            DataError(
                f"the {what} column {wanted!r} is not in the data",
                file=file,
                sheet=sheet,
                hint=f"columns are: {', '.join(names)}",
            )
        )
        return None
    lowered = {name.lower(): index for index, name in reversed(list(enumerate(names)))}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    return None


__all__ = [
    "ATTRIBUTE_COLUMNS",
    "NOTHING",
    "ORGANISATION_COLUMNS",
    "PERIOD_COLUMNS",
    "SINGLE_PERIOD",
    "TEXT_ROLES",
    "Declared",
    "Plan",
    "Planned",
    "Role",
    "attribute_target",
    "comment_target",
    "evidence_target",
    "mask_target",
    "plan_columns",
    "split_header",
]
