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
import re
import threading
from typing import Any

import durable_rules_engine as _dre

_OK, _NOT_HANDLED, _OBSERVED = 0, 1, 2
_SALTS = ("", "z", "q7", "k_")  # id prefixes tried in turn after a hash collision
_names = itertools.count()
_lock = threading.Lock()  # the C core is not thread safe: one record at a time per process

Firing = tuple[str, dict[str, str]]  # engine rule name, {alias: fact id}

# Facts are written as compact JSON. They hold only our ids, enum values (plain identifiers,
# tests/test_engine.py checks every one), whole numbers and booleans: no brace, quote or
# backslash inside a value. So in that text each fact starts with exactly `{"id":"` (facts.py
# writes "id" first) and ends at the first `}`, and the core echoes each fact of a firing back
# as we wrote it. That is what lets `_run_once` add the session id and the salt of the fact ids
# by replacing text, and `_drain` read fact ids by a pattern instead of decoding each firing.
_ID_OPEN = '{"id":"'
_MATCHED = re.compile(r'"([rsx])":\{"id":"([^"]*)"')  # the record, subject, related fact
# Every rule hands over all its matches in one action (durable's `cap`), not one per call.
_CAP = 100_000


class EngineError(RuntimeError):
    """The rules engine failed on a record. Not the user's mistake: reported, never hidden."""


class Engine:
    """A compiled ruleset registered with the durable-rules C core."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.serial = next(_names)
        self.name = f"closure_check_{os.getpid()}_{self.serial}"
        # the core keeps only what it parses; a copy keeps the caller's dict untouched
        rules = {name: dict(rule, cap=_CAP) for name, rule in definition.items()}
        text = json.dumps(rules, ensure_ascii=False, sort_keys=True)
        try:
            self._handle = _dre.create_ruleset(self.name, text)
        except _dre.error as e:
            raise EngineError(f"the rules engine refused the compiled rules: {e}") from e
        self._sids = itertools.count()

    def run(self, facts: list[dict[str, Any]]) -> list[Firing]:
        """Assert one record's facts in a fresh session and return every rule that fired: the
        end-of-record fact last, whatever order the facts come in (absence is judged when the
        end fact arrives, research hazard 4, so a fact after it would be missed)."""
        if any(next(iter(f), None) != "id" for f in facts):
            raise ValueError("every fact must start with its id")
        ends = [i for i, f in enumerate(facts) if f.get("t") == "end"]
        if ends != [len(facts) - 1]:  # facts.py puts it last; anyone else may not
            facts = [f for f in facts if f.get("t") != "end"] + [facts[i] for i in ends]
        text = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
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
        batch = text.replace(_ID_OPEN, _ID_OPEN + salt).replace("}", f',"sid":"{sid}"}}')
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
        """Every firing, in the order the core hands them over. A message holds one rule's
        matches: `{"<rule>":[{"r":{"id":"..",..},"s":{..},..},..]}`; each match of a rule with
        a record (all but the guard) starts with the record's fact."""
        out: list[Firing] = []
        result = _dre.start_action_for_state(self._handle, state)
        message = result[1] if result else None
        while message:
            rule_name = message[2 : message.index('"', 2)]
            matched: dict[str, str] | None = None
            for alias, fact_id in _MATCHED.findall(message):
                if alias == "r" or matched is None:
                    matched = {}
                    out.append((rule_name, matched))
                matched[alias] = fact_id[cut:]
            if matched is None:  # a match with none of r, s, x: the guard
                out.append((rule_name, {}))
            message = _dre.complete_and_start_action(self._handle, state)
        return out
