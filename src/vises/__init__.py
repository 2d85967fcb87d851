"""vises: measure the social impact of social-economy enterprises.

The public API is exactly ``vises.__all__``: the load, score, validate and render functions, the
model classes, ``Results`` and ``Explanation``, every record a plugin returns, ``hookimpl``,
``format_number``, ``check_plugin``, the error and warning classes, and three feature namespaces
(``vises.analysis``, ``vises.sroi``, ``vises.testing``, each with its own ``__all__``). Every other
module is internal and may change without notice.

Importing vises is instant: names are resolved on first use (PEP 562), so ``import vises`` loads
neither numpy nor pint, and the plugin registry is built only when something needs it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from vises import analysis, sroi, testing
    from vises._version import __version__
    from vises.api import (
        check_requirements,
        collect,
        compile_grid,
        load_data,
        load_grid,
        load_round,
        make_pseudonyms,
        merge_data,
        render,
        run_round,
        save_round,
        score,
        validate_data,
        validate_grid,
        write_data,
    )
    from vises.contract.hookspecs import hookimpl
    from vises.contract.records import (
        AggregatorSpec,
        FinancialProxy,
        FitContext,
        GridSource,
        ImputeContext,
        ImputerSpec,
        NormaliserSpec,
        Reader,
        ReadRequest,
        ReportFormat,
        ReportRequest,
        TreatmentSpec,
        Weighting,
    )
    from vises.engine.compile import CompiledGrid
    from vises.engine.evidence import EvidenceColumn
    from vises.engine.explain import Explanation
    from vises.engine.pooled import PooledRate
    from vises.engine.requirements import RequirementResults
    from vises.engine.results import Results
    from vises.engine.saved import SavedRound
    from vises.engine.scorer import Scorer
    from vises.errors import (
        ConfigError,
        DataError,
        DataValidationError,
        DataWarning,
        ExitCode,
        FormulaError,
        GridError,
        GridValidationError,
        LimitError,
        MethodError,
        MissingDependencyError,
        OutputError,
        PluginError,
        ReportError,
        SroiError,
        UnitError,
        ValidationError,
        VisesError,
        VisesPluginWarning,
        VisesWarning,
    )
    from vises.i18n import format_number, method_label, stakeholder_label, unit_label
    from vises.limits import Limits, current_limits, use_limits
    from vises.model import (
        Calendar,
        Collection,
        Column,
        Condition,
        Dataset,
        Defaults,
        Direction,
        Evaluation,
        Evidence,
        EvidencePolicy,
        Family,
        Grid,
        Indicator,
        Kind,
        Level,
        Measure,
        Method,
        Node,
        Organisation,
        Pooling,
        RecordFormat,
        RecordSource,
        Requirement,
        RequirementStatus,
        Statistic,
        label_in,
    )
    from vises.neutralise import formula_like, markdown_text, spreadsheet_text, terminal_text
    from vises.plugins.current import get_registry, register_plugin, reset_registry, unregister_plugin
    from vises.plugins.registry import Registry
    from vises.records.spec import read_collection
    from vises.records.tables import RecordTable, read_records
    from vises.round.run import RoundReport
    from vises.testing.plugin_check import check_plugin
    from vises.units import conversion as unit_conversion

#: Where each public name lives; resolved on first access.
_WHERE: dict[str, str] = {
    "__version__": "vises._version",  # read from the package metadata on first use (importlib.metadata is slow)
    **dict.fromkeys(
        (
            "collect",
            "check_requirements",
            "compile_grid",
            "load_data",
            "load_grid",
            "load_round",
            "make_pseudonyms",
            "merge_data",
            "render",
            "run_round",
            "save_round",
            "score",
            "validate_data",
            "validate_grid",
            "write_data",
        ),
        "vises.api",
    ),
    "hookimpl": "vises.contract.hookspecs",
    **dict.fromkeys(
        (
            "AggregatorSpec",
            "FinancialProxy",
            "FitContext",
            "GridSource",
            "ImputeContext",
            "ImputerSpec",
            "NormaliserSpec",
            "Reader",
            "ReadRequest",
            "ReportFormat",
            "ReportRequest",
            "TreatmentSpec",
            "Weighting",
        ),
        "vises.contract.records",
    ),
    "read_collection": "vises.records.spec",
    **dict.fromkeys(("RecordTable", "read_records"), "vises.records.tables"),
    "CompiledGrid": "vises.engine.compile",
    "EvidenceColumn": "vises.engine.evidence",
    "Explanation": "vises.engine.explain",
    "PooledRate": "vises.engine.pooled",
    "RequirementResults": "vises.engine.requirements",
    "Results": "vises.engine.results",
    "RoundReport": "vises.round.run",
    "SavedRound": "vises.engine.saved",
    "Scorer": "vises.engine.scorer",
    **dict.fromkeys(
        (
            "ConfigError",
            "DataError",
            "DataValidationError",
            "DataWarning",
            "ExitCode",
            "FormulaError",
            "GridError",
            "GridValidationError",
            "LimitError",
            "MethodError",
            "MissingDependencyError",
            "OutputError",
            "PluginError",
            "ReportError",
            "SroiError",
            "UnitError",
            "ValidationError",
            "VisesError",
            "VisesPluginWarning",
            "VisesWarning",
        ),
        "vises.errors",
    ),
    **dict.fromkeys(("format_number", "method_label", "stakeholder_label", "unit_label"), "vises.i18n"),
    **dict.fromkeys(("Limits", "current_limits", "use_limits"), "vises.limits"),
    **dict.fromkeys(("formula_like", "markdown_text", "spreadsheet_text", "terminal_text"), "vises.neutralise"),
    **dict.fromkeys(
        (
            "Calendar",
            "Collection",
            "Column",
            "Condition",
            "Dataset",
            "Defaults",
            "Direction",
            "Evaluation",
            "Evidence",
            "EvidencePolicy",
            "Family",
            "Grid",
            "Indicator",
            "Kind",
            "Level",
            "Measure",
            "Method",
            "Node",
            "Organisation",
            "Pooling",
            "RecordFormat",
            "RecordSource",
            "Statistic",
            "Requirement",
            "RequirementStatus",
            "label_in",
        ),
        "vises.model",
    ),
    **dict.fromkeys(
        ("get_registry", "register_plugin", "reset_registry", "unregister_plugin"), "vises.plugins.current"
    ),
    "Registry": "vises.plugins.registry",
    "check_plugin": "vises.testing.plugin_check",
    "unit_conversion": "vises.units:conversion",
}
#: Feature namespaces, each with its own ``__all__``.
_NAMESPACES = ("analysis", "sroi", "testing")

__all__ = [
    "AggregatorSpec",
    "Calendar",
    "Collection",
    "Column",
    "CompiledGrid",
    "Condition",
    "ConfigError",
    "DataError",
    "DataValidationError",
    "DataWarning",
    "Dataset",
    "Defaults",
    "Direction",
    "Evaluation",
    "Evidence",
    "EvidenceColumn",
    "EvidencePolicy",
    "ExitCode",
    "Explanation",
    "Family",
    "FinancialProxy",
    "FitContext",
    "FormulaError",
    "Grid",
    "GridError",
    "GridSource",
    "GridValidationError",
    "ImputeContext",
    "ImputerSpec",
    "Indicator",
    "Kind",
    "Level",
    "LimitError",
    "Limits",
    "Measure",
    "Method",
    "MethodError",
    "MissingDependencyError",
    "Node",
    "NormaliserSpec",
    "Organisation",
    "OutputError",
    "PluginError",
    "PooledRate",
    "Pooling",
    "ReadRequest",
    "Reader",
    "RecordFormat",
    "RecordSource",
    "RecordTable",
    "Registry",
    "ReportError",
    "ReportFormat",
    "ReportRequest",
    "Requirement",
    "RequirementResults",
    "RequirementStatus",
    "Results",
    "RoundReport",
    "SavedRound",
    "Scorer",
    "SroiError",
    "Statistic",
    "TreatmentSpec",
    "UnitError",
    "ValidationError",
    "VisesError",
    "VisesPluginWarning",
    "VisesWarning",
    "Weighting",
    "__version__",
    "analysis",
    "check_plugin",
    "check_requirements",
    "collect",
    "compile_grid",
    "current_limits",
    "format_number",
    "formula_like",
    "get_registry",
    "hookimpl",
    "label_in",
    "load_data",
    "load_grid",
    "load_round",
    "make_pseudonyms",
    "markdown_text",
    "merge_data",
    "method_label",
    "read_collection",
    "read_records",
    "register_plugin",
    "render",
    "reset_registry",
    "run_round",
    "save_round",
    "score",
    "spreadsheet_text",
    "sroi",
    "stakeholder_label",
    "terminal_text",
    "testing",
    "unit_conversion",
    "unit_label",
    "unregister_plugin",
    "use_limits",
    "validate_data",
    "validate_grid",
    "write_data",
]


def __getattr__(name: str) -> Any:
    if name in _NAMESPACES:
        return import_module(f"vises.{name}")
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'vises' has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    value = getattr(import_module(module), attribute or name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
