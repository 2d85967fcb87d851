"""The analyst's bench: what-if comparisons, removal, sensitivity (Monte Carlo and Sobol), data quality,
structure, weights from the data, screening, trends, strengths and weaknesses, COINr builds and plots.

Each name lives in a module with one job and is imported on first use (PEP 562), so
``import vises.analysis`` is cheap in a notebook and no command-line code is involved.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from vises.analysis.coinr_build import Build, build
    from vises.analysis.comparison import Comparison, MultiComparison, PeriodSummary, compare, compare_many
    from vises.analysis.components import PCAResult, PCAWeights, pca, pca_weights
    from vises.analysis.correlation import (
        CorrelationFlag,
        Correlations,
        InternalConsistency,
        correlations,
        cronbach_alpha,
        internal_consistency,
    )
    from vises.analysis.removal import Removals, remove_elements
    from vises.analysis.screening import Screening, effective_weights, screen
    from vises.analysis.sensitivity import Sensitivity, ranks_within, weight_sensitivity
    from vises.analysis.sobol import SobolSensitivity, sobol_sensitivity
    from vises.analysis.statistics import (
        DataAvailability,
        IndicatorStat,
        IndicatorStatistics,
        data_availability,
        indicator_statistics,
    )
    from vises.analysis.strengths import StrengthsWeaknesses, strengths_weaknesses
    from vises.analysis.timeseries import Trends, trends
    from vises.analysis.variance import SobolIndices, saltelli_sample, sobol_indices
    from vises.analysis.weights import OptimisedWeights, optimise_weights
    from vises.numeric import rank, spearman

#: Public name -> the module that defines it.
_WHERE: dict[str, str] = {
    "Build": "coinr_build",
    "build": "coinr_build",
    "Comparison": "comparison",
    "MultiComparison": "comparison",
    "PeriodSummary": "comparison",
    "compare": "comparison",
    "compare_many": "comparison",
    "CorrelationFlag": "correlation",
    "Correlations": "correlation",
    "InternalConsistency": "correlation",
    "correlations": "correlation",
    "cronbach_alpha": "correlation",
    "internal_consistency": "correlation",
    "PCAResult": "components",
    "PCAWeights": "components",
    "pca": "components",
    "pca_weights": "components",
    "Removals": "removal",
    "remove_elements": "removal",
    "Screening": "screening",
    "screen": "screening",
    "effective_weights": "screening",
    "Sensitivity": "sensitivity",
    "ranks_within": "sensitivity",
    "weight_sensitivity": "sensitivity",
    "SobolIndices": "variance",
    "SobolSensitivity": "sobol",
    "saltelli_sample": "variance",
    "sobol_indices": "variance",
    "sobol_sensitivity": "sobol",
    "DataAvailability": "statistics",
    "IndicatorStat": "statistics",
    "IndicatorStatistics": "statistics",
    "data_availability": "statistics",
    "indicator_statistics": "statistics",
    "StrengthsWeaknesses": "strengths",
    "strengths_weaknesses": "strengths",
    "Trends": "timeseries",
    "trends": "timeseries",
    "OptimisedWeights": "weights",
    "optimise_weights": "weights",
    "rank": "vises.numeric",
    "spearman": "vises.numeric",
}

__all__ = [
    "Build",
    "Comparison",
    "CorrelationFlag",
    "Correlations",
    "DataAvailability",
    "IndicatorStat",
    "IndicatorStatistics",
    "InternalConsistency",
    "MultiComparison",
    "OptimisedWeights",
    "PCAResult",
    "PCAWeights",
    "PeriodSummary",
    "Removals",
    "Screening",
    "Sensitivity",
    "SobolIndices",
    "SobolSensitivity",
    "StrengthsWeaknesses",
    "Trends",
    "build",
    "compare",
    "compare_many",
    "correlations",
    "cronbach_alpha",
    "data_availability",
    "effective_weights",
    "indicator_statistics",
    "internal_consistency",
    "optimise_weights",
    "pca",
    "pca_weights",
    "plots",
    "rank",
    "ranks_within",
    "remove_elements",
    "saltelli_sample",
    "screen",
    "sobol_indices",
    "sobol_sensitivity",
    "spearman",
    "strengths_weaknesses",
    "trends",
    "weight_sensitivity",
]


def __getattr__(name: str) -> Any:
    if name == "plots":  # the charts module itself: plots.framework(results), plots.sobol_chart(...)
        return import_module("vises.analysis.plots")
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'vises.analysis' has no attribute {name!r}")
    module = import_module(where if where.startswith("vises.") else f"vises.analysis.{where}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
