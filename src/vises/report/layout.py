"""Text tables laid out column by column: the terminal's plain table and Markdown's pipe table.

A table is a tuple of columns of already formatted cells (each column formatted at once by
``vises.format_number``); laying it out is measuring each column and padding it, with no
per-cell formatting of numbers and no third-party table library.
"""

from __future__ import annotations

import textwrap
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
    #: Leading columns that name a row (organisation, period): repeated when a wide table is split.
    keys: int = 1

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
    def from_rows(
        cls, headers: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] = (), keys: int = 1
    ) -> Table:
        """A table from rows (for the few small tables built row by row)."""
        columns = tuple(list(column) for column in zip(*rows, strict=True)) if rows else tuple([] for _ in headers)
        return cls(headers=tuple(headers), columns=columns, align=tuple(align), keys=keys)


def _pad(cells: Sequence[str], width: int, align: str) -> list[str]:
    if align == RIGHT:
        return [cell.rjust(width) for cell in cells]
    return [cell.ljust(width) for cell in cells]


def _width(header: str, cells: Sequence[str]) -> int:
    return max(len(header), max(map(len, cells), default=0))


#: A text column is never wrapped narrower than this (nor narrower than its longest number).
MIN_TEXT = 14
#: The narrowest a text column ever gets, on a very narrow terminal.
_FLOOR = 6
#: Two spaces between columns.
_GAP = 2


def _wrap(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` characters, words kept whole where they fit; nothing dropped."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True) or [""]


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _fit(headers: list[str], columns: list[list[str]], aligns: list[str], width: int, keys: int) -> list[list[int]]:
    """Column widths, and the groups of columns printed one after the other, to fit ``width``.

    In this order, until the table fits: headers wrapped at word boundaries; the widest text
    columns after the key columns wrapped (down to ``MIN_TEXT``); the other columns split into
    several tables that each repeat the ``keys`` leading columns; the key text columns wrapped.
    Numbers are never wrapped, and no text is ever cut: a wrapped cell takes more lines.
    """
    cells = [max(map(len, column), default=0) for column in columns]
    natural = [max(len(header), cell) for header, cell in zip(headers, cells, strict=True)]

    def total(widths: list[int], group: list[int]) -> int:
        return sum(widths[i] for i in group) + _GAP * (len(group) - 1)

    everything = list(range(len(headers)))
    if total(natural, everything) <= width:
        return [natural, everything]
    # Headers wrapped at their words: a column is as wide as its cells or its longest header word.
    widths = [max(cell, min(_longest_word(header), 24)) for header, cell in zip(headers, cells, strict=True)]
    keys = min(keys, len(headers) - 1) if len(headers) > 1 else 0

    def shrink(indexes: list[int], group: list[int], floor: int = MIN_TEXT) -> None:
        """Cap the text columns of ``indexes`` at one width (as wide as fits, never below ``floor``)."""
        texts = [i for i in indexes if aligns[i] != RIGHT and widths[i] > floor]
        excess = total(widths, group) - width
        if excess <= 0 or not texts:
            return
        room = sum(widths[i] for i in texts) - excess  # what the capped columns may take together
        ordered = sorted(widths[i] for i in texts)
        cap = floor
        for position, current in enumerate(ordered):
            # With every column from ``position`` on capped at ``c``: sum(smaller) + c * (n - position) <= room.
            c = (room - sum(ordered[:position])) // (len(ordered) - position)
            if c < current:
                cap = max(floor, c)
                break
        else:
            return
        for i in texts:
            widths[i] = min(widths[i], cap)

    shrink(everything[keys:], everything)
    if total(widths, everything) <= width:
        return [widths, everything]
    # Split the other columns into groups that fit beside the key columns.
    head = everything[:keys]
    groups: list[list[int]] = []
    current: list[int] = []
    for index in everything[keys:]:
        if current and total(widths, head + current + [index]) > width:
            groups.append(head + current)
            current = []
        current.append(index)
    groups.append(head + current)
    for group in groups:
        shrink(head, group)
        if total(widths, group) > width:
            # A very narrow terminal: number headers break inside words (numbers never do), text
            # columns go down to a few characters.
            for i in sorted(group, key=lambda i: -widths[i]):
                excess = total(widths, group) - width
                if aligns[i] == RIGHT and excess > 0:
                    widths[i] -= min(excess, max(widths[i] - max(cells[i], _FLOOR), 0))
            shrink(group, group, floor=_FLOOR)
    return [widths, *groups]


def plain(table: Table, clean: Callable[[str], str] = str, *, width: int | None = None) -> str:
    """The table as the terminal shows it: headers, a rule of dashes, columns two spaces apart.

    With ``width``, the table is laid out to fit that many characters (``_fit``): headers and
    text wrap onto more lines, and a table still too wide is printed in parts that each repeat
    its first ``table.keys`` columns. Nothing is abbreviated or cut.
    """
    headers = [clean(header) for header in table.headers]
    columns = [[clean(cell) for cell in column] for column in table.columns]
    aligns = [table.alignment(i) for i in range(len(headers))]
    if not headers:
        return ""
    widths, *groups = _fit(headers, columns, aligns, width or 10**9, table.keys)
    parts = [_render(headers, columns, aligns, widths, group) for group in groups]
    return "\n\n".join(parts)


def _render(
    headers: list[str], columns: list[list[str]], aligns: list[str], widths: list[int], group: list[int]
) -> str:
    def lines_of(cells: list[str]) -> list[str]:
        """One visual row: each cell wrapped to its width, the row as high as its tallest cell."""
        wrapped = [_wrap(cells[k], widths[i]) if aligns[i] != RIGHT else [cells[k]] for k, i in enumerate(group)]
        height = max(map(len, wrapped))
        out = []
        for line in range(height):
            parts = [
                _pad([text[line] if line < len(text) else ""], widths[i], aligns[i])[0]
                for text, i in zip(wrapped, group, strict=True)
            ]
            out.append((" " * _GAP).join(parts).rstrip())
        return out

    head_cells = [_wrap(headers[i], widths[i]) for i in group]
    height = max(map(len, head_cells))
    # Headers sit on their last line, as numbers sit under a right-aligned head.
    head_cells = [[""] * (height - len(cell)) + cell for cell in head_cells]
    head = [
        (" " * _GAP)
        .join(_pad([cell[line]], widths[i], aligns[i])[0] for cell, i in zip(head_cells, group, strict=True))
        .rstrip()
        for line in range(height)
    ]
    rule = (" " * _GAP).join("-" * widths[i] for i in group)
    body = []
    for row in range(len(columns[0]) if columns else 0):
        body.extend(lines_of([columns[i][row] for i in group]))
    return "\n".join([*head, rule, *body])


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
