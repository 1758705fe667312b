"""The check page of `closure-check serve` (`GET /`), over HTTP against the real server: the form,
its CSRF token, the report a worker gets for an uploaded or pasted record (the very page
`check --format html` prints), the problems of an invalid record (by field, never a value), and
the headers that keep the page closed (CSP, no framing, no caching).

The browser's side (JavaScript on and off, a child named like a script) is test_serve_browser.py.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from closure_check.service import page as check_page

from .conftest import AS_OF, EXAMPLES, base_record
from .serving import Server, cli, serving

CHILD_J = EXAMPLES / "child-j-sibling-june-2008.json"
YAML_EXAMPLE = EXAMPLES / "clean-pass-yaml.yaml"
NAV = re.compile(r'<nav><p><a href="/">Check another record</a></p></nav>\n')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("page")) as running:
        yield running


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def token_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def submit(
    client: httpx.Client,
    *,
    upload: tuple[str, bytes] | None = None,
    pasted: str = "",
    token: str | None = None,
    fmt: str = "auto",
) -> httpx.Response:
    """What a browser sends when the form is filled in and submitted: multipart/form-data, an
    empty file part when no file was chosen."""
    if token is None:
        token = token_of(client.get("/").text)
    fields = {"csrf_token": token, "record": pasted, "format": fmt, "as_of": AS_OF.isoformat()}
    name, data = upload if upload is not None else ("", b"")
    return client.post(
        "/check-page", data=fields, files={"file": (name, data, "application/octet-stream")}
    )


def check_html(path: Path) -> str:
    """What `closure-check check PATH --format html` prints."""
    proc = subprocess.run(
        [*cli(), "check", str(path), "--format", "html", "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def report_of(response: httpx.Response) -> str:
    """The report in the page: the page less its link back to the form."""
    assert response.status_code == 200, response.text[:2000]
    assert len(NAV.findall(response.text)) == 1
    return NAV.sub("", response.text, count=1)


def test_the_check_page_is_a_form_with_a_file_input_a_text_box_and_a_csrf_token(
    client: httpx.Client,
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    form = r'<form method="post" action="/check-page" enctype="multipart/form-data"'
    assert re.search(form, html)
    assert '<input type="file" id="file" name="file"' in html
    assert '<textarea id="record" name="record"' in html
    assert token_of(html)
    cookie = page.headers["set-cookie"].lower()
    assert "samesite=strict" in cookie and "httponly" in cookie


def test_the_page_has_a_strict_content_security_policy_and_may_not_be_framed(
    client: httpx.Client,
) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    parts = {p.split()[0]: p.split()[1:] for p in csp.split(";") if p.strip()}
    assert parts["default-src"] == ["'none'"]
    assert parts["form-action"] == ["'self'"]
    assert parts["frame-ancestors"] == ["'none'"]
    assert "script-src" not in parts  # default-src 'none': no script at all
    assert all(s.startswith("'sha256-") for s in parts["style-src"]), parts["style-src"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_nothing_in_the_page_or_the_report_comes_from_another_address(
    client: httpx.Client,
) -> None:
    report = submit(client, upload=("r.json", CHILD_J.read_bytes()))
    for html in (client.get("/").text, report.text):
        assert not re.search(r"(?i)(https?:)?//[a-z0-9]", html), re.findall(r"//\S+", html)
        assert "<script" not in html.lower()
        assert not re.search(r"(?i)<link|@import|url\(", html)


def test_a_post_without_a_valid_csrf_token_is_refused_with_a_plain_page(
    client: httpx.Client,
) -> None:
    body = CHILD_J.read_bytes()
    for token in ("", "not-the-token", token_of(client.get("/").text)[:-2] + "xx"):
        refused = submit(client, upload=("r.json", body), token=token)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "Nothing was checked" in refused.text
        assert "Assessment IA-" not in refused.text
    # A token with no cookie (a form posted from another site) is refused too.
    token = token_of(client.get("/").text)
    client.cookies.clear()
    assert submit(client, upload=("r.json", body), token=token).status_code == 403


def test_an_uploaded_json_record_gives_the_report_check_format_html_gives(
    client: httpx.Client,
) -> None:
    answer = submit(client, upload=("child-j.json", CHILD_J.read_bytes()))
    assert report_of(answer) == check_html(CHILD_J)
    assert "Fails: do not complete or close this assessment yet." in answer.text
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_pasted_json_record_gives_the_same_report(client: httpx.Client) -> None:
    text = CHILD_J.read_text(encoding="utf-8")
    assert report_of(submit(client, pasted=text)) == check_html(CHILD_J)
    # As a browser sends a text box: every line ending CR LF.
    crlf = text.replace("\n", "\r\n")
    assert report_of(submit(client, pasted=crlf)) == check_html(CHILD_J)


def test_a_yaml_record_uploaded_or_pasted_gives_the_same_report(client: httpx.Client) -> None:
    expected = check_html(YAML_EXAMPLE)
    uploaded = submit(client, upload=(YAML_EXAMPLE.name, YAML_EXAMPLE.read_bytes()))
    assert report_of(uploaded) == expected
    pasted = submit(client, pasted=YAML_EXAMPLE.read_text(encoding="utf-8"), fmt="yaml")
    assert report_of(pasted) == expected
    worked_out = submit(client, pasted=YAML_EXAMPLE.read_text(encoding="utf-8"))
    assert report_of(worked_out) == expected


def _invalid_record() -> dict[str, Any]:
    """A record with a child's name where a date should be, an unknown field holding a name, a
    wrong kind and a missing field: every problem names a field, none may show the name."""
    data = base_record()
    data["children"][0]["name"] = "Zebedee Quartermaine"
    data["children"][0]["born_on"] = "Zebedee Quartermaine"
    data["people"][0]["x_nickname"] = "fine"
    data["people"][0]["nick_name"] = "Zebedee Quartermaine"
    data["kind"] = "Zebedee Quartermaine"
    data["checks"][0]["note"] = "Seen at 14 Acacia Avenue"
    del data["worker"]
    return data


def test_an_invalid_record_lists_each_problem_by_its_field_without_its_values(
    client: httpx.Client,
) -> None:
    text = json.dumps(_invalid_record(), indent=2)
    for answer in (submit(client, pasted=text), submit(client, upload=("r.json", text.encode()))):
        assert answer.status_code == 422
        html = answer.text
        paths = re.findall(r'<tr class="problem" data-path="([^"]*)">', html)
        assert {"kind", "worker", "children[0].born_on", "people[0].nick_name"} <= set(paths)
        assert "first child: born on" in html  # the field in words, next to its problem
        assert "first adult: nick name" in html  # people's items are adults, as everywhere
        assert "Zebedee" not in html and "Quartermaine" not in html
        assert "Acacia" not in html
        assert token_of(html)  # the form again, to try once more
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("", "the record as a whole"),
        ("kind", "kind"),
        ("children[1].seen[0].on", "second child, first visit: on"),
        (
            "children[0].lives_with[1].person",
            "first child, second adult the child lives with: person",
        ),
        ("people[2].parent_of[0]", "third adult, first child they are a parent of"),
    ],
)
def test_a_problem_s_field_is_named_in_the_words_of_the_record_s_problems_without_names(
    path: str, words: str
) -> None:
    assert check_page._in_words(path) == words


def test_text_that_is_not_a_record_is_a_problem_and_no_record_at_all_is_too(
    client: httpx.Client,
) -> None:
    broken = submit(client, pasted='{"id": "Zebedee Quartermaine", ')
    assert broken.status_code == 422
    assert re.search(r'<tr class="problem" data-path="">', broken.text)  # the record as a whole
    assert "the record as a whole" in broken.text and "Zebedee" not in broken.text
    nothing = submit(client)
    assert nothing.status_code == 422
    assert "no record was given" in nothing.text
    both = submit(client, upload=("r.json", CHILD_J.read_bytes()), pasted="{}")
    assert both.status_code == 422
    assert "not both" in both.text


def test_a_form_larger_than_the_body_cap_is_refused_as_too_large(tmp_path: Path) -> None:
    with serving(tmp_path, "--max-body", "2048") as small, small.client() as c:
        answer = submit(c, upload=("r.json", b"{" + b" " * 4096 + b"}"))
        assert answer.status_code == 413
        assert "too large" in answer.text
