"""The decision service, through the real server (uvicorn, a free loopback port) over HTTP:
every status code of the contract, decisions identical to `check`, hostile bodies answered with
a JSON problem, and no value from a record in any error answer or log line."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from closure_check.output import csp_hash
from closure_check.service import outcomes
from closure_check.service.checking import NotChecked

from .conftest import AS_OF, EXAMPLES, base_record
from .serving import Server, cli, serving

RECORDS = sorted(
    p for p in EXAMPLES.iterdir() if p.suffix in (".json", ".yaml", ".yml") and p.is_file()
)
INVALID = sorted((EXAMPLES / "invalid").iterdir())
QUERY = {"as_of": AS_OF.isoformat()}


def content_type(path: Path) -> str:
    return "application/yaml" if path.suffix in (".yaml", ".yml") else "application/json"


def names_in_examples() -> set[str]:
    """Every name of a child or an adult in the examples, which no log line may hold."""
    names: set[str] = set()
    for path in [*RECORDS, *INVALID]:
        if path.suffix != ".json":
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for key in ("children", "people"):
            for item in data.get(key, []) if isinstance(data, dict) else []:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    names.add(item["name"])
    return {n for n in names if len(n) >= 3}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def server(folder: Path) -> Iterator[Server]:
    with serving(folder, "--workers", "2", "--decision-log", str(folder / "decisions.jsonl")) as s:
        yield s


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def post(client: httpx.Client, path: Path | bytes, ctype: str = "application/json") -> Any:
    body = path.read_bytes() if isinstance(path, Path) else path
    if isinstance(path, Path):
        ctype = content_type(path)
    return client.post("/v1/check", content=body, params=QUERY, headers={"content-type": ctype})


def is_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """`response` has `status`, a JSON body with a plain-words error, and a decision id."""
    assert response.status_code == status, (response.status_code, response.text[:2000])
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("x-decision-id")
    data: dict[str, Any] = response.json()
    assert "Traceback" not in response.text
    if status != 422:
        assert isinstance(data["error"], str) and data["error"]
        if code is not None:
            assert data["code"] == code
    return data


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_every_example_gets_from_the_service_exactly_the_report_check_gives(
    client: httpx.Client, path: Path
) -> None:
    proc = subprocess.run(
        [*cli(), "check", str(path), "--format", "json", "--as-of", AS_OF.isoformat()],
        capture_output=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    response = post(client, path)
    assert response.status_code == 200, response.text[:2000]
    assert response.headers.get("x-decision-id")
    assert response.content == proc.stdout


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_an_invalid_example_is_a_422_naming_the_fields_check_names(
    client: httpx.Client, path: Path
) -> None:
    proc = subprocess.run(
        [*cli(), "check", str(path), "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    data = is_error(post(client, path), 422)
    paths = {p["path"] for p in data["problems"]}
    for line in proc.stderr.splitlines()[:-1]:
        field = line.split(": ")[1] if line.count(": ") >= 2 else ""
        assert field in paths, (field, paths)
    assert all(set(p) == {"path", "message", "code"} for p in data["problems"])


def test_requests_that_arrive_together_are_each_answered_with_their_own_report(
    client: httpx.Client,
) -> None:
    alone = {p: post(client, p).content for p in RECORDS}
    work = RECORDS * 4
    with ThreadPoolExecutor(32) as pool:
        together = list(pool.map(lambda p: post(client, p), work))
    for path, response in zip(work, together, strict=True):
        assert response.status_code == 200
        assert response.content == alone[path]


def test_a_record_dated_after_as_of_is_a_422_and_a_bad_as_of_is_a_400(
    client: httpx.Client,
) -> None:
    body = (EXAMPLES / "clean-pass.json").read_bytes()
    early = client.post(
        "/v1/check",
        content=body,
        params={"as_of": "2020-01-01"},
        headers={"content-type": "application/json"},
    )
    assert {p["code"] for p in is_error(early, 422)["problems"]} == {"date_future"}
    bad = client.post(
        "/v1/check",
        content=body,
        params={"as_of": "yesterday"},
        headers={"content-type": "application/json"},
    )
    is_error(bad, 400, "bad_as_of")


def test_a_body_of_another_type_is_a_415(client: httpx.Client) -> None:
    body = (EXAMPLES / "clean-pass.json").read_bytes()
    for ctype in ("text/plain", "application/xml", ""):
        response = client.post("/v1/check", content=body, headers={"content-type": ctype})
        is_error(response, 415, "unsupported_type")
    is_error(client.post("/v1/audit", content=body, headers={"content-type": "text/csv"}), 415)


def test_the_catalogue_one_rule_and_the_schema_are_served_and_an_unknown_rule_is_a_404(
    client: httpx.Client,
) -> None:
    catalogue = client.get("/v1/rules")
    assert catalogue.status_code == 200
    ids = [r["rule"] for r in catalogue.json()["rules"]]
    assert "child-seen" in ids and len(ids) == len(set(ids))
    one = client.get("/v1/rules/child-seen")
    assert one.status_code == 200 and one.json()["rule"] == "child-seen"
    assert "6.4.3" in one.json()["explanation"] or one.json()["source"]["paragraph"]
    is_error(client.get("/v1/rules/no-such-rule"), 404, "unknown_rule")
    schema = client.get("/v1/schema")
    assert schema.status_code == 200 and schema.json()["type"] == "object"
    is_error(client.get("/no/such/page"), 404, "not_found")
    is_error(client.delete("/v1/check"), 405)


def test_the_health_checks_answer_live_and_ready(client: httpx.Client) -> None:
    assert client.get("/health/live").json() == {"status": "live"}
    assert client.get("/health/ready").json() == {"status": "ready"}


def test_the_audit_endpoint_gives_the_counts_the_audit_command_gives(
    client: httpx.Client, tmp_path: Path
) -> None:
    lines = EXAMPLES / "batch.jsonl"
    out = tmp_path / "audit.json"
    subprocess.run(
        [*cli(), "audit", str(lines), "--json", str(out), "--as-of", AS_OF.isoformat()],
        capture_output=True,
        check=False,
    )
    expected = json.loads(out.read_text(encoding="utf-8"))
    response = client.post(
        "/v1/audit",
        content=lines.read_bytes(),
        params=QUERY,
        headers={"content-type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text[:2000]
    got = response.json()
    for key in ("read", "checked", "passed", "failed", "invalid"):
        assert got[key] == expected[key], key
    assert got["reports"] == expected["reports"]
    assert str(tmp_path) not in response.text and "closure-check-serve-" not in response.text


def _padded(size: int) -> bytes:
    data = base_record()
    data["checks"][0]["note"] = "x" * size
    return json.dumps(data).encode()


def test_a_body_over_the_cap_is_a_413_with_or_without_a_content_length(
    folder: Path,
) -> None:
    with serving(folder, "--max-body", "100000") as small, small.client() as c:
        big = _padded(200_000)
        is_error(post(c, big), 413, "too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
            for at in range(0, len(big), 8192):
                yield big[at : at + 8192]

        chunked = c.post(
            "/v1/check",
            content=chunks(),
            params=QUERY,
            headers={"content-type": "application/json"},
        )
        assert "content-length" not in chunked.request.headers
        is_error(chunked, 413, "too_large")
        ok = post(c, _padded(1000))
        assert ok.status_code == 200


HOSTILE: dict[str, tuple[bytes, str]] = {
    "a key given twice": (
        json.dumps(base_record(), indent=2)
        .replace('"name": "Amy",', '"name": "Amy",\n "name": "Amelia",', 1)
        .encode(),
        "application/json",
    ),
    "a yaml key given twice": (
        b"id: A-1\nkind: initial\nstarted_on: '2024-03-04'\nkind: s47\n",
        "application/yaml",
    ),
    "a huge number": (
        json.dumps(base_record())
        .replace('"kind"', '"x_n": 1' + "0" * 5000 + ', "kind"', 1)
        .encode(),
        "application/json",
    ),
    "NaN": (
        json.dumps(base_record()).replace('"kind"', '"x_n": NaN, "kind"', 1).encode(),
        "application/json",
    ),
    "Infinity in yaml": (b"id: A-1\nkind: initial\nx_score: .inf\n", "application/yaml"),
    "deep nesting": (
        b'{"id": ' + b'{"a": [' * 50_000 + b"]}" * 50_000 + b"}",
        "application/json",
    ),
    "a yaml alias bomb": (
        (
            'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
            + "".join(
                f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n"
                for p, n in zip("abcdefghijk", "bcdefghijkl", strict=True)
            )
        ).encode(),
        "application/yaml",
    ),
    "bytes that are not utf-8": (
        json.dumps(base_record() | {"x_note": "caf\u00e9"}, ensure_ascii=False)
        .encode()
        .replace("caf\u00e9".encode(), b"caf\xe9"),
        "application/json",
    ),
    "not json at all": (b'{"id": ', "application/json"),
    "an empty body": (b"", "application/json"),
    "a list, not a record": (b"[1, 2, 3]", "application/json"),
    "an impossible date": (
        json.dumps(base_record()).replace('"2024-03-06"', '"2025-02-30"', 1).encode(),
        "application/json",
    ),
    "a python object tag in yaml": (
        b"!!python/object/apply:os.system ['echo hi']\n",
        "application/yaml",
    ),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_body_is_answered_with_a_json_problem_not_a_500(
    client: httpx.Client, kind: str
) -> None:
    body, ctype = HOSTILE[kind]
    data = is_error(post(client, body, ctype), 422)
    assert data["problems"]
    assert "Amy" not in json.dumps(data) and "Amelia" not in json.dumps(data)
    assert "caf" not in json.dumps(data) and "2025-02-30" not in json.dumps(data)


def test_no_name_from_a_record_is_in_any_error_answer_log_line_or_the_decision_log(
    client: httpx.Client, server: Server, folder: Path
) -> None:
    names = names_in_examples()
    assert len(names) > 5
    answers = [post(client, p).text for p in INVALID]
    for path in RECORDS:  # each with a bad as_of and a wrong type: errors about real records
        answers.append(
            client.post(
                "/v1/check",
                content=path.read_bytes(),
                params={"as_of": "2000-01-01"},
                headers={"content-type": content_type(path)},
            ).text
        )
    for text in answers:
        assert not [n for n in names if n in text]
    log = (folder / "decisions.jsonl").read_text(encoding="utf-8")
    everything = server.logs() + log
    assert "/v1/check" in everything
    found = [n for n in names if n in everything]
    assert not found, found
    assert "as_of" not in server.logs()  # never the query string


def test_the_decision_log_holds_one_private_line_per_decision_with_no_names(
    client: httpx.Client, folder: Path
) -> None:
    path = folder / "decisions.jsonl"
    response = post(client, EXAMPLES / "fail-child-seen-by-video.json")
    decision_id = response.headers["x-decision-id"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    (entry,) = [e for e in entries if e["decision"] == decision_id]
    report = response.json()
    assert entry["verdict"] == report["verdict"] == "fail"
    assert entry["rules_version"] == report["rules_version"]
    assert entry["failing_rules"] == [r["rule"] for r in report["results"] if r["status"] == "fail"]
    assert entry["body_sha256"] == report["input_sha256"]
    assert entry["assessment"] and report["assessment_id"] not in json.dumps(entry)
    assert set(entry) == {
        "decision",
        "time",
        "token",
        "rules_version",
        "body_sha256",
        "assessment",
        "verdict",
        "failing_rules",
        "accepted_rules",
        "cause",
    }
    assert entry["accepted_rules"] == [] and entry["cause"] == ""


def test_a_pass_resting_on_a_judgement_names_its_accepted_rules_in_the_decision_log(
    server: Server, folder: Path
) -> None:
    log_file = folder / "decisions.jsonl"
    body = (EXAMPLES / "judgement-manager-accepts-unchecked-carer.json").read_bytes()
    with server.client() as client:
        response = client.post("/v1/check", content=body, params=QUERY,
                               headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 200
    report = response.json()
    entry = next(
        json.loads(line)
        for line in log_file.read_text().splitlines()
        if json.loads(line)["decision"] == response.headers["x-decision-id"]
    )
    accepted = [r["rule"] for r in report["results"] if r["status"] == "accepted"]
    assert accepted and entry["accepted_rules"] == accepted
    assert "Greaves" not in log_file.read_text() and "backlog" not in log_file.read_text()


def test_a_judgement_on_a_rule_the_service_does_not_have_is_a_422_naming_the_field(
    server: Server,
) -> None:
    data = json.loads((EXAMPLES / "judgement-manager-accepts-unchecked-carer.json").read_text())
    data["judgements"][0]["rule"] = "supporting-adults-chekced"
    with server.client() as client:
        response = client.post("/v1/check", content=json.dumps(data), params=QUERY,
                               headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 422
    assert any(p["path"] == "judgements[0].rule" for p in response.json()["problems"])


def test_the_openapi_document_describes_the_check_body_by_the_record_format(
    client: httpx.Client,
) -> None:
    document = client.get("/openapi.json").json()
    body = document["paths"]["/v1/check"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/Record"}
    schemas = document["components"]["schemas"]
    assert {"Record", "Child", "Person", "Check", "Judgement"} <= set(schemas)
    assert "#/$defs/" not in json.dumps(document)  # every reference resolves in the document
    assert client.get("/docs").status_code == 200


def test_a_field_whose_name_is_the_records_own_text_is_withheld_from_the_422(
    client: httpx.Client,
) -> None:
    data = json.loads((EXAMPLES / "clean-pass.json").read_text())
    data["children"][0]["Tyler Smith lives with Dean"] = True
    data["children"][0]["nick_name"] = "Ty"
    answer = is_error(post(client, json.dumps(data).encode()), 422)
    paths = {p["path"] for p in answer["problems"]}
    assert paths == {"children[0].<unknown field>", "children[0].nick_name"}
    assert "Tyler" not in json.dumps(answer) and '"Ty"' not in json.dumps(answer)


def test_the_api_documentation_page_names_no_other_site(client: httpx.Client) -> None:
    answer = client.get("/docs")
    assert answer.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', answer.text)
    assert sources, answer.text[:500]
    assert all(s.startswith("/") for s in sources), sources
    assert "cdn." not in answer.text
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_there_is_no_redoc_page_that_would_load_from_another_site(client: httpx.Client) -> None:
    assert client.get("/redoc").status_code == 404


def test_the_api_documentation_page_is_sent_with_a_policy_that_allows_only_the_service(
    client: httpx.Client,
) -> None:
    answer = client.get("/docs")
    policy = answer.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    (script,) = re.findall(r"<script>(.*?)</script>", answer.text, re.DOTALL)
    assert directives["script-src"] == f"'self' '{csp_hash(script)}'"  # the inline one by hash
    assert directives["connect-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "*" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert '"validatorUrl": null' in script  # no badge fetched from Swagger's own site
    assert "oauth2" not in answer.text
    assert client.get("/docs/oauth2-redirect").status_code == 404


def test_swagger_uis_files_are_plain_static_files_answering_304_and_206(
    client: httpx.Client,
) -> None:
    whole = client.get("/docs-assets/swagger-ui.css")
    assert whole.status_code == 200 and whole.headers["content-type"].startswith("text/css")
    etag = {"If-None-Match": whole.headers["etag"]}
    same = client.get("/docs-assets/swagger-ui.css", headers=etag)
    assert same.status_code == 304 and same.content == b""
    part = client.get("/docs-assets/swagger-ui.css", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and part.content == whole.content[:10]
    is_error(client.get("/docs-assets/nothing-here.js"), 404, "not_found")


def test_a_record_stopped_at_the_time_limit_is_told_apart_from_one_the_engine_failed_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopped = NotChecked("the checking process took longer than its time limit", timed_out=True)
    crashed = NotChecked("the checking process stopped with signal 9")
    assert (outcomes.cause_of(stopped), outcomes.cause_of(crashed)) == ("time_limit", "crash")
    api, page = outcomes.api_message("time_limit", "d1"), outcomes.page_message("time_limit", "d1")
    assert "(decision d1)" in api and "decision number: d1." in page
    for words in (api, page):
        assert "took longer than" in words and "not checked" in words
        assert "not send it again" in words.lower() and "try again" not in words.lower()
    assert "try again" in outcomes.page_message("crash", "d2").lower()
    assert "took longer" not in outcomes.api_message("crash", "d2")
    with caplog.at_level("INFO", logger="closure_check.access"):
        outcomes.log_not_checked("time_limit", "d1")
        outcomes.log_not_checked("crash", "d2")
    assert caplog.messages == [
        "decision d1 not checked: stopped at the time limit",
        "decision d2 not checked: the rules engine failed on it",
    ]
