"""CSV text built a whole column at a time in pyarrow's C kernels (the CSV report and CSV data files).

Python's ``csv`` module formats one cell at a time; at a million rows × fifty columns that is most of
a ``vises score --format csv`` run. Here each column becomes an Arrow string array once: numbers as
machine numbers (``vises.io.machine_text``, the same text as ``repr``), text made inert
for a spreadsheet (``vises.neutralise.spreadsheet_text``, applied to each distinct cell whose first
character could start a formula) and quoted exactly where the ``csv`` module quotes (a delimiter, a
quote, a line break: ``QUOTE_MINIMAL``, quotes doubled); then the cells are joined into lines in C.
The text is byte for byte what ``csv.writer`` writes from the same cells. Needs pyarrow; callers
keep the ``csv`` module for a plain install.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from vises.io.arrow_numpy import FALSE, strings
from vises.io.machine_text import machine_row_parts, machine_text_arrow
from vises.neutralise import FORMULA_TRIGGERS, spreadsheet_text


def _arrow() -> tuple[Any, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa, pc


def text_array(values: np.ndarray | Sequence[Any]) -> Any:
    """Text cells as an Arrow string array (``None`` a null), without a fixed-width copy."""
    pa, _ = _arrow()
    cells = np.asarray(values)
    if "pandas" not in sys.modules:
        built = _joined_text(cells)
        if built is not None:
            return built
    if cells.dtype.kind == "U":
        return pa.array(cells, type=pa.string())
    try:
        return pa.array(cells, type=pa.string(), from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or other objects among the cells
        return pa.array([None if cell is None else str(cell) for cell in cells.tolist()], type=pa.string())


def _joined_text(cells: np.ndarray) -> Any | None:
    """Python strings as an Arrow string array without ``pa.array`` (which imports pandas, ~200 ms):
    joined with line feeds and encoded in C, each cell ends where a line feed is; ``None`` when a
    cell is not a string or holds a line feed itself (``pa.array`` then)."""
    pa, pc = _arrow()
    if not cells.size:
        return strings([])
    try:
        data = ("\n".join(cells.reshape(-1).tolist()) + "\n").encode("utf-8")
    except (TypeError, UnicodeEncodeError):
        return None
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    if len(ends) != cells.size or len(data) >= 2**31:
        return None
    offsets = np.zeros(len(ends) + 1, dtype=np.int32)
    offsets[1:] = ends + 1
    with_ends = pa.StringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(data))
    return pc.utf8_slice_codeunits(with_ends, 0, -1)


def inert(text: Any) -> Any:
    """``text`` (an Arrow string array) with every formula-like cell prefixed by ``'``.

    Only cells whose first character is a trigger are looked at, each distinct one once, by the one
    rule of ``vises.neutralise``; a plain signed number such as ``-3`` is left alone.
    """
    _, pc = _arrow()
    first = pc.utf8_slice_codeunits(text, 0, 1)
    suspect = pc.fill_null(pc.is_in(first, value_set=strings(FORMULA_TRIGGERS)), FALSE)
    if not pc.any(suspect).as_py():
        return text
    encoded = pc.dictionary_encode(text.filter(suspect))
    safe = strings([spreadsheet_text(cell) for cell in encoded.dictionary.to_pylist()])
    return pc.replace_with_mask(text, suspect, safe.take(encoded.indices))


def quoted(text: Any, delimiter: str = ",") -> Any:
    """Cells holding the delimiter, a quote, CR or LF enclosed in quotes, inner quotes doubled."""
    _, pc = _arrow()
    specials = "".join(sorted({delimiter, '"', "\r", "\n"}))
    pattern = "[" + specials.replace("\\", "\\\\").replace("]", "\\]").replace("^", "\\^").replace("-", "\\-") + "]"
    needs = pc.fill_null(pc.match_substring_regex(text, pattern), FALSE)
    if not pc.any(needs).as_py():
        return text
    quote, empty = strings(['"', ""])
    enclosed = pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, empty)
    return pc.if_else(needs, enclosed, text)


def text_cells(values: np.ndarray | Sequence[Any], *, delimiter: str = ",", neutralise: bool = True) -> Any:
    """A text column ready for a CSV line: inert for a spreadsheet (unless ``neutralise=False``), quoted."""
    text = text_array(values)
    return quoted(inert(text) if neutralise else text, delimiter)


def number_cells(values: np.ndarray) -> Any:
    """A float column as machine numbers; a missing or infinite value is an empty cell (null)."""
    return machine_text_arrow(values)


_JOIN = {"null_handling": "replace", "null_replacement": ""}


def csv_lines(columns: Sequence[Any], *, delimiter: str = ",", lineterminator: str = "\r\n") -> bytes:
    """The rows of ``columns`` (Arrow string arrays of CSV cells, nulls empty) as UTF-8 CSV lines."""
    data: bytes = _text(_lines(columns, delimiter=delimiter, lineterminator=lineterminator)).to_pybytes()
    return data


def first_cells(columns: Sequence[Any], *, delimiter: str = ",") -> Any:
    """Each row's cells of ``columns`` joined by the delimiter (nulls empty): the start of its line."""
    _, pc = _arrow()
    if len(columns) == 1:
        return pc.fill_null(columns[0], strings([""])[0])
    return pc.binary_join_element_wise(*columns, strings([delimiter])[0], **_JOIN)


def number_lines(first: Any, block: np.ndarray, *, delimiter: str = ",", lineterminator: str = "\r\n") -> Any | None:
    """CSV lines of ``first`` (``first_cells``) followed by each row's numbers of ``block``, as a buffer of
    UTF-8 text; the whole block is formatted at once and joined in one pass (``machine_row_parts``).
    ``None`` when that route is not open (no orjson): ``csv_lines`` of ``number_cells`` writes the same text."""
    pa, pc = _arrow()
    parts = machine_row_parts(block, delimiter=delimiter, lineterminator=lineterminator)
    if parts is None:
        return None
    empty = strings([""])[0]
    if isinstance(parts, list):  # more than 2 GiB of numbers: a part at a time
        done, pieces = 0, []
        for rows, exact in parts:
            lines = pc.binary_join_element_wise(first.slice(done, len(rows)), rows, exact, empty, **_JOIN)
            pieces.append(_text(lines).to_pybytes())
            done += len(rows)
        return pa.py_buffer(b"".join(pieces))
    rows, exact = parts
    return _text(pc.binary_join_element_wise(first, rows, exact, empty, **_JOIN))


def _lines(columns: Sequence[Any], *, delimiter: str, lineterminator: str) -> Any:
    pa, pc = _arrow()
    if not columns or not len(columns[0]):
        return strings([])
    separator, terminator, empty = strings([delimiter, lineterminator, ""])
    *head, last = columns
    ended = pc.binary_join_element_wise(last, terminator, empty, **_JOIN)
    lines = pc.binary_join_element_wise(*head, ended, separator, **_JOIN) if head else ended
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    return lines


def _text(lines: Any) -> Any:
    """The text of a string array's cells, one after another: a slice of its data buffer (no copy)."""
    pa, _ = _arrow()
    if not len(lines):
        return pa.py_buffer(b"")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return lines.buffers()[2][int(offsets[0]) : int(offsets[-1])]


__all__ = ["csv_lines", "first_cells", "inert", "number_cells", "number_lines", "quoted", "text_array", "text_cells"]
