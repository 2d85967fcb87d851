"""The options of the CIDS export, checked: an unknown key or a wrong value is refused, never ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from vises.errors import ConfigError, did_you_mean
from vises.validation.codes import check_namespace

#: Where the CIDS ontology says a stakeholder group lives (``cids:hasCatchmentArea``).
CATCHMENT_AREAS = ("local", "provincial", "national", "multinational", "global")
CONTEXTS = ("remote", "embedded")
#: The namespace used when neither the report options nor the grid set one: IRIs that name the
#: grid, valid but not resolvable, so an export without a federation namespace is recognisable.
DEFAULT_NAMESPACE = "urn:vises:"


@attrs.frozen(kw_only=True)
class CidsOptions:
    """What ``render(results, "cids", options=...)`` accepts."""

    #: Base IRI of every node the export mints (default: the grid's ``namespace``, else ``urn:vises:<grid>:``).
    namespace: str | None = None
    #: Legal name of the federation publishing the grid (default: the grid's ``publisher``).
    publisher: str | None = None
    #: Also export each node's 0–100 score as an indicator of its own ("vises score of ...").
    scores: bool = False
    #: ``remote``: ``@context`` is the published CIDS context URL; ``embedded``: the terms are inlined.
    context: str = "remote"
    #: ``cids:hasCatchmentArea`` of every stakeholder group (one of ``CATCHMENT_AREAS``); none when unset.
    catchment_area: str | None = None
    #: Stakeholder groups the federation regards as underserved; with it, every group gets ``isUnderserved``.
    underserved: tuple[str, ...] | None = None
    #: Indent JSON by this many spaces (0–10); 0 writes each node compact, on one line.
    indent: int = 0


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"CIDS option {name!r} must be a non-empty text, not {value!r}")
    return value


def parse_cids_options(options: Mapping[str, Any] | None) -> CidsOptions:
    """``options`` as ``CidsOptions``; every wrong key or value named."""
    given = dict(options or {})
    known = [field.name for field in attrs.fields(CidsOptions)]
    unknown = sorted(set(given) - set(known))
    if unknown:
        hint = did_you_mean(unknown[0], known)
        raise ConfigError(
            f"unknown CIDS option(s): {', '.join(unknown)}",
            hint=(hint + " " if hint else "") + f"the cids format understands: {', '.join(known)}",
        )
    values: dict[str, Any] = {}
    for name in ("namespace", "publisher"):
        if given.get(name) is not None:
            values[name] = _text(name, given[name])
    if "namespace" in values and (why := check_namespace(values["namespace"])):
        raise ConfigError(why, hint="pass namespace= a base IRI the federation controls")
    for name in ("scores",):
        if name in given:
            if not isinstance(given[name], bool):
                raise ConfigError(f"CIDS option {name!r} must be true or false, not {given[name]!r}")
            values[name] = given[name]
    if "context" in given:
        if given["context"] not in CONTEXTS:
            raise ConfigError(f"CIDS option 'context' must be one of {', '.join(CONTEXTS)}, not {given['context']!r}")
        values["context"] = given["context"]
    if given.get("catchment_area") is not None:
        area = given["catchment_area"]
        if area not in CATCHMENT_AREAS:
            raise ConfigError(
                f"CIDS option 'catchment_area' must be one of {', '.join(CATCHMENT_AREAS)}, not {area!r}",
                hint=did_you_mean(str(area), CATCHMENT_AREAS),
            )
        values["catchment_area"] = area
    if given.get("underserved") is not None:
        groups = given["underserved"]
        if isinstance(groups, str):
            groups = [part.strip() for part in groups.split(",")]
        if not isinstance(groups, (list, tuple)) or not all(isinstance(g, str) and g.strip() for g in groups):
            raise ConfigError(
                f"CIDS option 'underserved' must list stakeholder groups, not {given['underserved']!r}",
                hint='e.g. underserved=["trainees"] or "trainees,users"',
            )
        values["underserved"] = tuple(groups)
    if "indent" in given:
        indent = given["indent"]
        if isinstance(indent, bool) or not isinstance(indent, int) or not 0 <= indent <= 10:
            raise ConfigError(f"CIDS option 'indent' must be a whole number from 0 to 10, not {indent!r}")
        values["indent"] = indent
    return CidsOptions(**values)
