"""From what the engine found to each rule's status and the record's verdict, in one place and
apart from writing any message (explain.py writes them afterwards).

The engine decides which subjects each rule part applies to and which of them fail a
requirement; `Fired` holds that, as checker.py gathered it from the firings. `decide` only
counts: a rule with no applicable subject is not applicable, one with a failing subject fails,
and the record fails when any blocker rule has a failing subject.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .report import RuleStatus
from .rulefile import RuleSet


@dataclass(frozen=True)
class Failure:
    """One requirement a subject fails (for one `for_each` value), and the fact that shows it."""

    requirement: int
    value: Any
    evidence: str  # fact id, or ""


@dataclass
class Fired:
    """What the engine found for one record, by rule and part (`(rule, part)` indexes)."""

    applies: dict[tuple[int, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    fails: dict[tuple[int, int, str], set[Failure]] = field(
        default_factory=lambda: defaultdict(set)
    )
    witnesses: dict[tuple[int, int, str, int], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )


@dataclass(frozen=True)
class SubjectFinding:
    """A rule part's finding about one subject, before it is put in words."""

    part: int
    fact: str  # the subject's fact id (facts.py)
    subject: str  # its id in the record
    name: str
    failures: frozenset[Failure]

    @property
    def status(self) -> Literal["pass", "fail"]:
        return "fail" if self.failures else "pass"


@dataclass(frozen=True)
class RuleDecision:
    index: int  # in RuleSet.rules
    status: RuleStatus
    findings: tuple[SubjectFinding, ...]  # failing subjects first, then by subject id


@dataclass(frozen=True)
class Decision:
    verdict: Literal["pass", "fail"]
    rules: tuple[RuleDecision, ...]


def decide(rules: RuleSet, fired: Fired, subjects: Mapping[str, tuple[str, str]]) -> Decision:
    """Each rule's status and findings, and the verdict. `subjects` gives each subject fact's
    id in the record and name."""
    blocked = any(rules.rules[ri].rule.severity == "blocker" for ri, _, _ in fired.fails)
    decided = []
    for ri, lr in enumerate(rules.rules):
        findings: list[SubjectFinding] = []
        for pi, _part in enumerate(lr.rule.applies_to):
            for fact in fired.applies.get((ri, pi), ()):
                subject_id, name = subjects[fact]
                failures = frozenset(fired.fails.get((ri, pi, fact), ()))
                findings.append(SubjectFinding(pi, fact, subject_id, name, failures))
        findings.sort(key=lambda f: (f.status != "fail", f.subject))
        status: RuleStatus
        if not findings:
            status = "not_applicable"
        else:
            status = "fail" if any(f.failures for f in findings) else "pass"
        decided.append(RuleDecision(ri, status, tuple(findings)))
    return Decision("fail" if blocked else "pass", tuple(decided))
