"""A seeded generator of realistic assessment records, for the benchmark.

1-4 children, 2-6 adults, 2-12 checks; discharges and closures in realistic proportions; about
half the records fail at least one blocker rule, through the mistakes the review found (a child
not seen in person, a parent not considered, an adult not checked, a check outstanding with no
statement, an agency not told of the closure).

    python benchmarks/generate.py N [--seed S] > records.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from typing import Any

FIRST = [
    "Amy",
    "Noor",
    "Kai",
    "Zoë",
    "Oliver",
    "Aisha",
    "Jack",
    "Mia",
    "Leo",
    "Siân",
    "Tomasz",
    "Amara",
    "Ravi",
    "Ella",
    "Yusuf",
    "Grace",
    "Finn",
    "Layla",
    "Dylan",
    "Ruby",
]
LAST = ["Smith", "Khan", "Evans", "Nowak", "Okafor", "Patel", "Jones", "Ó Ríordáin", "Ali", "Brown"]
TEAMS = ["Assessment Team North", "Assessment Team South", "Children in Need East", "MASH"]
SOURCES = ["police", "health", "education", "probation", "adult_social_care", "adult_mental_health"]
AGENCIES = [
    "Health Visiting",
    "Brookfield Primary School",
    "Larkhill Medical Practice",
    "Children's Centre",
    "CAMHS",
    "Housing Support",
]


def _d(day: date) -> str:
    return day.isoformat()


def record(rng: random.Random, i: int) -> dict[str, Any]:
    """One record. `rng` decides everything, so the same seed gives the same records."""
    bad = rng.random() < 0.55  # this record carries one of the review's mistakes
    mistake = rng.choice(["unseen", "father", "unchecked", "unstated", "not_told"]) if bad else ""
    start = date(2024, 1, 8) + timedelta(days=rng.randrange(0, 500))
    done = start + timedelta(days=rng.randrange(5, 40))
    family = rng.choice(LAST)
    kind = rng.choices(["initial", "single", "s47", "looked_after_review"], [5, 3, 2, 1])[0]
    children = []
    for c in range(rng.randint(1, 4)):
        seen_on = start + timedelta(days=rng.randrange(0, (done - start).days + 1))
        how = "video" if mistake == "unseen" and c == 0 else "in_person"
        children.append(
            {
                "id": f"C{c + 1}",
                "name": f"{rng.choice(FIRST)} {family}",
                "date_of_birth": _d(date(2010, 1, 1) + timedelta(days=rng.randrange(0, 5000))),
                "seen": [
                    {"on": _d(seen_on), "how": how, "alone": rng.random() < 0.6, "by": "SW-1"}
                ],
                "outcome": rng.choice(["nfa", "early_help", "cin_plan", "nfa"]),
                "recommendations": "Continue with universal services and review in three months.",
            }
        )
    ids = [c["id"] for c in children]
    people: list[dict[str, Any]] = [
        {
            "id": "P1",
            "name": f"{rng.choice(FIRST)} {family}",
            "relationship": "mother",
            "parent_of": ids,
            "considered": "Seen at home twice; parenting capacity assessed.",
        },
        {
            "id": "P2",
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "relationship": "father",
            "parent_of": ids,
            "considered": "Spoken to by phone; has regular contact.",
        },
    ]
    if mistake == "father":
        people[1]["considered"] = "N/A"
    for a in range(rng.randint(0, 4)):
        people.append(
            {
                "id": f"P{a + 3}",
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "relationship": rng.choice(["relative", "family_friend", "carer"]),
                "supporting": True,
                "considered": "Provides childcare twice a week.",
            }
        )
    checks: list[dict[str, Any]] = [
        {
            "subject": "family",
            "source": "children_social_care",
            "status": "completed",
            "completed_on": _d(start + timedelta(days=1)),
        },
        {
            "subject": "family",
            "source": rng.choice(SOURCES),
            "status": "completed",
            "completed_on": _d(start + timedelta(days=2)),
        },
    ]
    for p in people[2:]:
        for source in ("police", "children_social_care"):
            status = "pending" if mistake == "unchecked" and source == "police" else "completed"
            check = {"subject": p["id"], "source": source, "status": status}
            if status == "completed":
                check["completed_on"] = _d(start + timedelta(days=3))
            checks.append(check)
    while len(checks) < rng.randint(2, 12):
        checks.append(
            {
                "subject": rng.choice(["family", "P1", "P2"]),
                "source": rng.choice(SOURCES),
                "status": "completed",
                "completed_on": _d(start + timedelta(days=2)),
            }
        )
    decision: dict[str, Any] = {
        "on": _d(done),
        "by": {"id": "TM-1", "name": "B. Manager", "role": "manager"},
        "conclusion": "Needs are met with the support in place.",
    }
    if mistake == "unstated" or rng.random() < 0.2:
        checks.append(
            {
                "subject": "family",
                "source": "health",
                "status": "pending",
                "requested_on": _d(done - timedelta(days=2)),
            }
        )
        if mistake != "unstated":
            decision["outstanding_information"] = "Health records requested, not yet received."
            decision["missing_information_plan"] = "Team manager to chase health within a week."
    agencies = [
        {
            "name": n,
            "involvement": rng.choice(["ongoing", "past"]),
            "consulted_on": _d(start + timedelta(days=2)),
        }
        for n in rng.sample(AGENCIES, rng.randint(0, 3))
    ]
    out: dict[str, Any] = {
        "format": "closure-check/assessment/1",
        "id": f"BENCH-{i:07d}",
        "kind": kind,
        "started_on": _d(start),
        "completed_on": _d(done),
        "worker": {
            "id": f"SW-{rng.randint(1, 40)}",
            "name": "A. Worker",
            "team": rng.choice(TEAMS),
        },
        "decision": decision,
        "children": children,
        "people": people,
        "checks": checks,
        "agencies": agencies,
        "discharges": [],
    }
    if rng.random() < 0.08:  # an adult's discharge from an adult service
        dis: dict[str, Any] = {
            "person": "P2",
            "service": "adult_mental_health",
            "on": _d(start),
            "reason": rng.choice(["completed", "did_not_attend"]),
            "risk_to_children": {"assessed_on": _d(start), "finding": "no_risk"},
        }
        if dis["reason"] == "did_not_attend":
            dis["disclosure"] = {"decision": "none", "reasons": "No children at risk identified."}
        out["discharges"] = [dis]
    if rng.random() < 0.7:  # most assessments are closed
        told = [{"agency": a["name"], "on": _d(done)} for a in agencies]
        if mistake == "not_told" and told:
            told = told[1:]
        out["closure"] = {
            "on": _d(done),
            "reason": rng.choice(["nfa", "early_help"]),
            "notified": told,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    write = sys.stdout.write
    for i in range(args.n):
        write(json.dumps(record(rng, i), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
