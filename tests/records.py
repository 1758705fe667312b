"""Small builders for assessment records, and a seeded generator of valid random records.

Every builder returns plain dicts in record-format.md's shape; `run` parses and checks one.
The base is the rule files' `example_base` (tests/conftest.py `base_record()`), read once.
"""

from __future__ import annotations

import copy
import functools
import random
from datetime import date, timedelta
from typing import Any

from closure_check.api import checker_for
from closure_check.checker import Checker
from closure_check.report import Report

from .conftest import AS_OF, RULES, base_record, make_record

Data = dict[str, Any]


@functools.cache
def _base() -> Data:
    return base_record()


@functools.cache
def bundled() -> Checker:
    """The checker for the bundled rules (checker_for reloads the folder on every call)."""
    return checker_for(RULES)


def base() -> Data:
    """A fresh copy of the record that passes every rule (started Mon 2024-03-04, completed and
    decided Fri 2024-03-22; C1 Amy; P1 Carla mother, P2 Dev father, P3 Eve supporting aunt)."""
    return copy.deepcopy(_base())


def run(data: Data, as_of: date = AS_OF) -> Report:
    return bundled().check(make_record(data, as_of=as_of), as_of=as_of)


def shift(iso: str, days: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


def visit(on: str, how: str = "in_person", alone: bool | None = None) -> Data:
    v: Data = {"on": on, "how": how}
    if alone is not None:
        v["alone"] = alone
    return v


def child(cid: str = "C1", name: str = "Amy", **fields: Any) -> Data:
    """A child seen in person on 2024-03-06, outcome nfa, with recommendations."""
    c: Data = {
        "id": cid,
        "name": name,
        "seen": [visit("2024-03-06")],
        "outcome": "nfa",
        "recommendations": "Close with universal services.",
    }
    c.update(fields)
    return c


def person(pid: str, name: str, relationship: str, **fields: Any) -> Data:
    return {"id": pid, "name": name, "relationship": relationship, **fields}


def check(
    subject: str, source: str, status: str = "completed", on: str | None = "2024-03-05"
) -> Data:
    c: Data = {"subject": subject, "source": source, "status": status}
    if status == "completed":
        c["completed_on"] = on
    elif on is not None:
        c["requested_on"] = on
    return c


def parents(*, considered: bool = True) -> list[Data]:
    """Carla (mother) and Dev (father) of C1, both considered."""
    note = {"considered": "Seen at home."} if considered else {}
    return [
        person("P1", "Carla", "mother", parent_of=["C1"], **note),
        person("P2", "Dev", "father", parent_of=["C1"], **note),
    ]


def family_checks() -> list[Data]:
    """Completed checks about the family with children's social care and the police: enough for
    agency-checks-made, and none outstanding."""
    return [check("family", "children_social_care"), check("family", "police", on="2024-03-12")]


def checked(pid: str, *sources: str, on: str = "2024-03-10") -> list[Data]:
    return [check(pid, s, on=on) for s in sources]


def discharge(
    pid: str = "P3",
    reason: str = "completed",
    on: str = "2024-03-20",
    risk: tuple[str, str] | None = ("2024-03-20", "no_risk"),
    disclosure: tuple[str, str] | None = None,
    service: str = "adult_mental_health",
) -> Data:
    d: Data = {"person": pid, "service": service, "on": on, "reason": reason}
    if risk is not None:
        d["risk_to_children"] = {"assessed_on": risk[0], "finding": risk[1]}
    if disclosure is not None:
        d["disclosure"] = {"decision": disclosure[0], "reasons": disclosure[1]}
    return d


def discharge_record(*discharges: Data) -> Data:
    r = base()
    r["kind"] = "discharge"
    r["discharges"] = list(discharges) or [discharge()]
    return r


def within(start: str, end: str) -> Data:
    """The base record moved to run from `start` to `end`: every date it holds falls on `start`
    or `end`, so every rule still passes whatever the length of the assessment."""
    r = base()
    r["started_on"], r["completed_on"] = start, end
    r["decision"]["on"] = end
    for c in r["children"]:
        c["seen"] = [visit(start)]
    for k in r["checks"]:
        if k["status"] == "completed":
            k["completed_on"] = start
        else:
            k["requested_on"] = start
    for a in r["agencies"]:
        a["consulted_on"] = start
    r["closure"]["on"] = end
    for n in r["closure"]["notified"]:
        n["on"] = end
    return r


# ---------------------------------------------------------------------------------------------
# A seeded generator of valid records, for the invariance tests
# ---------------------------------------------------------------------------------------------

KINDS = ("initial", "single", "s47", "looked_after_review", "discharge")
RELATIONSHIPS = (
    "mother", "father", "parent", "step_parent", "partner_of_parent", "relative",
    "family_friend", "carer", "household_member", "other",
)  # fmt: skip
SOURCES = (
    "children_social_care", "police", "health", "education", "probation", "adult_social_care",
    "adult_mental_health", "other_local_authority", "other",
)  # fmt: skip
OUTCOMES = (
    "nfa", "early_help", "cin_plan", "s47_enquiry", "child_protection_conference",
    "looked_after", "other",
)  # fmt: skip
ROLES = ("social_worker", "senior_practitioner", "supervisor", "manager", "other")
CLOSURE_REASONS = (
    "nfa", "early_help", "disengaged", "did_not_attend", "moved_away", "transferred", "other",
)  # fmt: skip
BAD_TEXTS = (None, "", "   ", "N/A", " tbc ", "None", "See above", "-", "NFA")
GOOD_TEXTS = ("Recorded in full.", "Seen twice at home; no concerns.", "None known")
AGENCY_NAMES = ("Health Visiting", "Greenway Academy", "CAMHS", "Probation North", "GP Surgery")


def random_record(rng: random.Random, n: int = 0) -> Data:
    """A valid record with every part varied: kinds, 1-4 children (0-4 for a discharge), 0-6
    people of all relationships, checks of every source and status dated around the window,
    agencies, discharges and closures. Every date is on or before AS_OF (2025-06-30)."""
    start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 450))
    end = start + timedelta(days=rng.randrange(0, 85))

    def around(lo: date, hi: date) -> str:
        d = lo + timedelta(days=rng.randrange(-3, (hi - lo).days + 4))
        return min(d, AS_OF).isoformat()

    def near(d: date) -> str:
        return min(d + timedelta(days=rng.randrange(-2, 3)), AS_OF).isoformat()

    quality = rng.choice((0.3, 0.7, 0.9, 0.97))  # how likely each part is done properly

    def ok() -> bool:
        return rng.random() < quality

    def text() -> str | None:
        return rng.choice(GOOD_TEXTS) if ok() else rng.choice(BAD_TEXTS)

    kind = rng.choice(KINDS)
    n_children = rng.randrange(0 if kind == "discharge" else 1, 5)
    n_people = rng.randrange(1 if kind == "discharge" else 0, 7)
    child_ids = [f"C{i + 1}" for i in range(n_children)]
    person_ids = [f"P{i + 1}" for i in range(n_people)]

    people: list[Data] = []
    for pid in person_ids:
        p: Data = {"id": pid, "name": f"Adult {pid}", "relationship": rng.choice(RELATIONSHIPS)}
        if child_ids and rng.random() < 0.6:
            p["parent_of"] = rng.sample(child_ids, rng.randrange(0, len(child_ids) + 1))
            if not p["parent_of"] and p["relationship"] in ("mother", "father", "parent"):
                del p["parent_of"]  # an empty one is an input error since 1.1: every child's
        if rng.random() < 0.3:
            p["supporting"] = rng.random() < 0.7
        t = text()
        if t is not None:
            p["considered"] = t
        people.append(p)

    children: list[Data] = []
    for cid in child_ids:
        c: Data = {"id": cid, "name": f"Child {cid}"}
        if rng.random() < 0.15:
            c["unborn"] = True
        if rng.random() < 0.25:
            c["looked_after"] = True
        c["seen"] = [visit(around(start, end), "in_person", rng.random() < 0.5)] if ok() else []
        for _ in range(rng.randrange(0, 4)):
            how = rng.choice(("in_person", "in_person", "video", "phone"))
            c["seen"].append(visit(around(start, end), how, rng.choice((None, True, False))))
        if ok():
            c["outcome"] = rng.choice(OUTCOMES)
        for key in ("recommendations", "parents_note"):
            t = text()
            if t is not None:
                c[key] = t
        if person_ids and rng.random() < 0.6:
            c["lives_with"] = [
                {"person": pid, "since": around(start - timedelta(days=200), start)}
                for pid in rng.sample(person_ids, rng.randrange(1, min(3, len(person_ids)) + 1))
            ]
        children.append(c)

    subjects = ["family", "family", *child_ids, *person_ids, *person_ids]
    checks: list[Data] = []
    for source in ("children_social_care", rng.choice(SOURCES[1:])):
        if ok():
            checks.append(check("family", source, on=around(start, end)))
    for pid in person_ids:
        for source in ("police", "children_social_care"):
            if ok():
                checks.append(check(pid, source, on=around(start - timedelta(days=30), end)))
    for _ in range(rng.randrange(0, 5)):
        chk: Data = {"subject": rng.choice(subjects),
                     "source": rng.choice(SOURCES),
                     "status": rng.choice(("completed", "completed", "completed", "pending",
                                           "not_possible"))}  # fmt: skip
        if chk["status"] == "completed":
            chk["completed_on"] = around(start, end)
        if rng.random() < 0.5:
            chk["requested_on"] = around(start - timedelta(days=5), start)
        if rng.random() < 0.5:
            chk["finding"] = rng.choice(("no_concerns", "concerns"))
        checks.append(chk)
    rng.shuffle(checks)
    for k, chk in enumerate(checks):
        if rng.random() < 0.8:
            chk["id"] = f"K{k + 1}"

    agency_names = rng.sample(AGENCY_NAMES, rng.randrange(0, 4))
    agencies = [
        {"name": a, "involvement": rng.choice(("ongoing", "ongoing", "past")),
         "consulted_on": around(start, end) if rng.random() < 0.8 else None}
        for a in agency_names
    ]  # fmt: skip

    discharges: list[Data] = []
    if person_ids and (kind == "discharge" or rng.random() < 0.2):
        for _ in range(rng.randrange(1, 3)):
            on = date.fromisoformat(around(start, end))
            d: Data = {"person": rng.choice(person_ids),
                       "service": rng.choice(("adult_mental_health", "substance_misuse",
                                              "probation", "other")),
                       "on": on.isoformat(),
                       "reason": rng.choice(("completed", "did_not_attend", "disengaged",
                                             "moved", "other"))}  # fmt: skip
            if rng.random() < 0.8:
                finding = rng.choice(("risk", "no_risk", "unknown"))
                d["risk_to_children"] = {"assessed_on": near(on), "finding": finding}
            if ok():
                d["disclosure"] = {"decision": rng.choice(("full", "partial", "none")),
                                   "reasons": text() or ""}  # fmt: skip
            discharges.append(d)

    decision_on = date.fromisoformat(near(end))
    closure: Data | None = None
    if rng.random() < 0.7:
        # now and then a notification for an agency the record does not list
        names = [a for a in agency_names if ok()]
        if rng.random() < 0.1:
            names.append("Unlisted Service")
        closure = {
            "on": near(end),
            "reason": rng.choice(CLOSURE_REASONS),
            "notified": [{"agency": a, "on": near(decision_on)} for a in names],
        }
        if rng.random() < 0.5:
            nd: Data = {"notify": rng.random() < 0.5}
            t = text()
            if t is not None:
                nd["reasons"] = t
            closure["notification_decision"] = nd

    by = {"id": "TM-1", "name": "B. Manager", "role": rng.choice(ROLES)}
    decision: Data = {"on": decision_on.isoformat(), "by": by}
    for key in ("conclusion", "outstanding_information", "missing_information_plan"):
        t = text()
        if t is not None:
            decision[key] = t

    return {
        "format": "closure-check/assessment/1",
        "id": f"GEN-{n:04d}",
        "kind": kind,
        "started_on": start.isoformat(),
        "completed_on": end.isoformat(),
        "worker": {"id": "SW-1", "name": "A. Worker"},
        "decision": decision,
        "children": children,
        "people": people,
        "checks": checks,
        "agencies": agencies,
        "discharges": discharges,
        "closure": closure,
    }
