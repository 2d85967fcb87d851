"""Weights that give each element the influence you ask for (COINr's ``get_opt_weights``).

Nominal weights do not say how much each indicator drives the index: that depends on the data.
The JRC's answer (Becker et al. 2017) is to look at the correlation of each element with the
index and to choose the weights that bring those correlations to a target: ``objective =
"balance"`` (default) minimises log(mean((t − c/Σc)²)), t the target shares (equal by default),
c the correlations; ``"infomax"`` maximises Σc, the information the index keeps. Each evaluation
re-aggregates the scored results with the candidate weights (``aggregate_only``); the search is
a Nelder–Mead simplex, as R's ``optim`` runs for COINr. The result is a ``vises.Weighting``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.analysis._common import frozen, indicator_codes, none, period_groups, period_rows, whole
from vises.analysis.words import number, stats_word, table, word
from vises.contract.records import Weighting
from vises.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["OptimisedWeights", "nelder_mead", "optimise_weights"]


def nelder_mead(
    f: Callable[[np.ndarray], float],
    x0: np.ndarray,
    *,
    tolerance: float = 1e-8,
    max_iterations: int = 2000,
    step: float = 0.1,
) -> tuple[np.ndarray, float, int, bool]:
    """Minimise ``f`` from ``x0`` by the Nelder–Mead simplex (reflection 1, expansion 2, contraction
    and shrink ½); the first simplex steps ``step``·max|x0| along each axis, as R's ``optim``.

    Stops when the simplex's values agree to ``tolerance`` (relative, R's ``reltol``). Returns the
    best point, its value, the iterations run and whether it converged.
    """
    x0 = np.asarray(x0, dtype=np.float64)
    k = x0.size
    size = step * max(float(np.abs(x0).max()), 1e-3)
    simplex = np.vstack([x0, x0 + size * np.eye(k)])
    values = np.array([f(x) for x in simplex])
    for iteration in range(1, max_iterations + 1):
        order = np.argsort(values, kind="stable")
        simplex, values = simplex[order], values[order]
        if abs(values[-1] - values[0]) <= tolerance * (abs(values[0]) + tolerance):
            return simplex[0], float(values[0]), iteration, True
        centroid = simplex[:-1].mean(axis=0)
        worst = simplex[-1]
        reflected = centroid + (centroid - worst)
        f_reflected = f(reflected)
        if f_reflected < values[0]:
            expanded = centroid + 2.0 * (centroid - worst)
            f_expanded = f(expanded)
            if f_expanded < f_reflected:
                simplex[-1], values[-1] = expanded, f_expanded
            else:
                simplex[-1], values[-1] = reflected, f_reflected
            continue
        if f_reflected < values[-2]:
            simplex[-1], values[-1] = reflected, f_reflected
            continue
        outside = f_reflected < values[-1]
        contracted = centroid + 0.5 * ((reflected if outside else worst) - centroid)
        f_contracted = f(contracted)
        if f_contracted < (f_reflected if outside else values[-1]):
            simplex[-1], values[-1] = contracted, f_contracted
            continue
        simplex[1:] = simplex[0] + 0.5 * (simplex[1:] - simplex[0])
        values[1:] = [f(x) for x in simplex[1:]]
    best = int(np.argmin(values))
    return simplex[best], float(values[best]), max_iterations, False


@attrs.frozen(kw_only=True, eq=False)
class OptimisedWeights:
    """Optimised weights of the elements at one level, with how their correlations came out.

    ``weighting`` holds the new weights (summing to 1 over the level, as COINr's); ``target`` and
    ``obtained`` are the correlation shares wanted and reached (``balance``), ``before``/``after``
    each element's correlation with the index (or its parent) under the grid's and the new weights.
    """

    weighting: Weighting
    objective: str
    against: str
    method: str
    codes: tuple[str, ...]
    nominal: np.ndarray
    optimised: np.ndarray
    target: np.ndarray | None
    before: np.ndarray
    after: np.ndarray
    value: float
    iterations: int
    converged: bool

    @property
    def weights(self) -> dict[str, float]:
        return dict(self.weighting.weights)

    @property
    def obtained(self) -> np.ndarray:
        return np.asarray(self.after / self.after.sum())

    def to_records(self) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "nominal_weight": float(self.nominal[i]),
                "weight": float(self.optimised[i]),
                "target_share": None if self.target is None else float(self.target[i]),
                "obtained_share": none(float(self.obtained[i])),
                "correlation_before": none(float(self.before[i])),
                "correlation_after": none(float(self.after[i])),
            }
            for i, code in enumerate(self.codes)
        ]

    def table(self, lang: str | None = None) -> str:
        w = lang or "en"
        rows = [
            (
                r["code"],
                number(r["nominal_weight"], lang, 3),
                number(r["weight"], lang, 3),
                number(r["target_share"], lang, 3),
                number(r["obtained_share"], lang, 3),
                number(r["correlation_before"], lang, 3),
                number(r["correlation_after"], lang, 3),
            )
            for r in self.to_records()
        ]
        headers = [
            stats_word("child", lang),
            word("nominal_weight", w),
            word("weight", w),
            word("target_share", w),
            word("obtained_share", w),
            word("correlation_before", w),
            word("correlation_after", w),
        ]
        status = word("converged" if self.converged else "not_converged", w, iterations=self.iterations)
        return "\n\n".join([f"{self.objective} ({self.method}, {self.against}): {status}", table(rows, headers)])


def _correlations(block: np.ndarray, against: np.ndarray, method: str) -> np.ndarray:
    """Each column's correlation with its ``against`` column, over the rows where both have a score."""
    from vises.numeric import rank

    x, y = np.array(block, dtype=np.float64), np.array(against, dtype=np.float64)
    ok = ~(np.isnan(x) | np.isnan(y))
    if method == "spearman":
        x = np.column_stack([_masked_ranks(x[:, j], ok[:, j], rank) for j in range(x.shape[1])])
        y = np.column_stack([_masked_ranks(y[:, j], ok[:, j], rank) for j in range(y.shape[1])])
    count = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.where(ok, x, 0.0).sum(axis=0) / count
        my = np.where(ok, y, 0.0).sum(axis=0) / count
        dx, dy = np.where(ok, x - mx, 0.0), np.where(ok, y - my, 0.0)
        r = (dx * dy).sum(axis=0) / np.sqrt((dx * dx).sum(axis=0) * (dy * dy).sum(axis=0))
    return np.asarray(np.where(count >= 2, r, np.nan))


def _masked_ranks(values: np.ndarray, keep: np.ndarray, rank: Any) -> np.ndarray:
    out = np.full(values.shape, np.nan)
    out[keep] = rank(values[keep], ties="average", descending=False)
    return out


def optimise_weights(
    results: Results,
    *,
    level: int | str = "indicators",
    target: str | Mapping[str, float] = "equal",
    objective: str = "balance",
    against: str = "index",
    method: str = "pearson",
    period: str | None = None,
    tolerance: float = 1e-8,
    max_iterations: int = 2000,
    code: str | None = None,
) -> OptimisedWeights:
    """Weights for every element at ``level`` (``"indicators"`` or a depth, 1 = the root's children)
    bringing each one's correlation with the index (``against="parent"``: with its parent) to
    ``target`` (``"equal"`` or ``code -> share``), or maximising their sum (``objective="infomax"``).
    """
    from vises.engine.score import aggregate_only

    if objective not in ("balance", "infomax"):
        raise ConfigError(f"objective must be 'balance' or 'infomax', got {objective!r}", path="objective")
    if against not in ("index", "parent"):
        raise ConfigError(f"against must be 'index' or 'parent', got {against!r}", path="against")
    if method not in ("pearson", "spearman"):
        raise ConfigError(f"method must be 'pearson' or 'spearman', got {method!r}", path="method")
    whole(max_iterations, "max_iterations")
    compiled = results.compiled
    if level == "indicators":
        codes = indicator_codes(results)
    elif isinstance(level, int) and not isinstance(level, bool) and level >= 1:
        codes = tuple(c for c in results.codes if results.depth(c) == level)
    else:
        raise ConfigError(f"level must be 'indicators' or a depth >= 1, got {level!r}", path="level")
    if len(codes) < 2:
        raise ConfigError(f"level {level!r} has {len(codes)} element(s); there is nothing to balance", path="level")
    nominal = np.array([results.weight(c) for c in codes], dtype=np.float64)
    nominal = nominal / nominal.sum()
    goal: np.ndarray | None = None
    if objective == "balance":
        if target == "equal":
            goal = np.full(len(codes), 1.0 / len(codes))
        elif isinstance(target, Mapping):
            missing = [c for c in codes if c not in target]
            extra = [c for c in target if c not in codes]
            if missing or extra:
                raise ConfigError(
                    "the target must give a share for every element of the level and nothing else"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; not at this level {', '.join(map(str, extra))}" if extra else ""),
                    path="target",
                )
            goal = np.array([float(target[c]) for c in codes])
            if (goal < 0).any() or goal.sum() <= 0:
                raise ConfigError("target shares must be >= 0 and not all 0", path="target")
            goal = goal / goal.sum()
        else:
            raise ConfigError(f"target must be 'equal' or a mapping code -> share, got {target!r}", path="target")

    rows = period_rows(results, period)
    _, groups = period_groups(results.periods)
    buffer = np.array(results.scores, dtype=np.float64, order="F", copy=True)
    parents = {c: compiled.parent_of[c] for c in codes}
    slots: dict[str, list[tuple[int, int]]] = {}
    for i, c in enumerate(codes):
        parent = parents[c]
        assert parent is not None
        slots.setdefault(parent, []).append((compiled.node(parent).children.index(c), i))
    columns = [compiled.column_of[c] for c in codes]
    targets = [compiled.column_of[compiled.root if against == "index" else str(parents[c])] for c in codes]

    def correlations_for(weights: np.ndarray) -> np.ndarray:
        new = {}
        for parent, pairs in slots.items():
            child_weights = compiled.node(parent).weights.copy()
            for position, i in pairs:
                child_weights[position] = weights[i]
            new[parent] = child_weights
        aggregate_only(compiled, buffer, groups, new)
        return _correlations(buffer[rows][:, columns], buffer[rows][:, targets], method)

    def weights_of(p: np.ndarray) -> np.ndarray:
        w = np.abs(p)
        total = w.sum()
        return w / total if total > 0 else np.full(len(w), 1.0 / len(w))

    def cost(p: np.ndarray) -> float:
        c = correlations_for(weights_of(p))
        if np.isnan(c).any():
            return math.inf
        if objective == "infomax":
            return -float(c.sum())
        assert goal is not None
        gap = float(np.mean((goal - c / c.sum()) ** 2))
        return math.log(max(gap, 1e-300))

    before = correlations_for(nominal)
    if np.isnan(before).any():
        missing = [codes[i] for i in np.flatnonzero(np.isnan(before))]
        raise ConfigError(f"no correlation can be computed for {', '.join(missing)} (no spread or too few rows)")
    start = goal if goal is not None else nominal
    best, value, iterations, converged = nelder_mead(
        cost, np.array(start), tolerance=tolerance, max_iterations=max_iterations
    )
    optimised = weights_of(best)
    after = correlations_for(optimised)
    weighting = Weighting(
        code=code or f"optimised_{objective}",
        grid=results.grid.code,
        weights={c: float(v) for c, v in zip(codes, optimised, strict=True)},
        label={"en": f"Optimised weights ({objective})"},
        description={"en": f"correlation {objective} of level {level!r} with the {against} (vises.analysis)"},
    )
    return OptimisedWeights(
        weighting=weighting,
        objective=objective,
        against=against,
        method=method,
        codes=codes,
        nominal=frozen(nominal),
        optimised=frozen(optimised),
        target=None if goal is None else frozen(goal),
        before=frozen(before),
        after=frozen(after),
        value=value,
        iterations=iterations,
        converged=converged,
    )
