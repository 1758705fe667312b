"""facts.py's shortcuts (issue 14, leaner facts): text made normal without the pattern where a
text is ASCII, and only the fields the compiled rules read sent to the engine. Neither may
change what a text means (rules.md, Terms) nor what the engine finds."""

from __future__ import annotations

import random
import string
import sys

import pytest

from closure_check import checker as checker_module
from closure_check import form
from closure_check.checker import Checker, fields_read
from closure_check.facts import (
    _ALNUM,
    _SPACES,
    _TRAILING,
    FACT_TYPE_FIELD,
    FACTS,
    Terms,
    build_facts,
    has_field,
    normal_text,
)
from closure_check.form import All, EngineRule, FieldOf, Meaning, Pattern, Program
from closure_check.record import Record
from closure_check.report import Report

from .conftest import AS_OF, make_record
from .records import base, random_record

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def by_the_pattern(text: str) -> str:
    """rules.md's normal form, as facts.py wrote it before the ASCII shortcut."""
    return _SPACES.sub(" ", text).strip(" ").rstrip(_TRAILING).lower()


def by_the_definition(terms: Terms, text: str | None) -> bool:
    if text is None:
        return False
    t = by_the_pattern(text)
    return any(ch.isalnum() for ch in t) and t not in terms.placeholders


def odd_texts(rng: random.Random, alphabet: str, count: int) -> list[str]:
    """Texts made of placeholders, words, every kind of space and trailing stops."""
    pieces = ["n/a", "N/A", "none", "NIL", "to follow", "see  above", "-", ".", "No", "further",
              "action", "Seen at home", "0", "_", "x"]  # fmt: skip
    out = []
    for _ in range(count):
        parts = [rng.choice(pieces) if rng.random() < 0.5 else rng.choice(alphabet)
                 for _ in range(rng.randint(0, 6))]  # fmt: skip
        out.append("".join(parts))
    return out


def test_a_letter_or_a_digit_is_exactly_a_character_str_isalnum_accepts() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert _ALNUM.findall(every) == [ch for ch in every if ch.isalnum()]


def test_no_space_the_pattern_collapses_is_a_letter_or_a_digit() -> None:
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert not any(ch.isalnum() for ch in _SPACES.findall(every))


def test_the_ascii_spaces_str_split_splits_at_are_those_the_pattern_collapses() -> None:
    ascii_chars = [chr(i) for i in range(128)]
    assert [c for c in ascii_chars if not c.split()] == [c for c in ascii_chars if _SPACES.match(c)]


@pytest.mark.parametrize("alphabet", ["ascii", "unicode"])
def test_a_text_made_normal_is_the_patterns_normal_form(alphabet: str) -> None:
    rng = random.Random(14)
    ascii_odd = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f.,;:!?/" + string.ascii_letters[:6]
    chars = ascii_odd if alphabet == "ascii" else ascii_odd + ZERO_WIDTH + "\u00a0\u3000\u2028é"
    texts = odd_texts(rng, chars, 20_000)
    assert any(t.isascii() for t in texts) and (alphabet == "ascii") == all(
        t.isascii() for t in texts
    )
    for text in texts:
        assert normal_text(text) == by_the_pattern(text), repr(text)


@pytest.mark.parametrize(
    ("text", "present"),
    [
        (None, False),
        ("", False),
        ("   \t\n", False),
        ("\u200b\ufeff", False),
        ("\x1c\x1f", False),
        ("...", False),
        ("N/A.", False),
        ("  n/a  ", False),
        ("No further\taction!", False),
        ("see\u00a0 above;", False),
        ("to\u200bfollow", False),
        ("n / a", True),
        ("0", True),
        ("None yet: the police check is due on 3 July.", True),
        ("Seen at home twice; parenting capacity assessed.", True),
        ("_", False),
        ("é", True),
    ],
)
def test_text_is_present_as_rules_md_defines_it(
    checker: Checker, text: str | None, present: bool
) -> None:
    terms = checker.rules.terms
    assert by_the_definition(terms, text) is present
    assert terms.text_present(text) is present


def test_text_present_agrees_with_the_definition_on_odd_texts(checker: Checker) -> None:
    terms = checker.rules.terms
    rng = random.Random(41)
    chars = " \t\n\x0b\x1c.,;:!/" + ZERO_WIDTH + "\u00a0\u3000aZ9_"
    for text in odd_texts(rng, chars, 20_000):
        assert terms.text_present(text) is by_the_definition(terms, text), repr(text)


# -- only the fields the compiled rules read -----------------------------------------------------


def records() -> list[Record]:
    return [make_record(base())] + [
        make_record(random_record(random.Random(700 + n), n)) for n in range(120)
    ]


def test_fields_read_are_those_tested_and_those_compared_with() -> None:
    joined = form.Test("eq", "child", FieldOf("subject", "ref"))
    rule = EngineRule(
        "0.0.f.0.0.0",
        (Meaning(0, 0, "fail", 0),),
        (
            Pattern("record", "record", All((form.Test("eq", "closure", True),))),
            Pattern("subject", "child", All((form.Test("ne", "outcome", "none"),))),
            Pattern(
                "related",
                "lives_with",
                All((joined, form.Test("lt", "since", FieldOf("record", "completed_on")))),
                absent=True,
            ),
        ),
    )
    assert fields_read(Program((rule,))) == {
        "record.closure",
        "record.completed_on",
        "child.outcome",
        "child.ref",
        "lives_with.child",
        "lives_with.since",
    }


def test_a_checker_sends_the_engine_only_the_fields_its_rules_read(checker: Checker) -> None:
    reads = fields_read(checker.compiled)
    terms = checker._fact_terms
    assert terms.reads == reads
    unread = {f"{k}.{n}" for k, fields in FACTS.items() for n in fields} - reads
    assert unread, "the bundled rules leave some fields unread"
    seen = set()
    for record in records():
        lean, full = build_facts(record, terms), build_facts(record, checker.rules.terms)
        assert lean.items == full.items and lean.subjects == full.subjects
        assert len(lean.facts) == len(full.facts)
        for small, whole in zip(lean.facts, full.facts, strict=True):
            kind = whole[FACT_TYPE_FIELD]
            kept = {k: v for k, v in whole.items()
                    if k in ("id", FACT_TYPE_FIELD) or f"{kind}.{k}" in reads}  # fmt: skip
            assert list(small.items()) == list(kept.items())
            seen |= {f"{kind}.{k}" for k in whole} - {f"{kind}.{k}" for k in small}
    assert seen & unread, "some unread field was left out"


def test_a_field_a_rule_reads_is_sent_with_its_companion_date_flag(checker: Checker) -> None:
    reads = frozenset({"check.requested_on", f"check.{has_field('requested_on')}"})
    terms = Terms(checker.rules.terms.placeholders, frozenset(), frozenset(), reads=reads)
    record = make_record(base())
    checks = [f for f in build_facts(record, terms).facts if f[FACT_TYPE_FIELD] == "check"]
    assert checks
    for fact in checks:
        assert set(fact) <= {"id", FACT_TYPE_FIELD, "requested_on", "has_requested_on"}
        assert "has_requested_on" in fact


def _json(report: Report | None) -> str | None:
    return None if report is None else report.to_json()


def test_reports_from_lean_facts_are_those_from_every_field(
    checker: Checker, monkeypatch: pytest.MonkeyPatch
) -> None:
    lean = [checker.check(r, as_of=AS_OF).to_json() for r in records()]
    failing = [_json(checker.check_failing(r, as_of=AS_OF)) for r in records()]
    full_terms = checker.rules.terms
    monkeypatch.setattr(checker_module, "build_facts", lambda record, _: build_facts(
        record, full_terms))  # fmt: skip
    assert [checker.check(r, as_of=AS_OF).to_json() for r in records()] == lean
    assert [_json(checker.check_failing(r, as_of=AS_OF)) for r in records()] == failing
    assert any(f is not None for f in failing)
