"""Built-in normalisers: bring every indicator onto a common scale where higher is always better.

Each method is split into ``fit`` (parameters from the data, or only from the grid when
``data_dependent`` is false) and ``apply`` (a whole column at once), so the fitted parameters are
kept in the results and a new organisation can be scored later against the same parameters.
docs/methods.md gives every formula and where vises departs from COINr.

Rules shared by every method:

- ``NaN`` stays ``NaN``; fitting ignores ``NaN``; infinite values are refused (``DataError``).
- ``direction`` is +1 (higher is better) or -1 (lower is better). Only ``target`` handles an
  indicator whose direction is ``target``; every other method refuses one.
- Zero spread (max == min, or sd == 0): the data cannot tell organisations apart, so every present
  value gets the centre of the output range, e.g. ``(low + high) / 2`` (COINr returns ``NaN``,
  which would silently turn a valid measurement into missing data).
- Fitted on no data at all (every value missing): the fitted bounds are ``None``; applying them to
  a column that does hold values is a ``MethodError``.
- Fitted dicts hold only floats, strings, ``None`` and lists, so they are JSON-serialisable. The
  rank family stores its sorted reference values as a list (about 30 bytes per value).
- Parameters are checked by ``check_params`` (unknown keys, wrong types, impossible combinations),
  all problems in one ``MethodError``.

This module is the catalogue (``NORMALISERS``) and the hook that registers it. The methods live in
``vises.methods.normalisers`` by family (``quantitative``, ``ranks``, ``qualitative``), with their shared
helpers in ``common`` and parameter checking in ``params``.
"""

from __future__ import annotations

from vises.contract.records import NormaliserSpec
from vises.methods.normalisers.common import checked_unbounded, fixed_range, range_of
from vises.methods.normalisers.qualitative import apply_binary, apply_category, apply_scale, category_range, fit_levels
from vises.methods.normalisers.quantitative import (
    apply_fraction,
    apply_goalposts,
    apply_minmax_like,
    apply_none,
    apply_reference,
    apply_scaled,
    apply_target,
    apply_zscore,
    fit_fixed,
    fit_fraction,
    fit_minmax_like,
    fit_reference,
    fit_target,
    fit_zscore,
)
from vises.methods.normalisers.ranks import apply_borda, apply_percentile, apply_rank, fit_ranks
from vises.methods.params import CrossCheck, Param, Problems, check_params, validate_params

__all__ = [
    "NORMALISERS",
    "NUMERIC_KINDS",
    "CrossCheck",
    "Param",
    "Problems",
    "check_params",
    "validate_params",
]

#: Kinds whose values are numbers by the time they are normalised (levels become their scores).
NUMERIC_KINDS = ("quantity", "scale", "binary", "category")


NORMALISERS: dict[str, NormaliserSpec] = {
    spec.name: spec
    for spec in (
        NormaliserSpec(
            name="minmax",
            fit=fit_minmax_like("minmax"),
            apply=apply_minmax_like("minmax"),
            output_range=range_of("minmax"),
            kinds=NUMERIC_KINDS,
            summary="(x − min)/(max − min) onto [low, high]",
        ),
        NormaliserSpec(
            name="zscore",
            fit=fit_zscore,
            apply=apply_zscore,
            output_range=checked_unbounded("zscore"),
            kinds=NUMERIC_KINDS,
            summary="mean + sd·(x − m)/s (sample sd)",
        ),
        NormaliserSpec(
            name="goalposts",
            fit=fit_fixed("goalposts"),
            apply=apply_goalposts,
            output_range=range_of("goalposts"),
            data_dependent=False,
            kinds=NUMERIC_KINDS,
            summary="fixed lower/upper goalposts, truncated, onto [low, high]",
        ),
        NormaliserSpec(
            name="target",
            fit=fit_target,
            apply=apply_target,
            output_range=range_of("target"),
            data_dependent=False,
            kinds=NUMERIC_KINDS,
            summary="share of a target reached, capped; or closeness to a target",
        ),
        NormaliserSpec(
            name="distance_to_max",
            fit=fit_minmax_like("distance_to_max"),
            apply=apply_minmax_like("distance_to_max"),
            output_range=range_of("distance_to_max"),
            kinds=NUMERIC_KINDS,
            summary="1 − (max − x)/(max − min) onto [low, high]",
        ),
        NormaliserSpec(
            name="distance_to_reference",
            fit=fit_reference,
            apply=apply_reference,
            output_range=checked_unbounded("distance_to_reference"),
            kinds=NUMERIC_KINDS,
            summary="x/x_ref·scale against a reference organisation",
        ),
        NormaliserSpec(
            name="fraction_of_max",
            fit=fit_fraction,
            apply=apply_fraction,
            output_range=fixed_range("fraction_of_max", None, "scale"),
            kinds=NUMERIC_KINDS,
            summary="x/max·scale (min/x·scale when lower is better)",
        ),
        NormaliserSpec(
            name="rank",
            fit=fit_ranks("rank"),
            apply=apply_rank,
            output_range=fixed_range("rank", 1.0),
            kinds=NUMERIC_KINDS,
            summary="rank, 1 = worst, ties share the lowest",
        ),
        NormaliserSpec(
            name="percentile_rank",
            fit=fit_ranks("percentile_rank"),
            apply=apply_percentile,
            output_range=fixed_range("percentile_rank", 0.0, high=100.0),
            kinds=NUMERIC_KINDS,
            summary="percentile rank 0–100",
        ),
        NormaliserSpec(
            name="borda",
            fit=fit_ranks("borda"),
            apply=apply_borda,
            output_range=fixed_range("borda", 0.0),
            kinds=NUMERIC_KINDS,
            summary="number of values strictly worse",
        ),
        NormaliserSpec(
            name="scaled",
            fit=fit_fixed("scaled"),
            apply=apply_scaled,
            output_range=checked_unbounded("scaled"),
            data_dependent=False,
            kinds=NUMERIC_KINDS,
            summary="(x − lower)/(upper − lower)·scale, not truncated",
        ),
        NormaliserSpec(
            name="none",
            fit=fit_fixed("none"),
            apply=apply_none,
            output_range=checked_unbounded("none"),
            data_dependent=False,
            kinds=NUMERIC_KINDS,
            summary="raw value (negated when lower is better)",
        ),
        NormaliserSpec(
            name="scale",
            fit=fit_levels("scale"),
            apply=apply_scale,
            output_range=range_of("scale"),
            data_dependent=False,
            kinds=("scale",),
            summary="level score onto [low, high] by the scale's range",
        ),
        NormaliserSpec(
            name="binary",
            fit=fit_levels("binary"),
            apply=apply_binary,
            output_range=range_of("binary"),
            data_dependent=False,
            kinds=("binary",),
            summary="no → low, yes → high",
        ),
        NormaliserSpec(
            name="category",
            fit=fit_levels("category"),
            apply=apply_category,
            output_range=category_range,
            data_dependent=False,
            kinds=("category",),
            summary="the category's own score",
        ),
    )
}
