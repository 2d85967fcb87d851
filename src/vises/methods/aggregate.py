"""Built-in aggregators: combine the children's scores of one node into the node's score.

Every aggregator gets the whole ``(n, k)`` block of children's scores (``NaN`` = missing) and the
``k`` weights of the node, and works on the whole matrix at once. Shared rules:

- A child takes part in a row when its score is present and its weight is > 0 (a zero weight
  excludes the child everywhere, also from the positivity checks and from ``minimum``).
- Weights are renormalised over the children taking part in each row; a row where none take part
  (all missing, or only zero-weight children present) gives ``NaN``.
- Methods that need positive scores (geometric, harmonic, power mean with p < 0) raise a
  ``MethodError`` naming the aggregator and the first offending rows; they never return garbage.
  The grid validator refuses such combinations upfront from the normalisers' ``output_range``.
- Memory: besides the input, at most three ``(n, k)`` arrays (median), usually one float array and
  one boolean mask, so 1,000,000 × 20 runs in well under a second.

docs/methods.md gives every formula.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from vises.contract.records import AggregatorSpec
from vises.errors import MethodError
from vises.methods.normalise import Param, Problems, validate_params

#: Copeland compares every pair of organisations in a group: O(m² k) time. Groups larger than this
#: are refused rather than left to run for hours (10,000 rows × 20 children takes ~10 s).
COPELAND_MAX_GROUP = 20_000

#: Pairwise blocks of at most this many cells keep Copeland's memory bounded (~32 MB of float64).
_COPELAND_CELLS = 4_000_000


def _p_checks(p: dict[str, Any], _: Any) -> Problems:
    return (
        [("p", "parameter 'p' must not be 0 (p → 0 is the geometric mean: use aggregator 'geometric')")]
        if p["p"] == 0
        else []
    )


_SCHEMAS: dict[str, tuple[dict[str, Param], Any]] = {
    "arithmetic": ({}, None),
    "geometric": ({}, None),
    "harmonic": ({}, None),
    "power_mean": ({"p": Param(kind="number", required=True)}, _p_checks),
    "median": ({}, None),
    "minimum": ({}, None),
    "copeland": ({}, None),
}


def check_params(name: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate a built-in aggregator's parameters; return them with defaults filled in.

    Raises ``MethodError`` for an unknown name, unknown keys or bad values (all problems at once).
    """
    if name not in _SCHEMAS:
        raise MethodError(f"unknown aggregator {name!r}", hint=f"built-in aggregators: {', '.join(sorted(_SCHEMAS))}")
    schema, cross = _SCHEMAS[name]
    return validate_params("aggregator", name, params, schema, cross)


def _prepare(
    name: str, scores: np.ndarray, weights: np.ndarray, params: Mapping[str, Any], *, check_infinite: bool = True
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray]:
    """Check parameters, shapes and weights; return params, scores, weights and the taking-part mask."""
    p = check_params(name, params)
    scores = np.asarray(scores, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64).reshape(-1)
    if scores.ndim != 2 or weights.shape[0] != scores.shape[1]:
        raise MethodError(
            f"aggregator {name!r}: got scores of shape {scores.shape} and {weights.shape[0]} weights; expected (n, "
            "k) and k"
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise MethodError(
            f"aggregator {name!r}: weights must be finite and >= 0, got {weights.tolist()}",
            hint="fix the weights of this node's children in the grid",
        )
    if check_infinite:
        _refuse_infinite(name, scores)
    use = ~np.isnan(scores)
    if (weights <= 0).any():
        use &= weights > 0
    return p, scores, weights, use


def _refuse_infinite(name: str, scores: np.ndarray) -> None:
    if np.isinf(scores).any():
        raise MethodError(
            f"aggregator {name!r}: children's scores include infinite values",
            hint="check the normalisers of this node's children",
        )


def _refuse_nonpositive(name: str, scores: np.ndarray, use: np.ndarray, *, allow_zero: bool = False, why: str) -> None:
    bad = (scores < 0) if allow_zero else (scores <= 0)
    bad &= use
    if bad.any():
        rows, cols = np.nonzero(bad)
        first = [f"row {r + 1} child {c + 1} = {scores[r, c]:g}" for r, c in zip(rows[:3], cols[:3], strict=True)]
        raise MethodError(
            f"aggregator {name!r} met {len(rows)} score(s) {'< 0' if allow_zero else '<= 0'} ({'; '.join(first)}); "
            f"{why}",
            hint=(
                "normalise the children onto a range that excludes them (e.g. minmax with low = 1), or use "
                "aggregator 'arithmetic'"
            ),
        )


def _weighted_sum(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_j matrix[:, j] × weights[j], one column at a time.

    Not ``matrix @ weights``: a BLAS product may round a row differently depending on how many rows
    the matrix has, and a round rescored with more rows must give last year's scores bit for bit.
    """
    total = np.zeros(matrix.shape[0], dtype=np.float64)
    for j in range(matrix.shape[1]):
        total += matrix[:, j] * weights[j]
    return total


def _finish(
    numerator: np.ndarray, buffer: np.ndarray, use: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (numerator / weight present, weight present), reusing ``buffer`` for the weights."""
    np.copyto(buffer, use)
    present = _weighted_sum(buffer, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = numerator / present
    mean[~(present > 0)] = np.nan
    return mean, present


def _arithmetic(
    scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None = None
) -> np.ndarray:
    """Σ wᵢxᵢ / Σ wᵢ over the children taking part."""
    # An infinite child makes its row's sum infinite or NaN: checking the n results, and the
    # (n, k) block only then, saves a full pass over the block on every node.
    _, scores, weights, use = _prepare("arithmetic", scores, weights, params, check_infinite=False)
    filled = np.where(use, scores, 0.0)
    mean, present = _finish(_weighted_sum(filled, weights), filled, use, weights)
    if not np.isfinite(mean[present > 0]).all():
        _refuse_infinite("arithmetic", scores)
    return mean


def _geometric(
    scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None = None
) -> np.ndarray:
    """exp(Σ wᵢ ln xᵢ / Σ wᵢ); every score taking part must be > 0."""
    _, scores, weights, use = _prepare("geometric", scores, weights, params)
    _refuse_nonpositive("geometric", scores, use, why="the geometric mean needs every score > 0")
    filled = np.where(use, scores, 1.0)
    np.log(filled, out=filled)
    mean, _ = _finish(_weighted_sum(filled, weights), filled, use, weights)
    return np.asarray(np.exp(mean))


def _harmonic(
    scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None = None
) -> np.ndarray:
    """Σ wᵢ / Σ (wᵢ / xᵢ); every score taking part must be > 0."""
    _, scores, weights, use = _prepare("harmonic", scores, weights, params)
    _refuse_nonpositive("harmonic", scores, use, why="the harmonic mean needs every score > 0")
    filled = np.divide(1.0, scores, out=np.zeros_like(scores), where=use)
    mean_inverse, _ = _finish(_weighted_sum(filled, weights), filled, use, weights)
    with np.errstate(divide="ignore"):
        return 1.0 / mean_inverse


def _power_mean(
    scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None = None
) -> np.ndarray:
    """(Σ wᵢxᵢᵖ / Σ wᵢ)^(1/p); p > 0 needs scores >= 0, p < 0 needs scores > 0.

    Computed as m·(Σ wᵢ(xᵢ/m)ᵖ / Σ wᵢ)^(1/p) with m the row's largest (p > 0) or smallest (p < 0)
    score, so that large |p| neither overflows nor underflows to nonsense.
    """
    p, scores, weights, use = _prepare("power_mean", scores, weights, params)
    power = p["p"]
    positive = power > 0
    _refuse_nonpositive(
        "power_mean",
        scores,
        use,
        allow_zero=positive,
        why=f"the power mean with p = {power:g} needs every score {'>= 0' if positive else '> 0'}",
    )
    filled = np.where(use, scores, 0.0 if positive else np.inf)
    pivot = filled.max(axis=1, initial=0.0) if positive else filled.min(axis=1, initial=np.inf)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        safe = np.where((pivot > 0) & np.isfinite(pivot), pivot, 1.0)
        filled /= safe[:, None]
        np.power(filled, power, out=filled)
        mean, _ = _finish(_weighted_sum(filled, weights), filled, use, weights)
        result = safe * mean ** (1.0 / power)
    result[positive & (pivot == 0)] = 0.0
    result[~use.any(axis=1)] = np.nan
    return np.asarray(result)


def _median(
    scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None = None
) -> np.ndarray:
    """Lower weighted median: the smallest score whose cumulative renormalised weight reaches 1/2.

    With equal weights and an even number of children this is the lower of the two middle values
    (not their average), so the result is always one of the children's scores.
    """
    _, scores, weights, use = _prepare("median", scores, weights, params)
    if scores.shape[1] == 0:
        return np.full(len(scores), np.nan)
    key = np.where(use, scores, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    cumulative = np.take_along_axis(np.where(use, weights, 0.0), order, axis=1)
    np.cumsum(cumulative, axis=1, out=cumulative)
    total = cumulative[:, -1]
    # A relative tolerance keeps 0.1 + 0.2 + 0.2 from missing a half of 1.0 by one ulp.
    reached = cumulative >= (0.5 - 1e-12) * total[:, None]
    chosen = np.take_along_axis(order, reached.argmax(axis=1)[:, None], axis=1)
    result = np.take_along_axis(key, chosen, axis=1)[:, 0]
    result[~(total > 0)] = np.nan
    return result


def _minimum(
    scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None = None
) -> np.ndarray:
    """min xᵢ over the children taking part: non-compensatory, weights matter only when zero."""
    _, scores, weights, use = _prepare("minimum", scores, weights, params)
    if scores.shape[1] == 0:
        return np.full(len(scores), np.nan)
    result = np.where(use, scores, np.inf).min(axis=1)
    result[~use.any(axis=1)] = np.nan
    return np.asarray(result)


def _copeland(
    scores: np.ndarray, weights: np.ndarray, *, params: Mapping[str, Any], groups: np.ndarray | None = None
) -> np.ndarray:
    """Copeland score within each group: (organisations outranked) − (organisations outranking).

    a outranks b when the weight of the children where a > b exceeds the weight of those where
    b > a, counting only children present for both. Cost O(m² k) per group of m rows.
    """
    _, scores, weights, use = _prepare("copeland", scores, weights, params)
    n = len(scores)
    result = np.full(n, np.nan)
    taking_part = weights > 0
    block, w = scores[:, taking_part], weights[taking_part]
    scored = use.any(axis=1)
    labels = np.zeros(n, dtype=np.intp) if groups is None else np.asarray(groups).reshape(-1)
    if len(labels) != n:
        raise MethodError(f"aggregator 'copeland': got {len(labels)} group labels for {n} rows")
    _, inverse = np.unique(labels, return_inverse=True)
    inverse = inverse.reshape(-1)
    inverse[~scored] = -1
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(inverse.max(initial=-1) + 2), side="left")
    for start, stop in itertools.pairwise(bounds):
        rows = order[start:stop]
        if len(rows) > COPELAND_MAX_GROUP:
            raise MethodError(
                f"aggregator 'copeland': a group has {len(rows)} organisations; comparing every pair is limited to "
                f"{COPELAND_MAX_GROUP}",
                hint="use Copeland on network-level rankings (tens to thousands of organisations per period)",
            )
        if len(rows):
            result[rows] = _copeland_group(block[rows], w)
    return result


def _copeland_group(block: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Wins − losses of every row of one group, in row blocks of bounded size."""
    m = len(block)
    tolerance = 1e-9 * float(weights.sum())
    net = np.empty(m)
    step = max(1, _COPELAND_CELLS // m)
    for start in range(0, m, step):
        mine = block[start : start + step]
        advantage = np.zeros((len(mine), m))
        for j, weight in enumerate(weights):
            advantage += weight * (mine[:, j, None] > block[None, :, j])
            advantage -= weight * (mine[:, j, None] < block[None, :, j])
        net[start : start + step] = (advantage > tolerance).sum(axis=1) - (advantage < -tolerance).sum(axis=1)
    return net


AGGREGATORS: dict[str, AggregatorSpec] = {
    spec.name: spec
    for spec in (
        AggregatorSpec(name="arithmetic", aggregate=_arithmetic, additive=True, summary="weighted arithmetic mean"),
        AggregatorSpec(
            name="geometric",
            aggregate=_geometric,
            requires_positive=True,
            summary="weighted geometric mean (scores > 0)",
        ),
        AggregatorSpec(
            name="harmonic", aggregate=_harmonic, requires_positive=True, summary="weighted harmonic mean (scores > 0)"
        ),
        AggregatorSpec(
            name="power_mean",
            aggregate=_power_mean,
            summary="weighted power mean of order p (p < 0: scores > 0; p > 0: scores >= 0)",
        ),
        AggregatorSpec(name="median", aggregate=_median, summary="lower weighted median"),
        AggregatorSpec(name="minimum", aggregate=_minimum, summary="worst child (non-compensatory)"),
        AggregatorSpec(
            name="copeland",
            aggregate=_copeland,
            across_rows=True,
            summary="Copeland outranking score within each period",
        ),
    )
}
