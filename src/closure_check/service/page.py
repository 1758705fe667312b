"""The check page (`GET /`): a social worker uploads or pastes a record and reads its report.

A plain HTML form, so that it works with JavaScript off and in any browser a council desktop
has: `POST /check-page` (multipart/form-data: a file, or text pasted in a box) answers with the
very page `check --format html` prints, or with the form again listing each problem by field.

Because the records are about children, the page is as closed as a page can be: nothing is
loaded from anywhere (a Content-Security-Policy of `default-src 'none'`, the page's own styles
allowed by their hashes only), it may not be framed, its form posts only to itself, and the
form carries a CSRF token (an HMAC of a per-process secret and a nonce kept in a SameSite=Strict
cookie) so that no other site can make a worker's browser submit a record. Error pages never
show a value from the record: problems name fields, and a message that would quote a value is
replaced by the plain meaning of its kind (service.problems.value_free, as the API's 422).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
import secrets
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from ..errors import InputError, Problem
from ..output import csp_hash
from ..record.where import path_in_words
from ..render import render, report_html
from ..sources import MAX_RECORD_BYTES, format_of
from .checking import NotChecked, Overloaded
from .limits import read_body
from .outcomes import cause_of, log_not_checked, page_message
from .problems import Refusal, page_headers, value_free

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Where the form posts. Not under /v1/: this is the browser's door, not a program's.
ACTION = "/check-page"
COOKIE = "closure_check_csrf"
FIELD = "csrf_token"

#: Made afresh each time the service starts: a token from an earlier run is simply refused
#: (the worker reloads the page), and nothing secret is ever written down.
_SECRET = secrets.token_bytes(32)
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")

_Fmt = Literal["json", "yaml"]


# ---------------------------------------------------------------------------------------------
# The CSRF token


def _new_nonce() -> str:
    return secrets.token_urlsafe(32)


def _token_for(nonce: str) -> str:
    mac = hmac.new(_SECRET, nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


def _nonce_of(request: Request) -> str | None:
    """The nonce in the browser's cookie, if it is one this page could have made."""
    nonce = request.cookies.get(COOKIE, "")
    return nonce if _NONCE.fullmatch(nonce) else None


def _token_is_valid(request: Request, given: object) -> bool:
    """The form's token matches the cookie's nonce (compared in constant time), and, when the
    browser says where the form came from, it came from this very site."""
    nonce = _nonce_of(request)
    if nonce is None or not isinstance(given, str) or not given.isascii():
        return False
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host", ""):
        return False
    return hmac.compare_digest(_token_for(nonce).encode("ascii"), given.encode("ascii"))


# ---------------------------------------------------------------------------------------------
# Answers


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _csp(html: str) -> str:
    """The policy for one page: nothing from anywhere, except the page's own <style> blocks,
    each allowed by the SHA-256 of its text (so no injected style could run either)."""
    hashes = " ".join(f"'{csp_hash(block)}'" for block in dict.fromkeys(_STYLE.findall(html)))
    return (
        "default-src 'none'; "
        f"style-src {hashes or repr('none')}; "
        "img-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _page(
    html: str,
    status: int = 200,
    *,
    nonce: str | None = None,
    secure: bool = False,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """An HTML answer with the headers every answer of the page carries. A report holds
    children's names: no cache may keep it, and no other site is told its address."""
    response = HTMLResponse(html, status_code=status, headers=headers)
    response.headers["Content-Security-Policy"] = _csp(html)
    page_headers(response)
    response.headers["Cache-Control"] = "no-store"
    if nonce is not None:
        response.set_cookie(
            COOKIE, nonce, httponly=True, samesite="strict", path="/", secure=secure
        )
    return response


@dataclass(frozen=True)
class Shown:
    """One problem as the page shows it: where (field, in the record's own path and in words,
    and the line when known) and what is wrong, with no value from the record."""

    path: str
    field: str
    line: int | None
    message: str


def _form_page(
    request: Request,
    *,
    problems: list[Shown] | None = None,
    heading: str = "",
    message: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The form, optionally below a list of problems or a message; a fresh nonce (and cookie)
    when the browser has none yet."""
    nonce = _nonce_of(request)
    fresh = nonce is None
    if nonce is None:
        nonce = _new_nonce()
    html = render(
        "check_page.html",
        action=ACTION,
        field=FIELD,
        token=_token_for(nonce),
        problems=problems or [],
        heading=heading,
        message=message,
        today=datetime.date.today().isoformat(),
        max_mb=max(_cap(request) // (1024 * 1024), 1),
        needs_token=getattr(request.app.state, "tokens", None) is not None,
    )
    return _page(
        html,
        status,
        nonce=nonce if fresh else None,
        secure=request.url.scheme == "https",
        headers=headers,
    )


def _message_page(request: Request, status: int, heading: str, message: str) -> HTMLResponse:
    return _form_page(request, heading=heading, message=message, status=status)


def _report_page(html: str) -> HTMLResponse:
    """The report exactly as `check --format html` prints it, with a way back to the form."""
    back = '<nav><p><a href="/">Check another record</a></p></nav>\n'
    return _page(html.replace("<body>\n", "<body>\n" + back, 1))


# ---------------------------------------------------------------------------------------------
# Problems, in words and without values


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _in_words(path: str) -> str:
    """`children[1].seen[0].on` as "second child, first visit: on", for someone who has never
    seen the record's format: in the words of the record's problems (record.where's
    `path_in_words`: `people[0]` is the "first adult"), without the name they give each child
    or adult, as the page shows no value from the record."""
    if not path:
        return "the record as a whole"
    loc = tuple(int(index) if index else name for name, index in _PART.findall(path))
    words = path_in_words(None, loc) or " ".join(str(part) for part in loc)
    return words.replace("_", " ").replace(".", " ")


def _shown(problems: list[Problem]) -> list[Shown]:
    return [
        Shown(p.path, _in_words(p.path), p.line, value_free(p).message) for p in sorted(problems)
    ]


def _problem(field: str, message: str) -> list[Shown]:
    return [Shown(field, field.replace("_", " "), None, message)]


# ---------------------------------------------------------------------------------------------
# Reading the form within the body cap


def _cap(request: Request) -> int:
    """The service's body cap (`--max-body`), which a form is held to like any request."""
    value = getattr(getattr(request.app.state, "settings", None), "max_body", None)
    return value if isinstance(value, int) and value > 0 else MAX_RECORD_BYTES


async def _once(data: bytes) -> AsyncGenerator[bytes, None]:
    yield data
    yield b""


async def _form(request: Request, cap: int) -> FormData | None:
    """The form's fields, or None when the body is not a form at all. The body is read as
    every request's is (limits.read_body: counted as it streams in, refused past the cap)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return None
    data = await read_body(request)
    if kind == "multipart/form-data":
        parser = MultiPartParser(
            request.headers, _once(data), max_files=1, max_fields=8, max_part_size=cap
        )
        return await parser.parse()
    return await FormParser(request.headers, _once(data)).parse()


def _choose(form: FormData) -> tuple[bytes, _Fmt | None, str] | list[Shown]:
    """The record the worker gave (the file, or the pasted text), the format it says it is in
    (None: to be worked out from the text), and what to call it; or what is wrong."""
    upload = form.get("file")
    pasted = form.get("record")
    text = pasted if isinstance(pasted, str) else ""
    has_file = isinstance(upload, UploadFile) and bool(upload.filename or upload.size)
    if has_file and text.strip():
        return _problem(
            "record", "give the record one way only: upload a file or paste it, not both"
        )
    if isinstance(upload, UploadFile) and has_file:
        body = upload.file.read()
        named = format_of(upload.filename or "")
        fmt: _Fmt | None = "yaml" if named == "yaml" else "json" if named == "json" else None
        return body, fmt, "the uploaded file"
    if text.strip():
        # A browser sends a text box's lines ending in CR LF; the record's own are LF.
        return text.replace("\r\n", "\n").encode("utf-8"), None, "the pasted record"
    return _problem("record", "no record was given: upload a file or paste the record")


def _format(form: FormData, named: _Fmt | None, body: bytes) -> _Fmt:
    """JSON or YAML: as the worker chose, else by the file's name, else by the text (a JSON
    record begins with `{`)."""
    chosen = form.get("format")
    if chosen in ("json", "yaml"):
        return chosen  # type: ignore[return-value]
    if named is not None:
        return named
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "json" if start in (b"{", b"[") else "yaml"


def _as_of(form: FormData) -> datetime.date | list[Shown]:
    given = form.get("as_of")
    if not isinstance(given, str) or not given.strip():
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(given.strip())
    except ValueError:
        return _problem("as_of", 'the date to check as of must be a date written "YYYY-MM-DD"')


# ---------------------------------------------------------------------------------------------
# The routes


@router.get("/", response_class=HTMLResponse)
async def check_page(request: Request) -> Response:
    """The form."""
    return _form_page(request)


@router.post(ACTION, response_class=HTMLResponse)
async def check_from_page(request: Request) -> Response:
    """Check what the form sent and answer with the report, or the form and its problems."""
    try:
        form = await _form(request, _cap(request))
    except Refusal as e:
        return _refused(request, e)
    except MultiPartException:
        return _message_page(
            request, 400, "The form could not be read", "Please try again. Nothing was checked."
        )
    if form is None:
        return _message_page(
            request,
            415,
            "The form could not be read",
            "Send the record with the form on this page. Nothing was checked.",
        )
    try:
        return await _answer(request, form)
    finally:
        await form.close()


def _refused(request: Request, refusal: Refusal) -> HTMLResponse:
    """A refusal of the service's own (too large, no token, over the rate) as a page."""
    heading = _HEADINGS.get(refusal.status, "The record was not checked")
    message = refusal.message[:1].upper() + refusal.message[1:]
    page = _message_page(request, refusal.status, heading, f"{message}. Nothing was checked.")
    page.headers.update(refusal.headers)
    return page


_HEADINGS = {
    413: "The record is too large",
    401: "This service needs your access token",
    403: "Your access token may not check records",
    429: "Too many records checked in a short time",
}


def _admit(request: Request, given: object) -> None:
    """When the service asks for tokens (`--tokens`), the form must carry one with the `check`
    scope, as a case management system's request must: the page is no way around them."""
    tokens = getattr(request.app.state, "tokens", None)
    request.state.token_name = ""
    if tokens is None:
        return
    found = tokens.find(given.strip()) if isinstance(given, str) and given.strip() else None
    if found is None:
        raise Refusal(401, "unknown_token", "give the access token you were issued")
    request.state.token_name = found.name
    if "check" not in found.scopes:
        raise Refusal(403, "wrong_scope", "ask for an access token with the check scope")
    request.app.state.limits.rate(found.name)


async def _answer(request: Request, form: FormData) -> Response:
    if not _token_is_valid(request, form.get(FIELD)):
        return _message_page(
            request,
            403,
            "This form has expired",
            "The page was open too long, or the form came from somewhere else. The form has "
            "been made afresh below: please give the record again. Nothing was checked.",
        )
    try:
        _admit(request, form.get("access_token"))
    except Refusal as e:
        return _refused(request, e)
    chosen = _choose(form)
    as_of = _as_of(form)
    if isinstance(chosen, list) or isinstance(as_of, list):
        found = (chosen if isinstance(chosen, list) else []) + (
            as_of if isinstance(as_of, list) else []
        )
        return _form_page(request, problems=found, status=422)
    body, named, source = chosen
    checking: Any = request.app.state.checking
    try:
        checked = await checking.check(
            body, fmt=_format(form, named, body), as_of=as_of, source=source, want_report=True
        )
        report = checked.report
    except InputError as e:
        return _form_page(request, problems=_shown(e.problems), status=422)
    except Overloaded as e:
        retry = str(getattr(e, "retry_after", 1))
        page = _message_page(
            request,
            503,
            "Too busy to check it just now",
            "closure-check is checking many records at once. Please wait a moment and try "
            "again. Nothing was checked.",
        )
        page.headers["Retry-After"] = retry
        return page
    except NotChecked as e:  # a crash, or stopped at the time limit: not to be sent again
        cause, decision_id = cause_of(e), request.state.decision_id
        log_not_checked(cause, decision_id)
        return _message_page(
            request, 500, "The record was not checked", page_message(cause, decision_id)
        )
    return _report_page(report_html(report))
