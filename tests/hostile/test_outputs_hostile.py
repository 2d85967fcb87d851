"""Hostile strings in every output: spreadsheets get no formula, Markdown and HTML no element the
data did not ask for, terminals no control sequence, and every format keeps the text as written.

Each case names the exact outcome. The data is built here with the public API only (organisation
codes and names, node and indicator labels, periods are the hostile parts); the property tests at
the end draw such strings at random.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises import Column, Dataset, Grid, Indicator, Node, Organisation

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "data"

#: Organisation codes a spreadsheet would run, Markdown or HTML would render, a terminal obey.
HOSTILE = (
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://evil.example","x")',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "a|b",
    "**bold**",
    "[link](http://evil.example)",
    "# heading",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;title\x07",
    "#N/A",
    "`code`",
    "&amp; done",
    "-5",
)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ESC = "\x1b"


def hostile_grid(label: str = "=1+1") -> Grid:
    return Grid(
        code="hostile",
        version="1",
        languages=("en", "fr"),
        label={"en": "<b>Grid</b> | =1", "fr": "<b>Grille</b> | =1"},
        nodes=(
            Node(code="hostile", label={"en": "Total"}),
            Node(code="social", parent="hostile", label={"en": label, "fr": label}),
            Node(code="economic", parent="hostile", label={"en": "<img src=x onerror=alert(2)>", "fr": "| pipe"}),
            Node(code="green", parent="hostile", label={"en": "\x1b[2Jclear", "fr": "@cmd"}),
        ),
        indicators=(
            Indicator(code="hours", parent="social", unit="hour", label={"en": "[x](javascript:alert(3))"}),
            Indicator(code="exits", parent="economic", unit="percent", label={"en": "**exits**"}),
            Indicator(code="waste", parent="green", label={"en": "#N/A"}),
        ),
    )


def hostile_results(organisations=HOSTILE, *, names=None, periods=None, label: str = "=1+1"):
    n = len(organisations)
    rng = np.random.default_rng(7)
    profiles = {}
    if names is not None:
        profiles = {code: Organisation(code=code, name=name) for code, name in zip(organisations, names, strict=True)}
    dataset = Dataset(
        organisations=np.array(organisations, dtype=object),
        periods=np.array(periods or ["2024"] * n, dtype=object),
        columns={
            "hours": Column(values=rng.uniform(0, 100, n), unit="hour"),
            "exits": Column(values=rng.uniform(0, 100, n), unit="percent"),
            "waste": Column(values=rng.uniform(0, 100, n)),
        },
        organisation_profiles=profiles,
    )
    return vises.score(hostile_grid(label), dataset)


@pytest.fixture(scope="module")
def results():
    return hostile_results()


def render(results, name, **request):
    options = request.pop("options", {})
    return vises.render(results, name, options=options, **request)


# -- spreadsheets ---------------------------------------------------------------------------


def _csv_cells(text: str, delimiter: str = ",") -> list[list[str]]:
    """The rows of a CSV text, from its header on (provenance ``#`` lines before it are skipped)."""
    start = text.index("organisation,period") if text.startswith("#") else 0
    return list(csv.reader(io.StringIO(text[start:], newline=""), delimiter=delimiter))


def test_csv_prefixes_every_formula_like_organisation(results):
    _header, *rows = _csv_cells(render(results, "csv"))
    written = {row[0] for row in rows}
    assert "'=1+1" in written and "'+1+1" in written and "'-1+1" in written and "'@SUM(A1)" in written
    assert "'\t=1" in written and "'\r=1" in written
    assert '\'=HYPERLINK("http://evil.example","x")' in written


def test_csv_leaves_plain_numbers_and_inert_text_alone(results):
    written = {row[0] for row in _csv_cells(render(results, "csv"))[1:]}
    assert "-5" in written and "#N/A" in written and "a|b" in written and "<script>alert(1)</script>" in written


def test_csv_has_no_cell_a_spreadsheet_would_compute(results):
    for row in _csv_cells(render(results, "csv", options={"provenance": True})):
        for cell in row:
            assert not cell.startswith(TRIGGERS) or vises.formula_like(cell) is False, cell


def test_csv_template_neutralises_organisations(tmp_path):
    from vises.templates.write import write_template

    path = write_template(
        hostile_grid(), tmp_path / "t.csv", format="csv", organisations=["=1+1", "@x"], periods=["2024"]
    )
    rows = _csv_cells(path.read_text(encoding="utf-8"))
    assert [row[0] for row in rows[1:]] == ["'=1+1", "'@x"]


def _example_with(tmp_path: Path, name: str, replace: dict[str, str]) -> Path:
    """An example data file with some of its text replaced (a code, a name)."""
    source = EXAMPLES / name
    if not source.is_file():
        pytest.skip(f"no example data {name}")
    text = source.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


@pytest.mark.federation  # the plugins' own formats
def test_dialogue_gestion_neutralises_structures(tmp_path):
    source = EXAMPLES / "hdf_iae.csv"
    if not source.is_file():
        pytest.skip("the example data of the Hauts-de-France plugin is not there")
    first = source.read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    path = _example_with(tmp_path, "hdf_iae.csv", {f"\n{first},": "\n\"=cmd|' /C calc'!A0\","})
    results = vises.score("hdf.iae", path)
    rows = _csv_cells(vises.render(results, "hdf.dialogue_gestion"), delimiter=";")
    assert "'=cmd|' /C calc'!A0" in {row[0] for row in rows}
    assert not any(row[0].startswith("=") for row in rows)


def _unescape_xlsx(text: str) -> str:
    """SpreadsheetML's ``_xHHHH_`` escape, as Excel and LibreOffice undo it."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def test_xlsx_writes_every_text_as_a_string_cell(results):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(render(results, "xlsx")))
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    sheet = book["indicators"]
    organisations = [_unescape_xlsx(sheet.cell(row=r, column=1).value) for r in range(3, sheet.max_row + 1)]
    assert sorted(organisations) == sorted(HOSTILE)
    assert all(sheet.cell(row=r, column=1).data_type == "s" for r in range(3, sheet.max_row + 1))


def test_xlsx_keeps_formula_like_labels_as_text(results):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(render(results, "xlsx", lang="en")))
    heads = {cell.value: cell.data_type for cell in book["level_1"][1]}
    assert heads["=1+1"] == "s"
    assert book["raw"]["E1"].value == "#N/A" and book["raw"]["E1"].data_type == "s"


def test_xlsx_template_with_a_formula_like_dimension_reads_back(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from vises.templates.write import write_template

    grid = hostile_grid("=1+1")
    path = write_template(grid, tmp_path / "t.xlsx", lang="en", organisations=["=org"], periods=["2024"])
    book = openpyxl.load_workbook(path)
    assert not [c.coordinate for sheet in book for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert "1 =1+1" in book.sheetnames  # dimension sheets are numbered; the label stays text
    dataset = vises.load_data(path, grid=grid)
    assert list(dataset.organisations) == ["=org"]


# -- markdown -------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


#: What a Markdown report may produce once rendered (markdown-it, CommonMark + tables).
MARKDOWN_TAGS = {
    "h1",
    "h2",
    "h3",
    "p",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "em",
    "strong",
    "blockquote",
    "hr",
    "br",
    "code",
}


def _rendered_markdown(text: str) -> _Elements:
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    parser = _Elements()
    parser.feed(html)
    return parser


def _assert_inert_markdown(text: str) -> None:
    elements = _rendered_markdown(text)
    assert set(elements.tags) <= MARKDOWN_TAGS, set(elements.tags) - MARKDOWN_TAGS
    assert {name for name, _ in elements.attributes} <= {"style"}, elements.attributes
    assert all(value and value.startswith("text-align:") for _, value in elements.attributes)


@pytest.mark.parametrize("view", ["network", "profile"])
def test_core_markdown_renders_no_element_from_the_data(results, view):
    text = render(results, "markdown", lang="en", view=view, organisation="<script>alert(1)</script>")
    _assert_inert_markdown(text)
    assert "<script>" not in text and "<img" not in text


def test_core_markdown_tables_keep_their_columns(results):
    text = render(results, "markdown", lang="en")
    tables = [block for block in text.split("\n\n") if block.startswith("|")]
    scores = next(block for block in tables if "2024" in block)
    assert len(scores.splitlines()) == 2 + len(HOSTILE)
    for table in tables:
        assert len({len(re.findall(r"(?<!\\)\|", line)) for line in table.splitlines()}) == 1, table


@pytest.mark.federation  # the plugins' own formats
def test_caips_markdown_escapes_centre_names(tmp_path):
    path = _example_with(
        tmp_path,
        "wallonie_cisp.csv",
        {"Centre A (synthetic)": "<img src=x onerror=alert(1)>", "Centre B (synthetic)": "a|b|c"},
    )
    text = vises.render(vises.score("wallonie.cisp", path), "wallonie.caips")
    _assert_inert_markdown(text)
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text and r"a\|b\|c" in text


@pytest.mark.federation  # the plugins' own formats
def test_jaarverslag_markdown_escapes_names(tmp_path):
    path = _example_with(
        tmp_path,
        "vlaanderen_maatwerk.csv",
        {"Maatwerkbedrijf A (synthetic)": "<img src=x onerror=alert(1)>", "Maatwerkbedrijf B (synthetic)": "a|b|c"},
    )
    text = vises.render(vises.score("vlaanderen.maatwerk", path), "vlaanderen.jaarverslag")
    _assert_inert_markdown(text)
    assert "<img" not in text and r"a\|b\|c" in text


def test_sroi_markdown_escapes_labels():
    import attrs

    from vises.sroi import evaluate, load_model
    from vises.sroi.render import render as render_sroi

    model = load_model(ROOT / "examples" / "sroi" / "cisp_value_map.toml")
    evil = {"en": "<script>alert(1)</script> | x", "fr": "<script>alert(1)</script> | x"}
    model = attrs.evolve(model, stakeholders=tuple(attrs.evolve(s, label=evil) for s in model.stakeholders))
    text = render_sroi(evaluate(model), fmt="markdown", lang="en", value_map=model)
    _assert_inert_markdown(text)
    assert "<script>" not in text and "&lt;script&gt;" in text


# -- HTML -----------------------------------------------------------------------------------


def _page_elements(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("charts", [True, False])
def test_html_has_no_element_or_attribute_the_data_asked_for(results, charts):
    page = render(results, "html", lang="en", options={"charts": charts})
    benign = render(
        hostile_results(tuple(f"org{i}" for i in range(len(HOSTILE))), label="Social"),
        "html",
        lang="en",
        options={"charts": charts},
    )
    hostile_elements, benign_elements = _page_elements(page), _page_elements(benign)
    assert set(hostile_elements.tags) == set(benign_elements.tags)
    assert {name for name, _ in hostile_elements.attributes} == {name for name, _ in benign_elements.attributes}
    assert not [name for name, _ in hostile_elements.attributes if name.startswith("on")]
    assert page.count("<script") == 1 and "<img" not in page
    script = page[page.index("<script>") : page.index("</script>")]
    assert script == benign[benign.index("<script>") : benign.index("</script>")]


def test_html_profile_escapes_the_organisation(results):
    page = render(
        results,
        "html",
        lang="en",
        view="profile",
        organisation="<img src=x onerror=alert(1)>",
        options={"charts": False},
    )
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_svg_charts_draw_hostile_labels_as_text():
    """The hand-written SVG of each chart is well-formed XML whose texts are the labels, inert."""
    import xml.etree.ElementTree as ET

    label = "</svg><script>alert(1)</script> ]]> &amp; \x1b[31mred"
    page = render(hostile_results(label=label), "html", lang="en")
    charts = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    # The radar, one chart per dimension, the framework and the correlations, none cut short by the label.
    assert len(charts) == 1 + 3 + 2
    texts = []
    for chart in charts:
        root = ET.fromstring(chart)  # each chart stands alone as XML: nothing in it was read as markup
        assert {element.tag.split("}")[1] for element in root.iter()} <= {
            "svg",
            "title",
            "text",
            "tspan",
            "path",
            "rect",
            "circle",
            "g",
        }
        texts += ["".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "<script" not in page.split("<footer>")[0]
    # Drawn as written, the escape sequence dropped: the radar's axis and the chart of that dimension.
    shown = "</svg><script>alert(1)</script> ]]> &amp; red"
    assert any(shown in text for text in texts), texts


def test_hostile_narratives_are_inert_and_whole_in_every_format():
    import attrs

    story = "<img src=x onerror=alert(1)> | =1+1 **bold** \x1b]0;pwned\x07 end"
    base = hostile_results(tuple(f"org{i}" for i in range(3)), label="Social")
    grid = attrs.evolve(
        base.grid, indicators=(*base.grid.indicators, Indicator(code="story", parent="social", kind="narrative"))
    )
    data = attrs.evolve(base.dataset, text={"story": np.array([story, None, ""], dtype=object)})
    results = vises.score(grid, data)
    markdown = render(results, "markdown", lang="en")
    _assert_inert_markdown(markdown)
    assert r"&lt;img src=x onerror=alert(1)&gt; \| =1+1 \*\*bold\*\*  end" in markdown
    table = render(results, "table", lang="en", options={"width": 60})
    assert ESC not in table and "\x07" not in table and "pwned" not in table
    # Wrapped to the width, the whole text is there, the OSC sequence gone (two spaces where it was).
    assert "<img src=x onerror=alert(1)> | =1+1 **bold** end" in " ".join(table.split())
    page = render(results, "html", lang="en", options={"charts": False})
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt; | =1+1 **bold**" in page
    assert json.loads(render(results, "json"))["records"][0]["narratives"]["story"] == story  # kept exactly
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(render(results, "xlsx")))["narratives"]
    cell = sheet.cell(row=3, column=5)
    assert cell.data_type == "s" and _unescape_xlsx(cell.value) == story


def test_stakeholder_and_unit_labels_from_a_grid_are_inert():
    import attrs

    evil = "<script>alert(1)</script> | =1"
    base = hostile_results(tuple(f"org{i}" for i in range(3)), label="Social")
    grid = attrs.evolve(
        base.grid, stakeholder_labels={"guests": {"en": evil}}, unit_labels={"hour": {"en": "**h** <b>"}}
    )
    evaluation = vises.Evaluation(organisation="org0", period="2024", stakeholders=("guests",))
    results = vises.score(grid, attrs.evolve(base.dataset, evaluations=(evaluation,)))
    page = render(results, "html", lang="en", view="profile", organisation="org0", options={"charts": False})
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; | =1" in page
    assert "**h** &lt;b&gt;" in page
    markdown = render(results, "markdown", lang="en", view="profile", organisation="org0")
    _assert_inert_markdown(markdown)
    assert r"&lt;script&gt;alert(1)&lt;/script&gt; \| =1" in markdown and r"\*\*h\*\* &lt;b&gt;" in markdown


# -- terminal -------------------------------------------------------------------------------


def test_table_prints_no_control_sequence(results):
    for view, organisation in (("network", None), ("profile", "\x1b[31mred\x1b[0m")):
        text = render(results, "table", lang="en", view=view, organisation=organisation)
        assert ESC not in text and "\x07" not in text and "\r" not in text
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    # The whole escape sequence goes, the text it coloured stays.
    network = render(results, "table", lang="en")
    assert "red" in network and "[31m" not in network and "title" not in network


def test_cli_score_strips_control_sequences_from_stdout(tmp_path):
    network = ROOT / "tests" / "fixtures" / "network"
    source = (network / "network.csv").read_text(encoding="utf-8")
    data = tmp_path / "evil.csv"
    data.write_text(source.replace("centre_01", "\x1b]0;pwned\x07centre_01"), encoding="utf-8")
    before = data.read_bytes()
    for format_name in ("table", "markdown", "csv", "json"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "vises",
                "score",
                str(data),
                "--grid",
                str(network / "grid.toml"),
                "--format",
                format_name,
            ],
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr
        assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout, format_name
        assert b"centre_01" in done.stdout or b"Centre A (synthetic)" in done.stdout
        if format_name == "json":
            assert b"\\u001b]0;pwned\\u0007" in done.stdout  # JSON escapes it: inert, and kept exactly
        else:
            assert b"pwned" not in done.stdout  # the whole OSC sequence is dropped
    assert data.read_bytes() == before


# -- text kept as written -------------------------------------------------------------------


def test_json_keeps_every_string_exactly(results):
    data = json.loads(render(results, "json"))
    assert sorted(record["organisation"] for record in data["records"]) == sorted(HOSTILE)
    assert {node["code"]: node["label"] for node in data["nodes"]}["social"] == "=1+1"


def test_parquet_keeps_every_string_exactly(results):
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(io.BytesIO(render(results, "parquet")))
    assert sorted(table.column("organisation").to_pylist()) == sorted(HOSTILE)


def test_markdown_text_reads_as_written(results):
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(render(results, "markdown", lang="en"))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    from html import unescape

    texts = {unescape(cell) for cell in cells}
    assert {"=1+1", "a|b", "**bold**", "# heading", "<script>alert(1)</script>"} <= texts


# -- properties -----------------------------------------------------------------------------

_ALPHABET = st.sampled_from([*list("=+-@\t\r<>|*_[]()#`&\"' abc\x1b\x07"), "é", "中", "\u2028"])
_NAMES = st.lists(st.text(_ALPHABET, min_size=1, max_size=12), min_size=2, max_size=5, unique=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_NAMES)
def test_every_format_keeps_hostile_names_inert(names):
    codes = tuple(f"o{i}" for i in range(len(names)))
    results = hostile_results(codes, names=names)
    # CSV (codes are safe here; names are not in the CSV): parse like a spreadsheet would.
    for row in _csv_cells(render(results, "csv")):
        assert not any(vises.formula_like(cell) for cell in row)
    # Markdown: no element, the names readable after rendering.
    _assert_inert_markdown(render(results, "markdown", lang="en"))
    # HTML: no element or event attribute from the names.
    page = render(results, "html", lang="en", options={"charts": False})
    elements = _page_elements(page)
    assert elements.tags.count("script") == 1 and "img" not in elements.tags
    assert not [name for name, _ in elements.attributes if name.startswith("on")]
    # Terminal: no control sequence.
    assert ESC not in render(results, "table", lang="en")
    # JSON keeps them exactly.
    assert json.loads(render(results, "json"))["records"][0]["organisation"] == "o0"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(_ALPHABET, min_size=1, max_size=10), min_size=2, max_size=4, unique=True))
def test_spreadsheet_outputs_round_trip_hostile_codes(codes):
    openpyxl = pytest.importorskip("openpyxl")
    results = hostile_results(tuple(codes))
    written = [row[0] for row in _csv_cells(render(results, "csv"))[1:]]
    for cell in written:
        assert not vises.formula_like(cell)
        assert (cell[1:] if cell.startswith("'") and vises.formula_like(cell[1:]) else cell) in codes or cell in codes
    book = openpyxl.load_workbook(io.BytesIO(render(results, "xlsx")))
    sheet = book["indicators"]
    cells = [sheet.cell(row=r, column=1) for r in range(3, sheet.max_row + 1)]
    assert all(cell.data_type == "s" for cell in cells)
    assert sorted(_unescape_xlsx(cell.value) for cell in cells) == sorted(codes)
