"""Results as pandas objects: one row per (organisation, period), keys in the dtype the data gave.

``Results.to_frame(what)`` and ``Results.series(code, what)`` are built here, so the numpy-first
``Results`` stays free of pandas (imported only when a frame is asked for). The index is a
``MultiIndex`` (organisation, period) whose levels have the data's own dtype, so a frame merges
back onto the frame it was scored from:

- a key the source typed (a DataFrame's ``int64`` year, a mapping of ints, a ``Dataset`` built with
  an integer array) comes back in that dtype; text the source typed stays text;
- a key read from a file (CSV, xlsx, Parquet text) is text; when every value is a whole number
  written plainly (``2019``, not ``09``, ``2019-20`` or ``2019.0``) it comes back as ``int64``, as
  ``pandas.read_csv`` reads the same column; otherwise every value stays text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from vises.errors import ConfigError, MissingDependencyError
from vises.numeric import sorted_distinct

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from vises.engine.results import Results

#: What a frame or a series holds: scores (0-100, ``NaN`` = missing), ranks within the period
#: (nullable ``Int64``), coverage (share 0-1 of the applicable weight present) or raw values
#: (indicators only, in the indicator's unit; levels as their scores).
FrameKind = Literal["scores", "ranks", "coverage", "raw"]
KINDS: tuple[str, ...] = get_args(FrameKind)

_PLAIN_WHOLE = re.compile(r"^-?(?:0|[1-9][0-9]{0,17})$")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("pandas", "pandas", "Results.to_frame and Results.series") from exc
    return pd


def key_values(text: np.ndarray, given: np.ndarray, dtype: str | None) -> np.ndarray:
    """One key column (organisations or periods) in the dtype the source gave (see the module)."""
    if given.dtype.kind in "iuf":  # a Dataset built with numbers
        return np.asarray(given)
    if dtype == "str":
        return text.astype(object)
    if dtype is not None:
        try:
            return text.astype(np.dtype(dtype))
        except (TypeError, ValueError):
            return text.astype(object)
    distinct = sorted_distinct(text)
    if len(distinct) and all(_PLAIN_WHOLE.match(str(value)) for value in distinct.tolist()):
        return text.astype(np.int64)
    return text.astype(object)


def row_index(results: Results) -> pd.MultiIndex:
    """The (organisation, period) index of every row, keys in their source dtype."""
    pandas = _pandas()
    dataset = results.dataset
    organisations = key_values(
        results.organisations, np.asarray(dataset.organisations), dataset.key_dtypes.get("organisation")
    )
    periods = key_values(results.periods, np.asarray(dataset.periods), dataset.key_dtypes.get("period"))
    index: pd.MultiIndex = pandas.MultiIndex.from_arrays([organisations, periods], names=["organisation", "period"])
    return index


def _check_kind(what: str) -> None:
    if what not in KINDS:
        raise ConfigError(f"unknown kind of values {what!r}", path="what", hint=f"choose one of: {', '.join(KINDS)}")


def _codes(results: Results, what: str, codes: Iterable[str] | None) -> list[str]:
    if codes is None:
        chosen = [code for code in results.codes if what != "raw" or results.is_indicator(code)]
    else:
        chosen = list(dict.fromkeys(str(code) for code in ([codes] if isinstance(codes, str) else codes)))
    for code in chosen:
        results.score(code)  # an unknown code: a ConfigError naming the known ones
        if what == "raw" and not results.is_indicator(code):
            raise ConfigError(
                f"{code!r} is an aggregate; only indicators have raw values",
                path="codes",
                hint="ask for what='scores' or 'coverage', or leave codes out to get every indicator",
            )
    return chosen


def _values(results: Results, code: str, what: str) -> np.ndarray:
    if what == "scores":
        return results.score(code)
    if what == "ranks":
        return results.ranks(code)
    if what == "coverage":
        return results.coverage(code)
    return results.raw(code)


def series(results: Results, code: str, what: FrameKind = "scores") -> pd.Series:
    """One code's values as a ``pandas.Series`` named by the code, indexed by (organisation, period)."""
    pandas = _pandas()
    _check_kind(what)
    (chosen,) = _codes(results, what, [code])
    values = _values(results, chosen, what)
    dtype = "Int64" if what == "ranks" else "float64"
    found: pd.Series = pandas.Series(
        pandas.array(values, dtype=dtype) if what == "ranks" else values.copy(),
        index=row_index(results),
        name=chosen,
        dtype=dtype,
    )
    return found


def frame(results: Results, what: FrameKind = "scores", codes: Iterable[str] | None = None) -> pd.DataFrame:
    """The values of ``codes`` (default: every code; every indicator for ``raw``), one column per code."""
    pandas = _pandas()
    _check_kind(what)
    chosen = _codes(results, what, codes)
    index = row_index(results)
    if what == "ranks":
        data = {code: pandas.array(results.ranks(code), dtype="Int64") for code in chosen}
        out: pd.DataFrame = pandas.DataFrame(data, index=index, columns=chosen)
    else:
        if what == "scores" and codes is None:
            matrix = np.array(results.scores, dtype=np.float64)
        elif chosen:
            matrix = np.column_stack([_values(results, code, what) for code in chosen])
        else:
            matrix = np.empty((len(results), 0))
        out = pandas.DataFrame(matrix, index=index, columns=chosen)
    out.columns.name = None
    return out


__all__ = ["KINDS", "FrameKind", "frame", "key_values", "row_index", "series"]
