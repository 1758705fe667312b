"""Limits that keep one client from starving the others: the request body counted as it
streams in (a body that says nothing of its length, or lies about it, is stopped at the cap
all the same), and a rate per token."""

from __future__ import annotations

import math
import threading
import time

from starlette.requests import Request

from .problems import Refusal

__all__ = ["Limits", "read_body"]


class Limits:
    """A token bucket per token name: `per_minute` requests a minute, in bursts of as many."""

    def __init__(self, per_minute: int) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(max(per_minute, 1))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def rate(self, name: str) -> None:
        """Count a request of `name`; Refusal 429 when it is over its rate."""
        now = time.monotonic()
        with self._lock:
            level, since = self._buckets.get(name, (self._burst, now))
            level = min(self._burst, level + (now - since) * self._rate)
            if level < 1.0:
                self._buckets[name] = (level, now)
                wait = math.ceil((1.0 - level) / self._rate) if self._rate > 0 else 60
                raise Refusal(
                    429,
                    "rate_limited",
                    "this token has sent more requests than it may in a minute: wait a little "
                    "and try again",
                    {"Retry-After": str(max(wait, 1))},
                )
            self._buckets[name] = (level - 1.0, now)


def _too_large(cap: int) -> Refusal:
    mb = cap / (1024 * 1024)
    size = f"{mb:.0f} MB" if mb >= 1 else f"{cap} bytes"
    return Refusal(413, "too_large", f"the request is too large: a body may be at most {size}")


async def read_body(request: Request) -> bytes:
    """The request's body, counted as it streams in: Refusal 413 past the cap."""
    cap: int = request.app.state.settings.max_body
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > cap:
                raise _too_large(cap)
        except ValueError:
            raise Refusal(400, "bad_length", "the Content-Length header is not a number") from None
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _too_large(cap)
        parts.append(chunk)
    return b"".join(parts)
