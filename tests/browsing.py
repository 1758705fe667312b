"""Debian's Chromium for the browser tests, headless, driven by playwright: the launch, and a
page that records everything that should never happen on it.

Never a downloaded browser: `.ci/run` installs Debian's `chromium`, and the tests launch
/usr/bin/chromium themselves. Without it a browser test is skipped on a workstation, but fails
when the environment variable CI is set, so that CI can never pass by skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
]
SCRIPT_NAME = "<script>alert(1)</script>"


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: the browser test must run in CI")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once for a test module."""
    if not CHROMIUM.exists():
        unavailable("Debian's chromium is not installed at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A new page of `opener` (a browser or a context) with everything that should never
    happen on it recorded: dialogs, script errors, console errors (a CSP violation is one) and
    every request it makes."""

    def __init__(self, opener: Any, **page_options: Any) -> None:
        self.page = opener.new_page(**page_options)
        self.dialogs: list[str] = []
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on(
            "console", lambda m: self.problems.append(m.text) if m.type == "error" else None
        )
        self.page.on("request", lambda r: self.requests.append(r.url))
