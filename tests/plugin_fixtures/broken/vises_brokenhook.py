"""A plugin that imports fine but raises inside a hook."""

from vises import hookimpl


@hookimpl
def vises_register_grids():
    raise RuntimeError("the grid catalogue is corrupt")


@hookimpl
def vises_register_weightings():
    return []


@hookimpl
def vises_register_commands(cli):
    raise RuntimeError("no commands today")
