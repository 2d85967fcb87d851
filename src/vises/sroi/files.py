"""Reading value maps from TOML, YAML or JSON files.

One private cattrs converter maps a file onto ``sroi.model`` classes. It refuses unknown keys and
loose types (``duration = 2.5``, ``code = 3``), and every problem is reported with its path
(``outcomes[2].deadweight``) and, below ``outcomes``, the outcome's code, all at once.
"""

from __future__ import annotations

import enum
import functools
import json
import math
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SroiError, ValidationError, VisesError
from .model import DiscountBand, Input, InputKind, Outcome, Proxy, QuantityRef, Stakeholder, ValueMap, check, labels_from

#: File suffixes a value map may have, and the parser for each.
SUFFIXES = (".toml", ".yaml", ".yml", ".json")


def load_model(path: str | os.PathLike[str], *, proxies: Mapping[str, Any] | None = None) -> ValueMap:
    """Read, structure and check a value map; every problem is raised at once.

    ``proxies`` (key -> ``records.FinancialProxy``) resolves ``proxy = "plugin.key"`` references;
    with ``None`` the plugin registry is asked, only when the file has such references.
    """
    file = Path(path)
    data = read_document(file)
    try:
        model = structure_model(data)
    except ValidationError as exc:
        raise ValidationError([p.with_context(file=str(file)) for p in exc.problems], what=f"value map {str(file)!r}") from None
    if proxies is None and any(isinstance(o.proxy, str) for o in model.outcomes):
        proxies = registered_proxies()
    problems = check(model, proxies=proxies)
    if problems:
        raise ValidationError([p.with_context(file=str(file)) for p in problems], what=f"value map {str(file)!r}")
    return resolve_proxies(model, proxies or {})


def read_document(file: Path) -> Any:
    """Parse the file by its suffix; a missing or unreadable file is an ``SroiError`` naming it."""
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        raise SroiError(f"unsupported value map format {suffix or '(none)'!r}", file=str(file),
                        hint=f"use one of {', '.join(SUFFIXES)}")
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise SroiError(f"cannot read the value map: {exc.strerror or exc}", file=str(file)) from exc
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        import yaml

        return yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise SroiError(f"the file is not valid {suffix[1:].upper()}: {exc}", file=str(file)) from exc
    except Exception as exc:  # yaml raises YAMLError subclasses
        raise SroiError(f"the file is not valid YAML: {exc}", file=str(file)) from exc


def structure_model(data: Any) -> ValueMap:
    """Turn parsed data into a ``ValueMap``; structural problems become one ``ValidationError``."""
    import cattrs

    if not isinstance(data, Mapping):
        raise ValidationError([SroiError("a value map must be a table of keys (code, currency, outcomes, ...)")], what="value map")
    try:
        return _converter().structure(dict(data), ValueMap)
    except cattrs.BaseValidationError as exc:
        problems = [_problem(line, data) for line in cattrs.transform_error(exc, path="$", format_exception=_describe)]
        raise ValidationError(problems, what="value map") from None


def _problem(line: str, data: Mapping[str, Any]) -> VisesError:
    message, _, where = line.rpartition(" @ ")
    path = where[2:] if where.startswith("$.") else where.lstrip("$") or None
    if path and path.startswith("outcomes["):
        index = int(path[len("outcomes[") : path.index("]")])
        outcomes = data.get("outcomes")
        if isinstance(outcomes, list) and index < len(outcomes) and isinstance(outcomes[index], Mapping):
            code = outcomes[index].get("code")
            if code is not None:
                message = f"outcome {code!r}: {message}"
    return SroiError(message, path=path)


def _describe(exc: BaseException, type_: Any) -> str:
    from cattrs.errors import ForbiddenExtraKeysError

    if isinstance(exc, KeyError):
        return "required key missing"
    if isinstance(exc, ForbiddenExtraKeysError):
        names = ", ".join(sorted(exc.extra_fields))
        return f"unknown key{'s' if len(exc.extra_fields) > 1 else ''} {names} (check the spelling; see docs/sroi.md)"
    if isinstance(exc, (ValueError, TypeError)) and exc.args and isinstance(exc.args[0], str) and exc.args[0].startswith("expected"):
        return exc.args[0]
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return f"expected one of {', '.join(repr(m.value) for m in type_)}"
    name = getattr(type_, "__name__", str(type_))
    return f"invalid value, expected {name}"


def _number(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return float(value)


def _whole(value: Any, _: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _text(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, got {value!r}")
    return value


def _kind(value: Any, _: Any) -> InputKind:
    try:
        return InputKind(value)
    except ValueError:
        raise ValueError(f"expected one of {', '.join(repr(k.value) for k in InputKind)}, got {value!r}") from None


def _flag(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


@functools.cache
def _converter() -> Any:
    import attrs
    import cattrs
    from cattrs.gen import make_dict_structure_fn

    for cls in (Stakeholder, Input, Proxy, QuantityRef, Outcome, DiscountBand, ValueMap):
        attrs.resolve_types(cls)
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(float, _number)
    conv.register_structure_hook(int, _whole)
    conv.register_structure_hook(str, _text)
    conv.register_structure_hook(bool, _flag)
    conv.register_structure_hook(InputKind, _kind)
    labels_type = dict[str, str]
    conv.register_structure_hook_func(lambda t: t == labels_type, _labels)

    plain_ref = make_dict_structure_fn(QuantityRef, conv, _cattrs_forbid_extra_keys=True)
    plain_proxy = make_dict_structure_fn(Proxy, conv, _cattrs_forbid_extra_keys=True)

    def quantity(value: Any, _: Any) -> float | QuantityRef:
        if isinstance(value, Mapping):
            value = dict(value)
            if isinstance(value.get("period"), int) and not isinstance(value.get("period"), bool):
                value["period"] = str(value["period"])
            return plain_ref(value, QuantityRef)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number or a table {{ indicator, organisation, period }}, got {value!r}")
        return float(value)

    def proxy(value: Any, _: Any) -> Proxy | str:
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping):
            if "ref" in value:
                raise ValueError("expected no 'ref' key in an inline proxy; write proxy = \"plugin.key\" instead")
            return plain_proxy(dict(value), Proxy)
        raise ValueError(f"expected a table {{ value, currency, unit, source }} or a registered proxy key, got {value!r}")

    outcome_fields = {field.name: field.type for field in attrs.fields(attrs.resolve_types(Outcome))}
    quantity_type, proxy_type = outcome_fields["quantity"], outcome_fields["proxy"]
    conv.register_structure_hook_func(lambda t: t == quantity_type, quantity)
    conv.register_structure_hook_func(lambda t: t == proxy_type, proxy)

    plain_map = make_dict_structure_fn(ValueMap, conv, _cattrs_forbid_extra_keys=True)

    def value_map(value: Any, _: Any) -> ValueMap:
        value = dict(value)
        if isinstance(value.get("period"), int) and not isinstance(value.get("period"), bool):
            value["period"] = str(value["period"])
        return plain_map(value, ValueMap)

    conv.register_structure_hook(ValueMap, value_map)
    return conv


def _labels(value: Any, _: Any) -> dict[str, str]:
    if isinstance(value, str):
        return labels_from(value)
    if isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise ValueError(f"expected a text or a table of texts by language ({{ fr = \"...\", nl = \"...\" }}), got {value!r}")


def registered_proxies() -> Mapping[str, Any]:
    """Financial proxies contributed by plugins, from the shared registry."""
    from ..plugins import get_registry

    return get_registry().financial_proxies


def resolve_proxies(model: ValueMap, proxies: Mapping[str, Any]) -> ValueMap:
    """Replace ``proxy = "key"`` references by inline proxies, keeping the key in ``ref``."""
    import attrs

    if not any(isinstance(o.proxy, str) for o in model.outcomes):
        return model
    problems: list[VisesError] = []
    outcomes = []
    for i, outcome in enumerate(model.outcomes):
        if isinstance(outcome.proxy, str):
            record = proxies.get(outcome.proxy)
            if record is None:
                known = ", ".join(sorted(proxies)[:20]) or "none registered"
                problems.append(SroiError(f"outcome {outcome.code!r}: unknown financial proxy {outcome.proxy!r}",
                                          path=f"outcomes[{i}].proxy", hint=f"registered proxies: {known}"))
                continue
            source = record.source + (f" ({record.year})" if getattr(record, "year", None) else "")
            outcome = attrs.evolve(outcome, proxy=Proxy(value=float(record.value), currency=record.currency,
                                                        unit=record.unit, source=source, ref=outcome.proxy))
        outcomes.append(outcome)
    if problems:
        raise ValidationError(problems, what=f"value map {model.code!r}")
    return attrs.evolve(model, outcomes=tuple(outcomes))
