"""Every answer that is not a 200, in plain words and as JSON: `{"error", "code"}`, or for an
invalid record `{"problems": [{"path", "message", "code"}]}`. None of them ever holds a value
from the record (a name, a date, a note): problems name fields, never their contents, because
error answers end up in logs and tickets that are no place for a child's details."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from starlette.responses import Response

from ..errors import Problem

__all__ = [
    "Refusal",
    "error_response",
    "problems_response",
    "value_free",
]


class Refusal(Exception):
    """A request refused before or instead of a check: its status, code and message."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def _json(data: object, status: int, headers: Mapping[str, str] | None) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def error_response(
    status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """`{"error": message, "code": code}` with `status`."""
    return _json({"error": message, "code": code}, status, headers)


def problems_response(problems: Iterable[Problem]) -> Response:
    """The 422 of an invalid record: each problem's field and what is wrong, no values."""
    items = [{"path": p.path, "message": p.message, "code": p.code} for p in problems]
    return _json({"problems": items}, 422, None)


#: what each kind of problem means, without the value that was given
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


def value_free(problem: Problem, values: Iterable[str] = ()) -> Problem:
    """`problem` with a message that holds no value from the record: kept when it quotes
    nothing, has no digit and holds none of `values` (the record's own text), otherwise the
    plain meaning of its code. The field path names the field, so nothing is lost to a worker
    who can see their own record."""
    message = problem.message
    shows = bool(_SHOWS_A_VALUE.search(message)) or any(v in message for v in values)
    if shows:
        message = _PLAIN.get(problem.code, _GENERIC)
    return Problem("request", None, problem.path, message, problem.code)
