"""Who is evaluated and why, read back from a template's identification sheet.

Layout 2 of the xlsx template (``template_layout.IDENT_COLUMNS``) gives each block, besides its
organisation code and period, the organisation's portrait (name, family, region, size) and the
evaluation's framing (evaluative questions, one per line; stakeholders and methods, separated by
``;`` or line breaks). ``read_framing`` turns those cells into the ``Organisation`` profiles and
``Evaluation`` records a dataset carries, exactly as an evaluations file would give them, and
reports every problem with its sheet, row and column:

* a family or a method that is not one vises knows (in any of its languages), with the list;
* two blocks of the same organisation whose portraits disagree (a portrait is per organisation,
  a framing per organisation and period).

The reader of the template (``vises.io.template_reader``) hands it the identification sheet's cells and
the blocks it kept; nothing here opens a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from vises.errors import DataError, VisesError
from vises.i18n import LANGUAGES, catalogue
from vises.io import template_layout as tpl
from vises.io.evaluations import METHODS, OTHER_PREFIX, canonical_method
from vises.model import Dataset, Evaluation, Family, Organisation

#: Cells of the identification sheet: (row, column) -> value (only cells that hold something).
Cells = Mapping[tuple[int, int], Any]
_LIST_SPLIT = re.compile(r"\s*(?:;|\n)\s*")


@attrs.frozen(kw_only=True)
class Framing:
    """What the identification sheet says beyond the codes, and what is wrong with it."""

    profiles: dict[str, Organisation] = attrs.field(factory=dict)
    evaluations: tuple[Evaluation, ...] = ()
    problems: tuple[VisesError, ...] = ()

    def apply(self, dataset: Dataset) -> Dataset:
        """``dataset`` with these profiles and evaluations added (the template's own come first)."""
        if not self.profiles and not self.evaluations:
            return dataset
        return attrs.evolve(
            dataset,
            organisation_profiles={**self.profiles, **dataset.organisation_profiles},
            evaluations=(*self.evaluations, *dataset.evaluations),
        )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _spellings(prefix: str, keys: Sequence[str]) -> dict[str, str]:
    """Each key's word in every language (and the key itself), casefolded -> key."""
    found = {key.casefold(): key for key in keys}
    for lang in LANGUAGES:
        words = catalogue(lang)
        for key in keys:
            word = words.get(f"{prefix}{key.replace(' ', '_')}")
            if word:
                found.setdefault(word.strip().casefold(), key)
    return found


def _families() -> dict[str, str]:
    return _spellings("family_", [family.value for family in Family])


def _sizes() -> dict[str, str]:
    keys = [key[len("size_") :] for key in catalogue("en") if key.startswith("size_")]
    return _spellings("size_", keys)


def _method(text: str, methods: Mapping[str, str], others: Sequence[str]) -> str | None:
    """A method's canonical name: vises's spellings, its words in fr/nl/en, or ``<other>: what``."""
    canonical = canonical_method(text) or methods.get(text.strip().casefold())
    if canonical is not None:
        return canonical
    head, sep, rest = text.partition(":")
    if sep and head.strip().casefold() in others and rest.strip():
        return f"{OTHER_PREFIX} {rest.strip()}"
    return None


def worksheet_cells(sheet: Any) -> dict[tuple[int, int], Any]:
    """The identification sheet's block rows as ``Cells``, from an openpyxl worksheet."""
    last = max(tpl.IDENT_COLUMNS.values())
    cells: dict[tuple[int, int], Any] = {}
    for row in sheet.iter_rows(min_row=tpl.IDENT_FIRST_ROW, max_col=last):
        for cell in row:
            value = getattr(cell, "value", None)
            if value is not None and _text(value):
                cells[(cell.row, cell.column)] = value
    return cells


def read_framing(
    cells: Cells,
    blocks: Sequence[tuple[int, str, str]],
    *,
    file: str,
    sheet: str,
    layout: str | None = tpl.LAYOUT_VERSION,
) -> Framing:
    """The profiles and evaluations of the kept ``blocks`` ((block, organisation, period), 0-based).

    A layout-1 template has no portrait or framing columns: nothing is read from it.
    """
    if layout == "vises-template/1":
        return Framing()
    columns = tpl.IDENT_COLUMNS
    families, sizes = _families(), _sizes()
    methods = _spellings("method_", list(METHODS))
    others = sorted({catalogue(lang).get("method_other", "other").strip().casefold() for lang in LANGUAGES} | {"other"})
    problems: list[VisesError] = []
    portraits: dict[str, dict[str, str]] = {}
    first_seen: dict[tuple[str, str], int] = {}
    evaluations: list[Evaluation] = []

    def problem(message: str, row: int, key: str, hint: str) -> None:
        where = f"{chr(ord('A') + columns[key] - 1)} ({key})"  # the identification columns are A-J
        problems.append(DataError(message, file=file, sheet=sheet, row=row, column=where, hint=hint))

    for block, organisation, period in blocks:
        row = tpl.IDENT_FIRST_ROW + block
        given = {key: _text(cells.get((row, columns[key]))) for key in (*tpl.PROFILE_FIELDS, *tpl.FRAMING_FIELDS)}
        for key in tpl.PROFILE_FIELDS:
            value = given[key]
            if not value:
                continue
            if key == "family":
                family = families.get(value.casefold())
                if family is None:
                    problem(
                        f"{value!r} is not an enterprise family",
                        row,
                        key,
                        f"choose from the list: {', '.join(sorted({*families.values()}))} (or their fr/nl/en words)",
                    )
                    continue
                value = family
            elif key == "size":
                value = sizes.get(value.casefold(), value)  # a usual size by its code; any other as written
            seen = portraits.setdefault(organisation, {})
            if key in seen and seen[key] != value:
                problem(
                    f"organisation {organisation!r} has {key} {value!r} here but {seen[key]!r} in block "
                    f"{first_seen[(organisation, key)] + 1}",
                    row,
                    key,
                    "give one organisation the same portrait in each of its blocks (or leave the others empty)",
                )
                continue
            seen[key] = value
            first_seen.setdefault((organisation, key), block)
        if not any(given[key] for key in tpl.FRAMING_FIELDS):
            continue
        questions = tuple(line.strip() for line in given["questions"].splitlines() if line.strip())
        stakeholders = tuple(part for part in _LIST_SPLIT.split(given["stakeholders"]) if part)
        chosen: list[str] = []
        for part in (part for part in _LIST_SPLIT.split(given["methods"]) if part):
            method = _method(part, methods, others)
            if method is None:
                problem(
                    f"unknown data-collection method {part!r}",
                    row,
                    "methods",
                    f"use {', '.join(METHODS)} (or their fr/nl words), or write 'other: <method>'; separate with ';'",
                )
            elif method not in chosen:
                chosen.append(method)
        evaluations.append(
            Evaluation(
                organisation=organisation,
                period=period,
                questions=questions,
                stakeholders=stakeholders,
                methods=tuple(chosen),
            )
        )
    profiles = {
        code: Organisation(
            code=code,
            name=fields.get("name", ""),
            family=Family(fields["family"]) if "family" in fields else None,
            region=fields.get("region"),
            size=fields.get("size"),
        )
        for code, fields in portraits.items()
        if fields
    }
    return Framing(profiles=profiles, evaluations=tuple(evaluations), problems=tuple(problems))


__all__ = ["Cells", "Framing", "read_framing", "worksheet_cells"]
