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


#: Written into each page's <head>: records every error and console.error before the page's own script runs.
ERROR_HOOK = """<script>window.__visesErrors = [];
window.addEventListener('error', function (e) { window.__visesErrors.push(String(e.message)); });
(function () { var original = console.error; console.error = function () {
  window.__visesErrors.push(Array.prototype.join.call(arguments, ' '));
  return original.apply(console, arguments); }; })();
</script>"""
#: Written at the end of each page: once laid out, what a reader sees, posted to the wrapper page.
MEASURE = """<script>
window.addEventListener('load', function () {
  var out = {name: window.name, width: window.innerWidth, scroll: document.documentElement.scrollWidth,
             errors: window.__visesErrors, totals: [], charts: [], wide: [],
             hidden: document.querySelectorAll('tr[hidden]').length,
             pagers: document.querySelectorAll('.pager:not([hidden])').length};
  document.querySelectorAll('table').forEach(function (table) {
    var head = table.querySelector('th.total');
    if (!head) { return; }
    var cell = head.getBoundingClientRect(), box = table.parentNode.getBoundingClientRect();
    out.totals.push([cell.left, cell.right, box.left, box.right]);
  });
  document.querySelectorAll('svg').forEach(function (svg) {
    var r = svg.getBoundingClientRect(); out.charts.push([r.width, r.height]);
  });
  document.querySelectorAll('body *').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && !el.closest('.wrap')) { out.wide.push(el.tagName + ' ' + el.className); }
  });
  parent.postMessage(JSON.stringify(out), '*');
});
</script>"""


def seen_in_chromium(pages: dict[str, tuple[str, int]], folder: Path) -> dict[str, dict]:
    """Each page laid out by headless Chromium at its width (an iframe of that width), as measured inside it.

    On a loaded machine Chromium may dump the page before the last frame has reported: the frames
    that did not are laid out again in a second run (twice at most), never taken as passing.
    """
    measured: dict[str, dict] = {}
    for attempt in range(3):
        missing = {name: page for name, page in pages.items() if name not in measured}
        if not missing:
            break
        measured.update(_chromium_run(missing, folder / f"run{attempt}"))
    assert set(measured) == set(pages), f"Chromium never measured {sorted(set(pages) - set(measured))}"
    return measured


def _chromium_run(pages: dict[str, tuple[str, int]], folder: Path) -> dict[str, dict]:
    import html
    import json
    import re

    folder.mkdir(parents=True, exist_ok=True)

    frames = []
    for name, (page, width) in pages.items():
        page = page.replace("<head>", "<head>" + ERROR_HOOK, 1).replace("</body>", MEASURE + "</body>", 1)
        frames.append(
            f'<iframe name="{name}" style="border:0;display:block;width:{width}px;height:900px" '
            f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
        )
    wrapper = folder / "wrapper.html"
    wrapper.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='margin:0'>"
        + "".join(frames)
        + "<pre id='measured'></pre><script>var seen = [];"
        "window.addEventListener('message', function (e) { seen.push(JSON.parse(e.data));"
        "document.getElementById('measured').textContent = JSON.stringify(seen); });</script></body></html>",
        encoding="utf-8",
    )
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
        f"--user-data-dir={folder / 'profile'}",
        "--window-size=1400,1000",
        "--virtual-time-budget=15000",
        "--dump-dom",
        wrapper.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    found = re.search(r"<pre id=\"measured\">(.*?)</pre>", done.stdout, re.S)
    assert found is not None, f"Chromium gave no page: {done.stderr[-2000:]}"
    return {item["name"]: item for item in json.loads(html.unescape(found.group(1)) or "[]")}


def wide_network():
    """Twelve dimensions with long labels and 120 organisations: a table wider than the page, paged."""
    import numpy as np

    import vises
    from vises import Column, Dataset, Grid, Indicator, Node

    dims = [f"d{i:02d}" for i in range(12)]
    grid = Grid(
        code="wide",
        languages=("fr", "en"),
        label={"fr": "Réseau large", "en": "Wide network"},
        nodes=(
            Node(code="wide", label={"fr": "Ensemble", "en": "Overall"}),
            *(
                Node(code=d, parent="wide", label={"fr": f"Dimension numéro {i} aux mots longs", "en": f"Dim {i}"})
                for i, d in enumerate(dims)
            ),
        ),
        indicators=tuple(Indicator(code=f"x{d}", parent=d) for d in dims),
    )
    rng = np.random.default_rng(5)
    n = 120
    data = Dataset(
        organisations=np.array([f"organisation_{i:03d}" for i in range(n)] * 2, dtype=object),
        periods=np.array(["2023"] * n + ["2024"] * n, dtype=object),
        columns={f"x{d}": Column(values=rng.uniform(0, 100, 2 * n)) for d in dims},
        attributes={"region": np.array(["Namur", "Liège"] * n, dtype=object)},
    )
    return vises.score(grid, data)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (CI installs it)")
def test_what_a_reader_sees_in_headless_chromium(pages, tmp_path):
    """No horizontal scrolling of the page on a phone, the overall score in view at 1280 px, no error."""
    wide = render_html(wide_network(), ask(lang="fr"))
    shown = {
        f"{name}{width}": (page, width)
        for name, page in (("network", pages["network"]), ("profile", pages["profile"]), ("wide", wide))
        for width in (390, 1280)
    }
    measured = seen_in_chromium(shown, tmp_path)
    for name, seen in measured.items():
        assert seen["width"] == shown[name][1], (name, seen["width"])
        assert seen["errors"] == [], (name, seen["errors"])
        assert seen["scroll"] <= seen["width"], (name, seen["scroll"], seen["wide"])
        assert seen["charts"] and all(w > 100 and h > 50 for w, h in seen["charts"]), (name, seen["charts"])
        if name.endswith("1280"):
            for left, right, box_left, box_right in seen["totals"]:
                assert box_left - 1 <= left and right <= box_right + 1 and right <= seen["width"], (name, seen)
    assert measured["network1280"]["totals"] and measured["wide1280"]["totals"]
    # The long tables are paged by the page's own script: 50 rows shown of 120 per period.
    assert measured["wide1280"]["pagers"] >= 2 and measured["wide1280"]["hidden"] >= 2 * 70


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


@pytest.mark.federation  # the CISP grid's French levels and reasons
def test_french_profile_reads_levels_methods_and_reasons_in_french():
    from vises import render, score

    root = Path(__file__).resolve().parents[1]
    results = score("wallonie.cisp", root / "examples" / "data" / "wallonie_cisp.csv")
    page = render(results, "html", lang="fr", view="profile", organisation="cisp_05", options={"charts": False})
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
    assert page.count("<svg") == 1 + 3 + 2  # the median radar, one chart per dimension, framework and correlations
    assert page.count("<tr hidden>") == n - 50  # paged: the script shows 50 rows at a time, print shows all
    assert "tr[hidden] { display: table-row !important; }" in page
    small = render_html(make_results(), ask(lang="en"))
    assert len(page) < 6 * len(small) + 400 * n  # charts do not grow with the network, only the table does
