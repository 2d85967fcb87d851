"""Reading value maps from TOML, YAML or JSON files.

One private cattrs converter, built on the shared strict one of ``io.converter``, maps a file onto
``sroi.model`` classes. It refuses unknown keys and loose types (``duration = 2.5``, ``code = 3``),
and every problem is reported with its path (``outcomes[2].deadweight``) and, below ``outcomes``,
the outcome's code, all at once. cattrs is imported when a file is first read.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vises.errors import SroiError, ValidationError, VisesError
from vises.sroi.model import (
    DiscountBand,
    Input,
    InputKind,
    Outcome,
    Proxy,
    QuantityRef,
    Stakeholder,
    ValueMap,
    check,
    labels_from,
)

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
        raise ValidationError(
            [p.with_context(file=str(file)) for p in exc.problems], what=f"value map {str(file)!r}"
        ) from None
    if proxies is None and any(isinstance(o.proxy, str) for o in model.outcomes):
        proxies = registered_proxies()
    problems = check(model, proxies=proxies)
    if problems:
        raise ValidationError([p.with_context(file=str(file)) for p in problems], what=f"value map {str(file)!r}")
    return resolve_proxies(model, proxies or {})


def read_document(file: Path) -> Any:
    """Parse the file by its suffix (the one document reader); every problem is an ``SroiError`` naming it."""
    from vises.io.documents import read_document as read

    return read(file, what="value map", error=SroiError)


def structure_model(data: Any) -> ValueMap:
    """Turn parsed data into a ``ValueMap``; structural problems become one ``ValidationError``."""
    from vises.io.converter import structure_or_raise

    if not isinstance(data, Mapping):
        raise ValidationError(
            [SroiError("a value map must be a table of keys (code, currency, outcomes, ...)")], what="value map"
        )
    try:
        return structure_or_raise(
            _converter(),
            dict(data),
            ValueMap,
            what="value map",
            kind=ValidationError,
            error=SroiError,
            unknown_key=_unknown_key,
        )
    except ValidationError as exc:
        raise ValidationError([_name_outcome(problem, data) for problem in exc.problems], what=exc.what) from None


def _unknown_key(key: str, suggestion: str | None) -> str:
    return (
        f"unknown key {key} "
        f"({f'did you mean {suggestion!r}?' if suggestion else 'check the spelling; see docs/sroi.md'})"
    )


def _name_outcome(problem: VisesError, data: Mapping[str, Any]) -> VisesError:
    """Prefix a problem below ``outcomes[i]`` with that outcome's code, the name users know it by."""
    path = problem.path or ""
    if not path.startswith("outcomes["):
        return problem
    index = int(path[len("outcomes[") : path.index("]")])
    outcomes = data.get("outcomes")
    if not (isinstance(outcomes, list) and index < len(outcomes) and isinstance(outcomes[index], Mapping)):
        return problem
    code = outcomes[index].get("code")
    if code is None:
        return problem
    return SroiError(f"outcome {code!r}: {problem.message}", hint=problem.hint, file=problem.file, path=problem.path)


@functools.cache
def _converter() -> Any:
    import attrs
    from cattrs.gen import make_dict_structure_fn

    from vises.io.converter import Expected, base_converter, describe, numbers_as_text, register_enums

    for cls in (Stakeholder, Input, Proxy, QuantityRef, Outcome, DiscountBand, ValueMap):
        attrs.resolve_types(cls)
    conv = base_converter(finite=True, integral_floats=True)
    register_enums(conv, InputKind)
    labels_type = dict[str, str]

    def labels(value: Any, _: Any) -> dict[str, str]:
        if isinstance(value, str):
            return labels_from(value)
        if isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return dict(value)
        raise Expected(
            f'expected a text or a table of texts by language ({{ fr = "...", nl = "..." }}), got {describe(value)}'
        )

    conv.register_structure_hook_func(lambda t: t == labels_type, labels)

    # ``period = 2019`` (a TOML integer) stands for the period "2019".
    plain_ref = numbers_as_text(conv, QuantityRef, "period")
    plain_proxy = make_dict_structure_fn(Proxy, conv, _cattrs_forbid_extra_keys=True)

    def quantity(value: Any, _: Any) -> float | QuantityRef:
        if isinstance(value, Mapping):
            return plain_ref(value, QuantityRef)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Expected(f"expected a number or a table {{ indicator, organisation, period }}, got {describe(value)}")
        return float(value)

    def proxy(value: Any, _: Any) -> Proxy | str:
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping):
            if "ref" in value:
                raise Expected("expected no 'ref' key in an inline proxy; write proxy = \"plugin.key\" instead")
            return plain_proxy(dict(value), Proxy)
        raise Expected(
            f"expected a table {{ value, currency, unit, source }} or a registered proxy key, got {describe(value)}"
        )

    outcome_fields = {field.name: field.type for field in attrs.fields(attrs.resolve_types(Outcome))}
    quantity_type, proxy_type = outcome_fields["quantity"], outcome_fields["proxy"]
    conv.register_structure_hook_func(lambda t: t == quantity_type, quantity)
    conv.register_structure_hook_func(lambda t: t == proxy_type, proxy)
    conv.register_structure_hook(ValueMap, numbers_as_text(conv, ValueMap, "period"))
    return conv


def registered_proxies() -> Mapping[str, Any]:
    """Financial proxies contributed by plugins, from the shared registry."""
    from vises.plugins import get_registry

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
                problems.append(
                    SroiError(
                        f"outcome {outcome.code!r}: unknown financial proxy {outcome.proxy!r}",
                        path=f"outcomes[{i}].proxy",
                        hint=f"registered proxies: {known}",
                    )
                )
                continue
            source = record.source + (f" ({record.year})" if getattr(record, "year", None) else "")
            outcome = attrs.evolve(
                outcome,
                proxy=Proxy(
                    value=float(record.value),
                    currency=record.currency,
                    unit=record.unit,
                    source=source,
                    ref=outcome.proxy,
                ),
            )
        outcomes.append(outcome)
    if problems:
        raise ValidationError(problems, what=f"value map {model.code!r}")
    return attrs.evolve(model, outcomes=tuple(outcomes))
