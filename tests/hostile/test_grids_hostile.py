"""Hostile grids and datasets: huge, deep, cyclic, duplicated, framed to nothing, oddly dated.

Each case asserts the exact outcome (exit code, the words of the message, the numbers) through the
Python API or the real entry point (``vises.cli.main``, or a fresh ``python -m vises`` where the
environment or warnings matter), and that the inputs were not changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import attrs
import numpy as np
import pytest

import vises
from vises.cli import main
from vises.errors import DataValidationError, DataWarning, ExitCode, GridValidationError
from vises.model import Column, Dataset, Evaluation, Grid, Indicator, Kind, Level, Method, Node, Organisation

pytestmark = pytest.mark.filterwarnings("ignore::vises.errors.VisesPluginWarning")

SMALL_GRID = """\
code = "mini"
[[nodes]]
code = "root"
[[indicators]]
code = "hours"
parent = "root"
unit = "hour"
minimum = 0
maximum = 100
[[indicators]]
code = "quality"
parent = "root"
kind = "scale"
levels = [{ value = "1" }, { value = "2" }, { value = "3" }]
"""
HEADER = "organisation,period,hours,quality\n"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the console entry point in this process; return (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fresh(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process (environment variables, warnings shown as users see them)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VISES_")}
    environ["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "vises", *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=120
    )


def rows(n: int, *, periods: list[str] | None = None) -> Dataset:
    return Dataset(
        organisations=np.array([f"o{i}" for i in range(n)]),
        periods=np.array(periods if periods is not None else ["2024"] * n),
        columns={},
    )


def deep_grid(levels: int) -> Grid:
    """A chain of ``levels`` nodes, one indicator under each (COINr counts levels + 1 levels)."""
    nodes = (Node(code="n0"), *(Node(code=f"n{k}", parent=f"n{k - 1}") for k in range(1, levels)))
    indicators = tuple(Indicator(code=f"x{k}", parent=f"n{k}") for k in range(levels))
    return Grid(code="deep", nodes=nodes, indicators=indicators)


# -- size and depth --------------------------------------------------------------------------------


def test_100000_indicators_under_one_node_validate_and_score_in_seconds() -> None:
    n = 100_000
    grid = Grid(
        code="wide",
        nodes=(Node(code="root"),),
        indicators=tuple(Indicator(code=f"i{j}", parent="root") for j in range(n)),
    )
    start = time.perf_counter()
    assert vises.validate_grid(grid) == []
    data = Dataset(
        organisations=np.array(["a", "b", "c"]),
        periods=np.array(["2024"] * 3),
        columns={f"i{j}": Column(values=np.array([0.0, 1.0, 2.0]) * (1 + j % 7)) for j in range(n)},
    )
    results = vises.score(grid, data)
    elapsed = time.perf_counter() - start
    np.testing.assert_allclose(results.score("root"), [0.0, 50.0, 100.0])
    assert results.codes[-1] == "root" and len(results.codes) == n + 1
    assert elapsed < 60, f"{elapsed:.1f} s"  # seconds on an idle machine; minutes meant a quadratic scan
    assert len(repr(grid)) < 120 and "100000 indicators" in repr(grid)


def test_a_10000_level_grid_is_refused_by_default_naming_the_limit() -> None:
    grid = deep_grid(10_000)
    start = time.perf_counter()
    problems = vises.validate_grid(grid)
    assert time.perf_counter() - start < 30
    assert len(problems) == 1
    problem = problems[0]
    assert problem.message == "the grid is 10,001 levels deep, more than the limit grid_levels = 100"
    assert problem.exit_code == ExitCode.USAGE
    assert "VISES_LIMIT_GRID_LEVELS=10001" in (problem.hint or "")
    assert "vises.use_limits(grid_levels=10001)" in (problem.hint or "")
    with pytest.raises(GridValidationError, match="levels deep") as info:
        vises.score(grid, rows(1))
    assert info.value.exit_code == ExitCode.USAGE


def test_a_10000_level_grid_validates_scores_and_explains_with_the_limit_raised() -> None:
    levels = 10_000
    grid = deep_grid(levels)
    data = Dataset(
        organisations=np.array(["a", "b", "c"]),
        periods=np.array(["2024"] * 3),
        columns={f"x{k}": Column(values=np.array([1.0, 2.0, 3.0])) for k in range(levels)},
    )
    start = time.perf_counter()
    with vises.use_limits(grid_levels=levels + 1):
        assert vises.validate_grid(grid) == []
        results = vises.score(grid, data)
    # Every indicator scores 0, 50, 100; every mean of them and of a child node stays the same.
    np.testing.assert_allclose(results.score("n0"), [0.0, 50.0, 100.0])
    tree = results.explain("b")
    assert sum(1 for _ in tree.walk()) == 2 * levels
    assert tree == results.explain("b") and repr(tree) == "<Explanation 'n0': score 50, 2 children>"
    assert results.coverage("n0").tolist() == [1.0, 1.0, 1.0]
    assert results.imputed("n0").tolist() == [False, False, False]
    assert len(tree.to_dict()["children"]) == 2
    assert time.perf_counter() - start < 60
    # Outside the block the default limit is back.
    assert "levels deep" in vises.validate_grid(grid)[0].message


def test_a_deep_grid_file_on_the_command_line_exits_2_then_passes_with_the_variable(tmp_path: Path) -> None:
    levels = 150
    lines = ['code = "deep"', "[[nodes]]", 'code = "n0"']
    for k in range(1, levels):
        lines += ["[[nodes]]", f'code = "n{k}"', f'parent = "n{k - 1}"']
    lines += ["[[indicators]]", 'code = "x"', f'parent = "n{levels - 1}"']
    (tmp_path / "deep.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("organisation,period,x\na,2024,1\nb,2024,2\n", encoding="utf-8")
    refused = fresh("validate", "d.csv", "--grid", "deep.toml", cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith("Error:") and "Traceback" not in refused.stderr
    assert (
        "'deep.toml'" in refused.stderr and "151 levels deep, more than the limit grid_levels = 100" in refused.stderr
    )
    raised = fresh("validate", "d.csv", "--grid", "deep.toml", cwd=tmp_path, env={"VISES_LIMIT_GRID_LEVELS": "200"})
    assert raised.returncode == 0, raised.stderr
    assert "ready to score" in raised.stdout
    scored = fresh(
        "score", "d.csv", "--grid", "deep.toml", "--format", "csv", cwd=tmp_path, env={"VISES_LIMIT_GRID_LEVELS": "200"}
    )
    assert scored.returncode == 0, scored.stderr


def test_the_item_limit_and_a_malformed_limit_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "g.toml").write_text(SMALL_GRID, encoding="utf-8")
    (tmp_path / "d.csv").write_text(HEADER + "a,2024,1,2\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VISES_LIMIT_GRID_ITEMS", "2")
    code, _, err = cli(capsys, "validate", "d.csv", "--grid", "g.toml")
    assert code == 2
    assert "the grid has 3 nodes and indicators, more than the limit grid_items = 2" in err
    monkeypatch.setenv("VISES_LIMIT_GRID_ITEMS", "lots")
    code, _, err = cli(capsys, "validate", "d.csv", "--grid", "g.toml")
    assert code == 2
    assert "VISES_LIMIT_GRID_ITEMS='lots' is not a whole number" in err and "Traceback" not in err


def test_grid_limits_refuse_nonsense() -> None:
    with pytest.raises(vises.ConfigError, match="grid_levels must be a whole number ≥ 1, got 0"):
        vises.Limits(grid_levels=0)


# -- cycles and broken trees, each reported once and in linear time ------------------------------------


def test_a_10000_node_cycle_is_one_problem_with_a_short_message() -> None:
    n = 10_000
    nodes = (Node(code="r"), *(Node(code=f"c{k}", parent=f"c{(k - 1) % n}") for k in range(n)))
    grid = Grid(
        code="g", nodes=nodes, indicators=(Indicator(code="x", parent="r"), Indicator(code="y", parent=f"c{n - 1}"))
    )
    start = time.perf_counter()
    problems = vises.validate_grid(grid)
    assert time.perf_counter() - start < 20
    assert [p.path for p in problems] == ["nodes[1].parent"]
    assert problems[0].message == (
        "the parents form a cycle: c0 -> c9999 -> c9998 -> c9997 -> c9996 -> c9995 -> c9994 -> c9993 -> c9992 "
        "-> c9991 -> ... -> c1 -> c0 (10000 nodes)"
    )


def test_a_long_chain_under_an_unknown_parent_is_one_problem() -> None:
    n = 10_000
    nodes = (Node(code="r"), *(Node(code=f"c{k}", parent=f"c{k - 1}" if k else "ghost") for k in range(n)))
    grid = Grid(
        code="g", nodes=nodes, indicators=(Indicator(code="x", parent="r"), Indicator(code="y", parent=f"c{n - 1}"))
    )
    problems = vises.validate_grid(grid)
    assert [(p.path, p.message) for p in problems] == [("nodes[1].parent", "unknown parent 'ghost'")]


def test_a_node_that_is_its_own_parent() -> None:
    grid = Grid(
        code="g",
        nodes=(Node(code="r"), Node(code="a", parent="a")),
        indicators=(Indicator(code="x", parent="r"), Indicator(code="y", parent="a")),
    )
    assert [p.message for p in vises.validate_grid(grid)] == [
        "a node cannot be its own parent",
        "the parents form a cycle: a -> a",
    ]


# -- one set of checks for validate and score ---------------------------------------------------------


def _planted(tmp_path: Path) -> tuple[Grid, Dataset]:
    grid = vises.load_grid(tmp_path / "g.toml")
    data = Dataset(
        organisations=np.array(["a", "b", "a", "c"], dtype=object),
        periods=np.array(["2024", "2024", "2024", "2024"], dtype=object),
        columns={
            "hours": Column(values=np.array([10.0, 7200.0, -1.0, 5.0]), unit="min"),  # 120 h > 100, -1/60 h < 0
            "quality": Column(values=np.array(["1", "4", "x", None], dtype=object)),
            "hors": Column(values=np.array([1.0, 2.0, 3.0, 4.0])),
        },
        read_problems=(vises.DataError("'12,x' is not a number", file="d.csv", row=5, column="hours"),),
        source="d.csv",
    )
    return grid, data


def test_validate_and_score_report_every_problem_once_with_the_same_words(tmp_path: Path) -> None:
    (tmp_path / "g.toml").write_text(SMALL_GRID, encoding="utf-8")
    grid, data = _planted(tmp_path)
    validated = [str(p) for p in vises.validate_data(grid, data)]
    with pytest.raises(DataValidationError) as info:
        vises.score(grid, data)
    scored = [str(p) for p in info.value.problems]
    assert validated == scored
    assert validated == [
        "file 'd.csv', row 5, column 'hours': '12,x' is not a number",
        "file 'd.csv', column 'hors': column is not an indicator of the grid (hint: did you mean 'hours'?)",
        "file 'd.csv', row 3, column 'hours', indicator 'hours': value 120 is above the maximum 100 "
        "(hint: check the value and its unit)",
        "file 'd.csv', row 4, column 'hours', indicator 'hours': value -0.0166667 is below the minimum 0 "
        "(hint: check the value and its unit)",
        "file 'd.csv', row 3, column 'quality', indicator 'quality': '4' is not a level of this scale indicator; "
        "allowed: '1', '2', '3'",
        "file 'd.csv', row 4, column 'quality', indicator 'quality': 'x' is not a level of this scale indicator; "
        "allowed: '1', '2', '3'",
        "file 'd.csv', row 4: organisation 'a', period '2024' appears again (first at row 2) "
        "(hint: keep one row per organisation and period)",
    ]
    assert info.value.exit_code == ExitCode.INVALID_DATA
    assert data.columns["hours"].values.tolist() == [10.0, 7200.0, -1.0, 5.0]  # nothing changed


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (HEADER + "a,2024,12,2\na,2024,8,3\n", "row 3: organisation 'a', period '2024' appears again (first at row 2)"),
        (HEADER + "a,2024,120,2\n", "row 2, column 'hours', indicator 'hours': value 120 is above the maximum 100"),
    ],
    ids=["duplicate rows", "out of range"],
)
def test_score_refuses_what_validate_refuses_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, content: str, needle: str
) -> None:
    (tmp_path / "g.toml").write_text(SMALL_GRID, encoding="utf-8")
    (tmp_path / "d.csv").write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    validate_code, _, validate_err = cli(capsys, "validate", "d.csv", "--grid", "g.toml")
    score_code, score_out, score_err = cli(capsys, "score", "d.csv", "--grid", "g.toml", "--format", "csv")
    assert validate_code == score_code == 1
    assert needle in validate_err and needle in score_err
    assert score_out == ""
    assert (tmp_path / "d.csv").read_text(encoding="utf-8") == content


def test_a_thousand_repeated_rows_are_twenty_problems_and_a_count() -> None:
    grid = Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="x", parent="r"),))
    n = 1_000
    data = Dataset(
        organisations=np.array(["same"] * n),
        periods=np.array(["2024"] * n),
        columns={"x": Column(values=np.arange(n, dtype=float))},
    )
    problems = vises.validate_data(grid, data)
    assert len(problems) == 21
    assert problems[0].row == 3 and "first at row 2" in problems[0].message
    assert problems[-1].message == (
        "979 more rows repeat an organisation and period given earlier "
        "(rows 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, ...)"
    )


def test_duplicates_are_found_among_a_million_rows_by_their_text() -> None:
    n = 1_000_000
    organisations = np.char.add("org", np.arange(n).astype(str))
    organisations[777_777] = "org12"  # the one repeat, far from its first row
    data = Dataset(organisations=organisations, periods=np.array(["2024"] * n), columns={})
    from vises.validation.dataset import duplicate_rows

    found = duplicate_rows(data, file=None, first_row=2)
    assert [(p.row, p.message) for p in found] == [
        (777_779, "organisation 'org12', period '2024' appears again (first at row 14)")
    ]


def test_unknown_columns_are_refused_by_score_as_by_validate() -> None:
    grid = Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="x", parent="r"),))
    data = attrs.evolve(
        rows(2), columns={"x": Column(values=np.array([1.0, 2.0])), "y": Column(values=np.array([1.0, 2.0]))}
    )
    assert [p.column for p in vises.validate_data(grid, data)] == ["y"]
    with pytest.raises(DataValidationError, match="column 'y': column is not an indicator of the grid"):
        vises.score(grid, data)


# -- framing keyed to nothing: warned and listed, never dropped silently --------------------------------


def _framed(evaluations: tuple[Evaluation, ...], profiles: dict[str, Organisation] | None = None) -> Dataset:
    return Dataset(
        organisations=np.array(["a", "b"]),
        periods=np.array(["2024", "2024"]),
        columns={"x": Column(values=np.array([1.0, 2.0]))},
        evaluations=evaluations,
        organisation_profiles=profiles or {},
    )


FRAMED_GRID = Grid(
    code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="hours", parent="r"), Indicator(code="x", parent="r"))
)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (
            _framed((Evaluation(organisation="zz", questions=("Why?",)),)),
            "has an evaluation of organisation 'zz', which has no row in the data",
        ),
        (
            _framed((Evaluation(organisation="a", period="2019"),)),
            "has an evaluation of 'a' for period '2019', which the data does not have for it (its periods: 2024)",
        ),
        (
            _framed((Evaluation(organisation="a", narrative={"hoursx": "a story"}),)),
            "has narrative of 'a' for 'hoursx', which is not a node or indicator of grid 'g'",
        ),
        (
            _framed((), {"ghost": Organisation(code="ghost", name="Ghost")}),
            "has a portrait of organisation 'ghost', which has no row in the data",
        ),
    ],
    ids=["organisation", "period", "narrative code", "portrait"],
)
def test_framing_keyed_to_unknown_codes_is_warned_by_validate_and_score(data: Dataset, words: str) -> None:
    grid = attrs.evolve(FRAMED_GRID, indicators=(FRAMED_GRID.indicators[1],))
    with pytest.warns(DataWarning) as caught:
        assert vises.validate_data(grid, data) == []
    assert [words in str(w.message) for w in caught] == [True]
    with pytest.warns(DataWarning, match="appears in no report|no row in the data"):
        vises.score(grid, data)


def test_a_misspelt_narrative_code_gets_a_did_you_mean() -> None:
    data = attrs.evolve(
        _framed((Evaluation(organisation="a", narrative={"hoursx": "a story"}),)),
        columns={"x": Column(values=np.array([1.0, 2.0])), "hours": Column(values=np.array([3.0, 4.0]))},
    )
    with pytest.warns(DataWarning) as caught:
        vises.validate_data(FRAMED_GRID, data)
    assert "did you mean 'hours'?" in str(caught[0].message)


def test_validate_lists_framing_warnings_and_exits_0(tmp_path: Path) -> None:
    (tmp_path / "g.toml").write_text(SMALL_GRID, encoding="utf-8")
    (tmp_path / "d.csv").write_text(HEADER + "a,2024,12,2\nb,2024,8,3\n", encoding="utf-8")
    (tmp_path / "d.evaluations.toml").write_text(
        '[[evaluations]]\norganisation = "zz"\nquestions = ["Why?"]\n'
        '[[evaluations]]\norganisation = "a"\nnarrative = { hourz = "story" }\n',
        encoding="utf-8",
    )
    done = fresh("validate", "d.csv", "--grid", "g.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warned) == 2, done.stderr
    assert "evaluation of organisation 'zz', which has no row in the data" in warned[0]
    assert "narrative of 'a' for 'hourz'" in warned[1] and "did you mean 'hours'?" in warned[1]
    assert "ready to score" in done.stdout


# -- periods in their natural order, with their original text -------------------------------------------


def _periods_grid() -> Grid:
    return Grid(
        code="g",
        nodes=(Node(code="r"),),
        indicators=(Indicator(code="x", parent="r", imputation=Method(name="previous")),),
    )


def test_period_9_comes_before_period_10() -> None:
    data = Dataset(
        organisations=np.array(["a", "a", "b"]),
        periods=np.array(["10", "9", "10"]),
        columns={"x": Column(values=np.array([np.nan, 4.0, 6.0]))},
    )
    assert data.period_values == ["9", "10"]
    results = vises.score(_periods_grid(), data)
    assert results.period_values == ("9", "10")
    assert results.row("a") == 0  # the latest period of a is 10, not 9
    assert results.raw("x").tolist() == [4.0, 4.0, 6.0]  # carried forward from 9 to 10
    assert results.previous_period("10") == "9"


def test_numbers_then_dates_then_text_keeping_the_original_text() -> None:
    labels = ["spring", "2019-03", "10", "9", "2019-01-15", "09", "2019-10", "1e1", "autumn"]
    data = Dataset(organisations=np.array([f"o{i}" for i in range(len(labels))]), periods=np.array(labels), columns={})
    assert data.period_values == ["09", "9", "10", "1e1", "2019-01-15", "2019-03", "2019-10", "autumn", "spring"]
    from vises.model.periods import latest

    assert latest(labels) == "spring" and latest(["9", "10", "2019"]) == "2019"


def test_equal_numbers_written_differently_stay_distinct_periods() -> None:
    grid = Grid(code="g", nodes=(Node(code="r"),), indicators=(Indicator(code="x", parent="r"),))
    data = Dataset(
        organisations=np.array(["a", "a"]),
        periods=np.array(["09", "9"]),
        columns={"x": Column(values=np.array([1.0, 2.0]))},
    )
    results = vises.score(grid, data)
    assert results.period_values == ("09", "9") and results.periods.tolist() == ["09", "9"]


# -- known bugs --------------------------------------------------------------------------------------------


def test_an_indicator_named_like_an_attribute_is_read_as_the_indicator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = 'code = "g"\n[[nodes]]\ncode = "root"\n[[indicators]]\ncode = "size"\nparent = "root"\n'
    (tmp_path / "g.toml").write_text(grid, encoding="utf-8")
    (tmp_path / "d.csv").write_text("organisation,period,size\na,2024,3\nb,2024,5\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "validate", "d.csv", "--grid", "g.toml")
    assert code == 0, err
    assert "1 of 1 scored indicators" in out
    results = vises.score(tmp_path / "g.toml", tmp_path / "d.csv")
    assert results.raw("size").tolist() == [3.0, 5.0]


def test_a_category_indicator_without_its_own_normaliser_scores_its_category_score() -> None:
    grid = Grid(
        code="g",
        nodes=(Node(code="r"),),
        indicators=(
            Indicator(
                code="status",
                parent="r",
                kind=Kind.CATEGORY,
                levels=(Level(value="coop", score=80), Level(value="asbl", score=60), Level(value="sa", score=20)),
            ),
        ),
    )
    assert vises.validate_grid(grid) == []
    data = Dataset(
        organisations=np.array(["a", "b", "c"]),
        periods=np.array(["1"] * 3),
        columns={"status": Column(values=np.array(["coop", "sa", None], dtype=object))},
    )
    results = vises.score(grid, data)
    assert results.score("status")[:2].tolist() == [80.0, 20.0] and np.isnan(results.score("status")[2])
    assert results.provenance["methods"]["status"] == "category"


def test_zero_denominators_are_warned_about_and_scored_as_missing_by_both() -> None:
    grid = Grid(
        code="g",
        nodes=(Node(code="r"),),
        indicators=(Indicator(code="hours", parent="r", denominator="staff"),),
    )
    data = Dataset(
        organisations=np.array(["a", "b"]),
        periods=np.array(["1", "1"]),
        columns={"hours": Column(values=np.array([10.0, 10.0])), "staff": Column(values=np.array([2.0, 0.0]))},
    )
    with pytest.warns(DataWarning, match="row 3, column 'staff': denominator is 0"):
        assert vises.validate_data(grid, data) == []
    with pytest.warns(DataWarning, match="denominator is 0"):
        results = vises.score(grid, data)
    assert results.reasons("hours").tolist() == [None, "denominator 'staff' is 0 or negative"]


# -- value classes that keep their promise ------------------------------------------------------------------


def test_grids_are_hashable_and_unchangeable_through_their_mappings() -> None:
    grid = Grid(
        code="g",
        label={"fr": "Grille"},
        nodes=(Node(code="r", aggregator=Method(name="power_mean", params={"p": 2, "extra": [1, 2]})),),
        indicators=(Indicator(code="x", parent="r", external_ids={"esrs": "S1-1"}),),
    )
    same = Grid(
        code="g",
        label={"fr": "Grille"},
        nodes=(Node(code="r", aggregator=Method(name="power_mean", params={"p": 2, "extra": [1, 2]})),),
        indicators=(Indicator(code="x", parent="r", external_ids={"esrs": "S1-1"}),),
    )
    assert grid == same and hash(grid) == hash(same) and len({grid, same}) == 1
    with pytest.raises(TypeError, match="frozen vises object"):
        grid.label["fr"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        grid.nodes[0].aggregator.params.update(p=3)  # type: ignore[union-attr]
    with pytest.raises(TypeError):
        grid.indicators[0].external_ids.pop("esrs")
    assert grid.nodes[0].aggregator.describe() == "power_mean(extra=[1, 2], p=2)"  # type: ignore[union-attr]


def test_dataset_arrays_are_read_only_views_and_the_callers_arrays_stay_writable() -> None:
    values = np.array([1.0, 2.0])
    data = Dataset(
        organisations=np.array(["a", "b"]), periods=np.array(["1", "1"]), columns={"x": Column(values=values)}
    )
    with pytest.raises(ValueError, match="read-only"):
        data.columns["x"].values[0] = 5.0
    with pytest.raises(TypeError):
        data.columns["y"] = Column(values=values)  # type: ignore[index]
    values[0] = 3.0  # the caller's own array is untouched by wrapping
    assert data.columns["x"].values[0] == 3.0
    assert repr(data) == "<Dataset: 2 rows; 1 periods (1); 1 indicator columns>"


def test_scoring_a_grid_again_does_not_validate_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import vises.validation.grid as grid_checks

    grid = Grid(code="cached", nodes=(Node(code="r"),), indicators=(Indicator(code="x", parent="r"),))
    data = attrs.evolve(rows(2), columns={"x": Column(values=np.array([1.0, 2.0]))})
    calls = []
    original = grid_checks.check_grid

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(grid_checks, "check_grid", counting)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            vises.score(grid, data)
    assert len(calls) == 1
    vises.score(attrs.evolve(grid, version="2"), data)  # another grid: compiled (and checked) anew
    assert len(calls) == 2


def test_an_sroi_horizon_past_the_limit_is_refused_before_any_work(tmp_path: Path, capsys) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "sroi" / "cisp_value_map.toml"
    text = example.read_text(encoding="utf-8")
    bad = tmp_path / "map.toml"
    bad.write_text(text.replace("duration = 3", "duration = 100000000", 1), encoding="utf-8")
    assert "duration = 100000000" in bad.read_text(encoding="utf-8")
    before = bad.read_bytes()
    code, _, err = cli(capsys, "sroi", str(bad), "--sensitivity")
    assert code == 2 and "Traceback" not in err
    assert "beyond the limit horizon_years = 200" in err and "VISES_LIMIT_HORIZON_YEARS=" in err
    assert bad.read_bytes() == before
    with vises.use_limits(horizon_years=100_000_000):
        from vises.sroi import load_model

        assert load_model(bad).code == "cisp_example_2023"


def test_a_sensitivity_analysis_past_the_run_limits_is_refused_before_any_work(capsys, monkeypatch) -> None:
    network = Path(__file__).resolve().parents[1] / "fixtures" / "network"
    data, grid = network / "network.csv", str(network / "grid.toml")
    code, _, err = cli(capsys, "sensitivity", str(data), "--grid", grid, "--runs", "100000000")
    assert code == 2 and "Traceback" not in err
    assert "beyond the limit sensitivity_runs = 2,000,000" in err
    monkeypatch.setenv("VISES_LIMIT_SENSITIVITY_CELLS", "10000000")  # the 24 test rows stay under the default
    code, _, err = cli(capsys, "sensitivity", str(data), "--grid", grid, "--runs", "2000000")
    assert code == 2 and "2,000,000 runs × " in err and "sensitivity_cells" in err
