"""``vises compare GRID_A GRID_B DATA``: the analyst's candidate indicator scored on a variant grid and
compared with the base grid, and the outputs of ``vises weights -o`` protected as ``vises score``'s are."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vises.cli import cli

CSV = "organisation,period,hours,jobs,candidate\na,2024,10,1,9\nb,2024,20,2,1\nc,2024,30,4,5\nd,2024,40,3.5,2\n"
BASE = (
    'code = "base"\n[[nodes]]\ncode = "index"\n'
    '[[indicators]]\ncode = "hours"\nparent = "index"\n'
    '[[indicators]]\ncode = "jobs"\nparent = "index"\n'
)


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    data = tmp_path / "data.csv"
    data.write_text(CSV, encoding="utf-8")
    base = tmp_path / "base.toml"
    base.write_text(BASE, encoding="utf-8")
    variant = tmp_path / "variant.toml"
    variant.write_text(
        BASE.replace('code = "base"', 'code = "variant"')
        + '[[indicators]]\ncode = "candidate"\nparent = "index"\nweight = 4\n',
        encoding="utf-8",
    )
    return base, variant, data


def _expected_ranks(columns: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """Min-max to 0-100 per column, weighted mean, rank 1 = best (no ties in this data)."""
    scaled = [100 * (c - c.min()) / (c.max() - c.min()) for c in columns]
    total = sum(w * s for w, s in zip(weights, scaled, strict=True)) / sum(weights)
    return np.argsort(np.argsort(-total)) + 1


def test_compare_two_grid_files_then_the_data(files):
    base, variant, data = files
    done = CliRunner().invoke(cli, ["compare", str(base), str(variant), str(data), "--format", "json"])
    assert done.exit_code == 0, done.output
    out = json.loads(done.output.split("\n", 1)[1] if done.output.startswith("Note") else done.output)
    assert out["base"] == str(base) and out["variants"] == [str(variant)]
    hours, jobs, candidate = (np.array(v, dtype=float) for v in ([10, 20, 30, 40], [1, 2, 4, 3.5], [9, 1, 5, 2]))
    before = _expected_ranks([hours, jobs], [1, 1])
    after = _expected_ranks([hours, jobs, candidate], [1, 1, 4])
    rows = {row["organisation"]: row for row in out["comparison"]}
    for position, org in enumerate("abcd"):
        shift = int(before[position] - after[position])
        found = [value for key, value in rows[org].items() if "shift" in key]
        assert shift in found, (org, rows[org])
    assert out["summary"][0]["max_abs_rank_shift"] == int(np.abs(before - after).max()) > 0


def test_the_candidate_column_is_read_as_an_attribute_for_the_base_grid(files):
    base, variant, data = files
    done = CliRunner().invoke(cli, ["compare", str(base), str(variant), str(data)])
    assert done.exit_code == 0, done.output
    assert "does not score 'candidate'; read as attributes" in done.output
    assert "Spearman" in done.output


def test_compare_with_grid_options_matches_the_positional_form(files):
    base, variant, data = files
    runner = CliRunner()
    one = runner.invoke(cli, ["compare", str(base), str(variant), str(data), "--format", "json"])
    two = runner.invoke(cli, ["compare", str(data), "--grid", str(base), "--grid", str(variant), "--format", "json"])
    assert two.exit_code == 0, two.output

    def rows(result):
        return json.loads(result.output[result.output.index("{") :])["rows"]

    assert rows(one) == rows(two)


def test_compare_says_what_is_wrong_with_its_arguments(files):
    base, variant, data = files
    runner = CliRunner()
    swapped = runner.invoke(cli, ["compare", str(data), str(base), str(variant)])
    assert swapped.exit_code == 2 and "the data file comes last" in swapped.output
    alone = runner.invoke(cli, ["compare", str(base), str(data)])
    assert alone.exit_code == 2 and "two grids or more, got 1" in alone.output


def test_weights_output_is_protected_like_a_report(files, tmp_path):
    base, _, data = files
    runner = CliRunner()
    onto_grid = runner.invoke(
        cli, ["weights", "pca", str(data), "-g", str(base), "--ignore", "candidate", "-o", str(base)]
    )
    assert onto_grid.exit_code == 2 and base.read_text(encoding="utf-8") == BASE
    other = tmp_path / "notes.toml"
    other.write_text('title = "my notes"\n', encoding="utf-8")
    refused = runner.invoke(
        cli, ["weights", "pca", str(data), "-g", str(base), "--ignore", "candidate", "-o", str(other)]
    )
    assert refused.exit_code == 2 and "refusing to replace" in refused.output
    assert other.read_text(encoding="utf-8") == 'title = "my notes"\n'
    forced = runner.invoke(
        cli, ["weights", "pca", str(data), "-g", str(base), "--ignore", "candidate", "-o", str(other), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert "[weights]" in other.read_text(encoding="utf-8")
    again = runner.invoke(
        cli, ["weights", "pca", str(data), "-g", str(base), "--ignore", "candidate", "-o", str(other)]
    )
    assert again.exit_code == 0, again.output  # a weighting file replaces an earlier one
    as_json = tmp_path / "w.json"
    done = runner.invoke(
        cli, ["weights", "pca", str(data), "-g", str(base), "--ignore", "candidate", "-o", str(as_json)]
    )
    assert done.exit_code == 0 and set(json.loads(as_json.read_text(encoding="utf-8"))["weights"]) >= {"hours"}
    scored = runner.invoke(
        cli, ["score", str(data), "-g", str(base), "--weighting", str(as_json), "--ignore", "candidate"]
    )
    assert scored.exit_code == 0, scored.output
    bad = runner.invoke(
        cli, ["weights", "pca", str(data), "-g", str(base), "--ignore", "candidate", "-o", str(tmp_path / "w.txt")]
    )
    assert bad.exit_code == 2 and "w.toml" in bad.output
