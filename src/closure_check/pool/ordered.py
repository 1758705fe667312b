"""`run_ordered`: the pool (core.Pool) fed from an iterator of tasks, the answers yielded in
input order, in bounded memory (the audit)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any, TypeVar

from .core import Crashes, Pool, Ready, Task, Work, _nothing, _size

__all__ = ["run_ordered"]

_CHUNK_FIRST, _CHUNK_MAX = 4, 128  # tasks per chunk sent to a worker, growing to the maximum
_WINDOW_PER_WORKER = 4 * _CHUNK_MAX  # how far a worker may run ahead of the oldest unfinished

T = TypeVar("T", bound=Task)
A = TypeVar("A")


def run_ordered(
    items: Iterator[T | Ready[A]],
    work: Work[Any, T, A],
    crashes: Crashes[T, A],
    *,
    workers: int,
    on_ready: Callable[[object], None] = _nothing,
    preload: Sequence[str] = (),
    time_limit: float | None = None,
) -> Generator[A, None, None]:
    """Do the tasks of `items` (numbered 0, 1, 2, ... in order, a task's `size` numbers on from
    its `seq`; some `Ready` already) in `workers` processes (see `Pool`, also for `time_limit`:
    the audit gives none, and waits for a slow record as long as it takes) and yield every
    answer in input order."""
    pool = Pool(
        work, crashes, size=workers, on_ready=on_ready, preload=preload, time_limit=time_limit
    )
    retry = pool.retry
    done: dict[int, tuple[int, A]] = {}  # finished out of order (size, answer), awaiting turn
    next_seq = 0  # the number of the next answer to yield
    chunk = _CHUNK_FIRST
    exhausted = False
    last_seq = -1  # the last number taken from `items`
    window = _WINDOW_PER_WORKER * workers

    def take(n: int) -> list[T]:
        """Tasks of about `n` numbers in all (at least one task)."""
        nonlocal exhausted, last_seq
        out: list[T] = []
        numbers = 0
        while numbers < n and retry:
            out.append(retry.popleft())
            numbers += _size(out[-1])
        # never more than `window` numbers past the oldest unfinished one (answered or not)
        while numbers < n and not exhausted and last_seq - next_seq < window:
            try:
                item = next(items)
            except StopIteration:
                exhausted = True
                break
            size = _size(item)
            last_seq = item.seq + size - 1
            if isinstance(item, Ready):
                done[item.seq] = (size, item.answer)
            else:
                out.append(item)
                numbers += size
        return out

    def flush() -> Iterator[A]:
        nonlocal next_seq
        while next_seq in done:
            size, answer = done.pop(next_seq)
            yield answer
            next_seq += size

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
                done[task.seq] = (_size(task), answer)
    finally:  # every worker is idle when all went well; otherwise, stop them now
        pool.close(graceful=finished)
