"""The impact page (`rules impact --html`) in a real browser: Debian's Chromium, headless,
driven by playwright, as tests/test_browser.py drives the exception report (never a downloaded
browser; skipped without /usr/bin/chromium, but a failure when CI is set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from closure_check.impact import html_text, impact

from .browsing import SCRIPT_NAME, Watched
from .conftest import AS_OF, EXAMPLES
from .dated import impact_draft


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
    browser: Any,
    page_file: tuple[Path, dict[str, Any]],
) -> None:
    path, data = page_file
    watched = Watched(browser, viewport={"width": 1300, "height": 900})
    page, dialogs, problems, requests = (
        watched.page,
        watched.dialogs,
        watched.problems,
        watched.requests,
    )
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
