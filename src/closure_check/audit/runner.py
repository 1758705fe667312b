"""`run()`: the audit from paths to its result. Records are found in input order, in pieces
(sources.discover: runs of files, ranges of a JSON Lines file's lines, not read here), each
piece read and checked in a crash-isolating worker process (pool: each worker does what
audit.worker says) and packed there (packed.py), and the packed pieces folded into the Audit
as they come back, in input order."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Final, TypeVar

from ..api import checker_for
from ..checker import Checker
from ..engine import EngineError
from ..errors import InputError, Problem
from ..pool import Crashes, Ready, Work, run_ordered
from ..sources import read_text
from ..sources.discover import Files, Found, Lines, Refused, lines_of, pieces_in
from .baseline import load_baseline
from .packed import pack
from .redact import _id_in, path_pseudonym
from .result import Audit, Counts, RecordOutcome
from .worker import CheckFn, _decode, _handle_chunk, _Piece, _rules_version, _Task, check_records

CRASH_MESSAGE: Final = (
    "the rules engine crashed on this record, so it was not checked; the other records were "
    "checked. Please send this record to whoever supports closure-check (detail for them: {how})."
)

A = TypeVar("A")


def _items(paths: Sequence[Path], skip: frozenset[str]) -> Iterator[_Piece | RecordOutcome]:
    """Pieces for the workers, in input order, numbered one number per record (per file, per
    line); what cannot be read at all (a folder, a file that cannot be opened) comes as a
    RecordOutcome."""
    seq = 0
    for item in pieces_in(paths, skip):
        if isinstance(item, Refused):
            problems = (item.problem,)
            unreadable = item.unreadable
            yield RecordOutcome(
                seq, item.source, item.line, "invalid", problems=problems, unreadable=unreadable
            )
            seq += 1
        else:
            yield _Piece(seq, item)
            seq += item.count


def _task(piece: _Piece) -> _Task:
    """The one record of a piece of one, its text not read."""
    found = piece.found
    if isinstance(found, Files):
        source, fmt = found.files[0]
        return _Task(piece.seq, source, None, None, fmt == "yaml")
    return _Task(piece.seq, found.source, found.first, None, False)


def _assessment_id(piece: _Piece) -> str:
    """The id of a record that crashed its worker, read again here without the engine."""
    task, found = _task(piece), piece.found
    try:
        if isinstance(found, Files):
            text = read_text(Path(task.source))
        else:
            line = next((item for _, item in lines_of(found)), None)
            if not isinstance(line, Found):
                return ""
            text = line.text or ""
        return _id_in(_decode(task, text))
    except (InputError, OSError):
        return ""


def _crashed(piece: _Piece, how: str) -> RecordOutcome:
    """The outcome of a record its worker died on (pool.Crashes.answer: a piece of one)."""
    task = _task(piece)
    problem = Problem(task.source, task.line, "", CRASH_MESSAGE.format(how=how))
    return RecordOutcome(
        task.seq,
        task.source,
        task.line,
        "invalid",
        _assessment_id(piece),
        problems=(problem,),
        crashed=True,
    )


def _alone(piece: _Piece) -> _Piece:
    """A piece whose records are each checked in an engine session of their own
    (pool.Crashes.isolate)."""
    return replace(piece, alone=True)


def _split(piece: _Piece, at: int) -> tuple[_Piece | None, _Piece, _Piece | None]:
    """A piece cut at the record numbered `at`, which its worker died on (pool.Crashes.split):
    the records before it, it alone, the records after it. A JSON Lines piece keeps its start,
    its worker reading past the lines before its first (no file is read here)."""
    k = at - piece.seq
    found = piece.found
    parts: tuple[Files | Lines, Files | Lines, Files | Lines]
    if isinstance(found, Files):
        files = found.files
        parts = (Files(files[:k]), Files(files[k : k + 1]), Files(files[k + 1 :]))
    else:
        parts = (
            replace(found, count=k),
            replace(found, first=found.first + k, count=1),
            replace(found, first=found.first + k + 1, count=found.count - k - 1),
        )
    before = _Piece(piece.seq, parts[0], piece.alone)
    after = _Piece(at + 1, parts[2], piece.alone)
    one = _Piece(at, parts[1], piece.alone)
    return (before if before.size else None), one, (after if after.size else None)


def _run(
    items: Iterator[_Piece | RecordOutcome],
    *,
    workers: int,
    rules_dir: Path | None,
    as_of: date,
    redact: bool,
    check_fn: CheckFn,
    rules_version: str,
    finish: Callable[[list[RecordOutcome]], A],
) -> Generator[A, None, None]:
    """Check the pieces in `workers` processes and yield, in input order, what `finish` (run
    in the workers, so it must pickle) makes of each piece's outcomes."""

    def same_rules(version: object) -> None:
        if version != rules_version:
            raise EngineError("the rules changed while the audit was running; run it again")

    def crashed(piece: _Piece, how: str) -> A:
        return finish([_crashed(piece, how)])

    work: Work[Checker, _Piece, A] = Work(
        start=partial(checker_for, rules_dir),
        handle=partial(_handle_chunk, as_of=as_of, redact=redact, check_fn=check_fn, finish=finish),
        hello=_rules_version,
    )
    return run_ordered(
        (Ready(i.seq, finish([i])) if isinstance(i, RecordOutcome) else i for i in items),
        work,
        Crashes(answer=crashed, isolate=_alone, split=_split),
        workers=workers,
        on_ready=same_rules,
        # a fork server that has imported closure-check but never loaded rules into the engine
        preload=["closure_check.audit"],
    )


def _run_pool(
    items: Iterator[_Piece | RecordOutcome],
    *,
    workers: int,
    rules_dir: Path | None,
    as_of: date,
    redact: bool,
    check_fn: CheckFn,
    rules_version: str,
) -> Iterator[RecordOutcome]:
    """Check the pieces in `workers` processes and yield every record's outcome in input order
    (rules impact: the outcomes themselves, not packed)."""
    for outcomes in _run(
        items,
        workers=workers,
        rules_dir=rules_dir,
        as_of=as_of,
        redact=redact,
        check_fn=check_fn,
        rules_version=rules_version,
        finish=tuple,
    ):
        yield from outcomes


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
        packed = _run(
            items,
            workers=workers,
            rules_dir=rules_dir,
            as_of=as_of,
            redact=redact,
            check_fn=check_fn,
            rules_version=checker.rules.version,
            finish=partial(
                pack,
                folder=audit.spool_folder,
                as_of=audit.as_of,
                redact=redact,
                baseline=base is not None,
            ),
        )
        try:
            for piece in packed:
                audit.add_packed(piece)
                if progress is not None:
                    progress(audit.counts)
        finally:  # the workers stop before the spools can go
            packed.close()
        audit.finish()
    except BaseException:
        audit.close()
        raise
    return audit
