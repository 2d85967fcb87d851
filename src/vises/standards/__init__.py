"""Speaking the impact standards: the CIDS JSON-LD export.

The ``cids`` report format (``standards/hooks.py``) writes the Common Impact Data Standard. The
measured values it reports (``raw_values``) live in the engine, which the JSON report shares; the
code checks live below, in ``vises.validation.codes``.
"""

from __future__ import annotations

from vises.engine.raw import raw_values

__all__ = ["raw_values"]
