"""Data-collection templates: the workbook a federation sends to its centres, and its CSV twin.

The xlsx template is meant to be filled by hand in Excel or LibreOffice *and* read back without
guessing, so its layout is fixed and recorded in a hidden metadata sheet (``_vises``) that
``vises.io.xlsx_data.read_xlsx`` trusts instead of the visible, translated sheet names:

* an instructions sheet, in the chosen language;
* an identification sheet: one line per *block* (block number, organisation, period);
* one sheet per top-level dimension: one row per indicator (code in column A, then label,
  definition, unit, allowed values), and for every block two columns: the value and a
  comment/evidence cell. Sub-dimensions appear as heading rows with an empty column A;
* hidden ``_lists`` sheet holding the dropdown choices.

Docs: docs/templates.md. Nothing heavy is imported at module level: this module is loaded with the
plugin registry, openpyxl only when a workbook is written.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from .errors import ConfigError, MissingDependencyError
from .hookspecs import hookimpl
from .io.atomic import write_bytes_atomic
from .io.tokens import NA_TOKENS, NO_TOKENS, YES_TOKENS  # noqa: F401  (kept importable from here)
from .model import Grid, Indicator, Kind, Node, label_in

#: Recorded in the metadata sheet; the reader refuses layouts it does not know.
LAYOUT_VERSION = "vises-template/1"
META_SHEET = "_vises"
LISTS_SHEET = "_lists"
#: Row holding the block headers (organisation · period) on a dimension sheet.
BLOCK_ROW = 3
#: Row holding the column headers on a dimension sheet.
HEADER_ROW = 4
#: First indicator row on a dimension sheet.
FIRST_ROW = 5
#: Columns A–E describe the indicator; blocks start at column F (6).
FIRST_BLOCK_COLUMN = 6
#: First block line on the identification sheet (row 2 holds the headers).
IDENT_FIRST_ROW = 3

TEMPLATE_LANGUAGES = ("fr", "nl", "en")
FORMATS = ("xlsx", "csv")


#: The words of the template, per language.
TEXT: dict[str, dict[str, Any]] = {
    "fr": {
        "yes": "oui", "no": "non", "na": "s.o.",
        "instructions": "Instructions", "identification": "Identification", "general": "Général",
        "code": "Code", "indicator": "Indicateur", "definition": "Définition", "unit": "Unité",
        "allowed": "Valeurs admises", "value": "Valeur", "comment": "Commentaire / preuve",
        "block": "Bloc", "organisation": "Organisation", "period": "Période",
        "number": "nombre", "between": "nombre entre {lo} et {hi}", "at_least": "nombre ≥ {lo}",
        "at_most": "nombre ≤ {hi}", "free_text": "texte libre", "choose": "choisir dans la liste",
        "or_na": "ou « {na} » si sans objet",
        "sheet_hint": "Remplissez une colonne « Valeur » par bloc (voir l'onglet Identification). Ne modifiez pas la colonne Code.",
        "title": "Collecte de données — grille {grid} (version {version})",
        "lines": [
            "Ce classeur sert à collecter les données d'une ou de plusieurs organisations pour la grille ci-dessus.",
            "1. Onglet « Identification » : chaque bloc correspond à une organisation et une période. Complétez les cases vides.",
            "2. Un onglet par dimension : une ligne par indicateur. Saisissez la valeur dans la colonne « Valeur » du bloc concerné.",
            "3. Nombres : saisissez-les dans l'unité indiquée (colonne « Unité »), sans texte ; pour un pourcentage, tapez 45 pour 45 %.",
            "4. Échelles, oui/non et catégories : choisissez dans la liste déroulante.",
            "5. Case vide = donnée manquante (on ne sait pas). « s.o. » = sans objet (l'indicateur ne s'applique pas à votre organisation) ;",
            "   une donnée sans objet n'est pas comptée comme manquante. Pour un nombre, Excel avertit : confirmez pour garder « s.o. ».",
            "6. Colonne « Commentaire / preuve » : précisions, source du chiffre, lien vers un document, témoignage.",
            "7. Indicateurs narratifs : écrivez librement dans la case « Valeur ».",
            "8. Ne renommez pas, ne supprimez pas et ne déplacez pas les colonnes ni les codes ; n'ajoutez pas d'onglet.",
            "9. Renvoyez le fichier complété à votre fédération. Elle le lira avec : vises validate fichier.xlsx --grid {grid}",
        ],
    },
    "nl": {
        "yes": "ja", "no": "nee", "na": "n.v.t.",
        "instructions": "Instructies", "identification": "Identificatie", "general": "Algemeen",
        "code": "Code", "indicator": "Indicator", "definition": "Definitie", "unit": "Eenheid",
        "allowed": "Toegelaten waarden", "value": "Waarde", "comment": "Opmerking / bewijs",
        "block": "Blok", "organisation": "Organisatie", "period": "Periode",
        "number": "getal", "between": "getal tussen {lo} en {hi}", "at_least": "getal ≥ {lo}",
        "at_most": "getal ≤ {hi}", "free_text": "vrije tekst", "choose": "kies uit de lijst",
        "or_na": "of '{na}' indien niet van toepassing",
        "sheet_hint": "Vul per blok een kolom 'Waarde' in (zie het tabblad Identificatie). Wijzig de kolom Code niet.",
        "title": "Gegevensverzameling — raster {grid} (versie {version})",
        "lines": [
            "Dit werkboek verzamelt de gegevens van een of meer organisaties voor het raster hierboven.",
            "1. Tabblad 'Identificatie': elk blok is één organisatie en één periode. Vul de lege vakjes in.",
            "2. Eén tabblad per dimensie: één rij per indicator. Vul de waarde in de kolom 'Waarde' van het juiste blok in.",
            "3. Getallen: in de vermelde eenheid (kolom 'Eenheid'), zonder tekst; voor een percentage typt u 45 voor 45 %.",
            "4. Schalen, ja/nee en categorieën: kies uit de keuzelijst.",
            "5. Leeg vakje = ontbrekend gegeven (onbekend). 'n.v.t.' = niet van toepassing (de indicator geldt niet voor uw organisatie);",
            "   een n.v.t.-gegeven telt niet als ontbrekend. Bij een getal waarschuwt Excel: bevestig om 'n.v.t.' te behouden.",
            "6. Kolom 'Opmerking / bewijs': toelichting, bron van het cijfer, link naar een document, getuigenis.",
            "7. Narratieve indicatoren: schrijf vrij in het vakje 'Waarde'.",
            "8. Hernoem, verwijder of verplaats geen kolommen of codes; voeg geen tabbladen toe.",
            "9. Stuur het ingevulde bestand terug naar uw federatie. Die leest het met: vises validate bestand.xlsx --grid {grid}",
        ],
    },
    "en": {
        "yes": "yes", "no": "no", "na": "n/a",
        "instructions": "Instructions", "identification": "Identification", "general": "General",
        "code": "Code", "indicator": "Indicator", "definition": "Definition", "unit": "Unit",
        "allowed": "Allowed values", "value": "Value", "comment": "Comment / evidence",
        "block": "Block", "organisation": "Organisation", "period": "Period",
        "number": "number", "between": "number between {lo} and {hi}", "at_least": "number ≥ {lo}",
        "at_most": "number ≤ {hi}", "free_text": "free text", "choose": "choose from the list",
        "or_na": "or '{na}' if not applicable",
        "sheet_hint": "Fill one 'Value' column per block (see the Identification sheet). Do not change the Code column.",
        "title": "Data collection — grid {grid} (version {version})",
        "lines": [
            "This workbook collects the data of one or more organisations for the grid above.",
            "1. 'Identification' sheet: each block is one organisation and one period. Fill in the empty cells.",
            "2. One sheet per dimension: one row per indicator. Enter the value in the 'Value' column of the right block.",
            "3. Numbers: in the unit shown (column 'Unit'), without text; for a percentage type 45 for 45 %.",
            "4. Scales, yes/no and categories: pick from the dropdown list.",
            "5. Empty cell = missing (not known). 'n/a' = not applicable (the indicator does not apply to your organisation);",
            "   a not-applicable value does not count as missing. For a number Excel warns you: confirm to keep 'n/a'.",
            "6. 'Comment / evidence' column: details, source of the figure, link to a document, testimony.",
            "7. Narrative indicators: write freely in the 'Value' cell.",
            "8. Do not rename, delete or move columns or codes; do not add sheets.",
            "9. Send the filled file back to your federation, which reads it with: vises validate file.xlsx --grid {grid}",
        ],
    },
}


@attrs.frozen(kw_only=True)
class SheetPlan:
    """One dimension sheet: the node it covers and its rows (headings and indicators), in order."""

    title: str
    node: str
    rows: tuple[Node | Indicator, ...]


def check_template_lang(lang: str) -> str:
    chosen = str(lang).strip().lower()
    if chosen not in TEMPLATE_LANGUAGES:
        raise ConfigError(
            f"unknown template language {lang!r}",
            hint=f"choose one of {', '.join(TEMPLATE_LANGUAGES)}",
        )
    return chosen


def _safe_title(text: str, taken: set[str]) -> str:
    """An Excel-valid, unique sheet title (≤ 31 characters, none of []:*?/\\)."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in text).strip().strip("'") or "sheet"
    base = cleaned[:31]
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.casefold())
    return title


def _descend(grid: Grid, code: str) -> Iterator[Node | Indicator]:
    """Depth-first: sub-dimension headings, each followed by what lies below it; indicators in order."""
    for child in grid.children(code):
        if isinstance(child, Node):
            yield child
            yield from _descend(grid, child.code)
        else:
            yield child


def plan_sheets(grid: Grid, lang: str, taken: set[str]) -> list[SheetPlan]:
    """One sheet per top-level dimension, plus one for indicators hanging directly from the root."""
    root = grid.root
    words = TEXT[lang]
    plans = []
    direct = [child for child in grid.children(root.code) if isinstance(child, Indicator)]
    if direct:
        plans.append(SheetPlan(title=_safe_title(words["general"], taken), node=root.code, rows=tuple(direct)))
    for child in grid.children(root.code):
        if isinstance(child, Node):
            rows = tuple(_descend(grid, child.code))
            plans.append(SheetPlan(title=_safe_title(child.label_in(lang), taken), node=child.code, rows=rows))
    return plans


def blocks(organisations: Sequence[str] | None, periods: Sequence[str] | None) -> list[tuple[str, str]]:
    """The (organisation, period) pairs to prepare; an unknown part stays empty for the centre to fill."""
    orgs = list(organisations) if organisations else [""]
    pers = list(periods) if periods else [""]
    return [(str(org), str(per)) for org in orgs for per in pers]


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def level_display(level: Any, lang: str) -> str:
    """What a dropdown shows for a level: its label in ``lang`` (visible fallback), else its value."""
    return label_in(level.label, lang, level.value)


def choices(indicator: Indicator, lang: str) -> list[str] | None:
    """Dropdown entries for a qualitative indicator (without the not-applicable token)."""
    words = TEXT[lang]
    if indicator.kind is Kind.BINARY and not indicator.levels:
        return [words["yes"], words["no"]]
    if indicator.kind in (Kind.SCALE, Kind.CATEGORY, Kind.BINARY):
        return [level_display(level, lang) for level in indicator.levels]
    return None


def allowed_text(indicator: Indicator, lang: str) -> str:
    """The 'allowed values' cell: a plain sentence a person can check their answer against."""
    words = TEXT[lang]
    na = words["or_na"].format(na=words["na"])
    if indicator.kind is Kind.NARRATIVE:
        return words["free_text"]
    if indicator.kind is Kind.QUANTITY:
        lo, hi = indicator.minimum, indicator.maximum
        if lo is not None and hi is not None:
            text = words["between"].format(lo=_number(lo), hi=_number(hi))
        elif lo is not None:
            text = words["at_least"].format(lo=_number(lo))
        elif hi is not None:
            text = words["at_most"].format(hi=_number(hi))
        else:
            text = words["number"]
        return f"{text}, {na}"
    if indicator.kind is Kind.SCALE:
        listed = "; ".join(f"{level.value} = {level_display(level, lang)}" for level in indicator.levels)
        return f"{words['choose']}: {listed}; {na}"
    return f"{words['choose']}: {' / '.join(choices(indicator, lang) or [])}; {na}"


def write_template(
    grid: Grid,
    path: str | os.PathLike[str],
    *,
    lang: str = "fr",
    format: str = "xlsx",
    organisations: Sequence[str] | None = None,
    periods: Sequence[str] | None = None,
) -> Path:
    """Write a data-collection template for ``grid`` to ``path`` (atomically) and return the path.

    ``format="xlsx"`` writes the fillable workbook described in the module docstring;
    ``format="csv"`` writes the wide table ``vises.io.csv_data.read_csv`` reads.
    """
    lang = check_template_lang(lang)
    if format not in FORMATS:
        raise ConfigError(f"unknown template format {format!r}", hint="use --format xlsx or --format csv")
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".xlsx", ".csv") and suffix != f".{format}":
        raise ConfigError(
            f"the file name {target.name!r} does not match the template format {format!r}",
            file=str(target),
            hint=f"name the file *.{format} or choose --format {suffix[1:]}",
        )
    pairs = blocks(organisations, periods)
    if format == "csv":
        write_bytes_atomic(target, _csv_text(grid, pairs).encode("utf-8"))
    else:
        write_bytes_atomic(target, _xlsx_bytes(grid, lang, pairs))
    return target


def csv_header(indicator: Indicator) -> str:
    """``code [unit]`` (just ``code`` without a unit), the column header read_csv expects."""
    return f"{indicator.code} [{indicator.unit}]" if indicator.unit else indicator.code


def _csv_text(grid: Grid, pairs: list[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["organisation", "period", *(csv_header(ind) for ind in grid.indicators)])
    if pairs != [("", "")]:
        for org, per in pairs:
            writer.writerow([org, per, *([""] * len(grid.indicators))])
    return buffer.getvalue()


def _xlsx_bytes(grid: Grid, lang: str, pairs: list[tuple[str, str]]) -> bytes:
    try:
        import openpyxl
    except ImportError as exc:
        raise MissingDependencyError("openpyxl", "excel", "xlsx templates") from exc
    workbook = openpyxl.Workbook()
    _fill_workbook(workbook, grid, lang, pairs)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_workbook(workbook: Any, grid: Grid, lang: str, pairs: list[tuple[str, str]]) -> None:
    words = TEXT[lang]
    taken = {META_SHEET.casefold(), LISTS_SHEET.casefold()}
    instructions = workbook.active
    instructions.title = _safe_title(words["instructions"], taken)
    ident_title = _safe_title(words["identification"], taken)
    plans = plan_sheets(grid, lang, taken)

    _write_instructions(instructions, grid, lang)
    _write_identification(workbook.create_sheet(ident_title), lang, pairs)
    lists = _ListSheet(workbook.create_sheet(LISTS_SHEET))
    for plan in plans:
        _write_dimension(workbook.create_sheet(plan.title), plan, grid, lang, pairs, lists)
    lists.sheet.sheet_state = "hidden"
    workbook.move_sheet(lists.sheet, offset=len(workbook.sheetnames) - 1 - workbook.index(lists.sheet))

    meta = workbook.create_sheet(META_SHEET)
    rows: list[tuple[Any, ...]] = [
        ("layout", LAYOUT_VERSION),
        ("grid", grid.code),
        ("grid_version", str(grid.version)),
        ("lang", lang),
        ("identification", ident_title),
        ("blocks", len(pairs)),
        ("first_row", FIRST_ROW),
        ("first_block_column", FIRST_BLOCK_COLUMN),
        *(("sheet", plan.title, plan.node) for plan in plans),
    ]
    for row in rows:
        meta.append(list(row))
    meta.sheet_state = "hidden"


_HEADER_FILL = "DDEBF7"
_INPUT_FILL = "FFF2CC"
_COMMENT_FILL = "F2F2F2"
_HEADING_FILL = "E2EFDA"


def _style() -> Any:
    from openpyxl.styles import Alignment, Font, PatternFill

    class Style:
        bold = Font(bold=True)
        title = Font(bold=True, size=14)
        wrap = Alignment(wrap_text=True, vertical="top")
        header = PatternFill("solid", fgColor=_HEADER_FILL)
        input = PatternFill("solid", fgColor=_INPUT_FILL)
        comment = PatternFill("solid", fgColor=_COMMENT_FILL)
        heading = PatternFill("solid", fgColor=_HEADING_FILL)

    return Style


def _write_instructions(sheet: Any, grid: Grid, lang: str) -> None:
    style = _style()
    words = TEXT[lang]
    sheet["A1"] = words["title"].format(grid=grid.code, version=grid.version)
    sheet["A1"].font = style.title
    sheet["A2"] = grid.label_in(lang)
    sheet["A2"].font = style.bold
    description = label_in(grid.description, lang, "")
    if description:
        sheet["A3"] = description
        sheet["A3"].alignment = style.wrap
    for offset, line in enumerate(words["lines"]):
        sheet.cell(row=5 + offset, column=1, value=line.format(grid=grid.code))
    sheet.column_dimensions["A"].width = 130


def _write_identification(sheet: Any, lang: str, pairs: list[tuple[str, str]]) -> None:
    style = _style()
    words = TEXT[lang]
    sheet["A1"] = words["identification"]
    sheet["A1"].font = style.title
    for column, key in enumerate(("block", "organisation", "period"), start=1):
        cell = sheet.cell(row=IDENT_FIRST_ROW - 1, column=column, value=words[key])
        cell.font = style.bold
        cell.fill = style.header
    for index, (org, per) in enumerate(pairs):
        row = IDENT_FIRST_ROW + index
        sheet.cell(row=row, column=1, value=index + 1)
        for column, value in ((2, org), (3, per)):
            cell = sheet.cell(row=row, column=column, value=value or None)
            cell.fill = style.input
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 14
    sheet.freeze_panes = f"A{IDENT_FIRST_ROW}"


class _ListSheet:
    """The hidden sheet of dropdown choices: one column per distinct list."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._ranges: dict[tuple[str, ...], str] = {}

    def range_for(self, entries: list[str]) -> str:
        from openpyxl.utils import get_column_letter

        key = tuple(entries)
        if key not in self._ranges:
            column = len(self._ranges) + 1
            for row, entry in enumerate(entries, start=1):
                self.sheet.cell(row=row, column=column, value=entry)
            letter = get_column_letter(column)
            self._ranges[key] = f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(entries)}"
        return self._ranges[key]


def block_columns(block: int, first_block_column: int = FIRST_BLOCK_COLUMN) -> tuple[int, int]:
    """The (value, comment) column numbers of block ``block`` (0-based)."""
    value = first_block_column + 2 * block
    return value, value + 1


def _write_dimension(
    sheet: Any, plan: SheetPlan, grid: Grid, lang: str, pairs: list[tuple[str, str]], lists: _ListSheet
) -> None:
    from openpyxl.utils import get_column_letter

    style = _style()
    words = TEXT[lang]
    node_label = grid.node(plan.node).label_in(lang)
    sheet["A1"] = f"{node_label} ({plan.node})"
    sheet["A1"].font = style.title
    sheet["A2"] = words["sheet_hint"]
    headers = [words[key] for key in ("code", "indicator", "definition", "unit", "allowed")]
    for index, (org, per) in enumerate(pairs):
        value_col, comment_col = block_columns(index)
        title = " · ".join(part for part in (org, per) if part)
        cell = sheet.cell(row=BLOCK_ROW, column=value_col, value=f"{words['block']} {index + 1}" + (f" — {title}" if title else ""))
        cell.font = style.bold
        sheet.merge_cells(start_row=BLOCK_ROW, start_column=value_col, end_row=BLOCK_ROW, end_column=comment_col)
        headers += [words["value"], words["comment"]]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=text)
        cell.font = style.bold
        cell.fill = style.header
        cell.alignment = style.wrap

    validations: list[tuple[Indicator, Any]] = []
    for offset, item in enumerate(plan.rows):
        row = FIRST_ROW + offset
        if isinstance(item, Node):
            cell = sheet.cell(row=row, column=2, value=f"{item.label_in(lang)} ({item.code})")
            cell.font = style.bold
            for column in range(1, len(headers) + 1):
                sheet.cell(row=row, column=column).fill = style.heading
            continue
        values = [item.code, item.label_in(lang), label_in(item.description, lang, ""), item.unit or "", allowed_text(item, lang)]
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row, column=column, value=value or None).alignment = style.wrap
        validation = _validation(item, lang, lists)
        for index in range(len(pairs)):
            value_col, comment_col = block_columns(index)
            value_cell = sheet.cell(row=row, column=value_col)
            value_cell.fill = style.input
            value_cell.alignment = style.wrap
            comment_cell = sheet.cell(row=row, column=comment_col)
            comment_cell.fill = style.comment
            comment_cell.alignment = style.wrap
            if validation is not None:
                validation.add(value_cell.coordinate)
        if validation is not None:
            validations.append((item, validation))
    for _, validation in validations:
        sheet.add_data_validation(validation)

    for letter, width in zip("ABCDE", (16, 42, 60, 12, 34)):
        sheet.column_dimensions[letter].width = width
    for index in range(len(pairs)):
        value_col, comment_col = block_columns(index)
        sheet.column_dimensions[get_column_letter(value_col)].width = 22
        sheet.column_dimensions[get_column_letter(comment_col)].width = 40
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3).coordinate


def _validation(indicator: Indicator, lang: str, lists: _ListSheet) -> Any:
    """The DataValidation of an indicator's value cells (``None`` for free text)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    words = TEXT[lang]
    allowed = allowed_text(indicator, lang)[:250]
    entries = choices(indicator, lang)
    if entries is not None:
        validation = DataValidation(type="list", formula1=lists.range_for([*entries, words["na"]]), allow_blank=True)
        validation.errorStyle = "stop"
    elif indicator.kind is Kind.QUANTITY:
        lo, hi = indicator.minimum, indicator.maximum
        if lo is not None and hi is not None:
            validation = DataValidation(type="decimal", operator="between", formula1=_number(lo), formula2=_number(hi))
        elif lo is not None:
            validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1=_number(lo))
        elif hi is not None:
            validation = DataValidation(type="decimal", operator="lessThanOrEqual", formula1=_number(hi))
        else:
            validation = DataValidation(type="decimal", operator="between", formula1="-1E+300", formula2="1E+300")
        # A warning, not a stop: the not-applicable token is text and must stay enterable.
        validation.errorStyle = "warning"
        validation.allow_blank = True
    else:
        return None
    validation.showErrorMessage = True
    validation.showInputMessage = True
    validation.errorTitle = indicator.code[:32]
    validation.error = allowed
    validation.promptTitle = indicator.code[:32]
    validation.prompt = allowed
    return validation


@hookimpl
def vises_register_commands(cli: Any) -> None:
    """Add ``vises template``."""
    import click

    @cli.command("template")
    @click.option("--grid", "-g", "grid_name", required=True, help="Grid code or grid file.")
    @click.option("--lang", "-l", default="fr", show_default=True, type=click.Choice(TEMPLATE_LANGUAGES))
    @click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="File to write (.xlsx or .csv).")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from the file suffix, else xlsx.")
    @click.option("--organisation", "organisations", multiple=True, help="Prepare a block for this organisation (repeatable).")
    @click.option("--period", "periods", multiple=True, help="Prepare a block for this period (repeatable).")
    def template(grid_name: str, lang: str, output: str, fmt: str | None, organisations: tuple[str, ...], periods: tuple[str, ...]) -> None:
        """Write a data-collection template (xlsx workbook or csv) for a grid."""
        import vises

        chosen = fmt or ("csv" if output.lower().endswith(".csv") else "xlsx")
        grid = vises.load_grid(grid_name)
        written = write_template(
            grid, output, lang=lang, format=chosen, organisations=organisations or None, periods=periods or None
        )
        click.echo(f"wrote {written}")
