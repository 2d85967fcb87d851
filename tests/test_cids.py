"""The CIDS export: Common Approach's SHACL shapes, a round trip through rdflib, the mapping's rules.

The shapes, context and code lists are read from ``../shared/datasets/cids`` (the repository's
sibling) or ``/work/shared/datasets/cids``; the tests that need them are skipped, saying why, when
the folder is absent. The published context is inlined before parsing, so nothing goes online.

The Essential-tier file of that commit has two encoding defects that no export can satisfy: every
"zero or more" property is written ``sh:maxCount 0`` (so ``Organization.hasOutcome``,
``Indicator.hasCode``, ``Indicator.forOutcome``... are forbidden), and ``Stakeholder.hasCatchmentArea``
has an undefined blank-node datatype instead of its list of values. ``corrected`` repairs exactly
those two in memory; a test checks that, against the file as published, every extra result is one
of them.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import vises
from vises.errors import ConfigError, ReportError
from vises.model.calendar import period_span
from vises.standards import raw_values
from vises.standards.jsonld import CIDS_CONTEXT_URL, PREFIXES, TERMS

rdflib = pytest.importorskip("rdflib", reason="rdflib (dev extra) parses the JSON-LD back")
from rdflib.collection import Collection  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CIDS_DIR = next(
    (p for p in (ROOT / ".." / "shared" / "datasets" / "cids", Path("/work/shared/datasets/cids")) if p.is_dir()),
    None,
)
slow_shapes = pytest.mark.slow  # pyshacl takes seconds over the ~40,000 triples of the network
needs_cids = pytest.mark.skipif(
    CIDS_DIR is None, reason="the CIDS shapes and context (../shared/datasets/cids) are absent"
)
DATA = ROOT / "examples" / "data" / "wallonie_cisp.csv"
GRID_FILE = ROOT / "plugins" / "vises-wallonie" / "src" / "vises_wallonie" / "grids" / "cisp.toml"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")
NS = "https://data.example.org/cisp/"
OPTIONS = {
    "namespace": NS,
    "publisher": "Interfédération des CISP (illustrative)",
    "catchment_area": "local",
    "underserved": ["trainees"],
}
CIDS = rdflib.Namespace("https://ontology.commonapproach.org/cids#")
ORG = rdflib.Namespace("http://ontology.eil.utoronto.ca/tove/organization#")
I72 = rdflib.Namespace("http://ontology.eil.utoronto.ca/ISO21972/iso21972#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SCH = rdflib.Namespace("http://schema.org/")
SH = rdflib.namespace.SH
CSH = rdflib.Namespace("https://ontology.commonapproach.org/cids/shacl#")


def parse(text: str) -> rdflib.Graph:
    """The export as RDF, the published context inlined in place of its URL (offline)."""
    document = json.loads(text)
    if document["@context"] == CIDS_CONTEXT_URL:
        if CIDS_DIR is None:
            pytest.skip("the published CIDS context (../shared/datasets/cids) is absent")
        document["@context"] = json.loads((CIDS_DIR / "cidsContext.jsonld").read_text())["@context"]
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


def shapes(tier: str) -> rdflib.Graph:
    assert CIDS_DIR is not None
    return rdflib.Graph().parse(CIDS_DIR / f"cids.{tier}.shacl.ttl", format="turtle")


def corrected(graph: rdflib.Graph) -> rdflib.Graph:
    """The shapes with their two encoding defects repaired (see the module docstring)."""
    fixed = rdflib.Graph()
    for triple in graph:
        fixed.add(triple)
    for shape in set(fixed.subjects(CSH.cardinality, CSH.ZeroOrMore)):
        fixed.remove((shape, SH.maxCount, rdflib.Literal(0)))
    for shape, datatype in list(fixed.subject_objects(SH.datatype)):
        if isinstance(datatype, rdflib.BNode):
            fixed.remove((shape, SH.datatype, datatype))
            fixed.add((shape, SH.datatype, rdflib.XSD.string))
            allowed = rdflib.BNode()
            values = sorted(rdflib.Literal(str(v), datatype=rdflib.XSD.string) for v in fixed.objects(shape, CSH["in"]))
            Collection(fixed, allowed, values)
            fixed.add((shape, SH["in"], allowed))
    return fixed


def validate(data: rdflib.Graph, shape_graph: rdflib.Graph) -> tuple[bool, list[tuple[str, str, str]]]:
    """Whether ``data`` conforms, and each result as (source shape, focus node, severity)."""
    pyshacl = pytest.importorskip("pyshacl", reason="pyshacl (dev extra) validates against the CIDS shapes")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shape_graph, inference="none")
    found = [
        (
            str(report.value(result, SH.sourceShape)).rsplit("#", 1)[-1],
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
        )
        for result in report.subjects(rdflib.RDF.type, SH.ValidationResult)
    ]
    return bool(conforms), found


@pytest.fixture(scope="module")
def results(federation) -> vises.Results:
    federation("wallonie")
    return vises.score("wallonie.cisp", DATA)


@pytest.fixture(scope="module")
def network(results: vises.Results) -> str:
    return vises.render(results, "cids", lang="en", options=OPTIONS)


@pytest.fixture(scope="module")
def graph(network: str) -> rdflib.Graph:
    return parse(network)


@pytest.fixture(scope="module")
def essential(graph: rdflib.Graph) -> dict[str, tuple[bool, list[tuple[str, str, str]]]]:
    """The network export against the Essential tier, as published and with its defects repaired."""
    if CIDS_DIR is None:
        pytest.skip("the CIDS shapes (../shared/datasets/cids) are absent")
    published = shapes("essentialtier")
    return {"published": validate(graph, published), "corrected": validate(graph, corrected(published))}


@pytest.fixture(scope="module")
def reported(graph: rdflib.Graph) -> dict[tuple[str, str, str], str]:
    """(indicator code, organisation IRI, period start year) -> reported value, for every report."""
    out = {}
    for report in graph.subjects(rdflib.RDF.type, CIDS.IndicatorReport):
        code = str(graph.value(report, CIDS.forIndicator)).rsplit("/", 1)[-1]
        year = str(graph.value(report, PROV.startedAtTime))[:4]
        value = str(graph.value(graph.value(report, I72.value), I72.hasNumericalValue))
        out[(code, str(graph.value(report, CIDS.forOrganization)), year)] = value
    return out


def _csv_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- the shapes -----------------------------------------------------------------------------------


@slow_shapes
@needs_cids
def test_network_export_conforms_to_the_basic_tier(graph: rdflib.Graph) -> None:
    conforms, found = validate(graph, shapes("basictier"))
    assert found == [] and conforms


def _untargeted_indicators() -> set[str]:
    """Indicators of the grid file with neither a target nor goalposts, read from the file itself."""
    grid = tomllib.loads(GRID_FILE.read_text(encoding="utf-8"))
    out = set()
    for ind in grid["indicators"]:
        method = ind.get("normaliser")
        has_goalposts = isinstance(method, dict) and method.get("method") == "goalposts"
        if ind.get("kind") != "narrative" and "target" not in ind and not has_goalposts:
            out.add(ind["code"])
    return out


@slow_shapes
@needs_cids
def test_network_export_meets_the_essential_tier_where_the_data_exist(graph: rdflib.Graph, essential: dict) -> None:
    """With the shapes' defects repaired, the only gaps are data the example does not have: a target
    for indicators without one, and how much (scale, depth) for impact reports, which the grid does
    not tag."""
    conforms, found = essential["corrected"]
    assert not conforms
    untargeted = _untargeted_indicators()
    # The volumes kept as context, the counts behind the exit rates, and the intensities derived from them.
    assert untargeted == {
        "communication_actions",
        "communication_per_fte",
        "dropouts",
        "exits_to_training",
        "exits_to_work",
        "hours_per_trainee",
        "information_sessions",
        "information_sessions_per_fte",
        "leavers",
        "social_worker_fte",
        "staff_fte",
        "staff_training",
        "staff_turnover",
        "trainees",
        "trainees_per_social_worker",
        "training_hours",
    }
    reports_without_target = {
        str(report)
        for report, ind in graph.subject_objects(CIDS.forIndicator)
        if str(ind).rsplit("/", 1)[-1] in untargeted
    }
    impact_reports = {str(s) for s in graph.subjects(rdflib.RDF.type, CIDS.ImpactReport)}
    assert impact_reports  # the 2019 evaluations of the example give eight organisations one
    expected = (
        {("IndicatorReport_forTarget_PropertyShape", r, "Violation") for r in reports_without_target}
        | {("ImpactReport_hasImpactScale_PropertyShape", r, "Violation") for r in impact_reports}
        | {("ImpactReport_hasImpactDepth_PropertyShape", r, "Violation") for r in impact_reports}
    )
    assert set(found) == expected and len(found) == len(expected)


@slow_shapes
@needs_cids
def test_against_the_published_essential_file_every_extra_result_is_one_of_its_defects(essential: dict) -> None:
    published = shapes("essentialtier")
    _, as_published = essential["published"]
    _, repaired = essential["corrected"]
    zero_or_more = {str(s).rsplit("#", 1)[-1] for s in published.subjects(CSH.cardinality, CSH.ZeroOrMore)}
    blank_datatype = {
        str(s).rsplit("#", 1)[-1] for s, o in published.subject_objects(SH.datatype) if isinstance(o, rdflib.BNode)
    }
    extra = Counter(as_published) - Counter(repaired)
    assert extra
    assert {shape for shape, _, _ in extra} <= zero_or_more | blank_datatype
    assert not Counter(repaired) - Counter(as_published)


def _conforming_case(tmp_path: Path) -> vises.Results:
    """A grid and data in which every Essential-tier datum exists."""
    (tmp_path / "grid.toml").write_text(
        """
code = "mini"
version = "1.0"
languages = ["en"]
publisher = "Mini federation"
namespace = "https://mini.example.org/"

[[nodes]]
code = "root"
label = { en = "Root" }

[[nodes]]
code = "exits"
parent = "root"
label = { en = "Exits to work" }
description = { en = "Trainees who leave for a job" }
tags = ["outcome"]

[[indicators]]
code = "people"
parent = "exits"
unit = "person"
label = { en = "Trainees" }
normaliser = { method = "goalposts", lower = 0, upper = 100 }
stakeholders = ["trainees"]
tags = ["scale"]
external_ids = { iris = "PI4060" }

[[indicators]]
code = "confidence"
parent = "exits"
kind = "scale"
label = { en = "Confidence gained" }
levels = [
  { value = "1", label = { en = "None" } },
  { value = "2", label = { en = "Some" } },
  { value = "3", label = { en = "Much" } },
]
normaliser = { method = "goalposts", lower = 1, upper = 3 }
stakeholders = ["trainees"]
tags = ["depth"]
sdg_targets = ["8.5"]

[[indicators]]
code = "notes"
parent = "exits"
kind = "narrative"
""",
        encoding="utf-8",
    )
    (tmp_path / "data.csv").write_text(
        "organisation,period,people [person],confidence,notes\n"
        "a,2018,40,2,first year\n"
        "a,2019,55,3,\n"
        "b,2019,12,1,small centre\n",
        encoding="utf-8",
    )
    (tmp_path / "data.evaluations.toml").write_text(
        """
[[organisations]]
code = "a"
name = "Centre A"

[[organisations]]
code = "b"
name = "Centre B"

[[evaluations]]
organisation = "a"
period = "2019"
questions = ["Do our trainees find work?"]
stakeholders = ["trainees"]

[[evaluations]]
organisation = "b"
questions = ["Do our trainees gain confidence?"]
stakeholders = ["trainees"]
""",
        encoding="utf-8",
    )
    return vises.score(tmp_path / "grid.toml", tmp_path / "data.csv")


@needs_cids
def test_an_export_with_every_datum_conforms_to_both_tiers(tmp_path: Path) -> None:
    results = _conforming_case(tmp_path)
    text = vises.render(results, "cids", options={"catchment_area": "local", "underserved": "trainees"})
    data = parse(text)
    assert validate(data, shapes("basictier")) == (True, [])
    assert validate(data, corrected(shapes("essentialtier"))) == (True, [])
    # The grid's own publisher and namespace were used.
    assert (rdflib.URIRef("https://mini.example.org/publisher"), ORG.hasLegalName, None) in data
    assert len(set(data.subjects(rdflib.RDF.type, CIDS.ImpactReport))) == 3  # a 2018 has the narrative only


@needs_cids
def test_a_broken_export_fails_the_shapes(results: vises.Results) -> None:
    document = json.loads(vises.render(results, "cids", view="profile", organisation="cisp_03", options=OPTIONS))
    organisation = next(n for n in document["@graph"] if n["@type"] == "cids:Organization")
    del organisation["hasLegalName"]
    report = next(n for n in document["@graph"] if n["@type"] == "cids:IndicatorReport")
    report["endedAtTime"] = "2019-13-45T00:00:00"
    conforms, found = validate(parse(json.dumps(document)), shapes("basictier"))
    assert not conforms
    assert sorted((shape, focus) for shape, focus, _ in found) == sorted(
        [
            ("Organization_hasLegalName_PropertyShape", organisation["@id"]),
            ("IndicatorReport_endedAtTime_PropertyShape", report["@id"]),
        ]
    )


# -- round trip -----------------------------------------------------------------------------------


def test_round_trip_gives_the_raw_values_given(reported: dict[tuple[str, str, str], str]) -> None:
    rows = _csv_rows()
    org = {row["organisation"]: f"{NS}organisation/{row['organisation']}" for row in rows}
    checks = {
        "exits_to_work": ("exits_to_work [person]", float),
        "dropouts": ("dropouts [person]", float),
        "trainees": ("trainees [person]", float),
        "social_participation": ("social_participation", str),
        "work_placement": ("work_placement", str),
        # Given in minutes, reported in the grid's unit (trainee-hours).
        "training_hours": ("training_hours [min]", lambda text: float(text) / 60.0),
    }
    for code, (column, convert) in checks.items():
        exported = {(org_iri, year): value for (ind, org_iri, year), value in reported.items() if ind == code}
        given = {(org[row["organisation"]], row["period"]): convert(row[column]) for row in rows if row[column] != ""}
        assert set(exported) == set(given), code
        for key, value in given.items():
            if isinstance(value, float):
                assert float(exported[key]) == pytest.approx(value, rel=1e-12), (code, key)
            else:
                assert exported[key] == value, (code, key)
    # A rate is reported as the value the grid derived: its numerator over its denominator, in percent.
    rate = {(ind, org_iri, year): value for (ind, org_iri, year), value in reported.items() if ind == "exit_employment"}
    for row in rows:
        key = ("exit_employment", org[row["organisation"]], row["period"])
        work, leavers = row["exits_to_work [person]"], row["leavers [person]"]
        if work and leavers and float(leavers) > 0:
            assert float(rate[key]) == pytest.approx(100 * float(work) / float(leavers), rel=1e-12), key
        else:
            assert key not in rate


def test_round_trip_gives_the_codes_given(graph: rdflib.Graph) -> None:
    def codes_of(indicator: str) -> set[str]:
        iri = rdflib.URIRef(f"{NS}organisation/cisp_02/indicator/{indicator}")
        return {str(value) for code in graph.objects(iri, CIDS.hasCode) for value in graph.objects(code, SCH.codeValue)}

    def code_iris(indicator: str) -> set[str]:
        return {
            str(c)
            for c in graph.objects(rdflib.URIRef(f"{NS}organisation/cisp_02/indicator/{indicator}"), CIDS.hasCode)
        }

    assert codes_of("trainees") == {"trainees", "PI4060"}
    assert "https://codelist.commonapproach.org/codeLists/IrisMetric53#PI4060" in code_iris("trainees")
    assert codes_of("training_hours") == {"training_hours", "PI5683", "4.4"}
    assert codes_of("exit_employment") == {"exit_employment", "8.5"}
    assert "https://metadata.un.org/sdg/8.5" in code_iris("exit_employment")
    themes = set(graph.objects(rdflib.URIRef(f"{NS}organisation/cisp_02/indicator/exit_employment"), CIDS.forTheme))
    assert themes == {rdflib.URIRef("https://metadata.un.org/sdg/8")}
    assert (
        rdflib.URIRef("https://metadata.un.org/sdg/8"),
        ORG.hasName,
        rdflib.Literal("Goal 8: Decent work and economic growth", datatype=rdflib.XSD.string),
    ) in graph


def test_reports_are_raw_values_never_scores_and_periods_are_calendar_years(
    graph: rdflib.Graph, results: vises.Results
) -> None:
    row = results.row("cisp_02", "2019")
    report = rdflib.URIRef(f"{NS}organisation/cisp_02/indicator/exit_employment/report/2019")
    value = graph.value(graph.value(report, I72.value), I72.hasNumericalValue)
    assert float(value) == results.raw("exit_employment")[row] != results.score("exit_employment")[row]
    assert str(graph.value(report, PROV.startedAtTime)) == "2019-01-01T00:00:00"
    assert str(graph.value(report, PROV.endedAtTime)) == "2019-12-31T23:59:59"
    assert not any("vises score" in str(name) for name in graph.objects(None, ORG.hasName))


def test_outcomes_are_the_nodes_tagged_outcome_not_the_practice_dimensions(graph: rdflib.Graph) -> None:
    outcomes = {str(o).rsplit("/", 1)[-1] for o in graph.subjects(rdflib.RDF.type, CIDS.Outcome)}
    # 'outcomes' is the tagged node; staff_turnover an outcome-tagged indicator in the 'team' practice.
    assert outcomes == {"outcomes", "staff_turnover"}
    pedagogy = rdflib.URIRef(f"{NS}organisation/cisp_02/indicator/individual_plan")
    assert (pedagogy, CIDS.forOutcome, None) not in graph
    exit_rate = rdflib.URIRef(f"{NS}organisation/cisp_02/indicator/exit_employment")
    assert graph.value(exit_rate, CIDS.forOutcome) == rdflib.URIRef(f"{NS}organisation/cisp_02/outcome/outcomes")


def test_comments_targets_baselines_stakeholders(graph: rdflib.Graph, results: vises.Results) -> None:
    # A comment column.
    # A comment column, here on a derived rate (its value has no column, its comment does).
    report = rdflib.URIRef(f"{NS}organisation/cisp_03/indicator/exit_employment/report/2019")
    assert str(graph.value(report, CIDS.hasComment)) == "Chiffre provisoire, à confirmer (synthetic)"
    # Goalposts are targets: the upper one for higher-is-better, the lower one for lower-is-better.
    for code, expected in (("exit_employment", "60"), ("dropout", "0"), ("work_placement", "yes")):
        target = rdflib.URIRef(f"{NS}grid/wallonie.cisp/2025.1/{code}/target/2019")  # the grid's, shared
        assert str(graph.value(graph.value(target, I72.value), I72.hasNumericalValue)) == expected
        assert (
            graph.value(rdflib.URIRef(f"{NS}organisation/cisp_01/indicator/{code}/report/2019"), CIDS.forTarget)
            == target
        )
    # The baseline is the organisation's earliest measured value (cisp_23 has no 2017 individual_plan).
    rows = {(row["organisation"], row["period"]): row for row in _csv_rows()}
    baseline = graph.value(rdflib.URIRef(f"{NS}organisation/cisp_23/indicator/individual_plan"), CIDS.hasBaseline)
    assert rows[("cisp_23", "2017")]["individual_plan"] == ""
    assert str(graph.value(baseline, I72.hasNumericalValue)) == rows[("cisp_23", "2018")]["individual_plan"]
    # Stakeholders from the indicators and from the evaluation; underserved as the option says.
    stakeholders = {str(graph.value(s, ORG.hasName)) for s in graph.objects(None, CIDS.forStakeholder)}
    assert "trainees" in stakeholders
    evaluated = {
        str(graph.value(s, ORG.hasName))
        for s in graph.subjects(CIDS.forOrganization, rdflib.URIRef(f"{NS}organisation/cisp_01"))
        if (s, rdflib.RDF.type, CIDS.Stakeholder) in graph
    }
    framing = results.evaluation("cisp_01", "2019")
    assert framing is not None and framing.stakeholders
    assert {*framing.stakeholders, "trainees"} <= evaluated
    flags = {
        str(graph.value(graph.value(so, CIDS.forStakeholder), ORG.hasName)): graph.value(
            so, CIDS.isUnderserved
        ).toPython()
        for so in graph.subjects(rdflib.RDF.type, CIDS.StakeholderOutcome)
    }
    assert flags == {"trainees": True, "workers": False}


def test_profile_view_is_one_organisation_and_period(results: vises.Results) -> None:
    data = parse(vises.render(results, "cids", view="profile", organisation="cisp_01", period="2018", options=OPTIONS))
    organisations = set(data.subjects(rdflib.RDF.type, CIDS.Organization)) - set(
        data.subjects(rdflib.RDF.type, CIDS.StandardsOrganization)
    )
    assert organisations == {rdflib.URIRef(f"{NS}organisation/cisp_01")}
    starts = {
        str(o)
        for s in data.subjects(rdflib.RDF.type, CIDS.IndicatorReport)
        for o in data.objects(s, PROV.startedAtTime)
    }
    assert starts == {"2018-01-01T00:00:00"}
    # The baseline still looks at every period of the organisation.
    baseline = data.value(rdflib.URIRef(f"{NS}organisation/cisp_01/indicator/exit_employment"), CIDS.hasBaseline)
    first = next(
        row
        for row in _csv_rows()
        if row["organisation"] == "cisp_01" and row["exits_to_work [person]"] and row["leavers [person]"]
    )
    expected = 100 * float(first["exits_to_work [person]"]) / float(first["leavers [person]"])
    assert float(data.value(baseline, I72.hasNumericalValue)) == pytest.approx(expected, rel=1e-12)


def test_scores_only_when_asked_each_its_own_indicator(results: vises.Results) -> None:
    options = {**OPTIONS, "scores": True}
    data = parse(vises.render(results, "cids", view="profile", organisation="cisp_05", period="2019", options=options))
    root = rdflib.URIRef(f"{NS}organisation/cisp_05/score/cisp")
    name = str(data.value(root, ORG.hasName))
    assert name.startswith("vises score of") and "grid wallonie.cisp version 2025.1" in name
    report = data.value(root, CIDS.hasIndicatorReport)
    value = float(data.value(data.value(report, I72.value), I72.hasNumericalValue))
    assert value == pytest.approx(results.score("cisp")[results.row("cisp_05", "2019")], rel=1e-12)
    outcome_score = rdflib.URIRef(f"{NS}organisation/cisp_05/score/outcomes")
    assert data.value(outcome_score, CIDS.forOutcome) == rdflib.URIRef(f"{NS}organisation/cisp_05/outcome/outcomes")


def test_imputed_values_are_not_measured_values(tmp_path: Path) -> None:
    (tmp_path / "g.toml").write_text(
        'code = "imp"\n[defaults]\nimputation = "mean"\n[[nodes]]\ncode = "r"\n'
        '[[indicators]]\ncode = "x"\nparent = "r"\nunit = "person"\n',
        encoding="utf-8",
    )
    (tmp_path / "d.csv").write_text("organisation,period,name,x [person]\na,2019,A,10\nb,2019,B,\nc,2019,C,30\n")
    results = vises.score(tmp_path / "g.toml", tmp_path / "d.csv")
    assert results.imputed("x").tolist() == [False, True, False]
    data = parse(vises.render(results, "cids", options={"context": "embedded"}))
    values = sorted(str(v) for v in data.objects(None, I72.hasNumericalValue) if str(v) in ("10", "20", "30"))
    assert values == ["10", "10", "30", "30"]  # report and baseline of a and c; nothing for b
    payload = raw_values(results)
    assert [row["x"] for row in payload["raw"]] == [10.0, None, 30.0]
    assert payload["imputed"] == [{}, {"x": 20.0}, {}]


# -- options, names, namespaces, periods, context ---------------------------------------------------


def test_the_namespace_comes_from_the_option_else_the_grid_else_a_urn(tmp_path: Path, results: vises.Results) -> None:
    text = vises.render(results, "cids", view="profile", organisation="cisp_01", options={"context": "embedded"})
    assert '"urn:vises:wallonie.cisp:organisation/cisp_01"' in text
    grid_ns = _conforming_case(tmp_path)
    assert '"https://mini.example.org/organisation/a"' in vises.render(grid_ns, "cids")
    assert '"https://other.example/organisation/a"' in vises.render(
        grid_ns, "cids", options={"namespace": "https://other.example/"}
    )


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"namesapce": "https://x/"}, ["unknown CIDS option", "namesapce", "did you mean 'namespace'"]),
        ({"namespace": "data.example.org"}, ["not an absolute IRI"]),
        ({"namespace": "https://data.example.org/cisp"}, ["ending in '/'"]),
        ({"catchment_area": "locale"}, ["catchment_area", "did you mean 'local'"]),
        ({"underserved": ["trainee"]}, ["unknown stakeholder group", "did you mean 'trainees'"]),
        ({"scores": "yes"}, ["'scores' must be true or false"]),
        ({"context": "inline"}, ["'context' must be one of remote, embedded"]),
    ],
)
def test_wrong_options_are_refused(results: vises.Results, options: dict[str, object], words: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        vises.render(results, "cids", options=options)
    for word in words:
        assert word in str(caught.value)


def test_an_organisation_without_a_name_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "g.toml").write_text('code = "n"\n[[nodes]]\ncode = "r"\n[[indicators]]\ncode = "x"\nparent = "r"\n')
    (tmp_path / "d.csv").write_text("organisation,period,x\na,2019,1\nb,2019,2\n")
    results = vises.score(tmp_path / "g.toml", tmp_path / "d.csv")
    with pytest.raises(ReportError, match=r"legal name .* 2 have none: 'a', 'b'"):
        vises.render(results, "cids")


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2019", "2019-01-01T00:00:00", "2019-12-31T23:59:59"),
        ("2020-02", "2020-02-01T00:00:00", "2020-02-29T23:59:59"),
        ("2019-Q4", "2019-10-01T00:00:00", "2019-12-31T23:59:59"),
        ("2019-S1", "2019-01-01T00:00:00", "2019-06-30T23:59:59"),
        ("2019-H2", "2019-07-01T00:00:00", "2019-12-31T23:59:59"),
        ("2019-03-15", "2019-03-15T00:00:00", "2019-03-15T23:59:59"),
        ("2019-09-01/2020-08-31", "2019-09-01T00:00:00", "2020-08-31T23:59:59"),
    ],
)
def test_period_calendar(period: str, start: str, end: str) -> None:
    first, last = period_span(period)
    assert (first.isoformat(), last.isoformat()) == (start, end)


@pytest.mark.parametrize("period", ["19", "2019-13", "2019-Q5", "2019-02-30", "2020-01-01/2019-01-01", "FY2019", ""])
def test_periods_that_cannot_be_dated_are_refused(period: str) -> None:
    with pytest.raises(ConfigError, match="period"):
        period_span(period)


def test_undatable_periods_are_named_when_exporting(tmp_path: Path) -> None:
    (tmp_path / "g.toml").write_text('code = "p"\n[[nodes]]\ncode = "r"\n[[indicators]]\ncode = "x"\nparent = "r"\n')
    (tmp_path / "d.csv").write_text("organisation,period,name,x\na,spring,A,1\na,2019,A,2\n")
    results = vises.score(tmp_path / "g.toml", tmp_path / "d.csv")
    with pytest.raises(ConfigError, match=r"periods 'spring' are not calendar periods"):
        vises.render(results, "cids")


@needs_cids
def test_the_embedded_context_says_what_the_published_one_says(results: vises.Results) -> None:
    published = json.loads((CIDS_DIR / "cidsContext.jsonld").read_text())["@context"]  # type: ignore[operator]
    for prefix, iri in PREFIXES.items():
        assert published[prefix] == iri
    for term, (iri, kind) in TERMS.items():
        assert published[term] == {"@id": iri, "@type": kind}, term
    remote = parse(vises.render(results, "cids", view="profile", organisation="cisp_04", options=OPTIONS))
    embedded = rdflib.Graph().parse(
        data=vises.render(
            results, "cids", view="profile", organisation="cisp_04", options={**OPTIONS, "context": "embedded"}
        ),
        format="json-ld",
    )
    from rdflib.compare import isomorphic

    assert isomorphic(remote, embedded)


def test_raw_values_payload(results: vises.Results) -> None:
    payload = raw_values(results)
    meta = payload["indicators"]
    assert meta["trainees"] == {
        "kind": "quantity",
        "unit": "person",
        "levels": [],
        "external_ids": {"iris": "PI4060"},
        "sdg_targets": [],
    }
    assert meta["work_placement"]["levels"] == ["no", "yes"]
    assert meta["training_hours"]["sdg_targets"] == ["4.4"]
    assert "trainee_voices" not in meta  # narratives are carried with the narratives
    row = results.row("cisp_01", "2019")
    csv_row = next(r for r in _csv_rows() if (r["organisation"], r["period"]) == ("cisp_01", "2019"))
    assert payload["raw"][row]["exits_to_work"] == float(csv_row["exits_to_work [person]"])
    rate = 100 * float(csv_row["exits_to_work [person]"]) / float(csv_row["leavers [person]"])
    assert payload["raw"][row]["exit_employment"] == pytest.approx(rate, rel=1e-12)
    assert payload["raw"][row]["work_placement"] == csv_row["work_placement"]
    assert payload["raw"][row]["social_participation"] == csv_row["social_participation"]
    assert len(payload["raw"]) == len(results)
    one = raw_values(results, rows=[row])
    assert one["raw"] == [payload["raw"][row]]
    json.dumps(one, allow_nan=False)


def test_every_measured_value_is_reported_once(graph: rdflib.Graph, results: vises.Results) -> None:
    # Scored, context and derived values alike; context values are never imputed.
    measured = sum(
        int((~np.isnan(results.raw(ind.code)) & ~(results.imputed(ind.code) if ind.scored else False)).sum())
        for ind in results.grid.measured_indicators
    )
    assert len(set(graph.subjects(rdflib.RDF.type, CIDS.IndicatorReport))) == measured


@pytest.mark.federation
def test_cli_writes_the_export(tmp_path: Path) -> None:
    out = tmp_path / "network.jsonld"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vises",
            "score",
            str(DATA),
            "--grid",
            "wallonie.cisp",
            "--format",
            "cids",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["@context"] == CIDS_CONTEXT_URL
    assert sum(node["@type"] == "cids:Organization" for node in document["@graph"]) == 30


@pytest.mark.federation
def test_plugins_still_load_once_pyshacl_is_imported() -> None:
    """pyshacl imports the importlib_metadata backport, whose entry points the loader must still know."""
    pytest.importorskip("pyshacl", reason="pyshacl (dev extra) is what imports the backport")
    code = "import pyshacl, vises; print(vises.load_grid('wallonie.cisp').code)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "wallonie.cisp", done.stderr


def test_hostile_codes_and_texts_stay_inert(tmp_path: Path) -> None:
    """Organisation codes become percent-encoded IRI segments; texts are JSON strings, whatever they hold."""
    (tmp_path / "g.toml").write_text('code = "h"\n[[nodes]]\ncode = "r"\n[[indicators]]\ncode = "x"\nparent = "r"\n')
    (tmp_path / "d.csv").write_text(
        'organisation,period,name,x,x.comment\n"a b/c?#é",2019,"Centre ""A"" </script>",1,"=cmd|\' /C calc\'!A0"\n',
        encoding="utf-8",
    )
    results = vises.score(tmp_path / "g.toml", tmp_path / "d.csv")
    text = vises.render(results, "cids", options={"namespace": "https://h.example/", "context": "embedded"})
    data = rdflib.Graph().parse(data=text, format="json-ld")
    org = rdflib.URIRef("https://h.example/organisation/a%20b%2Fc%3F%23%C3%A9")
    assert str(data.value(org, ORG.hasLegalName)) == 'Centre "A" </script>'
    report = rdflib.URIRef("https://h.example/organisation/a%20b%2Fc%3F%23%C3%A9/indicator/x/report/2019")
    assert str(data.value(report, CIDS.hasComment)) == "=cmd|' /C calc'!A0"  # data, not a spreadsheet formula


def test_names_and_descriptions_follow_the_report_language(results: vises.Results) -> None:
    data = parse(vises.render(results, "cids", lang="fr", view="profile", organisation="cisp_01", options=OPTIONS))
    outcome = rdflib.URIRef(f"{NS}organisation/cisp_01/outcome/outcomes")
    assert str(data.value(outcome, ORG.hasName)) == "Résultats pour les stagiaires"
    scale = data.value(rdflib.URIRef(f"{NS}organisation/cisp_01/indicator/individual_plan"), CIDS.unitDescription)
    assert str(scale).startswith("scale: 1 = Jamais; 2 = Rarement")


def test_the_stream_is_the_document_in_pieces_one_organisation_at_a_time(results: vises.Results) -> None:
    from vises.contract.records import ReportRequest

    spec = vises.get_registry().report_formats["cids"]
    assert spec.stream is not None
    for options in ({**OPTIONS}, {**OPTIONS, "indent": 2}):
        request = ReportRequest(language="en", options=options)
        pieces = list(spec.stream(results, request))
        assert "".join(pieces) == spec.render(results, request)
        assert len(pieces) == 30 + 3  # the head, one piece per organisation, the shared nodes, the tail
        document = json.loads("".join(pieces))
        assert sum(node["@type"] == "cids:Organization" for node in document["@graph"]) == 30
    compact = spec.render(results, ReportRequest(options=OPTIONS))
    assert all(line.startswith(("{", "]")) for line in compact.splitlines()[2:])  # one node a line
