"""Atomic file writes: a reader never sees half a file, and a failed write leaves the old one.

The bytes go to a temporary file next to the target, are flushed to the disk, and the temporary
file is renamed over the target. When the system refuses (a full disk, a read-only folder, no
permission, the target is a folder), the error is an ``OutputError`` naming the target the user
asked for (never the temporary file), the temporary file is removed, and the old file is intact.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from vises.errors import ConfigError, OutputError

PathLike = str | os.PathLike[str]

_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space, or write to another disk"),
    errno.EDQUOT: ("the disk quota is used up", "free some space, or write to another disk"),
    errno.EROFS: ("the folder is on a read-only file system", "write to another folder"),
    errno.EACCES: ("permission denied", "write to a folder you may write in, or ask for the right to this one"),
    errno.EPERM: ("the operation is not permitted", "write to a folder you may write in"),
    errno.EISDIR: ("it is a folder", "give a file name, not a folder"),
    errno.ENAMETOOLONG: ("the file name is too long", "choose a shorter name"),
}


def _refused(target: Path, exc: OSError) -> OutputError:
    reason, hint = _REASONS.get(exc.errno or 0, (exc.strerror or str(exc), "check the folder and the disk"))
    return OutputError(f"cannot write the file: {reason}", file=str(target), hint=hint)


#: Chunks from this size on are sent to the disk while the next ones are made (see ``_start_writeback``).
_WRITEBACK_BYTES = 1 << 20


def _start_writeback(descriptor: int, offset: int, length: int) -> None:
    """Ask the system to start writing a chunk to the disk now, without waiting (Linux starts the
    writeback of dirty pages on ``POSIX_FADV_DONTNEED``): the final ``fsync`` of a large report then
    has almost nothing left to wait for (60 ms for 100 MB here). Best effort; nothing where absent."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    with contextlib.suppress(OSError, ValueError):
        advise(descriptor, offset, length, os.POSIX_FADV_DONTNEED)


def write_bytes_atomic(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to a temporary file next to ``path``, then rename it over ``path``."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ConfigError(
            "the folder to write into does not exist", file=str(target), hint=f"create {str(directory)!r} first"
        )
    if target.is_dir():
        raise OutputError("cannot write the file: it is a folder", file=str(target), hint="give a file name")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _refused(target, exc) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates a private (0600) file; keep the old file's mode, else a usual 0644.
        os.chmod(temp_name, target.stat().st_mode & 0o7777 if target.exists() else 0o644)
        os.replace(temp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise _refused(target, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return target


def write_text_atomic(path: PathLike, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` atomically (UTF-8 by default, ``\\n`` line endings as given)."""
    return write_bytes_atomic(path, text.encode(encoding))


def write_chunks_atomic(path: PathLike, chunks: Iterable[str | bytes], *, encoding: str = "utf-8") -> Path:
    """Write ``chunks`` one after another into a temporary file next to ``path``, then rename it over
    ``path``: a large report is written in bounded memory and a reader still never sees half a file.

    An error of the system while writing is an ``OutputError`` naming ``path``; an error raised by
    whatever produces the chunks goes through as it is. Either way the old file is left intact."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ConfigError(
            "the folder to write into does not exist", file=str(target), hint=f"create {str(directory)!r} first"
        )
    if target.is_dir():
        raise OutputError("cannot write the file: it is a folder", file=str(target), hint="give a file name")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _refused(target, exc) from exc
    try:
        stream = os.fdopen(handle, "wb")
        try:
            written = 0
            for chunk in chunks:
                data = chunk.encode(encoding) if isinstance(chunk, str) else chunk
                try:
                    stream.write(data)
                    if len(data) >= _WRITEBACK_BYTES:
                        stream.flush()
                        _start_writeback(stream.fileno(), written, len(data))
                except OSError as exc:
                    raise _refused(target, exc) from exc
                written += len(data)
            try:
                stream.flush()
                os.fsync(stream.fileno())
            except OSError as exc:
                raise _refused(target, exc) from exc
        finally:
            with contextlib.suppress(OSError):
                stream.close()
        try:
            os.chmod(temp_name, target.stat().st_mode & 0o7777 if target.exists() else 0o644)
            os.replace(temp_name, target)
        except OSError as exc:
            raise _refused(target, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return target
