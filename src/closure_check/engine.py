"""The one module that touches durable-rules. Everything else sees `Engine.run(facts)`.

It defends against each hazard found in shared/research/durable-rules/README.md:
- no background threads: the C core is driven directly, never through `durable.engine.Host`,
  whose dispatcher and timer threads crashed under load (hazard 3);
- each record in its own session id, deleted afterwards (the 1024-session limit, hazard 2);
  the `guard` rule always fires on the end-of-record fact, so deletion never meets a session in
  which no action ran (hazard 1);
- actions are drained synchronously, here, before results are read: a batch in which some fact
  matched no rule returns status 1 but its other facts were processed, and we drain them anyway
  instead of leaving them to a background thread;
- fact ids are ours (facts.py) and short; a duplicate-identity refusal (a 32-bit hash collision,
  hazard 6) is retried with salted ids and never reaches the user;
- only ids, enums, booleans and numbers reach the engine (facts.py): no long strings (hazard 8).
Ruleset names are global to the process and cannot be removed (hazards, upstream #136), so
each compiled ruleset is registered once per process under a fresh name and reused.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import threading
from typing import Any

import durable_rules_engine as _dre

_OK, _NOT_HANDLED, _OBSERVED = 0, 1, 2
_SALTS = ("", "z", "q7", "k_")  # id prefixes tried in turn after a hash collision
_names = itertools.count()
_lock = threading.Lock()  # the C core is not thread safe: one record at a time per process

Firing = tuple[str, dict[str, str]]  # engine rule name, {alias: fact id}

# A firing comes back as {"<rule>":{"<alias>":{"id": "<fact id>", ...}, ...}}, each fact echoed as
# we wrote it, "id" first. Our facts hold only enum values, numbers and booleans (no quotes or
# braces inside a value), so finding `"<alias>":{"id": "` is exact, and much cheaper than
# decoding every fact again.
_ALIASES = ("r", "s", "x")  # the record, the subject, the related fact: what findings need

# Markers in encoded facts for what changes from one run to the next: the session id, and the
# salt of the fact ids. JSON writes a control character as \u0001, never bare, and no fact holds
# one (only ids, enum values, numbers and booleans reach the engine), so the markers' text is
# found nowhere else.
_SID_MARK, _SALT_MARK = "\x01", "\x02"
_SID_TEXT, _SALT_TEXT = json.dumps(_SID_MARK)[1:-1], json.dumps(_SALT_MARK)[1:-1]


class EngineError(RuntimeError):
    """The rules engine failed on a record. Not the user's mistake: reported, never hidden."""


class Engine:
    """A compiled ruleset registered with the durable-rules C core."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.serial = next(_names)
        self.name = f"closure_check_{os.getpid()}_{self.serial}"
        # the core keeps only what it parses; a copy keeps the caller's dict untouched
        text = json.dumps(definition, ensure_ascii=False, sort_keys=True)
        try:
            self._handle = _dre.create_ruleset(self.name, text)
        except _dre.error as e:
            raise EngineError(f"the rules engine refused the compiled rules: {e}") from e
        self._sids = itertools.count()

    def encode(self, facts: list[dict[str, Any]]) -> str:
        """One record's facts as the text `run_encoded` asserts: the end-of-record fact last,
        whatever order the facts come in (absence is judged when the end fact arrives, research
        hazard 4, so a fact after it would be missed), and each fact's session id and id salt as
        markers that each run fills in. Encoded once, a record can be run by several engines."""
        ordered = [f for f in facts if f.get("t") != "end"] + [
            f for f in facts if f.get("t") == "end"
        ]
        # "id" stays the first key of every fact (facts.py writes it first): see _drain
        batch = [dict(f, id=_SALT_MARK + f["id"], sid=_SID_MARK) for f in ordered]
        return json.dumps(batch, ensure_ascii=False)

    def run(self, facts: list[dict[str, Any]]) -> list[Firing]:
        """Assert one record's facts in a fresh session and return every rule that fired."""
        return self.run_encoded(self.encode(facts))

    def run_encoded(self, text: str) -> list[Firing]:
        """`run` for facts already encoded by `encode` (by this engine or another)."""
        with _lock:
            for salt in _SALTS:
                firings = self._run_once(text, salt)
                if firings is not None:
                    return firings
        raise EngineError("the rules engine refused this record's facts as duplicates")

    def _run_once(self, text: str, salt: str) -> list[Firing] | None:
        # session ids are unique across every engine of the process, not only within one: two
        # rulesets run on the same record (checker.check_failing) never share a session id
        sid = f"{salt}{self.serial}.{next(self._sids)}"
        batch = text.replace(_SALT_TEXT, salt).replace(_SID_TEXT, sid)
        try:
            code, state = _dre.assert_facts(self._handle, batch)
            if code not in (_OK, _NOT_HANDLED, _OBSERVED):
                raise EngineError(f"the rules engine answered {code}")
            firings = self._drain(state, len(salt))
            return None if code == _OBSERVED else firings
        except _dre.error as e:
            raise EngineError(f"the rules engine failed: {e}") from e
        finally:
            with contextlib.suppress(_dre.error):
                _dre.delete_state(self._handle, sid)

    def _drain(self, state: int, cut: int) -> list[Firing]:
        out: list[Firing] = []
        result = _dre.start_action_for_state(self._handle, state)
        message = result[1] if result else None
        while message:
            rule_name = message[2 : message.index('"', 2)]
            matched = {}
            for alias in _ALIASES:
                at = message.find(f'"{alias}":{{"id": "')
                if at >= 0:
                    start = at + len(alias) + 11
                    matched[alias] = message[start + cut : message.index('"', start)]
            out.append((rule_name, matched))
            message = _dre.complete_and_start_action(self._handle, state)
        return out
