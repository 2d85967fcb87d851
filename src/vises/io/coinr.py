"""COINr tables: ``iMeta`` (the indicator metadata and tree) and ``iData`` (the values).

COINr (the R package of the JRC composite-indicator method) describes a framework as one row per
code: ``Type`` is Indicator, Aggregate, Group, Denominator or Other; ``Weight`` is the weight on
the edge to ``Parent``; ``Direction`` is 1 or -1; the highest-level aggregate is the index. Its
``Unit`` texts ("Score 1-5", "Thousand seats") are descriptions, not units a converter could use,
so they are kept as tags and ``unit`` is left empty. Group columns of ``iData`` become dataset
attributes (peer groups); denominators become attributes too (they are not scored), unless the grid
divides by them (``read_coinr_meta(..., denominators=True)``), in which case they are read as numbers.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path
from typing import Any

from vises.errors import ConfigError, DataError, GridValidationError, VisesError
from vises.io.layout import NOTHING, Declared
from vises.model import Dataset, Defaults, Direction, Grid, Indicator, Method, Node

PathLike = str | os.PathLike[str]

META_COLUMNS = ("Level", "iCode", "iName", "Direction", "Weight", "Unit", "Target", "Denominator", "Parent", "Type")
_REQUIRED_META = ("iCode", "Parent", "Type")
META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")


def _header(path: PathLike) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return [cell.strip() for cell in next(csv.reader(stream), [])]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def is_coinr_meta(path: PathLike) -> bool:
    """Whether the file's header is a COINr iMeta table (iCode, Parent, Type and Level or Weight)."""
    header = set(_header(path))
    return set(_REQUIRED_META) <= header and bool({"Level", "Weight"} & header)


def is_coinr_data(path: PathLike) -> bool:
    """Whether the file's header is a COINr iData table (it has a ``uCode`` column)."""
    return "uCode" in _header(path)


def _rows(path: PathLike) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}
            for row in csv.DictReader(stream)
        ]


def _number(text: str, *, file: str, row: int, column: str, problems: list[VisesError]) -> float | None:
    if text == "" or text.upper() == "NA":
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(ConfigError(f"expected a number, got {text!r}", file=file, row=row, column=column))
        return None
    if not math.isfinite(value):
        problems.append(ConfigError(f"expected a finite number, got {text!r}", file=file, row=row, column=column))
        return None
    return value


def meta_groups(path: PathLike) -> dict[str, str]:
    """Codes of the Group, Denominator and Other rows of an iMeta table, with their type."""
    return {row["iCode"]: row["Type"] for row in _rows(path) if row.get("Type") in ("Group", "Denominator", "Other")}


def read_coinr_meta(path: PathLike, *, denominators: bool = False) -> Grid:
    """A ``Grid`` from a COINr iMeta table (defaults: minmax 0–100, arithmetic mean).

    Indicator and Aggregate rows make the tree; Group, Denominator and Other rows are not scored
    (``read_coinr_data`` keeps them as attributes). An indicator's ``Denominator`` is kept as the tag
    ``denominator:<code>``; with ``denominators=True`` it also becomes ``Indicator.denominator``, so
    scoring divides by it as COINr's ``Denominate`` does (off by default: COINr scores raw data
    unless asked). Every problem is reported at once.
    """
    file = str(path)
    try:
        rows = _rows(path)
    except FileNotFoundError:
        raise ConfigError("iMeta file not found", file=file) from None
    problems: list[VisesError] = []
    missing = [name for name in _REQUIRED_META if rows and name not in rows[0]]
    if not rows or missing:
        raise ConfigError(
            f"not a COINr iMeta table (missing columns: {', '.join(missing) or 'all rows'})",
            file=file,
            hint=f"columns are {', '.join(META_COLUMNS)}",
        )
    nodes: list[tuple[float, Node]] = []
    indicators: list[Indicator] = []
    for line, row in enumerate(rows, start=2):
        kind = row.get("Type", "")
        code = row.get("iCode", "")
        if kind not in META_TYPES:
            problems.append(
                ConfigError(
                    f"unknown Type {kind!r}",
                    file=file,
                    row=line,
                    column="Type",
                    hint=f"use one of {', '.join(META_TYPES)}",
                )
            )
            continue
        if kind in ("Group", "Denominator", "Other"):
            continue
        if not code:
            problems.append(ConfigError("iCode is empty", file=file, row=line, column="iCode"))
            continue
        weight = _number(row.get("Weight", ""), file=file, row=line, column="Weight", problems=problems)
        level = _number(row.get("Level", ""), file=file, row=line, column="Level", problems=problems)
        label = {"en": row["iName"]} if row.get("iName") else {}
        parent = row.get("Parent") or None
        if kind == "Aggregate":
            nodes.append(
                (level or 0.0, Node(code=code, label=label, parent=parent, weight=1.0 if weight is None else weight))
            )
            continue
        direction_text = row.get("Direction", "")
        direction = Direction.HIGHER
        if direction_text in ("-1", "-1.0"):
            direction = Direction.LOWER
        elif direction_text not in ("1", "1.0", ""):
            problems.append(
                ConfigError(
                    f"Direction must be 1 or -1, got {direction_text!r}", file=file, row=line, column="Direction"
                )
            )
        tags = []
        denominator = row.get("Denominator") or None
        if row.get("Unit"):
            tags.append(f"unit:{row['Unit']}")
        if row.get("Denominator"):
            tags.append(f"denominator:{row['Denominator']}")
        target = _number(row.get("Target", ""), file=file, row=line, column="Target", problems=problems)
        indicators.append(
            Indicator(
                code=code,
                label=label,
                parent=parent,
                weight=1.0 if weight is None else weight,
                direction=direction,
                target=target,
                denominator=denominator if denominators else None,
                tags=tuple(tags),
                source=f"COINr iMeta {Path(file).name}",
            )
        )
    if problems:
        raise GridValidationError(problems, what=f"COINr iMeta {file!r}")
    # COINr's index is the highest-level aggregate; its Parent column is empty.
    nodes.sort(key=lambda pair: -pair[0])
    root_code = nodes[0][1].code if nodes else "index"
    return Grid(
        code=root_code,
        label=dict(nodes[0][1].label) if nodes else {},
        languages=("en",),
        nodes=tuple(node for _, node in nodes),
        indicators=tuple(indicators),
        defaults=Defaults(
            normaliser=Method(name="minmax", params={"low": 0.0, "high": 100.0}), aggregator=Method(name="arithmetic")
        ),
        source=f"COINr iMeta table {Path(file).name}",
    )


def _attributes(header: list[str], grid: Grid | None, groups: dict[str, str]) -> list[str]:
    """iData columns that are attributes: ``uName`` (as ``name``), ``*_group`` columns, and the
    Group/Denominator/Other codes of iMeta, except denominators the grid divides by (read as numbers)."""
    divided_by = {ind.denominator for ind in grid.indicators if ind.denominator} if grid is not None else set()
    names = ["name", *(n for n in groups if n not in divided_by), *(n for n in header if n.endswith("_group"))]
    return list(dict.fromkeys(names))


def _meta_groups_beside(source: Path, meta: PathLike | None) -> dict[str, str]:
    meta_path = Path(meta) if meta is not None else source.with_name("iMeta.csv")
    return meta_groups(meta_path) if meta_path.is_file() and is_coinr_meta(meta_path) else {}


def read_coinr_data(
    path: PathLike, grid: Grid | None = None, *, meta: PathLike | None = None, declared: Declared = NOTHING
) -> Dataset:
    """A ``Dataset`` from a COINr iData table.

    ``uCode`` is the organisation, ``Time`` the period, ``uName`` the attribute ``name``; columns
    ending in ``_group`` and those named as Group/Denominator/Other in ``meta`` (by default an
    ``iMeta.csv`` next to the file, when there is one) become attributes. With ``grid``, the other
    columns must be its indicators.
    """
    file = str(path)
    if not Path(file).is_file():
        raise DataError("iData file not found", file=file)
    extra = _meta_groups_beside(Path(file), meta)
    from vises.io.csv_data import read_csv

    header = _header(path)
    if "uCode" not in header:
        raise DataError("not a COINr iData table: no uCode column", file=file)
    attributes = ["uName" if name == "name" else name for name in _attributes(header, grid, extra)]
    dataset = read_csv(
        path,
        grid=grid,
        id_column="uCode",
        period_column="Time" if "Time" in header else None,
        delimiter=",",
        attributes=attributes,
        declared=declared,
    )
    return _as_r_missing(dataset)


def _as_r_missing(dataset: Dataset) -> Dataset:
    """R writes a missing value as ``NA``, which the data format reads as *not applicable*: in an iData
    table every such cell is missing (COINr has no *not applicable*), column by column."""
    import attrs
    import numpy as np

    columns = {
        code: attrs.evolve(column, not_applicable=None) if column.not_applicable is not None else column
        for code, column in dataset.columns.items()
    }
    attributes = {}
    for name, values in dataset.attributes.items():
        text = np.asarray(values, dtype=object)
        attributes["name" if name == "uName" else name] = np.where(text == "NA", "", text)
    return attrs.evolve(dataset, columns=columns, attributes=attributes)


def read_coinr_frame(
    frame: Any, grid: Grid | None = None, *, meta: PathLike | None = None, declared: Declared = NOTHING
) -> Dataset:
    """A ``Dataset`` from COINr's iData as a pandas DataFrame (``ASEM_iData`` exported from R, say).

    The same columns as ``read_coinr_data``; ``meta`` (an iMeta CSV) names the Group, Denominator and
    Other columns that are attributes rather than indicators.
    """
    from vises.io.frames import from_frame

    header = [str(name) for name in getattr(frame, "columns", [])]
    if "uCode" not in header:
        raise DataError("not a COINr iData table: the DataFrame has no uCode column")
    groups = meta_groups(meta) if meta is not None and is_coinr_meta(meta) else {}
    if meta is None and grid is not None:
        # Without iMeta, the denominators the grid's indicators name (kept as tags) are known columns.
        for ind in grid.indicators:
            groups.update({tag.split(":", 1)[1]: "Denominator" for tag in ind.tags if tag.startswith("denominator:")})
    renamed = frame.rename(columns={"uName": "name"}) if "uName" in header else frame
    return from_frame(
        renamed,
        grid=grid,
        id_column="uCode",
        period_column="Time" if "Time" in header else None,
        attributes=_attributes(header, grid, groups),
        declared=declared,
    )


__all__ = [
    "META_COLUMNS",
    "is_coinr_data",
    "is_coinr_meta",
    "meta_groups",
    "read_coinr_data",
    "read_coinr_frame",
    "read_coinr_meta",
]
