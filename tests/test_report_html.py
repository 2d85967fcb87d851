"""The HTML report: parses, escapes every label (in the SVG too), is self-contained, renders in a browser."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_report_views import EVIL, ask, make_results

from vises.report.html import render_html

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
CHROMIUM = Path("/usr/bin/chromium")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href") and value:
                self.urls.append(value)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def results():
    return make_results()


@pytest.fixture(scope="module")
def pages(results):
    return {
        "network": render_html(results, ask(lang="fr", view="network")),
        "profile": render_html(results, ask(lang="en", view="profile", organisation="a")),
    }


@pytest.mark.parametrize("view", ["network", "profile"])
def test_html_parses_and_escapes_every_label(pages, view):
    page = pages[view]
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.tags[0] == "html" and "svg" in parser.tags and "table" in parser.tags
    # One script, the page's own (search, sort, paging), and no data inside it.
    assert parser.tags.count("script") == 1
    assert EVIL not in page and page.count("<script") == 1
    script = page[page.index("<script>") : page.index("</script>")]
    assert "alert" not in script and "innerHTML" not in script
    assert ESCAPED in page
    # The label drawn inside the SVG is escaped as well, and shows as text.
    svg = page[page.index("<svg") : page.rindex("</svg>")]
    assert ESCAPED in svg or "&lt;script&gt;" in svg
    assert any("alert(1)" in chunk for chunk in parser.text)


@pytest.mark.parametrize("view", ["network", "profile"])
def test_html_is_self_contained(pages, view):
    page = pages[view]
    parser = _Collector()
    parser.feed(page)
    assert "link" not in parser.tags and "img" not in parser.tags and "iframe" not in parser.tags
    assert all(url.startswith("#") for url in parser.urls), parser.urls
    assert "@import" not in page and "url(http" not in page and "<?xml" not in page


def test_html_carries_provenance_and_puts_the_total_last(results, pages):
    profile = pages["profile"]
    assert results.provenance["created"] in profile and "vises version" in profile
    assert profile.index("Dimension profile") < profile.index("Overall score")
    assert "Do trainees find stable work?" in profile and "A trainee found a job" in profile
    assert "Vue du réseau" in pages["network"] and "Médiane" in pages["network"]


def test_chart_ids_do_not_collide(pages):
    import re

    ids = re.findall(r'\bid="([^"]+)"', pages["network"])
    assert len(ids) == len(set(ids))


def test_dollar_in_a_label_is_not_mathtext(pages):
    assert "Turnover in $" in pages["profile"]


def test_charts_can_be_turned_off(results):
    page = render_html(results, ask(lang="nl", view="network", options={"charts": False}))
    assert "<svg" not in page and "Overzicht van het netwerk" in page


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
def test_html_renders_in_headless_chromium(pages, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(pages["network"], encoding="utf-8")
    shot = tmp_path / "report.png"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        page.as_uri(),
    ]
    subprocess.run(command, capture_output=True, timeout=90, check=False)
    assert shot.exists()
    assert shot.stat().st_size > 20_000  # a blank page is a few kilobytes


def test_wide_tables_scroll_in_their_own_box_and_print_whole(pages):
    network = pages["network"]
    assert network.count('<div class="wrap"><table class="scroll"') >= 4
    assert ".wrap { overflow-x: auto;" in network
    css = network[network.index("<style>") : network.index("</style>")]
    printing = css[css.index("@media print") :]
    assert ".wrap { overflow: visible; }" in printing and "thead { display: table-header-group; }" in printing
    assert "table," not in printing.split("break-inside: avoid")[0], "long tables may break across pages"


def test_network_scores_one_table_per_period_latest_first(results):
    page = render_html(results, ask(lang="en", view="network", options={"charts": False}))
    assert page.index("<h3>Period 2023</h3>") < page.index("<h3>Period 2022</h3>")
    assert 'class="rank"' in page and "Overall score" in page
    bare = render_html(results, ask(lang="en", view="network", options={"charts": False, "ranks": False}))
    assert 'class="rank"' not in bare


def test_french_profile_reads_levels_methods_and_reasons_in_french():
    from vises import render, score

    root = Path(__file__).resolve().parents[1]
    results = score("wallonie.cisp", root / "examples" / "data" / "wallonie_cisp.csv")
    page = render(results, "html", lang="fr", view="profile", organisation="cisp_01", options={"charts": False})
    assert ">Oui</td>" in page and " – " in page  # "Oui", and "3 – Souvent"-style levels
    assert ">yes</td>" not in page and ">no</td>" not in page
    assert "Indicateurs; Enquête" in page and "Conseil d&#39;administration; Financeurs; Usagers" in page
    assert "missing value" not in page
    assert "Commun\u00a0: ajusté sur toutes les périodes ensemble (pooled)" in page


def test_rendering_html_imports_no_plotting_library():
    import subprocess
    import sys

    code = (
        "import sys, vises\n"
        "from test_report_views import make_results, ask\n"
        "from vises.report.html import render_html\n"
        "page = render_html(make_results(), ask(lang='fr'))\n"
        "assert '<svg' in page\n"
        "print(sorted(m for m in ('matplotlib', 'PIL', 'pyplot') if m in sys.modules))\n"
    )
    here = Path(__file__).resolve().parent
    done = subprocess.run([sys.executable, "-c", code], cwd=here, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_two_threads_render_identical_pages(results):
    from concurrent.futures import ThreadPoolExecutor

    one = render_html(results, ask(lang="fr"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        pages = list(pool.map(lambda _: render_html(results, ask(lang="fr")), range(6)))
    assert all(page == one for page in pages)


def test_one_chart_per_dimension_whatever_the_network_size():
    import numpy as np
    from test_report_views import report_grid

    import vises
    from vises import Column, Dataset

    n = 2_000
    rng = np.random.default_rng(1)
    levels = np.array(["low", "mid", "high"], dtype=object)[rng.integers(0, 3, n)]
    data = Dataset(
        organisations=np.array([f"o{i:05d}" for i in range(n)], dtype=object),
        periods=np.array(["2023"] * n, dtype=object),
        columns={
            "hours": Column(values=rng.uniform(0, 50, n), unit="hour"),
            "exits": Column(values=rng.uniform(0, 100, n), unit="percent"),
            "satisfaction": Column(values=levels),
            "turnover": Column(values=rng.uniform(1e5, 3e5, n), unit="EUR"),
            "meetings": Column(values=rng.uniform(0, 9, n)),
        },
    )
    big = vises.score(report_grid(), data)
    page = render_html(big, ask(lang="en"))
    assert page.count("<svg") == 1 + 3  # the median radar, then one chart per dimension
    assert page.count("<tr hidden>") == n - 50  # paged: the script shows 50 rows at a time, print shows all
    assert "tr[hidden] { display: table-row !important; }" in page
    small = render_html(make_results(), ask(lang="en"))
    assert len(page) < 6 * len(small) + 400 * n  # charts do not grow with the network, only the table does
