"""Data-collection templates: the workbook a federation sends to its centres, and its CSV twin."""

from vises.templates.write import FORMATS, blocks, write_template

__all__ = ["FORMATS", "blocks", "write_template"]
