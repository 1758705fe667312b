"""Sessions of the durable-rules C core: the only module that calls it. Everything else sees
`Engine(program)`, `Engine.run(facts)` and `Engine.run_many(records' facts)`.

It defends against each hazard found in shared/research/durable-rules/README.md:
- no background threads: the C core is driven directly, never through `durable.engine.Host`,
  whose dispatcher and timer threads crashed under load (hazard 3);
- each record, or batch of records (`run_many`), in a session of its own, deleted afterwards
  (the 1024-session limit, hazard 2); within a batch no rule can match facts of two records
  (every fact carries its record's place, and every join requires it); the `guard` rule always
  fires on the end-of-record fact, so deletion never meets a session in which no action ran
  (hazard 1);
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
import functools
import itertools
import json
import os
import threading
from typing import Any

import durable_rules_engine as _dre
from pydantic_core import to_json

from ..errors import EngineError
from ..form import Meaning, Program
from .dialect import READ, REC, batched, to_durable
from .firings import Firing, Reader

_OK, _NOT_HANDLED, _OBSERVED = 0, 1, 2
_SALTS = ("", "z", "q7", "k_")  # id prefixes tried in turn after a hash collision
_names = itertools.count()
_lock = threading.Lock()  # the C core is not thread safe: one session at a time per process

# Facts are written as compact JSON. They hold only our ids, enum values (plain identifiers,
# tests/test_engine.py checks every one), whole numbers and booleans: no brace, quote or
# backslash inside a value. So in that text each fact starts with exactly `{"id":"` (facts.py
# writes "id" first) and ends at the first `}`, and the core echoes each fact of a firing back
# as we wrote it. That is what lets `_run_once` add the session id, the record's place in the
# batch and the salt of the fact ids by replacing text, and `drain` (firings.py) read fact ids
# by a pattern instead of decoding each firing.
_ID_OPEN = '{"id":"'
_END = '"t":"end"'
_END_LAST = f"{_END}}}]"
# Several records share one session (`run_many`): opening a session costs the core as much as
# a third of a record's matching (it clears a hash index for every join of every rule), so it
# is paid once per batch. Each fact carries its record's place in the batch as `rec` (see
# dialect.batched).
BATCH = 16  # records per session that `run_many` callers are advised to send


# The core knows a fact by a 32-bit FNV-1a hash of its id, within its session, where the
# session's own state is stored under the id "sid-<session id>" (research hazard 6). Two ids
# with one hash make it drop the second fact, and the code it answers for a batch says so only
# if no later fact matched no rule (it is the code of the last fact that was refused or
# unhandled): so ids are checked here, before they are sent, and salted until they differ.
_FNV_OFFSET, _FNV_PRIME = 0x811C9DC5, 16777619


def _fnv1a(text: str, h: int = _FNV_OFFSET) -> int:
    """The core's hash of `text` (fnv1Hash32), continued from `h`."""
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return h


@functools.lru_cache(maxsize=4096)
def _fact_hash(prefix: int, fact_id: str) -> int:
    return _fnv1a(fact_id, prefix)


def _distinct(ids: list[list[str]], salt: str, sid: str) -> bool:
    """Whether every fact id of a batch, as `_run_once` writes it, and the session's own id
    hash apart in the core."""
    seen = {_fnv1a(f"sid-{sid}")}
    count = 1
    for place, record_ids in enumerate(ids):
        prefix = _fnv1a(f"{salt}{place}:")
        seen.update(_fact_hash(prefix, fact_id) for fact_id in record_ids)
        count += len(record_ids)
    return len(seen) == count


class Engine:
    """A compiled ruleset registered with the durable-rules C core.

    `definition` is the ruleset in durable's dialect (dialect.to_durable), `meaning` what each
    of its rules finds, by name (one rule may find several things), and `failing` the names of
    the rules that find a subject failing a requirement. A firing of a rule with no meaning (the
    guard) finds nothing."""

    def __init__(self, program: Program) -> None:
        definition, meaning = to_durable(program)
        self._register(definition, meaning)

    @classmethod
    def from_definition(cls, definition: dict[str, Any]) -> Engine:
        """An engine of rules already in durable's dialect (for tests of the adapter)."""
        engine = cls.__new__(cls)
        engine._register(definition, {})
        return engine

    def _register(
        self, definition: dict[str, Any], meaning: dict[str, tuple[Meaning, ...]]
    ) -> None:
        self.definition = definition
        self.meaning = meaning
        self.failing = frozenset(
            name for name, meanings in meaning.items() if any(m.role == "fail" for m in meanings)
        )
        # each match in a firing starts with the fact of the rule's first condition
        first = {name: next(iter(rule["all"][0])) for name, rule in definition.items()}
        unread = sorted(name for name, alias in first.items() if alias not in READ)
        if unread:  # a firing would not be read in the neutral form's words
            raise ValueError(f"rules whose first fact is none of {sorted(READ)}: {unread}")
        self._reader = Reader(definition)
        self.serial = next(_names)
        self.name = f"closure_check_{os.getpid()}_{self.serial}"
        text = json.dumps(batched(definition), ensure_ascii=False, sort_keys=True)
        try:
            self._handle = _dre.create_ruleset(self.name, text)
        except _dre.error as e:
            raise EngineError(f"the rules engine refused the compiled rules: {e}") from e
        self._sids = itertools.count()

    def run(self, facts: list[dict[str, Any]]) -> list[Firing]:
        """Assert one record's facts in a fresh session and return every rule that fired."""
        (firings,) = self.run_many([facts])
        if isinstance(firings, EngineError):
            raise firings
        return firings

    def run_many(self, records: list[list[dict[str, Any]]]) -> list[list[Firing] | EngineError]:
        """Check several records' facts in one fresh session: for each record, every rule that
        fired on it, or the EngineError it met. A batch the engine fails on is run again one
        record at a time, so that an error costs only the record that causes it.

        Each record's end-of-record fact goes after its other facts, whatever order they come in
        (absence is judged when the end fact arrives, research hazard 4, so a fact after it
        would be missed)."""
        texts = [self._text(facts) for facts in records]
        ids = [[f["id"] for f in facts] for facts in records]
        with _lock:
            try:
                return list(self._run_salted(texts, ids))
            except EngineError as e:
                if len(texts) == 1:
                    return [e]
        out: list[list[Firing] | EngineError] = []
        for text, record_ids in zip(texts, ids, strict=True):
            with _lock:
                try:
                    out.append(self._run_salted([text], [record_ids])[0])
                except EngineError as e:
                    out.append(e)
        return out

    @staticmethod
    def _text(facts: list[dict[str, Any]]) -> str:
        # pydantic-core writes the same compact JSON as json.dumps(separators=(",", ":")), in a
        # quarter of the time (tests/test_engine.py compares them)
        text = to_json(facts).decode("utf-8")
        # no value holds a brace or a quote, so each fact that starts with its id (a text) opens
        # the one way, and the end fact, put last by facts.py, closes the list
        if text.count(_ID_OPEN) != len(facts):
            raise ValueError("every fact must start with its id")
        if not text.endswith(_END_LAST) or text.count(_END) != 1:  # anyone but facts.py
            ends = [i for i, f in enumerate(facts) if f.get("t") == "end"]
            facts = [f for f in facts if f.get("t") != "end"] + [facts[i] for i in ends]
            text = to_json(facts).decode("utf-8")
        return text[1:-1]

    def _run_salted(self, texts: list[str], ids: list[list[str]]) -> list[list[Firing]]:
        for salt in _SALTS:
            # session ids are unique across every engine of the process, not only within one
            sid = f"{salt}{self.serial}.{next(self._sids)}"
            if not _distinct(ids, salt, sid):
                continue
            firings = self._run_once(texts, salt, sid)
            if firings is not None:  # the core's own refusal, a second line of defence
                return firings
        raise EngineError("the rules engine refused this record's facts as duplicates")

    def _run_once(self, texts: list[str], salt: str, sid: str) -> list[list[Firing]] | None:
        batch = ",".join(
            text.replace(_ID_OPEN, f"{_ID_OPEN}{salt}{b}:").replace(
                "}", f',"{REC}":{b},"sid":"{sid}"}}'
            )
            for b, text in enumerate(texts)
        )
        try:
            code, state = _dre.assert_facts(self._handle, f"[{batch}]")
            if code not in (_OK, _NOT_HANDLED, _OBSERVED):
                raise EngineError(f"the rules engine answered {code}")
            firings = self._reader.drain(self._handle, state, len(salt), len(texts))
            return None if code == _OBSERVED else firings
        except _dre.error as e:
            raise EngineError(f"the rules engine failed: {e}") from e
        finally:
            with contextlib.suppress(_dre.error):
                _dre.delete_state(self._handle, sid)
