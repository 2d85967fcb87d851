"""Principal components of a node's children (COINr's ``get_PCA``) and the weights they suggest.

``pca`` says how much of the children's variance one direction carries (a first component with
most of it backs aggregating them). ``pca_weights`` turns each chosen node's first component into
weights for its children and returns them as a ``vises.Weighting``, usable wherever a weighting is
(``load_grid(..., weighting=w.weights)``, or a weighting file given to ``--weighting``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.analysis._common import aggregate_children, complete_rows, period_rows, score_block
from vises.analysis.words import number, stats_word, table
from vises.contract.records import Weighting
from vises.errors import ConfigError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["PCAResult", "PCAWeights", "pca", "pca_weights"]


@attrs.frozen(kw_only=True, eq=False)
class PCAResult:
    """Principal components of a node's standardised children (COINr's ``get_PCA``).

    ``eigenvalues`` are those of the children's correlation matrix, largest first; ``variance_share``
    their share of the total; ``loadings`` the first component's unit eigenvector, signed so that its
    first entry is positive (an eigenvector's sign is arbitrary).
    """

    node: str
    children: tuple[str, ...]
    rows: int
    eigenvalues: np.ndarray
    variance_share: np.ndarray
    loadings: Mapping[str, float]

    def to_records(self) -> list[dict[str, Any]]:
        """One record per component: eigenvalue, share and cumulative share of the variance."""
        cumulative = np.cumsum(self.variance_share)
        return [
            {"component": i + 1, "eigenvalue": float(e), "variance_share": float(s), "cumulative_share": float(c)}
            for i, (e, s, c) in enumerate(zip(self.eigenvalues, self.variance_share, cumulative, strict=True))
        ]

    def table(self, lang: str | None = None) -> str:
        components = [
            (
                r["component"],
                number(r["eigenvalue"], lang, 3),
                number(r["variance_share"], lang, 3),
                number(r["cumulative_share"], lang, 3),
            )
            for r in self.to_records()
        ]
        title = f"{stats_word('pca', lang)}: {self.node} ({stats_word('complete_rows', lang)} = {self.rows})"
        loadings = [(code, number(value, lang, 3)) for code, value in self.loadings.items()]
        return "\n\n".join(
            [
                title,
                table(
                    components,
                    [stats_word(k, lang) for k in ("component", "eigenvalue", "variance_share", "cumulative_share")],
                ),
                table(loadings, [stats_word("child", lang), stats_word("loading", lang)]),
            ]
        )


def pca(results: Results, node: str, *, period: str | None = None) -> PCAResult:
    """PCA of ``node``'s children: eigen-decomposition of their correlation matrix over complete rows.

    A first component with most of the variance says the children move together, which backs
    aggregating them; several comparable components say the node mixes distinct things.
    """
    children = aggregate_children(results, node, "node")
    if len(children) < 2:
        raise ConfigError(f"{node!r} has {len(children)} child; a PCA needs at least two", path="node", node=node)
    block = complete_rows(score_block(results, children, period_rows(results, period)))
    if block.shape[0] < 2:
        raise DataError(
            f"{node!r} has {block.shape[0]} row(s) where every child has a score; a PCA needs two", node=node
        )
    sd = block.std(axis=0, ddof=1)
    flat = [c for c, s in zip(children, sd, strict=True) if not s > 1e-12 * max(1.0, float(np.abs(block).max()))]
    if flat:
        raise DataError(
            f"{', '.join(map(repr, flat))} do(es) not vary over the complete rows of {node!r}; a correlation needs "
            "spread",
            node=node,
            hint="drop the constant child from the PCA's node or check its data",
        )
    z = (block - block.mean(axis=0)) / sd
    corr = z.T @ z / (block.shape[0] - 1)
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values = np.clip(values[order], 0.0, None)
    first = vectors[:, order[0]]
    if first[0] < 0:
        first = -first
    share = values / values.sum()
    values.setflags(write=False)
    share.setflags(write=False)
    return PCAResult(
        node=node,
        children=children,
        rows=int(block.shape[0]),
        eigenvalues=values,
        variance_share=share,
        loadings={c: float(v) for c, v in zip(children, first, strict=True)},
    )


# -- command line --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, eq=False)
class PCAWeights:
    """Weights from each node's first principal component, with the PCA behind each.

    ``form="squared"``: the squared loadings (they sum to 1 within the node: each child's share of
    the first component's variance, the OECD Handbook's factor-analysis weights); ``"loadings"``:
    the loadings themselves, rescaled to sum to 1 (COINr's ``get_PCA`` weights, signed so that they
    sum positive; a child loading against the others is refused, since a negative weight would
    reward a lower score).
    """

    weighting: Weighting
    form: str
    analyses: Mapping[str, PCAResult]

    @property
    def weights(self) -> dict[str, float]:
        return dict(self.weighting.weights)

    def to_records(self) -> list[dict[str, Any]]:
        return [
            {
                "node": node,
                "child": child,
                "weight": self.weighting.weights[child],
                "loading": result.loadings[child],
                "first_component_share": float(result.variance_share[0]),
                "rows": result.rows,
            }
            for node, result in self.analyses.items()
            for child in result.children
        ]

    def table(self, lang: str | None = None) -> str:
        rows = [
            (
                r["node"],
                r["child"],
                number(r["weight"], lang, 3),
                number(r["loading"], lang, 3),
                number(r["first_component_share"], lang, 3),
                r["rows"],
            )
            for r in self.to_records()
        ]
        headers = ["node", "child", "weight", "loading", "variance_share", "complete_rows"]
        return table(rows, [stats_word(h, lang) for h in headers])


def _nodes_to_weigh(results: Results, nodes: Iterable[str] | None, level: int | None) -> tuple[str, ...]:
    aggregates = [c for c in results.codes if not results.is_indicator(c)]
    if nodes is not None and level is not None:
        raise ConfigError("give either nodes or level, not both", path="level")
    if nodes is not None:
        chosen = tuple(dict.fromkeys(str(n) for n in nodes))
        for node in chosen:
            aggregate_children(results, node, "nodes")
    elif level is not None:
        if not isinstance(level, int) or isinstance(level, bool) or level < 0:
            raise ConfigError(f"level must be a depth >= 0 (0 = the root), got {level!r}", path="level")
        chosen = tuple(c for c in aggregates if results.depth(c) == level)
        if not chosen:
            raise ConfigError(f"grid {results.grid.code!r} has no aggregate at depth {level}", path="level")
    else:
        # COINr's default (Level = 1): the nodes directly above the indicators.
        chosen = tuple(c for c in aggregates if all(results.is_indicator(k) for k in results.children(c)))
    return tuple(node for node in chosen if len(results.children(node)) >= 2)


def pca_weights(
    results: Results,
    *,
    nodes: Iterable[str] | None = None,
    level: int | None = None,
    form: str = "squared",
    period: str | None = None,
    code: str | None = None,
) -> PCAWeights:
    """Weights for the children of each node in ``nodes`` (default: every node directly above
    indicators, COINr's ``Level = 1``; or every aggregate at depth ``level``) from the first principal
    component of their scores over complete rows. Nodes with one child keep its weight.
    """
    if form not in ("squared", "loadings"):
        raise ConfigError(f"form must be 'squared' or 'loadings', got {form!r}", path="form")
    chosen = _nodes_to_weigh(results, nodes, level)
    if not chosen:
        raise ConfigError("no node with two or more children to weigh", path="nodes")
    analyses: dict[str, PCAResult] = {}
    weights: dict[str, float] = {}
    for node in chosen:
        result = pca(results, node, period=period)
        loadings = np.array([result.loadings[c] for c in result.children])
        if loadings.sum() < 0:
            loadings = -loadings
        if form == "loadings":
            against = [c for c, v in zip(result.children, loadings, strict=True) if v < 0]
            if against:
                raise DataError(
                    f"in {node!r}, {', '.join(map(repr, against))} load(s) against the other children on the first "
                    "component; a negative weight would reward a lower score",
                    node=node,
                    hint="use form='squared' (each child's share of the component), or check the indicator's direction",
                )
            values = loadings / loadings.sum()
        else:
            values = loadings**2 / float(loadings @ loadings)
        weights.update({c: float(v) for c, v in zip(result.children, values, strict=True)})
        analyses[node] = attrs.evolve(
            result, loadings={c: float(v) for c, v in zip(result.children, loadings, strict=True)}
        )
    weighting = Weighting(
        code=code or f"pca_{form}",
        grid=results.grid.code,
        weights=weights,
        label={"en": f"PCA weights ({form})"},
        description={"en": f"first principal component of {', '.join(chosen)} (vises.analysis.pca_weights)"},
    )
    return PCAWeights(weighting=weighting, form=form, analyses=analyses)
