"""The CIDS export (``--format cids``): results as JSON-LD in Common Approach's Common Impact Data Standard.

One organisation × period (profile view) or a whole network. Each organisation is a
``cids:Organization`` owning its Outcomes, Indicators and IndicatorReports (CIDS gives each of them
exactly one organisation); what the centres of a network share — the federation's grid — is a
``cids:StandardsOrganization`` (the grid's publisher) that *defines* every indicator, and a
``cids:Code`` per grid indicator that every centre's indicator cites, so a funder can line up one
indicator across centres. IndicatorReports carry the **raw measured values** in the indicator's
unit, never the 0–100 scores; scores are exported only when asked (``scores=true``), each as an
indicator of its own. The mapping, what is left out and why: ``docs/standards.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.engine.measured import (
    MeasuredColumn,
    first_rows,
    measured_column,
    number_texts,
    target_of,
    text_of,
    unit_description,
    value_text,
)
from vises.errors import ConfigError, ReportError, did_you_mean
from vises.i18n import check_lang
from vises.model import Evaluation, Indicator, label_in
from vises.model.calendar import period_spans, xsd_datetime
from vises.standards import impact, jsonld
from vises.standards.codebook import CodeBook, measure, segment
from vises.standards.options import DEFAULT_NAMESPACE, CidsOptions, parse_cids_options
from vises.standards.outcomes import OutcomeMap, outcome_map
from vises.validation.codes import sdg_goal_of

if TYPE_CHECKING:  # pragma: no cover
    from vises.contract.records import ReportRequest
    from vises.engine.results import Results

Node_ = dict[str, Any]


def grid_name(results: Results) -> str:
    """The grid's code: as registered (``wallonie.cisp``), or as its file gives it."""
    return results.grid.code


def render_cids(results: Results, request: ReportRequest) -> str:
    """The CIDS JSON-LD document of ``results`` for ``request`` (view, organisation, period, options)."""
    return "".join(iter_cids(results, request))


def iter_cids(results: Results, request: ReportRequest) -> Iterator[str]:
    """The document in pieces, one organisation's nodes at a time; ``"".join`` of them is ``render_cids``.

    Each node is one line, written by json's C encoder (``indent=`` runs the pure-Python one, so it
    is used only when asked); nothing but the nodes every organisation shares (codes, themes, the
    grid's targets) is held beyond the organisation being written.
    """
    options = parse_cids_options(request.options)
    rows = export_rows(results, view=request.view, organisation=request.organisation, period=request.period)
    export = CidsExport(results, options, _lang(results, request.language))
    encode = _encoder(options.indent)
    yield '{"@context": ' + json.dumps(jsonld.context(options.context), ensure_ascii=False) + ',\n"@graph": ['
    separator = "\n"
    for nodes in export.pieces(rows):
        if nodes:
            yield separator + ",\n".join(map(encode, nodes))
            separator = ",\n"
    yield "\n]}\n"


def _encoder(indent: int) -> Callable[[Node_], str]:
    if not indent:
        return json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode

    def encode(node: Node_) -> str:
        text = json.dumps(node, ensure_ascii=False, indent=indent, allow_nan=False)
        return text.replace("\n", "\n" + " " * indent)

    return encode


def _lang(results: Results, lang: str | None) -> str:
    if lang is not None:
        return check_lang(lang)
    return next((code for code in results.grid.languages if code in ("fr", "nl", "en")), "en")


def export_rows(results: Results, *, view: str, organisation: str | None, period: str | None) -> np.ndarray:
    """The rows exported: one organisation × period (profile), else every row, narrowed by organisation/period."""
    if view not in ("network", "profile"):
        raise ConfigError(f"unknown report view {view!r}", hint="use view 'profile' or 'network'")
    if view == "profile":
        if organisation is None:
            known = sorted(set(results.organisations.tolist()))
            raise ConfigError(
                "the profile view needs an organisation",
                hint=f"pass organisation= (one of: {', '.join(known[:10])}{', ...' if len(known) > 10 else ''})",
            )
        return np.array([results.row(organisation, period)])
    mask = np.ones(len(results), dtype=bool)
    if organisation is not None:
        results.row(organisation)  # an unknown organisation is named, with the known ones
        mask &= results.organisations == str(organisation)
    if period is not None:
        if str(period) not in results.period_values:
            raise ConfigError(
                f"period {period!r} is not in the results",
                hint=did_you_mean(str(period), results.period_values)
                or f"the periods: {', '.join(results.period_values)}",
            )
        mask &= results.periods == str(period)
    return np.flatnonzero(mask)


class CidsExport:
    """Builds the graph of one export; every node is written once, links point at ``@id`` IRIs."""

    def __init__(self, results: Results, options: CidsOptions, lang: str) -> None:
        self.results = results
        self.options = options
        self.lang = lang
        grid = results.grid
        self.grid = grid
        self.grid_name = grid_name(results)
        self.namespace = options.namespace or grid.namespace or f"{DEFAULT_NAMESPACE}{segment(self.grid_name)}:"
        self.publisher = options.publisher or grid.publisher
        self.codes = CodeBook(self.namespace)
        self.outcomes: OutcomeMap = outcome_map(grid)
        self.spans = {
            p: (xsd_datetime(a), xsd_datetime(b)) for p, (a, b) in period_spans(results.period_values).items()
        }
        starts = sorted(self.spans, key=lambda p: self.spans[p])
        rank = {p: i for i, p in enumerate(starts)}
        self.period_rank = np.array([rank[p] for p in results.period_values])[_period_positions(results)]
        self.org_codes, self.org_index = np.unique(results.organisations, return_inverse=True)
        self.org_index = self.org_index.reshape(-1)
        self.created = str(results.provenance.get("created") or "")
        self.nodes: dict[str, Node_] = {}
        #: Nodes every organisation points at (the grid's targets), written once at the end.
        self.shared: dict[str, Node_] = {}
        self.evaluations = _evaluation_index(results)
        self.columns: dict[str, MeasuredColumn] = {}
        self.score_columns: dict[str, tuple[np.ndarray, np.ndarray, dict[int, int]]] = {}
        self._grid_iri = f"{self.namespace}grid/{segment(self.grid_name)}/{segment(self.grid.version)}"
        self.aims: dict[str, tuple[str, str] | None] = {}
        self.baselines: dict[str, dict[int, int]] = {}

    # -- IRIs -----------------------------------------------------------------------------------
    def org_iri(self, org: str) -> str:
        return f"{self.namespace}organisation/{segment(org)}"

    def grid_iri(self) -> str:
        return self._grid_iri

    def publisher_iri(self) -> str:
        return f"{self.namespace}publisher"

    # -- the graph ------------------------------------------------------------------------------
    def add(self, node: Node_) -> str:
        self.nodes[node["@id"]] = node
        return str(node["@id"])

    def graph(self, rows: np.ndarray) -> list[Node_]:
        """Every node of the export."""
        return [node for nodes in self.pieces(rows) for node in nodes]

    def pieces(self, rows: np.ndarray) -> Iterator[list[Node_]]:
        """The nodes of each organisation in turn, then those they share (publisher, codes, targets)."""
        results = self.results
        names = results.organisation_names()
        exported = sorted(set(results.organisations[rows].tolist()))
        nameless = [org for org in exported if not names.get(org, "").strip()]
        if nameless:
            listed = ", ".join(repr(org) for org in nameless[:10]) + (", ..." if len(nameless) > 10 else "")
            raise ReportError(
                f"CIDS needs the legal name of every organisation; {len(nameless)} have none: {listed}",
                hint="name them in the evaluations file ([[organisations]] code/name) or a 'name' column",
            )
        self.underserved = impact.underserved_groups(self)
        definer = self.codes.organisation(self.publisher_iri(), self.publisher) if self.publisher else None
        for ind in self.grid.measured_indicators:
            column = measured_column(results, ind)
            self.columns[ind.code] = column
            # Each organisation's earliest measured value, found for all of them in one pass.
            self.baselines[ind.code] = first_rows(column.measured, self.org_index, self.period_rank)
        # The exported rows of each organisation, grouped once (rows in their order within a group).
        ordered = rows[np.argsort(self.org_index[rows], kind="stable")]
        owners = self.org_index[ordered]
        bounds = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]]) if len(ordered) else np.array([], int)
        for group in np.split(ordered, bounds[1:]) if len(ordered) else []:
            position = int(self.org_index[group[0]])
            org = str(self.org_codes[position])
            self.nodes = {}
            self._organisation(org, position, names[org], group, definer)
            yield list(self.nodes.values())
        yield [*self.shared.values(), *self.codes.nodes.values()]

    def _organisation(self, org: str, position: int, name: str, own_rows: np.ndarray, definer: str | None) -> None:
        org_iri = self.org_iri(org)
        organisation: Node_ = {"@id": org_iri, "@type": "cids:Organization", "hasLegalName": name}
        self.add(organisation)
        indicators: list[str] = []
        by_outcome: dict[str, list[Indicator]] = {}
        for ind in self.grid.measured_indicators:
            baseline = self.baselines[ind.code].get(position)
            if baseline is None:
                continue  # never measured by this organisation: not one of its indicators
            indicators.append(self._indicator(org, ind, self.columns[ind.code], baseline, own_rows, definer))
            outcome = self.outcomes.of.get(ind.code)
            if outcome is not None:
                by_outcome.setdefault(outcome, []).append(ind)
        if self.options.scores:
            indicators += self._score_indicators(org, position, own_rows, definer)
        made = [impact.outcome(self, org, code, by_outcome.get(code, []), own_rows) for code in self.outcomes.codes]
        outcomes = [iri for iri in made if iri is not None]
        impact.stakeholders(self, org, by_outcome, own_rows)
        if outcomes:
            organisation["hasOutcome"] = outcomes
        if indicators:
            organisation["hasIndicator"] = indicators

    def _indicator(
        self,
        org: str,
        ind: Indicator,
        column: MeasuredColumn,
        baseline: int,
        rows: np.ndarray,
        definer: str | None,
    ) -> str:
        org_iri = self.org_iri(org)
        iri = f"{org_iri}/indicator/{segment(ind.code)}"
        label = ind.label_in(self.lang)
        node: Node_ = {
            "@id": iri,
            "@type": "cids:Indicator",
            "hasName": label,
            "hasDescription": self._indicator_description(ind, label),
            "unitDescription": unit_description(ind, self.lang),
            "forOrganization": org_iri,
        }
        self.add(node)
        if definer is not None:
            node["definedBy"] = definer
        outcome = self.outcomes.of.get(ind.code)
        if outcome is not None:
            node["forOutcome"] = self.outcome_iri(org, outcome)
        codes = [self._grid_code(ind, definer)]
        codes += [self.codes.scheme_code(scheme, str(value)) for scheme, value in ind.external_ids.items()]
        codes += [self.codes.scheme_code("sdg", target) for target in ind.sdg_targets]
        node["hasCode"] = codes
        goals = dict.fromkeys(sdg_goal_of(target) for target in ind.sdg_targets)
        if goals:
            node["forTheme"] = [self.codes.theme(goal) for goal in goals]
        node["hasBaseline"] = measure(f"{iri}/baseline", column.text[baseline])
        if ind.code not in self.aims:
            found = target_of(self.grid, ind)
            self.aims[ind.code] = None if found is None else (value_text(ind, found[0]), found[1])
        aim = self.aims[ind.code]
        reports, targets = [], []
        for row in rows[column.measured[rows]].tolist():
            target = self._target(ind, aim, row) if aim is not None else None
            if target is not None:
                targets.append(target)
            reports.append(self._report(iri, org_iri, ind.code, label, column.text[row], row, target))
        if reports:
            node["hasIndicatorReport"] = reports
        if targets:
            node[jsonld.HAS_TARGET] = [jsonld.link(target) for target in targets]
        return iri

    def _indicator_description(self, ind: Indicator, label: str) -> str:
        own = label_in(ind.description, self.lang, "") if ind.description else ""
        text = own or label
        return text + f" (indicator {ind.code!r} of grid {self.grid_name} version {self.grid.version})"

    def _grid_code(self, ind: Indicator, definer: str | None) -> str:
        iri = f"{self.grid_iri()}/{segment(ind.code)}"
        return self.codes.code(
            iri,
            value=ind.code,
            name=f"{self.grid_name} {self.grid.version}: {ind.code}",
            description=ind.label_in(self.lang) + (f". Source: {ind.source}" if ind.source else ""),
            specification=self.grid_iri(),
            definer=definer,
            measure_iri=f"{iri}/value",
        )

    def _report(
        self, indicator_iri: str, org_iri: str, code: str, label: str, text: str, row: int, target: str | None
    ) -> str:
        results = self.results
        period = str(results.periods[row])
        iri = f"{indicator_iri}/report/{segment(period)}"
        start, end = self.spans[period]
        node: Node_ = {
            "@id": iri,
            "@type": "cids:IndicatorReport",
            "hasName": f"{label}, {period}",
            "forOrganization": org_iri,
            "forIndicator": indicator_iri,
            "startedAtTime": start,
            "endedAtTime": end,
        }
        self.add(node)
        node["value"] = measure(f"{iri}/value", text)
        comments = list(self.comments(code, row))
        if comments:
            node["hasComment"] = comments
        if target is not None:
            node[jsonld.FOR_TARGET] = jsonld.link(target)
        return iri

    def _target(self, ind: Indicator, aim: tuple[str, str], row: int) -> str:
        """The grid's target for one period: the same for every centre, so written once for all."""
        period = str(self.results.periods[row])
        iri = f"{self.grid_iri()}/{segment(ind.code)}/target/{segment(period)}"
        if iri in self.shared:
            return iri
        start, end = self.spans[period]
        value, where = aim
        node: Node_ = {
            "@id": iri,
            "@type": "cids:Target",
            "hasName": f"Target: {ind.label_in(self.lang)}, {period}",
            "hasComment": f"{where} (grid {self.grid_name} version {self.grid.version})",
            "startedAtTime": start,
            "endedAtTime": end,
        }
        self.shared[iri] = node
        if self.created:
            node[jsonld.DATE_CREATED] = jsonld.typed(self.created, "xsd:dateTime")
        node["value"] = measure(f"{iri}/value", value)
        return iri

    def comments(self, code: str, row: int) -> Iterator[str]:
        """A value's comment column and the evaluation's narrative on it."""
        column = self.results.dataset.text.get(code)
        if column is not None and (text := text_of(column[row])):
            yield text
        evaluation = self.evaluation(row)
        if evaluation is not None and (text := text_of(evaluation.narrative.get(code))):
            yield text

    def evaluation(self, row: int) -> Evaluation | None:
        key = (str(self.results.organisations[row]), str(self.results.periods[row]))
        return self.evaluations.get(key) or self.evaluations.get((key[0], None))

    # -- scores, on request ---------------------------------------------------------------------
    def _score_indicators(self, org: str, position: int, rows: np.ndarray, definer: str | None) -> list[str]:
        results = self.results
        org_iri = self.org_iri(org)
        if not self.score_columns:
            for code in results.codes:
                if not results.is_indicator(code):
                    present = ~np.isnan(results.score(code))
                    first = first_rows(present, self.org_index, self.period_rank)
                    self.score_columns[code] = (present, number_texts(results.score(code)), first)
        made = []
        for code, (present, texts, firsts) in self.score_columns.items():
            if position not in firsts:
                continue
            iri = f"{org_iri}/score/{segment(code)}"
            label = results.label(code, self.lang)
            name = f"vises score of {label} (grid {self.grid_name} version {self.grid.version})"
            node: Node_ = {
                "@id": iri,
                "@type": "cids:Indicator",
                "hasName": name,
                "hasDescription": (
                    f"Composite score computed by vises for node {code!r} of grid {self.grid_name} version "
                    f"{self.grid.version} ({results.method(code)}); higher is better. Not a measured value."
                ),
                "unitDescription": "vises score (0–100 by default; higher is better)",
                "forOrganization": org_iri,
            }
            if definer is not None:
                node["definedBy"] = definer
            if code in self.outcomes.codes:
                node["forOutcome"] = self.outcome_iri(org, code)
            node["hasBaseline"] = measure(f"{iri}/baseline", texts[firsts[position]])
            reports = [self._report(iri, org_iri, code, name, texts[row], row, None) for row in rows[present[rows]]]
            if reports:
                node["hasIndicatorReport"] = reports
            made.append(self.add(node))
        return made

    # -- outcomes, stakeholders, impact reports (impact.py) -------------------------------------
    def outcome_iri(self, org: str, code: str) -> str:
        return f"{self.org_iri(org)}/outcome/{segment(code)}"


def _period_positions(results: Results) -> np.ndarray:
    """Each row's position in ``results.period_values``."""
    positions = {p: i for i, p in enumerate(results.period_values)}
    distinct, inverse = np.unique(results.periods, return_inverse=True)
    return np.array([positions[str(p)] for p in distinct.tolist()], dtype=np.intp)[inverse.reshape(-1)]


def _evaluation_index(results: Results) -> dict[tuple[str, str | None], Evaluation]:
    """Evaluations by (organisation, period); ``None`` for one that applies to every period."""
    index: dict[tuple[str, str | None], Evaluation] = {}
    for evaluation in results.dataset.evaluations:
        index.setdefault((evaluation.organisation, evaluation.period), evaluation)
    return index
