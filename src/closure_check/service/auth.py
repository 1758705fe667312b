"""Who may ask: bearer tokens, each with a name and scopes (`check`, `audit`), kept in a tokens
file as the SHA-256 of the token only (a stolen file gives no token), compared in constant
time. With no tokens file the service listens on loopback only and asks nobody for a token."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.requests import Request

from .problems import Refusal

__all__ = ["SCOPES", "Token", "Tokens", "add_token", "admit"]

SCOPES: Final = ("check", "audit")


@dataclass(frozen=True)
class Token:
    name: str
    sha256: str
    scopes: tuple[str, ...]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokensFileError(Exception):
    """The tokens file cannot be used; the message says why, in plain words."""


class Tokens:
    """The tokens of a tokens file."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens

    @classmethod
    def load(cls, path: Path) -> Tokens:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            items = data["tokens"]
            tokens = [
                Token(str(t["name"]), str(t["sha256"]), tuple(str(s) for s in t["scopes"]))
                for t in items
            ]
        except OSError as exc:
            raise TokensFileError(
                f"the tokens file {path} cannot be read: {exc.strerror or exc}"
            ) from None
        except (ValueError, KeyError, TypeError):
            raise TokensFileError(
                f"the tokens file {path} is not one closure-check made: make it with "
                "`closure-check serve token add NAME --scope check`"
            ) from None
        return cls(tokens)

    def find(self, presented: str) -> Token | None:
        """The token whose hash is that of `presented`: every one compared, in constant
        time, so that how long it takes says nothing about the tokens."""
        digest = _digest(presented)
        found = None
        for token in self.tokens:
            if hmac.compare_digest(token.sha256, digest):
                found = token
        return found


def add_token(path: Path, name: str, scopes: tuple[str, ...]) -> str:
    """Make a token for `name` with `scopes`, add its hash to the tokens file (made 0600 if
    new) and return the token itself, which is kept nowhere."""
    existing = Tokens.load(path).tokens if path.exists() else []
    if any(t.name == name for t in existing):
        raise TokensFileError(f'there is a token named "{name}" already: choose another name')
    token = secrets.token_urlsafe(32)
    entries = [{"name": t.name, "sha256": t.sha256, "scopes": list(t.scopes)} for t in existing]
    entries.append(
        {
            "name": name,
            "sha256": _digest(token),
            "scopes": list(scopes),
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
    )
    text = json.dumps({"tokens": entries}, indent=2) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return token


async def admit(request: Request, scope: str | None) -> str:
    """The name of the token the request carries, if it may do `scope` (None: anything but
    the health checks); "" when the service asks for no tokens. Refusal 401 or 403."""
    tokens: Tokens | None = request.app.state.tokens
    if tokens is None:
        request.state.token_name = ""
        return ""
    header = request.headers.get("authorization", "")
    kind, _, presented = header.partition(" ")
    if kind.lower() != "bearer" or not presented.strip():
        raise Refusal(
            401,
            "no_token",
            "this service needs a token: send it as the header Authorization: Bearer TOKEN",
            {"WWW-Authenticate": "Bearer"},
        )
    token = tokens.find(presented.strip())
    if token is None:
        raise Refusal(
            401,
            "unknown_token",
            "the token sent is not one this service knows",
            {"WWW-Authenticate": "Bearer"},
        )
    request.state.token_name = token.name
    if scope is not None and scope not in token.scopes:
        raise Refusal(
            403,
            "wrong_scope",
            f'the token "{token.name}" may not {scope} records: ask for a token with the '
            f'"{scope}" scope',
        )
    request.app.state.limits.rate(token.name)
    return token.name
