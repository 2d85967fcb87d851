"""What ``vises.dask.score`` returns: a lazy dask DataFrame of scores and coverage, and the fit behind it.

Only what makes sense over data larger than memory is offered; the row-level views of ``Results``
(``explain``, ``contributions``, ``reasons``, ``raw``, ``to_records``) need the rows in memory:
compute a slice with ``to_pandas()`` of a filtered frame, or score that slice with ``vises.score``
and ``as_reference()`` (docs/dask.md lists which accessor exists where).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vises.dask.client import compute
from vises.engine.compile import CompiledGrid
from vises.engine.results import Results
from vises.errors import ConfigError, OutputError
from vises.model import Dataset, Grid

if TYPE_CHECKING:  # pragma: no cover
    from vises.dask.scoring import ScoringPass

PathLike = str | os.PathLike[str]


class DaskResults:
    """Scores, coverage and ranks of every node over a Dask DataFrame, with the fitted parameters.

    ``frame`` is indexed by the row number (0 = the first row of the input, counted across its
    partitions) and holds ``organisation``, ``period``, ``score.<code>`` and ``coverage.<code>``
    for every code of ``codes``; nothing is computed until asked.
    """

    def __init__(
        self,
        *,
        frame: Any,
        compiled: CompiledGrid,
        fitted: dict[str, dict[str, Any]],
        fitted_imputation: dict[str, dict[str, Any]],
        fitted_treatment: dict[str, dict[str, Any]],
        period_values: tuple[str, ...],
        provenance: dict[str, Any],
        rows: int,
        reference: Results | None,
        scoring: ScoringPass | None = None,
    ) -> None:
        self.frame = frame
        self._scoring = scoring
        self.compiled = compiled
        self.fitted = fitted
        self.fitted_imputation = fitted_imputation
        self.fitted_treatment = fitted_treatment
        self.period_values = period_values
        self.provenance = provenance
        self._rows = rows
        self._reference = reference

    @property
    def grid(self) -> Grid:
        return self.compiled.grid

    @property
    def codes(self) -> tuple[str, ...]:
        """Indicators first, then aggregates bottom-up, the root last (as ``Results.codes``)."""
        return self.compiled.codes

    def __len__(self) -> int:
        return self._rows

    def __repr__(self) -> str:
        shown = ", ".join(self.period_values[:4]) + (", ..." if len(self.period_values) > 4 else "")
        return (
            f"<DaskResults of grid {self.grid.code!r} version {self.grid.version!r}: {self._rows} rows in "
            f"{self.frame.npartitions} partitions, {len(self.period_values)} periods ({shown})>"
        )

    def _check(self, code: str) -> str:
        if code not in self.compiled.column_of:
            raise ConfigError(
                f"{code!r} is not a scored node of grid {self.grid.code!r}",
                hint=f"known codes: {', '.join(self.codes[:12])}{', ...' if len(self.codes) > 12 else ''}",
            )
        return code

    # -- columns (lazy dask Series, indexed by row number) -------------------------------------------
    @property
    def organisations(self) -> Any:
        return self.frame["organisation"]

    @property
    def periods(self) -> Any:
        return self.frame["period"]

    def score(self, code: str) -> Any:
        """The scores of ``code`` (NaN = missing), a dask Series."""
        return self.frame[f"score.{self._check(code)}"]

    def coverage(self, code: str) -> Any:
        """Share (0–1) of the node's applicable weight present in each row, as ``Results.coverage``."""
        return self.frame[f"coverage.{self._check(code)}"]

    def ranks(self, code: str) -> Any:
        """Rank within each period over every partition (1 = best, ties share the lowest rank, missing
        NaN): the numbers of ``Results.ranks``. Costs passes over the scores (``vises.dask.ranks``);
        call ``persist()`` first when asking for several, so the scoring is not run again for each."""
        from vises.dask.ranks import global_ranks

        return global_ranks(self.frame, f"score.{self._check(code)}", rows=self._rows)

    def persist(self) -> DaskResults:
        """The same results with the scores computed once and kept in the cluster's memory."""
        persisted = DaskResults(
            frame=self.frame.persist(),
            compiled=self.compiled,
            fitted=self.fitted,
            fitted_imputation=self.fitted_imputation,
            fitted_treatment=self.fitted_treatment,
            period_values=self.period_values,
            provenance=self.provenance,
            rows=self._rows,
            reference=self._reference,
        )
        return persisted

    def to_pandas(self) -> Any:
        """The whole frame computed into a pandas DataFrame: only for results that fit in memory."""
        (frame,) = compute(self.frame)
        return frame

    def as_reference(self) -> Results:
        """The fitted parameters as (row-less) ``Results``, for ``vises.score(grid, one_centre,
        reference=...)`` or ``compiled.scorer(...)``: a newcomer placed on the scale fitted on Dask."""
        if self._reference is not None:
            return self._reference
        empty = np.array([], dtype=str)
        return Results(
            compiled=self.compiled,
            dataset=Dataset(organisations=empty, periods=empty),
            scores=np.empty((0, len(self.codes)), order="F"),
            raws={},
            raw_texts={},
            not_applicable={},
            fitted=dict(self.fitted),
            period_codes=np.empty(0, dtype=np.intp),
            period_values=self.period_values,
            provenance=self.provenance,
            fitted_imputation=dict(self.fitted_imputation),
            fitted_treatment=dict(self.fitted_treatment),
        )

    # -- writing ------------------------------------------------------------------------------------
    def ranked_codes(self, ranks: str | Iterable[str] | None) -> list[str]:
        """``"nodes"`` (the aggregates, root included), ``"all"``, ``None`` or a list of codes."""
        if ranks is None or ranks == "none":
            return []
        if ranks == "all":
            return list(self.codes)
        if ranks == "nodes":
            return [node.code for node in self.compiled.nodes]
        if isinstance(ranks, str):
            raise ConfigError(
                f"ranks must be 'nodes', 'all', 'none' or a list of codes, got {ranks!r}",
                hint="e.g. ranks=['index'] for the root's ranks only",
            )
        return [self._check(code) for code in ranks]

    def to_parquet(
        self, path: PathLike, *, ranks: str | Iterable[str] | None = "nodes", overwrite: bool = False
    ) -> Path:
        """Write a folder of Parquet files: the ``parquet`` report's columns (``organisation``, ``period``,
        ``score.<code>``, ``rank.<code>`` and ``ranked.<code>`` (rows ranked in the period) for the
        ranked codes, ``coverage.<code>``) and the provenance
        in each file's metadata (``vises.provenance``). Built beside ``path`` and moved into place when
        complete, so a failed run leaves no half-written folder. Ranks: see ``ranked_codes``."""
        from vises.dask.write import write_results

        target = Path(path)
        ranked = self.ranked_codes(ranks)
        if target.exists() and not overwrite:
            raise OutputError(
                "the output folder exists",
                file=str(target),
                hint="choose another folder, or allow overwriting (overwrite=True)",
            )
        work = target.parent / f".{target.name}.vises-{uuid.uuid4().hex[:8]}"
        provenance = json.dumps(self.provenance, ensure_ascii=False, default=str).encode("utf-8")
        ordered = [code for code in self.codes if code in ranked]
        try:
            work.mkdir(parents=True)
            source = self._scoring if self._scoring is not None else self.frame
            out = write_results(source, work, self.codes, ordered, {b"vises.provenance": provenance})
            if target.exists():
                shutil.rmtree(target)
            out.rename(target)
        except OSError as exc:
            raise OutputError(f"cannot write the results: {exc.strerror or exc}", file=str(target)) from exc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return target


__all__ = ["DaskResults"]
