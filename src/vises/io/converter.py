"""The cattrs discipline shared by every file format, and the converter for grid files.

Every file vises reads (grids, value maps, evaluation framings) is structured by a converter built
by ``base_converter``: it is strict on purpose. Unknown keys are refused (a misspelt ``wieght``
must not silently become the default weight), numbers must be numbers, text must be text and a
list must be a list (``questions = "Why?"`` must not become four one-letter questions).

cattrs reports structuring problems as a tree of exception groups; ``translate_errors`` flattens
that tree into one ``VisesError`` per problem, naming the file and the path (``nodes[3].weight``)
and saying what was expected; ``structure_or_raise`` raises them together as one
``ValidationError`` of the caller's kind. The grid converter (``make_converter``) adds only the
hooks of the grid classes.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from vises.errors import ConfigError, GridValidationError, ValidationError, VisesError, closest
from vises.model import (
    Condition,
    Defaults,
    Direction,
    FrozenDict,
    Grid,
    Indicator,
    Kind,
    Level,
    Method,
    Node,
    Pooling,
    Requirement,
    thaw,
)
from vises.model.evidence import EvidencePolicy
from vises.model.records import Calendar, Collection, Measure, RecordFormat, RecordSource, Statistic

T = TypeVar("T")

#: Builds the message for an unknown key from the key and the closest known key (or ``None``).
UnknownKeyMessage = Callable[[str, "str | None"], str]


class Expected(ValueError):
    """A leaf structuring failure whose message is already meant for a user (raise it from hooks)."""


def describe(value: Any) -> str:
    """A value as a user wrote it in TOML/YAML/JSON terms, for "expected ..., got ..." messages."""
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
        raise Expected(f"expected a number, got {describe(value)}")
    return float(value)


def _structure_finite_float(value: Any, cls: type) -> float:
    number = _structure_float(value, cls)
    if not math.isfinite(number):
        raise Expected(f"expected a finite number, got {describe(value)}")
    return number


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Expected(f"expected a whole number, got {describe(value)}")
    return value


def _structure_int_or_integral_float(value: Any, cls: type) -> int:
    # JSON and YAML writers often turn 2 into 2.0; that is still a whole number.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return _structure_int(value, cls)


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        raise Expected(f"expected text, got {describe(value)}")
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise Expected(f"expected true or false, got {describe(value)}")
    return value


def structure_enum(value: Any, cls: type[enum.Enum]) -> enum.Enum:
    """Hook for any enum: a wrong value is reported with every allowed one."""
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in cls)
        raise Expected(f"expected one of {allowed}, got {describe(value)}") from None


def register_enums(conv: cattrs.Converter, *classes: type[enum.Enum]) -> None:
    """Read and write ``classes`` by their values, with ``structure_enum``'s message."""
    for cls in classes:
        conv.register_structure_hook(cls, structure_enum)
        conv.register_unstructure_hook(cls, lambda member: member.value)


def _is_homogeneous_sequence(type_: Any) -> bool:
    origin = get_origin(type_)
    if origin is list:
        return True
    args = get_args(type_)
    return origin is tuple and len(args) == 2 and args[1] is Ellipsis


#: What structuring one list item can raise: hook messages, type mismatches, nested error groups.
_ITEM_ERRORS = (ValueError, TypeError, KeyError, AttributeError, ForbiddenExtraKeysError, ExceptionGroup)


def _sequence_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """Hook factory for ``list[X]``/``tuple[X, ...]`` that refuses text and tables.

    cattrs would iterate a string character by character; the items are structured one by one
    with the same error notes cattrs uses, so paths (``questions[2]``) stay the same.
    """

    def factory(type_: Any) -> Callable[[Any, Any], Any]:
        item_type = get_args(type_)[0] if get_args(type_) else Any
        build = tuple if get_origin(type_) is tuple else list

        def structure(value: Any, _: Any) -> Any:
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
                raise Expected(f"expected a list, got {describe(value)}")
            items: list[Any] = []
            errors: list[Exception] = []
            for index, item in enumerate(value):
                try:
                    items.append(conv.structure(item, item_type))
                except _ITEM_ERRORS as exc:
                    exc.add_note(IterableValidationNote(f"Structuring {type_} @ index {index}", index, item_type))
                    errors.append(exc)
            if errors:
                raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
            return build(items)

        return structure

    return factory


def base_converter(*, finite: bool = False, integral_floats: bool = False) -> cattrs.Converter:
    """A converter with the shared strictness: unknown keys refused, scalars and lists checked.

    ``finite`` refuses ``nan``/``inf`` where a number is expected; ``integral_floats`` accepts
    ``2.0`` where a whole number is expected. Callers add hooks for their own classes only.
    """
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(float, _structure_finite_float if finite else _structure_float)
    conv.register_structure_hook(int, _structure_int_or_integral_float if integral_floats else _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_factory(_is_homogeneous_sequence, _sequence_hook(conv))
    return conv


def numbers_as_text(
    conv: cattrs.Converter, cls: type[T], *keys: str, fractions: bool = False
) -> Callable[[Any, Any], T]:
    """A strict structure hook for ``cls`` that reads a number under ``keys`` as its text.

    ``period = 2019`` or a scale level ``value = 3`` is written as a number but means a text;
    integral numbers become their digits, other numbers their decimal form when ``fractions``;
    a list of such numbers becomes a list of texts.
    """
    made: list[Callable[[Any, Any], T]] = []  # generated on first use: most runs never read a ``cls``

    def text(raw: Any) -> Any:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, list):  # a list of such values (periods = [2018, 2019])
            return [text(item) for item in raw]
        if isinstance(raw, int):
            return str(raw)
        if fractions and isinstance(raw, float):
            return str(int(raw)) if raw.is_integer() else str(raw)
        return raw

    def structure(value: Any, _: Any) -> T:
        if isinstance(value, Mapping) and any(key in value for key in keys):
            value = {name: text(item) if name in keys else item for name, item in value.items()}
        if not made:
            made.append(make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True))
        return made[0](value, cls)

    return structure


def did_you_mean(name: str, options: Iterable[str]) -> str | None:
    """The known name closest to a misspelt one (the bare name), or ``None`` when none is close."""
    close = closest(name, options)
    return close[0] if close else None


def unknown_key_message(key: str, suggestion: str | None) -> str:
    """The default wording: ``unknown key 'wieght' (did you mean 'weight'?)``."""
    return f"unknown key {key!r}" + (f" (did you mean {suggestion!r}?)" if suggestion else "")


def _field_names(cls: Any) -> list[str]:
    if attrs.has(cls):
        names = [field.name for field in attrs.fields(cls)]
        return [name for name in names if not (cls is Grid and name == "plugin")]
    return []


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _leaf_message(exc: BaseException, expected: Any = None) -> str:
    if isinstance(exc, Expected):
        return str(exc)
    if isinstance(exc, KeyError):
        return "this key is required"
    if isinstance(exc, ValueError) and "is not a valid" in str(exc):
        return str(exc)
    if isinstance(exc, (TypeError, AttributeError)) and (attrs.has(expected) or get_origin(expected) is dict):
        return "expected a table of keys"
    if isinstance(exc, TypeError):
        return f"wrong type of value ({exc})"
    return str(exc) or type(exc).__name__


def _walk(
    exc: BaseException, path: str, expected: Any, unknown_key: UnknownKeyMessage, out: list[tuple[str, str]]
) -> None:
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = _field_names(exc.cl)
        for key in sorted(exc.extra_fields):
            out.append((_join(path, key), unknown_key(key, did_you_mean(key, allowed))))
        return
    if isinstance(exc, BaseExceptionGroup):
        for child in exc.exceptions:
            child_path, child_type = path, None
            for note in getattr(child, "__notes__", ()):
                name = getattr(note, "name", None)
                index = getattr(note, "index", None)
                part = name if name is not None else index
                if isinstance(part, (str, int)):
                    child_path = _join(path, part)
                    child_type = getattr(note, "type", None)
                    break
            if isinstance(child, KeyError) and child_path != path:
                out.append(
                    (child_path, f"missing required key {child.args[0]!r}" if child.args else "missing required key")
                )
                continue
            _walk(child, child_path, child_type, unknown_key, out)
        return
    out.append((path, _leaf_message(exc, expected)))


def translate_errors(
    exc: BaseException,
    *,
    file: str | None = None,
    prefix: str = "",
    error: type[VisesError] = ConfigError,
    unknown_key: UnknownKeyMessage = unknown_key_message,
) -> list[VisesError]:
    """Flatten a cattrs error tree into ``error``s (``ConfigError`` by default), each with file and path.

    ``prefix`` is prepended to every path (for a table nested in a bigger file); ``unknown_key``
    words the message for a key the class does not have.
    """
    found: list[tuple[str, str]] = []
    _walk(exc, prefix, None, unknown_key, found)
    return [error(message, file=file, path=path or None) for path, message in found]


def structure_or_raise(
    conv: cattrs.Converter | None,
    data: Any,
    cls: type[T],
    *,
    file: str | None = None,
    what: str = "grid",
    prefix: str = "",
    kind: type[ValidationError] = GridValidationError,
    error: type[VisesError] = ConfigError,
    unknown_key: UnknownKeyMessage = unknown_key_message,
) -> T:
    """Structure ``data`` as ``cls`` or raise one ``kind`` error listing every problem.

    ``conv`` defaults to the grid converter; ``what`` names the input in the summary line; each
    problem is an ``error`` (e.g. ``SroiError`` for value maps) located by ``file`` and its path,
    to which ``prefix`` is prepended.
    """
    conv = conv or converter()
    where = f"{what} {file!r}" if file else what
    if not isinstance(data, Mapping) and attrs.has(cls):
        raise kind(
            [error(f"expected a table of keys, got {describe(data)}", file=file, path=prefix or None)], what=where
        )
    try:
        return conv.structure(data, cls)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        problems = translate_errors(exc, file=file, prefix=prefix, error=error, unknown_key=unknown_key)
        raise kind(problems, what=where) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise kind([error(_leaf_message(exc, cls), file=file, path=prefix or None)], what=where) from exc


def _structure_method(value: Any, _: type) -> Method:
    if isinstance(value, str):
        if not value.strip():
            raise Expected("expected a method name, got an empty text")
        return Method(name=value)
    if isinstance(value, Mapping):
        if "method" not in value:
            raise Expected(
                "a method table needs a 'method' key naming it, e.g. { method = \"goalposts\", lower = 0, upper = 40 }"
            )
        name = value["method"]
        if not isinstance(name, str) or not name.strip():
            raise Expected(f"'method' must be a method name, got {describe(name)}")
        return Method(name=name, params={key: item for key, item in value.items() if key != "method"})
    raise Expected(f"expected a method name or a table with a 'method' key, got {describe(value)}")


def _unstructure_method(method: Method) -> str | dict[str, Any]:
    if not method.params:
        return method.name
    return {"method": method.name, **thaw(method.params)}


def _is_frozen_mapping(type_: Any) -> bool:
    origin: Any = get_origin(type_)
    return origin is FrozenDict


def _frozen_mapping_hook(conv: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """Hook factory for ``FrozenDict[K, V]`` fields (labels, parameters): anything but a table is refused
    with a message saying what is expected (cattrs would fail on ``.items()``)."""

    def factory(type_: Any) -> Callable[[Any, Any], Any]:
        from cattrs.gen import make_mapping_structure_fn

        inner = make_mapping_structure_fn(type_, conv)
        texts = get_args(type_) == (str, str)

        def structure(value: Any, cls: Any) -> Any:
            if not isinstance(value, Mapping):
                if texts:
                    raise Expected(
                        f'expected a table of texts by language, e.g. {{ fr = "Heures", en = "Hours" }}, '
                        f"got {describe(value)}"
                    )
                raise Expected(f"expected a table, got {describe(value)}")
            return inner(value, cls)

        return structure

    return factory


def _structure_value(value: Any, _: Any) -> float | str | None:
    """A requirement's threshold: a number (quantities) or a level value (text; ``4`` reads as ``"4"``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Expected(f"expected a number or a level value, got {describe(value)}")
    return float(value)


def _is_requirement_value(type_: Any) -> bool:
    return bool(type_ == (float | str | None))


def _structure_one_of(value: Any, _: Any) -> tuple[str, ...]:
    """Level values, written as text or as numbers (``one_of = [4, 5]`` means the levels "4" and "5")."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise Expected(f"expected a list of level values, got {describe(value)}")
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise Expected(f"expected level values (text), got {describe(item)} in the list")
        out.append(item if isinstance(item, str) else str(int(item)) if float(item).is_integer() else str(item))
    return tuple(out)


def make_converter() -> cattrs.Converter:
    """Build the strict converter for the grid classes (one is kept privately per process)."""
    conv = base_converter()
    register_enums(conv, Kind, Direction, Pooling, Statistic, Calendar, RecordFormat)
    # The model keeps its mappings frozen; files read and write them as plain tables.
    conv.register_unstructure_hook(FrozenDict, thaw)
    conv.register_structure_hook_factory(_is_frozen_mapping, _frozen_mapping_hook(conv))
    conv.register_structure_hook(Method, _structure_method)
    conv.register_unstructure_hook(Method, _unstructure_method)
    # Scale levels are often written as numbers (value = 3); their data value is that text.
    conv.register_structure_hook(Level, numbers_as_text(conv, Level, "value", fractions=True))
    # The hooks cattrs generates (compiled code, a few ms each) are made on first use, by factories.
    conv.register_structure_hook_factory(
        lambda t: t is Grid,
        lambda _: make_dict_structure_fn(Grid, conv, _cattrs_forbid_extra_keys=True, plugin=override(omit=True)),
    )
    # Periods and answers of a collection spec are often written as numbers (2019, 5): they are text.
    conv.register_structure_hook(RecordSource, numbers_as_text(conv, RecordSource, "periods"))
    conv.register_structure_hook(Measure, numbers_as_text(conv, Measure, "top", "scale"))
    conv.register_structure_hook_func(_is_requirement_value, _structure_value)
    conv.register_structure_hook_factory(
        lambda t: t is Condition,
        lambda _: make_dict_structure_fn(
            Condition, conv, _cattrs_forbid_extra_keys=True, one_of=override(struct_hook=_structure_one_of)
        ),
    )
    plain = (
        Level,
        Indicator,
        Node,
        Defaults,
        Condition,
        Requirement,
        EvidencePolicy,
        Collection,
        RecordSource,
        Measure,
    )
    conv.register_unstructure_hook_factory(
        lambda t: isinstance(t, type) and t in plain,
        lambda t: make_dict_unstructure_fn(t, conv, _cattrs_omit_if_default=True),
    )
    conv.register_unstructure_hook_factory(
        lambda t: t is Grid,
        lambda _: make_dict_unstructure_fn(Grid, conv, _cattrs_omit_if_default=True, plugin=override(omit=True)),
    )
    return conv


@functools.cache
def converter() -> cattrs.Converter:
    """The shared grid converter (built on first use)."""
    return make_converter()


def unstructure(value: Any) -> Any:
    """Plain data for a model object (defaults and ``None`` values left out, methods as strings)."""
    return _drop_none(converter().unstructure(value))


def _drop_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _drop_none(item) for key, item in data.items() if item is not None}
    if isinstance(data, (list, tuple)):
        return [_drop_none(item) for item in data]
    return data


__all__ = [
    "Expected",
    "UnknownKeyMessage",
    "base_converter",
    "converter",
    "describe",
    "did_you_mean",
    "make_converter",
    "numbers_as_text",
    "register_enums",
    "structure_enum",
    "structure_or_raise",
    "translate_errors",
    "unknown_key_message",
    "unstructure",
]
