"""The engine-neutral form of compiled rules: what the compiler makes of rule files, and all
that the engine adapter (`engine/`) is given.

A rule part becomes engine rules, each a list of fact patterns that must all match: the record,
the subject, related facts that must exist, and facts that must not exist. Nothing here is
durable-rules' dialect; `engine/dialect.py` writes it in that dialect (its aliases, `$and`,
`$not`, `$m`, the guard rule). Every engine rule carries its `Meaning`s, so that what fired
can be read back as findings: usually one, and more where one rule finds several things (an
`exists` requirement's fail and witness rules also find the subjects the part applies to, see
compiler.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Op = Literal["eq", "ne", "lt", "lte", "gt", "gte"]

#: The names patterns bind their facts to. `WHEN` + a number names a fact that a rule's `when`
#: requires to exist; the end-of-record fact has a name of its own (see engine/dialect.py).
RECORD, SUBJECT, RELATED, WHEN = "record", "subject", "related", "when"

NEGATE: dict[Op, Op] = {"eq": "ne", "ne": "eq", "lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte"}


@dataclass(frozen=True)
class FieldOf:
    """The value of `field` in the fact bound to `name` (the same fact, or another one)."""

    name: str
    field: str


Value = int | bool | str | FieldOf


@dataclass(frozen=True)
class Test:
    """`field op value` on one fact."""

    op: Op
    field: str
    value: Value


@dataclass(frozen=True)
class All:
    """Every part holds."""

    parts: tuple[Cond, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part holds."""

    parts: tuple[Cond, ...]


Cond = Test | All | AnyOf


def negate(cond: Cond) -> Cond:
    """`cond` does not hold (De Morgan down to the tests)."""
    if isinstance(cond, All):
        return AnyOf(tuple(negate(c) for c in cond.parts))
    if isinstance(cond, AnyOf):
        return All(tuple(negate(c) for c in cond.parts))
    return Test(NEGATE[cond.op], cond.field, cond.value)


def to_dnf(cond: Cond) -> list[list[Test]]:
    """`cond` as any of several conjunctions of tests."""
    if isinstance(cond, Test):
        return [[cond]]
    if isinstance(cond, AnyOf):
        return [conj for c in cond.parts for conj in to_dnf(c)]
    out: list[list[Test]] = [[]]
    for c in cond.parts:
        out = [a + b for a in out for b in to_dnf(c)]
    return out


@dataclass(frozen=True)
class Pattern:
    """One fact a rule matches: the name it is bound to, its kind and what must hold of it;
    `absent` for a fact that must not exist."""

    name: str
    kind: str
    cond: All = All(())
    absent: bool = False


@dataclass(frozen=True)
class Meaning:
    """What one engine rule's firing says: which rule and part of the rules folder, and whether
    it finds a subject the part applies to, a subject failing a requirement, or the fact that
    meets an `exists` requirement (for pass messages)."""

    rule: int  # index in RuleSet.rules
    part: int
    role: Literal["applies", "fail", "witness"]
    requirement: int = -1
    value: Any = None  # the for_each value, if any


@dataclass(frozen=True)
class EngineRule:
    """Patterns that must all match, and everything a match of them finds."""

    name: str
    meanings: tuple[Meaning, ...]
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True)
class Program:
    """Every engine rule of a rules folder, in order."""

    rules: tuple[EngineRule, ...]
