"""`--xlsx FILE` (issue 15, item 6): the audit as an Excel workbook, made with openpyxl in its
write-only mode (rows written as they are read from the spools). Four sheets: the exceptions
(with the accepted findings), the records needing action, the invalid records, and a summary.
Each has a frozen header, filters and column widths; every cell from a record is text, never a
formula or a link (the CSV's neutralising), and a record id is text as written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..output import spreadsheet_cell, write_private_bytes
from .exports import _csv_value, problems_text, table_columns
from .result import Audit

_WIDE: Final = {"problem": 60, "remedy": 60, "judgement": 40, "name": 24, "title": 40}
_TEXT: Final = "@"  # Excel's number format for text


def _value(value: object) -> object:
    value = spreadsheet_cell(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # Excel refuses control characters
    return value


class _Sheet:
    def __init__(self, book: Workbook, title: str, columns: Sequence[tuple[str, str]]) -> None:
        sheet: Any = book.create_sheet(title)  # a write-only sheet (typed as a worksheet)
        self.sheet = sheet
        self.keys = [key for key, _ in columns]
        for i, key in enumerate(self.keys, start=1):
            width = _WIDE.get(key, max(12, len(columns[i - 1][1]) + 4))
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        head = []
        for _, label in columns:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        self.rows = 0

    def append(self, values: Iterable[object]) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(self.sheet, value=_value(value))  # type: ignore[arg-type]
            if isinstance(cell.value, str):
                cell.number_format = _TEXT
            cells.append(cell)
        self.sheet.append(cells)
        self.rows += 1

    def close(self) -> None:
        last = get_column_letter(len(self.keys))
        self.sheet.auto_filter.ref = f"A1:{last}{self.rows + 1}"


_ACTION: Final = (
    ("assessment_id", "record id"),
    ("children", "child"),
    ("worker_id", "worker id"),
    ("worker", "worker"),
    ("team", "team"),
    ("blockers", "blockers"),
    ("advisories", "advisories"),
    ("blocking_rules", "failing blocker rules"),
    ("started_on", "started on"),
    ("source", "file"),
    ("line", "line"),
)
_INVALID: Final = (
    ("assessment_id", "record id"),
    ("reason", "why"),
    ("problems", "what was wrong"),
    ("source", "file"),
    ("line", "line"),
)


def _summary_rows(audit: Audit) -> list[tuple[object, object]]:
    c = audit.counts
    s = audit.summary()
    rows: list[tuple[object, object]] = [
        ("as of", audit.as_of),
        ("rules version", audit.rules_version),
        ("closure-check", audit.tool_version),
        ("pseudonymised", "yes" if audit.redacted else "no"),
        ("records read", c.read),
        ("passed", c.passed),
        ("failed", c.failed),
        ("could not be checked", c.invalid),
        ("exceptions", s["exceptions"]),
        ("blocker", s["blocker"]),
        ("advisory", s["advisory"]),
        ("accepted by a judgement", s["accepted"]),
        ("records needing action", len(audit.needing_action)),
    ]
    b = audit.baseline_summary()
    if b is not None:
        rows += [("baseline", b["source"]), ("baseline as of", b["as_of"])]
        rows += [(k.replace("_", " "), b[k]) for k in ("new", "persisting", "resolved")]
        rows.append(("not rechecked", b["not_rechecked"]))
    rows += [("warning", text) for text in audit.warnings]
    rows += [(f"rule: {r['rule']}", r["exceptions"]) for r in s["by_rule"]]
    rows += [(f"team: {t['team'] or 'no team recorded'}", t["exceptions"]) for t in s["by_team"]]
    return rows


def workbook(audit: Audit) -> Workbook:
    """The workbook, its rows read from the spools as each sheet is written."""
    book = Workbook(write_only=True)
    columns = table_columns(audit)
    sheet = _Sheet(book, "exceptions", columns)
    for row in _all(audit):
        sheet.append(_csv_value(row, key) for key in sheet.keys)
    sheet.close()
    action = _Sheet(book, "records needing action", _ACTION)
    for entry in audit.needing_action:
        action.append(
            ", ".join(entry[k]) if isinstance(entry[k], list) else entry[k] for k in action.keys
        )
    action.close()
    invalid = _Sheet(book, "invalid records", _INVALID)
    for entry in audit.errors:
        invalid.append(
            problems_text(entry) if k == "problems" else entry.get(k) for k in invalid.keys
        )
    invalid.close()
    summary = _Sheet(book, "summary", (("what", "what"), ("value", "value")))
    for what, value in _summary_rows(audit):
        summary.append((what, value))
    summary.close()
    return book


def _all(audit: Audit) -> Iterable[dict[str, Any]]:
    yield from audit.exceptions
    yield from audit.accepted


def write_xlsx(audit: Audit, path: Path) -> None:
    """Write the workbook atomically (a new file renamed over the old), readable by its owner
    only (0600), as every output is."""
    write_private_bytes(path, workbook(audit).save)
