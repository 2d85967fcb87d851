"""Every built-in format renders both views in every language, with its provenance."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from test_report_views import EVIL, ask, make_results

import vises
from vises import markdown_text as escape
from vises.contract.records import ReportRequest
from vises.errors import ConfigError
from vises.plugins import get_registry
from vises.report.csv_format import render_csv
from vises.report.json_format import render_json
from vises.report.markdown import render_markdown
from vises.report.table import render_table

FORMATS = ("table", "markdown", "csv", "json", "html")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "data"


@pytest.fixture(scope="module")
def results():
    return make_results()


def render(results, name, **kwargs):
    if kwargs.get("options") is None:
        kwargs["options"] = {}
    if name == "html":
        kwargs["options"] = {"charts": False, **kwargs["options"]}
    request = ReportRequest(
        language=kwargs.get("lang"),
        view=kwargs.get("view", "network"),
        organisation=kwargs.get("organisation"),
        period=kwargs.get("period"),
        options=kwargs["options"],
    )
    return get_registry().report_formats[name].render(results, request)


def test_the_core_formats_are_registered():
    formats = get_registry().report_formats
    assert set(FORMATS) <= set(formats)
    assert formats["csv"].suffix == ".csv" and formats["html"].suffix == ".html"
    assert not any(formats[name].binary for name in FORMATS)


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_every_format_renders_both_views_with_provenance(results, name, lang):
    for view in ("network", "profile"):
        options = {"provenance": True} if name == "csv" else None  # a bare table unless asked
        out = render(results, name, lang=lang, view=view, organisation="a", options=options)
        assert isinstance(out, str) and out
        assert vises.__version__ in out
        assert "net" in out  # the grid code
        assert results.provenance["created"] in out  # the scoring date, as an ISO timestamp in every format


def test_profile_shows_dimensions_before_the_total(results):
    out = render_table(results, ask(lang="en", view="profile", organisation="a"))
    assert out.index("Dimension profile") < out.index("Overall score")
    assert out.index("Social") < out.index("Overall score")
    assert "Do trainees find stable work?" in out and "Focus group" in out  # the method's label, not its code
    assert "counted from the register" in out


def test_table_formats_numbers_for_the_language(results):
    value = results.score("social")[4]
    fr = render_table(results, ask(lang="fr", view="profile", organisation="a"))
    en = render_table(results, ask(lang="en", view="profile", organisation="a"))
    assert f"{value:.1f}".replace(".", ",") in fr
    assert f"{value:.1f}" in en
    assert "Couverture" in fr and "Verdelingen" in render_table(results, ask(lang="nl"))


def test_ranks_option_removes_ranks(results):
    assert "(1 / 4)" in render_table(results, ask(lang="en"))  # rank 1 of the 4 ranked in the period
    assert "(1 / " not in render_table(results, ask(lang="en", options={"ranks": False}))
    assert "Rank" not in render_table(
        results, ask(lang="en", view="profile", organisation="a", options={"ranks": False})
    )


def test_unknown_view_language_or_option_is_an_error(results):
    for name in FORMATS:
        with pytest.raises(ConfigError, match="view"):
            render(results, name, view="summary")
        with pytest.raises(ConfigError, match="fr, nl, en"):
            render(results, name, lang="de")
        with pytest.raises(ConfigError, match="unknown report option"):
            render(results, name, options={"colour": True})


def test_markdown_escapes_labels(results):
    out = render_markdown(results, ask(lang="en", view="profile", organisation="a"))
    assert EVIL not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert escape("a|b *c*") == r"a\|b \*c\*"
    assert escape("# not a heading") == r"\# not a heading"


def _csv_rows(text):
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.reader(io.StringIO("\n".join(lines))))


def test_csv_columns_and_exact_round_trip(results):
    out = render_csv(results, ask())
    assert out.startswith("organisation,period,"), "the header row comes first: any CSV reader takes the file"
    header, *rows = _csv_rows(out)
    assert header == ["organisation", "period", *results.codes]
    assert len(rows) == len(results)
    for row in rows:
        index = results.row(row[0], row[1])
        for code, cell in zip(results.codes, row[2:], strict=True):
            expected = results.score(code)[index]
            if math.isnan(expected):
                assert cell == ""
            else:
                assert float(cell) == expected  # exact, not approximate
    assert any(cell == "" for row in rows for cell in row)


def test_csv_profile_and_bare_table(results):
    _header, *rows = _csv_rows(render_csv(results, ask(view="profile", organisation="b", period="2022")))
    assert rows == [
        [
            "b",
            "2022",
            *(repr(float(results.score(c)[1])) if not math.isnan(results.score(c)[1]) else "" for c in results.codes),
        ]
    ]
    with_provenance = render_csv(results, ask(options={"provenance": True}))
    assert with_provenance.startswith("# vises ") and "# grid: net" in with_provenance


def test_json_holds_the_whole_results(results):
    data = json.loads(render_json(results, ask()))
    assert data["provenance"]["grid"] == "net" and data["provenance"]["vises_version"] == vises.__version__
    assert data["codes"] == list(results.codes)
    assert len(data["records"]) == len(results)
    for i, record in enumerate(data["records"]):
        for code in results.codes:
            expected = results.score(code)[i]
            got = record["scores"][code]
            assert (got is None and math.isnan(expected)) or got == expected
    assert data["records"][4]["narratives"]["*"] == "Overall the year went well."
    assert data["records"][4]["narratives"]["story"] == "A trainee found a job"
    assert data["records"][0]["ranks"]["net"] >= 1
    assert set(data["fitted"]) >= {"hours", "exits"}
    assert data["evaluations"][0]["questions"] == ["Do trainees find stable work?"]
    assert "NaN" not in render_json(results, ask())
    assert "ranks" not in json.loads(render_json(results, ask(options={"ranks": False})))["records"][0]


def test_json_profile_is_the_explain_tree(results):
    data = json.loads(render_json(results, ask(view="profile", organisation="a", lang="en")))
    assert data["organisation"] == "a" and data["period"] == "2023"
    tree = data["explain"]
    assert tree["code"] == "net"
    assert [child["code"] for child in tree["children"]] == ["social", "economic", "governance"]
    assert tree["score"] == results.score("net")[4]
    assert data["evaluation"]["methods"] == ["survey", "focus group"]


def _example_cases():
    if not EXAMPLES.is_dir():
        return []
    return sorted(EXAMPLES.glob("*.csv"))


def _grid_for(path: Path):
    """An example data file is named after its grid: ``wallonie.cisp.csv`` or ``wallonie_cisp.csv``."""
    sources = get_registry().grid_sources
    for candidate in (path.stem, path.stem.replace("_", ".", 1), f"vises.{path.stem}"):
        if candidate in sources:
            return candidate
    return None


@pytest.mark.parametrize("path", _example_cases() or [None], ids=lambda p: "none-yet" if p is None else p.name)
def test_every_format_renders_the_example_data(path):
    if path is None:
        pytest.skip("no example data in examples/data/ yet")
    grid = _grid_for(path)
    if grid is None:
        pytest.skip(f"no registered grid matches {path.name}")
    results = vises.score(grid, path)
    organisation = str(results.organisations[0])
    for name in FORMATS:
        for view in ("network", "profile"):
            options = {"provenance": True} if name == "csv" else None
            out = render(results, name, lang="fr", view=view, organisation=organisation, options=options)
            assert vises.__version__ in out


def test_importing_the_formats_stays_cheap():
    import subprocess
    import sys

    code = (
        "import sys, vises.report, vises.report.hooks, vises.report.views, vises.i18n;"
        "heavy = [m for m in ('matplotlib', 'jinja2', 'babel', 'pandas', 'tabulate') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_a_period_narrows_the_network_view(results):
    from vises.errors import ConfigError
    from vises.report.views import network_view

    view = network_view(results, lang="en", period="2023")
    assert view.periods == ("2023",) and {row.period for row in view.rows} == {"2023"}
    assert {d.period for d in view.distributions} == {"2023"} and all(c.to_period == "2023" for c in view.changes)
    lines = render_csv(results, ask(period="2022")).splitlines()
    assert len(lines) == 1 + 4 and all(line.split(",")[1] == "2022" for line in lines[1:])
    with pytest.raises(ConfigError, match="unknown period"):
        network_view(results, period="1999")


def test_the_network_overview_lists_the_latest_period_first(results):
    from vises.report.views import network_view

    periods = [row.period for row in network_view(results, lang="en").rows]
    assert periods == sorted(periods, reverse=True) and periods[0] == "2023"


def test_json_is_compact_by_default_and_indents_on_request(results):
    compact = render_json(results, ask())
    indented = render_json(results, ask(options={"indent": 2}))
    assert json.loads(compact) == json.loads(indented)
    assert compact.count("\n") == len(results) + 2  # the head, one line per record, the tail
    assert '\n  "records": [' in indented and len(indented) > len(compact)
    assert "".join(get_registry().report_formats["json"].stream(results, ask())) == compact


def test_json_content_is_the_whole_results(results):
    """The streamed document against one built here from the public Results API."""
    data = json.loads(render_json(results, ask(lang="en")))
    assert list(data) == [
        "view",
        "lang",
        "provenance",
        "grid",
        "codes",
        "periods",
        "nodes",
        "indicators",  # kind, unit, levels, external ids and SDG targets of the raw values (test_json_raw)
        "ranked",
        "records",
        "fitted",
        "evaluations",
        "trends",  # the periods are years: each organisation's trend per dimension (test_report_network_trends)
    ]
    # The N of "rank 1 / N": how many rows of the period have a score, per code.
    in_2022 = results.periods == "2022"
    assert data["ranked"]["2022"]["net"] == int((~np.isnan(results.score("net")[in_2022])).sum())
    for row, record in enumerate(data["records"]):
        assert list(record) == [
            "organisation",
            "period",
            "scores",
            "coverage",
            "reasons",
            "narratives",
            "raw",
            "imputed",
            "ranks",
        ]
        assert record["organisation"] == results.organisations[row] and record["period"] == results.periods[row]
        for code in results.codes:
            coverage, rank = results.coverage(code)[row], results.ranks(code)[row]
            assert record["coverage"][code] == (None if math.isnan(coverage) else coverage)
            assert record["ranks"][code] == (None if math.isnan(rank) else int(rank))
            reason = results.reasons(code)[row]
            assert record["reasons"].get(code) == reason
        for code, value in record["raw"].items():
            if not results.grid.indicator(code).is_number:
                continue  # levels as written: test_json_raw
            raw = results.raw(code)[row]
            assert value == (None if math.isnan(raw) or code in record["imputed"] else raw)
    assert data["nodes"][0]["code"] == results.codes[0] and data["grid"]["label"] == results.grid.label_in("en")


def test_csv_streams_the_same_text(results):
    spec = get_registry().report_formats["csv"]
    assert "".join(spec.stream(results, ask())) == render_csv(results, ask())


def test_parquet_columns_match_the_results(results):
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(io.BytesIO(vises.render(results, "parquet")))
    rows = [
        results.row(o, p) for o, p in zip(table["organisation"].to_pylist(), table["period"].to_pylist(), strict=True)
    ]
    for code in results.codes:
        for column, expected in ((f"score.{code}", results.score(code)), (f"coverage.{code}", results.coverage(code))):
            got = table[column].to_pylist()
            assert got == [None if math.isnan(expected[r]) else expected[r] for r in rows], column
        ranks = results.ranks(code)
        assert table[f"rank.{code}"].to_pylist() == [None if math.isnan(ranks[r]) else int(ranks[r]) for r in rows]
    assert json.loads(table.schema.metadata[b"vises.provenance"])["grid"] == "net"


def test_each_format_refuses_options_it_does_not_take(results):
    with pytest.raises(ConfigError, match="the csv format understands: provenance"):
        render_csv(results, ask(options={"digits": 2}))
    with pytest.raises(ConfigError, match="indent"):
        vises.render(results, "html", options={"indent": 2})


def test_cli_indent_and_streamed_json(tmp_path):
    from click.testing import CliRunner

    from vises.cli import cli as main

    network = EXAMPLES.parents[1] / "tests" / "fixtures" / "network"
    data, grid = network / "network.csv", str(network / "grid.toml")
    runner = CliRunner()
    compact, indented = tmp_path / "a.json", tmp_path / "b.json"
    for path, extra in ((compact, []), (indented, ["--indent", "2"])):
        done = runner.invoke(main, ["score", str(data), "--grid", grid, "--format", "json", "-o", str(path), *extra])
        assert done.exit_code == 0, done.output
    a, b = json.loads(compact.read_text()), json.loads(indented.read_text())
    a["provenance"].pop("created"), b["provenance"].pop("created")
    assert a == b and len(indented.read_text()) > len(compact.read_text())
    done = runner.invoke(main, ["score", str(data), "--grid", grid, "--format", "csv", "--indent", "2"])
    assert done.exit_code != 0 and "indent" in done.output
