"""Charts for the HTML report, written as inline SVG text straight from numpy arrays.

Why by hand: the report needs three kinds of chart (a radar, bars when there are fewer than three
dimensions, a distribution strip per dimension), and writing their SVG takes a few milliseconds,
where importing matplotlib alone took about half a second of every ``--format html`` run. A chart
is a pure function of its numbers and words: no global state, no lock, no random id, so two
threads drawing at once, or two runs on two machines, give the same bytes.

Every text drawn (labels, names, periods, the report's own words) goes through ``_escape``:
control characters dropped (``terminal_text``), then XML-escaped, so a label ``<script>`` is
drawn as text, never parsed. Long labels are wrapped on a few lines; a label shortened with
``…`` keeps its full text in a ``<title>`` (shown on hover, read by screen readers), and every
label is also written in full in the tables beside the charts.

Charts scale with the page (a ``viewBox``, no fixed size) and print in black and grey as well as
in colour: the band, box and median differ by shade and shape, not by hue alone. The network's
distribution charts summarise any number of organisations in one chart per dimension: a band
from the 10th to the 90th percentile, the interquartile box, the median, and one dot per
organisation (a single path), or past ``DOT_LIMIT`` organisations a histogram (one polygon), so
a chart of 10,000 organisations weighs what one of 30 does.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from html import escape

import attrs
import numpy as np

from vises.i18n import format_number
from vises.neutralise import terminal_text
from vises.numeric import percentiles

#: Colours that stay distinct in grey print and for the common colour-vision deficiencies.
PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#5f4b8b", "#8d6a46")
#: Past this many organisations in a period, dots give way to a histogram.
DOT_LIMIT = 400
#: Bins of the histogram drawn past ``DOT_LIMIT``.
BINS = 40

_INK, _MUTED, _GRID = "#1d2430", "#5b6472", "#d8dde4"
#: Average advance of a character, as a share of the font size (for wrapping and anchoring only).
_EM = 0.56
#: How a dot for one organisation is drawn (a zero-length stroke with round caps).
_DOT = f'stroke="{PALETTE[1]}" stroke-opacity="0.75" stroke-width="6" stroke-linecap="round"'


@attrs.frozen(kw_only=True)
class Words:
    """The chart words in the report language (``vises.i18n`` words, already translated)."""

    lang: str
    score: str
    band: str
    box: str
    median: str
    dot: str
    histogram: str


def _escape(text: str) -> str:
    """Text for SVG: no control character (nor the two XML non-characters), then XML-escaped."""
    return escape(terminal_text(str(text)).replace("\ufffe", "").replace("\uffff", ""), quote=True)


def _wrap(text: str, width: int, lines: int = 3) -> list[str]:
    """``text`` on at most ``lines`` lines of about ``width`` characters (the last one may end in …)."""
    clean = " ".join(terminal_text(str(text)).split())
    return textwrap.wrap(clean, width=max(width, 4), max_lines=lines, placeholder=" …") or [""]


def _n(value: float) -> str:
    """A coordinate: one decimal, no trailing zero (``12``, ``12.5``)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _label(
    text: str,
    x: float,
    y: float,
    *,
    width: int,
    size: float,
    anchor: str = "start",
    lines: int = 3,
    weight: str | None = None,
    colour: str = _INK,
    baseline: str = "top",
) -> tuple[str, int]:
    """A wrapped ``<text>`` element, and how many lines it took. ``baseline`` says where ``y`` is:
    the ``top`` of the first line, the ``middle`` of the block, or the ``bottom`` of the last line."""
    parts = _wrap(text, width, lines)
    step = size * 1.2
    if baseline == "top":
        first = y + size * 0.85
    elif baseline == "middle":
        first = y - step * (len(parts) - 1) / 2 + size * 0.35
    else:
        first = y - step * (len(parts) - 1) - size * 0.2
    full = " ".join(terminal_text(str(text)).split())
    title = f"<title>{_escape(full)}</title>" if " ".join(parts) != full else ""
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(first + i * step)}">{_escape(part)}</tspan>' for i, part in enumerate(parts)
    )
    bold = f' font-weight="{weight}"' if weight else ""
    element = f'<text font-size="{_n(size)}" text-anchor="{anchor}" fill="{colour}"{bold}>{title}{spans}</text>'
    return element, len(parts)


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    """The chart as one ``<svg>`` element: scalable (``viewBox``), named for screen readers."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" role="img" '
        f"font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\">"
        f"<title>{_escape(' '.join(str(title).split()))}</title>" + "".join(body) + "</svg>"
    )


def limits(values: Sequence[float] | np.ndarray) -> tuple[float, float]:
    """The value axis: 0–100 for the usual score range, else the data's own range, padded."""
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if len(data) == 0 or (data.min() >= 0 and data.max() <= 100):
        return 0.0, 100.0
    low, high = float(data.min()), float(data.max())
    pad = (high - low) * 0.05 or max(1.0, abs(low) * 0.05)
    return min(low - pad, 0.0) if low >= 0 else low - pad, high + pad


def ticks(low: float, high: float, most: int = 6) -> np.ndarray:
    """Round values for an axis from ``low`` to ``high`` (1, 2, 2.5 or 5 times a power of ten)."""
    if (low, high) == (0.0, 100.0):
        return np.array([0.0, 25.0, 50.0, 75.0, 100.0])
    span = high - low
    if not (math.isfinite(span) and span > 0):
        return np.array([low, high])
    raw = span / max(most - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1.0, 2.0, 2.5, 5.0, 10.0) if power * m >= raw)
    first = math.ceil(low / step) * step
    return np.arange(first, high + step * 1e-9, step)


def _tick_texts(values: np.ndarray, lang: str) -> list[str]:
    step = float(np.min(np.diff(values))) if len(values) > 1 else 1.0
    if not step > 0:
        step = 1.0
    digits = 0 if step >= 1 and np.allclose(values, np.round(values)) else min(3, max(1, -math.floor(math.log10(step))))
    return format_number(values, lang, digits)


def _legend(items: list[tuple[str, str]], x: float, y: float, width: float, size: float) -> tuple[list[str], float]:
    """A row (wrapping onto more rows) of ``(swatch SVG at 0,0, label)`` items; returns the height."""
    out, cx, cy, row = [], x, y, size * 1.6
    for swatch, text in items:
        label = " ".join(terminal_text(text).split())
        need = 22 + len(label) * size * _EM + 14
        if cx > x and cx + need > x + width:
            cx, cy = x, cy + row
        out.append(f'<g transform="translate({_n(cx)} {_n(cy)})">{swatch}</g>')
        out.append(
            f'<text x="{_n(cx + 22)}" y="{_n(cy + size * 0.35)}" font-size="{_n(size)}" fill="{_INK}">'
            f"{_escape(label)}</text>"
        )
        cx += need
    return out, cy - y + row


# -- radar and bars ----------------------------------------------------------------------------


def radar(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    lang: str,
) -> str:
    """A spider chart of one or more series over the dimensions; bars when there are under three.

    Axes start at the top and run clockwise in grid order; a missing value breaks its series'
    outline there (it is never drawn as zero).
    """
    if len(labels) < 3:
        return bars(labels, series[0][1], title=title, lang=lang)
    width, size = 640.0, 13.0
    title_svg, title_lines = _label(title, width / 2, 12, width=70, size=15, anchor="middle", lines=2, weight="600")
    radius = 165.0
    top = 12 + title_lines * 18 + 58
    cx, cy = width / 2, top + radius
    count = len(labels)
    angles = -math.pi / 2 + 2 * math.pi * np.arange(count) / count
    cos, sin = np.cos(angles), np.sin(angles)
    low, high = limits(np.concatenate([np.asarray(v, dtype=float) for _, v in series]))
    body = [title_svg]

    def point(value: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = radius * np.clip((value - low) / (high - low), 0.0, 1.0)
        return cx + r * cos[index], cy + r * sin[index]

    # Rings at the ticks, spokes, tick values half-way between the first two spokes.
    values = ticks(low, high, 5)
    texts = _tick_texts(values, lang)
    every = np.arange(count)
    for value in values:
        xs, ys = point(np.full(count, value), every)
        ring = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True)) + "Z"
        body.append(f'<path d="{ring}" fill="none" stroke="{_GRID}" stroke-width="1"/>')
    spokes = "".join(
        f"M{_n(cx)} {_n(cy)}L{_n(cx + radius * c)} {_n(cy + radius * s)}"
        for c, s in zip(cos.tolist(), sin.tolist(), strict=True)
    )
    body.append(f'<path d="{spokes}" stroke="{_GRID}" stroke-width="1"/>')
    half = -math.pi / 2 + math.pi / count
    for value, text in zip(values.tolist(), texts, strict=True):
        r = radius * (value - low) / (high - low)
        x, y = cx + r * math.cos(half), cy + r * math.sin(half)
        body.append(f'<text x="{_n(x + 3)}" y="{_n(y - 3)}" font-size="11" fill="{_MUTED}">{_escape(text)}</text>')
    # Dimension labels just outside the outer ring, anchored away from the centre.
    for position, label in enumerate(labels):
        c, s = float(cos[position]), float(sin[position])
        x, y = cx + (radius + 12) * c, cy + (radius + 12) * s
        anchor = "middle" if abs(c) < 0.3 else ("start" if c > 0 else "end")
        where = "bottom" if s < -0.3 else ("top" if s > 0.3 else "middle")
        element, _ = _label(label, x, y, width=18, size=size, anchor=anchor, lines=3, baseline=where)
        body.append(element)
    # The series: outline, a light fill when complete, a dot at each value.
    legend = []
    for number, (name, raw_values) in enumerate(series):
        data = np.asarray(raw_values, dtype=float)
        colour = PALETTE[number % len(PALETTE)]
        known = np.isfinite(data)
        xs, ys = point(np.where(known, data, low), every)
        # One segment per pair of neighbouring values both present.
        following = np.roll(every, -1)
        pairs = np.flatnonzero(known & known[following])
        path = "".join(
            map(
                "M{:.1f} {:.1f}L{:.1f} {:.1f}".format,
                xs[pairs].tolist(),
                ys[pairs].tolist(),
                xs[following[pairs]].tolist(),
                ys[following[pairs]].tolist(),
            )
        )
        if known.all():
            outline = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True)) + "Z"
            body.append(f'<path d="{outline}" fill="{colour}" fill-opacity="0.12" stroke="none"/>')
        if path:
            body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.2" stroke-linecap="round"/>')
        dots = "".join(f"M{_n(x)} {_n(y)}h0" for x, y in zip(xs[known].tolist(), ys[known].tolist(), strict=True))
        if dots:
            body.append(f'<path d="{dots}" stroke="{colour}" stroke-width="7" stroke-linecap="round"/>')
        swatch = (
            f'<path d="M0 0h16" stroke="{colour}" stroke-width="2.2"/>'
            f'<path d="M8 0h0" stroke="{colour}" stroke-width="7" stroke-linecap="round"/>'
        )
        legend.append((swatch, name))
    legend_top = cy + radius + 70
    items, legend_height = _legend(legend, 40, legend_top, width - 80, 13)
    body += items
    return _svg(width, legend_top + legend_height + 6, title, body)


def bars(labels: Sequence[str], values: Sequence[float], *, title: str, lang: str) -> str:
    """One horizontal bar per dimension (a radar needs three axes or more); a missing value has no bar."""
    data = np.asarray(values, dtype=float)
    width, left, right, row = 640.0, 210.0, 24.0, 34.0
    title_svg, title_lines = _label(title, width / 2, 10, width=70, size=15, anchor="middle", lines=2, weight="600")
    top = 10 + title_lines * 18 + 12
    low, high = limits(data)
    span = width - left - right

    def x_of(value: float) -> float:
        return left + span * (min(max(value, low), high) - low) / (high - low)

    body = [title_svg]
    values_at = ticks(low, high)
    for value, text in zip(values_at.tolist(), _tick_texts(values_at, lang), strict=True):
        x = x_of(value)
        body.append(f'<path d="M{_n(x)} {_n(top)}V{_n(top + row * len(labels))}" stroke="{_GRID}"/>')
        body.append(
            f'<text x="{_n(x)}" y="{_n(top + row * len(labels) + 14)}" font-size="11" text-anchor="middle" '
            f'fill="{_MUTED}">{_escape(text)}</text>'
        )
    for position, label in enumerate(labels):
        y = top + position * row
        element, _ = _label(label, left - 8, y + row / 2, width=30, size=12, anchor="end", lines=2, baseline="middle")
        body.append(element)
        value = float(data[position])
        if math.isfinite(value):
            base = x_of(max(low, 0.0))
            end = x_of(value)
            body.append(
                f'<rect x="{_n(min(base, end))}" y="{_n(y + 7)}" width="{_n(abs(end - base))}" '
                f'height="{_n(row - 14)}" fill="{PALETTE[0]}"/>'
            )
    return _svg(width, top + row * len(labels) + 24, title, body)


# -- the network's distribution per dimension ---------------------------------------------------


class DistributionCharts:
    """Each dimension's distribution over the latest periods, one chart per dimension.

    ``periods`` are the rows of every chart (the latest on top); ``words`` the legend and axis
    words in the report language. Drawing is a pure function of the columns it is given.
    """

    def __init__(self, periods: Sequence[str], *, words: Words) -> None:
        self.periods = [str(p) for p in periods]
        self.words = words

    def draw(self, label: str, columns: Sequence[np.ndarray]) -> str:
        """The chart of one dimension: ``columns`` holds the scores of each of ``periods``."""
        words = self.words
        width, left, right, row = 640.0, 76.0, 20.0, 46.0
        title_svg, title_lines = _label(label, 12, 8, width=64, size=16, lines=2, weight="600")
        top = 8 + title_lines * 19 + 10
        cleaned = [np.asarray(column, dtype=float) for column in columns]
        cleaned = [column[np.isfinite(column)] for column in cleaned]
        low, high = limits(np.concatenate(cleaned) if cleaned else np.array([]))
        span = width - left - right

        def x_of(values: np.ndarray) -> np.ndarray:
            return np.asarray(left + span * (np.clip(values, low, high) - low) / (high - low), dtype=float)

        plot_bottom = top + row * len(self.periods)
        body = [title_svg]
        positions = ticks(low, high)
        for x, text in zip(x_of(positions).tolist(), _tick_texts(positions, words.lang), strict=True):
            body.append(f'<path d="M{_n(x)} {_n(top)}V{_n(plot_bottom)}" stroke="{_GRID}"/>')
            body.append(
                f'<text x="{_n(x)}" y="{_n(plot_bottom + 16)}" font-size="13" text-anchor="middle" '
                f'fill="{_MUTED}">{_escape(text)}</text>'
            )
        body.append(
            f'<text x="{_n(left + span / 2)}" y="{_n(plot_bottom + 35)}" font-size="14" text-anchor="middle" '
            f'fill="{_MUTED}">{_escape(words.score)}</text>'
        )
        histogram = False
        for number, values in enumerate(cleaned[: len(self.periods)]):
            y = top + number * row
            middle = y + row / 2
            element, _ = _label(
                self.periods[number], left - 8, middle, width=8, size=14, anchor="end", lines=2, baseline="middle"
            )
            body.append(element)
            if len(values) == 0:
                continue
            p10, q1, median, q3, p90 = x_of(percentiles(values, [10, 25, 50, 75, 90])).tolist()
            body.append(
                f'<rect x="{_n(p10)}" y="{_n(middle - 12)}" width="{_n(p90 - p10)}" height="24" '
                f'fill="{PALETTE[0]}" fill-opacity="0.16"/>'
            )
            body.append(
                f'<rect x="{_n(q1)}" y="{_n(middle - 12)}" width="{_n(q3 - q1)}" height="24" '
                f'fill="{PALETTE[0]}" fill-opacity="0.42"/>'
            )
            body.append(f'<path d="M{_n(median)} {_n(middle - 16)}V{_n(middle + 16)}" stroke="#111" stroke-width="3"/>')
            if len(values) <= DOT_LIMIT:
                body.append(self._dots(x_of(values), values, middle))
            else:
                histogram = True
                body.append(self._histogram(values, low, high, x_of, middle))
        items = [
            (f'<rect x="0" y="-6" width="16" height="12" fill="{PALETTE[0]}" fill-opacity="0.16"/>', words.band),
            (f'<rect x="0" y="-6" width="16" height="12" fill="{PALETTE[0]}" fill-opacity="0.42"/>', words.box),
            ('<path d="M8 -8V8" stroke="#111" stroke-width="3"/>', words.median),
        ]
        if histogram:
            items.append((f'<path d="M0 6V-2h5V-6h6V0h5V6Z" fill="{PALETTE[1]}" fill-opacity="0.7"/>', words.histogram))
        if not histogram or any(0 < len(v) <= DOT_LIMIT for v in cleaned):
            items.append((f'<path d="M8 0h0" {_DOT}/>', words.dot))
        legend, height = _legend(items, 12, plot_bottom + 56, width - 24, 13)
        body += legend
        return _svg(width, plot_bottom + 56 + height, label, body)

    @staticmethod
    def _dots(xs: np.ndarray, values: np.ndarray, middle: float) -> str:
        """One dot per organisation, spread up and down by a fixed offset per rank (deterministic)."""
        order = np.argsort(np.argsort(values, kind="stable"), kind="stable")
        ys = middle + ((order * 0.618034) % 1.0 - 0.5) * 18.0
        path = "".join(map("M{:.1f} {:.1f}h0".format, xs.tolist(), ys.tolist()))
        return f'<path d="{path}" {_DOT} fill="none"/>'

    @staticmethod
    def _histogram(
        values: np.ndarray, low: float, high: float, x_of: Callable[[np.ndarray], np.ndarray], middle: float
    ) -> str:
        """The organisations' scores as a histogram of ``BINS`` bins, drawn as one stepped polygon."""
        counts, edges = np.histogram(values, bins=BINS, range=(low, high))
        heights = 20.0 * counts / max(int(counts.max()), 1)
        xs = x_of(edges)
        base = middle + 10
        steps = "".join(
            f"H{x0:.1f}V{base - h:.1f}H{x1:.1f}"
            for x0, x1, h in zip(xs[:-1].tolist(), xs[1:].tolist(), heights.tolist(), strict=True)
        )
        return f'<path d="M{_n(xs[0])} {_n(base)}{steps}V{_n(base)}Z" fill="{PALETTE[1]}" fill-opacity="0.7"/>'
