"""The impact of a draft in words (the terminal), as JSON, as a self-contained web page in the
audit's style (templates/impact.html) and as CSV, one row per finding that changes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Final

from ..output import csp_hash, spreadsheet_cell, write_private
from .compare import Impact, RecordImpact

__all__ = ["csv_text", "html_text", "json_text", "summary_text", "write_impact"]

_WHAT: Final = {
    "newly_failing": "newly failing",
    "newly_passing": "newly passing",
    "findings_changed": "verdict unchanged, findings changed",
}


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def _where(r: RecordImpact) -> str:
    return r.source if r.line is None else f"{r.source}:{r.line}"


def summary_text(impact: Impact) -> str:
    """What a policy officer reads on the terminal."""
    c = impact.counts
    out = [
        f"Impact of the draft rules {impact.draft['rules']} against {impact.base['rules']}, "
        f"as of {impact.as_of}:",
        f"  {_plural(c['read'], 'record')} read: {c['checked']} checked under both, "
        f"{c['invalid']} invalid under either.",
        f"  {c['newly_failing']} newly failing, {c['newly_passing']} newly passing, "
        f"{c['still_failing']} still failing, {c['still_passing']} still passing "
        f"({c['findings_changed']} of those with findings that change).",
        f"  {_plural(c['findings_appeared'], 'failing finding')} appear, "
        f"{c['findings_disappeared']} disappear.",
    ]
    for change in ("newly_failing", "newly_passing", "findings_changed"):
        records = [r for r in impact.changed if r.change == change]
        if not records:
            continue
        out += ["", f"{_WHAT[change].capitalize()} ({len(records)}):"]
        for r in records:
            out.append(f"  {r.assessment_id} ({_where(r)}): {r.base} -> {r.draft}")
            for f in r.findings:
                sign = "+" if f.change == "appeared" else "-"
                out.append(f"    {sign} {f.rule}: {f.name or f.subject} ({f.subject})")
    rules = impact.by_rule()
    if rules:
        out += ["", "By rule:"]
        for e in rules:
            out.append(
                f"  {e['rule']}: {len(e['appeared'])} appear, {len(e['disappeared'])} disappear"
            )
    if impact.invalid:
        out += ["", f"Invalid under either rule set ({len(impact.invalid)}):"]
        for r in impact.invalid:
            out.append(
                f"  {r.assessment_id or '(no id)'} ({_where(r)}): base {r.base}, draft {r.draft}"
            )
            out += [f"    {p}" for p in r.problems]
    if not impact.anything_changed:
        out += ["", "Nothing changes: every record is decided as before."]
    return "\n".join(out) + "\n"


def json_text(impact: Impact) -> str:
    return json.dumps(impact.to_dict(), ensure_ascii=False, indent=2) + "\n"


_COLUMNS: Final = (
    "record id",
    "file",
    "line",
    "change",
    "base verdict",
    "draft verdict",
    "rule",
    "subject id",
    "name",
    "finding",
    "what is wrong",
)


def csv_text(impact: Impact) -> str:
    """One row per finding that appears or disappears; a record whose verdict changes with no
    finding changing (a rule made a blocker), and each invalid record, get one row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_COLUMNS)
    for r in [*impact.changed, *impact.invalid]:
        head = [
            r.assessment_id,
            r.source,
            r.line,
            _WHAT.get(r.change, "invalid") if r in impact.changed else "invalid",
            r.base,
            r.draft,
        ]
        if not r.findings:
            tail = ["", "", "", "", "; ".join(r.problems)]
            writer.writerow([spreadsheet_cell(v) for v in [*head, *tail]])
        for f in r.findings:
            row = [*head, f.rule, f.subject, f.name, f.change, f.problem]
            writer.writerow([spreadsheet_cell(v) for v in row])
    return "\ufeff" + out.getvalue()


def html_text(impact: Impact) -> str:
    """One self-contained page (templates/impact.html)."""
    from ..render import environment

    template = environment().get_template("impact.html")
    return template.render(
        impact=impact,
        counts=impact.counts,
        rules=impact.by_rule(),
        what=_WHAT,
        csp_hash=csp_hash,
    )


def write_impact(
    impact: Impact,
    *,
    json_path: Path | None = None,
    html_path: Path | None = None,
    csv_path: Path | None = None,
) -> list[Path]:
    """Write the asked-for outputs, each atomically and readable by its owner only."""
    written = []
    for path, make in ((json_path, json_text), (html_path, html_text), (csv_path, csv_text)):
        if path is not None:
            write_private(Path(path), make(impact))
            written.append(Path(path))
    return written
