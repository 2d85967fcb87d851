"""What a round reads besides the values: grid versions of templates, peer attributes, counts.

A template made for an older version of the grid reads under the newer one when its indicators
still exist, with a note naming those dropped (and any values given for them) and those added;
peer groups form by any attribute, the framing file filling a row's gaps; totals add the counts.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import attrs
import numpy as np
import pytest

import vises
from vises import Column, Dataset, Grid, Indicator, Kind, Level, Node, Organisation
from vises.report.views import network_view, parse_options

openpyxl = pytest.importorskip("openpyxl")


def versioned(version: str, codes: tuple[str, ...]) -> Grid:
    return Grid(
        code="centres",
        version=version,
        languages=("fr", "en"),
        nodes=(Node(code="root"), Node(code="work", parent="root")),
        indicators=tuple(
            Indicator(code=code, parent="work", unit="person")
            if code != "climate"
            else Indicator(code=code, parent="work", kind=Kind.SCALE, levels=tuple(Level(value=v) for v in "123"))
            for code in codes
        ),
    )


def filled(path: Path, grid: Grid, values: dict[str, object]) -> Path:
    from vises.templates.write import write_template

    write_template(grid, path, lang="fr", organisations=["c1"], periods=["2025"])
    book = openpyxl.load_workbook(path)
    for name in book.sheetnames:
        if name[0].isdigit():
            sheet = book[name]
            for row in sheet.iter_rows(min_row=5):
                if row[0].value in values:
                    sheet.cell(row=row[0].row, column=6, value=values[row[0].value])
    book.save(path)
    return path


def test_a_newer_grid_reads_an_older_template_and_says_what_changed(tmp_path: Path) -> None:
    old = versioned("2025.1", ("jobs", "trainees", "climate"))
    new = versioned("2026.1", ("jobs", "climate", "volunteers"))
    path = filled(tmp_path / "old.xlsx", old, {"jobs": 4, "trainees": 12, "climate": "2"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = vises.load_data(path, grid=new)
    [note] = [str(w.message) for w in caught if issubclass(w.category, vises.DataWarning)]
    assert "made for version 2025.1" in note and "read with version 2026.1" in note
    assert "dropped since: trainees" in note and "values given for trainees" in note and "row" in note
    assert "added since: volunteers" in note
    assert data.columns["jobs"].values.tolist() == [4.0] and data.columns["climate"].values.tolist() == ["2"]
    assert "trainees" not in data.columns
    # The same version reads without a word; an unknown code there is still a problem.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        vises.load_data(filled(tmp_path / "same.xlsx", new, {"jobs": 1}), grid=new)
    assert not [w for w in caught if issubclass(w.category, vises.DataWarning)]
    with pytest.raises(vises.DataValidationError, match="no indicator of grid"):
        vises.load_data(path, grid=attrs.evolve(new, version="2025.1"))


def test_the_round_notes_the_version_change(tmp_path: Path) -> None:
    old = versioned("2025.1", ("jobs", "trainees", "climate"))
    new = versioned("2026.1", ("jobs", "climate", "volunteers"))
    folder = tmp_path / "subs"
    folder.mkdir()
    filled(folder / "c1.xlsx", old, {"jobs": 4, "climate": "2"})
    report = vises.run_round(folder, grid=new, output=tmp_path / "round", secret="x" * 20)
    assert any("dropped since: trainees" in note for note in report.warnings)


def peer_results(framing: dict[str, Organisation]) -> vises.Results:
    grid = Grid(
        code="net",
        nodes=(Node(code="net"), Node(code="a", parent="net")),
        indicators=(
            Indicator(code="trainees", parent="a", unit="person"),
            Indicator(code="hours", parent="a", unit="hour", tags=("count",)),
            Indicator(code="share", parent="a", unit="percent"),
        ),
        attributes={"filiere": {"fr": "Filière", "en": "Course type"}},
    )
    n = 8
    data = Dataset(
        organisations=np.array([f"c{i}" for i in range(n)]),
        periods=np.array(["2025"] * n),
        columns={
            "trainees": Column(values=np.arange(n, dtype=float) + 10, unit="person"),
            "hours": Column(values=np.full(n, 100.0), unit="hour"),
            "share": Column(values=np.linspace(0, 100, n), unit="percent"),
        },
        attributes={"filiere": np.array(["EFT", "EFT", "EFT", "DéFI", "DéFI", "DéFI", "", None], dtype=object)},
        organisation_profiles=framing,
    )
    return vises.score(grid, data)


def test_peer_groups_by_a_declared_attribute_with_the_framing_filling_gaps() -> None:
    gaps = {
        "c6": Organisation(code="c6", attributes={"filiere": "DéFI"}),
        "c7": Organisation(code="c7", attributes={"filiere": "EFT"}),
    }
    view = network_view(peer_results(gaps), lang="fr")
    groups = {(g.attribute, g.group): g for g in view.peer_groups}
    assert groups[("filiere", "EFT")].count == 4 and groups[("filiere", "DéFI")].count == 4
    assert groups[("filiere", "EFT")].title == "Filière"
    without = {(g.attribute, g.group): g.count for g in network_view(peer_results({})).peer_groups}
    assert without == {("filiere", "DéFI"): 3, ("filiere", "EFT"): 3}
    with pytest.raises(vises.ConfigError, match="no organisation has the attribute"):
        network_view(peer_results({}), options=parse_options({"peer_groups": ["agrement"]}))


def test_a_declared_attribute_is_read_from_a_data_file(tmp_path: Path) -> None:
    grid = peer_results({}).grid
    path = tmp_path / "data.csv"
    path.write_text("organisation,period,trainees,hours,share,Filiere\nc1,2025,3,10,5,EFT\n", encoding="utf-8")
    data = vises.load_data(path, grid=grid)
    assert data.attributes["filiere"].tolist() == ["EFT"]


def test_network_totals_add_the_counts_only() -> None:
    view = network_view(peer_results({}), lang="en")
    totals = {t.code: t for t in view.totals}
    assert set(totals) == {"trainees", "hours"}, "a percent is not a count; an hour is one only when tagged"
    assert totals["trainees"].value == float(sum(range(10, 18))) and totals["trainees"].count == 8
    assert totals["hours"].value == 800.0 and totals["hours"].unit_label == "hours"
    assert "Network totals" in vises.render(peer_results({}), "table", lang="en")


def test_a_denominated_indicator_is_pooled_not_averaged() -> None:
    """Σ numerator / Σ denominator, by hand: 16/54, 5/10, 0/5 and 30/40 pool to 51/109, not a mean of rates."""
    grid = Grid(
        code="net",
        nodes=(Node(code="net"), Node(code="a", parent="net")),
        indicators=(Indicator(code="placed", parent="a", unit="percent", denominator="leavers"),),
    )
    data = Dataset(
        organisations=np.array(["c1", "c2", "c3", "c4", "c5"]),
        periods=np.array(["2025"] * 5),
        columns={
            "placed": Column(values=np.array([16.0, 5.0, 0.0, 30.0, 3.0]), unit="person"),
            "leavers": Column(values=np.array([54.0, 10.0, 5.0, 40.0, np.nan]), unit="person"),
        },
    )
    results = vises.score(grid, data)
    assert results.raw("placed")[0] == pytest.approx(100 * 16 / 54)
    [total] = network_view(results, lang="en").totals
    assert total.kind == "pooled_rate" and total.count == 4 and total.of == 5
    assert total.value == pytest.approx(100 * 51 / 109)
    assert (total.numerator, total.denominator) == (pytest.approx(5100.0), 109.0)
    assert "pooled" in total.label and total.unit == "percent"
    # c4 holds 30 of the 51 placements: above the dominance share of one half, the rate is not published.
    public = {"public": True, "pseudonyms": {f"c{i}": f"P{i}" for i in range(1, 6)}}
    [hidden] = network_view(results, lang="en", options=parse_options(public, "table")).totals
    assert hidden.suppressed == "dominance" and np.isnan(hidden.value) and np.isnan(hidden.numerator)
    view = network_view(results, lang="en", options=parse_options({**public, "dominance": 0.9}, "table"))
    [shown] = view.totals
    assert shown.suppressed is None and shown.value == pytest.approx(100 * 51 / 109)
    from vises.report.public import public_tables

    [table] = [t for t in public_tables(view) if t.name == "totals"]
    column = dict(zip(table.keys, table.columns, strict=True))
    assert column["kind"].tolist() == ["pooled_rate"] and column["denominator"].tolist() == [109.0]
