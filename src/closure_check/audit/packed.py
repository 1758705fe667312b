"""A piece's outcomes packed for the audit's process (`pack`, run in the worker that checked
them): every exception row, invalid record's entry, failing record's report, accepted finding
and judgement to review written as the audit's JSON holds it, an item of its list, into the
worker's own files in the audit's spool folder (spool.write_items), and the counts and tallies
added up; the parent only adds the numbers and notes where each list's items are, in input
order (result.Audit.add_packed). What only the parent knows, a baseline's fingerprints, it
still decides: each row's status and first sighting, put at the end of the row's text (`then`),
so with a baseline the rows come to the parent as text.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ..output import plain_json_at
from .action import action_entry
from .judged import count_judgements
from .redact import _without_path
from .spool import _FRAME_END, NO_ITEMS, Segment, write_items

if TYPE_CHECKING:
    from .result import RecordOutcome

#: a list item's closing line in the audit's JSON (two containers deep)
_CLOSE: Final = "\n    }"


@dataclass(frozen=True)
class Packed:
    """What checking a piece of the input left behind, for the parent (pool answer)."""

    #: read, checked, passed, failed, invalid, crashed, unreadable
    counts: tuple[int, int, int, int, int, int, int]
    errors: Segment = NO_ITEMS
    reports: Segment = NO_ITEMS
    #: each failing record's entry needing action; its `report` counted from this piece's first
    action: tuple[dict[str, Any], ...] = ()
    #: without a baseline: exception rows and accepted findings' rows, whole
    exceptions: Segment = NO_ITEMS
    accepted: Segment = NO_ITEMS
    #: with a baseline: (fingerprint, text) of each row, without the keys the baseline decides
    #: (`first_seen`, `days_since_first_seen`, `status`; an accepted row's `status`)
    exception_rows: tuple[tuple[str, str], ...] = ()
    accepted_rows: tuple[tuple[str, str], ...] = ()
    #: with a baseline: the assessment ids of the records checked
    checked_ids: tuple[str, ...] = ()
    to_review: Segment = NO_ITEMS
    judges: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: rule, team and worker id -> [exceptions, records with them]
    by_rule: dict[str, list[int]] = field(default_factory=dict)
    by_team: dict[str, list[int]] = field(default_factory=dict)
    by_worker: dict[str, list[int]] = field(default_factory=dict)
    #: worker id -> (name, team) as first seen
    worker_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    severities: dict[str, int] = field(default_factory=dict)
    records_with_exceptions: int = 0

    def __reduce__(self) -> tuple[type[Packed], tuple[Any, ...]]:
        return (Packed, tuple(getattr(self, f) for f in _FIELDS))


_FIELDS: Final = tuple(f.name for f in dataclasses.fields(Packed))


def then(text: str, **more: object) -> str:
    """A list item's JSON text (a dict, as `plain_json_at(row, 2)` writes it) with `more` keys
    at its end, as the dict with them would be written, and the frame end."""
    if not text.endswith(_CLOSE):  # pragma: no cover - every row is a dict with keys
        raise ValueError("not a list item of the audit's JSON")
    keys = "".join(f',\n      "{k}": {json.dumps(v, ensure_ascii=False)}' for k, v in more.items())
    return text[: -len(_CLOSE)] + keys + _CLOSE + _FRAME_END


def _item(value: dict[str, Any]) -> str:
    """An item of one of the audit's lists: none holds a float (tests/test_fast_paths.py)."""
    return plain_json_at(value, 2, floats=False)


def pack(
    outcomes: Sequence[RecordOutcome], *, folder: str, as_of: str, redact: bool, baseline: bool
) -> Packed:
    """The outcomes of a piece's records, in input order, packed (see the module's first
    lines), their items written to this process's files in the spool `folder`: with `redact`,
    each file's name a pseudonym; with a `baseline`, each row's status left to the parent."""
    read = checked = passed = failed = invalid = crashed = unreadable = 0
    errors: list[str] = []
    reports: list[str] = []
    action: list[dict[str, Any]] = []
    exceptions: list[str] = []
    accepted: list[str] = []
    exception_rows: list[tuple[str, str]] = []
    accepted_rows: list[tuple[str, str]] = []
    checked_ids: list[str] = []
    to_review: list[str] = []
    judges: dict[str, dict[str, Any]] = {}
    by_rule: dict[str, list[int]] = {}
    by_team: dict[str, list[int]] = {}
    by_worker: dict[str, list[int]] = {}
    worker_names: dict[str, tuple[str, str]] = {}
    severities: dict[str, int] = {}
    with_rows = 0
    for outcome in outcomes:
        if redact:
            outcome = _without_path(outcome)
        read += 1
        if outcome.status == "invalid":
            invalid += 1
            crashed += outcome.crashed
            unreadable += outcome.unreadable
            errors.append(_item(error_entry(outcome)) + _FRAME_END)
            continue
        checked += 1
        if outcome.status == "pass":
            passed += 1
        else:
            failed += 1
            if outcome.report is not None:
                action.append(action_entry(outcome, outcome.exceptions, len(reports)))
                reports.append(outcome.report + _FRAME_END)
        if baseline:
            checked_ids.append(outcome.assessment_id)
        for row in outcome.accepted:
            if redact:  # the file's pseudonym, as on exception rows
                row = {**row, "source": outcome.source}
            if baseline:
                accepted_rows.append((row["fingerprint"], _item(row)))
            else:
                accepted.append(then(_item(row), status=None))
        to_review += [_item(e) + _FRAME_END for e in count_judgements(judges, outcome)]
        if not outcome.exceptions:
            continue
        rules: set[str] = set()
        for row in outcome.exceptions:
            if redact:
                row = {**row, "source": outcome.source}
            text = _item(row)
            if baseline:
                exception_rows.append((row["fingerprint"], text))
            else:
                exceptions.append(
                    then(text, first_seen=as_of, days_since_first_seen=0, status=None)
                )
            severities[row["severity"]] = severities.get(row["severity"], 0) + 1
            tally = by_rule.get(row["rule"])
            if tally is None:
                tally = by_rule[row["rule"]] = [0, 0]
            tally[0] += 1
            rules.add(row["rule"])
        for rule in rules:
            by_rule[rule][1] += 1
        first = outcome.exceptions[0]
        n = len(outcome.exceptions)
        with_rows += 1
        for tallies, key in ((by_team, first["team"]), (by_worker, first["worker_id"])):
            tally = tallies.setdefault(key, [0, 0])
            tally[0] += n
            tally[1] += 1
        worker_names.setdefault(first["worker_id"], (first["worker"], first["team"]))
    return Packed(
        (read, checked, passed, failed, invalid, crashed, unreadable),
        write_items(folder, "errors", errors),
        write_items(folder, "reports", reports),
        tuple(action),
        write_items(folder, "exceptions", exceptions),
        write_items(folder, "accepted", accepted),
        tuple(exception_rows),
        tuple(accepted_rows),
        tuple(checked_ids),
        write_items(folder, "judgements_to_review", to_review),
        judges,
        by_rule,
        by_team,
        by_worker,
        worker_names,
        severities,
        with_rows,
    )


def error_entry(outcome: RecordOutcome) -> dict[str, Any]:
    """An invalid record's entry in the audit's `errors`."""
    problems = []
    for p in outcome.problems:
        entry: dict[str, Any] = {"path": p.path, "message": p.message}
        if p.line is not None and p.line != outcome.line:
            entry = {"line": p.line, **entry}
        problems.append(entry)
    reason = "crashed" if outcome.crashed else "unreadable" if outcome.unreadable else "invalid"
    return {
        "source": outcome.source,
        "line": outcome.line,
        "assessment_id": outcome.assessment_id or None,
        "reason": reason,
        "problems": problems,
    }
