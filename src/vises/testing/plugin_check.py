"""``check_plugin``: one call in a plugin's test suite that exercises every hook it implements.

It loads the plugin next to the core (as the real registry would), then checks what each hook
returns against the contracts: no load or hook failure, grids that load and validate with labels
in every language they declare, normalisers whose output stays within their declared range and
keeps missing values missing, aggregators that return one score per row, weightings that point at
existing nodes, proxies with a usable currency and unit, commands that register. The method and
format contracts are the registry's guards (``vises.plugins.guard``), the same checks every call
gets when scoring; here they run on sample data. All problems are reported together as one
``PluginError``.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.contract.records import ReportRequest
from vises.errors import ConfigError, PluginError, VisesError
from vises.model import Grid, Indicator, Level

if TYPE_CHECKING:  # pragma: no cover
    from vises.plugins.registry import Registry

#: Values every quantity normaliser is tried on: zero, fractions, a wide spread, ties and a missing value.
SAMPLE_VALUES = np.array([0.0, 1.0, 2.5, 2.5, 10.0, 100.0, np.nan])
#: Per indicator kind, the sample indicator a normaliser is fitted for and the (level score) values
#: it is tried on, the last one missing: a method for scales is not fed hours.
SAMPLE_INDICATORS: dict[str, tuple[Indicator, np.ndarray]] = {
    "quantity": (Indicator(code="sample", minimum=0.0, maximum=100.0, target=50.0), SAMPLE_VALUES),
    "scale": (
        Indicator(code="sample", kind="scale", target=4.0, levels=tuple(Level(value=str(i)) for i in range(1, 6))),
        np.array([1.0, 2.0, 3.0, 3.0, 4.0, 5.0, np.nan]),
    ),
    "binary": (Indicator(code="sample", kind="binary"), np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, np.nan])),
    "category": (
        Indicator(
            code="sample",
            kind="category",
            levels=(Level(value="a", score=0.0), Level(value="b", score=4.0), Level(value="c", score=10.0)),
        ),
        np.array([0.0, 4.0, 10.0, 4.0, 0.0, 10.0, np.nan]),
    ),
}
#: Children's scores every aggregator is tried on (row 3: every child missing) and their weights.
SAMPLE_SCORES = np.array([[10.0, 20.0, 30.0], [50.0, np.nan, 50.0], [np.nan, np.nan, np.nan], [1.0, 99.0, 42.0]])
SAMPLE_WEIGHTS = np.array([1.0, 2.0, 1.0])


@attrs.frozen(kw_only=True)
class PluginCheck:
    """The outcome of ``check_plugin``: what the plugin provides and what was (not) checked."""

    plugin: str
    provides: dict[str, tuple[str, ...]]
    problems: tuple[str, ...] = ()
    #: Things that could not be checked (a normaliser needing parameters nobody gave).
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def check_plugin(
    plugin: Any,
    *,
    name: str | None = None,
    sample_params: Mapping[str, Mapping[str, Any]] | None = None,
    results: Any = None,
    raise_on_problems: bool = True,
) -> PluginCheck:
    """Check a plugin module/object (or an importable module name) and every hook it implements.

    ``name`` is the plugin's namespace (its entry-point name); by default the name of the installed
    entry point pointing at the module. ``sample_params`` gives parameters per normaliser or
    aggregator key (``{"resto.share": {"total": 10}}``) for methods that cannot run without them.
    ``results`` (a ``Results``) lets report formats render.
    Raises ``PluginError`` listing every problem unless ``raise_on_problems`` is false.
    """
    obj = importlib.import_module(plugin) if isinstance(plugin, str) else plugin
    name = name or _entry_point_name(obj)
    registry = plugin_registry(obj, name=name)
    problems: list[str] = []
    notes: list[str] = []
    failures = [failure for failure in registry.failures if failure.plugin == name]
    problems += [failure.message for failure in failures]
    info = next(info for info in registry.plugins if info.name == name)
    provides = info.provides
    for key in provides.get("grids", ()):
        problems += _check_grid(registry, key)
    for key in provides.get("normalisers", ()):
        _check_normaliser(key, registry.normalisers[key], dict((sample_params or {}).get(key, {})), problems, notes)
    for key in provides.get("aggregators", ()):
        _check_aggregator(key, registry.aggregators[key], dict((sample_params or {}).get(key, {})), problems, notes)
    for key in provides.get("weightings", ()):
        problems += _check_weighting(registry, key)
    for key in provides.get("readers", ()):
        problems += [
            f"reader {key!r}: suffix {s!r} must start with '.'"
            for s in registry.readers[key].suffixes
            if not s.startswith(".")
        ]
    for key in provides.get("financial_proxies", ()):
        problems += _check_proxy(key, registry.financial_proxies[key])
    for key in provides.get("report_formats", ()):
        problems += _check_format(key, registry.report_formats[key], results, notes)
    if "vises_register_commands" in info.hooks:
        import click

        problems += [failure.message for failure in registry.register_commands(click.Group(name="vises"))]
    report = PluginCheck(plugin=name, provides=dict(provides), problems=tuple(problems), notes=tuple(notes))
    if problems and raise_on_problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise PluginError(f"{len(problems)} problem(s) in plugin {name!r}:\n{lines}")
    return report


def plugin_registry(plugin: Any, *, name: str | None = None) -> Registry:
    """A fresh ``Registry`` of vises' core plus ``plugin`` alone (installed entry points ignored).

    This is what ``check_plugin`` inspects; a plugin's tests can score with it
    (``vises.engine.score.score(grid, data, registry=...)``) without the plugin being installed.
    """
    from vises.plugins import Registry
    from vises.plugins.loading import CORE_PLUGINS

    obj = importlib.import_module(plugin) if isinstance(plugin, str) else plugin
    module = getattr(obj, "__name__", None)
    if module in CORE_PLUGINS:
        raise ConfigError(
            f"{module} is part of vises' core plugin, which is always loaded",
            hint="check your own plugin's hooks module",
        )
    return Registry.build(
        extra_plugins={name or _entry_point_name(obj): obj}, entry_points=False, strict=False, disabled=()
    )


def _entry_point_name(obj: Any) -> str:
    from importlib.metadata import entry_points

    module = getattr(obj, "__name__", None)
    for ep in entry_points(group="vises"):
        if module is not None and ep.value.split(":")[0] == module:
            return ep.name
    raise ConfigError(
        f"cannot tell the plugin name of {obj!r}: no installed 'vises' entry point points at it",
        hint="pass name='<your entry-point name>'",
    )


def _check_grid(registry: Registry, key: str) -> list[str]:
    from vises.validation.grid import method_tables, validate_grid

    try:
        grid: Grid = registry.grid(key)
    except VisesError as exc:
        return [f"grid {key!r}: {exc}"]
    found = validate_grid(grid, **method_tables(registry))
    problems = [f"grid {key!r}: {problem}" for problem in found]
    items: list[tuple[str, Mapping[str, str]]] = [("grid label", grid.label)]
    items += [(f"node {node.code!r}", node.label) for node in grid.nodes]
    items += [(f"indicator {ind.code!r}", ind.label) for ind in grid.indicators]
    for what, labels in items:
        missing = [lang for lang in grid.languages if not labels.get(lang)]
        if missing:
            problems.append(
                f"grid {key!r}, {what}: no label in {', '.join(missing)} (the grid declares "
                f"{', '.join(grid.languages)})"
            )
    return problems


def _check_normaliser(key: str, spec: Any, params: dict[str, Any], problems: list[str], notes: list[str]) -> None:
    """Fit and apply the method on sample data of every kind it accepts, in both directions."""
    kinds = [kind for kind in spec.kinds if kind in SAMPLE_INDICATORS]
    if not kinds:
        notes.append(f"normaliser {key!r}: not run, no sample data for kinds {', '.join(spec.kinds) or '(none)'}")
    for kind in kinds:
        indicator, values = SAMPLE_INDICATORS[kind]
        where = f"normaliser {key!r}" + (f" on a {kind} indicator" if len(kinds) > 1 or kind != "quantity" else "")
        if not _check_normaliser_on(where, spec, indicator, values, params, problems, notes):
            return


def _check_normaliser_on(
    where: str,
    spec: Any,
    indicator: Indicator,
    values: np.ndarray,
    params: dict[str, Any],
    problems: list[str],
    notes: list[str],
) -> bool:
    """One kind of sample data; false when the method could not be run (nothing more to try)."""
    from vises.contract.records import FitContext

    context = FitContext(
        indicator=indicator,
        organisations=np.array([f"o{i}" for i in range(len(values))], dtype=object),
        periods=np.array(["2024"] * len(values), dtype=object),
    )
    for direction in (1, -1):
        try:
            fitted = spec.fit(values.copy(), direction=direction, params=params, context=context)
            # The registry's guard checks the contract: a column of the right length, NaN kept NaN,
            # present values finite and within the declared output range.
            spec.apply(values.copy(), fitted)
        except PluginError as exc:
            problems.append(f"{where}: direction {direction:+d}: {exc.message}")
            return False
        except VisesError as exc:
            if not params:
                notes.append(f"{where}: not run on sample data ({exc}); pass sample_params if it needs parameters")
            else:
                problems.append(f"{where}: fit failed with {params}: {exc}")
            return False
    return True


def _check_aggregator(key: str, spec: Any, params: dict[str, Any], problems: list[str], notes: list[str]) -> None:
    """One score per row, NaN for a row with every child missing, never NaN for the others.

    The registry's guard checks those rules on every call; here they are tried on sample scores.
    """
    where = f"aggregator {key!r}"
    scores = SAMPLE_SCORES.copy()
    try:
        spec.aggregate(scores, SAMPLE_WEIGHTS.copy(), params=params, groups=np.zeros(len(scores), dtype=int))
    except PluginError as exc:
        problems.append(f"{where}: {exc.message}")
    except VisesError as exc:
        if params:
            problems.append(f"{where}: failed with {params}: {exc}")
        else:
            notes.append(f"{where}: not run on sample scores ({exc}); pass sample_params if it needs parameters")


def _check_weighting(registry: Registry, key: str) -> list[str]:
    weighting = registry.weightings[key]
    try:
        grid = registry.grid(weighting.grid)
    except VisesError as exc:
        return [f"weighting {key!r}: its grid cannot be loaded: {exc}"]
    codes = {node.code for node in grid.nodes} | {ind.code for ind in grid.indicators}
    problems = [
        f"weighting {key!r}: {code!r} is not a node or indicator of grid {weighting.grid!r}"
        for code in weighting.weights
        if code not in codes
    ]
    problems += [
        f"weighting {key!r}: weight of {code!r} must be a finite number >= 0, got {w!r}"
        for code, w in weighting.weights.items()
        if not isinstance(w, int | float) or not math.isfinite(w) or w < 0
    ]
    return problems


def _check_proxy(key: str, proxy: Any) -> list[str]:
    from vises import units

    problems = []
    if not math.isfinite(proxy.value):
        problems.append(f"financial proxy {key!r}: value must be finite, got {proxy.value!r}")
    try:
        if units.is_currency(proxy.currency) is None:
            problems.append(f"financial proxy {key!r}: {proxy.currency!r} is not a currency vises knows")
        units.parse_unit(proxy.unit)
    except VisesError as exc:
        problems.append(f"financial proxy {key!r}: {exc}")
    return problems


def _check_format(key: str, spec: Any, results: Any, notes: list[str]) -> list[str]:
    if not spec.suffix.startswith("."):
        return [f"report format {key!r}: suffix {spec.suffix!r} must start with '.'"]
    if results is None:
        notes.append(f"report format {key!r}: not rendered (pass results= to render it)")
        return []
    try:
        spec.render(results, ReportRequest(language="en"))  # the guard checks str, or bytes when binary
    except PluginError as exc:
        return [f"report format {key!r}: {exc.message}"]
    except VisesError as exc:
        return [f"report format {key!r}: render failed: {exc}"]
    return []
