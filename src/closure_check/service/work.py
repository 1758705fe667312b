"""What a service worker process does (pool.Work): read each request's body as a record and
check requests `engine.BATCH` at a time in one engine session, each answered with the very
report `closure-check check FILE` gives for the same bytes, rules and as-of date.

Everything here runs in the worker processes, never in the server's event loop: reading and
validating a record of 16 MB is work, and the rules engine may crash the process it runs in."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from ..checker import Checker
from ..engine import BATCH, EngineError
from ..errors import InputError, Problem
from ..pool import IDLE, IN_BATCH, Current
from ..record import Record, parse_record
from ..report import Report
from ..sources import decode, decode_utf8
from ..sources.json import walk
from .problems import value_free

__all__ = ["Answer", "Checked", "Job", "handle", "rules_version"]

#: seconds a worker waits before each chunk: for tests only (a request in flight long enough
#: to kill its worker, or enough of them at once to reach the concurrency cap)
_TEST_DELAY = "CLOSURE_CHECK_SERVE_TEST_DELAY"
#: text whose records hang their worker in the engine session, never to answer: for tests only
#: (an engine fault looping forever, which the pool's time limit stops)
_TEST_HANG = "CLOSURE_CHECK_SERVE_TEST_HANG"


@dataclass(frozen=True)
class Job:
    """One request's record to check (pool.Task)."""

    seq: int
    body: bytes
    fmt: Literal["json", "yaml"]
    as_of: date
    source: str
    #: checked in an engine session of its own: a worker died in a batch it was in
    alone: bool = False
    #: the check page wants the Report itself (to write it as HTML), not only its JSON
    want_report: bool = False


@dataclass(frozen=True)
class Checked:
    """A checked request's answer, made in the worker: its JSON report ready to send (the
    event loop only sends it), what the decision log needs, and the Report when asked for."""

    json: str
    assessment_id: str
    verdict: str
    failing_rules: tuple[str, ...]
    report: Report | None = None
    #: rules whose failing findings were all accepted by a judgement: a pass resting on one
    #: is told apart from a clean pass in the decision log
    accepted_rules: tuple[str, ...] = ()


#: ("report", Checked) | ("invalid", [Problem]) | ("fault", why) | ("crashed", how)
Answer = tuple[str, Any]


def rules_version(checker: Checker) -> str:
    return checker.rules.version


def _texts(data: object) -> list[str]:
    """The record's own text (every string in it), which no problem's message may hold."""
    return [v for _, v in walk(data) if isinstance(v, str) and len(v) >= 2]


def _read(job: Job, rule_ids: frozenset[str]) -> Record | Answer:
    data: object = None
    try:
        text = decode_utf8(job.body, job.source)
        data = decode(text, source=job.source, fmt=job.fmt)
        return parse_record(data, source=job.source, as_of=job.as_of, rule_ids=rule_ids)
    except InputError as exc:
        values = _texts(data) if data is not None else []
        return ("invalid", [value_free(p, values) for p in exc.problems])
    except RecursionError:  # pragma: no cover - the decoders refuse deep nesting first
        return ("invalid", [Problem(job.source, None, "", "is nested too deeply", "too_deep")])


def _reports(checker: Checker, jobs: list[Job], records: list[Record]) -> list[Answer]:
    """The records' reports, from one engine session; each exactly `Checker.check`'s."""
    hang = os.environ.get(_TEST_HANG, "").encode()
    if hang and any(hang in job.body for job in jobs):
        while True:
            time.sleep(60)
    reports = checker.check_many(records, as_of=[job.as_of for job in jobs])
    out: list[Answer] = []
    for job, report in zip(jobs, reports, strict=True):
        if isinstance(report, EngineError):
            out.append(("fault", str(report)))
            continue
        digest = hashlib.sha256(job.body).hexdigest()
        report = dataclasses.replace(report, input_sha256=digest)
        failing = tuple(r.rule for r in report.failed_rules)
        kept = report if job.want_report else None
        accepted = tuple(r.rule for r in report.accepted_rules)
        checked = Checked(
            report.to_json(), report.assessment_id, report.verdict, failing, kept, accepted
        )
        out.append(("report", checked))
    return out


def _group(checker: Checker, jobs: list[Job], current: Current) -> list[Answer]:
    read: list[Record | Answer] = []
    for job in jobs:
        current.value = job.seq
        read.append(_read(job, checker.rule_ids))
    checked = [(j, r) for j, r in zip(jobs, read, strict=True) if isinstance(r, Record)]
    current.value = IN_BATCH if len(checked) > 1 else (checked[0][0].seq if checked else IDLE)
    try:
        answers = iter(_reports(checker, [j for j, _ in checked], [r for _, r in checked]))
    except Exception as exc:  # a fault of closure-check itself: each record alone, then
        if len(checked) > 1:
            answers = iter([a for j, r in checked for a in _alone_or_fault(checker, j, r, current)])
        else:
            answers = iter([("fault", type(exc).__name__)])
    out = [next(answers) if isinstance(r, Record) else r for r in read]
    current.value = IDLE
    return out


def _alone_or_fault(checker: Checker, job: Job, record: Record, current: Current) -> list[Answer]:
    current.value = job.seq
    try:
        return _reports(checker, [job], [record])
    except Exception as exc:
        return [("fault", type(exc).__name__)]


def handle(checker: Checker, chunk: list[Job], current: Current) -> Iterator[list[Answer]]:
    """pool.Work.handle: `BATCH` jobs at a time in one engine session, a job marked `alone` on
    its own; each session's answers in the jobs' order."""
    delay = float(os.environ.get(_TEST_DELAY, "0") or 0)
    if delay:
        current.value = chunk[0].seq if len(chunk) == 1 else IN_BATCH
        time.sleep(delay)
    at = 0
    while at < len(chunk):
        group = [chunk[at]]
        if not chunk[at].alone:
            while len(group) < BATCH and at + len(group) < len(chunk):
                if chunk[at + len(group)].alone:
                    break
                group.append(chunk[at + len(group)])
        at += len(group)
        yield _group(checker, group, current)
