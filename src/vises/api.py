"""The public entry points: load a grid, load data, score, validate, render.

They accept what a user has at hand (a file path, a registered grid name, a pandas DataFrame, a
mapping of columns), hand over to the loaders, the plugin registry and the engine, and are typed
end to end so that a caller's typo (``results.scroe``) is a type error, not a runtime surprise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from vises.engine.load import load_data, load_grid, validate_data, validate_grid

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path
    from typing import Protocol

    from vises.dask.results import DaskResults
    from vises.engine.compile import CompiledGrid
    from vises.engine.load import DataSource
    from vises.engine.requirements import RequirementResults
    from vises.engine.results import Results
    from vises.engine.saved import SavedRound
    from vises.model import Collection, Dataset, Grid, Pooling
    from vises.plugins.registry import Registry
    from vises.round.gather import Progress
    from vises.round.run import RoundReport

PathLike = str | os.PathLike[str]

if TYPE_CHECKING:  # pragma: no cover

    class DaskFrame(Protocol):
        """A dask DataFrame as the overloads see it (dask is untyped for mypy here: follow_imports=skip)."""

        npartitions: int

        def map_partitions(self, func: Any, *args: Any, **kwargs: Any) -> Any: ...


__all__ = [
    "check_requirements",
    "collect",
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
]


def compile_grid(grid: Grid | PathLike, *, weighting: str | Mapping[str, float] | None = None) -> CompiledGrid:
    """Validate a grid and compile it once, so it can score many datasets without recompiling.

    ``vises.score`` keeps the compiled form of every ``Grid`` it meets too (per registry, the last
    32), so compiling by hand matters mainly for ``compiled.scorer(reference)``, the fast path
    scoring one organisation at a time against a network's parameters.
    """
    from vises.engine.compile import compiled_for
    from vises.plugins.current import get_registry

    loaded = load_grid(grid, weighting=weighting, validate=not hasattr(grid, "nodes"))
    return compiled_for(loaded, get_registry())


@overload
def score(
    grid: Grid | CompiledGrid | PathLike,
    data: DaskFrame,
    *,
    weighting: str | Mapping[str, float] | None = None,
    pooling: Pooling | str | None = None,
    reference: Results | SavedRound | PathLike | Mapping[str, Mapping[str, Any]] | None = None,
    registry: Registry | None = None,
    attributes: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> DaskResults: ...


@overload
def score(
    grid: Grid | CompiledGrid | PathLike,
    data: DataSource,
    *,
    weighting: str | Mapping[str, float] | None = None,
    pooling: Pooling | str | None = None,
    reference: Results | SavedRound | PathLike | Mapping[str, Mapping[str, Any]] | None = None,
    registry: Registry | None = None,
    attributes: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Results: ...


def score(
    grid: Grid | CompiledGrid | PathLike,
    data: DataSource | DaskFrame,
    *,
    weighting: str | Mapping[str, float] | None = None,
    pooling: Pooling | str | None = None,
    reference: Results | SavedRound | PathLike | Mapping[str, Mapping[str, Any]] | None = None,
    registry: Registry | None = None,
    attributes: Sequence[str] = (),
    ignore: Sequence[str] = (),
) -> Results | DaskResults:
    """Score ``data`` on ``grid``.

    ``grid`` may be a ``Grid``, a compiled grid (``compile_grid``), a grid file or a registered
    name; ``data`` a ``Dataset``, a data file, a DataFrame or a mapping of columns. ``pooling`` =
    ``"pooled"`` (default: normalisation parameters fitted on all periods at once, so progress
    shows) or ``"per_period"``. ``reference`` (earlier ``Results``) reuses their fitted parameters
    instead of fitting new ones, to place new organisations or a lone centre on the same scale.
    A saved round (``load_round``, or the path of its file) is a reference too: scoring a new
    round against last year's keeps last year's published scores where they were.
    ``registry`` supplies the methods (default: the installed plugins'), e.g. a plugin's tests'
    ``vises.testing.plugin_registry(hooks)``. ``attributes`` and ``ignore`` are ``load_data``'s:
    columns of the data to keep as row descriptors (a candidate indicator the grid lacks) or to
    leave out on purpose. A dask DataFrame is scored on Dask (``vises.dask.score``, the ``dask``
    extra) and gives ``vises.dask.DaskResults``.

    The data is checked exactly as ``validate_data`` checks it (every problem at once, one
    ``DataValidationError``); warnings (``DataWarning``) name framing keyed to unknown codes and
    rows scored as missing because of a zero denominator. A ``Grid`` seen before is not validated
    or compiled again.
    """
    from vises.engine.compile import CompiledGrid
    from vises.engine.score import score as run
    from vises.model import Grid
    from vises.plugins.current import get_registry

    methods = registry if registry is not None else get_registry()
    if isinstance(reference, (str, os.PathLike)):
        reference = load_round(reference)
    if type(data).__module__.startswith("dask."):  # dask is imported only when the data is dask's
        from vises.dask.scoring import score as score_on_dask
        from vises.engine.results import Results
        from vises.errors import ConfigError

        if isinstance(grid, CompiledGrid) and weighting is not None:
            raise TypeError("a compiled grid has its weights; apply the weighting before compiling")
        if reference is not None and not isinstance(reference, (Results, Mapping)):
            raise ConfigError(
                "a saved round is not a reference on Dask yet",
                hint="score against its fitted parameters: reference=saved.fitted, or score in memory",
            )
        if attributes or ignore:
            raise ConfigError(
                "attributes and ignore are not taken on Dask yet",
                hint="select the frame's columns before scoring (ddf[columns]), or score in memory",
            )
        on_dask = (
            grid
            if isinstance(grid, CompiledGrid)
            else load_grid(grid, weighting=weighting, validate=not isinstance(grid, Grid))
        )
        return score_on_dask(on_dask, data, pooling=pooling, reference=reference, registry=methods)
    if isinstance(grid, CompiledGrid):
        if weighting is not None:
            raise TypeError("a compiled grid has its weights; apply the weighting before compiling")
        dataset = load_data(data, grid=grid.grid, keep_problems=True, attributes=attributes, ignore=ignore)
        return run(grid, dataset, pooling=pooling, registry=methods, reference=reference)
    # A Grid object is validated once, when it is compiled; files are validated on loading so
    # their problems name the file.
    loaded = load_grid(grid, weighting=weighting, validate=not isinstance(grid, Grid))
    dataset = load_data(data, grid=loaded, keep_problems=True, attributes=attributes, ignore=ignore)
    return run(loaded, dataset, pooling=pooling, registry=methods, reference=reference)


def render(
    results: Results,
    format: str = "table",
    *,
    lang: str | None = None,
    view: str = "network",
    organisation: str | None = None,
    period: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> str | bytes:
    """Render results with a registered report format (``table``, ``markdown``, ``csv``, ...)."""
    from vises.contract.records import ReportRequest
    from vises.plugins.current import get_registry

    spec = get_registry().report_formats[format]
    request = ReportRequest(
        language=lang,
        view=view,
        organisation=organisation,
        period=None if period is None else str(period),
        options=dict(options or {}),
    )
    return spec.render(results, request)


def write_data(dataset: Dataset, path: PathLike, *, format: str | None = None, neutralise: bool = True) -> Path:
    """Write ``dataset`` as a data file vises reads back: CSV (units row, ``n/a`` kept), xlsx, Parquet, Arrow.

    The format comes from the suffix (``.csv``, ``.tsv``, ``.xlsx``, ``.parquet``, ``.arrow``/``.feather``)
    or ``format``. In CSV, text beginning like a spreadsheet formula gets a leading ``'`` unless
    ``neutralise=False`` (xlsx cells are typed as text instead). Written atomically.
    """
    from vises.io.write_data import write_data as write

    return write(dataset, path, format=format, neutralise=neutralise)


def merge_data(*sources: DataSource, grid: Grid | PathLike | None = None) -> Dataset:
    """One dataset from several: datasets, data files, DataFrames or mappings (each read with ``grid``).

    Rows are concatenated; columns are the union (missing where an input lacks one); a column's
    units are harmonised through pint, once per input, to the grid indicator's unit (else the
    first input's); the same organisation and period in two inputs is refused, naming both files.
    Every problem is raised at once (``DataValidationError``).
    """
    from vises.io.merge import merge_data as merge

    loaded_grid = load_grid(grid) if grid is not None else None
    datasets = [load_data(source, grid=loaded_grid) for source in sources]
    return merge(datasets, grid=loaded_grid)


def collect(
    spec: Collection | Grid | PathLike,
    records: Any = None,
    *,
    grid: Grid | PathLike | None = None,
    into: Dataset | PathLike | Any | None = None,
    keep_problems: bool = False,
) -> Dataset:
    """From records to indicators: per-record tables (a register, a survey export) → one row per
    organisation and period, each value with its evidence (n, source).

    ``spec`` is a collection spec file, a ``Collection``, or a grid (object, file or registered
    name) that holds one (``[collection]``). ``records`` gives each source's table by name (a
    CSV/xlsx/Parquet file, a DataFrame, a mapping of columns), or the table itself when there is
    one source; a spec may name its sources' files. ``grid`` checks what the measures fill.
    ``into`` (a dataset or a data file, read with ``grid``) receives the values: a column both
    give is refused, never overwritten. Records that cannot be placed are raised together
    (``DataValidationError``), or kept in ``read_problems`` with ``keep_problems``. Records given as
    dask DataFrames are collected on Dask (``vises.dask.collect``, the ``dask`` extra), with the
    same result. See docs/records.md.
    """
    from vises.records import collect as run

    chosen, loaded_grid, base = collect_inputs(spec, grid, into)
    if _on_dask(records):
        from vises.dask.collect import collect as collect_on_dask

        return collect_on_dask(chosen, records, grid=loaded_grid, into=base, keep_problems=keep_problems)
    return run(chosen, records, grid=loaded_grid, into=base, keep_problems=keep_problems)


def _on_dask(records: Any) -> bool:
    """Records given as dask DataFrames (one, or any of a mapping's) are collected on Dask."""
    values = records.values() if isinstance(records, Mapping) else [records]
    return any(type(value).__module__.startswith("dask.") for value in values)


def collect_inputs(
    spec: Collection | Grid | PathLike, grid: Grid | PathLike | None, into: Dataset | PathLike | Any | None
) -> tuple[Collection | Grid | PathLike, Grid | None, Dataset | None]:
    """The spec as ``collect`` takes it (a registered grid name or a grid file loaded), the grid, and ``into`` read."""
    from vises.model import Collection, Dataset, Grid

    loaded_grid = None if grid is None else load_grid(grid)
    chosen: Collection | Grid | PathLike = spec
    if not isinstance(spec, (Collection, Grid)):
        from pathlib import Path

        text = str(spec)
        path = Path(text)
        if not path.is_file() and "." in text and path.suffix.lower() not in (".toml", ".yaml", ".yml", ".json"):
            chosen = load_grid(text)  # a registered grid name such as wallonie.cisp_records
        elif path.is_file() and loaded_grid is None and _holds_grid(path):
            chosen = load_grid(path)
    base: Dataset | None = None
    if isinstance(into, Dataset):
        base = into
    elif into is not None:
        base = load_data(into, grid=loaded_grid or (chosen if isinstance(chosen, Grid) else None))
    return chosen, loaded_grid, base


def _holds_grid(path: Path) -> bool:
    """Whether a spec file is a grid (it has nodes or indicators) rather than a collection spec."""
    from vises.io.documents import read_document

    data = read_document(path, what="collection spec or grid")
    return isinstance(data, Mapping) and any(key in data for key in ("nodes", "indicators", "extends"))


def load_round(path: PathLike) -> SavedRound:
    """Read a round file (``vises round`` writes ``private/round-<name>.json``; ``save_round`` too).

    The ``SavedRound`` is a ``reference=`` for ``score``: its fitted parameters (normalisers,
    imputation, outlier treatment) score new data on the round's scale. ``saved.dataset()`` and
    ``saved.scores`` are what the round scored and published.
    """
    from vises.engine.saved import read_round

    return read_round(path)


def save_round(
    results: Results,
    path: PathLike,
    *,
    name: str | None = None,
    reference: Results | SavedRound | None = None,
    sources: tuple[str, ...] = (),
) -> Path:
    """Write ``results`` as a round file (raw values, fitted parameters, scores, grid and vises
    versions), for the next round's ``reference``. ``reference`` records which round gave the scale."""
    from vises.engine.saved import save_round as save

    return save(results, path, name=name, reference=reference, sources=sources)


def check_requirements(results: Results) -> RequirementResults:
    """Every requirement of the grid answered for every row: met, not met, not demonstrated or not
    applicable (missing or imputed data is never met); ``.unmet(organisation)`` lists the unmet."""
    from vises.engine.requirements import requirement_results

    return requirement_results(results)


def run_round(
    submissions: Any,
    *,
    grid: Grid | PathLike,
    output: PathLike,
    reference: SavedRound | PathLike | None = None,
    secret: bytes | str | None = None,
    pseudonym_file: PathLike | None = None,
    lang: str | None = None,
    profile_formats: tuple[str, ...] = ("html",),
    network_formats: tuple[str, ...] = ("html",),
    min_group: int = 3,
    dominance: float = 0.5,
    peer_groups: tuple[str, ...] | None = None,
    ranks: bool = True,
    period: str | None = None,
    name: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RoundReport:
    """A federation's yearly round (docs/round.md): read every submission (folders or files of filled
    templates, data files and their ``*.evaluations.toml``), check them all together, score them
    (on ``reference``'s scale when given) and write the round folder ``output``: the public network
    view, a profile per organisation, the private staff workbook, merged data, results, pseudonyms
    and the round file. Pseudonyms are keyed by ``secret`` (at least 16 characters) or read from
    ``pseudonym_file``. Raises ``DataValidationError`` listing every problem; nothing is written then.
    """
    from vises.round.run import run_round as run

    if secret is not None:
        from vises.io.pseudonyms import check_secret

        secret = check_secret(secret, source="the secret given")
    sources = [submissions] if isinstance(submissions, (str, os.PathLike)) else list(submissions)
    return run(
        sources,
        grid=grid,
        output=output,
        reference=reference,
        secret=secret,
        pseudonym_file=pseudonym_file,
        lang=lang,
        profile_formats=profile_formats,
        network_formats=network_formats,
        min_group=min_group,
        dominance=dominance,
        peer_groups=peer_groups,
        ranks=ranks,
        period=period,
        name=name,
        force=force,
        progress=progress,
    )


def make_pseudonyms(
    organisations: Any, *, secret: bytes | str | None = None, file: PathLike | None = None
) -> dict[str, str]:
    """The pseudonym of each organisation code, for ``render(..., options={"public": True, "pseudonyms": ...})``:
    keyed by the federation ``secret`` (``P-7QKD-M2XA``, the same every year), or read from the
    federation's pseudonym ``file`` (CSV ``organisation,pseudonym``), which must list every one."""
    from vises.io.pseudonyms import check_secret, pseudonyms_for, read_pseudonym_file

    codes = [str(code) for code in organisations]
    if file is not None:
        return pseudonyms_for(codes, mapping=read_pseudonym_file(file), file=str(file))
    key = None if secret is None else check_secret(secret, source="the secret given")
    return pseudonyms_for(codes, secret=key)
