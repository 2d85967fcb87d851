"""Pseudonyms that stay the same from one round to the next, so a centre can follow itself.

Two ways, one result (a mapping organisation code -> pseudonym):

* **a keyed hash** (the default): ``P-7QKD-M2XA`` from HMAC-SHA256 of the code under a federation
  secret. Nothing to carry from year to year but the secret; the same code gives the same
  pseudonym on any machine, and without the secret nobody can tell which code a pseudonym hides
  (organisation codes are few and guessable, so a plain hash would be reversed in a second). The
  secret must be at least ``MIN_SECRET_CHARS`` characters (a long random text).
* **a mapping file** the federation keeps (CSV ``organisation,pseudonym``): pseudonyms chosen by the
  federation, unrelated to the codes; every organisation of the round must be in it.

Both must be kept private: whoever holds the secret or the file can undo the pseudonyms.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from vises.errors import ConfigError, DataError, DataValidationError, VisesError

#: The environment variable holding the federation secret (``vises round`` reads it when no file is given).
SECRET_ENVIRONMENT = "VISES_PSEUDONYM_SECRET"
#: A shorter secret could be found by trying every text of its length against one known pseudonym.
MIN_SECRET_CHARS = 16
#: Characters of the hash kept (40 bits): two codes among 10,000 share a pseudonym about once in 20,000 networks.
_KEPT = 8
_PREFIX = "P-"


def check_secret(secret: str | bytes, *, source: str) -> bytes:
    """The secret as bytes; too short (or empty) is a ``ConfigError`` naming where it came from."""
    raw = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    raw = raw.strip()
    if len(raw) < MIN_SECRET_CHARS:
        raise ConfigError(
            f"the pseudonym secret from {source} has {len(raw)} characters; at least {MIN_SECRET_CHARS} are needed",
            hint='use a long random text, e.g. python -c "import secrets; print(secrets.token_urlsafe(32))", '
            "and keep it for every round",
        )
    return raw


def read_secret(path: str | os.PathLike[str]) -> bytes:
    """The secret kept in a file (its text, surrounding spaces and line ends left out)."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError("the secret file does not exist", file=str(file), hint="check the path") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the secret file: {exc.strerror or exc}", file=str(file)) from exc
    return check_secret(data, source=f"file {str(file)!r}")


def keyed_pseudonyms(codes: Iterable[str], secret: bytes) -> dict[str, str]:
    """``P-7QKD-M2XA`` for each code: HMAC-SHA256 of the code under ``secret``, in base 32."""
    out: dict[str, str] = {}
    taken: dict[str, str] = {}
    for code in sorted(set(map(str, codes))):
        digest = hmac.new(secret, code.encode("utf-8"), hashlib.sha256).digest()
        text = base64.b32encode(digest).decode("ascii")[:_KEPT]
        pseudonym = f"{_PREFIX}{text[:4]}-{text[4:]}"
        if pseudonym in taken:  # astronomically rare; never publish two centres under one name
            raise ConfigError(
                f"organisations {taken[pseudonym]!r} and {code!r} get the same pseudonym under this secret",
                hint="choose another secret, or give a pseudonym mapping file",
            )
        taken[pseudonym] = code
        out[code] = pseudonym
    return out


def read_pseudonym_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """The mapping kept by the federation: a CSV file with the columns ``organisation`` and ``pseudonym``.

    Every problem at once: a missing column, an empty cell, an organisation twice, or one pseudonym
    for two organisations (they would be published as one).
    """
    file = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("the pseudonym file does not exist", file=file, hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the pseudonym file is not UTF-8 text (byte {exc.start})", file=file) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the pseudonym file: {exc.strerror or exc}", file=file) from exc
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))
    if not rows or [cell.strip().casefold() for cell in rows[0][:2]] != ["organisation", "pseudonym"]:
        raise ConfigError(
            "the pseudonym file must start with the header 'organisation,pseudonym'",
            file=file,
            hint="one line per organisation: its code, then the pseudonym it is published under",
        )
    problems: list[VisesError] = []
    mapping: dict[str, str] = {}
    owner: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            problems.append(DataError("an organisation and its pseudonym are both needed", file=file, row=number))
            continue
        code, pseudonym = _unquoted(cells[0]), _unquoted(cells[1])
        if code in mapping:
            problems.append(DataError(f"organisation {code!r} is listed twice", file=file, row=number))
        elif pseudonym in owner:
            problems.append(
                DataError(
                    f"pseudonym {pseudonym!r} is given to {owner[pseudonym]!r} and to {code!r}",
                    file=file,
                    row=number,
                    hint="give every organisation a pseudonym of its own",
                )
            )
        else:
            mapping[code], owner[pseudonym] = pseudonym, code
    if problems:
        raise DataValidationError(problems, what=f"pseudonym file {file!r}")
    return mapping


def _unquoted(cell: str) -> str:
    """A cell as written before ``pseudonym_csv`` made it inert (the ``'`` before a formula-like text)."""
    from vises.neutralise import formula_like

    return cell[1:] if cell.startswith("'") and formula_like(cell[1:]) else cell


def pseudonym_csv(mapping: Mapping[str, str]) -> str:
    """A mapping as the CSV text ``read_pseudonym_file`` reads (codes made inert for a spreadsheet)."""
    from vises.neutralise import spreadsheet_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["organisation", "pseudonym"])
    for code in sorted(mapping):
        writer.writerow([spreadsheet_text(code), spreadsheet_text(mapping[code])])
    return buffer.getvalue()


def pseudonyms_for(
    codes: Iterable[str],
    *,
    secret: bytes | None = None,
    mapping: Mapping[str, str] | None = None,
    file: str | None = None,
) -> dict[str, str]:
    """The pseudonym of every code: from the federation's mapping, else keyed by the secret.

    With a mapping, an organisation it lacks is an error naming every one of them (a new centre
    must be added to the file the federation keeps).
    """
    wanted = sorted(set(map(str, codes)))
    if mapping is not None:
        missing = [code for code in wanted if code not in mapping]
        if missing:
            raise ConfigError(
                f"the pseudonym file has no pseudonym for {len(missing)} organisation(s): {', '.join(missing[:10])}"
                + (", ..." if len(missing) > 10 else ""),
                file=file,
                hint="add a line 'code,pseudonym' for each (a new centre gets a new pseudonym), then run again",
            )
        return {code: mapping[code] for code in wanted}
    if secret is None:
        raise ConfigError(
            "the network view is published under pseudonyms, and no secret or pseudonym file was given",
            hint=f"set {SECRET_ENVIRONMENT} or give --secret-file FILE (a long random text kept for every round), "
            "or --pseudonyms FILE (a CSV 'organisation,pseudonym' the federation keeps)",
        )
    return keyed_pseudonyms(wanted, secret)


__all__ = [
    "MIN_SECRET_CHARS",
    "SECRET_ENVIRONMENT",
    "check_secret",
    "keyed_pseudonyms",
    "pseudonym_csv",
    "pseudonyms_for",
    "read_pseudonym_file",
    "read_secret",
]
