"""Text tables laid out column by column: the terminal's plain table and Markdown's pipe table.

A table is a tuple of columns of already formatted cells (each column formatted at once by
``vises.format_number``); laying it out is measuring each column and padding it, with no
per-cell formatting of numbers and no third-party table library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

#: Column alignments.
LEFT, RIGHT = "left", "right"


@attrs.frozen(kw_only=True)
class Table:
    """Headers and columns of cells (strings); ``align`` is ``"left"`` or ``"right"`` per column."""

    headers: tuple[str, ...]
    columns: tuple[Sequence[str], ...]
    align: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if len(self.columns) != len(self.headers):
            raise ValueError("a table needs one column per header")
        if len({len(column) for column in self.columns}) > 1:
            raise ValueError("every column of a table has the same number of cells")

    @property
    def height(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def alignment(self, index: int) -> str:
        return self.align[index] if index < len(self.align) else LEFT

    @classmethod
    def from_rows(cls, headers: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] = ()) -> Table:
        """A table from rows (for the few small tables built row by row)."""
        columns = tuple(list(column) for column in zip(*rows, strict=True)) if rows else tuple([] for _ in headers)
        return cls(headers=tuple(headers), columns=columns, align=tuple(align))


def _pad(cells: Sequence[str], width: int, align: str) -> list[str]:
    if align == RIGHT:
        return [cell.rjust(width) for cell in cells]
    return [cell.ljust(width) for cell in cells]


def _width(header: str, cells: Sequence[str]) -> int:
    return max(len(header), max(map(len, cells), default=0))


def plain(table: Table, clean: Callable[[str], str] = str) -> str:
    """The table as the terminal shows it: headers, a rule of dashes, columns two spaces apart."""
    headers = [clean(header) for header in table.headers]
    columns = [[clean(cell) for cell in column] for column in table.columns]
    widths = [_width(header, column) for header, column in zip(headers, columns, strict=True)]
    padded = [
        _pad(column, width, table.alignment(i)) for i, (column, width) in enumerate(zip(columns, widths, strict=True))
    ]
    head = "  ".join(_pad([h], w, table.alignment(i))[0] for i, (h, w) in enumerate(zip(headers, widths, strict=True)))
    rule = "  ".join("-" * width for width in widths)
    body = ["  ".join(cells).rstrip() for cells in zip(*padded, strict=True)]
    return "\n".join([head.rstrip(), rule, *body])


def pipe(table: Table, clean: Callable[[str], str] = str) -> str:
    """The table as a GitHub-flavoured Markdown pipe table, columns padded to be read as text too.

    ``clean`` escapes the headers and the left-aligned (text) columns; right-aligned columns hold
    the numbers the report formatted itself and are written as they are.
    """
    headers = [clean(header) for header in table.headers]
    columns = [
        list(column) if table.alignment(i) == RIGHT else [clean(cell) for cell in column]
        for i, column in enumerate(table.columns)
    ]
    widths = [max(3, _width(header, column)) for header, column in zip(headers, columns, strict=True)]
    padded = [
        _pad(column, width, table.alignment(i)) for i, (column, width) in enumerate(zip(columns, widths, strict=True))
    ]
    head = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if table.alignment(i) == RIGHT else (":" + "-" * (w + 1))
            for i, w in enumerate(widths)
        )
        + "|"
    )
    body = ["| " + " | ".join(cells) + " |" for cells in zip(*padded, strict=True)]
    return "\n".join([head, rule, *body])
