"""Charts for the HTML report, drawn with matplotlib and returned as inline SVG text.

Figures are built with ``matplotlib.figure.Figure`` rather than pyplot, so drawing a report
touches no global figure state and never changes the backend of a program that already uses
pyplot. Text stays text in the SVG (``svg.fonttype = none``): matplotlib escapes it, and the
report can be searched and copied. ``$`` is escaped so a label is never read as mathtext. Ids are
prefixed per chart, because several SVGs share one HTML document.
"""

from __future__ import annotations

import io
import math
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from vises.errors import MissingDependencyError

#: Colours that stay distinct in grey print and for the common colour-vision deficiencies.
PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#5f4b8b", "#8d6a46")

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "vises",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as error:  # pragma: no cover - installed with the html extra
        raise MissingDependencyError("matplotlib", "html", "charts in the HTML report") from error
    if "matplotlib.pyplot" not in sys.modules:
        # Without pyplot loaded nobody has chosen an interactive backend; Agg never opens a window.
        matplotlib.use("Agg")
    return matplotlib


def _text(label: str, width: int = 22) -> str:
    """A label for a chart: ``$`` kept literal, long labels wrapped on a few lines."""
    return "\n".join(textwrap.wrap(label.replace("$", r"\$"), width=width, max_lines=3, placeholder="…")) or " "


def limits(values: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """The value axis: 0–100 for the usual score range, else the data's own range, padded."""
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if len(data) == 0 or (data.min() >= 0 and data.max() <= 100):
        return 0.0, 100.0
    low, high = float(data.min()), float(data.max())
    pad = (high - low) * 0.05 or 1.0
    return min(low - pad, 0.0) if low >= 0 else low - pad, high + pad


_ID = re.compile(r'\bid="([^"]+)"')


def _svg(figure: Any, prefix: str) -> str:
    """The figure as an SVG element ready to inline: no XML prolog, comments or metadata."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"#([\w.-]+)\)", lambda m: f"#{prefix}-{m.group(1)})" if m.group(1) in ids else m.group(0), svg)
    svg = re.sub(
        r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"' if m.group(1) in ids else m.group(0), svg
    )
    return svg.strip()


def radar(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    prefix: str,
) -> str:
    """A spider chart of one or more series over the dimensions; bars when there are under three."""
    if len(labels) < 3:
        name, values = series[0]
        return bars([*labels], list(values), title=title, prefix=prefix)
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(5.6, 4.6))
        ax = figure.add_subplot(projection="polar")
        angles = np.linspace(0, 2 * math.pi, len(labels), endpoint=False)
        closed = np.append(angles, angles[0])
        low, high = limits(np.concatenate([np.asarray(v, dtype=float) for _, v in series]))
        for position, (name, values) in enumerate(series):
            data = np.asarray(values, dtype=float)
            colour = PALETTE[position % len(PALETTE)]
            ring = np.append(data, data[0])
            ax.plot(closed, ring, color=colour, linewidth=1.8, marker="o", markersize=3.5, label=_text(name, 40))
            if np.isfinite(data).all():
                ax.fill(closed, ring, color=colour, alpha=0.12)
        ax.set_xticks(angles)
        ax.set_xticklabels([_text(label, 18) for label in labels])
        ax.set_ylim(low, high)
        # Radial tick labels half-way between two axes, where no dimension label sits.
        ax.set_rlabel_position(180 / len(labels))  # type: ignore[attr-defined]  # a polar Axes, typed as plain Axes
        ax.tick_params(axis="y", labelsize=7, colors="#555555")
        ax.set_title(_text(title, 60), pad=18, fontsize=10)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(series), 2), fontsize=8, frameon=False)
        return _svg(figure, prefix)


def bars(
    names: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    prefix: str,
    marker: float | None = None,
    marker_label: str | None = None,
) -> str:
    """Horizontal bars, one per name, best at the top; ``marker`` draws a reference line (median).

    ``marker_label`` names that line in a small legend.
    """
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure

    data = np.asarray(values, dtype=float)
    order = np.argsort(np.where(np.isnan(data), -np.inf, data), kind="stable")
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(6.0, 0.9 + 0.24 * max(len(names), 2)))
        ax = figure.add_subplot()
        shown = np.nan_to_num(data[order], nan=0.0)
        ax.barh(range(len(order)), shown, color=PALETTE[0], height=0.7)
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([_text(names[i] + (" (—)" if np.isnan(data[i]) else ""), 32) for i in order], fontsize=8)
        ax.set_xlim(*limits(data))
        if marker is not None and math.isfinite(marker):
            ax.axvline(marker, color=PALETTE[1], linewidth=1.2, linestyle="--", label=_text(marker_label or " ", 40))
            if marker_label:
                ax.legend(fontsize=8, frameon=False, loc="lower right")
        ax.set_title(_text(title, 70), fontsize=10, loc="left")
        return _svg(figure, prefix)


def boxes(
    labels: Sequence[str],
    groups: Sequence[tuple[str, Sequence[np.ndarray]]],
    *,
    title: str,
    prefix: str,
) -> str:
    """Box plots per dimension; ``groups`` holds one series of columns per period, side by side."""
    matplotlib = _matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(max(10.0, 1.4 * len(labels)), 4.2))
        ax = figure.add_subplot()
        width = 0.8 / max(len(groups), 1)
        everything = []
        handles = []
        for position, (name, columns) in enumerate(groups):
            colour = PALETTE[position % len(PALETTE)]
            cleaned = [np.asarray(column, dtype=float)[np.isfinite(column)] for column in columns]
            everything.extend(cleaned)
            places = np.arange(len(labels)) + (position - (len(groups) - 1) / 2) * width
            drawn = [(place, values) for place, values in zip(places, cleaned, strict=True) if len(values)]
            if drawn:
                box = ax.boxplot(
                    [v for _, v in drawn], positions=[p for p, _ in drawn], widths=width * 0.85, patch_artist=True
                )
                for patch in box["boxes"]:
                    patch.set(facecolor=colour, alpha=0.55)
                for median in box["medians"]:
                    median.set(color="#222222")
            handles.append(Patch(facecolor=colour, alpha=0.55, label=_text(name, 30)))
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels([_text(label, 14) for label in labels], fontsize=8)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.set_ylim(*limits(np.concatenate(everything) if everything else []))
        if len(groups) > 1:
            ax.legend(handles=handles, fontsize=8, frameon=False, loc="lower right")
        ax.set_title(_text(title, 80), fontsize=10, loc="left")
        return _svg(figure, prefix)
