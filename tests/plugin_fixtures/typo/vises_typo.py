"""A plugin with a misspelt hook name, which pluggy alone would silently ignore."""

from vises.contract.hookspecs import hookimpl
from vises.contract.records import GridSource


@hookimpl
def vises_register_gridz():
    return [GridSource(code="lost", path="lost.toml")]
