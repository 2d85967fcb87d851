"""pint's answers kept in vises' cache directory: same answers as pint, pint never loaded for known ones,
and a missing, corrupt, unsafe or unwritable cache is only slower."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vises import cache, plugins, units
from vises.errors import UnitError

ROOT = Path(__file__).resolve().parents[1]
NETWORK = ROOT / "tests" / "fixtures" / "network"

UNITS = ("hour", "min", "hour / FTE", "min / FTE", "kEUR", "k€", "EUR", "percent", "%", "person", "FTE", "tCO2e", "1")
PAIRS = (("min", "hour"), ("min / FTE", "hour / FTE"), ("kEUR", "EUR"), ("tCO2e", "kgCO2e"), ("percent", None))


def fresh() -> None:
    """As in a new process: no units, and the plugins give their unit lines again when asked."""
    units.reset()
    plugins.reset_registry()


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    fresh()
    yield folder
    units.reset()  # stores what is pending in ``folder``
    monkeypatch.setenv(cache.ENV, "off")
    fresh()


def answers() -> dict[str, object]:
    return {
        "records": [(units.is_currency(u), units.is_count_unit(u), units.same_unit(u, None)) for u in UNITS],
        "same": [units.same_unit(a, b) for a in UNITS for b in UNITS],
        "pairs": [units.conversion_factors(a, b) for a, b in PAIRS],
    }


def test_answers_from_the_cache_are_pints_and_need_no_pint(cached: Path) -> None:
    units.reset()
    os.environ[cache.ENV] = "off"
    try:
        from_pint = answers()
    finally:
        os.environ[cache.ENV] = str(cached)
    units.reset()
    assert answers() == from_pint  # computed with pint, stored at reset
    assert units.is_built()
    units.reset()
    (entry,) = cached.glob("units-*.json")
    assert oct(cached.stat().st_mode & 0o777) == "0o700" and oct(entry.stat().st_mode & 0o777) == "0o600"
    assert answers() == from_pint and not units.is_built()  # answered from disk
    with pytest.raises(UnitError, match="unknown unit 'parsec_per_wombat'"):
        units.check_unit("parsec_per_wombat")  # errors are pint's, never stored
    assert units.is_built()


def test_a_fresh_process_answers_known_units_without_importing_pint(cached: Path) -> None:
    code = (
        "import sys, json\n"
        "from vises import units\n"
        f"out = [units.conversion_factors(a, b) for a, b in {PAIRS!r}]\n"
        f"out += [units.is_currency(u) for u in {UNITS!r}]\n"
        "print(json.dumps(out), 'pint' in sys.modules)\n"
    )
    environ = {**os.environ, cache.ENV: str(cached)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True)
    assert first.stdout.split()[-1] == "True" and second.stdout.split()[-1] == "False", second.stderr
    assert first.stdout.rsplit(" ", 1)[0] == second.stdout.rsplit(" ", 1)[0]


def test_plugin_lines_are_part_of_the_key_and_refusals_are_reported_again(cached: Path) -> None:
    for round_ in range(2):
        units.reset()
        heard: list[units.DefinitionProblem] = []
        units.add_definitions(
            ["assiette = [meal] = assiettes", "ms = 3 * second"], source="meals", on_problem=heard.append
        )
        assert units.conversion_factors("assiettes", "assiette") == (1.0, 0.0)
        assert [(p.source, p.line, p.owner) for p in heard] == [("meals", "ms = 3 * second", "vises")], round_
        assert "redefines 'ms' (read as 'millisecond')" in heard[0].reason
        assert units.is_built() is (round_ == 0)  # the second time the refusal comes from the cache
        assert units.unit_owner("ms") is None and units.unit_owner("assiette") == "meals"
    units.reset()
    units.add_definitions(["assiette = [meal] = assiettes", "plat = [dish]"], source="meals")
    units.check_unit("assiette")
    assert units.is_built()  # other definitions: other answers
    units.reset()
    assert len(list(cached.glob("units-*.json"))) == 2


@pytest.mark.parametrize("damage", ["garbage", "json", "shape", "key", "huge"])
def test_a_damaged_entry_is_ignored_and_rewritten(cached: Path, damage: str) -> None:
    units.check_unit("hour / FTE")
    units.reset()
    (entry,) = cached.glob("units-*.json")
    stored = json.loads(entry.read_text())
    if damage == "garbage":
        entry.write_bytes(b"\xff\x00not json")
    elif damage == "json":
        entry.write_text("[1, 2]")
    elif damage == "shape":
        stored["units"]["hour / FTE"] = [[["hour", "one"]], []]
        entry.write_text(json.dumps(stored))
    elif damage == "key":
        stored["key"] = "0" * 64
        entry.write_text(json.dumps(stored))
    else:
        entry.write_text(" " * (cache.MAX_ENTRY_BYTES + 1))
    assert units.same_unit("hour / FTE", "hours / FTE") and units.is_built()
    units.reset()
    assert json.loads(entry.read_text())["units"]["hour / FTE"] == [
        [["FTE", -1], ["hour", 1]],
        [
            ["[full_time_equivalent]", -1],
            ["[time]", 1],
        ],
    ]


FORMULA_GRID = """
code = "derived"
version = "1"
languages = ["en"]
label = { en = "Derived" }

[[nodes]]
code = "root"
label = { en = "Root" }
%s
[[indicators]]
code = "per_fte"
parent = "root"
kind = "quantity"
formula = "(hours + minutes) / fte"
unit = "min / FTE"
direction = "higher"
label = { en = "Time per FTE" }
"""
_INPUT = """
[[indicators]]
code = "%s"
parent = "root"
kind = "quantity"
unit = "%s"
minimum = 0
context = true
label = { en = "%s" }
"""


def test_formula_typings_are_remembered_and_a_damaged_one_is_worked_out_again(cached: Path, tmp_path: Path) -> None:
    from vises.engine.load import load_grid
    from vises.validation.formulas import derivations

    path = tmp_path / "derived.toml"
    inputs = "".join(
        _INPUT % (code, unit, code) for code, unit in (("hours", "hour"), ("minutes", "min"), ("fte", "FTE"))
    )
    path.write_text(FORMULA_GRID % inputs, encoding="utf-8")

    def typed() -> list[object]:
        return [(d.code, d.factor, d.proportion, sorted(d.factors.values())) for d in derivations(load_grid(path))]

    first = typed()
    assert first == [("per_fte", 60.0, False, [(1.0, pytest.approx(1 / 60))])]
    fresh()
    assert typed() == first and not units.is_built()  # from the cache
    fresh()
    for entry in cached.glob("units-*.json"):
        stored = json.loads(entry.read_text())
        stored["other"] = {question: [[[-1, [2.0]]], "x", 3] for question in stored["other"]}
        entry.write_text(json.dumps(stored))
    assert typed() == first and units.is_built()
    fresh()


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="directory owners and modes are POSIX")
def test_an_unsafe_or_unusable_directory_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    in_the_way = tmp_path / "file"
    in_the_way.write_text("not a directory")
    for where in (shared, in_the_way, in_the_way / "below"):
        monkeypatch.setenv(cache.ENV, str(where))
        fresh()
        assert cache.directory() is None and not cache.write_json("x.json", {})
        assert units.conversion_factors("min", "hour") == pytest.approx((1 / 60, 0.0))
        units.reset()
    assert list(shared.iterdir()) == []
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.location() is None
    monkeypatch.delenv(cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.location() == tmp_path / "xdg" / "vises"
    monkeypatch.setenv(cache.ENV, "off")
    fresh()


def test_vises_validate_of_a_small_csv_imports_neither_pandas_nor_pint(tmp_path: Path) -> None:
    """The second run of validate and score answers units from the cache; the reader needs no pandas."""
    lines = (NETWORK / "network.csv").read_text(encoding="utf-8").splitlines()[:11]
    lines[0] = lines[0].replace("staff_training [hour / FTE]", "staff_training [min / FTE]")  # a conversion
    data = tmp_path / "small.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    grid = NETWORK / "grid.toml"
    code = (
        "import sys\n"
        "from vises.cli import main\n"
        "try:\n    main(sys.argv[1:])\n"
        "except SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = [m for m in ('pandas', 'pint', 'matplotlib', 'jinja2', 'openpyxl') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    environ = {**os.environ, cache.ENV: str(tmp_path / "cache")}
    outputs: dict[tuple[str, ...], list[str]] = {}
    for command in (("validate",), ("score", "--format", "table")):
        args = [sys.executable, "-c", code, command[0], str(data), "--grid", str(grid), *command[1:]]
        for run in ("cold", "warm"):
            done = subprocess.run(args, capture_output=True, text=True, env=environ, timeout=120)
            assert done.returncode == 0, done.stderr
            heavy = done.stderr.strip().splitlines()[-1]
            # Cold, pint answers (and may again for score: the grid file is checked after the plugins'
            # unit lines there, before them in validate, and answers are kept per set of definitions);
            # pint itself imports dask when installed, and dask jinja2.
            if run == "cold":
                assert "'pandas'" not in heavy, (command, heavy)
            else:
                assert heavy == "HEAVY []", (command, heavy)
            outputs.setdefault(command, []).append(done.stdout)
        off = subprocess.run(args, capture_output=True, text=True, env={**environ, cache.ENV: "off"}, timeout=120)
        outputs[command].append(off.stdout)
    for command, texts in outputs.items():
        texts = [re.sub(r"\d{4}-\d\d-\d\dT[\d:]+\+00:00", "<when>", text) for text in texts]
        assert texts[0] == texts[1] == texts[2] and texts[0], command
