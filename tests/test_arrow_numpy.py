"""The buffer-based Arrow <-> numpy conversions give what pyarrow's own (pandas-bound) ones give."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vises.io import arrow_numpy
from vises.io.arrow_numpy import FALSE, NULL_TEXT, TRUE, integer_scalar, integers, strings, text_scalar, to_numpy

TYPES = {
    "double": (pa.float64(), st.floats(allow_nan=False)),
    "float": (pa.float32(), st.floats(width=32, allow_nan=False)),
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "int32": (pa.int32(), st.integers(-(2**31), 2**31 - 1)),
    "uint8": (pa.uint8(), st.integers(0, 255)),
    "bool": (pa.bool_(), st.booleans()),
    "string": (pa.string(), st.text()),
    "large_string": (pa.large_string(), st.text()),
}


def same(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    if ours.dtype == object:
        assert ours.tolist() == theirs.tolist()
    else:
        np.testing.assert_array_equal(ours, theirs)


@st.composite
def arrays(draw: st.DrawFn) -> tuple[pa.Array, str]:
    name = draw(st.sampled_from(sorted(TYPES)))
    kind, values = TYPES[name]
    cells = draw(st.lists(st.one_of(st.none(), values), max_size=40))
    array = pa.array(cells, type=kind)
    start = draw(st.integers(0, len(cells)))
    return array.slice(start, draw(st.integers(0, len(cells) - start))), name


@settings(max_examples=300, deadline=None)
@given(arrays(), st.booleans())
def test_to_numpy_matches_pyarrow(case: tuple[pa.Array, str], writable: bool) -> None:
    array, _ = case
    ours = to_numpy(array, writable=writable)
    same(ours, array.to_numpy(zero_copy_only=False))
    if writable:
        assert ours.flags.writeable


@settings(max_examples=100, deadline=None)
@given(st.lists(arrays(), min_size=0, max_size=4), st.sampled_from(sorted(TYPES)))
def test_chunked_arrays_match_pyarrow(chunks: list[tuple[pa.Array, str]], name: str) -> None:
    kind = TYPES[name][0]
    parts = [array for array, named in chunks if named == name]
    chunked = pa.chunked_array(parts, type=kind)
    same(to_numpy(chunked), chunked.to_numpy())


def test_long_texts_and_loaded_pandas_go_through_pyarrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrow_numpy, "BULK", 3)
    array = pa.array(["a", None, "c"])
    same(to_numpy(array), array.to_numpy(zero_copy_only=False))
    timestamps = pa.array([0, None], type=pa.timestamp("s"))
    same(to_numpy(timestamps), timestamps.to_numpy(zero_copy_only=False))


@settings(deadline=None)
@given(st.lists(st.text()))
def test_strings_and_integers_build_the_same_arrays(texts: list[str]) -> None:
    assert strings(texts).equals(pa.array(texts, type=pa.string()))
    positions = np.arange(len(texts), dtype=np.int32)[::-1]
    assert integers(positions).equals(pa.array(positions, type=pa.int64()))


def test_scalars() -> None:
    assert text_scalar("né").as_py() == "né" and integer_scalar(7).as_py() == 7
    assert (FALSE.as_py(), TRUE.as_py(), NULL_TEXT.as_py(), NULL_TEXT.type) == (False, True, None, pa.string())
    assert pc.fill_null(pa.array([None, True]), FALSE).to_pylist() == [False, True]
