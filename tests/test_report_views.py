"""The data behind the two report views: what a profile and a network overview contain."""

from __future__ import annotations

import math

import numpy as np
import pytest

import vises
from vises.errors import ConfigError
from vises.model import Column, Dataset, Evaluation, Grid, Indicator, Kind, Level, Node, Organisation
from vises.report.views import attribute_label, network_view, parse_options, profile_view, provenance, report_lang

EVIL = "<script>alert(1)</script>"


def ask(lang=None, view="network", organisation=None, period=None, options=None) -> vises.ReportRequest:
    """A report request, as ``vises.render`` builds it (the renderers take ``(results, request)``)."""
    return vises.ReportRequest(
        language=lang, view=view, organisation=organisation, period=period, options=options or {}
    )


def report_grid() -> Grid:
    return Grid(
        code="net",
        version="3",
        languages=("fr", "nl", "en"),
        label={"fr": "Réseau", "nl": "Netwerk", "en": "Network"},
        nodes=(
            Node(code="net", label={"fr": "Total", "en": "Total"}),
            Node(code="social", parent="net", label={"fr": "Social", "nl": "Sociaal", "en": "Social"}),
            Node(code="economic", parent="net", label={"en": "Economic"}),
            Node(code="governance", parent="net", label={"en": EVIL}),
            Node(code="training", parent="social", label={"en": "Training"}),
        ),
        indicators=(
            Indicator(
                code="hours",
                parent="training",
                unit="hour",
                label={"fr": "Heures de formation", "en": "Training hours"},
            ),
            Indicator(code="exits", parent="social", unit="percent", minimum=0, maximum=100),
            Indicator(
                code="satisfaction",
                parent="training",
                kind=Kind.SCALE,
                levels=tuple(Level(value=v) for v in ("low", "mid", "high")),
            ),
            Indicator(code="turnover", parent="economic", unit="EUR", label={"en": "Turnover in $"}),
            Indicator(code="meetings", parent="governance", label={"en": EVIL}),
            Indicator(code="story", parent="social", kind=Kind.NARRATIVE, label={"en": "Story"}),
        ),
    )


def report_data() -> Dataset:
    orgs = np.array(["a", "b", "c", "d", "a", "b", "c"])
    periods = np.array(["2022", "2022", "2022", "2022", "2023", "2023", "2023"])
    return Dataset(
        organisations=orgs,
        periods=periods,
        columns={
            "hours": Column(values=np.array([10.0, 20.0, 35.0, np.nan, 40.0, 25.0, 30.0]), unit="hour"),
            "exits": Column(values=np.array([30.0, 45.0, 60.0, 20.0, 50.0, np.nan, 55.0]), unit="percent"),
            "satisfaction": Column(values=np.array(["low", "mid", "high", "mid", "high", None, "mid"], dtype=object)),
            "turnover": Column(values=np.array([1e5, 2.5e5, 3e5, 1.2e5, 1.1e5, 2.6e5, np.nan]), unit="EUR"),
            "meetings": Column(values=np.array([4.0, 6.0, 2.0, 8.0, 5.0, 6.0, 3.0])),
            "story": Column(
                values=np.array([None, None, None, None, "A trainee found a job", None, None], dtype=object)
            ),
        },
        text={"hours": np.array([None, None, None, None, "counted from the register", None, None], dtype=object)},
        attributes={
            "family": np.array(
                [
                    "work_integration",
                    "work_integration",
                    "other",
                    "other",
                    "work_integration",
                    "work_integration",
                    "other",
                ],
                dtype=object,
            ),
            "region": np.array(["Liège", "Namur", "Liège", "Namur", "Liège", "Namur", "Liège"], dtype=object),
        },
        organisation_profiles={"a": Organisation(code="a", name="Atelier A")},
        evaluations=(
            Evaluation(
                organisation="a",
                period="2023",
                questions=("Do trainees find stable work?",),
                stakeholders=("trainees", "trainers"),
                methods=("survey", "focus group"),
                narrative={"*": "Overall the year went well.", "social": "Focus group: more confidence."},
            ),
        ),
    )


def make_results():
    return vises.score(report_grid(), report_data())


@pytest.fixture(scope="module")
def results():
    return make_results()


def test_profile_defaults_to_latest_period_and_compares_with_previous(results):
    view = profile_view(results, organisation="a", lang="en")
    assert view.period == "2023" and view.previous_period == "2022"
    assert view.name == "Atelier A"
    assert [row.code for row in view.dimensions] == ["social", "economic", "governance"]
    social = view.dimensions[0]
    before, now = results.score("social")[0], results.score("social")[4]
    assert social.change == pytest.approx(now - before)
    assert view.total.code == "net"
    assert view.evaluation.questions == ("Do trainees find stable work?",)
    assert view.general_evidence == ("Overall the year went well.",)
    assert "Focus group: more confidence." in social.evidence
    assert any("A trainee found a job" in text for text in social.evidence)
    rows = {row.code: row for block in view.blocks for row in block.rows}
    assert set(rows) == {"training", "hours", "exits", "satisfaction", "turnover", "meetings"}
    assert rows["hours"].raw == 40.0 and rows["hours"].unit == "hour"
    assert rows["satisfaction"].raw_text == "high"
    assert rows["hours"].evidence == ("counted from the register",)
    assert dict(view.portrait)["family"] == "Work integration"


def test_profile_without_a_previous_period_has_no_change(results):
    view = profile_view(results, organisation="d", lang="en")
    assert view.previous_period is None
    assert all(math.isnan(row.change) for row in view.dimensions)


def test_profile_needs_an_organisation_when_there_are_several(results):
    with pytest.raises(ConfigError, match="organisation"):
        profile_view(results)


def test_network_distributions_match_numpy(results):
    view = network_view(results, lang="en")
    assert view.codes == ("social", "economic", "governance", "net")
    [dist] = [d for d in view.distributions if d.code == "social" and d.period == "2022"]
    values = results.score("social")[:4]
    values = values[~np.isnan(values)]
    assert dist.count == len(values)
    assert dist.median == pytest.approx(np.median(values))
    assert dist.q1 == pytest.approx(np.percentile(values, 25))
    assert dist.mean == pytest.approx(values.mean())
    assert [d.code for d in view.distributions][-1] == "net"


def test_network_peer_groups_and_changes(results):
    view = network_view(results, lang="fr")
    groups = {(g.attribute, g.group, g.period): g for g in view.peer_groups}
    liege = groups[("region", "Liège", "2022")]
    assert liege.count == 2
    assert liege.means[0] == pytest.approx(np.nanmean(results.score("social")[[0, 2]]))
    assert ("family", "Insertion socioprofessionnelle", "2023") in groups
    changes = {c.organisation: c for c in view.changes}
    assert set(changes) == {"a", "b", "c"}
    assert changes["a"].changes[3] == pytest.approx(results.score("net")[4] - results.score("net")[0])


def test_ranks_can_be_left_out(results):
    assert network_view(results, options=parse_options({"ranks": False})).rows[0].ranks == ()
    assert network_view(results).rows[0].ranks != ()


def test_options_are_checked():
    with pytest.raises(ConfigError, match="unknown report option"):
        parse_options({"rank": False})
    with pytest.raises(ConfigError, match="true or false"):
        parse_options({"ranks": "no"})
    assert parse_options({"digits": 3}).digits == 3


def test_report_language_defaults_to_the_grid_and_refuses_unknown(results):
    assert report_lang(results, None) == "fr"
    assert report_lang(results, "NL") == "nl"
    with pytest.raises(ConfigError, match="fr, nl, en"):
        report_lang(results, "de")


def test_provenance_comes_from_the_results(results):
    prov = provenance(results)
    assert prov.vises_version == vises.__version__
    assert prov.grid == "net" and prov.grid_version == "3"
    assert dict(prov.methods)["net"] == results.method("net")


def test_qualitative_raw_values_read_in_the_report_language():
    grid = Grid(
        code="q",
        languages=("fr", "nl", "en"),
        nodes=(Node(code="q"), Node(code="practice", parent="q")),
        indicators=(
            Indicator(code="placement", parent="practice", kind=Kind.BINARY),
            Indicator(
                code="plan",
                parent="practice",
                kind=Kind.SCALE,
                levels=(
                    Level(value="1", label={"fr": "Jamais", "en": "Never"}),
                    Level(value="2", label={"fr": "Toujours", "en": "Always"}),
                ),
            ),
        ),
    )
    data = Dataset(
        organisations=np.array(["a", "b"]),
        periods=np.array(["2023", "2023"]),
        columns={
            "placement": Column(values=np.array(["yes", "no"], dtype=object)),
            "plan": Column(values=np.array(["2", "1"], dtype=object)),
        },
    )
    results = vises.score(grid, data)
    rows = {row.code: row for block in profile_view(results, organisation="a", lang="fr").blocks for row in block.rows}
    assert rows["placement"].raw_text == "Oui" and rows["plan"].raw_text == "2 – Toujours"
    rows = {row.code: row for block in profile_view(results, organisation="b", lang="nl").blocks for row in block.rows}
    assert rows["placement"].raw_text == "Nee"
    assert rows["plan"].raw_text == "1 – Never [en]", "a missing Dutch label falls back visibly"


def test_methods_reasons_units_and_sizes_read_in_the_report_language(results):
    from vises.report.views import method_label, pooling_text, reason_text, unit_text

    view = profile_view(results, organisation="a", lang="fr")
    assert view.methods == ("Enquête", "Groupe de discussion")
    assert view.evaluation.stakeholders == ("trainees", "trainers"), "stakeholders stay as given"
    assert profile_view(results, organisation="a", lang="nl").methods == ("Bevraging", "Focusgroep")
    assert method_label("other: photo voice", "fr") == "Autre\u00a0: photo voice"
    assert reason_text("missing value", "fr") == "Valeur manquante"
    assert reason_text("not applicable", "nl") == "Niet van toepassing"
    assert (
        reason_text("coverage 40% below the minimum 50%", "fr")
        == "Couverture de 40\u00a0% sous le minimum de 50\u00a0%"
    )
    assert reason_text("closed in May", "fr") == "closed in May", "a reason given in the data stays as written"
    assert unit_text("percent", "fr") == "%" and unit_text("hour / FTE", "fr") == "heures / ETP"
    assert unit_text("tCO2e", "nl") == "tCO2e" and unit_text(None, "fr") is None
    assert pooling_text("pooled", "fr").endswith("(pooled)") and pooling_text("odd", "fr") == "odd"
    rows = {row.code: row for block in view.blocks for row in block.rows}
    assert rows["hours"].unit == "hour" and rows["hours"].unit_label == "heures"
    assert attribute_label("size", "small", "nl") == "Klein" and attribute_label("size", "XL", "nl") == "XL"


def test_network_tables_list_the_latest_period_first(results):
    view = network_view(results, lang="en")
    assert [d.period for d in view.distributions] == sorted((d.period for d in view.distributions), reverse=True)
    assert [c.to_period for c in view.changes] == sorted((c.to_period for c in view.changes), reverse=True)
    by_attribute = [g.period for g in view.peer_groups if g.attribute == "region"]
    assert by_attribute == sorted(by_attribute, reverse=True)
    assert {c.organisation: c.name for c in view.changes}["a"] == "Atelier A"
