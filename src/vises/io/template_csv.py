"""A CSV template read under a grid: its metadata line checked against the grid (``template_version``).

Another grid's template is refused; the same version reads as any CSV file does. A template made
for another version of the grid reads when its indicators still exist: the columns of indicators
dropped since (and their evidence columns) are left out with the version warning, which names
those holding values, instead of each being a problem of a column the grid does not know; the
indicators added since are empty columns, missing for the template's rows.

To know whether a dropped indicator's column holds values, the readers are asked to keep it as a
text attribute (``Declared.attributes``); ``CsvTemplate.finish`` looks, says so and takes it out
again, so the dataset never holds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from vises.io.layout import Declared, Role, comment_target, evidence_target, plan_columns
from vises.io.template_line import TemplateLine
from vises.io.template_version import (
    added_since,
    check_grid,
    missing_column,
    needs_column,
    version_changed,
    version_note,
)
from vises.model import Dataset, Grid


@attrs.frozen(kw_only=True, eq=False)
class CsvTemplate:
    """A CSV template of another version of the grid, planned from its header."""

    grid: Grid
    line: TemplateLine
    file: str | None
    #: What the caller declared; the readers get it with the dropped columns added as attributes.
    asked: Declared
    declared: Declared
    #: Each dropped indicator and its columns: (name without unit, header as written), those the
    #: caller left out (``--ignore``) apart: they are named, never read.
    dropped: Mapping[str, tuple[tuple[str, str], ...]]
    added: tuple[str, ...]

    def finish(self, dataset: Dataset) -> Dataset:
        """The dataset without the dropped columns, with the added ones (empty), and the warning."""
        attributes = dict(dataset.attributes)
        given: dict[str, list[str]] = {}
        for code, names in self.dropped.items():
            given[code] = []
            for name, raw in names:
                cells = attributes.pop(name, None)
                if cells is not None and _filled(cells):
                    given[code].append(f"column {raw.strip()!r}")
        n = len(dataset)
        columns = dict(dataset.columns)
        indicators = self.grid.index.indicator_by_code
        for code in self.added:
            indicator = indicators[code]
            if code not in columns and needs_column(indicator):
                columns[code] = missing_column(indicator, n)
        version_note(self.grid, self.line.version, dropped=given, added=self.added, file=self.file, stacklevel=3)
        return attrs.evolve(dataset, attributes=attributes, columns=columns)


def _filled(cells: Any) -> bool:
    text = np.asarray(cells, dtype=object)
    return bool(np.any((text != None) & (text != "")))  # noqa: E711 (elementwise, on an object array)


def under_grid(
    line: TemplateLine | None,
    names: Sequence[str],
    *,
    grid: Grid | None,
    declared: Declared,
    file: str | None,
    **plan: Any,
) -> CsvTemplate | None:
    """Check a CSV template's line against ``grid``; the plan of its columns when the version differs.

    ``names`` are the header's cells, ``plan`` the reader's other column options (units, organisation
    and period columns, attributes). ``None``: read the file as it is (no line, no grid, the same
    version). Raises ``DataError`` for another grid's template."""
    if line is None or grid is None:
        return None
    check_grid(line.grid, line.version, grid, file=file)
    if not version_changed(line.version, grid):
        return None
    raw = [name or " " * (index + 1) for index, name in enumerate(names)]
    planned = plan_columns(raw, grid=grid, file=file, declared=declared, **plan)
    dropped: dict[str, list[tuple[str, str]]] = {}
    present: set[str] = set()
    for column in planned.columns:
        if column.role is Role.UNKNOWN and column.indicator is None and comment_target(column.name) is None:
            # Not a second text for one code: a column the grid does not know, an indicator dropped since.
            target = evidence_target(column.name)
            code = target[0] if target is not None else column.name
            dropped.setdefault(code, []).append((column.name, column.raw))
        elif column.role is Role.IGNORED:
            # Left out on request; still dropped since, as far as the note goes (never read).
            target = evidence_target(column.name)
            dropped.setdefault(target[0] if target is not None else column.name, [])
        elif column.indicator is not None:
            present.add(column.indicator.code)
    added = added_since(grid, present)
    names_kept = tuple(name for columns in dropped.values() for name, _ in columns)
    return CsvTemplate(
        grid=grid,
        line=line,
        file=file,
        asked=declared,
        declared=attrs.evolve(declared, attributes=(*declared.attributes, *names_kept)),
        dropped={code: tuple(columns) for code, columns in dropped.items()},
        added=added,
    )


__all__ = ["CsvTemplate", "under_grid"]
