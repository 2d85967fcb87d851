"""Disclosure control of the public network view: the unit to protect is the organisation.

The property: for generated networks and groupings, no published aggregate (a distribution, a
peer group's mean, a network total) is computed from fewer than k organisations, and none can be
recovered by subtraction (a grouping's hidden part, or the difference of two nested groups, is
none or at least k organisations). The counts are recomputed here from the data, not read from
the view. And once pseudonymised, no organisation's name or code appears in any format.
"""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises import Column, Dataset, Evaluation, Grid, Indicator, Node, Organisation
from vises.report.disclosure import suppress_groups
from vises.report.views import network_view, parse_options


def grid() -> Grid:
    return Grid(
        code="net",
        nodes=(Node(code="net"), Node(code="a", parent="net"), Node(code="b", parent="net")),
        indicators=(
            Indicator(code="x", parent="a", unit="person"),
            Indicator(code="y", parent="b", unit="FTE"),
        ),
        attributes={"zone": {"en": "Zone"}, "band": {"en": "Band"}},
    )


@st.composite
def networks(draw: st.DrawFn) -> tuple[Dataset, int]:
    n = draw(st.integers(1, 24))
    periods = draw(st.sampled_from([("1",), ("1", "2")]))
    rows = [(f"o{i}", period) for i in range(n) for period in periods if draw(st.booleans()) or period == "1"]
    zone = {f"o{i}": draw(st.sampled_from(["n", "s", "e", None])) for i in range(n)}
    band = {f"o{i}": draw(st.sampled_from(["lo", "hi", None])) for i in range(n)}
    values = st.one_of(st.none(), st.floats(0, 100, allow_nan=False))
    x = [draw(values) for _ in rows]
    y = [draw(values) for _ in rows]
    k = draw(st.integers(2, 5))
    data = Dataset(
        organisations=np.array([o for o, _ in rows], dtype=object),
        periods=np.array([p for _, p in rows], dtype=object),
        columns={
            "x": Column(values=np.array([np.nan if v is None else v for v in x]), unit="person"),
            "y": Column(values=np.array([np.nan if v is None else v for v in y]), unit="FTE"),
        },
        attributes={
            "zone": np.array([zone[o] for o, _ in rows], dtype=object),
            "band": np.array([band[o] for o, _ in rows], dtype=object),
        },
    )
    return data, k


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_no_published_aggregate_rests_on_fewer_than_k_organisations(network: tuple[Dataset, int]) -> None:
    data, k = network
    results = vises.score(grid(), data)
    pseudonyms = {code: f"P{i}" for i, code in enumerate(sorted(set(data.organisations.tolist())))}
    options = parse_options({"public": True, "pseudonyms": pseudonyms, "min_group": k})
    view = network_view(results, options=options)
    codes = view.codes
    for dist in view.distributions:
        in_period = results.periods == dist.period
        present = int((~np.isnan(results.score(dist.code)[in_period])).sum())
        assert dist.count == present
        if not dist.suppressed:
            assert present == 0 or present >= k
        else:
            assert np.isnan(dist.mean) and np.isnan(dist.minimum)
    for total in view.totals:
        if not np.isnan(total.value):
            values = results.raw(total.code)[(results.periods == total.period)]
            values = values[~np.isnan(values)]
            assert len(values) >= k and values.max() <= 0.5 * values.sum() + 1e-9
    published: dict[tuple[str, int], list[set[int]]] = {}
    for group in view.peer_groups:
        rows = np.flatnonzero((results.periods == group.period) & (data.attributes[group.attribute] == group.group))
        for position, code in enumerate(codes):
            members = {int(r) for r in rows if not np.isnan(results.score(code)[r])}
            if not np.isnan(group.means[position]):
                assert len(members) >= k, (group, code)
                published.setdefault((group.period, position), []).append(members)
    for attribute in ("zone", "band"):
        for period in view.periods:
            in_period = np.flatnonzero(results.periods == period)
            for position, code in enumerate(codes):
                everyone = {int(r) for r in in_period if not np.isnan(results.score(code)[r])}
                shown = [
                    group
                    for group in view.peer_groups
                    if group.attribute == attribute and group.period == period and not np.isnan(group.means[position])
                ]
                covered: set[int] = set()
                for group in shown:
                    covered |= {r for r in everyone if data.attributes[attribute][r] == group.group}
                hidden = len(everyone - covered)
                assert not shown or hidden == 0 or hidden >= k, (attribute, period, code, hidden)
    for (_, _), cells in published.items():
        for small in cells:
            for big in cells:
                if small < big:
                    assert len(big - small) >= k


def test_complementary_suppression_hides_a_second_group() -> None:
    # Three groups of 5, 4 and 1 organisations: the one is hidden, and so must be the four, or
    # total − 5 − 4 would give it back.
    groups = np.zeros((3, 10), dtype=bool)
    groups[0, :5] = groups[1, 5:9] = groups[2, 9] = True
    hidden = suppress_groups(groups, np.zeros(3, dtype=int), np.ones((10, 1), dtype=bool), 3)
    assert hidden[:, 0].tolist() == [False, True, True]
    # The organisations a grouping leaves out (no attribute) count as hidden too.
    groups = np.zeros((2, 10), dtype=bool)
    groups[0, :6] = groups[1, 6:9] = True  # the tenth gave no value for the attribute
    hidden = suppress_groups(groups, np.zeros(2, dtype=int), np.ones((10, 1), dtype=bool), 3)
    assert hidden[:, 0].tolist() == [False, True]
    # A group nested in another of a second grouping, one organisation apart, is hidden.
    groups = np.zeros((2, 10), dtype=bool)
    groups[0, :5] = True
    groups[1, :6] = True
    hidden = suppress_groups(groups, np.array([0, 1]), np.ones((10, 1), dtype=bool), 3)
    assert hidden[:, 0].tolist() == [True, False] or hidden[:, 0].tolist() == [True, True]


def test_dominance_suppresses_a_total_held_by_one_centre() -> None:
    data = Dataset(
        organisations=np.array(["a", "b", "c", "d"]),
        periods=np.array(["1"] * 4),
        columns={"x": Column(values=np.array([100.0, 5, 5, 5]), unit="person"), "y": Column(values=np.ones(4))},
    )
    results = vises.score(grid(), data)
    public = parse_options({"public": True, "pseudonyms": {c: c.upper() for c in "abcd"}})
    totals = {t.code: t for t in network_view(results, options=public).totals}
    assert totals["x"].suppressed == "dominance" and np.isnan(totals["x"].value)
    assert totals["y"].suppressed is None and totals["y"].value == 4.0
    assert {t.code: t.value for t in network_view(results).totals}["x"] == 115.0


NAMES = ("Zebrafabriek Noordkwartier", "Atelier Quintessence Ouest", "Werkhuis Drievoud", "Maison Quadrille")
CODES = ("orgzebra", "orgquint", "orgthird", "orgfourth")


def named_results() -> vises.Results:
    grid_ = Grid(
        code="net",
        nodes=(Node(code="net"), Node(code="a", parent="net"), Node(code="b", parent="net")),
        indicators=(
            Indicator(code="x", parent="a", unit="person"),
            Indicator(code="y", parent="b"),
            Indicator(code="story", parent="a", kind="narrative"),
        ),
    )
    n = len(CODES)
    data = Dataset(
        organisations=np.array(CODES * 2, dtype=object),
        periods=np.array(["2024"] * n + ["2025"] * n, dtype=object),
        columns={
            "x": Column(values=np.arange(2 * n, dtype=float) + 1, unit="person"),
            "y": Column(values=np.linspace(1, 9, 2 * n)),
        },
        text={"story": np.array([f"{NAMES[0]} in orgzebra's words"] * 2 * n, dtype=object)},
        attributes={"name": np.array(list(NAMES) * 2, dtype=object)},
        organisation_profiles={"orgzebra": Organisation(code="orgzebra", name=NAMES[0], region="Noord")},
        evaluations=(Evaluation(organisation="orgquint", narrative={"*": f"{NAMES[1]} speaks"}),),
    )
    return vises.score(grid_, data)


def _readable(output: str | bytes, format: str) -> str:
    """Everything a format's file holds, as text (xlsx sheets unzipped, parquet metadata and data)."""
    if format == "xlsx":
        assert isinstance(output, bytes)
        with zipfile.ZipFile(io.BytesIO(output)) as book:
            return "".join(book.read(name).decode("utf-8") for name in book.namelist())
    if format == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(output))
        return json.dumps(table.to_pylist()) + str(table.schema.metadata)
    assert isinstance(output, str)
    return output


@pytest.mark.parametrize("format", ["table", "markdown", "csv", "json", "html", "xlsx", "parquet"])
def test_names_and_codes_never_appear_in_the_pseudonymised_network_view(format: str) -> None:
    if format == "parquet":
        pytest.importorskip("pyarrow")
    results = named_results()
    pseudonyms = vises.make_pseudonyms(CODES, secret="a-long-secret-for-the-tests")
    text = _readable(vises.render(results, format, options={"public": True, "pseudonyms": pseudonyms}), format)
    for secret in (*NAMES, *CODES):
        assert secret not in text, (format, secret)
    assert all(pseudonym in text for pseudonym in pseudonyms.values()), format
    # Without the public option, the same format does name them: the test can fail.
    plain = _readable(vises.render(results, format), format)
    assert any(code in plain for code in CODES)


def test_the_public_view_needs_pseudonyms_and_refuses_them_alone() -> None:
    results = named_results()
    with pytest.raises(vises.ConfigError, match="pseudonym"):
        vises.render(results, "table", options={"public": True})
    with pytest.raises(vises.ConfigError, match="public view and the staff workbook"):
        vises.render(results, "table", options={"pseudonyms": {"orgzebra": "P1"}})
    with pytest.raises(vises.ConfigError, match="needs a pseudonym for every organisation"):
        vises.render(results, "table", options={"public": True, "pseudonyms": {"orgzebra": "P1"}})


def test_public_rows_are_ordered_by_pseudonym_not_by_code() -> None:
    results = named_results()
    pseudonyms = {"orgzebra": "P4", "orgquint": "P1", "orgthird": "P3", "orgfourth": "P2"}
    view = network_view(results, options=parse_options({"public": True, "pseudonyms": pseudonyms}))
    assert view.table.organisations.tolist()[:4] == ["P1", "P2", "P3", "P4"]
    assert len(view.narratives) == 0 and all(name is None for name in view.table.names.tolist())
