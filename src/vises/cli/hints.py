"""Hints worded for the command line: the library's Python keywords become the command's options.

The library speaks Python: its hints name keyword arguments (``pass organisation="cisp_01"``,
``lang="fr"``, ``format="csv"``), since a Python user calls functions. The command line prints
the same errors, so before printing it rewrites each keyword the running command has an option
for into that option (``--org cisp_01``, ``--lang fr``, ``--format csv``); a keyword the command
has no option for is left as written. Only hints are rewritten, never the message (which may
quote the user's own data), and a ``ValidationError`` has each of its problems rewritten.
"""

from __future__ import annotations

import copy
import re
import shlex
from collections.abc import Mapping

import click

from vises.errors import ValidationError, VisesError

#: The library's keyword -> the option that gives the same thing on the command line.
KEYWORDS: dict[str, str] = {
    "organisation": "--org",
    "lang": "--lang",
    "grid": "--grid",
    "format": "--format",
    "period": "--period",
    "view": "--view",
    "weighting": "--weighting",
    "directory": "--dir",
    "title": "--title",
    "author": "--author",
    "output": "--output",
    "data": "--data",
    "attributes": "--attribute",
    "ignore": "--ignore",
}
#: ``name=value``: a quoted text, a bare word, or a list of one quoted text (``attributes=['x']``).
_KEYWORD = re.compile(
    r"\b(?P<name>[a-z_]+)=(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'"
    r"|\[(?:\"(?P<ldq>[^\"]*)\"|'(?P<lsq>[^']*)')\]|(?P<bare>[\w.<>/-]+))?"
)
_VALUE_GROUPS = ("dq", "sq", "ldq", "lsq", "bare")


def command_options(command: click.Command | None) -> set[str]:
    """Every option string of ``command`` (``-o``, ``--output``, ...)."""
    if command is None:
        return set()
    return {opt for param in command.params if isinstance(param, click.Option) for opt in param.opts}


def cli_hint(hint: str, options: set[str], keywords: Mapping[str, str] = KEYWORDS) -> str:
    """``hint`` with each keyword the command has an option for written as that option."""

    def rewrite(found: re.Match[str]) -> str:
        option = keywords.get(found.group("name"))
        if option is None or option not in options:
            return found.group(0)
        value = next((v for v in (found.group(group) for group in _VALUE_GROUPS) if v is not None), None)
        if value is None:
            return option
        return f"{option} {value if value.startswith('<') else shlex.quote(value)}"

    return _KEYWORD.sub(rewrite, hint)


def for_the_command_line(error: VisesError, command: click.Command | None) -> VisesError:
    """A copy of ``error`` whose hints speak the running command's options (the error itself is kept)."""
    options = command_options(command)
    if not options:
        return error
    if isinstance(error, ValidationError):
        problems = [for_the_command_line(problem, command) for problem in error.problems]
        if all(new is old for new, old in zip(problems, error.problems, strict=True)):
            return error
        checked = copy.copy(error)
        ValidationError.__init__(checked, problems, what=error.what)
        return checked
    if not error.hint:
        return error
    hint = cli_hint(error.hint, options)
    if hint == error.hint:
        return error
    clone = copy.copy(error)
    clone.hint = hint
    Exception.__init__(clone, clone._render())
    return clone
