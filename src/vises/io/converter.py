"""The one cattrs converter between the model classes and plain data (TOML, YAML, JSON alike).

It is strict on purpose: unknown keys are refused (a misspelt ``wieght`` must not silently become
the default weight), numbers must be numbers and text must be text. cattrs reports structuring
problems as a tree of exception groups; ``structure_or_raise`` flattens that tree into one
``GridValidationError`` (or another ``ValidationError`` kind) whose every problem names the file
and the path (``nodes[3].weight``) and says what was expected.
"""

from __future__ import annotations

import difflib
import functools
import enum
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ..errors import ConfigError, GridValidationError, ValidationError, VisesError
from ..model import Defaults, Direction, Grid, Indicator, Kind, Level, Method, Node, Pooling

T = TypeVar("T")

_KIND_NAMES = {str: "text", float: "a number", int: "a whole number", bool: "true or false"}


class _Expected(ValueError):
    """A leaf structuring failure whose message is already meant for a user."""


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Expected(f"expected a number, got {_describe(value)}")
    result = float(value)
    return result


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Expected(f"expected a whole number, got {_describe(value)}")
    return value


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise _Expected(f"expected text, got {_describe(value)}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _Expected(f"expected true or false, got {_describe(value)}")
    return value


def _structure_method(value: Any, _: type) -> Method:
    if isinstance(value, str):
        if not value.strip():
            raise _Expected("expected a method name, got an empty text")
        return Method(name=value)
    if isinstance(value, Mapping):
        if "method" not in value:
            raise _Expected(
                "a method table needs a 'method' key naming it, e.g. { method = \"goalposts\", lower = 0, upper = 40 }"
            )
        name = value["method"]
        if not isinstance(name, str) or not name.strip():
            raise _Expected(f"'method' must be a method name, got {_describe(name)}")
        return Method(name=name, params={key: item for key, item in value.items() if key != "method"})
    raise _Expected(f"expected a method name or a table with a 'method' key, got {_describe(value)}")


def _structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in cls)
        raise _Expected(f"expected one of {allowed}, got {_describe(value)}") from None


def _unstructure_method(method: Method) -> str | dict[str, Any]:
    if not method.params:
        return method.name
    return {"method": method.name, **method.params}


def _level_hook(converter: cattrs.Converter) -> Any:
    plain = make_dict_structure_fn(Level, converter, _cattrs_forbid_extra_keys=True)

    def structure(value: Any, cls: type) -> Level:
        # Scale levels are often written as numbers (value = 3); their data value is that text.
        if isinstance(value, Mapping) and isinstance(value.get("value"), (int, float)) and not isinstance(value.get("value"), bool):
            raw = value["value"]
            text = str(int(raw)) if float(raw).is_integer() else str(raw)
            value = {**value, "value": text}
        return plain(value, cls)

    return structure


def make_converter() -> cattrs.Converter:
    """Build the strict converter for the model classes (one is kept privately per process)."""
    converter = cattrs.Converter(forbid_extra_keys=True)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    for enum_cls in (Kind, Direction, Pooling):
        converter.register_structure_hook(enum_cls, _structure_enum)
        converter.register_unstructure_hook(enum_cls, lambda member: member.value)
    converter.register_structure_hook(Method, _structure_method)
    converter.register_unstructure_hook(Method, _unstructure_method)
    converter.register_structure_hook(Level, _level_hook(converter))
    converter.register_structure_hook(
        Grid, make_dict_structure_fn(Grid, converter, _cattrs_forbid_extra_keys=True, plugin=override(omit=True))
    )
    for cls in (Level, Indicator, Node, Defaults):
        converter.register_unstructure_hook(cls, make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True))
    converter.register_unstructure_hook(
        Grid, make_dict_unstructure_fn(Grid, converter, _cattrs_omit_if_default=True, plugin=override(omit=True))
    )
    return converter


@functools.cache
def converter() -> cattrs.Converter:
    """The shared converter (built on first use)."""
    return make_converter()


def _did_you_mean(name: str, options: Any) -> str:
    close = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _field_names(cls: Any) -> list[str]:
    if attrs.has(cls):
        names = [field.name for field in attrs.fields(cls)]
        return [name for name in names if not (cls is Grid and name == "plugin")]
    return []


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _leaf_message(exc: BaseException) -> str:
    if isinstance(exc, _Expected):
        return str(exc)
    if isinstance(exc, KeyError):
        return "this key is required"
    if isinstance(exc, ValueError) and "is not a valid" in str(exc):
        return str(exc)
    if isinstance(exc, TypeError):
        return f"wrong type of value ({exc})"
    return str(exc) or type(exc).__name__


def _walk(exc: BaseException, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = _field_names(exc.cl)
        for key in sorted(exc.extra_fields):
            hint = _did_you_mean(key, allowed)
            where = _join(path, key)
            out.append((where, f"unknown key {key!r}{hint}"))
        return
    if isinstance(exc, (ClassValidationError, IterableValidationError)) or isinstance(exc, BaseExceptionGroup):
        for child in exc.exceptions:
            child_path = path
            for note in getattr(child, "__notes__", ()):
                name = getattr(note, "name", None)
                index = getattr(note, "index", None)
                if name is not None:
                    child_path = _join(path, name)
                    break
                if index is not None:
                    child_path = _join(path, index) if isinstance(index, int) else _join(path, str(index))
                    break
            if isinstance(child, KeyError) and child_path != path:
                out.append((child_path, f"missing required key {child.args[0]!r}" if child.args else "missing required key"))
                continue
            _walk(child, child_path, out)
        return
    out.append((path, _leaf_message(exc)))


def translate_errors(exc: BaseException, *, file: str | None = None, prefix: str = "") -> list[VisesError]:
    """Flatten a cattrs error tree into ``ConfigError``s, each with its file and path."""
    found: list[tuple[str, str]] = []
    _walk(exc, prefix, found)
    return [ConfigError(message, file=file, path=path or None) for path, message in found]


def structure_or_raise(
    conv: cattrs.Converter | None,
    data: Any,
    cls: type[T],
    *,
    file: str | None = None,
    what: str = "grid",
    prefix: str = "",
    kind: type[ValidationError] = GridValidationError,
) -> T:
    """Structure ``data`` as ``cls`` or raise one ``kind`` error listing every problem.

    ``conv`` defaults to the shared model converter; ``prefix`` is prepended to every path (for a
    table nested in a bigger file); ``what`` names the input in the summary line.
    """
    conv = conv or converter()
    if not isinstance(data, Mapping) and attrs.has(cls):
        raise kind([ConfigError(f"expected a table of keys, got {_describe(data)}", file=file, path=prefix or None)], what=_what(what, file))
    try:
        return conv.structure(data, cls)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        raise kind(translate_errors(exc, file=file, prefix=prefix), what=_what(what, file)) from exc
    except (_Expected, ValueError, TypeError, KeyError) as exc:
        raise kind([ConfigError(_leaf_message(exc), file=file, path=prefix or None)], what=_what(what, file)) from exc


def _what(what: str, file: str | None) -> str:
    return f"{what} {file!r}" if file else what


def unstructure(value: Any) -> Any:
    """Plain data for a model object (defaults and ``None`` values left out, methods as strings)."""
    return _drop_none(converter().unstructure(value))


def _drop_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _drop_none(item) for key, item in data.items() if item is not None}
    if isinstance(data, (list, tuple)):
        return [_drop_none(item) for item in data]
    return data


__all__ = ["converter", "make_converter", "structure_or_raise", "translate_errors", "unstructure"]
