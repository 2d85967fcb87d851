"""The HTML network report's structure charts, as inline SVG text: the framework as a sunburst (each
element's share of the overall score) and a heat map of the correlations of the dimension scores.

The same charts as ``vises plot framework`` and ``vises plot correlations`` draw with matplotlib,
written here by hand so an HTML report needs no plotting library (see ``report/charts.py``). Both
are bounded by the grid, not the network: one path per element of the grid, one cell per pair of
dimensions, whatever the number of organisations. Every text goes through ``charts``' escaping.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from vises.engine.framework import Wedge
from vises.i18n import format_number
from vises.report.charts import _MUTED, PALETTE, _escape, _label, _n, _svg

#: The report's palette, then four more, so a grid of up to ten dimensions gives each its own colour.
COLOURS = (*PALETTE, "#2a9d8f", "#b5651d", "#7a7f2a", "#c2185b")
#: Past this many dimensions the heat map leaves the numbers out of its cells (colour and hover only).
NUMBERS_LIMIT = 12
_MISSING_CELL = "#eceff3"


def _point(radius: float, turn: float, centre: float) -> tuple[float, float]:
    """A point at ``turn`` (0-1, clockwise from the top) on a circle of ``radius``."""
    angle = 2 * math.pi * turn - math.pi / 2
    return centre + radius * math.cos(angle), centre + radius * math.sin(angle)


def _sector(inner: float, outer: float, start: float, share: float, centre: float) -> str:
    """The path of a ring sector from ``start`` over ``share`` of the turn (a whole ring in two halves)."""
    if share >= 1 - 1e-9:
        return _sector(inner, outer, start, 0.5, centre) + _sector(inner, outer, start + 0.5, 0.5, centre)
    large = 1 if share > 0.5 else 0
    (x1, y1), (x2, y2) = _point(outer, start, centre), _point(outer, start + share, centre)
    (x3, y3), (x4, y4) = _point(inner, start + share, centre), _point(inner, start, centre)
    return (
        f"M{_n(x1)} {_n(y1)}A{_n(outer)} {_n(outer)} 0 {large} 1 {_n(x2)} {_n(y2)}"
        f"L{_n(x3)} {_n(y3)}A{_n(inner)} {_n(inner)} 0 {large} 0 {_n(x4)} {_n(y4)}Z"
    )


def sunburst(wedges: Sequence[Wedge], labels: dict[str, str], *, title: str, lang: str) -> str:
    """The grid as rings around the overall score: each dimension a colour, each wedge's angle its
    share of the overall score; a legend names the dimensions and their shares, every wedge says
    its label and share on hover."""
    size, centre = 360.0, 180.0
    depth = max((w.depth for w in wedges), default=0)
    ring = (size / 2 - 4) / (depth + 1)
    body = [f'<circle cx="{_n(centre)}" cy="{_n(centre)}" r="{_n(ring)}" fill="#f2f4f7"/>']
    root = next(w for w in wedges if w.depth == 0)
    element, _ = _label(labels[root.code], centre, centre, width=12, size=10, anchor="middle", baseline="middle")
    body.append(element)
    for wedge in wedges:
        if wedge.depth == 0 or wedge.share <= 0:
            continue
        colour = COLOURS[wedge.dimension % len(COLOURS)]
        opacity = 1.0 - 0.55 * (wedge.depth - 1) / max(depth, 1)
        share = format_number(wedge.share, lang, 1, percent=True)
        path = _sector(ring * wedge.depth, ring * (wedge.depth + 1), wedge.start, wedge.share, centre)
        body.append(
            f'<path d="{path}" fill="{colour}" fill-opacity="{opacity:.2f}" stroke="#ffffff" stroke-width="1">'
            f"<title>{_escape(labels[wedge.code])} ({_escape(wedge.code)}): {_escape(share)}</title></path>"
        )
    dimensions = [w for w in wedges if w.depth == 1]
    y = size + 8
    for wedge in dimensions:
        colour = COLOURS[wedge.dimension % len(COLOURS)]
        share = format_number(wedge.share, lang, 1, percent=True)
        body.append(f'<rect x="4" y="{_n(y)}" width="12" height="12" fill="{colour}"/>')
        element, lines = _label(f"{labels[wedge.code]} — {share}", 22, y - 1, width=52, size=11, lines=2)
        body.append(element)
        y += 14 * lines + 4
    return _svg(size, y + 4, title, body)


def _colour(r: float) -> str:
    """-1 blue, 0 white, +1 red (the diverging scale of correlation maps), as ``#rrggbb``."""
    low, high = np.array((33, 102, 172)), np.array((178, 24, 43))
    end = high if r >= 0 else low
    mixed = np.rint(255 + (end - 255) * min(abs(r), 1.0)).astype(int)
    return "#" + "".join(f"{int(c):02x}" for c in mixed)


def correlation_map(labels: Sequence[str], matrix: np.ndarray, *, title: str, lang: str) -> str:
    """A heat map of a correlation matrix; rows named in full on the left, columns by their number."""
    k = len(labels)
    cell = 34.0 if k <= NUMBERS_LIMIT else max(10.0, 408.0 / k)
    left, top = 210.0, 26.0
    body = []
    for i, label in enumerate(labels):
        y = top + i * cell
        element, _ = _label(
            f"{i + 1}. {label}", left - 6, y + cell / 2, width=30, size=10, anchor="end", lines=2, baseline="middle"
        )
        body.append(element)
        body.append(
            f'<text x="{_n(left + i * cell + cell / 2)}" y="{_n(top - 8)}" font-size="10" '
            f'text-anchor="middle" fill="{_MUTED}">{i + 1}</text>'
        )
    for i in range(k):
        for j in range(k):
            r = float(matrix[i, j])
            known = not math.isnan(r)
            said = format_number(r, lang, 2) if known else "—"
            x, y = left + j * cell, top + i * cell
            body.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(cell)}" height="{_n(cell)}" '
                f'fill="{_colour(r) if known else _MISSING_CELL}" stroke="#ffffff">'
                f"<title>{_escape(labels[i])} × {_escape(labels[j])}: {_escape(said)}</title></rect>"
            )
            if k <= NUMBERS_LIMIT:
                ink = "#ffffff" if known and abs(r) > 0.6 else "#1d2430"
                body.append(
                    f'<text x="{_n(x + cell / 2)}" y="{_n(y + cell / 2 + 3.5)}" font-size="10" '
                    f'text-anchor="middle" fill="{ink}">{_escape(said)}</text>'
                )
    return _svg(left + k * cell + 6, top + k * cell + 6, title, body)


__all__ = ["COLOURS", "NUMBERS_LIMIT", "correlation_map", "sunburst"]
