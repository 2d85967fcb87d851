"""One error hierarchy for everything a user can get wrong.

Every leaf also subclasses the matching built-in exception, so ``except ValueError`` in a caller's
code keeps working, and carries structured fields (file, row, column, indicator, plugin, path) from
which the message is built. The command line prints ``str(error)`` and exits with ``exit_code``;
it never shows a traceback for a ``VisesError`` unless ``--debug`` is given.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Any


class ExitCode(enum.IntEnum):
    """Exit codes of the ``vises`` command (documented in docs/cli.md)."""

    OK = 0
    #: The data failed validation.
    INVALID_DATA = 1
    #: A usage or input error: a bad option, a missing or malformed file, an unknown name.
    USAGE = 2
    #: An unexpected exception: a bug in vises or in a plugin.
    INTERNAL = 3


class VisesWarning(UserWarning):
    """Base class of every warning vises emits."""


class VisesPluginWarning(VisesWarning):
    """A plugin failed to load or raised in a hook; the rest of vises keeps working."""


class DataWarning(VisesWarning):
    """Data that is used but worth a look (framing keyed to unknown codes, rows scored as missing
    because their denominator is 0); ``problem`` is the ``VisesError`` saying where and why."""

    def __init__(self, problem: VisesError | str) -> None:
        self.problem = problem
        super().__init__(str(problem))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problem,))


_LOCATION_FIELDS = ("file", "sheet", "path", "row", "column", "indicator", "node", "plugin")


class VisesError(Exception):
    """Base class of every error vises raises on purpose.

    ``message`` says what is wrong, ``hint`` how to fix it; the location fields say where. They
    are joined as ``file 'grid.toml', path nodes[3].weight: <message> (hint: <hint>)``.
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        file: str | None = None,
        sheet: str | None = None,
        path: str | None = None,
        row: int | None = None,
        column: str | None = None,
        indicator: str | None = None,
        node: str | None = None,
        plugin: str | None = None,
    ) -> None:
        self.message = message
        self.hint = hint
        self.file = None if file is None else str(file)
        self.sheet = sheet
        self.path = path
        self.row = row
        self.column = column
        self.indicator = indicator
        self.node = node
        self.plugin = plugin
        super().__init__(self._render())

    @property
    def location(self) -> str:
        """Where the problem is, e.g. ``file 'data.csv', row 4, column 'hours'``."""
        parts = []
        for name in _LOCATION_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            parts.append(self._describe_field(name, value))
        return ", ".join(parts)

    def _describe_field(self, name: str, value: Any) -> str:
        return f"{name} {value}" if isinstance(value, int) else f"{name} {value!r}"

    def _render(self) -> str:
        where = self.location
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f" (hint: {self.hint})"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle as ``cls(*args)``; ours take keyword fields, so rebuild from the state.
        return (_rebuild, (type(self), dict(self.__dict__)))

    def with_context(self, **fields: Any) -> VisesError:
        """Return a copy with location fields filled in where still empty (e.g. the file name)."""
        values = {name: getattr(self, name) for name in _LOCATION_FIELDS}
        for name, value in fields.items():
            if values.get(name) is None:
                values[name] = value
        clone = type(self).__new__(type(self))
        VisesError.__init__(clone, self.message, hint=self.hint, **values)
        for key, value in self.__dict__.items():
            if key not in values and key not in ("message", "hint"):
                setattr(clone, key, value)
        Exception.__init__(clone, clone._render())  # a subclass's own fields (PluginError's) count too
        return clone


def _rebuild(cls: type[VisesError], state: dict[str, Any]) -> VisesError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error._render())
    return error


class ConfigError(VisesError, ValueError):
    """A grid, model or option is malformed (wrong key, wrong type, impossible value)."""


class GridError(ConfigError):
    """A grid is inconsistent: duplicate codes, cycles, unknown parents, bad weights."""


class FormulaError(GridError):
    """A formula (a derived indicator's, a rate's, a records filter) cannot be read or does not check out.

    ``formula`` is its text and ``position`` the 0-based offset of the character at fault; the
    message shows the formula with a caret under that character.
    """

    formula: str | None = None
    position: int | None = None

    def __init__(self, message: str, *, formula: str | None = None, position: int | None = None, **fields: Any):
        self.formula = formula
        self.position = position
        if formula is not None and position is not None:
            shown = " ".join(formula.split("\n"))
            message = f"{message} at character {position + 1} of the formula\n      {shown}\n      {' ' * position}^"
        elif formula is not None:
            message = f"{message} (formula {formula!r})"
        super().__init__(message, **fields)


class DataError(VisesError, ValueError):
    """A dataset cannot be read or does not fit its grid."""

    exit_code = ExitCode.INVALID_DATA


class UnitError(DataError):
    """A unit is unknown or incompatible with the indicator's unit."""


class MethodError(ConfigError):
    """A normaliser or aggregator is unknown, or its parameters are wrong."""


class PluginError(VisesError, RuntimeError):
    """A plugin failed to load, raised in a hook, broke a contract, or conflicts with another plugin.

    Besides the common fields it can name the plugin's ``distribution`` and ``version`` and the
    ``contribution`` at fault (``"normaliser 'x.share'"``); the location then reads
    ``plugin 'x' (distribution vises-x 1.0), normaliser 'x.share'``.
    """

    distribution: str | None = None
    version: str | None = None
    contribution: str | None = None

    def __init__(
        self,
        message: str,
        *,
        distribution: str | None = None,
        version: str | None = None,
        contribution: str | None = None,
        **fields: Any,
    ) -> None:
        self.distribution = distribution
        self.version = version
        self.contribution = contribution
        super().__init__(message, **fields)

    def _describe_field(self, name: str, value: Any) -> str:
        text = super()._describe_field(name, value)
        if name != "plugin":
            return text
        if self.distribution:
            text += f" (distribution {self.distribution} {self.version or '?'})"
        return f"{text}, {self.contribution}" if self.contribution else text


class ReportError(VisesError, RuntimeError):
    """A report cannot be produced (unknown format, missing optional library, unwritable file)."""


class SroiError(ConfigError):
    """An SROI value map is malformed (fractions outside 0–1, negative duration, currencies)."""


class OutputError(VisesError, OSError):
    """A file cannot be written (full disk, read-only folder, no permission); names the target, not a temp file."""


class LimitError(VisesError, ValueError):
    """An input would cost more than a documented limit allows (``vises.Limits``); the hint says how to raise it."""


class MissingDependencyError(VisesError, ImportError):
    """An optional library is needed for this feature; the hint names the extra to install."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {package!r}, which is not installed",
            hint=f"pip install 'vises[{extra}]'",
        )


class ValidationError(VisesError, ValueError):
    """Several problems found at once; ``problems`` holds each one as a ``VisesError``."""

    def __init__(self, problems: Sequence[VisesError], *, what: str = "input") -> None:
        self.problems: tuple[VisesError, ...] = tuple(problems)
        self.what = what
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in {what}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))
        # Data problems are "invalid data" (exit 1); anything else is an input error (exit 2).
        if self.problems and all(isinstance(p, DataError) for p in self.problems):
            self.exit_code = ExitCode.INVALID_DATA

    def _render(self) -> str:
        return self.message


class GridValidationError(ValidationError, GridError):
    """All the problems of one grid, reported together."""


class DataValidationError(ValidationError, DataError):
    """All the problems of one dataset, reported together."""

    exit_code = ExitCode.INVALID_DATA


def closest(name: str, options: Iterable[str], *, n: int = 1) -> list[str]:
    """The known names closest to a misspelt one (at most ``n``), for "did you mean" hints.

    A namespaced option whose last part is exactly ``name`` is added as well (beyond ``n``), so
    ``csv`` finds ``hauts_de_france.csv`` however long the namespace.
    """
    import difflib

    ordered = sorted(options)
    close = difflib.get_close_matches(name, ordered, n=n, cutoff=0.6)
    suffixed = [key for key in ordered if "." in key and key.rsplit(".", 1)[1] == name and key not in close]
    return close + suffixed


def did_you_mean(name: str, options: Iterable[str], *, n: int = 1) -> str | None:
    """``"did you mean 'weight'?"`` when a known name is close to ``name``, else ``None``."""
    close = closest(name, options, n=n)
    return f"did you mean {', '.join(repr(c) for c in close)}?" if close else None


#: How many known names an unknown-name hint lists before it says how many more there are.
AVAILABLE_SHOWN = 40


def unknown_name_hint(name: str, options: Iterable[str], *, n: int = 3) -> str:
    """The hint of an unknown-name error: close matches first, then what is available.

    ``"did you mean 'minmax'? available: minmax, rank, zscore"``; ``"available: none"`` when
    there is nothing to choose from.
    """
    keys = sorted(options)
    shown = ", ".join(keys[:AVAILABLE_SHOWN]) if keys else "none"
    if len(keys) > AVAILABLE_SHOWN:
        shown += f", … ({len(keys) - AVAILABLE_SHOWN} more)"
    suggestion = did_you_mean(name, keys, n=n)
    return f"{suggestion} available: {shown}" if suggestion else f"available: {shown}"


def raise_all(problems: Iterable[VisesError], *, what: str, kind: type[ValidationError] = ValidationError) -> None:
    """Raise ``kind`` carrying every problem, or do nothing when there are none."""
    collected = list(problems)
    if collected:
        raise kind(collected, what=what)
