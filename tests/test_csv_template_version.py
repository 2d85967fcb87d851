"""CSV templates carry their grid and version, as xlsx templates do.

``vises template --format csv`` writes ``# vises template: grid=<code> version=<version>`` as the
first line; both CSV readers (pyarrow and the csv module) recognise it there only, skip it, keep
rows in messages on the file's own lines, and check it against the grid: the same version reads
silently, another version reads with one warning naming both versions and the indicators dropped
and added, another grid is refused. The round applies it to CSV submissions too.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vises
from vises import Grid, Indicator, Kind, Level, Node
from vises.cli import main
from vises.io.csv_data import read_csv, read_header
from vises.io.grid_files import write_grid
from vises.io.template_line import TemplateLine, format_template_line, read_template_line
from vises.templates.write import write_template

ENGINES = ["arrow", "python"]


def versioned(version: str, codes: tuple[str, ...], code: str = "centres") -> Grid:
    return Grid(
        code=code,
        version=version,
        languages=("fr", "en"),
        nodes=(Node(code="root"), Node(code="work", parent="root")),
        indicators=tuple(
            Indicator(code=name, parent="work", kind=Kind.SCALE, levels=tuple(Level(value=v) for v in "123"))
            if name == "climate"
            else Indicator(code=name, parent="work", unit="person")
            for name in codes
        ),
    )


OLD = versioned("2025.1", ("jobs", "trainees", "climate"))
NEW = versioned("2026.1", ("jobs", "climate", "volunteers"))


def engine_param(engine: str) -> str:
    if engine == "arrow":
        pytest.importorskip("pyarrow")
    return engine


def filled(path: Path, grid: Grid, rows: list[str], *, newline: str = "\r\n") -> Path:
    """A CSV template of ``grid`` written by vises, its data rows replaced by ``rows``."""
    write_template(grid, path, format="csv")
    line, header = path.read_text(encoding="utf-8").splitlines()[:2]
    path.write_bytes(newline.join([line, header, *rows, ""]).encode("utf-8"))
    return path


def data_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, vises.DataWarning)]


# --- the line ------------------------------------------------------------------------------------


def test_the_template_writes_the_line_and_a_filled_one_reads_back_with_its_version(tmp_path: Path) -> None:
    grid_file = write_grid(OLD, tmp_path / "grid.toml")
    path = tmp_path / "collecte.csv"
    with pytest.raises(SystemExit) as done:
        main(["template", "-g", str(grid_file), "--format", "csv", "-o", str(path), "--organisation", "c1"])
    assert done.value.code in (0, None)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# vises template: grid=centres version=2025.1"
    assert lines[1] == "organisation,period,jobs [person],trainees [person],climate"
    lines[2] = "c1,2025,4,12,2"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_header(path).template == TemplateLine(grid="centres", version="2025.1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = vises.load_data(path, grid=OLD)
    assert not data_warnings(caught), "the same version reads without a word"
    assert data.organisations.tolist() == ["c1"] and data.columns["jobs"].values.tolist() == [4.0]
    assert data.columns["climate"].values.tolist() == ["2"] and not data.attributes
    with pytest.raises(SystemExit) as checked:
        main(["validate", str(path), "-g", str(grid_file)])
    assert checked.value.code in (0, None)


@pytest.mark.parametrize(
    "first",
    [
        "# vises template: grid=centres version=2025.1,,,,",  # a spreadsheet pads the line to the header's width
        '"# vises template: grid=centres version=2025.1";;;;',  # quoted, ';' (Excel in Belgium)
        "\ufeff#Vises Template:  grid=centres   version=2025.1\t",  # a BOM, any case, more spaces
    ],
)
@pytest.mark.parametrize("engine", ENGINES)
def test_the_line_as_a_spreadsheet_saves_it_again(tmp_path: Path, first: str, engine: str) -> None:
    delimiter = ";" if ";" in first else ","
    header = delimiter.join(["organisation", "period", "jobs [person]", "trainees [person]", "climate"])
    path = tmp_path / "saved.csv"
    path.write_bytes(f"{first}\r\n{header}\r\nc1{delimiter}2025{delimiter}4{delimiter}{delimiter}3\r\n".encode())
    data = read_csv(path, grid=OLD, engine=engine_param(engine))
    assert read_header(path).template == TemplateLine(grid="centres", version="2025.1")
    assert data.columns["jobs"].values.tolist() == [4.0] and data.columns["climate"].values.tolist() == ["3"]


@settings(max_examples=60, deadline=None)
@given(code=st.text(min_size=1, max_size=30).filter(str.strip), version=st.none() | st.text(min_size=1, max_size=20))
def test_any_grid_code_and_version_make_one_safe_cell_that_reads_back(code: str, version: str | None) -> None:
    line = format_template_line(code, version)
    assert "\n" not in line and "\r" not in line and not set(line) & set(',;\t"')
    assert read_template_line(line + "\r\nrest") == TemplateLine(grid=code, version=version)


@pytest.mark.parametrize(
    ("first", "why"),
    [
        ("# vises template: version=2025.1", "names no grid"),
        ("# vises template: grid=centres layout=9", "key 'layout'"),
        ("# vises template: grid=centres grid=other", "gives grid twice"),
        ("# vises template: grid", "not key=value"),
        ("# vises template: grid=%FF", "not UTF-8"),
        ('# vises template: grid="centres"', "one cell"),
    ],
)
def test_a_damaged_line_is_refused_naming_the_line(tmp_path: Path, first: str, why: str) -> None:
    path = tmp_path / "damaged.csv"
    path.write_text(f"{first}\norganisation,period,jobs\nc1,2025,1\n", encoding="utf-8")
    with pytest.raises(vises.ConfigError, match=re.escape(why)) as refused:
        vises.load_data(path, grid=OLD)
    assert refused.value.row == 1 and refused.value.file == str(path)
    assert "vises template --format csv" in str(refused.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_line_counts_only_at_the_top(tmp_path: Path, engine: str) -> None:
    engine = engine_param(engine)
    # Lower down it is a data row like any other; a '#' in cells and headers is what it always was.
    path = tmp_path / "plain.csv"
    path.write_text(
        "organisation,period,jobs [person],jobs#comment\n"
        "c1,2025,4,#1 of 3\n"
        "# vises template: grid=other version=9,2025,5,\n",
        encoding="utf-8",
    )
    data = read_csv(path, grid=NEW, engine=engine, keep_problems=True)
    assert read_header(path).template is None
    assert data.organisations.tolist() == ["c1", "# vises template: grid=other version=9"]
    assert data.text["jobs"][0] == "#1 of 3"
    assert data.columns["jobs"].values.tolist() == [4.0, 5.0]
    # Another first line starting with '#' is the header, as before (so the file does not read).
    other = tmp_path / "other.csv"
    other.write_text("# notes from the centre\norganisation,period,jobs\nc1,2025,4\n", encoding="utf-8")
    assert read_header(other).template is None and read_header(other).cells == ("# notes from the centre",)
    with pytest.raises(vises.VisesError):
        read_csv(other, grid=NEW, engine=engine)


# --- versions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_newer_grid_reads_an_older_csv_template_and_says_what_changed(tmp_path: Path, engine: str) -> None:
    path = filled(tmp_path / "old.csv", OLD, ["c1,2025,4,12,2", "c2,2025,5,,3"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = read_csv(path, grid=NEW, engine=engine_param(engine))
    [note] = data_warnings(caught)
    assert note.startswith(f"file {str(path)!r}: the template was made for version 2025.1 of grid 'centres'")
    assert "read with version 2026.1" in note
    assert "indicators dropped since: trainees" in note
    assert "the values given for trainees (column 'trainees [person]') are not read" in note
    assert "indicators added since: volunteers (missing in this template)" in note
    assert data.columns["jobs"].values.tolist() == [4.0, 5.0]
    assert data.columns["climate"].values.tolist() == ["2", "3"]
    assert data.columns["volunteers"].missing().all(), "added since: missing for the template's rows"
    assert "trainees" not in data.columns and "trainees" not in data.attributes and not data.read_problems
    assert data.ignored == ()
    # Dropped but left empty: named as dropped, no values said to be lost.
    empty = filled(tmp_path / "empty.csv", OLD, ["c1,2025,4,,2"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_csv(empty, grid=NEW, engine=engine)
    [note] = data_warnings(caught)
    assert "indicators dropped since: trainees" in note and "values given" not in note


def test_the_xlsx_and_csv_templates_say_it_in_the_same_words(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    csv_path = filled(tmp_path / "old.csv", OLD, ["c1,2025,4,,2"])
    xlsx_path = write_template(OLD, tmp_path / "old.xlsx", organisations=["c1"], periods=["2025"])
    book = openpyxl.load_workbook(xlsx_path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=5):
            if row[0].value in ("jobs", "climate"):
                sheet.cell(row=row[0].row, column=6, value={"jobs": 4, "climate": "2"}[row[0].value])
    book.save(xlsx_path)
    notes = []
    for path in (csv_path, xlsx_path):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            vises.load_data(path, grid=NEW)
        [note] = data_warnings(caught)
        notes.append(note.replace(str(path), "F"))
    assert notes[0] == notes[1]


def test_another_grids_csv_template_is_refused_and_the_same_version_keeps_unknown_columns_a_problem(
    tmp_path: Path,
) -> None:
    path = filled(tmp_path / "old.csv", OLD, ["c1,2025,4,12,2"])
    other = versioned("2025.1", ("jobs", "trainees", "climate"), code="elsewhere")
    with pytest.raises(vises.DataError, match=r"made for grid 'centres' \(version 2025\.1\), not 'elsewhere'") as no:
        vises.load_data(path, grid=other)
    assert no.value.file == str(path) and "--grid centres" in str(no.value)
    # The same version: a column the grid does not know is a problem, as in any data file.
    same = versioned("2025.1", ("jobs", "climate"))
    with pytest.raises(vises.DataValidationError, match="'trainees' is not an indicator of grid 'centres'"):
        vises.load_data(path, grid=same)
    # No line: a plain data file under the newer grid, exactly as before (the unknown column a problem).
    plain = tmp_path / "plain.csv"
    plain.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[1:]) + "\n", encoding="utf-8")
    with pytest.raises(vises.DataValidationError, match="'trainees' is not an indicator of grid 'centres'"):
        vises.load_data(plain, grid=NEW)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert vises.load_data(plain, grid=NEW, ignore=["trainees"]).ignored == ("trainees",)
    assert not data_warnings(caught)


# --- rows in messages ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    units=st.booleans(),
    blanks=st.lists(st.integers(min_value=0, max_value=5), max_size=3),
    bad=st.integers(min_value=0, max_value=5),
    template=st.booleans(),
    engine=st.sampled_from(ENGINES),
)
def test_a_row_in_a_message_is_the_line_of_the_file(
    tmp_path_factory: pytest.TempPathFactory, units: bool, blanks: list[int], bad: int, template: bool, engine: str
) -> None:
    engine = engine_param(engine)
    lines = [format_template_line("centres", "2026.1")] if template else []
    lines.append("organisation,period,jobs,climate")
    if units:
        lines.append("unit,,person,")
    data = [f"c{i},2025,{'many' if i == bad else i},1" for i in range(6)]
    for position in sorted(blanks, reverse=True):
        data.insert(position, "")
    lines += data
    path = tmp_path_factory.mktemp("rows") / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    dataset = read_csv(path, grid=NEW, engine=engine, keep_problems=True)
    [problem] = [p for p in dataset.read_problems if p.column == "jobs"]
    assert problem.row == lines.index(f"c{bad},2025,many,1") + 1


@pytest.mark.parametrize("engine", ENGINES)
def test_rows_stay_right_when_the_csv_module_reads_an_irregular_template(tmp_path: Path, engine: str) -> None:
    # A row with more cells than the header: pyarrow gives up, the csv module reads it and says where.
    path = filled(tmp_path / "t.csv", NEW, ["c1,2025,1,2,3", "c2,2025,1,2,3,4"])
    with pytest.raises(vises.DataValidationError) as refused:
        read_csv(path, grid=NEW, engine=engine_param(engine))
    [problem] = refused.value.problems
    assert problem.row == 4 and "6 cells but the header has 5" in problem.message


# --- through the command line and the round --------------------------------------------------------


def test_validate_and_score_say_what_changed_and_refuse_another_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_grid = write_grid(NEW, tmp_path / "new.toml")
    path = filled(tmp_path / "old.csv", OLD, ["c1,2025,4,12,2", "c2,2025,5,,3"])
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path), "-g", str(new_grid)])
    err = capsys.readouterr().err
    assert done.value.code in (0, None), err
    assert "made for version 2025.1" in err and "dropped since: trainees" in err and "added since: volunteers" in err
    with pytest.raises(SystemExit) as done:
        main(["score", str(path), "-g", str(new_grid), "--format", "csv", "-o", str(tmp_path / "scores.csv")])
    assert done.value.code in (0, None)
    assert "dropped since: trainees" in capsys.readouterr().err
    assert (tmp_path / "scores.csv").is_file()
    other = write_grid(versioned("2026.1", ("jobs",), code="elsewhere"), tmp_path / "other.toml")
    for command in ("validate", "score"):
        with pytest.raises(SystemExit) as refused:
            main([command, str(path), "-g", str(other)])
        assert refused.value.code not in (0, None)
        assert "made for grid 'centres' (version 2025.1), not 'elsewhere'" in capsys.readouterr().err


def test_the_round_reads_csv_templates_of_an_older_version_and_refuses_another_grids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_grid = write_grid(NEW, tmp_path / "new.toml")
    folder = tmp_path / "submissions"
    folder.mkdir()
    filled(folder / "c1.csv", OLD, ["c1,2025,4,12,2"])
    filled(folder / "c2.csv", NEW, ["c2,2025,5,1,3", "c3,2025,6,3,1", "c4,2025,7,2,2"])
    report = vises.run_round(folder, grid=NEW, output=tmp_path / "round", secret="x" * 20)
    [note] = [note for note in report.warnings if "dropped since" in note]
    assert str(folder / "c1.csv") in note and "the values given for trainees (column 'trainees [person]')" in note
    assert "added since: volunteers" in note
    assert sorted(set(report.results.organisations.tolist())) == ["c1", "c2", "c3", "c4"]
    # Another grid's template and a bad cell in another file: both reported, each with its file.
    filled(folder / "c5.csv", versioned("1", ("jobs",), code="elsewhere"), ["c5,2025,1"])
    filled(folder / "c6.csv", NEW, ["c6,2025,many,1,1"])
    with pytest.raises(SystemExit) as refused:
        main(
            [
                "round",
                str(folder),
                "-g",
                str(new_grid),
                "-o",
                str(tmp_path / "round2"),
                "--secret-file",
                _secret(tmp_path),
            ]
        )
    assert refused.value.code not in (0, None)
    err = capsys.readouterr().err
    assert "c5.csv" in err and "made for grid 'elsewhere' (version 1), not 'centres'" in err
    assert "c6.csv" in err and "row 3" in err and "many" in err
    assert not (tmp_path / "round2").exists()


def _secret(tmp_path: Path) -> str:
    path = tmp_path / "federation.secret"
    path.write_text("kept-by-the-federation-staff-0123456789\n", encoding="utf-8")
    return str(path)


def test_the_dask_engine_refuses_a_csv_template_by_name(tmp_path: Path) -> None:
    pytest.importorskip("dask.dataframe")
    from vises.dask.read import read_folder

    folder = tmp_path / "folder"
    folder.mkdir()
    filled(folder / "t.csv", NEW, ["c1,2025,1,2,3"])
    with pytest.raises(vises.DataValidationError, match="CSV template") as refused:
        read_folder(folder)
    assert refused.value.problems[0].file == str(folder / "t.csv")


def test_an_added_context_indicator_is_missing_and_an_added_derived_one_computed_in_both_templates(
    tmp_path: Path,
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import attrs

    newer = attrs.evolve(
        NEW,
        indicators=(
            *NEW.indicators,
            Indicator(code="staff", parent="work", unit="person", context=True),
            Indicator(code="double_jobs", parent="work", unit="person", formula="jobs * 2"),
        ),
    )
    csv_path = filled(tmp_path / "old.csv", OLD, ["c1,2025,4,,2"])
    xlsx_path = write_template(OLD, tmp_path / "old.xlsx", organisations=["c1"], periods=["2025"])
    book = openpyxl.load_workbook(xlsx_path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=5):
            if row[0].value == "jobs":
                sheet.cell(row=row[0].row, column=6, value=4)
    book.save(xlsx_path)
    for path in (csv_path, xlsx_path):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            problems = vises.validate_data(newer, path)
        [note] = data_warnings(caught)
        assert not problems, problems
        assert "added since: volunteers, staff (missing in this template)" in note, "a derived one is computed"
        with pytest.warns(vises.DataWarning, match="added since"):
            data = vises.load_data(path, grid=newer)
        assert data.columns["staff"].missing().all() and "double_jobs" not in data.columns


def test_a_dropped_indicator_left_out_on_request_is_still_named_as_dropped(tmp_path: Path) -> None:
    path = filled(tmp_path / "old.csv", OLD, ["c1,2025,4,12,2"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = vises.load_data(path, grid=NEW, ignore=["trainees"])
    [note] = data_warnings(caught)
    assert "indicators dropped since: trainees;" in note and "values given" not in note
    assert data.ignored == ("trainees",) and "trainees" not in data.attributes


def _saved_as_xlsx(csv_path: Path, xlsx_path: Path) -> Path:
    """The CSV file as a spreadsheet saves it as xlsx: the metadata line in A1, numbers as numbers."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for line in csv_path.read_text(encoding="utf-8").splitlines():
        cells = [line] if line.startswith("#") else line.split(",")
        sheet.append([float(c) if c.replace(".", "", 1).isdigit() and i > 1 else c for i, c in enumerate(cells)])
    book.save(xlsx_path)
    return xlsx_path


def test_a_csv_template_saved_as_xlsx_keeps_its_line_in_a1_and_its_checks(tmp_path: Path) -> None:
    """Opened in Excel and saved as .xlsx, the template's line sits in A1: the header is row 2, the
    version is checked as in the CSV file, and rows in messages are the sheet's rows."""
    same = _saved_as_xlsx(filled(tmp_path / "same.csv", NEW, ["c1,2026,4,2,1"]), tmp_path / "same.xlsx")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = vises.load_data(same, grid=NEW)
    assert not data_warnings(caught)
    assert data.columns["jobs"].values.tolist() == [4.0] and list(data.organisations) == ["c1"]
    old = _saved_as_xlsx(filled(tmp_path / "old.csv", OLD, ["c1,2025,4,12,2"]), tmp_path / "old.xlsx")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = vises.load_data(old, grid=NEW)
    [note] = data_warnings(caught)
    assert "made for version 2025.1" in note and "indicators dropped since: trainees" in note
    assert "volunteers" in data.columns and "trainees" not in data.columns
    other = _saved_as_xlsx(
        filled(tmp_path / "other.csv", versioned("1", ("jobs",), code="other"), ["c1,2026,4"]), tmp_path / "other.xlsx"
    )
    with pytest.raises(vises.VisesError, match="made for grid 'other'"):
        vises.load_data(other, grid=NEW)
    bad = _saved_as_xlsx(
        filled(tmp_path / "bad.csv", NEW, ["c1,2026,4,2,1", "c2,2026,lots,2,1"]), tmp_path / "bad.xlsx"
    )
    with pytest.raises(vises.DataValidationError) as refused:
        vises.load_data(bad, grid=NEW)
    [problem] = refused.value.problems
    assert problem.row == 4 and problem.column == "jobs"  # line 1, header 2, c1 on 3, c2 on 4


@pytest.mark.parametrize("engine", ENGINES)
def test_a_column_without_a_name_is_on_the_header_row_below_the_line(tmp_path: Path, engine: str) -> None:
    """With the metadata line, the header is row 2: a message about the header says row 2."""
    path = filled(tmp_path / "t.csv", NEW, ["c1,2026,4,2,1,9"])
    line, header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([line, header + ",", *rows, ""]), encoding="utf-8")
    data = read_csv(path, grid=NEW, engine=engine_param(engine), keep_problems=True)
    [problem] = [p for p in data.read_problems if "no name in the header" in str(p)]
    assert problem.row == 2
    empty = tmp_path / "empty.csv"
    empty.write_text(line + "\n,,\nc1,2026,4\n", encoding="utf-8")
    with pytest.raises(vises.VisesError, match="no column names") as refused:
        read_csv(empty, grid=NEW, engine=engine_param(engine))
    problems = getattr(refused.value, "problems", None) or [refused.value]
    assert problems[0].row == 2
