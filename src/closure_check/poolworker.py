"""The worker process's side of the pool (see `pool`): `main`, run in each worker process, and
the allocator and collector settings it works with. It imports only the standard library, so
a worker pays nothing for it; what the fork server imports before it starts a worker is the
caller's `preload` list (`pool.context`)."""

from __future__ import annotations

import ctypes
import gc
import signal
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .pool import Current, Work

__all__ = ["GC_THRESHOLD", "main", "settle"]

#: glibc's mallopt (malloc.h) M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX, fixed: left to
#: move as blocks come and go, they could throw the engine's C core into paging in again and
#: again the memory it frees and takes back (~600k page faults a run, the engine 30-50% slower)
_MALLOPT: Final = ((-1, 256 << 20), (-3, 32 << 20), (-8, 2))
#: the collector's thresholds once a worker is ready: a record's objects are freed by reference
#: counts as it goes, and a collection every 700 objects cost ~50 µs a record
GC_THRESHOLD: Final = (20_000, 10, 10)


def settle() -> None:
    """Fixed allocator thresholds, where the C library is glibc (elsewhere nothing changes)."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc's alone (musl's mallopt does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    for option, value in _MALLOPT:
        mallopt(option, value)


def main(conn: Connection, current: Current, work: Work[Any, Any, Any]) -> None:
    """A worker process: `work.start`, then `work.handle` on each chunk it is sent, answering a
    few tasks at a time (one message per task cost the audit as much as a tenth of its work)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    settle()
    state = work.start()
    gc.collect()
    gc.freeze()  # what `start` built (the checker): no collection walks it again
    gc.set_threshold(*GC_THRESHOLD)
    conn.send(("ready", work.hello(state)))
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        for answers in work.handle(state, chunk, current):
            if answers:
                conn.send(answers)
