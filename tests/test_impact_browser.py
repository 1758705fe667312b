"""The impact page (`rules impact --html`) in a real browser: Debian's Chromium, headless,
driven by playwright, as tests/test_browser.py drives the exception report (never a downloaded
browser; skipped without /usr/bin/chromium, but a failure when CI is set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from closure_check.impact import html_text, impact

from .conftest import AS_OF, EXAMPLES
from .dated import impact_draft
from .test_browser import browser  # noqa: F401 - the fixture

SCRIPT_NAME = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The impact page of the examples under the draft, plus a record whose child, never seen
    alone, is named like a script."""
    folder = tmp_path_factory.mktemp("impact-browser")
    extra = folder / "extra"
    extra.mkdir()
    data = json.loads((EXAMPLES / "fail-father-not-considered.json").read_text(encoding="utf-8"))
    data["id"] = "IA-2025-7778"
    data["children"][1]["name"] = SCRIPT_NAME
    (extra / "script.json").write_text(json.dumps(data), encoding="utf-8")
    result = impact([EXAMPLES, extra], draft=impact_draft(folder / "draft"), as_of=AS_OF)
    path = folder / "impact.html"
    path.write_text(html_text(result), encoding="utf-8")
    return path, result.to_dict()


def test_the_impact_page_works_in_headless_chromium(
    browser: Any,  # noqa: F811
    page_file: tuple[Path, dict[str, Any]],
) -> None:
    path, data = page_file
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    dialogs: list[str] = []
    problems: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())

    c = data["counts"]
    for name in ("read", "newly_failing", "newly_passing", "still_failing", "still_passing",
                 "invalid"):  # fmt: skip
        shown = page.inner_text(f"#count-{name.replace('_', '-')}")
        assert shown == str(c[name]), name
    assert (c["newly_failing"], c["newly_passing"]) == (1, 0)

    # One row per record that changes; the newly failing one says so.
    rows = page.locator("#changed tbody tr")
    assert rows.count() == len(data["records"]) > 1
    newly = page.locator('#changed tbody tr[data-change="newly_failing"]')
    assert newly.count() == 1 and "S47-2025-0231" in newly.inner_text()

    # The rule whose findings change, with every subject; the child named like a script is
    # shown as that text, and nothing ran.
    rule = page.locator('#rules tbody tr[data-rule="child-seen-alone"]')
    appeared = str(c["findings_appeared"])
    assert rule.locator("td.num").all_inner_texts() == [appeared, "0"]
    assert SCRIPT_NAME in rule.inner_text()
    assert dialogs == []
    assert page.locator("#invalid-records tbody tr").count() == c["invalid"]

    # In print, the page keeps every table and count.
    page.emulate_media(media="print")
    assert page.locator("#changed tbody tr:visible").count() == len(data["records"])

    # Nothing from the network, no script errors, no policy violations.
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert problems == []
    page.close()
