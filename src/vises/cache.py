"""vises' own cache directory: answers worth keeping between runs, never anything a result depends on.

Where: ``$VISES_CACHE_DIR`` when set (``off`` or an empty value turns the cache off), else
``$XDG_CACHE_HOME/vises``, else the platform's user cache folder (``~/.cache/vises`` on Linux,
``~/Library/Caches/vises`` on macOS, ``%LOCALAPPDATA%\\vises\\Cache`` on Windows).

The directory is created readable by its owner only (mode 700). One that belongs to another user or
that others may write to is not used. Each entry is a JSON file whose name says what it was computed
from, read back with a size bound and checked by its user; anything missing, unreadable, corrupt or
unwritable means "no cache" and the answer is computed again. Writes are atomic (a temporary file
renamed over the old one), so concurrent runs never see half an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The environment variable naming the directory (``off`` turns the cache off).
ENV = "VISES_CACHE_DIR"
#: An entry larger than this is not read (a cache entry is a few kilobytes).
MAX_ENTRY_BYTES = 4 << 20
#: Parsed documents kept at most; past it the oldest entries are removed when one is added.
MAX_DOCUMENTS = 256


def location() -> Path | None:
    """The cache directory (not created), or ``None`` when the cache is off."""
    given = os.environ.get(ENV)
    if given is not None:
        given = given.strip()
        return None if given.lower() in ("", "off", "0", "no", "false") else Path(given).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "vises"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        return Path(local) / "vises" / "Cache" if local else None
    home = Path.home()
    return home / "Library" / "Caches" / "vises" if sys.platform == "darwin" else home / ".cache" / "vises"


def directory() -> Path | None:
    """The cache directory, created (mode 700) if needed; ``None`` when off, unsafe or not creatable."""
    try:
        where = location()
        if where is None:
            return None
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        return where if _safe(where) else None
    except (OSError, RuntimeError, ValueError):  # no home directory, a read-only disk, a file in the way
        return None


def _safe(where: Path) -> bool:
    """Ours, a directory, and not writable by anyone else (POSIX); always true where there are no owners."""
    if not hasattr(os, "geteuid"):
        return where.is_dir()
    info = where.stat()
    return where.is_dir() and info.st_uid == os.geteuid() and not info.st_mode & 0o022


def read_json(name: str) -> Any:
    """The entry ``name`` as JSON, or ``None`` when there is none (or it cannot be trusted as JSON)."""
    where = directory()
    if where is None:
        return None
    try:
        with (where / name).open("rb") as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
        if len(data) > MAX_ENTRY_BYTES:
            return None
        return json.loads(data.decode("utf-8"))
    except (OSError, ValueError):  # absent, unreadable, not UTF-8, not JSON
        return None


def write_json(name: str, value: Any) -> bool:
    """Store ``value`` as the entry ``name`` atomically; ``False`` (and nothing changed) when it cannot."""
    where = directory()
    if where is None:
        return False
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=where)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(value, out, ensure_ascii=False, separators=(",", ":"))
        os.replace(temporary, where / name)
        return True
    except (OSError, TypeError, ValueError):
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False


def parsed(syntax: str, text: str, parse: Callable[[str], Any]) -> Any:
    """``parse(text)``, kept under the digest of ``text`` when the answer is plain JSON data.

    For syntaxes whose answer grows with the text only (TOML, not YAML with its aliases).
    Parsing a grid or a word catalogue as TOML costs ten times reading the same data as JSON; the
    entry is named by the syntax and the SHA-256 of the text, so a changed file is parsed again.
    Only dicts with text keys, lists, texts, numbers and booleans are kept (a TOML date is not), so
    what comes back is exactly what the parser gave. A parse error is raised as ever, never kept.
    """
    if len(text) > MAX_ENTRY_BYTES // 2:
        return parse(text)
    name = f"{syntax}-{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()}.json"
    kept = read_json(name)
    if isinstance(kept, dict) and set(kept) == {"value"}:
        return kept["value"]
    value = parse(text)
    if _plain(value, 0) and write_json(name, {"value": value}):
        _prune(f"{syntax}-")
    return value


def _plain(value: Any, depth: int) -> bool:
    if depth > 200:
        return False
    if isinstance(value, dict):
        return all(type(key) is str and _plain(item, depth + 1) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain(item, depth + 1) for item in value)
    return type(value) in (str, int, float, bool) or value is None


def _prune(prefix: str) -> None:
    """Remove the oldest entries starting with ``prefix`` past ``MAX_DOCUMENTS``."""
    where = directory()
    if where is None:
        return
    with contextlib.suppress(OSError):
        entries = [entry for entry in os.scandir(where) if entry.name.startswith(prefix)]
        if len(entries) > MAX_DOCUMENTS:
            entries.sort(key=lambda entry: entry.stat().st_mtime)
            for entry in entries[: len(entries) - MAX_DOCUMENTS]:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


__all__ = ["ENV", "MAX_DOCUMENTS", "MAX_ENTRY_BYTES", "directory", "location", "parsed", "read_json", "write_json"]
