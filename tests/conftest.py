"""Shared fixtures: the bundled rules, compiled once, and a way to build records."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from closure_check.api import checker_for
from closure_check.checker import Checker
from closure_check.record import Record, parse_record

from .browsing import browser  # noqa: F401 - the browser tests' fixture (Chromium)

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"
AS_OF = date(2025, 6, 30)


@pytest.fixture(scope="session")
def checker() -> Checker:
    return checker_for(RULES)


def base_record() -> dict[str, Any]:
    """The record every rule example starts from (rules/_terms.yaml: example_base)."""
    return copy.deepcopy(checker_for(RULES).rules.terms_file.example_base)


def make_record(data: dict[str, Any], as_of: date = AS_OF) -> Record:
    return parse_record(data, source="test", as_of=as_of)
