"""What `closure-check serve` was told: where to listen, how many workers, which rules, who may
ask, and the limits that keep one client from starving the others. Plain data, so that the
command line and the tests make the same thing."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from ..sources import MAX_RECORD_BYTES

__all__ = ["Settings", "is_loopback"]


def is_loopback(host: str) -> bool:
    """Whether `host` can be reached from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    rules_dir: Path | None = None
    #: the tokens file (service.auth); None: loopback only, nobody is asked for a token
    tokens_file: Path | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    #: JSON Lines, one line per decision (service.decisions); None: no decision log
    decision_log: Path | None = None
    #: the largest request body read, counted as it streams in (a record file's own limit)
    max_body: int = MAX_RECORD_BYTES
    #: seconds a request may wait for its answer before it is refused
    timeout: float = 30.0
    #: requests per minute for each token (with no tokens file, there is no rate limit)
    rate_per_minute: int = 6000
    #: requests being checked at once, beyond which a request is refused (503, Retry-After)
    max_concurrent: int = 256

    def refusal(self) -> str | None:
        """Why these settings must not be served, in plain words, or None."""
        if (self.tls_cert is None) != (self.tls_key is None):
            return "--tls-cert and --tls-key must be given together"
        if not is_loopback(self.host) and (self.tls_cert is None or self.tokens_file is None):
            return (
                f"will not listen on {self.host}: records about children may only be served "
                "beyond this machine over TLS (--tls-cert and --tls-key) and to clients with "
                "a token (--tokens FILE). Without them it listens on 127.0.0.1 only."
            )
        if self.workers < 1:
            return "--workers must be 1 or more"
        if self.max_body < 1:
            return "--max-body must be 1 or more"
        if self.timeout <= 0:
            return "--timeout must be more than 0"
        return None
