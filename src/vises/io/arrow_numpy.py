"""Arrow arrays to numpy and back without pyarrow's pandas bridge.

pyarrow's ``to_numpy``, ``pa.array``, ``pa.scalar`` and any Python value handed to a compute
function go through its pandas compatibility layer, which imports pandas (~150 ms) the first time
even when no pandas object is involved. Reading a 30-row file must not pay that, so the readers
build their arrays from buffers and read them back through the buffers. For a long text column
pyarrow's own conversion is a little faster than ``to_pylist`` (65 ms against 95 ms for a million
names), far less than the import: it is used from ``BULK`` values on, and whenever pandas is already loaded.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

#: Text values from which pyarrow's converter (and the pandas import it brings, ~200 ms) pays for itself.
BULK = 8_000_000


def strings(values: Sequence[str]) -> pa.StringArray:
    """A string array of ``values`` (no nulls), built from its buffers: the texts joined and
    encoded once (``pa.array`` and Python scalars given to a compute function import pandas)."""
    data = "".join(values).encode("utf-8")
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    if len(data) != int(lengths.sum()):  # not all ASCII: byte lengths, one by one
        lengths = np.fromiter((len(value.encode("utf-8")) for value in values), dtype=np.int64, count=len(values))
    offsets = np.zeros(len(values) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(len(values), pa.py_buffer(offsets), pa.py_buffer(data))


def flags(mask: np.ndarray) -> pa.BooleanArray:
    """A numpy boolean mask as an Arrow boolean array (no nulls), from its bits."""
    bits = np.packbits(mask, bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])


def integers(values: Any) -> pa.Int64Array:
    """An int64 array of a numpy array of integers (row positions for ``take``)."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def text_scalar(value: str) -> pa.StringScalar:
    return strings([value])[0]


def integer_scalar(value: int) -> pa.Int64Scalar:
    return integers(np.array([value]))[0]


#: ``False`` and a null string, as Arrow scalars for compute functions.
FALSE: pa.BooleanScalar = pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(np.zeros(1, dtype=np.uint8))])[0]
TRUE: pa.BooleanScalar = pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(np.ones(1, dtype=np.uint8))])[0]
NULL_TEXT: pa.StringScalar = pa.nulls(1, pa.string())[0]


def to_numpy(values: Any, *, writable: bool = False) -> np.ndarray:
    """What ``values.to_numpy(zero_copy_only=False)`` gives, for an Arrow array or chunked array.

    Numbers as their numpy type (float64 with NaN where null, integers with nulls as float64),
    booleans as ``bool`` (objects with ``None`` where null), texts as Python strings (``None`` where
    null); other types through pyarrow.
    """
    if isinstance(values, pa.ChunkedArray):
        if values.num_chunks == 1:
            return to_numpy(values.chunk(0), writable=writable)
        if not values.num_chunks or _through_pyarrow(values):
            out = np.asarray(values.to_numpy())
            return out.copy() if writable and not out.flags.writeable else out
        return np.concatenate([to_numpy(chunk) for chunk in values.chunks])  # a new, writable array
    if _through_pyarrow(values):
        return np.asarray(values.to_numpy(zero_copy_only=False, writable=writable))
    kind = values.type
    n = len(values)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or (values.null_count and pa.types.is_boolean(kind)):
        out = np.empty(n, dtype=object)
        out[:] = values.to_pylist()
        return out
    valid = values.buffers()[0]
    if pa.types.is_boolean(kind):
        return _bits(values.buffers()[1], values.offset, n)  # a new, writable array
    dtype = _dtype(kind)
    data = values.buffers()[1]
    out = (
        np.zeros(0, dtype) if data is None or n == 0 else np.frombuffer(data, dtype, n, values.offset * dtype.itemsize)
    )
    if values.null_count and valid is not None:
        out = out.astype(dtype if pa.types.is_floating(kind) else np.float64)
        out[~_bits(valid, values.offset, n)] = np.nan
    elif writable:
        out = out.copy()
    return out


def _through_pyarrow(values: Any) -> bool:
    """Whether pyarrow's converter is the one to use: a type numpy buffers cannot take, or a long text."""
    kind = values.type
    if pa.types.is_boolean(kind) or _dtype(kind) is not None:
        return False
    text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    return not text or len(values) >= BULK or "pandas" in sys.modules


def _dtype(kind: Any) -> Any:
    name = _NUMPY_NAMES.get(str(kind))
    return None if name is None else np.dtype(name)


_NUMPY_NAMES = {
    "int8": "int8",
    "int16": "int16",
    "int32": "int32",
    "int64": "int64",
    "uint8": "uint8",
    "uint16": "uint16",
    "uint32": "uint32",
    "uint64": "uint64",
    "halffloat": "float16",
    "float": "float32",
    "double": "float64",
}


def _bits(buffer: Any, offset: int, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=bool)
    packed = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(packed, count=offset + n, bitorder="little")[offset:].astype(bool)


__all__ = [
    "BULK",
    "FALSE",
    "NULL_TEXT",
    "TRUE",
    "flags",
    "integer_scalar",
    "integers",
    "strings",
    "text_scalar",
    "to_numpy",
]
