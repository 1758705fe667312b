"""Crash-isolating worker processes, generic over the work they do.

The rules engine (durable-rules, a C library) can crash the process it runs in. So the work is
done in worker processes, and a crash costs one task, never the rest: the worker that died is
restarted, the task it died on is answered for by the caller (`Crashes`; the audit: an invalid
record whose problem says the engine crashed on it), and the tasks it had not answered for,
before and after that one, are given out again.

What a worker does is the caller's (`Work`): `start`, run once in each new worker (the audit
builds its checker there), and `handle`, run on each chunk of tasks sent to it, which answers
for every task of the chunk, in order, a few at a time. This module knows nothing of records,
checkers or reports; it imports only the standard library and `closure_check.errors`.

Guarantees:

- Workers come from multiprocessing's fork server (a clean process that has imported only the
  modules named in `preload`, never loaded any rules into the engine), or are spawned where
  there is none; never a plain fork of the calling process, which may hold the engine's state
  and threads. A worker is a separate process even when there is only one.
- Each worker keeps the number (`seq`) of the task it is working on in memory shared with the
  parent (`Current`): `IDLE` between tasks, `IN_BATCH` while it works on several at once (the
  audit: one engine session for 16 records). When it dies on one task, that task is blamed and
  answered for by `Crashes.answer`; the others it had not answered for are given out again.
  When it dies in a batch, every task it had not answered for is given out again marked by
  `Crashes.isolate`, which the worker's `handle` must then work on alone (in an engine session
  of its own), so that a second crash names the task that causes it.
- Workers that die before they are ready, `_MAX_START_FAILURES` in a row, or that keep dying
  between tasks (nobody to blame), stop the run with an EngineError instead of looping.
- `run_ordered` gives tasks out in chunks (4, doubling to `_CHUNK_MAX`), never more than a
  window (`_WINDOW_PER_WORKER` per worker) ahead of the oldest task not yet answered, and yields
  the answers in input order, so that what comes out is the same for any number of workers and
  memory does not grow with the number of tasks.

`Pool` is the part that does not depend on the order of the work: workers, restarting them and
the blame. `run_ordered` feeds it from an iterator (the audit); a service answering requests as
they come (closure-check serve) can feed the same `Pool` itself, a chunk at a time, and hand
each answer back to whoever sent its task.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import selectors
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Final, Generic, Protocol, TypeVar

from .errors import EngineError

__all__ = [
    "IDLE",
    "IN_BATCH",
    "Crashes",
    "Current",
    "Pool",
    "Ready",
    "Task",
    "Work",
    "Worker",
    "context",
    "how_it_died",
    "run_ordered",
]

_CHUNK_FIRST, _CHUNK_MAX = 4, 128  # tasks per chunk sent to a worker, growing to the maximum
_WINDOW_PER_WORKER = 4 * _CHUNK_MAX  # how far a worker may run ahead of the oldest unfinished
_MAX_START_FAILURES = 3  # workers that die before they are ready, in a row, before giving up
_ANSWER_EVERY = 16  # answers a worker sends at once (and at the end of each chunk)

#: `Current.value` between tasks
IDLE: Final = -1
#: `Current.value` while a worker works on several tasks at once (see `Work.handle`)
IN_BATCH: Final = -2


class Task(Protocol):
    """What the pool needs of a task: its number, unique in a run (for `run_ordered`, its place
    in input order: 0, 1, 2, ...). The rest is the caller's."""

    @property
    def seq(self) -> int: ...


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


def _nothing(state: object) -> None:
    return None


@dataclass(frozen=True)
class Work(Generic[S, T, A]):
    """What a worker does. Sent to each worker process, so every field must pickle: module-level
    functions, or functools.partial of them."""

    #: run once in each new worker, before any task: what `handle` works with (a checker)
    start: Callable[[], S]
    #: run on each chunk of tasks sent to the worker: answers for every task of the chunk, in
    #: the chunk's order, a few at a time (each sequence yielded is sent once `_ANSWER_EVERY`
    #: answers are waiting, and at the end of the chunk); sets `Current.value` to the task it is
    #: working on, `IN_BATCH` while it works on several, `IDLE` when done. A task that the
    #: caller's `Crashes.isolate` marked must be worked on alone.
    handle: Callable[[S, list[T], Current], Iterable[Sequence[A]]]
    #: what a worker tells the parent once `start` is done (the audit: the rules version it
    #: loaded), for the parent's `on_ready`
    hello: Callable[[S], object] = _nothing


def _worker_main(conn: Connection, current: Current, work: Work[Any, Any, Any]) -> None:
    """A worker process: `work.start`, then `work.handle` on each chunk it is sent, answering a
    few tasks at a time (one message per task cost the audit as much as a tenth of its work)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    state = work.start()
    conn.send(("ready", work.hello(state)))
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        answers: list[Any] = []
        for some in work.handle(state, chunk, current):
            answers += some
            if len(answers) >= _ANSWER_EVERY:
                conn.send(answers)
                answers = []
        if answers:
            conn.send(answers)


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

    def stop(self, *, graceful: bool) -> None:
        if graceful:
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


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


def _accept(hello: object) -> None:
    return None


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


class Pool(Generic[T, A]):
    """`size` workers doing `work`, each replaced when it dies, and the tasks of a dead worker
    answered for by `crashes`. The caller gives tasks to idle workers (`give`) and collects what
    comes back (`wait`); the tasks of a dead worker that must be given out again wait in
    `retry`, to be given before any new task.

    `on_ready(hello)` sees what each new worker said once started (`Work.hello`) and may raise
    to stop the run (the audit: the rules changed). `preload` names the modules the fork server
    imports. Workers start at once; `close` them."""

    def __init__(
        self,
        work: Work[Any, T, A],
        crashes: Crashes[T, A],
        *,
        size: int,
        on_ready: Callable[[object], None] = _accept,
        preload: Sequence[str] = (),
    ) -> None:
        self._ctx = context(preload)
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

    def give(self, w: Worker[T], tasks: list[T]) -> None:
        """Send a chunk of tasks to a worker (an idle one: it answers in order)."""
        w.pending.extend(tasks)
        with contextlib.suppress(OSError):  # if it died, its sentinel says so in `wait`
            w.conn.send(tasks)

    def wait(self, timeout: float | None = None) -> list[tuple[T, A]]:
        """Wait until a worker answers or dies (or `timeout` seconds pass, or a `watch`ed file
        can be read); each task answered since, with its answer (for a task a worker died on,
        `crashes.answer`'s). A dead worker is replaced."""
        answered: list[tuple[T, A]] = []
        ready = {key.data for key, _ in self._selector.select(timeout)}
        for w in self.workers[:]:
            if w not in ready:
                continue
            dead = False
            try:
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
            except (EOFError, OSError):
                dead = True
            if dead or not w.process.is_alive():
                crash = self._bury(w)
                if crash is not None:
                    answered.append(crash)
        return answered

    def _bury(self, w: Worker[T]) -> tuple[T, A] | None:
        """A worker died: blame the task it was working on, requeue the rest, replace it."""
        self._selector.unregister(w.conn.fileno())
        self._selector.unregister(w.process.sentinel)
        w.process.join()
        exitcode = w.process.exitcode
        w.conn.close()
        retry = self.retry
        if not w.ready:
            self._start_failures += 1
            if self._start_failures >= _MAX_START_FAILURES:
                raise EngineError(
                    "the checking processes could not start (" + how_it_died(exitcode) + ")"
                )
            retry.extendleft(reversed(w.pending))
        elif w.pending and w.current.value == IN_BATCH:
            # it died working on several tasks at once: each is given out again to be worked on
            # alone, so that a second crash names the task that causes it
            retry.extendleft(reversed([self._crashes.isolate(t) for t in w.pending]))
            w.pending.clear()
        elif w.pending:
            # the task it was working on; the ones before it were done, but their answers went
            # down with it: they are given out again, with the ones after it
            culprit = next((t for t in w.pending if t.seq == w.current.value), None)
            if culprit is None:  # it died between two tasks: nobody to blame
                self._lost_without_blame += 1
                if self._lost_without_blame >= _MAX_START_FAILURES:
                    raise EngineError(
                        "the checking processes keep stopping (" + how_it_died(exitcode) + ")"
                    )
                retry.extendleft(reversed(w.pending))
                w.pending.clear()
            else:
                w.pending.remove(culprit)
                retry.extendleft(reversed(w.pending))
                w.pending.clear()
                w.pending.append(culprit)
        crash = None
        if w.ready and w.pending:
            task = w.pending.popleft()
            crash = (task, self._crashes.answer(task, how_it_died(exitcode)))
        new = self.workers[self.workers.index(w)] = Worker(self._ctx, self._work)
        self._watch(new)
        return crash

    def close(self, *, graceful: bool) -> None:
        """Stop every worker: `graceful` when each is idle (all went well), else kill them."""
        self._selector.close()
        for w in self.workers:
            w.stop(graceful=graceful)


def run_ordered(
    items: Iterator[T | Ready[A]],
    work: Work[Any, T, A],
    crashes: Crashes[T, A],
    *,
    workers: int,
    on_ready: Callable[[object], None] = _accept,
    preload: Sequence[str] = (),
) -> Iterator[A]:
    """Do the tasks of `items` (numbered 0, 1, 2, ... in order; some `Ready` already) in
    `workers` processes (see `Pool` for the rest) and yield every answer in input order."""
    pool = Pool(work, crashes, size=workers, on_ready=on_ready, preload=preload)
    retry = pool.retry
    done: dict[int, A] = {}  # finished out of order, waiting for their turn
    next_seq = 0  # the next answer to yield
    chunk = _CHUNK_FIRST
    exhausted = False
    last_seq = -1  # the last item taken from `items`
    window = _WINDOW_PER_WORKER * workers

    def take(n: int) -> list[T]:
        nonlocal exhausted, last_seq
        out: list[T] = []
        while len(out) < n and retry:
            out.append(retry.popleft())
        # never more than `window` items past the oldest unfinished one, whatever they are:
        # a run of items answered already must not pile up in `done` either
        while len(out) < n and not exhausted and last_seq - next_seq < window:
            try:
                item = next(items)
            except StopIteration:
                exhausted = True
                break
            last_seq = item.seq
            if isinstance(item, Ready):
                done[item.seq] = item.answer
            else:
                out.append(item)
        return out

    def flush() -> Iterator[A]:
        nonlocal next_seq
        while next_seq in done:
            yield done.pop(next_seq)
            next_seq += 1

    finished = False
    try:
        while True:
            # Feed each idle worker a chunk, but let none run too far ahead of the oldest task
            # (what finishes early waits in `done` for its turn).
            for w in pool.workers:
                if w.pending or not (retry or (not exhausted and last_seq - next_seq < window)):
                    continue
                tasks = take(chunk)
                if not tasks:
                    break
                chunk = min(chunk * 2, _CHUNK_MAX)
                pool.give(w, tasks)
            yield from flush()
            if not any(w.pending for w in pool.workers):
                if exhausted and not retry:
                    finished = True
                    return
                continue
            for task, answer in pool.wait():
                done[task.seq] = answer
    finally:  # every worker is idle when all went well; otherwise, stop them now
        pool.close(graceful=finished)
