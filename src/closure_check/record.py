"""The assessment record, version 1 (`docs/record-format.md`): models, decoding and validation.

`load_record` reads a file, `decode_json` / `decode_yaml` turn text into plain data, and
`parse_record` turns that data into a `Record` or raises `InputError` listing every problem,
each with the record's own field path (`children[1].seen[0].on`) and a message in plain words.

Validation runs in two passes. The first is pydantic's, in strict mode: the shape, the types,
the enums, the dates (including dates after the as-of date) and unknown fields, all reported
together. The second, on a record whose shape is right, checks what spans fields: references
between ids, unique ids and names, and what depends on `kind` or `status`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
import os
import pathlib
import re
import stat
from collections.abc import Iterator
from typing import Annotated, Any, Final, Literal, NoReturn

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from .errors import InputError, Problem

__all__ = [
    "RECORD_FORMAT",
    "Agency",
    "Check",
    "Child",
    "Closure",
    "ClosureReason",
    "Decision",
    "DecisionMaker",
    "Discharge",
    "DischargeReason",
    "Disclosure",
    "DisclosureDecision",
    "Finding",
    "How",
    "Involvement",
    "Kind",
    "LivesWith",
    "NotificationDecision",
    "Notified",
    "Outcome",
    "Person",
    "Record",
    "Relationship",
    "RiskFinding",
    "RiskToChildren",
    "Role",
    "Service",
    "Source",
    "Status",
    "Visit",
    "Worker",
    "decode_json",
    "decode_yaml",
    "load_record",
    "parse_record",
    "read_text",
    "record_json_schema",
]

RECORD_FORMAT: Final = "closure-check/assessment/1"

#: `check.subject` may name the whole family instead of a child or an adult.
FAMILY = "family"

# ---------------------------------------------------------------------------------------------
# Enumerations, exactly as record-format.md spells them
# ---------------------------------------------------------------------------------------------

Kind = Literal["initial", "single", "s47", "looked_after_review", "discharge"]
Role = Literal["social_worker", "senior_practitioner", "supervisor", "manager", "other"]
Outcome = Literal[
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
Status = Literal["completed", "pending", "not_possible"]
Finding = Literal["no_concerns", "concerns"]
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
        raise _custom("date_type", f'must be a date written "YYYY-MM-DD", not {_show(value)}')
    elif not _DATE_SHAPE.fullmatch(value):
        raise _custom("date_format", f"{_show(value)} is not a date in the form YYYY-MM-DD")
    else:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise _custom(
                "date_value", f"{_show(value)} is not a real date (use YYYY-MM-DD)"
            ) from None
    as_of = info.context.get(_AS_OF) if info.context else None
    if as_of is not None and day > as_of:
        raise _custom(
            "date_future",
            f"{day.isoformat()} is after the as-of date {as_of.isoformat()}: nothing can have "
            "been recorded in the future",
        )
    return day


#: The key of the as-of date in pydantic's validation context (see `parse_record`).
_AS_OF = "as_of"

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
        f"unknown field {_show(name)} (fields not in the record format must start with x_)",
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
    outcome: Outcome | None = Field(
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
    status: Status
    requested_on: _Date | None = None
    completed_on: _Date | None = Field(
        default=None, description="required when status is completed"
    )
    finding: Finding | None = None
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


def parse_record(
    data: object, *, source: str, as_of: datetime.date, line: int | None = None
) -> Record:
    """Validate an already-decoded JSON/YAML value. Raises InputError listing EVERY problem."""
    try:
        record = Record.model_validate(data, context={_AS_OF: as_of})
    except ValidationError as exc:
        problems = [
            Problem(source, line, _path(err["loc"]), _message(err))
            for err in exc.errors(include_url=False)
        ]
        raise InputError(problems) from None
    found = _cross_field_problems(record)
    if found:
        raise InputError([Problem(source, line, path, message) for path, message in found])
    return record


def _path(loc: tuple[int | str, ...]) -> str:
    """pydantic's `('children', 1, 'seen', 0, 'on')` as the record's `children[1].seen[0].on`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _show(value: object) -> str:
    """A value from the record as a social worker would recognise it, shortened if long."""
    if isinstance(value, str):
        text = json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
        return text
    if value is None:
        return "null (nothing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return "a value of another kind"


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "missing: this field is required"
    if "message" in ctx and len(ctx) == 1:
        return str(ctx["message"])
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        if err["loc"] == ("format",):
            return (
                f"{_show(value)} is not a record format this version of closure-check reads "
                f'(it reads "{RECORD_FORMAT}")'
            )
        return f"{_show(value)} is not one of: {', '.join(allowed)}"
    if kind == "string_type":
        hint = " (put it in quotes)" if isinstance(value, int | float) else ""
        return f"must be text, not {_show(value)}{hint}"
    if kind == "bool_type":
        hint = " (without quotes)" if value in ("true", "false") else ""
        return f"must be true or false{hint}, not {_show(value)}"
    if kind == "list_type":
        return f"must be a list [...], not {_show(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if not err["loc"]:
            return (
                "a record must be a group of fields (a JSON object {...} or a YAML mapping), "
                f"not {_show(value)}"
            )
        return f"must be a group of fields {{...}}, not {_show(value)}"
    return f"{err['msg']} (the value given was {_show(value)})"


def _cross_field_problems(record: Record) -> list[tuple[str, str]]:
    """What spans fields: counts that depend on `kind`, `completed_on` of completed checks,
    unique ids and names, and references. (Dates after the as-of date are found by `_to_date`.)"""
    found: list[tuple[str, str]] = []
    fields_given = record.model_fields_set

    if record.kind == "discharge":
        if "discharges" not in fields_given:
            found.append(("discharges", "missing: a discharge record must list its discharges"))
        elif not record.discharges:
            found.append(("discharges", "a discharge record must list at least one discharge"))
    elif "children" not in fields_given:
        found.append(("children", "missing: this field is required"))
    elif not record.children:
        found.append(
            (
                "children",
                "an assessment must list at least one child (only a discharge record may "
                "list none)",
            )
        )

    # Ids: unique across children and people together; "family" is reserved.
    owner: dict[str, str] = {}
    child_ids: set[str] = set()
    person_ids: set[str] = set()
    for group, given, ids in (
        ("children", [child.id for child in record.children], child_ids),
        ("people", [person.id for person in record.people], person_ids),
    ):
        for i, item_id in enumerate(given):
            where = f"{group}[{i}]"
            if item_id == FAMILY:
                found.append(
                    (
                        f"{where}.id",
                        f'"{FAMILY}" cannot be an id: it is kept for checks about the whole family',
                    )
                )
            elif item_id in owner:
                found.append(
                    (
                        f"{where}.id",
                        f"{_show(item_id)} is already the id of {owner[item_id]}: ids must be "
                        "unique across children and people",
                    )
                )
            else:
                owner[item_id] = where
                ids.add(item_id)

    agency_at: dict[str, int] = {}
    for i, agency in enumerate(record.agencies):
        if agency.name in agency_at:
            found.append(
                (
                    f"agencies[{i}].name",
                    f"{_show(agency.name)} is listed twice (also "
                    f"agencies[{agency_at[agency.name]}]): each agency is listed once",
                )
            )
        else:
            agency_at[agency.name] = i

    check_at: dict[str, int] = {}
    for i, check in enumerate(record.checks):
        if check.id is not None:
            if check.id in check_at:
                found.append(
                    (
                        f"checks[{i}].id",
                        f"{_show(check.id)} is already the id of checks[{check_at[check.id]}]: "
                        "check ids must be unique",
                    )
                )
            else:
                check_at[check.id] = i
        if check.status == "completed" and check.completed_on is None:
            found.append(
                (
                    f"checks[{i}].completed_on",
                    "missing: a completed check needs the date it was completed",
                )
            )
        if check.subject != FAMILY and check.subject not in owner:
            found.append(
                (
                    f"checks[{i}].subject",
                    f"{_show(check.subject)} is not a child or person in this record "
                    f'(nor "{FAMILY}")',
                )
            )

    def must_be_child(path: str, ref: str) -> None:
        if ref in child_ids:
            return
        also = " (it is an adult in people)" if ref in person_ids else ""
        found.append((path, f"{_show(ref)} is not a child in this record{also}"))

    def must_be_person(path: str, ref: str) -> None:
        if ref in person_ids:
            return
        also = " (it is a child)" if ref in child_ids else ""
        found.append((path, f"{_show(ref)} is not a person in this record's people{also}"))

    for i, child in enumerate(record.children):
        for j, lives in enumerate(child.lives_with):
            must_be_person(f"children[{i}].lives_with[{j}].person", lives.person)
    for i, person in enumerate(record.people):
        for j, child_id in enumerate(person.parent_of):
            must_be_child(f"people[{i}].parent_of[{j}]", child_id)
    for i, discharge in enumerate(record.discharges):
        must_be_person(f"discharges[{i}].person", discharge.person)

    return found


# ---------------------------------------------------------------------------------------------
# Decoding JSON
# ---------------------------------------------------------------------------------------------

_JSON_SYNTAX = {
    "Expecting value": "a value was expected here (text in double quotes, a number, true, "
    "false, null, a list [...] or a group of fields {...})",
    "Expecting ',' delimiter": "a comma (,) or a closing bracket is missing",
    "Expecting ':' delimiter": "a colon (:) is missing after a field name",
    "Expecting property name enclosed in double quotes": "a field name in double quotes was "
    "expected (is there a comma after the last field, or a name without quotes?)",
    "Unterminated string starting at": "text that starts here has no closing double quote",
    "Extra data": "there is more after the end of the record (a file holds one record; use "
    "JSON Lines, one record per line, for several)",
    "Invalid control character at": "a line break or tab inside text must be written as \\n or \\t",
    "Invalid \\escape": "a backslash inside text must be written as \\\\",
    "Invalid \\u" + "X" * 4 + " escape": "a \\u inside text must be followed by four hex digits",
}

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _DuplicateKeys(Exception):
    pass


class _NotANumber:
    """Stands, while decoding, where JSON had NaN or Infinity, so its field can be named."""

    def __init__(self, text: str) -> None:
        self.text = text


def decode_json(text: str, *, source: str, line: int | None = None) -> object:
    """json.loads with duplicate keys rejected, NaN/Infinity rejected; InputError on bad JSON
    giving the line (and column) of the syntax error in plain words."""
    duplicated: list[tuple[dict[str, Any], list[str]]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
            duplicated.append((out, twice))
        return out

    def fail(message: str, at: int | None = line) -> NoReturn:
        raise InputError([Problem(source, at, "", message)])

    not_numbers: list[_NotANumber] = []

    def not_a_number(text: str) -> _NotANumber:
        not_numbers.append(_NotANumber(text))
        return not_numbers[-1]

    def finite_float(text: str) -> float | _NotANumber:
        value = float(text)
        return value if math.isfinite(value) else not_a_number(text)

    if not text.strip():
        fail("is empty: there is no record in it")
    try:
        data = json.loads(
            text,
            object_pairs_hook=pairs_hook,
            parse_constant=not_a_number,
            parse_float=finite_float,
        )
    except json.JSONDecodeError as exc:
        plain = _JSON_SYNTAX.get(exc.msg, exc.msg)
        if line is None:
            fail(f"not valid JSON (column {exc.colno}): {plain}", exc.lineno)
        where = (
            f"line {exc.lineno}, column {exc.colno}" if exc.lineno > 1 else f"column {exc.colno}"
        )
        fail(f"not valid JSON ({where}): {plain}")
    except RecursionError:
        fail("is nested too deeply to be a record (lists or groups of fields inside each other)")
    except ValueError:  # an integer with more digits than Python will convert
        fail("contains a number with more digits than a record can hold")

    problems: list[Problem] = []
    if not_numbers:
        problems += [
            Problem(
                source,
                line,
                path,
                f"{value.text} is not a number a record can hold "
                "(NaN and Infinity are not allowed)",
            )
            for path, value in _walk(data)
            if isinstance(value, _NotANumber)
        ]
    if duplicated:
        paths = _paths_of(data, {id(d) for d, _ in duplicated})
        order = list(paths)  # the order in which the objects appear in the text
        duplicated.sort(key=lambda entry: order.index(id(entry[0])))
        for d, names in duplicated:
            prefix = paths.get(id(d), "")
            for name in dict.fromkeys(names):
                problems.append(
                    Problem(
                        source,
                        line,
                        f"{prefix}.{name}" if prefix else name,
                        "is given twice in the same group of fields: give each field once",
                    )
                )
    if _SURROGATE_ESCAPE.search(text):
        problems.extend(_broken_text(data, source, line))
    if problems:
        raise InputError(problems)
    return data


def _walk(data: object) -> Iterator[tuple[str, object]]:
    """Every value in `data` with its path, without recursion (the data may be deep)."""
    stack: list[tuple[str, object]] = [("", data)]
    while stack:
        path, value = stack.pop()
        yield path, value
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                stack.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                stack.append((f"{path}[{i}]", value[i]))


def _paths_of(data: object, wanted: set[int]) -> dict[int, str]:
    return {id(value): path for path, value in _walk(data) if id(value) in wanted}


def _broken_text(data: object, source: str, line: int | None) -> list[Problem]:
    """Text holding half of a character (an unpaired \\ud800-\\udfff escape) cannot be printed
    in a report, so it is refused here rather than crashing later."""
    problems: list[Problem] = []
    for path, value in _walk(data):
        texts: list[object] = [value]
        if isinstance(value, dict):
            texts = list(value.keys())
        for text in texts:
            if isinstance(text, str) and _SURROGATE.search(text):
                problems.append(
                    Problem(
                        source,
                        line,
                        path,
                        "contains a broken character (an unpaired \\u escape between \\ud800 "
                        "and \\udfff)",
                    )
                )
                break
    return problems


# ---------------------------------------------------------------------------------------------
# Decoding YAML
# ---------------------------------------------------------------------------------------------

#: Aliases (`*name`) may repeat a value, but not blow a small file up into a huge record.
_MAX_EXPANDED_VALUES = 100_000
_MAX_EXPANDED_TEXT = 10_000_000

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _YamlProblem(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = None if mark is None else mark.line + 1


class _Loader(yaml.SafeLoader):
    """Safe loading, read as JSON would be: only `true` and `false` are booleans (so a field
    named `on` stays a name, and `yes` is not true), dates stay text and are checked like
    JSON's, numbers are plain decimal, keys are text and given once, NaN is refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first_line: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise _YamlProblem(
                    f"a field name must be text, not {_show(key)} (put it in quotes)",
                    key_node.start_mark,
                )
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise _YamlProblem(
                    f"the field {_show(key)} is given twice in the same mapping (first on "
                    f"line {first_line[key]}): give each field once",
                    key_node.start_mark,
                )
            first_line[key] = line
        return super().construct_mapping(node, deep=deep)


_YAML_1_1_ONLY = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _YAML_1_1_ONLY]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# The YAML 1.2 core schema's booleans and numbers (what JSON has), checked in this order.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    body = text.lstrip("+-").lower()
    sign = -1 if text.startswith("-") else 1
    base = 16 if body.startswith("0x") else 8 if body.startswith("0o") else 10
    try:
        return sign * int(body[2:] if base != 10 else body, base)
    except ValueError:
        raise _YamlProblem(
            f"{_show(text)} is not a whole number a record can hold", node.start_mark
        ) from None


def _construct_float(loader: yaml.SafeLoader, node: yaml.Node) -> float:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if text.lower().lstrip("+-") in (".nan", ".inf"):
        raise _YamlProblem(
            f"contains {text}, which is not a number a record can hold "
            "(NaN and Infinity are not allowed)",
            node.start_mark,
        )
    try:
        return float(text)
    except ValueError:
        raise _YamlProblem(f"{_show(text)} is not a number", node.start_mark) from None


def _construct_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
# An explicit `!!timestamp` stays text too, so that it is checked as a date like any other.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_text)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a document whose aliases would expand it far beyond what is written (a 'billion
    laughs'), or that contains itself. Sizes are counted once per node, so this is quick."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (values, characters) when expanded
    on_path: set[int] = set()
    unique_text = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]

    def children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        return []

    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            values, text = 1, len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            for child in children(node):
                child_values, child_text = sizes[id(child)]
                values += child_values
                text += child_text
            sizes[key] = (values, text)
            if isinstance(node, yaml.ScalarNode):
                unique_text += text
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise _YamlProblem(
                "an alias (*name) refers to a value that contains the alias itself, so the "
                "record would never end",
                node.start_mark,
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children(node) if id(child) not in sizes)

    values, text = sizes[id(root)]
    if (values > len(sizes) and values > _MAX_EXPANDED_VALUES) or (
        text > unique_text and text > _MAX_EXPANDED_TEXT
    ):
        raise _YamlProblem(
            "its aliases (*name) would expand it to far more than is written "
            f"(over {_MAX_EXPANDED_VALUES:,} values or {_MAX_EXPANDED_TEXT:,} characters); "
            "a record must not need that: write the values out instead",
            None,
        )


def decode_yaml(text: str, *, source: str) -> object:
    """yaml safe loading (never yaml.load with an unsafe Loader), duplicate keys rejected, with
    an upper bound on alias expansion (a 'billion laughs' document must be refused quickly with a
    clear message, not expand), dates kept as ISO strings (not converted to datetime.date by YAML,
    so a date is validated the same way as in JSON)."""

    def fail(message: str, at: int | None) -> NoReturn:
        raise InputError([Problem(source, at, "", message)])

    if not text.strip():
        fail("is empty: there is no record in it", None)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            fail("is empty: there is no record in it", None)
        _check_expansion(node)
        data: object = loader.construct_document(node)
    except _YamlProblem as exc:
        fail(exc.message, exc.line)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "this is not YAML"
        if mark is None:
            fail(f"not valid YAML: {what}", None)
        fail(f"not valid YAML (column {mark.column + 1}): {what}", mark.line + 1)
    except yaml.YAMLError as exc:
        fail(f"not valid YAML: {exc}", None)
    except RecursionError:
        fail("is nested too deeply to be a record (lists or mappings inside each other)", None)
    except ValueError as exc:  # not expected: the constructors above report their own
        fail(f"could not be read as YAML: {exc}", None)
    finally:
        loader.dispose()
    problems = _broken_text(data, source, None)
    if problems:
        raise InputError(problems)
    return data


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"


#: The largest record file read. A real record is a few kilobytes; a 1 MB note is fine; a file
#: of hundreds of megabytes, or a device that never ends, is refused before it is read.
MAX_RECORD_BYTES = 16 * 1024 * 1024


def cannot_read(source: str, exc: OSError) -> Problem:
    """A file that could not be opened or read, in plain words."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, IsADirectoryError):
        reason = "it is a folder, not a file"
    return Problem(source, None, "", f"cannot be read: {reason}")


def _read_bytes(path: pathlib.Path) -> bytes:
    """A record file's bytes, refused unread when it is not a regular file or is too large."""
    source = str(path)
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InputError([Problem(source, None, "", "cannot be read: it is not a file")])
            if st.st_size > MAX_RECORD_BYTES:
                raise InputError([Problem(source, None, "", _too_large(st.st_size))])
            raw = f.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        raise InputError([cannot_read(source, exc)]) from None
    if len(raw) > MAX_RECORD_BYTES:  # it grew while being read
        raise InputError([Problem(source, None, "", _too_large(len(raw)))])
    return raw


def _utf8(raw: bytes, source: str) -> str:
    """Bytes as UTF-8 text, a byte-order mark dropped; InputError naming the line if not."""
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            [
                Problem(
                    source,
                    line,
                    "",
                    f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read): save it "
                    "as UTF-8 and try again",
                )
            ]
        ) from None


def read_text_and_digest(path: pathlib.Path) -> tuple[str, str]:
    """A file's text (UTF-8, with or without a byte-order mark) and the SHA-256 of its bytes, so
    a report names exactly the bytes that were checked. InputError naming the file."""
    raw = _read_bytes(path)
    return _utf8(raw, str(path)), hashlib.sha256(raw).hexdigest()


def _too_large(size: int) -> str:
    mb = 1024 * 1024
    return (
        f"is too large to be a record ({size / mb:.0f} MB; a record file may be at most "
        f"{MAX_RECORD_BYTES // mb} MB)"
    )


def read_text(path: pathlib.Path) -> str:
    """A file's text, UTF-8 with or without a byte-order mark; InputError naming the file."""
    return _utf8(_read_bytes(path), str(path))


def record_from_text(
    text: str, *, source: str, as_of: datetime.date, yaml_text: bool = False
) -> Record:
    """A record from the text of a JSON file, or of a YAML file when `yaml_text`."""
    data = decode_yaml(text, source=source) if yaml_text else decode_json(text, source=source)
    return parse_record(data, source=source, as_of=as_of)


def is_yaml_path(path: pathlib.Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


def load_record(path: pathlib.Path, *, as_of: datetime.date) -> Record:
    """Read a .json, .yaml or .yml file (decide by extension; anything else: try JSON). File
    unreadable / not UTF-8 (a UTF-8 byte-order mark is accepted and skipped) -> InputError naming
    the file. Then decode_* and parse_record."""
    return record_from_text(
        read_text(path), source=str(path), as_of=as_of, yaml_text=is_yaml_path(path)
    )


# ---------------------------------------------------------------------------------------------
# JSON Schema
# ---------------------------------------------------------------------------------------------


def record_json_schema() -> dict[str, object]:
    """The JSON Schema of the record format (pydantic's model_json_schema, mode='validation'),
    with a $schema key and a title. Every valid record must validate against it
    (patternProperties for x_ fields)."""
    schema = Record.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"closure-check assessment record ({RECORD_FORMAT})",
        **{k: v for k, v in schema.items() if k != "title"},
    }
