"""Every pass, fail and not-applicable example written in a rule file is decided as it says."""

from __future__ import annotations

from typing import Any

import pytest

from closure_check.api import checker_for
from closure_check.checker import Checker
from closure_check.rulefile import Example, LoadedRule

from .conftest import RULES, base_record, make_record


def _examples() -> list[Any]:
    out = []
    for lr in checker_for(RULES).rules:
        for ex in lr.rule.examples:
            out.append(pytest.param(lr, ex, id=f"{lr.rule.id}: {ex.name}"))
    return out


@pytest.mark.parametrize(("lr", "example"), _examples())
def test_each_rule_example_is_decided_as_the_rule_file_says(
    checker: Checker, lr: LoadedRule, example: Example
) -> None:
    data = base_record() | example.record
    report = checker.check(make_record(data), as_of=make_record(data).completed_on)
    result = report.result(lr.rule.id)
    assert result.status == example.expect, [f.message for f in result.findings]
    assert sorted(f.subject for f in result.failures) == sorted(example.failing)


def test_every_rule_has_a_passing_and_a_failing_example(checker: Checker) -> None:
    for lr in checker.rules:
        expects = {ex.expect for ex in lr.rule.examples}
        assert {"pass", "fail"} <= expects, lr.rule.id
