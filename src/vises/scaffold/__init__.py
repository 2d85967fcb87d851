"""``vises new-plugin``: the files of an installable plugin package, filled and written atomically."""

from vises.scaffold.create import LANGUAGES, create_plugin

__all__ = ["LANGUAGES", "create_plugin"]
