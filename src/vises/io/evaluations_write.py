"""Write the VISES framing of a dataset as the evaluations file ``read_evaluations`` reads.

A round merges the framing of many submissions (the portraits and evaluative questions of the
templates, the ``*.evaluations.toml`` files); writing it beside the merged data
(``data.evaluations.toml``) lets ``vises score data.csv`` read the round exactly as it was scored.
TOML has no null: empty fields are left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from vises.model import Evaluation, Organisation


def _organisation(profile: Organisation) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": profile.code}
    if profile.name:
        entry["name"] = profile.name
    for field in ("family", "region", "size"):
        value = getattr(profile, field)
        if value is not None:
            entry[field] = getattr(value, "value", value)
    if profile.attributes:
        entry["attributes"] = dict(profile.attributes)
    return entry


def _evaluation(evaluation: Evaluation) -> dict[str, Any]:
    entry: dict[str, Any] = {"organisation": evaluation.organisation}
    if evaluation.period is not None:
        entry["period"] = evaluation.period
    for field in ("questions", "stakeholders", "methods"):
        values = getattr(evaluation, field)
        if values:
            entry[field] = list(values)
    if evaluation.narrative:
        entry["narrative"] = dict(evaluation.narrative)
    return entry


def evaluations_text(profiles: Mapping[str, Organisation], evaluations: Iterable[Evaluation]) -> str:
    """The TOML text of an evaluations file holding ``profiles`` and ``evaluations``."""
    import tomli_w

    document: dict[str, Any] = {}
    if profiles:
        document["organisations"] = [_organisation(profile) for _, profile in sorted(profiles.items())]
    chosen = list(evaluations)
    if chosen:
        document["evaluations"] = [_evaluation(evaluation) for evaluation in chosen]
    header = "# The VISES framing of the round's evaluations, as merged from its submissions (written by vises).\n"
    return header + tomli_w.dumps(document)


def write_evaluations(
    profiles: Mapping[str, Organisation], evaluations: Iterable[Evaluation], path: str | os.PathLike[str]
) -> Path:
    """Write an evaluations file atomically and return its path."""
    from vises.io.atomic import write_bytes_atomic

    return write_bytes_atomic(path, evaluations_text(profiles, evaluations).encode("utf-8"))


__all__ = ["evaluations_text", "write_evaluations"]
