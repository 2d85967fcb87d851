"""Reading the VISES framing of evaluations: who is evaluated, and why, with whom and how.

A VISES evaluation starts from an evaluative question the enterprise chooses, involves its
stakeholders and mixes methods; numbers are one part of the answer. This file format carries that
framing next to a dataset (``<data stem>.evaluations.toml``)::

    [[organisations]]
    code = "cisp_a"
    name = "Centre A"
    family = "work_integration"      # work_integration | collective_services | other
    region = "Hainaut"
    size = "small"

    [[evaluations]]
    organisation = "cisp_a"
    period = "2019"
    questions = ["Do our trainees gain autonomy?"]
    stakeholders = ["trainees", "trainers"]
    methods = ["indicators", "focus group", "life stories"]
    narrative = { exit_employment = "...", "*" = "overall reading" }

TOML, YAML and JSON files are read alike (by suffix, through the one document reader); every
problem is reported at once, each with the file and the path of the offending key.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import cattrs

from vises.errors import ConfigError, ValidationError, VisesError
from vises.io.converter import base_converter, numbers_as_text, register_enums, structure_or_raise
from vises.model import Evaluation, Family, Organisation

#: Data-collection methods VISES names, with the spellings accepted for each (FR, NL, EN).
METHODS: dict[str, tuple[str, ...]] = {
    "indicators": ("indicators", "indicator", "indicateurs", "indicatoren"),
    "survey": (
        "survey",
        "surveys",
        "questionnaire",
        "questionnaires",
        "enquete",
        "enquête",
        "enquetes",
        "enquêtes",
        "bevraging",
    ),
    "interviews": ("interviews", "interview", "entretiens", "entretien", "interviews"),
    "focus group": ("focus group", "focus groups", "focusgroep", "focusgroepen"),
    "life stories": (
        "life stories",
        "life story",
        "récits de vie",
        "recits de vie",
        "récit de vie",
        "levensverhalen",
        "levensverhaal",
    ),
    "observation": ("observation", "observations", "observatie"),
    "documents": ("documents", "document analysis", "analyse documentaire", "documentanalyse"),
}
#: A method outside the list is written ``"other: <what>"`` so that typos are still caught.
OTHER_PREFIX = "other:"

_ALIASES = {alias: canonical for canonical, aliases in METHODS.items() for alias in aliases}


@attrs.frozen(kw_only=True)
class _EvaluationFile:
    organisations: tuple[Organisation, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()


@functools.cache
def _converter() -> cattrs.Converter:
    conv = base_converter()
    register_enums(conv, Family)
    # ``period = 2019`` (a TOML integer) stands for the period "2019".
    conv.register_structure_hook(Evaluation, numbers_as_text(conv, Evaluation, "period"))
    return conv


def _load(path: Path) -> Any:
    from vises.io.documents import read_document

    data = read_document(path, what="evaluations file")
    return {} if data is None else data  # an empty YAML file is an empty framing


def canonical_method(text: str) -> str | None:
    """The canonical name of a data-collection method, or ``None`` when it is not a known one."""
    cleaned = re.sub(r"[\s_-]+", " ", text.strip().lower())
    if cleaned.startswith(OTHER_PREFIX) and cleaned[len(OTHER_PREFIX) :].strip():
        return f"{OTHER_PREFIX} {cleaned[len(OTHER_PREFIX) :].strip()}"
    return _ALIASES.get(cleaned)


def _check(
    parsed: _EvaluationFile, file: str
) -> tuple[dict[str, Organisation], tuple[Evaluation, ...], list[VisesError]]:
    problems: list[VisesError] = []
    organisations: dict[str, Organisation] = {}
    for index, organisation in enumerate(parsed.organisations):
        where = f"organisations[{index}].code"
        if not organisation.code.strip():
            problems.append(
                ConfigError(
                    "an organisation code cannot be empty",
                    file=file,
                    path=where,
                    hint="use the code of the data file's 'organisation' column",
                )
            )
        elif organisation.code in organisations:
            problems.append(
                ConfigError(
                    f"organisation {organisation.code!r} is declared twice",
                    file=file,
                    path=where,
                    hint="merge the two entries",
                )
            )
        organisations[organisation.code] = organisation

    evaluations: list[Evaluation] = []
    seen: set[tuple[str, str | None]] = set()
    for index, evaluation in enumerate(parsed.evaluations):
        base = f"evaluations[{index}]"
        if organisations and evaluation.organisation not in organisations:
            problems.append(
                ConfigError(
                    f"organisation {evaluation.organisation!r} is not among the [[organisations]] of this file",
                    file=file,
                    path=f"{base}.organisation",
                    hint=f"declare it, or use one of: {', '.join(sorted(organisations))}",
                )
            )
        key = (evaluation.organisation, evaluation.period)
        if key in seen:
            problems.append(
                ConfigError(
                    f"a second evaluation of {evaluation.organisation!r} for period {evaluation.period!r}",
                    file=file,
                    path=base,
                    hint="keep one evaluation per organisation and period (list several questions in 'questions')",
                )
            )
        seen.add(key)
        methods = []
        for position, method in enumerate(evaluation.methods):
            canonical = canonical_method(method)
            if canonical is None:
                problems.append(
                    ConfigError(
                        f"unknown data-collection method {method!r}",
                        file=file,
                        path=f"{base}.methods[{position}]",
                        hint=f"use one of {', '.join(METHODS)}, or write 'other: <method>'",
                    )
                )
            else:
                methods.append(canonical)
        for code, text in evaluation.narrative.items():
            if not code.strip() or not text.strip():
                problems.append(
                    ConfigError(
                        "narrative entries need a code (or '*') and a non-empty text",
                        file=file,
                        path=f"{base}.narrative.{code or '?'}",
                        hint='write narrative = { "<indicator or node code>" = "text", "*" = "overall" }',
                    )
                )
        evaluations.append(attrs.evolve(evaluation, methods=tuple(methods)))
    return organisations, tuple(evaluations), problems


def read_evaluations(path: os.PathLike[str] | str) -> tuple[dict[str, Organisation], tuple[Evaluation, ...]]:
    """Read organisation profiles and evaluation framings from a TOML, YAML or JSON file.

    Returns the profiles by organisation code and the evaluations in file order (methods in their
    canonical spelling). Raises a ``ValidationError`` listing every problem, each with its path.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise ConfigError("evaluations file not found", file=file, hint="check the path, or remove the option")
    data = _load(path)
    if not isinstance(data, Mapping):
        raise ConfigError(
            "expected a table with [[organisations]] and [[evaluations]]", file=file, hint="see docs/vises-approach.md"
        )
    parsed = structure_or_raise(
        _converter(), data, _EvaluationFile, file=file, what="evaluations", kind=ValidationError
    )
    organisations, evaluations, problems = _check(parsed, file)
    if problems:
        raise ValidationError(problems, what=f"evaluations {file!r}")
    return organisations, evaluations


__all__ = ["METHODS", "canonical_method", "read_evaluations"]
