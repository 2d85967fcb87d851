"""The ``vises`` command."""

from vises.cli.main import EXIT_INTERNAL, VisesGroup, cli, main

__all__ = ["EXIT_INTERNAL", "VisesGroup", "cli", "main"]
