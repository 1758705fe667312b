"""From what the engine found to each rule's status and the record's verdict, in one place and
apart from writing any message (explain.py writes them afterwards).

The engine decides which subjects each rule part applies to and which of them fail a
requirement; `Fired` holds that, as checker.py gathered it from the firings. `decide` only
counts: a rule with no applicable subject is not applicable, one with a failing subject fails,
and the record fails when any blocker rule has a failing subject.

Then, and only then, the record's judgements (rules.md, *Judgements*, 1.1): a judgement that
applies turns its failing finding into an accepted one (which still shows what fails), never a
passing one; a finding the engine did not fail has nothing to accept, and its judgement is stale.
Judgements change how findings count, never what the engine decided.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from .facts import Terms, normal_text
from .report import RuleStatus, role_words
from .rulefile import RuleSet
from .words import date_words

if TYPE_CHECKING:
    from .record import Judgement, Record
    from .rulefile.model import JudgementPolicy


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


@dataclass(frozen=True, init=False)
class SubjectFinding:
    """A rule part's finding about one subject, before it is put in words."""

    part: int
    fact: str  # the subject's fact id (facts.py)
    subject: str  # its id in the record
    name: str
    failures: frozenset[Failure]
    #: the judgement (its index in the record's `judgements`) that accepts this failing finding
    judgement: int | None = None

    def __init__(
        self,
        part: int,
        fact: str,
        subject: str,
        name: str,
        failures: frozenset[Failure],
        judgement: int | None = None,
    ) -> None:
        # report.py, Finding: every field at once, at half the cost of a frozen dataclass's own
        self.__dict__.update(
            part=part, fact=fact, subject=subject, name=name, failures=failures,
            judgement=judgement,
        )  # fmt: skip

    @property
    def status(self) -> Literal["pass", "fail", "accepted"]:
        if not self.failures:
            return "pass"
        return "fail" if self.judgement is None else "accepted"


@dataclass(frozen=True, init=False)
class RuleDecision:
    index: int  # in RuleSet.rules
    status: RuleStatus
    findings: tuple[SubjectFinding, ...]  # failing subjects first, then by subject id

    def __init__(
        self, index: int, status: RuleStatus, findings: tuple[SubjectFinding, ...]
    ) -> None:
        self.__dict__.update(index=index, status=status, findings=findings)  # as SubjectFinding


@dataclass(frozen=True)
class JudgementOutcome:
    """What became of one of the record's judgements (its index in `judgements`)."""

    index: int
    subject: str  # the subject as the report names it
    outcome: Literal["applied", "not_applied", "stale"]
    why: str = ""  # for not_applied and stale: why, in plain words


@dataclass(frozen=True)
class Decision:
    verdict: Literal["pass", "fail"]
    rules: tuple[RuleDecision, ...]
    judgements: tuple[JudgementOutcome, ...] = ()


def decide(
    rules: RuleSet,
    fired: Fired,
    subjects: Mapping[str, tuple[str, str]],
    *,
    record: Record | None = None,
    as_of: date | None = None,
    terms: Terms | None = None,
    only: Collection[str] | None = None,
    not_in_force: Mapping[str, str] | None = None,
) -> Decision:
    """Each rule's status and findings, and the verdict. `subjects` gives each subject fact's
    id in the record and name; `not_in_force` the rules of a dated folder with no version in
    force on the record's day, with why. The judgements of `record`, if it has any, are
    applied as of `as_of` to what the engine decided (`judge`). With `only` (rule ids: `check
    --select` and `--ignore`), the other rules are left out and the verdict is counted from
    these alone."""
    engine = _engine_decision(rules, fired, subjects)
    if record is not None and record.judgements:
        engine = judge(engine, rules, record, as_of or date.today(), terms or rules.terms,
                       not_in_force or {})  # fmt: skip
    return engine if only is None else _only(engine, rules, only, record)


def _only(
    decision: Decision, rules: RuleSet, only: Collection[str], record: Record | None
) -> Decision:
    """The decision about the rules `only` names, its verdict counted from them alone; the
    judgements listed are those on these rules."""
    kept = tuple(rd for rd in decision.rules if rules.rules[rd.index].rule.id in only)
    judgements = tuple(
        o for o in decision.judgements if record is None or record.judgements[o.index].rule in only
    )
    return Decision(_verdict(rules, kept), kept, judgements)


def _verdict(rules: RuleSet, decided: Sequence[RuleDecision]) -> Literal["pass", "fail"]:
    """ "fail" when any blocker rule among `decided` still fails, else "pass"."""
    blocked = any(
        rd.status == "fail" and rules.rules[rd.index].rule.severity == "blocker" for rd in decided
    )
    return "fail" if blocked else "pass"


def _engine_decision(
    rules: RuleSet, fired: Fired, subjects: Mapping[str, tuple[str, str]]
) -> Decision:
    applies, fails = fired.applies, fired.fails
    decided = []
    for ri, lr in enumerate(rules.rules):
        findings: list[SubjectFinding] = []
        for pi in range(len(lr.rule.applies_to)):
            for fact in applies.get((ri, pi), ()):
                subject_id, name = subjects[fact]
                failures = fails.get((ri, pi, fact))
                findings.append(
                    SubjectFinding(pi, fact, subject_id, name, frozenset(failures or ()))
                )
        if not findings:
            decided.append(RuleDecision(ri, "not_applicable", ()))
            continue
        # failing first (no judgement is applied yet: a finding with failures fails); ties (one
        # person discharged twice) in the order of the discharges, never by chance
        findings.sort(key=_failing_first)
        status: RuleStatus = "fail" if any(f.failures for f in findings) else "pass"
        decided.append(RuleDecision(ri, status, tuple(findings)))
    return Decision(_verdict(rules, decided), tuple(decided))


def _failing_first(f: SubjectFinding) -> tuple[bool, str, int, str]:
    return (not f.failures, f.subject, len(f.fact), f.fact)


# -- Judgements (rules.md, *Judgements*) --------------------------------------------------------


def judge(
    decision: Decision,
    rules: RuleSet,
    record: Record,
    as_of: date,
    terms: Terms,
    not_in_force: Mapping[str, str] | None = None,
) -> Decision:
    """The engine's decision with the record's judgements applied: each failing finding with a
    judgement that applies is accepted; each rule's status and the verdict counted again."""
    from .record import judgement_subject

    index = {lr.rule.id: ri for ri, lr in enumerate(rules.rules)}
    by_rule = {rd.index: rd for rd in decision.rules}
    accept: dict[tuple[int, str], int] = {}  # (rule index, subject) -> judgement index
    outcomes: list[JudgementOutcome] = []
    for ji, j in enumerate(record.judgements):
        subject = judgement_subject(record, j.subject) or j.subject
        ri = index.get(j.rule)
        if ri is None and not_in_force and j.rule in not_in_force:  # no finding to accept
            outcomes.append(JudgementOutcome(ji, subject, "stale", not_in_force[j.rule]))
            continue
        if ri is None:  # parse_record refuses it when given the rule ids; never silent
            outcomes.append(JudgementOutcome(ji, subject, "not_applied", _NO_SUCH_RULE))
            continue
        rd = by_rule[ri]
        mine = [f for f in rd.findings if f.subject == subject]
        if not any(f.failures for f in mine):
            outcomes.append(JudgementOutcome(ji, subject, "stale", _stale_why(rd, mine)))
            continue
        why = why_not_applied(j, rules.rules[ri].rule.judgements, record.started_on, as_of, terms,
                              rules.terms_file.judgement_reason_min_words,
                              rules.terms_file.labels)  # fmt: skip
        if why:
            outcomes.append(JudgementOutcome(ji, subject, "not_applied", why))
        else:
            accept[(ri, subject)] = ji
            outcomes.append(JudgementOutcome(ji, subject, "applied"))
    judged = []
    for rd in decision.rules:
        findings = tuple(
            dataclasses.replace(f, judgement=accept[(rd.index, f.subject)])
            if f.failures and (rd.index, f.subject) in accept
            else f
            for f in rd.findings
        )
        status = rd.status
        if status == "fail":
            still = any(f.status == "fail" for f in findings)
            status = "fail" if still else "accepted"
        judged.append(RuleDecision(rd.index, status, findings))
    return Decision(_verdict(rules, judged), tuple(judged), tuple(outcomes))


_NO_SUCH_RULE = "the rules in use have no rule of that id, so there is no finding it can answer"


def _stale_why(rd: RuleDecision, mine: Sequence[SubjectFinding]) -> str:
    if rd.status == "not_applicable":
        return "the rule does not apply to this record, so there is no failing finding to accept"
    if mine:
        return "the finding passes, so there is nothing to accept"
    return "the rule has no finding about this subject, so there is nothing to accept"


def why_not_applied(
    j: Judgement,
    policy: JudgementPolicy,
    started_on: date,
    as_of: date,
    terms: Terms,
    min_words: int,
    labels: Mapping[str, str],
) -> str:
    """Why a judgement on a failing finding does not apply, in plain words ("" if it applies):
    the rule allows none; the role may not make one; it expired; it was made before the
    assessment started; its reason is not a reason (rules.md, *Judgements*). Roles are named
    by the terms' `labels`, dates as people write them."""
    roles: tuple[str, ...] = policy.roles
    if not roles:
        return f"the rule allows no judgement: {policy.why.rstrip('.')}"
    whys = []
    if j.by.role not in roles:
        may = " or ".join(role_words(r, labels) for r in roles)
        who = role_words(j.by.role, labels)
        whys.append(f"{who} may not make a judgement on this rule (only {may})")
    if j.expires_on is not None and j.expires_on < as_of:
        whys.append(
            f"it expired on {date_words(j.expires_on)}, before the as-of date {date_words(as_of)}"
        )
    if j.on < started_on:
        whys.append(
            f"it was made on {date_words(j.on)}, before the assessment started on "
            f"{date_words(started_on)}"
        )
    if not reason_is_a_reason(j.reason, terms, min_words):
        whys.append(
            f"its reason is not a reason: it needs at least {min_words} words saying why the "
            "finding is accepted"
        )
    return "; ".join(whys)


def reason_is_a_reason(reason: str, terms: Terms, min_words: int) -> bool:
    """Present text (rules.md, Terms) of at least `min_words` words with a letter or digit."""
    words = [w for w in normal_text(reason).split(" ") if any(ch.isalnum() for ch in w)]
    return terms.text_present(reason) and len(words) >= min_words
