"""The HTML network report's framework sunburst and correlation heat map (issue 15, plots in the report):
shares computed independently from the grid, correlations against pandas, every language, hostile text."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

import vises
from vises.engine.framework import wedges

pytest.importorskip("jinja2")
pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]
CISP = ROOT / "examples" / "data" / "wallonie_cisp.csv"


@pytest.fixture(scope="module")
def network(federation):
    federation("wallonie")
    return vises.score("wallonie.cisp", CISP)


def _section(page: str) -> str:
    start = page.index('<section class="structure">')
    return page[start : page.index("</section>", start)]


def test_each_wedge_is_its_share_of_the_overall_score(network):
    grid = network.grid
    weight = {item.code: float(item.weight) for item in (*grid.nodes, *grid.indicators)}
    parent = {item.code: item.parent for item in (*grid.nodes, *grid.indicators)}
    scored = {item.code for item in (*grid.nodes, *grid.scored_indicators)}
    siblings: dict[str | None, float] = {}
    for code in scored:
        siblings[parent[code]] = siblings.get(parent[code], 0.0) + weight[code]

    def expected(code: str) -> float:
        share = 1.0
        while parent[code] is not None:
            share *= weight[code] / siblings[parent[code]]
            code = parent[code]
        return share

    laid = wedges(network.compiled)
    assert {w.code for w in laid} == scored
    for w in laid:
        assert w.share == pytest.approx(expected(w.code), rel=1e-12), w.code
    for depth in {w.depth for w in laid}:
        ring = [w for w in laid if w.depth == depth]
        leaves_above = sum(w.share for w in laid if w.depth < depth and w.code not in {parent[x.code] for x in laid})
        assert sum(w.share for w in ring) + leaves_above == pytest.approx(1.0)
        ring.sort(key=lambda w: w.start)
        assert all(a.start + a.share <= b.start + 1e-12 for a, b in itertools.pairwise(ring))


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("fr", "Cadre et corrélations"), ("nl", "Kader en correlaties"), ("en", "Framework and correlations")],
)
def test_the_network_report_draws_both_charts_in_its_language(network, lang, heading):
    page = vises.render(network, "html", lang=lang)
    part = _section(page)
    assert f"<h2>{heading}</h2>" in part
    svgs = re.findall(r"<svg .*?</svg>", part, flags=re.S)
    assert len(svgs) == 2
    drawn = len(re.findall(r"<path d=", svgs[0]))
    assert drawn == len([w for w in wedges(network.compiled) if w.depth > 0 and w.share > 0])
    dims = network.compiled.node(network.compiled.root).children
    assert len(re.findall(r"<rect ", svgs[1])) == (len(dims) + 1) ** 2


def test_the_heat_map_numbers_are_pearson_over_the_latest_period(network):
    page = vises.render(network, "html", lang="en")
    heat = re.findall(r"<svg .*?</svg>", _section(page), flags=re.S)[1]
    codes = [*network.compiled.node(network.compiled.root).children, network.compiled.root]
    latest = sorted(set(map(str, network.periods)))[-1]
    rows = network.periods == latest
    frame = pd.DataFrame({code: network.score(code)[rows] for code in codes})
    expected = frame.corr(method="pearson").to_numpy()
    cells = re.findall(r"<title>([^<]*) × ([^<]*): ([^<]*)</title>", heat)
    assert len(cells) == len(codes) ** 2
    for (_, _, said), value in zip(cells, expected.reshape(-1).tolist(), strict=True):
        assert said == f"{value:.2f}", (said, value)


def test_no_charts_option_leaves_the_section_out(network):
    page = vises.render(network, "html", lang="en", options={"charts": False})
    assert '<section class="structure">' not in page


def test_a_hostile_label_is_text_in_the_charts(tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text(
        'code = "g"\nlanguages = ["en"]\n[[nodes]]\ncode = "root"\nlabel = { en = "<script>alert(1)</script>" }\n'
        '[[nodes]]\ncode = "a"\nparent = "root"\nlabel = { en = "A & <b>" }\n'
        '[[nodes]]\ncode = "b"\nparent = "root"\n'
        '[[indicators]]\ncode = "x"\nparent = "a"\n[[indicators]]\ncode = "y"\nparent = "b"\n',
        encoding="utf-8",
    )
    data = tmp_path / "d.csv"
    data.write_text("organisation,period,x,y\no1,2024,1,3\no2,2024,2,1\no3,2024,3,2\n", encoding="utf-8")
    part = _section(vises.render(vises.score(grid, data), "html", lang="en"))
    assert "<script>" not in part and "<b>" not in part
    assert "&lt;script&gt;" in part and "A &amp; &lt;b&gt;" in part
