"""A federation's yearly round in one call: gather, check, score on a stable scale, hand out safely.

``run_round`` reads every submission (``submissions.collect``), checks them all together
(``gather``: every problem of every file at once, nothing written when one is found), scores the
merged data (against last year's round file when given, so published scores stay where they
were), and writes the round folder (``folder``):

=================================  ==========================================================
``network.html``                   the public network view: pseudonyms, small groups suppressed
``profiles/<organisation>.html``   each centre's own profile, to send to that centre only
``private/staff.xlsx``             the staff workbook: names, portraits, requirements, every detail
``private/round-<name>.json``      the round file: next year's ``--reference``
``private/data.csv``               the merged raw data (units harmonised), with its framing
``private/results.json``           the whole results (json report)
``private/pseudonyms.csv``         who is published under which pseudonym
``private/index.csv``              organisation, name, pseudonym, profile file
=================================  ==========================================================

Reports are rendered through the registry's report formats, as ``vises.render`` does.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from vises.contract.records import ReportRequest
from vises.engine.load import load_grid
from vises.engine.results import Results
from vises.engine.saved import SavedRound, read_round, save_round
from vises.errors import ConfigError
from vises.io.atomic import write_bytes_atomic
from vises.io.pseudonyms import pseudonym_csv, pseudonyms_for, read_pseudonym_file
from vises.model import Grid
from vises.numeric import sorted_distinct
from vises.round.folder import PRIVATE, PROFILES, building, check_output, safe_names
from vises.round.gather import Progress, _noted, gather
from vises.round.submissions import collect

PathLike = str | os.PathLike[str]


@attrs.frozen(kw_only=True, eq=False)
class RoundReport:
    """What a round produced: where, from what, and what is worth a look."""

    output: Path
    results: Results
    #: The round file, for next year's ``reference``.
    round_file: Path
    #: Every file written, relative to ``output``.
    files: tuple[Path, ...]
    #: The data files and templates read, and the round-wide framing files.
    sources: tuple[Path, ...]
    #: Notes worth a look: files passed over, templates of another grid version, framing of nobody.
    warnings: tuple[str, ...]
    pseudonyms: dict[str, str]
    #: The round this one was scored against (its scale), if any.
    reference: SavedRound | None = None

    @property
    def organisations(self) -> int:
        return len(sorted_distinct(self.results.organisations))

    def __repr__(self) -> str:
        return (
            f"<RoundReport {str(self.output)!r}: {len(self.results)} rows, {self.organisations} organisations, "
            f"{len(self.files)} files>"
        )


def _render(results: Results, format: str, **request: Any) -> bytes:
    from vises.plugins.current import get_registry

    spec = get_registry().report_formats[format]
    out = spec.render(results, ReportRequest(**request))
    return out if isinstance(out, bytes) else out.encode("utf-8")


def _suffix(format: str) -> str:
    from vises.plugins.current import get_registry

    return str(get_registry().report_formats[format].suffix)


#: The report formats that apply the public view's disclosure control (pseudonyms, k, dominance):
#: the core formats taking the ``public`` option (``report.views.FORMAT_OPTIONS``, a sibling this
#: package may not import; a test keeps the two equal). Another format, a plugin's or an export,
#: might print names or small groups, so a round does not write it.
PUBLIC_FORMATS = ("table", "markdown", "csv", "json", "html", "xlsx", "parquet")


def _check_formats(formats: Sequence[str], what: str) -> tuple[str, ...]:
    from vises.errors import ReportError, unknown_name_hint
    from vises.plugins.current import get_registry

    known = get_registry().report_formats
    chosen = tuple(dict.fromkeys(formats))
    for name in chosen:
        if name not in known:
            raise ReportError(f"unknown {what} format {name!r}", hint=unknown_name_hint(name, known))
        if name not in PUBLIC_FORMATS:
            raise ReportError(
                f"the round does not write its {what} view in format {name!r}: only vises's report formats "
                "apply the round's disclosure control (pseudonyms, smallest group, dominance)",
                hint=f"choose among {', '.join(PUBLIC_FORMATS)}; write {name!r} from the round's results "
                "with vises score, for the staff",
            )
    if not chosen:
        raise ConfigError(f"no {what} format chosen", hint="html is the usual one")
    return chosen


def _with_ranks(options: dict[str, Any], format: str, ranks: bool) -> dict[str, Any]:
    """``options`` with ranks left out when asked; ranks are shown by default, and the csv table
    has none to leave out (it takes no ``ranks`` option)."""
    return options if ranks or format == "csv" else {**options, "ranks": False}


def _data_suffixes() -> list[str]:
    from vises.plugins.current import get_registry

    return [suffix for reader in get_registry().readers.values() for suffix in reader.suffixes]


def run_round(
    submissions: Sequence[PathLike],
    *,
    grid: Grid | PathLike,
    output: PathLike,
    reference: SavedRound | PathLike | None = None,
    secret: bytes | None = None,
    pseudonym_file: PathLike | None = None,
    lang: str | None = None,
    profile_formats: Sequence[str] = ("html",),
    network_formats: Sequence[str] = ("html",),
    min_group: int = 3,
    dominance: float = 0.5,
    peer_groups: Sequence[str] | None = None,
    ranks: bool = True,
    period: str | None = None,
    name: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> RoundReport:
    """Run a round over ``submissions`` (folders and files) on ``grid`` into the folder ``output``.

    ``reference``: last year's round file (or ``SavedRound``): its fitted parameters score this
    round, so published scores do not move. Pseudonyms come from ``pseudonym_file`` (the
    federation's ``organisation,pseudonym`` CSV) or are keyed by ``secret``. ``min_group`` (k),
    ``dominance`` and ``ranks`` rule the public network view; ``peer_groups`` chooses the attributes
    peers are grouped by (default: family, region, size and the grid's declared attributes).
    Raises ``DataValidationError`` listing every problem of every file; nothing is written then.
    """
    output = Path(output)
    profile_formats = _check_formats(profile_formats, "profile")
    network_formats = _check_formats(network_formats, "network")
    files = collect(submissions, _data_suffixes())
    inputs = [*files.data, *files.framing, *(path.with_name(path.stem + ".evaluations.toml") for path in files.data)]
    inputs += [Path(p) for p in (reference, pseudonym_file) if isinstance(p, (str, os.PathLike))]
    check_output(output, inputs, force=force)
    loaded = load_grid(grid)
    saved = read_round(reference) if isinstance(reference, (str, os.PathLike)) else reference
    mapping = read_pseudonym_file(pseudonym_file) if pseudonym_file is not None else None
    notes = [f"{path}: not read ({why})" for path, why in files.skipped]

    gathered = gather(files, loaded, progress=progress)
    notes += gathered.notes
    if progress is not None:
        progress("scoring", 0, 1)
    from vises.engine.score import score

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = score(loaded, gathered.dataset, reference=saved)
    notes += _noted(caught)
    organisations = sorted(set(results.organisations.tolist()))
    pseudonyms = pseudonyms_for(
        organisations, secret=secret, mapping=mapping, file=None if pseudonym_file is None else str(pseudonym_file)
    )
    round_name = name or results.period_values[-1]
    public: dict[str, Any] = {"public": True, "pseudonyms": pseudonyms, "min_group": min_group, "dominance": dominance}
    if peer_groups is not None:
        public["peer_groups"] = list(peer_groups)
    shared = {"language": lang, "period": period}
    names = safe_names(organisations)
    written: list[Path] = []
    steps = len(network_formats) + len(organisations) * len(profile_formats) + 6
    done = 0

    def step(label: str) -> None:
        nonlocal done
        if progress is not None:
            progress(label, done, steps)
        done += 1

    with building(output) as work:

        def put(relative: str, data: bytes) -> None:
            write_bytes_atomic(work / relative, data)
            written.append(Path(relative))

        for format in network_formats:
            step(f"network view ({format})")
            options = _with_ranks(public, format, ranks)
            put(f"network{_suffix(format)}", _render(results, format, view="network", options=options, **shared))
        profile_options: dict[str, Any] = {"public": True, "min_group": min_group}
        for organisation in organisations:
            for format in profile_formats:
                step(f"profile of {organisation}")
                put(
                    f"{PROFILES}/{names[organisation]}{_suffix(format)}",
                    _render(
                        results,
                        format,
                        view="profile",
                        organisation=organisation,
                        options=_with_ranks(profile_options, format, ranks),
                        language=lang,
                    ),
                )
        step("staff workbook")
        staff = {"staff": True, "pseudonyms": pseudonyms, "ranks": True}
        if peer_groups is not None:
            staff["peer_groups"] = list(peer_groups)
        put(f"{PRIVATE}/staff.xlsx", _render(results, "xlsx", view="network", options=staff, language=lang))
        step("round file")
        round_file = Path(f"{PRIVATE}/round-{safe_names([round_name])[round_name]}.json")
        sources = [str(path) for path in (*files.data, *files.framing)]
        save_round(results, work / round_file, name=round_name, reference=saved, sources=sources)
        written.append(round_file)
        step("merged data")
        from vises.io.write_data import write_data

        write_data(gathered.dataset, work / PRIVATE / "data.csv")
        written.append(Path(f"{PRIVATE}/data.csv"))
        if gathered.dataset.organisation_profiles or gathered.dataset.evaluations:
            from vises.io.evaluations_write import evaluations_text

            framing = evaluations_text(gathered.dataset.organisation_profiles, gathered.dataset.evaluations)
            put(f"{PRIVATE}/data.evaluations.toml", framing.encode("utf-8"))
        step("results")
        put(f"{PRIVATE}/results.json", _render(results, "json", view="network", options={}, language=lang))
        put(f"{PRIVATE}/pseudonyms.csv", pseudonym_csv(pseudonyms).encode("utf-8"))
        put(f"{PRIVATE}/index.csv", _index(results, pseudonyms, names, profile_formats).encode("utf-8"))
        step("done")
    return RoundReport(
        output=output,
        results=results,
        round_file=output / round_file,
        files=tuple(written),
        sources=(*files.data, *files.framing),
        warnings=tuple(dict.fromkeys(notes)),
        pseudonyms=pseudonyms,
        reference=saved,
    )


def _index(results: Results, pseudonyms: dict[str, str], names: dict[str, str], formats: Sequence[str]) -> str:
    """Who gets which file: organisation, name, pseudonym, its profile files."""
    from vises.neutralise import spreadsheet_text

    known = results.organisation_names()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["organisation", "name", "pseudonym", "profile"])
    for code in sorted(pseudonyms):
        files = " ".join(f"{PROFILES}/{names[code]}{_suffix(format)}" for format in formats)
        writer.writerow([spreadsheet_text(code), spreadsheet_text(known.get(code, "")), pseudonyms[code], files])
    return buffer.getvalue()


__all__ = ["PUBLIC_FORMATS", "RoundReport", "run_round"]
