"""Turn one assessment record into the small facts the rules engine matches.

Only identifiers (as small integers), enum values, booleans and numbers reach the engine: a date
becomes a day number, a free-text field becomes "present or not" (see `Terms.text_present`), and
ids become integer references. Names and notes stay here, in `Facts.items`, for the messages.

This module describes the record; it decides nothing. Which facts satisfy which rule is the
rules' business, and the engine's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from . import record as rec
from .workdays import working_days_between

EPOCH = date(1970, 1, 1).toordinal()


def day_number(d: date) -> int:
    """A date as a whole number of days, so the engine compares numbers, never strings."""
    return d.toordinal() - EPOCH


class T(Enum):
    """The type of a fact field, as a rule file may test it."""

    BOOL = "a yes/no value (true or false)"
    TEXT = "a text, tested as present or absent"
    DATE = "a date (YYYY-MM-DD, or a date field such as record.completed_on)"
    OPT_DATE = "a date that may be missing"
    INT = "a whole number"
    ENUM = "one of a fixed list of values"
    REF = "a reference to another part of the record"


@dataclass(frozen=True)
class FieldSpec:
    type: T
    doc: str
    values: tuple[str, ...] = ()  # for ENUM
    ref: str = ""  # for REF: the kind referred to ("child", "person", "agency", "party")


NONE = "none"  # the enum value a missing optional choice takes in a fact


def _enum(doc: str, values: Iterable[str], *, optional: bool = False) -> FieldSpec:
    vals = tuple(values) + ((NONE,) if optional else ())
    return FieldSpec(T.ENUM, doc, vals)


def _lit(t: Any) -> tuple[str, ...]:
    return tuple(t.__args__)


#: What each kind of fact holds. Rule files may name these kinds and fields, and nothing else.
FACTS: dict[str, dict[str, FieldSpec]] = {
    "record": {
        "kind": _enum("what is being completed", _lit(rec.Kind)),
        "started_on": FieldSpec(T.DATE, "when the assessment started"),
        "completed_on": FieldSpec(T.DATE, "completion: when the assessment is completed"),
        "working_days": FieldSpec(
            T.INT,
            "working days from started_on (day 0) to completed_on, Monday to Friday, "
            "England and Wales bank holidays excluded",
        ),
        "decision_on": FieldSpec(T.DATE, "decision.on"),
        "decided_by": _enum("decision.by.role", _lit(rec.Role)),
        "conclusion": FieldSpec(T.TEXT, "decision.conclusion"),
        "outstanding_information": FieldSpec(T.TEXT, "decision.outstanding_information"),
        "missing_information_plan": FieldSpec(T.TEXT, "decision.missing_information_plan"),
        "closure": FieldSpec(T.BOOL, "the case is being closed (closure is present)"),
        "closure_on": FieldSpec(T.OPT_DATE, "closure.on"),
        "closure_reason": _enum("closure.reason", _lit(rec.ClosureReason), optional=True),
        "notification_decision": FieldSpec(T.BOOL, "closure.notification_decision is recorded"),
        "notification_reasons": FieldSpec(T.TEXT, "closure.notification_decision.reasons"),
    },
    "child": {
        "ref": FieldSpec(T.REF, "this child", ref="party"),
        "unborn": FieldSpec(T.BOOL, "a pre-birth assessment"),
        "looked_after": FieldSpec(T.BOOL, "looked after by the local authority"),
        "outcome": _enum("the child's own outcome", _lit(rec.ChildOutcome), optional=True),
        "recommendations": FieldSpec(T.TEXT, "recommendations for progression"),
        "parents_note": FieldSpec(T.TEXT, "why a parent is not identified or considered"),
        "parent_count": FieldSpec(
            T.INT, "how many parents the child has (mother, father or parent; not step-parents)"
        ),
    },
    "person": {
        "ref": FieldSpec(T.REF, "this person", ref="party"),
        "relationship": _enum("relationship to the children", _lit(rec.Relationship)),
        "supporting": FieldSpec(T.BOOL, "identified as able or available to support"),
        "considered": FieldSpec(T.TEXT, "how this person was considered"),
    },
    "visit": {
        "child": FieldSpec(T.REF, "the child seen", ref="party"),
        "on": FieldSpec(T.DATE, "when the child was seen"),
        "how": _enum("how the child was seen", _lit(rec.How)),
        "alone": FieldSpec(T.BOOL, "the child was seen alone"),
    },
    "parent": {
        "child": FieldSpec(T.REF, "the child", ref="party"),
        "person": FieldSpec(T.REF, "the parent or step-parent", ref="party"),
        "role": _enum("parent, or a step-parent listing the child", ("parent", "step_parent")),
        "considered": FieldSpec(T.TEXT, "how this parent was considered"),
    },
    "lives_with": {
        "child": FieldSpec(T.REF, "the child", ref="party"),
        "person": FieldSpec(T.REF, "the adult the child lives with", ref="party"),
        "since": FieldSpec(T.DATE, "since when"),
        "child_looked_after": FieldSpec(T.BOOL, "the child is looked after"),
        "is_parent": FieldSpec(T.BOOL, "the adult is one of the child's parents"),
    },
    "check": {
        "subject": FieldSpec(T.REF, "whom the check is about", ref="party"),
        "about_family": FieldSpec(T.BOOL, "the check is about the family, not one person"),
        "source": _enum("where the check was made", _lit(rec.Source)),
        "status": _enum("completed, pending or not possible", _lit(rec.CheckStatus)),
        "requested_on": FieldSpec(T.OPT_DATE, "when the check was requested"),
        "completed_on": FieldSpec(T.OPT_DATE, "when the check was completed"),
        "finding": _enum("what the check found", _lit(rec.CheckFinding), optional=True),
    },
    "agency": {
        "ref": FieldSpec(T.REF, "this agency", ref="agency"),
        "involvement": _enum("ongoing or past", _lit(rec.Involvement)),
        "consulted_on": FieldSpec(T.OPT_DATE, "when the agency was consulted"),
    },
    "notified": {
        "agency": FieldSpec(T.REF, "the agency told of the closure", ref="agency"),
        "on": FieldSpec(T.DATE, "when it was told"),
    },
    "discharge": {
        "ref": FieldSpec(T.REF, "this discharge", ref="discharge"),
        "person": FieldSpec(T.REF, "the adult discharged", ref="party"),
        "service": _enum("the service discharging", _lit(rec.Service)),
        "on": FieldSpec(T.DATE, "the date of discharge"),
        "reason": _enum("why the adult was discharged", _lit(rec.DischargeReason)),
        "risk_recorded": FieldSpec(T.BOOL, "risk_to_children is recorded"),
        "risk_assessed_on": FieldSpec(T.OPT_DATE, "risk_to_children.assessed_on"),
        "risk_finding": _enum("risk_to_children.finding", _lit(rec.RiskFinding), optional=True),
        "disclosure": FieldSpec(T.BOOL, "a disclosure decision is recorded"),
        "disclosure_decision": _enum(
            "disclosure.decision", _lit(rec.DisclosureDecision), optional=True
        ),
        "disclosure_reasons": FieldSpec(T.TEXT, "disclosure.reasons"),
    },
}

#: Kinds a rule part may take as its subject, and the kind of fact each is.
KIND_OF_SUBJECT = {
    "assessment": "record",
    "child": "child",
    "person": "person",
    "agency": "agency",
    "discharge": "discharge",
}

#: Field names the engine reserves or that identify a fact; never a rule field.
FACT_TYPE_FIELD = "t"


def has_field(name: str) -> str:
    """The companion yes/no field that says whether an optional date is there."""
    return "has_" + name


#: Runs of any Unicode space, the zero-width ones included, which become one space (1.1).
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
#: What is dropped from the end of a text before it is compared with the placeholders (1.1).
_TRAILING = " .,;:!"


def normal_text(text: str) -> str:
    """A text as it is compared with the placeholders (rules.md, Terms, 1.1): runs of spaces
    as one space, trimmed, trailing `.`, `,`, `;`, `:`, `!` dropped, lower-cased."""
    return _SPACES.sub(" ", text).strip(" ").rstrip(_TRAILING).lower()


@dataclass(frozen=True)
class Terms:
    """The definitions of rules.md's Terms that shape facts; rule data the policy team edits."""

    placeholders: frozenset[str]
    parent_relationships: frozenset[str]
    step_parent_relationships: frozenset[str]

    def text_present(self, text: str | None) -> bool:
        """Text is present when, made normal (`normal_text`), it has a letter or a digit and is
        not a placeholder (rules.md, Terms)."""
        if text is None:
            return False
        t = normal_text(text)
        return any(ch.isalnum() for ch in t) and t not in self.placeholders


@dataclass
class Facts:
    """The facts of one record, and the way back from a fact to what it describes."""

    facts: list[dict[str, Any]] = field(default_factory=list)
    #: fact id -> the record's own item (a dict as in the record), for messages
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: fact id -> (subject id in reports, display name), for facts that can be subjects
    subjects: dict[str, tuple[str, str]] = field(default_factory=dict)


def _view(model: Any) -> dict[str, Any]:
    """A view of a record item for messages: its fields, nested items left as they are (a
    template reads `subject.seen[0].on` from them just the same). The model's own field dict,
    not a copy: nothing writes to it."""
    fields: dict[str, Any] = model.__dict__
    return fields


def build_facts(record: rec.Record, terms: Terms) -> Facts:
    """Describe `record` as facts. Fact ids are short and chosen here (never the user's ids),
    so identity is ours to control (see engine/session.py)."""
    out = Facts()
    completed = record.completed_on
    children = list(record.children or [])
    people = list(record.people or [])
    party: dict[str, int] = {}
    for i, c in enumerate(children):
        party[c.id] = i
    for j, p in enumerate(people):
        party[p.id] = len(children) + j
    names = {c.id: c.name for c in children} | {p.id: p.name for p in people}
    working_days = working_days_between(record.started_on, completed)
    record_item = _view(record) | {"working_days": working_days}

    def add(fid: str, fact_type: str, item: dict[str, Any], /, **fields: Any) -> dict[str, Any]:
        fact = {"id": fid, FACT_TYPE_FIELD: fact_type, **fields}
        out.facts.append(fact)
        out.items[fid] = item
        return fact

    def dates(**named: date | None) -> dict[str, Any]:
        """Optional dates: a day number and has_<name> true, or only has_<name> false."""
        d: dict[str, Any] = {}
        for k, v in named.items():
            d[has_field(k)] = v is not None
            if v is not None:
                d[k] = day_number(v)
        return d

    # Who is whose parent (rules.md, Terms): a mother, father or parent listing the child in
    # parent_of, or listing no child at all; a step-parent only when it lists the child.
    parents_of: dict[str, list[tuple[Any, str]]] = {c.id: [] for c in children}
    for p in people:
        listed = p.parent_of
        if p.relationship in terms.parent_relationships:
            targets = list(listed) if listed else [c.id for c in children]
            role = "parent"
        elif p.relationship in terms.step_parent_relationships and listed:
            targets, role = list(listed), "step_parent"
        else:
            continue
        for cid in dict.fromkeys(targets):
            if cid in parents_of:
                parents_of[cid].append((p, role))

    decision = record.decision
    closure = record.closure
    nd = closure.notification_decision if closure is not None else None
    add(
        "r",
        "record",
        record_item,
        kind=record.kind,
        started_on=day_number(record.started_on),
        completed_on=day_number(completed),
        working_days=working_days,
        decision_on=day_number(decision.on),
        decided_by=decision.by.role,
        conclusion=terms.text_present(decision.conclusion),
        outstanding_information=terms.text_present(decision.outstanding_information),
        missing_information_plan=terms.text_present(decision.missing_information_plan),
        closure=closure is not None,
        closure_reason=closure.reason if closure is not None else NONE,
        notification_decision=nd is not None,
        notification_reasons=terms.text_present(nd.reasons if nd is not None else None),
        **dates(closure_on=closure.on if closure is not None else None),
    )
    out.subjects["r"] = ("assessment", "the assessment")

    for i, c in enumerate(children):
        fid = f"c{i}"
        add(
            fid,
            "child",
            _view(c),
            ref=party[c.id],
            unborn=bool(c.unborn),
            looked_after=bool(c.looked_after),
            outcome=c.outcome if c.outcome is not None else NONE,
            recommendations=terms.text_present(c.recommendations),
            parents_note=terms.text_present(c.parents_note),
            parent_count=sum(1 for _, role in parents_of[c.id] if role == "parent"),
        )
        out.subjects[fid] = (c.id, c.name)
        for j, v in enumerate(c.seen or []):
            add(
                f"v{i}_{j}",
                "visit",
                _view(v) | {"child": c.id, "child_name": c.name},
                child=party[c.id],
                on=day_number(v.on),
                how=v.how,
                alone=bool(v.alone),
            )
        for j, (p, role) in enumerate(parents_of[c.id]):
            add(
                f"m{i}_{j}",
                "parent",
                {"person": _view(p), "role": role, "child": c.id, "child_name": c.name},
                child=party[c.id],
                person=party[p.id],
                role=role,
                considered=terms.text_present(p.considered),
            )
        parent_ids = {p.id for p, role in parents_of[c.id] if role == "parent"}
        for j, lw in enumerate(c.lives_with or []):
            add(
                f"l{i}_{j}",
                "lives_with",
                _view(lw) | {"child": c.id, "child_name": c.name, "name": names[lw.person]},
                child=party[c.id],
                person=party[lw.person],
                since=day_number(lw.since),
                child_looked_after=bool(c.looked_after),
                is_parent=lw.person in parent_ids,
            )

    # For messages only: the children each adult lives with, by name (never a fact field).
    lives_with_children: dict[str, list[str]] = {p.id: [] for p in people}
    for c in children:
        for lw in c.lives_with or []:
            if lw.person in lives_with_children and c.name not in lives_with_children[lw.person]:
                lives_with_children[lw.person].append(c.name)

    for j, p in enumerate(people):
        fid = f"p{j}"
        add(
            fid,
            "person",
            _view(p) | {"lives_with_children": lives_with_children[p.id]},
            ref=party[p.id],
            relationship=p.relationship,
            supporting=bool(p.supporting),
            considered=terms.text_present(p.considered),
        )
        out.subjects[fid] = (p.id, p.name)

    for k, chk in enumerate(record.checks or []):
        about_family = chk.subject == "family"
        add(
            f"k{k}",
            "check",
            _view(chk) | {"name": "the family" if about_family else names[chk.subject]},
            subject=-1 if about_family else party[chk.subject],
            about_family=about_family,
            source=chk.source,
            status=chk.status,
            finding=chk.finding if chk.finding is not None else NONE,
            **dates(requested_on=chk.requested_on, completed_on=chk.completed_on),
        )

    agency_ref: dict[str, int] = {}  # by rec.agency_key: names compared ignoring case and spaces
    for a, ag in enumerate(record.agencies or []):
        fid = f"a{a}"
        agency_ref[rec.agency_key(ag.name)] = a
        add(
            fid,
            "agency",
            _view(ag),
            ref=a,
            involvement=ag.involvement,
            **dates(consulted_on=ag.consulted_on),
        )
        out.subjects[fid] = (ag.name, ag.name)

    if closure is not None:
        for n, note in enumerate(closure.notified or []):
            add(
                f"n{n}",
                "notified",
                _view(note),
                # an agency name that matches no agency notifies nobody the rules know of
                agency=agency_ref.get(rec.agency_key(note.agency), -1),
                on=day_number(note.on),
            )

    for d, dis in enumerate(record.discharges or []):
        fid = f"d{d}"
        risk = dis.risk_to_children
        disclosure = dis.disclosure
        add(
            fid,
            "discharge",
            _view(dis) | {"name": names[dis.person]},
            ref=d,
            person=party[dis.person],
            service=dis.service,
            on=day_number(dis.on),
            reason=dis.reason,
            risk_recorded=risk is not None,
            risk_finding=risk.finding if risk is not None else NONE,
            disclosure=disclosure is not None,
            disclosure_decision=disclosure.decision if disclosure is not None else NONE,
            disclosure_reasons=terms.text_present(
                disclosure.reasons if disclosure is not None else None
            ),
            **dates(risk_assessed_on=risk.assessed_on if risk is not None else None),
        )
        out.subjects[fid] = (dis.person, names[dis.person])

    out.facts.append({"id": "e", FACT_TYPE_FIELD: "end"})
    return out
