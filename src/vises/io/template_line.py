"""The metadata line of a CSV template: ``# vises template: grid=<code> version=<version>``.

``vises template --format csv`` writes it as the file's first line, so the grid and its version
travel with the file the way the hidden ``_vises`` sheet carries them in an xlsx template. The CSV
readers recognise it on the first line only (after a BOM); a ``#`` anywhere else, in a header or a
data cell, is what it always was. A spreadsheet that saves the file again may pad the line with
delimiters (``,,,,`` or ``;;;;``) or quote it; both still read. Values are percent-encoded where
they hold anything but letters, digits and ``._-~/:+@`` (a space, a quote, a delimiter, ``%``), so
the line is always one cell of one line whatever the grid's code.

A first line that starts ``# vises template`` but does not check out (no grid, an unknown key, a
bad escape) is refused, naming the line: it is the template's, and reading past it would read the
file under no grid check at all.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import attrs

from vises.errors import ConfigError

#: How the line starts, as written.
MARK = "# vises template:"
#: The keys the line holds; any other is refused (a later layout this vises does not know).
KEYS = ("grid", "version")
#: The longest line taken for one (a longer first line that starts like one is refused).
MAX_CHARS = 2_000

_STARTS = re.compile(r'^\s*"?\s*#\s*vises[ _-]?template\b', re.IGNORECASE)
_WHOLE = re.compile(
    r'^\s*(?P<quote>"?)\s*#\s*vises[ _-]?template\s*:(?P<body>[^",;\t]*)(?P=quote)[\s,;\t]*$', re.IGNORECASE
)
_SAFE = frozenset("._-~/:+@")


@attrs.frozen(kw_only=True)
class TemplateLine:
    """What the line says: the grid's code and the version the template was made for."""

    grid: str
    version: str | None = None


def _encode(value: str) -> str:
    return "".join(
        char if char.isalnum() or char in _SAFE else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
        for char in value
    )


def format_template_line(grid: str, version: str | None) -> str:
    """The line for a template of ``grid`` (its code) at ``version``, without its line end."""
    parts = [f"grid={_encode(grid)}"]
    if version is not None:
        parts.append(f"version={_encode(version)}")
    return f"{MARK} {' '.join(parts)}"


def _first_line(text: str) -> str:
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def _damaged(file: str | None, what: str) -> ConfigError:
    # An input error (exit 2), as a damaged metadata sheet of an xlsx template is.
    return ConfigError(
        f"the CSV template's first line (its metadata line) {what}",
        file=file,
        row=1,
        hint=f"it reads '{MARK} grid=<code> version=<version>'; make a new template with "
        "'vises template --format csv', or delete the line to read the file as plain data",
    )


def read_template_line(text: str, file: str | None = None) -> TemplateLine | None:
    """The metadata line at the top of ``text`` (decoded, BOM removed), or ``None`` when the first
    line is not one; a first line that starts like one but does not check out is a ``ConfigError``."""
    line = _first_line(text[: MAX_CHARS + 2])
    if not _STARTS.match(line):
        return None
    if len(line) > MAX_CHARS:
        raise _damaged(file, f"is longer than {MAX_CHARS:,} characters")
    whole = _WHOLE.match(line)
    if whole is None:
        raise _damaged(file, "is not one cell of the form 'key=value key=value'")
    found: dict[str, str] = {}
    for token in whole["body"].split():
        key, equals, value = token.partition("=")
        key = key.casefold()
        if not equals or not value:
            raise _damaged(file, f"has {token[:40]!r}, not key=value")
        if key not in KEYS:
            raise _damaged(file, f"has the key {key[:40]!r}, which this vises does not know ({', '.join(KEYS)})")
        if key in found:
            raise _damaged(file, f"gives {key} twice")
        try:
            found[key] = unquote(value, errors="strict")
        except UnicodeDecodeError:
            raise _damaged(file, f"has a %-escape in {key} that is not UTF-8") from None
    if not found.get("grid", "").strip():
        raise _damaged(file, "names no grid")
    return TemplateLine(grid=found["grid"], version=found.get("version"))


def after_template_line(text: str) -> str:
    """``text`` without its first line (the metadata line, once ``read_template_line`` found one)."""
    end = text.find("\n")
    return "" if end < 0 else text[end + 1 :]


__all__ = [
    "KEYS",
    "MARK",
    "MAX_CHARS",
    "TemplateLine",
    "after_template_line",
    "format_template_line",
    "read_template_line",
]
