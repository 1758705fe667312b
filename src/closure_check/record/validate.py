"""Validating a record: pydantic's strict pass over the shape, then what spans fields.

`parse_record` turns decoded data into a `Record` or raises `InputError` listing every problem,
each with the record's own field path (`children[1].seen[0].on`) and a message in plain words.
The first pass is pydantic's: the shape, the types, the enums, the dates (including dates after
the as-of date) and unknown fields, all reported together. The second, on a record whose shape
is right, checks what spans fields: references between ids, unique ids and names, and what
depends on `kind` or `status`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ..errors import InputError, Problem, field_path, show_value
from .base import AS_OF
from .model import ASSESSMENT, FAMILY, RECORD_FORMATS, Record, agency_key
from .where import Lines, date_hint, field_names_at, path_in_words, true_false_hint

__all__ = ["parse_record"]


def parse_record(
    data: object,
    *,
    source: str,
    as_of: datetime.date,
    line: int | None = None,
    rule_ids: Collection[str] | None = None,
    text: str | None = None,
    fmt: str = "json",
) -> Record:
    """Validate an already-decoded JSON/YAML value. Raises InputError listing EVERY problem.
    With `rule_ids` (the rule set in use), a judgement naming another rule is one of them.
    With the record's `text` (and `fmt`, "json" or "yaml") and no `line`, each problem names
    the line of its field in the text."""
    lines = Lines(text, fmt) if text is not None and line is None else None

    def at(path: str) -> int | None:
        return line if lines is None else lines.line(path)

    try:
        record = Record.model_validate(data, context={AS_OF: as_of})
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            path = field_path(err["loc"])
            problems.append(
                Problem(
                    source,
                    at(path),
                    path,
                    _message(err),
                    _code(err),
                    path_in_words(data, err["loc"]),
                    _hint(err, as_of),
                )
            )
        raise InputError(problems) from None
    found: list[tuple[str, ...]] = list(_cross_field_problems(record))
    if rule_ids is not None:
        found += unknown_rule_problems(record, rule_ids, hint=True)
    if found:
        raise InputError(
            [
                Problem(
                    source,
                    at(path),
                    path,
                    message,
                    _cross_code(message),
                    path_in_words(data, _loc_of(path)),
                    hint,
                )
                for path, message, hint in (_with_hint(f) for f in found)
            ]
        )
    return record


_LOC_PART = re.compile(r"\[([0-9]+)\]|\.?([^.\[]+)")


def _loc_of(path: str) -> tuple[int | str, ...]:
    """`children[1].seen[0].on` as pydantic's location `('children', 1, 'seen', 0, 'on')`."""
    return tuple(int(m[1]) if m[1] else m[2] for m in _LOC_PART.finditer(path))


def _with_hint(found: tuple[str, ...]) -> tuple[str, str, str]:
    path, message, *rest = found
    return path, message, rest[0] if rest else ""


def _hint(err: ErrorDetails, as_of: datetime.date) -> str:
    """How to put a problem right, where that can be told: the nearest field name or value to
    a misspelt one, a date as the format writes it, `true` for `yes`, the `--as-of` to give."""
    from ..suggest import did_you_mean

    kind, value, loc = err["type"], err.get("input"), err["loc"]
    if kind == "unknown_field" and loc and isinstance(loc[-1], str):
        return did_you_mean(loc[-1], field_names_at(Record, loc[:-1]))
    if kind == "literal_error" and isinstance(value, str):
        allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        return did_you_mean(value, allowed)
    if kind in ("date_format", "date_value"):
        return date_hint(value)
    if kind == "bool_type":
        return true_false_hint(value)
    if kind == "date_future" and isinstance(value, str):
        return (
            f"if {value} is right, check the record as of that date or later "
            f"(closure-check check --as-of {value})"
        )
    return ""


#: pydantic's names of the problems people meet most, as the codes a program reads.
_CODES = {
    "literal_error": "not_one_of",
    "string_type": "not_text",
    "bool_type": "not_boolean",
    "list_type": "not_list",
    "model_type": "not_a_group",
    "model_attributes_type": "not_a_group",
    "dict_type": "not_a_group",
}


def _code(err: ErrorDetails) -> str:
    """A stable code for a problem pydantic found: its own kind for those written here
    (`missing`, `date_future`, `unknown_field`, ...), a name of ours for pydantic's."""
    kind = err["type"]
    if err["loc"] == ("format",) and kind == "literal_error":
        return "unknown_format"
    return _CODES.get(kind, kind)


def _cross_code(message: str) -> str:
    """The code of a problem that spans fields, from how its message begins and ends."""
    if message.startswith("missing"):
        return "missing"
    if "twice" in message or "already the id" in message or "cannot be an id" in message:
        return "duplicate"
    if "at least one" in message or "an empty list" in message:
        return "empty_list"
    if "earlier than" in message:
        return "date_order"
    return "bad_reference"


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
                f"{show_value(value)} is not a record format this version of closure-check reads "
                f"(it reads {' and '.join(show_value(v) for v in RECORD_FORMATS)})"
            )
        return f"{show_value(value)} is not one of: {', '.join(allowed)}"
    if kind == "string_type":
        hint = " (put it in quotes)" if isinstance(value, int | float) else ""
        return f"must be text, not {show_value(value)}{hint}"
    if kind == "bool_type":
        hint = " (without quotes)" if value in ("true", "false") else ""
        return f"must be true or false{hint}, not {show_value(value)}"
    if kind == "list_type":
        return f"must be a list [...], not {show_value(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if not err["loc"]:
            return (
                "a record must be a group of fields (a JSON object {...} or a YAML mapping), "
                f"not {show_value(value)}"
            )
        return f"must be a group of fields {{...}}, not {show_value(value)}"
    return f"{err['msg']} (the value given was {show_value(value)})"


def _cross_field_problems(record: Record) -> list[tuple[str, str]]:
    """What spans fields: counts that depend on `kind`, `completed_on` of completed checks,
    unique ids and names, and references. (Dates after the as-of date are found by `_to_date`.)"""
    found: list[tuple[str, str]] = []
    fields_given = record.model_fields_set

    if record.completed_on < record.started_on:
        found.append(
            (
                "completed_on",
                f"{record.completed_on.isoformat()} is earlier than started_on "
                f"{record.started_on.isoformat()}: an assessment cannot be completed before it "
                "started (correct either date)",
            )
        )

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
                        f"{show_value(item_id)} is already the id of {owner[item_id]}: ids must be "
                        "unique across children and people",
                    )
                )
            else:
                owner[item_id] = where
                ids.add(item_id)

    # Agency names are compared ignoring case and runs of whitespace (1.1).
    agency_at: dict[str, int] = {}
    for i, agency in enumerate(record.agencies):
        key = agency_key(agency.name)
        if key in agency_at:
            found.append(
                (
                    f"agencies[{i}].name",
                    f"{show_value(agency.name)} is listed twice (also "
                    f"agencies[{agency_at[key]}], names being compared ignoring case and "
                    "spaces): each agency is listed once",
                )
            )
        else:
            agency_at[key] = i

    check_at: dict[str, int] = {}
    for i, check in enumerate(record.checks):
        if check.id is not None:
            if check.id in check_at:
                found.append(
                    (
                        f"checks[{i}].id",
                        f"{show_value(check.id)} is already the id of "
                        f"checks[{check_at[check.id]}]: check ids must be unique",
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
                    f"{show_value(check.subject)} is not a child or person in this record "
                    f'(nor "{FAMILY}")',
                )
            )

    def must_be_child(path: str, ref: str) -> None:
        if ref in child_ids:
            return
        also = " (it is an adult in people)" if ref in person_ids else ""
        found.append((path, f"{show_value(ref)} is not a child in this record{also}"))

    def must_be_person(path: str, ref: str) -> None:
        if ref in person_ids:
            return
        also = " (it is a child)" if ref in child_ids else ""
        found.append((path, f"{show_value(ref)} is not a person in this record's people{also}"))

    for i, child in enumerate(record.children):
        for j, lives in enumerate(child.lives_with):
            must_be_person(f"children[{i}].lives_with[{j}].person", lives.person)
    for i, person in enumerate(record.people):
        for j, child_id in enumerate(person.parent_of):
            must_be_child(f"people[{i}].parent_of[{j}]", child_id)
        if (
            person.relationship in _PARENTS
            and not person.parent_of
            and "parent_of" in person.model_fields_set
        ):
            found.append(
                (
                    f"people[{i}].parent_of",
                    f"is an empty list, but {show_value(person.name)} is a "
                    f"{person.relationship}: list the children they are a parent of, or leave "
                    "parent_of out (a parent of every child)",
                )
            )
    for i, discharge in enumerate(record.discharges):
        must_be_person(f"discharges[{i}].person", discharge.person)

    judged: dict[tuple[str, str], int] = {}
    for i, judgement in enumerate(record.judgements):
        subject = judgement_subject(record, judgement.subject)
        if subject is None:
            found.append(
                (
                    f"judgements[{i}].subject",
                    f"{show_value(judgement.subject)} is not a child, a person or an agency in "
                    f'this record (nor "{ASSESSMENT}")',
                )
            )
            continue
        judged_key = (judgement.rule, subject)
        if judged_key in judged:
            found.append(
                (
                    f"judgements[{i}]",
                    f"judges {judgement.rule} for {show_value(subject)} a second time (also "
                    f"judgements[{judged[judged_key]}]): a finding is judged once, never twice; "
                    "keep one judgement per rule and subject",
                )
            )
        else:
            judged[judged_key] = i
    return found


#: The relationships of a parent (record-format.md, Person: an empty parent_of is an error).
_PARENTS = frozenset({"mother", "father", "parent"})


def judgement_subject(record: Record, subject: str) -> str | None:
    """What a judgement's subject names, as the report names it: a child's or person's id, an
    agency's name as the record lists it (compared ignoring case and spaces), or "assessment";
    None when it names nothing in the record."""
    if subject == ASSESSMENT:
        return subject
    if any(c.id == subject for c in record.children) or any(p.id == subject for p in record.people):
        return subject
    key = agency_key(subject)
    return next((a.name for a in record.agencies if agency_key(a.name) == key), None)


def unknown_rule_problems(
    record: Record, rule_ids: Collection[str], *, hint: bool = False
) -> list[tuple[str, ...]]:
    """A judgement must name a rule of the rule set in use (record-format.md, *Judgement*).
    With `hint`, each problem has a third part: the nearest rule ids ("did you mean ...")."""
    from ..suggest import did_you_mean

    return [
        (
            f"judgements[{i}].rule",
            f"{show_value(j.rule)} is not a rule of the rules in use: `closure-check rules "
            "list` shows their ids",
            *((did_you_mean(j.rule, rule_ids, limit=2),) if hint else ()),
        )
        for i, j in enumerate(record.judgements)
        if j.rule not in rule_ids
    ]


# ---------------------------------------------------------------------------------------------
# Decoding JSON
