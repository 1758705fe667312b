"""Putting a decision in words (explain.py) the cheap way says exactly what the long way said:
failures in the same order, each record's items viewed once for all its messages."""

from __future__ import annotations

import random
from typing import Any

from closure_check import explain as explain_module
from closure_check.api import checker_for
from closure_check.verdict import Failure

from .conftest import AS_OF, EXAMPLES


def _full_order(failures: frozenset[Failure], items: dict[str, dict[str, Any]]) -> list[Failure]:
    """The order failures were always written in: the whole key worked out for each."""

    def order(failure: Failure) -> tuple[Any, ...]:
        ev = failure.evidence
        key = explain_module._evidence_key(items[ev]) if ev else ("", "")
        return (failure.requirement, str(failure.value), key)

    return sorted(failures, key=order)


def test_failures_are_in_the_order_sorting_by_the_whole_key_gives() -> None:
    """Requirement and value decide, and the evidence's key only where they tie (it is worked
    out only then): random failures, with ties of every kind."""
    rng = random.Random(11)
    items = {
        f"k{n}": {
            rng.choice(["on", "completed_on"]): f"2024-03-0{rng.randint(1, 3)}",
            "source": rng.choice(["police", "health"]),
            "n": rng.randint(0, 2),
        }
        for n in range(6)
    }
    for _ in range(3000):
        failures = frozenset(
            Failure(
                rng.randint(0, 1),
                rng.choice(["police", "health", None, 2]),
                rng.choice(["", *items]),
            )
            for _ in range(rng.randint(1, 5))
        )
        assert explain_module._in_order(failures, items) == _full_order(failures, items)


def test_each_item_of_a_record_is_viewed_once_for_all_the_messages_of_its_report() -> None:
    from closure_check.facts import build_facts
    from closure_check.record.load import load_record

    record = load_record(EXAMPLES / "child-j-sibling-june-2008.json", as_of=AS_OF)
    facts = build_facts(record, checker_for(None).terms)
    views = explain_module._Views(facts.items)
    assert views.fact("c0") is views.fact("c0") is views.of(facts.items["c0"])
    assert views.checks is views.checks
    assert [c._of for c in views.checks] == [
        item for fid, item in facts.items.items() if fid.startswith("k")
    ]
    assert views.record is views.fact("r")
