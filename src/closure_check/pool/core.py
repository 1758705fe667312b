"""Crash-isolating worker processes, generic over the work they do (ordered.py feeds them from
an iterator, in input order; poolworker.py is the worker process's side).

The rules engine (durable-rules, a C library) can crash the process it runs in. So the work is
done in worker processes, and a crash costs one task, never the rest: the worker that died is
restarted, the task it died on is answered for by the caller (`Crashes`; the audit: an invalid
record whose problem says the engine crashed on it), and the tasks it had not answered for,
before and after that one, are given out again.

What a worker does is the caller's (`Work`): `start`, run once in each new worker (the audit
builds its checker there), and `handle`, run on each chunk of tasks sent to it, which answers
for every task of the chunk, in order, a few at a time. This module knows nothing of records,
checkers or reports; it imports only the standard library, `closure_check.errors` and its own
worker process's side (`closure_check.poolworker`).

Guarantees:

- Workers come from multiprocessing's fork server (a clean process that has imported only the
  modules named in `preload`, never loaded any rules into the engine), or are spawned where
  there is none; never a plain fork of the calling process, which may hold the engine's state
  and threads. A worker is a separate process even when there is only one.
- Each worker keeps the number (`seq`) of the task it is working on in memory shared with the
  parent (`Current`): `IDLE` between tasks, `IN_BATCH` while it works on several at once (the
  audit: one engine session for 16 records). When it dies on one task, that task is blamed and
  answered for by `Crashes.answer`, the others given out again; a task of several numbers
  (`size`: the audit's pieces of records) is first cut (`Crashes.split`) at the number it died
  on. When it dies in a batch, every task it had not answered for is given out again marked by
  `Crashes.isolate`, to be worked on alone, so that a second crash names the one to blame.
- Workers that die before they are ready, `_MAX_START_FAILURES` in a row, or that keep dying
  between tasks (nobody to blame), stop the run with an EngineError instead of looping.
- With a `time_limit` (none unless asked for: the service has one, the audit not), a worker
  that has had tasks for that long without answering any (counted from when it was given them,
  was ready or last answered) is killed and treated as one that died, `how_it_died` saying that
  it took longer than the time limit.
- `run_ordered` (ordered.py) gives tasks out in chunks (4 numbers, doubling to `_CHUNK_MAX`),
  never more than a window (`_WINDOW_PER_WORKER` per worker) ahead of the oldest number not yet
  answered, and yields the answers in input order: the same for any number of workers, in
  bounded memory.
- Workers run with fixed allocator thresholds and a frozen, less frequent garbage collector
  (`poolworker`, the worker process's side).

`Pool` is workers, restarting them and the blame; `run_ordered` feeds it from an iterator (the
audit); a service (closure-check serve) feeds the same `Pool` itself, a chunk at a time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import selectors
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypeVar

from ..errors import EngineError
from ..poolworker import main as _worker_main

__all__ = [
    "IDLE",
    "IN_BATCH",
    "Crashes",
    "Current",
    "Pool",
    "Ready",
    "Stopped",
    "Task",
    "Work",
    "Worker",
    "context",
    "how_it_died",
    "too_slow",
]

_MAX_START_FAILURES = 3  # workers that die before they are ready, in a row, before giving up

#: `Current.value` between tasks
IDLE: Final = -1
#: `Current.value` while a worker works on several tasks at once (see `Work.handle`)
IN_BATCH: Final = -2


class Task(Protocol):
    """What the pool needs of a task: its number, unique in a run (for `run_ordered`, its place
    in input order: 0, 1, 2, ...). The rest is the caller's. A task with a `size` stands for
    that many numbers from `seq` on (the next task's is `seq + size`); others for one."""

    @property
    def seq(self) -> int: ...


def _size(task: object) -> int:
    return int(getattr(task, "size", 1))


class Current(Protocol):
    """Memory shared between a worker and the parent: the `seq` of the task the worker is
    working on, `IDLE` or `IN_BATCH`. `handle` sets it; the parent reads it when the worker
    dies."""

    value: int


T = TypeVar("T", bound=Task)
S = TypeVar("S")
A = TypeVar("A")


@dataclass(frozen=True)
class Ready(Generic[A]):
    """An item of `run_ordered`'s input answered already, before any worker saw it (the audit:
    a line that is not UTF-8): it takes its place in the output and in the window."""

    seq: int
    answer: A
    size: int = 1


def _nothing(_: object) -> None:
    return None


@dataclass(frozen=True)
class Work(Generic[S, T, A]):
    """What a worker does. Sent to each worker process, so every field must pickle: module-level
    functions, or functools.partial of them."""

    #: run once in each new worker, before any task: what `handle` works with (a checker)
    start: Callable[[], S]
    #: run on each chunk of tasks sent to the worker: answers for every task of the chunk, in
    #: order, a few at a time (each sequence yielded is one message); sets `Current.value` to
    #: the task (or number) it is working on, `IN_BATCH` while it works on several, `IDLE` when
    #: done. A task that the caller's `Crashes.isolate` marked must be worked on alone.
    handle: Callable[[S, list[T], Current], Iterable[Sequence[A]]]
    #: what a worker tells the parent once `start` is done (the audit: the rules version it
    #: loaded), for the parent's `on_ready`
    hello: Callable[[S], object] = _nothing


class Worker(Generic[T]):
    """One worker process, the pipe to it, and the tasks sent to it not yet answered."""

    def __init__(self, ctx: Any, work: Work[Any, T, Any]) -> None:
        self.conn, child_end = ctx.Pipe()
        self.current: Current = ctx.RawValue("q", IDLE)  # the task it is working on
        self.process = ctx.Process(
            target=_worker_main,
            args=(child_end, self.current, work),
            daemon=True,
            name="closure-check-worker",
        )
        self.process.start()
        child_end.close()
        self.ready = False
        self.pending: deque[T] = deque()  # sent, not yet answered, in order
        self.since = 0.0  # given tasks while idle, ready, or last answered: `Pool`'s time limit
        self.limit: float | None = None  # the time limit of the tasks it holds, if any

    def stop(self, *, graceful: bool) -> None:
        if graceful:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class Stopped(str):
    """How a worker ended that was stopped at its time limit (`too_slow`): text like any other
    `how_it_died`, which a caller may tell apart (a record that hangs the engine is not one to
    send again)."""


def too_slow(time_limit: float) -> Stopped:
    """A worker stopped at its time limit, in words."""
    shown = f"{round(time_limit, 2):g}"
    seconds = f"{shown} second" + ("" if shown == "1" else "s")
    return Stopped(
        f"the checking process took longer than its time limit of {seconds} and was stopped"
    )


def how_it_died(exitcode: int | None) -> str:
    """A worker's end in words, for the answer to the task it died on."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"the checking process was stopped by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"the checking process was stopped by signal {-exitcode}"
    return f"the checking process stopped with exit status {exitcode}"


def context(preload: Sequence[str] = ()) -> Any:
    """Workers come from a fork server that imports `preload` (and nothing it does not need:
    never any rules loaded into the engine), or are spawned where there is none. Never a plain
    fork of this process, which may hold the engine's state and threads."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not on Linux


@dataclass(frozen=True)
class Crashes(Generic[T, A]):
    """How the parent answers for the tasks of a worker that died (in the parent: these need not
    pickle)."""

    #: the answer for the task a worker died on; `how` is `how_it_died`'s (the audit: an
    #: invalid record whose problem says the rules engine crashed on it)
    answer: Callable[[T, str], A]
    #: the task marked to be worked on alone, after its worker died working on several at once
    #: (the audit: `alone=True`, checked in an engine session of its own)
    isolate: Callable[[T], T]
    #: a task of several numbers cut at the number `at` its worker died on: the task before
    #: `at` (or None), the task for `at` alone, the task after it (or None)
    split: Callable[[T, int], tuple[T | None, T, T | None]] | None = None


class Pool(Generic[T, A]):
    """`size` workers doing `work`, each replaced when it dies, and the tasks of a dead worker
    answered for by `crashes`. The caller gives tasks to idle workers (`give`) and collects what
    comes back (`wait`); a dead worker's tasks to give out again wait in `retry`, to go first.
    `on_ready(hello)` sees what each new worker said once started (`Work.hello`) and may raise
    to stop the run (the audit: the rules changed). `preload` names the modules the fork server
    imports. With a `time_limit` (seconds), `wait` kills a worker that has had tasks that long
    without answering any, and treats it as one that died. Workers start at once; `close` them."""

    def __init__(
        self,
        work: Work[Any, T, A],
        crashes: Crashes[T, A],
        *,
        size: int,
        on_ready: Callable[[object], None] = _nothing,
        preload: Sequence[str] = (),
        time_limit: float | None = None,
    ) -> None:
        self._ctx = context(preload)
        self._time_limit = time_limit
        self._work = work
        self._crashes = crashes
        self._on_ready = on_ready
        self.workers: list[Worker[T]] = [Worker(self._ctx, work) for _ in range(size)]
        # one selector for the whole run (multiprocessing's `wait` makes one on every call, and
        # the parent waits once or twice for every record)
        self._selector = selectors.DefaultSelector()
        for w in self.workers:
            self._watch(w)
        self.retry: deque[T] = deque()  # tasks of a dead worker that it never reached
        self._start_failures = 0
        self._lost_without_blame = 0  # workers in a row that died between tasks

    def _watch(self, w: Worker[T]) -> None:
        self._selector.register(w.conn.fileno(), selectors.EVENT_READ, w)
        self._selector.register(w.process.sentinel, selectors.EVENT_READ, w)

    def watch(self, fileobj: int) -> None:
        """Also end `wait` when `fileobj` can be read (a service: a request came in while every
        worker was busy). The caller drains it."""
        self._selector.register(fileobj, selectors.EVENT_READ, None)

    def give(self, w: Worker[T], tasks: list[T], time_limit: float | None = None) -> None:
        """Send a chunk of tasks to a worker (an idle one: it answers in order), with the
        pool's time limit or, for these tasks, `time_limit`."""
        if not w.pending:
            w.since = time.monotonic()
        w.limit = time_limit if time_limit is not None else self._time_limit
        w.pending.extend(tasks)
        with contextlib.suppress(OSError):  # if it died, its sentinel says so in `wait`
            w.conn.send(tasks)

    def wait(self, timeout: float | None = None) -> list[tuple[T, A]]:
        """Wait until a worker answers or dies (or `timeout` seconds pass, or a `watch`ed file
        can be read, or a worker's time limit is reached); each task answered since, with its
        answer (for a task a worker died on, `crashes.answer`'s). A dead worker is replaced."""
        answered: list[tuple[T, A]] = []
        deadlines = [w.since + (w.limit or 0.0) for w in self.workers if self._timed(w)]
        if deadlines:  # sleep no longer than the nearest time limit
            left = max(0.0, min(deadlines) - time.monotonic())
            timeout = left if timeout is None else min(timeout, left)
        ready = {key.data for key, _ in self._selector.select(timeout)}
        for w in self.workers[:]:
            if w in ready:
                self._hear(w, answered)
        for w in self.workers[:]:  # heard first: an answer just in is not a worker too slow
            if self._overdue(w) and self._hear(w, answered) and self._overdue(w):
                limit = w.limit
                assert limit is not None
                w.process.kill()
                w.process.join()
                # what it said before it was stopped counts: answers already in the pipe
                with contextlib.suppress(EOFError, OSError):
                    self._read(w, answered)
                crash = self._bury(w, too_slow(limit))
                if crash is not None:
                    answered.append(crash)
        return answered

    def _timed(self, w: Worker[T]) -> bool:
        """Whether `w` is working on tasks under a time limit (a starting worker is not)."""
        return w.limit is not None and w.ready and bool(w.pending)

    def _overdue(self, w: Worker[T]) -> bool:
        """Whether `w` has had tasks for its time limit without answering one."""
        return self._timed(w) and time.monotonic() - w.since >= (w.limit or 0.0)

    def _read(self, w: Worker[T], answered: list[tuple[T, A]]) -> None:
        """Take in every message `w` has sent (EOFError or OSError once it has died)."""
        while w.conn.poll():
            message = w.conn.recv()
            if isinstance(message, list):
                for answer in message:
                    answered.append((w.pending.popleft(), answer))
                self._lost_without_blame = 0
            elif message[0] == "ready":
                w.ready = True
                self._start_failures = 0
                self._on_ready(message[1])
            w.since = time.monotonic()

    def _hear(self, w: Worker[T], answered: list[tuple[T, A]]) -> bool:
        """Take in what `w` has said; bury it if it died. Whether it is still there."""
        dead = False
        try:
            self._read(w, answered)
        except (EOFError, OSError):
            dead = True
        if dead or not w.process.is_alive():
            crash = self._bury(w)
            if crash is not None:
                answered.append(crash)
            return False
        return True

    def _bury(self, w: Worker[T], how: str | None = None) -> tuple[T, A] | None:
        """A worker died (or was stopped at its time limit: `how` a `Stopped`): blame the task
        it was working on, requeue the rest, replace it. A worker stopped between two tasks
        was not dying: it never counts towards `_MAX_START_FAILURES` losses without blame."""
        self._selector.unregister(w.conn.fileno())
        self._selector.unregister(w.process.sentinel)
        w.process.join()
        how = how or how_it_died(w.process.exitcode)
        w.conn.close()
        retry = self.retry
        if not w.ready:
            self._start_failures += 1
            if self._start_failures >= _MAX_START_FAILURES:
                raise EngineError("the checking processes could not start (" + how + ")")
            retry.extendleft(reversed(w.pending))
        elif w.pending and w.current.value == IN_BATCH:
            # it died working on several tasks at once: each is given out again to be worked on
            # alone, so that a second crash names the task that causes it
            retry.extendleft(reversed([self._crashes.isolate(t) for t in w.pending]))
            w.pending.clear()
        elif w.pending:
            # the task it was working on; the ones before it were done, but their answers went
            # down with it: they are given out again, with the ones after it
            at = w.current.value
            culprit = next((t for t in w.pending if t.seq <= at < t.seq + _size(t)), None)
            if culprit is None:  # it died between two tasks: nobody to blame
                self._lost_without_blame += 0 if isinstance(how, Stopped) else 1
                if self._lost_without_blame >= _MAX_START_FAILURES:
                    raise EngineError("the checking processes keep stopping (" + how + ")")
            else:
                w.pending.remove(culprit)
                split = self._crashes.split
                if _size(culprit) > 1 and split is not None:  # only the number it died on
                    before, culprit, after = split(culprit, at)
                    w.pending.extendleft([t for t in (after, before) if t is not None])
            retry.extendleft(reversed(w.pending))
            w.pending.clear()
            if culprit is not None:
                w.pending.append(culprit)
        crash = None
        if w.ready and w.pending:
            task = w.pending.popleft()
            crash = (task, self._crashes.answer(task, how))
        new = self.workers[self.workers.index(w)] = Worker(self._ctx, self._work)
        self._watch(new)
        return crash

    def close(self, *, graceful: bool) -> None:
        """Stop every worker: `graceful` when each is idle (all went well), else kill them."""
        self._selector.close()
        for w in self.workers:
            w.stop(graceful=graceful)
