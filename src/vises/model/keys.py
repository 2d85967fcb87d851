"""Row keys kept in the engine that read them until someone asks for Python strings.

A million organisation codes read from Parquet are one Arrow string array; as a numpy object array
they are a million Python strings, about as long to build as reading the file. ``DeferredText``
holds the reader's array and builds the numpy array the first time ``Dataset.organisations`` is
read; checks and writers that can work on the reader's array (``deferred_source``) never build it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np


class DeferredText:
    """Texts held by another engine (``source``), made a read-only numpy array by ``make`` once."""

    __slots__ = ("_array", "_codes", "_lock", "_make", "_rank", "length", "source")

    def __init__(
        self,
        source: Any,
        make: Callable[[Any], np.ndarray],
        length: int,
        rank: Callable[[Any], np.ndarray] | None = None,
    ) -> None:
        self.source = source
        self.length = length
        self._make = make
        #: Each row's position among the distinct texts in sorted order (code point order), by the engine.
        self._rank = rank
        self._array: np.ndarray | None = None
        self._codes: np.ndarray | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self.length

    def __repr__(self) -> str:
        state = "built" if self._array is not None else "deferred"
        return f"<DeferredText of {self.length} values, {state}>"

    def array(self) -> np.ndarray:
        """The texts as a read-only numpy object array (built on the first call, then kept)."""
        if self._array is None:
            with self._lock:
                if self._array is None:
                    out = np.asarray(self._make(self.source), dtype=object)
                    if len(out) != self.length:
                        raise ValueError(f"deferred texts gave {len(out)} values, expected {self.length}")
                    out.flags.writeable = False
                    self._array = out
        return self._array

    def codes(self) -> np.ndarray | None:
        """Each row's position among the distinct texts sorted (equal texts, equal codes; the order
        of the codes is the order of the texts), computed by the source's engine; ``None`` without one."""
        if self._rank is None:
            return None
        if self._codes is None:
            with self._lock:
                if self._codes is None:
                    codes = np.asarray(self._rank(self.source), dtype=np.int64)
                    codes.flags.writeable = False
                    self._codes = codes
        return self._codes


def deferred_codes(dataset: Any, field: str = "organisations") -> np.ndarray | None:
    """Sorted-order codes of a dataset's deferred key column (``DeferredText.codes``), else ``None``:
    what duplicate checks and report orders use instead of a million Python strings."""
    held = getattr(dataset, f"_{field}", None)
    return held.codes() if isinstance(held, DeferredText) else None


def deferred_source(dataset: Any, field: str = "organisations") -> Any:
    """The reader's own array behind a dataset's key column (``None`` when it holds numpy values)."""
    held = getattr(dataset, f"_{field}", None)
    return held.source if isinstance(held, DeferredText) else None


__all__ = ["DeferredText", "deferred_codes", "deferred_source"]
