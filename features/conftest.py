"""The step library: every sentence a scenario in this folder may use, and what it does.

A scenario starts from a clean assessment, changes only what it is about, checks the record and
says what the checker must decide:

    Scenario: Noor was seen only by video
      Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
      And the child Noor was seen by video on 2025-02-05
      When the assessment is checked
      Then rule child-seen fails for Noor

The clean assessment passes every rule (or the rule does not apply to it): it concerns one
child, Noor (or the child the first sentence names), seen in person and alone on the start date,
with an outcome of early help and recommendations for progression; her mother Amina and her
father Dev were both considered; children's social care records and the police were checked
about the family on the start date; no other agency is involved, nobody has been discharged and
the case is not being closed. Priya Shah, a manager, took the decision on the completion date.

What a scenario states replaces the default for that thing, and what it does not state keeps
its default. A table replaces the whole section it describes (all the children, all the adults,
all the checks, ...); in a table, a column left out keeps its default and an empty cell means
that nothing is recorded. Names are how scenarios refer to people, children and agencies; the
record's ids are made up from them.

Each step below says when to use it and gives an example; `docs/steps.md` lists them all
(`closure-check scenarios --glossary`). Steps are grouped in sections marked `# == ... ==`,
which the glossary keeps.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import parse
import pytest
from pytest_bdd import given, parsers, then, when

from closure_check import policy
from closure_check.api import checker_for
from closure_check.checker import Checker
from closure_check.dated import pinned
from closure_check.errors import InputError, RuleFileError
from closure_check.record import RECORD_FORMAT, RECORD_FORMAT_1_1, parse_record
from closure_check.report import Finding, Report, RuleResult
from closure_check.rulefile import load_rules

F = TypeVar("F", bound=Callable[..., Any])


class ScenarioError(Exception):
    """A step cannot do what its sentence asks (a name that is not in the scenario, a word the
    step does not know). The message says what to write instead."""


class Mismatch(AssertionError):
    """The checker decided something other than what the scenario says it must decide."""


# ---------------------------------------------------------------------------------------------
# Words: the values a step accepts, in plain words, and what each means in the record
# ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("-", " ").replace("_", " ").lower()
    return " ".join(text.split())


class Vocab:
    """The words a step accepts for one kind of value. The first phrase of each entry is the
    one the glossary shows; the others, and the record's own value, are accepted too."""

    def __init__(self, what: str, entries: list[tuple[Any, list[str]]]) -> None:
        self.what = what
        self.entries = entries
        self._lookup: dict[str, Any] = {}
        for value, phrases in entries:
            for phrase in phrases:
                self._lookup.setdefault(_norm(phrase), value)
            if isinstance(value, str):
                self._lookup.setdefault(_norm(value), value)

    def shown(self) -> list[str]:
        return [phrases[0] for _, phrases in self.entries]

    def accepts(self, text: str) -> bool:
        return _norm(text) in self._lookup

    def value(self, text: str) -> Any:
        key = _norm(text)
        if key not in self._lookup:
            words = ", ".join(f'"{w}"' for w in self.shown())
            raise ScenarioError(f'"{text}" is not {self.what}: write one of {words}')
        return self._lookup[key]

    def parse_type(self) -> Callable[[str], Any]:
        """A type for step patterns that accepts only these words (for words that are part of
        the sentence's structure, where a free slot would make steps ambiguous)."""
        phrases = sorted({p for _, ps in self.entries for p in ps}, key=len, reverse=True)
        pattern = "|".join(re.escape(p) for p in phrases)

        def convert(text: str) -> Any:
            return self.value(text)

        return parse.with_pattern(f"(?:{pattern})")(convert)  # type: ignore[no-any-return]


KIND = Vocab("a kind of record", [
    ("initial", ["an initial assessment"]),
    ("single", ["a single assessment"]),
    ("s47", ["a section 47 enquiry"]),
    ("looked_after_review", ["a looked after review", "a looked-after review"]),
    ("discharge", ["a discharge record"]),
])  # fmt: skip
HOW = Vocab("a way of seeing a child", [
    (("in_person", False), ["in person"]),
    (("in_person", True), ["in person and alone", "alone in person"]),
    (("video", False), ["by video"]),
    (("video", True), ["by video and alone", "alone by video"]),
    (("phone", False), ["by phone"]),
    (("phone", True), ["by phone and alone", "alone by phone"]),
])  # fmt: skip
OUTCOME = Vocab("an outcome", [
    ("nfa", ["no further action", "nfa"]),
    ("early_help", ["early help"]),
    ("cin_plan", ["a child in need plan", "child in need plan"]),
    ("s47_enquiry", ["a section 47 enquiry", "section 47 enquiry"]),
    ("child_protection_conference", ["a child protection conference",
                                     "child protection conference"]),
    ("looked_after", ["looked after"]),
    ("other", ["another outcome", "other"]),
])  # fmt: skip
RELATIONSHIP = Vocab("a relationship to the children", [
    ("mother", ["the mother", "a mother", "mother"]),
    ("father", ["the father", "a father", "father"]),
    ("parent", ["a parent", "parent"]),
    ("step_parent", ["a step-parent", "step-parent", "a step parent", "step parent"]),
    ("partner_of_parent", ["a partner of a parent", "partner of a parent",
                           "a parent's partner", "parent's partner"]),
    ("relative", ["a relative", "relative"]),
    ("family_friend", ["a family friend", "family friend"]),
    ("carer", ["a carer", "carer"]),
    ("household_member", ["a household member", "household member"]),
    ("other", ["someone else", "other"]),
])  # fmt: skip
SOURCE = Vocab("a source of checks", [
    ("children_social_care", ["children's social care", "children's social care records",
                              "children social care"]),
    ("police", ["the police", "police"]),
    ("health", ["health", "health services"]),
    ("education", ["education"]),
    ("probation", ["probation"]),
    ("adult_social_care", ["adult social care"]),
    ("adult_mental_health", ["adult mental health services", "adult mental health"]),
    ("other_local_authority", ["another local authority", "other local authority"]),
    ("other", ["another source", "other"]),
])  # fmt: skip
STATUS = Vocab("a check status", [
    ("completed", ["completed"]),
    ("pending", ["pending", "still pending"]),
    ("not_possible", ["not possible"]),
])  # fmt: skip
FINDING = Vocab("a check finding", [
    ("no_concerns", ["no concerns"]),
    ("concerns", ["concerns"]),
])  # fmt: skip
INVOLVEMENT = Vocab("an agency's involvement", [
    ("ongoing", ["ongoing"]),
    ("past", ["past"]),
])  # fmt: skip
ROLE = Vocab("a role", [
    ("social_worker", ["a social worker", "social worker"]),
    ("senior_practitioner", ["a senior practitioner", "senior practitioner"]),
    ("supervisor", ["a supervisor", "supervisor"]),
    ("manager", ["a manager", "manager"]),
    ("other", ["someone in another role", "other"]),
])  # fmt: skip
CLOSURE_REASON = Vocab("a reason for closing the case", [
    ("nfa", ["with no further action", "no further action", "nfa"]),
    ("early_help", ["with early help", "early help"]),
    ("disengaged", ["because the family disengaged", "disengaged"]),
    ("did_not_attend", ["because the family did not attend", "did not attend"]),
    ("moved_away", ["because the family moved away", "moved away"]),
    ("transferred", ["on transfer", "transferred"]),
    ("other", ["for another reason", "other"]),
])  # fmt: skip
NOTIFY = Vocab("a decision on notifying", [
    (True, ["to notify", "to notify other agencies"]),
    (False, ["not to notify", "not to notify other agencies"]),
])  # fmt: skip
SERVICE = Vocab("an adult service", [
    ("adult_mental_health", ["adult mental health services", "adult mental health"]),
    ("substance_misuse", ["substance misuse services", "substance misuse"]),
    ("probation", ["probation"]),
    ("other", ["another service", "other"]),
])  # fmt: skip
DISCHARGE_REASON = Vocab("a reason for a discharge", [
    ("completed", ["after completing treatment", "completed"]),
    ("did_not_attend", ["for not attending", "did not attend"]),
    ("disengaged", ["after disengaging", "disengaged"]),
    ("moved", ["after moving away", "moved"]),
    ("other", ["for another reason", "other"]),
])  # fmt: skip
RISK = Vocab("a finding about risk to children", [
    ("risk", ["a risk", "risk"]),
    ("no_risk", ["no risk"]),
    ("unknown", ["unknown", "not known"]),
])  # fmt: skip
DISCLOSURE = Vocab("a disclosure decision", [
    ("full", ["full disclosure", "full"]),
    ("partial", ["partial disclosure", "partial"]),
    ("none", ["no disclosure", "none"]),
])  # fmt: skip
VERDICT = Vocab("a verdict", [("pass", ["pass"]), ("fail", ["fail"])])
YES_NO = Vocab("yes or no", [(True, ["yes"]), (False, ["no"])])
CHECKED = Vocab("what is checked", [
    ("assessment", ["assessment"]), ("record", ["record"]), ("enquiry", ["enquiry"]),
    ("review", ["review"]), ("discharge record", ["discharge record"]),
])  # fmt: skip

#: Words that steps take as free text and look up themselves, by the placeholder's name: the
#: feature lint checks them before anything runs.
VOCABULARIES: dict[str, Vocab] = {
    "how": HOW, "outcome": OUTCOME, "source": SOURCE, "role": ROLE,
    "closure_reason": CLOSURE_REASON, "service": SERVICE, "discharge_reason": DISCHARGE_REASON,
    "risk": RISK, "disclosure": DISCLOSURE,
}  # fmt: skip

#: Words that are part of a sentence's structure: a step matches only when one of these is used.
STRICT: dict[str, Vocab] = {
    "kind": KIND, "relationship": RELATIONSHIP, "notify": NOTIFY, "verdict": VERDICT,
    "what": CHECKED,
}  # fmt: skip

DATE = r"\d{4}-\d{2}-\d{2}"
RULE_ID = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"



def _text_type(pattern: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        return text

    return parse.with_pattern(pattern)(convert)  # type: ignore[no-any-return]


TYPES: dict[str, Callable[[str], Any]] = {
    "Date": _text_type(DATE),
    "RuleId": _text_type(RULE_ID),
    "Text": _text_type(r'[^"]*'),
    "Kind": KIND.parse_type(),
    "Relationship": RELATIONSHIP.parse_type(),
    "Notify": NOTIFY.parse_type(),
    "Verdict": VERDICT.parse_type(),
    "Checked": CHECKED.parse_type(),
}

#: What each placeholder in a step stands for (the glossary lists these).
PLACEHOLDERS: dict[str, str] = {
    "start": "a date written YYYY-MM-DD: the day the assessment started",
    "end": "a date written YYYY-MM-DD: completion, the day the assessment is completed",
    "date": "a date written YYYY-MM-DD",
    "child": "a child's name, as the scenario introduced them",
    "children": 'one or more children\'s names ("Noor", "Noor and Amir")',
    "adult": "an adult's name, as the scenario introduced them (or, for a discharge, a new one)",
    "subject": 'an adult\'s or a child\'s name, or "the family"',
    "agency": "an agency's name, as written in the record",
    "decider": "the name of the person who took the decision",
    "text": 'free text between double quotes ("" is empty text)',
    "rule": "a rule id, as `closure-check rules list` shows it (for example child-seen)",
    "subjects": (
        'one or more names the rule reports on: children, adults, agencies, or "the '
        'assessment" for the record as a whole ("Noor", "Noor and Amir", "Lee, Amir and '
        'Health Visiting")'
    ),
    "name": "a child's, an adult's or an agency's name, or \"the assessment\"",
}
for _name, _vocab in {**VOCABULARIES, **STRICT}.items():
    PLACEHOLDERS[_name] = f"{_vocab.what}: " + ", ".join(f'"{w}"' for w in _vocab.shown())


def _p(pattern: str) -> parsers.cfparse:
    return parsers.cfparse(pattern, extra_types=TYPES)


def asserts(status: str) -> Callable[[F], F]:
    """Mark a Then step as asserting a rule's status, so that coverage can count scenarios."""

    def mark(func: F) -> F:
        func.asserts = status  # type: ignore[attr-defined]
        return func

    return mark


# ---------------------------------------------------------------------------------------------
# The scenario's record, built from what its steps say
# ---------------------------------------------------------------------------------------------

DEFAULT_RECOMMENDATIONS = "Refer to the early help team for parenting support; review in 3 months."
DEFAULT_CONSIDERED = "Seen during the assessment; their part in the child's life was assessed."
DEFAULT_CONCLUSION = "No current safeguarding concerns; the family has accepted early help."


@dataclass
class Child:
    name: str
    born: str | None = None
    unborn: bool = False
    looked_after: bool = False
    visits: list[dict[str, Any]] | None = None  # None: the default visit, in person and alone
    outcome: str | None = "early_help"
    recommendations: str | None = DEFAULT_RECOMMENDATIONS
    parents_note: str | None = None
    lives_with: list[tuple[str, str | None]] = field(default_factory=list)


@dataclass
class Adult:
    name: str
    relationship: str
    parent_of: list[str] = field(default_factory=list)
    supporting: bool = False
    considered: str | None = DEFAULT_CONSIDERED


@dataclass
class CheckMade:
    about: str  # a name, or "family"
    source: str
    status: str = "completed"
    requested_on: str | None = None
    completed_on: str | None = None
    finding: str | None = None


@dataclass
class Agency:
    name: str
    involvement: str
    consulted_on: str | None = None


@dataclass
class DischargeMade:
    person: str
    service: str
    on: str
    reason: str
    risk: dict[str, Any] | None = None
    disclosure: dict[str, Any] | None = None


@dataclass
class Closure:
    on: str
    reason: str
    notified: list[tuple[str, str]] = field(default_factory=list)
    decision: dict[str, Any] | None = None


@dataclass
class Decision:
    on: str | None = None  # None: the completion date
    by: str = "Priya Shah"
    role: str = "manager"
    conclusion: str | None = DEFAULT_CONCLUSION
    outstanding_information: str | None = None
    missing_information_plan: str | None = None


class Case:
    """One scenario's record while its Given steps describe it, and then what the checker
    decided about it."""

    def __init__(self) -> None:
        self.kind: str | None = None
        self.started_on = ""
        self.completed_on = ""
        self.children: list[Child] = []
        self.adults: list[Adult] = []
        self.checks: list[CheckMade] = []
        self.agencies: list[Agency] = []
        self.discharges: list[DischargeMade] = []
        self.closure: Closure | None = None
        self.decision = Decision()
        self._report: Report | None = None
        self._refused: InputError | None = None
        self.rules_on: str | None = None  # effective dates: "Given the rules in force on DATE"
        self.judgements: list[dict[str, Any]] = []  # judgements: "Given B. Manager, ... accepted"

    # -- describing the record

    def start(self, kind: str, started_on: str, completed_on: str, child: str = "Noor") -> None:
        if self.kind is not None:
            raise ScenarioError("the scenario has already started its record; start it once")
        self.kind, self.started_on, self.completed_on = kind, started_on, completed_on
        if kind == "discharge":
            return
        self.children = [Child(child)]
        self.adults = [
            Adult("Amina", "mother", considered="Seen at home twice; parenting capacity good."),
            Adult("Dev", "father", considered="Lives separately; seen at his flat, has contact "
                  "every weekend."),
        ]  # fmt: skip
        self.checks = [
            CheckMade("family", "children_social_care", completed_on=started_on,
                      finding="no_concerns"),
            CheckMade("family", "police", completed_on=started_on, finding="no_concerns"),
        ]  # fmt: skip

    def started(self) -> None:
        if self.kind is None:
            raise ScenarioError(
                'start the scenario with its record, for example "Given an initial assessment '
                'started on 2025-02-03 and completed on 2025-02-20"'
            )

    def child(self, name: str) -> Child:
        self.started()
        for c in self.children:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.children) or "none"
        raise ScenarioError(
            f'there is no child called "{name}" in this scenario (its children: {known}); '
            'add one with "Given another child ..."'
        )

    def adult(self, name: str) -> Adult:
        self.started()
        for a in self.adults:
            if a.name == name:
                return a
        known = ", ".join(a.name for a in self.adults) or "none"
        raise ScenarioError(
            f'there is no adult called "{name}" in this scenario (its adults: {known}); '
            'add one with "Given an adult ..."'
        )

    def add_child(self, child: Child) -> None:
        self.started()
        self._new_name(child.name)
        self.children.append(child)

    def add_adult(self, adult: Adult) -> None:
        self.started()
        self._new_name(adult.name)
        self.adults.append(adult)

    def names(self) -> list[str]:
        """The children's and the adults' names."""
        return [c.name for c in self.children] + [a.name for a in self.adults]

    def _new_name(self, name: str) -> None:
        if not name.strip():
            raise ScenarioError("a child or an adult needs a name")
        if name in self.names():
            raise ScenarioError(f'"{name}" is already in this scenario: give each their own name')

    def closing(self) -> Closure:
        self.started()
        if self.closure is None:
            raise ScenarioError(
                'the case is not being closed: say so first, for example "Given the case is '
                'closed on 2025-02-20 with no further action"'
            )
        return self.closure

    def discharge_of(self, name: str) -> DischargeMade:
        self.started()
        for d in self.discharges:
            if d.person == name:
                return d
        raise ScenarioError(
            f'there is no discharge of "{name}" in this scenario: add it first, for example '
            f'"Given {name} was discharged from adult mental health services on 2025-03-10 '
            'for not attending"'
        )

    # -- the record, as the record format writes it

    def record(self) -> dict[str, Any]:
        self.started()
        ids: dict[str, str] = {}
        for i, c in enumerate(self.children, 1):
            ids[c.name] = f"C{i}"
        for i, a in enumerate(self.adults, 1):
            ids[a.name] = f"P{i}"

        def ref(name: str, where: str) -> str:
            if name in ids:
                return ids[name]
            known = ", ".join(ids) or "none"
            raise ScenarioError(
                f'{where} names "{name}", who is not in this scenario (its children and adults: '
                f"{known})"
            )

        def child_record(c: Child) -> dict[str, Any]:
            visits = c.visits
            if visits is None:
                visits = [] if c.unborn else [
                    {"on": self.started_on, "how": "in_person", "alone": True}]  # fmt: skip
            out: dict[str, Any] = {"id": ids[c.name], "name": c.name}
            if c.born is not None:
                out["date_of_birth"] = c.born
            out |= {
                "unborn": c.unborn, "looked_after": c.looked_after, "seen": visits,
                "outcome": c.outcome, "recommendations": c.recommendations,
                "parents_note": c.parents_note,
                "lives_with": [
                    {"person": ref(p, f"{c.name}'s home"), "since": since or self.started_on}
                    for p, since in c.lives_with
                ],
            }  # fmt: skip
            return out

        def check_record(k: CheckMade) -> dict[str, Any]:
            about = "family" if k.about == "family" else ref(k.about, "a check")
            out: dict[str, Any] = {"subject": about, "source": k.source, "status": k.status}
            for name in ("requested_on", "completed_on", "finding"):
                if getattr(k, name) is not None:
                    out[name] = getattr(k, name)
            return out

        d = self.decision
        record: dict[str, Any] = {
            "format": RECORD_FORMAT,
            "id": "SCENARIO-1",
            "kind": self.kind,
            "started_on": self.started_on,
            "completed_on": self.completed_on,
            "worker": {"id": "SW-1", "name": "Sam Okafor", "team": "Assessment Team"},
            "decision": {
                "on": d.on or self.completed_on,
                "by": {"id": "DM-1", "name": d.by, "role": d.role},
                "conclusion": d.conclusion,
                "outstanding_information": d.outstanding_information,
                "missing_information_plan": d.missing_information_plan,
            },
            "children": [child_record(c) for c in self.children],
            "people": [
                {"id": ids[a.name], "name": a.name, "relationship": a.relationship,
                 # no parent_of (not an empty one, an input error since 1.1): every child's parent
                 **({"parent_of": [ref(c, f"{a.name}'s children") for c in a.parent_of]}
                    if a.parent_of else {}),
                 "supporting": a.supporting, "considered": a.considered}
                for a in self.adults
            ],
            "checks": [check_record(k) for k in self.checks],
            "agencies": [
                {"name": a.name, "involvement": a.involvement, "consulted_on": a.consulted_on}
                for a in self.agencies
            ],
            "discharges": [
                {"person": ref(x.person, "a discharge"), "service": x.service, "on": x.on,
                 "reason": x.reason, "risk_to_children": x.risk, "disclosure": x.disclosure}
                for x in self.discharges
            ],
            "closure": None,
        }
        if self.closure is not None:
            # An agency told of the closure need not be in `agencies`: it then notifies nobody
            # the rules know of, which is what a scenario may want to show.
            cl = self.closure
            record["closure"] = {
                "on": cl.on, "reason": cl.reason,
                "notified": [{"agency": a, "on": on} for a, on in cl.notified],
                "notification_decision": cl.decision,
            }  # fmt: skip
        if self.judgements:  # judgements (record format 1.1)
            record["format"] = RECORD_FORMAT_1_1
            record["judgements"] = [judgement_record(j, ids) for j in self.judgements]
        return record

    # -- checking it

    def check(self, checker: Checker) -> None:
        data = self.record()
        dates = re.findall(DATE, json.dumps(data))
        as_of = max([*dates, self.completed_on])
        try:
            record = parse_record(data, source="scenario", as_of=date.fromisoformat(as_of))
        except InputError as e:
            self._refused = e
            return
        if self.rules_on is not None:  # effective dates: the versions in force on that date
            checker = pinned(checker, date.fromisoformat(self.rules_on))
        self._report = checker.check(record, as_of=record.completed_on)

    @property
    def report(self) -> Report:
        if self._refused is not None:
            problems = "; ".join(f"{p.path}: {p.message}" for p in self._refused.problems)
            raise ScenarioError(f"the record this scenario describes is not valid: {problems}")
        if self._report is None:
            raise ScenarioError(
                'the record has not been checked yet: add "When the assessment is checked" '
                "before the Then steps"
            )
        return self._report

    def result(self, rule_id: str) -> RuleResult:
        report = self.report
        for r in report.results:
            if r.rule == rule_id:
                return r
        known = ", ".join(r.rule for r in report.results)
        raise ScenarioError(f'there is no rule "{rule_id}" in the rules folder (rules: {known})')


def _names(text: str, known: Iterable[str]) -> list[str]:
    """ "Noor", "Noor and Amir", "Lee, Amir and Health Visiting": split on commas and "and",
    keeping a known name whole when it contains them ("Health and Wellbeing")."""
    text = text.strip()
    known = set(known)
    if text in known:
        return [text]
    parts = [p.strip() for p in re.split(r",\s*|\s+and\s+", text) if p.strip()]
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            for joiner in (" and ", ", "):
                candidate = joiner.join(parts[i:j])
                if candidate in known:
                    out.append(candidate)
                    i = j
                    break
            else:
                continue
            break
        else:
            out.append(parts[i])
            i += 1
    return out


def _decided(result: RuleResult) -> str:
    """What the checker decided about one rule, in plain words, for a failing Then step."""
    status = {"pass": "passed", "fail": "failed", "not_applicable": "did not apply"}[result.status]
    lines = [f"The checker decided: rule {result.rule} {status}."]
    if result.status == "not_applicable":
        lines.append(f"  {result.message}")
    for f in result.findings:
        lines.append(f"  {f.name}: {f.status} - {f.message}")
    return "\n".join(lines)


def _finding_names(result: RuleResult, status: str) -> list[str]:
    return [f.name for f in result.findings if f.status == status]


def _show(names: Iterable[str]) -> str:
    names = list(names)
    if not names:
        return "nobody"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _rows(datatable: list[list[str]], columns: Iterable[str], what: str,
          required: Iterable[str] = ()) -> list[dict[str, str]]:  # fmt: skip
    """A table's rows as {column: cell}, columns named in plain words (case and "_" ignored)."""
    columns = list(columns)
    if not datatable:
        raise ScenarioError(f"the {what} table is empty: give a header row of column names")
    header = [" ".join(c.replace("_", " ").lower().split()) for c in datatable[0]]
    for h in header:
        if h not in columns:
            raise ScenarioError(
                f'the {what} table has a column "{h}" that this step does not know: its columns '
                "are " + ", ".join(f'"{c}"' for c in columns)
            )
    for r in required:
        if r not in header:
            raise ScenarioError(f'the {what} table needs a "{r}" column')
    return [dict(zip(header, [c.strip() for c in row], strict=True)) for row in datatable[1:]]


def _pairs(datatable: list[list[str]], fields: Iterable[str], what: str) -> dict[str, str]:
    """A two-column table of field names and values."""
    fields = list(fields)
    out: dict[str, str] = {}
    for row in datatable:
        if len(row) != 2:
            raise ScenarioError(f"the {what} table has two columns: the field and its value")
        name = " ".join(row[0].replace("_", " ").lower().split())
        if name not in fields:
            raise ScenarioError(
                f'the {what} table has a field "{name}" that this step does not know: its '
                "fields are " + ", ".join(f'"{f}"' for f in fields)
            )
        out[name] = row[1].strip()
    return out


def _text(cell: str) -> str | None:
    return cell if cell else None


def _cell_date(cell: str, what: str) -> str | None:
    if not cell:
        return None
    if not re.fullmatch(DATE, cell):
        raise ScenarioError(f'{what} "{cell}" is not a date written YYYY-MM-DD')
    return cell


def _visits(cell: str) -> list[dict[str, Any]]:
    """ "in person on 2025-02-05; by video on 2025-02-06", or "not seen" / empty."""
    if not cell or _norm(cell) == "not seen":
        return []
    out = []
    for part in cell.split(";"):
        m = re.fullmatch(rf"\s*(.+?)\s+on\s+({DATE})\s*", part)
        if not m:
            raise ScenarioError(
                f'"{part.strip()}" is not a visit: write it like "in person on 2025-02-05"'
            )
        how, alone = HOW.value(m.group(1))
        out.append({"on": m.group(2), "how": how, "alone": alone})
    return out


def _lives_with(cell: str) -> list[tuple[str, str | None]]:
    """ "Lee since 2025-01-10, Amina" (no date: since the start of the assessment)."""
    out: list[tuple[str, str | None]] = []
    for part in re.split(r",\s*|\s+and\s+", cell):
        part = part.strip()
        if not part:
            continue
        m = re.fullmatch(rf"(.+?)\s+since\s+({DATE})", part)
        out.append((m.group(1), m.group(2)) if m else (part, None))
    return out


# ---------------------------------------------------------------------------------------------
# Fixtures and hooks
# ---------------------------------------------------------------------------------------------


def rules_folder() -> Path | None:
    """The rules the scenarios run against: the folder `closure-check scenarios --rules` names
    (through an environment variable), else the rules folder next to this one, else the
    bundled rules."""
    named = os.environ.get(policy.RULES_ENV)
    if named:
        return Path(named)
    beside = Path(__file__).resolve().parent.parent / "rules"
    return beside if (beside / "_terms.yaml").is_file() else None


def pytest_configure(config: pytest.Config) -> None:
    """Register a marker for each rule of the rules folder, so that with --strict-markers a
    scenario tagged with a rule that does not exist is an error (a draft folder's new rules
    are registered too)."""
    try:
        rules = load_rules(rules_folder())
    except RuleFileError:
        return  # the rules_checker fixture reports the problems, scenario by scenario
    known = {line.split(":")[0].strip() for line in config.getini("markers")}
    for line in policy.marker_lines(r.rule.id for r in rules):
        if line.split(":")[0] not in known:
            config.addinivalue_line("markers", line)


@pytest.fixture(scope="session")
def rules_checker() -> Checker:
    return checker_for(rules_folder())


@pytest.fixture
def case() -> Case:
    return Case()


# What `closure-check scenarios` reads back: one line per scenario, in plain words.
_failures: dict[str, dict[str, Any]] = {}


def _plain(exception: BaseException) -> str:
    if isinstance(exception, Mismatch | ScenarioError | InputError):
        return str(exception)
    return f"{type(exception).__name__}: {exception}"


def pytest_bdd_step_error(request: pytest.FixtureRequest, step: Any,
                          exception: BaseException) -> None:  # fmt: skip
    _failures.setdefault(request.node.nodeid, {
        "line": step.line_number, "keyword": step.keyword, "text": step.name,
        "message": _plain(exception),
    })  # fmt: skip


def pytest_bdd_step_func_lookup_error(request: pytest.FixtureRequest, step: Any) -> None:
    _failures.setdefault(request.node.nodeid, {
        "line": step.line_number, "keyword": step.keyword, "text": step.name,
        "message": "no step in the step library matches this sentence (see docs/steps.md)",
    })  # fmt: skip


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any,
                              scenario: Any) -> None:  # fmt: skip
    failure = _failures.pop(request.node.nodeid, None)
    report = os.environ.get(policy.REPORT_ENV)
    if not report:
        return
    entry = {
        "feature": feature.filename,
        "scenario": scenario.name,
        "line": scenario.line_number,
        "passed": failure is None,
        "failure": failure,
    }
    with open(report, "a", encoding="utf-8") as out:
        out.write(json.dumps(entry, ensure_ascii=False) + "\n")


# =============================================================================================
# == Given: the record ==
# =============================================================================================


@given(_p("{kind:Kind} started on {start:Date} and completed on {end:Date}"))
def _(case: Case, kind: str, start: str, end: str) -> None:
    """Start the scenario with a clean record of this kind (see the top of this page for what
    it holds). Every scenario starts with this step or the one below. A discharge record
    starts empty: add the discharge with "... was discharged from ...".

    Example:
        Given an initial assessment started on 2025-02-03 and completed on 2025-02-20
    """
    case.start(kind, start, end)


@given(_p("{kind:Kind} of {child} started on {start:Date} and completed on {end:Date}"))
def _(case: Case, kind: str, child: str, start: str, end: str) -> None:
    """The same clean record, with its one child named: use it when the child's name matters
    to the scenario.

    Example:
        Given a section 47 enquiry of Noor started on 2025-02-03 and completed on 2025-02-20
    """
    case.start(kind, start, end, child)


# == Given: children ==


@given(_p("another child {child}"))
def _(case: Case, child: str) -> None:
    """Add a child to the assessment, clean like the first one: seen in person and alone on
    the start date, an outcome of early help, recommendations, and the same parents (a parent
    who lists no child is a parent of every child).

    Example:
        Given another child Amir
    """
    case.add_child(Child(child))


@given(_p("the child {child} was seen {how} on {date:Date}"))
def _(case: Case, child: str, how: str, date: str) -> None:
    """A time the child was seen. The first visit a scenario states for a child replaces the
    default visit; later ones are added to it.

    Example:
        Given the child Noor was seen by video on 2025-02-05
        And the child Noor was seen in person and alone on 2025-02-06
    """
    c = case.child(child)
    way, alone = HOW.value(how)
    if c.visits is None:
        c.visits = []
    c.visits.append({"on": date, "how": way, "alone": alone})


@given(_p("the child {child} was not seen"))
def _(case: Case, child: str) -> None:
    """The child was not seen at all during the assessment.

    Example:
        Given the child Amir was not seen
    """
    case.child(child).visits = []


@given(_p("the child {child} is unborn"))
def _(case: Case, child: str) -> None:
    """A pre-birth assessment: the child is not born yet (and so was not seen).

    Example:
        Given the child Noor is unborn
    """
    c = case.child(child)
    c.unborn, c.visits, c.born = True, [], None


@given(_p("the child {child} is looked after"))
def _(case: Case, child: str) -> None:
    """The child is looked after by the local authority.

    Example:
        Given the child Noor is looked after
    """
    case.child(child).looked_after = True


@given(_p("the child {child} was born on {date:Date}"))
def _(case: Case, child: str, date: str) -> None:
    """The child's date of birth (by default none is recorded). Use it where age matters, or
    to show that it does not.

    Example:
        Given the child Noor was born on 2007-03-01
    """
    case.child(child).born = date


@given(_p("the outcome for {child} is {outcome}"))
def _(case: Case, child: str, outcome: str) -> None:
    """The child's own outcome (by default early help).

    Example:
        Given the outcome for Noor is no further action
    """
    case.child(child).outcome = OUTCOME.value(outcome)


@given(_p("no outcome is recorded for {child}"))
def _(case: Case, child: str) -> None:
    """The child has no outcome of their own.

    Example:
        Given no outcome is recorded for Amir
    """
    case.child(child).outcome = None


@given(_p('the recommendations for {child} are "{text:Text}"'))
def _(case: Case, child: str, text: str) -> None:
    """The recommendations for progression recorded for the child, word for word (use it for
    placeholders such as "n/a" or "see above", or for text that is only spaces).

    Example:
        Given the recommendations for Noor are "see above"
    """
    case.child(child).recommendations = text


@given(_p("no recommendations are recorded for {child}"))
def _(case: Case, child: str) -> None:
    """The child has no recommendations for progression at all.

    Example:
        Given no recommendations are recorded for Noor
    """
    case.child(child).recommendations = None


@given(_p("the note on {child}'s parents says \"{text:Text}\""))
def _(case: Case, child: str, text: str) -> None:
    """The child's note on why a parent is not identified or could not be considered (by
    default there is none).

    Example:
        Given the note on Noor's parents says "Father not named; mother declines to name him."
    """
    case.child(child).parents_note = text


@given(_p("{child} lives with {adult} since {date:Date}"))
def _(case: Case, child: str, adult: str, date: str) -> None:
    """An adult the child lives with, or who looks after the child, and since when.

    Example:
        Given Noor lives with Lee since 2025-01-10
    """
    case.adult(adult)
    case.child(child).lives_with.append((adult, date))


@given("the children:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Replace the children with those in the table, one row per child. Columns: name
    (needed), born, unborn (yes/no), looked after (yes/no), seen ("in person on 2025-02-05;
    by video on 2025-02-06", or "not seen"), outcome, recommendations, parents note, lives with
    ("Lee since 2025-01-10, Amina"). A column left out keeps the clean default; an empty cell
    records nothing.

    Example:
        Given the children:
          | name | seen                         | outcome           |
          | Noor | in person on 2025-02-05      | no further action |
          | Amir | by video on 2025-02-06       |                   |
    """
    case.started()
    rows = _rows(datatable, ["name", "born", "unborn", "looked after", "seen", "outcome",
                             "recommendations", "parents note", "lives with"], "children",
                 required=["name"])  # fmt: skip
    case.children = []
    for row in rows:
        c = Child(row["name"])
        if "born" in row:
            c.born = _cell_date(row["born"], f"{c.name}'s date of birth")
        if "unborn" in row:
            c.unborn = bool(YES_NO.value(row["unborn"] or "no"))
        if "looked after" in row:
            c.looked_after = bool(YES_NO.value(row["looked after"] or "no"))
        if "seen" in row:
            c.visits = _visits(row["seen"])
        if "outcome" in row:
            c.outcome = OUTCOME.value(row["outcome"]) if row["outcome"] else None
        if "recommendations" in row:
            c.recommendations = _text(row["recommendations"])
        if "parents note" in row:
            c.parents_note = _text(row["parents note"])
        if "lives with" in row:
            c.lives_with = _lives_with(row["lives with"])
        case.add_child(c)


# == Given: adults ==


@given(_p("an adult {adult}, {relationship:Relationship}"))
def _(case: Case, adult: str, relationship: str) -> None:
    """Add an adult, with their relationship to the children. They are considered (a short
    note is recorded) and not identified as supporting the family unless a step says so. A
    mother, father or parent added this way lists no child, which makes them a parent of
    every child.

    Example:
        Given an adult Lee, a partner of a parent
    """
    case.add_adult(Adult(adult, relationship))


@given(_p("an adult {adult}, {relationship:Relationship} of {children}"))
def _(case: Case, adult: str, relationship: str, children: str) -> None:
    """Add an adult who is a parent or step-parent of the children named (their `parent_of`
    lists them).

    Example:
        Given an adult Lee, a step-parent of Noor
    """
    case.add_adult(Adult(adult, relationship, parent_of=_names(children, [])))


@given(_p("{adult} is listed as a parent of {children}"))
def _(case: Case, adult: str, children: str) -> None:
    """The children this adult's `parent_of` lists, replacing what it listed (the default
    mother and father list none, which makes them parents of every child).

    Example:
        Given Dev is listed as a parent of Noor
    """
    case.adult(adult).parent_of = _names(children, [c.name for c in case.children])


@given(_p("{adult} is identified as able to support the family"))
def _(case: Case, adult: str) -> None:
    """The adult is identified as able or available to support the child or family, including
    looking after the child.

    Example:
        Given Eve is identified as able to support the family
    """
    case.adult(adult).supporting = True


@given(_p('{adult} was considered: "{text:Text}"'))
def _(case: Case, adult: str, text: str) -> None:
    """How the adult's situation and significance to the child were considered, word for word
    (use it for placeholders such as "n/a", or text that is only spaces).

    Example:
        Given Dev was considered: "n/a"
    """
    case.adult(adult).considered = text


@given(_p("there is no record of how {adult} was considered"))
def _(case: Case, adult: str) -> None:
    """Nothing is recorded about how the adult was considered.

    Example:
        Given there is no record of how Dev was considered
    """
    case.adult(adult).considered = None


@given(_p("{adult} is not in the record"))
def _(case: Case, adult: str) -> None:
    """Remove an adult (for example the default father, to leave a child with one parent).

    Example:
        Given Dev is not in the record
    """
    case.adults.remove(case.adult(adult))


@given("the adults:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Replace the adults with those in the table, one row per adult. Columns: name and
    relationship (needed), parent of (children's names; empty: a parent of every child),
    supporting (yes/no), considered, lives with (children's names: they live with this adult
    from the start of the assessment).

    Example:
        Given the adults:
          | name  | relationship | parent of | supporting | considered           |
          | Amina | mother       | Noor      | no         | Seen at home twice.  |
          | Eve   | relative     |           | yes        | Mother's sister.     |
    """
    case.started()
    columns = ["name", "relationship", "parent of", "supporting", "considered", "lives with"]
    rows = _rows(datatable, columns, "adults", required=["name", "relationship"])
    case.adults = []
    for row in rows:
        a = Adult(row["name"], RELATIONSHIP.value(row["relationship"]))
        if "parent of" in row:
            a.parent_of = _names(row["parent of"], []) if row["parent of"] else []
        if "supporting" in row:
            a.supporting = bool(YES_NO.value(row["supporting"] or "no"))
        if "considered" in row:
            a.considered = _text(row["considered"])
        case.add_adult(a)
        if row.get("lives with"):
            for child in _names(row["lives with"], [c.name for c in case.children]):
                case.child(child).lives_with.append((a.name, None))


# == Given: checks ==


@given(_p("{subject} was checked with {source} on {date:Date}"))
def _(case: Case, subject: str, source: str, date: str) -> None:
    """Add a completed check about an adult, a child or "the family", with the date it was
    completed.

    Example:
        Given Lee was checked with the police on 2025-02-10
    """
    case.started()
    case.checks.append(CheckMade(_about(case, subject), SOURCE.value(source), completed_on=date))


@given(_p("a check on {subject} with {source} is still pending"))
def _(case: Case, subject: str, source: str) -> None:
    """Add a check that was requested but has not come back.

    Example:
        Given a check on the family with health is still pending
    """
    case.started()
    case.checks.append(CheckMade(_about(case, subject), SOURCE.value(source), status="pending"))


@given(_p("a check on {subject} with {source} was not possible"))
def _(case: Case, subject: str, source: str) -> None:
    """Add a check that could not be made.

    Example:
        Given a check on Lee with probation was not possible
    """
    case.started()
    case.checks.append(
        CheckMade(_about(case, subject), SOURCE.value(source), status="not_possible")
    )


@given("no checks were made")
def _(case: Case) -> None:
    """Remove every check, the default ones included.

    Example:
        Given no checks were made
    """
    case.started()
    case.checks = []


@given("the checks:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Replace the checks with those in the table, one row per check. Columns: about (a name,
    or "the family") and source (needed), status (completed, pending, not possible; default
    completed), requested on, completed on (default for a completed check: the start date),
    finding (concerns, no concerns).

    Example:
        Given the checks:
          | about      | source                 | status    | completed on |
          | the family | children's social care | completed | 2025-02-04   |
          | Lee        | the police             | pending   |              |
    """
    case.started()
    rows = _rows(datatable, ["about", "source", "status", "requested on", "completed on",
                             "finding"], "checks", required=["about", "source"])  # fmt: skip
    case.checks = []
    for row in rows:
        k = CheckMade(_about(case, row["about"]), SOURCE.value(row["source"]))
        k.status = STATUS.value(row["status"]) if row.get("status") else "completed"
        if "requested on" in row:
            k.requested_on = _cell_date(row["requested on"], "requested on")
        if "completed on" in row:
            k.completed_on = _cell_date(row["completed on"], "completed on")
        elif k.status == "completed":
            k.completed_on = case.started_on
        if row.get("finding"):
            k.finding = FINDING.value(row["finding"])
        case.checks.append(k)


def _about(case: Case, subject: str) -> str:
    if _norm(subject) in ("the family", "family"):
        return "family"
    case.started()
    if subject not in case.names():
        raise ScenarioError(
            f'there is no child or adult called "{subject}" in this scenario (its children and '
            f'adults: {", ".join(case.names()) or "none"}); a check about everyone is about '
            '"the family"'
        )
    return subject


# == Given: agencies ==


@given(_p("{agency} is involved with the family and was consulted on {date:Date}"))
def _(case: Case, agency: str, date: str) -> None:
    """Add an agency with ongoing involvement, consulted on this date.

    Example:
        Given Health Visiting is involved with the family and was consulted on 2025-02-10
    """
    case.started()
    case.agencies.append(Agency(agency, "ongoing", date))


@given(_p("{agency} is involved with the family and was not consulted"))
def _(case: Case, agency: str) -> None:
    """Add an agency with ongoing involvement that was never consulted.

    Example:
        Given the nursery is involved with the family and was not consulted
    """
    case.started()
    case.agencies.append(Agency(agency, "ongoing"))


@given(_p("{agency} was involved with the family in the past"))
def _(case: Case, agency: str) -> None:
    """Add an agency whose involvement has ended (not consulted).

    Example:
        Given the youth service was involved with the family in the past
    """
    case.started()
    case.agencies.append(Agency(agency, "past"))


@given("the agencies:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Replace the agencies with those in the table. Columns: name and involvement (ongoing or
    past; needed), consulted on.

    Example:
        Given the agencies:
          | name            | involvement | consulted on |
          | Health Visiting | ongoing     | 2025-02-10   |
          | Youth Service   | past        |              |
    """
    case.started()
    rows = _rows(datatable, ["name", "involvement", "consulted on"], "agencies",
                 required=["name", "involvement"])  # fmt: skip
    case.agencies = [
        Agency(row["name"], INVOLVEMENT.value(row["involvement"]),
               _cell_date(row.get("consulted on", ""), "consulted on"))
        for row in rows
    ]  # fmt: skip


# == Given: the decision ==


@given(_p("the decision was taken by {decider}, {role}"))
def _(case: Case, decider: str, role: str) -> None:
    """Who took the decision, and their role (by default Priya Shah, a manager).

    Example:
        Given the decision was taken by Jo Bell, a supervisor
    """
    case.started()
    case.decision.by, case.decision.role = decider, ROLE.value(role)


@given(_p("the decision was taken on {date:Date}"))
def _(case: Case, date: str) -> None:
    """The date of the decision (by default the completion date).

    Example:
        Given the decision was taken on 2025-02-18
    """
    case.started()
    case.decision.on = date


@given(_p('the conclusion states what is outstanding: "{text:Text}"'))
def _(case: Case, text: str) -> None:
    """The conclusion's statement of what could not be obtained or checked before completion
    (by default there is none).

    Example:
        Given the conclusion states what is outstanding: "Health records requested, not received."
    """
    case.started()
    case.decision.outstanding_information = text


@given(_p('the plan to obtain the missing information is "{text:Text}"'))
def _(case: Case, text: str) -> None:
    """The supervisor's or manager's plan to obtain what is missing (by default there is none).

    Example:
        Given the plan to obtain the missing information is "Jo Bell to chase health by 2025-02-27."
    """
    case.started()
    case.decision.missing_information_plan = text


@given("the decision:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Set several parts of the decision at once, one field per row: on, by, role, conclusion,
    outstanding information, missing information plan. An empty value records nothing.

    Example:
        Given the decision:
          | by                       | Jo Bell                              |
          | role                     | supervisor                           |
          | outstanding information  | Police check on Lee not returned.    |
          | missing information plan | Jo Bell to chase the police weekly. |
    """
    case.started()
    fields = _pairs(datatable, ["on", "by", "role", "conclusion", "outstanding information",
                                "missing information plan"], "decision")  # fmt: skip
    d = case.decision
    if "on" in fields:
        d.on = _cell_date(fields["on"], "the decision date")
    if "by" in fields:
        d.by = fields["by"]
    if "role" in fields:
        d.role = ROLE.value(fields["role"])
    if "conclusion" in fields:
        d.conclusion = _text(fields["conclusion"])
    if "outstanding information" in fields:
        d.outstanding_information = _text(fields["outstanding information"])
    if "missing information plan" in fields:
        d.missing_information_plan = _text(fields["missing information plan"])


# == Given: closure ==


@given(_p("the case is closed on {date:Date} {closure_reason}"))
def _(case: Case, date: str, closure_reason: str) -> None:
    """The case is being closed, on this date and for this reason; no agency has been told yet
    and no decision on notifying is recorded.

    Example:
        Given the case is closed on 2025-02-20 because the family disengaged
    """
    case.started()
    case.closure = Closure(date, CLOSURE_REASON.value(closure_reason))


@given(_p("{agency} was told of the closure on {date:Date}"))
def _(case: Case, agency: str, date: str) -> None:
    """An agency told of the closure, and when.

    Example:
        Given Health Visiting was told of the closure on 2025-02-20
    """
    case.closing().notified.append((agency, date))


@given(_p('the closure records the decision {notify:Notify}, because "{text:Text}"'))
def _(case: Case, notify: bool, text: str) -> None:
    """The recorded decision whether to notify other agencies of the closure, and its reasons.

    Example:
        Given the closure records the decision not to notify, because "No other agency is involved."
    """
    case.closing().decision = {"notify": notify, "reasons": text}


@given(_p("the closure records the decision {notify:Notify}, with no reasons"))
def _(case: Case, notify: bool) -> None:
    """The decision whether to notify other agencies is recorded, but not why.

    Example:
        Given the closure records the decision not to notify, with no reasons
    """
    case.closing().decision = {"notify": notify, "reasons": None}


@given("the closure:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Close the case, or change its closure, one field per row: on and reason (needed when the
    case is not yet being closed), notify (yes or no: the decision whether to notify other
    agencies; empty: no decision recorded), notification reasons.

    Example:
        Given the closure:
          | on                   | 2025-02-20                            |
          | reason               | did not attend                        |
          | notify               | no                                    |
          | notification reasons | Only the GP is involved, and knows.   |
    """
    case.started()
    fields = _pairs(datatable, ["on", "reason", "notify", "notification reasons"], "closure")
    if case.closure is None:
        if not fields.get("on") or not fields.get("reason"):
            raise ScenarioError('the closure table needs "on" and "reason" to close the case')
        case.closure = Closure("", "")
    closure = case.closure
    if "on" in fields:
        closure.on = _cell_date(fields["on"], "the closure date") or ""
    if "reason" in fields:
        closure.reason = CLOSURE_REASON.value(fields["reason"])
    if "notify" in fields:
        closure.decision = (
            None if not fields["notify"]
            else {"notify": bool(YES_NO.value(fields["notify"])), "reasons": None}
        )  # fmt: skip
    if "notification reasons" in fields:
        if closure.decision is None:
            raise ScenarioError('give "notify" (yes or no) with the notification reasons')
        closure.decision["reasons"] = _text(fields["notification reasons"])


@given("the agencies told of the closure:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Replace the agencies told of the closure with those in the table. Columns: agency and
    on (needed).

    Example:
        Given the agencies told of the closure:
          | agency          | on         |
          | Health Visiting | 2025-02-20 |
    """
    closure = case.closing()
    rows = _rows(datatable, ["agency", "on"], "notified", required=["agency", "on"])
    closure.notified = [(row["agency"], _cell_date(row["on"], "on") or "") for row in rows]


# == Given: discharges ==


@given(_p("{adult} was discharged from {service} on {date:Date} {discharge_reason}"))
def _(case: Case, adult: str, service: str, date: str, discharge_reason: str) -> None:
    """A discharge of an adult from an adult service, with no risk assessment and no
    disclosure decision recorded yet. An adult not yet in the record is added (as "someone
    else").

    Example:
        Given Lee was discharged from adult mental health services on 2025-03-10 for not attending
    """
    case.started()
    if not any(a.name == adult for a in case.adults):
        case.add_adult(Adult(adult, "other"))
    case.discharges.append(
        DischargeMade(adult, SERVICE.value(service), date, DISCHARGE_REASON.value(discharge_reason))
    )


@given(_p("the risk {adult} poses to children was assessed on {date:Date} as {risk}"))
def _(case: Case, adult: str, date: str, risk: str) -> None:
    """The recorded assessment of whether the discharged adult poses a risk to children.

    Example:
        Given the risk Lee poses to children was assessed on 2025-03-10 as unknown
    """
    case.discharge_of(adult).risk = {"assessed_on": date, "finding": RISK.value(risk)}


@given(_p('the disclosure decision for {adult} is {disclosure}, because "{text:Text}"'))
def _(case: Case, adult: str, disclosure: str, text: str) -> None:
    """The decision whether to disclose the risk to other agencies, and its reasons.

    Example:
        Given the disclosure decision for Lee is no disclosure, because "No children known."
    """
    case.discharge_of(adult).disclosure = {"decision": DISCLOSURE.value(disclosure),
                                           "reasons": text}  # fmt: skip


@given(_p("the disclosure decision for {adult} is {disclosure}, with no reasons"))
def _(case: Case, adult: str, disclosure: str) -> None:
    """A disclosure decision with its reasons left empty.

    Example:
        Given the disclosure decision for Lee is full disclosure, with no reasons
    """
    case.discharge_of(adult).disclosure = {"decision": DISCLOSURE.value(disclosure),
                                           "reasons": ""}  # fmt: skip


@given("the discharges:")
def _(case: Case, datatable: list[list[str]]) -> None:
    """Replace the discharges with those in the table, one row per discharge. Columns: person,
    service, on and reason (needed), risk (a risk, no risk, unknown), risk assessed on (default:
    the discharge date), disclosure (full, partial, none), disclosure reasons. Adults not yet in
    the record are added.

    Example:
        Given the discharges:
          | person | service                      | on         | reason            | risk    |
          | Lee    | adult mental health services | 2025-03-10 | for not attending | unknown |
    """
    case.started()
    rows = _rows(datatable, ["person", "service", "on", "reason", "risk", "risk assessed on",
                             "disclosure", "disclosure reasons"], "discharges",
                 required=["person", "service", "on", "reason"])  # fmt: skip
    case.discharges = []
    for row in rows:
        if not any(a.name == row["person"] for a in case.adults):
            case.add_adult(Adult(row["person"], "other"))
        d = DischargeMade(row["person"], SERVICE.value(row["service"]),
                          _cell_date(row["on"], "on") or "",
                          DISCHARGE_REASON.value(row["reason"]))  # fmt: skip
        if row.get("risk"):
            on = _cell_date(row.get("risk assessed on", ""), "risk assessed on") or d.on
            d.risk = {"assessed_on": on, "finding": RISK.value(row["risk"])}
        if row.get("disclosure"):
            d.disclosure = {"decision": DISCLOSURE.value(row["disclosure"]),
                            "reasons": row.get("disclosure reasons", "")}  # fmt: skip
        case.discharges.append(d)


# =============================================================================================
# == Given: the rules in force (effective dates) ==
# =============================================================================================


@given(_p("the rules in force on {date:Date}"))
def _(case: Case, date: str) -> None:
    """Check the record by the version of each rule in force on this date (rule files with
    `effective: {from, until}`), whatever its completion date. Without this step a record is
    checked by the versions in force on its completion date. For rules without effective dates
    it changes nothing.

    Example:
        Given the rules in force on 2027-04-01
    """
    case.rules_on = date


# =============================================================================================
# == Given: professional judgements (record format 1.1; the judgements helper's section) ==
# =============================================================================================

PLACEHOLDERS["judge"] = "the name of the person who made the judgement"


def judgement_record(j: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """A judgement as the record format writes it: its subject named by id, "assessment" for
    the assessment, an agency by its name."""
    subject = "assessment" if j["name"] == "the assessment" else ids.get(j["name"], j["name"])
    out = {"rule": j["rule"], "subject": subject, "on": j["on"], "reason": j["reason"],
           "by": {"id": "J-" + re.sub(r"\W+", "-", j["judge"]), "name": j["judge"],
                  "role": j["role"]}}  # fmt: skip
    if j.get("expires_on"):
        out["expires_on"] = j["expires_on"]
    return out


@given(_p('{judge}, {role}, accepted the finding of {rule:RuleId} for {name} on {date:Date} '
          'because "{text:Text}"'))  # fmt: skip
def _(case: Case, judge: str, role: str, rule: str, name: str, date: str, text: str) -> None:
    """A professional judgement recorded against the finding of a rule for one subject (a
    child, an adult, an agency, or "the assessment"): who made it, in what role, when, and why
    in their words. It counts only if it applies (rules.md, Judgements).

    Example:
        Given Jo, a manager, accepted the finding of child-seen for Noor on 2025-02-20 because "x"
    """
    case.started()
    case.judgements.append(
        {"judge": judge, "role": ROLE.value(role), "rule": rule, "name": name, "on": date,
         "reason": text}
    )  # fmt: skip


@given(_p("that judgement expires on {date:Date}"))
def _(case: Case, date: str) -> None:
    """The last day on which the judgement just described applies.

    Example:
        Given that judgement expires on 2025-06-30
    """
    if not case.judgements:
        raise ScenarioError('describe the judgement first ("Given ..., accepted the finding ...")')
    case.judgements[-1]["expires_on"] = date


# =============================================================================================
# == When ==
# =============================================================================================


@when(_p("the {what:Checked} is checked"))
def _(case: Case, rules_checker: Checker) -> None:
    """Check the record the Given steps described against the rules. Every scenario has this
    step between its Given and its Then steps.

    Example:
        When the assessment is checked
    """
    case.check(rules_checker)


# =============================================================================================
# == Then: the verdict ==
# =============================================================================================


@then(_p("the verdict is {verdict:Verdict}"))
def _(case: Case, verdict: str) -> None:
    """The record's verdict: fail when any blocker rule fails, otherwise pass (advisory rules
    never fail the record).

    Example:
        Then the verdict is pass
    """
    report = case.report
    if report.verdict != verdict:
        failed = [f"{r.rule} ({r.severity})" for r in report.results if r.status == "fail"]
        raise Mismatch(
            f"expected the verdict to be {verdict}, but it is {report.verdict}. The rules that "
            f"failed: {_show(failed) if failed else 'none'}."
        )


# == Then: one rule ==


@then(_p("rule {rule:RuleId} passes"))
@asserts("pass")
def _(case: Case, rule: str) -> None:
    """The rule applies to the record and every subject it looked at passes.

    Example:
        Then rule child-seen passes
    """
    result = case.result(rule)
    if result.status != "pass":
        raise Mismatch(f"expected rule {rule} to pass.\n{_decided(result)}")


@then(_p("rule {rule:RuleId} fails"))
@asserts("fail")
def _(case: Case, rule: str) -> None:
    """The rule fails, for whichever subjects (prefer the step below, which names them).

    Example:
        Then rule agency-checks-made fails
    """
    result = case.result(rule)
    if result.status != "fail":
        raise Mismatch(f"expected rule {rule} to fail.\n{_decided(result)}")


@then(_p("rule {rule:RuleId} does not apply"))
@asserts("not_applicable")
def _(case: Case, rule: str) -> None:
    """Nothing in the record is something the rule applies to: it reports not applicable.

    Example:
        Then rule nfa-needs-all-checks does not apply
    """
    result = case.result(rule)
    if result.status != "not_applicable":
        raise Mismatch(f"expected rule {rule} not to apply.\n{_decided(result)}")


@then(_p("rule {rule:RuleId} fails for {subjects}"))
@asserts("fail")
def _(case: Case, rule: str, subjects: str) -> None:
    """The rule fails for exactly these subjects (children, adults, agencies by name, or "the
    assessment"), and every other subject it looked at passes.

    Example:
        Then rule child-seen fails for Noor
        Then rule agency-checks-made fails for the assessment and Health Visiting
    """
    result = case.result(rule)
    known = [f.name for f in result.findings]
    expected = _names(subjects, known)
    failing = _finding_names(result, "fail")
    if result.status != "fail" or sorted(failing) != sorted(expected):
        raise Mismatch(
            f"expected rule {rule} to fail for {_show(expected)} (and only for them), but it "
            f"failed for {_show(failing)}.\n{_decided(result)}"
        )


@then(_p("rule {rule:RuleId} passes for {subjects}"))
def _(case: Case, rule: str, subjects: str) -> None:
    """The rule looked at each of these subjects and each passes (others may fail).

    Example:
        Then rule child-seen passes for Amir
    """
    result = case.result(rule)
    passing = _finding_names(result, "pass")
    missing = [n for n in _names(subjects, [f.name for f in result.findings]) if n not in passing]
    if missing:
        raise Mismatch(f"expected rule {rule} to pass for {_show(missing)}.\n{_decided(result)}")


@then(_p("rule {rule:RuleId} does not apply to {subjects}"))
def _(case: Case, rule: str, subjects: str) -> None:
    """The rule did not look at these subjects at all (it may apply to others).

    Example:
        Then rule supporting-adults-checked does not apply to Dev
    """
    result = case.result(rule)
    looked = [f.name for f in result.findings]
    wrong = [n for n in _names(subjects, looked) if n in looked]
    if wrong:
        raise Mismatch(f"expected rule {rule} not to apply to {_show(wrong)}.\n{_decided(result)}")


@then(_p('the finding of rule {rule:RuleId} for {name} says "{text:Text}"'))
def _(case: Case, rule: str, name: str, text: str) -> None:
    """The rule's finding about this subject contains these words (case does not matter): use
    it where what the finding says is part of the rule.

    Example:
        Then the finding of rule nfa-needs-all-checks for the assessment says "conditional"
    """
    result = case.result(rule)
    found: Finding | None = next((f for f in result.findings if f.name == name), None)
    if found is None:
        raise Mismatch(f"rule {rule} has no finding about {name}.\n{_decided(result)}")
    if text.lower() not in found.message.lower():
        raise Mismatch(
            f'expected the finding of rule {rule} for {name} to say "{text}", but it says: '
            f'"{found.message}"'
        )


# == Then: professional judgements (the judgements helper's section) ==


@then(_p("rule {rule:RuleId} is accepted for {subjects}"))
@asserts("accepted")
def _(case: Case, rule: str, subjects: str) -> None:
    """The rule's findings for exactly these subjects fail but are accepted by a judgement that
    applies, and no finding of the rule still fails: the rule's status is accepted.

    Example:
        Then rule supporting-adults-checked is accepted for Eve
    """
    result = case.result(rule)
    expected = _names(subjects, [f.name for f in result.findings])
    accepted = _finding_names(result, "accepted")
    if result.status != "accepted" or sorted(accepted) != sorted(expected):
        raise Mismatch(
            f"expected rule {rule} to be accepted for {_show(expected)} (and only for them), "
            f"but it is {result.status}, accepted for {_show(accepted)}.\n{_decided(result)}"
        )


def _judgement(case: Case, rule: str, name: str) -> dict[str, Any]:
    report = case.report
    for i, j in enumerate(case.judgements):
        if j["rule"] == rule and j["name"] == name:
            return dict(report.judgements[i])
    raise ScenarioError(f"the scenario has no judgement on rule {rule} for {name}")


@then(_p("the judgement on rule {rule:RuleId} for {name} applies"))
def _(case: Case, rule: str, name: str) -> None:
    """The judgement applies: the finding it answers is accepted.

    Example:
        Then the judgement on rule child-seen-alone for Noor applies
    """
    j = _judgement(case, rule, name)
    if j["outcome"] != "applied":
        raise Mismatch(
            f"expected the judgement on rule {rule} for {name} to apply, but it is "
            f"{j['outcome']}: {j.get('why', '')}"
        )


@then(_p('the judgement on rule {rule:RuleId} for {name} does not apply: "{text:Text}"'))
def _(case: Case, rule: str, name: str, text: str) -> None:
    """The judgement does not apply, and why contains these words: the finding still fails.

    Example:
        Then the judgement on rule child-seen for Noor does not apply: "allows no judgement"
    """
    j = _judgement(case, rule, name)
    if j["outcome"] != "not_applied" or text.lower() not in j.get("why", "").lower():
        raise Mismatch(
            f'expected the judgement on rule {rule} for {name} not to apply because "{text}", '
            f"but it is {j['outcome']}{': ' + j['why'] if j.get('why') else ''}"
        )


@then(_p("the judgement on rule {rule:RuleId} for {name} is stale"))
def _(case: Case, rule: str, name: str) -> None:
    """The judgement's finding does not fail (it passes, or the rule does not apply): the
    judgement is stale, shown but never counted.

    Example:
        Then the judgement on rule child-seen for Noor is stale
    """
    j = _judgement(case, rule, name)
    if j["outcome"] != "stale":
        raise Mismatch(
            f"expected the judgement on rule {rule} for {name} to be stale, but it is "
            f"{j['outcome']}"
        )
