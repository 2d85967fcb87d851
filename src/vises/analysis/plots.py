"""Standalone charts of the analyses, as SVG or PNG bytes (``vises plot KIND ...``).

- ``framework``: the grid as a sunburst, the root in the centre, each ring a level, each wedge's
  angle the element's effective weight in the index (COINr's ``plot_framework``);
- ``correlations``: a heat map of a ``Correlations`` matrix (COINr's ``plot_corr``);
- ``scatter``: two nodes' scores against each other, one dot per organisation (``plot_scatter``);
- ``ranks``: nominal rank and 5–95 % rank interval per organisation from a sensitivity analysis
  (``plot_uncertainty``);
- ``sobol``: first-order and total Sobol indices with their intervals (``plot_sensitivity``).

Figures are built with ``matplotlib.figure.Figure``, never pyplot: drawing touches neither the
backend nor the process's rc settings, so it is safe from threads and inside a program that uses
pyplot itself. Words come from the catalogues (fr, nl, en); ``$`` in labels is kept literal.
Charts with many organisations grow with them up to a cap and stop naming every dot.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.analysis.words import word
from vises.errors import ConfigError, MissingDependencyError

if TYPE_CHECKING:  # pragma: no cover
    from vises.analysis.correlation import Correlations
    from vises.analysis.sensitivity import Sensitivity
    from vises.analysis.sobol import SobolSensitivity
    from vises.analysis.variance import SobolIndices
    from vises.engine.results import Results

__all__ = ["FORMATS", "KINDS", "correlation_heatmap", "framework", "rank_intervals", "scatter", "sobol_chart"]

KINDS = ("framework", "correlations", "scatter", "ranks", "sobol")
FORMATS = ("svg", "png")
PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#5f4b8b", "#8d6a46")
#: Past this many organisations a chart shows the distribution, not every name.
NAMED_LIMIT = 60


def _figure(width: float, height: float) -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as error:  # pragma: no cover - installed with the plot extra
        raise MissingDependencyError("matplotlib", "plot", "vises plot") from error
    return Figure(figsize=(width, height), layout="constrained")


def _text(label: str, width: int = 24) -> str:
    return "\n".join(textwrap.wrap(str(label).replace("$", r"\$"), width=width, max_lines=2, placeholder="…")) or " "


def _bytes(figure: Any, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}", path="format")
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": "vises"}
    figure.savefig(buffer, format=fmt, metadata=metadata, dpi=150)
    return buffer.getvalue()


def _plain(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


# -- framework --------------------------------------------------------------------------------------
def framework(results: Results, *, lang: str | None = None, fmt: str = "svg") -> bytes:
    """The grid as a sunburst; wedge angles are effective weights, one colour per top-level dimension."""
    from vises.engine.framework import wedges

    compiled = results.compiled
    laid = wedges(compiled)
    share = {w.code: w.share for w in laid}
    start = {w.code: w.start for w in laid}
    colour = {w.code: PALETTE[w.dimension % len(PALETTE)] for w in laid if w.depth > 0}
    depth_max = max(compiled.depth_of.values())
    size = 6.0 + min(depth_max, 4)
    figure = _figure(size, size)
    ax = figure.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")
    ring = 1.0 / (depth_max + 1)
    from matplotlib.patches import Wedge

    ax.add_patch(Wedge((0, 0), ring, 0, 360, facecolor="#f2f2f2", edgecolor="white"))
    ax.text(0, 0, _text(results.label(compiled.root, lang), 14), ha="center", va="center", fontsize=9)
    many = len(results.codes) > 80
    for code, depth in compiled.depth_of.items():
        if depth == 0 or code not in share or share[code] <= 0:
            continue
        theta1, theta2 = 90 - 360 * (start[code] + share[code]), 90 - 360 * start[code]
        outer = ring * (depth + 1)
        alpha = 1.0 - 0.55 * (depth - 1) / max(depth_max, 1)
        ax.add_patch(
            Wedge((0, 0), outer, theta1, theta2, width=ring, facecolor=colour[code], alpha=alpha, edgecolor="white")
        )
        if share[code] >= (0.02 if not many else 0.05):
            middle = math.radians((theta1 + theta2) / 2)
            radius = outer - ring / 2
            angle = (theta1 + theta2) / 2
            rotation = angle - 180 if 90 < angle % 360 < 270 else angle
            ax.text(
                radius * math.cos(middle),
                radius * math.sin(middle),
                _text(code if depth == depth_max else results.label(code, lang), 14),
                ha="center",
                va="center",
                fontsize=7 if depth < depth_max else 6,
                rotation=rotation if depth == depth_max else 0,
            )
    ax.set_xlim(-1.02, 1.02)
    ax.set_ylim(-1.02, 1.02)
    ax.set_title(_text(f"{results.grid.label_in(lang)} — {word('framework', lang or 'en')}", 70), fontsize=11)
    return _bytes(figure, fmt)


# -- correlations -----------------------------------------------------------------------------------
def correlation_heatmap(correlations: Correlations, *, lang: str | None = None, fmt: str = "svg") -> bytes:
    """A heat map of the correlation matrix (−1 blue to +1 red); values written when the matrix is small."""
    codes = correlations.codes
    k = len(codes)
    side = min(4.0 + 0.32 * k, 18.0)
    figure = _figure(side + 1.2, side)
    ax = figure.add_subplot()
    image = ax.imshow(np.asarray(correlations.matrix, dtype=float), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    labels = [_text(c, 18) for c in codes]
    ax.set_xticks(range(k), labels, rotation=90, fontsize=7 if k > 20 else 8)
    ax.set_yticks(range(k), labels, fontsize=7 if k > 20 else 8)
    if k <= 20:
        for i in range(k):
            for j in range(k):
                value = correlations.matrix[i, j]
                if value == value:
                    ink = "white" if abs(value) > 0.6 else "#222222"
                    ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6, color=ink)
    ax.set_title(_text(f"{word('correlation', lang or 'en')} ({correlations.method})", 70), fontsize=10, loc="left")
    bar = figure.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(f"{word('correlation', lang or 'en')} ({correlations.method})")
    return _bytes(figure, fmt)


# -- scatter ----------------------------------------------------------------------------------------
def scatter(
    results: Results, x: str, y: str, *, period: str | None = None, lang: str | None = None, fmt: str = "svg"
) -> bytes:
    """The scores of ``x`` and ``y``, one dot per organisation (of ``period``, default every row)."""
    for code in (x, y):
        if code not in results.codes:
            raise ConfigError(f"{code!r} is not a scored node of grid {results.grid.code!r}", path="code")
    rows = np.arange(len(results)) if period is None else np.flatnonzero(results.periods == str(period))
    if not rows.size:
        raise ConfigError(f"no row for period {period!r}", path="period")
    xs, ys = results.score(x)[rows], results.score(y)[rows]
    both = ~(np.isnan(xs) | np.isnan(ys))
    figure = _figure(6.4, 5.2)
    ax = figure.add_subplot()
    _plain(ax)
    ax.scatter(xs[both], ys[both], s=18 if both.sum() <= 500 else 4, color=PALETTE[0], alpha=0.8, linewidths=0)
    if both.sum() <= NAMED_LIMIT:
        for i in np.flatnonzero(both):
            ax.annotate(
                str(results.organisations[rows[i]]),
                (xs[i], ys[i]),
                fontsize=6,
                xytext=(3, 2),
                textcoords="offset points",
            )
    ax.set_xlabel(_text(results.label(x, lang), 50))
    ax.set_ylabel(_text(results.label(y, lang), 50))
    title = word("scatter_title", lang or "en", shown=int(both.sum()), total=int(rows.size))
    ax.set_title(_text(title, 80), fontsize=10, loc="left")
    return _bytes(figure, fmt)


# -- rank intervals ---------------------------------------------------------------------------------
def rank_intervals(
    analysis: Sensitivity | SobolSensitivity,
    *,
    period: str | None = None,
    lang: str | None = None,
    fmt: str = "svg",
) -> bytes:
    """Each organisation's nominal rank (dot) and 5–95 % rank interval (line), best first."""
    periods = analysis.periods
    chosen = str(period) if period is not None else (str(max(periods.tolist())) if len(periods) else None)
    rows = np.flatnonzero(periods == chosen) if chosen is not None else np.array([], dtype=np.intp)
    rows = rows[~np.isnan(analysis.nominal_rank[rows])]
    if not rows.size:
        raise ConfigError(f"no ranked organisation in period {chosen!r}", path="period")
    rows = rows[np.argsort(analysis.nominal_rank[rows], kind="stable")]
    n = rows.size
    named = n <= NAMED_LIMIT
    figure = _figure(min(3.0 + 0.16 * n, 16.0), 4.8)
    ax = figure.add_subplot()
    _plain(ax)
    places = np.arange(n)
    ax.vlines(places, analysis.rank_low[rows], analysis.rank_high[rows], color="#9a9a9a", linewidth=2.0)
    ax.scatter(
        places, analysis.nominal_rank[rows], color=PALETTE[2], s=14, zorder=3, label=word("nominal_rank", lang or "en")
    )
    ax.scatter(
        places,
        analysis.median_rank[rows],
        color=PALETTE[1],
        s=8,
        marker="_",
        zorder=3,
        label=word("median_rank", lang or "en"),
    )
    ax.invert_yaxis()
    if named:
        ax.set_xticks(places, [_text(o, 16) for o in analysis.organisations[rows].tolist()], rotation=90, fontsize=7)
    else:
        ax.set_xlabel(word("organisations_by_rank", lang or "en", n=n))
    ax.set_ylabel(word("rank", lang or "en"))
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.set_title(
        _text(f"{analysis.labels.get(lang, analysis.code)} — {word('interval', lang or 'en')} ({chosen})", 90),
        fontsize=10,
        loc="left",
    )
    return _bytes(figure, fmt)


# -- Sobol indices ----------------------------------------------------------------------------------
def sobol_chart(analysis: SobolIndices | SobolSensitivity, *, lang: str | None = None, fmt: str = "svg") -> bytes:
    """First-order and total index per choice, side by side, with their bootstrap intervals."""
    from vises.analysis.sobol import SobolSensitivity

    indices = analysis.indices if isinstance(analysis, SobolSensitivity) else analysis
    names: Sequence[str] = indices.names
    d = len(names)
    figure = _figure(max(4.5, 1.3 * d + 2.0), 4.2)
    ax = figure.add_subplot()
    _plain(ax)
    places = np.arange(d)
    width = 0.38
    for offset, values, low, high, key, colour in (
        (-width / 2, indices.first, indices.first_low, indices.first_high, "first_order", PALETTE[0]),
        (width / 2, indices.total, indices.total_low, indices.total_high, "total_order", PALETTE[1]),
    ):
        shown = np.clip(np.asarray(values, dtype=float), 0.0, None)
        errors = np.vstack([np.clip(shown - low, 0.0, None), np.clip(high - shown, 0.0, None)])
        ax.bar(places + offset, shown, width, color=colour, label=word(key, lang or "en"), yerr=errors, capsize=3)
    ax.set_xticks(places, [_text(n, 14) for n in names])
    ax.set_ylim(0.0, max(1.0, float(np.nanmax(np.append(indices.total_high, 0.0))) * 1.05))
    ax.set_ylabel(word("share_of_variance", lang or "en"))
    ax.legend(fontsize=8, frameon=False)
    return _bytes(figure, fmt)
