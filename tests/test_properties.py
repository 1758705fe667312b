"""Generated and mutated records (hypothesis): what must hold for every record, not only the
examples someone thought of.

- A valid record always gets a report with every catalogue rule, in catalogue order, the same
  report twice, and the same decisions as a plain reading of rules.md written here (`reference`).
- A record with every piece of evidence in place passes every blocker.
- An invalid record is always an input error naming the field; through the command line, exit 2
  and never a traceback.
- Metamorphic: reordering lists, renaming ids, adding a check that cannot matter, or adding
  `x_` fields never changes the verdict, a rule's status or who passes and fails; removing
  evidence never turns a failing rule or subject into a passing one.

Records are built from a string of bytes that hypothesis draws, explores and shrinks (`Genes`):
one draw per record instead of hundreds keeps 10,000 records within the time CI allows, and a
shorter or smaller string still means a simpler record, because every choice's first option is
its simplest. Dates are days from BASE, drawn close together so that they often fall exactly on
the boundaries the rules care about (the start, completion, the decision, a discharge).
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from closure_check.checker import Checker
from closure_check.cli import main
from closure_check.errors import InputError
from closure_check.record import Record, parse_record
from closure_check.report import Report
from closure_check.workdays import working_days_between

from .conftest import RULES

with warnings.catch_warnings():
    # On a failure hypothesis writes a patch with libcst, whose import warns (about
    # mypy_extensions); with warnings as errors that would hide the failing example behind an
    # INTERNALERROR. Importing it now, with warnings silenced, keeps failures readable.
    warnings.simplefilter("ignore")
    with contextlib.suppress(ImportError):
        import hypothesis.extra._patching  # noqa: F401

T = TypeVar("T")


def agency_key(name: str) -> str:
    """Agency names are compared ignoring case and runs of whitespace (record-format.md, 1.1)."""
    return " ".join(name.split()).casefold()


BASE = date(2024, 3, 1)
AS_OF = date(2025, 6, 30)  # every generated date is before this: later dates are invalid

KINDS = ["initial", "single", "s47", "looked_after_review", "discharge"]
ROLES = ["social_worker", "manager", "supervisor", "senior_practitioner", "other"]
OUTCOMES = [
    "nfa",
    "early_help",
    "cin_plan",
    "s47_enquiry",
    "child_protection_conference",
    "looked_after",
    "other",
]
HOWS = ["in_person", "video", "phone"]
RELATIONSHIPS = [
    "mother",
    "father",
    "parent",
    "step_parent",
    "partner_of_parent",
    "relative",
    "family_friend",
    "carer",
    "household_member",
    "other",
]
SOURCES = [
    "children_social_care",
    "police",
    "health",
    "education",
    "probation",
    "adult_social_care",
    "adult_mental_health",
    "other_local_authority",
    "other",
]
STATUSES = ["completed", "pending", "not_possible"]
FINDINGS = ["no_concerns", "concerns"]
SERVICES = ["adult_mental_health", "substance_misuse", "probation", "other"]
DISCHARGE_REASONS = ["completed", "did_not_attend", "disengaged", "moved", "other"]
RISK_FINDINGS = ["no_risk", "risk", "unknown"]
DISCLOSURES = ["full", "partial", "none"]
CLOSURE_REASONS = [
    "nfa",
    "early_help",
    "disengaged",
    "did_not_attend",
    "moved_away",
    "transferred",
    "other",
]

#: rules.md's placeholders, written as workers write them (case and spacing vary).
PLACEHOLDERS = [
    "n/a",
    " N/A ",
    "na",
    "None",
    "nil",
    "-",
    ".",
    "TBC",
    "tbd",
    "To follow",
    "NFA",
    "no further action",
    "See above",
    "",
    "   ",
    "\t\n",
]
#: Real texts, some close to a placeholder without being one.
REAL_TEXTS = [
    "Interviewed at home twice; parenting capacity assessed as good.",
    "Spoken to by phone.",
    "n/a - in prison, seen there on a legal visit",
    "None of the concerns were substantiated.",
    "Nfa after a review with the GP",
    "Close to children's social care.",
    "Ça va; vu à l'école",
    "見守り継続",
    "{{ name }} is a literal, not a template",
    "-.",
    "tbc tbc",
]
#: Characters for generated names and ids: accents, other scripts, an emoji, a combining
#: accent, zero-width and right-to-left marks, a NUL, template and format braces.
ALPHABET = list("aZ09 -_.'éßΩİıK李\U0001f600\u0301\u200b\u202e\x00\n{}%")
ID_POOL = [
    "C1",
    "C2",
    "P1",
    "P2",
    "P3",
    "c1",
    "Family",
    "families",
    "0",
    "-1",
    "id with space",
    "Ω",
    "ß",
    "Ⅻ",
    "\U0001f600",
    "r",
    "s",
    "e",
    "x",
    "k0",
    "none",
    "true",
    "null",
]
NAME_POOL = ["Amy", "Noor", "Dev", "Carla", "Eve", "José Ñúñez", "O'Brien", "李", "A" * 200]
AGENCY_POOL = [
    "Health Visiting",
    "School",
    "GP",
    "Police",
    "CAMHS",
    "Probation",
    "Youth Offending",
    "health visiting",
    "Ω agency",
]

SETTINGS: dict[str, Any] = {
    "deadline": None,
    "derandomize": True,  # the same records every run: CI is reproducible
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
GENOME = st.binary(min_size=512, max_size=512)  # a record uses about 270 bytes, rarely 400


def day(n: int) -> str:
    return (BASE + timedelta(days=n)).isoformat()


def offset(iso: str) -> int:
    return (date.fromisoformat(iso) - BASE).days


class Genes:
    """Choices read from hypothesis' bytes; past the end every choice is its first option."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def byte(self) -> int:
        b = self.data[self.at] if self.at < len(self.data) else 0
        self.at += 1
        return b

    def int(self, lo: int, hi: int) -> int:
        span = hi - lo + 1
        value = self.byte() if span <= 256 else self.byte() << 8 | self.byte()
        return lo + value % span

    def choice(self, values: Sequence[T]) -> T:
        return values[self.int(0, len(values) - 1)]

    def bool(self) -> bool:
        return self.byte() % 2 == 1

    def one_in(self, n: int) -> bool:
        return self.byte() % n == n - 1

    def text(self, max_size: int, min_size: int = 0) -> str:
        return "".join(self.choice(ALPHABET) for _ in range(self.int(min_size, max_size)))

    def sublist(self, values: Sequence[T], max_size: int = 3) -> list[T]:
        if not values:
            return []
        return [self.choice(values) for _ in range(self.int(0, max_size))]

    def shuffle(self, items: list[Any]) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.int(0, i)
            items[i], items[j] = items[j], items[i]

    def ident(self) -> str:
        value = self.choice(ID_POOL) if self.int(0, 3) else self.text(6, min_size=1)
        return value if value != "family" else "family!"

    def ids(self, n: int) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            value = self.ident()
            out.append(value if value not in out else f"{value}#{len(out)}")
        return out

    def name(self) -> str:
        return self.choice(NAME_POOL) if self.int(0, 2) else self.text(12)

    def some_text(self) -> str:
        """Text a rule may require: a placeholder, a real text or anything at all."""
        kind = self.int(0, 3)
        if kind == 0:
            return self.choice(REAL_TEXTS)
        return self.choice(PLACEHOLDERS) if kind < 3 else self.text(20)

    def maybe(
        self, item: dict[str, Any], key: str, make: Callable[[], Any], *, null: bool = True
    ) -> None:
        """Leave `key` out, give it a value, or (where the format allows it) null."""
        choice = self.int(0, 3 if null else 2)
        if choice == 3:
            item[key] = None
        elif choice:
            item[key] = make()


# ---------------------------------------------------------------------------------------------
# Valid records
# ---------------------------------------------------------------------------------------------


def build_record(g: Genes, diligent: bool | None = None) -> dict[str, Any]:
    """A record that fits record-format.md: every kind, 0 to 4 children, adults of every
    relationship, checks of every source and status, agencies, discharges and closures, with
    placeholders and real texts. A `diligent` record has every piece of evidence the rules ask
    for added to it (`make_diligent`), so it must pass every blocker."""
    kind = g.choice(KINDS)
    started = g.int(0, 12)
    # completion on the start day at the earliest: earlier is an input error since 1.1
    completed = started + (g.int(0, 70) if not g.one_in(16) else 0)

    def when() -> str:
        # Often exactly on, or a day either side of, a boundary of the assessment.
        near = [started, completed, started - 1, completed + 1]
        return day(g.choice(near) if g.bool() else g.int(-3, 75))

    n_children = g.int(0 if kind == "discharge" else 1, 4)
    n_people = g.int(1 if kind == "discharge" else 0, 4)
    ids = g.ids(n_children + n_people)
    child_ids, person_ids = ids[:n_children], ids[n_children:]

    rec: dict[str, Any] = {}
    if g.bool():
        rec["format"] = "closure-check/assessment/1"
    rec |= {
        "id": g.ident(),
        "kind": kind,
        "started_on": day(started),
        "completed_on": day(completed),
    }
    worker: dict[str, Any] = {"id": g.ident()}
    g.maybe(worker, "name", g.name)
    g.maybe(worker, "team", g.name)
    rec["worker"] = worker
    by: dict[str, Any] = {"role": g.choice(ROLES)}
    g.maybe(by, "id", g.ident)
    g.maybe(by, "name", g.name)
    decision: dict[str, Any] = {"on": when(), "by": by}
    for key in ("conclusion", "outstanding_information", "missing_information_plan"):
        g.maybe(decision, key, g.some_text)
    rec["decision"] = decision

    children = []
    for cid in child_ids:
        child: dict[str, Any] = {"id": cid, "name": g.name()}
        g.maybe(child, "date_of_birth", when)
        g.maybe(child, "unborn", lambda: g.one_in(3), null=False)
        g.maybe(child, "looked_after", g.bool, null=False)
        visits = []
        for _ in range(g.int(0, 3)):
            visit: dict[str, Any] = {"on": when(), "how": g.choice(HOWS)}
            g.maybe(visit, "alone", g.bool)
            g.maybe(visit, "by", g.ident)
            visits.append(visit)
        g.maybe(child, "seen", lambda v=visits: v, null=False)
        g.maybe(child, "outcome", lambda: g.choice(OUTCOMES))
        g.maybe(child, "recommendations", g.some_text)
        g.maybe(child, "parents_note", g.some_text)
        lives = [{"person": p, "since": when()} for p in g.sublist(person_ids)]
        g.maybe(child, "lives_with", lambda lw=lives: lw, null=False)
        children.append(child)
    if children or kind != "discharge" or g.bool():
        rec["children"] = children

    people = []
    for pid in person_ids:
        person: dict[str, Any] = {
            "id": pid,
            "name": g.name(),
            "relationship": g.choice(RELATIONSHIPS),
        }
        listed = sorted(set(g.sublist(child_ids)))
        g.maybe(person, "parent_of", lambda listed=listed: listed, null=False)
        if person.get("parent_of") == [] and person["relationship"] in (
            "mother",
            "father",
            "parent",
        ):
            del person["parent_of"]  # a parent's empty parent_of is an input error since 1.1
        g.maybe(person, "supporting", g.bool, null=False)
        g.maybe(person, "considered", g.some_text)
        people.append(person)
    if people or g.bool():  # people may be left out only when there are none
        rec["people"] = people

    checks = []
    check_ids = iter(g.ids(8))
    for _ in range(g.int(0, 6)):
        status = g.choice(STATUSES)
        chk: dict[str, Any] = {
            "subject": g.choice(["family", *ids]),
            "source": g.choice(SOURCES),
            "status": status,
        }
        g.maybe(chk, "id", lambda: next(check_ids))
        g.maybe(chk, "requested_on", when)
        if status == "completed":
            chk["completed_on"] = when()
        else:
            g.maybe(chk, "completed_on", when)
        g.maybe(chk, "finding", lambda: g.choice(FINDINGS))
        g.maybe(chk, "note", g.some_text)
        checks.append(chk)
    g.maybe(rec, "checks", lambda: checks, null=False)

    # agency names are compared ignoring case and spaces (1.1): the first of each kept
    agency_names = list({agency_key(n): n for n in reversed(g.sublist(AGENCY_POOL))}.values())[::-1]
    agencies = []
    for agency_name in agency_names:
        agency: dict[str, Any] = {"name": agency_name, "involvement": g.choice(["ongoing", "past"])}
        g.maybe(agency, "consulted_on", when)
        agencies.append(agency)
    g.maybe(rec, "agencies", lambda: agencies, null=False)

    discharges = []
    for _ in range(g.int(1 if kind == "discharge" else 0, 2) if person_ids else 0):
        dis: dict[str, Any] = {
            "person": g.choice(person_ids),
            "service": g.choice(SERVICES),
            "on": when(),
            "reason": g.choice(DISCHARGE_REASONS),
        }
        risk: dict[str, Any] = {"assessed_on": when(), "finding": g.choice(RISK_FINDINGS)}
        g.maybe(risk, "note", g.some_text)
        g.maybe(dis, "risk_to_children", lambda r=risk: r)
        disclosure: dict[str, Any] = {"decision": g.choice(DISCLOSURES), "reasons": g.some_text()}
        g.maybe(disclosure, "decided_by", g.name)
        g.maybe(disclosure, "on", when)
        g.maybe(dis, "disclosure", lambda d=disclosure: d)
        discharges.append(dis)
    if discharges or g.bool():
        rec["discharges"] = discharges

    if g.bool():
        closure: dict[str, Any] = {"on": when(), "reason": g.choice(CLOSURE_REASONS)}
        targets = [*agency_names, "An agency not listed"]
        notified = [{"agency": a, "on": when()} for a in g.sublist(targets)]
        g.maybe(closure, "notified", lambda: notified, null=False)
        nd: dict[str, Any] = {"notify": g.bool()}
        g.maybe(nd, "reasons", g.some_text)
        g.maybe(closure, "notification_decision", lambda: nd)
        rec["closure"] = closure
    elif g.bool():
        rec["closure"] = None

    if diligent is None:
        diligent = g.one_in(3)
    return make_diligent(rec) if diligent else rec


def valid_records(diligent: bool | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return GENOME.map(lambda b: build_record(Genes(b), diligent))


def _with_genes(make: Callable[[Genes], T]) -> st.SearchStrategy[T]:
    return GENOME.map(lambda b: make(Genes(b)))


def make_diligent(rec: dict[str, Any]) -> dict[str, Any]:
    """Add every piece of evidence rules.md asks for, without taking anything away: the record
    must then pass every blocker rule, whatever else it holds."""
    rec = copy.deepcopy(rec)
    if rec["completed_on"] < rec["started_on"]:
        rec["completed_on"] = rec["started_on"]
    start, done = rec["started_on"], rec["completed_on"]
    decision = rec["decision"]
    for key in ("outstanding_information", "missing_information_plan"):
        decision[key] = "What is missing, and the manager's plan to obtain it."
    decision["by"]["role"] = "manager"
    children = rec.get("children") or []
    people = rec.get("people") or []
    for child in children:
        child.setdefault("seen", []).append({"on": start, "how": "in_person", "alone": True})
        child["recommendations"] = "Clear recommendations for progression."
        child["parents_note"] = "Why a parent could not be considered."
        if child.get("outcome") is None:
            child["outcome"] = "early_help"
    checks = rec.setdefault("checks", [])
    for check in checks:
        check.pop("id", None)  # the checks added below have no id: none can clash
    checks += [
        {
            "subject": "family",
            "source": "children_social_care",
            "status": "completed",
            "completed_on": start,
        },
        {"subject": "family", "source": "police", "status": "completed", "completed_on": start},
    ]
    for person in people:
        person["considered"] = "How this adult was considered."
        for source in ("police", "children_social_care"):
            checks.append(
                {
                    "subject": person["id"],
                    "source": source,
                    "status": "completed",
                    "completed_on": start,
                }
            )
    for agency in rec.get("agencies") or []:
        if agency["involvement"] == "ongoing":
            agency["consulted_on"] = done
    closure = rec.get("closure")
    if closure is not None:
        for agency in rec.get("agencies") or []:
            if agency["involvement"] == "ongoing":
                notes = closure.setdefault("notified", [])
                notes.append({"agency": agency["name"], "on": decision["on"]})
        closure["notification_decision"] = {"notify": True, "reasons": "Agencies should know."}
    for dis in rec.get("discharges") or []:
        risk = dis.get("risk_to_children")
        if risk is None or risk["assessed_on"] > dis["on"]:
            dis["risk_to_children"] = {"assessed_on": dis["on"], "finding": "unknown"}
        dis["disclosure"] = {"decision": "none", "reasons": "Asked and decided, with reasons."}
    return rec


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


def parse(data: dict[str, Any]) -> Record:
    # Shown with a failing example, which hypothesis gives as the bytes it was built from.
    note(f"record: {json.dumps(data, ensure_ascii=False)}")
    return parse_record(data, source="generated.json", as_of=AS_OF)


def run(checker: Checker, data: dict[str, Any]) -> Report:
    return checker.check(parse(data), as_of=AS_OF)


def outcome(
    report: Report, rename: Callable[[str, str], str] = lambda rule, subject: subject
) -> dict[str, Any]:
    """What the metamorphic properties compare: the verdict, each rule's status, and who passes
    and who fails each rule (subject ids through `rename(rule, subject)`). Messages may quote
    the record in its own order, so they are not compared."""
    return {
        "verdict": report.verdict,
        "rules": {
            r.rule: (
                r.status,
                sorted(Counter((rename(r.rule, f.subject), f.status) for f in r.findings).items()),
            )
            for r in report.results
        },
    }


def failing(report: Report) -> set[tuple[str, str]]:
    return {(r.rule, f.subject) for r in report.results for f in r.failures}


def catalogue(checker: Checker) -> list[str]:
    return [lr.rule.id for lr in checker.rules]


# ---------------------------------------------------------------------------------------------
# A reference reading of rules.md, written from the spec's table and independent of the engine
# and the rule files: for each rule, the subjects it applies to and those that fail.
# ---------------------------------------------------------------------------------------------


def reference(data: dict[str, Any], placeholders: frozenset[str]) -> dict[str, Any]:
    def present(t: str | None) -> bool:
        # rules.md, Terms (1.1): spaces (zero-width ones too) as one, trimmed, trailing . , ; : !
        # dropped, lower-cased; never present without a letter or a digit
        if t is None:
            return False
        words = "".join(" " if ch.isspace() or ch in "\u200b\u200c\u200d\u2060\ufeff" else ch
                        for ch in t).split()  # fmt: skip
        norm = " ".join(words).rstrip(" .,;:!").lower()
        return any(ch.isalnum() for ch in norm) and norm not in placeholders

    start, done = date.fromisoformat(data["started_on"]), date.fromisoformat(data["completed_on"])

    def d(iso: str | None) -> date | None:
        return None if iso is None else date.fromisoformat(iso)

    children = data.get("children") or []
    people = data.get("people") or []
    checks = data.get("checks") or []
    agencies = data.get("agencies") or []
    discharges = data.get("discharges") or []
    closure = data.get("closure")
    decision = data["decision"]
    assessment = data["kind"] != "discharge"
    out: dict[str, dict[str, str]] = {}

    def completed_by(c: dict[str, Any], end: date, begin: date | None = None) -> bool:
        on = d(c.get("completed_on"))
        return (
            c["status"] == "completed"
            and on is not None
            and on <= end
            and (begin is None or on >= begin)
        )

    outstanding = any(not completed_by(c, done) for c in checks)

    def checked(pid: str) -> bool:
        return all(
            any(c["subject"] == pid and c["source"] == s and completed_by(c, done) for c in checks)
            for s in ("police", "children_social_care")
        )

    parents: dict[str, list[tuple[dict[str, Any], bool]]] = {c["id"]: [] for c in children}
    for p in people:
        listed = p.get("parent_of") or []
        if p["relationship"] in ("mother", "father", "parent"):
            for cid in dict.fromkeys(listed or [c["id"] for c in children]):
                parents[cid].append((p, True))
        elif p["relationship"] == "step_parent":
            for cid in dict.fromkeys(listed):
                parents[cid].append((p, False))

    r: dict[str, str] = {}
    if assessment:
        internal = any(
            completed_by(c, done, start) and c["source"] == "children_social_care" for c in checks
        )
        other = any(
            completed_by(c, done, start) and c["source"] != "children_social_care" for c in checks
        )
        r["assessment"] = "pass" if internal and other else "fail"
        for a in agencies:
            if a["involvement"] == "ongoing":
                on = d(a.get("consulted_on"))
                r[a["name"]] = "pass" if on is not None and on <= done else "fail"
    out["agency-checks-made"] = r

    def seen(child: dict[str, Any], alone: bool) -> bool:
        return any(
            v["how"] == "in_person"
            and start <= d(v["on"]) <= done  # type: ignore[operator]
            and (not alone or v.get("alone") is True)
            for v in child.get("seen") or []
        )

    out["child-seen"] = {
        c["id"]: "pass" if seen(c, False) else "fail"
        for c in children
        if assessment and not c.get("unborn")
    }

    lives_not_la = {
        lw["person"]
        for c in children
        if not c.get("looked_after")
        for lw in c.get("lives_with") or []
        if lw["person"] not in {p["id"] for p, is_parent in parents[c["id"]] if is_parent}
    }
    out["supporting-adults-checked"] = {
        p["id"]: "pass" if checked(p["id"]) else "fail"
        for p in people
        if assessment
        and (p.get("supporting") or p["relationship"] == "carer" or p["id"] in lives_not_la)
    }

    r = {}
    for c in children if assessment else []:
        ok = all(present(p.get("considered")) for p, _ in parents[c["id"]])
        count = sum(1 for _, is_parent in parents[c["id"]] if is_parent)
        ok = ok and (count >= 2 or present(c.get("parents_note")))
        r[c["id"]] = "pass" if ok else "fail"
    out["both-parents-considered"] = r

    r = {}
    if assessment and outstanding:
        r["assessment"] = "pass" if present(decision.get("outstanding_information")) else "fail"
    out["outstanding-information-stated"] = r

    out["recommendations-for-progression"] = {
        c["id"]: "pass" if present(c.get("recommendations")) else "fail"
        for c in children
        if assessment
    }

    r = {}
    nfa = any(c.get("outcome") == "nfa" for c in children) or (
        closure is not None and closure["reason"] == "nfa"
    )
    if assessment and nfa and outstanding:
        ok = decision["by"]["role"] in ("supervisor", "manager") and present(
            decision.get("missing_information_plan")
        )
        r["assessment"] = "pass" if ok else "fail"
    out["nfa-needs-all-checks"] = r

    household = {
        lw["person"] for c in children if c.get("looked_after") for lw in c.get("lives_with") or []
    }
    out["looked-after-household-checked"] = {
        p["id"]: "pass" if checked(p["id"]) else "fail"
        for p in people
        if assessment and p["id"] in household
    }

    r = {}
    if assessment and closure is not None:
        notes = closure.get("notified") or []
        for a in agencies:
            if a["involvement"] == "ongoing":
                told = any(
                    agency_key(n["agency"]) == agency_key(a["name"]) and n["on"] >= decision["on"]
                    for n in notes
                )
                r[a["name"]] = "pass" if told else "fail"
    out["closure-notifies-agencies"] = r

    def worst(results: list[tuple[str, bool]]) -> dict[str, str]:
        merged: dict[str, str] = {}
        for subject, ok in results:
            if merged.get(subject) != "fail":
                merged[subject] = "pass" if ok else "fail"
        return merged

    out["discharge-risk-recorded"] = worst(
        [
            (
                x["person"],
                x.get("risk_to_children") is not None
                and x["risk_to_children"]["assessed_on"] <= x["on"],
            )
            for x in discharges
        ]
    )
    out["discharge-disclosure-decided"] = worst(
        [
            (x["person"], x.get("disclosure") is not None and present(x["disclosure"]["reasons"]))
            for x in discharges
            if x["reason"] in ("did_not_attend", "disengaged")
            or (x.get("risk_to_children") or {}).get("finding") in ("risk", "unknown")
        ]
    )
    out["each-child-own-outcome"] = {
        c["id"]: "pass" if c.get("outcome") is not None else "fail" for c in children if assessment
    }

    r = {}
    if assessment and closure is not None and closure["reason"] in ("disengaged", "did_not_attend"):
        nd = closure.get("notification_decision")
        r["assessment"] = "pass" if nd is not None and present(nd.get("reasons")) else "fail"
    out["disengagement-closure-decided"] = r

    r = {}
    if assessment:
        r["assessment"] = "pass" if working_days_between(start, done) <= 45 else "fail"
    out["assessment-timescale"] = r

    out["child-seen-alone"] = {
        c["id"]: "pass" if seen(c, True) else "fail"
        for c in children
        if data["kind"] == "s47" and not c.get("unborn")
    }
    return out


def engine_view(report: Report) -> dict[str, dict[str, str]]:
    """The report in the reference's shape: a discharge finding merges per person, as the
    reference does (two discharges of one adult are one subject, failing if either fails)."""
    out: dict[str, dict[str, str]] = {}
    for result in report.results:
        merged: dict[str, str] = {}
        for f in result.findings:
            if merged.get(f.subject) != "fail":
                merged[f.subject] = f.status
        out[result.rule] = merged
    return out


# ---------------------------------------------------------------------------------------------
# Valid records: the report is complete, ordered, deterministic, and right
# ---------------------------------------------------------------------------------------------

N_VALID = 2500


@settings(max_examples=N_VALID, **SETTINGS)
@given(data=valid_records())
def test_every_valid_record_gets_every_rule_in_catalogue_order_the_same_way_twice(
    checker: Checker, data: dict[str, Any]
) -> None:
    first = run(checker, data)
    second = run(checker, copy.deepcopy(data))
    assert [r.rule for r in first.results] == catalogue(checker)
    assert first.to_json() == second.to_json()
    blocked = any(r.status == "fail" and r.severity == "blocker" for r in first.results)
    assert first.verdict == ("fail" if blocked else "pass")
    for result in first.results:
        assert (result.status == "not_applicable") == (not result.findings)
        assert result.status != "fail" or result.failures
    # The engine decides each rule, subject by subject, as a plain reading of rules.md does.
    assert engine_view(first) == reference(data, checker.rules.terms.placeholders)


N_DILIGENT = 800


@settings(max_examples=N_DILIGENT, **SETTINGS)
@given(data=valid_records(diligent=True))
def test_a_record_with_every_piece_of_evidence_passes_every_blocker(
    checker: Checker, data: dict[str, Any]
) -> None:
    report = run(checker, data)
    assert [r.rule for r in report.failed_rules if r.severity == "blocker"] == []
    assert report.verdict == "pass"


# ---------------------------------------------------------------------------------------------
# Invalid records
# ---------------------------------------------------------------------------------------------


def _objects(value: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every group of fields in the record, with its path."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _objects(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _objects(item, f"{path}[{i}]")


def _get(rec: dict[str, Any], path: str) -> Any:
    value: Any = rec
    for part in path.replace("]", "").replace("[", ".").split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


#: Where each enum and each date is: (list in the record, or "" for the top level, field).
ENUM_FIELDS = [
    ("", "kind"),
    ("children", "outcome"),
    ("people", "relationship"),
    ("checks", "source"),
    ("checks", "status"),
    ("checks", "finding"),
    ("agencies", "involvement"),
    ("discharges", "service"),
    ("discharges", "reason"),
]
DATE_FIELDS = [
    ("", "started_on"),
    ("", "completed_on"),
    ("children", "date_of_birth"),
    ("checks", "requested_on"),
    ("checks", "completed_on"),
    ("agencies", "consulted_on"),
    ("discharges", "on"),
]
REQUIRED = {
    "": ["id", "kind", "started_on", "completed_on", "worker", "decision"],
    "children": ["id", "name"],
    "people": ["id", "name", "relationship"],
    "checks": ["subject", "source", "status"],
    "agencies": ["name", "involvement"],
    "discharges": ["person", "service", "on", "reason"],
}
BAD_DATES: list[Any] = [
    "2025-02-30",
    "2024-13-01",
    "2024-3-5",
    "05/03/2024",
    "",
    "2999-01-01",
    "2024-03-05T10:00:00",
    "２０２４-03-05",
    20240305,
    None,
]
BAD_ENUMS: list[Any] = ["Police", "in person", "", "unknown", "NFA", " nfa", 1, True, None]
UNKNOWN_KEYS = ["suporting", "Notes", "xfield", "X_note", "_x", "x-note", "id ", "Id", ""]


def invalid_case(g: Genes) -> tuple[dict[str, Any], str, str]:
    """A valid record with one mistake record-format.md calls an input error, the path of the
    field that is wrong, and what the mistake was."""
    rec = build_record(g)

    def items(group: str) -> list[tuple[str, dict[str, Any]]]:
        if group == "":
            return [("", rec)]
        return [(f"{group}[{i}]", item) for i, item in enumerate(rec.get(group) or [])]

    def at(prefix: str, key: str) -> str:
        return f"{prefix}.{key}" if prefix else key

    def target(prefix: str) -> Any:
        return rec if prefix == "" else _get(rec, prefix)

    parties = [*items("children"), *items("people")]
    options = [
        "unknown_field",
        "bad_type",
        "drop_required",
        "bad_format",
        "bad_enum",
        "bad_date",
        "empty_required_list",
    ]
    if rec.get("checks"):
        options += ["dangling_check", "completed_without_date"]
    if len(parties) >= 2:
        options.append("duplicate_id")
    if parties:
        options.append("family_id")
    if rec.get("agencies"):
        options.append("duplicate_agency")
    if rec.get("people") and rec.get("children"):
        options += ["dangling_parent_of", "lives_with_a_child"]
    if rec.get("discharges"):
        options.append("dangling_discharge")
    what = g.choice(options)

    if what == "unknown_field":
        path, obj = g.choice(list(_objects(rec)))
        key = g.choice(UNKNOWN_KEYS)
        while key in obj:
            key += "!"
        obj[key] = g.choice([True, "text", None, 1, [], {}])
        return rec, at(path, key), what
    if what == "bad_type":
        spots: list[tuple[str, str, Any]] = [
            ("", "id", 123),
            ("", "children", {}),
            ("", "people", "P1"),
            ("worker", "id", None),
            ("decision", "by", "manager"),
            ("", "checks", "none"),  # null is the list left out (1.1)
            ("decision", "conclusion", 1.5),
        ]
        spots += [(p, "unborn", "true") for p, _ in items("children")]
        spots += [(p, "seen", {"on": "2024-03-01"}) for p, _ in items("children")]
        spots += [(p, "supporting", 1) for p, _ in items("people")]
        spots += [(p, "name", 7) for p, _ in items("people")]
        spots += [(p, "parent_of", "C1") for p, _ in items("people")]
        prefix, key, value = g.choice(spots)
        target(prefix)[key] = value
        return rec, at(prefix, key), what
    if what == "drop_required":
        fields = [(p, k) for grp, keys in REQUIRED.items() for p, _ in items(grp) for k in keys]
        fields += [
            ("worker", "id"),
            ("decision", "on"),
            ("decision", "by"),
            ("decision.by", "role"),
        ]
        prefix, key = g.choice(fields)
        target(prefix).pop(key, None)
        return rec, at(prefix, key), what
    if what == "bad_format":
        # (null is the format left out since 1.1; "1.2" is no format)
        rec["format"] = g.choice(
            ["closure-check/assessment/2", "", "closure-check/assessment/1.2", 1]
        )
        return rec, "format", what
    if what == "bad_enum":
        prefix, key = g.choice([(p, k) for grp, k in ENUM_FIELDS for p, _ in items(grp)])
        value = g.choice(BAD_ENUMS)
        if value is None and key in ("outcome", "finding"):
            value = "none"  # null is how these say that nothing was recorded
        target(prefix)[key] = value
        return rec, at(prefix, key), what
    if what == "bad_date":
        fields = [(p, k) for grp, k in DATE_FIELDS for p, _ in items(grp)] + [("decision", "on")]
        prefix, key = g.choice(fields)
        value = g.choice(BAD_DATES)
        if value is None and key != "on" and prefix:
            value = "2024-02-30"  # null is how an optional date says that none was recorded
        target(prefix)[key] = value
        return rec, at(prefix, key), what
    if what == "dangling_check":
        i = g.int(0, len(rec["checks"]) - 1)
        taken = {x["id"] for _, x in parties}
        unknown = [s for s in ["nobody here", "Family", " family", "", "FAMILY"] if s not in taken]
        rec["checks"][i]["subject"] = g.choice(unknown)
        return rec, f"checks[{i}].subject", what
    if what == "completed_without_date":
        i = g.int(0, len(rec["checks"]) - 1)
        rec["checks"][i]["status"] = "completed"
        if g.bool():
            rec["checks"][i].pop("completed_on", None)
        else:
            rec["checks"][i]["completed_on"] = None
        return rec, f"checks[{i}].completed_on", what
    if what == "duplicate_id":
        first = g.int(0, len(parties) - 2)
        second = g.int(first + 1, len(parties) - 1)
        parties[second][1]["id"] = parties[first][1]["id"]
        return rec, f"{parties[second][0]}.id", what  # the later one is named
    if what == "family_id":
        path, party = g.choice(parties)
        party["id"] = "family"
        return rec, f"{path}.id", what
    if what == "duplicate_agency":
        rec["agencies"].append(dict(g.choice(rec["agencies"]), involvement="past"))
        return rec, f"agencies[{len(rec['agencies']) - 1}].name", what
    if what == "dangling_parent_of":
        i = g.int(0, len(rec["people"]) - 1)
        listed = rec["people"][i].setdefault("parent_of", [])
        listed.append(g.choice(["not a child here", rec["people"][i]["id"]]))
        return rec, f"people[{i}].parent_of[{len(listed) - 1}]", what
    if what == "lives_with_a_child":
        i = g.int(0, len(rec["children"]) - 1)
        lives = rec["children"][i].setdefault("lives_with", [])
        lives.append({"person": rec["children"][0]["id"], "since": "2024-03-01"})
        return rec, f"children[{i}].lives_with[{len(lives) - 1}].person", what
    if what == "dangling_discharge":
        i = g.int(0, len(rec["discharges"]) - 1)
        rec["discharges"][i]["person"] = g.choice(
            ["nobody", *[c["id"] for c in rec.get("children") or []]]
        )
        return rec, f"discharges[{i}].person", what
    assert what == "empty_required_list"
    # References to what is gone may now fail too: more problems, which is fine.
    if rec["kind"] == "discharge":
        rec["discharges"] = []
        return rec, "discharges", what
    if g.bool():
        rec["children"] = []
    else:
        rec.pop("children", None)
    return rec, "children", what


invalid_records = _with_genes(invalid_case)


def _names_the_field(paths: list[str], path: str) -> bool:
    return any(p == path or p.startswith((path + ".", path + "[")) for p in paths)


N_INVALID = 2500


@settings(max_examples=N_INVALID, **SETTINGS)
@given(case=invalid_records)
def test_every_invalid_record_is_an_input_error_naming_the_field(
    case: tuple[dict[str, Any], str, str],
) -> None:
    data, path, what = case
    with pytest.raises(InputError) as caught:
        parse(data)
    problems = caught.value.problems
    assert problems and all(p.source == "generated.json" and p.message for p in problems)
    assert _names_the_field([p.path for p in problems], path), (what, problems)


N_CLI_INVALID = 15


@settings(max_examples=N_CLI_INVALID, **SETTINGS)
@given(case=invalid_records)
def test_an_invalid_record_given_to_the_command_line_exits_2_naming_the_file_and_field(
    case: tuple[dict[str, Any], str, str],
) -> None:
    data, path, what = case
    note(f"record: {json.dumps(data, ensure_ascii=False)}")
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "case.json"
        file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        args = ["check", str(file), "--as-of", AS_OF.isoformat(), "--rules", str(RULES)]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, (what, result.output)
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert f"{file}: {path}" in result.stderr, (what, result.stderr)


def _sample_invalid(n: int) -> list[tuple[dict[str, Any], str, str]]:
    """`n` invalid records, each with a different kind of mistake, the same every run."""
    found: dict[str, tuple[dict[str, Any], str, str]] = {}
    seed = 0
    while len(found) < n:
        case = invalid_case(Genes(random.Random(seed).randbytes(512)))
        found.setdefault(case[2], case)
        seed += 1
    return list(found.values())


def test_invalid_records_in_a_real_process_exit_2_without_a_traceback(tmp_path: Path) -> None:
    """A small sample through `closure-check check` itself, each in its own process."""
    for n, (data, path, what) in enumerate(_sample_invalid(4)):
        file = tmp_path / f"case{n}.json"
        file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "closure_check.cli",
                "check",
                str(file),
                "--as-of",
                AS_OF.isoformat(),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2, (what, proc.stdout, proc.stderr)
        assert proc.stdout == ""
        assert "Traceback" not in proc.stderr
        assert f"{file}: {path}" in proc.stderr, (what, proc.stderr)


# ---------------------------------------------------------------------------------------------
# Metamorphic properties
# ---------------------------------------------------------------------------------------------


def _lists(value: Any) -> Iterator[list[Any]]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _lists(item)
    elif isinstance(value, list):
        yield value
        for item in value:
            yield from _lists(item)


def reordered(g: Genes) -> tuple[dict[str, Any], dict[str, Any]]:
    data = build_record(g)
    new = copy.deepcopy(data)
    for items in _lists(new):  # every list: children, checks, seen, parent_of, notified...
        g.shuffle(items)
    return data, new


N_REORDER = 1500


@settings(max_examples=N_REORDER, **SETTINGS)
@given(case=_with_genes(reordered))
def test_reordering_any_list_changes_no_status_and_no_one_who_passes_or_fails(
    checker: Checker, case: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    data, new = case
    assert outcome(run(checker, new)) == outcome(run(checker, data))


AGENCY_RULES = {"agency-checks-made", "closure-notifies-agencies"}


def renamed(g: Genes) -> tuple[dict[str, Any], dict[str, Any], Callable[[str, str], str]]:
    """A record; the same record with every id and agency name changed consistently (the new
    ids may be the old ones swapped around); and the map from (rule, old subject) to the new."""
    data = build_record(g)
    new = copy.deepcopy(data)
    children, people = new.get("children") or [], new.get("people") or []
    old_ids = [x["id"] for x in [*children, *people]]
    new_ids = g.ids(len(old_ids))
    if g.bool():
        new_ids = old_ids[:]
        g.shuffle(new_ids)
    party = dict(zip(old_ids, new_ids, strict=True))
    old_names = [a["name"] for a in new.get("agencies") or []]
    # distinct as agency names are compared, ignoring case and spaces (1.1)
    new_names = list({agency_key(n): n for n in [*AGENCY_POOL, "Agency A", "Agency B"]}.values())
    g.shuffle(new_names)
    agency = dict(zip(old_names, new_names, strict=False))
    for x in [*children, *people]:
        x["id"] = party[x["id"]]
    for p in people:
        if "parent_of" in p:
            p["parent_of"] = [party[c] for c in p["parent_of"]]
    for c in children:
        for lw in c.get("lives_with") or []:
            lw["person"] = party[lw["person"]]
        for v in c.get("seen") or []:
            if v.get("by") is not None:
                v["by"] = "W-" + v["by"]
    for chk in new.get("checks") or []:
        chk["subject"] = party.get(chk["subject"], chk["subject"])  # "family" stays
        if chk.get("id") is not None:
            chk["id"] = "K-" + chk["id"]
    for dis in new.get("discharges") or []:
        dis["person"] = party[dis["person"]]
    for a in new.get("agencies") or []:
        a["name"] = agency[a["name"]]
    for told in (new.get("closure") or {}).get("notified") or []:
        # an agency that is not listed stays unlisted: it is never one of the new names
        told["agency"] = agency.get(told["agency"], told["agency"])
    new["id"] = "renamed-" + new["id"]
    new["worker"]["id"] = "W-" + new["worker"]["id"]

    def rename(rule: str, subject: str) -> str:
        return (agency if rule in AGENCY_RULES else party).get(subject, subject)

    return data, new, rename


N_RENAME = 1500


@settings(max_examples=N_RENAME, **SETTINGS)
@given(case=_with_genes(renamed))
def test_renaming_ids_consistently_changes_no_status_and_no_one_who_passes_or_fails(
    checker: Checker, case: tuple[dict[str, Any], dict[str, Any], Callable[[str, str], str]]
) -> None:
    data, new, rename = case
    old = run(checker, data)
    assert outcome(run(checker, new)) == outcome(old, rename)


def with_unrelated_check(g: Genes) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A record, and the same record with one more completed check that no rule can count.

    The rules read checks in exactly these ways (rules.md; none reads `id`, `finding`, `note`
    or `requested_on`):
    - agency-checks-made: is there a completed check of the authority's own records, and one
      of another source, completed on or after started_on and on or before completion?
    - supporting-adults-checked, looked-after-household-checked: is there a completed check on
      this adult by the police, and one by children's social care, completed on or before
      completion?
    - outstanding-information-stated, nfa-needs-all-checks: is any check outstanding at
      completion (not completed, or completed after completion)?

    So the check added is one of:
    - a copy of a completed check under another id, with the same subject and source and a
      completion date on the same side of started_on and of completed_on as the original's
      (sometimes the very same date): each question above has the same answer for the copy as
      for the original, so no answer changes (and a copy is outstanding only when its original
      already is);
    - a completed check about a child, completed before both started_on and completed_on:
      outside the window of agency-checks-made, about no adult, and not outstanding;
    - in a discharge record, any completed check: every rule that reads checks is an
      assessment rule, not applicable to a discharge record.
    """
    data = build_record(g)
    start, done = offset(data["started_on"]), offset(data["completed_on"])
    completed = [c for c in data.get("checks") or [] if c["status"] == "completed"]
    options = []
    if completed:
        options.append("a copy of a completed check")
    if data.get("children"):
        options.append("a check on a child before the start")
    if data["kind"] == "discharge":
        options.append("any check, in a discharge record")
    new = copy.deepcopy(data)
    checks = new.setdefault("checks", [])
    if not options:  # an assessment with no child is invalid, so this is never reached
        return data, new, "nothing"
    what = g.choice(options)
    if what == "a copy of a completed check":
        original = g.choice(completed)
        when = offset(original["completed_on"])
        side = (when >= start, when <= done)
        same_side = [n for n in range(-10, 90) if (n >= start, n <= done) == side]
        extra = dict(original, finding=g.choice(FINDINGS), note="the same check, made again")
        extra["completed_on"] = original["completed_on"] if g.bool() else day(g.choice(same_side))
    elif what == "a check on a child before the start":
        extra = {
            "subject": g.choice(data["children"])["id"],
            "source": g.choice(SOURCES),
            "status": "completed",
            "completed_on": day(min(start, done) - g.int(1, 30)),
        }
    else:
        people = [x["id"] for x in [*data.get("children", []), *data.get("people", [])]]
        extra = {
            "subject": g.choice(["family", *people]),
            "source": g.choice(SOURCES),
            "status": "completed",
            "completed_on": day(g.int(-10, 90)),
        }
    extra.pop("id", None)
    if g.bool():
        taken = {c.get("id") for c in checks}
        extra["id"] = next(f"extra-{n}" for n in range(len(taken) + 1) if f"extra-{n}" not in taken)
    checks.insert(g.int(0, len(checks)), extra)
    return data, new, what


N_UNRELATED = 1200


@settings(max_examples=N_UNRELATED, **SETTINGS)
@given(case=_with_genes(with_unrelated_check))
def test_adding_a_check_that_no_rule_can_count_changes_no_status_and_no_one_who_passes_or_fails(
    checker: Checker, case: tuple[dict[str, Any], dict[str, Any], str]
) -> None:
    data, new, what = case
    assert outcome(run(checker, new)) == outcome(run(checker, data)), what


def json_value(g: Genes, depth: int = 0) -> Any:
    kind = g.int(0, 7 if depth < 2 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return g.bool()
    if kind == 2:
        return g.int(-(2**15), 2**15) * g.choice([1, 10**12])
    if kind == 3:
        return g.choice([0.5, -1e300, 1e-300, 3.0])
    if kind == 4:
        return g.text(10)
    if kind == 5:  # values the record format uses, where no rule may read them
        return g.choice(["completed", "in_person", "true", "2024-03-01", "family", "nfa"])
    if kind == 6:
        return [json_value(g, depth + 1) for _ in range(g.int(0, 3))]
    return {g.text(5): json_value(g, depth + 1) for _ in range(g.int(0, 3))}


def with_x_fields(g: Genes) -> tuple[dict[str, Any], dict[str, Any]]:
    """A record, and the same record with x_ fields (carried and ignored) here and there, some
    named after the fields next to them (`x_status`, `x_supporting`) and holding their values."""
    data = build_record(g)
    new = copy.deepcopy(data)
    places = list(_objects(new))
    for _ in range(g.int(1, 4)):
        _, obj = g.choice(places)
        key = "x_" + (g.choice([*obj, "", "id", "supporting", "seen"]) if g.bool() else g.text(8))
        obj[key] = copy.deepcopy(g.choice(list(obj.values()))) if g.one_in(3) else json_value(g)
    return data, new


N_X_FIELDS = 1200


@settings(max_examples=N_X_FIELDS, **SETTINGS)
@given(case=_with_genes(with_x_fields))
def test_adding_x_fields_changes_no_status_and_no_one_who_passes_or_fails(
    checker: Checker, case: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    data, new = case
    assert outcome(run(checker, new)) == outcome(run(checker, data))


def with_evidence_removed(g: Genes) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A record, and the same record with one piece of evidence taken away: a visit, a check
    completed by completion (an outstanding check is not evidence: taking it away rightly ends
    the need to state it), a text a rule requires, a consultation date, a notification of the
    closure, or a disclosure decision. Diligent records (every piece of evidence in place) are
    one in three, so that taking one away often meets a rule that passed."""
    data = build_record(g)
    new = copy.deepcopy(data)
    done = new["completed_on"]
    removals: list[tuple[str, Callable[[], None]]] = []

    def drop(container: dict[str, Any], key: str, ways: str = "delete null placeholder") -> None:
        how = g.choice(ways.split())
        if how == "delete":
            container.pop(key, None)
        elif how == "null":
            container[key] = None
        else:
            container[key] = g.choice(PLACEHOLDERS)

    for child in new.get("children") or []:
        for v in child.get("seen") or []:
            removals.append(("a visit", lambda c=child, v=v: c["seen"].remove(v)))
        for key in ("recommendations", "parents_note"):
            if child.get(key) is not None:
                removals.append((key, lambda c=child, k=key: drop(c, k)))
    checks = new.get("checks") or []
    for chk in checks:
        if chk["status"] == "completed" and chk["completed_on"] <= done:
            removals.append(("a completed check", lambda c=chk: checks.remove(c)))
    for person in new.get("people") or []:
        if person.get("considered") is not None:
            removals.append(("considered", lambda p=person: drop(p, "considered")))
    for key in ("outstanding_information", "missing_information_plan"):
        if new["decision"].get(key) is not None:
            removals.append((key, lambda k=key: drop(new["decision"], k)))
    for agency in new.get("agencies") or []:
        if agency.get("consulted_on") is not None:
            removals.append(
                ("consulted_on", lambda a=agency: drop(a, "consulted_on", "delete null"))
            )
    closure = new.get("closure")
    if closure is not None:
        notes = closure.get("notified") or []
        for told in notes:
            removals.append(("a notification", lambda n=told: notes.remove(n)))
        nd = closure.get("notification_decision")
        if nd is not None and nd.get("reasons") is not None:
            removals.append(("notification reasons", lambda nd=nd: drop(nd, "reasons")))
    for dis in new.get("discharges") or []:
        if dis.get("disclosure") is not None:
            removals.append(
                ("a disclosure decision", lambda x=dis: drop(x, "disclosure", "delete null"))
            )
            removals.append(
                (
                    "disclosure reasons",
                    lambda x=dis: drop(x["disclosure"], "reasons", "placeholder"),
                )
            )
    if not removals:
        return data, new, "nothing"
    what, remove = g.choice(removals)
    remove()
    return data, new, what


N_REMOVE = 1500


@settings(max_examples=N_REMOVE, **SETTINGS)
@given(case=_with_genes(with_evidence_removed))
def test_removing_evidence_never_turns_a_failure_into_a_pass(
    checker: Checker, case: tuple[dict[str, Any], dict[str, Any], str]
) -> None:
    data, new, what = case
    before, after = run(checker, data), run(checker, new)
    assert failing(before) <= failing(after), what
    assert before.verdict == "pass" or after.verdict == "fail", what
    for old, now in zip(before.results, after.results, strict=True):
        assert old.status != "fail" or now.status == "fail", (what, old.rule)


def test_the_properties_run_at_least_10000_generated_records() -> None:
    counts = [
        N_VALID,
        N_DILIGENT,
        N_INVALID,
        N_CLI_INVALID,
        N_REORDER,
        N_RENAME,
        N_UNRELATED,
        N_X_FIELDS,
        N_REMOVE,
    ]
    assert sum(counts) >= 10_000
