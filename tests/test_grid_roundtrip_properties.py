"""Property: any valid grid survives grid -> text -> grid unchanged, in all three formats.

The text is parsed exactly as ``read_grid`` parses a file (``test_grid_files`` checks the file
path itself); staying in memory keeps 200 examples fast.
"""

from __future__ import annotations

from hypothesis import given, settings

from vises.io.grid_files import dump_grid, grid_from_dict, parse_text
from vises.model import Grid
from vises.testing.strategies import datasets_for, grids
from vises.validation.grid import validate_dataset, validate_grid


@settings(max_examples=200, deadline=None)
@given(grids())
def test_grid_round_trips_through_every_format(grid: Grid) -> None:
    assert validate_grid(grid) == []
    for fmt in ("toml", "yaml", "json"):
        assert grid_from_dict(parse_text(dump_grid(grid, fmt), fmt)) == grid, fmt


@settings(max_examples=50, deadline=None)
@given(grids().flatmap(lambda g: datasets_for(g).map(lambda d: (g, d))))
def test_generated_datasets_fit_their_grid(pair: tuple) -> None:
    grid, dataset = pair
    assert validate_dataset(grid, dataset) == []
