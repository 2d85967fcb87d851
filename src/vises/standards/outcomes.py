"""Which parts of a grid are outcomes, and which indicators measure each.

A grid marks an outcome with the tag ``outcome``: on a node (``outcomes`` of ``wallonie.cisp``:
"Outcomes for trainees"), every indicator below it measures that outcome, through the nearest such
node; on an indicator outside any outcome node, the indicator stands for an outcome of its own.
Everything else — practice dimensions, inputs, outputs — is not an outcome: its indicators are
exported as the organisation's indicators, linked to no outcome.
"""

from __future__ import annotations

import attrs

from vises.model import Grid, Indicator, Node

OUTCOME_TAG = "outcome"


@attrs.frozen(kw_only=True)
class OutcomeMap:
    #: Outcome codes in grid order (nodes first, then indicators standing for their own outcome).
    codes: tuple[str, ...]
    #: The node or indicator behind each outcome.
    items: dict[str, Node | Indicator]
    #: Indicator code -> the outcome it measures.
    of: dict[str, str]
    #: Outcome code -> its indicators (narrative ones included), in grid order.
    members: dict[str, tuple[Indicator, ...]]

    def indicators_of(self, code: str) -> tuple[Indicator, ...]:
        return self.members.get(code, ())


def outcome_map(grid: Grid) -> OutcomeMap:
    nodes = {node.code: node for node in grid.nodes}
    items: dict[str, Node | Indicator] = {node.code: node for node in grid.nodes if OUTCOME_TAG in node.tags}
    of: dict[str, str] = {}
    for ind in grid.indicators:
        parent, seen = ind.parent, set()
        while parent is not None and parent in nodes and parent not in seen:
            if parent in items:
                of[ind.code] = parent
                break
            seen.add(parent)
            parent = nodes[parent].parent
        else:
            if OUTCOME_TAG in ind.tags and ind.scored:
                items[ind.code] = ind
                of[ind.code] = ind.code
    members: dict[str, list[Indicator]] = {}
    for ind in grid.indicators:
        if ind.code in of:
            members.setdefault(of[ind.code], []).append(ind)
    return OutcomeMap(
        codes=tuple(items), items=items, of=of, members={code: tuple(inds) for code, inds in members.items()}
    )
