"""What a user sees when an input is wrong: the real ``vises`` command, one bad input per case.

Each case checks the documented contract (docs/cli.md): exit code 1 (invalid data) or 2 (usage or
input error), standard error starting with ``Error:``, naming the file and the place, and no
traceback. The Python API must raise ``VisesError`` subclasses, never a bare built-in error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import vises
from vises.errors import VisesError

ROOT = Path(__file__).resolve().parents[1]
VALUE_MAP = ROOT / "examples" / "sroi" / "cisp_value_map.toml"

GRID = """\
code = "mini"
[[nodes]]
code = "root"
[[indicators]]
code = "hours"
parent = "root"
unit = "hour"
[[indicators]]
code = "quality"
parent = "root"
kind = "scale"
levels = [{ value = "1" }, { value = "2" }, { value = "3" }]
[[indicators]]
code = "charter"
parent = "root"
kind = "binary"
"""
HEADER = "organisation,period,hours,quality,charter\n"
GOOD = HEADER + "A,2023,12.5,2,yes\nB,2023,8,3,no\n"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def vises_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VISES_")}
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
    return subprocess.run(
        [sys.executable, "-m", "vises", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def write(folder: Path, name: str, content: str | bytes) -> str:
    target = folder / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    return name


# (case id, files to write, command, exit code, texts the message must contain)
CASES = [
    (
        "toml syntax",
        {"g.toml": 'code = "mini"\n[[nodes]\ncode = "root"\n'},
        ["validate", "d.csv", "--grid", "g.toml"],
        2,
        ["'g.toml'", "line 2"],
    ),
    (
        "yaml syntax",
        {"g.yaml": "code: mini\nnodes:\n  - code: root\n   bad: [\n"},
        ["validate", "d.csv", "--grid", "g.yaml"],
        2,
        ["'g.yaml'", "line 4"],
    ),
    (
        "json syntax",
        {"g.json": '{"code": "mini", "nodes": [{"code": "root",}]}'},
        ["validate", "d.csv", "--grid", "g.json"],
        2,
        ["'g.json'", "line 1"],
    ),
    (
        "unknown key",
        {"g.toml": GRID.replace('unit = "hour"', 'unit = "hour"\nwieght = 2')},
        ["validate", "d.csv", "--grid", "g.toml"],
        2,
        ["indicators[0].wieght", "did you mean 'weight'"],
    ),
    (
        "wrong type",
        {"g.toml": GRID.replace('unit = "hour"', 'unit = "hour"\nweight = "heavy"')},
        ["validate", "d.csv", "--grid", "g.toml"],
        2,
        ["indicators[0].weight", "expected a number"],
    ),
    (
        "cycle",
        {
            "g.toml": GRID
            + '[[nodes]]\ncode = "a"\nparent = "b"\n[[nodes]]\ncode = "b"\nparent = "a"\n[[indicators]]\ncode = '
            '"x"\nparent = "a"\n'
        },
        ["validate", "d.csv", "--grid", "g.toml"],
        2,
        ["'g.toml'", "cycle", "a -> b -> a"],
    ),
    (
        "unknown method",
        {"g.toml": GRID.replace('code = "mini"', 'code = "mini"\n[defaults]\naggregator = "arithmetik"')},
        ["validate", "d.csv", "--grid", "g.toml"],
        2,
        ["defaults.aggregator", "did you mean 'arithmetic'"],
    ),
    (
        "bad number",
        {"d.csv": HEADER + "A,2023,12.x,2,yes\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["'d.csv'", "row 2", "column 'hours'", "'12.x'"],
    ),
    (
        "unknown level",
        {"d.csv": HEADER + "A,2023,12,7,yes\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["row 2", "column 'quality'", "allowed: '1', '2', '3'"],
    ),
    (
        "unknown unit",
        {"d.csv": HEADER.replace("hours", "hours [blorp]", 1) + "A,2023,12,2,yes\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["'d.csv'", "column 'hours'", "unknown unit 'blorp'"],
    ),
    (
        "duplicate rows",
        {"d.csv": HEADER + "A,2023,12,2,yes\nA,2023,8,3,no\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["row 3", "first at row 2"],
    ),
    ("empty file", {"d.csv": ""}, ["validate", "d.csv", "--grid", "g.toml"], 1, ["'d.csv'", "empty"]),
    (
        "header only",
        {"d.csv": HEADER},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["'d.csv'", "row 2", "no data rows"],
    ),
    (
        "wrong delimiter",
        {"d.csv": HEADER.replace(",", "|") + "A|2023|12|2|yes\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["'d.csv'", "no organisation column"],
    ),
    (
        "not an xlsx",
        {"d.xlsx": b"PK not really a workbook"},
        ["validate", "d.xlsx", "--grid", "g.toml"],
        1,
        ["'d.xlsx'", "xlsx"],
    ),
    ("binary without -o", {}, ["score", "d.csv", "--grid", "g.toml", "--format", "xlsx"], 2, ["'xlsx'", "-o"]),
    (
        "-o is the input",
        {},
        ["score", "d.csv", "--grid", "g.toml", "--format", "csv", "-o", "./d.csv"],
        2,
        ["'d.csv'", "refusing to overwrite"],
    ),
    (
        "-o in a missing folder",
        {},
        ["score", "d.csv", "--grid", "g.toml", "-o", "nowhere/r.md"],
        2,
        ["nowhere", "does not exist"],
    ),
    ("format typo", {}, ["score", "d.csv", "--grid", "g.toml", "--format", "markdwon"], 2, ["'markdwon'", "markdown"]),
    (
        "evaluations unknown key",
        {"d.evaluations.toml": '[[organisations]]\ncode = "A"\nnmae = "x"\n'},
        ["score", "d.csv", "--grid", "g.toml"],
        2,
        ["'d.evaluations.toml'", "organisations[0].nmae", "did you mean 'name'"],
    ),
    (
        "sroi fraction > 1",
        {"m.toml": VALUE_MAP.read_text(encoding="utf-8").replace("deadweight = 0.", "deadweight = 1.", 1)},
        ["sroi", "m.toml"],
        2,
        ["'m.toml'", "outcomes[0].deadweight", "outside 0–1"],
    ),
]


@pytest.mark.parametrize(
    ("files", "command", "code", "needles"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_cli_reports_the_place(
    tmp_path: Path, files: dict[str, str | bytes], command: list[str], code: int, needles: list[str]
) -> None:
    write(tmp_path, "g.toml", GRID)
    write(tmp_path, "d.csv", GOOD)
    for name, content in files.items():
        write(tmp_path, name, content)
    done = vises_cli(*command, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stderr
    assert done.stderr.startswith("Error:"), done.stderr
    for needle in needles:
        assert needle in done.stderr, f"{needle!r} not in:\n{done.stderr}"
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    "content",
    [
        "\ufefforganisation;année;hours;quality;charter\r\nA;2023;12,5;2;oui\r\nB;2023;1.234,5;3;non\r\n",
        "\ufefforganisation;année;hours;quality;charter\r\nA;2023;12,5;2;oui\r\nB;2023;1\u00a0234,5;3;non\r\n",
        "organisation;année;hours;quality;charter\nA;2023;12,5;2;oui\n\nB;2023;1 234,5;3;non\n",
        "organisation,period,hours,quality,charter\r\nA,2023,12.5,2,yes\r\nB,2023,1234.5,3,no\r\n",
    ],
    ids=["excel-be-bom", "excel-fr-nbsp", "blank-line", "crlf"],
)
def test_excel_csv_exports_read_correctly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(content.encode("utf-8"))
    grid = vises.load_grid(write(tmp_path, "g.toml", GRID) and tmp_path / "g.toml")
    data = vises.load_data(path, grid=grid)
    assert list(data.organisations) == ["A", "B"] and list(data.periods) == ["2023", "2023"]
    assert data.columns["hours"].values.tolist() == [12.5, 1234.5]
    assert list(data.columns["charter"].values) == ["yes", "no"]


def test_a_lone_point_stays_a_decimal_point(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "organisation;period;hours;quality;charter\nA;2023;1.234;2;oui\nB;2023;12,5;3;non\n", encoding="utf-8"
    )
    data = vises.load_data(path, grid=vises.load_grid(tmp_path / write(tmp_path, "g.toml", GRID)))
    assert data.columns["hours"].values.tolist() == [1.234, 12.5]


def test_api_raises_vises_errors(tmp_path: Path) -> None:
    grid = vises.load_grid(tmp_path / write(tmp_path, "g.toml", GRID))
    results = vises.score(grid, vises.load_data(tmp_path / write(tmp_path, "d.csv", GOOD), grid=grid))
    calls = [
        lambda: vises.load_data(tmp_path / write(tmp_path, "h.csv", HEADER), grid=grid),
        lambda: vises.load_grid(tmp_path / "missing.toml"),
        lambda: vises.load_grid("wallonie.cisq"),
        lambda: results.score("nope"),
        lambda: results.explain("Z", "2023"),
        lambda: results.explain("A", "1999"),
        lambda: results.raw("root"),
        lambda: results.contributions("hours"),
        lambda: results.effective_weights("nope"),
        lambda: results.additive("quality"),
        lambda: vises.render(results, "nope"),
        lambda: vises.render(results, "table", lang="de"),
        lambda: vises.load_data({"organisation": ["A"], "hours": [1, 2]}, grid=grid),
    ]
    for index, call in enumerate(calls):
        with pytest.raises(VisesError) as caught:
            call()
        assert str(caught.value), f"call {index} raised an empty message"
    with pytest.raises(VisesError, match="'hours' is an indicator.*parent node 'root'"):
        results.contributions("hours")


def test_empty_in_memory_data_is_a_data_error() -> None:
    grid = vises.load_grid(Path(__file__).resolve().parents[1] / "examples" / "grids" / "example.toml")
    with pytest.raises(vises.errors.DataError, match="no rows"):
        vises.load_data({"organisation": [], "period": []}, grid=grid)


def test_an_unknown_default_method_is_reported_once_where_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text(
        'code = "x"\n[defaults]\naggregator = "arithmetik"\n[[nodes]]\ncode = "root"\n'
        '[[indicators]]\ncode = "i"\nparent = "root"\n'
        '[[indicators]]\ncode = "j"\nparent = "root"\nnormaliser = "zscor"\n',
        encoding="utf-8",
    )
    with pytest.raises(VisesError) as info:
        vises.load_grid(path)
    message = str(info.value)
    assert message.count("arithmetik") == 1 and "defaults.aggregator" in message
    assert "nodes[0].aggregator" not in message and "indicators[1].normaliser" in message


def test_a_pipe_delimited_file_gets_a_delimiter_hint(tmp_path: Path) -> None:
    path = tmp_path / "pipe.csv"
    path.write_text("organisation|period|x\na|2019|1\n", encoding="utf-8")
    with pytest.raises(VisesError, match="read as one column"):
        vises.load_data(path)
