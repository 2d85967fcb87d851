"""Checks of the standard codes a grid cites: IRIS+ metric ids, SDG targets, ESRS and VSME datapoints.

A code that reaches a funder's system must be one that system knows. Every indicator's
``sdg_targets`` are checked against the official UN list shipped with vises (17 goals, 169 targets,
``data/sdg.txt``); its ``external_ids`` by their scheme's pattern (``iris``, ``esrs``, ``vsme``) and,
for IRIS+, against a code list file when one is given (``iris_codes=`` or the ``VISES_IRIS_CODES``
environment variable: an RDF code list such as Common Approach's ``IrisMetric53.ttl``, read with
rdflib, or a CSV with an ``ID`` column, or a text file with one id a line). A grid's ``namespace``
must be an absolute IRI that ends where a name can follow. Every unknown code is reported at once,
naming the indicator, with a did-you-mean where a close code exists.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from vises.errors import ConfigError, GridError, MissingDependencyError, VisesError, closest
from vises.model import Grid

#: Environment variable naming an IRIS+ code list file checked by every grid validation.
IRIS_CODES_ENV = "VISES_IRIS_CODES"

#: IRIS+ metric ids: a section prefix and four digits (``PI4060``, ``OI8408``, ``FP1001``).
IRIS_SECTIONS = ("OD", "PD", "FP", "OI", "PI", "ID", "II")
IRIS_PATTERN = re.compile(rf"^(?:{'|'.join(IRIS_SECTIONS)})\d{{4}}$")

_ESRS_STANDARD = r"(?:E[1-5]|S[1-4]|G1)"
#: ESRS datapoint ids of EFRAG's list (IG 3): ``S1-6_01``, ``G1-5_12``, ``GOV-1_01``, ``E1.MDR-P_01-06``.
ESRS_PATTERN = re.compile(
    rf"^(?:{_ESRS_STANDARD}-\d{{1,2}}_\d{{2}}"
    rf"|(?:{_ESRS_STANDARD}\.)?(?:BP|GOV|SBM|IRO)-\d{{1,2}}_\d{{2}}"
    rf"|(?:{_ESRS_STANDARD}\.)?MDR-[PATM]_\d{{2}}(?:-\d{{2}})?)$"
)
#: VSME disclosures (Basic module B1–B11, Comprehensive module C1–C9), optionally with the paragraph:
#: ``B8``, ``B8.39``, ``B9.41a``.
VSME_PATTERN = re.compile(r"^(?:B(?:[1-9]|1[01])|C[1-9])(?:\.\d{1,3}[a-z]?)?$")

#: What each checked ``external_ids`` scheme looks like, for the messages.
SCHEMES: dict[str, tuple[re.Pattern[str], str]] = {
    "iris": (IRIS_PATTERN, f"a section prefix ({', '.join(IRIS_SECTIONS)}) and four digits, e.g. 'PI4060'"),
    "esrs": (ESRS_PATTERN, "an EFRAG datapoint id such as 'S1-6_01', 'GOV-1_02' or 'S1.MDR-P_01'"),
    "vsme": (VSME_PATTERN, "a VSME disclosure B1–B11 or C1–C9, optionally with its paragraph: 'B8', 'B9.41a'"),
}

_SDG_FILE = Path(__file__).parent / "data" / "sdg.txt"
_SDG_SHAPE = re.compile(r"^(?:[1-9]|1[0-7])(?:\.(?:\d{1,2}|[a-z]))?$")
_NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*[/#:]$")


@functools.cache
def sdg_goals() -> dict[str, tuple[str, str]]:
    """The 17 goals: code -> (short name, title), from the list shipped with vises."""
    return _sdg_list()[0]


@functools.cache
def sdg_codes() -> frozenset[str]:
    """Every official code: the 17 goals (``"8"``) and the 169 targets (``"8.5"``, ``"8.a"``)."""
    goals, targets = _sdg_list()
    return frozenset(goals) | targets


def _sdg_list() -> tuple[dict[str, tuple[str, str]], frozenset[str]]:
    goals: dict[str, tuple[str, str]] = {}
    targets: set[str] = set()
    for line in _SDG_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, *rest = line.split("\t")
        if rest:
            goals[code] = (rest[0], rest[1])
        else:
            targets.add(code)
    return goals, frozenset(targets)


def sdg_goal_of(code: str) -> str:
    """The goal a target belongs to (``"8.5"`` -> ``"8"``); a goal is its own."""
    return code.split(".", 1)[0]


# -- the IRIS+ code list --------------------------------------------------------------------------


def iris_code_list(source: Collection[str] | str | os.PathLike[str] | None) -> frozenset[str] | None:
    """The IRIS+ ids of ``source`` (ids, or a code list file), else of ``VISES_IRIS_CODES``; ``None``: none given."""
    if source is None:
        source = os.environ.get(IRIS_CODES_ENV) or None
        if source is None:
            return None
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        try:
            stat = path.stat()
        except OSError as exc:
            raise ConfigError(
                f"cannot read the IRIS+ code list: {exc.strerror or exc}",
                file=str(path),
                hint=f"give an existing file (iris_codes= or {IRIS_CODES_ENV})",
            ) from None
        return _read_code_list(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    return frozenset(str(code) for code in source)


@functools.lru_cache(maxsize=4)
def _read_code_list(path: str, _mtime: int, _size: int) -> frozenset[str]:
    """The ids in a code list file (cached while the file is unchanged)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".txt", ".lst"):
        ids = _text_ids(path)
    elif suffix == ".csv":
        ids = _csv_ids(path)
    else:
        ids = _rdf_ids(path)
    found = frozenset(code for code in ids if IRIS_PATTERN.match(code))
    if not found:
        raise ConfigError(
            "the IRIS+ code list holds no IRIS+ metric id",
            file=path,
            hint="give an RDF code list (IrisMetric53.ttl), a CSV with an 'ID' column or a text file of ids",
        )
    return found


def _text_ids(path: str) -> Iterable[str]:
    with open(path, encoding="utf-8-sig") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


def _csv_ids(path: str) -> Iterable[str]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("id") if "id" in header else 0
    return [row[column].strip() for row in rows[1:] if len(row) > column]


def _rdf_ids(path: str) -> Iterable[str]:
    try:
        import rdflib
        from rdflib.util import guess_format
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("rdflib", "standards", "reading an RDF IRIS+ code list") from exc
    graph = rdflib.Graph()
    try:
        graph.parse(path, format=guess_format(path) or "turtle")
    except Exception as exc:  # rdflib raises many kinds of parse errors
        raise ConfigError(f"cannot parse the IRIS+ code list: {exc}", file=path) from None
    ids: set[str] = set()
    for subject, predicate, value in graph:
        name = re.split(r"[#/]", str(predicate))[-1]
        if name in ("hasIdentifier", "notation") and isinstance(value, rdflib.Literal):
            ids.add(str(value).strip())
        if isinstance(subject, rdflib.URIRef):
            ids.add(re.split(r"[#/]", str(subject))[-1])
    return ids


# -- the checks -----------------------------------------------------------------------------------


def check_namespace(namespace: str) -> str | None:
    """Why ``namespace`` cannot be a base IRI (``None`` when it can)."""
    if not _NAMESPACE.match(namespace):
        return (
            f"namespace {namespace!r} is not an absolute IRI ending in '/', '#' or ':' "
            "(e.g. 'https://data.example.org/vises/')"
        )
    return None


def _repair(code: str, scheme: str) -> str:
    """A likely intended spelling: case, spaces and separators normalised."""
    text = code.strip().replace(" ", "")
    if scheme == "sdg":
        text = re.sub(r"^(?:sdg|goal|target)", "", text, flags=re.IGNORECASE).replace(",", ".").lower()
        return text.lstrip("-_:.")
    if scheme == "esrs":
        text = text.upper()
        parts = re.match(rf"^({_ESRS_STANDARD})[-_.]?(\d{{1,2}})[-_.](\d{{2}})$", text)
        return f"{parts[1]}-{parts[2]}_{parts[3]}" if parts else text
    if scheme == "vsme":
        return text[:1].upper() + text[1:].lower().replace("-", ".").replace("_", ".")
    return text.upper()


def _shared_start(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _hint(code: str, scheme: str, known: Collection[str] | None) -> str | None:
    repaired = _repair(code, scheme)
    if repaired != code and (known is None or repaired in known):
        pattern = SCHEMES[scheme][0] if scheme in SCHEMES else _SDG_SHAPE
        if pattern.match(repaired):
            return f"did you mean {repaired!r}?"
    if known:
        # Of the close codes, those sharing the longest start come first: 'PI406' -> 'PI4060'.
        close = closest(repaired, known, n=5)
        close.sort(key=lambda option: -_shared_start(option, repaired))
        if close:
            return f"did you mean {', '.join(repr(c) for c in close[:3])}?"
    return None


def code_problems(
    grid: Grid, *, iris_codes: Collection[str] | str | os.PathLike[str] | None = None, file: str | None = None
) -> list[VisesError]:
    """Every unknown or malformed standard code of ``grid``, each naming its indicator."""
    problems: list[VisesError] = []
    try:
        iris_known = iris_code_list(iris_codes)
    except VisesError as exc:
        problems.append(exc)
        iris_known = None
    official = sdg_codes()
    for i, ind in enumerate(grid.indicators):
        place = f"indicators[{i}]"
        for j, target in enumerate(ind.sdg_targets):
            if target in official:
                continue
            numbered = re.match(r"^\d+(?:\.(?:\d+|[a-z]))?$", target)
            why = "is not an SDG goal or target" if numbered else "is not written as an SDG target"
            problems.append(
                GridError(
                    f"SDG target {target!r} {why} of the UN list (17 goals, 169 targets such as '8.5' or '8.a')",
                    file=file,
                    path=f"{place}.sdg_targets[{j}]",
                    indicator=ind.code,
                    hint=_hint(target, "sdg", official) or "goals are numbered 1 to 17; see https://sdgs.un.org/goals",
                )
            )
        problems += _external_problems(ind.code, ind.external_ids, place, iris_known, file)
    if grid.namespace is not None and (wrong := check_namespace(grid.namespace)):
        problems.append(GridError(wrong, file=file, path="namespace"))
    return problems


def _external_problems(
    code: str, ids: Mapping[str, Any], place: str, iris_known: frozenset[str] | None, file: str | None
) -> list[VisesError]:
    problems: list[VisesError] = []
    for scheme, value in ids.items():
        if scheme not in SCHEMES:
            continue
        pattern, shape = SCHEMES[scheme]
        text = str(value)
        path = f"{place}.external_ids.{scheme}"
        if not pattern.match(text):
            problems.append(
                GridError(
                    f"{scheme} id {text!r} is not well formed: it should be {shape}",
                    file=file,
                    path=path,
                    indicator=code,
                    hint=_hint(text, scheme, iris_known if scheme == "iris" else None),
                )
            )
        elif scheme == "iris" and iris_known is not None and text not in iris_known:
            problems.append(
                GridError(
                    f"IRIS+ id {text!r} is not in the IRIS+ code list",
                    file=file,
                    path=path,
                    indicator=code,
                    hint=_hint(text, scheme, iris_known) or "look the metric up at https://iris.thegiin.org/metrics/",
                )
            )
    return problems


__all__ = [
    "IRIS_CODES_ENV",
    "IRIS_PATTERN",
    "SCHEMES",
    "check_namespace",
    "code_problems",
    "iris_code_list",
    "sdg_codes",
    "sdg_goal_of",
    "sdg_goals",
]
