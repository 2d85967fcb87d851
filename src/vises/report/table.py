"""The plain-text report for a terminal, and the document layout it shares with Markdown.

``document`` turns a view into a list of neutral blocks (headings, paragraphs, lists, tables of
already formatted cells); ``render_table`` prints them with tabulate, ``markdown.render_markdown``
writes the same blocks as Markdown, so the two formats never drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from vises.i18n import format_date, format_number, format_percent, format_signed, translate
from vises.report.views import (
    NetworkView,
    Options,
    ProfileRow,
    ProfileView,
    Provenance,
    check_view,
    network_view,
    parse_options,
    pooling_text,
    profile_view,
    provenance,
)

if TYPE_CHECKING:  # pragma: no cover
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


@attrs.frozen(kw_only=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Items | Table


class _Fmt:
    """Number formatting for one language and precision."""

    def __init__(self, lang: str, digits: int) -> None:
        self.lang = lang
        self.digits = digits

    def num(self, x: float) -> str:
        return format_number(x, self.lang, self.digits)

    def signed(self, x: float) -> str:
        return format_signed(x, self.lang, self.digits)

    def pct(self, x: float) -> str:
        return format_percent(x, self.lang)

    def rank(self, x: float) -> str:
        return "—" if math.isnan(x) else str(int(x))


def _t(key: str, lang: str, **values: Any) -> str:
    return translate(key, lang, **values)


def _raw(row: ProfileRow, fmt: _Fmt) -> str:
    if row.raw_text is not None:
        return row.raw_text
    return "" if not row.is_indicator else fmt.num(row.raw)


def _profile_blocks(view: ProfileView, fmt: _Fmt) -> list[Block]:
    lang = view.lang
    who = f"{view.name} ({view.organisation})" if view.name else view.organisation
    blocks: list[Block] = [Heading(level=1, text=f"{_t('profile_title', lang)}: {who}, {view.period}")]
    facts = [f"{_t('organisation', lang)}: {view.organisation}", f"{_t('period', lang)}: {view.period}"]
    if view.previous_period:
        facts.append(f"{_t('previous_period', lang)}: {view.previous_period}")
    facts += [f"{_t(name, lang)}: {value}" for name, value in view.portrait]
    blocks.append(Items(items=tuple(facts)))

    blocks.append(Heading(level=2, text=_t("evaluation", lang)))
    evaluation = view.evaluation
    if evaluation is None or not (evaluation.questions or evaluation.stakeholders or evaluation.methods):
        blocks.append(Paragraph(text=_t("no_evaluation", lang)))
    else:
        for key, values in (
            ("questions", evaluation.questions),
            ("stakeholders", evaluation.stakeholders),
            ("methods", view.methods),
        ):
            if values:
                blocks.append(Paragraph(text=f"{_t(key, lang)}:"))
                blocks.append(Items(items=tuple(values)))
    if view.general_evidence:
        blocks.append(Paragraph(text=f"{_t('general_evidence', lang)}:"))
        blocks.append(Items(items=view.general_evidence))

    blocks.append(Heading(level=2, text=_t("dimension_profile", lang)))
    blocks.append(Paragraph(text=_t("profile_note", lang)))
    headers = [_t("dimension", lang), _t("score", lang), _t("coverage", lang)]
    headers += [_t("rank", lang)] if view.show_ranks else []
    headers += [_t("change", lang), _t("network_median", lang), _t("reason", lang)]
    rows = []
    for row, median in zip(view.dimensions, view.network_medians, strict=True):
        cells = [row.label, fmt.num(row.score), fmt.pct(row.coverage)]
        cells += [fmt.rank(row.rank)] if view.show_ranks else []
        cells += [fmt.signed(row.change), fmt.num(median), row.reason or ""]
        rows.append(tuple(cells))
    blocks.append(Table(headers=tuple(headers), rows=tuple(rows)))

    blocks.append(Heading(level=2, text=_t("details", lang)))
    detail_headers = [
        _t("indicator", lang),
        _t("raw_value", lang),
        _t("unit", lang),
        _t("score", lang),
        _t("coverage", lang),
    ]
    detail_headers += [_t("rank", lang)] if view.show_ranks else []
    detail_headers += [_t("change", lang), _t("reason", lang)]
    for block in view.blocks:
        blocks.append(Heading(level=3, text=f"{block.dimension.label}: {fmt.num(block.dimension.score)}"))
        detail_rows = []
        evidence = [f"{block.dimension.label}: {text}" for text in block.dimension.evidence]
        base = block.dimension.depth + 1
        for row in block.rows:
            cells = [
                "› " * (row.depth - base) + row.label,
                _raw(row, fmt),
                row.unit_label or "",
                fmt.num(row.score),
                fmt.pct(row.coverage),
            ]
            cells += [fmt.rank(row.rank)] if view.show_ranks else []
            cells += [fmt.signed(row.change), row.reason or ""]
            detail_rows.append(tuple(cells))
            evidence += [f"{row.label}: {text}" for text in row.evidence]
        if detail_rows:
            blocks.append(Table(headers=tuple(detail_headers), rows=tuple(detail_rows)))
        if evidence:
            blocks.append(Paragraph(text=f"{_t('evidence', lang)}:"))
            blocks.append(Items(items=tuple(evidence)))

    total = view.total
    blocks.append(Heading(level=2, text=_t("overall", lang)))
    total_headers = [_t("node", lang), _t("score", lang), _t("coverage", lang)]
    total_headers += [_t("rank", lang)] if view.show_ranks else []
    total_headers += [_t("change", lang), _t("reason", lang)]
    cells = [total.label, fmt.num(total.score), fmt.pct(total.coverage)]
    cells += [fmt.rank(total.rank)] if view.show_ranks else []
    cells += [fmt.signed(total.change), total.reason or ""]
    blocks.append(Table(headers=tuple(total_headers), rows=(tuple(cells),)))
    return blocks


def _network_blocks(view: NetworkView, fmt: _Fmt, grid_label: str) -> list[Block]:
    lang = view.lang
    blocks: list[Block] = [Heading(level=1, text=f"{_t('network_title', lang)}: {grid_label}")]
    blocks.append(
        Items(
            items=(
                f"{_t('period', lang)}: {', '.join(view.periods)}",
                f"{_t('count', lang)}: {len({r.organisation for r in view.rows})}",
            )
        )
    )

    blocks.append(Heading(level=2, text=_t("network_scores", lang)))
    if view.show_ranks:
        blocks.append(Paragraph(text=_t("ranks_note", lang)))
    headers = (_t("organisation", lang), _t("period", lang), *view.labels)
    rows = []
    for row in view.rows:
        who = f"{row.name} ({row.organisation})" if row.name else row.organisation
        cells = [fmt.num(score) for score in row.scores]
        if view.show_ranks:
            cells = [
                cell if math.isnan(rank) else f"{cell} (#{int(rank)})"
                for cell, rank in zip(cells, row.ranks, strict=True)
            ]
        rows.append((who, row.period, *cells))
    blocks.append(Table(headers=headers, rows=tuple(rows)))

    blocks.append(Heading(level=2, text=_t("distributions", lang)))
    keys = ("count", "minimum", "q1", "median", "q3", "maximum", "mean")
    blocks.append(
        Table(
            headers=(_t("node", lang), _t("period", lang), *(_t(key, lang) for key in keys)),
            rows=tuple(
                (d.label, d.period, str(d.count), *(fmt.num(getattr(d, key)) for key in keys[1:]))
                for d in view.distributions
            ),
        )
    )

    blocks.append(Heading(level=2, text=_t("peer_groups", lang)))
    if view.peer_groups:
        blocks.append(
            Table(
                headers=(_t("attribute", lang), _t("group", lang), _t("period", lang), _t("count", lang), *view.labels),
                rows=tuple(
                    (_t(g.attribute, lang), g.group, g.period, str(g.count), *(fmt.num(m) for m in g.means))
                    for g in view.peer_groups
                ),
            )
        )
    else:
        blocks.append(Paragraph(text=_t("no_peer_groups", lang)))

    blocks.append(Heading(level=2, text=_t("changes", lang)))
    if view.changes:
        blocks.append(
            Table(
                headers=(_t("organisation", lang), _t("from_period", lang), _t("to_period", lang), *view.labels),
                rows=tuple(
                    (c.organisation, c.from_period, c.to_period, *(fmt.signed(v) for v in c.changes))
                    for c in view.changes
                ),
            )
        )
    else:
        blocks.append(Paragraph(text=_t("no_changes", lang)))
    return blocks


def provenance_blocks(prov: Provenance, lang: str) -> list[Block]:
    """The provenance section: versions, plugins, methods (grouped by method) and date."""
    plugins = ", ".join(f"{name} {version}" for name, version in prov.plugins) or _t("none", lang)
    by_method: dict[str, list[str]] = {}
    for code, method in prov.methods:
        by_method.setdefault(method, []).append(code)
    items = [
        f"{_t('vises_version', lang)}: {prov.vises_version}",
        f"{_t('grid', lang)}: {prov.grid}",
        f"{_t('grid_version', lang)}: {prov.grid_version}",
        f"{_t('plugins', lang)}: {plugins}",
        f"{_t('pooling', lang)}: {pooling_text(prov.pooling, lang)}",
        f"{_t('created', lang)}: {format_date(prov.created, lang) if prov.created else '—'} ({prov.created})",
    ]
    return [
        Heading(level=2, text=_t("provenance", lang)),
        Items(items=tuple(items)),
        Table(
            headers=(_t("methods_used", lang), _t("code", lang)),
            rows=tuple((m, ", ".join(c)) for m, c in by_method.items()),
        ),
    ]


def document(
    results: Results,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | Options | None = None,
) -> list[Block]:
    """The blocks of a report: the chosen view, then its provenance."""
    check_view(view)
    opts = options if isinstance(options, Options) else parse_options(options)
    if view == "profile":
        profile = profile_view(results, organisation=organisation, period=period, lang=lang, options=opts)
        lang_used = profile.lang
        blocks = _profile_blocks(profile, _Fmt(lang_used, opts.digits))
    else:
        network = network_view(results, lang=lang, options=opts, period=period)
        lang_used = network.lang
        blocks = _network_blocks(network, _Fmt(lang_used, opts.digits), results.grid.label_in(lang_used))
    return blocks + provenance_blocks(provenance(results), lang_used)


def _plain(blocks: list[Block]) -> str:
    from tabulate import tabulate

    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            underline = {1: "=", 2: "-"}.get(block.level)
            out.append(block.text)
            if underline:
                out.append(underline * len(block.text))
        elif isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Items):
            out.extend(f"  - {item}".replace("\n", "\n    ") for item in block.items)
        else:
            out.append(
                tabulate(list(block.rows), headers=list(block.headers), tablefmt="simple", disable_numparse=True)
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_table(
    results: Results,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """A plain-text report for the terminal."""
    return _plain(document(results, lang=lang, view=view, organisation=organisation, period=period, options=options))
