"""One organisation's whole score tree: what each child weighed, what it added, why a node is missing.

``print(results.explain("cisp_01"))`` draws the tree in the explanation's language (the grid's
first language unless another was asked for); ``to_frame()`` gives one row per node for pandas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vises.engine.results import Results


_FIELDS = (
    "code",
    "label",
    "is_indicator",
    "score",
    "raw",
    "raw_text",
    "unit",
    "coverage",
    "weight",
    "effective_weight",
    "contribution",
    "rank",
    "reason",
    "method",
    "narrative",
    "imputed",
)


@attrs.frozen(kw_only=True, eq=False)
class Explanation:
    """One node of one organisation's score tree (see ``Results.explain``).

    Built, walked, compared and turned into dicts without recursion, so a tree thousands of levels
    deep is as safe as a flat one.
    """

    code: str
    label: str
    is_indicator: bool
    score: float | None
    raw: float | None
    raw_text: str | None
    unit: str | None
    coverage: float | None
    weight: float
    effective_weight: float | None
    contribution: float | None
    rank: int | None
    reason: str | None
    method: str
    narrative: str | None
    children: tuple[Explanation, ...] = ()
    #: Whether the score rests on an imputed value (the indicator's, or one below the node).
    imputed: bool = False
    #: The language of ``label`` and of ``str()``: the grid's first language unless one was asked for.
    lang: str = "en"
    #: The unit as a reader knows it in ``lang`` (``percent`` -> ``%``), for display.
    unit_label: str | None = None
    #: A level value as a reader knows it in ``lang`` ("Oui", "3 – Souvent"), for display.
    raw_label: str | None = None
    #: The answers of the narrative indicators under this node, as (label, text): shown, never scored.
    evidence: tuple[tuple[str, str], ...] = ()
    #: Whom and when the tree explains (set on the root of ``Results.explain``).
    organisation: str | None = None
    period: str | None = None

    def __repr__(self) -> str:
        score = "missing" if self.score is None else f"{self.score:.4g}"
        kind = "indicator" if self.is_indicator else f"{len(self.children)} children"
        return f"<Explanation {self.code!r}: score {score}, {kind}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        pending = [(self, other)]
        while pending:
            a, b = pending.pop()
            if a is b:
                continue
            if len(a.children) != len(b.children) or any(
                not _same(getattr(a, name), getattr(b, name)) for name in _FIELDS
            ):
                return False
            pending.extend(zip(a.children, b.children, strict=True))
        return True

    def __hash__(self) -> int:
        return hash((self.code, self.score, len(self.children)))

    def walk(self) -> Iterator[Explanation]:
        """This node and every node below it, depth first."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the fields, and ``children`` as a list of the children's dicts (the display
        fields ``lang``, ``unit_label``, ``raw_label``, ``evidence``, ``organisation`` and ``period``
        left out: a narrative indicator's text is under its own code in ``Results.narrative``)."""
        root = _plain(self)
        stack = [(self, root)]
        while stack:
            node, data = stack.pop()
            data["children"] = []
            for child in node.children:
                child_data = _plain(child)
                data["children"].append(child_data)
                stack.append((child, child_data))
        return root

    def to_frame(self) -> pd.DataFrame:
        """One row per node of the tree (depth first, this node first), indexed by code; needs pandas.

        Columns: ``label``, ``parent``, ``depth`` (0 = this node), ``is_indicator``, ``score``,
        ``raw``, ``raw_text``, ``unit``, ``coverage``, ``weight``, ``effective_weight``,
        ``contribution``, ``rank`` (nullable ``Int64``), ``reason``, ``method``, ``imputed``,
        ``narrative``; ``None``/``NaN`` where a value does not exist.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            from vises.errors import MissingDependencyError

            raise MissingDependencyError("pandas", "pandas", "Explanation.to_frame") from exc
        rows: list[dict[str, Any]] = []
        stack: list[tuple[Explanation, str | None, int]] = [(self, None, 0)]
        while stack:
            node, parent, depth = stack.pop()
            row = {name: getattr(node, name) for name in _FRAME_FIELDS}
            row.update(parent=parent, depth=depth)
            rows.append(row)
            stack.extend((child, node.code, depth + 1) for child in reversed(node.children))
        frame = pd.DataFrame(rows, columns=["code", "label", "parent", "depth", *_FRAME_FIELDS[2:]])
        for name in ("score", "raw", "coverage", "weight", "effective_weight", "contribution"):
            frame[name] = frame[name].astype("float64")
        frame["rank"] = frame["rank"].astype("Int64")
        return frame.set_index("code")

    def __str__(self) -> str:
        """The tree as text: each node's score, weight and share, contribution, coverage, rank and
        reason, with its evidence below it, in ``lang``."""
        return render_tree(self)


#: Fields that only serve display; ``to_dict`` leaves them out.
_DISPLAY = frozenset({"lang", "unit_label", "raw_label", "evidence", "organisation", "period", "children"})
_FRAME_FIELDS = (
    "code",
    "label",
    "is_indicator",
    "score",
    "raw",
    "raw_text",
    "unit",
    "coverage",
    "weight",
    "effective_weight",
    "contribution",
    "rank",
    "reason",
    "method",
    "imputed",
    "narrative",
)


def _plain(node: Explanation) -> dict[str, Any]:
    return {field.name: getattr(node, field.name) for field in attrs.fields(Explanation) if field.name not in _DISPLAY}


def _same(a: Any, b: Any) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and a != a and b != b)


def explain(results: Results, organisation: str, period: str | None = None, *, lang: str | None = None) -> Explanation:
    """The whole score tree of one organisation and period (``Results.explain``), in ``lang``
    (default: ``results.lang``, the language reports use too)."""
    from vises.i18n import check_lang

    lang = results.lang if lang is None else check_lang(lang)
    row = results.row(organisation, period)
    root = results.compiled.root
    # Top down: the share and the contribution each child gets from its parent.
    shares_of: dict[str, tuple[float, float | None]] = {}
    order: list[str] = []
    stack = [root]
    while stack:
        code = stack.pop()
        order.append(code)
        if code in results.compiled.node_index:
            shares = results.effective_weights(code)
            contributions = results.contributions(code) if results.additive(code) else None
            for child in results.compiled.node(code).children:
                shares_of[child] = (
                    float(shares[child][row]),
                    None if contributions is None else float(contributions[child][row]),
                )
                stack.append(child)
    stories: dict[str, list[tuple[str, str]]] = {}
    for story in results.narrative_codes:
        text = results.narrative(story, row)
        parent = results.grid.indicator(story).parent
        if text and parent is not None:
            stories.setdefault(parent, []).append((results.label(story, lang), text))
    # Bottom up: every child is built before its parent.
    built: dict[str, Explanation] = {}
    for code in reversed(order):
        children: tuple[Explanation, ...] = ()
        if code in results.compiled.node_index:
            children = tuple(built.pop(child) for child in results.compiled.node(code).children)
        built[code] = _explain(results, code, row, lang, shares_of.get(code), children)
        if code in stories:
            built[code] = attrs.evolve(built[code], evidence=tuple(stories[code]))
    return attrs.evolve(built[root], organisation=str(results.organisations[row]), period=str(results.periods[row]))


def _float_or_none(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _explain(
    results: Results,
    code: str,
    row: int,
    lang: str,
    parent_shares: tuple[float, float | None] | None,
    children: tuple[Explanation, ...],
) -> Explanation:
    is_node = code in results.compiled.node_index
    rank = results.ranks(code)[row]
    raw = None if is_node else _float_or_none(results.raw(code)[row])
    text = results.raw_text(code)
    value = None if text is None or text[row] is None else str(text[row])
    return Explanation(
        code=code,
        label=results.label(code, lang),
        is_indicator=not is_node,
        score=_float_or_none(results.score(code)[row]),
        raw=raw,
        raw_text=None if text is None else text[row],
        unit=results.unit(code),
        coverage=_float_or_none(results.coverage(code)[row]),
        weight=results.weight(code),
        effective_weight=None if parent_shares is None else _float_or_none(parent_shares[0]),
        contribution=None if parent_shares is None else parent_shares[1],
        rank=None if np.isnan(rank) else int(rank),
        reason=results.reasons(code)[row],
        method=results.method(code),
        narrative=results.narrative(code, row),
        children=children,
        imputed=bool(results.imputed(code)[row]),
        lang=lang,
        unit_label=_unit_label(results, code, lang),
        raw_label=None if value is None or not value.strip() else level_text(results, code, value, lang),
    )


def _unit_label(results: Results, code: str, lang: str) -> str | None:
    from vises.i18n import unit_label

    return unit_label(results.unit(code), lang, results.grid.unit_labels)


# -- the tree as text ------------------------------------------------------------------------------

_LOW_COVERAGE = re.compile(r"^coverage (\d+)% below the minimum (\d+)%$")


def reason_text(reason: str | None, lang: str) -> str | None:
    """Why a score is missing, in ``lang``; reasons given in the data stay as written."""
    if reason is None:
        return None
    from vises.i18n import catalogue, format_percent, translate

    key = "reason_" + reason.replace(" ", "_")
    if key in catalogue("en"):
        return translate(key, lang)
    found = _LOW_COVERAGE.match(reason)
    if found:
        coverage, minimum = (format_percent(int(x) / 100, lang) for x in found.groups())
        return translate("reason_low_coverage", lang, coverage=coverage, minimum=minimum)
    return reason


def _plain_number(x: float, lang: str) -> str:
    """A raw value or a weight as a reader writes it: at most two decimals, no trailing zeros."""
    from vises.i18n import format_number

    digits = next((d for d in (0, 1) if round(x, d) == round(x, 2)), 2)
    return format_number(x, lang, digits)


def level_text(results: Results, code: str, value: str | None, lang: str | None) -> str | None:
    """A qualitative raw value as a reader knows it: "Oui", or "3 – Souvent" (value and label)."""
    if value is None:
        return None
    from vises.i18n import translate
    from vises.model import Kind, label_in

    indicator = results.grid.indicator(code)
    level = next((lv for lv in indicator.levels if lv.value == value), None)
    if level is not None and level.label:
        label = label_in(level.label, lang, value)
        return label if indicator.kind is Kind.BINARY or label == value else f"{value} – {label}"
    if indicator.kind is Kind.BINARY and value in ("yes", "no"):
        return translate(f"value_{value}", lang)
    return value


def _raw_text(node: Explanation) -> str | None:
    if node.raw_label is not None:
        return node.raw_label
    if node.raw is None:
        return None
    number = _plain_number(node.raw, node.lang)
    return f"{number} {node.unit_label}" if node.unit_label else number


def _line(node: Explanation) -> str:
    """``Label (code): 62.4 — weight 1 (33 %), contribution 20.8, coverage 100 %, rank 3``."""
    from vises.i18n import colon, format_number, translate

    lang = node.lang

    def word(key: str) -> str:
        return translate(f"explain_{key}", lang)

    if node.score is None:
        head = word("missing")
        why = reason_text(node.reason, lang)
        head += f" ({why})" if why else ""
    else:
        head = format_number(node.score, lang, 1)
        if node.imputed:
            head += f" ({word('imputed')})"
    facts = []
    raw = _raw_text(node) if node.is_indicator else None
    if raw is not None:
        facts.append(f"{word('raw')} {raw}")
    if node.effective_weight is not None:
        share = format_number(node.effective_weight, lang, 0, percent=True)
        facts.append(f"{word('weight')} {_plain_number(node.weight, lang)} ({share})")
    if node.contribution is not None and node.score is not None:
        facts.append(f"{word('contribution')} {format_number(node.contribution, lang, 1)}")
    if not node.is_indicator and node.coverage is not None:
        facts.append(f"{word('coverage')} {format_number(node.coverage, lang, 0, percent=True)}")
    if node.rank is not None:
        facts.append(f"{word('rank')} {node.rank}")
    text = f"{node.label} ({node.code}){colon(lang)}{head}"
    return text + (f" — {', '.join(facts)}" if facts else "")


def render_tree(root: Explanation) -> str:
    """``root`` and every node below it, one line each, drawn as a tree (no recursion)."""
    from vises.i18n import colon, translate

    lines = []
    if root.organisation is not None:
        lines.append(translate("explain_title", root.lang, organisation=root.organisation, period=root.period or ""))
    stack: list[tuple[Explanation, str, str]] = [(root, "", "")]
    while stack:
        node, lead, below = stack.pop()
        lines.append(lead + _line(node))
        texts = [("", text) for text in (node.narrative or "").split("\n") if text]
        texts += [(f"{label}{colon(node.lang)}", line) for label, told in node.evidence for line in told.split("\n")]
        if texts:
            bar = below + ("│   " if node.children else "    ")
            opening, closing = ("« ", " »") if node.lang == "fr" else ("“", "”")
            lines.extend(f"{bar}{about}{opening}{text}{closing}" for about, text in texts)
        last = len(node.children) - 1
        for position, child in reversed(list(enumerate(node.children))):
            tip = "└── " if position == last else "├── "
            stack.append((child, below + tip, below + ("    " if position == last else "│   ")))
    return "\n".join(lines)
