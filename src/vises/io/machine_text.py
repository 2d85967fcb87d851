"""Machine numbers as text: each float exactly as ``float.__repr__`` writes it, a column or a block
at a time (the CSV report and CSV data files; ``vises.io.csv_text`` lays them into lines).

``machine_text`` is the plain route (no pyarrow); ``machine_text_arrow`` casts a column in Arrow's C
kernels; ``machine_rows`` writes a whole block of rows with orjson when it is installed and writes
as ``repr`` does (checked once by a probe). All three give the same text; pyarrow and orjson
are imported where used, so the plain route needs neither.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

#: Magnitudes where Arrow's shortest text and ``repr`` choose different notations (Arrow writes
#: 1e-05 as ``0.00001`` and 12345678901.5 as ``1.23456789015e+10``; ``repr`` switches to an exponent
#: below 1e-4 and at 1e16, and pads it to two digits). The bounds are widened by 1 % so a value whose
#: shortest digits round across a power of ten is never on the wrong side; cells there take ``repr``.
_REPR_RANGES = ((0.99e-9, 1.01e-4), (0.99e10, 1.01e16))


def machine_text_arrow(values: np.ndarray | Sequence[float]) -> Any:
    """A float column as a pyarrow string array of machine numbers; null where not finite.

    The text is exactly ``float.__repr__`` of each value (``12.0``, ``0.1``, ``1e-05``,
    ``1.5e+16``): pyarrow's C cast gives the same shortest round-trip digits in about a quarter
    of the time, then a whole-number cell gets ``repr``'s ``.0``, and the cells in the two magnitude
    bands where the notations differ (rare in scores: below 1e-4 or from 1e10 to 1e16) are
    written by ``repr`` itself. Needs pyarrow (``machine_text`` works without).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from vises.io.arrow_numpy import flags, strings

    x = np.ascontiguousarray(values, dtype=np.float64).reshape(-1)
    finite = np.isfinite(x)
    valid = None if finite.all() else flags(finite).buffers()[1]
    numbers = pa.Array.from_buffers(pa.float64(), len(x), [valid, pa.py_buffer(x)])
    text = pc.cast(numbers, pa.string())
    magnitude = np.abs(x)
    with np.errstate(invalid="ignore"):
        odd = np.zeros(x.shape, dtype=bool)
        for low, high in _REPR_RANGES:
            odd |= (magnitude >= low) & (magnitude < high)
        whole = finite & ~odd & (magnitude < 1e16) & (x == np.trunc(x))
    if whole.any():
        point, empty = strings([".0", ""])
        text = pc.if_else(flags(whole), pc.binary_join_element_wise(text, point, empty), text)
    if odd.any():
        exact = strings(list(map(float.__repr__, x[odd].tolist())))
        text = pc.replace_with_mask(text, flags(odd), exact)
    return text


#: Magnitudes where orjson's shortest text is not ``repr``'s (it writes 1e-05 as ``0.00001`` and
#: 1.5e-07 as ``1.5e-7``), widened by 1 % as ``_REPR_RANGES``; rows with such a cell take the
#: column-wise route. Everywhere else the two agree digit for digit (tests/test_csv_text.py).
_ORJSON_ODD = (0.99e-9, 1.01e-4)
#: Values on both sides of every notation switch, and what ``repr`` writes for them.
_PROBE = (0.1, 12.0, -0.0, 1e16, 9999999999999998.0, 1.5e300, 5e-324, 1e-10, 123456789012345.6, 0.0001, 2.0**53)
_checked: list[Any] = []
#: The most text one string array holds (its offsets are 32-bit).
_MAX_TEXT = 2**31 - 1
#: Delimiters that cannot be part of a number's text (one byte each).
_ROW_DELIMITERS = (",", ";", "\t", "|")


def _orjson() -> Any:
    """orjson when it is installed and writes the probe values as ``repr`` does (else ``None``, once)."""
    if not _checked:
        try:
            import orjson

            text = orjson.dumps(np.array([*_PROBE, math.nan]), option=orjson.OPT_SERIALIZE_NUMPY)
            expected = "[" + ",".join(map(float.__repr__, _PROBE)) + ",null]"
            _checked.append(orjson if text == expected.encode("ascii") else None)
        except Exception:  # not installed, or a version that refuses numpy arrays
            _checked.append(None)
    return _checked[0]


def machine_rows_open(delimiter: str = ",", lineterminator: str = "\r\n") -> bool:
    """Whether ``machine_rows`` formats blocks with this delimiter and line terminator (orjson installed,
    writing as ``repr``; a one-byte delimiter no number holds; a two-character terminator)."""
    return delimiter in _ROW_DELIMITERS and lineterminator in ("\r\n", "\n\r") and _orjson() is not None


def machine_rows(block: np.ndarray, *, delimiter: str = ",", lineterminator: str = "\r\n") -> Any | None:
    """The rows of a 2-D float block as pieces of CSV lines of machine numbers, as a pyarrow string array.

    Row ``i`` is the delimiter, then its cells joined by the delimiter (a value that is not finite
    an empty cell), then the line terminator: ``",12.0,,0.1\r\n"``, ready to follow a line's
    first cells. The text is ``machine_text_arrow``'s, made about four times faster (see
    ``machine_row_parts``). ``None`` when orjson is missing, the delimiter is not one byte or the
    line terminator not two, or the block is empty: callers take the column-wise route.
    """
    parts = machine_row_parts(block, delimiter=delimiter, lineterminator=lineterminator)
    if parts is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    from vises.io.arrow_numpy import strings

    if isinstance(parts, list):
        return pa.chunked_array([_joined(*part, empty=strings([""])[0], pc=pc) for part in parts])
    return _joined(*parts, empty=strings([""])[0], pc=pc)


def _joined(*columns: Any, empty: Any, pc: Any) -> Any:
    return pc.binary_join_element_wise(*columns, empty, null_handling="replace", null_replacement="")


def machine_row_parts(
    block: np.ndarray, *, delimiter: str = ",", lineterminator: str = "\r\n"
) -> tuple[Any, Any] | list[tuple[Any, Any]] | None:
    """``machine_rows`` in two string arrays whose cells, joined (a null as nothing), are the rows:
    the rows written by orjson (null where a cell is in ``_ORJSON_ODD``) and those rows written
    exactly (empty elsewhere). A caller joins them behind a line's first cells in one pass.

    orjson writes the whole block as JSON in one call (the same shortest digits and notation as
    ``repr`` outside ``_ORJSON_ODD``) and the JSON becomes the rows: ``null`` removed, then in place
    each row's ``[`` the delimiter and its ``],`` the line end; the few rows holding a cell in the
    odd band are written again with ``repr`` for those cells (``_exact_rows``). A block past 2 GiB
    of text comes as a list of parts. ``None`` where ``machine_rows`` is.
    """
    x = np.ascontiguousarray(block, dtype=np.float64)
    if not machine_rows_open(delimiter, lineterminator) or x.ndim != 2 or 0 in x.shape:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    from vises.io.arrow_numpy import flags

    orjson = _orjson()
    end = lineterminator.encode("ascii")
    text = np.frombuffer(orjson.dumps(x, option=orjson.OPT_SERIALIZE_NUMPY), dtype=np.uint8)
    n = len(x)
    if len(text) > _MAX_TEXT and n > 1:  # past a string array's offsets: one half, then the other
        halves = (x[: n // 2], x[n // 2 :])
        found = [machine_row_parts(half, delimiter=delimiter, lineterminator=lineterminator) for half in halves]
        return [part for parts in found for part in (parts if isinstance(parts, list) else [parts]) if part]
    offsets = np.empty(n + 1, dtype=np.int32)
    offsets[:n] = _positions(text, ord("["))[1:]  # the first is the outer bracket
    offsets[n] = len(text)
    rows = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(text))
    if not np.isfinite(x).all():
        rows = pc.replace_substring(rows, "null", "")  # a new buffer, edited below
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=n + 1, offset=rows.offset * 4)
        data = np.frombuffer(rows.buffers()[2], dtype=np.uint8)
        if not data.flags.writeable:  # pragma: no cover - pyarrow's results are its own buffers
            data = data.copy()
    else:
        data = text.copy()
    if delimiter != ",":
        data[_positions(data, ord(","))] = ord(delimiter)
    data[offsets[:-1]] = ord(delimiter)
    data[offsets[1:] - 2], data[offsets[1:] - 1] = end[0], end[1]
    magnitude = np.abs(x)
    with np.errstate(invalid="ignore"):
        odd = np.asarray(((magnitude >= _ORJSON_ODD[0]) & (magnitude < _ORJSON_ODD[1])).any(axis=1))
    rows = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    if not odd.any():
        return rows, pa.nulls(n, pa.string())
    exact = _exact_rows(rows.filter(flags(odd)), x[odd], delimiter, lineterminator)
    rows = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), flags(~odd).buffers()[1])
    bounds = np.frombuffer(exact.buffers()[1], dtype=np.int32, count=len(exact) + 1, offset=exact.offset * 4)
    lengths = np.zeros(n, dtype=np.int32)
    lengths[odd] = np.diff(bounds)
    spread = np.empty(n + 1, dtype=np.int32)
    spread[0] = bounds[0]
    np.cumsum(lengths, out=spread[1:])
    spread[1:] += bounds[0]
    return rows, pa.StringArray.from_buffers(n, pa.py_buffer(spread), exact.buffers()[2])


def _positions(data: np.ndarray, byte: int) -> np.ndarray:
    """Where ``byte`` is in ``data``, found a mebibyte at a time (no mask the size of the data)."""
    step = 1 << 20
    mask = np.empty(min(step, len(data)), dtype=bool)
    found = []
    for start in range(0, len(data), step):
        part = data[start : start + step]
        np.equal(part, byte, out=mask[: len(part)])
        found.append(np.flatnonzero(mask[: len(part)]) + start)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.intp)


def _exact_rows(rows: Any, x: np.ndarray, delimiter: str, lineterminator: str) -> Any:
    """``rows`` (orjson's text of the rows ``x``, each holding a cell in its odd band) with those cells
    written by ``repr``: each row cut at its delimiters into its cells (the first one empty, the line
    end on the last), the odd cells replaced, and the cells of each row joined again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from vises.io.arrow_numpy import flags, strings

    n, k = x.shape
    magnitude = np.abs(x)
    with np.errstate(invalid="ignore"):
        odd = (magnitude >= _ORJSON_ODD[0]) & (magnitude < _ORJSON_ODD[1])
    at = np.zeros((n, k + 1), dtype=bool)
    at[:, 1:] = odd
    last = np.nonzero(odd)[1] == k - 1
    texts = [
        text + lineterminator if end else text
        for text, end in zip(map(repr, x[odd].tolist()), last.tolist(), strict=True)
    ]
    cells = pc.split_pattern(rows, delimiter).values
    fixed = pc.replace_with_mask(cells, flags(at.reshape(-1)), strings(texts))
    offsets = np.arange(0, (k + 1) * n + 1, k + 1, dtype=np.int32)
    lists = pa.ListArray.from_arrays(pa.Array.from_buffers(pa.int32(), n + 1, [None, pa.py_buffer(offsets)]), fixed)
    return pc.binary_join(lists, strings([delimiter])[0])


def machine_text(values: np.ndarray | Sequence[float], missing: str = "") -> np.ndarray:
    """A float column as machine numbers (``float.__repr__``), ``missing`` where not finite; objects."""
    x = np.asarray(values, dtype=np.float64).reshape(-1)
    text = np.array(list(map(float.__repr__, x.tolist())), dtype=object)
    text[~np.isfinite(x)] = missing
    return text


__all__ = ["machine_row_parts", "machine_rows", "machine_rows_open", "machine_text", "machine_text_arrow"]
