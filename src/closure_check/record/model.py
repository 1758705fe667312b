"""The assessment record, version 1 and 1.1, as pydantic models: every field, enum and date of
the record format (`docs/record-format.md`), strict (`1` is not text, `"true"` is not a boolean).

A date after the as-of date is refused while the shape is validated, so that it is reported
together with every other mistake in the record (`validate.py` gives the as-of date); an unborn
child's expected date of birth and a judgement's expiry may be later (1.1). `null` for an
optional field is the field left out (1.1), whatever its type.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import ConfigDict, Field

from .base import _X_FIELDS_SCHEMA, _AnyDate, _BirthDate, _Date, _Model

RECORD_FORMAT: Final = "closure-check/assessment/1"
#: Format 1.1 only adds fields (judgements); both are read the same way.
RECORD_FORMAT_1_1: Final = "closure-check/assessment/1.1"
RECORD_FORMATS: Final = (RECORD_FORMAT, RECORD_FORMAT_1_1)

#: `check.subject` may name the whole family instead of a child or an adult.
FAMILY = "family"

# ---------------------------------------------------------------------------------------------
# Enumerations, exactly as record-format.md spells them
# ---------------------------------------------------------------------------------------------

Kind = Literal["initial", "single", "s47", "looked_after_review", "discharge"]
Role = Literal["social_worker", "senior_practitioner", "supervisor", "manager", "other"]
ChildOutcome = Literal[
    "nfa",
    "early_help",
    "cin_plan",
    "s47_enquiry",
    "child_protection_conference",
    "looked_after",
    "other",
]
How = Literal["in_person", "video", "phone"]
Relationship = Literal[
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
Source = Literal[
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
CheckStatus = Literal["completed", "pending", "not_possible"]
CheckFinding = Literal["no_concerns", "concerns"]
Involvement = Literal["ongoing", "past"]
Service = Literal["adult_mental_health", "substance_misuse", "probation", "other"]
DischargeReason = Literal["completed", "did_not_attend", "disengaged", "moved", "other"]
RiskFinding = Literal["risk", "no_risk", "unknown"]
DisclosureDecision = Literal["full", "partial", "none"]
ClosureReason = Literal[
    "nfa", "early_help", "disengaged", "did_not_attend", "moved_away", "transferred", "other"
]

# ---------------------------------------------------------------------------------------------
# The record, as record-format.md describes it. Optional fields whose absence is None also
# accept null; optional booleans and lists default to false and empty, and null for them (as for
# every optional field) is the field left out (1.1).
# ---------------------------------------------------------------------------------------------


class Worker(_Model):
    """The worker who carried out the assessment."""

    id: str
    name: str | None = None
    team: str | None = None


class DecisionMaker(_Model):
    """Who took the decision (`decision.by`)."""

    id: str | None = None
    name: str | None = None
    role: Role


class Decision(_Model):
    """The conclusion of the assessment and who took it."""

    on: _Date = Field(description="date of the decision")
    by: DecisionMaker = Field(description="who took the decision")
    conclusion: str | None = Field(
        default=None, description="the analysis and conclusion of the assessment"
    )
    outstanding_information: str | None = Field(
        default=None,
        description="what could not be obtained or checked before completion, "
        "stated in the conclusion",
    )
    missing_information_plan: str | None = Field(
        default=None,
        description="the supervisor's or manager's plan to obtain what is missing",
    )


class Visit(_Model):
    """One time the child was seen."""

    on: _Date
    how: How
    alone: bool | None = None
    by: str | None = Field(default=None, description="the worker's id")


class LivesWith(_Model):
    """An adult the child lives with or who looks after the child, and since when."""

    person: str = Field(description="a person id")
    since: _Date


class Child(_Model):
    """A child the assessment concerns."""

    id: str
    name: str
    # before date_of_birth, which an unborn child may give as a later, expected date
    unborn: bool = Field(
        default=False, description="a pre-birth assessment; child-seen does not apply"
    )
    date_of_birth: _BirthDate | None = Field(
        default=None, description="for an unborn child, the expected date (which may be later)"
    )
    looked_after: bool = Field(
        default=False, description="the child is looked after by the local authority"
    )
    seen: list[Visit] = Field(
        default_factory=list,
        description="every time the child was seen during this assessment",
    )
    outcome: ChildOutcome | None = Field(
        default=None,
        description="this child's own outcome; null or absent means none was recorded",
    )
    recommendations: str | None = Field(
        default=None, description="this child's recommendations for progression"
    )
    parents_note: str | None = Field(
        default=None,
        description="why a parent is not identified or could not be considered",
    )
    lives_with: list[LivesWith] = Field(
        default_factory=list,
        description="adults the child lives with or who look after the child, other than "
        "approved foster carers; for a looked-after child, every such adult after a change "
        "of circumstances",
    )


class Person(_Model):
    """An adult around the children."""

    id: str
    name: str
    relationship: Relationship = Field(description="relationship to the children")
    parent_of: list[str] = Field(
        default_factory=list,
        description="ids of the children of whom this person is a parent (including a "
        "parent who does not live with the child)",
    )
    supporting: bool = Field(
        default=False,
        description="identified as able or available to provide support to the child or "
        "family, including looking after the child",
    )
    considered: str | None = Field(
        default=None,
        description="how this person's situation and significance to the child was considered",
    )


class Check(_Model):
    """A database or agency check made or requested."""

    model_config = ConfigDict(
        json_schema_extra={
            **_X_FIELDS_SCHEMA,
            "if": {"properties": {"status": {"const": "completed"}}},
            "then": {
                "required": ["completed_on"],
                "properties": {"completed_on": {"type": "string"}},
            },
        }
    )

    id: str | None = None
    subject: str = Field(description='whom the check is about: a person id, a child id or "family"')
    source: Source = Field(
        description="children_social_care is the authority's own records; every other "
        "source is inter-agency"
    )
    status: CheckStatus
    requested_on: _Date | None = None
    completed_on: _Date | None = Field(
        default=None, description="required when status is completed"
    )
    finding: CheckFinding | None = None
    note: str | None = None


class Agency(_Model):
    """Another agency involved with the child or family."""

    name: str
    involvement: Involvement
    consulted_on: _Date | None = None


class RiskToChildren(_Model):
    """The recorded assessment of whether a discharged adult poses a risk to children."""

    assessed_on: _Date
    finding: RiskFinding
    note: str | None = None


class Disclosure(_Model):
    """The disclosure decision on a discharge and its reasons."""

    decision: DisclosureDecision
    reasons: str
    decided_by: str | None = None
    on: _Date | None = None


class Discharge(_Model):
    """The discharge of an adult in `people` from an adult service."""

    person: str = Field(description="the id of the adult discharged")
    service: Service
    on: _Date
    reason: DischargeReason
    risk_to_children: RiskToChildren | None = Field(
        default=None,
        description="the recorded assessment of whether the person poses a risk to "
        "children, known or not",
    )
    disclosure: Disclosure | None = Field(
        default=None, description="the disclosure decision and its reasons"
    )


class Notified(_Model):
    """An agency told of the closure, and when."""

    agency: str = Field(description="an agency name")
    on: _Date


class NotificationDecision(_Model):
    """For a closure after disengagement: whether to notify other agencies, and why."""

    notify: bool
    reasons: str | None = None


class Closure(_Model):
    """Present when the case is being closed."""

    on: _Date
    reason: ClosureReason
    notified: list[Notified] = Field(
        default_factory=list, description="agencies told of the closure"
    )
    notification_decision: NotificationDecision | None = Field(
        default=None,
        description="for closures after disengagement: the recorded decision whether to "
        "notify other agencies, and why",
    )


class Judge(_Model):
    """Who made a judgement (`judgements[].by`)."""

    id: str | None = None
    name: str | None = None
    role: Role


class Judgement(_Model):
    """A professional judgement answering one finding of one rule (1.1; rules.md,
    *Judgements*): it never deletes the finding, it changes how the finding counts."""

    rule: str = Field(description="the id of the rule whose finding is answered")
    subject: str = Field(
        description="the finding's subject: a child id, a person id, an agency name, or "
        '"assessment"'
    )
    by: Judge = Field(description="who made the judgement")
    on: _Date = Field(description="when it was made")
    reason: str = Field(description="why the finding is accepted, in the judge's words")
    expires_on: _AnyDate | None = Field(
        default=None, description="the last day on which it applies (may be later than today)"
    )


#: `judgements[].subject` may name the whole assessment.
ASSESSMENT = "assessment"


def agency_key(name: str) -> str:
    """An agency name as names are compared (1.1): ignoring case and runs of whitespace."""
    return " ".join(name.split()).casefold()


class Record(_Model):
    """One assessment, as a case management system exports it for checking."""

    model_config = ConfigDict(
        json_schema_extra={
            **_X_FIELDS_SCHEMA,
            "if": {
                "properties": {"kind": {"const": "discharge"}},
                "required": ["kind"],
            },
            "then": {
                "required": ["discharges"],
                "properties": {"discharges": {"minItems": 1}},
            },
            "else": {
                "required": ["children"],
                "properties": {"children": {"minItems": 1}},
            },
        }
    )

    format: Literal["closure-check/assessment/1", "closure-check/assessment/1.1"] = Field(
        default=RECORD_FORMAT,
        description="version marker; any other value is an input error. Both are read the "
        "same way: 1.1 only adds fields",
    )
    id: str = Field(description="the assessment's identifier")
    kind: Kind = Field(
        description="what is being completed; discharge is an adult service's discharge record"
    )
    started_on: _Date = Field(description="when the assessment started")
    completed_on: _Date = Field(
        description="when the assessment is (or is proposed to be) completed / authorised"
    )
    worker: Worker = Field(description="the worker who carried it out")
    decision: Decision = Field(description="the conclusion and who took it")
    children: list[Child] = Field(
        default_factory=list,
        description="every child the assessment concerns; 1 or more, except for a discharge "
        "record (0 or more: the children known to the adult service)",
    )
    people: list[Person] = Field(default_factory=list, description="the adults around the children")
    checks: list[Check] = Field(
        default_factory=list, description="database and agency checks made or requested"
    )
    agencies: list[Agency] = Field(
        default_factory=list,
        description="other agencies involved with the child or family",
    )
    discharges: list[Discharge] = Field(
        default_factory=list,
        description="discharges of adults in people from adult services; 1 or more for a "
        "discharge record",
    )
    closure: Closure | None = Field(
        default=None, description="present when the case is being closed"
    )
    judgements: list[Judgement] = Field(
        default_factory=list,
        description="professional judgements recorded against findings (1.1)",
    )
