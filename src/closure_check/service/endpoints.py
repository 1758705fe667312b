"""What the read-only endpoints and the audit endpoint answer, apart from HTTP: the catalogue,
one rule, the schema (each made once), and an audit of a JSON Lines body in the audit's own
worker processes."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from ..rulefile import RuleSet
from .problems import Refusal

__all__ = ["audit_endpoint", "rule_endpoint", "rules_endpoint", "schema_endpoint"]

#: what an audit's JSON calls the request's body (in `inputs` and each entry's `source`)
REQUEST_SOURCE = "request.jsonl"


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


_catalogues: dict[str, str] = {}


def _catalogue(rules: RuleSet) -> str:
    if rules.version in _catalogues:
        return _catalogues[rules.version]
    text = _catalogues[rules.version] = _dumps(
        {
            "rules_version": rules.version,
            "rules": [
                {
                    "rule": lr.rule.id,
                    "title": lr.rule.title,
                    "severity": lr.rule.severity,
                    "source": lr.rule.source.paragraph,
                }
                for lr in rules
            ],
        }
    )
    return text


def rules_endpoint(rules: RuleSet) -> str:
    return _catalogue(rules)


def rule_endpoint(rules: RuleSet, rule_id: str) -> str | None:
    """One rule's explanation (as `closure-check rules show ID` prints it, and its parts), or
    None for an id that is not in the catalogue."""
    from ..render import render

    lr = rules.get(rule_id)
    if lr is None:
        return None
    r = lr.rule
    return _dumps(
        {
            "rule": r.id,
            "title": r.title,
            "severity": r.severity,
            "source": r.source.model_dump(mode="json"),
            "checks": r.checks,
            "why": r.why,
            "explanation": render("rule.txt", rule=r, path=lr.path),
        }
    )


@functools.cache
def schema_endpoint() -> str:
    from ..record import record_json_schema

    return _dumps(record_json_schema())


def _rename(data: Any, old: str) -> Any:
    """The audit's JSON with the temporary file's name replaced by REQUEST_SOURCE."""
    if isinstance(data, dict):
        return {k: _rename(v, old) for k, v in data.items()}
    if isinstance(data, list):
        return [_rename(v, old) for v in data]
    if isinstance(data, str) and old in data:
        return data.replace(old, REQUEST_SOURCE)
    return data


def _audit(body: bytes, as_of: date, rules_dir: Path | None, workers: int) -> str:
    from .. import audit

    with tempfile.TemporaryDirectory(prefix="closure-check-serve-") as folder:
        path = Path(folder) / REQUEST_SOURCE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        with audit.run([path], as_of=as_of, rules_dir=rules_dir, workers=workers) as result:
            return _dumps(_rename(result.to_dict(), str(path)))


async def audit_endpoint(app: Any, body: bytes, as_of: date) -> str:
    """The audit of `body`'s lines, one audit at a time (503 while another runs)."""
    lock: asyncio.Semaphore = app.state.audits
    if lock.locked():
        raise Refusal(
            503,
            "overloaded",
            "another audit is running: try again in a moment",
            {"Retry-After": "5"},
        )
    settings = app.state.settings
    async with lock:
        return await asyncio.to_thread(_audit, body, as_of, settings.rules_dir, settings.workers)
