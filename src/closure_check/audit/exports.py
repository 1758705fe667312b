"""The audit's outputs besides its JSON: the CSV of exceptions and the self-contained HTML
report, each written piece by piece from the spools; and writing them all, after checking first
that each output can be written."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import itertools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from ..errors import InputError, Problem
from ..output import write_private
from ..report import judgement_words
from ..sources import is_regular_or_absent
from .result import Audit

_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A spreadsheet must show a cell, never run it: text that a spreadsheet would read as a
    formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


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
    """A row's cell: a failing finding's row has no `finding` nor `judgement` (1.1)."""
    if key == "finding":
        return row.get("finding", "fails")
    if key == "judgement":
        judgement = row.get("judgement")
        return judgement_words(judgement) if judgement else ""
    return row[key]


def csv_chunks(audit: Audit) -> Iterator[str]:
    """One row per exception, then one per finding accepted by a judgement (its `finding`
    column says which). UTF-8 with a byte-order mark, so that Excel reads names right."""
    columns = list(_CSV_COLUMNS)
    if audit.baseline is not None:
        columns.insert(1, ("status", "status"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in columns])
    yield "\ufeff" + out.getvalue()
    keys = [key for key, _ in columns]
    rows = 0
    for row in itertools.chain(audit.exceptions, audit.accepted):
        if rows == 0:
            out.seek(0)
            out.truncate()
        writer.writerow([_cell(_csv_value(row, key)) for key in keys])
        rows += 1
        if rows == 500:
            yield out.getvalue()
            rows = 0
    if rows:
        yield out.getvalue()


def _csp_hash(text: object) -> str:
    """The Content-Security-Policy source for an inline script or style with this text."""
    digest = hashlib.sha256(str(text).encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def html_chunks(audit: Audit) -> Iterator[str]:
    """The exception report: one self-contained page (see templates/audit.html), written as the
    template goes; its rows are read from the spools as they are reached."""
    from ..render import environment

    data: dict[str, Any] = {**audit._head(), **audit._lists()}
    workers = {wid: name or wid for wid, (name, _) in audit._worker_names.items()}
    template = environment().get_template("audit.html")
    return template.generate(
        audit=data,
        rule_order={r["rule"]: i for i, r in enumerate(audit.catalogue)},
        filter_rules=[r for r in audit.catalogue if r["rule"] in audit._by_rule],
        filter_teams=sorted(audit._by_team),
        filter_workers=sorted(workers.items(), key=lambda kv: (kv[1].casefold(), kv[0])),
        csp_hash=_csp_hash,
        basename=os.path.basename,
        chain=itertools.chain,
    )


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
) -> list[Path]:
    """Write the asked-for outputs, each atomically, piece by piece, and readable by its owner
    only."""
    check_outputs([json_path, html_path, csv_path])
    written = []
    for path, make in (
        (json_path, Audit.json_chunks),
        (html_path, html_chunks),
        (csv_path, csv_chunks),
    ):
        if path is not None:
            write_private(Path(path), make(audit))
            written.append(Path(path))
    return written
