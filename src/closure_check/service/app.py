"""The service's FastAPI application: the endpoints of report-format.md ("The decision
service"), every error answer in plain words (FastAPI's own 422, which echoes the input, and
every other default error body replaced), the access log and a decision id on every answer.

The event loop only reads bodies and hands them on: records are read and checked in worker
processes (service.checking), the audit in its own (audit.run, in a thread)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InputError
from ..output import csp_hash
from ..rulefile import load_rules
from .auth import Tokens, admit
from .checking import Checking, NotChecked, Overloaded
from .decisions import DecisionLog
from .limits import Limits, read_body
from .outcomes import api_message, cause_of, log_not_checked
from .problems import Refusal, error_response, page_headers, problems_response
from .settings import Settings

__all__ = ["create_app"]

access_log = logging.getLogger("closure_check.access")

_JSON = ("application/json",)
_YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
_JSONL = (
    "application/jsonl",
    "application/x-jsonl",
    "application/x-ndjson",
    "application/jsonlines",
    "application/x-jsonlines",
)


class _Guard:
    """Outermost of the app's own layers: a decision id for every request (request.state and
    the X-Decision-Id header), one access log line (method, path without its query, status,
    time, token name), and a 500 in plain words for any fault, never a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        decision_id = uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["decision_id"] = decision_id
        state.setdefault("token_name", "")
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-decision-id", decision_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if status == 0:
                answer = error_response(
                    500,
                    "internal",
                    "closure-check itself failed on this request, so nothing was checked. "
                    f"Please tell whoever supports closure-check (decision {decision_id}).",
                )
                await answer(scope, receive, sending)
            access_log.error(
                "fault in %s %s: %s", scope["method"], scope["path"], type(exc).__name__
            )
        finally:
            ms = (time.perf_counter() - started) * 1000
            name = state.get("token_name", "") or "-"
            access_log.info("%s %s %d %.1fms %s", scope["method"], scope["path"], status, ms, name)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _as_of(request: Request) -> date:
    text = request.query_params.get("as_of")
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refusal(400, "bad_as_of", "as_of must be a date in the form YYYY-MM-DD") from None


def _json_response(text: str, status: int = 200) -> Response:
    return Response(text, status_code=status, media_type="application/json")


async def _body(request: Request) -> bytes:
    settings: Settings = request.app.state.settings
    try:
        async with asyncio.timeout(settings.timeout):
            return await read_body(request)
    except TimeoutError:
        raise Refusal(400, "slow_body", "the request's body did not arrive in time") from None


def create_app(settings: Settings) -> FastAPI:
    """The application for `settings`. Loads the rules and the tokens file now (RuleFileError,
    auth.TokensFileError), so that a bad one stops `serve` before it listens; the worker
    processes start with the application (its lifespan)."""
    rules = load_rules(settings.rules_dir)
    tokens = Tokens.load(settings.tokens_file) if settings.tokens_file is not None else None
    checking = Checking(
        workers=settings.workers,
        rules_dir=settings.rules_dir,
        max_concurrent=settings.max_concurrent,
        timeout=settings.timeout,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        decisions = DecisionLog(settings.decision_log)
        app.state.decisions = decisions
        checking.start()
        try:
            yield
        finally:
            checking.stop()
            decisions.close()

    # /docs loads Swagger UI from the service itself (fastapi-offline's copy), never from a
    # CDN: the service may run where nothing else can be reached, and a page beside children's
    # records should load nothing from another site. No /redoc: ReDoc fetches its logo from
    # its makers' site (tests/test_serve_browser.py caught it). /docs is the service's own
    # (_docs), not fastapi-offline's, for its Content-Security-Policy; fastapi-offline only
    # serves the files.
    app = FastAPIOffline(
        docs_url=None,
        static_url=_ASSETS,
        redoc_url=None,
        title="closure-check",
        summary="Checks an assessment record against the Child J serious case review",
        lifespan=lifespan,
        swagger_ui_parameters={"validatorUrl": None},  # no badge from Swagger's own site
    )
    app.state.settings = settings
    app.state.rules = rules
    app.state.tokens = tokens
    app.state.checking = checking
    app.state.limits = Limits(settings.rate_per_minute)
    app.state.audits = asyncio.Semaphore(1)
    app.add_middleware(_Guard)
    _handlers(app)
    _routes(app)
    _describe_the_record(app)
    _docs(app)
    try:
        from . import page  # type: ignore[attr-defined,unused-ignore]
    except ImportError:  # pragma: no cover - the check page is not there yet
        pass
    else:
        app.include_router(page.router)
    return app


#: /v1/check's body in the OpenAPI document: the record format, from its pydantic models
_RECORD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        media: {"schema": {"$ref": "#/components/schemas/Record"}}
        for media in ("application/json", "application/yaml")
    },
}


def _describe_the_record(app: FastAPI) -> None:
    """The OpenAPI document (and /docs) with the record's models as its components, so that a
    case management system's developers read the record format where they read the API. The
    body is read by the service itself (size cap, JSON or YAML), not by FastAPI."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from ..record import Record

            document = plain()
            schema = Record.model_json_schema(ref_template="#/components/schemas/{model}")
            models = schema.pop("$defs", {})
            components = document.setdefault("components", {}).setdefault("schemas", {})
            components.update(models)
            components["Record"] = schema
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


#: where fastapi-offline serves Swagger UI's files
_ASSETS = "/docs-assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _docs(app: FastAPI) -> None:
    """`GET /docs`: Swagger UI, from the service's own copy of its files, under a policy that
    lets it load and fetch from the service alone: its one inline script (which starts it) by
    hash, the images its stylesheet holds as data: URLs. No OAuth2 redirect page (the service's
    tokens are bearer tokens) and no online validator."""

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{_ASSETS}/favicon.png",
            oauth2_redirect_url=None,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        html = bytes(page.body).decode("utf-8")
        scripts = " ".join(f"'{csp_hash(s)}'" for s in dict.fromkeys(_INLINE_SCRIPT.findall(html)))
        page.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self' {scripts}; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        )
        page_headers(page)
        return page


def _handlers(app: FastAPI) -> None:
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refusal)
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        words = {
            404: ("not_found", "there is nothing at this address"),
            405: ("method_not_allowed", "this address does not answer that method"),
        }
        code, message = words.get(exc.status_code, ("bad_request", "the request is not valid"))
        return error_response(exc.status_code, code, message, headers=exc.headers)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        return error_response(400, "bad_request", "the request is not valid")

    async def invalid_record(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InputError)
        return problems_response(exc.problems)

    async def overloaded(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Overloaded)
        return error_response(
            503,
            "overloaded",
            "the service is busy checking other records: try again in a moment",
            headers={"Retry-After": str(exc.retry_after)},
        )

    async def not_checked(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NotChecked)  # registered for NotChecked alone
        message = api_message(cause_of(exc), request.state.decision_id)
        return error_response(500, "not_checked", message)

    app.add_exception_handler(Refusal, refused)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(InputError, invalid_record)
    app.add_exception_handler(Overloaded, overloaded)
    app.add_exception_handler(NotChecked, not_checked)


def _routes(app: FastAPI) -> None:
    from .endpoints import audit_endpoint, rule_endpoint, rules_endpoint, schema_endpoint

    @app.post(
        "/v1/check",
        response_class=Response,
        summary="Check one record",
        openapi_extra={"requestBody": _RECORD_BODY},
    )
    async def check(request: Request) -> Response:
        """One record, JSON (application/json) or YAML (application/yaml); `as_of` a date.
        200 with its report (a failing record too), 422 with its problems."""
        token = await admit(request, "check")
        media = _media_type(request)
        fmt: Literal["json", "yaml"]
        if media in _JSON:
            fmt = "json"
        elif media in _YAML:
            fmt = "yaml"
        else:
            raise Refusal(
                415,
                "unsupported_type",
                "send the record as application/json or application/yaml",
            )
        as_of = _as_of(request)
        body = await _body(request)
        decisions: DecisionLog = request.app.state.decisions
        decision_id = request.state.decision_id
        log: dict[str, Any] = {
            "decision_id": decision_id,
            "token": token,
            "rules_version": request.app.state.rules.version,
            "body": body,
        }
        try:
            checked = await request.app.state.checking.check(
                body, fmt=fmt, as_of=as_of, source="request"
            )
        except InputError:
            decisions.write(**log, outcome="invalid")
            raise
        except NotChecked as exc:
            cause = cause_of(exc)
            log_not_checked(cause, decision_id)
            decisions.write(**log, outcome="not_checked", cause=cause)
            raise
        decisions.write(**log, outcome=checked.verdict, checked=checked)
        return _json_response(checked.json)

    @app.post("/v1/audit", response_class=Response, summary="Audit records (JSON Lines)")
    async def audit(request: Request) -> Response:
        """JSON Lines, one record a line; 200 with the audit's JSON."""
        token = await admit(request, "audit")
        if _media_type(request) not in _JSONL:
            raise Refusal(415, "unsupported_type", "send the records as application/x-ndjson")
        as_of = _as_of(request)
        body = await _body(request)
        text = await audit_endpoint(request.app, body, as_of)
        request.app.state.decisions.write(
            decision_id=request.state.decision_id,
            token=token,
            rules_version=request.app.state.rules.version,
            body=body,
            outcome="audit",
        )
        return _json_response(text)

    @app.get("/v1/rules", summary="The rule catalogue")
    async def rules(request: Request) -> Response:
        await admit(request, None)
        return _json_response(rules_endpoint(request.app.state.rules))

    @app.get("/v1/rules/{rule_id}", summary="One rule explained")
    async def rule(request: Request, rule_id: str) -> Response:
        await admit(request, None)
        text = rule_endpoint(request.app.state.rules, rule_id)
        if text is None:
            raise Refusal(404, "unknown_rule", "there is no rule with that id: see /v1/rules")
        return _json_response(text)

    @app.get("/v1/schema", summary="The record format's JSON Schema")
    async def schema(request: Request) -> Response:
        await admit(request, None)
        return _json_response(schema_endpoint())

    @app.get("/health/live", summary="The process is up")
    async def live() -> Response:
        return _json_response('{"status": "live"}\n')

    @app.get("/health/ready", summary="The rules are loaded and workers can check")
    async def ready(request: Request) -> Response:
        if request.app.state.checking.ready:
            return _json_response('{"status": "ready"}\n')
        return error_response(
            503,
            "not_ready",
            "the checking processes are not ready yet",
            headers={"Retry-After": "1"},
        )
