"""The round folder: checked before any work, built aside, moved into place whole.

Everything is written into a hidden folder next to the one asked for, then moved into place in
one rename, so a round that fails half-way leaves nothing behind and a reader never sees half a
round. An existing folder is replaced only with ``force``, and only when it is an earlier round
folder (it holds ``private/round-*.json``); a folder that holds any input of the round (a
submission, the reference, the secret or pseudonym file) is never replaced.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from vises.errors import ConfigError, OutputError

#: The sub-folders of a round folder: what goes to the centres, and what stays with the staff.
PROFILES, PRIVATE = "profiles", "private"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Names Windows refuses for a file, whatever the suffix.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def is_round_folder(path: Path) -> bool:
    return (path / PRIVATE).is_dir() and any((path / PRIVATE).glob("round-*.json"))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def check_output(output: Path, inputs: Iterable[Path], *, force: bool) -> None:
    """Before any work: the round may be written to ``output`` (see the module docstring)."""
    if output.exists() and not output.is_dir():
        raise OutputError("the round is written into a folder, and this is a file", file=str(output))
    held = [str(path) for path in inputs if _inside(path, output)]
    if held:
        raise ConfigError(
            f"the round folder {str(output)!r} holds inputs of the round: {', '.join(held[:5])}",
            file=str(output),
            hint="write the round into a folder of its own (e.g. round-2025), apart from the submissions",
        )
    if output.is_dir() and any(output.iterdir()):
        if not is_round_folder(output):
            raise OutputError(
                "the folder exists and is not a round folder; vises does not replace it",
                file=str(output),
                hint="give a new folder, or an empty one",
            )
        if not force:
            raise OutputError(
                "the round folder exists already",
                file=str(output),
                hint="give --force to replace it (force=True in Python), or another folder",
            )
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError(
            "the folder to write the round into does not exist", file=str(output), hint=f"create {parent}"
        )


def safe_names(codes: Iterable[str]) -> dict[str, str]:
    """A file name (without suffix) for each organisation code: letters, digits, ``.``, ``_`` and
    ``-`` only, never hidden or reserved, unique even on a file system that ignores case."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for code in sorted(set(codes)):
        base = _UNSAFE.sub("_", code).strip("._") or "organisation"
        base = base[:80]
        if base.casefold() in _RESERVED:
            base = f"{base}_"
        name, number = base, 2
        while name.casefold() in taken:
            name, number = f"{base}-{number}", number + 1
        taken.add(name.casefold())
        out[code] = name
    return out


@contextlib.contextmanager
def building(output: Path) -> Iterator[Path]:
    """A hidden folder next to ``output`` to write into; moved to ``output`` when the block ends
    without error, removed when it does not."""
    parent = output.parent if str(output.parent) else Path(".")
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write the round folder: {exc.strerror or exc}", file=str(output)) from exc
    try:
        (work / PROFILES).mkdir()
        # Names, unsuppressed tables and the pseudonym key stay with their owner on a shared machine.
        (work / PRIVATE).mkdir(mode=0o700)
        os.chmod(work / PRIVATE, 0o700)
        yield work
        _move(work, output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _move(work: Path, output: Path) -> None:
    os.chmod(work, 0o755)
    old: Path | None = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        os.replace(output, old)
    try:
        os.replace(work, output)
    except OSError as exc:
        if old is not None:
            os.replace(old, output)
        raise OutputError(f"cannot move the round folder into place: {exc.strerror or exc}", file=str(output)) from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = ["PRIVATE", "PROFILES", "building", "check_output", "is_round_folder", "safe_names"]
