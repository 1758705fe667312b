"""Problems told without any value from the record: for answers that leave the case file (the
service's error bodies, a redacted audit). The field path names the field, so nothing is lost to
a worker who can see their own record; a field name that is not in the record format is itself
the record's text, and is withheld too."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .errors import Problem

__all__ = ["value_free"]

_PLAIN = {
    "missing": "missing: this field is required",
    "not_text": "must be text",
    "not_boolean": "must be true or false",
    "not_list": "must be a list [...]",
    "not_a_group": "must be a group of fields {...}",
    "not_one_of": "is not one of the values this field may take (see the record format)",
    "unknown_format": "is not a record format this version of closure-check reads",
    "unknown_field": "unknown field (fields not in the record format must start with x_)",
    "date_future": "is a date after the as-of date: nothing can have been recorded in the future",
    "duplicate": "is given twice: each id and name may be given once",
    "bad_reference": "refers to something that is not in the record",
    "empty_list": "must list at least one",
    "not_utf8": "is not UTF-8 text: save it as UTF-8 and try again",
    "too_deep": "is nested too deeply to be a record",
    "date_value": "is not a real date in the form YYYY-MM-DD",
    "too_large": "is too large to be a record",
    "syntax": "cannot be read: it is not well-formed JSON or YAML (look for a missing comma, "
    "bracket or quote)",
    "empty": "is empty: there is no record in it",
}
_GENERIC = "is not valid here (see the record format: docs/record-format.md)"
_SHOWS_A_VALUE = re.compile(r"[\"'0-9]")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,40}")


def value_free(
    problem: Problem, values: Iterable[str] = (), *, keep_place: bool = False
) -> Problem:
    """`problem` with a message that holds no value from the record: kept when it quotes
    nothing, has no digit and holds none of `values` (the record's own text), otherwise the
    plain meaning of its code. The field path names the field, so nothing is lost to a worker
    who can see their own record. The service's answers name the source "request" and no line;
    with `keep_place` (a redacted audit) the file and line are kept."""
    message = problem.message
    shows = bool(_SHOWS_A_VALUE.search(message)) or any(v in message for v in values)
    if shows:
        message = _PLAIN.get(problem.code, _GENERIC)
    path = problem.path
    head, _, name = path.rpartition(".")
    if problem.code == "unknown_field" and not _FIELD_NAME.fullmatch(name):
        # a "field" that is not written as one (`Tyler lives with Dean`) is the record's text;
        # a misspelt field (`born_on`) names a field, and helps the worker put it right
        path = f"{head}.<unknown field>" if head else "<unknown field>"
    if keep_place:
        return Problem(problem.source, problem.line, path, message, problem.code)
    return Problem("request", None, path, message, problem.code)
