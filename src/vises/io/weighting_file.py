"""A weighting in a file: the weights an analysis computed (PCA, optimised), reusable as ``--weighting``.

A registered weighting comes from a plugin; one computed from the data (``vises weights ...``) is
written to a small TOML (or YAML/JSON) file and given to ``--weighting`` by path::

    code = "pca_squared"
    grid = "Index"
    [weights]
    LPI = 0.21
    Flights = 0.18

Read strictly (unknown keys refused, weights finite numbers); ``grid`` must be the grid it weighs.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import cattrs

from vises.contract.records import Weighting

PathLike = str | os.PathLike[str]
SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


@functools.cache
def _converter() -> cattrs.Converter:
    from cattrs.gen import make_dict_structure_fn, override

    from vises.io.converter import base_converter

    conv = base_converter(finite=True)
    conv.register_structure_hook(
        Weighting, make_dict_structure_fn(Weighting, conv, _cattrs_forbid_extra_keys=True, plugin=override(omit=True))
    )
    return conv


def is_weighting_file(text: str) -> bool:
    """Whether ``--weighting`` names a file (by its suffix) rather than a registered weighting."""
    return Path(text).suffix.lower() in SUFFIXES


def read_weighting(path: PathLike) -> Weighting:
    """A ``Weighting`` from a weighting file; every problem at once, naming the file."""
    from vises.errors import GridValidationError
    from vises.io.converter import structure_or_raise
    from vises.io.documents import read_document

    file = Path(path)
    data = read_document(file, what="weighting file")
    return structure_or_raise(_converter(), data, Weighting, file=str(file), what="weighting", kind=GridValidationError)


def dump_weighting(weighting: Weighting, suffix: str = ".toml") -> str:
    """The text of a weighting file (what ``read_weighting`` reads back), in the format of ``suffix``
    (``.toml``, ``.yaml``/``.yml`` or ``.json``)."""
    from vises.errors import ConfigError

    kind = SUFFIXES.get(suffix.lower())
    if kind is None:
        raise ConfigError(
            f"a weighting file ends in {', '.join(SUFFIXES)}, not {suffix or 'no suffix'!r}",
            hint="name the file weights.toml",
        )
    data: dict[str, Any] = {"code": weighting.code, "grid": weighting.grid}
    if weighting.label:
        data["label"] = dict(weighting.label)
    if weighting.description:
        data["description"] = dict(weighting.description)
    data["weights"] = {code: float(value) for code, value in weighting.weights.items()}
    if kind == "json":
        import json

        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if kind == "yaml":
        import yaml

        return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    import tomli_w

    return tomli_w.dumps(data)


def is_weighting_document(path: Path) -> bool:
    """Whether an existing file is a weighting file (so writing a new one over it replaces its kind)."""
    from vises.errors import VisesError

    try:
        read_weighting(path)
    except (VisesError, OSError, ValueError):
        return False
    return True


__all__ = ["SUFFIXES", "dump_weighting", "is_weighting_document", "is_weighting_file", "read_weighting"]
