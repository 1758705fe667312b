"""The check page in a real browser: Debian's Chromium, headless, driven by playwright, against
the real `closure-check serve` on a free loopback port. A worker uploads a record and reads its
report, with JavaScript on and off; a child named like a script runs nothing.

Never a downloaded browser (see test_browser.py): skipped on a workstation without
/usr/bin/chromium or playwright, failed when CI is set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import browsing
from .browsing import SCRIPT_NAME
from .conftest import AS_OF, EXAMPLES
from .serving import Server, serving
from .test_serve_page import CHILD_J


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("browser")) as running:
        yield running


class Watched(browsing.Watched):
    """A page of the check page's browser context, watched (browsing.Watched): nothing may be
    fetched from anywhere but the server."""

    def __init__(self, context: Any, server: Server) -> None:
        super().__init__(context)
        self.server = server

    def open_form(self) -> Any:
        self.page.goto(self.server.url + "/")
        assert self.page.title() == "Check a record before closing"
        self.page.fill("#as_of", AS_OF.isoformat())
        return self.page

    def submit(self) -> Any:
        with self.page.expect_navigation():
            self.page.click("#check")
        return self.page

    def nothing_went_wrong(self, *, answered: int = 200) -> None:
        """No dialog, no script or policy error, nothing fetched from elsewhere. (Chromium logs
        an answer that is not a 200, such as a 422, as an error of its own: that one is meant.)"""
        meant = f"the server responded with a status of {answered}"
        assert self.dialogs == []
        assert [p for p in self.problems if answered == 200 or meant not in p] == []
        assert all(u.startswith(self.server.url + "/") for u in self.requests), self.requests


def _upload_child_j_and_read_the_report(watched: Watched) -> None:
    page = watched.open_form()
    page.set_input_files("#file", str(CHILD_J))
    page = watched.submit()
    assert page.url == watched.server.url + "/check-page"
    assert page.title() == "Assessment IA-2008-0613-CJ: FAIL"
    verdict = page.inner_text(".verdict")
    assert "Fails: do not complete or close this assessment yet." in verdict
    record = json.loads(CHILD_J.read_text(encoding="utf-8"))
    names = [c["name"] for c in record["children"]]
    text = page.inner_text("main")
    assert any(name in text for name in names), names
    assert page.locator("section.rule.fail").count() >= 1
    # The way back to the form, for the next record.
    page.click("text=Check another record")
    assert page.title() == "Check a record before closing"
    watched.nothing_went_wrong()


def test_a_worker_uploads_a_record_and_reads_its_report(browser: Any, server: Server) -> None:
    context = browser.new_context()
    _upload_child_j_and_read_the_report(Watched(context, server))
    context.close()


def test_with_javascript_off_the_form_still_checks_a_record(browser: Any, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False)
    _upload_child_j_and_read_the_report(Watched(context, server))
    context.close()


def test_a_child_named_like_a_script_is_shown_as_text_and_runs_nothing(
    browser: Any, server: Server
) -> None:
    data = json.loads((EXAMPLES / "fail-child-seen-by-video.json").read_text(encoding="utf-8"))
    data["children"][0]["name"] = SCRIPT_NAME
    context = browser.new_context()
    watched = Watched(context, server)
    page = watched.open_form()
    page.fill("#record", json.dumps(data, indent=2))
    page = watched.submit()
    assert page.title().endswith(": FAIL")
    assert SCRIPT_NAME in page.inner_text("main")
    assert page.locator("main script").count() == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content()
    watched.nothing_went_wrong()
    context.close()


def test_an_invalid_record_shows_its_problems_by_field_in_the_browser(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    data = json.loads(CHILD_J.read_text(encoding="utf-8"))
    data["children"][0]["born_on"] = SCRIPT_NAME
    path = tmp_path / "invalid.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    watched = Watched(context, server)
    page = watched.open_form()
    page.set_input_files("#file", str(path))
    page = watched.submit()
    row = page.locator('tr.problem[data-path="children[0].born_on"]')
    assert row.count() == 1
    assert "first child: born on" in row.inner_text()
    assert SCRIPT_NAME not in page.inner_text("body")
    # The form is there again, ready for the corrected record.
    assert page.locator("#file").count() == 1
    watched.nothing_went_wrong(answered=422)
    context.close()


def test_the_api_documentation_page_loads_everything_from_the_service_itself(
    browser: Any, server: Server
) -> None:
    """Under the page's Content-Security-Policy (a refused script, image or fetch is a console
    error): Swagger UI starts (its inline script, by hash), an operation opened shows the icons
    its stylesheet holds as data: URLs, and "Try it out" fetches from the service."""
    watched = Watched(browser.new_context(), server)
    page = watched.page
    page.goto(server.url + "/docs")
    # Swagger UI lists the operations once it has read /openapi.json.
    page.get_by_text("/v1/check", exact=True).first.wait_for(timeout=15_000)
    assert "closure-check" in page.title()
    assert server.url + "/openapi.json" in watched.requests
    page.get_by_text("/v1/rules", exact=True).first.click()
    page.get_by_text("Try it out").first.click()
    page.get_by_text("Execute").first.click()
    page.locator(".live-responses-table .response-col_status").first.wait_for(timeout=15_000)
    assert server.url + "/v1/rules" in watched.requests
    page.get_by_text("/v1/check", exact=True).first.click()  # its media type select: data: icon
    page.locator("select").first.wait_for(timeout=15_000)
    assert all(u.startswith((server.url + "/", "blob:", "data:")) for u in watched.requests), (
        watched.requests
    )
    assert watched.dialogs == []
    assert watched.problems == []  # no script error, and nothing the policy refused
