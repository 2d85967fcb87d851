"""The shared converter discipline of io/converter.py, used by grid, value-map and evaluation files."""

from __future__ import annotations

import enum
import math
import subprocess
import sys

import attrs
import pytest

from vises.errors import ConfigError, GridValidationError, SroiError, ValidationError
from vises.io import tokens
from vises.io.converter import (
    Expected,
    base_converter,
    did_you_mean,
    numbers_as_text,
    register_enums,
    structure_or_raise,
    unknown_key_message,
)
from vises.io.frames import MISSING_TOKENS, NO_TOKENS, NOT_APPLICABLE_TOKENS, YES_TOKENS


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen(kw_only=True)
class Item:
    code: str
    count: int = 0
    share: float = 0.0
    active: bool = False
    colour: Colour = Colour.RED
    tags: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Box:
    period: str | None = None
    items: tuple[Item, ...] = ()


def _converter(**options: bool):
    conv = base_converter(**options)
    register_enums(conv, Colour)
    conv.register_structure_hook(Box, numbers_as_text(conv, Box, "period"))
    return conv


def _problems(data: object, **options: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        structure_or_raise(_converter(), data, Box, file="b.toml", what="box", kind=ValidationError, **options)
    return {problem.path: problem.message for problem in info.value.problems}


def test_every_problem_has_its_path_and_what_was_expected() -> None:
    data = {
        "items": [
            {"code": 3, "count": "2", "share": "x", "active": "yes", "colour": "green"},
            {"code": "b", "cuont": 1, "tags": "one"},
            {"count": 1},
        ],
        "extra": 1,
    }
    found = _problems(data)
    assert found == {
        "items[0].code": "expected text, got 3",
        "items[0].count": "expected a whole number, got '2'",
        "items[0].share": "expected a number, got 'x'",
        "items[0].active": "expected true or false, got 'yes'",
        "items[0].colour": "expected one of 'red', 'blue', got 'green'",
        "items[1].cuont": "unknown key 'cuont' (did you mean 'count'?)",
        "items[1].tags": "expected a list, got 'one'",
        "items[2].code": "missing required key 'code'",
        "extra": "unknown key 'extra'",
    }


def test_error_class_file_prefix_and_wording_are_the_callers() -> None:
    with pytest.raises(ValidationError) as info:
        structure_or_raise(
            _converter(),
            {"items": [{"code": "a", "shar": 1}]},
            Box,
            file="m.yaml",
            what="value map",
            prefix="maps[1]",
            kind=ValidationError,
            error=SroiError,
            unknown_key=lambda key, close: f"no key {key} ({close})",
        )
    assert type(info.value) is ValidationError and info.value.what == "value map 'm.yaml'"
    [problem] = info.value.problems
    assert isinstance(problem, SroiError)
    assert (problem.file, problem.path, problem.message) == ("m.yaml", "maps[1].items[0].shar", "no key shar (share)")


def test_grid_defaults_are_kept() -> None:
    with pytest.raises(GridValidationError) as info:
        structure_or_raise(_converter(), [1, 2], Box, file="g.toml")
    [problem] = info.value.problems
    assert type(problem) is ConfigError and problem.message == "expected a table of keys, got a list"


def test_a_list_of_tables_given_plain_values_says_a_table_was_expected() -> None:
    assert _problems({"items": ["a"]}) == {"items[0]": "expected a table of keys"}


def test_numbers_as_text() -> None:
    conv = _converter()
    assert conv.structure({"period": 2019}, Box).period == "2019"
    assert conv.structure({"period": "2019-Q1"}, Box).period == "2019-Q1"
    assert _problems({"period": 2019.5}) == {"period": "expected text, got 2019.5"}
    assert _problems({"period": True}) == {"period": "expected text, got true"}
    hook = numbers_as_text(conv, Box, "period", fractions=True)
    assert hook({"period": 2.0}, Box).period == "2" and hook({"period": 2.5}, Box).period == "2.5"


def test_strictness_options() -> None:
    loose, strict = _converter(), _converter(finite=True, integral_floats=True)
    assert math.isinf(loose.structure({"code": "a", "share": math.inf}, Item).share)
    assert strict.structure({"code": "a", "count": 2.0}, Item).count == 2
    with pytest.raises(ValidationError, match="items.0..share': expected a finite number, got inf"):
        structure_or_raise(strict, {"items": [{"code": "a", "share": math.inf}]}, Box, kind=ValidationError)
    with pytest.raises(ValidationError, match="items.0..count': expected a whole number, got 2.0"):
        structure_or_raise(loose, {"items": [{"code": "a", "count": 2.0}]}, Box, kind=ValidationError)


def test_expected_and_did_you_mean_are_the_building_blocks() -> None:
    assert issubclass(Expected, ValueError)
    assert did_you_mean("wieght", ["weight", "code"]) == "weight" and did_you_mean("zzz", ["weight"]) is None
    assert unknown_key_message("x", None) == "unknown key 'x'"


def test_one_vocabulary_of_tokens() -> None:
    assert set(YES_TOKENS) == tokens.YES_TOKENS and set(NO_TOKENS) == tokens.NO_TOKENS
    assert set(NOT_APPLICABLE_TOKENS) == tokens.NA_TOKENS and set(MISSING_TOKENS) == tokens.MISSING_TOKENS
    from vises.templates import write as templates

    assert templates.NA_TOKENS is tokens.NA_TOKENS
    words = [tokens.YES_TOKENS, tokens.NO_TOKENS, tokens.NA_TOKENS, tokens.MISSING_TOKENS]
    assert all(not (a & b) for i, a in enumerate(words) for b in words[i + 1 :])
    assert all(word == word.strip().lower() for group in words for word in group)


def test_importing_vises_and_sroi_stays_light() -> None:
    code = "import sys, vises, vises.sroi; print(sorted(m for m in ('cattrs', 'pint', 'yaml') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
