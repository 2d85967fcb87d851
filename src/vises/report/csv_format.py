"""The CSV report: one row per organisation and period, one column per grid node, machine numbers.

Columns are ``organisation``, ``period``, then every code of ``Results.codes`` (indicators'
normalised scores, then every aggregate, the root last), headed by the codes themselves. Values
are written with ``repr(float)`` so they read back to exactly the same float; a missing score is
an empty cell. The header row comes first, so any CSV reader takes the file as it is; the
provenance is written beside it by ``vises score -o`` (``<file>.provenance.json``), or as leading
``#`` comment lines with ``options={"provenance": True}`` (read with ``pandas.read_csv(path,
comment="#")``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.report.views import check_view, parse_options, report_lang

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


def provenance_lines(results: Results) -> list[str]:
    """The provenance as ``# key: value`` lines."""
    data = results.provenance
    plugins = ", ".join(f"{name} {version}" for name, version in sorted((data.get("plugins") or {}).items()))
    methods = "; ".join(f"{code}={method}" for code, method in (data.get("methods") or {}).items())
    return [
        f"# vises {data.get('vises_version', '')}",
        f"# grid: {data.get('grid', results.grid.code)} {data.get('grid_version', results.grid.version)}",
        f"# plugins: {plugins}",
        f"# pooling: {data.get('pooling', '')}",
        f"# methods: {methods}",
        f"# created: {data.get('created', '')}",
    ]


def _cell(value: float) -> str:
    return "" if np.isnan(value) else repr(float(value))


def render_csv(
    results: Results,
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """Scores as CSV: every row for the network view, the one chosen row for the profile view.

    ``lang`` is checked but changes nothing: column heads are codes, numbers are machine numbers.
    """
    check_view(view)
    parse_options(options)
    with_provenance = bool((options or {}).get("provenance", False))
    report_lang(results, lang)
    if view == "profile":
        if organisation is None and len(set(results.organisations)) == 1:
            organisation = str(results.organisations[0])
        if organisation is None:
            from vises.errors import ConfigError

            raise ConfigError("the profile view needs an organisation", hint="pass organisation=")
        rows = np.array([results.row(organisation, period)])
    else:
        rows = np.lexsort((results.organisations, results.periods))
        if period is not None:
            if str(period) not in results.period_values:
                from vises.errors import ConfigError

                raise ConfigError(
                    f"unknown period {period!r}", hint=f"the data's periods: {', '.join(results.period_values)}"
                )
            rows = rows[results.periods[rows] == str(period)]
    buffer = io.StringIO()
    if with_provenance:
        buffer.write("\n".join(line.replace("\n", " ") for line in provenance_lines(results)) + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["organisation", "period", *results.codes])
    block = results.scores[rows]
    for position, row in enumerate(rows):
        writer.writerow([results.organisations[row], results.periods[row], *(_cell(v) for v in block[position])])
    return buffer.getvalue()
