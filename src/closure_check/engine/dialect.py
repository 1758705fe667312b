"""The engine-neutral form (`form.py`) written in durable-rules' dialect.

Everything that is durable's own is here: the short aliases facts are bound to, `$and`, `$not`,
`$m` (a field of the same fact), the end-of-record fact that absence waits for, the guard rule,
and the `rec` join that keeps records apart when several share a session.

- Absence (`exists` failing) is written as `$not`, placed after the end-of-record fact, so that
  the order of facts cannot change a verdict (research hazard 4); `$iall` is never used
  (hazard 5).
- The engine refuses (error 311), or crashes on, a `$or` that compares with another fact's field,
  and `$or` across a batch matched a subject of another record: so no `$or` is ever written.
  Each pattern's condition is expanded into conjunctions instead: into separate engine rules
  (one per combination, named `<rule>.<k>`), or into several `$not` conditions.
- The guard rule fires once per record on the end-of-record fact: a session in which an action
  ran can be deleted safely (research hazard 1), and the end fact is always handled.

Choices that make the core do less, none of which changes what a rule finds:
- Identical rules, written in this dialect, are registered once, with the meanings of all of
  them (`to_durable`): the core shares no join between rules, so each copy cost a join per
  condition and a firing per match.
- In each condition the tests against constants come first, in their order, and the tests
  against another fact's field (or `$m`) after them; a test repeated in one condition is
  written once (`_conjunction`). The core builds each condition's tests as a path from its root
  and shares a path's beginning between conditions whose first tests are the same, but never a
  test against a field of another fact, nor anything after one.
- A record pattern that tests nothing but the kind, that no test refers to, in a rule with a
  subject, is left out (`expand`): every record has exactly one record fact, so its join only
  cost time. Such a rule starts with its subject, which `rec` joins the rest to instead.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Final

from ..facts import FACT_TYPE_FIELD
from ..form import RECORD, RELATED, SUBJECT, WHEN, FieldOf, Meaning, Pattern, Program, Test, to_dnf

#: The aliases of the names patterns bind facts to, defined once. `drain` (firings.py) reads
#: matches by them; every engine rule starts with the record (`r`), or with its subject (`s`)
#: where the record pattern is left out (`expand`).
ALIASES: Final = {RECORD: "r", SUBJECT: "s", RELATED: "x"}
END: Final = "e"
#: The name of each alias that a firing may be read for, back in the neutral form's words; a
#: rule starts with one of them.
READ: Final = {"r": RECORD, "s": SUBJECT, "x": RELATED, END: "end"}
GUARD: Final = "guard"
#: Each fact carries its record's place in the batch; every condition after a rule's first
#: must have the first one's: no match, and no absence, ever spans two records.
REC: Final = "rec"
#: Every rule hands over all its matches in one action (durable's `cap`), not one per call.
CAP: Final = 100_000

_OPS: Final = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}


def alias(name: str) -> str:
    """The durable alias of a bound name (`when0` is `w0`)."""
    if name.startswith(WHEN):
        return "w" + name[len(WHEN) :]
    return ALIASES[name]


def _value(test: Test, pattern: str) -> Any:
    value = test.value
    if isinstance(value, FieldOf):
        return {"$m": value.field} if value.name == pattern else {alias(value.name): value.field}
    return value


def _conjunction(kind: str, tests: list[Test], pattern: str) -> dict[str, Any]:
    """The tests on one fact: its kind, the tests against constants, then those against a
    field (each test once: a conjunction means the same without its repeats)."""
    unique = list(dict.fromkeys(tests))
    ordered = [t for t in unique if not isinstance(t.value, FieldOf)]
    ordered += [t for t in unique if isinstance(t.value, FieldOf)]
    items: list[dict[str, Any]] = [{FACT_TYPE_FIELD: kind}]
    for t in ordered:
        value = _value(t, pattern)
        items.append({t.field: value} if t.op == "eq" else {_OPS[t.op]: {t.field: value}})
    return items[0] if len(items) == 1 else {"$and": items}


def _alternatives(p: Pattern) -> list[dict[str, Any]]:
    return [_conjunction(p.kind, conj, p.name) for conj in to_dnf(p.cond)]


def _needless(p: Pattern, patterns: tuple[Pattern, ...]) -> bool:
    """Whether `p` is a record pattern that only says there is a record, in a rule whose
    subject is another fact, and that no test compares with: matching it changes nothing."""
    if p.name != RECORD or p.absent or p.cond.parts:
        return False
    if not any(q.name == SUBJECT and not q.absent for q in patterns):
        return False
    return not any(
        isinstance(t.value, FieldOf) and t.value.name == RECORD
        for q in patterns
        for conj in to_dnf(q.cond)
        for t in conj
    )


def expand(patterns: tuple[Pattern, ...]) -> list[list[dict[str, Any]]]:
    """The engine rules (each a list of conditions) that together mean `patterns`: one rule per
    combination of the present facts' alternatives; an absent fact with alternatives becomes
    one `$not` per alternative (none of them may exist)."""
    present = [p for p in patterns if not p.absent and not _needless(p, patterns)]
    absent = [p for p in patterns if p.absent]
    tail: list[dict[str, Any]] = []
    if absent:
        tail.append({END: {FACT_TYPE_FIELD: "end"}})
        for p in absent:
            for i, alt in enumerate(_alternatives(p)):
                tail.append({f"{alias(p.name)}{i}$not": alt})
    options = [[{alias(p.name): alt} for alt in _alternatives(p)] for p in present]
    return [list(combo) + tail for combo in itertools.product(*options)]


def to_durable(program: Program) -> tuple[dict[str, Any], dict[str, tuple[Meaning, ...]]]:
    """The ruleset as durable-rules reads it (before `batched`), and the meanings of each of its
    rules by name. Rules with the same conditions are one rule, under the first one's name,
    with the meanings of all of them in order. The guard rule has no meaning: it finds
    nothing."""
    definition: dict[str, Any] = {}
    meaning: dict[str, tuple[Meaning, ...]] = {}
    named: dict[str, str] = {}  # the conditions, as text -> the name of their rule
    for rule in program.rules:
        for k, conditions in enumerate(expand(rule.patterns)):
            name = named.setdefault(json.dumps(conditions, sort_keys=True), f"{rule.name}.{k}")
            if name in definition:
                meaning[name] += rule.meanings
            else:
                definition[name] = {"all": conditions}
                meaning[name] = rule.meanings
    definition[GUARD] = {"all": [{END: {FACT_TYPE_FIELD: "end"}}]}
    return definition, meaning


def reads(rule: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The aliases of the facts a match of `rule` holds, in the order the core lists them (its
    conditions' order, less those that must not exist), and those of the facts a firing is read
    for: its subject (the record, in a rule without one) and the fact it relates it to, all
    that checker.gather looks at."""
    present = tuple(a for a in (next(iter(c)) for c in rule["all"]) if not a.endswith("$not"))
    subject = ALIASES[SUBJECT] if ALIASES[SUBJECT] in present else ALIASES[RECORD]
    wanted = {subject, ALIASES[RELATED]}
    return present, tuple(a for a in present if a in wanted)


def batched(definition: dict[str, Any]) -> dict[str, Any]:
    """The rules as registered: each condition after a rule's first joined to the first by
    `rec`, and each rule with durable's `cap`. The caller's dict is left untouched."""
    rules: dict[str, Any] = {}
    for name, rule in definition.items():
        conditions = [dict(c) for c in rule["all"]]
        first = next(iter(conditions[0]))
        for c in conditions[1:]:
            ((key, test),) = c.items()
            join = {REC: {first: REC}}
            c[key] = {"$and": [*test["$and"], join]} if "$and" in test else {"$and": [test, join]}
        rules[name] = {**rule, "all": conditions, "cap": CAP}
    return rules
