"""Every answer that is not a 200, in plain words and as JSON: `{"error", "code"}`, or for an
invalid record `{"problems": [{"path", "message", "code"}]}`. None of them ever holds a value
from the record (a name, a date, a note): problems name fields, never their contents, because
error answers end up in logs and tickets that are no place for a child's details."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from starlette.responses import Response

from ..errors import Problem
from ..withheld import value_free

__all__ = [
    "Refusal",
    "error_response",
    "page_headers",
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


def page_headers(response: Response) -> None:
    """The headers every HTML page of the service carries (the check page, /docs): its type is
    what it says, no other site may frame it, and none is told its address."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
