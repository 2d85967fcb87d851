"""The two things a report shows, computed once from the results and shared by every format.

The **organisation profile** follows one organisation and period through the grid: each
dimension first (VISES refuses to reduce impact to one number, so the total comes last), the
indicators under it with their raw value, score, coverage and evidence, the evaluative framing
(question, stakeholders, methods) and the change since the organisation's previous period.

The **network overview** is for a federation: every organisation's score per top-level
dimension, ranks, distributions per node and period, peer-group means and each organisation's
change between consecutive periods.

Views hold plain numbers (``NaN`` for missing) and resolved labels; formatting them for a
language is left to each format.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.errors import ConfigError
from vises.i18n import check_lang, colon, stakeholder_label, translate
from vises.numeric import percentiles, sorted_distinct
from vises.report.narratives import NarrativeTable, network_texts
from vises.report.peers import (
    DEFAULT_ATTRIBUTES,
    PeerGroup,
    attribute_title,
    attribute_values,
    peer_attributes,
    peer_groups,
)
from vises.report.requirement_rows import RequirementRow, RequirementSummary, network_requirements, profile_requirements
from vises.report.totals import Total, network_totals

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.explain import Explanation
    from vises.engine.results import Results
    from vises.model import Evaluation

VIEWS = ("profile", "network")
#: Row attributes that form peer groups by default, in the order they are shown (``report.peers``).
PEER_ATTRIBUTES = DEFAULT_ATTRIBUTES


_PLAIN = object()


@attrs.frozen(kw_only=True)
class Options:
    """Report options of the built-in formats (``ReportRequest.options``); each format takes some."""

    #: Show ranks; a federation may publish scores without a league table.
    ranks: bool = True
    #: Write each code's coverage beside its score (Parquet): off for a data tool that wants scores only.
    coverage: bool = True
    #: Decimals of scores and raw values in human-readable formats.
    digits: int = 1
    #: Draw charts in the HTML report (turn off for a quick, text-only file).
    charts: bool = True
    #: Start the CSV with ``#`` provenance lines (off by default: ``vises score -o`` writes a sidecar).
    provenance: bool = False
    #: Indent JSON by this many spaces; 0 writes it compact, one record per line.
    indent: int = 0
    #: Fit the terminal table to this many characters (``vises score`` passes the terminal's); 0: no limit.
    width: int = 0
    #: For circulation: organisations by pseudonym only, small and dominated aggregates suppressed,
    #: no narrative texts (``report.disclosure``).
    public: bool = False
    #: Fewest organisations behind a published aggregate when ``public`` (k).
    min_group: int = 3
    #: Largest share (0–1) of a published total one organisation may hold when ``public``.
    dominance: float = 0.5
    #: Organisation code -> pseudonym, for the public view.
    pseudonyms: Mapping[str, str] | None = None
    #: The attributes to form peer groups by (default: family, region, size and the grid's own).
    peer_groups: tuple[str, ...] | None = None
    #: The xlsx workbook for the federation's staff: names, portraits, requirements, pseudonyms.
    staff: bool = False


#: The options of what is shown to whom, which every built-in format takes (``report.disclosure``).
DISCLOSURE_OPTIONS = ("public", "min_group", "dominance", "pseudonyms", "peer_groups")

#: The options each built-in format understands; any other is refused, never ignored.
FORMAT_OPTIONS: dict[str, tuple[str, ...]] = {
    "table": ("ranks", "digits", "width", *DISCLOSURE_OPTIONS),
    "markdown": ("ranks", "digits", *DISCLOSURE_OPTIONS),
    "csv": ("provenance", *DISCLOSURE_OPTIONS),
    "json": ("ranks", "indent", *DISCLOSURE_OPTIONS),
    "html": ("ranks", "digits", "charts", *DISCLOSURE_OPTIONS),
    "xlsx": ("ranks", "digits", "staff", *DISCLOSURE_OPTIONS),
    "parquet": ("ranks", "coverage", *DISCLOSURE_OPTIONS),
}


#: Allowed values of the whole-number options (0 always allowed: "none" or "no limit").
_INT_RANGES = {"digits": (0, 10), "indent": (0, 10), "width": (20, 10_000), "min_group": (1, 1_000)}


def _special_option(name: str, value: Any) -> Any:
    """The options that are not plain booleans or whole numbers, checked; ``None`` when ``name`` is plain."""
    if name == "dominance":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < float(value) <= 1:
            raise ConfigError(f"report option 'dominance' must be a share above 0 and at most 1, not {value!r}")
        return float(value)
    if name == "pseudonyms":
        if value is None:
            return None
        if not isinstance(value, Mapping) or not all(
            isinstance(key, str) and isinstance(item, str) and item.strip() for key, item in value.items()
        ):
            raise ConfigError("report option 'pseudonyms' must map organisation codes to pseudonyms (text)")
        return dict(value)
    if name == "peer_groups":
        if value is None:
            return None
        if isinstance(value, str) or not all(isinstance(item, str) and item.strip() for item in value):
            raise ConfigError(f"report option 'peer_groups' must be a list of attribute names, not {value!r}")
        return tuple(value)
    return _PLAIN


def parse_options(options: Mapping[str, Any] | None, format: str | None = None) -> Options:
    """Read ``options``, refusing unknown keys and wrong types rather than ignoring them.

    With ``format``, only that format's options (``FORMAT_OPTIONS``) are accepted.
    """
    given = dict(options or {})
    known = FORMAT_OPTIONS.get(format or "", tuple(field.name for field in attrs.fields(Options)))
    unknown = sorted(set(given) - set(known))
    if unknown:
        who = f"the {format} format understands" if format else "the built-in formats understand"
        raise ConfigError(
            f"unknown report option(s): {', '.join(unknown)}",
            hint=f"{who}: {', '.join(known) or 'no option'}",
        )
    values: dict[str, Any] = {}
    for name, value in given.items():
        special = _special_option(name, value)
        if special is not _PLAIN:
            values[name] = special
            continue
        expected = type(getattr(Options(), name))
        if expected is bool and not isinstance(value, bool):
            raise ConfigError(f"report option {name!r} must be true or false, not {value!r}")
        if expected is int:
            low, high = _INT_RANGES.get(name, (0, 10))
            if isinstance(value, bool) or not isinstance(value, int) or not (low <= value <= high or value == 0):
                raise ConfigError(
                    f"report option {name!r} must be a whole number from {low} to {high}"
                    + (" (or 0)" if low else "")
                    + f", not {value!r}"
                )
        values[name] = value
    return Options(**values)


@attrs.frozen(kw_only=True)
class Request:
    """A ``ReportRequest`` checked against the results: the language resolved, options parsed."""

    lang: str
    view: str
    organisation: str | None
    period: str | None
    options: Options


def resolve(results: Results, request: ReportRequest, format: str) -> Request:
    """Check ``request`` for the built-in ``format``: view, language, options, period."""
    view = check_view(request.view)
    options = parse_options(request.options, format)
    lang = report_lang(results, request.language)
    period = None if request.period is None else str(request.period)
    if period is not None and period not in results.period_values:
        raise ConfigError(f"unknown period {period!r}", hint=f"the data's periods: {', '.join(results.period_values)}")
    organisation = None if request.organisation is None else str(request.organisation)
    if options.pseudonyms and not (options.public or options.staff):
        raise ConfigError(
            "report option 'pseudonyms' is used by the public view and the staff workbook",
            hint="add public=true (the view to circulate) or, for xlsx, staff=true",
        )
    if options.public and options.staff:
        raise ConfigError(
            "report options 'public' and 'staff' exclude each other: the staff workbook names every organisation",
            hint="render the public view and the staff workbook separately",
        )
    return Request(lang=lang, view=view, organisation=organisation, period=period, options=options)


def profile_row(results: Results, request: Request) -> int:
    """The one row a profile shows: the organisation's period, else its latest period."""
    organisation = request.organisation
    if organisation is None:
        known = sorted(set(results.organisations.tolist()))
        if len(known) != 1:
            raise ConfigError(
                "the profile view needs an organisation",
                hint=f"choose one with organisation= (one of: {', '.join(known[:10])}"
                f"{', ...' if len(known) > 10 else ''})",
            )
        organisation = known[0]
    return results.row(organisation, request.period)


def period_ranks(results: Results) -> np.ndarray:
    """Each row's period as its position in ``results.period_values`` (their natural order)."""
    return np.asarray(results.period_codes, dtype=np.int64)


def check_view(view: str) -> str:
    if view not in VIEWS:
        raise ConfigError(f"unknown report view {view!r}", hint="use view 'profile' or 'network'")
    return view


def report_lang(results: Results, lang: str | None) -> str:
    """The language of the report: ``lang``, else ``results.lang`` (the grid's first language vises
    writes, else English: the default of explanations too)."""
    return check_lang(lang) if lang is not None else results.lang


def root_code(results: Results) -> str:
    return results.codes[-1]


def dimension_codes(results: Results) -> tuple[str, ...]:
    """The top-level dimensions (children of the root), in grid order."""
    return results.children(root_code(results))


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return None
    return str(value)


def _known(key: str) -> bool:
    from vises.i18n import catalogue

    return key in catalogue("en")


def attribute_label(name: str, value: str, lang: str) -> str:
    """A descriptor's value for display; enterprise families and the usual sizes are translated."""
    if name == "family" and value in ("work_integration", "collective_services", "other"):
        return translate(f"family_{value}", lang)
    if name == "size" and _known(f"size_{value}"):
        return translate(f"size_{value}", lang)
    return value


def method_label(method: str, lang: str) -> str:
    """A data-collection method in the report language (``vises.i18n.method_label``)."""
    from vises.i18n import method_label as words

    return words(method, lang)


def reason_text(reason: str | None, lang: str) -> str | None:
    """Why a score is missing, in the report language (``vises.engine.explain.reason_text``)."""
    from vises.engine.explain import reason_text as words

    return words(reason, lang)


def pooling_text(pooling: str, lang: str) -> str:
    """The normalisation pooling of the provenance in words, with its code (``pooled``)."""
    key = f"pooling_{pooling}"
    return f"{translate(key, lang)} ({pooling})" if _known(key) else pooling


def unit_text(unit: str | None, lang: str, labels: Mapping[str, Mapping[str, str]] | None = None) -> str | None:
    """A unit for display (``vises.i18n.unit_label``): the grid's ``unit_labels``, vises's words
    (``percent`` → ``%``), the rest as written."""
    from vises.i18n import unit_label

    return unit_label(unit, lang, labels)


def organisation_name(results: Results, organisation: str, row: int | None = None) -> str | None:
    profile = results.dataset.organisation_profiles.get(organisation)
    if profile is not None and profile.name:
        return profile.name
    names = results.dataset.attributes.get("name")
    if names is not None:
        if row is None:
            row = int(np.flatnonzero(results.organisations == organisation)[0])
        return _text(names[row])
    return None


# -- the organisation profile ------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ProfileRow:
    """One node or indicator of the profile, with its evidence and its change."""

    code: str
    label: str
    depth: int
    is_indicator: bool
    score: float
    raw: float
    raw_text: str | None
    unit: str | None
    #: The unit in the report language (``percent`` → ``%``), for display.
    unit_label: str | None
    coverage: float
    rank: float
    #: Why the score is missing, in the report language.
    reason: str | None
    evidence: tuple[str, ...]
    previous: float
    change: float
    #: How many rows of the period have a rank for the code (the N of "rank 5 / N").
    rank_count: float = float("nan")
    #: What backs the value (an indicator's evidence; ``None`` for a node or a value with none).
    support: Support | None = None


@attrs.frozen(kw_only=True)
class Support:
    """An indicator value's evidence in the profile: its n, source, interval, and a rate's two parts.

    ``overlaps`` is true when the previous period's interval and this one's overlap: the change may
    be sampling noise, and the report marks it instead of showing it as plain progress.
    """

    n: float
    source: str | None
    verified: bool | None
    low: float
    high: float
    small: bool
    numerator: float
    denominator: float
    overlaps: bool

    @property
    def shown(self) -> bool:
        """Whether there is anything to show (a number of answers, a source, an interval, a rate's parts)."""
        return (
            not np.isnan(self.n)
            or self.source is not None
            or self.verified is not None
            or not np.isnan(self.low)
            or not np.isnan(self.denominator)
        )


def _support(results: Results, code: str, row: int, before: int | None) -> Support | None:
    """The evidence of one indicator value, or ``None`` when the results carry none for it."""
    from vises.engine.evidence import has_evidence

    if not has_evidence(results):
        return None
    column = results.evidence(code)
    parts = results.rate_parts(code)
    if not column.given and parts is None and column.interval is None:
        return None

    def at(values: np.ndarray | None, position: int) -> Any:
        return None if values is None else values[position]

    low, high = float(column.low[row]), float(column.high[row])
    overlaps = False
    if before is not None:
        low_before, high_before = float(column.low[before]), float(column.high[before])
        known = not any(np.isnan(x) for x in (low, high, low_before, high_before))
        overlaps = known and low <= high_before and low_before <= high
    n = at(column.n, row)
    source = at(column.source, row)
    verified = at(column.verified, row)
    return Support(
        n=float("nan") if n is None else float(n),
        source=None if source in (None, "") else str(source),
        verified=None if verified is None else bool(verified),
        low=low,
        high=high,
        small=bool(column.small[row]),
        numerator=float("nan") if parts is None else float(parts[0][row]),
        denominator=float("nan") if parts is None else float(parts[1][row]),
        overlaps=overlaps,
    )


@attrs.frozen(kw_only=True)
class KeyFigure:
    """A context indicator's value in a profile: reported as given (with the previous period's),
    never scored, ranked or compared with the network."""

    code: str
    label: str
    value: float
    #: A qualitative value as a reader knows it (a level's label); ``None`` for numbers.
    text: str | None
    unit_label: str | None
    previous: float
    change: float

    @property
    def whole(self) -> bool:
        """Whether the value and the previous one are whole numbers (counts are shown without decimals)."""
        return all(math.isnan(x) or x == round(x) for x in (self.value, self.previous))


def key_figures(results: Results, row: int, before: int | None, lang: str) -> tuple[KeyFigure, ...]:
    """Every context indicator of the grid for one row, in grid order."""
    out = []
    for code in results.context_codes:
        raw = results.raw(code)
        texts = results.raw_text(code)
        numeric = raw.dtype.kind == "f"
        value = float(raw[row]) if numeric else float("nan")
        previous = float(raw[before]) if numeric and before is not None else float("nan")
        text = None
        if texts is not None:
            text = _level_text(results, code, _text(texts[row]), lang)
        elif not numeric:
            text = _text(raw[row])
        out.append(
            KeyFigure(
                code=code,
                label=results.label(code, lang),
                value=value,
                text=text,
                unit_label=unit_text(results.unit(code), lang, results.grid.unit_labels),
                previous=previous,
                change=value - previous,
            )
        )
    return tuple(out)


@attrs.frozen(kw_only=True)
class DimensionBlock:
    """A top-level dimension and every node and indicator below it, depth first."""

    dimension: ProfileRow
    rows: tuple[ProfileRow, ...]


@attrs.frozen(kw_only=True)
class ProfileView:
    lang: str
    organisation: str
    name: str | None
    period: str
    previous_period: str | None
    portrait: tuple[tuple[str, str], ...]
    evaluation: Evaluation | None
    #: The evaluation's data-collection methods in the report language.
    methods: tuple[str, ...]
    #: The evaluation's stakeholder groups in words (the grid's labels, else vises's, else the code).
    stakeholders: tuple[str, ...]
    general_evidence: tuple[str, ...]
    dimensions: tuple[ProfileRow, ...]
    #: The network median of each dimension in the same period, for comparison.
    network_medians: tuple[float, ...]
    blocks: tuple[DimensionBlock, ...]
    total: ProfileRow
    explanation: Explanation
    show_ranks: bool
    #: The grid's confidence level for the intervals shown (``EvidencePolicy.confidence``).
    confidence: float = 0.95
    #: Every requirement of the grid with its answer for this row, and the labels of those unmet.
    requirements: tuple[RequirementRow, ...] = ()
    unmet: tuple[str, ...] = ()
    #: What each attribute of ``portrait`` is called in the report language.
    portrait_titles: Mapping[str, str] = attrs.field(factory=dict)
    #: The grid's context indicators (reported, never scored) for this row.
    key_figures: tuple[KeyFigure, ...] = ()


def _narrative_children(results: Results) -> dict[str, list[str]]:
    """Narrative indicators (never scored) grouped under the node they document."""
    by_parent: dict[str, list[str]] = {}
    for code in results.narrative_codes:
        parent = results.grid.indicator(code).parent
        if parent is not None:
            by_parent.setdefault(parent, []).append(code)
    return by_parent


class _Evidence:
    """The texts of one profile row, handed out to the node each documents; the rest kept for the
    evaluation as a whole, so no text of the row is left out."""

    def __init__(self, results: Results, row: int, lang: str) -> None:
        from vises.report.narratives import row_texts

        self.results, self.lang = results, lang
        self.texts = row_texts(results, row)
        self.children = _narrative_children(results)
        self.used: set[str] = set()

    def of(self, code: str) -> tuple[str, ...]:
        """The node's own texts (comment, evaluation), then its narrative indicators' as ``label: text``."""
        parts = []
        if code in self.texts:
            parts.append(self.texts[code])
            self.used.add(code)
        for child in self.children.get(code, ()):
            if child in self.texts:
                parts.append(f"{self.results.label(child, self.lang)}{colon(self.lang)}{self.texts[child]}")
                self.used.add(child)
        return tuple(parts)

    def rest(self) -> tuple[str, ...]:
        """Texts about the whole evaluation (``*``), then every text no node took, named by what it is about."""
        from vises.report.narratives import WHOLE, about

        parts = [self.texts[WHOLE]] if WHOLE in self.texts else []
        for code, text in self.texts.items():
            if code != WHOLE and code not in self.used:
                parts.append(f"{about(self.results, code, self.lang)}{colon(self.lang)}{text}")
        return tuple(parts)


def _previous_row(results: Results, organisation: str, period: str) -> int | None:
    """The organisation's own latest row before ``period`` (not the network's previous period)."""
    position = results.period_values.index(period)
    ranks = period_ranks(results)
    rows = np.flatnonzero((results.organisations == organisation) & (ranks < position))
    if len(rows) == 0:
        return None
    return int(rows[np.argmax(ranks[rows])])


def _level_text(results: Results, code: str, value: str | None, lang: str | None) -> str | None:
    """A qualitative raw value as a reader knows it (``vises.engine.explain.level_text``)."""
    from vises.engine.explain import level_text

    return level_text(results, code, value, lang)


def profile_view(
    results: Results,
    *,
    organisation: str | None = None,
    period: str | None = None,
    lang: str | None = None,
    options: Options | None = None,
) -> ProfileView:
    """The profile of one organisation and period (its latest period when ``period`` is omitted)."""
    options = options or Options()
    lang = report_lang(results, lang)
    if organisation is None:
        known = sorted(set(results.organisations))
        if len(known) != 1:
            raise ConfigError(
                "the profile view needs an organisation",
                hint=f"pass organisation= (one of: {', '.join(known[:10])}{', ...' if len(known) > 10 else ''})",
            )
        organisation = known[0]
    organisation = str(organisation)
    row = results.row(organisation, period)
    period = str(results.periods[row])
    before = _previous_row(results, organisation, period)
    evidence = _Evidence(results, row, lang)

    def make(code: str) -> ProfileRow:
        score = float(results.score(code)[row])
        previous = float("nan") if before is None else float(results.score(code)[before])
        indicator = results.is_indicator(code)
        text = results.raw_text(code) if indicator else None
        return ProfileRow(
            code=code,
            label=results.label(code, lang),
            depth=results.depth(code),
            is_indicator=indicator,
            score=score,
            raw=float(results.raw(code)[row]) if indicator else float("nan"),
            raw_text=None if text is None else _level_text(results, code, _text(text[row]), lang),
            unit=results.unit(code),
            unit_label=unit_text(results.unit(code), lang, results.grid.unit_labels),
            coverage=float(results.coverage(code)[row]),
            rank=float(results.ranks(code)[row]) if options.ranks else float("nan"),
            rank_count=float(rank_counts(results, code)[row]) if options.ranks else float("nan"),
            reason=reason_text(results.reasons(code)[row], lang),
            evidence=evidence.of(code),
            previous=previous,
            change=score - previous,
            support=_support(results, code, row, before) if indicator else None,
        )

    def subtree(code: str) -> list[str]:
        out = [code]
        for child in results.children(code):
            out.extend(subtree(child))
        return out

    same_period = results.periods == period
    dimensions = dimension_codes(results)
    blocks = tuple(
        DimensionBlock(dimension=make(code), rows=tuple(make(child) for child in subtree(code)[1:]))
        for code in dimensions
    )
    portrait = []
    titles: dict[str, str] = {}
    for name in peer_attributes(results, options.peer_groups):
        column = attribute_values(results, name)
        if column is not None and column[row] is not None:
            portrait.append((name, attribute_label(name, column[row], lang)))
            titles[name] = attribute_title(results, name, lang)
    evaluation = results.evaluation(organisation, period)
    total = make(root_code(results))
    # A centre's own profile names it; what it says of the others (the medians) keeps to k organisations.
    k = max(options.min_group, 1) if options.public else 1
    requirements, unmet = profile_requirements(results, row, lang)
    return ProfileView(
        lang=lang,
        organisation=organisation,
        name=organisation_name(results, organisation, row),
        period=period,
        previous_period=None if before is None else str(results.periods[before]),
        portrait=tuple(portrait),
        evaluation=evaluation,
        methods=() if evaluation is None else tuple(method_label(m, lang) for m in evaluation.methods),
        stakeholders=()
        if evaluation is None
        else tuple(stakeholder_label(code, lang, results.grid.stakeholder_labels) for code in evaluation.stakeholders),
        general_evidence=(*evidence.rest(), *total.evidence),
        dimensions=tuple(block.dimension for block in blocks),
        network_medians=tuple(_median(results.score(code)[same_period], k) for code in dimensions),
        blocks=blocks,
        total=total,
        explanation=results.explain(organisation, period, lang=lang),
        show_ranks=options.ranks,
        confidence=results.grid.evidence.confidence,
        requirements=requirements,
        unmet=unmet,
        portrait_titles=titles,
        key_figures=key_figures(results, row, before, lang),
    )


def _median(values: np.ndarray, k: int = 1) -> float:
    """The median of the present values; NaN when fewer than ``k`` (the public view's smallest group)."""
    present = values[~np.isnan(values)]
    return float(np.median(present)) if len(present) and len(present) >= k else float("nan")


def rank_counts(results: Results, code: str) -> np.ndarray:
    """Per row, how many rows of its period have a score of ``code``: the N of "rank 5 / N"."""
    present = ~np.isnan(results.score(code))
    codes = results.period_codes
    per_period = np.bincount(codes[present], minlength=len(results.period_values))
    counts: np.ndarray = per_period[codes].astype(np.float64)
    return counts


# -- the network overview ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NetworkRow:
    organisation: str
    name: str | None
    period: str
    #: Scores of ``NetworkView.codes`` (dimensions, then the total).
    scores: tuple[float, ...]
    ranks: tuple[float, ...]


@attrs.frozen(kw_only=True, eq=False)
class ScoreTable:
    """Rows of the network as columns: what the formats write, one whole column at a time."""

    organisations: np.ndarray
    #: Display name per row (``None`` where the organisation has none).
    names: np.ndarray
    periods: np.ndarray
    #: (rows, len(codes)) scores and ranks (ranks ``None`` when ranks are off).
    scores: np.ndarray
    ranks: np.ndarray | None
    #: (rows, len(codes)) how many rows of the period are ranked: the N of "rank 5 / N".
    rank_counts: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.organisations)

    def who(self) -> list[str]:
        """``Name (code)``, or the code alone, per row."""
        return self.who_of(self.names, self.organisations)

    @staticmethod
    def who_of(names: np.ndarray, organisations: np.ndarray) -> list[str]:
        """``Name (code)``, or the code alone, for aligned columns of names and codes."""
        return [
            f"{name} ({code})" if name else str(code)
            for name, code in zip(names.tolist(), organisations.tolist(), strict=True)
        ]


@attrs.frozen(kw_only=True)
class Distribution:
    code: str
    label: str
    period: str
    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
    mean: float
    #: Left out of the public view: fewer organisations than its smallest group (the numbers are NaN).
    suppressed: bool = False


@attrs.frozen(kw_only=True)
class Change:
    organisation: str
    from_period: str
    to_period: str
    #: Change of each of ``NetworkView.codes``.
    changes: tuple[float, ...]
    name: str | None = None


@attrs.frozen(kw_only=True, eq=False)
class ChangeTable:
    """Each organisation's change between consecutive periods of its own, as columns."""

    organisations: np.ndarray
    names: np.ndarray
    from_periods: np.ndarray
    to_periods: np.ndarray
    #: (rows, len(codes)) changes.
    changes: np.ndarray

    def __len__(self) -> int:
        return len(self.organisations)


@attrs.frozen(kw_only=True, eq=False)
class NetworkView:
    lang: str
    periods: tuple[str, ...]
    #: The top-level dimensions, then the root (the total always comes after its dimensions).
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    #: Every row shown, latest period first, organisations in code order within a period.
    table: ScoreTable
    distributions: tuple[Distribution, ...]
    peer_groups: tuple[PeerGroup, ...]
    change_table: ChangeTable
    show_ranks: bool
    #: How many distinct organisations the rows hold.
    organisation_count: int
    #: Every narrative text of the rows shown (same order as ``table``); none in the public view.
    narratives: NarrativeTable
    #: What the network achieves together: totals of the count indicators per period.
    totals: tuple[Total, ...] = ()
    #: Per requirement and period: how many organisations gave each answer.
    requirements: tuple[RequirementSummary, ...] = ()
    #: The public view: organisations by pseudonym, aggregates of fewer than ``min_group`` suppressed.
    public: bool = False
    min_group: int = 1

    @property
    def rows(self) -> tuple[NetworkRow, ...]:
        """The table as one record per row (convenient for a few rows; formats use ``table``)."""
        t = self.table
        return tuple(
            NetworkRow(
                organisation=str(t.organisations[i]),
                name=t.names[i],
                period=str(t.periods[i]),
                scores=tuple(t.scores[i].tolist()),
                ranks=() if t.ranks is None else tuple(t.ranks[i].tolist()),
            )
            for i in range(len(t))
        )

    @property
    def changes(self) -> tuple[Change, ...]:
        """The change table as one record per row."""
        t = self.change_table
        return tuple(
            Change(
                organisation=str(t.organisations[i]),
                from_period=str(t.from_periods[i]),
                to_period=str(t.to_periods[i]),
                changes=tuple(t.changes[i].tolist()),
                name=t.names[i],
            )
            for i in range(len(t))
        )


def _aggregates_in_tree_order(results: Results, code: str) -> list[str]:
    out = [code]
    for child in results.children(code):
        if not results.is_indicator(child):
            out.extend(_aggregates_in_tree_order(results, child))
    return out


def _describe(values: np.ndarray) -> tuple[int, float, float, float, float, float, float]:
    present = values[~np.isnan(values)]
    if len(present) == 0:
        nan = float("nan")
        return 0, nan, nan, nan, nan, nan, nan
    q1, median, q3 = percentiles(present, [25, 50, 75])
    return (
        len(present),
        float(present.min()),
        float(q1),
        float(median),
        float(q3),
        float(present.max()),
        float(present.mean()),
    )


def names_column(results: Results) -> np.ndarray:
    """Each row's display name: the organisation's portrait, else the row's ``name`` column."""
    n = len(results)
    column = results.dataset.attributes.get("name")
    names = np.full(n, None, dtype=object)
    if column is not None:
        names[:] = [_text(value) for value in column]
    profiles = results.dataset.organisation_profiles
    if profiles:
        distinct, inverse = np.unique(results.organisations, return_inverse=True)
        portrait = np.array(
            [getattr(profiles.get(str(code)), "name", None) or None for code in distinct.tolist()], dtype=object
        )[inverse.reshape(-1)]
        names = np.where(portrait != None, portrait, names)  # noqa: E711 - element-wise on an object array
    return names


def _changes(
    results: Results,
    matrix: np.ndarray,
    ranks: np.ndarray,
    names: np.ndarray,
    period: str | None,
    shown: np.ndarray | None = None,
) -> ChangeTable:
    """Consecutive periods of each organisation, paired by one sort (no loop over organisations).

    ``shown`` is what names each row in the table (the code, or a pseudonym in the public view).
    """
    shown = results.organisations if shown is None else shown
    order = np.lexsort((ranks, shown))
    orgs = shown[order]
    same = orgs[1:] == orgs[:-1]
    later, earlier = order[1:][same], order[:-1][same]
    if period is not None:
        keep = results.periods[later] == period
        later, earlier = later[keep], earlier[keep]
    # Latest period first, organisations in code order within a period (a stable sort keeps it).
    latest_first = np.argsort(-ranks[later], kind="stable")
    later, earlier = later[latest_first], earlier[latest_first]
    return ChangeTable(
        organisations=shown[later],
        names=names[later],
        from_periods=results.periods[earlier],
        to_periods=results.periods[later],
        changes=matrix[later] - matrix[earlier],
    )


def network_view(
    results: Results, *, lang: str | None = None, options: Options | None = None, period: str | None = None
) -> NetworkView:
    """Every organisation's dimension scores, their distributions, peer groups and changes.

    With ``period``, only that period's rows, distributions and peer groups, and the changes that
    lead to it. Everything per row is kept as numpy columns, so a network of 10,000 organisations
    costs a few array operations, not 10,000 Python objects.
    """
    options = options or Options()
    lang = report_lang(results, lang)
    if period is not None and str(period) not in results.period_values:
        raise ConfigError(f"unknown period {period!r}", hint=f"the data's periods: {', '.join(results.period_values)}")
    period = None if period is None else str(period)
    periods = results.period_values if period is None else (period,)
    from vises.report.disclosure import disclosure_of

    disclosure = disclosure_of(options)
    k = disclosure.k
    codes = (*dimension_codes(results), root_code(results))
    matrix = np.column_stack([results.score(code) for code in codes])
    rank_matrix = np.column_stack([results.ranks(code) for code in codes]) if options.ranks else None
    count_matrix = np.column_stack([rank_counts(results, code) for code in codes]) if options.ranks else None
    names = names_column(results)
    shown = results.organisations
    if disclosure.public:
        # By pseudonym only, and in pseudonym order: an order by code would give the codes away.
        shown = disclosure.pseudonym_column(results.organisations)
        names = np.full(len(results), None, dtype=object)
    ranks_of_period = period_ranks(results)
    # Latest period first (what a reader looks for), organisations in code order within it.
    order = np.lexsort((shown, -ranks_of_period))
    if period is not None:
        order = order[results.periods[order] == period]
    table = ScoreTable(
        organisations=shown[order],
        names=names[order],
        periods=results.periods[order],
        scores=matrix[order],
        ranks=None if rank_matrix is None else rank_matrix[order],
        rank_counts=None if count_matrix is None else count_matrix[order],
    )

    aggregates = [*_aggregates_in_tree_order(results, root_code(results))[1:], root_code(results)]
    distributions = []
    # Distributions, peer groups and changes also list the latest period first.
    for one in periods[::-1]:
        in_period = results.periods == one
        for code in aggregates:
            count, low, q1, median, q3, high, mean = _describe(results.score(code)[in_period])
            hidden = 0 < count < k
            if hidden:
                low = q1 = median = q3 = high = mean = float("nan")
            distributions.append(
                Distribution(
                    code=code,
                    label=results.label(code, lang),
                    period=one,
                    count=count,
                    minimum=low,
                    q1=q1,
                    median=median,
                    q3=q3,
                    maximum=high,
                    mean=mean,
                    suppressed=hidden,
                )
            )

    groups = peer_groups(results, matrix, periods, lang, requested=options.peer_groups, k=k)
    texts = network_texts(results, order, names[order], lang)
    if disclosure.public:
        texts = network_texts(results, order[:0], names[:0], lang)  # free text may name anyone

    return NetworkView(
        lang=lang,
        periods=tuple(periods),
        codes=codes,
        labels=tuple(results.label(code, lang) for code in codes),
        table=table,
        distributions=tuple(distributions),
        peer_groups=groups,
        change_table=_changes(results, matrix, ranks_of_period, names, period, shown),
        show_ranks=options.ranks,
        organisation_count=len(sorted_distinct(table.organisations)),
        narratives=texts,
        totals=network_totals(results, periods, lang, disclosure),
        requirements=network_requirements(results, periods, lang, k=k),
        public=disclosure.public,
        min_group=k,
    )


# -- provenance --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Provenance:
    """Where a report comes from, ready to print: every format carries it."""

    vises_version: str
    grid: str
    grid_version: str
    plugins: tuple[tuple[str, str], ...]
    methods: tuple[tuple[str, str], ...]
    created: str
    pooling: str


def contributors(results: Results) -> set[str]:
    """The plugins this grid's scores owe something to: the grid's own, every method's, and each
    plugin that defines a unit the grid's indicators use (vises itself is left out: its version is
    given apart)."""
    from vises.i18n import unit_parts
    from vises.units import unit_owner

    data = results.provenance
    used = {data.get("grid_plugin"), *(data.get("method_plugins") or {}).values()}
    for unit in {indicator.unit for indicator in results.grid.indicators if indicator.unit}:
        used |= {unit_owner(part) for part in unit_parts(unit)}
    return {str(name) for name in used if name and name != "vises"}


def provenance_record(results: Results) -> dict[str, Any]:
    """``results.provenance`` as outputs write it: ``plugins`` narrowed to those that contributed
    (``contributors``), every plugin that was loaded kept under ``installed_plugins``."""
    data = dict(results.provenance)
    installed = dict(data.get("plugins") or {})
    used = contributors(results)
    data["plugins"] = {name: version for name, version in installed.items() if name in used}
    data["installed_plugins"] = installed
    return data


def provenance(results: Results) -> Provenance:
    data = provenance_record(results)
    plugins = data.get("plugins") or {}
    methods = data.get("methods") or {}
    return Provenance(
        vises_version=str(data.get("vises_version", "")),
        grid=str(data.get("grid", results.grid.code)),
        grid_version=str(data.get("grid_version", results.grid.version)),
        plugins=tuple((str(name), str(version)) for name, version in sorted(plugins.items())),
        methods=tuple((str(code), str(method)) for code, method in methods.items()),
        created=str(data.get("created", "")),
        pooling=str(data.get("pooling", "")),
    )
