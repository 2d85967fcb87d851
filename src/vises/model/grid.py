"""The value classes of vises: indicators, grids, methods and datasets.

Every class is frozen and keyword-only, so a grid or an indicator can be shared between threads,
cached and compared without fear of it changing underneath: mapping fields are ``FrozenDict``
(labels, parameters, columns, attributes, ...), so nothing changes through them either, and the
grid classes are hashable (a compiled grid is cached per grid). A dataset's arrays are read-only
views. They hold *declarations* only; the work happens in the engine (which compiles a grid into
arrays) and in the normalisers and aggregators. File formats map onto these classes through one
cattrs converter (``vises.io``).

Labels and descriptions are mappings from a language code (``fr``, ``nl``, ``en``) to text;
``label_in`` picks one through a fallback chain and says so when it had to fall back.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from vises.errors import GridError, VisesError
from vises.model.evidence import Evidence, EvidencePolicy
from vises.model.frozen import EMPTY, FrozenDict, frozen_labels, frozen_mapping, shallow_frozen, thaw
from vises.model.index import GridIndex, index_of
from vises.model.keys import DeferredText
from vises.model.periods import period_index
from vises.model.records import Collection
from vises.model.requirements import Requirement

#: The order in which languages are tried when the requested one has no text.
DEFAULT_FALLBACK = ("en", "fr", "nl")

#: Text per language code; an immutable mapping once inside a model object (plain dicts are accepted).
Labels = FrozenDict[str, str]


def label_in(
    labels: Mapping[str, str], lang: str | None, default: str, *, fallback: Sequence[str] = DEFAULT_FALLBACK
) -> str:
    """Return the text for ``lang``, else the first language of ``fallback`` that has one.

    A fallback is visible: the text is suffixed with ``[en]`` (the language it came from), so a
    missing translation is never silently passed off as the requested one. With no text at all the
    ``default`` (usually the code) is returned.
    """
    if lang and labels.get(lang):
        return labels[lang]
    for other in fallback:
        if labels.get(other):
            return labels[other] if lang is None else f"{labels[other]} [{other}]"
    for other, text in labels.items():
        if text:
            return text if lang is None else f"{text} [{other}]"
    return default


class Kind(enum.StrEnum):
    """What sort of value an indicator takes."""

    QUANTITY = "quantity"  #: a number, possibly with a unit (hours, FTE, EUR, persons, percent)
    SCALE = "scale"  #: an ordered set of labelled levels (e.g. a 1–5 Likert scale)
    BINARY = "binary"  #: yes / no
    CATEGORY = "category"  #: one of several categories, each with its own score
    NARRATIVE = "narrative"  #: text kept and reported, never scored
    RATE = "rate"  #: ``numerator / denominator`` of two declared inputs; a network pools Σ numerators / Σ denominators


#: Kinds whose values are numbers in a unit (a rate is judged and normalised like a quantity).
NUMBER_KINDS = frozenset({Kind.QUANTITY, Kind.RATE})


class Direction(enum.StrEnum):
    """Which values are better."""

    HIGHER = "higher"  #: more is better (COINr Direction = 1)
    LOWER = "lower"  #: less is better (COINr Direction = -1)
    TARGET = "target"  #: closest to ``Indicator.target`` is best

    @property
    def sign(self) -> int:
        return -1 if self is Direction.LOWER else 1


@attrs.frozen(kw_only=True)
class Method:
    """A normaliser or aggregator by name, with its parameters.

    In grid files it is written either as a bare name (``"minmax"``) or as a table whose ``method``
    key names it and whose other keys are parameters (``{ method = "goalposts", lower = 0,
    upper = 40 }``).
    """

    name: str
    params: FrozenDict[str, Any] = attrs.field(default=EMPTY, converter=frozen_mapping)

    def describe(self) -> str:
        if not self.params:
            return self.name
        inner = ", ".join(f"{key}={thaw(value)!r}" for key, value in sorted(self.params.items()))
        return f"{self.name}({inner})"


@attrs.frozen(kw_only=True)
class Level:
    """One level of a qualitative scale, or one category.

    ``value`` is what appears in data files (``"3"``, ``"often"``, ``"coop"``); ``score`` is the
    number it stands for. For a scale the levels are ordered worst to best and the score defaults to
    the position (1, 2, ...); for a category the score must be given.
    """

    value: str
    label: Labels = attrs.field(default=EMPTY, converter=frozen_labels)
    score: float | None = None


class Pooling(enum.StrEnum):
    """How data-dependent normalisation parameters are computed when there are several periods."""

    POOLED = "pooled"  #: over all periods at once, so a centre's progress over time shows
    PER_PERIOD = "per_period"  #: separately for each period (a ranking per year)


@attrs.frozen(kw_only=True)
class Indicator:
    """A measured thing: its code, meaning, kind, unit and how it is judged.

    ``parent`` and ``weight`` place it in a grid (the weight is the one on the edge to its parent);
    ``normaliser`` and ``min_coverage`` override the grid's defaults for this indicator only.
    ``denominator`` names a numeric dataset column (``population``, ``staff_fte``) the raw value is
    divided by, so organisations of different sizes compare; ``unit`` is then the unit of the ratio.
    ``imputation`` and ``treatment`` (outliers) override the grid's defaults; both are off unless
    a grid asks for them.
    """

    code: str
    label: Labels = attrs.field(default=EMPTY, converter=frozen_labels)
    description: Labels = attrs.field(default=EMPTY, converter=frozen_labels)
    kind: Kind = attrs.field(default=Kind.QUANTITY, converter=Kind)
    unit: str | None = None
    direction: Direction = attrs.field(default=Direction.HIGHER, converter=Direction)
    target: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    levels: tuple[Level, ...] = ()
    parent: str | None = None
    weight: float = 1.0
    normaliser: Method | None = None
    denominator: str | None = None
    imputation: Method | None = None
    treatment: Method | None = None
    stakeholders: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    external_ids: FrozenDict[str, str] = attrs.field(default=EMPTY, converter=frozen_mapping)
    source: str | None = None
    #: A derived quantity: an expression over other indicators of the same row
    #: (``training_hours / trainees``; ``vises.model.formula``). It has no column of its own.
    formula: str | None = None
    #: For a ``rate``: the indicator above the line (``denominator`` names the one below).
    numerator: str | None = None
    #: Collected and reported, never scored: a volume kept as context, the inputs of a rate.
    context: bool = False
    #: The evidence templates collect for each value: any of ``n``, ``source``, ``verified``.
    evidence: tuple[str, ...] = ()

    def label_in(self, lang: str | None = None) -> str:
        return label_in(self.label, lang, self.code)

    @property
    def scored(self) -> bool:
        """Narrative and context indicators are carried to the results but never enter a score."""
        return self.kind is not Kind.NARRATIVE and not self.context

    @property
    def derived(self) -> bool:
        """Computed from other indicators (a formula, a rate): it has no data column of its own."""
        return self.formula is not None or self.kind is Kind.RATE

    @property
    def is_number(self) -> bool:
        """Its values are numbers in its unit (a quantity or a rate)."""
        return self.kind in NUMBER_KINDS

    def level_scores(self) -> dict[str, float]:
        """Map each level's data value to its score (position 1..k for a scale without scores)."""
        if self.kind is Kind.BINARY and not self.levels:
            return {"no": 0.0, "yes": 1.0}
        return {
            level.value: float(position + 1 if level.score is None else level.score)
            for position, level in enumerate(self.levels)
        }

    def score_bounds(self) -> tuple[float, float] | None:
        """The lowest and highest possible raw value, when the kind or the valid range fixes them."""
        if self.kind in (Kind.SCALE, Kind.CATEGORY, Kind.BINARY):
            scores = list(self.level_scores().values())
            return (min(scores), max(scores)) if scores else None
        if self.minimum is not None and self.maximum is not None:
            return (self.minimum, self.maximum)
        return None


@attrs.frozen(kw_only=True)
class Node:
    """A dimension or sub-dimension of a grid: an aggregate of its children.

    ``parent`` is ``None`` for the root. ``aggregator``, ``normaliser`` and ``min_coverage`` override
    the grid's defaults for this node (``normaliser`` applies to the indicators below it that do not
    set their own).
    """

    code: str
    label: Labels = attrs.field(default=EMPTY, converter=frozen_labels)
    description: Labels = attrs.field(default=EMPTY, converter=frozen_labels)
    parent: str | None = None
    weight: float = 1.0
    aggregator: Method | None = None
    normaliser: Method | None = None
    min_coverage: float | None = None
    tags: tuple[str, ...] = ()

    def label_in(self, lang: str | None = None) -> str:
        return label_in(self.label, lang, self.code)


@attrs.frozen(kw_only=True)
class Defaults:
    """Methods used wherever a node or indicator does not choose its own."""

    normaliser: Method = attrs.field(factory=lambda: Method(name="minmax", params={"low": 0.0, "high": 100.0}))
    aggregator: Method = attrs.field(factory=lambda: Method(name="arithmetic"))
    #: Share of a node's weight (0–1) that must be present for the node to get a score.
    min_coverage: float = 0.0
    pooling: Pooling = attrs.field(default=Pooling.POOLED, converter=Pooling)
    #: Imputation of missing values (``None``: off; VISES never invents data unless asked, and flags it).
    imputation: Method | None = None
    #: Treatment of outliers before normalising (``None``: off).
    treatment: Method | None = None


@attrs.frozen(kw_only=True, cache_hash=True)
class Grid:
    """A tree of nodes with indicators as leaves, weights on every edge, and default methods.

    Validation (``vises.validation.grid.validate_grid``) checks the whole grid and reports every problem at
    once; a ``Grid`` object may be built in an invalid state so that all its problems can be listed.
    Lookups (``node``, ``indicator``, ``children``, ``root``) take constant time: the grid's index is
    built on the first one, in one pass over the grid.
    """

    code: str
    version: str = "1"
    label: Labels = attrs.field(default=EMPTY, converter=frozen_labels)
    description: Labels = attrs.field(default=EMPTY, converter=frozen_labels)
    languages: tuple[str, ...] = ("en",)
    nodes: tuple[Node, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    defaults: Defaults = attrs.field(factory=Defaults)
    source: str | None = None
    #: Legal name of the body that publishes the grid (a federation), and the base IRI under which
    #: exchange formats (the CIDS export) name its members, indicators and reports.
    publisher: str | None = None
    namespace: str | None = None
    #: Labels per language of the stakeholder groups the grid and its evaluations name, by code
    #: (``trainees = { fr = "Stagiaires", nl = "Cursisten" }``); reports fall back on vises's words.
    stakeholder_labels: FrozenDict[str, Labels] = attrs.field(default=EMPTY, converter=frozen_mapping)
    #: Labels per language of units a plugin defines (``heure_stagiaire = { fr = "heure stagiaire" }``).
    unit_labels: FrozenDict[str, Labels] = attrs.field(default=EMPTY, converter=frozen_mapping)
    #: Organisation attributes the grid declares, with their labels per language (``filiere = { fr =
    #: "Filière" }``): data files read such a column as an attribute, and reports form peer groups by it.
    attributes: FrozenDict[str, Labels] = attrs.field(default=EMPTY, converter=frozen_mapping)
    #: Requirements answered met / not met / not demonstrated beside the scores (never inside them).
    requirements: tuple[Requirement, ...] = ()
    #: Which plugin contributed the grid (filled in by the registry).
    plugin: str | None = None
    #: How values' evidence is judged: the small-sample threshold and the intervals' confidence.
    evidence: EvidencePolicy = attrs.field(factory=EvidencePolicy)
    #: How per-record tables (a trainee register, a survey export) become this grid's values.
    collection: Collection | None = None

    def __repr__(self) -> str:
        narrative = sum(1 for ind in self.indicators if ind.kind is Kind.NARRATIVE)
        context = sum(1 for ind in self.indicators if ind.context)
        derived = sum(1 for ind in self.indicators if ind.derived)
        parts = [f"{len(self.nodes)} nodes", f"{len(self.indicators)} indicators"]
        notes = [
            f"{count} {what}"
            for count, what in ((narrative, "narrative"), (context, "context"), (derived, "derived"))
            if count
        ]
        if notes:
            parts[-1] += f" ({', '.join(notes)})"
        origin = f" from plugin {self.plugin}" if self.plugin else ""
        return (
            f"<Grid {self.code!r} version {self.version!r}{origin}: {', '.join(parts)}; "
            f"languages {', '.join(self.languages)}>"
        )

    @property
    def index(self) -> GridIndex:
        """The grid's lookup tables (built once per grid, on first use)."""
        return index_of(self)

    def label_in(self, lang: str | None = None) -> str:
        return label_in(self.label, lang, self.code)

    @property
    def root(self) -> Node:
        roots = self.index.roots
        if len(roots) != 1:
            raise GridError(f"grid {self.code!r} has {len(roots)} root nodes; exactly one is needed")
        return roots[0]

    def node(self, code: str) -> Node:
        try:
            return self.index.node_by_code[code]
        except KeyError:
            raise KeyError(code) from None

    def indicator(self, code: str) -> Indicator:
        try:
            return self.index.indicator_by_code[code]
        except KeyError:
            raise KeyError(code) from None

    def children(self, code: str) -> list[Node | Indicator]:
        """Direct children of node ``code``, nodes first, in declaration order."""
        return list(self.index.children.get(code, ()))

    @property
    def scored_indicators(self) -> tuple[Indicator, ...]:
        return self.index.scored_indicators

    @property
    def measured_indicators(self) -> tuple[Indicator, ...]:
        """Every indicator with a value per row: scored, context and derived ones (narratives aside)."""
        table = self.index.derived
        found = table.get("measured")
        if found is None:
            found = table["measured"] = tuple(ind for ind in self.indicators if ind.kind is not Kind.NARRATIVE)
        return tuple(found)


def _as_array(values: Any) -> np.ndarray:
    """A read-only view of the values (no copy): a dataset cannot be changed through its arrays."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.flags.writeable:
        array = array.view()
        array.flags.writeable = False
    return array


def _as_optional_array(values: Any) -> np.ndarray | None:
    return None if values is None else _as_array(values)


def _as_keys(values: Any) -> np.ndarray | DeferredText:
    """Row keys: a read-only array, or texts a reader keeps in its own engine until they are asked for."""
    return values if isinstance(values, DeferredText) else _as_array(values)


def _read_only_arrays(value: Any) -> FrozenDict[str, np.ndarray]:
    return FrozenDict({key: _as_array(item) for key, item in (value or {}).items()})


@attrs.frozen(kw_only=True, eq=False)
class Column:
    """One indicator's values for every row of a dataset.

    ``values`` is a float64 array for numbers (``NaN`` = missing), or an object array of strings for
    qualitative and narrative values (``None`` = missing). ``not_applicable`` marks rows where the
    indicator does not apply (distinct from missing: such rows are excluded from coverage). ``unit``
    is the unit the values are expressed in, as given by the data (converted once when scoring).
    """

    values: np.ndarray = attrs.field(converter=_as_array)
    unit: str | None = None
    not_applicable: np.ndarray | None = attrs.field(default=None, converter=_as_optional_array)

    def __repr__(self) -> str:
        missing = int(self.missing().sum())
        unit = f" in {self.unit!r}" if self.unit else ""
        na = "" if self.not_applicable is None else f", {int(self.not_applicable.sum())} not applicable"
        return f"<Column of {len(self.values)} {self.values.dtype} values{unit}, {missing} missing{na}>"

    @property
    def numeric(self) -> bool:
        return self.values.dtype.kind in "fiub"

    def missing(self) -> np.ndarray:
        """Boolean mask of missing values (not-applicable rows count as missing here)."""
        if self.numeric:
            return np.isnan(self.values.astype(np.float64, copy=False))
        values = self.values
        # Elementwise on an object array: None, "" and NaN (the one value unequal to itself).
        return np.asarray((values == None) | (values == "") | (values != values), dtype=bool)  # noqa: E711


def _evaluations(value: Iterable[Evaluation]) -> tuple[Evaluation, ...]:
    return tuple(value)


def _problems(value: Iterable[VisesError]) -> tuple[VisesError, ...]:
    return tuple(value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True, eq=False)
class Dataset:
    """Rows are (organisation, period) pairs; columns are stored per indicator as numpy arrays.

    ``columns`` holds indicator values; ``text`` holds comments and narrative evidence, keyed by the
    indicator or node code they document (or any other name), carried to results and reports;
    ``attributes`` holds per-row descriptors such as family, region or size (peer groups).
    Datasets compare and hash by identity (comparing arrays by value would cost a pass over them).
    """

    # Organisations as a reader gave them: an array, or ``DeferredText`` (Arrow strings made an
    # array the first time ``organisations`` is read). ``Dataset(organisations=...)`` as before.
    _organisations: np.ndarray | DeferredText = attrs.field(converter=_as_keys, alias="organisations")
    periods: np.ndarray = attrs.field(converter=_as_array)
    columns: FrozenDict[str, Column] = attrs.field(default=EMPTY, converter=shallow_frozen)
    text: FrozenDict[str, np.ndarray] = attrs.field(default=EMPTY, converter=_read_only_arrays)
    attributes: FrozenDict[str, np.ndarray] = attrs.field(default=EMPTY, converter=_read_only_arrays)
    organisation_profiles: FrozenDict[str, Organisation] = attrs.field(default=EMPTY, converter=shallow_frozen)
    evaluations: tuple[Evaluation, ...] = attrs.field(default=(), converter=_evaluations)
    source: str | None = None
    #: Problems a reader found and recorded instead of stopping (a cell it could not read is left
    #: missing): validation reports them together with its own, so one run lists every problem.
    read_problems: tuple[VisesError, ...] = attrs.field(default=(), converter=_problems)
    #: What backs each indicator column's values (sample size, source, verified), by code.
    evidence: FrozenDict[str, Evidence] = attrs.field(default=EMPTY, converter=shallow_frozen)
    #: Columns of the source left out on request (``load_data(ignore=...)``, ``--ignore``), by name,
    #: so outputs can say what was not read.
    ignored: tuple[str, ...] = attrs.field(default=(), converter=_names)
    #: The dtype the source gave the keys (``{"period": "int64"}`` for a DataFrame's integer year,
    #: ``"str"`` for text it typed); empty for a file's untyped text. ``Results.to_frame`` gives
    #: the keys back in it, so a frame merges onto the one it was scored from.
    key_dtypes: FrozenDict[str, str] = attrs.field(default=EMPTY, converter=frozen_mapping)

    @property
    def organisations(self) -> np.ndarray:
        """Each row's organisation code (a read-only object array of strings)."""
        keys = self._organisations
        return keys.array() if isinstance(keys, DeferredText) else keys

    def __len__(self) -> int:
        return len(self._organisations)

    def __repr__(self) -> str:
        source = f" {self.source!r}" if self.source else ""
        periods = self.period_values
        shown = ", ".join(periods[:4]) + (", ..." if len(periods) > 4 else "")
        parts = [
            f"{len(self)} rows",
            f"{len(periods)} periods ({shown})" if periods else "no periods",
            f"{len(self.columns)} indicator columns",
        ]
        if self.text:
            parts.append(f"{len(self.text)} text columns")
        if self.attributes:
            parts.append(f"attributes {', '.join(sorted(self.attributes))}")
        if self.evaluations:
            parts.append(f"{len(self.evaluations)} evaluations")
        if self.evidence:
            parts.append(f"evidence for {len(self.evidence)} columns")
        if self.ignored:
            parts.append(f"ignored {', '.join(self.ignored)}")
        if self.read_problems:
            parts.append(f"{len(self.read_problems)} read problems")
        return f"<Dataset{source}: {'; '.join(parts)}>"

    @property
    def period_values(self) -> list[str]:
        """The distinct periods, in natural order (numbers, then dates, then text; see ``model.periods``)."""
        return [str(p) for p in period_index(np.asarray(self.periods).astype(str))[0].tolist()]


class Family(enum.StrEnum):
    """The three families of enterprises VISES distinguishes (by purpose)."""

    WORK_INTEGRATION = "work_integration"  #: insertion of people far from employment (ISP, WISE, IAE)
    COLLECTIVE_SERVICES = "collective_services"  #: basic needs and universal access, vulnerable publics
    OTHER = "other"  #: any other social enterprise (coops, permanent education, micro-credit, ...)


@attrs.frozen(kw_only=True)
class Organisation:
    """Who is evaluated: the portrait used for peer groups and report headers."""

    code: str
    name: str = ""
    family: Family | None = None
    region: str | None = None
    size: str | None = None
    attributes: FrozenDict[str, str] = attrs.field(default=EMPTY, converter=frozen_mapping)


@attrs.frozen(kw_only=True)
class Evaluation:
    """The VISES framing of one organisation's evaluation for one period.

    VISES starts from an evaluative question the enterprise chooses, involves its stakeholders and
    mixes methods; the numbers are one part of the answer. ``narrative`` attaches evidence (quotes,
    focus-group syntheses, life stories) to indicator or node codes (``"*"`` for the whole
    evaluation); reports show it next to the scores.
    """

    organisation: str
    period: str | None = None
    questions: tuple[str, ...] = ()
    stakeholders: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    narrative: FrozenDict[str, str] = attrs.field(default=EMPTY, converter=frozen_mapping)
