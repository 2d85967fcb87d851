"""The HTML report's charts: SVG written by hand from numpy arrays, escaped, deterministic, scalable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vises.report import charts
from vises.report.html import chart_words

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script> & \x1b[31m"


def parse(svg: str) -> ET.Element:
    """The chart as XML: it must be well-formed on its own (an SVG file), not only inside HTML."""
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    return ["".join(element.itertext()) for element in parse(svg).iter(f"{SVG}text")]


def dot_count(svg: str) -> int:
    return len(re.findall(r"h0", svg))


def test_radar_is_well_formed_scalable_and_escaped():
    svg = charts.radar(["Social", EVIL, "Économique"], [(EVIL, [10.0, 50.0, 90.0])], title=f"Radar {EVIL}", lang="fr")
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox", "").startswith("0 0 ")
    assert root.get("width") is None and root.get("height") is None  # sized by the page, not fixed
    assert "<script" not in svg and "\x1b" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg
    shown = " ".join(texts(svg))
    assert "alert(1)" in shown and "Économique" in shown
    assert root.find(f"{SVG}title") is not None  # the accessible name


def test_radar_breaks_its_outline_at_a_missing_value_and_never_draws_it_as_zero():
    full = charts.radar(["a", "b", "c", "d"], [("x", [50.0, 50.0, 50.0, 50.0])], title="t", lang="en")
    gap = charts.radar(["a", "b", "c", "d"], [("x", [50.0, np.nan, 50.0, 50.0])], title="t", lang="en")
    # Four dots, and a filled area, when complete; three dots and no fill with one value missing.
    assert full.count('fill-opacity="0.12"') == 1 and gap.count('fill-opacity="0.12"') == 0
    series, legend = re.findall(r'<path d="([^"]+)"[^>]*stroke-width="7"', gap)
    assert series.count("h0") == 3 and legend == "M8 0h0"
    outline = re.findall(r'<path d="([^"]+)" fill="none" stroke="#1b6ca8"', gap)[0]
    assert outline.count("M") == 2  # the segments c–d and d–a only


def test_fewer_than_three_dimensions_give_bars():
    svg = charts.radar(["Social", "Economic"], [("x", [40.0, np.nan])], title="t", lang="en")
    assert svg.count("<rect") == 1  # the missing value has no bar (not a zero-length one either)
    assert {"Social", "Economic"} <= set(texts(svg))


def test_ticks_are_written_in_the_report_language():
    svg = charts.bars(["a", "b"], [1234.5, 2500.0], title="t", lang="fr")
    labels = texts(svg)
    assert any("\u202f" in label or "\u00a0" in label for label in labels), labels  # 1 500 with a French space
    english = texts(charts.bars(["a", "b"], [1234.5, 2500.0], title="t", lang="en"))
    assert any("," in label for label in english)


def test_distribution_chart_has_one_dot_per_organisation_and_its_words():
    words = chart_words("fr")
    drawer = charts.DistributionCharts(["2023", "2022"], words=words)
    latest = np.array([10.0, 20.0, 30.0, np.nan, 90.0])
    svg = drawer.draw("Social", [latest, np.array([50.0, 60.0])])
    parse(svg)
    assert dot_count(svg) == 4 + 2 + 1  # the present values, and the legend's own dot
    shown = texts(svg)
    assert shown[0] == "Social" and "2023" in shown and "2022" in shown
    assert {words.band, words.box, words.median, words.dot, words.score} <= set(shown)
    assert "Médiane" in shown
    # The latest period is on top: its label comes first.
    assert shown.index("2023") < shown.index("2022")


def test_past_the_dot_limit_a_histogram_replaces_the_dots():
    drawer = charts.DistributionCharts(["2023"], words=chart_words("en"))
    rng = np.random.default_rng(3)
    svg = drawer.draw("Economic", [rng.uniform(0, 100, charts.DOT_LIMIT + 1)])
    assert dot_count(svg) == 0
    assert "Organisations (histogram)" in texts(svg)
    huge = drawer.draw("Economic", [rng.uniform(0, 100, 100_000)])
    assert len(huge) < 2 * len(svg)  # a chart of 100,000 weighs what one of 401 does


def test_percentiles_drawn_where_numpy_puts_them():
    drawer = charts.DistributionCharts(["p"], words=chart_words("en"))
    values = np.arange(0.0, 101.0)
    svg = drawer.draw("d", [values])
    # Plot area from x=76 to 620 for 0..100: the band starts at the 10th percentile (10).
    rects = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="24"', svg)
    band, box = ((float(x), float(w)) for x, w in rects)
    span = 640 - 76 - 20
    assert band[0] == pytest.approx(76 + span * 0.10, abs=0.06)
    assert band[0] + band[1] == pytest.approx(76 + span * 0.90, abs=0.1)
    assert box[0] == pytest.approx(76 + span * 0.25, abs=0.06)


def test_charts_are_deterministic_and_free_of_ids():
    words = chart_words("nl")
    one = charts.DistributionCharts(["a"], words=words).draw("x", [np.linspace(0, 100, 50)])
    two = charts.DistributionCharts(["a"], words=words).draw("x", [np.linspace(0, 100, 50)])
    assert one == two and ' id="' not in one


def test_long_labels_are_wrapped_and_kept_whole_in_a_title():
    label = "A very long dimension label that goes on and on about pedagogical practice in detail " * 2
    svg = charts.radar([label, "b", "c"], [("x", [1.0, 2.0, 3.0])], title="t", lang="en")
    root = parse(svg)
    titles = ["".join(t.itertext()) for t in root.iter(f"{SVG}title")]
    assert " ".join(label.split()) in titles


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=8),
    st.lists(st.floats(allow_nan=True, allow_infinity=False, width=32), min_size=8, max_size=8),
)
def test_any_label_and_any_value_give_well_formed_svg(labels, values):
    svg = charts.radar(labels, [(labels[0], values[: len(labels)])], title=labels[-1], lang="fr")
    parse(svg)
    drawer = charts.DistributionCharts(labels[:3], words=chart_words("en"))
    parse(drawer.draw(labels[0], [np.asarray(values, dtype=float)] * min(3, len(labels))))
