"""`Checking`: the server's side of its worker processes. The event loop hands each request's
body to `check`, which waits for its answer; a dispatcher thread gives the requests to the
workers (pool.Pool) and hands each answer back. Requests that arrive together go to a worker
together and are checked in one engine session (up to `engine.BATCH`, and `BATCH_BYTES` of
bodies: a record larger than that is checked alone), as the audit checks 16 records at a time;
a lone request waits at most `GATHER` seconds for company. Ready workers are given work first.

An engine crash costs the request it was checking (`NotChecked`, a 500): the pool restarts the
worker and gives the other requests it held out again. An engine that never ends costs the
same: the pool stops a worker that has held requests for `WORKER_SHARE` of the request time
limit without answering (pool.Pool's time limit) and treats it as one that died. The record at
fault is answered `NotChecked` (`timed_out`), not 503: it was not checked, and sent again it
would only hang another worker. The requests checked with it are checked again one by one
(which stops a worker once more, on the record at fault) and answered, in the time left of
their own limit unless a worker has to start for them. A record larger than `BATCH_BYTES`,
checked alone and slow only for its size, may take the whole request time limit. A request
whose time runs out first is a 503 (`Overloaded`, Retry-After); what comes of it later is
dropped, and a request nobody waits for any more is not given to a worker."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import os
import threading
import time
from collections import deque
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from ..errors import EngineError, InputError
from .work import Answer, Checked, Job, handle, rules_version

if TYPE_CHECKING:
    from ..pool import Pool

__all__ = ["BATCH_BYTES", "GATHER", "WORKER_SHARE", "Checking", "NotChecked", "Overloaded"]

#: how long a request that finds a worker idle waits for others to be checked with it
GATHER: Final = 0.001
#: the share of the request time limit a worker may work without answering: a request checked
#: with one that hangs it takes two such stops to be answered (see above), within its time
WORKER_SHARE: Final = 1 / 3
#: the most bytes of bodies checked in one engine session: the engine's time grows faster than
#: a session's facts (a 6 MB record takes seconds), and a batch must stay quick, so that a
#: worker silent for `WORKER_SHARE` of the time limit is one that hangs
BATCH_BYTES: Final = 1 << 20


class NotChecked(Exception):
    """The record was not checked: the engine failed or its worker process died (a 500);
    `timed_out`: its worker was stopped at the time limit (a record that hangs the engine)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class Overloaded(Exception):
    """Too many requests are being checked already (a 503): try again after `retry_after`."""

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("too many requests are being checked at once")
        self.retry_after = retry_after


def _crashed(job: Job, how: str) -> Answer:
    return ("crashed", how)


def _alone(job: Job) -> Job:
    return dataclasses.replace(job, alone=True)


def _start_checker(rules_dir: Path | None) -> object:
    from ..api import checker_for

    return checker_for(rules_dir)


class Checking:
    """Workers checking the requests' records. `start` them (in the lifespan), then `check`."""

    def __init__(
        self, *, workers: int, rules_dir: Path | None, max_concurrent: int, timeout: float
    ) -> None:
        self._size = workers
        self._rules_dir = rules_dir
        self._max = max_concurrent
        self._timeout = timeout
        self._seq = itertools.count()
        self._inbox: deque[tuple[Job, float]] = deque()
        self._lock = threading.Lock()
        self._waiting: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Future[Answer]]] = {}
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._stopping = False
        self._ready = threading.Event()
        self._broken: str | None = None
        self._thread: threading.Thread | None = None
        self.in_flight = 0

    @property
    def ready(self) -> bool:
        """Whether a worker has loaded the rules and can check."""
        return self._ready.is_set() and self._broken is None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="closure-check-dispatch")
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    async def check(
        self,
        body: bytes,
        *,
        fmt: Literal["json", "yaml"],
        as_of: date,
        source: str,
        want_report: bool = False,
    ) -> Checked:
        """The report `check` gives for `body` (its JSON; the Report too with `want_report`);
        InputError (value-free problems), NotChecked or Overloaded."""
        if self.in_flight >= self._max:
            raise Overloaded()
        if not self.ready:
            raise Overloaded(retry_after=2)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        job = Job(next(self._seq), body, fmt, as_of, source, want_report=want_report)
        self.in_flight += 1
        try:
            with self._lock:
                self._waiting[job.seq] = (loop, future)
                self._inbox.append((job, time.monotonic()))
            self._wake()
            try:
                async with asyncio.timeout(self._timeout):
                    kind, value = await future
            except TimeoutError:
                raise Overloaded(retry_after=5) from None
        finally:
            self.in_flight -= 1
            with self._lock:
                self._waiting.pop(job.seq, None)
        if kind == "report":
            assert isinstance(value, Checked)
            return value
        if kind == "invalid":
            raise InputError(value)
        from ..pool import Stopped

        raise NotChecked(str(value), timed_out=isinstance(value, Stopped))

    def _answer(self, seq: int, answer: Answer) -> None:
        with self._lock:
            waiting = self._waiting.pop(seq, None)
        if waiting is None:  # it gave up waiting (the time limit)
            return
        loop, future = waiting

        def settle() -> None:
            if not future.done():
                future.set_result(answer)

        with contextlib.suppress(RuntimeError):  # the loop has closed: the server is stopping
            loop.call_soon_threadsafe(settle)

    def _run(self) -> None:
        """The dispatcher thread: the pool, fed from the inbox."""
        from ..engine import BATCH
        from ..pool import Crashes, Pool, Work

        work: Work[object, Job, Answer] = Work(
            start=partial(_start_checker, self._rules_dir),
            handle=handle,  # type: ignore[arg-type]
            hello=rules_version,  # type: ignore[arg-type]
        )
        try:
            pool = Pool(
                work,
                Crashes(answer=_crashed, isolate=_alone),
                size=self._size,
                preload=["closure_check.service.work"],
                time_limit=self._timeout * WORKER_SHARE,
            )
        except Exception as exc:  # pragma: no cover - the fork server could not start
            self._broken = type(exc).__name__
            return
        pool.watch(self._wake_r)
        try:
            while not self._stopping:
                timeout = self._feed(pool, BATCH)
                try:
                    answered = pool.wait(timeout)
                except EngineError as exc:  # workers that cannot start: not ready any more
                    self._broken = str(exc)
                    self._fail_all()
                    return
                with contextlib.suppress(BlockingIOError, OSError):
                    os.read(self._wake_r, 4096)
                if any(w.ready for w in pool.workers):
                    self._ready.set()
                for job, answer in answered:
                    self._answer(job.seq, answer)
        finally:
            pool.close(graceful=False)
            self._fail_all()

    def _feed(self, pool: Pool[Job, Answer], batch: int) -> float | None:
        """Give the waiting jobs to idle workers; how long `wait` may sleep (the rest of a
        gathering window), or None."""
        for w in sorted(pool.workers, key=lambda w: not w.ready):  # ready ones first
            if w.pending:
                continue
            jobs: list[Job] = []
            with self._lock:  # a job nobody waits for any more (its time ran out) is dropped
                while pool.retry and len(jobs) < batch:
                    job = pool.retry.popleft()
                    if job.seq in self._waiting:
                        jobs.append(job)
                if not jobs:
                    if not self._inbox:
                        break
                    oldest = self._inbox[0][1]
                    wait = oldest + GATHER - time.monotonic()
                    if len(self._inbox) < batch and wait > 0:
                        return wait
                    size = 0
                    while self._inbox and len(jobs) < batch:
                        job = self._inbox[0][0]
                        if jobs and size + len(job.body) > BATCH_BYTES:
                            break  # the next session takes it
                        self._inbox.popleft()
                        if job.seq in self._waiting:
                            jobs.append(job)
                            size += len(job.body)
            if jobs:
                pool.give(w, jobs, self._limit(jobs))
        return None

    def _limit(self, jobs: list[Job]) -> float | None:
        """The time limit of a chunk of jobs: the pool's (`WORKER_SHARE` of the request's), or
        for a record too large to be batched, checked alone, the request's own whole limit."""
        if len(jobs) == 1 and len(jobs[0].body) > BATCH_BYTES:
            return self._timeout
        return None

    def _fail_all(self) -> None:
        with self._lock:
            seqs = list(self._waiting)
            self._inbox.clear()
        for seq in seqs:
            self._answer(seq, ("fault", "the checking processes stopped"))
