"""Every rule of shared/spec/rules.md, case by case: a pass, each distinct way to fail, and
not_applicable, with every boundary the catalogue names.

Each case starts from the record that passes every rule (tests/records.py `base()`: started Mon
2024-03-04, completed and decided Fri 2024-03-22; child C1 Amy; P1 Carla mother, P2 Dev father,
P3 Eve a supporting aunt checked with the police and children's social care; a pending family
health check; Health Visiting ongoing and told of the NFA closure on 2024-03-22).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import holidays
import pytest

from closure_check.report import Report, RuleResult

from .records import (
    Data,
    base,
    check,
    checked,
    child,
    discharge,
    discharge_record,
    family_checks,
    parents,
    person,
    random_record,
    run,
    visit,
    within,
)

# The catalogue's placeholder list, and case/whitespace variants of it: all count as absent.
PLACEHOLDERS = ("n/a", "na", "none", "nil", "-", ".", "tbc", "tbd", "to follow", "nfa",
                "no further action", "see above")  # fmt: skip
PLACEHOLDER_VARIANTS = ("  N/A ", "NA", "None", "\tTBC\n", "To Follow", "  See Above",
                        "No Further Action", "NFA", "", "   ")  # fmt: skip
ABSENT_TEXTS = PLACEHOLDERS + PLACEHOLDER_VARIANTS

ASSESSMENT_RULES = (
    "agency-checks-made", "child-seen", "supporting-adults-checked", "both-parents-considered",
    "outstanding-information-stated", "recommendations-for-progression", "nfa-needs-all-checks",
    "looked-after-household-checked", "closure-notifies-agencies", "each-child-own-outcome",
    "disengagement-closure-decided", "assessment-timescale", "child-seen-alone",
)  # fmt: skip
ADVISORY_RULES = ("assessment-timescale", "child-seen-alone")


def _names(data: Data) -> dict[str, str]:
    """The display name each failing subject must carry: a child's or adult's name, an
    agency's name; a discharge is reported under the discharged adult's id."""
    names = {c["id"]: c["name"] for c in data.get("children", [])}
    names |= {p["id"]: p["name"] for p in data.get("people", [])}
    names |= {a["name"]: a["name"] for a in data.get("agencies", [])}
    return names


def decided(
    rule: str, data: Data, status: str, failing: tuple[str, ...] | list[str] = ()
) -> RuleResult:
    """Check `data` and assert what `rule` decided: its status, exactly which subjects fail, and
    that each failing finding names its child, adult or agency in plain words."""
    report = run(data)
    result = report.result(rule)
    shown = [(f.subject, f.status, f.message) for f in result.findings]
    assert result.status == status, shown
    assert sorted(f.subject for f in result.failures) == sorted(failing), shown
    if status == "not_applicable":
        assert not result.findings and result.message
    names = _names(data)
    for f in result.failures:
        assert f.problem and f.remedy, f
        if f.subject != "assessment":
            assert f.name == names[f.subject]
            assert names[f.subject] in f.message, f.message
    return result


def case(name: str, data: Data, status: str, *failing: str) -> Any:
    return pytest.param(data, status, failing, id=name)


def record(**top: Any) -> Data:
    """The base record with whole top-level sections replaced."""
    r = base()
    r.update(top)
    return r


def decision(role: str = "manager", name: str = "B. Manager", **fields: Any) -> Data:
    d: Data = {
        "on": "2024-03-22",
        "by": {"id": "TM-3", "name": name, "role": role},
        "conclusion": "No current concerns.",
        "outstanding_information": "Health visitor records requested, not yet received.",
        "missing_information_plan": "Team manager to chase health visiting by 2024-03-29.",
    }
    d.update(fields)
    return {k: v for k, v in d.items() if v is not None}


def without_decision_field(name: str) -> Data:
    r = base()
    del r["decision"][name]
    return r


def closure(reason: str = "nfa", notified: list[Data] | None = None, **fields: Any) -> Data:
    if notified is None:
        notified = [{"agency": "Health Visiting", "on": "2024-03-22"}]
    return {"on": "2024-03-22", "reason": reason, "notified": notified, **fields}


EVE = person("P3", "Eve", "relative", supporting=True, considered="Aunt.")
CARLA = person("P1", "Carla", "mother", parent_of=["C1"], considered="Seen twice at home.")
ALL_COMPLETE = [*family_checks(), *checked("P3", "police", "children_social_care")]
"""Every check completed before completion: nothing outstanding."""


# ---------------------------------------------------------------------------------------------
# agency-checks-made (6.4.2)
# ---------------------------------------------------------------------------------------------

AGENCY_CHECKS = [
    case("internal and inter-agency checks made and the ongoing agency consulted", base(), "pass"),
    case("no completed check of the authority's own records fails",
         record(checks=[check("family", "police"), check("family", "children_social_care",
                                                         "pending")]),
         "fail", "assessment"),
    case("no completed check with another agency fails",
         record(checks=[check("family", "children_social_care"), check("family", "police",
                                                                        "not_possible")]),
         "fail", "assessment"),
    case("a check about a person counts as well as one about the family",
         record(checks=[check("P3", "children_social_care"), check("C1", "education")]),
         "pass"),
    case("internal check completed on the start day passes",
         record(checks=[check("family", "children_social_care", on="2024-03-04"),
                        check("family", "police")]), "pass"),
    case("internal check completed the day before the start fails",
         record(checks=[check("family", "children_social_care", on="2024-03-03"),
                        check("family", "police")]), "fail", "assessment"),
    case("inter-agency check completed on the completion day passes",
         record(checks=[check("family", "children_social_care"),
                        check("family", "health", on="2024-03-22")]), "pass"),
    case("inter-agency check completed the day after completion fails",
         record(checks=[check("family", "children_social_care"),
                        check("family", "health", on="2024-03-23")]), "fail", "assessment"),
    case("an ongoing agency consulted after completion fails, by name",
         record(agencies=[{"name": "Health Visiting", "involvement": "ongoing",
                           "consulted_on": "2024-03-23"}]), "fail", "Health Visiting"),
    case("an ongoing agency consulted on the completion day passes",
         record(agencies=[{"name": "Health Visiting", "involvement": "ongoing",
                           "consulted_on": "2024-03-22"}]), "pass"),
    case("an ongoing agency consulted before the start passes",
         record(agencies=[{"name": "Health Visiting", "involvement": "ongoing",
                           "consulted_on": "2024-02-01"}]), "pass"),
    case("an ongoing agency never consulted fails",
         record(agencies=[{"name": "Health Visiting", "involvement": "ongoing",
                           "consulted_on": None}]), "fail", "Health Visiting"),
    case("an agency with past involvement need not be consulted",
         record(agencies=[{"name": "Health Visiting", "involvement": "past",
                           "consulted_on": None}]), "pass"),
    case("both the checks and an agency can fail at once",
         record(checks=[check("family", "children_social_care")],
                agencies=[{"name": "Health Visiting", "involvement": "ongoing"},
                          {"name": "Greenway Academy", "involvement": "ongoing",
                           "consulted_on": "2024-03-10"}]),
         "fail", "assessment", "Health Visiting"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), AGENCY_CHECKS)
def test_agency_checks_made_needs_both_kinds_of_check_in_the_window_and_ongoing_agencies_consulted(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("agency-checks-made", data, status, failing)


# ---------------------------------------------------------------------------------------------
# child-seen (6.4.3)
# ---------------------------------------------------------------------------------------------


def seen(*visits: Data) -> Data:
    return record(children=[child(seen=list(visits))])


CHILD_SEEN = [
    case("seen in person during the assessment", base(), "pass"),
    case("seen only by video fails", seen(visit("2024-03-06", "video")), "fail", "C1"),
    case("seen only by phone fails", seen(visit("2024-03-06", "phone")), "fail", "C1"),
    case("video and phone together still fail",
         seen(visit("2024-03-06", "video"), visit("2024-03-07", "phone")), "fail", "C1"),
    case("never seen fails", seen(), "fail", "C1"),
    case("seen in person on the start day passes", seen(visit("2024-03-04")), "pass"),
    case("seen in person on the completion day passes", seen(visit("2024-03-22")), "pass"),
    case("seen in person the day before the start fails", seen(visit("2024-03-03")),
         "fail", "C1"),
    case("seen in person the day after completion fails", seen(visit("2024-03-23")),
         "fail", "C1"),
    case("one visit out of the window and one in it passes",
         seen(visit("2024-03-23"), visit("2024-03-10")), "pass"),
    case("only the child who was not seen fails, by name",
         record(children=[child(), child("C2", "Ben", seen=[visit("2024-03-06", "video")])]),
         "fail", "C2"),
    case("an unborn child is not seen, and is not a subject",
         record(children=[child(name="Baby of Carla", unborn=True, seen=[])]),
         "not_applicable"),
    case("an unborn child beside a child seen in person passes",
         record(children=[child(name="Baby of Carla", unborn=True, seen=[]),
                          child("C2", "Ben")]), "pass"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), CHILD_SEEN)
def test_child_seen_needs_an_in_person_visit_within_the_assessment_inclusive(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    result = decided("child-seen", data, status, failing)
    unborn = {c["id"] for c in data["children"] if c.get("unborn")}
    assert not unborn & {f.subject for f in result.findings}


# ---------------------------------------------------------------------------------------------
# supporting-adults-checked (6.4.4)
# ---------------------------------------------------------------------------------------------


def adults(*extra: Data, checks: list[Data] | None = None, kids: list[Data] | None = None,
           aunt: bool = True) -> Data:  # fmt: skip
    """The base record with its parents, the aunt Eve (supporting only if `aunt`), `extra`."""
    people = [*parents(), person("P3", "Eve", "relative", supporting=aunt, considered="Aunt.")]
    return record(people=[*people, *extra], checks=checks if checks is not None else [
        *family_checks(), *checked("P3", "police", "children_social_care")],
        children=kids or [child()])  # fmt: skip


SUPPORTING = [
    case("a supporting aunt checked with the police and children's social care", base(),
         "pass"),
    case("a supporting adult checked with children's social care only fails, by name",
         adults(checks=[*family_checks(), *checked("P3", "children_social_care")]),
         "fail", "P3"),
    case("a supporting adult checked with the police only fails",
         adults(checks=[*family_checks(), *checked("P3", "police")]), "fail", "P3"),
    case("checks about the family do not check a supporting adult",
         adults(checks=family_checks()), "fail", "P3"),
    case("a police check still pending fails",
         adults(checks=[*family_checks(), *checked("P3", "children_social_care"),
                        check("P3", "police", "pending")]), "fail", "P3"),
    case("a police check that was not possible fails",
         adults(checks=[*family_checks(), *checked("P3", "children_social_care"),
                        check("P3", "police", "not_possible")]), "fail", "P3"),
    case("a police check completed on the completion day passes",
         adults(checks=[*family_checks(), *checked("P3", "children_social_care"),
                        check("P3", "police", on="2024-03-22")]), "pass"),
    case("a police check completed the day after completion fails",
         adults(checks=[*family_checks(), *checked("P3", "children_social_care"),
                        check("P3", "police", on="2024-03-23")]), "fail", "P3"),
    case("checks completed before the assessment started still count",
         adults(checks=[*family_checks(), *checked("P3", "police", "children_social_care",
                                                    on="2023-11-01")]), "pass"),
    case("a checked adult who is not supporting is not a subject",
         adults(aunt=False), "not_applicable"),
    case("a carer is a supporting adult even when not marked supporting",
         adults(person("P4", "Gail", "carer", considered="Childminder.")), "fail", "P4"),
    case("a carer checked with both passes",
         adults(person("P4", "Gail", "carer"),
                checks=[*family_checks(), *checked("P3", "police", "children_social_care"),
                        *checked("P4", "police", "children_social_care")]), "pass"),
    case("an adult the child lives with who is not a parent is a supporting adult",
         adults(person("P5", "Rob", "partner_of_parent"),
                kids=[child(lives_with=[{"person": "P5", "since": "2023-06-01"}])]),
         "fail", "P5"),
    case("the child's own parent living with the child is not a supporting adult",
         adults(kids=[child(lives_with=[{"person": "P1", "since": "2021-05-02"}])], aunt=False),
         "not_applicable"),
    case("a mother with no parent_of is the child's parent, so not a supporting adult",
         record(people=[person("P1", "Carla", "mother", considered="Seen."),
                        person("P2", "Dev", "father", parent_of=["C1"], considered="Seen.")],
                children=[child(lives_with=[{"person": "P1", "since": "2021-05-02"}])],
                checks=family_checks()), "not_applicable"),
    case("the father of another child only, living with this child, is a supporting adult",
         record(people=[person("P1", "Carla", "mother", considered="Seen."),
                        person("P2", "Dev", "father", parent_of=["C2"], considered="Seen.")],
                children=[child(lives_with=[{"person": "P2", "since": "2023-01-01"}],
                                parents_note="Father unknown."),
                          child("C2", "Ben")],
                checks=family_checks()), "fail", "P2"),
    case("a step-parent the child lives with is a supporting adult",
         adults(person("P4", "Sam", "step_parent", parent_of=["C1"], considered="Seen."),
                kids=[child(lives_with=[{"person": "P4", "since": "2022-01-01"}])], aunt=False),
         "fail", "P4"),
    case("an adult living only with a looked-after child is left to the looked-after rule",
         adults(person("P9", "Lee", "other"),
                kids=[child(looked_after=True,
                            lives_with=[{"person": "P9", "since": "2024-02-20"}])], aunt=False),
         "not_applicable"),
    case("a parent marked supporting is a supporting adult",
         record(people=[person("P1", "Carla", "mother", parent_of=["C1"], supporting=True,
                               considered="Seen."), *parents()[1:], EVE]), "fail", "P1"),
    case("an adult living with a looked-after child and with another child is checked here too",
         record(children=[child(looked_after=True,
                                lives_with=[{"person": "P9", "since": "2024-01-01"}]),
                          child("C2", "Ben", lives_with=[{"person": "P9", "since": "2024-01-01"}])],
                people=[*parents(), EVE, person("P9", "Lee", "other")]), "fail", "P9"),
    case("each unchecked supporting adult fails on its own",
         adults(person("P4", "Gail", "carer"), checks=family_checks()), "fail", "P3", "P4"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), SUPPORTING)
def test_supporting_adults_must_be_checked_by_police_and_childrens_social_care(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("supporting-adults-checked", data, status, failing)


# ---------------------------------------------------------------------------------------------
# both-parents-considered (6.4.5)
# ---------------------------------------------------------------------------------------------


def father_considered(text: str | None) -> Data:
    dev = person("P2", "Dev", "father", parent_of=["C1"])
    if text is not None:
        dev["considered"] = text
    return record(people=[CARLA, dev, EVE])


BOTH_PARENTS = [
    case("mother and father both considered", base(), "pass"),
    case("a father never considered fails for the child", father_considered(None), "fail", "C1"),
    case("a consideration that only starts like a placeholder is present",
         father_considered("None known to police; phoned twice, has weekly contact."), "pass"),
    case("one parent with a parents note passes",
         record(people=[CARLA, EVE],
                children=[child(parents_note="Father not named; mother declines to name him.")]),
         "pass"),
    case("one parent without a parents note fails", record(people=[CARLA, EVE]), "fail", "C1"),
    case("one parent with a placeholder parents note fails",
         record(people=[CARLA, EVE], children=[child(parents_note=" n/a ")]), "fail", "C1"),
    case("no parent and no note fails", record(people=[EVE]), "fail", "C1"),
    case("no parent, with a note, passes",
         record(people=[EVE], children=[child(parents_note="Both parents died in 2022.")]),
         "pass"),
    case("a parent with no parent_of is a parent of every child",
         record(people=[person("P1", "Carla", "mother", considered="Seen."),
                        person("P2", "Dev", "father", considered="Seen."), EVE],
                children=[child(), child("C2", "Ben")]), "pass"),
    case("a parent with no parent_of, never considered, fails for every child",
         record(people=[person("P1", "Carla", "mother", considered="Seen."),
                        person("P2", "Dev", "father"), EVE],
                children=[child(), child("C2", "Ben")]), "fail", "C1", "C2"),
    case("a father listing only the other child is not this child's parent",
         record(people=[person("P1", "Carla", "mother", considered="Seen."),
                        person("P2", "Dev", "father", parent_of=["C2"], considered="Seen."), EVE],
                children=[child(), child("C2", "Ben")]), "fail", "C1"),
    case("a parent of another child who was not considered fails only that child",
         record(people=[person("P1", "Carla", "mother", considered="Seen."),
                        person("P2", "Dev", "father", parent_of=["C2"]), EVE],
                children=[child(parents_note="Father unknown."), child("C2", "Ben")]),
         "fail", "C2"),
    case("a parent listing the child twice is still one parent",
         record(people=[person("P1", "Carla", "mother", parent_of=["C1", "C1"],
                               considered="Seen."), EVE]), "fail", "C1"),
    case("relationship parent counts as a parent",
         record(people=[person("P1", "Carla", "parent", parent_of=["C1"], considered="Seen."),
                        person("P2", "Jo", "parent", parent_of=["C1"], considered="Seen."), EVE]),
         "pass"),
    case("a step-parent listing the child must be considered",
         record(people=[*parents(), person("P4", "Sam", "step_parent", parent_of=["C1"]), EVE]),
         "fail", "C1"),
    case("a step-parent listing the child and considered passes",
         record(people=[*parents(), person("P4", "Sam", "step_parent", parent_of=["C1"],
                                           considered="Lives with the family."), EVE]), "pass"),
    case("a step-parent does not count towards two parents",
         record(people=[CARLA, person("P4", "Sam", "step_parent", parent_of=["C1"],
                                      considered="Lives with the family."), EVE]),
         "fail", "C1"),
    case("one parent and a step-parent, with a parents note, passes",
         record(people=[CARLA, person("P4", "Sam", "step_parent", parent_of=["C1"],
                                      considered="Lives with the family."), EVE],
                children=[child(parents_note="Father's identity is not known.")]), "pass"),
    case("a step-parent with no parent_of is not considered like a parent",
         record(people=[*parents(), person("P4", "Sam", "step_parent"), EVE]), "pass"),
    case("a partner of a parent listing the child is not a parent",
         record(people=[CARLA, person("P4", "Rob", "partner_of_parent", parent_of=["C1"],
                                      considered="Seen."), EVE]), "fail", "C1"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), BOTH_PARENTS)
def test_both_parents_and_listed_step_parents_are_considered_or_a_missing_parent_explained(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("both-parents-considered", data, status, failing)


@pytest.mark.parametrize("text", ABSENT_TEXTS, ids=repr)
def test_a_placeholder_consideration_counts_as_absent(text: str) -> None:
    decided("both-parents-considered", father_considered(text), "fail", ["C1"])


def test_a_parent_not_considered_is_named_in_the_childs_finding() -> None:
    result = decided("both-parents-considered", father_considered("tbc"), "fail", ["C1"])
    assert "Dev" in result.failures[0].message


def test_a_step_parent_not_considered_is_named_in_the_childs_finding() -> None:
    data = record(people=[*parents(), person("P4", "Sam", "step_parent", parent_of=["C1"]), EVE])
    result = decided("both-parents-considered", data, "fail", ["C1"])
    assert "Sam" in result.failures[0].message


# ---------------------------------------------------------------------------------------------
# outstanding-information-stated (6.4.6)
# ---------------------------------------------------------------------------------------------


def unstated(checks: list[Data]) -> Data:
    r = without_decision_field("outstanding_information")
    r["checks"] = checks
    return r


OUTSTANDING = [
    case("a pending check is stated in the conclusion", base(), "pass"),
    case("a pending check not stated fails", without_decision_field("outstanding_information"),
         "fail", "assessment"),
    case("a check that was not possible is outstanding",
         unstated([*ALL_COMPLETE, check("family", "health", "not_possible")]),
         "fail", "assessment"),
    case("a check completed the day after completion is outstanding",
         unstated([*family_checks(), check("P3", "children_social_care"),
                   check("P3", "police", on="2024-03-23")]), "fail", "assessment"),
    case("a check completed on the completion day is not outstanding",
         unstated([*family_checks(), check("P3", "children_social_care"),
                   check("P3", "police", on="2024-03-22")]), "not_applicable"),
    case("every check completed before completion", unstated(ALL_COMPLETE), "not_applicable"),
    case("no checks at all", unstated([]), "not_applicable"),
    case("an outstanding check about a child counts",
         unstated([*ALL_COMPLETE, check("C1", "education", "pending")]), "fail", "assessment"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), OUTSTANDING)
def test_outstanding_checks_at_completion_must_be_stated_in_the_conclusion(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("outstanding-information-stated", data, status, failing)


@pytest.mark.parametrize("text", ABSENT_TEXTS, ids=repr)
def test_a_placeholder_statement_of_outstanding_information_counts_as_absent(text: str) -> None:
    r = base()
    r["decision"]["outstanding_information"] = text
    decided("outstanding-information-stated", r, "fail", ["assessment"])


# ---------------------------------------------------------------------------------------------
# recommendations-for-progression (6.4.7)
# ---------------------------------------------------------------------------------------------

RECOMMENDATIONS = [
    case("recommendations recorded", base(), "pass"),
    case("no recommendations fails", record(children=[child(recommendations=None)]),
         "fail", "C1"),
    case("recommendations missing altogether fails",
         record(children=[{k: v for k, v in child().items() if k != "recommendations"}]),
         "fail", "C1"),
    case("only the child without recommendations fails, by name",
         record(children=[child(), child("C2", "Ben", recommendations="to follow")]),
         "fail", "C2"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), RECOMMENDATIONS)
def test_each_child_has_recommendations_for_progression(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("recommendations-for-progression", data, status, failing)


@pytest.mark.parametrize("text", ABSENT_TEXTS, ids=repr)
def test_placeholder_recommendations_count_as_absent(text: str) -> None:
    decided("recommendations-for-progression", record(children=[child(recommendations=text)]),
            "fail", ["C1"])  # fmt: skip


# ---------------------------------------------------------------------------------------------
# nfa-needs-all-checks (6.4.8)
# ---------------------------------------------------------------------------------------------

NFA = [
    case("conditional NFA by a manager with a plan", base(), "pass"),
    case("conditional NFA by a supervisor with a plan",
         record(decision=decision("supervisor", "C. Supervisor")), "pass"),
    case("NFA by a manager without a plan fails",
         record(decision=decision(missing_information_plan=None)), "fail", "assessment"),
    case("NFA by a manager with a placeholder plan fails",
         record(decision=decision(missing_information_plan=" TBC")), "fail", "assessment"),
    case("NFA by a supervisor without a plan fails",
         record(decision=decision("supervisor", missing_information_plan=None)),
         "fail", "assessment"),
    case("NFA by a social worker with a plan fails",
         record(decision=decision("social_worker", "A. Worker")), "fail", "assessment"),
    case("NFA by a senior practitioner with a plan fails",
         record(decision=decision("senior_practitioner")), "fail", "assessment"),
    case("NFA by another role with a plan fails", record(decision=decision("other")),
         "fail", "assessment"),
    case("NFA only as the closure reason, by a social worker, fails",
         record(children=[child(outcome="early_help")], decision=decision("social_worker")),
         "fail", "assessment"),
    case("NFA only as the closure reason, by a manager with a plan, passes",
         record(children=[child(outcome="early_help")]), "pass"),
    case("NFA for one of two children, by a social worker, fails",
         record(children=[child(), child("C2", "Ben", outcome="cin_plan")],
                closure=closure("early_help"), decision=decision("social_worker")),
         "fail", "assessment"),
    case("an NFA outcome with no closure still applies",
         record(closure=None, decision=decision("social_worker")), "fail", "assessment"),
    case("no NFA anywhere",
         record(children=[child(outcome="early_help")], closure=closure("early_help"),
                decision=decision("social_worker", missing_information_plan=None)),
         "not_applicable"),
    case("NFA with every check completed by the completion day",
         record(checks=[*family_checks(), check("P3", "children_social_care"),
                        check("P3", "police", on="2024-03-22")],
                decision=decision("social_worker", missing_information_plan=None)),
         "not_applicable"),
    case("NFA with a check completed the day after completion",
         record(checks=[*family_checks(), check("P3", "children_social_care"),
                        check("P3", "police", on="2024-03-23")],
                decision=decision("social_worker")), "fail", "assessment"),
    case("NFA with a check that was not possible",
         record(checks=[*ALL_COMPLETE, check("family", "health", "not_possible")],
                decision=decision("social_worker")), "fail", "assessment"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), NFA)
def test_nfa_with_outstanding_checks_rests_with_a_supervisor_or_manager_with_a_plan(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("nfa-needs-all-checks", data, status, failing)


@pytest.mark.parametrize(
    ("role", "name"),
    [pytest.param("manager", "B. Manager", id="manager"),
     pytest.param("supervisor", "C. Supervisor", id="supervisor")],
)  # fmt: skip
def test_a_conditional_nfa_pass_says_it_is_conditional_and_names_the_decision_maker(
    role: str, name: str
) -> None:
    result = decided("nfa-needs-all-checks", record(decision=decision(role, name)), "pass")
    (finding,) = result.findings
    assert "conditional" in finding.message
    assert name in finding.message
    assert role in finding.message


# ---------------------------------------------------------------------------------------------
# looked-after-household-checked (6.4.9)
# ---------------------------------------------------------------------------------------------


def looked_after(*checks: Data, dob: str = "2007-01-10", lives_with: str = "P9") -> Data:
    """Amy, looked after, lives with Lee (P9, her boyfriend) since 2024-02-20."""
    return record(
        kind="looked_after_review",
        children=[child(looked_after=True, date_of_birth=dob, outcome="looked_after",
                        lives_with=[{"person": lives_with, "since": "2024-02-20"}])],
        people=[*parents(), person("P9", "Lee", "other", considered="Boyfriend, 23.")],
        checks=[*family_checks(), *checks],
    )  # fmt: skip


LOOKED_AFTER = [
    case("no looked-after child", base(), "not_applicable"),
    case("an adult living with a looked-after child, unchecked, fails by name",
         looked_after(), "fail", "P9"),
    case("checked by the police only fails", looked_after(*checked("P9", "police")),
         "fail", "P9"),
    case("checked with children's social care only fails",
         looked_after(*checked("P9", "children_social_care")), "fail", "P9"),
    case("checked with both passes",
         looked_after(*checked("P9", "police", "children_social_care")), "pass"),
    case("checks about the family do not check the adult",
         looked_after(check("family", "police", on="2024-03-15")), "fail", "P9"),
    case("a police check completed on the completion day passes",
         looked_after(check("P9", "police", on="2024-03-22"),
                      check("P9", "children_social_care")), "pass"),
    case("a police check completed the day after completion fails",
         looked_after(check("P9", "police", on="2024-03-23"),
                      check("P9", "children_social_care")), "fail", "P9"),
    case("a parent the looked-after child lives with must be checked too",
         looked_after(lives_with="P1"), "fail", "P1"),
    case("an adult living with a child who is not looked after is not a subject",
         record(children=[child(lives_with=[{"person": "P9", "since": "2024-02-20"}])],
                people=[*parents(), EVE, person("P9", "Lee", "other")]), "not_applicable"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), LOOKED_AFTER)
def test_adults_living_with_a_looked_after_child_are_checked_by_police_and_childrens_social_care(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("looked-after-household-checked", data, status, failing)


@pytest.mark.parametrize(
    "dob",
    [pytest.param("2021-05-02", id="aged 2"), pytest.param("2010-09-01", id="aged 13"),
     pytest.param("2006-04-20", id="aged 17 and 11 months")],
)  # fmt: skip
def test_an_adult_checked_only_by_police_fails_whatever_the_looked_after_childs_age(
    dob: str,
) -> None:
    decided("looked-after-household-checked", looked_after(*checked("P9", "police"), dob=dob),
            "fail", ["P9"])  # fmt: skip


def test_only_the_unchecked_adult_of_a_looked_after_household_fails() -> None:
    data = looked_after(*checked("P9", "police", "children_social_care"))
    data["people"].append(person("P8", "Kim", "household_member"))
    data["children"][0]["lives_with"].append({"person": "P8", "since": "2024-03-01"})
    decided("looked-after-household-checked", data, "fail", ["P8"])


# ---------------------------------------------------------------------------------------------
# closure-notifies-agencies (6.4.10)
# ---------------------------------------------------------------------------------------------


def notified(on: str | None, decided_on: str = "2024-03-22", **closure_fields: Any) -> Data:
    r = record(closure=closure(notified=[] if on is None else [
        {"agency": "Health Visiting", "on": on}], **closure_fields))  # fmt: skip
    r["decision"]["on"] = decided_on
    return r


CLOSURE = [
    case("health visiting told on the day of the decision", base(), "pass"),
    case("notified the day before the decision fails", notified("2024-03-21"),
         "fail", "Health Visiting"),
    case("notified on a decision day earlier than the closure passes",
         notified("2024-03-20", decided_on="2024-03-20"), "pass"),
    case("notified the day before a decision earlier than the closure fails",
         notified("2024-03-19", decided_on="2024-03-20"), "fail", "Health Visiting"),
    case("notified after the decision passes", notified("2024-03-26"), "pass"),
    case("not notified at all fails", notified(None), "fail", "Health Visiting"),
    case("notified once too early and once in time passes",
         record(closure=closure(notified=[{"agency": "Health Visiting", "on": "2024-03-20"},
                                          {"agency": "Health Visiting", "on": "2024-03-22"}])),
         "pass"),
    case("a decision not to notify does not excuse an ongoing agency",
         notified(None, reason="disengaged",
                  notification_decision={"notify": False, "reasons": "Family moved away."}),
         "fail", "Health Visiting"),
    case("an agency with past involvement need not be told",
         record(agencies=[{"name": "Health Visiting", "involvement": "past"}],
                closure=closure(notified=[])), "not_applicable"),
    case("only the ongoing agency not told fails, by name",
         record(agencies=[{"name": "Health Visiting", "involvement": "ongoing",
                           "consulted_on": "2024-03-18"},
                          {"name": "Greenway Academy", "involvement": "ongoing",
                           "consulted_on": "2024-03-12"}]), "fail", "Greenway Academy"),
    case("a notification naming another agency does not count",
         record(closure=closure(notified=[{"agency": "Greenway Academy", "on": "2024-03-22"}])),
         "fail", "Health Visiting"),
    case("the case is not being closed", record(closure=None), "not_applicable"),
    case("no agency is involved", record(agencies=[]), "not_applicable"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), CLOSURE)
def test_closure_notifies_every_ongoing_agency_on_or_after_the_decision(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("closure-notifies-agencies", data, status, failing)


def test_a_decision_not_to_notify_is_called_no_excuse_in_the_finding() -> None:
    not_to_notify = {"notify": False, "reasons": "Family moved away."}
    data = notified(None, reason="disengaged", notification_decision=not_to_notify)
    result = decided("closure-notifies-agencies", data, "fail", ["Health Visiting"])
    assert "does not excuse" in result.failures[0].message


# ---------------------------------------------------------------------------------------------
# discharge-risk-recorded (6.10.1)
# ---------------------------------------------------------------------------------------------

RISK = [
    case("no discharge in the record", base(), "not_applicable"),
    case("risk assessed on the discharge day passes", discharge_record(discharge()), "pass"),
    case("risk assessed before the discharge passes",
         discharge_record(discharge(risk=("2024-03-01", "risk"),
                                    disclosure=("full", "Police told."))), "pass"),
    case("risk assessed the day after the discharge fails, by name",
         discharge_record(discharge(risk=("2024-03-21", "no_risk"))), "fail", "P3"),
    case("no risk assessment fails", discharge_record(discharge(risk=None)), "fail", "P3"),
    case("an explicit null risk assessment fails",
         discharge_record(discharge(risk=None) | {"risk_to_children": None}), "fail", "P3"),
    case("only the discharge without a timely risk assessment fails",
         discharge_record(discharge(), discharge("P2", risk=("2024-03-25", "no_risk"))),
         "fail", "P2"),
    case("a discharge listed in an assessment record is checked too",
         record(discharges=[discharge(risk=("2024-03-21", "no_risk"))]), "fail", "P3"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), RISK)
def test_each_discharge_records_risk_to_children_assessed_by_the_discharge_date(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("discharge-risk-recorded", data, status, failing)


# ---------------------------------------------------------------------------------------------
# discharge-disclosure-decided (6.10.2, 6.10.3)
# ---------------------------------------------------------------------------------------------

REASONS = "No children known; GP informed of the discharge."

DISCLOSURE = [
    case("no discharge in the record", base(), "not_applicable"),
    case("completed with no risk found",
         discharge_record(discharge("P3", "completed", risk=("2024-03-20", "no_risk"))),
         "not_applicable"),
    case("moved away with no risk found",
         discharge_record(discharge("P3", "moved")), "not_applicable"),
    case("other reason with no risk found",
         discharge_record(discharge("P3", "other")), "not_applicable"),
    case("completed with no risk assessment at all",
         discharge_record(discharge("P3", "completed", risk=None)), "not_applicable"),
    case("not attending with no disclosure decision fails, by name",
         discharge_record(discharge("P3", "did_not_attend")), "fail", "P3"),
    case("disengaged with no disclosure decision fails",
         discharge_record(discharge("P3", "disengaged")), "fail", "P3"),
    case("not attending with no risk assessment and no disclosure decision fails",
         discharge_record(discharge("P3", "did_not_attend", risk=None)), "fail", "P3"),
    case("completed with a risk found and no disclosure decision fails",
         discharge_record(discharge("P3", "completed", risk=("2024-03-20", "risk"))),
         "fail", "P3"),
    case("completed with the risk unknown and no disclosure decision fails",
         discharge_record(discharge("P3", "completed", risk=("2024-03-20", "unknown"))),
         "fail", "P3"),
    case("disclosure none with reasons passes",
         discharge_record(discharge("P3", "did_not_attend", disclosure=("none", REASONS))),
         "pass"),
    case("full disclosure with reasons passes",
         discharge_record(discharge("P3", "disengaged", risk=("2024-03-20", "risk"),
                                    disclosure=("full", REASONS))), "pass"),
    case("partial disclosure with reasons passes",
         discharge_record(discharge("P3", "completed", risk=("2024-03-20", "unknown"),
                                    disclosure=("partial", REASONS))), "pass"),
    case("disclosure none with placeholder reasons fails",
         discharge_record(discharge("P3", "did_not_attend", disclosure=("none", "n/a"))),
         "fail", "P3"),
    case("disclosure none with blank reasons fails",
         discharge_record(discharge("P3", "did_not_attend", disclosure=("none", "  "))),
         "fail", "P3"),
    case("only the discharge without a decision fails",
         discharge_record(discharge("P3", "did_not_attend", disclosure=("none", REASONS)),
                          discharge("P2", "disengaged")), "fail", "P2"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), DISCLOSURE)
def test_a_less_benign_or_risky_discharge_records_a_disclosure_decision_with_reasons(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("discharge-disclosure-decided", data, status, failing)


@pytest.mark.parametrize("text", ABSENT_TEXTS, ids=repr)
def test_placeholder_disclosure_reasons_count_as_absent(text: str) -> None:
    data = discharge_record(discharge("P3", "did_not_attend", disclosure=("none", text)))
    decided("discharge-disclosure-decided", data, "fail", ["P3"])


# ---------------------------------------------------------------------------------------------
# each-child-own-outcome (6.2.2)
# ---------------------------------------------------------------------------------------------

OUTCOMES = ("nfa", "early_help", "cin_plan", "s47_enquiry", "child_protection_conference",
            "looked_after", "other")  # fmt: skip

OWN_OUTCOME = [
    case("the child's own outcome is recorded", base(), "pass"),
    case("a null outcome fails", record(children=[child(outcome=None)]), "fail", "C1"),
    case("a missing outcome fails",
         record(children=[{k: v for k, v in child().items() if k != "outcome"}]), "fail", "C1"),
    case("only the child without an outcome fails, by name",
         record(children=[child(), child("C2", "Ben", outcome=None)]), "fail", "C2"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), OWN_OUTCOME)
def test_each_child_has_an_outcome_of_its_own(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("each-child-own-outcome", data, status, failing)


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_outcome_value_counts_as_an_outcome(outcome: str) -> None:
    decided("each-child-own-outcome", record(children=[child(outcome=outcome)]), "pass")


# ---------------------------------------------------------------------------------------------
# disengagement-closure-decided (6.2.4, 6.13.1)
# ---------------------------------------------------------------------------------------------


def disengaged(reason: str = "disengaged", **notification: Any) -> Data:
    extra = {"notification_decision": notification} if notification else {}
    return record(closure=closure(reason, **extra))


DISENGAGEMENT = [
    case("closed with no further action", base(), "not_applicable"),
    case("the case is not being closed", record(closure=None), "not_applicable"),
    case("closed after disengagement with no decision fails", disengaged(),
         "fail", "assessment"),
    case("closed after non-attendance with no decision fails", disengaged("did_not_attend"),
         "fail", "assessment"),
    case("a decision not to notify, with reasons, passes",
         disengaged(notify=False, reasons="No other agency involved."), "pass"),
    case("a decision to notify, with reasons, passes",
         disengaged("did_not_attend", notify=True, reasons="School and GP to be told."),
         "pass"),
    case("a decision with no reasons fails", disengaged(notify=True), "fail", "assessment"),
    case("a decision with placeholder reasons fails",
         disengaged(notify=False, reasons="N/A"), "fail", "assessment"),
    case("a decision with blank reasons fails",
         disengaged(notify=False, reasons="  "), "fail", "assessment"),
    *(case(f"closed for {reason}", record(closure=closure(reason)), "not_applicable")
      for reason in ("early_help", "moved_away", "transferred", "other")),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), DISENGAGEMENT)
def test_closing_after_disengagement_records_a_notification_decision_with_reasons(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    decided("disengagement-closure-decided", data, status, failing)


# ---------------------------------------------------------------------------------------------
# assessment-timescale (advisory): working days, England and Wales bank holidays excluded
# ---------------------------------------------------------------------------------------------

TIMESCALE = [
    # (start, completion, working days): the start day is day 0.
    pytest.param("2024-03-04", "2024-03-22", 14, id="fourteen working days"),
    pytest.param("2024-03-04", "2024-03-04", 0, id="completed on the start day"),
    # Easter 2025: Good Friday 18 April and Easter Monday 21 April are not working days.
    pytest.param("2025-02-24", "2025-04-30", 45, id="exactly 45 across Easter 2025"),
    pytest.param("2025-02-24", "2025-05-01", 46, id="46 across Easter 2025"),
    pytest.param("2025-02-13", "2025-04-17", 45, id="45th working day the Thursday before Easter"),
    pytest.param("2025-02-13", "2025-04-18", 45, id="completed on Good Friday is still 45"),
    pytest.param("2025-02-13", "2025-04-21", 45, id="completed on Easter Monday is still 45"),
    pytest.param("2025-02-13", "2025-04-22", 46, id="the Tuesday after Easter is 46"),
    # Christmas 2024: 25 and 26 December and 1 January are not working days.
    pytest.param("2024-11-04", "2025-01-09", 45, id="exactly 45 across Christmas 2024"),
    pytest.param("2024-11-04", "2025-01-10", 46, id="46 across Christmas 2024"),
    pytest.param("2024-10-22", "2024-12-24", 45, id="45th working day on Christmas Eve"),
    pytest.param("2024-10-22", "2024-12-26", 45, id="completed on Boxing Day is still 45"),
    pytest.param("2024-10-22", "2024-12-27", 46, id="the 27th of December is 46"),
]


@pytest.mark.parametrize(("start", "end", "days"), TIMESCALE)
def test_assessment_timescale_allows_45_working_days_after_the_start_day(
    start: str, end: str, days: int
) -> None:
    data = within(start, end)
    if days <= 45:
        result = decided("assessment-timescale", data, "pass")
    else:
        result = decided("assessment-timescale", data, "fail", ["assessment"])
    assert f"{days} working days" in result.findings[0].message
    report = run(data)
    assert report.verdict == "pass"  # advisory: never the verdict
    assert [r.rule for r in report.failed_rules] == (["assessment-timescale"] if days > 45
                                                      else [])  # fmt: skip


# ---------------------------------------------------------------------------------------------
# child-seen-alone (advisory): section 47 enquiries only
# ---------------------------------------------------------------------------------------------


def s47(*children: Data) -> Data:
    return record(kind="s47", children=list(children) or [child()])


def alone(on: str = "2024-03-06", how: str = "in_person") -> Data:
    return child(seen=[visit(on, how, alone=True)])


SEEN_ALONE = [
    *(case(f"a record of kind {kind} is not a section 47 enquiry", record(kind=kind),
           "not_applicable") for kind in ("initial", "single", "looked_after_review")),
    case("seen only with the parent fails, by name", s47(), "fail", "C1"),
    case("seen with alone not recorded fails", s47(child(seen=[visit("2024-03-06")])),
         "fail", "C1"),
    case("seen alone in person passes", s47(alone()), "pass"),
    case("seen alone by video fails", s47(alone(how="video")), "fail", "C1"),
    case("seen alone by phone fails", s47(alone(how="phone")), "fail", "C1"),
    case("seen alone on the start day passes", s47(alone("2024-03-04")), "pass"),
    case("seen alone on the completion day passes", s47(alone("2024-03-22")), "pass"),
    case("seen alone the day before the start fails", s47(alone("2024-03-03")), "fail", "C1"),
    case("seen alone the day after completion fails", s47(alone("2024-03-23")), "fail", "C1"),
    case("an unborn child is excluded",
         s47(child(name="Baby of Carla", unborn=True, seen=[])), "not_applicable"),
    case("an unborn child beside a child seen alone passes",
         s47(child(name="Baby of Carla", unborn=True, seen=[]),
             child("C2", "Ben", seen=[visit("2024-03-06", alone=True)])), "pass"),
    case("only the child not seen alone fails",
         s47(alone(), child("C2", "Ben")), "fail", "C2"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "status", "failing"), SEEN_ALONE)
def test_in_a_section_47_enquiry_each_born_child_is_seen_alone_in_person(
    data: Data, status: str, failing: tuple[str, ...]
) -> None:
    result = decided("child-seen-alone", data, status, failing)
    unborn = {c["id"] for c in data["children"] if c.get("unborn")}
    assert not unborn & {f.subject for f in result.findings}


# ---------------------------------------------------------------------------------------------
# Across rules: discharge records, and the verdict
# ---------------------------------------------------------------------------------------------


def discharge_with_a_poor_assessment() -> Data:
    """A discharge record whose assessment parts would fail every assessment rule, were they
    applied: an unseen looked-after child with no outcome, recommendations or parents, an
    unchecked carer, no checks, an unconsulted agency, a disengaged closure with nobody told."""
    r = discharge_record(discharge())
    r["started_on"] = "2023-10-02"
    r["kind"] = "discharge"
    r["children"] = [{"id": "C1", "name": "Amy", "looked_after": True,
                      "lives_with": [{"person": "P4", "since": "2024-01-01"}]}]  # fmt: skip
    r["people"] = [EVE, person("P4", "Gail", "carer"), person("P1", "Carla", "mother")]
    r["checks"] = [check("family", "health", "pending")]
    r["agencies"] = [{"name": "Health Visiting", "involvement": "ongoing"}]
    r["decision"] = decision("social_worker", outstanding_information=None,
                             missing_information_plan=None)  # fmt: skip
    r["closure"] = closure("disengaged", notified=[])
    return r


@pytest.mark.parametrize("rule", ASSESSMENT_RULES)
def test_every_assessment_rule_is_not_applicable_to_a_discharge_record(rule: str) -> None:
    decided(rule, discharge_with_a_poor_assessment(), "not_applicable")


def test_a_discharge_record_is_decided_by_the_discharge_rules_alone() -> None:
    report = run(discharge_with_a_poor_assessment())
    assert report.verdict == "pass"
    assert report.result("discharge-risk-recorded").status == "pass"
    assert report.result("discharge-disclosure-decided").status == "not_applicable"


def test_the_base_record_passes_every_rule_that_applies() -> None:
    report = run(base())
    assert report.verdict == "pass"
    assert not report.failed_rules


@pytest.mark.parametrize(
    ("data", "failing"),
    [
        pytest.param(record(started_on="2024-01-02"), ["assessment-timescale"],
                     id="over 45 working days"),
        pytest.param(s47(), ["child-seen-alone"], id="a section 47 child not seen alone"),
        pytest.param(record(kind="s47", started_on="2024-01-02"),
                     ["assessment-timescale", "child-seen-alone"], id="both advisories fail"),
    ],
)  # fmt: skip
def test_advisory_failures_never_change_the_verdict(data: Data, failing: list[str]) -> None:
    report = run(data)
    assert [r.rule for r in report.failed_rules] == failing
    assert all(r.severity == "advisory" for r in report.failed_rules)
    assert report.verdict == "pass"


def _no_police_check_on_eve() -> Data:
    return record(checks=[check("family", "children_social_care"),
                          check("P3", "children_social_care"),
                          check("family", "police", on="2024-03-12"),
                          check("family", "health", "pending", on="2024-03-18")])  # fmt: skip


def _looked_after_with_lee() -> Data:
    return record(children=[child(looked_after=True,
                                  lives_with=[{"person": "P9", "since": "2024-02-20"}])],
                  people=[*parents(), EVE, person("P9", "Lee", "other")])  # fmt: skip


BLOCKERS = [
    pytest.param("agency-checks-made", record(agencies=[
        {"name": "Health Visiting", "involvement": "ongoing", "consulted_on": "2024-03-25"}]),
        id="agency-checks-made"),
    pytest.param("child-seen", seen(visit("2024-03-06", "video")), id="child-seen"),
    pytest.param("supporting-adults-checked", _no_police_check_on_eve(),
                 id="supporting-adults-checked"),
    pytest.param("both-parents-considered", father_considered(None),
                 id="both-parents-considered"),
    pytest.param("outstanding-information-stated",
                 without_decision_field("outstanding_information"),
                 id="outstanding-information-stated"),
    pytest.param("recommendations-for-progression",
                 record(children=[child(recommendations="see above")]),
                 id="recommendations-for-progression"),
    pytest.param("nfa-needs-all-checks", record(decision=decision("social_worker")),
                 id="nfa-needs-all-checks"),
    pytest.param("looked-after-household-checked", _looked_after_with_lee(),
                 id="looked-after-household-checked"),
    pytest.param("closure-notifies-agencies", record(closure=closure(notified=[])),
                 id="closure-notifies-agencies"),
    pytest.param("discharge-risk-recorded",
                 record(discharges=[discharge(risk=("2024-03-21", "no_risk"))]),
                 id="discharge-risk-recorded"),
    pytest.param("discharge-disclosure-decided",
                 record(discharges=[discharge(reason="did_not_attend")]),
                 id="discharge-disclosure-decided"),
    pytest.param("each-child-own-outcome", record(children=[child(outcome=None)]),
                 id="each-child-own-outcome"),
    pytest.param("disengagement-closure-decided", record(closure=closure("disengaged")),
                 id="disengagement-closure-decided"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "data"), BLOCKERS)
def test_any_one_blocker_failing_fails_the_verdict(rule: str, data: Data) -> None:
    report: Report = run(data)
    assert [r.rule for r in report.failed_rules] == [rule]
    assert report.result(rule).severity == "blocker"
    assert report.verdict == "fail"


def test_every_catalogue_rule_is_covered_here() -> None:
    """A new rule in rules/ must get its own cases in this file."""
    report = run(base())
    covered = set(ASSESSMENT_RULES) | {"discharge-risk-recorded", "discharge-disclosure-decided"}
    assert {r.rule for r in report.results} == covered
    assert {r.rule for r in report.results if r.severity == "advisory"} == set(ADVISORY_RULES)
    assert {p.values[0] for p in BLOCKERS} == covered - set(ADVISORY_RULES)


# ---------------------------------------------------------------------------------------------
# The whole catalogue against a plain reading of rules.md, over seeded random records
# ---------------------------------------------------------------------------------------------

Decided = dict[str, tuple[str, list[tuple[str, str]]]]


def _present(text: str | None) -> bool:
    return text is not None and bool(text.strip()) and text.strip().lower() not in PLACEHOLDERS


def _working_days(start: date, end: date) -> int:
    years = range(start.year, end.year + 1)
    bank = set(holidays.country_holidays("GB", subdiv="ENG", years=years))
    days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sum(1 for d in days if d.weekday() < 5 and d not in bank)


def plain_reading(r: Data) -> Decided:
    """rules.md's table, read literally: {rule: (status, sorted [(subject, pass|fail)])}."""
    day = date.fromisoformat
    start, completion = day(r["started_on"]), day(r["completed_on"])
    children, people, checks = r["children"], r["people"], r["checks"]
    agencies, closure, dec = r["agencies"], r["closure"], r["decision"]
    assessment = r["kind"] != "discharge"
    out: Decided = {}

    def decide(rule: str, findings: list[tuple[str, bool]]) -> None:
        found = sorted((s, "pass" if ok else "fail") for s, ok in findings)
        status = "fail" if any(st == "fail" for _, st in found) else "pass"
        out[rule] = (status if found else "not_applicable", found)

    def is_checked(pid: str) -> bool:
        return all(any(k["subject"] == pid and k["source"] == s and k["status"] == "completed"
                       and day(k["completed_on"]) <= completion for k in checks)
                   for s in ("police", "children_social_care"))  # fmt: skip

    def parents_of(cid: str) -> tuple[set[str], set[str]]:
        ps = {p["id"] for p in people if p["relationship"] in ("mother", "father", "parent")
              and (not p.get("parent_of") or cid in p["parent_of"])}  # fmt: skip
        steps = {p["id"] for p in people if p["relationship"] == "step_parent"
                 and cid in (p.get("parent_of") or [])}  # fmt: skip
        return ps, steps

    def lives_with(c: Data, pid: str) -> bool:
        return any(lw["person"] == pid for lw in c.get("lives_with") or [])

    def in_window(on: str) -> bool:
        return start <= day(on) <= completion

    outstanding = any(k["status"] != "completed" or day(k["completed_on"]) > completion
                      for k in checks)  # fmt: skip
    born = [c for c in children if not c.get("unborn")]
    considered = {p["id"]: _present(p.get("considered")) for p in people}
    done = [k for k in checks if k["status"] == "completed" and in_window(k["completed_on"])]
    ongoing = [a for a in agencies if a["involvement"] == "ongoing"]

    decide("agency-checks-made", [] if not assessment else [
        ("assessment", any(k["source"] == "children_social_care" for k in done)
         and any(k["source"] != "children_social_care" for k in done)),
        *((a["name"], a.get("consulted_on") is not None
           and day(a["consulted_on"]) <= completion) for a in ongoing)])  # fmt: skip
    decide("child-seen", [] if not assessment else [
        (c["id"], any(v["how"] == "in_person" and in_window(v["on"]) for v in c["seen"]))
        for c in born])  # fmt: skip
    decide("supporting-adults-checked", [] if not assessment else [
        (p["id"], is_checked(p["id"])) for p in people
        if p.get("supporting") or p["relationship"] == "carer"
        or any(not c.get("looked_after") and lives_with(c, p["id"])
               and p["id"] not in parents_of(c["id"])[0] for c in children)])  # fmt: skip
    both = []
    for c in children:
        ps, steps = parents_of(c["id"])
        both.append((c["id"], all(considered[p] for p in ps | steps)
                     and (len(ps) >= 2 or _present(c.get("parents_note")))))  # fmt: skip
    decide("both-parents-considered", both if assessment else [])
    decide("outstanding-information-stated", [
        ("assessment", _present(dec.get("outstanding_information")))]
        if assessment and outstanding else [])  # fmt: skip
    decide("recommendations-for-progression", [] if not assessment else [
        (c["id"], _present(c.get("recommendations"))) for c in children])  # fmt: skip
    nfa = any(c.get("outcome") == "nfa" for c in children)
    nfa = nfa or (closure is not None and closure["reason"] == "nfa")
    decide("nfa-needs-all-checks", [
        ("assessment", dec["by"]["role"] in ("supervisor", "manager")
         and _present(dec.get("missing_information_plan")))]
        if assessment and nfa and outstanding else [])  # fmt: skip
    decide("looked-after-household-checked", [] if not assessment else [
        (p["id"], is_checked(p["id"])) for p in people
        if any(c.get("looked_after") and lives_with(c, p["id"]) for c in children)])  # fmt: skip
    decide("closure-notifies-agencies", [] if not (assessment and closure) else [
        (a["name"], any(n["agency"] == a["name"] and day(n["on"]) >= day(dec["on"])
                        for n in closure["notified"])) for a in ongoing])  # fmt: skip
    decide("discharge-risk-recorded", [
        (d["person"], d.get("risk_to_children") is not None
         and day(d["risk_to_children"]["assessed_on"]) <= day(d["on"]))
        for d in r["discharges"]])  # fmt: skip
    decide("discharge-disclosure-decided", [
        (d["person"], d.get("disclosure") is not None and _present(d["disclosure"]["reasons"]))
        for d in r["discharges"]
        if d["reason"] in ("did_not_attend", "disengaged")
        or (d.get("risk_to_children") or {}).get("finding") in ("risk", "unknown")])  # fmt: skip
    decide("each-child-own-outcome", [] if not assessment else [
        (c["id"], c.get("outcome") is not None) for c in children])  # fmt: skip
    nd = (closure or {}).get("notification_decision")
    decide("disengagement-closure-decided", [
        ("assessment", nd is not None and _present(nd.get("reasons")))]
        if assessment and closure and closure["reason"] in ("disengaged", "did_not_attend")
        else [])  # fmt: skip
    decide("assessment-timescale", [
        ("assessment", _working_days(start, completion) <= 45)] if assessment else [])  # fmt: skip
    decide("child-seen-alone", [] if r["kind"] != "s47" else [
        (c["id"], any(v["how"] == "in_person" and v.get("alone") is True and in_window(v["on"])
                      for v in c["seen"])) for c in born])  # fmt: skip
    return out


@pytest.mark.parametrize("lo", range(0, 400, 100), ids=lambda lo: f"records {lo}-{lo + 99}")
def test_random_records_are_decided_as_a_plain_reading_of_the_catalogue(lo: int) -> None:
    for n in range(lo, lo + 100):
        data = random_record(random.Random(f"catalogue {n}"), n)
        report = run(data)
        got = {r.rule: (r.status, sorted((f.subject, f.status) for f in r.findings))
               for r in report.results}  # fmt: skip
        expected = plain_reading(data)
        assert got == expected, (n, {k: (got[k], v) for k, v in expected.items() if got[k] != v})
        blockers_fail = any(r.status == "fail" and r.rule not in ADVISORY_RULES
                            for r in report.results)  # fmt: skip
        assert report.verdict == ("fail" if blockers_fail else "pass")
