"""CSV text built a whole column at a time in pyarrow's C kernels (the CSV report and CSV data files).

Python's ``csv`` module formats one cell at a time; at a million rows × fifty columns that is most of
a ``vises score --format csv`` run. Here each column becomes an Arrow string array once: numbers as
machine numbers (``vises.numeric.machine_text_arrow``, the same text as ``repr``), text made inert
for a spreadsheet (``vises.neutralise.spreadsheet_text``, applied to each distinct cell whose first
character could start a formula) and quoted exactly where the ``csv`` module quotes (a delimiter, a
quote, a line break: ``QUOTE_MINIMAL``, quotes doubled); then the cells are joined into lines in C.
The text is byte for byte what ``csv.writer`` writes from the same cells. Needs pyarrow; callers
keep the ``csv`` module for a plain install.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vises.neutralise import FORMULA_TRIGGERS, spreadsheet_text
from vises.numeric import machine_text_arrow


def _arrow() -> tuple[Any, Any]:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa, pc


def text_array(values: np.ndarray | Sequence[Any]) -> Any:
    """Text cells as an Arrow string array (``None`` a null), without a fixed-width copy."""
    pa, _ = _arrow()
    cells = np.asarray(values)
    if cells.dtype.kind == "U":
        return pa.array(cells, type=pa.string())
    try:
        return pa.array(cells, type=pa.string(), from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or other objects among the cells
        return pa.array([None if cell is None else str(cell) for cell in cells.tolist()], type=pa.string())


def inert(text: Any) -> Any:
    """``text`` (an Arrow string array) with every formula-like cell prefixed by ``'``.

    Only cells whose first character is a trigger are looked at, each distinct one once, by the one
    rule of ``vises.neutralise``; a plain signed number such as ``-3`` is left alone.
    """
    pa, pc = _arrow()
    first = pc.utf8_slice_codeunits(text, 0, 1)
    suspect = pc.fill_null(pc.is_in(first, value_set=pa.array(FORMULA_TRIGGERS, type=pa.string())), False)
    if not pc.any(suspect).as_py():
        return text
    encoded = pc.dictionary_encode(text.filter(suspect))
    safe = pa.array([spreadsheet_text(cell) for cell in encoded.dictionary.to_pylist()], type=pa.string())
    return pc.replace_with_mask(text, suspect, safe.take(encoded.indices))


def quoted(text: Any, delimiter: str = ",") -> Any:
    """Cells holding the delimiter, a quote, CR or LF enclosed in quotes, inner quotes doubled."""
    _, pc = _arrow()
    specials = "".join(sorted({delimiter, '"', "\r", "\n"}))
    pattern = "[" + specials.replace("\\", "\\\\").replace("]", "\\]").replace("^", "\\^").replace("-", "\\-") + "]"
    needs = pc.fill_null(pc.match_substring_regex(text, pattern), False)
    if not pc.any(needs).as_py():
        return text
    enclosed = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, enclosed, text)


def text_cells(values: np.ndarray | Sequence[Any], *, delimiter: str = ",", neutralise: bool = True) -> Any:
    """A text column ready for a CSV line: inert for a spreadsheet (unless ``neutralise=False``), quoted."""
    text = text_array(values)
    return quoted(inert(text) if neutralise else text, delimiter)


def number_cells(values: np.ndarray) -> Any:
    """A float column as machine numbers; a missing or infinite value is an empty cell (null)."""
    return machine_text_arrow(values)


def csv_lines(columns: Sequence[Any], *, delimiter: str = ",", lineterminator: str = "\r\n") -> bytes:
    """The rows of ``columns`` (Arrow string arrays of CSV cells, nulls empty) as UTF-8 CSV lines."""
    pa, pc = _arrow()
    if not columns or not len(columns[0]):
        return b""
    options = {"null_handling": "replace", "null_replacement": ""}
    *head, last = columns
    ended = pc.binary_join_element_wise(last, lineterminator, "", **options)
    lines = pc.binary_join_element_wise(*head, ended, delimiter, **options) if head else ended
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    data: bytes = lines.buffers()[2][int(offsets[0]) : int(offsets[-1])].to_pybytes()
    return data


__all__ = ["csv_lines", "inert", "number_cells", "quoted", "text_array", "text_cells"]
