"""Crash-isolating worker processes, generic over the work they do (core.py), and the pool fed
from an iterator, its answers in input order (ordered.py)."""

from .core import (
    IDLE,
    IN_BATCH,
    Crashes,
    Current,
    Pool,
    Ready,
    Stopped,
    Task,
    Work,
    Worker,
    context,
    how_it_died,
    too_slow,
)
from .ordered import run_ordered

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
    "run_ordered",
    "too_slow",
]
