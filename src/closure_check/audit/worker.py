"""What an audit worker does with each chunk of pieces it is sent (see pool.Work): read each
piece's records itself (a run of files, or a range of a JSON Lines file's lines, with each bad
line's problem), check them `engine.BATCH` at a time in one engine session, and turn each into
a RecordOutcome: its counts, its exception rows (each with its fingerprint), a failing record's
report, names replaced by pseudonyms when asked; then the piece's outcomes are `finish`ed
(packed.pack: written here, as the audit's JSON holds them, to this worker's own files in the
audit's spool folder, so that the parent only notes where they are)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from ..checker import Checker
from ..engine import BATCH, EngineError
from ..errors import InputError, Problem
from ..output import plain_json_at
from ..pool import IDLE, IN_BATCH, Current
from ..record import Record, parse_record
from ..report import Report
from ..sources import cannot_read, decode, read_text
from ..sources.discover import Changed, Files, Found, Lines, Refused, lines_of
from .judged import accepted_fields
from .redact import (
    _id_in,
    _person_pseudonym,
    _redactor_for_data,
    _redactor_for_record,
    pseudonym,
    redact_judgements,
)
from .result import RecordOutcome

#: Checks records: for each its report, None when nothing fails in it (an audit keeps nothing
#: else of such a record), or the EngineError it met. Injectable so that a test can stand in for
#: an engine that crashes.
CheckFn = Callable[[Checker, Sequence[Record], date], "list[Report | EngineError | None]"]


def check_records(
    checker: Checker, records: Sequence[Record], as_of: date
) -> list[Report | EngineError | None]:
    """The default `CheckFn`: the checker's own for an audit (`Checker.check_failing_many`): a
    record in which nothing fails leaves no report, and messages are written only for the
    others."""
    return checker.check_failing_many(records, as_of=as_of)


def fingerprint(
    rule: str, assessment_id: str, subject: str, discharge: dict[str, str] | None = None
) -> str:
    """The stable identity of an exception: the same rule, record and subject every week; for
    a discharge finding, also which discharge (service and date), so that a person discharged
    twice has two (1.1)."""
    key = [rule, assessment_id, subject]
    if discharge is not None:
        key += [discharge["service"], discharge["on"]]
    text = json.dumps(key, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class _Task:
    """One record to check: a file (`text` None: the worker reads it) or a JSON Lines line."""

    seq: int
    source: str
    line: int | None
    text: str | None
    yaml: bool
    #: checked in an engine session of its own: a worker died in a batch this record was in
    alone: bool = False
    #: a JSON Lines line that is no record at all (too long, not UTF-8), or a file that could
    #: not be read: its problem, found before any decoding
    refused: Refused | None = None


@dataclass(frozen=True)
class _Piece:
    """What the parent hands out (pool.Task): a piece of the input, found but not read, whose
    records are numbered from `seq` on, one number per file or line (a blank line too)."""

    seq: int
    found: Files | Lines
    alone: bool = False

    @property
    def size(self) -> int:
        return self.found.count


def _tasks_of(piece: _Piece) -> list[_Task]:
    """A piece's records to read, in order: a run of files, each read when it is checked; or
    a JSON Lines file's lines read here, blank ones skipped. A file that cannot be read now is
    one task that says so, where its first line not read would be."""
    found, seq, alone = piece.found, piece.seq, piece.alone
    if isinstance(found, Files):
        return [
            _Task(seq + i, source, None, None, fmt == "yaml", alone)
            for i, (source, fmt) in enumerate(found.files)
        ]
    tasks: list[_Task] = []
    source, first = found.source, found.first
    upto = first  # the first line not read yet
    try:
        for number, item in lines_of(found):
            upto = number + 1
            if isinstance(item, Found):
                tasks.append(_Task(seq + number - first, source, number, item.text, False, alone))
            elif item is not None:
                tasks.append(_Task(seq + number - first, source, number, None, False, alone, item))
        return tasks
    except OSError as exc:
        problem = cannot_read(source, exc)
        # each piece says which of its lines went unchecked: a file is cut in several
        last = first + found.count - 1
        said = f"lines {upto} to {last} were" if last > upto else f"line {upto} was"
        if isinstance(exc, Changed):
            message = f"was changed while the audit was reading it, so {said} not checked; audit"
            problem = replace(problem, message=f"{message} it again once it no longer changes")
        else:
            problem = replace(problem, message=f"{problem.message}, so {said} not checked")
        refused = Refused(source, None, problem, unreadable=True)
        at = seq + min(upto - first, found.count - 1)
        return [*tasks, _Task(at, source, None, None, False, alone, refused)]


def _decode(task: _Task, text: str) -> object:
    """A task's text as data, YAML or JSON (InputError if it is neither)."""
    return decode(text, source=task.source, fmt="yaml" if task.yaml else "json", line=task.line)


def _read_task(
    task: _Task, as_of: date, redact: bool, rule_ids: frozenset[str] | None = None
) -> Record | RecordOutcome:
    """The record a task holds, or the outcome of a task that holds no valid record."""
    seq, source, line = task.seq, task.source, task.line
    if task.refused is not None:
        refused = task.refused
        return RecordOutcome(
            seq, source, line, "invalid", problems=(refused.problem,), unreadable=refused.unreadable
        )
    data: object = None
    try:
        if task.text is None:
            try:
                text = read_text(Path(source))
            except InputError as exc:
                unreadable = any(p.message.startswith("cannot be read") for p in exc.problems)
                return RecordOutcome(
                    seq,
                    source,
                    line,
                    "invalid",
                    problems=tuple(exc.problems),
                    unreadable=unreadable,
                )
        else:
            text = task.text
        data = _decode(task, text)
        fmt = "yaml" if task.yaml else "json"
        return parse_record(
            data, source=source, as_of=as_of, line=line, rule_ids=rule_ids, text=text, fmt=fmt
        )
    except InputError as exc:
        problems = tuple(exc.problems)
        if redact:
            hide = _redactor_for_data(data)
            problems = tuple(_withheld(replace(p, message=hide(p.message))) for p in problems)
        return RecordOutcome(seq, source, line, "invalid", _id_in(data), problems=problems)


#: the problems whose message quotes the value given in a field, which may be anything
#: (a name, an address): under redaction they are told in plain words. Others quote ids and
#: names, which the redactor has already made pseudonyms, and are kept.
_QUOTES_A_VALUE = frozenset((
    "not_one_of", "not_text", "not_boolean", "not_list", "not_a_group", "unknown_field",
    "date_type", "date_format", "date_value", "invalid",
))  # fmt: skip


def _withheld(problem: Problem) -> Problem:
    """A redacted problem that quotes a value of the record told in plain words instead."""
    from ..withheld import value_free

    if problem.code in _QUOTES_A_VALUE:
        return value_free(problem, keep_place=True)
    return problem


def _check_all(
    checker: Checker, records: list[Record], as_of: date, check_fn: CheckFn
) -> list[Report | Exception | None]:
    """`check_fn` on the records together; if it fails as a whole, on each record alone, so that
    a fault costs only the record that causes it."""
    if not records:
        return []
    try:
        answers: list[Report | Exception | None] = list(check_fn(checker, records, as_of))
    except Exception as exc:  # a fault of closure-check itself: find the record, check the rest
        if len(records) == 1:
            return [exc]
        return [answer for r in records for answer in _check_all(checker, [r], as_of, check_fn)]
    if len(answers) != len(records):  # pragma: no cover - a CheckFn's own fault
        raise RuntimeError("the check answered for a different number of records")
    return answers


def _check_group(
    checker: Checker,
    tasks: Sequence[_Task],
    as_of: date,
    redact: bool,
    check_fn: CheckFn,
    current: Current,
) -> list[RecordOutcome]:
    """Check a few tasks' records in one engine session (engine.run_many): the outcomes, in the
    tasks' order. `current` (memory shared with the parent, see pool.Current) holds the number
    of the record being read or reported on, or `IN_BATCH` while the engine checks more than
    one, so that the parent knows which record a worker died on."""
    read: list[Record | RecordOutcome] = []
    for task in tasks:
        current.value = task.seq
        read.append(_read_task(task, as_of, redact, checker.rule_ids))
    records = [r for r in read if isinstance(r, Record)]
    if len(records) > 1:
        current.value = IN_BATCH
    elif records:
        current.value = next(t.seq for t, r in zip(tasks, read, strict=True) if r is records[0])
    answers = iter(_check_all(checker, records, as_of, check_fn))
    outcomes = []
    for task, item in zip(tasks, read, strict=True):
        if isinstance(item, RecordOutcome):
            outcomes.append(item)
            continue
        current.value = task.seq
        outcomes.append(_checked(task, item, next(answers), redact))
    current.value = IDLE
    return outcomes


def _checked(
    task: _Task, record: Record, answer: Report | Exception | None, redact: bool
) -> RecordOutcome:
    if isinstance(answer, EngineError):
        message = (
            "the rules engine failed on this record, so it was not checked. Please send this "
            f"record to whoever supports closure-check (detail for them: {answer})."
        )
        return _failed(task, record, message)
    if isinstance(answer, Exception):  # a fault of closure-check itself: report it
        message = (
            "closure-check itself failed on this record, so it was not checked. Please send this "
            "record to whoever supports closure-check (detail for them: "
            f"{type(answer).__name__}: {answer})."
        )
        return _failed(task, record, message)
    if answer is None:
        return RecordOutcome(task.seq, task.source, task.line, "pass", record.id, record.kind)
    return _outcome(task, record, answer, redact)


def _failed(task: _Task, record: Record, message: str) -> RecordOutcome:
    problem = Problem(task.source, task.line, "", message)
    return RecordOutcome(
        task.seq,
        task.source,
        task.line,
        "invalid",
        record.id,
        record.kind,
        problems=(problem,),
        crashed=True,
    )


def _outcome(task: _Task, record: Record, report: Report, redact: bool) -> RecordOutcome:
    aid = record.id
    children = {c.id for c in record.children}
    adults = {p.id for p in record.people}
    agencies = {a.name for a in record.agencies}

    def subject_type(subject: str) -> str:
        if subject in children:
            return "child"
        if subject in adults:
            return "adult"
        if subject in agencies:
            return "agency"
        return "assessment"

    data = report.to_dict()
    worker = {
        "id": record.worker.id,
        "name": record.worker.name or "",
        "team": record.worker.team or "",
    }
    if redact:
        hide = _redactor_for_record(record)
        worker["name"] = pseudonym("worker", record.worker.id) if worker["name"] else ""
        if "name" in data["worker"]:
            data["worker"]["name"] = worker["name"]
        for result in data["results"]:
            if "message" in result:
                result["message"] = hide(result["message"])
            for f in result["findings"]:
                kind = subject_type(f["subject"])
                if kind in ("child", "adult"):
                    f["name"] = _person_pseudonym(kind, aid, f["subject"])
                else:
                    f["name"] = hide(f["name"])
                for key in ("message", "problem", "remedy"):
                    if key in f:
                        f[key] = hide(f[key])
        redact_judgements(data, hide)

    rows: list[dict[str, Any]] = []
    # findings accepted by a judgement (1.1): counted apart from the failing
    accepted: list[dict[str, Any]] = []
    for result in data["results"]:
        for f in result["findings"]:
            if f["status"] not in ("fail", "accepted"):
                continue
            (rows if f["status"] == "fail" else accepted).append(
                {
                    "fingerprint": fingerprint(
                        result["rule"], aid, f["subject"], f.get("discharge")
                    ),
                    "assessment_id": aid,
                    "kind": record.kind,
                    "source": task.source,
                    "line": task.line,
                    "rule": result["rule"],
                    "title": result["title"],
                    "severity": result["severity"],
                    "paragraph": result["source"],
                    "subject": f["subject"],
                    "subject_type": subject_type(f["subject"]),
                    "name": f["name"],
                    "worker_id": worker["id"],
                    "worker": worker["name"],
                    "team": worker["team"],
                    "problem": f["problem"],
                    "remedy": f["remedy"],
                    **accepted_fields(f),
                }
            )
    failing = report.verdict == "fail"
    return RecordOutcome(
        task.seq,
        task.source,
        task.line,
        report.verdict,
        aid,
        record.kind,
        exceptions=tuple(rows),
        report=_report_text(data) if failing else None,
        accepted=tuple(accepted),
        judgements=tuple(data.get("judgements", ())),
        children=tuple(
            _person_pseudonym("child", aid, c.id) if redact else (c.name or c.id)
            for c in record.children
        )
        if failing
        else (),
        started_on=record.started_on.isoformat() if failing else "",
    )


def _report_text(data: dict[str, Any]) -> str:
    """A report as the audit's JSON holds it, an item of its `reports` list: written here, in
    the worker, so that the parent never touches it. A report holds no float (see
    output.plain_json_at; tests/test_fast_paths.py)."""
    return plain_json_at(data, 2, floats=False)


def _rules_version(checker: Checker) -> str:
    """What a worker tells the parent once started (pool.Work.hello): the rules it loaded, which
    must be the rules the audit was started with."""
    return checker.rules.version


A = TypeVar("A")


def _handle_chunk(
    checker: Checker,
    chunk: list[_Piece],
    current: Current,
    *,
    as_of: date,
    redact: bool,
    check_fn: CheckFn,
    finish: Callable[[list[RecordOutcome]], A],
) -> Iterator[list[A]]:
    """What a worker does with a chunk of pieces (pool.Work.handle): read each piece's records,
    check them `BATCH` at a time in one engine session (each alone in a piece marked `alone`,
    as the parent marks them after a worker died in a batch), and answer for the piece with
    `finish` of its outcomes, in order."""
    for piece in chunk:
        tasks = _tasks_of(piece)
        step = 1 if piece.alone else BATCH
        outcomes: list[RecordOutcome] = []
        for at in range(0, len(tasks), step):
            group = tasks[at : at + step]
            outcomes += _check_group(checker, group, as_of, redact, check_fn, current)
        yield [finish(outcomes)]
