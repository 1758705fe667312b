"""Generated records with generated judgements (hypothesis; rules.md, *Judgements*): what a
judgement may and may not change, for every record and not only the examples.
- Adding judgements never changes any finding's engine decision: a finding keeps its status,
  except `fail` to `accepted` where a judgement applies (worked out here from the catalogue's
  policy table, independently of the rule files).
- A judgement never turns `fail` into `pass`, nor anything into `fail`.
- Removing every judgement gives exactly the version 1 report, byte for byte.
"""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

from hypothesis import given, note, settings
from hypothesis import strategies as st

from closure_check.checker import Checker
from closure_check.record import parse_record
from closure_check.report import Report

from .test_properties import AS_OF, SETTINGS, valid_records

#: The catalogue's policy (rules.md, *Judgements*), written here from the spec's table.
ANYONE = ("social_worker", "senior_practitioner", "supervisor", "manager", "other")
POLICY: dict[str, tuple[str, ...]] = {
    "assessment-timescale": ANYONE,
    "child-seen-alone": ANYONE,
    "supporting-adults-checked": ("supervisor", "manager"),
    "agency-checks-made": ("supervisor", "manager"),
    "closure-notifies-agencies": ("supervisor", "manager"),
}
GOOD_REASON = "The police check was requested twice and the aunt never cares for the child alone."
BAD_REASONS = ("agreed", "Reviewed.", "N/A", "ok by me")


def _check(checker: Checker, data: dict[str, Any]) -> Report:
    note(f"record: {json.dumps(data, ensure_ascii=False)}")
    return checker.check(parse_record(data, source="generated.json", as_of=AS_OF), as_of=AS_OF)


def _statuses(report: Report) -> dict[tuple[str, str, int], str]:
    """Each finding's status, by rule, subject and place among that subject's findings (a
    person discharged twice has two)."""
    out: dict[tuple[str, str, int], str] = {}
    for r in report.results:
        seen: dict[str, int] = {}
        for f in r.findings:
            n = seen[f.subject] = seen.get(f.subject, -1) + 1
            out[(r.rule, f.subject, n)] = f.status
    return out


@st.composite
def judged_records(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A valid record, and judgements on findings it may or may not fail: any rule, any of its
    subjects or the assessment, any role, made before or after the start, expired or not, with
    a reason or without one."""
    data = draw(valid_records())
    rules = sorted({*POLICY, "child-seen", "both-parents-considered", "each-child-own-outcome"})
    subjects = ["assessment", *(c["id"] for c in data.get("children", ()))]
    subjects += [p["id"] for p in data.get("people", ())]
    subjects += [a["name"] for a in data.get("agencies", ())]
    start = date.fromisoformat(data["started_on"])
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(rules), st.sampled_from(subjects)),
            max_size=6,
            unique=True,
        )
    )
    judgements = []
    for rule, subject in pairs:
        on = start + timedelta(days=draw(st.sampled_from([0, 1, -1, 5])))
        on = min(on, AS_OF)
        j: dict[str, Any] = {
            "rule": rule,
            "subject": subject,
            "by": {"id": "J-1", "name": "B. Manager", "role": draw(st.sampled_from(ANYONE))},
            "on": on.isoformat(),
            "reason": draw(st.sampled_from([GOOD_REASON, *BAD_REASONS])),
        }
        expiry = draw(st.sampled_from([None, -1, 0, 30]))
        if expiry is not None:
            j["expires_on"] = (AS_OF + timedelta(days=expiry)).isoformat()
        judgements.append(j)
    return data, judgements


def _applies(j: dict[str, Any], started_on: str) -> bool:
    """rules.md, *Judgements*: the rule allows it from that role; made on or after the start;
    not expired; a reason of at least 4 words (the generated bad reasons have fewer)."""
    return (
        j["by"]["role"] in POLICY.get(j["rule"], ())
        and j["on"] >= started_on
        and j.get("expires_on", AS_OF.isoformat()) >= AS_OF.isoformat()
        and j["reason"] == GOOD_REASON
    )


@settings(max_examples=400, **SETTINGS)
@given(case=judged_records())
def test_a_judgement_changes_only_fail_to_accepted_where_it_applies_and_never_to_pass(
    checker: Checker, case: tuple[dict[str, Any], list[dict[str, Any]]]
) -> None:
    data, judgements = case
    before = _check(checker, data)
    judged = copy.deepcopy(data) | {"format": "closure-check/assessment/1.1"}
    judged["judgements"] = judgements
    after = _check(checker, judged)
    applying = {(j["rule"], j["subject"]) for j in judgements if _applies(j, data["started_on"])}
    old, new = _statuses(before), _statuses(after)
    assert old.keys() == new.keys()  # the engine decided the same findings
    for (rule, subject, n), status in old.items():
        if status == "fail" and (rule, subject) in applying:
            assert new[(rule, subject, n)] == "accepted"
        else:
            assert new[(rule, subject, n)] == status
    for r in after.results:
        assert r.status == (
            "fail" if r.failures else "accepted" if r.accepted else before.result(r.rule).status
        )
    blocked = any(r.status == "fail" and r.severity == "blocker" for r in after.results)
    assert after.verdict == ("fail" if blocked else "pass")
    assert before.verdict == "pass" or after.verdict == "fail" or applying
    # every judgement is listed once, with an outcome that says what happened to its finding
    assert len(after.judgements) == len(judgements)
    for j, entry in zip(judgements, after.judgements, strict=True):
        failed = any(
            s == "fail" for (rule, subject, _), s in old.items() if (rule, subject) == (
                j["rule"], j["subject"])
        )  # fmt: skip
        expected = "stale" if not failed else "applied" if _applies(j, data["started_on"]) else (
            "not_applied")  # fmt: skip
        assert entry["outcome"] == expected


@settings(max_examples=200, **SETTINGS)
@given(case=judged_records())
def test_removing_every_judgement_gives_the_version_1_report_byte_for_byte(
    checker: Checker, case: tuple[dict[str, Any], list[dict[str, Any]]]
) -> None:
    data, judgements = case
    judged = copy.deepcopy(data) | {"format": "closure-check/assessment/1.1"}
    judged["judgements"] = judgements
    _check(checker, judged)  # checked with them first: nothing of theirs stays behind
    without = {k: v for k, v in judged.items() if k != "judgements"}
    assert _check(checker, without).to_json() == _check(checker, data).to_json()
