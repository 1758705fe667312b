"""The decision service's defences, through the real server: tokens and their scopes, the
rate limit, the concurrency cap, refusing to listen beyond loopback unprotected, and a worker
process killed while it checks a request."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from .conftest import AS_OF, EXAMPLES
from .serving import cli, free_port, serving
from .test_serve import is_error

RECORD = (EXAMPLES / "clean-pass.json").read_bytes()
JSON = {"content-type": "application/json"}
QUERY = {"as_of": AS_OF.isoformat()}


def make_token(tokens: Path, name: str, *scopes: str) -> str:
    args = [a for s in scopes for a in ("--scope", s)]
    proc = subprocess.run(
        [*cli(), "serve", "token", "add", name, *args, "--tokens", str(tokens)],
        capture_output=True,
        text=True,
        check=True,
    )
    token = proc.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    return token


def bearer(token: str) -> dict[str, str]:
    return {**JSON, "authorization": f"Bearer {token}"}


def test_a_token_is_printed_once_and_only_its_hash_is_kept_in_a_private_file(
    tmp_path: Path,
) -> None:
    tokens = tmp_path / "tokens.json"
    first = make_token(tokens, "case-system", "check")
    second = make_token(tokens, "supervisors", "check", "audit")
    assert stat.S_IMODE(os.stat(tokens).st_mode) == 0o600
    text = tokens.read_text(encoding="utf-8")
    assert first not in text and second not in text
    names = [t["name"] for t in json.loads(text)["tokens"]]
    assert names == ["case-system", "supervisors"]
    again = subprocess.run(
        [
            *cli(),
            "serve",
            "token",
            "add",
            "case-system",
            "--scope",
            "check",
            "--tokens",
            str(tokens),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 2 and "already" in again.stderr


def test_with_a_tokens_file_no_token_or_an_unknown_one_is_a_401_and_the_wrong_scope_a_403(
    tmp_path: Path,
) -> None:
    tokens = tmp_path / "tokens.json"
    checker = make_token(tokens, "case-system", "check")
    auditor = make_token(tokens, "supervisors", "audit")
    with serving(tmp_path, "--tokens", str(tokens)) as server, server.client() as c:
        is_error(c.post("/v1/check", content=RECORD, headers=JSON), 401, "no_token")
        is_error(
            c.post("/v1/check", content=RECORD, headers=bearer("x" * 43)), 401, "unknown_token"
        )
        is_error(c.get("/v1/rules"), 401)
        is_error(c.post("/v1/check", content=RECORD, headers=bearer(auditor)), 403, "wrong_scope")
        lines = (EXAMPLES / "batch.jsonl").read_bytes()
        is_error(
            c.post(
                "/v1/audit",
                content=lines,
                headers={**bearer(checker), "content-type": "application/x-ndjson"},
            ),
            403,
            "wrong_scope",
        )
        ok = c.post("/v1/check", content=RECORD, params=QUERY, headers=bearer(checker))
        assert ok.status_code == 200 and ok.json()["verdict"] == "pass"
        assert c.get("/v1/rules", headers=bearer(auditor)).status_code == 200
        assert c.get("/health/ready").status_code == 200  # the health checks need no token
    logs = server.logs()
    assert "case-system" in logs  # the access log names the token, never the token itself
    assert checker not in logs and auditor not in logs


def test_a_token_over_its_rate_is_a_429_with_retry_after(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    token = make_token(tokens, "case-system", "check")
    with serving(tmp_path, "--tokens", str(tokens), "--rate", "3") as server, server.client() as c:
        answers = [
            c.post("/v1/check", content=RECORD, params=QUERY, headers=bearer(token))
            for _ in range(5)
        ]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    is_error(answers[4], 429, "rate_limited")
    assert int(answers[4].headers["retry-after"]) >= 1


@pytest.mark.parametrize(
    "extra",
    [[], ["--tokens", "tokens.json"], ["--tls-cert", "cert.pem", "--tls-key", "key.pem"]],
    ids=["nothing", "tokens only", "tls only"],
)
def test_it_refuses_to_listen_beyond_loopback_without_both_tls_and_tokens(
    tmp_path: Path, extra: list[str]
) -> None:
    proc = subprocess.run(
        [*cli(), "serve", "--host", "0.0.0.0", "--port", str(free_port()), *extra],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "will not listen on 0.0.0.0" in proc.stderr
    assert "Traceback" not in proc.stderr


SLOW = {"CLOSURE_CHECK_SERVE_TEST_DELAY": "1.5"}  # each chunk a worker is sent waits this long


def test_over_the_concurrency_cap_a_request_is_a_503_with_retry_after(tmp_path: Path) -> None:
    with serving(tmp_path, "--max-concurrent", "1", env=SLOW) as server, server.client() as c:
        first: list[httpx.Response] = []
        t = threading.Thread(
            target=lambda: first.append(
                c.post("/v1/check", content=RECORD, params=QUERY, headers=JSON)
            )
        )
        t.start()
        time.sleep(0.5)
        second = c.post("/v1/check", content=RECORD, params=QUERY, headers=JSON)
        t.join()
    assert first[0].status_code == 200
    is_error(second, 503, "overloaded")
    assert int(second.headers["retry-after"]) >= 1


def test_a_worker_killed_while_it_checks_a_request_costs_that_request_only(
    tmp_path: Path,
) -> None:
    with serving(tmp_path, "--workers", "1", env=SLOW) as server, server.client() as c:
        (worker,) = server.workers()
        answers: list[httpx.Response] = []
        t = threading.Thread(
            target=lambda: answers.append(
                c.post("/v1/check", content=RECORD, params=QUERY, headers=JSON)
            )
        )
        t.start()
        time.sleep(0.7)  # the worker has it, and waits
        os.kill(worker, signal.SIGKILL)
        t.join()
        is_error(answers[0], 500, "not_checked")
        assert "not checked" in answers[0].json()["error"]
        after = c.post("/v1/check", content=RECORD, params=QUERY, headers=JSON)
        assert after.status_code == 200 and after.json()["verdict"] == "pass"
        assert server.workers() and worker not in server.workers()
        between = server.workers()[0]
        os.kill(between, signal.SIGKILL)  # killed between requests: the next is answered
        time.sleep(0.3)
        again = c.post("/v1/check", content=RECORD, params=QUERY, headers=JSON)
        assert again.status_code == 200
    assert "Traceback" not in server.logs()


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made for this test only."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_behind_tls_it_checks_over_https_and_a_plain_http_request_is_not_answered(
    tmp_path: Path,
) -> None:
    cert, key = _certificate(tmp_path)
    with serving(tmp_path, "--tls-cert", str(cert), "--tls-key", str(key)) as server:
        assert server.url.startswith("https://")
        with server.client() as client:
            body = (EXAMPLES / "clean-pass.json").read_bytes()
            answer = client.post(
                "/v1/check", content=body, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 200
            assert answer.json()["verdict"] == "pass"
        plain = server.url.replace("https://", "http://")
        with pytest.raises(httpx.HTTPError):
            httpx.get(plain + "/health/live", timeout=5)


def test_with_a_tokens_file_the_check_page_asks_for_a_token_with_the_check_scope(
    tmp_path: Path,
) -> None:
    """A browser sends no bearer header: the form's own token field takes its place, so the
    page is no way around the tokens."""
    import re

    tokens = tmp_path / "tokens.json"
    worker = make_token(tokens, "duty-team", "check")
    audit_only = make_token(tokens, "auditors", "audit")
    record = (EXAMPLES / "clean-pass.json").read_text(encoding="utf-8")
    with serving(tmp_path, "--tokens", str(tokens)) as server, server.client() as client:

        def submit(token: str) -> httpx.Response:
            page = client.get("/")
            assert 'name="access_token"' in page.text
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert found
            fields = {"csrf_token": found.group(1), "record": record, "format": "json",
                      "as_of": AS_OF.isoformat(), "access_token": token}  # fmt: skip
            return client.post("/check-page", data=fields, files={"file": ("", b"")})

        assert submit("").status_code == 401
        assert submit("not-a-token").status_code == 401
        assert submit(audit_only).status_code == 403
        answer = submit(worker)
        assert answer.status_code == 200, answer.text[:500]
        assert worker not in server.logs() and audit_only not in server.logs()
