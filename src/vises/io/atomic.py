"""Atomic file writes: a reader never sees half a file, and a failed write leaves the old one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from vises.errors import ConfigError

PathLike = str | os.PathLike[str]


def write_bytes_atomic(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to a temporary file next to ``path``, then rename it over ``path``."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ConfigError(
            "the folder to write into does not exist", file=str(target), hint=f"create {str(directory)!r} first"
        )
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates a private (0600) file; keep the old file's mode, else a usual 0644.
        os.chmod(temp_name, target.stat().st_mode & 0o7777 if target.exists() else 0o644)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return target


def write_text_atomic(path: PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` atomically (UTF-8 by default, ``\\n`` line endings as given)."""
    return write_bytes_atomic(path, text.encode(encoding))


def write_chunks_atomic(path: PathLike, chunks: Iterable[str | bytes], *, encoding: str = "utf-8") -> Path:
    """Write ``chunks`` one after another into a temporary file next to ``path``, then rename it over
    ``path``: a large report is written in bounded memory and a reader still never sees half a file."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ConfigError(
            "the folder to write into does not exist", file=str(target), hint=f"create {str(directory)!r} first"
        )
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk.encode(encoding) if isinstance(chunk, str) else chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, target.stat().st_mode & 0o7777 if target.exists() else 0o644)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return target
