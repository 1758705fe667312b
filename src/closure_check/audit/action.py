"""Records needing action (issue 15, item 5): the failing records, worst first (most blockers,
then the oldest assessment), for the terminal, the HTML table, the JSON and the workbook; and
each one's own report as an HTML section of the exception report, made as report.html makes the
body of its page, from the report the audit keeps."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, overload

from ..output import plain_json_at
from ..report import Finding, Report, RuleResult

#: How many records needing action `closure-check audit` prints; the outputs have them all.
SHOWN_ON_TERMINAL: Final = 15


def action_entry(
    outcome: Any, exceptions: Iterable[dict[str, Any]], report_index: int
) -> dict[str, Any]:
    """One failing record's entry: who, how many blockers and advisories, and which of the
    kept reports is its own (`report_index`, its place in the audit's `reports`)."""
    rows = list(exceptions)
    blockers = sum(1 for r in rows if r["severity"] == "blocker")
    first = rows[0] if rows else {}
    return {
        "assessment_id": outcome.assessment_id,
        "kind": outcome.kind,
        "source": outcome.source,
        "line": outcome.line,
        "children": list(outcome.children),
        "started_on": outcome.started_on,
        "worker_id": first.get("worker_id", ""),
        "worker": first.get("worker", ""),
        "team": first.get("team", ""),
        "blockers": blockers,
        "advisories": len(rows) - blockers,
        "blocking_rules": sorted({r["rule"] for r in rows if r["severity"] == "blocker"}),
        "report": report_index,
    }


class NeedingAction(Sequence[dict[str, Any]]):
    """The records needing action, worst first (`worst_first`'s order), kept on disk: one short
    entry per failing record, at 100,000 records some 45,000 of them, would otherwise be most of
    the audit's memory. Each entry is written as the audit's JSON holds it (an item of its
    `needing_action` list) to a file of the spool folder; memory holds only its sort key and
    where it is. `texts()` gives the JSON texts worst first, for the audit's JSON; an index or
    a slice gives the entries themselves. The entries are added in input order, each with its
    report: entry n (the n-th added) is the entry of report n (`report`, its place in the
    audit's `reports`), so `in_report_order()` needs no index of its own."""

    def __init__(self, path: Path) -> None:
        self._file = open(path, "w+b")  # noqa: SIM115 - closed with the spool folder
        self._keys: list[tuple[int, int, str, int]] = []
        self._at = array("q")  # start and end of each entry's text, in input order
        self._order: list[int] | None = None

    def append(self, entry: dict[str, Any]) -> None:
        """Add the entry of the next report: its `report` must be the number of entries so far."""
        n = len(self._keys)
        if entry["report"] != n:
            raise ValueError(f"entry {n} names report {entry['report']}, not report {n}")
        data = plain_json_at(entry, 2, floats=False).encode("utf-8", "surrogatepass")
        start = self._file.seek(0, os.SEEK_END)
        self._file.write(data)
        # started_on repeats across records: one string for each date
        key = (-entry["blockers"], -entry["advisories"], sys.intern(entry["started_on"]), n)
        self._keys.append(key)
        self._at.extend((start, start + len(data)))
        self._order = None

    def _sorted(self) -> list[int]:
        if self._order is None:
            self._order = [k[3] for k in sorted(self._keys)]
        return self._order

    def _text(self, n: int) -> str:
        self._file.flush()
        start, end = self._at[2 * n], self._at[2 * n + 1]
        self._file.seek(start)
        return self._file.read(end - start).decode("utf-8", "surrogatepass")

    def texts(self) -> Iterator[str]:
        """Each entry's JSON text, worst first."""
        for n in self._sorted():
            yield self._text(n)

    def json_list(self) -> Iterator[str]:
        """The list as the audit's JSON holds it (a list one level deep), a piece at a time."""
        if not self._keys:
            yield "[]"
            return
        sep = "[\n    "
        for text in self.texts():
            yield sep + text
            sep = ",\n    "
        yield "\n  ]"

    def in_report_order(self) -> Iterator[dict[str, Any]]:
        """Each entry, in the order of the audit's `reports` (input order): entry n is report
        n's. Each is read from disk when it is reached."""
        for n in range(len(self._keys)):
            yield dict(json.loads(self._text(n)))

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        order = self._sorted()
        if isinstance(i, slice):
            return [json.loads(self._text(n)) for n in order[i]]
        return dict(json.loads(self._text(order[i])))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NeedingAction | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        self._file.close()


def worst_first(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most blockers first, then most advisories, then the oldest assessment, then input
    order (the sort is stable)."""
    return sorted(entries, key=lambda e: (-e["blockers"], -e["advisories"], e["started_on"]))


def action_lines(entries: Sequence[dict[str, Any]]) -> list[str]:
    """The terminal's list: record, worker, blockers; the worst first."""
    if not entries:
        return []
    n = len(entries)
    lines = [f"Record{'' if n == 1 else 's'} needing action, worst first:"]
    for e in entries[:SHOWN_ON_TERMINAL]:
        worker = e["worker"] or e["worker_id"] or "no worker recorded"
        if e["worker"] and e["worker_id"]:
            worker += f" ({e['worker_id']})"
        b = e["blockers"]
        rules = ", ".join(e["blocking_rules"])
        lines.append(
            f"  {e['assessment_id']}  {worker}  {b} blocker{'' if b == 1 else 's'}: {rules}"
        )
    if n > SHOWN_ON_TERMINAL:
        lines.append(f"  ... and {n - SHOWN_ON_TERMINAL} more: see the HTML, JSON or workbook.")
    return lines


# -- a record's own report, inside the exception report -------------------------------------------


def _build(cls: Any, data: dict[str, Any], **nested: Any) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names}, **nested)


def report_from_dict(data: dict[str, Any]) -> Report:
    """A Report again from its JSON (an item of the audit's `reports`), so that it is shown as
    `check --format html` shows it, pseudonyms and all."""
    results = tuple(
        _build(
            RuleResult,
            {k: v for k, v in r.items() if k != "findings"},
            findings=tuple(_build(Finding, f) for f in r.get("findings", ())),
        )
        for r in data.get("results", ())
    )
    fields = {k: v for k, v in data.items() if k not in ("results", "judgements")}
    report: Report = _build(
        Report, fields, results=results, judgements=tuple(data.get("judgements", ()))
    )
    return report


def report_section_body(data: dict[str, Any], anchor: str) -> str:
    """The body of a record's own HTML report (report.html renders it with the macro
    `report_body` of templates/_report_body.html), for a section of the exception report: its
    ids prefixed with `anchor`, so that they are unique in the page, and no <main> of its own
    (the exception report's is the page's one). Its own style is left out: the exception
    report styles it."""
    from ..render import failing_groups

    report = report_from_dict(data)
    return str(_report_body()(report, failing_groups(report), ids=f"{anchor}-", page=False))


@functools.cache
def _report_body() -> Any:
    """The macro `report_body` of templates/_report_body.html, looked up once (an audit writes
    one section for each failing record)."""
    from ..render import environment

    return vars(environment().get_template("_report_body.html").module)["report_body"]
