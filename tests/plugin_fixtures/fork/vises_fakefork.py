"""A second distribution that uses the same entry-point name ``fake`` and provides ``fake.demo`` too."""

from vises.contract.hookspecs import hookimpl
from vises.contract.records import GridSource
from vises.model import Grid


@hookimpl
def vises_register_grids():
    return [GridSource(code="demo", grid=Grid(code="demo")), GridSource(code="only_in_fork", grid=Grid(code="x"))]
