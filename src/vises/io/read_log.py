"""Which files a command has read, so that nothing it writes replaces one of them.

Every reader notes the files it opens (a data file, a grid file and the grid files it
``extends``, an evaluations file, a value map). A command wraps its work in ``recording_reads()``
and hands the set to ``vises.io.overwrite.check_output`` before writing. Outside such a block
noting costs nothing. The record is context-local, so threads and nested commands keep theirs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_READ: ContextVar[set[Path] | None] = ContextVar("vises_files_read", default=None)


def note_read(path: str | os.PathLike[str]) -> None:
    """Record that ``path`` was read (resolved, so links and relative paths compare equal)."""
    record = _READ.get()
    if record is not None:
        record.add(Path(path).resolve())


@contextmanager
def recording_reads() -> Iterator[set[Path]]:
    """Collect the resolved paths of every file read inside the block (nested blocks share theirs up)."""
    outer = _READ.get()
    record: set[Path] = set()
    token = _READ.set(record)
    try:
        yield record
    finally:
        _READ.reset(token)
        if outer is not None:
            outer.update(record)


__all__ = ["note_read", "recording_reads"]
