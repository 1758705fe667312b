"""How the service's dispatcher hands requests to its workers (service/checking.py `_feed`),
with a stand-in for the pool: ready workers first, batches kept small in bytes, a record too
large to batch checked alone with the request's whole time limit, and a request nobody waits
for any more never checked. And the pool's own words for a worker stopped at its limit."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from closure_check import pool
from closure_check.service.checking import BATCH_BYTES, WORKER_SHARE, Checking
from closure_check.service.work import Job

TIMEOUT = 30.0
SEQ = itertools.count()


@dataclass
class StandIn:
    """A worker as `_feed` sees it."""

    name: str
    ready: bool = True
    pending: deque[Job] = field(default_factory=deque)


class Pool:
    """What `_feed` uses of pool.Pool: its workers, its retry queue and `give`."""

    def __init__(self, *workers: StandIn) -> None:
        self.workers = list(workers)
        self.retry: deque[Job] = deque()
        self.given: list[tuple[str, list[int], float | None]] = []

    def give(self, w: StandIn, jobs: list[Job], time_limit: float | None = None) -> None:
        w.pending.extend(jobs)
        self.given.append((w.name, [j.seq for j in jobs], time_limit))


def checking() -> Checking:
    return Checking(workers=2, rules_dir=None, max_concurrent=256, timeout=TIMEOUT)


def arrive(c: Checking, *sizes: int, waited_for: bool = True) -> list[Job]:
    """Requests of bodies of these sizes, in the inbox as `check` leaves them, long enough ago
    that no gathering window holds them back."""
    jobs = []
    for size in sizes:
        job = Job(next(SEQ), b"x" * size, "json", date(2025, 6, 30), "r")
        c._inbox.append((job, 0.0))
        if waited_for:
            c._waiting[job.seq] = (asyncio.new_event_loop(), None)  # type: ignore[assignment]
        jobs.append(job)
    return jobs


def feed(c: Checking, p: Pool) -> None:
    try:
        c._feed(p, 16)  # type: ignore[arg-type]
    finally:
        for loop, _ in c._waiting.values():
            loop.close()


def test_a_ready_worker_is_given_work_before_one_still_starting() -> None:
    c, p = checking(), Pool(StandIn("starting", ready=False), StandIn("ready"))
    jobs = arrive(c, 100)
    feed(c, p)
    assert p.given == [("ready", [jobs[0].seq], None)]


def test_small_records_are_checked_together_under_the_pools_time_limit() -> None:
    c, p = checking(), Pool(StandIn("a"))
    jobs = arrive(c, 2_000, 3_000, 4_000)
    feed(c, p)
    assert p.given == [("a", [j.seq for j in jobs], None)]  # None: the pool's, a share of it


def test_a_batch_holds_at_most_batch_bytes_of_records_and_the_rest_waits_for_the_next() -> None:
    c, p = checking(), Pool(StandIn("a"), StandIn("b"))
    half = BATCH_BYTES // 2
    jobs = arrive(c, half, half, half)
    feed(c, p)
    assert p.given == [("a", [jobs[0].seq, jobs[1].seq], None), ("b", [jobs[2].seq], None)]


def test_a_record_too_large_to_batch_is_checked_alone_with_the_requests_whole_time() -> None:
    c, p = checking(), Pool(StandIn("a"), StandIn("b"))
    big, small = arrive(c, BATCH_BYTES + 1, 100)
    feed(c, p)
    assert p.given == [("a", [big.seq], TIMEOUT), ("b", [small.seq], None)]
    assert WORKER_SHARE * TIMEOUT < TIMEOUT


def test_a_request_nobody_waits_for_any_more_is_never_checked() -> None:
    c, p = checking(), Pool(StandIn("a"))
    gone = arrive(c, 100, waited_for=False)
    kept = arrive(c, 100)
    p.retry.extend(arrive(c, 100, waited_for=False))
    c._inbox.pop()  # the retried one is in the retry queue, not the inbox
    feed(c, p)
    assert p.given == [("a", [kept[0].seq], None)]
    assert gone[0].seq not in [s for _, seqs, _ in p.given for s in seqs]
    assert not c._inbox and not p.retry


def test_a_worker_stopped_at_its_limit_says_so_in_words_a_caller_can_tell_apart() -> None:
    assert pool.too_slow(1.001) == (
        "the checking process took longer than its time limit of 1 second and was stopped"
    )
    assert pool.too_slow(10).endswith("of 10 seconds and was stopped")
    assert isinstance(pool.too_slow(0.5), pool.Stopped)
    assert not isinstance(pool.how_it_died(-9), pool.Stopped)


def test_the_limit_given_with_a_chunk_is_the_one_its_worker_is_held_to() -> None:
    work: pool.Work[Any, Any, Any] = pool.Work(start=dict, handle=_never)
    crashes: pool.Crashes[Any, Any] = pool.Crashes(answer=lambda t, how: how, isolate=lambda t: t)
    p: pool.Pool[Any, Any] = pool.Pool(work, crashes, size=1, time_limit=100.0)
    try:
        while not p.workers[0].ready:
            p.wait(0.1)
        p.give(p.workers[0], [_One(0)], time_limit=0.3)
        answered: list[Any] = []
        for _ in range(50):
            answered += p.wait()
            if answered:
                break
        assert answered and "time limit of 0.3 seconds" in answered[0][1]
    finally:
        p.close(graceful=False)


@dataclass(frozen=True)
class _One:
    seq: int


def _never(state: Any, tasks: list[_One], current: pool.Current) -> Any:
    import time

    current.value = tasks[0].seq
    while True:
        time.sleep(60)
        yield []
