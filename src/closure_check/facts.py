"""Turn one assessment record into the small facts the rules engine matches.

Only identifiers (as small integers), enum values, booleans and numbers reach the engine: a date
becomes a day number, a free-text field becomes "present or not" (see `Terms.text_present`), and
ids become integer references. Names and notes stay here, in `Facts.items`, for the messages.

This module describes the record; it decides nothing. Which facts satisfy which rule is the
rules' business, and the engine's.
"""

from __future__ import annotations

import functools
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
#: A letter or a digit: exactly the characters `str.isalnum` accepts (tests/test_facts.py).
_ALNUM = re.compile(r"[^\W_]")


def normal_text(text: str) -> str:
    """A text as it is compared with the placeholders (rules.md, Terms, 1.1): runs of spaces
    as one space, trimmed, trailing `.`, `,`, `;`, `:`, `!` dropped, lower-cased.

    An ASCII text holds no zero-width space, and its spaces are those `str.split` splits at,
    so splitting and joining it makes the same text as the pattern, in a quarter of the time."""
    if text.isascii():
        return " ".join(text.split()).rstrip(_TRAILING).lower()
    return _SPACES.sub(" ", text).strip(" ").rstrip(_TRAILING).lower()


@dataclass(frozen=True)
class Terms:
    """The definitions of rules.md's Terms that shape facts; rule data the policy team edits.

    `reads`, when set, names the fields (`kind.field`) that the rules compiled with these terms
    read (checker.py sets it): `build_facts` sends the engine no other field. None: every one."""

    placeholders: frozenset[str]
    parent_relationships: frozenset[str]
    step_parent_relationships: frozenset[str]
    reads: frozenset[str] | None = None

    def text_present(self, text: str | None) -> bool:
        """Text is present when, made normal (`normal_text`), it has a letter or a digit and is
        not a placeholder (rules.md, Terms)."""
        if not text:  # None, or "": made normal, no letter or digit
            return False
        t = normal_text(text)
        return t not in self.placeholders and _ALNUM.search(t) is not None


@dataclass
class Facts:
    """The facts of one record, and the way back from a fact to what it describes."""

    facts: list[dict[str, Any]] = field(default_factory=list)
    #: fact id -> the record's own item (a dict as in the record), for messages
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: fact id -> (subject id in reports, display name), for facts that can be subjects
    subjects: dict[str, tuple[str, str]] = field(default_factory=dict)


@functools.lru_cache(maxsize=64)
def _unread(reads: frozenset[str] | None) -> dict[str, tuple[str, ...]]:
    """Each kind's fields that no rule reads (a `has_` field with its date), for `build_facts`
    to leave out of the engine's facts; nothing when `reads` is None."""
    if reads is None:
        return {}
    out = {}
    for kind, fields in FACTS.items():
        names = [has_field(n) if s.type is T.OPT_DATE else "" for n, s in fields.items()]
        unread = tuple(n for n in [*fields, *names] if n and f"{kind}.{n}" not in reads)
        if unread:
            out[kind] = unread
    return out


def build_facts(record: rec.Record, terms: Terms) -> Facts:
    """Describe `record` as facts. Fact ids are short and chosen here (never the user's ids),
    so identity is ours to control (see engine/session.py). Only the fields of `terms.reads`
    reach the facts, if it is set; each fact starts with `id`, then its kind (`t`).

    The facts are written out as dicts, not through helpers: this runs for every record, and
    most of its time was calls. An item (`Facts.items`) is the model's own field dict
    (`model.__dict__`, nothing writes to it), or a copy with what messages add to it."""
    out = Facts()
    facts, items, subjects = out.facts, out.items, out.subjects
    present = terms.text_present
    completed = record.completed_on
    children = record.children or []
    people = record.people or []
    party = {c.id: i for i, c in enumerate(children)}
    for j, p in enumerate(people, start=len(children)):
        party[p.id] = j
    names = {c.id: c.name for c in children} | {p.id: p.name for p in people}
    working_days = working_days_between(record.started_on, completed)

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
    considered = {p.id: present(p.considered) for p in people}  # a person's, and as a parent

    decision = record.decision
    closure = record.closure
    nd = closure.notification_decision if closure is not None else None
    closure_on = closure.on if closure is not None else None
    fact: dict[str, Any] = {
        "id": "r",
        FACT_TYPE_FIELD: "record",
        "kind": record.kind,
        "started_on": record.started_on.toordinal() - EPOCH,
        "completed_on": completed.toordinal() - EPOCH,
        "working_days": working_days,
        "decision_on": decision.on.toordinal() - EPOCH,
        "decided_by": decision.by.role,
        "conclusion": present(decision.conclusion),
        "outstanding_information": present(decision.outstanding_information),
        "missing_information_plan": present(decision.missing_information_plan),
        "closure": closure is not None,
        "closure_reason": closure.reason if closure is not None else NONE,
        "notification_decision": nd is not None,
        "notification_reasons": present(nd.reasons if nd is not None else None),
        "has_closure_on": closure_on is not None,
    }
    if closure_on is not None:
        fact["closure_on"] = closure_on.toordinal() - EPOCH
    facts.append(fact)
    items["r"] = record.__dict__ | {"working_days": working_days}
    subjects["r"] = ("assessment", "the assessment")

    for i, c in enumerate(children):
        fid, ref, cid, name = f"c{i}", party[c.id], c.id, c.name
        mine = parents_of[cid]
        facts.append({
            "id": fid,
            FACT_TYPE_FIELD: "child",
            "ref": ref,
            "unborn": bool(c.unborn),
            "looked_after": bool(c.looked_after),
            "outcome": c.outcome if c.outcome is not None else NONE,
            "recommendations": present(c.recommendations),
            "parents_note": present(c.parents_note),
            "parent_count": sum(1 for _, role in mine if role == "parent"),
        })  # fmt: skip
        items[fid] = c.__dict__
        subjects[fid] = (cid, name)
        for j, v in enumerate(c.seen or []):
            fid = f"v{i}_{j}"
            on = v.on.toordinal() - EPOCH
            facts.append({"id": fid, FACT_TYPE_FIELD: "visit", "child": ref, "on": on,
                          "how": v.how, "alone": bool(v.alone)})  # fmt: skip
            items[fid] = v.__dict__ | {"child": cid, "child_name": name}
        for j, (p, role) in enumerate(mine):
            fid = f"m{i}_{j}"
            facts.append({"id": fid, FACT_TYPE_FIELD: "parent", "child": ref, "person": party[p.id],
                          "role": role, "considered": considered[p.id]})  # fmt: skip
            items[fid] = {"person": p.__dict__, "role": role, "child": cid, "child_name": name}
        parent_ids = {p.id for p, role in mine if role == "parent"}
        looked_after = bool(c.looked_after)
        for j, lw in enumerate(c.lives_with or []):
            fid, pid = f"l{i}_{j}", lw.person
            facts.append({
                "id": fid,
                FACT_TYPE_FIELD: "lives_with",
                "child": ref,
                "person": party[pid],
                "since": lw.since.toordinal() - EPOCH,
                "child_looked_after": looked_after,
                "is_parent": pid in parent_ids,
            })  # fmt: skip
            items[fid] = lw.__dict__ | {"child": cid, "child_name": name, "name": names[pid]}

    # For messages only: the children each adult lives with, by name (never a fact field).
    lives_with_children: dict[str, list[str]] = {p.id: [] for p in people}
    for c in children:
        for lw in c.lives_with or []:
            if lw.person in lives_with_children and c.name not in lives_with_children[lw.person]:
                lives_with_children[lw.person].append(c.name)

    for j, p in enumerate(people):
        fid = f"p{j}"
        facts.append({"id": fid, FACT_TYPE_FIELD: "person", "ref": party[p.id],
                      "relationship": p.relationship, "supporting": bool(p.supporting),
                      "considered": considered[p.id]})  # fmt: skip
        items[fid] = p.__dict__ | {"lives_with_children": lives_with_children[p.id]}
        subjects[fid] = (p.id, p.name)

    for k, chk in enumerate(record.checks or []):
        fid = f"k{k}"
        about_family = chk.subject == "family"
        requested, done = chk.requested_on, chk.completed_on
        fact = {
            "id": fid,
            FACT_TYPE_FIELD: "check",
            "subject": -1 if about_family else party[chk.subject],
            "about_family": about_family,
            "source": chk.source,
            "status": chk.status,
            "finding": chk.finding if chk.finding is not None else NONE,
            "has_requested_on": requested is not None,
        }
        if requested is not None:
            fact["requested_on"] = requested.toordinal() - EPOCH
        fact["has_completed_on"] = done is not None
        if done is not None:
            fact["completed_on"] = done.toordinal() - EPOCH
        facts.append(fact)
        items[fid] = chk.__dict__ | {"name": "the family" if about_family else names[chk.subject]}

    agency_ref: dict[str, int] = {}  # by rec.agency_key: names compared ignoring case and spaces
    for a, ag in enumerate(record.agencies or []):
        fid = f"a{a}"
        agency_ref[rec.agency_key(ag.name)] = a
        consulted = ag.consulted_on
        fact = {"id": fid, FACT_TYPE_FIELD: "agency", "ref": a, "involvement": ag.involvement,
                "has_consulted_on": consulted is not None}  # fmt: skip
        if consulted is not None:
            fact["consulted_on"] = consulted.toordinal() - EPOCH
        facts.append(fact)
        items[fid] = ag.__dict__
        subjects[fid] = (ag.name, ag.name)

    if closure is not None:
        for n, note in enumerate(closure.notified or []):
            fid = f"n{n}"
            # an agency name that matches no agency notifies nobody the rules know of
            facts.append({"id": fid, FACT_TYPE_FIELD: "notified",
                          "agency": agency_ref.get(rec.agency_key(note.agency), -1),
                          "on": note.on.toordinal() - EPOCH})  # fmt: skip
            items[fid] = note.__dict__

    for d, dis in enumerate(record.discharges or []):
        fid = f"d{d}"
        risk = dis.risk_to_children
        disclosure = dis.disclosure
        assessed = risk.assessed_on if risk is not None else None
        fact = {
            "id": fid,
            FACT_TYPE_FIELD: "discharge",
            "ref": d,
            "person": party[dis.person],
            "service": dis.service,
            "on": dis.on.toordinal() - EPOCH,
            "reason": dis.reason,
            "risk_recorded": risk is not None,
            "risk_finding": risk.finding if risk is not None else NONE,
            "disclosure": disclosure is not None,
            "disclosure_decision": disclosure.decision if disclosure is not None else NONE,
            "disclosure_reasons": present(disclosure.reasons if disclosure is not None else None),
            "has_risk_assessed_on": assessed is not None,
        }
        if assessed is not None:
            fact["risk_assessed_on"] = assessed.toordinal() - EPOCH
        facts.append(fact)
        items[fid] = dis.__dict__ | {"name": names[dis.person]}
        subjects[fid] = (dis.person, names[dis.person])

    unread = _unread(terms.reads)
    if unread:  # one pass, after the facts are made: cheaper than a test for each field
        for fact in facts:
            for name in unread.get(fact[FACT_TYPE_FIELD], ()):
                fact.pop(name, None)
    facts.append({"id": "e", FACT_TYPE_FIELD: "end"})
    return out
