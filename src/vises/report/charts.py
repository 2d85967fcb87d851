"""Charts for the HTML report, drawn with matplotlib and returned as inline SVG text.

Library hygiene: figures are ``matplotlib.figure.Figure`` objects saved with ``savefig`` (which
needs no pyplot and no backend), so drawing a report never calls ``matplotlib.use`` nor touches a
program's pyplot state. The style is matplotlib's defaults plus ``_RC``, applied with
``rc_context`` around building and saving each figure, under a lock: whatever the caller set in
``rcParams`` is restored afterwards, and two threads drawing at once get identical SVG.

The network charts summarise a network of any size: one chart per dimension, whatever the number
of organisations, with a band from the 10th to the 90th percentile, the interquartile box, the
median, and a strip of one dot per organisation (or, past ``DOT_LIMIT`` organisations, a small
histogram, so a chart of 10,000 organisations is as light as one of 30). Text stays text in the
SVG (``svg.fonttype = none``): matplotlib escapes it, and the report can be searched and copied.
``$`` is escaped so a label is never read as mathtext. Ids are prefixed per chart, because several
SVGs share one HTML document.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import textwrap
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from vises.errors import MissingDependencyError
from vises.neutralise import terminal_text

#: Colours that stay distinct in grey print and for the common colour-vision deficiencies.
PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#5f4b8b", "#8d6a46")
#: Past this many organisations in a period, dots give way to a histogram.
DOT_LIMIT = 400

_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "vises",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: Figures are built and saved one at a time: rc_context changes matplotlib's (global) rcParams.
_LOCK = threading.RLock()


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as error:  # pragma: no cover - installed with the html extra
        raise MissingDependencyError("matplotlib", "html", "charts in the HTML report") from error
    return matplotlib


@contextlib.contextmanager
def drawing() -> Iterator[Any]:
    """Matplotlib's defaults plus ours while a figure is built and saved; the caller's rcParams after."""
    matplotlib = _matplotlib()
    with _LOCK, matplotlib.rc_context():
        # Inside the context: the defaults (backend and other process settings excepted), then ours.
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_RC)
        from matplotlib.figure import Figure

        yield Figure


def _text(label: str, width: int = 22) -> str:
    """A label for a chart: no control character, ``$`` kept literal, long labels wrapped on a few lines."""
    label = terminal_text(label).replace("$", r"\$")
    return "\n".join(textwrap.wrap(label, width=width, max_lines=3, placeholder="…")) or " "


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
    figure.savefig(buffer, format="svg", metadata={"Date": None})
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
        return _bars(labels, series[0][1], title=title, prefix=prefix)
    with drawing() as Figure:
        figure = Figure(figsize=(5.6, 4.8))
        figure.subplots_adjust(left=0.12, right=0.88, top=0.80, bottom=0.20)
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
        ax.set_rlabel_position(180 / len(labels))
        ax.tick_params(axis="y", labelsize=7, colors="#555555")
        figure.suptitle(_text(title, 60), fontsize=10)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=min(len(series), 2), fontsize=8, frameon=False)
        return _svg(figure, prefix)


def _bars(labels: Sequence[str], values: Sequence[float], *, title: str, prefix: str) -> str:
    """One horizontal bar per dimension (a radar needs three axes or more)."""
    data = np.asarray(values, dtype=float)
    with drawing() as Figure:
        figure = Figure(figsize=(5.6, 1.2 + 0.4 * len(labels)))
        figure.subplots_adjust(left=0.32, right=0.95, top=0.75, bottom=0.2)
        ax = figure.add_subplot()
        ax.barh(range(len(labels)), np.nan_to_num(data), color=PALETTE[0], height=0.6)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels([_text(label, 28) for label in labels], fontsize=8)
        ax.set_xlim(*limits(data))
        ax.invert_yaxis()
        figure.suptitle(_text(title, 70), fontsize=10)
        return _svg(figure, prefix)


class DistributionCharts:
    """One reused figure drawing each dimension's distribution over the latest periods.

    Built once per report and redrawn for each dimension (``draw``), so a network report costs one
    figure, not one per dimension or per organisation.
    """

    def __init__(self, periods: Sequence[str], *, median_label: str) -> None:
        self.periods = list(periods)
        self.median_label = median_label
        self._figure: Any = None

    def draw(self, label: str, columns: Sequence[np.ndarray], *, prefix: str, marker: float | None = None) -> str:
        """The chart of one dimension: ``columns`` holds the scores of each of ``periods``."""
        with drawing() as Figure:
            if self._figure is None:
                self._figure = Figure(figsize=(6.0, 1.5 + 0.55 * len(self.periods)))
            figure = self._figure
            figure.clear()
            figure.subplots_adjust(
                left=0.12, right=0.97, top=1 - 0.5 / figure.get_figheight(), bottom=0.55 / figure.get_figheight()
            )
            ax = figure.add_subplot()
            cleaned = [np.asarray(column, dtype=float) for column in columns]
            cleaned = [column[np.isfinite(column)] for column in cleaned]
            low, high = limits(np.concatenate(cleaned) if cleaned else np.array([]))
            for row, values in enumerate(cleaned):
                y = len(self.periods) - 1 - row  # the latest period on top
                if len(values) == 0:
                    continue
                p10, q1, median, q3, p90 = np.percentile(values, [10, 25, 50, 75, 90])
                ax.barh(y, p90 - p10, left=p10, height=0.5, color=PALETTE[0], alpha=0.15, linewidth=0)
                ax.barh(y, q3 - q1, left=q1, height=0.5, color=PALETTE[0], alpha=0.35, linewidth=0)
                ax.plot([median, median], [y - 0.3, y + 0.3], color="#222222", linewidth=2)
                if len(values) <= DOT_LIMIT:
                    # A fixed, evenly spread vertical offset per dot: deterministic and readable.
                    order = np.argsort(np.argsort(values, kind="stable"), kind="stable")
                    jitter = ((order * 0.618034) % 1.0 - 0.5) * 0.36
                    ax.scatter(values, y + jitter, s=9, color=PALETTE[1], alpha=0.7, linewidths=0, zorder=3)
                else:
                    counts, edges = np.histogram(values, bins=40, range=(low, high))
                    heights = 0.42 * counts / max(int(counts.max()), 1)
                    # One stepped polygon for the whole histogram (not one patch per bin).
                    ax.fill_between(
                        edges,
                        y - 0.21,
                        y - 0.21 + np.append(heights, heights[-1]),
                        step="post",
                        color=PALETTE[1],
                        alpha=0.6,
                        linewidth=0,
                        zorder=3,
                    )
            if marker is not None and math.isfinite(marker):
                ax.axvline(marker, color=PALETTE[3], linewidth=1.4, linestyle="--")
            ax.set_yticks(range(len(self.periods)))
            ax.set_yticklabels([_text(p, 10) for p in self.periods[::-1]], fontsize=8)
            ax.set_ylim(-0.6, len(self.periods) - 0.4)
            ax.set_xlim(low, high)
            ax.tick_params(axis="x", labelsize=8)
            ax.set_title(_text(label, 70), fontsize=10, loc="left")
            return _svg(figure, prefix)
