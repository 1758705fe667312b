"""The assessment record, version 1, as pydantic models: every field, enum and date of the
record format (`docs/record-format.md`), strict (`1` is not text, `"true"` is not a boolean).

A date after the as-of date is refused while the shape is validated, so that it is reported
together with every other mistake in the record (`validate.py` gives the as-of date).
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from ..errors import show_value

RECORD_FORMAT: Final = "closure-check/assessment/1"

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
# Dates and field names
# ---------------------------------------------------------------------------------------------

_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _custom(kind: str, message: str) -> PydanticCustomError:
    # The message goes in through the context so that braces in the user's text are kept as
    # they are instead of being read as a template.
    return PydanticCustomError(kind, "{message}", {"message": message})


def _to_date(value: object, info: ValidationInfo) -> datetime.date:
    """A date is a `YYYY-MM-DD` string, in JSON and YAML alike: never a number or a datetime.
    With an as-of date in the validation context, a later date is refused here, so that it is
    reported together with every other mistake in the record."""
    if type(value) is datetime.date:  # from Python callers; JSON and YAML give text
        day = value
    elif not isinstance(value, str):
        raise _custom("date_type", f'must be a date written "YYYY-MM-DD", not {show_value(value)}')
    elif not _DATE_SHAPE.fullmatch(value):
        raise _custom("date_format", f"{show_value(value)} is not a date in the form YYYY-MM-DD")
    else:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise _custom(
                "date_value", f"{show_value(value)} is not a real date (use YYYY-MM-DD)"
            ) from None
    as_of = info.context.get(AS_OF) if info.context else None
    if as_of is not None and day > as_of:
        raise _custom(
            "date_future",
            f"{day.isoformat()} is after the as-of date {as_of.isoformat()}: nothing can have "
            "been recorded in the future",
        )
    return day


#: The key of the as-of date in pydantic's validation context (see `parse_record`).
AS_OF = "as_of"

_DATE_JSON_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "date",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}

_Date = Annotated[datetime.date, BeforeValidator(_to_date), WithJsonSchema(_DATE_JSON_SCHEMA)]


def _extra_name(name: str) -> str:
    """A field the record format does not name is only allowed when it starts with `x_`."""
    if name.startswith("x_"):
        return name
    raise _custom(
        "unknown_field",
        f"unknown field {show_value(name)} (fields not in the record format must start with x_)",
    )


_ExtraName = Annotated[str, AfterValidator(_extra_name)]

_X_FIELDS_SCHEMA: dict[str, Any] = {
    "patternProperties": {"^x_": {}},
    "additionalProperties": False,
}


class _Model(BaseModel):
    """Strict (`1` is not text, `"true"` is not a boolean); unknown fields are errors unless
    their names start with `x_`. Those are kept in `model_extra` and no rule reads them."""

    model_config = ConfigDict(extra="allow", strict=True, json_schema_extra=_X_FIELDS_SCHEMA)

    # pydantic validates the names of extra fields with this key type, in its fast core.
    __pydantic_extra__: dict[_ExtraName, Any] = Field(init=False)


# ---------------------------------------------------------------------------------------------
# The record, as record-format.md describes it. Optional fields whose absence is None also
# accept null; optional booleans and lists default to false and empty and do not accept null.
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
    date_of_birth: _Date | None = None
    unborn: bool = Field(
        default=False, description="a pre-birth assessment; child-seen does not apply"
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

    format: Literal["closure-check/assessment/1"] = Field(
        default=RECORD_FORMAT, description="version marker; any other value is an input error"
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


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------
