"""The compile choices that make durable-rules do less work per record (issue 14): identical
engine rules registered once, no applies rule where an `exists` requirement's fail and witness
rules already find every subject, constant tests before tests against another fact, no record
pattern that only says there is a record, and firings read for what gather needs alone.

None of them may change what the engine finds: each is checked against the rules compiled
without it, on the bundled rules and on a folder with the awkward cases added (a rule identical
to another, an `any` whose two branches are the same, an `exists` of the subject's own kind, an
`exists` requirement after a subject requirement, `for_each` over several values)."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from closure_check import compiler, form
from closure_check.checker import Checker, gather
from closure_check.compiler import compile_rules
from closure_check.engine import GUARD, EngineError, dialect, firings
from closure_check.engine import session as engine_module
from closure_check.engine.session import Engine
from closure_check.facts import FACT_TYPE_FIELD, build_facts
from closure_check.form import RECORD, SUBJECT, All, FieldOf, Meaning, Pattern, Program
from closure_check.record import Record, load_record
from closure_check.rulefile import RuleSet, load_rules
from closure_check.verdict import Fired

from .conftest import AS_OF, EXAMPLES, RULES, make_record
from .records import base, random_record

_dre = engine_module._dre

# -- helpers ------------------------------------------------------------------------------------


def _rule_file(folder: Path, name: str, rule_id: str, applies_to: list[dict[str, Any]]) -> None:
    """A rule file made from child-seen's, with its own id and parts (no examples)."""
    data = yaml.safe_load((RULES / "02-child-seen.yaml").read_text(encoding="utf-8"))
    data.pop("examples", None)
    data["id"] = rule_id
    data["applies_to"] = applies_to
    (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _part(when: list[dict[str, Any]], requires: list[dict[str, Any]]) -> dict[str, Any]:
    texts = {"fail": "{{ name }} fails.", "remedy": "Mend it."}
    return {
        "subject": "child",
        "when": when,
        "requires": [texts | r for r in requires],
        "pass": "{{ name }} passes.",
    }


SEEN = {"fact": "visit", "where": {"child": "subject", "how": "in_person"}}


@pytest.fixture(scope="module")
def awkward(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled rules and four rules that put each choice to the test."""
    folder = tmp_path_factory.mktemp("awkward") / "rules"
    shutil.copytree(RULES, folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    shutil.copy(RULES / "02-child-seen.yaml", folder / "90-child-seen-again.yaml")
    again = folder / "90-child-seen-again.yaml"
    again.write_text(
        again.read_text(encoding="utf-8").replace("id: child-seen", "id: child-seen-again", 1),
        encoding="utf-8",
    )
    twice = {"any": [{"subject": {"unborn": False}}, {"subject": {"unborn": False}}]}
    _rule_file(folder, "91-same-branch-twice.yaml", "same-branch-twice",
               [_part([twice], [{"name": "seen", "exists": SEEN}])])  # fmt: skip
    sibling = {"fact": "child", "where": {"unborn": False}}
    _rule_file(folder, "92-another-child.yaml", "another-child",
               [_part([{"record": {"kind": {"ne": "discharge"}}}],
                      [{"name": "sibling", "exists": sibling}])])  # fmt: skip
    not_by = {"fact": "visit", "where": {"child": "subject", "how": {"ne": "how"}}}
    _rule_file(folder, "93-exists-after-subject.yaml", "exists-after-subject",
               [_part([{"any": [{"subject": {"unborn": False}},
                                {"exists": {"fact": "visit", "where": {"child": "subject"}}}]}],
                      [{"name": "outcome", "subject": {"outcome": {"ne": "none"}}},
                       {"name": "seen", "for_each": {"how": ["phone", "video"]},
                        "exists": not_by}])])  # fmt: skip
    return folder


def _samples() -> Iterator[Record]:
    for path in sorted(EXAMPLES.glob("*.json")) + sorted(EXAMPLES.glob("*.yaml")):
        yield load_record(path, as_of=AS_OF)
    yield make_record(base())
    for n in range(120):
        yield make_record(random_record(random.Random(9000 + n), n))


def _plain(
    program: Program, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, tuple[Meaning, ...]]]:
    """The program in durable's dialect without the dialect's choices: every expansion a rule
    of its own, every record pattern kept (the tests' order within a condition stays: a
    conjunction means the same in any order)."""
    definition: dict[str, Any] = {}
    meaning: dict[str, tuple[Meaning, ...]] = {}
    with monkeypatch.context() as m:
        m.setattr(dialect, "_needless", lambda p, patterns: False)
        for rule in program.rules:
            for k, conditions in enumerate(dialect.expand(rule.patterns)):
                definition[f"{rule.name}.{k}"] = {"all": conditions}
                meaning[f"{rule.name}.{k}"] = rule.meanings
    definition[GUARD] = {"all": [{"e": {FACT_TYPE_FIELD: "end"}}]}
    return definition, meaning


def _with_applies_rules(rules: RuleSet, monkeypatch: pytest.MonkeyPatch) -> Program:
    """The rules compiled with an applies rule for every part, as before the choice."""
    with monkeypatch.context() as m:
        m.setattr(compiler, "_covering", lambda requires: None)
        return compile_rules(rules)


def _found(fired: Fired) -> tuple[Any, ...]:
    """What gather found, with each witness list as a multiset (its order is the core's)."""
    applies = {k: v for k, v in fired.applies.items() if v}
    fails = {k: v for k, v in fired.fails.items() if v}
    witnesses = {k: Counter(v) for k, v in fired.witnesses.items() if v}
    return applies, fails, witnesses


# -- nothing found changes ----------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["bundled", "awkward"])
def test_the_engine_finds_what_the_rules_compiled_without_any_choice_find(
    folder: str, awkward: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = load_rules(RULES if folder == "bundled" else awkward)
    checker = Checker(rules)
    definition, meaning = _plain(_with_applies_rules(rules, monkeypatch), monkeypatch)
    plain = Engine.from_definition(definition)
    assert len(plain.definition) > len(checker.engine.definition)
    compared = 0
    for record in _samples():
        facts = build_facts(record, checker.terms).facts
        got = _found(gather(checker.engine.run(facts), checker.engine.meaning))
        expected = _found(gather(plain.run(facts), meaning))
        assert got == expected, record.id
        compared += bool(expected[0])
    assert compared > 100


def test_the_awkward_rules_apply_and_fail_where_their_twins_and_the_bundled_rules_do(
    awkward: Path,
) -> None:
    """The awkward folder's rules are not vacuous: each applies to some child and fails some."""
    checker = Checker(load_rules(awkward))
    ids = [lr.rule.id for lr in checker.rules]
    statuses: dict[str, set[str]] = {i: set() for i in ids}
    for record in _samples():
        report = checker.check(record, as_of=AS_OF)
        for result in report.results:
            statuses[result.rule].add(result.status)
        assert report.result("child-seen-again").to_dict() | {"rule": "child-seen"} == (
            report.result("child-seen").to_dict()
        )
    for rule_id in ("child-seen-again", "same-branch-twice", "another-child",
                    "exists-after-subject"):  # fmt: skip
        assert {"pass", "fail"} <= statuses[rule_id], (rule_id, statuses[rule_id])


# -- identical rules once -----------------------------------------------------------------------


def test_identical_engine_rules_are_registered_once_with_every_meaning() -> None:
    program = compile_rules(load_rules(RULES))
    definition, meaning = dialect.to_durable(program)
    expansions = [c for rule in program.rules for c in dialect.expand(rule.patterns)]
    texts = [json.dumps(c, sort_keys=True) for c in expansions]
    registered = [json.dumps(r["all"], sort_keys=True) for n, r in definition.items()]
    assert len(registered) == len(set(registered))  # no two rules alike
    assert len(definition) - 1 == len(set(texts)) < len(texts)
    # every meaning of the program is carried as often as its rule expands
    carried = Counter(m for ms in meaning.values() for m in ms)
    assert carried == Counter(
        m for rule in program.rules for _ in dialect.expand(rule.patterns) for m in rule.meanings
    )


def test_three_rules_asking_only_for_a_child_share_one_applies_rule() -> None:
    rules = load_rules(RULES)
    index = {lr.rule.id: ri for ri, lr in enumerate(rules.rules)}
    _, meaning = dialect.to_durable(compile_rules(rules))
    shared = [ms for ms in meaning.values() if len(ms) == 3]
    assert len(shared) == 1
    assert {(m.rule, m.role) for m in shared[0]} == {
        (index[i], "applies")
        for i in ("both-parents-considered", "recommendations-for-progression",
                  "each-child-own-outcome")
    }  # fmt: skip


def test_a_copy_of_a_rule_under_another_id_adds_no_engine_rule(awkward: Path) -> None:
    bundled = Checker(load_rules(RULES)).engine
    with_copy = Checker(load_rules(awkward)).engine
    ids = [lr.rule.id for lr in load_rules(awkward).rules]
    copy, seen = ids.index("child-seen-again"), ids.index("child-seen")
    others = {str(ids.index(i)) for i in ids[copy + 1 :]}
    assert {n for n in with_copy.definition if n.split(".")[0] not in others} == set(
        bundled.definition
    )
    for ms in with_copy.meaning.values():  # the copy means what the original means, rule for rule
        assert [dataclasses.replace(m, rule=seen) for m in ms if m.rule == copy] == [
            m for m in ms if m.rule == seen
        ]
    assert any(m.rule == copy for ms in with_copy.meaning.values() for m in ms)


# -- no applies rule where an exists requirement finds every subject ----------------------------


def test_a_part_has_an_applies_rule_exactly_when_it_has_no_exists_requirement(
    awkward: Path,
) -> None:
    rules = load_rules(awkward)
    program = compile_rules(rules)
    with_applies_rule = {(m.rule, m.part) for r in program.rules for m in r.meanings
                         if r.name.split(".")[2] == "a"}  # fmt: skip
    covered = {(m.rule, m.part) for r in program.rules for m in r.meanings
               if m.role == "applies" and r.name.split(".")[2] != "a"}  # fmt: skip
    for ri, lr in enumerate(rules.rules):
        for pi, part in enumerate(lr.rule.applies_to):
            has_exists = any(req.exists is not None for req in part.requires)
            assert ((ri, pi) in covered) == has_exists, (lr.rule.id, pi)
            assert ((ri, pi) in with_applies_rule) == (not has_exists), (lr.rule.id, pi)
    assert with_applies_rule and covered


def test_the_applies_meaning_rides_on_the_first_exists_requirement_and_first_value_only(
    awkward: Path,
) -> None:
    rules = load_rules(awkward)
    ri = [lr.rule.id for lr in rules.rules].index("exists-after-subject")
    program = compile_rules(rules)
    carrying = sorted(r.name for r in program.rules if Meaning(ri, 0, "applies") in r.meanings)
    # requirement 1 (the exists after the subject requirement), value 0, both branches
    assert carrying == [f"{ri}.0.{role}.1.0.{b}" for role in "fw" for b in (0, 1)]
    for rule in program.rules:
        if rule.name in carrying:
            assert rule.meanings[0] == Meaning(ri, 0, "applies")
            assert len(rule.meanings) == 2


def test_supporting_adults_checked_needs_no_applies_rule_for_any_of_its_three_branches() -> None:
    rules = load_rules(RULES)
    ri = [lr.rule.id for lr in rules.rules].index("supporting-adults-checked")
    names = [r.name for r in compile_rules(rules).rules if r.name.startswith(f"{ri}.")]
    assert not [n for n in names if ".a." in n]
    assert len(names) == 3 * 2 * 2  # branches x sources x (fail, witness)


# -- constant tests first -----------------------------------------------------------------------


def _tests(condition: dict[str, Any]) -> list[dict[str, Any]]:
    ((_, test),) = condition.items()
    items: list[dict[str, Any]] = test.get("$and", [test])
    return items


def _against_a_field(test: dict[str, Any]) -> bool:
    ((key, value),) = test.items()
    if key.startswith("$"):
        ((_, value),) = value.items()
    return isinstance(value, dict)


def test_in_every_registered_condition_constants_come_first_and_no_test_repeats() -> None:
    registered = dialect.batched(dialect.to_durable(compile_rules(load_rules(RULES)))[0])
    moved = 0
    for name, rule in registered.items():
        for condition in rule["all"]:
            tests = _tests(condition)
            kinds = [_against_a_field(t) for t in tests]
            assert kinds == sorted(kinds), (name, condition)
            assert len({json.dumps(t) for t in tests}) == len(tests), (name, condition)
            assert next(iter(tests[0])) == FACT_TYPE_FIELD
            moved += any(kinds[:-1])  # a field test besides `rec`
    assert moved > 0


def test_a_condition_is_written_with_its_constants_before_its_field_tests_once_each() -> None:
    tests = [
        form.Test("eq", "child", FieldOf(SUBJECT, "ref")),
        form.Test("eq", "how", "in_person"),
        form.Test("eq", "has_on", True),
        form.Test("lte", "on", FieldOf(RECORD, "completed_on")),
        form.Test("eq", "has_on", True),
        form.Test("gt", "on", FieldOf("related", "since")),
    ]
    assert dialect._conjunction("visit", tests, "related") == {
        "$and": [
            {"t": "visit"},
            {"how": "in_person"},
            {"has_on": True},
            {"child": {"s": "ref"}},
            {"$lte": {"on": {"r": "completed_on"}}},
            {"$gt": {"on": {"$m": "since"}}},
        ]
    }


# -- no record pattern that only says there is a record ----------------------------------------


NOTHING = All(())


def _patterns(record: All, subject: All = NOTHING, kind: str = "discharge") -> tuple[Pattern, ...]:
    return (Pattern(RECORD, "record", record), Pattern(SUBJECT, kind, subject))


def test_a_record_pattern_is_left_out_only_where_it_tests_and_is_compared_with_nothing() -> None:
    nothing = All(())
    assert [next(iter(c)) for c in dialect.expand(_patterns(nothing))[0]] == ["s"]
    tested = All((form.Test("ne", "kind", "discharge"),))
    assert [next(iter(c)) for c in dialect.expand(_patterns(tested))[0]] == ["r", "s"]
    compared = All((form.Test("gt", "on", FieldOf(RECORD, "completed_on")),))
    assert [next(iter(c)) for c in dialect.expand(_patterns(nothing, compared))[0]] == ["r", "s"]
    alone = (Pattern(RECORD, "record", nothing),)  # the record is the subject
    assert [next(iter(c)) for c in dialect.expand(alone)[0]] == ["r"]
    absent = (Pattern(RECORD, "record", nothing), Pattern(SUBJECT, "child", nothing, absent=True))
    assert next(iter(dialect.expand(absent)[0][0])) == "r"


def test_a_rule_that_starts_with_its_subject_joins_every_other_fact_to_it_by_rec() -> None:
    related = All((form.Test("eq", "subject", FieldOf(SUBJECT, "ref")),))
    patterns = (
        *_patterns(All(()), kind="person"),
        Pattern("related", "check", related),
        Pattern("related", "check", related, absent=True),
    )
    (conditions,) = dialect.expand(patterns)
    assert [next(iter(c)) for c in conditions] == ["s", "x", "e", "x0$not"]
    registered = dialect.batched({"rule": {"all": conditions}})["rule"]["all"]
    for condition in registered[1:]:
        assert _tests(condition)[-1] == {"rec": {"s": "rec"}}


# -- reading firings ----------------------------------------------------------------------------


def test_firings_are_read_for_the_subject_and_the_related_fact_only() -> None:
    checker = Checker(load_rules(RULES))
    record = make_record(base())
    got = checker.engine.run(build_facts(record, checker.terms).facts)
    names = {name for name, _ in got}
    assert GUARD in names
    for name, matched in got:
        keys = [next(iter(c)) for c in checker.engine.definition[name]["all"]]
        expected = set()
        if "s" in keys:
            expected.add("subject")
        elif "r" in keys:
            expected.add("record")
        if "x" in keys:
            expected.add("related")
        assert set(matched) == expected, (name, matched)


def _fake_core(monkeypatch: pytest.MonkeyPatch, messages: list[str]) -> None:
    queue = list(messages)
    monkeypatch.setattr(_dre, "start_action_for_state", lambda h, s: (0, queue.pop(0)))
    monkeypatch.setattr(
        _dre, "complete_and_start_action", lambda h, s: queue.pop(0) if queue else None
    )


RULE = {"all": [{"r": {"t": "record"}}, {"s": {"t": "child"}}, {"x": {"t": "visit"}}]}
MATCH = '{{"r":{{"id":"{p}:r","t":"record"}},"s":{{"id":"{p}:c{c}","t":"child","ref":{c}}},' \
        '"x":{{"id":"{p}:v{c}_0","t":"visit"}}}}'  # fmt: skip


def test_a_reader_reads_every_match_of_a_message_record_by_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    matches = ",".join(MATCH.format(p=p, c=c) for p, c in [(0, 0), (1, 0), (0, 1)])
    _fake_core(monkeypatch, ['{"one":[' + matches + "]}"])
    got = firings.Reader({"one": RULE}).drain(0, 0, 0, 2)
    first, second = ({"subject": f"c{c}", "related": f"v{c}_0"} for c in (0, 1))
    assert got == [[("one", first), ("one", second)], [("one", first)]]


def test_a_match_the_reader_cannot_read_is_an_engine_error_after_every_action_is_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odd = MATCH.format(p=0, c=0).replace('"x":', '"w0":{"id":"0:l0_0","t":"lives_with"},"x":')
    _fake_core(monkeypatch, ['{"one":[' + odd + "]}", '{"guard":[{"e":{"id":"0:e","t":"end"}}]}'])
    reader = firings.Reader({"one": RULE, GUARD: {"all": [{"e": {"t": "end"}}]}})
    with pytest.raises(EngineError, match="could not be read"):
        reader.drain(0, 0, 0, 1)
    assert not _dre.complete_and_start_action(0, 0)  # the guard's action was taken too


def test_a_match_whose_first_fact_does_not_start_with_its_id_is_an_engine_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every match is counted by its first fact's opening, whatever that fact's first field:
    a core that echoed a fact's fields in another order would be told, not read as nothing."""
    odd = MATCH.format(p=0, c=0).replace('{"id":"0:r","t":"record"}', '{"t":"record","id":"0:r"}')
    _fake_core(monkeypatch, ['{"one":[' + odd + "]}"])
    with pytest.raises(EngineError, match="could not be read"):
        firings.Reader({"one": RULE}).drain(0, 0, 0, 1)


def test_a_salted_batch_is_read_past_its_salt() -> None:
    checker = Checker(load_rules(RULES))
    record = make_record(base())
    facts = build_facts(record, checker.terms).facts
    plain = checker.engine._run_once([checker.engine._text(facts)], "", "salt-test.0")
    salted = checker.engine._run_once([checker.engine._text(facts)], "q7", "salt-test.1")
    assert plain is not None and salted is not None
    assert sorted(map(repr, plain[0])) == sorted(map(repr, salted[0]))


def test_the_engine_knows_which_rules_find_a_failing_subject() -> None:
    engine = Checker(load_rules(RULES)).engine
    assert engine.failing == {
        name for name, ms in engine.meaning.items() if any(m.role == "fail" for m in ms)
    }
    assert GUARD not in engine.failing
    assert engine.failing and engine.failing < set(engine.meaning)
