"""A plugin with a misspelt hook name, which pluggy alone would silently ignore."""

from vises import GridSource, hookimpl


@hookimpl
def vises_register_gridz():
    return [GridSource(code="lost", path="lost.toml")]
