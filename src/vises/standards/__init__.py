"""Speaking the impact standards: the CIDS JSON-LD export, and raw values for other reports.

``vises.standards.raw_values(results)`` builds the raw values, units, external ids and SDG targets a
report carries beside the scores; the ``cids`` report format (``standards/hooks.py``) writes the
Common Impact Data Standard. The code checks live below, in ``vises.validation.codes``.
"""

from __future__ import annotations

from vises.standards.raw import raw_values

__all__ = ["raw_values"]
