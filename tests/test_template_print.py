"""Templates people can fill and print: the portrait and framing read back, readable sheet names,
units and allowed values in the template's language, row heights, landscape A4 pages (checked
through LibreOffice's PDF export when ``soffice`` is installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

openpyxl = pytest.importorskip("openpyxl")

import vises  # noqa: E402
from vises.errors import DataValidationError  # noqa: E402
from vises.io.template_layout import IDENT_COLUMNS, IDENT_FIRST_ROW, LAYOUT_VERSION, META_SHEET  # noqa: E402
from vises.model import Family  # noqa: E402
from vises.templates.write import write_template  # noqa: E402
from vises.templates.xlsx_print import MAX_TITLE, lines_needed, sheet_title, shorten  # noqa: E402

GRID = "wallonie.cisp"


def _visible(workbook: object) -> list[object]:
    return [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def cisp(federation) -> vises.Grid:
    federation("wallonie")
    return vises.load_grid(GRID)


def _template(tmp_path: Path, grid: vises.Grid, lang: str = "fr", orgs: tuple[str, ...] = ("cisp_a",)) -> Path:
    return write_template(grid, tmp_path / f"collecte_{lang}.xlsx", lang=lang, organisations=orgs, periods=["2024"])


def _fill_identification(path: Path, rows: dict[int, dict[str, object]]) -> Path:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[workbook.sheetnames[1]]
    for block, values in rows.items():
        for key, value in values.items():
            sheet.cell(row=IDENT_FIRST_ROW + block, column=IDENT_COLUMNS[key], value=value)
    workbook.save(path)
    return path


# -- the portrait and the framing, written and read back ---------------------------------------------


def test_the_portrait_and_framing_round_trip(tmp_path: Path, cisp: vises.Grid) -> None:
    path = _template(tmp_path, cisp, orgs=("cisp_a", "cisp_b"))
    workbook = openpyxl.load_workbook(path)
    assert workbook[META_SHEET]["B1"].value == LAYOUT_VERSION
    ident = workbook[workbook.sheetnames[1]]
    headers = [ident.cell(row=IDENT_FIRST_ROW - 1, column=c).value for c in range(1, 11)]
    assert headers[3:7] == ["Nom de l'organisation", "Famille", "Région", "Taille"]
    assert headers[7].startswith("Question(s) évaluative(s)") and headers[9] == "Méthodes"
    _fill_identification(
        path,
        {
            0: {
                "name": "Les Ateliers du Sud",
                "family": "Insertion socioprofessionnelle",  # the dropdown's French word
                "region": "Hainaut",
                "size": "Petite",
                "questions": "Nos stagiaires gagnent-ils en autonomie ?\nLe réseau les accompagne-t-il ?",
                "stakeholders": "stagiaires; formateurs\nemployeurs",
                "methods": "Indicateurs; groupe de discussion; récits de vie; autre\u00a0: photolangage",
            },
            1: {"name": "L'Envol", "family": "other", "size": "12 ETP"},
        },
    )
    dataset = vises.load_data(path, grid=cisp)
    a, b = dataset.organisation_profiles["cisp_a"], dataset.organisation_profiles["cisp_b"]
    assert (a.name, a.family, a.region, a.size) == ("Les Ateliers du Sud", Family.WORK_INTEGRATION, "Hainaut", "small")
    assert (b.name, b.family, b.region, b.size) == ("L'Envol", Family.OTHER, None, "12 ETP")
    (evaluation,) = dataset.evaluations  # block 2 gave no framing
    assert (evaluation.organisation, evaluation.period) == ("cisp_a", "2024")
    assert evaluation.questions == ("Nos stagiaires gagnent-ils en autonomie ?", "Le réseau les accompagne-t-il ?")
    assert evaluation.stakeholders == ("stagiaires", "formateurs", "employeurs")
    assert evaluation.methods == ("indicators", "focus group", "life stories", "other: photolangage")
    # The profile report is titled by the organisation's name, no longer by its code.
    page = vises.render(vises.score(cisp, dataset), "markdown", lang="fr", view="profile", organisation="cisp_a")
    assert "Les Ateliers du Sud" in page.splitlines()[0]


def test_every_framing_problem_is_reported_with_its_cell(tmp_path: Path, cisp: vises.Grid) -> None:
    path = _template(tmp_path, cisp, orgs=("cisp_a",))
    workbook = openpyxl.load_workbook(path)
    # A second period of the same organisation: its portrait must agree with the first block's.
    path = write_template(cisp, tmp_path / "two.xlsx", lang="en", organisations=["cisp_a"], periods=["2023", "2024"])
    _fill_identification(
        path,
        {
            0: {"name": "Centre A", "family": "cooperative", "methods": "survey; séance photo"},
            1: {"name": "Centre B"},
        },
    )
    with pytest.raises(DataValidationError) as caught:
        vises.load_data(path, grid=cisp)
    problems = caught.value.problems
    assert len(problems) == 3, str(caught.value)
    by_column = {problem.column: problem for problem in problems}
    assert "'cooperative' is not an enterprise family" in str(by_column["E (family)"])
    assert "unknown data-collection method 'séance photo'" in str(by_column["J (methods)"])
    assert "'Centre B' here but 'Centre A' in block 1" in str(by_column["D (name)"])
    assert {problem.row for problem in problems} == {IDENT_FIRST_ROW, IDENT_FIRST_ROW + 1}
    assert all(problem.sheet == "Identification" for problem in problems)
    workbook.close()


def test_a_layout_1_template_still_reads(tmp_path: Path, cisp: vises.Grid) -> None:
    path = _template(tmp_path, cisp)
    workbook = openpyxl.load_workbook(path)
    workbook[META_SHEET]["B1"] = "vises-template/1"
    ident = workbook[workbook.sheetnames[1]]
    ident.cell(row=IDENT_FIRST_ROW, column=IDENT_COLUMNS["period"], value="2024")
    workbook.save(path)
    dataset = vises.load_data(path, grid=cisp)
    assert dataset.organisation_profiles == {} and dataset.evaluations == ()
    workbook[META_SHEET]["B1"] = "vises-template/9"
    workbook.save(path)
    with pytest.raises(vises.DataError, match="vises-template/1, vises-template/2"):
        vises.load_data(path, grid=cisp)


# -- sheet names ------------------------------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from("abcdé ,'-"), min_size=1, max_size=80))
def test_shortened_titles_never_cut_a_word(text: str) -> None:
    short = shorten(text)
    assert len(short) <= MAX_TITLE
    if short == text:
        return
    assert short.endswith("…")
    kept = short[:-1]
    words = text.split()
    # What is kept is whole words of the original (or, for a single word too long to fit, its start).
    assert text.startswith(kept)
    if words and len(words[0]) < MAX_TITLE:
        assert text[len(kept)] in " ,;-–—:(" or kept.rstrip() != kept or text[len(kept) :].startswith(" ")


def test_sheet_titles_are_numbered_unique_and_cut_between_words() -> None:
    taken: set[str] = set()
    long = "Gestion administrative et financière de la structure d'insertion"
    first = sheet_title(long, taken, number=3)
    assert first == "3 Gestion administrative et…" and len(first) <= MAX_TITLE
    second = sheet_title(long, taken, number=3)
    assert second != first and len(second) <= MAX_TITLE and " (2)" in second
    assert sheet_title("a/b: c?", taken) == "a b c"


def test_the_cisp_sheets_have_readable_names(tmp_path: Path, cisp: vises.Grid) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, cisp, lang="fr"))
    titles = [sheet.title for sheet in _visible(workbook)]
    assert titles[:2] == ["Instructions", "Identification"]
    assert "2 Accompagnement social" in titles
    for number, title in enumerate(titles[2:], start=1):
        assert title.startswith(f"{number} ") and len(title) <= MAX_TITLE
        label = workbook[title]["A1"].value
        assert label.startswith(title.removesuffix("…").removeprefix(f"{number} ").rstrip())


# -- the template's language ------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "expected"), [("fr", "heures / ETP"), ("nl", "uren / VTE"), ("en", "hours / FTE")])
def test_units_are_in_the_template_language(tmp_path: Path, cisp: vises.Grid, lang: str, expected: str) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, cisp, lang=lang))
    units = {}
    for sheet in _visible(workbook)[2:]:
        for row in range(5, sheet.max_row + 1):
            if sheet.cell(row=row, column=1).value:
                units[sheet.cell(row=row, column=1).value] = sheet.cell(row=row, column=4).value
    assert units["staff_training"] == expected
    assert units["own_income_share"] == "%"
    if lang != "en":
        assert "hour / FTE" not in units.values() and "percent" not in units.values()


def test_allowed_values_use_the_language_s_numbers(tmp_path: Path) -> None:
    grid = vises.Grid(
        code="t",
        version="1",
        languages=("fr", "nl", "en"),
        nodes=(vises.Node(code="root"), vises.Node(code="d", parent="root")),
        indicators=(vises.Indicator(code="rate", parent="d", unit="percent", minimum=0.5, maximum=12.25),),
    )
    for lang, text in (("fr", "0,5 et 12,25"), ("nl", "0,5 en 12,25"), ("en", "0.5 and 12.25")):
        workbook = openpyxl.load_workbook(write_template(grid, tmp_path / f"{lang}.xlsx", lang=lang))
        allowed = workbook[workbook.sheetnames[2]]["E5"].value
        assert text in allowed, allowed
        validation = workbook[workbook.sheetnames[2]].data_validations.dataValidation[0]
        assert (validation.formula1, validation.formula2) == ("0.5", "12.25")  # formulas keep the decimal point


# -- the page: row heights, landscape A4, print titles ----------------------------------------------


def test_rows_are_as_tall_as_their_wrapped_text(tmp_path: Path, cisp: vises.Grid) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, cisp))
    checked = 0
    for sheet in _visible(workbook)[2:]:
        widths = {column: sheet.column_dimensions[letter].width for column, letter in enumerate("ABCDEFG", start=1)}
        for row in range(5, sheet.max_row + 1):
            needed = max(
                lines_needed(cell.value, widths[cell.column])
                for cell in sheet[row][:7]
                if isinstance(cell.value, str) and cell.value
            )
            height = sheet.row_dimensions[row].height
            if needed > 1:
                assert height is not None and height >= 15 * needed, (sheet.title, row)
                checked += 1
    assert checked >= 5


def test_every_sheet_prints_landscape_a4_one_page_wide(tmp_path: Path, cisp: vises.Grid) -> None:
    workbook = openpyxl.load_workbook(_template(tmp_path, cisp))
    for sheet in _visible(workbook):
        setup = sheet.page_setup
        assert (setup.orientation, int(setup.paperSize), int(setup.fitToWidth), int(setup.fitToHeight)) == (
            "landscape",
            9,  # A4
            1,
            0,
        ), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in sheet.oddFooter.right.text
    dimension = _visible(workbook)[2]
    assert dimension.print_title_rows == "$3:$4"
    assert _visible(workbook)[1].print_title_rows == "$2:$2"


def _page_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) of each page of a PDF LibreOffice wrote (pages are plain objects there)."""
    boxes = []
    for page in re.finditer(rb"/Type\s*/Page\b(?!s)", pdf):
        start = pdf.rfind(b" obj", 0, page.start())
        end = pdf.find(b"endobj", page.end())
        found = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf[start:end])
        assert found, "a page without its MediaBox"
        x0, y0, x1, y1 = (float(v) for v in found.groups())
        boxes.append((x1 - x0, y1 - y0))
    return boxes


def test_the_cisp_template_prints_on_one_landscape_page_per_sheet(tmp_path: Path, cisp: vises.Grid) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: the PDF export cannot be checked")
    path = _template(tmp_path, cisp)
    profile = tmp_path / "lo-profile"  # a private profile: parallel runs never share LibreOffice's lock
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    pdf = path.with_suffix(".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    boxes = _page_boxes(pdf.read_bytes())
    sheets = len(_visible(openpyxl.load_workbook(path)))
    # One block: every sheet (instructions, identification, seven dimensions of at most seven
    # indicators) fits one page wide and one page tall, so the workbook prints on exactly one
    # page per sheet: nine pages, where the template without page setup printed on thirty.
    assert len(boxes) == sheets == 9
    for width, height in boxes:
        assert width > height, "a portrait page"
        assert abs(width - 841.9) < 2 and abs(height - 595.3) < 2, "not A4"
