"""The ``vises`` command: the top layer, which nothing in vises imports."""

from vises.cli.main import VisesGroup, cli, main

__all__ = ["VisesGroup", "cli", "main"]
