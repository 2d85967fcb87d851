"""Which files make a round: data files and templates, and the framing files beside them.

A submission is given as a file or as a folder (read without descending into sub-folders). In a
folder, every file a vises reader takes is a data file (filled xlsx templates, CSV templates and
data files, Parquet, Arrow), and ``*.evaluations.toml`` / ``.yaml`` / ``.yml`` / ``.json`` files are
framing; hidden files and Excel's lock files (``~$name.xlsx``) are passed over. Every other file
is named in a note (nothing is left out without a word). ``<data>.evaluations.toml`` goes with
its data file; any other framing file applies to the whole round. A round file found among the
submissions is refused: the reference is given on its own (``--reference``), never picked up.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from vises.errors import ConfigError

#: Suffixes of framing files (``<name>.evaluations.<suffix>``).
FRAMING_SUFFIXES = (".toml", ".yaml", ".yml", ".json")
#: Suffixes a reader takes that a folder may also hold as something else (notes, exports).
_NOT_IN_FOLDERS = (".txt",)


@attrs.frozen(kw_only=True)
class Submissions:
    """The files of a round, in a stable order (by name within each folder, folders as given)."""

    data: tuple[Path, ...]
    #: Framing files that go with no data file of the round: they apply to the whole round.
    framing: tuple[Path, ...]
    #: Files passed over, with why (shown as notes).
    skipped: tuple[tuple[Path, str], ...] = ()


def is_framing(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(".evaluations" + suffix) for suffix in FRAMING_SUFFIXES)


def _is_round_file(path: Path) -> bool:
    """A ``vises-round`` document (looked for in the first bytes only)."""
    if path.suffix.lower() != ".json":
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return b'"format":"vises-round/' in head.replace(b" ", b"")


def collect(sources: Sequence[str | os.PathLike[str]], data_suffixes: Iterable[str]) -> Submissions:
    """The data and framing files of ``sources`` (files and folders); see the module docstring."""
    suffixes = {suffix.lower() for suffix in data_suffixes}
    if not sources:
        raise ConfigError("a round needs submissions", hint="give a folder of submissions, or the files one by one")
    data: list[Path] = []
    framing: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    problems: list[str] = []

    def take(path: Path, *, in_folder: bool) -> None:
        resolved = path.resolve()
        if resolved in seen:
            return
        seen.add(resolved)
        if _is_round_file(path):
            problems.append(
                f"{path} is a round file: give last year's round with --reference, not among the submissions"
            )
        elif is_framing(path):
            framing.append(path)
        elif path.suffix.lower() in suffixes and not (in_folder and path.suffix.lower() in _NOT_IN_FOLDERS):
            data.append(path)
        elif in_folder:
            skipped.append((path, "not a data, template or evaluations file"))
        else:
            problems.append(f"{path}: vises reads no file like this (data: {', '.join(sorted(suffixes))})")

    for source in sources:
        path = Path(source)
        if path.is_dir():
            for child in sorted(path.iterdir(), key=lambda p: p.name):
                if child.is_dir():
                    skipped.append((child, "a folder (sub-folders are not read)"))
                elif child.name.startswith((".", "~$")):
                    continue  # hidden files and the lock files Excel leaves while a workbook is open
                else:
                    take(child, in_folder=True)
        elif path.is_file():
            take(path, in_folder=False)
        else:
            problems.append(f"{path}: no such file or folder")
    if problems:
        raise ConfigError(
            "the submissions cannot be read: " + "; ".join(problems),
            hint="give folders of submissions, or data, template and evaluations files",
        )
    if not data:
        raise ConfigError(
            "the submissions hold no data file or template",
            hint="filled templates (.xlsx, .csv) and data files (.csv, .parquet) are read",
        )
    # ``<data>.evaluations.toml`` is read with its data file (``load_data``); the rest frame the round.
    siblings = {path.with_name(path.stem + ".evaluations.toml").resolve() for path in data}
    round_wide = [path for path in framing if path.resolve() not in siblings]
    return Submissions(data=tuple(data), framing=tuple(round_wide), skipped=tuple(skipped))


__all__ = ["FRAMING_SUFFIXES", "Submissions", "collect", "is_framing"]
