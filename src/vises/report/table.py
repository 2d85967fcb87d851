"""The plain-text report for a terminal, and the document layout it shares with Markdown.

``document`` turns a view into a list of neutral blocks (headings, paragraphs, lists, tables of
already formatted columns); ``render_table`` prints them, ``markdown.render_markdown`` writes the
same blocks as Markdown, so the two formats never drift apart. Numbers are formatted a whole
column at a time (``vises.format_number``); every text the terminal receives goes through
``vises.terminal_text``, so data cannot send escape sequences to it.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.i18n import MISSING, colon, format_date, format_number, translate
from vises.model.requirements import STATUS_ORDER
from vises.neutralise import terminal_text
from vises.report.layout import LEFT, RIGHT, Table, plain
from vises.report.requirement_rows import status_text
from vises.report.totals import Total
from vises.report.views import (
    KeyFigure,
    NetworkView,
    ProfileRow,
    ProfileView,
    Provenance,
    Request,
    ScoreTable,
    network_view,
    pooling_text,
    profile_view,
    provenance,
    resolve,
)

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results


@attrs.frozen(kw_only=True)
class Heading:
    level: int
    text: str


@attrs.frozen(kw_only=True)
class Paragraph:
    text: str


@attrs.frozen(kw_only=True)
class Items:
    items: tuple[str, ...]


Block = Heading | Paragraph | Items | Table


class _Fmt:
    """Number formatting for one language and precision, for one value or a whole column."""

    def __init__(self, lang: str, digits: int, *, k: int = 1, dominance: float = 0.5) -> None:
        self.lang = lang
        self.digits = digits
        self.colon = colon(lang)
        #: The public view's smallest group and dominance share, for the notes of suppressed totals.
        self.k = k
        self.share = format_number(dominance, lang, 0, percent=True)

    def num(self, x: float) -> str:
        return format_number(x, self.lang, self.digits)

    def nums(self, column: np.ndarray) -> list[str]:
        return format_number(column, self.lang, self.digits)

    def signed(self, x: float) -> str:
        return format_number(x, self.lang, self.digits, signed=True)

    def signeds(self, column: np.ndarray) -> list[str]:
        return format_number(column, self.lang, self.digits, signed=True)

    def pct(self, x: float) -> str:
        return format_number(x, self.lang, 0, percent=True)

    def rank(self, x: float, of: float = math.nan) -> str:
        """``5 / 33``: the rank and how many organisations of the period are ranked."""
        if math.isnan(x):
            return MISSING
        return str(int(x)) if math.isnan(of) else f"{int(x)} / {int(of)}"

    def said(self, label: str, value: Any) -> str:
        """``label: value`` with the language's colon (a no-break space before it in French)."""
        return f"{label}{self.colon}{value}"


def _t(key: str, lang: str, **values: Any) -> str:
    return translate(key, lang, **values)


def _raw(row: ProfileRow, fmt: _Fmt) -> str:
    if row.raw_text is not None:
        return row.raw_text
    if not row.is_indicator:
        return ""
    support = row.support
    if support is not None and not (np.isnan(support.numerator) or np.isnan(support.denominator)):
        # A rate with its two parts: "16 / 54 (29,6 %)".
        both = np.array([support.numerator, support.denominator])
        whole = bool(np.all(both == np.round(both)))
        parts = format_number(both, fmt.lang, 0 if whole else fmt.digits)
        unit = f" {row.unit_label}" if row.unit_label else ""
        return f"{parts[0]} / {parts[1]} ({fmt.num(row.raw)}{unit})"
    return fmt.num(row.raw)


def _support(row: ProfileRow, fmt: _Fmt) -> str:
    """``n = 24 · enquête · 51,0–85,1 % · petit échantillon``: what backs an indicator's value."""
    support = row.support
    if support is None or not support.shown:
        return ""
    from vises.io.tokens import SOURCE_WORDS

    lang = fmt.lang
    parts = []
    if not np.isnan(support.n):
        parts.append(f"n = {format_number(support.n, lang, 0)}")
    if support.source is not None:
        parts.append(SOURCE_WORDS.get(support.source, {}).get(lang, support.source))
    if support.verified:
        parts.append(_t("support_verified", lang))
    if not (np.isnan(support.low) or np.isnan(support.high)):
        unit = f" {row.unit_label}" if row.unit_label else ""
        parts.append(f"{fmt.num(support.low)}–{fmt.num(support.high)}{unit}")
    if support.small:
        parts.append(_t("support_small", lang))
    return " · ".join(parts)


def _change(row: ProfileRow, fmt: _Fmt) -> str:
    """The change, marked ``≈`` when the two periods' intervals overlap (not plain progress)."""
    text = fmt.signed(row.change)
    if row.support is not None and row.support.overlaps and not np.isnan(row.change):
        return f"≈ {text}"
    return text


def _profile_blocks(view: ProfileView, fmt: _Fmt) -> list[Block]:
    lang = view.lang
    said = fmt.said
    who = f"{view.name} ({view.organisation})" if view.name else view.organisation
    blocks: list[Block] = [Heading(level=1, text=said(_t("profile_title", lang), f"{who}, {view.period}"))]
    facts = [said(_t("organisation", lang), view.organisation), said(_t("period", lang), view.period)]
    if view.previous_period:
        facts.append(said(_t("previous_period", lang), view.previous_period))
    facts += [said(view.portrait_titles.get(name) or _t(name, lang), value) for name, value in view.portrait]
    blocks.append(Items(items=tuple(facts)))

    blocks.append(Heading(level=2, text=_t("evaluation", lang)))
    evaluation = view.evaluation
    if evaluation is None or not (evaluation.questions or evaluation.stakeholders or evaluation.methods):
        blocks.append(Paragraph(text=_t("no_evaluation", lang)))
    else:
        for key, values in (
            ("questions", evaluation.questions),
            ("stakeholders", view.stakeholders),
            ("methods", view.methods),
        ):
            if values:
                blocks.append(Paragraph(text=said(_t(key, lang), "").rstrip()))
                blocks.append(Items(items=tuple(values)))
    if view.general_evidence:
        blocks.append(Paragraph(text=said(_t("general_evidence", lang), "").rstrip()))
        blocks.append(Items(items=view.general_evidence))

    blocks += _key_figure_blocks(view, fmt)
    blocks.append(Heading(level=2, text=_t("dimension_profile", lang)))
    blocks.append(Paragraph(text=_t("profile_note", lang)))
    headers = [_t("dimension", lang), _t("score", lang), _t("coverage", lang)]
    align = [LEFT, RIGHT, RIGHT]
    headers += [_t("rank", lang)] if view.show_ranks else []
    align += [RIGHT] if view.show_ranks else []
    headers += [_t("change", lang), _t("network_median", lang), _t("reason", lang)]
    align += [RIGHT, RIGHT, LEFT]
    rows = []
    for row, median in zip(view.dimensions, view.network_medians, strict=True):
        cells = [row.label, fmt.num(row.score), fmt.pct(row.coverage)]
        cells += [fmt.rank(row.rank, row.rank_count)] if view.show_ranks else []
        cells += [fmt.signed(row.change), fmt.num(median), row.reason or ""]
        rows.append(cells)
    blocks.append(Table.from_rows(headers, rows, align))

    blocks.append(Heading(level=2, text=_t("details", lang)))
    detail_headers = [
        _t("indicator", lang),
        _t("raw_value", lang),
        _t("unit", lang),
        _t("score", lang),
        _t("coverage", lang),
    ]
    # The raw value is left-aligned: it may be a level's label (user text), not only a number.
    detail_align = [LEFT, LEFT, LEFT, RIGHT, RIGHT]
    detail_headers += [_t("rank", lang)] if view.show_ranks else []
    detail_align += [RIGHT] if view.show_ranks else []
    detail_headers += [_t("change", lang), _t("reason", lang)]
    detail_align += [RIGHT, LEFT]
    # A "based on" column only where some value has evidence: reports of grids without any are unchanged.
    supported = any(row.support is not None and row.support.shown for block in view.blocks for row in block.rows)
    if supported:
        detail_headers.insert(2, _t("support", lang))
        detail_align.insert(2, LEFT)
    for block in view.blocks:
        blocks.append(Heading(level=3, text=said(block.dimension.label, fmt.num(block.dimension.score))))
        detail_rows = []
        evidence = [said(block.dimension.label, text) for text in block.dimension.evidence]
        base = block.dimension.depth + 1
        for row in block.rows:
            cells = [
                "› " * (row.depth - base) + row.label,
                _raw(row, fmt),
                row.unit_label or "",
                fmt.num(row.score),
                fmt.pct(row.coverage),
            ]
            if supported:
                cells.insert(2, _support(row, fmt))
            cells += [fmt.rank(row.rank, row.rank_count)] if view.show_ranks else []
            cells += [_change(row, fmt), row.reason or ""]
            detail_rows.append(cells)
            evidence += [said(row.label, text) for text in row.evidence]
        if detail_rows:
            blocks.append(Table.from_rows(detail_headers, detail_rows, detail_align))
        if evidence:
            blocks.append(Paragraph(text=said(_t("evidence", lang), "").rstrip()))
            blocks.append(Items(items=tuple(evidence)))

    if supported:
        confidence = format_number(view.confidence, lang, 0, percent=True)
        blocks.append(Paragraph(text=_t("support_note", lang, confidence=confidence)))

    blocks += _profile_requirement_blocks(view, fmt)
    total = view.total
    blocks.append(Heading(level=2, text=_t("overall", lang)))
    total_headers = [_t("node", lang), _t("score", lang), _t("coverage", lang)]
    total_align = [LEFT, RIGHT, RIGHT]
    total_headers += [_t("rank", lang)] if view.show_ranks else []
    total_align += [RIGHT] if view.show_ranks else []
    total_headers += [_t("change", lang), _t("reason", lang)]
    total_align += [RIGHT, LEFT]
    cells = [total.label, fmt.num(total.score), fmt.pct(total.coverage)]
    cells += [fmt.rank(total.rank, total.rank_count)] if view.show_ranks else []
    cells += [fmt.signed(total.change), total.reason or ""]
    blocks.append(Table.from_rows(total_headers, [cells], total_align))
    return blocks


def rank_labels(ranks: np.ndarray, counts: np.ndarray | None) -> np.ndarray:
    """``5 / 33`` per cell (rank of the organisations ranked in the period), ``""`` where unranked."""
    known = ~np.isnan(ranks)
    labels = np.where(known, np.nan_to_num(ranks), 0).astype(np.int64).astype(str).astype(object)
    if counts is not None:
        labels = labels + " / " + np.nan_to_num(counts).astype(np.int64).astype(str).astype(object)
    return np.where(known, labels, "")


def _with_ranks(cells: list[str], ranks: np.ndarray, counts: np.ndarray | None = None) -> list[str]:
    """``12,5 (3 / 33)``: each score with its rank among the ranked, a whole column at once."""
    labels = rank_labels(ranks, counts)
    return [f"{cell} ({rank})" if rank else cell for cell, rank in zip(cells, labels.tolist(), strict=True)]


def _marked(cells: list[str], hidden: np.ndarray | Any, mark: str) -> list[str]:
    """The cells of a column with the suppressed ones replaced by ``mark``."""
    return [mark if hide else cell for cell, hide in zip(cells, np.asarray(hidden, dtype=bool).tolist(), strict=True)]


def _network_blocks(view: NetworkView, fmt: _Fmt, grid_label: str) -> list[Block]:
    lang = view.lang
    said = fmt.said
    blocks: list[Block] = [Heading(level=1, text=said(_t("network_title", lang), grid_label))]
    blocks.append(
        Items(
            items=(
                said(_t("period", lang), ", ".join(view.periods)),
                said(_t("count", lang), view.organisation_count),
            )
        )
    )

    mark = _t("suppressed_mark", lang)
    if view.public:
        blocks.append(Paragraph(text=_t("public_note", lang, k=view.min_group, mark=mark)))
    blocks.append(Heading(level=2, text=_t("network_scores", lang)))
    if view.show_ranks:
        blocks.append(Paragraph(text=_t("ranks_note", lang)))
    table = view.table
    score_columns = []
    for index in range(len(view.codes)):
        cells = fmt.nums(table.scores[:, index])
        if table.ranks is not None:
            counts = None if table.rank_counts is None else table.rank_counts[:, index]
            cells = _with_ranks(cells, table.ranks[:, index], counts)
        score_columns.append(cells)
    blocks.append(
        Table(
            headers=(_t("organisation", lang), _t("period", lang), *view.labels),
            columns=(table.who(), [str(p) for p in table.periods.tolist()], *score_columns),
            align=(LEFT, LEFT, *([RIGHT] * len(view.codes))),
            keys=2,
        )
    )

    blocks.append(Heading(level=2, text=_t("distributions", lang)))
    keys = ("count", "minimum", "q1", "median", "q3", "maximum", "mean")
    distributions = view.distributions
    hidden = [d.suppressed for d in distributions]
    blocks.append(
        Table(
            headers=(_t("node", lang), _t("period", lang), *(_t(key, lang) for key in keys)),
            columns=(
                [d.label for d in distributions],
                [d.period for d in distributions],
                _marked([str(d.count) for d in distributions], hidden, mark),
                *(
                    _marked(fmt.nums(np.array([getattr(d, key) for d in distributions], dtype=float)), hidden, mark)
                    for key in keys[1:]
                ),
            ),
            align=(LEFT, LEFT, *([RIGHT] * len(keys))),
            keys=2,
        )
    )
    blocks += _totals_blocks(view, fmt, mark)

    blocks.append(Heading(level=2, text=_t("peer_groups", lang)))
    if view.peer_groups:
        groups = view.peer_groups
        means = np.array([g.means for g in groups], dtype=float).reshape(len(groups), len(view.codes))
        hidden_means = np.array([g.suppressed or (False,) * len(view.codes) for g in groups], dtype=bool).reshape(
            len(groups), len(view.codes)
        )
        blocks.append(
            Table(
                headers=(_t("attribute", lang), _t("group", lang), _t("period", lang), _t("count", lang), *view.labels),
                columns=(
                    [g.title or _t(g.attribute, lang) for g in groups],
                    [g.group for g in groups],
                    [g.period for g in groups],
                    _marked([str(g.count) for g in groups], [g.count_hidden for g in groups], mark),
                    *(_marked(fmt.nums(means[:, i]), hidden_means[:, i], mark) for i in range(len(view.codes))),
                ),
                align=(LEFT, LEFT, LEFT, RIGHT, *([RIGHT] * len(view.codes))),
                keys=3,
            )
        )
    else:
        blocks.append(Paragraph(text=_t("no_peer_groups", lang)))

    blocks.append(Heading(level=2, text=_t("changes", lang)))
    changes = view.change_table
    if len(changes):
        blocks.append(
            Table(
                headers=(_t("organisation", lang), _t("from_period", lang), _t("to_period", lang), *view.labels),
                columns=(
                    [str(o) for o in changes.organisations.tolist()],
                    [str(p) for p in changes.from_periods.tolist()],
                    [str(p) for p in changes.to_periods.tolist()],
                    *(fmt.signeds(changes.changes[:, i]) for i in range(len(view.codes))),
                ),
                align=(LEFT, LEFT, LEFT, *([RIGHT] * len(view.codes))),
                keys=3,
            )
        )
    else:
        blocks.append(Paragraph(text=_t("no_changes", lang)))

    blocks += _network_requirement_blocks(view, fmt, mark)
    texts = view.narratives
    if len(texts):
        blocks.append(Heading(level=2, text=_t("network_evidence", lang)))
        blocks.append(Paragraph(text=_t("network_evidence_note", lang)))
        who = ScoreTable.who_of(texts.names, texts.organisations)
        blocks.append(
            Table(
                headers=(_t("organisation", lang), _t("period", lang), _t("about", lang), _t("text", lang)),
                columns=(who, [str(p) for p in texts.periods.tolist()], list(texts.about), list(texts.texts)),
                align=(LEFT, LEFT, LEFT, LEFT),
                keys=2,
            )
        )
    return blocks


def total_value(total: Total, fmt: _Fmt, mark: str) -> str:
    """A network total as shown: the number with its unit, or why it is not shown."""
    if total.suppressed is not None:
        return f"{mark} ({_t('suppressed_' + total.suppressed, fmt.lang, k=fmt.k, share=fmt.share)})"
    number = format_number(total.value, fmt.lang, 0 if float(total.value).is_integer() else fmt.digits, grouping=True)
    return f"{number} {total.unit_label}" if total.unit_label and not math.isnan(total.value) else number


def _totals_blocks(view: NetworkView, fmt: _Fmt, mark: str) -> list[Block]:
    if not view.totals:
        return []
    lang = view.lang
    totals = view.totals
    return [
        Heading(level=2, text=_t("network_totals", lang)),
        Paragraph(text=_t("totals_note", lang)),
        Table(
            headers=(_t("indicator", lang), _t("period", lang), _t("total", lang), _t("reported_by", lang)),
            columns=(
                [t.label for t in totals],
                [t.period for t in totals],
                [total_value(t, fmt, mark) for t in totals],
                [_t("of_count", lang, count=t.count, total=t.of) for t in totals],
            ),
            align=(LEFT, LEFT, RIGHT, RIGHT),
            keys=2,
        ),
    ]


def _network_requirement_blocks(view: NetworkView, fmt: _Fmt, mark: str) -> list[Block]:
    if not view.requirements:
        return []
    lang = view.lang
    rows = view.requirements
    answers = [status.value for status in STATUS_ORDER]
    counts = np.array([r.counts for r in rows], dtype=float).reshape(len(rows), len(answers))
    columns = [
        _marked(
            [str(int(c)) if not math.isnan(c) else MISSING for c in counts[:, i].tolist()],
            [r.suppressed for r in rows],
            mark,
        )
        for i in range(len(answers))
    ]
    return [
        Heading(level=2, text=_t("requirements", lang)),
        Paragraph(text=_t("requirements_network_note", lang)),
        Table(
            headers=(
                _t("requirement", lang),
                _t("period", lang),
                *(status_text(answer, lang) for answer in answers),
                _t("count", lang),
            ),
            columns=([r.label for r in rows], [r.period for r in rows], *columns, [str(r.of) for r in rows]),
            align=(LEFT, LEFT, *([RIGHT] * (len(answers) + 1))),
            keys=2,
        ),
    ]


def key_figure_cells(figure: KeyFigure, fmt: _Fmt) -> tuple[str, str, str]:
    """A key figure's value, previous value and change as shown; counts without decimals."""
    digits = 0 if figure.whole else fmt.digits
    value = figure.text if figure.text is not None else format_number(figure.value, fmt.lang, digits)
    previous = "" if figure.text is not None else format_number(figure.previous, fmt.lang, digits)
    change = "" if figure.text is not None else format_number(figure.change, fmt.lang, digits, signed=True)
    return value, previous, change


def _key_figure_blocks(view: ProfileView, fmt: _Fmt) -> list[Block]:
    """The context indicators as given: the centre's volumes beside its scores, never scored."""
    if not view.key_figures:
        return []
    lang = view.lang
    headers = [_t("key_figure", lang), _t("raw_value", lang), _t("unit", lang)]
    align = [LEFT, LEFT, LEFT]
    if view.previous_period:
        headers += [view.previous_period, _t("change", lang)]
        align += [RIGHT, RIGHT]
    rows = []
    for figure in view.key_figures:
        value, previous, change = key_figure_cells(figure, fmt)
        cells = [figure.label, value, figure.unit_label or ""]
        if view.previous_period:
            cells += [previous, change]
        rows.append(cells)
    return [
        Heading(level=2, text=_t("key_figures", lang)),
        Paragraph(text=_t("key_figures_note", lang)),
        Table.from_rows(headers, rows, align),
    ]


def _profile_requirement_blocks(view: ProfileView, fmt: _Fmt) -> list[Block]:
    if not view.requirements:
        return []
    lang = view.lang
    said = fmt.said
    blocks: list[Block] = [
        Heading(level=2, text=_t("requirements", lang)),
        Paragraph(text=_t("requirements_note", lang)),
    ]
    rows = []
    for row in view.requirements:
        rows.append(["› " * row.depth + row.label, row.status_label, ""])
        for condition in row.conditions:
            rows.append(["› " * (row.depth + 1) + condition.text, status_text(condition.status, lang), condition.given])
    headers = (_t("requirement", lang), _t("answer", lang), _t("value_given", lang))
    blocks.append(Table.from_rows(headers, rows, (LEFT, LEFT, LEFT)))
    if view.unmet:
        blocks.append(Paragraph(text=said(_t("unmet_requirements", lang), "").rstrip()))
        blocks.append(Items(items=view.unmet))
    else:
        blocks.append(Paragraph(text=_t("all_requirements_met", lang)))
    return blocks


def provenance_blocks(prov: Provenance, lang: str) -> list[Block]:
    """The provenance section: versions, plugins, methods (grouped by method) and date."""
    said = _Fmt(lang, 0).said
    plugins = ", ".join(f"{name} {version}" for name, version in prov.plugins) or _t("none", lang)
    by_method: dict[str, list[str]] = {}
    for code, method in prov.methods:
        by_method.setdefault(method, []).append(code)
    created = f"{format_date(prov.created, lang) if prov.created else MISSING} ({prov.created})"
    items = [
        said(_t("vises_version", lang), prov.vises_version),
        said(_t("grid", lang), prov.grid),
        said(_t("grid_version", lang), prov.grid_version),
        said(_t("plugins", lang), plugins),
        said(_t("pooling", lang), pooling_text(prov.pooling, lang)),
        said(_t("created", lang), created),
    ]
    return [
        Heading(level=2, text=_t("provenance", lang)),
        Items(items=tuple(items)),
        Table.from_rows(
            (_t("methods_used", lang), _t("code", lang)),
            [(m, ", ".join(c)) for m, c in by_method.items()],
        ),
    ]


def document(results: Results, request: Request) -> list[Block]:
    """The blocks of a report: the chosen view, then its provenance."""
    from vises.report import analysis_blocks, analysis_view

    opts = request.options
    if request.view == "profile":
        profile = profile_view(
            results, organisation=request.organisation, period=request.period, lang=request.lang, options=opts
        )
        blocks = _profile_blocks(profile, _Fmt(profile.lang, opts.digits))
        # Strengths, weaknesses and progress come before the overall score, which stays last.
        found = analysis_view.profile_analysis(
            results, results.row(profile.organisation, profile.period), profile.lang, show_ranks=opts.ranks
        )
        extra = analysis_blocks.profile_blocks(found, profile.lang, opts.digits)
        overall = Heading(level=2, text=_t("overall", profile.lang))
        at = next((i for i, block in enumerate(blocks) if block == overall), len(blocks))
        blocks[at:at] = extra
    else:
        network = network_view(results, lang=request.lang, options=opts, period=request.period)
        fmt = _Fmt(network.lang, opts.digits, k=network.min_group, dominance=opts.dominance)
        blocks = _network_blocks(network, fmt, results.grid.label_in(network.lang))
        screening = analysis_view.screening_view(results, network.lang, period=request.period, public=opts.public)
        blocks += analysis_blocks.screening_blocks(screening, network.lang)
    provenance_part = provenance_blocks(provenance(results), request.lang)
    lines = analysis_view.provenance_lines(results, request.lang)
    if lines:
        items = next(block for block in provenance_part if isinstance(block, Items))
        more = Items(items=(*items.items, *analysis_blocks.provenance_items(lines, request.lang)))
        provenance_part = [more if block is items else block for block in provenance_part]
    return blocks + provenance_part


def _plain(blocks: list[Block], width: int = 0) -> str:
    """The blocks as terminal text; with ``width``, every line fits it (text wraps, tables fit)."""
    limit = width or None

    def wrapped(text: str, indent: str = "", first: str = "") -> list[str]:
        lines = []
        for line in text.split("\n"):
            if limit is None or len(first + line) <= limit:
                lines.append(first + line)
            else:
                lines += textwrap.wrap(
                    line, width=limit, initial_indent=first, subsequent_indent=indent, break_on_hyphens=False
                ) or [first]
            first = indent
        return lines

    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines = wrapped(terminal_text(block.text))
            out.extend(lines)
            underline = {1: "=", 2: "-"}.get(block.level)
            if underline:
                out.append(underline * max(map(len, lines)))
        elif isinstance(block, Paragraph):
            out.extend(wrapped(terminal_text(block.text)))
        elif isinstance(block, Items):
            for item in block.items:
                out.extend(wrapped(terminal_text(item), indent="    ", first="  - "))
        else:
            out.append(plain(block, clean=_one_line, width=limit))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _one_line(text: str) -> str:
    """A table cell for the terminal: no control character, no line break to tear the table."""
    return " ".join(terminal_text(text).split("\n")).replace("\t", " ")


def render_table(results: Results, request: ReportRequest, /) -> str:
    """A plain-text report for the terminal, fitted to ``options={"width": N}`` characters when given."""
    resolved = resolve(results, request, "table")
    return _plain(document(results, resolved), resolved.options.width)
