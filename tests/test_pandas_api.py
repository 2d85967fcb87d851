"""The labelled API: ``Results.to_frame(what=...)`` and ``Results.series(code)`` with an (organisation,
period) index in the data's own dtypes, ``Explanation`` printed as a tree and as a frame, one default
language for explanations and reports, and narratives read from every source."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import vises
from vises import Column, Dataset, Grid, Indicator, Kind, Node
from vises.errors import ConfigError

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "data" / "wallonie_cisp.csv"


def small_grid(languages: tuple[str, ...] = ("fr", "en")) -> Grid:
    return Grid(
        code="demo",
        languages=languages,
        label={"fr": "Démo", "en": "Demo"},
        nodes=(
            Node(code="index", label={"fr": "Indice", "en": "Index"}),
            Node(code="social", parent="index", label={"fr": "Social", "en": "Social"}, min_coverage=0.6),
            Node(code="env", parent="index", weight=3, label={"fr": "Environnement", "en": "Environment"}),
        ),
        indicators=(
            Indicator(code="hours", parent="social", unit="hour", label={"fr": "Heures", "en": "Hours"}),
            Indicator(code="jobs", parent="social", label={"fr": "Emplois", "en": "Jobs"}),
            Indicator(code="waste", parent="env", unit="kg", direction="lower", label={"fr": "Déchets", "en": "Waste"}),
            Indicator(code="charter", parent="env", kind=Kind.BINARY, label={"fr": "Charte", "en": "Charter"}),
            Indicator(code="story", parent="env", kind=Kind.NARRATIVE),
        ),
    )


def frame_source(periods: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "organisation": ["a", "b", "c", "a", "b", "c"],
            "year": periods,
            "hours": [10.0, 20.0, 40.0, 12.0, None, 41.0],
            "jobs": [1.0, 2.0, 3.0, 2.0, 2.0, 3.0],
            "waste": [5.0, 3.0, 9.0, 4.0, 3.0, 8.0],
            "charter": ["yes", "no", "yes", "yes", "yes", "no"],
        }
    )


def test_to_frame_is_indexed_by_organisation_and_period_in_the_source_dtypes():
    source = frame_source([2023, 2023, 2023, 2024, 2024, 2024])
    results = vises.score(small_grid(), source)
    frame = results.to_frame()
    assert list(frame.index.names) == ["organisation", "period"]
    assert frame.index.get_level_values("period").dtype == np.int64
    assert frame.index.get_level_values("period").tolist() == [2023, 2023, 2023, 2024, 2024, 2024]
    assert list(frame.columns) == list(results.codes)
    np.testing.assert_array_equal(frame.to_numpy(), results.scores)
    # An int period merges back onto the frame it came from: every row finds its data.
    joined = frame.join(
        source.set_index(["organisation", "year"]).rename_axis(["organisation", "period"]).add_suffix("_")
    )
    assert joined["hours_"].notna().sum() == 5 and len(joined) == 6
    assert (joined["charter_"] == source["charter"].to_numpy()).all()


def test_text_periods_stay_text_and_plain_years_from_a_file_become_integers(tmp_path):
    as_text = vises.score(small_grid(), frame_source(["2023"] * 3 + ["2024"] * 3)).to_frame()
    assert as_text.index.get_level_values("period").tolist() == ["2023"] * 3 + ["2024"] * 3
    quarters = vises.score(small_grid(), frame_source(["2023-Q1"] * 3 + ["2023-Q2"] * 3)).to_frame()
    assert set(quarters.index.get_level_values("period")) == {"2023-Q1", "2023-Q2"}
    # A CSV file has no types: plain whole numbers come back as int64, as pandas.read_csv reads them.
    path = tmp_path / "data.csv"
    frame_source([2023, 2023, 2023, 2024, 2024, 2024]).rename(columns={"year": "period"}).to_csv(path, index=False)
    from_file = vises.score(small_grid(), path).to_frame()
    assert from_file.index.get_level_values("period").dtype == np.int64
    read_back = pd.read_csv(path).set_index(["organisation", "period"])
    assert from_file.join(read_back.add_suffix("_"))["jobs_"].notna().all()
    # "09" is not written plainly: every period stays text rather than 9 and a mismatch.
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("organisation,period,hours,jobs,waste,charter\na,09,1,1,1,yes\nb,10,2,2,2,no\n")
    assert vises.score(small_grid(), mixed).to_frame().index.get_level_values("period").tolist() == ["09", "10"]


def test_a_dataset_built_with_integer_keys_keeps_them():
    dataset = Dataset(
        organisations=np.array([101, 102, 103]),
        periods=np.array([2024, 2024, 2024]),
        columns={
            "hours": Column(values=np.array([1.0, 2.0, 3.0]), unit="hour"),
            "jobs": Column(values=np.array([1.0, 2.0, 2.0])),
            "waste": Column(values=np.array([1.0, 2.0, 3.0]), unit="kg"),
            "charter": Column(values=np.array(["yes", "no", "yes"], dtype=object)),
        },
    )
    frame = vises.score(small_grid(), dataset).to_frame("coverage")
    assert frame.index.get_level_values("organisation").tolist() == [101, 102, 103]
    assert frame.index.get_level_values("period").dtype.kind == "i"


def test_ranks_coverage_and_raw_frames():
    results = vises.score(small_grid(), frame_source([2023, 2023, 2023, 2024, 2024, 2024]))
    ranks = results.to_frame("ranks")
    assert all(str(dtype) == "Int64" for dtype in ranks.dtypes)
    assert ranks["hours"].isna().tolist() == [False, False, False, False, True, False]
    np.testing.assert_array_equal(ranks["index"].to_numpy(dtype=float), results.ranks("index"))
    coverage = results.to_frame("coverage", codes=["social", "index"])
    assert list(coverage.columns) == ["social", "index"]
    np.testing.assert_array_equal(coverage["social"].to_numpy(), results.coverage("social"))
    raw = results.to_frame("raw")
    assert list(raw.columns) == [code for code in results.codes if results.is_indicator(code)]
    assert raw.loc[("a", 2024), "hours"] == 12.0
    with pytest.raises(ConfigError, match="only indicators have raw values"):
        results.to_frame("raw", codes=["social"])
    with pytest.raises(ConfigError, match="unknown kind of values 'score'"):
        results.to_frame("score")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a scored node"):
        results.to_frame(codes=["nope"])


def test_series_is_named_and_labelled_like_the_frame_while_score_stays_a_column():
    results = vises.score(small_grid(), frame_source([2023, 2023, 2023, 2024, 2024, 2024]))
    series = results.series("index")
    assert isinstance(series, pd.Series) and series.name == "index"
    assert series.index.equals(results.to_frame().index)
    np.testing.assert_array_equal(series.to_numpy(), results.score("index"))
    assert series.loc[("c", 2024)] == results.score("index")[5]
    assert isinstance(results.score("index"), np.ndarray)
    assert str(results.series("hours", "ranks").dtype) == "Int64"
    # The Series is a copy: changing it leaves the results alone.
    series.iloc[0] = -1.0
    assert results.score("index")[0] != -1.0


def missing_results(lang_grid: tuple[str, ...] = ("fr", "en")) -> vises.Results:
    data = {
        "organisation": ["a", "b", "c"],
        "period": ["2024"] * 3,
        "hours": [10.0, None, 40.0],
        "jobs": [1.0, None, 3.0],
        "waste": [5.0, 3.0, 9.0],
        "charter": ["yes", "no", "yes"],
        "story": ["Une histoire.", None, None],
    }
    return vises.score(small_grid(lang_grid), data)


def test_printing_an_explanation_draws_the_tree_in_the_grid_language():
    results = missing_results()
    assert results.lang == "fr"
    text = str(results.explain("b"))
    lines = text.splitlines()
    assert lines[0] == "b, 2024"
    text = text.replace("\u00a0", " ").replace("\u202f", " ")  # French typography's no-break spaces
    lines = text.splitlines()
    assert lines[1].startswith("Indice (index) : ")  # French colon, French label
    assert "├── Social (social) : manquant (" in text
    assert "└── Environnement (env) : " in text and "poids 3 (100 %)" in text  # the only child present
    assert "Heures (hours) : manquant (Valeur manquante)" in text
    social = next(line for line in lines if "(social)" in line)
    assert "Tous les indicateurs en dessous manquent" in social
    assert "valeur Non" in text  # a yes/no value in the report's words
    assert any(line.startswith("│   └── ") or line.startswith("    └── ") for line in lines)
    a = str(results.explain("a")).replace("\u00a0", " ")
    assert "    │   story : « Une histoire. »" in a and "contribution" in a and "rang 1" in a
    english = str(results.explain("a", lang="en"))
    assert "Index (index): " in english and "weight 3" in english and "story: “Une histoire.”" in english


def test_explanation_to_frame_has_one_row_per_node():
    results = missing_results()
    tree = results.explain("a")
    frame = tree.to_frame()
    assert list(frame.index) == [node.code for node in tree.walk()]
    assert frame.loc["index", "depth"] == 0 and pd.isna(frame.loc["index", "parent"])
    assert frame.loc["hours", "parent"] == "social" and frame.loc["hours", "depth"] == 2
    assert str(frame["rank"].dtype) == "Int64"
    assert frame.loc["hours", "raw"] == 10.0 and frame.loc["hours", "unit"] == "hour"
    assert frame.loc["social", "contribution"] == pytest.approx(tree.children[0].contribution)
    # to_dict is unchanged by the display fields.
    assert "lang" not in tree.to_dict() and "organisation" not in tree.to_dict()


def test_explain_and_render_speak_the_same_language_by_default():
    results = missing_results(("nl", "fr", "en"))
    assert results.lang == "nl"
    assert results.explain("a").lang == "nl"
    import json

    profile = json.loads(vises.render(results, "json", view="profile", organisation="a"))
    assert profile["lang"] == "nl" and profile["explain"]["label"] == results.explain("a").label
    assert results.label("index") == "Indice"  # no Dutch label: the grid's other language, unmarked
    assert results.label("index", "nl") == "Indice [fr]"  # asked for: marked, from the grid's next language
    assert "gewicht" in str(results.explain("a"))


def test_a_narrative_given_as_a_value_column_is_read_with_the_text():
    grid = small_grid()
    dataset = Dataset(
        organisations=np.array(["a", "b"]),
        periods=np.array(["2024", "2024"]),
        columns={
            "hours": Column(values=np.array([1.0, 2.0]), unit="hour"),
            "jobs": Column(values=np.array([1.0, 2.0])),
            "waste": Column(values=np.array([1.0, 2.0]), unit="kg"),
            "charter": Column(values=np.array(["yes", "no"], dtype=object)),
            "story": Column(values=np.array(["Told in a column.", None], dtype=object)),
        },
        text={"story": np.array([None, "Told as text."], dtype=object)},
    )
    results = vises.score(grid, dataset)
    assert results.narrative("story", 0) == "Told in a column."
    assert results.narrative("story", 1) == "Told as text."
    markdown = vises.render(results, "markdown", view="profile", organisation="a")
    assert markdown.count("Told in a column.") == 1


def test_a_narrative_typed_into_an_xlsx_template_reaches_results_narrative(tmp_path):
    pytest.importorskip("openpyxl")
    from tests.test_templates import fill, make_grid

    from vises.templates.write import write_template

    grid = make_grid()
    template = write_template(grid, tmp_path / "t.xlsx", lang="fr", organisations=["ateliers"], periods=["2024"])
    filled = fill(template, tmp_path / "filled.xlsx", {"2 Environnement": {"F:story": "Elle a trouvé un emploi."}})
    results = vises.score(grid, filled)
    assert results.narrative("story", 0) == "Elle a trouvé un emploi."
    assert "Elle a trouvé un emploi." in str(results.explain("ateliers"))


def test_the_example_network_round_trips_through_pandas():
    if not EXAMPLE.is_file():
        pytest.skip("the example data is not in this checkout")
    try:
        results = vises.score("wallonie.cisp", EXAMPLE)
    except ConfigError:
        pytest.skip("the vises-wallonie plugin is not installed")
    frame = results.to_frame().reset_index()
    with EXAMPLE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert frame["period"].dtype == np.int64
    assert frame[["organisation", "period"]].astype(str).agg(",".join, axis=1).tolist() == [
        f"{row['organisation']},{row['period']}" for row in rows
    ]


def test_the_analysis_commands_speak_the_grid_language_by_default(tmp_path):
    from click.testing import CliRunner

    from vises.cli import cli

    grid = tmp_path / "g.toml"
    grid.write_text(
        'code = "g"\nlanguages = ["nl", "en"]\n[[nodes]]\ncode = "root"\n'
        '[[indicators]]\ncode = "x"\nparent = "root"\n[[indicators]]\ncode = "y"\nparent = "root"\n',
        encoding="utf-8",
    )
    data = tmp_path / "d.csv"
    data.write_text("organisation,period,x,y\na,2023,1,3\nb,2023,2,1\nc,2023,3,2\na,2024,2,3\n", encoding="utf-8")
    runner = CliRunner()
    dutch = runner.invoke(cli, ["strengths", str(data), "-g", str(grid), "--org", "a"])
    assert dutch.exit_code == 0, dutch.output
    assert "Sterke punten" in dutch.output
    english = runner.invoke(cli, ["strengths", str(data), "-g", str(grid), "--org", "a", "-l", "en"])
    assert "Strengths" in english.output and "Sterke punten" not in english.output
