"""From records to indicators: per-record tables (a register, a survey export) → organisation × period values.

``collect(spec, records)`` applies a collection spec (``vises.model.records.Collection``, in a grid
or a file of its own) to its tables and returns a ``Dataset`` whose values carry their evidence
(n, source). See docs/records.md.
"""

from __future__ import annotations

from vises.records.run import collect, join
from vises.records.spec import read_collection
from vises.records.tables import RecordTable, read_records

__all__ = ["RecordTable", "collect", "join", "read_collection", "read_records"]
