"""The JSON network report carries each organisation's trend per dimension and on the overall score
(issue 15: trends in the reports), checked against slopes and growth rates computed here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import vises

GRID = (
    'code = "g"\n[[nodes]]\ncode = "root"\n[[nodes]]\ncode = "a"\nparent = "root"\n'
    '[[nodes]]\ncode = "b"\nparent = "root"\n'
    '[[indicators]]\ncode = "x"\nparent = "a"\n[[indicators]]\ncode = "y"\nparent = "b"\n'
)
CSV = "organisation,period,x,y\no1,2020,1,5\no1,2021,3,4\no1,2023,6,2\no2,2020,2,1\no2,2022,4,3\no3,2021,5,6\n"


@pytest.fixture()
def results(tmp_path: Path):
    grid = tmp_path / "g.toml"
    grid.write_text(GRID, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text(CSV, encoding="utf-8")
    return vises.score(grid, data)


def test_network_trends_are_least_squares_slopes_and_growth_rates(results):
    trends = json.loads(vises.render(results, "json"))["trends"]
    assert trends["organisations"] == ["o1", "o2", "o3"]
    by_code = {entry["code"]: entry for entry in trends["codes"]}
    assert list(by_code) == ["a", "b", "root"]
    for code, entry in by_code.items():
        scores = results.score(code)
        for i, org in enumerate(trends["organisations"]):
            rows = results.organisations == org
            years = np.array([float(p) for p in results.periods[rows]])
            y = scores[rows]
            order = np.argsort(years)
            years, y = years[order], y[order]
            if len(y) < 2:
                assert entry["slope"][i] is None and entry["cagr"][i] is None and entry["points"][i] == len(y)
                continue
            assert entry["slope"][i] == pytest.approx(np.polyfit(years, y, 1)[0], rel=1e-9, abs=1e-9)
            if y[0] > 0 and y[-1] > 0:
                growth = (y[-1] / y[0]) ** (1 / (years[-1] - years[0])) - 1
                assert entry["cagr"][i] == pytest.approx(growth, rel=1e-9)
            assert entry["first_period"][i] == str(int(years[0])) and entry["last_period"][i] == str(int(years[-1]))
            assert entry["points"][i] == len(y)


def test_indented_and_compact_json_carry_the_same_trends(results):
    compact = json.loads(vises.render(results, "json"))
    indented = json.loads(vises.render(results, "json", options={"indent": 2}))
    assert compact["trends"] == indented["trends"] and compact["fitted"] == indented["fitted"]


def test_no_trends_with_one_period_or_periods_that_are_not_years(tmp_path):
    grid = tmp_path / "g.toml"
    grid.write_text(GRID, encoding="utf-8")
    for text in (
        "organisation,period,x,y\no1,2020,1,2\no2,2020,3,1\n",
        "organisation,period,x,y\no1,spring,1,2\no1,autumn,3,1\n",
    ):
        data = tmp_path / "d.csv"
        data.write_text(text, encoding="utf-8")
        assert "trends" not in json.loads(vises.render(vises.score(grid, data), "json"))
