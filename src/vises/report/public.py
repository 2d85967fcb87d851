"""The public network view in the machine formats (csv, json, xlsx, parquet).

With the ``public`` option these formats write what the network view shows, drawn from the same
``NetworkView`` the table, markdown and HTML reports show, disclosure applied: each row by
pseudonym with its dimension scores and the total (ranks "5 / 33" when on), the distributions,
peer groups, network totals, requirement counts and changes, suppressed cells empty (null) and
flagged. Nothing of the whole results that could name or single out an organisation is written:
no codes, names, texts or evaluations, no indicator-level values, and no fitted parameters (a
min-max range is one centre's value).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from vises.i18n import translate
from vises.model.requirements import STATUS_ORDER
from vises.report.views import NetworkView, Request, network_view, provenance_record

if TYPE_CHECKING:  # pragma: no cover
    from vises.engine.results import Results


@attrs.frozen(kw_only=True, eq=False)
class PublicTable:
    """One table of the public view: machine heads (codes), heads in the report language, columns."""

    name: str
    keys: tuple[str, ...]
    labels: tuple[str, ...]
    columns: tuple[np.ndarray, ...]
    numeric: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def _text(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = ["" if v is None else str(v) for v in values]
    return out


def _numbers(values: Sequence[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def public_view(results: Results, request: Request) -> NetworkView:
    return network_view(results, lang=request.lang, options=request.options, period=request.period)


def public_tables(view: NetworkView) -> list[PublicTable]:
    """The tables of the public view, in the order the reports show them."""
    lang = view.lang

    def t(key: str) -> str:
        return translate(key, lang)

    table = view.table
    keys: list[str] = ["organisation", "period", *view.codes]
    labels: list[str] = [t("organisation"), t("period"), *view.labels]
    columns: list[np.ndarray] = [_text(table.organisations.tolist()), _text(table.periods.tolist())]
    columns += [table.scores[:, i] for i in range(len(view.codes))]
    numeric = [False, False] + [True] * len(view.codes)
    if table.ranks is not None:
        keys += [f"rank.{code}" for code in view.codes] + [f"ranked.{code}" for code in view.codes]
        labels += [f"{t('rank')} · {label}" for label in view.labels]
        labels += [f"{t('count')} · {label}" for label in view.labels]
        columns += [table.ranks[:, i] for i in range(len(view.codes))]
        assert table.rank_counts is not None
        columns += [table.rank_counts[:, i] for i in range(len(view.codes))]
        numeric += [True] * (2 * len(view.codes))
    out = [
        PublicTable(
            name="scores", keys=tuple(keys), labels=tuple(labels), columns=tuple(columns), numeric=tuple(numeric)
        )
    ]

    stats = ("count", "minimum", "q1", "median", "q3", "maximum", "mean")
    dist = view.distributions
    out.append(
        PublicTable(
            name="distributions",
            keys=("code", "node", "period", *stats, "suppressed"),
            labels=(t("code"), t("node"), t("period"), *(t(key) for key in stats), t("suppressed_mark")),
            columns=(
                _text([d.code for d in dist]),
                _text([d.label for d in dist]),
                _text([d.period for d in dist]),
                *(
                    _numbers([float("nan") if d.suppressed and key == "count" else getattr(d, key) for d in dist])
                    for key in stats
                ),
                _text(["yes" if d.suppressed else "" for d in dist]),
            ),
            numeric=(False, False, False, *([True] * len(stats)), False),
        )
    )
    groups = view.peer_groups
    means = np.array([g.means for g in groups], dtype=float).reshape(len(groups), len(view.codes))
    out.append(
        PublicTable(
            name="peer_groups",
            keys=("attribute", "group", "period", "count", *view.codes),
            labels=(t("attribute"), t("group"), t("period"), t("count"), *view.labels),
            columns=(
                _text([g.title or g.attribute for g in groups]),
                _text([g.group for g in groups]),
                _text([g.period for g in groups]),
                _numbers([float("nan") if g.count_hidden else g.count for g in groups]),
                *(means[:, i] for i in range(len(view.codes))),
            ),
            numeric=(False, False, False, True, *([True] * len(view.codes))),
        )
    )
    totals = view.totals
    out.append(
        PublicTable(
            name="totals",
            keys=(
                "code",
                "indicator",
                "period",
                "kind",
                "unit",
                "total",
                "numerator",
                "denominator",
                "reported_by",
                "organisations",
                "suppressed",
            ),
            labels=(
                t("code"),
                t("indicator"),
                t("period"),
                t("total_kind"),
                t("unit"),
                t("total"),
                t("sum_numerators"),
                t("sum_denominators"),
                t("reported_by"),
                t("count"),
                t("suppressed_mark"),
            ),
            columns=(
                _text([x.code for x in totals]),
                _text([x.label for x in totals]),
                _text([x.period for x in totals]),
                _text([x.kind for x in totals]),
                _text([x.unit_label for x in totals]),
                _numbers([x.value for x in totals]),
                _numbers([x.numerator for x in totals]),
                _numbers([x.denominator for x in totals]),
                _numbers([x.count for x in totals]),
                _numbers([x.of for x in totals]),
                _text([x.suppressed or "" for x in totals]),
            ),
            numeric=(False, False, False, False, False, True, True, True, True, True, False),
        )
    )
    if view.requirements:
        answers = [status.value for status in STATUS_ORDER]
        rows = view.requirements
        counts = np.array([r.counts for r in rows], dtype=float).reshape(len(rows), len(answers))
        out.append(
            PublicTable(
                name="requirements",
                keys=("code", "requirement", "period", *answers, "organisations"),
                labels=(
                    t("code"),
                    t("requirement"),
                    t("period"),
                    *(translate(f"requirement_{a}", lang) for a in answers),
                    t("count"),
                ),
                columns=(
                    _text([r.code for r in rows]),
                    _text([r.label for r in rows]),
                    _text([r.period for r in rows]),
                    *(counts[:, i] for i in range(len(answers))),
                    _numbers([r.of for r in rows]),
                ),
                numeric=(False, False, False, *([True] * len(answers)), True),
            )
        )
    changes = view.change_table
    out.append(
        PublicTable(
            name="changes",
            keys=("organisation", "from_period", "to_period", *view.codes),
            labels=(t("organisation"), t("from_period"), t("to_period"), *view.labels),
            columns=(
                _text(changes.organisations.tolist()),
                _text(changes.from_periods.tolist()),
                _text(changes.to_periods.tolist()),
                *(changes.changes[:, i] for i in range(len(view.codes))),
            ),
            numeric=(False, False, False, *([True] * len(view.codes))),
        )
    )
    return out


def iter_public_csv(results: Results, request: Request) -> Iterator[str]:
    """The public score table as CSV (pseudonym, period, dimension scores, the total)."""
    from vises.report.csv_format import inert_text, machine_numbers, provenance_lines

    scores = public_tables(public_view(results, request))[0]
    width = 2 + len(public_view_codes(scores))
    if request.options.provenance:
        yield "".join(" ".join(line.splitlines()) + "\r\n" for line in provenance_lines(results))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([inert_text(np.array([key]))[0] for key in scores.keys[:width]])
    cells = [
        machine_numbers(column) if numeric else inert_text(column)
        for column, numeric in zip(scores.columns[:width], scores.numeric[:width], strict=True)
    ]
    writer.writerows(zip(*cells, strict=True))
    yield buffer.getvalue()


def public_view_codes(scores: PublicTable) -> list[str]:
    """The score codes of the public score table (its columns after organisation and period)."""
    return [key for key in scores.keys[2:] if not key.startswith(("rank.", "ranked."))]


def public_json(results: Results, request: Request) -> str:
    """The public view as one JSON document: every table as a list of records, nulls where suppressed."""
    from vises.report.json_format import plain

    view = public_view(results, request)
    document: dict[str, Any] = {
        "view": "network",
        "public": True,
        "lang": view.lang,
        "min_group": view.min_group,
        "provenance": provenance_record(results),
        "grid": {"code": results.grid.code, "version": results.grid.version, "label": results.grid.label_in(view.lang)},
        "codes": list(view.codes),
        "labels": dict(zip(view.codes, view.labels, strict=True)),
        "periods": list(view.periods),
    }
    for table in public_tables(view):
        values = [column.tolist() for column in table.columns]
        document[table.name] = [dict(zip(table.keys, row, strict=True)) for row in zip(*values, strict=True)]
    indent = request.options.indent or None
    return json.dumps(plain(document), ensure_ascii=False, allow_nan=False, indent=indent) + "\n"


def public_xlsx(results: Results, request: Request) -> bytes:
    """The public view as a workbook: one sheet per table, then the provenance."""
    from vises.report.xlsx import HEADER, NUMBER, TEXT, _provenance_sheet, _styles
    from vises.report.xlsx_package import Column, Workbook

    buffer = io.BytesIO()
    book = Workbook(buffer, _styles(request.options.digits))
    for table in public_tables(public_view(results, request)):
        heads = [[(label, HEADER) for label in table.labels], [(key, HEADER) for key in table.keys]]
        body = [
            Column(values=column, style=NUMBER if numeric else TEXT, numeric=numeric)
            for column, numeric in zip(table.columns, table.numeric, strict=True)
        ]
        widths = [
            min(max(len(label), len(key), 10) + 2, 45) for label, key in zip(table.labels, table.keys, strict=True)
        ]
        book.add_sheet(table.name, heads, body, widths=widths, freeze=(2, 1))
    _provenance_sheet(book, results, request.lang)
    book.close()
    return buffer.getvalue()


def public_parquet(results: Results, request: Request) -> bytes:
    """The public score table as typed columns, the provenance in the file's metadata."""
    from vises.report.parquet_format import _pyarrow

    pa = _pyarrow()
    scores = public_tables(public_view(results, request))[0]
    arrays: dict[str, Any] = {}
    for key, column, numeric in zip(scores.keys, scores.columns, scores.numeric, strict=True):
        if not numeric:
            arrays[key] = pa.array(column.astype(str), type=pa.string())
        elif key.startswith(("rank.", "ranked.")):
            known = ~np.isnan(column)
            arrays[key] = pa.array(np.where(known, column, 0).astype(np.int32), mask=~known, type=pa.int32())
        else:
            arrays[f"score.{key}"] = pa.array(column, mask=~np.isfinite(column), type=pa.float64())
    table = pa.table(arrays)
    metadata = {b"vises.provenance": json.dumps(provenance_record(results), ensure_ascii=False, default=str).encode()}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    buffer = io.BytesIO()
    pa.parquet.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


__all__ = [
    "PublicTable",
    "iter_public_csv",
    "public_json",
    "public_parquet",
    "public_tables",
    "public_view",
    "public_xlsx",
]
