"""A template read under a grid: the same grid, and which version of it. One set of rules and one
wording for the xlsx template (``template_reader``) and the CSV template (``template_csv``).

- another grid's template is refused, naming both grids;
- the same version reads without a word;
- another version reads when its indicators still exist, with one warning naming both versions,
  the indicators dropped since (their values, where the template gives any, are not read, and
  where they were is said) and the indicators added since (missing in this template: their
  columns are empty, so the template reads as any file lacking values does).
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from vises.errors import DataError, DataWarning
from vises.model import Column, Grid, Indicator, Kind


def check_grid(made_for: str, made_version: str | None, grid: Grid, *, file: str | None) -> None:
    """Refuse a template made for another grid than ``grid``."""
    if grid.code != made_for:
        raise DataError(
            f"this template was made for grid {made_for!r} (version {made_version}), not {grid.code!r}",
            file=file,
            hint=f"read it with --grid {made_for}, or make a new template for {grid.code!r}",
        )


def version_changed(made_version: str | None, grid: Grid) -> bool:
    """Whether a template made for ``made_version`` (``None``: not recorded) is read under another."""
    return made_version is not None and made_version != grid.version


def version_note(
    grid: Grid,
    made_version: str | None,
    *,
    dropped: Mapping[str, Sequence[str]],
    added: Sequence[str],
    file: str | None,
    stacklevel: int = 2,
) -> None:
    """Warn that the template was made for another version of the grid, and what changed since.

    ``dropped``: each indicator the template has and the grid no longer has, with the places
    where the template gives values for it (none: it is there, but empty); ``added``: the grid's
    indicators the template lacks."""
    parts = [
        f"the template was made for version {made_version} of grid {grid.code!r} and is read "
        f"with version {grid.version}"
    ]
    if dropped:
        unread = [f"{code} ({'; '.join(places)})" for code, places in dropped.items() if places]
        parts.append(
            f"indicators dropped since: {', '.join(dropped)}"
            + (f"; the values given for {', '.join(unread)} are not read" if unread else "")
        )
    if added:
        parts.append(f"indicators added since: {', '.join(added)} (missing in this template)")
    if len(parts) == 1:
        parts.append("its indicators are the same")
    warnings.warn(DataWarning(DataError("; ".join(parts), file=file)), stacklevel=stacklevel + 1)


def added_since(grid: Grid, present: Collection[str]) -> tuple[str, ...]:
    """The grid's indicators a template asks for (derived ones are computed) that are not ``present``."""
    return tuple(ind.code for ind in grid.indicators if not ind.derived and ind.code not in present)


def needs_column(indicator: Indicator) -> bool:
    """Whether an indicator added since gets an empty column: one with values of its own (a
    narrative is text, a derived one is computed)."""
    return indicator.kind is not Kind.NARRATIVE and not indicator.derived


def missing_column(indicator: Indicator, n: int) -> Column:
    """An indicator added since the template was made: ``n`` missing values, in its unit."""
    if indicator.kind is Kind.QUANTITY:
        return Column(values=np.full(n, np.nan), unit=indicator.unit)
    return Column(values=np.full(n, None, dtype=object))


__all__ = ["added_since", "check_grid", "missing_column", "needs_column", "version_changed", "version_note"]
