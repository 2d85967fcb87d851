"""Trends across periods (COINr's ``get_trends``): how each organisation moves on each node.

The numbers are ``vises.engine.trends`` (reports show the same in a profile); this module adds the
plain-text table and keeps the analysis names (``Trends``, ``trends``, ``METHODS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from vises.analysis.words import number, table, word
from vises.engine.trends import METHODS, TrendTable, trend_table

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["METHODS", "Trends", "trends"]


@attrs.frozen(kw_only=True, eq=False)
class Trends(TrendTable):
    """One trend per (organisation, code) (``TrendTable``), with a plain-text ``table``."""

    def table(self, lang: str | None = None) -> str:
        digits = 3 if self.method == "cagr" else 2
        rows = [
            (organisation, *(number(float(v), lang, digits) for v in self.values[i]))
            for i, organisation in enumerate(self.organisations.tolist())
        ]
        title = word(f"trend_{self.method}", lang or "en")
        return f"{title}\n\n" + table(rows, [word("organisation", lang or "en"), *self.codes])


def trends(
    results: Results,
    codes: Iterable[str] | None = None,
    *,
    method: str = "cagr",
    use: str = "scores",
    latest: int | None = None,
) -> Trends:
    """The trend of each organisation on each of ``codes`` (default: every scored node) over the periods.

    ``use="scores"`` follows the scores; ``"raw"`` an indicator's raw values (indicators only).
    """
    return trend_table(results, codes, method=method, use=use, latest=latest, kind=Trends)
