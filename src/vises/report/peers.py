"""Peer groups: which organisation attributes group the network, and each row's value of them.

Any attribute can group peers: the usual family, region and size, those a grid declares
(``[attributes] filiere = { fr = "Filière" }``), or those a report asks for (``peer_groups``
option, ``vises round --peer``). A row's value comes from the data's attribute column; where the
column is empty for the row, the organisation's portrait (evaluations file, template) fills the
gap, so a centre described only in the framing file stays in its peer group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

#: Attributes every grid groups by when they are present, in the order they are shown.
DEFAULT_ATTRIBUTES = ("family", "region", "size")
#: Attributes of the portrait itself (``vises.Organisation`` fields); any other sits in its ``attributes``.
_PORTRAIT_FIELDS = ("family", "region", "size", "name")


def _text(value: Any) -> str | None:
    value = getattr(value, "value", value)  # enums (Family)
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return None
    return str(value)


def peer_attributes(results: Results, requested: Sequence[str] | None = None) -> tuple[str, ...]:
    """The attributes to group by: ``requested`` as given, else the defaults then the grid's own."""
    if requested is not None:
        return tuple(dict.fromkeys(str(name) for name in requested))
    declared = tuple(getattr(results.grid, "attributes", {}) or {})
    return tuple(dict.fromkeys((*DEFAULT_ATTRIBUTES, *declared)))


def known_attributes(results: Results) -> tuple[str, ...]:
    """Every attribute the data or the portraits give (``name`` apart)."""
    names = [name for name in results.dataset.attributes if name != "name"]
    for profile in results.dataset.organisation_profiles.values():
        names += [field for field in DEFAULT_ATTRIBUTES if getattr(profile, field, None)]
        names += list(profile.attributes)
    return tuple(dict.fromkeys(names))


def check_requested(results: Results, requested: Sequence[str] | None) -> None:
    """An attribute asked for that neither the data nor a portrait gives is an error, not an empty section."""
    if requested is None:
        return
    known = known_attributes(results)
    missing = [name for name in requested if name not in known]
    if missing:
        from vises.errors import did_you_mean

        raise ConfigError(
            f"no organisation has the attribute(s) {', '.join(map(repr, missing))} to group peers by",
            hint=did_you_mean(missing[0], known) or f"attributes given: {', '.join(known) or 'none'}",
        )


def attribute_values(results: Results, name: str) -> np.ndarray | None:
    """Each row's value of attribute ``name`` (``None`` where unknown), or ``None`` when no row has one.

    The data's column comes first; an empty cell takes the organisation's portrait value.
    """
    n = len(results)
    values = np.full(n, None, dtype=object)
    column = results.dataset.attributes.get(name)
    if column is not None:
        values[:] = [_text(value) for value in np.asarray(column, dtype=object).tolist()]
    profiles = results.dataset.organisation_profiles
    gaps = values == None  # noqa: E711 - element-wise on an object array
    if profiles and gaps.any():
        distinct, inverse = np.unique(results.organisations[gaps], return_inverse=True)
        portrait: list[str | None] = []
        for code in distinct.tolist():
            profile = profiles.get(str(code))
            if profile is None:
                portrait.append(None)
            elif name in _PORTRAIT_FIELDS:
                portrait.append(_text(getattr(profile, name, None)))
            else:
                portrait.append(_text(profile.attributes.get(name)))
        values[gaps] = np.array(portrait, dtype=object)[inverse.reshape(-1)]
    if (values == None).all():  # noqa: E711
        return None
    return values


def attribute_title(results: Results, name: str, lang: str) -> str:
    """What an attribute is called in the report language: the grid's label, vises's word, else its name."""
    from vises.i18n import translate
    from vises.model import label_in

    declared = (getattr(results.grid, "attributes", {}) or {}).get(name)
    if declared:
        return label_in(declared, lang, name)
    if name in DEFAULT_ATTRIBUTES:
        return translate(name, lang)
    return name


# -- the peer-group table of the network view ----------------------------------------------------


@attrs.frozen(kw_only=True)
class PeerGroup:
    attribute: str
    group: str
    period: str
    count: int
    #: Mean score of each of ``NetworkView.codes`` over the group's organisations (NaN when suppressed).
    means: tuple[float, ...]
    #: What the attribute is called in the report language.
    title: str = ""
    #: Per code: whether the mean is suppressed (public view: too few organisations, or recoverable).
    suppressed: tuple[bool, ...] = ()
    #: Whether the group's size itself is hidden (fewer organisations than the smallest group shown).
    count_hidden: bool = False


def peer_groups(
    results: Results,
    matrix: np.ndarray,
    periods: Sequence[str],
    lang: str,
    *,
    requested: Sequence[str] | None = None,
    k: int = 1,
) -> tuple[PeerGroup, ...]:
    """Each group's mean per code, per attribute and period (latest period first).

    A grouping with a single group repeats the network and is left out. With ``k`` > 1 (the public
    view) the means computed from fewer than k organisations, and those that would let one be
    recovered by subtraction, are suppressed (``disclosure.suppress_groups``).
    """
    from vises.report.disclosure import suppress_groups
    from vises.report.views import attribute_label

    check_requested(results, requested)
    columns: list[tuple[str, np.ndarray, list[str]]] = []
    for attribute in peer_attributes(results, requested):
        column = attribute_values(results, attribute)
        if column is None:
            continue
        present = column != None  # noqa: E711 - element-wise on an object array
        groups = sorted({str(value) for value in column[present].tolist()})
        if len(groups) < 2:
            continue  # one group is the whole network again: nothing to compare
        columns.append((attribute, column, groups))
    out: list[PeerGroup] = []
    present_scores = ~np.isnan(matrix)
    for one in list(periods)[::-1]:
        in_period = results.periods == one
        rows = np.flatnonzero(in_period)
        cells: list[tuple[str, str, np.ndarray, int]] = []
        for partition, (attribute, column, groups) in enumerate(columns):
            values = column[rows]
            for group in groups:
                mask = values == group
                if mask.any():
                    cells.append((attribute, group, mask, partition))
        if not cells:
            continue
        membership = np.array([mask for _, _, mask, _ in cells], dtype=bool)
        hidden = suppress_groups(membership, np.array([p for _, _, _, p in cells]), present_scores[rows], k)
        titles = {attribute: attribute_title(results, attribute, lang) for attribute, _, _ in columns}
        for position, (attribute, group, mask, _) in enumerate(cells):
            block = matrix[rows][mask]
            with np.errstate(invalid="ignore"):
                counted = (~np.isnan(block)).sum(axis=0)
                means = np.where(counted > 0, np.nansum(block, axis=0) / np.maximum(counted, 1), np.nan)
            means[hidden[position]] = np.nan
            out.append(
                PeerGroup(
                    attribute=attribute,
                    group=attribute_label(attribute, group, lang),
                    period=one,
                    count=int(mask.sum()),
                    means=tuple(means.tolist()),
                    title=titles[attribute],
                    suppressed=tuple(bool(x) for x in hidden[position]),
                    count_hidden=k > 1 and int(mask.sum()) < k,
                )
            )
    # Grouping by grouping (each one's periods latest first), as the formats show them.
    order = {attribute: position for position, (attribute, _, _) in enumerate(columns)}
    return tuple(sorted(out, key=lambda group: order[group.attribute]))


__all__ = [
    "DEFAULT_ATTRIBUTES",
    "PeerGroup",
    "attribute_title",
    "attribute_values",
    "check_requested",
    "known_attributes",
    "peer_attributes",
    "peer_groups",
]
