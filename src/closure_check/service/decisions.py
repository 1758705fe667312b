"""The decision log (`--decision-log FILE`): one JSON line per decision, appended, in a file
only its owner can read. It says what was decided, when, for whom and with which rules (and for
a record that was not checked, why: `cause`), so a decision can be traced and reproduced; it
never holds a name or free text. The assessment id appears only as a keyed pseudonym
(HMAC-SHA256 under a key kept beside the log, FILE.key, made once), so the log alone cannot be
turned back into ids by trying them."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import secrets
import threading
from pathlib import Path

from .work import Checked

__all__ = ["DecisionLog"]


def _private_open(path: Path, flags: int) -> int:
    return os.open(path, flags | os.O_CREAT, 0o600)


class DecisionLog:
    """Appends decisions to `path` (None: nowhere)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._key = b""
        if path is None:
            return
        self._fd = _private_open(path, os.O_WRONLY | os.O_APPEND)
        key_path = path.with_name(path.name + ".key")
        try:
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self._key = bytes.fromhex(key_path.read_text(encoding="ascii").strip())
        else:
            self._key = secrets.token_bytes(32)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(self._key.hex() + "\n")

    def pseudonym(self, assessment_id: str) -> str:
        if not assessment_id:
            return ""
        mac = hmac.new(self._key, assessment_id.encode("utf-8"), hashlib.sha256)
        return "A-" + mac.hexdigest()[:16]

    def write(
        self,
        *,
        decision_id: str,
        token: str,
        rules_version: str,
        body: bytes,
        outcome: str,
        checked: Checked | None = None,
        cause: str = "",
    ) -> None:
        """One decision: `outcome` is the verdict (pass, fail) or why there is none (invalid,
        not_checked, audit); `cause`, for not_checked, why it was not checked (outcomes.Cause:
        time_limit or crash), else empty."""
        if self._fd is None:
            return
        entry = {
            "decision": decision_id,
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "token": token,
            "rules_version": rules_version,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "assessment": self.pseudonym(checked.assessment_id) if checked else "",
            "verdict": checked.verdict if checked else outcome,
            "failing_rules": list(checked.failing_rules) if checked else [],
            "accepted_rules": list(checked.accepted_rules) if checked else [],
            "cause": cause,
        }
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            os.write(self._fd, line)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
