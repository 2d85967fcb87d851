"""A grid label that is not text (a number, a bare text where a table of languages goes) is a problem
naming its place, from a grid file and from a grid built in Python."""

from __future__ import annotations

import pytest

import vises


@pytest.mark.parametrize(
    ("written", "path", "said"),
    [
        ("label = 5", "label", "expected a table of texts by language"),
        ('label = "Heures"', "label", "got 'Heures'"),
        ("label = { fr = 3 }", "label.fr", "expected text, got 3"),
    ],
)
def test_a_grid_label_that_is_not_text_is_a_clear_problem(tmp_path, written, path, said):
    grid = tmp_path / "grid.toml"
    grid.write_text(
        f'code = "g"\n{written}\n[[nodes]]\ncode = "root"\n[[indicators]]\ncode = "hours"\nparent = "root"\n',
        encoding="utf-8",
    )
    with pytest.raises(vises.GridValidationError) as caught:
        vises.load_grid(grid)
    [problem] = caught.value.problems
    assert problem.path == path and said in str(problem) and "has no attribute" not in str(problem)


def test_a_grid_built_in_python_with_a_number_as_label_is_refused_with_its_place():
    from vises import Grid, Indicator, Level, Node

    grid = Grid(
        code="g",
        label={"fr": 5},
        nodes=(Node(code="root", label={"fr": "Racine"}),),
        indicators=(
            Indicator(code="hours", parent="root", label={"en": None}),
            Indicator(code="ok", parent="root", kind="binary", levels=(Level(value="yes", label={"fr": 1}),)),
        ),
    )
    found = {(p.path, p.indicator) for p in vises.validate_grid(grid)}
    assert found >= {
        ("label.fr", None),
        ("indicators[0].label.en", "hours"),
        ("indicators[1].levels[0].label.fr", "ok"),
    }
    with pytest.raises(vises.GridValidationError):
        vises.compile_grid(grid)


@pytest.mark.parametrize("bad", [5, "Heures", ["fr", "Heures"]])
def test_a_label_built_in_python_that_is_not_a_table_is_a_grid_error_at_once(bad) -> None:
    with pytest.raises(vises.GridError, match="table of texts by language") as caught:
        vises.Grid(code="g", label=bad, nodes=(), indicators=())
    assert "{'fr': 'Heures', 'en': 'Hours'}" in str(caught.value)
    with pytest.raises(vises.GridError, match="table of texts by language"):
        vises.Level(value="1", label=bad)
