"""A folder of Parquet or CSV files as one Dask DataFrame in vises's wide layout, with its units.

Parquet files are read by dask (pyarrow), one partition per row group or file as dask chooses; the
units come from the fields' ``vises.unit`` metadata, which every file must agree on. CSV files are
read as text (vises's own cell rules turn text into numbers, levels and "n/a" later, as for one CSV
file); their delimiter, encoding and units row come from the first file's header, which every file
must repeat. A file that breaks the pattern is named with what differs; nothing is left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from vises.dask.client import require_dask
from vises.errors import DataError, DataValidationError, VisesError

PathLike = str | os.PathLike[str]

_PARQUET = (".parquet", ".parq", ".pq")
_CSV = (".csv", ".tsv", ".txt")


@attrs.frozen(kw_only=True, eq=False)
class Folder:
    """The files read, as one lazy dask DataFrame, and the column units they declare."""

    frame: Any
    units: dict[str, str | None]
    files: tuple[Path, ...]
    format: str
    source: str
    #: ``;``-delimited CSV: numbers written with a decimal comma.
    decimal_comma: bool = False


def _files(path: Path) -> tuple[list[Path], str]:
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (*_PARQUET, *_CSV))
    else:
        raise DataError("data folder or file not found", file=str(path), hint="check the path")
    kinds = {
        "parquet" if p.suffix.lower() in _PARQUET else "csv" for p in files if p.suffix.lower() in (*_PARQUET, *_CSV)
    }
    if not files or not kinds:
        raise DataError(
            "the folder holds no Parquet (.parquet) or CSV (.csv) file",
            file=str(path),
            hint="give the folder of data files",
        )
    if len(kinds) > 1:
        raise DataError(
            "the folder mixes Parquet and CSV files",
            file=str(path),
            hint="keep one format per folder (convert with vises.write_data)",
        )
    return files, kinds.pop()


def read_folder(path: PathLike, *, blocksize: str | int | None = "64MB") -> Folder:
    """Read a folder of Parquet or CSV files (or one file) lazily as one dask DataFrame.

    ``blocksize`` bounds a CSV partition (``None``: one partition per file; files with a units row
    are always read one partition per file, so the units row is skipped in each).
    """
    require_dask("reading a folder of data files with Dask")
    folder = Path(path)
    files, kind = _files(folder)
    if kind == "parquet":
        return _parquet(folder, files)
    return _csv(folder, files, blocksize)


def _parquet(folder: Path, files: list[Path]) -> Folder:
    import dask.dataframe as dd
    import pyarrow.parquet as pq

    from vises.io.parquet_data import UNIT_KEY

    problems: list[VisesError] = []
    units: dict[str, str | None] | None = None
    names: list[str] | None = None
    for file in files:
        try:
            schema = pq.read_schema(file)
        except (OSError, ValueError) as exc:
            problems.append(DataError(f"cannot read as a Parquet file: {exc}", file=str(file)))
            continue
        found = {str(field.name): (field.metadata or {}).get(UNIT_KEY, b"").decode("utf-8") or None for field in schema}
        if units is None or names is None:
            units, names = found, list(schema.names)
            continue
        if list(schema.names) != names:
            missing = [name for name in names if name not in schema.names]
            extra = [name for name in schema.names if name not in names]
            differ = "; ".join(
                part
                for part in (
                    f"missing {', '.join(missing)}" if missing else "",
                    f"more: {', '.join(extra)}" if extra else "",
                    "in another order" if not missing and not extra else "",
                )
                if part
            )
            problems.append(
                DataError(
                    f"the columns differ from {files[0].name}'s ({differ})",
                    file=str(file),
                    hint="every file of the folder needs the same columns in the same order",
                )
            )
        elif found != units:
            changed = sorted(name for name in names if found.get(name) != units.get(name))
            problems.append(
                DataError(
                    f"the units of {', '.join(changed)} differ from {files[0].name}'s",
                    file=str(file),
                    hint="write every file with the same units (vises.write_data keeps them)",
                )
            )
    if problems:
        raise DataValidationError(problems, what=f"data folder {str(folder)!r}")
    frame = dd.read_parquet([str(f) for f in files])
    return Folder(
        frame=frame,
        units={k: v for k, v in (units or {}).items() if v},
        files=tuple(files),
        format="parquet",
        source=str(folder),
    )


def _csv(folder: Path, files: list[Path], blocksize: str | int | None) -> Folder:
    import dask.dataframe as dd

    from vises.io.csv_data import read_header

    heads = [read_header(file) for file in files]
    templates = [
        DataError(
            "a CSV template (its first line names its grid and version) is read without --engine dask",
            file=str(file),
            hint="read templates with the default engine, where their grid and version are checked",
        )
        for file, head in zip(files, heads, strict=True)
        if head.template is not None
    ]
    if templates:
        raise DataValidationError(templates, what=f"data folder {str(folder)!r}")
    first = heads[0]
    problems: list[VisesError] = [
        DataError(
            f"the header differs from {files[0].name}'s (delimiter {head.delimiter!r}, "
            f"{'a' if head.has_units_row else 'no'} units row)",
            file=str(file),
            hint="every file of the folder needs the same header, delimiter and units row",
        )
        for file, head in zip(files[1:], heads[1:], strict=True)
        if (head.cells, head.delimiter, head.units, head.has_units_row)
        != (first.cells, first.delimiter, first.units, first.has_units_row)
    ]
    if problems:
        raise DataValidationError(problems, what=f"data folder {str(folder)!r}")
    frame = dd.read_csv(
        [str(f) for f in files],
        sep=first.delimiter,
        encoding=first.encoding,
        dtype=str,
        keep_default_na=False,
        na_values=[],
        skiprows=[1] if first.has_units_row else None,
        blocksize=None if first.has_units_row else blocksize,
        skipinitialspace=False,
    )
    return Folder(
        frame=frame,
        units={name: unit for name, unit in first.units.items() if unit},
        files=tuple(files),
        format="csv",
        source=str(folder),
        decimal_comma=first.delimiter == ";",
    )


__all__ = ["Folder", "read_folder"]
