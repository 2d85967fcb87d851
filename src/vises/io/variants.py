"""Grids built from other grids: ``extends``, ``drop``, ``weights`` and catalogue ``use``.

A regional federation rarely writes a grid from scratch: it extends a base grid, replaces or adds
nodes and indicators (matched by code), drops what does not apply, re-weights, and picks indicators
from a plugin's catalogue (``use = "wallonie.exit_rate"``) overriding a few fields. Every reference
is checked: an unknown code in ``drop`` or ``weights`` is an error, never silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from vises.errors import ConfigError, GridValidationError, VisesError, did_you_mean
from vises.model import Grid, Indicator, Node, Requirement

#: ``resolve(kind, key)`` with kind ``"grid"`` or ``"indicator"``; the plugin registry passes one.
Resolver = Callable[[str, str], Any]

VARIANT_KEYS = ("extends", "drop", "weights")


@attrs.frozen(kw_only=True)
class VariantSpec:
    """The variant part of a grid file: what to take from the base and how to change it."""

    extends: str | None = None
    drop: tuple[str, ...] = ()
    weights: dict[str, float] = attrs.field(factory=dict)


def _what(file: str | None) -> str:
    return f"grid {file!r}" if file else "grid"


_did_you_mean = did_you_mean


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_variant(data: Mapping[str, Any], *, file: str | None = None) -> tuple[VariantSpec, list[VisesError]]:
    """Read and type-check the ``extends`` / ``drop`` / ``weights`` keys of a grid file."""
    problems: list[VisesError] = []
    extends = data.get("extends")
    if extends is not None and (not isinstance(extends, str) or not extends.strip()):
        problems.append(ConfigError(f"expected the code of a base grid, got {extends!r}", file=file, path="extends"))
        extends = None
    drop_raw = data.get("drop", [])
    drop: list[str] = []
    if not isinstance(drop_raw, (list, tuple)):
        problems.append(ConfigError("expected a list of node or indicator codes", file=file, path="drop"))
    else:
        for index, code in enumerate(drop_raw):
            if isinstance(code, str):
                drop.append(code)
            else:
                problems.append(ConfigError(f"expected a code, got {code!r}", file=file, path=f"drop[{index}]"))
    weights_raw = data.get("weights", {})
    weights: dict[str, float] = {}
    if not isinstance(weights_raw, Mapping):
        problems.append(ConfigError("expected a table code = weight", file=file, path="weights"))
    else:
        for code, value in weights_raw.items():
            if _is_number(value):
                weights[str(code)] = float(value)
            else:
                problems.append(ConfigError(f"expected a number, got {value!r}", file=file, path=f"weights.{code}"))
    return VariantSpec(extends=extends, drop=tuple(drop), weights=weights), problems


def _resolve(resolve: Resolver | None, kind: str, key: str, *, file: str | None, path: str) -> Any:
    """Look up a base grid or a catalogue indicator; a failure becomes a ConfigError at ``path``."""
    keyword = "extends" if kind == "grid" else "use"
    if resolve is None:
        raise ConfigError(
            f"{keyword} = {key!r} needs the plugin registry to find the {kind}",
            file=file,
            path=path,
            hint="load the grid with vises.load_grid(...) (which knows the registered grids and indicators)",
        )
    expected = Grid if kind == "grid" else Indicator
    try:
        found = resolve(kind, key)
    except VisesError as exc:
        raise exc.with_context(file=file, path=path) from exc
    except (KeyError, LookupError) as exc:
        raise ConfigError(
            f"unknown {kind} {key!r}", file=file, path=path, hint="see 'vises grids' / 'vises indicators'"
        ) from exc
    if not isinstance(found, expected):
        raise ConfigError(f"{key!r} is not a {kind} (got {type(found).__name__})", file=file, path=path)
    return found


def expand_uses(indicators: Any, *, resolve: Resolver | None, file: str | None = None) -> tuple[Any, list[VisesError]]:
    """Replace each ``use = "<key>"`` indicator entry by the catalogue indicator with its overrides."""
    if not isinstance(indicators, list):
        return indicators, []
    from vises.io.converter import unstructure

    problems: list[VisesError] = []
    expanded: list[Any] = []
    for index, entry in enumerate(indicators):
        if not isinstance(entry, Mapping) or "use" not in entry:
            expanded.append(entry)
            continue
        key = entry["use"]
        path = f"indicators[{index}].use"
        if not isinstance(key, str):
            problems.append(ConfigError(f"expected a registered indicator key, got {key!r}", file=file, path=path))
            expanded.append({k: v for k, v in entry.items() if k != "use"})
            continue
        try:
            base = _resolve(resolve, "indicator", key, file=file, path=path)
        except VisesError as exc:
            problems.append(exc)
            expanded.append({k: v for k, v in entry.items() if k != "use"})
            continue
        merged = dict(unstructure(base))
        merged.update({k: v for k, v in entry.items() if k != "use"})
        expanded.append(merged)
    return expanded, problems


def _subtree(codes: Iterable[str], parent_of: Mapping[str, str | None]) -> set[str]:
    """The codes and everything below them (parent links followed downwards)."""
    children: dict[str, list[str]] = {}
    for code, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(code)
    found: set[str] = set()
    stack = list(codes)
    while stack:
        code = stack.pop()
        if code in found:
            continue
        found.add(code)
        stack.extend(children.get(code, ()))
    return found


def _merge_by_code(base: tuple[Any, ...], new: tuple[Any, ...]) -> tuple[Any, ...]:
    replacements = {item.code: item for item in new}
    merged = [replacements.pop(item.code, item) for item in base]
    base_codes = {item.code for item in base}
    merged += [item for item in new if item.code not in base_codes]
    return tuple(merged)


def apply_drop_and_weights(grid: Grid, spec: VariantSpec, *, file: str | None = None) -> tuple[Grid, list[VisesError]]:
    """Remove the dropped codes with their subtrees, then set the new weights."""
    problems: list[VisesError] = []
    members: tuple[Node | Indicator | Requirement, ...] = (*grid.nodes, *grid.indicators, *grid.requirements)
    parent_of = {item.code: item.parent for item in members}
    known = [code for code in spec.drop if code in parent_of]
    for index, code in enumerate(spec.drop):
        if code not in parent_of:
            problems.append(
                ConfigError(
                    f"cannot drop {code!r}: no node, indicator or requirement has this code",
                    file=file,
                    path=f"drop[{index}]",
                    hint=_did_you_mean(code, parent_of),
                )
            )
    gone = _subtree(known, parent_of)
    nodes = tuple(node for node in grid.nodes if node.code not in gone)
    indicators = tuple(ind for ind in grid.indicators if ind.code not in gone)
    requirements = tuple(item for item in grid.requirements if item.code not in gone)
    grid = attrs.evolve(grid, nodes=nodes, indicators=indicators, requirements=requirements)
    if spec.weights:
        grid, weight_problems = _set_weights(grid, spec.weights, file=file, path="weights")
        problems += weight_problems
    return grid, problems


def _set_weights(
    grid: Grid, weights: Mapping[str, Any], *, file: str | None, path: str
) -> tuple[Grid, list[VisesError]]:
    problems: list[VisesError] = []
    members: tuple[Node | Indicator, ...] = (*grid.nodes, *grid.indicators)
    codes = {item.code for item in members}
    clean: dict[str, float] = {}
    for code, value in weights.items():
        where = f"{path}.{code}"
        if code not in codes:
            problems.append(
                ConfigError(
                    f"unknown code {code!r}: no node or indicator has it",
                    file=file,
                    path=where,
                    hint=_did_you_mean(code, codes),
                )
            )
        elif not _is_number(value) or not math.isfinite(float(value)) or float(value) < 0:
            problems.append(ConfigError(f"expected a finite number >= 0, got {value!r}", file=file, path=where))
        else:
            clean[code] = float(value)

    def reweigh(item: Any) -> Any:
        return attrs.evolve(item, weight=clean[item.code]) if item.code in clean else item

    return attrs.evolve(
        grid, nodes=tuple(map(reweigh, grid.nodes)), indicators=tuple(map(reweigh, grid.indicators))
    ), problems


def apply_weighting(grid: Grid, weights: Mapping[str, float], *, name: str) -> Grid:
    """Return ``grid`` with new weights on the named nodes or indicators (a weighting variant).

    Every code must exist and every weight be a finite number >= 0; all problems are reported at
    once, naming the weighting.
    """
    new, problems = _set_weights(grid, weights, file=None, path=f"weighting {name}")
    if problems:
        raise GridValidationError(problems, what=f"weighting {name!r} of grid {grid.code!r}")
    return new


def merge_grids(base: Grid, overlay: Grid, present: Iterable[str]) -> Grid:
    """``overlay``'s top-level fields named in ``present`` over ``base``; nodes and indicators by code."""
    present = set(present)
    changes: dict[str, Any] = {}
    for field in attrs.fields(Grid):
        if field.name in ("nodes", "indicators", "requirements", "plugin"):
            continue
        if field.name in present:
            changes[field.name] = getattr(overlay, field.name)
    for name in ("stakeholder_labels", "unit_labels", "attributes"):
        # Label tables extend the base's, code by code: a variant names its own groups and units.
        if name in present:
            changes[name] = {**getattr(base, name), **getattr(overlay, name)}
    changes["nodes"] = _merge_by_code(base.nodes, overlay.nodes)
    changes["indicators"] = _merge_by_code(base.indicators, overlay.indicators)
    changes["requirements"] = _merge_by_code(base.requirements, overlay.requirements)
    return attrs.evolve(base, plugin=None, **changes)


def build_grid(
    data: Mapping[str, Any], *, file: str | None = None, resolve: Resolver | None = None, base: Grid | None = None
) -> Grid:
    """Turn the plain data of a grid file into a ``Grid``, applying its variant keys.

    ``base`` skips the ``extends`` lookup (``apply_variant``). Raises one ``GridValidationError``
    listing every problem found.
    """
    from vises.io.converter import structure_or_raise

    if not isinstance(data, Mapping):
        raise GridValidationError(
            [ConfigError(f"a grid file must hold a table of keys, got {type(data).__name__}", file=file)],
            what=_what(file),
        )
    spec, problems = parse_variant(data, file=file)
    body = {key: value for key, value in data.items() if key not in VARIANT_KEYS}
    if "indicators" in body:
        body["indicators"], use_problems = expand_uses(body["indicators"], resolve=resolve, file=file)
        problems += use_problems
    if base is None and spec.extends is not None:
        try:
            base = _resolve(resolve, "grid", spec.extends, file=file, path="extends")
        except VisesError as exc:
            problems.append(exc)
    if base is not None:
        body.setdefault("code", base.code)
    try:
        grid = structure_or_raise(None, body, Grid, file=file, what=_what(file))
    except GridValidationError as exc:
        raise GridValidationError([*problems, *exc.problems], what=_what(file)) from exc
    if base is not None:
        grid = merge_grids(base, grid, body)
    grid, more = apply_drop_and_weights(grid, spec, file=file)
    problems += more
    if problems:
        raise GridValidationError(problems, what=_what(file))
    return grid


def apply_variant(
    base: Grid, variant: Mapping[str, Any] | VariantSpec, *, file: str | None = None, resolve: Resolver | None = None
) -> Grid:
    """Apply a variant (the keys of a grid file, or just a ``VariantSpec``) to ``base``.

    Nodes and indicators whose code is in ``base`` replace it; new codes are added; top-level keys
    given replace the base's; then ``drop`` and ``weights`` apply. ``extends`` in ``variant`` is
    ignored here, since the base is given.
    """
    if isinstance(variant, VariantSpec):
        grid, problems = apply_drop_and_weights(base, variant, file=file)
        if problems:
            raise GridValidationError(problems, what=_what(file))
        return grid
    return build_grid(variant, file=file, resolve=resolve, base=base)


__all__ = [
    "VARIANT_KEYS",
    "Resolver",
    "VariantSpec",
    "apply_drop_and_weights",
    "apply_variant",
    "apply_weighting",
    "build_grid",
    "expand_uses",
    "merge_grids",
    "parse_variant",
]
