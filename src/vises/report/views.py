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

import itertools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.errors import ConfigError
from vises.i18n import check_lang, translate

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.explain import Explanation
    from vises.engine.results import Results
    from vises.model import Evaluation

VIEWS = ("profile", "network")
#: Row attributes that form peer groups, in the order they are shown.
PEER_ATTRIBUTES = ("family", "region", "size")


@attrs.frozen(kw_only=True)
class Options:
    """Report options shared by the built-in formats (``options=`` of ``render``)."""

    #: Show ranks; a federation may publish scores without a league table.
    ranks: bool = True
    #: Decimals of scores and raw values in human-readable formats.
    digits: int = 1
    #: Draw charts in the HTML report (turn off for a quick, text-only file).
    charts: bool = True
    #: Start the CSV with ``#`` provenance lines; turn off for a bare table.
    provenance: bool = True


def parse_options(options: Mapping[str, Any] | None) -> Options:
    """Read ``options``, refusing unknown keys and wrong types rather than ignoring them."""
    given = dict(options or {})
    known = {field.name: field for field in attrs.fields(Options)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown report option(s): {', '.join(unknown)}",
            hint=f"the built-in formats understand: {', '.join(known)}",
        )
    values: dict[str, Any] = {}
    for name, value in given.items():
        expected = type(getattr(Options(), name))
        if expected is bool and not isinstance(value, bool):
            raise ConfigError(f"report option {name!r} must be true or false, not {value!r}")
        if expected is int and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10):
            raise ConfigError(f"report option {name!r} must be a whole number from 0 to 10, not {value!r}")
        values[name] = value
    return Options(**values)


def check_view(view: str) -> str:
    if view not in VIEWS:
        raise ConfigError(f"unknown report view {view!r}", hint="use view 'profile' or 'network'")
    return view


def report_lang(results: Results, lang: str | None) -> str:
    """The language of the report: ``lang``, else the grid's first language vises writes, else English."""
    if lang is not None:
        return check_lang(lang)
    for candidate in results.grid.languages:
        if candidate in ("fr", "nl", "en"):
            return candidate
    return "en"


def root_code(results: Results) -> str:
    return results.codes[-1]


def dimension_codes(results: Results) -> tuple[str, ...]:
    """The top-level dimensions (children of the root), in grid order."""
    return results.children(root_code(results))


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return None
    return str(value)


def _attribute_column(results: Results, name: str) -> np.ndarray | None:
    """Per-row values of a descriptor, from the dataset's columns or the organisation portraits."""
    column = results.dataset.attributes.get(name)
    if column is not None:
        return np.array([_text(value) for value in column], dtype=object)
    profiles = results.dataset.organisation_profiles
    if not profiles:
        return None
    values = []
    for organisation in results.organisations:
        profile = profiles.get(organisation)
        value = None if profile is None else getattr(profile, name, None)
        values.append(_text(getattr(value, "value", value)))
    if all(value is None for value in values):
        return None
    return np.array(values, dtype=object)


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
    """A data-collection method in the report language ("focus group" → "Groupe de discussion").

    Methods are stored under their canonical names (``vises.io.evaluations.METHODS``); ``other: x``
    reads "Autre : x" and anything else is shown as written.
    """
    key = "method_" + method.strip().replace(" ", "_")
    if _known(key):
        return translate(key, lang)
    head, sep, rest = method.partition(":")
    if sep and head.strip().lower() == "other":
        return f"{translate('method_other', lang)}: {rest.strip()}"
    return method


_LOW_COVERAGE = re.compile(r"^coverage (\d+)% below the minimum (\d+)%$")


def reason_text(reason: str | None, lang: str) -> str | None:
    """Why a score is missing, in the report language; reasons given in the data stay as written."""
    if reason is None:
        return None
    key = "reason_" + reason.replace(" ", "_")
    if _known(key):
        return translate(key, lang)
    found = _LOW_COVERAGE.match(reason)
    if found:
        from vises.i18n import format_percent

        coverage, minimum = (format_percent(int(x) / 100, lang) for x in found.groups())
        return translate("reason_low_coverage", lang, coverage=coverage, minimum=minimum)
    return reason


def pooling_text(pooling: str, lang: str) -> str:
    """The normalisation pooling of the provenance in words, with its code (``pooled``)."""
    key = f"pooling_{pooling}"
    return f"{translate(key, lang)} ({pooling})" if _known(key) else pooling


def unit_text(unit: str | None, lang: str) -> str | None:
    """A unit for display: the words the catalogue has (``percent`` → ``%``), the rest as written."""
    if not unit:
        return unit
    parts = re.split(r"(\s*/\s*|\s*\*\s*|\s+per\s+)", unit)
    return "".join(translate(f"unit_{part}", lang) if _known(f"unit_{part}") else part for part in parts)


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
    general_evidence: tuple[str, ...]
    dimensions: tuple[ProfileRow, ...]
    #: The network median of each dimension in the same period, for comparison.
    network_medians: tuple[float, ...]
    blocks: tuple[DimensionBlock, ...]
    total: ProfileRow
    explanation: Explanation
    show_ranks: bool


def _narrative_children(results: Results) -> dict[str, list[str]]:
    """Narrative indicators (never scored) grouped under the node they document."""
    by_parent: dict[str, list[str]] = {}
    for code in results.narrative_codes:
        parent = results.grid.indicator(code).parent
        if parent is not None:
            by_parent.setdefault(parent, []).append(code)
    return by_parent


def _evidence(results: Results, code: str, row: int, narratives: dict[str, list[str]], lang: str) -> tuple[str, ...]:
    parts = []
    own = results.narrative(code, row)
    if own:
        parts.append(own)
    for narrative_code in narratives.get(code, ()):
        column = results.dataset.columns.get(narrative_code)
        text = None if column is None else _text(column.values[row])
        if text:
            parts.append(f"{results.grid.indicator(narrative_code).label_in(lang)}: {text}")
    return tuple(parts)


def _previous_row(results: Results, organisation: str, period: str) -> int | None:
    """The organisation's own latest row before ``period`` (not the network's previous period)."""
    rows = np.flatnonzero((results.organisations == organisation) & (results.periods < period))
    if len(rows) == 0:
        return None
    return int(rows[np.argmax(results.periods[rows])])


def _level_text(results: Results, code: str, value: str | None, lang: str | None) -> str | None:
    """A qualitative raw value as a reader knows it: "Oui", or "3 – Souvent" (code and label)."""
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
    narratives = _narrative_children(results)

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
            unit_label=unit_text(results.unit(code), lang),
            coverage=float(results.coverage(code)[row]),
            rank=float(results.ranks(code)[row]) if options.ranks else float("nan"),
            reason=reason_text(results.reasons(code)[row], lang),
            evidence=_evidence(results, code, row, narratives, lang),
            previous=previous,
            change=score - previous,
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
    for name in PEER_ATTRIBUTES:
        column = _attribute_column(results, name)
        if column is not None and column[row] is not None:
            portrait.append((name, attribute_label(name, column[row], lang)))
    evaluation = results.evaluation(organisation, period)
    return ProfileView(
        lang=lang,
        organisation=organisation,
        name=organisation_name(results, organisation, row),
        period=period,
        previous_period=None if before is None else str(results.periods[before]),
        portrait=tuple(portrait),
        evaluation=evaluation,
        methods=() if evaluation is None else tuple(method_label(m, lang) for m in evaluation.methods),
        general_evidence=_evidence(results, "*", row, {}, lang),
        dimensions=tuple(block.dimension for block in blocks),
        network_medians=tuple(_median(results.score(code)[same_period]) for code in dimensions),
        blocks=blocks,
        total=make(root_code(results)),
        explanation=results.explain(organisation, period, lang=lang),
        show_ranks=options.ranks,
    )


def _median(values: np.ndarray) -> float:
    present = values[~np.isnan(values)]
    return float(np.median(present)) if len(present) else float("nan")


# -- the network overview ----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class NetworkRow:
    organisation: str
    name: str | None
    period: str
    #: Scores of ``NetworkView.codes`` (dimensions, then the total).
    scores: tuple[float, ...]
    ranks: tuple[float, ...]


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


@attrs.frozen(kw_only=True)
class PeerGroup:
    attribute: str
    group: str
    period: str
    count: int
    #: Mean score of each of ``NetworkView.codes`` over the group's organisations.
    means: tuple[float, ...]


@attrs.frozen(kw_only=True)
class Change:
    organisation: str
    from_period: str
    to_period: str
    #: Change of each of ``NetworkView.codes``.
    changes: tuple[float, ...]
    name: str | None = None


@attrs.frozen(kw_only=True)
class NetworkView:
    lang: str
    periods: tuple[str, ...]
    #: The top-level dimensions, then the root (the total always comes after its dimensions).
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    rows: tuple[NetworkRow, ...]
    distributions: tuple[Distribution, ...]
    peer_groups: tuple[PeerGroup, ...]
    changes: tuple[Change, ...]
    show_ranks: bool


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
    q1, median, q3 = np.percentile(present, [25, 50, 75])
    return (
        len(present),
        float(present.min()),
        float(q1),
        float(median),
        float(q3),
        float(present.max()),
        float(present.mean()),
    )


def network_view(
    results: Results, *, lang: str | None = None, options: Options | None = None, period: str | None = None
) -> NetworkView:
    """Every organisation's dimension scores, their distributions, peer groups and changes.

    With ``period``, only that period's rows, distributions and peer groups, and the changes that
    lead to it.
    """
    options = options or Options()
    lang = report_lang(results, lang)
    if period is not None and str(period) not in results.period_values:
        raise ConfigError(f"unknown period {period!r}", hint=f"the data's periods: {', '.join(results.period_values)}")
    periods = results.period_values if period is None else (str(period),)
    codes = (*dimension_codes(results), root_code(results))
    matrix = np.column_stack([results.score(code) for code in codes])
    rank_matrix = np.column_stack([results.ranks(code) for code in codes]) if options.ranks else None
    # Latest period first (what a reader looks for), organisations in code order within it.
    period_rank = np.searchsorted(np.array(results.period_values), results.periods)
    order = np.lexsort((results.organisations, -period_rank))
    rows = tuple(
        NetworkRow(
            organisation=str(results.organisations[i]),
            name=organisation_name(results, str(results.organisations[i]), int(i)),
            period=str(results.periods[i]),
            scores=tuple(float(v) for v in matrix[i]),
            ranks=() if rank_matrix is None else tuple(float(v) for v in rank_matrix[i]),
        )
        for i in order
        if period is None or results.periods[i] == str(period)
    )

    aggregates = [*_aggregates_in_tree_order(results, root_code(results))[1:], root_code(results)]
    distributions = []
    # Distributions, peer groups and changes also list the latest period first.
    for one in periods[::-1]:
        for code in aggregates:
            column = results.score(code)
            count, low, q1, median, q3, high, mean = _describe(column[results.periods == one])
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
                )
            )

    peer_groups = []
    for attribute in PEER_ATTRIBUTES:
        found = _attribute_column(results, attribute)
        if found is None:
            continue
        column = found
        for one in periods[::-1]:
            for group in sorted({value for value in column if value is not None}):
                mask = (column == group) & (results.periods == one)
                if not mask.any():
                    continue
                block = matrix[mask]
                with np.errstate(invalid="ignore"):
                    present = (~np.isnan(block)).sum(axis=0)
                    means = np.where(present > 0, np.nansum(block, axis=0) / np.maximum(present, 1), np.nan)
                peer_groups.append(
                    PeerGroup(
                        attribute=attribute,
                        group=attribute_label(attribute, group, lang),
                        period=one,
                        count=int(mask.sum()),
                        means=tuple(float(v) for v in means),
                    )
                )

    changes = []
    for organisation in sorted(set(results.organisations)):
        own = np.flatnonzero(results.organisations == organisation)
        own = own[np.argsort(results.periods[own])]
        for earlier, later in itertools.pairwise(own):
            if period is not None and results.periods[later] != str(period):
                continue
            changes.append(
                Change(
                    organisation=organisation,
                    from_period=str(results.periods[earlier]),
                    to_period=str(results.periods[later]),
                    changes=tuple(float(v) for v in matrix[later] - matrix[earlier]),
                    name=organisation_name(results, organisation, int(later)),
                )
            )
    changes.sort(key=lambda change: change.to_period, reverse=True)

    return NetworkView(
        lang=lang,
        periods=tuple(periods),
        codes=codes,
        labels=tuple(results.label(code, lang) for code in codes),
        rows=rows,
        distributions=tuple(distributions),
        peer_groups=tuple(peer_groups),
        changes=tuple(changes),
        show_ranks=options.ranks,
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


def provenance(results: Results) -> Provenance:
    data = results.provenance
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
