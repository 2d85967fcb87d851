"""What changed between scorings: two side by side (``compare``), or several against one (``compare_many``).

The JRC/OECD Handbook asks how much a ranking owes to each choice behind it; COINr answers with
``compare_coins`` and ``compare_coins_multi``. Rows are matched on (organisation, period); a row
present in one scoring only is kept with ``NaN`` on the other side and listed, never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.analysis._common import SEP, frozen, labels_of, row_keys
from vises.analysis.words import MISSING, number, rank_text, table, word
from vises.errors import ConfigError
from vises.numeric import sorted_distinct, spearman

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results

__all__ = ["Comparison", "MultiComparison", "PeriodSummary", "compare", "compare_many"]


# -- compare -------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class PeriodSummary:
    """How much one period's ranking moved between two scorings."""

    period: str
    #: Rows ranked on both sides (the base of the shifts and of the correlation).
    compared: int
    mean_abs_rank_shift: float
    max_abs_rank_shift: float
    spearman: float
    #: Organisations in the variant's top k but not the base's, and the reverse (ties included).
    entering: tuple[str, ...]
    leaving: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self)
        for key in ("mean_abs_rank_shift", "max_abs_rank_shift", "spearman"):
            data[key] = None if math.isnan(data[key]) else data[key]
        data["entering"], data["leaving"] = list(self.entering), list(self.leaving)
        return data


@attrs.frozen(kw_only=True, eq=False)
class Comparison:
    """Two scorings of one node side by side, one row per (organisation, period) of either side.

    Rows are sorted by period, then organisation. ``rank_shift`` = base rank − variant rank, so a
    positive shift means the organisation climbed. Ranks are each scoring's own (within the period,
    1 = best). A row present on one side only keeps ``NaN`` for the other and is listed in
    ``only_in_base`` / ``only_in_variant``: it is never dropped silently.
    """

    code: str
    labels: Mapping[str | None, str]
    top: int
    organisations: np.ndarray
    periods: np.ndarray
    base_score: np.ndarray
    variant_score: np.ndarray
    difference: np.ndarray
    base_rank: np.ndarray
    variant_rank: np.ndarray
    rank_shift: np.ndarray
    in_base: np.ndarray
    in_variant: np.ndarray
    by_period: tuple[PeriodSummary, ...]
    #: Over every row ranked on both sides (``NaN`` when there is none).
    mean_abs_rank_shift: float
    max_abs_rank_shift: float

    def __len__(self) -> int:
        return len(self.organisations)

    @property
    def only_in_base(self) -> list[tuple[str, str]]:
        rows = np.flatnonzero(self.in_base & ~self.in_variant)
        return [(str(self.organisations[i]), str(self.periods[i])) for i in rows]

    @property
    def only_in_variant(self) -> list[tuple[str, str]]:
        rows = np.flatnonzero(self.in_variant & ~self.in_base)
        return [(str(self.organisations[i]), str(self.periods[i])) for i in rows]

    @property
    def min_spearman(self) -> float:
        """The lowest per-period correlation: the period whose ranking moved most."""
        values = [s.spearman for s in self.by_period if not math.isnan(s.spearman)]
        return min(values) if values else math.nan

    def period(self, period: str) -> PeriodSummary:
        for summary in self.by_period:
            if summary.period == str(period):
                return summary
        raise ConfigError(
            f"period {period!r} is in neither scoring", hint=f"periods: {', '.join(s.period for s in self.by_period)}"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per row (``None`` for a missing number), JSON-ready."""
        columns = {
            name: getattr(self, name).tolist()
            for name in ("base_score", "variant_score", "difference", "base_rank", "variant_rank", "rank_shift")
        }
        records = []
        for i in range(len(self)):
            record: dict[str, Any] = {"organisation": str(self.organisations[i]), "period": str(self.periods[i])}
            for name, values in columns.items():
                value = values[i]
                record[name] = None if math.isnan(value) else (int(value) if "rank" in name else value)
            record["in_base"], record["in_variant"] = bool(self.in_base[i]), bool(self.in_variant[i])
            records.append(record)
        return records

    def summary_records(self) -> list[dict[str, Any]]:
        return [summary.to_dict() for summary in self.by_period]

    def table(self, lang: str | None = None, *, limit: int | None = None) -> str:
        """The rows (or the ``limit`` biggest movers) and the per-period summary, as plain text."""
        w = lang or "en"
        rows = np.arange(len(self))
        if limit is not None:
            moved = np.nan_to_num(np.abs(self.rank_shift), nan=-1.0)
            rows = np.sort(np.argsort(-moved, kind="stable")[: max(0, int(limit))])
        body = []
        for i in rows:
            present = (
                word("both", w)
                if self.in_base[i] and self.in_variant[i]
                else word("base" if self.in_base[i] else "variant", w)
            )
            body.append(
                (
                    self.organisations[i],
                    self.periods[i],
                    number(self.base_score[i], lang),
                    number(self.variant_score[i], lang),
                    number(self.difference[i], lang, signed=True),
                    rank_text(self.base_rank[i], lang),
                    rank_text(self.variant_rank[i], lang),
                    rank_text(self.rank_shift[i], lang, signed=True),
                    present,
                )
            )
        headers = [
            word(k, w)
            for k in (
                "organisation",
                "period",
                "base",
                "variant",
                "difference",
                "base_rank",
                "variant_rank",
                "rank_shift",
                "present",
            )
        ]
        title = f"{self.labels.get(lang, self.code)} ({self.code})"
        return "\n\n".join([title, table(body, headers), self.summary_table(lang)])

    def summary_table(self, lang: str | None = None) -> str:
        """Per period: rows compared, mean and max |rank shift|, Spearman, who enters and leaves the top k."""
        w = lang or "en"
        summary = [
            (
                s.period,
                s.compared,
                number(s.mean_abs_rank_shift, lang, 2),
                rank_text(s.max_abs_rank_shift, lang),
                number(s.spearman, lang, 3),
                ", ".join(s.entering) or MISSING,
                ", ".join(s.leaving) or MISSING,
            )
            for s in self.by_period
        ]
        summary_headers = [
            word(k, w, k=self.top)
            for k in ("period", "compared", "mean_shift", "max_shift", "spearman", "entering", "leaving")
        ]
        return table(summary, summary_headers)


def _shift_stats(shift: np.ndarray) -> tuple[float, float]:
    moved = np.abs(shift[~np.isnan(shift)])
    if len(moved) == 0:
        return math.nan, math.nan
    return float(moved.mean()), float(moved.max())


def compare(base: Results, variant: Results, *, code: str | None = None, top: int = 10) -> Comparison:
    """Compare the scores and ranks of ``code`` (default: the base grid's root) in two scorings.

    Rows are matched on (organisation, period). The variant may use another grid (an indicator
    added or removed, other weights or methods); ``code`` must be scored in both.
    """
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ConfigError(f"top must be a whole number >= 1, got {top!r}", path="top")
    code = base.compiled.root if code is None else str(code)
    for side, results in (("base", base), ("variant", variant)):
        if code not in results.compiled.column_of:
            raise ConfigError(f"{code!r} is not scored in the {side} results (grid {results.grid.code!r})", path="code")
    base_keys, variant_keys = row_keys(base, "base"), row_keys(variant, "variant")
    keys = np.union1d(base_keys, variant_keys)
    n = len(keys)

    def spread(results: Results, own: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        where = np.searchsorted(keys, own)
        present = np.zeros(n, dtype=bool)
        present[where] = True
        score, rank = np.full(n, np.nan), np.full(n, np.nan)
        score[where] = results.score(code)
        rank[where] = results.ranks(code)
        return present, score, rank

    in_base, base_score, base_rank = spread(base, base_keys)
    in_variant, variant_score, variant_rank = spread(variant, variant_keys)
    split = np.char.partition(keys.astype(str), SEP)
    periods, organisations = split[:, 0], split[:, 2]
    difference = variant_score - base_score
    rank_shift = base_rank - variant_rank

    summaries = []
    for period in sorted_distinct(periods):
        rows = periods == period
        mean_shift, max_shift = _shift_stats(rank_shift[rows])
        base_top = set(organisations[rows & (base_rank <= top)].tolist())
        variant_top = set(organisations[rows & (variant_rank <= top)].tolist())
        summaries.append(
            PeriodSummary(
                period=str(period),
                compared=int((~np.isnan(rank_shift[rows])).sum()),
                mean_abs_rank_shift=mean_shift,
                max_abs_rank_shift=max_shift,
                spearman=spearman(base_score[rows], variant_score[rows]),
                entering=tuple(sorted(variant_top - base_top)),
                leaving=tuple(sorted(base_top - variant_top)),
            )
        )
    mean_shift, max_shift = _shift_stats(rank_shift)
    return Comparison(
        code=code,
        labels=labels_of(base, code),
        top=top,
        organisations=frozen(organisations.astype(str)),
        periods=frozen(periods.astype(str)),
        base_score=frozen(base_score),
        variant_score=frozen(variant_score),
        difference=frozen(difference),
        base_rank=frozen(base_rank),
        variant_rank=frozen(variant_rank),
        rank_shift=frozen(rank_shift),
        in_base=frozen(in_base),
        in_variant=frozen(in_variant),
        by_period=tuple(summaries),
        mean_abs_rank_shift=mean_shift,
        max_abs_rank_shift=max_shift,
    )


@attrs.frozen(kw_only=True, eq=False)
class MultiComparison:
    """Several scorings of one node against a base (COINr's ``compare_coins_multi``), one row per
    (organisation, period) of any of them, sorted by period then organisation.

    Column ``j`` of ``scores``/``ranks``/``present`` is scoring ``names[j]``; ``base`` names the one
    the others are measured against (column 0). ``rank_shift[:, j]`` = base rank − rank in ``j``
    (positive: climbed). ``comparisons[name]`` is the full two-way ``Comparison`` of each variant.
    """

    code: str
    labels: Mapping[str | None, str]
    names: tuple[str, ...]
    organisations: np.ndarray
    periods: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    present: np.ndarray
    rank_shift: np.ndarray
    comparisons: Mapping[str, Comparison]

    @property
    def base(self) -> str:
        return self.names[0]

    def __len__(self) -> int:
        return len(self.organisations)

    def spearman(self, period: str) -> np.ndarray:
        """The (m, m) matrix of Spearman correlations between every two scorings in ``period``."""
        rows = self.periods == str(period)
        if not rows.any():
            raise ConfigError(f"period {period!r} is in none of the scorings", hint=f"periods: {self._periods()}")
        from vises.numeric import spearman_matrix

        return spearman_matrix(self.scores[rows])[0]

    def _periods(self) -> str:
        return ", ".join(dict.fromkeys(self.periods.tolist()))

    def summary_records(self) -> list[dict[str, Any]]:
        """Per variant: mean and max |rank shift| against the base and the lowest per-period Spearman."""
        out = []
        for name in self.names[1:]:
            c = self.comparisons[name]
            out.append(
                {
                    "variant": name,
                    "mean_abs_rank_shift": _none(c.mean_abs_rank_shift),
                    "max_abs_rank_shift": _none(c.max_abs_rank_shift),
                    "min_spearman": _none(c.min_spearman),
                }
            )
        return out

    def to_records(self, *, values: str = "ranks") -> list[dict[str, Any]]:
        """One dict per row with each scoring's rank (``values="ranks"``), score (``"scores"``) or rank
        shift against the base (``"shifts"``); ``None`` where a scoring has no value."""
        choice = {"ranks": self.ranks, "scores": self.scores, "shifts": self.rank_shift}
        if values not in choice:
            raise ConfigError(f"values must be 'ranks', 'scores' or 'shifts', got {values!r}", path="values")
        matrix = choice[values]
        out = []
        for i in range(len(self)):
            record: dict[str, Any] = {"organisation": str(self.organisations[i]), "period": str(self.periods[i])}
            for j, name in enumerate(self.names):
                value = float(matrix[i, j])
                record[name] = None if math.isnan(value) else (int(value) if values != "scores" else value)
            out.append(record)
        return out

    def table(self, lang: str | None = None, *, values: str = "ranks") -> str:
        """Each scoring's ranks (or scores, or shifts) side by side, then the summary per variant."""
        w = lang or "en"
        records = self.to_records(values=values)

        def show(value: float) -> str:
            return number(value, lang, 1) if values == "scores" else rank_text(float(value), lang)

        rows = [
            (r["organisation"], r["period"], *(MISSING if r[n] is None else show(r[n]) for n in self.names))
            for r in records
        ]
        headers = [word("organisation", w), word("period", w), *self.names]
        summary = [
            (
                s["variant"],
                number(s["mean_abs_rank_shift"], lang, 2),
                MISSING if s["max_abs_rank_shift"] is None else rank_text(s["max_abs_rank_shift"], lang),
                number(s["min_spearman"], lang, 3),
            )
            for s in self.summary_records()
        ]
        summary_headers = [word("variant", w), word("mean_shift", w), word("max_shift", w), word("min_spearman", w)]
        title = f"{self.labels.get(lang, self.code)} ({self.code}): {word('base', w)} = {self.base}"
        return "\n\n".join([title, table(rows, headers), table(summary, summary_headers)])


def _none(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def compare_many(
    scorings: Mapping[str, Results] | Sequence[Results],
    *,
    base: str | int = 0,
    code: str | None = None,
    top: int = 10,
) -> MultiComparison:
    """Compare more than two scorings of ``code`` at once (default: the base grid's root).

    ``scorings`` maps a name to each ``Results`` (a list is named ``"1"``, ``"2"``, ...); ``base``
    names (or indexes) the one every other is compared with. Each variant also gets its two-way
    ``Comparison`` (``comparisons[name]``), so every number here means what it means there.
    """
    if isinstance(scorings, Mapping):
        named = {str(k): v for k, v in scorings.items()}
    elif isinstance(scorings, Sequence) and not isinstance(scorings, str):
        named = {str(i + 1): v for i, v in enumerate(scorings)}
    else:
        raise ConfigError("expected a mapping name -> Results, or a list of Results", path="scorings")
    if len(named) < 2:
        raise ConfigError(f"compare_many needs at least two scorings, got {len(named)}", path="scorings")
    keys = list(named)
    if isinstance(base, int) and not isinstance(base, bool):
        if not 0 <= base < len(keys):
            raise ConfigError(f"base index {base} is out of range (0..{len(keys) - 1})", path="base")
        base_name = keys[base]
    elif str(base) in named:
        base_name = str(base)
    else:
        raise ConfigError(f"no scoring is named {base!r}", path="base", hint=f"names: {', '.join(keys)}")
    names = (base_name, *(k for k in keys if k != base_name))
    reference = named[base_name]
    target = reference.compiled.root if code is None else str(code)
    comparisons = {name: compare(reference, named[name], code=target, top=top) for name in names[1:]}

    all_keys = [row_keys(named[name], name) for name in names]
    union = sorted_distinct(np.concatenate(all_keys))
    n, m = len(union), len(names)
    scores, ranks = np.full((n, m), np.nan), np.full((n, m), np.nan)
    present = np.zeros((n, m), dtype=bool)
    for j, (name, own) in enumerate(zip(names, all_keys, strict=True)):
        where = np.searchsorted(union, own)
        present[where, j] = True
        scores[where, j] = named[name].score(target)
        ranks[where, j] = named[name].ranks(target)
    split = np.char.partition(union.astype(str), SEP)
    return MultiComparison(
        code=target,
        labels=labels_of(reference, target),
        names=names,
        organisations=frozen(split[:, 2].astype(str)),
        periods=frozen(split[:, 0].astype(str)),
        scores=frozen(scores),
        ranks=frozen(ranks),
        present=frozen(present),
        rank_shift=frozen(ranks[:, :1] - ranks),
        comparisons=comparisons,
    )
