"""Benchmark the records step (``vises.collect``) against a pandas group-by of the same records.

Issue 12's target: 1,000,000 records × 20 indicators in ≤ 3 s on this machine. The records are a
synthetic trainee register held as a pandas DataFrame (500 centres, three years, an exit status,
hours followed, an age, two Likert items); the 20 measures mix every statistic (count, count
distinct, sum, mean, median, share, top-2 box), with filters. The baseline computes the same 20
values with pandas ``groupby(["centre", "year"])`` (filters as boolean masks, shares and top-box
as grouped means of 0/1 columns) on the same frame. Both are medians of repeats in the same run;
the script checks that both give the same numbers, then prints the times and the ratio.

    python benchmarks/bench_records.py [--records 1000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

TARGET_SECONDS = 3.0


def make_records(count: int, seed: int = 12) -> Any:
    import pandas as pd

    rng = np.random.default_rng(seed)
    statuses = np.array(["work", "training", "dropout", "other", ""], dtype=object)
    likert = np.array(["1", "2", "3", "4", "5", ""], dtype=object)
    hours = rng.gamma(4.0, 120.0, count)
    hours[rng.random(count) < 0.03] = np.nan
    return pd.DataFrame(
        {
            "centre": np.char.add("cisp_", (rng.integers(0, 500, count)).astype(str)).astype(object),
            "year": np.array(["2017", "2018", "2019"], dtype=object)[rng.integers(0, 3, count)],
            "person": np.char.add("p", rng.integers(0, count // 2, count).astype(str)).astype(object),
            "status": statuses[rng.choice(5, count, p=[0.3, 0.15, 0.2, 0.25, 0.1])],
            "hours": hours,
            "age": rng.integers(18, 65, count).astype(np.float64),
            "q1": likert[rng.choice(6, count, p=[0.05, 0.1, 0.2, 0.35, 0.25, 0.05])],
            "q2": likert[rng.choice(6, count, p=[0.1, 0.1, 0.2, 0.3, 0.2, 0.1])],
        }
    )


def measures() -> tuple[Any, ...]:
    from vises import Measure

    scale = ("1", "2", "3", "4", "5")
    return (
        Measure(code="records", statistic="count"),
        Measure(code="trainees", statistic="count_distinct", column="person"),
        Measure(code="to_work", statistic="count", filter='status == "work"'),
        Measure(code="to_training", statistic="count", filter='status == "training"'),
        Measure(code="dropouts", statistic="count", filter='status == "dropout"'),
        Measure(code="young", statistic="count", filter="age < 26"),
        Measure(code="hours", statistic="sum", column="hours"),
        Measure(code="hours_young", statistic="sum", column="hours", filter="age < 26"),
        Measure(code="hours_mean", statistic="mean", column="hours"),
        Measure(code="age_mean", statistic="mean", column="age"),
        Measure(code="hours_work_mean", statistic="mean", column="hours", filter='status == "work"'),
        Measure(code="hours_median", statistic="median", column="hours"),
        Measure(code="age_median", statistic="median", column="age"),
        Measure(code="work_share", statistic="share", condition='status == "work"', filter='status != ""'),
        Measure(code="dropout_share", statistic="share", condition='status == "dropout"', filter='status != ""'),
        Measure(code="young_share", statistic="share", condition="age < 26"),
        Measure(code="q1_top2", statistic="top_box", column="q1", top=("4", "5"), scale=scale),
        Measure(code="q2_top2", statistic="top_box", column="q2", top=("4", "5"), scale=scale),
        Measure(code="q1_top1", statistic="top_box", column="q1", top=("5",), scale=scale),
        Measure(code="long_share", statistic="share", condition="hours > 600"),
    )


def run_vises(frame: Any) -> dict[str, Any]:
    from vises import Collection, RecordSource, collect

    spec = Collection(
        sources=(RecordSource(name="register", organisation="centre", period="year"),), measures=measures()
    )
    data = collect(spec, frame)
    keys = list(zip(data.organisations.tolist(), data.periods.tolist(), strict=True))
    return {code: dict(zip(keys, column.values.tolist(), strict=True)) for code, column in data.columns.items()}


def run_pandas(frame: Any) -> dict[str, Any]:
    import pandas as pd

    status, age, hours = frame["status"], frame["age"], frame["hours"]
    known = status != ""
    q1, q2 = frame["q1"].replace("", np.nan), frame["q2"].replace("", np.nan)
    work = frame.assign(
        is_work=(status == "work").astype(float),
        is_training=(status == "training").astype(float),
        is_dropout=(status == "dropout").astype(float),
        is_young=(age < 26).astype(float),
        hours_young=hours.where(age < 26),
        hours_work=hours.where(status == "work"),
        work_known=(status == "work").astype(float).where(known),
        dropout_known=(status == "dropout").astype(float).where(known),
        q1_top2=q1.isin(["4", "5"]).astype(float).where(q1.notna()),
        q2_top2=q2.isin(["4", "5"]).astype(float).where(q2.notna()),
        q1_top1=(q1 == "5").astype(float).where(q1.notna()),
        is_long=(hours > 600).astype(float).where(hours.notna()),
    )
    grouped = work.groupby(["centre", "year"], sort=False)
    out = pd.DataFrame(
        {
            "records": grouped.size(),
            "trainees": grouped["person"].nunique(),
            "to_work": grouped["is_work"].sum(),
            "to_training": grouped["is_training"].sum(),
            "dropouts": grouped["is_dropout"].sum(),
            "young": grouped["is_young"].sum(),
            "hours": grouped["hours"].sum(min_count=1),
            "hours_young": grouped["hours_young"].sum(),
            "hours_mean": grouped["hours"].mean(),
            "age_mean": grouped["age"].mean(),
            "hours_work_mean": grouped["hours_work"].mean(),
            "hours_median": grouped["hours"].median(),
            "age_median": grouped["age"].median(),
            "work_share": grouped["work_known"].mean() * 100,
            "dropout_share": grouped["dropout_known"].mean() * 100,
            "young_share": grouped["is_young"].mean() * 100,
            "q1_top2": grouped["q1_top2"].mean() * 100,
            "q2_top2": grouped["q2_top2"].mean() * 100,
            "q1_top1": grouped["q1_top1"].mean() * 100,
            "long_share": grouped["is_long"].mean() * 100,
        }
    )
    return {code: out[code].to_dict() for code in out.columns}


def timed(function: Callable[[Any], Any], frame: Any, repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(frame)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def check_same(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    for code, values in theirs.items():
        mine = ours[code]
        assert mine.keys() == values.keys(), code
        a = np.array([mine[k] for k in values], dtype=np.float64)
        b = np.array(list(values.values()), dtype=np.float64)
        # pandas sums an empty filtered group to 0 where vises has no value (no record with hours).
        close = np.isclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True) | (np.isnan(a) & (b == 0))
        assert close.all(), (code, a[~close][:5], b[~close][:5])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    frame = make_records(args.records)
    run_vises(frame.head(1000))  # imports and first-use caches out of the timing
    run_pandas(frame.head(1000))
    ours, ours_result = timed(run_vises, frame, args.repeats)
    theirs, theirs_result = timed(run_pandas, frame, args.repeats)
    check_same(ours_result, theirs_result)
    groups = len(next(iter(theirs_result.values())))
    print(f"records → indicators: {args.records:,} records × {len(measures())} indicators → {groups:,} rows")
    print(f"  vises.collect        {ours:7.3f} s (median of {args.repeats})   target ≤ {TARGET_SECONDS:.1f} s")
    print(f"  pandas group-by      {theirs:7.3f} s (median of {args.repeats})")
    print(f"  ratio vises / pandas {ours / theirs:7.2f}x   {'within' if ours <= TARGET_SECONDS else 'OVER'} target")


if __name__ == "__main__":
    main()
