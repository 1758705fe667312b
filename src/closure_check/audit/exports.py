"""The audit's outputs besides its JSON: the CSV of exceptions and the self-contained HTML
report, each written piece by piece from the spools; and writing them all, after checking first
that each output can be written."""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from ..errors import InputError, Problem
from ..output import csp_hash, spreadsheet_cell, write_private
from ..report import judgement_words
from ..sources import is_regular_or_absent
from .action import report_section_body
from .chart import bar_chart
from .result import Audit

_CSV_COLUMNS: Final = (
    ("fingerprint", "fingerprint"),
    ("assessment_id", "record id"),
    ("kind", "kind"),
    ("subject_type", "child or adult"),
    ("subject", "subject id"),
    ("name", "name"),
    ("worker_id", "worker id"),
    ("worker", "worker"),
    ("team", "team"),
    ("rule", "rule"),
    ("severity", "severity"),
    ("paragraph", "paragraph"),
    ("problem", "what is wrong"),
    ("remedy", "what would put it right"),
    ("finding", "finding"),
    ("judgement", "judgement"),
    ("source", "file"),
    ("line", "line"),
)


def _csv_value(row: dict[str, Any], key: str) -> object:
    """A row's cell: a failing finding's row has no `finding` nor `judgement` (1.1); an invalid
    record's or a warning's has only some columns."""
    if key == "finding":
        return row.get("finding", "fails")
    if key == "judgement":
        judgement = row.get("judgement")
        return judgement_words(judgement) if judgement else ""
    return row.get(key)


#: The `finding` of an invalid record's row, and of a warning's (issue 15, items 6 and 7).
NOT_CHECKED: Final = "could not be checked"
WARNING: Final = "warning"


def problems_text(entry: dict[str, Any]) -> str:
    """An invalid record's problems in one cell: each with its line and field."""
    parts = []
    for p in entry["problems"]:
        where = f"line {p['line']}: " if "line" in p else ""
        field = f"{p['path']}: " if p.get("path") else ""
        parts.append(f"{where}{field}{p['message']}")
    return "; ".join(parts)


def invalid_row(entry: dict[str, Any]) -> dict[str, Any]:
    """An invalid record (an `errors` entry) as a row of the exceptions' columns."""
    return {
        "assessment_id": entry["assessment_id"] or "",
        "finding": NOT_CHECKED,
        "problem": problems_text(entry),
        "remedy": "Correct the record and run the audit again.",
        "source": entry["source"],
        "line": entry["line"],
    }


def table_columns(audit: Audit) -> list[tuple[str, str]]:
    """The columns of the CSV and of the workbook's exceptions: with a baseline, each row's
    status and when it was first seen."""
    columns = list(_CSV_COLUMNS)
    if audit.baseline is not None:
        columns[1:1] = [
            ("status", "status"),
            ("first_seen", "first seen"),
            ("days_since_first_seen", "days since first seen"),
        ]
    return columns


def table_rows(audit: Audit) -> Iterator[dict[str, Any]]:
    """Every row of the CSV: the warnings first, then each exception, each accepted finding
    and each invalid record (nothing is left out of the spreadsheet)."""
    for text in audit.warnings:
        yield {"finding": WARNING, "problem": text}
    yield from audit.exceptions
    yield from audit.accepted
    for entry in audit.errors:
        yield invalid_row(entry)


def csv_chunks(audit: Audit) -> Iterator[str]:
    """The warnings about the baseline, one row per exception, then one per finding accepted by
    a judgement, then one per invalid record (the `finding` column says which). UTF-8 with a
    byte-order mark, so that Excel reads names right."""
    columns = table_columns(audit)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in columns])
    yield "\ufeff" + out.getvalue()
    keys = [key for key, _ in columns]
    rows = 0
    for row in table_rows(audit):
        if rows == 0:
            out.seek(0)
            out.truncate()
        writer.writerow([spreadsheet_cell(_csv_value(row, key)) for key in keys])
        rows += 1
        if rows == 500:
            yield out.getvalue()
            rows = 0
    if rows:
        yield out.getvalue()


def html_chunks(audit: Audit) -> Iterator[str]:
    """The exception report: one self-contained page (see templates/audit.html), written as the
    template goes; its rows are read from the spools as they are reached."""
    from ..render import environment

    data: dict[str, Any] = {**audit._head(), **audit._lists()}
    workers = {wid: name or wid for wid, (name, _) in audit._worker_names.items()}
    template = environment().get_template("audit.html")
    summary = data["summary"]
    by_rule = sorted(summary["by_rule"], key=lambda r: -r["exceptions"])  # stable: then catalogue
    return template.generate(
        audit=data,
        by_rule=by_rule,
        rule_chart=bar_chart(
            "chart-rules",
            "Exceptions per rule",
            [(r["title"], r["exceptions"], r["severity"]) for r in by_rule],
        ),
        team_chart=bar_chart(
            "chart-teams",
            "Exceptions per team",
            [(t["team"] or "No team recorded", t["exceptions"], "") for t in summary["by_team"]],
        ),
        record_reports=_record_reports(audit),
        rule_order={r["rule"]: i for i, r in enumerate(audit.catalogue)},
        filter_rules=[r for r in audit.catalogue if r["rule"] in audit._by_rule],
        filter_teams=sorted(audit._by_team),
        filter_workers=sorted(workers.items(), key=lambda kv: (kv[1].casefold(), kv[0])),
        csp_hash=csp_hash,
        basename=os.path.basename,
        chain=itertools.chain,
    )


def _record_reports(audit: Audit) -> Iterator[tuple[int, dict[str, Any], str]]:
    """Each failing record's own report, as `check --format html` shows it, for its section of
    the page: (its place in `reports`, its entry needing action, the HTML), in input order."""
    entries = audit.needing_action.in_report_order()
    for i, (data, entry) in enumerate(zip(audit.reports, entries, strict=True)):
        yield i, entry, report_section_body(data, f"report-{i}")


def check_outputs(paths: Iterable[Path | None]) -> None:
    """Before any work: each output must be a regular file (or not exist yet) in a folder that
    exists. Writing is atomic, by renaming a new file over the old one, so a device such as
    /dev/null or a pipe would be replaced by a file, not written to."""
    problems = []
    for path in paths:
        if path is None:
            continue
        path = Path(path)
        folder = path.parent if str(path.parent) else Path(".")
        if not is_regular_or_absent(path):
            why = "is not a regular file: give the path of a file to write the report to"
            problems.append(Problem(str(path), None, "", why))
        elif not folder.is_dir():
            problems.append(
                Problem(str(path), None, "", f"cannot be written: {folder} is not a folder")
            )
    if problems:
        raise InputError(problems)


def write_outputs(
    audit: Audit,
    *,
    json_path: Path | None = None,
    html_path: Path | None = None,
    csv_path: Path | None = None,
    xlsx_path: Path | None = None,
) -> list[Path]:
    """Write the asked-for outputs, each atomically, piece by piece, and readable by its owner
    only."""
    check_outputs([json_path, html_path, csv_path, xlsx_path])
    written = []
    for path, make in (
        (json_path, Audit.json_chunks),
        (html_path, html_chunks),
        (csv_path, csv_chunks),
    ):
        if path is not None:
            write_private(Path(path), make(audit))
            written.append(Path(path))
    if xlsx_path is not None:
        from .xlsx import write_xlsx

        write_xlsx(audit, Path(xlsx_path))
        written.append(Path(xlsx_path))
    return written
