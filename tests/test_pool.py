"""The pool's tasks of several numbers (`size`): answers in input order whatever their sizes,
and a worker dying on one number of a task has that task cut there (`Crashes.split`), so that
only that number is blamed and the rest are worked on again."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest

from closure_check import pool

POISON = 12  # the number a worker dies on, as the engine's C core might


@dataclass(frozen=True)
class Run:
    seq: int
    size: int
    alone: bool = False


def numbers(state: None, tasks: list[Run], current: pool.Current) -> Iterator[list[list[object]]]:
    """Answers each task with its numbers; dies on POISON, worked on alone or not."""
    for task in tasks:
        current.value = pool.IN_BATCH if not task.alone and task.size > 1 else task.seq
        for n in range(task.seq, task.seq + task.size):
            if task.alone:
                current.value = n
            if n == POISON:
                os.abort()
        current.value = pool.IDLE
        yield [list(range(task.seq, task.seq + task.size))]


def split(task: Run, at: int) -> tuple[Run | None, Run, Run | None]:
    before = replace(task, size=at - task.seq) if at > task.seq else None
    end = task.seq + task.size
    after = replace(task, seq=at + 1, size=end - at - 1) if at + 1 < end else None
    return before, replace(task, seq=at, size=1), after


@pytest.mark.parametrize("workers", [1, 2])
def test_a_worker_dying_on_one_number_of_a_task_costs_that_number_alone(workers: int) -> None:
    work: pool.Work[None, Run, list[object]] = pool.Work(start=dict, handle=numbers)
    crashes: pool.Crashes[Run, list[object]] = pool.Crashes(
        answer=lambda task, how: [("crashed", task.seq, task.size)],
        isolate=lambda task: replace(task, alone=True),
        split=split,
    )
    items: list[Run | pool.Ready[list[object]]] = [Run(0, 5), Run(5, 1), pool.Ready(6, [6, 7], 2)]
    items += [Run(8, 7), Run(15, 10)]
    answers = list(pool.run_ordered(iter(items), work, crashes, workers=workers))
    flat = [n for answer in answers for n in answer]
    assert flat == [*range(12), ("crashed", 12, 1), *range(13, 25)]
