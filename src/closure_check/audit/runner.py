"""`run()`: the audit from paths to its result. Records are found in input order
(sources.discover), checked in crash-isolating worker processes (pool: each worker does what
audit.worker says) and folded into the Audit as they come back, in input order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Final

from ..api import checker_for
from ..checker import Checker
from ..engine import EngineError
from ..errors import InputError, Problem
from ..pool import Crashes, Ready, Work, run_ordered
from ..sources import read_text
from ..sources.discover import Refused, records_in
from .baseline import load_baseline
from .redact import _id_in, path_pseudonym
from .result import Audit, Counts, RecordOutcome
from .worker import CheckFn, _decode, _handle_chunk, _rules_version, _Task, check_records

CRASH_MESSAGE: Final = (
    "the rules engine crashed on this record, so it was not checked; the other records were "
    "checked. Please send this record to whoever supports closure-check (detail for them: {how})."
)


def _items(paths: Sequence[Path], skip: frozenset[str]) -> Iterator[_Task | RecordOutcome]:
    """Tasks for the workers, in input order; what fails before a worker could see it (a JSON
    Lines file that cannot be read, a line that is not UTF-8) comes as a RecordOutcome."""
    for seq, item in enumerate(records_in(paths, skip)):
        if isinstance(item, Refused):
            yield RecordOutcome(
                seq,
                item.source,
                item.line,
                "invalid",
                problems=(item.problem,),
                unreadable=item.unreadable,
            )
        else:
            yield _Task(seq, item.source, item.line, item.text, item.fmt == "yaml")


def _assessment_id(task: _Task) -> str:
    """The id of a record that crashed its worker, read again here without the engine."""
    try:
        text = task.text if task.text is not None else read_text(Path(task.source))
        return _id_in(_decode(task, text))
    except InputError:
        return ""


def _crashed(task: _Task, how: str) -> RecordOutcome:
    """The outcome of a record its worker died on (pool.Crashes.answer)."""
    problem = Problem(task.source, task.line, "", CRASH_MESSAGE.format(how=how))
    return RecordOutcome(
        task.seq,
        task.source,
        task.line,
        "invalid",
        _assessment_id(task),
        problems=(problem,),
        crashed=True,
    )


def _alone(task: _Task) -> _Task:
    """A task to be checked in an engine session of its own (pool.Crashes.isolate)."""
    return replace(task, alone=True)


def _run_pool(
    items: Iterator[_Task | RecordOutcome],
    *,
    workers: int,
    rules_dir: Path | None,
    as_of: date,
    redact: bool,
    check_fn: CheckFn,
    rules_version: str,
) -> Iterator[RecordOutcome]:
    """Check the tasks in `workers` processes and yield every outcome in input order."""

    def same_rules(version: object) -> None:
        if version != rules_version:
            raise EngineError("the rules changed while the audit was running; run it again")

    work: Work[Checker, _Task, RecordOutcome] = Work(
        start=partial(checker_for, rules_dir),
        handle=partial(_handle_chunk, as_of=as_of, redact=redact, check_fn=check_fn),
        hello=_rules_version,
    )
    return run_ordered(
        (Ready(i.seq, i) if isinstance(i, RecordOutcome) else i for i in items),
        work,
        Crashes(answer=_crashed, isolate=_alone),
        workers=workers,
        on_ready=same_rules,
        # a fork server that has imported closure-check but never loaded rules into the engine
        preload=["closure_check.audit"],
    )


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
    from .. import __version__

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
        inputs=[
            path_pseudonym(str(p)) if redact and not Path(p).is_dir() else str(p) for p in paths
        ],
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
