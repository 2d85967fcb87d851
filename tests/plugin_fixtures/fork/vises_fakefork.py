"""A second distribution that uses the same entry-point name ``fake`` and provides ``fake.demo`` too."""

from vises import Grid, GridSource, hookimpl


@hookimpl
def vises_register_grids():
    return [GridSource(code="demo", grid=Grid(code="demo")), GridSource(code="only_in_fork", grid=Grid(code="x"))]
