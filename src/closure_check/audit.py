"""The supervisors' audit: check every record in files, folders and JSON Lines files, and write
the exception report (JSON, HTML, CSV).

`run(paths, as_of=...) -> Audit` is the library call; `closure-check audit` only parses options,
calls it, writes the outputs and prints the summary.

Streaming. Records are read one at a time (a JSON Lines file line by line, no line read past
the largest record there can be) and handed to worker processes in small chunks, never more
than a fixed window ahead of the oldest record not yet checked. What comes back is folded into
counts and tallies, and one row per exception (one failing finding), one entry per invalid
record and, for records whose verdict is `fail`, their full report go to spool files in a
private temporary folder as they arrive: a passing record leaves nothing behind but its counts.
The outputs are then written piece by piece from the spools (the summary is all tallies), so
memory does not grow with the number of records; only a baseline's fingerprints are held, and
the names of teams and workers. `reports` in the audit JSON holds the failing records' reports
only, and says so (`"reports_included": "failing"`).

Inputs. Paths are read in the order given; a folder's record files (.json, .yaml, .yml, .jsonl)
in name order, then its subfolders likewise; hidden names and other files (a README) skipped.
A JSON Lines file is one record per line (blank lines skipped), each bad line an invalid record
with its line number. A file that cannot be read at all is an invalid record too; only when
nothing at all could be read is the audit a failure to run (exit status 2).

Workers. Records are checked in `workers` processes forked from multiprocessing's fork server (a
clean process that has imported closure-check but never loaded rules into the engine), or
spawned where there is none; never a plain fork of this process. Each builds its own checker.
Records go out in chunks and come back a few at a time, and are put back into input order before
they are counted, so the output does not depend on the number of workers. The worker that checks
a record is a separate process even when `workers` is 1: durable-rules can crash the process it
runs in, and a crash must cost one record, not the batch. Each worker keeps the number of the
record it is checking in memory shared with this process, or `_IN_BATCH` while the engine checks
several records together; when a worker dies on one record, that record is listed in `errors`
with a problem saying the rules engine crashed on it, and counted as `invalid` (it was read but
could not be checked, so `checked + invalid == read` still holds; `crashed` says how many of the
invalid records are such crashes). The worker is restarted, and the records it had not answered
for, before and after that one, are checked again. When it dies in a batch, every record it had
not answered for is checked again alone, in an engine session of its own, so that a second
crash names the record that causes it.

Checking. A worker checks records `engine.BATCH` at a time in one engine session and asks the
checker only whether anything fails in each (`Checker.check_failing_many`): a record in which
nothing fails leaves no report; for the others the full report is made as `check` makes it,
messages and all.

Fingerprints. Each exception is identified by the first 16 hex digits of the SHA-256 of its rule,
assessment id and subject id, so it keeps its fingerprint from one week's audit to the next and
`--baseline` can tell new exceptions from persisting ones, and list those resolved since (their
record was checked again and the exception is gone) apart from those not rechecked (their record
was missing from this audit, or invalid, so nothing is known).

Pseudonyms (`redact=True`). Every child's, adult's and worker's name is replaced, in every field
and inside every message, by a pseudonym such as "Child 3f2a9c": the first 6 hex digits of the
SHA-256 of a fixed salt, the kind of person and their id (a child's or adult's id with the
assessment id, since those ids are only unique within a record; a worker's own id). It is a
function of ids, never of names, so it is the same in every run (baselines keep working) and
cannot be reversed by guessing names; ids are kept. Free text from the record that a message
quotes (a conclusion, a note, reasons) is replaced by "[text withheld]", since it may name anyone.
File names are kept as they are.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import multiprocessing
import os
import re
import selectors
import shutil
import signal
import tempfile
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, Literal

from .checker import Checker, checker_for
from .engine import BATCH, EngineError
from .errors import InputError, Problem
from .output import json_at, plain_json_at, write_private
from .record import (
    MAX_RECORD_BYTES,
    Record,
    cannot_read,
    decode_json,
    decode_yaml,
    is_yaml_path,
    parse_record,
    read_text,
)
from .report import Report

__all__ = [
    "AUDIT_FORMAT",
    "RECORD_SUFFIXES",
    "Audit",
    "Baseline",
    "CheckFn",
    "Counts",
    "Outcome",
    "check_outputs",
    "check_records",
    "csv_chunks",
    "fingerprint",
    "html_chunks",
    "load_baseline",
    "pseudonym",
    "run",
    "write_outputs",
]

AUDIT_FORMAT: Final = "closure-check/audit/1"

#: What a folder is searched for; other files (a README, say) are skipped.
RECORD_SUFFIXES: Final = frozenset({".json", ".yaml", ".yml", ".jsonl"})

#: Replaces quoted free text in a pseudonymised report.
WITHHELD: Final = "[text withheld]"

#: Checks records: for each its report, None when nothing fails in it (an audit keeps nothing
#: else of such a record), or the EngineError it met. Injectable so that a test can stand in for
#: an engine that crashes.
CheckFn = Callable[[Checker, Sequence[Record], date], "list[Report | EngineError | None]"]

CRASH_MESSAGE: Final = (
    "the rules engine crashed on this record, so it was not checked; the other records were "
    "checked. Please send this record to whoever supports closure-check (detail for them: {how})."
)

_CHUNK_FIRST, _CHUNK_MAX = 4, 128  # records per chunk sent to a worker, growing to the maximum
_WINDOW_PER_WORKER = 4 * _CHUNK_MAX  # how far a worker may run ahead of the oldest unfinished
_MAX_START_FAILURES = 3  # workers that die before they are ready, in a row, before giving up
_ANSWER_EVERY = 16  # outcomes a worker sends at once (and at the end of each chunk)
#: `_Worker.current` while the engine checks a batch of records (see `_worker_main`)
_IN_BATCH: Final = -2


def check_records(
    checker: Checker, records: Sequence[Record], as_of: date
) -> list[Report | EngineError | None]:
    """The default `CheckFn`: the checker's own for an audit (`Checker.check_failing_many`): a
    record in which nothing fails leaves no report, and messages are written only for the
    others."""
    return checker.check_failing_many(records, as_of=as_of)


# ---------------------------------------------------------------------------------------------
# Fingerprints and pseudonyms
# ---------------------------------------------------------------------------------------------

_SALT: Final = "closure-check pseudonym 1"
_LABELS: Final = {"child": "Child", "adult": "Adult", "worker": "Worker"}


def fingerprint(rule: str, assessment_id: str, subject: str) -> str:
    """The stable identity of an exception: the same rule, record and subject every week."""
    text = json.dumps([rule, assessment_id, subject], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def pseudonym(kind: Literal["child", "adult", "worker"], *key: str) -> str:
    """A name such as "Child 3f2a9c", derived from ids only (see the module's docstring)."""
    text = json.dumps([_SALT, kind, *key], ensure_ascii=False)
    return f"{_LABELS[kind]} {hashlib.sha256(text.encode('utf-8')).hexdigest()[:6]}"


def _person_pseudonym(kind: str, assessment_id: str, subject: str) -> str:
    """A child's or adult's pseudonym: their ids are unique only within their record."""
    return pseudonym("child" if kind == "child" else "adult", assessment_id, subject)


#: Record fields holding free text, which a message may quote and which may name anyone.
_FREE_TEXT: Final = frozenset(
    {
        "conclusion",
        "outstanding_information",
        "missing_information_plan",
        "recommendations",
        "parents_note",
        "considered",
        "note",
        "reasons",
        "decided_by",
    }
)

_WORD = re.compile(r"\w")


class _Redactor:
    """Replaces each known name (and quoted free text) of one record inside any text."""

    def __init__(self, names: dict[str, str], texts: Iterable[str]) -> None:
        table: dict[str, str] = {}
        for text in texts:
            for form in _forms(text):
                table[form] = WITHHELD
        for name, alias in names.items():  # a name that is also a free text becomes the alias
            for form in _forms(name):
                table[form] = alias
        self._table = table
        self._needles = sorted(table, key=lambda n: (-len(n), n))  # longest first
        self._patterns: dict[tuple[str, ...], re.Pattern[str]] = {}

    def __call__(self, text: str) -> str:
        hits = tuple(n for n in self._needles if n in text)  # cheap, and usually none
        if not hits:
            return text
        pattern = self._patterns.get(hits)
        if pattern is None:
            parts = []
            for needle in hits:  # a name is replaced as a whole word, never inside another
                before = r"(?<!\w)" if _WORD.match(needle[0]) else ""
                after = r"(?!\w)" if _WORD.match(needle[-1]) else ""
                parts.append(before + re.escape(needle) + after)
            pattern = self._patterns[hits] = re.compile("|".join(parts))
        return pattern.sub(lambda m: self._table[m.group(0)], text)


def _forms(text: str) -> list[str]:
    """A value as a message may show it: as written, JSON-escaped, and shortened (see
    record._show, which cuts text over 60 characters to 57 and "...")."""
    if not text.strip():
        return []
    escaped = json.dumps(text, ensure_ascii=False)[1:-1]
    forms = {text.strip(), escaped}
    if len(text) > 60:
        forms.add(json.dumps(text[:57], ensure_ascii=False)[1:-1])
    return [f for f in forms if f.strip()]


def _free_texts(data: object) -> list[str]:
    found: list[str] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in _FREE_TEXT and isinstance(item, str):
                    found.append(item)
                else:
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _redactor_for_record(record: Record) -> _Redactor:
    return _redactor_for_data(record.model_dump(mode="json"))


def _redactor_for_data(data: object) -> _Redactor:
    """Names and free text to hide, from a record's data: for a record that did not validate,
    whatever names can be found where they belong."""

    def text(value: object) -> str:
        return value if isinstance(value, str) else ""

    def group(value: object, key: str) -> dict[str, Any]:
        item = value.get(key) if isinstance(value, dict) else None
        return item if isinstance(item, dict) else {}

    def items(key: str) -> list[tuple[int, dict[str, Any]]]:
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, list):
            return []
        return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]

    aid = _id_in(data)
    names: dict[str, str] = {}
    for i, person in items("people"):
        names[text(person.get("name"))] = pseudonym("adult", aid, text(person.get("id")) or f"#{i}")
    for i, child in items("children"):
        names[text(child.get("name"))] = pseudonym("child", aid, text(child.get("id")) or f"#{i}")
    by = group(group(data, "decision"), "by")
    by_id = text(by.get("id"))
    names[text(by.get("name"))] = (
        pseudonym("worker", by_id) if by_id else pseudonym("worker", "decision", aid)
    )
    worker = group(data, "worker")
    names[text(worker.get("name"))] = pseudonym("worker", text(worker.get("id")))
    names.pop("", None)
    return _Redactor(names, _free_texts(data))


# ---------------------------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Outcome:
    """What checking one record left behind: enough for the counts and the outputs."""

    seq: int
    source: str
    line: int | None
    status: Literal["pass", "fail", "invalid"]
    assessment_id: str = ""
    kind: str = ""
    problems: tuple[Problem, ...] = ()
    unreadable: bool = False  # the file could not be read at all
    crashed: bool = False  # the rules engine crashed or failed on it
    exceptions: tuple[dict[str, Any], ...] = ()
    #: a failing record's full report, as the audit's JSON holds it (see `_report_text`)
    report: str | None = None

    def __reduce__(self) -> tuple[type[Outcome], tuple[Any, ...]]:
        # sent from a worker for every record: a plain tuple pickles in half the time
        return (Outcome, tuple(getattr(self, f) for f in _OUTCOME_FIELDS))


_OUTCOME_FIELDS: Final = tuple(f.name for f in dataclasses.fields(Outcome))


def _unreadable(seq: int, source: str, exc: OSError) -> Outcome:
    problem = cannot_read(source, exc)
    return Outcome(seq, source, None, "invalid", problems=(problem,), unreadable=True)


def _files(paths: Sequence[Path], skip: frozenset[str]) -> Iterator[tuple[str, OSError | None]]:
    """Every file to read, in a stable order: the paths as given; inside a folder, its record
    files sorted by name, then its subfolders likewise (hidden names skipped, symbolic links to
    folders not followed). A path that cannot be listed or read comes with its error."""

    def walk(folder: Path) -> Iterator[tuple[str, OSError | None]]:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield str(folder), exc
            return
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            path = folder / entry.name
            if is_folder:
                subfolders.append(path)
            elif path.suffix.lower() in RECORD_SUFFIXES and not _skipped(path, skip):
                yield str(path), None
        for sub in subfolders:
            yield from walk(sub)

    for path in paths:
        if path.is_dir():
            yield from walk(path)
        else:
            yield str(path), None


def _skipped(path: Path, skip: frozenset[str]) -> bool:
    return bool(skip) and os.path.realpath(path) in skip


_BOM = "\ufeff"


_LINE_TOO_LONG: Final = (
    f"is too large to be a record (a record may be at most {MAX_RECORD_BYTES // (1 << 20)} MB): "
    "this line was passed over without being read"
)


def _lines(file: Any) -> Iterator[bytes | None]:
    """A JSON Lines file's lines, each read only up to the largest record there can be (None
    for a longer line, whose rest is read past in blocks): one line that never ends must not be
    held whole."""
    while raw := file.readline(MAX_RECORD_BYTES + 1):
        if len(raw) <= MAX_RECORD_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while (more := file.readline(_BLOCK)) and not more.endswith(b"\n"):
            pass
        yield None


def _items(paths: Sequence[Path], skip: frozenset[str]) -> Iterator[_Task | Outcome]:
    """Tasks for the workers, in input order; what fails before a worker could see it (a JSON
    Lines file that cannot be read, a line that is not UTF-8) comes as an Outcome."""
    seq = 0
    for source, error in _files(paths, skip):
        if error is not None:
            yield _unreadable(seq, source, error)
            seq += 1
            continue
        suffix = Path(source).suffix.lower()
        if suffix != ".jsonl":
            yield _Task(seq, source, None, None, is_yaml_path(Path(source)))
            seq += 1
            continue
        try:
            with open(source, "rb") as lines:
                for number, raw in enumerate(_lines(lines), start=1):
                    if raw is None:  # a line too long to be a record, passed over unread
                        problem = Problem(source, number, "", _LINE_TOO_LONG)
                        yield Outcome(seq, source, number, "invalid", problems=(problem,))
                        seq += 1
                        continue
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        message = (
                            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read): "
                            "save the file as UTF-8 and try again"
                        )
                        problem = Problem(source, number, "", message)
                        yield Outcome(seq, source, number, "invalid", problems=(problem,))
                        seq += 1
                        continue
                    if number == 1 and text.startswith(_BOM):
                        text = text[1:]
                    if text.strip():
                        yield _Task(seq, source, number, text, False)
                        seq += 1
        except OSError as exc:
            yield _unreadable(seq, source, exc)
            seq += 1


# ---------------------------------------------------------------------------------------------
# Checking one record (in a worker)
# ---------------------------------------------------------------------------------------------


def _decode(task: _Task, text: str) -> object:
    """A task's text as data, YAML or JSON (InputError if it is neither)."""
    if task.yaml:
        return decode_yaml(text, source=task.source)
    return decode_json(text, source=task.source, line=task.line)


def _id_in(data: object) -> str:
    """The assessment id in a record's data, if it has one that is text."""
    aid = data.get("id") if isinstance(data, dict) else None
    return aid if isinstance(aid, str) else ""


def _read_task(task: _Task, as_of: date, redact: bool) -> Record | Outcome:
    """The record a task holds, or the outcome of a task that holds no valid record."""
    seq, source, line = task.seq, task.source, task.line
    data: object = None
    try:
        if task.text is None:
            try:
                text = read_text(Path(source))
            except InputError as exc:
                unreadable = any(p.message.startswith("cannot be read") for p in exc.problems)
                return Outcome(
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
        return parse_record(data, source=source, as_of=as_of, line=line)
    except InputError as exc:
        problems = tuple(exc.problems)
        if redact:
            hide = _redactor_for_data(data)
            problems = tuple(replace(p, message=hide(p.message)) for p in problems)
        return Outcome(seq, source, line, "invalid", _id_in(data), problems=problems)


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
    current: Any,
) -> list[Outcome]:
    """Check a few tasks' records in one engine session (engine.run_many): the outcomes, in the
    tasks' order. `current` (see `_worker_main`) holds the number of the record being read or
    reported on, or `_IN_BATCH` while the engine checks more than one."""
    read: list[Record | Outcome] = []
    for task in tasks:
        current.value = task.seq
        read.append(_read_task(task, as_of, redact))
    records = [r for r in read if isinstance(r, Record)]
    if len(records) > 1:
        current.value = _IN_BATCH
    elif records:
        current.value = next(t.seq for t, r in zip(tasks, read, strict=True) if r is records[0])
    answers = iter(_check_all(checker, records, as_of, check_fn))
    outcomes = []
    for task, item in zip(tasks, read, strict=True):
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        current.value = task.seq
        outcomes.append(_checked(task, item, next(answers), redact))
    current.value = -1
    return outcomes


def _checked(
    task: _Task, record: Record, answer: Report | Exception | None, redact: bool
) -> Outcome:
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
        return Outcome(task.seq, task.source, task.line, "pass", record.id, record.kind)
    return _outcome(task, record, answer, redact)


def _failed(task: _Task, record: Record, message: str) -> Outcome:
    problem = Problem(task.source, task.line, "", message)
    return Outcome(
        task.seq,
        task.source,
        task.line,
        "invalid",
        record.id,
        record.kind,
        problems=(problem,),
        crashed=True,
    )


def _outcome(task: _Task, record: Record, report: Report, redact: bool) -> Outcome:
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

    rows = []
    for result in data["results"]:
        for f in result["findings"]:
            if f["status"] != "fail":
                continue
            rows.append(
                {
                    "fingerprint": fingerprint(result["rule"], aid, f["subject"]),
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
                }
            )
    failing = report.verdict == "fail"
    return Outcome(
        task.seq,
        task.source,
        task.line,
        report.verdict,
        aid,
        record.kind,
        exceptions=tuple(rows),
        report=_report_text(data) if failing else None,
    )


def _report_text(data: dict[str, Any]) -> str:
    """A report as the audit's JSON holds it, an item of its `reports` list: written here, in
    the worker, so that the parent only copies text."""
    return plain_json_at(data, 2)


def _worker_main(
    conn: Connection,
    current: Any,
    rules_dir: Path | None,
    as_of: date,
    redact: bool,
    check_fn: CheckFn,
) -> None:
    """A worker process: build a checker, then check each chunk of tasks it is sent, answering
    a few records at a time (one message per record cost as much as a tenth of the work). So
    that the parent knows which record it died on, if it dies, `current` (memory shared with the
    parent) holds the number of the record being checked, -1 between records, and `_IN_BATCH`
    while the engine checks several records in one session (`BATCH` at a time, but a task
    marked `alone` on its own: the parent marks them so after a worker died in a batch)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    checker = checker_for(rules_dir)
    conn.send(("ready", checker.rules.version))
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        answers: list[Outcome] = []
        at = 0
        while at < len(chunk):
            group = [chunk[at]]
            if not chunk[at].alone:
                while len(group) < BATCH and at + len(group) < len(chunk):
                    task = chunk[at + len(group)]
                    if task.alone:
                        break
                    group.append(task)
            at += len(group)
            answers += _check_group(checker, group, as_of, redact, check_fn, current)
            if len(answers) >= _ANSWER_EVERY:
                conn.send(answers)
                answers = []
        if answers:
            conn.send(answers)


# ---------------------------------------------------------------------------------------------
# The pool of workers
# ---------------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, ctx: Any, args: tuple[Any, ...]) -> None:
        self.conn, child_end = ctx.Pipe()
        self.current = ctx.RawValue("q", -1)  # the record it is checking (see _worker_main)
        self.process = ctx.Process(
            target=_worker_main,
            args=(child_end, self.current, *args),
            daemon=True,
            name="closure-check-worker",
        )
        self.process.start()
        child_end.close()
        self.ready = False
        self.pending: deque[_Task] = deque()  # sent, not yet answered, in order

    def stop(self, *, graceful: bool) -> None:
        if graceful:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _how_it_died(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"the checking process was stopped by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"the checking process was stopped by signal {-exitcode}"
    return f"the checking process stopped with exit status {exitcode}"


def _context() -> Any:
    """Workers come from a fork server (a clean process that has imported closure-check but
    never loaded any rules into the engine), or are spawned where there is none. Never a plain
    fork of this process, which may hold the engine's state and threads."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["closure_check.audit"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not on Linux


def _assessment_id(task: _Task) -> str:
    """The id of a record that crashed its worker, read again here without the engine."""
    try:
        text = task.text if task.text is not None else read_text(Path(task.source))
        return _id_in(_decode(task, text))
    except InputError:
        return ""


def _run_pool(
    items: Iterator[_Task | Outcome],
    *,
    workers: int,
    rules_dir: Path | None,
    as_of: date,
    redact: bool,
    check_fn: CheckFn,
    rules_version: str,
) -> Iterator[Outcome]:
    """Check the tasks in `workers` processes and yield every outcome in input order."""
    ctx = _context()
    args = (rules_dir, as_of, redact, check_fn)
    pool = [_Worker(ctx, args) for _ in range(workers)]
    # one selector for the whole run (multiprocessing's `wait` makes one on every call, and
    # the parent waits once or twice for every record)
    selector = selectors.DefaultSelector()
    for w in pool:
        selector.register(w.conn.fileno(), selectors.EVENT_READ, w)
        selector.register(w.process.sentinel, selectors.EVENT_READ, w)
    retry: deque[_Task] = deque()  # tasks of a dead worker that it never reached
    done: dict[int, Outcome] = {}  # finished out of order, waiting for their turn
    next_seq = 0  # the next outcome to yield
    chunk = _CHUNK_FIRST
    exhausted = False
    start_failures = 0
    lost_without_blame = 0  # workers in a row that died between records

    last_seq = -1  # the last task taken from `items`
    window = _WINDOW_PER_WORKER * workers

    def take(n: int) -> list[_Task]:
        nonlocal exhausted, last_seq
        out: list[_Task] = []
        while len(out) < n and retry:
            out.append(retry.popleft())
        # never more than `window` records past the oldest unfinished one, whatever they are:
        # a run of bad lines (each an outcome already) must not pile up in `done` either
        while len(out) < n and not exhausted and last_seq - next_seq < window:
            try:
                item = next(items)
            except StopIteration:
                exhausted = True
                break
            last_seq = item.seq
            if isinstance(item, Outcome):
                done[item.seq] = item
            else:
                out.append(item)
        return out

    def bury(w: _Worker) -> None:
        """A worker died: blame the record it was checking, requeue the rest, replace it."""
        nonlocal start_failures, lost_without_blame
        selector.unregister(w.conn.fileno())
        selector.unregister(w.process.sentinel)
        w.process.join()
        exitcode = w.process.exitcode
        w.conn.close()
        if not w.ready:
            start_failures += 1
            if start_failures >= _MAX_START_FAILURES:
                raise EngineError(
                    "the checking processes could not start (" + _how_it_died(exitcode) + ")"
                )
            retry.extendleft(reversed(w.pending))
        elif w.pending and w.current.value == _IN_BATCH:
            # it died checking several records in one engine session: each is checked again
            # in a session of its own, so that a second crash names the record that causes it
            retry.extendleft(reversed([replace(t, alone=True) for t in w.pending]))
            w.pending.clear()
        elif w.pending:
            # the record it was checking; the ones before it were checked, but their answers
            # went down with it: they are checked again, with the ones after it
            culprit = next((t for t in w.pending if t.seq == w.current.value), None)
            if culprit is None:  # it died between two records: nobody to blame
                lost_without_blame += 1
                if lost_without_blame >= _MAX_START_FAILURES:
                    raise EngineError(
                        "the checking processes keep stopping (" + _how_it_died(exitcode) + ")"
                    )
                retry.extendleft(reversed(w.pending))
                w.pending.clear()
            else:
                w.pending.remove(culprit)
                retry.extendleft(reversed(w.pending))
                w.pending.clear()
                w.pending.append(culprit)
        if w.ready and w.pending:
            task = w.pending.popleft()
            message = CRASH_MESSAGE.format(how=_how_it_died(exitcode))
            problem = Problem(task.source, task.line, "", message)
            done[task.seq] = Outcome(
                task.seq,
                task.source,
                task.line,
                "invalid",
                _assessment_id(task),
                problems=(problem,),
                crashed=True,
            )
        new = pool[pool.index(w)] = _Worker(ctx, args)
        selector.register(new.conn.fileno(), selectors.EVENT_READ, new)
        selector.register(new.process.sentinel, selectors.EVENT_READ, new)

    def flush() -> Iterator[Outcome]:
        nonlocal next_seq
        while next_seq in done:
            yield done.pop(next_seq)
            next_seq += 1

    finished = False
    try:
        while True:
            # Feed each idle worker a chunk, but let none run too far ahead of the oldest record
            # (what finishes early waits in `done` for its turn).
            for w in pool:
                if w.pending or not (retry or (not exhausted and last_seq - next_seq < window)):
                    continue
                tasks = take(chunk)
                if not tasks:
                    break
                chunk = min(chunk * 2, _CHUNK_MAX)
                w.pending.extend(tasks)
                with contextlib.suppress(OSError):  # if it died, its sentinel says so below
                    w.conn.send(tasks)
            yield from flush()
            busy = [w for w in pool if w.pending]
            if not busy:
                if exhausted and not retry:
                    finished = True
                    return
                continue
            ready = {key.data for key, _ in selector.select()}
            for w in pool[:]:
                if w not in ready:
                    continue
                dead = False
                try:
                    while w.conn.poll():
                        message = w.conn.recv()
                        if isinstance(message, list):
                            for outcome in message:
                                w.pending.popleft()
                                done[outcome.seq] = outcome
                            lost_without_blame = 0
                        elif message[0] == "ready":
                            w.ready = True
                            start_failures = 0
                            if message[1] != rules_version:
                                raise EngineError(
                                    "the rules changed while the audit was running; run it again"
                                )
                except (EOFError, OSError):
                    dead = True
                if dead or not w.process.is_alive():
                    bury(w)
    finally:  # every worker is idle when all went well; otherwise, stop them now
        selector.close()
        for w in pool:
            w.stop(graceful=finished)


# ---------------------------------------------------------------------------------------------
# Spools: what the outputs need, on disk until they are written
# ---------------------------------------------------------------------------------------------

_FRAME_END: Final = "\x1e"  # ends each JSON text in a raw spool; JSON text never holds it bare
_BLOCK: Final = 1 << 20


class _Spool(Sequence[Any]):
    """Items appended to a file in a private temporary folder as they arrive, and read back one
    at a time, as often as needed: the audit's outputs are written from these, so that its memory
    does not grow with the number of records. Each item is kept as the JSON text the audit's
    JSON holds it as, an item of a list (the JSON output only copies it), and ended by the
    character 0x1e, which JSON text never holds unescaped. A raw spool is given that text
    (a failing record's report, written by the worker); another spool writes it itself."""

    def __init__(self, path: Path, *, raw: bool = False) -> None:
        self._path = path
        self._raw = raw
        # surrogatepass: a file name that is not UTF-8 goes through as Python holds it
        self._file = open(path, "x", encoding="utf-8", errors="surrogatepass", newline="")  # noqa: SIM115
        self._count = 0

    def append(self, item: Any) -> None:
        """Add one value (a raw spool: its JSON text)."""
        self._file.write((item if self._raw else plain_json_at(item, 2)) + _FRAME_END)
        self._count += 1

    def texts(self) -> Iterator[str]:
        """Each item as the JSON text it was written as, in order."""
        self._file.flush()
        with open(self._path, encoding="utf-8", errors="surrogatepass", newline="") as f:
            rest = ""
            while block := f.read(_BLOCK):
                parts = (rest + block).split(_FRAME_END)
                rest = parts.pop()
                yield from parts

    def __iter__(self) -> Iterator[Any]:
        loads = json.loads
        for text in self.texts():
            yield loads(text)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        i = index + self._count if index < 0 else index
        if not 0 <= i < self._count:
            raise IndexError("spool index out of range")
        for n, item in enumerate(self):
            if n == i:
                return item
        raise IndexError("spool index out of range")  # pragma: no cover

    def close(self) -> None:
        self._file.close()


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class _SpoolFolder:
    """A private temporary folder (mode 0700) of spools, removed with everything in it when
    `close` is called or when its owner is garbage collected, whichever comes first."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="closure-check-"))
        self._spools: list[_Spool] = []
        self._finalizer = weakref.finalize(self, _remove_spools, self.path, self._spools)

    def spool(self, name: str, *, raw: bool = False) -> _Spool:
        spool = _Spool(self.path / f"{name}.spool", raw=raw)
        self._spools.append(spool)
        return spool

    def close(self) -> None:
        self._finalizer()


def _remove_spools(path: Path, spools: list[_Spool]) -> None:
    for spool in spools:
        with contextlib.suppress(OSError):
            spool.close()
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The baseline: a previous audit's JSON
# ---------------------------------------------------------------------------------------------

#: What a resolved exception keeps from the baseline (not its messages, which are last week's).
_IDENTITY: Final = (
    "fingerprint",
    "assessment_id",
    "kind",
    "source",
    "line",
    "rule",
    "title",
    "severity",
    "paragraph",
    "subject",
    "subject_type",
    "name",
    "worker_id",
    "worker",
    "team",
)


class Baseline:
    """The exceptions of a previous audit: their fingerprints and records in memory, the rows
    themselves (first of each fingerprint, in the file's order) in a spool."""

    def __init__(self, source: str, as_of: str) -> None:
        self.source = source
        self.as_of = as_of
        self.fingerprints: set[str] = set()
        self.records: set[str] = set()  # assessment ids with an exception
        self._folder = _SpoolFolder()
        self._spool = self._folder.spool("baseline")

    @property
    def rows(self) -> Sequence[dict[str, Any]]:
        return self._spool

    def _add(self, row: dict[str, Any]) -> None:
        if row["fingerprint"] not in self.fingerprints:
            self.fingerprints.add(row["fingerprint"])
            self.records.add(row["assessment_id"])
            self._spool.append(row)

    def close(self) -> None:
        self._folder.close()


class _NotJson(Exception):
    pass


_SPACE = re.compile(r"[ \t\n\r]*")


class _JsonReader:
    """One JSON document read from a file a value at a time, so that a large audit (most of it
    failing records' reports) is never held whole just to find its exceptions."""

    def __init__(self, file: Any) -> None:
        self._file = file
        self._text = ""
        self._at = 0
        self._eof = False
        self._decode = json.JSONDecoder().raw_decode

    def _more(self) -> bool:
        if self._eof:
            return False
        block = self._file.read(max(_BLOCK, len(self._text) - self._at))  # doubles for big values
        if not block:
            self._eof = True
            return False
        self._text = self._text[self._at :] + block
        self._at = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            match = _SPACE.match(self._text, self._at)
            assert match is not None
            self._at = match.end()
            if self._at < len(self._text):
                return self._text[self._at]
            if not self._more():
                return ""

    def take(self, allowed: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            raise _NotJson
        self._at += 1
        return char

    def value(self) -> Any:
        """The next whole value."""
        self.peek()
        while True:
            try:
                value, end = self._decode(self._text, self._at)
            except (json.JSONDecodeError, RecursionError, ValueError):
                if self._more():  # most likely cut short by the end of the block read
                    continue
                raise _NotJson from None
            if end == len(self._text) and self._more():  # a number may go on: read it again
                continue
            self._at = end
            return value

    def items(self) -> Iterator[Any]:
        """The values of a list, one at a time."""
        self.take("[")
        if self.peek() == "]":
            self._at += 1
            return
        while True:
            yield self.value()
            if self.take(",]") == "]":
                return

    def members(self) -> Iterator[str]:
        """The names of an object's members; the caller reads each value before the next."""
        self.take("{")
        if self.peek() == "}":
            self._at += 1
            return
        while True:
            name = self.value()
            if not isinstance(name, str):
                raise _NotJson
            self.take(":")
            yield name
            if self.take(",}") == "}":
                return

    def skip(self, depth: int = 0) -> None:
        """Pass over the next value, a list's items or an object's members one at a time."""
        char = self.peek()
        if depth > 32 or char not in "[{":
            self.value()
        elif char == "[":
            for _ in self.items():
                pass
        else:
            for _ in self.members():
                self.skip(depth + 1)

    def end(self) -> None:
        if self.peek():
            raise _NotJson


def load_baseline(path: Path) -> Baseline:
    """Read a previous `closure-check audit --json` file; InputError if it is not one. The file
    is read piece by piece: only each exception's identity is kept."""
    source = str(path)

    def refuse(why: str) -> InputError:
        message = f"cannot be used as a baseline: {why}"
        return InputError([Problem(source, None, "", message)])

    try:
        f = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputError([cannot_read(source, exc)]) from None
    not_an_audit = (
        f'it is not an audit written by `closure-check audit --json` (format "{AUDIT_FORMAT}")'
    )
    base = Baseline(source, "")
    found: dict[str, Any] = {}
    has_list = False  # "exceptions" was a list, read row by row
    bad_row: int | None = None
    try:
        try:
            with f:
                reader = _JsonReader(f)
                if reader.peek() != "{":
                    reader.value()  # a document that is not an object: valid JSON, or not?
                    reader.end()
                    raise refuse(not_an_audit)
                for name in reader.members():
                    if name in found:
                        raise refuse(f'it gives "{name}" twice')
                    if name == "exceptions" and reader.peek() == "[":
                        found[name], has_list = None, True
                        for i, row in enumerate(reader.items()):
                            fingerprint = isinstance(row, dict) and row.get("fingerprint")
                            if not isinstance(fingerprint, str):
                                bad_row = i if bad_row is None else bad_row
                                continue
                            base._add(_identity(row))
                    elif name in ("format", "as_of", "exceptions"):
                        found[name] = reader.value()
                    else:
                        found[name] = None
                        reader.skip()
                reader.end()
        except _NotJson:
            raise refuse("it is not valid JSON") from None
        except UnicodeDecodeError:
            raise refuse("it is not UTF-8 text") from None
        except OSError as exc:
            raise refuse(f"it could not be read ({exc.strerror or exc})") from None
        if found.get("format") != AUDIT_FORMAT:
            raise refuse(not_an_audit)
        if not has_list:
            raise refuse('it has no "exceptions" list')
        if bad_row is not None:
            raise refuse(f"exceptions[{bad_row}] has no fingerprint")
    except BaseException:
        base.close()
        raise
    as_of = found.get("as_of")
    base.as_of = as_of if isinstance(as_of, str) else ""
    return base


def _identity(row: dict[str, Any]) -> dict[str, Any]:
    kept = {k: row.get(k) for k in _IDENTITY}
    for k in _IDENTITY:
        if k != "line" and not isinstance(kept[k], str):
            kept[k] = ""
    if not isinstance(kept["line"], int) or isinstance(kept["line"], bool):
        kept["line"] = None
    return kept


# ---------------------------------------------------------------------------------------------
# The audit: counts and tallies in memory; exceptions, errors and failing reports spooled
# ---------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """`checked + invalid == read` and `passed + failed == checked`, always."""

    read: int = 0
    checked: int = 0
    passed: int = 0
    failed: int = 0
    invalid: int = 0
    crashed: int = 0  # of the invalid: the rules engine crashed or failed on them
    unreadable: int = 0  # of the invalid: the file could not be read at all


@dataclass
class _Tally:
    exceptions: int = 0
    records: int = 0


class Audit:
    """Everything the outputs need. Counts and tallies are kept in memory; exceptions, errors,
    failing records' reports, and the baseline's resolved exceptions go to spools in a private
    temporary folder as they arrive (no passing record leaves anything but its counts), and the
    outputs are written from there. `close()` (or leaving a `with` block) removes the folder;
    so does garbage collection. `exceptions`, `errors`, `reports`, `resolved` and
    `not_rechecked` are sequences read from the spools."""

    def __init__(
        self,
        *,
        as_of: str,
        rules_version: str,
        tool_version: str,
        inputs: list[str],
        redacted: bool,
        catalogue: list[dict[str, str]],
        baseline: Baseline | None = None,
    ) -> None:
        self.as_of = as_of
        self.rules_version = rules_version
        self.tool_version = tool_version
        self.inputs = inputs
        self.redacted = redacted
        self.catalogue = catalogue  # every rule in catalogue order: rule, title, severity, source
        self.baseline = baseline
        self.counts = Counts()
        self._folder = _SpoolFolder()
        spool = self._folder.spool
        self._exceptions = spool("exceptions")
        self._errors = spool("errors")
        self._reports = spool("reports", raw=True)
        self._resolved = spool("resolved")
        self._not_rechecked = spool("not_rechecked")
        self._by_rule: dict[str, _Tally] = {}
        self._by_team: dict[str, _Tally] = {}
        self._by_worker: dict[str, _Tally] = {}
        self._worker_names: dict[str, tuple[str, str]] = {}
        self._severities: dict[str, int] = {"blocker": 0, "advisory": 0}
        self._statuses: dict[str, int] = {"new": 0, "persisting": 0}
        self._records_with_exceptions = 0
        self._seen: set[str] = set()  # baseline fingerprints found again
        self._rechecked: set[str] = set()  # baseline records checked again

    @property
    def exceptions(self) -> Sequence[dict[str, Any]]:
        """One row per exception, in input order."""
        return self._exceptions

    @property
    def errors(self) -> Sequence[dict[str, Any]]:
        """One entry per invalid record, in input order."""
        return self._errors

    @property
    def reports(self) -> Sequence[dict[str, Any]]:
        """The failing records' full reports, in input order."""
        return self._reports

    @property
    def resolved(self) -> Sequence[dict[str, Any]]:
        """Baseline exceptions whose record was checked again and which are gone now."""
        return self._resolved

    @property
    def not_rechecked(self) -> Sequence[dict[str, Any]]:
        """Baseline exceptions whose record was not checked this time."""
        return self._not_rechecked

    def close(self) -> None:
        """Remove the spools (and the baseline's). The outputs cannot be written after this."""
        self._folder.close()
        if self.baseline is not None:
            self.baseline.close()

    def __enter__(self) -> Audit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- building ----------------------------------------------------------------------------

    def add(self, outcome: Outcome) -> None:
        c = self.counts
        c.read += 1
        if outcome.status == "invalid":
            c.invalid += 1
            c.crashed += outcome.crashed
            c.unreadable += outcome.unreadable
            self._errors.append(_error_entry(outcome))
            return
        c.checked += 1
        if outcome.status == "pass":
            c.passed += 1
        else:
            c.failed += 1
            if outcome.report is not None:
                self._reports.append(outcome.report)
        base = self.baseline
        if base is not None and outcome.assessment_id in base.records:
            self._rechecked.add(outcome.assessment_id)
        if not outcome.exceptions:
            return
        by_rule = self._by_rule
        rules: set[str] = set()
        for row in outcome.exceptions:
            row = dict(row)
            if base is not None:
                known = row["fingerprint"] in base.fingerprints
                row["status"] = "persisting" if known else "new"
                self._statuses[row["status"]] += 1
                if known:
                    self._seen.add(row["fingerprint"])
            else:
                row["status"] = None
            self._exceptions.append(row)
            self._severities[row["severity"]] = self._severities.get(row["severity"], 0) + 1
            tally = by_rule.get(row["rule"])
            if tally is None:
                tally = by_rule[row["rule"]] = _Tally()
            tally.exceptions += 1
            rules.add(row["rule"])
        first = outcome.exceptions[0]
        n = len(outcome.exceptions)
        self._records_with_exceptions += 1
        for rule in rules:
            by_rule[rule].records += 1
        team = self._by_team.setdefault(first["team"], _Tally())
        team.exceptions += n
        team.records += 1
        worker = self._by_worker.setdefault(first["worker_id"], _Tally())
        worker.exceptions += n
        worker.records += 1
        self._worker_names.setdefault(first["worker_id"], (first["worker"], first["team"]))

    def finish(self) -> None:
        """After the last record: what the baseline had that this audit no longer has."""
        base = self.baseline
        if base is None:
            return
        for row in base.rows:
            if row["fingerprint"] in self._seen:
                continue
            if self.redacted:
                row["name"] = _redacted_name(row)
                row["worker"] = pseudonym("worker", row["worker_id"]) if row["worker"] else ""
            if row["assessment_id"] in self._rechecked:
                self._resolved.append(row)
            else:
                self._not_rechecked.append(row)

    # -- reading -----------------------------------------------------------------------------

    @property
    def nothing_read(self) -> bool:
        """No record could be read at all: none found, or every file unreadable."""
        return self.counts.read == self.counts.unreadable

    @property
    def exit_status(self) -> int:
        """0 all pass, 1 any fail or invalid record, 2 when nothing could be read."""
        if self.nothing_read:
            return 2
        return 1 if self.counts.failed or self.counts.invalid else 0

    def summary(self) -> dict[str, Any]:
        by_rule = [
            {**rule, "exceptions": t.exceptions, "records": t.records}
            for rule in self.catalogue
            if (t := self._by_rule.get(rule["rule"])) is not None
        ]
        by_team = [
            {"team": team, "exceptions": t.exceptions, "records": t.records}
            for team, t in sorted(self._by_team.items(), key=lambda kv: (-kv[1].exceptions, kv[0]))
        ]
        by_worker = [
            {
                "worker_id": wid,
                "worker": self._worker_names[wid][0],
                "team": self._worker_names[wid][1],
                "exceptions": t.exceptions,
                "records": t.records,
            }
            for wid, t in sorted(self._by_worker.items(), key=lambda kv: (-kv[1].exceptions, kv[0]))
        ]
        return {
            "exceptions": len(self._exceptions),
            "blocker": self._severities.get("blocker", 0),
            "advisory": self._severities.get("advisory", 0),
            "records_with_exceptions": self._records_with_exceptions,
            "by_rule": by_rule,
            "by_team": by_team,
            "by_worker": by_worker,
        }

    def baseline_summary(self) -> dict[str, Any] | None:
        base = self.baseline
        if base is None:
            return None
        return {
            "source": base.source,
            "as_of": base.as_of,
            "new": self._statuses["new"],
            "persisting": self._statuses["persisting"],
            "resolved": len(self._resolved),
            "not_rechecked": len(self._not_rechecked),
        }

    def _head(self) -> dict[str, Any]:
        """The audit's JSON up to its lists, which are read from the spools."""
        c = self.counts
        return {
            "format": AUDIT_FORMAT,
            "tool_version": self.tool_version,
            "rules_version": self.rules_version,
            "as_of": self.as_of,
            "inputs": self.inputs,
            "redacted": self.redacted,
            "read": c.read,
            "checked": c.checked,
            "passed": c.passed,
            "failed": c.failed,
            "invalid": c.invalid,
            "crashed": c.crashed,
            "reports_included": "failing",
            "summary": self.summary(),
            "baseline": self.baseline_summary(),
        }

    def _lists(self) -> dict[str, _Spool]:
        return {
            "exceptions": self._exceptions,
            "resolved": self._resolved,
            "not_rechecked": self._not_rechecked,
            "errors": self._errors,
            "reports": self._reports,
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole audit as one dict, lists and all: for a small audit (a test, say). The
        outputs never need it."""
        return {**self._head(), **{k: list(v) for k, v in self._lists().items()}}

    def json_chunks(self) -> Iterator[str]:
        """The audit's JSON, piece by piece: the same text as `json.dumps(self.to_dict(),
        ensure_ascii=False, indent=2)` and a newline, without holding it whole."""
        yield "{"
        sep = "\n  "
        for key, value in self._head().items():
            yield f"{sep}{_COMPACT(key)}: {json_at(value, 1)}"
            sep = ",\n  "
        for key, spool in self._lists().items():
            yield f"{sep}{_COMPACT(key)}: "
            if not spool:
                yield "[]"
                continue
            item_sep = "[\n    "
            for text in spool.texts():  # each written as this list's item already
                yield item_sep + text
                item_sep = ",\n    "
            yield "\n  ]"
        yield "\n}\n"

    def to_json(self) -> str:
        return "".join(self.json_chunks())

    def summary_text(self) -> str:
        """The few lines `closure-check audit` prints."""
        c = self.counts
        s = self.summary()
        lines = [
            f"Audit as of {self.as_of}: {c.read} record{_s(c.read)} read, {c.passed} passed, "
            f"{c.failed} failed, {c.invalid} invalid"
            + (f" ({c.crashed} of them could not be checked: see errors)" if c.crashed else "")
            + "."
        ]
        if s["exceptions"]:
            lines.append(
                f"{s['exceptions']} exception{_s(s['exceptions'])} ({s['blocker']} blocker, "
                f"{s['advisory']} advisory) in {s['records_with_exceptions']} "
                f"record{_s(s['records_with_exceptions'])}."
            )
        b = self.baseline_summary()
        if b is not None:
            lines.append(
                f"Compared with {b['source']}"
                + (f" (as of {b['as_of']})" if b["as_of"] else "")
                + f": {b['new']} new, {b['persisting']} persisting, {b['resolved']} resolved"
                + (f", {b['not_rechecked']} not rechecked" if b["not_rechecked"] else "")
                + "."
            )
        if self.nothing_read and self._errors:
            unreadable = ", ".join(e["source"] for e in self._errors)
            lines.append(f"Nothing could be read: {unreadable} could not be read.")
        elif self.nothing_read:
            lines.append(
                "Nothing could be read: no record files (.json, .yaml, .yml, .jsonl) were found in "
                + ", ".join(self.inputs)
                + "."
            )
        if self.redacted:
            lines.append("Names are replaced by pseudonyms in every output.")
        return "\n".join(lines) + "\n"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _redacted_name(row: dict[str, Any]) -> str:
    kind = row["subject_type"]
    if kind in ("child", "adult"):
        return _person_pseudonym(kind, row["assessment_id"], row["subject"])
    return str(row["name"])


def _error_entry(outcome: Outcome) -> dict[str, Any]:
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


# ---------------------------------------------------------------------------------------------
# Running it
# ---------------------------------------------------------------------------------------------


def run(
    paths: Sequence[Path | str],
    *,
    as_of: date,
    rules_dir: Path | None = None,
    workers: int = 1,
    baseline: Path | None = None,
    redact: bool = False,
    check_fn: CheckFn = check_records,
    skip: Iterable[Path | str] = (),
    progress: Callable[[Counts], None] | None = None,
) -> Audit:
    """Check every record in `paths` (files, folders, JSON Lines files) in `workers` processes.

    Raises RuleFileError for bad rules and InputError for a bad baseline, before anything is
    read; a record that cannot be read or checked is an entry in `errors`, never an exception.
    `check_fn` must be picklable (a module-level function): it runs in the worker processes.
    `skip` names files never to read as records (the outputs of this very audit, say).
    The audit returned holds its lists in temporary files: `close()` it (or use it in a `with`
    block) when its outputs are written.
    """
    from . import __version__

    if workers < 1:
        raise ValueError("workers must be 1 or more")
    checker = checker_for(rules_dir)
    base = load_baseline(Path(baseline)) if baseline is not None else None
    catalogue = [
        {
            "rule": lr.rule.id,
            "title": lr.rule.title,
            "severity": lr.rule.severity,
            "source": lr.rule.source.paragraph,
        }
        for lr in checker.rules
    ]
    audit = Audit(
        as_of=as_of.isoformat(),
        rules_version=checker.rules.version,
        tool_version=__version__,
        inputs=[str(p) for p in paths],
        redacted=redact,
        catalogue=catalogue,
        baseline=base,
    )
    try:
        never = frozenset(os.path.realpath(p) for p in skip)
        items = _items([Path(p) for p in paths], never)
        outcomes = _run_pool(
            items,
            workers=workers,
            rules_dir=rules_dir,
            as_of=as_of,
            redact=redact,
            check_fn=check_fn,
            rules_version=checker.rules.version,
        )
        for outcome in outcomes:
            audit.add(outcome)
            if progress is not None:
                progress(audit.counts)
        audit.finish()
    except BaseException:
        audit.close()
        raise
    return audit


# ---------------------------------------------------------------------------------------------
# Outputs, each written piece by piece from the spools
# ---------------------------------------------------------------------------------------------

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
    ("source", "file"),
    ("line", "line"),
)


def csv_chunks(audit: Audit) -> Iterator[str]:
    """One row per exception. UTF-8 with a byte-order mark, so that Excel reads names right."""
    columns = list(_CSV_COLUMNS)
    if audit.baseline is not None:
        columns.insert(1, ("status", "status"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in columns])
    yield "\ufeff" + out.getvalue()
    keys = [key for key, _ in columns]
    rows = 0
    for row in audit.exceptions:
        if rows == 0:
            out.seek(0)
            out.truncate()
        writer.writerow([_cell(row[key]) for key in keys])
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
    from .render import environment

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
        if path.exists() and not path.is_file():
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
