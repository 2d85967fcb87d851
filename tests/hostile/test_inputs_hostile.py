"""Hostile input files through the real ``vises`` entry point: exact outcome, and no input touched.

Each case builds its files in a fresh folder, runs ``vises.cli.main`` with the arguments, and
checks the exit code, the words the message must contain (and must not), and that every file that
was there before the command has the same bytes and modification time afterwards (a refused write
leaves no temporary file either). Classes covered: resource bounds (field length, xlsx size and
extent, document depth and aliases, damaged template metadata), encodings, text never rewritten,
nothing dropped silently (repeated headers, uncomputed formulas, values outside template blocks,
unknown columns), ``-o`` and every written file never replacing an input or a file of another
kind, and OS errors on output named by the target.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vises.cli import main

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("pyarrow")

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
GRID_JSON = json.dumps(
    {
        "code": "mini",
        "nodes": [{"code": "root"}],
        "indicators": [{"code": "hours", "parent": "root", "unit": "hour"}],
    }
)
DERIVED = 'extends = "g.toml"\ncode = "derived"\n'
GOOD = "organisation,period,hours,quality,charter\nA,2023,12.5,2,yes\nB,2023,8,3,no\n"
VALUE_MAP = Path(__file__).resolve().parents[2] / "examples" / "sroi" / "cisp_value_map.toml"
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def xlsx(path: Path, rows: list[list[Any]], extra: Callable[[Any], None] | None = None) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "data"
    for row in rows:
        sheet.append(row)
    if extra is not None:
        extra(sheet)
    workbook.save(path)


def bomb(path: Path) -> None:
    xlsx(path, [["organisation", "period", "hours"], ["A", 2023, 1]])
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<sheetData>", b"<sheetData>" + b" " * (16 << 20)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def template(path: Path, change: Callable[[Any], None] | None = None) -> None:
    import vises
    from vises.templates.write import write_template

    write_template(vises.load_grid(path.parent / "g.toml"), path, lang="en", organisations=["A"], periods=["2023"])
    if change is not None:
        workbook = openpyxl.load_workbook(path)
        change(workbook)
        workbook.save(path)


def _dimension(workbook: Any) -> Any:
    return workbook[[name for name in workbook.sheetnames if name not in ("_vises", "_lists")][2]]


def _fill(workbook: Any, column: int = 6, value: Any = 12) -> None:
    sheet = _dimension(workbook)
    row = next(cell.row for cell in sheet["A"] if cell.value == "hours")
    sheet.cell(row=row, column=column, value=value)


def _meta(key: str, value: Any) -> Callable[[Any], None]:
    def change(workbook: Any) -> None:
        meta = workbook["_vises"]
        row = next(cell.row for cell in meta["A"] if cell.value == key)
        meta.cell(row=row, column=2).value = value

    return change


Case = tuple[
    str,  # id
    dict[str, str | bytes | Callable[[Path], None]],  # files to create (text, bytes or a builder)
    list[str],  # arguments
    int,  # exit code
    list[str],  # words the message must contain
    dict[str, str],  # environment
]

CASES: list[Case] = [
    # --- resource bounds: exit 2, the file named ---------------------------------------------------------
    (
        "csv-cell-over-field-limit",
        {"d.csv": "organisation,period,hours,hours.comment\nA,2023,1," + "x" * 3000 + "\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        2,
        ["'d.csv'", "field_chars", "VISES_LIMIT_FIELD_CHARS"],
        {"VISES_LIMIT_FIELD_CHARS": "1000"},
    ),
    (
        "xlsx-stray-cell-at-XFD1048576",
        {"d.xlsx": lambda p: xlsx(p, [["organisation", "period", "hours"], ["A", 2023, 1]], _stray)},
        ["validate", "d.xlsx", "--grid", "g.toml"],
        2,
        ["'d.xlsx'", "XFD1048576", "xlsx_cells"],
        {},
    ),
    (
        "xlsx-zip-bomb",
        {"d.xlsx": bomb},
        ["validate", "d.xlsx", "--grid", "g.toml"],
        2,
        ["'d.xlsx'", "xlsx_bytes"],
        {"VISES_LIMIT_XLSX_BYTES": str(8 << 20)},
    ),
    (
        "yaml-billion-laughs-grid",
        {"lol.yaml": LAUGHS},
        ["validate", "d.csv", "--grid", "lol.yaml"],
        2,
        ["'lol.yaml'", "aliases expanded", "document_bytes"],
        {},
    ),
    (
        "json-grid-nested-5000-deep",
        {"deep.json": "[" * 5000 + "]" * 5000},
        ["validate", "d.csv", "--grid", "deep.json"],
        2,
        ["'deep.json'", "document_depth"],
        {},
    ),
    (
        "toml-evaluations-nested-deep",
        {"d.evaluations.toml": "x = " + "[" * 3000 + "]" * 3000},
        ["score", "d.csv", "--grid", "g.toml"],
        2,
        ["'d.evaluations.toml'", "document_depth"],
        {},
    ),
    (
        "template-metadata-blocks-absurd",
        {"t.xlsx": lambda p: template(p, _meta("blocks", 10**9))},
        ["validate", "t.xlsx", "--grid", "g.toml"],
        2,
        ["'t.xlsx'", "sheet '_vises'", "blocks is 1000000000"],
        {},
    ),
    (
        "template-metadata-first-row-text",
        {"t.xlsx": lambda p: template(p, _meta("first_row", "five"))},
        ["validate", "t.xlsx", "--grid", "g.toml"],
        2,
        ["'t.xlsx'", "metadata sheet is damaged", "first_row is 'five'"],
        {},
    ),
    # --- documents: one reader, line and column, never the wrong syntax --------------------------------------
    (
        "sroi-json-syntax",
        {"m.json": '{"code": "x",\n "currency" "EUR"}'},
        ["sroi", "m.json"],
        2,
        ["'m.json'", "not valid JSON at line 2, column 13"],
        {},
    ),
    (
        "sroi-toml-syntax",
        {"m.toml": 'code = "x"\ncurrency = = 1\n'},
        ["sroi", "m.toml"],
        2,
        ["'m.toml'", "not valid TOML at line 2, column 12"],
        {},
    ),
    (
        "grid-yaml-syntax",
        {"g.yaml": "code: x\nnodes: [\n"},
        ["validate", "d.csv", "--grid", "g.yaml"],
        2,
        ["'g.yaml'", "not valid YAML at line 3, column 1"],
        {},
    ),
    # --- nothing dropped or rewritten silently ------------------------------------------------------------
    (
        "repeated-header",
        {"d.csv": "organisation,period,hours,hours [h]\nA,2023,1,2\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["'d.csv'", "'hours' appears twice"],
        {},
    ),
    (
        "nan-text-in-a-number-column",
        {"d.csv": "organisation,period,hours\nA,2023,nan\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["row 2", "column 'hours'", "'nan' is not a number"],
        {},
    ),
    (
        "unknown-column-with-every-other-problem-at-once",
        {"d.csv": "organisation,period,hours,quality,extra\nA,2023,x,7,1\n,2023,1,1,\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["'extra' is not an indicator", "'x' is not a number", "'7' is not a level", "the organisation is empty"],
        {},
    ),
    (
        "xlsx-uncomputed-formula",
        {"d.xlsx": lambda p: xlsx(p, [["organisation", "period", "hours"], ["A", 2023, "=2*6"]])},
        ["validate", "d.xlsx", "--grid", "g.toml"],
        1,
        ["sheet 'data'", "row 2", "never computed"],
        {},
    ),
    (
        "template-value-outside-the-blocks",
        {"t.xlsx": lambda p: template(p, lambda wb: _fill(wb, column=10, value=5))},
        ["validate", "t.xlsx", "--grid", "g.toml"],
        1,
        ["a value outside the template's blocks", "column 'J'"],
        {},
    ),
    (
        "csv-mixing-encodings",
        {"d.csv": "organisation,period,hours\nélève,2023,1\n".encode() + "é,2023,2\n".encode("cp1252")},
        ["validate", "d.csv", "--grid", "g.toml"],
        1,
        ["'d.csv'", "mixes UTF-8 with another encoding"],
        {},
    ),
    (
        "xlsx-that-is-not-a-zip",
        {"d.xlsx": b"PK\x03\x04 broken"},
        ["validate", "d.xlsx", "--grid", "g.toml"],
        1,
        ["'d.xlsx'", "cannot open as an xlsx workbook"],
        {},
    ),
    # --- -o and every written file -------------------------------------------------------------------------
    (
        "o-is-the-data",
        {},
        ["score", "d.csv", "--grid", "g.toml", "--format", "csv", "-o", "d.csv"],
        2,
        ["'d.csv'", "refusing to overwrite"],
        {},
    ),
    (
        "o-is-the-grid",
        {},
        ["score", "d.csv", "--grid", "g.toml", "--format", "markdown", "-o", "g.toml"],
        2,
        ["'g.toml'", "refusing to overwrite"],
        {},
    ),
    (
        "o-is-the-evaluations-file",
        {"d.evaluations.toml": '[[organisations]]\ncode = "A"\n'},
        ["score", "d.csv", "--grid", "g.toml", "--format", "markdown", "-o", "d.evaluations.toml"],
        2,
        ["'d.evaluations.toml'", "refusing to overwrite"],
        {},
    ),
    (
        "o-is-the-extends-base-grid",
        {"derived.toml": DERIVED},
        ["score", "d.csv", "--grid", "derived.toml", "--format", "markdown", "-o", "g.toml"],
        2,
        ["'g.toml'", "an input of this command"],
        {},
    ),
    (
        "o-is-the-sidecar-of-the-data",
        {"d.csv.provenance.json": "{}"},
        ["score", "d.csv", "--grid", "g.toml", "--format", "json", "-o", "d.csv.provenance.json"],
        2,
        ["refusing to overwrite"],
        {},
    ),
    (
        "csv-report-sidecar-would-replace-the-grid",
        {"r.csv.provenance.json": GRID_JSON, "h.csv": "organisation,period,hours\nA,2023,1\n"},
        ["score", "h.csv", "--grid", "r.csv.provenance.json", "--format", "csv", "-o", "r.csv"],
        2,
        ["'r.csv.provenance.json'", "refusing to overwrite"],
        {},
    ),
    (
        "o-is-a-symlink-to-the-data",
        {"link.csv": lambda p: p.symlink_to(p.parent / "d.csv")},
        ["score", "d.csv", "--grid", "g.toml", "--format", "csv", "-o", "link.csv"],
        2,
        ["refusing to overwrite"],
        {},
    ),
    (
        "o-over-another-data-file",
        {"other.csv": GOOD},
        ["score", "d.csv", "--grid", "g.toml", "--format", "csv", "-o", "other.csv"],
        2,
        ["'other.csv'", "refusing to replace a data file", "--force"],
        {},
    ),
    (
        "o-over-a-grid-of-another-kind",
        {"notes.json": json.dumps({"code": "x", "nodes": []})},
        ["score", "d.csv", "--grid", "g.toml", "--format", "json", "-o", "notes.json"],
        2,
        ["'notes.json'", "refusing to replace a grid, value map or evaluations file"],
        {},
    ),
    (
        "sroi-o-is-the-value-map",
        {"m.toml": VALUE_MAP.read_text(encoding="utf-8")},
        ["sroi", "m.toml", "--format", "markdown", "-o", "m.toml"],
        2,
        ["'m.toml'", "refusing to overwrite"],
        {},
    ),
    (
        "template-over-a-filled-template",
        {"t.xlsx": lambda p: template(p, _fill)},
        ["template", "--grid", "g.toml", "-o", "t.xlsx"],
        2,
        ["'t.xlsx'", "refusing to replace a filled template"],
        {},
    ),
    (
        "template-over-a-filled-csv",
        {},
        ["template", "--grid", "g.toml", "-o", "d.csv"],
        2,
        ["'d.csv'", "refusing to replace a data file"],
        {},
    ),
    (
        "template-over-the-grid-file",
        {},
        ["template", "--grid", "g.toml", "-o", "g.toml", "--format", "csv"],
        2,
        ["'g.toml'"],
        {},
    ),
    # --- what must work --------------------------------------------------------------------------------------
    (
        "csv-comment-of-200-kib-is-fine",
        {"d.csv": "organisation,period,hours,quality,charter,hours.comment\nA,2023,1,2,yes," + "y" * 200_000 + "\n"},
        ["validate", "d.csv", "--grid", "g.toml"],
        0,
        [],
        {},
    ),
    (
        "windows-1252-semicolon-export",
        {"d.csv": "organisation;année;hours;quality;charter\nCafé;2023;12,5;2;oui\n".encode("cp1252")},
        ["validate", "d.csv", "--grid", "g.toml"],
        0,
        [],
        {},
    ),
]


def _stray(sheet: Any) -> None:
    sheet["XFD1048576"] = 1


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    }


def run(folder: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with pytest.raises(SystemExit) as exited:
            main(args)
    finally:
        os.chdir(cwd)
    code = exited.value.code
    return (code if isinstance(code, int) else 0), capsys.readouterr().err


@pytest.mark.parametrize(("files", "args", "code", "words", "env"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_input(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, Any],
    args: list[str],
    code: int,
    words: list[str],
    env: dict[str, str],
) -> None:
    for key in [key for key in os.environ if key.startswith("VISES_LIMIT_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    (tmp_path / "g.toml").write_text(GRID, encoding="utf-8")
    (tmp_path / "d.csv").write_text(GOOD, encoding="utf-8")
    for name, content in files.items():
        target = tmp_path / name
        if callable(content):
            content(target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    before = _snapshot(tmp_path)
    exit_code, err = run(tmp_path, args, capsys)
    assert "Traceback" not in err and "This is a bug" not in err, err
    assert exit_code == code, err
    for word in words:
        assert word in err, f"{word!r} not in:\n{err}"
    if code:
        assert err.startswith("Error:"), err
    after = _snapshot(tmp_path)
    for name, (data, mtime) in before.items():
        assert name in after, f"{name} disappeared"
        assert after[name] == (data, mtime), f"{name} was changed"
    assert not [name for name in after if name.endswith(".tmp")], "a temporary file was left behind"


def test_force_replaces_a_file_of_another_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "g.toml").write_text(GRID, encoding="utf-8")
    (tmp_path / "d.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "other.csv").write_text(GOOD, encoding="utf-8")
    code, err = run(tmp_path, ["score", "d.csv", "--grid", "g.toml", "--format", "csv", "-o", "other.csv"], capsys)
    assert code == 2
    code, err = run(
        tmp_path, ["score", "d.csv", "--grid", "g.toml", "--format", "csv", "-o", "other.csv", "--force"], capsys
    )
    assert code == 0, err
    assert (tmp_path / "other.csv.provenance.json").is_file()
    # A CSV report (it has its sidecar) may be replaced by the next run without --force.
    code, err = run(tmp_path, ["score", "d.csv", "--grid", "g.toml", "--format", "csv", "-o", "other.csv"], capsys)
    assert code == 0, err


def test_an_empty_template_may_be_made_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "g.toml").write_text(GRID, encoding="utf-8")
    for _ in range(2):
        code, err = run(tmp_path, ["template", "--grid", "g.toml", "-o", "t.xlsx"], capsys)
        assert code == 0, err


def test_identifiers_and_periods_come_out_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "g.toml").write_text(GRID, encoding="utf-8")
    (tmp_path / "d.csv").write_text(
        "organisation;period;hours;quality;charter;hours.comment\n"
        "362 521 879;2019.0;1.234,5;2;oui;nan\n"
        "007;09;12;3;non;1 234\n",
        encoding="utf-8",
    )
    code, err = run(tmp_path, ["score", "d.csv", "--grid", "g.toml", "--format", "json", "-o", "r.json"], capsys)
    assert code == 0, err
    report = (tmp_path / "r.json").read_text(encoding="utf-8")
    for written in ('"362 521 879"', '"007"', '"2019.0"', '"09"'):
        assert written in report, written


@pytest.mark.parametrize(
    ("where", "number", "words"),
    [
        ("fsync", errno.ENOSPC, "the disk is full"),
        ("mkstemp", errno.EROFS, "read-only file system"),
        ("mkstemp", errno.EACCES, "permission denied"),
        ("replace", errno.EACCES, "permission denied"),
    ],
)
def test_os_errors_on_output_name_the_target(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
    number: int,
    words: str,
) -> None:
    (tmp_path / "g.toml").write_text(GRID, encoding="utf-8")
    (tmp_path / "d.csv").write_text(GOOD, encoding="utf-8")
    (tmp_path / "r.md").write_text("old report\n", encoding="utf-8")

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(number, os.strerror(number))

    owner = {"fsync": os, "replace": os, "mkstemp": tempfile}[where]
    monkeypatch.setattr(owner, where, refuse)
    before = _snapshot(tmp_path)
    code, err = run(tmp_path, ["score", "d.csv", "--grid", "g.toml", "--format", "markdown", "-o", "r.md"], capsys)
    assert code == 2, err
    assert "'r.md'" in err and words in err and ".tmp" not in err and "bug" not in err, err
    assert _snapshot(tmp_path) == before  # the old report is intact, no temporary file left
