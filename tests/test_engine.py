"""Regression tests for the engine adapter (src/closure_check/engine/) against the hazards of
durable-rules 2.0.28 measured in shared/research/durable-rules/README.md."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from closure_check import checker as checker_module
from closure_check.api import checker_for
from closure_check.checker import Checker
from closure_check.engine import GUARD, EngineError, Firing
from closure_check.engine import session as engine_module
from closure_check.facts import FACT_TYPE_FIELD, FACTS, Facts, build_facts
from closure_check.record import Record, load_record
from closure_check.report import Report
from closure_check.rulefile import load_rules

from .conftest import AS_OF, EXAMPLES, RULES, make_record
from .records import Data, base, bundled, check, child, random_record, run, visit

_dre = engine_module._dre

FiringSet = frozenset[tuple[str, tuple[tuple[str, str], ...]]]


def firing_set(firings: list[Firing]) -> FiringSet:
    return frozenset((name, tuple(sorted(matched.items()))) for name, matched in firings)


def sample_records() -> Iterator[Record]:
    """Every valid example file, the base record, and seeded random records."""
    for path in sorted(EXAMPLES.glob("*.json")) + sorted(EXAMPLES.glob("*.yaml")):
        yield load_record(path, as_of=AS_OF)
    yield make_record(base())
    for n in range(150):
        yield make_record(random_record(random.Random(5000 + n), n))


def without_end(facts: Facts) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    *body, end = facts.facts
    assert end[FACT_TYPE_FIELD] == "end", "build_facts puts the end-of-record fact last"
    return body, end


def unseen_child() -> Data:
    """The base record with its only child seen by video: child-seen fails for Amy (C1)."""
    r = base()
    r["children"] = [child(seen=[visit("2024-03-06", "video")])]
    return r


def summary(report: Report) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [(r.rule, r.status, sorted((f.subject, f.status) for f in r.findings))
            for r in report.results]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Hazard 4: absence is evaluated when the partial match reaches it, never revisited
# ---------------------------------------------------------------------------------------------


def test_the_order_of_facts_never_changes_the_firings_when_the_end_fact_is_last() -> None:
    checker = bundled()
    rng = random.Random(4)
    for record in sample_records():
        facts = build_facts(record, checker.rules.terms)
        expected = firing_set(checker.engine.run(facts.facts))
        body, end = without_end(facts)
        for _ in range(3):
            rng.shuffle(body)
            assert firing_set(checker.engine.run([*body, end])) == expected, record.id


def test_the_end_fact_placed_first_never_changes_the_firings() -> None:
    checker = bundled()
    changed = []
    for record in sample_records():
        facts = build_facts(record, checker.rules.terms)
        expected = firing_set(checker.engine.run(facts.facts))
        body, end = without_end(facts)
        got = firing_set(checker.engine.run([end, *body]))
        if got != expected:
            changed.append((record.id, sorted(expected - got)[:2], sorted(got - expected)[:2]))
    assert not changed, f"{len(changed)} records decided differently, e.g. {changed[:3]}"


@pytest.mark.parametrize("where", ["first", "middle"])
def test_the_end_fact_placed_anywhere_never_changes_the_verdict(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A child seen only by video fails child-seen, whatever order the facts are asserted in."""
    record = make_record(unseen_child())
    checker = bundled()
    expected = checker.check(record, as_of=AS_OF)
    assert expected.verdict == "fail"
    assert [f.subject for f in expected.result("child-seen").failures] == ["C1"]

    def end_moved(record: Record, terms: Any) -> Facts:
        facts = build_facts(record, terms)
        body, end = without_end(facts)
        at = 0 if where == "first" else len(body) // 2
        facts.facts = [*body[:at], end, *body[at:]]
        return facts

    monkeypatch.setattr(checker_module, "build_facts", end_moved)
    got = checker.check(record, as_of=AS_OF)
    assert summary(got) == summary(expected)
    assert got.verdict == "fail"


def test_every_absence_in_the_compiled_rules_comes_after_the_end_fact() -> None:
    definition = bundled().engine.definition
    absences = 0
    for name, rule in definition.items():
        keys = [next(iter(c)) for c in rule["all"]]
        negated = [i for i, k in enumerate(keys) if k.endswith("$not")]
        absences += len(negated)
        if negated:
            assert "e" in keys and keys.index("e") < min(negated), name
            assert rule["all"][keys.index("e")] == {"e": {FACT_TYPE_FIELD: "end"}}
    assert absences > 0
    assert definition[GUARD] == {"all": [{"e": {FACT_TYPE_FIELD: "end"}}]}


def test_the_compiled_rules_never_use_list_quantifiers() -> None:
    """Hazard 5: $iall combined with $or answers wrongly on lists of two or more."""
    text = json.dumps(bundled().engine.definition)
    assert "$iall" not in text and "$iany" not in text


# ---------------------------------------------------------------------------------------------
# Hazards 1, 2, 3: sessions, and no background threads
# ---------------------------------------------------------------------------------------------


def spy(monkeypatch: pytest.MonkeyPatch, name: str, note: Callable[..., Any]) -> list[Any]:
    """Wrap the core's function `name`: each call appends `note(*args)` to the list returned."""
    calls: list[Any] = []
    real = getattr(_dre, name)

    def wrapper(*args: Any) -> Any:
        calls.append(note(*args))
        return real(*args)

    monkeypatch.setattr(_dre, name, wrapper)
    return calls


def batch_sid(handle: int, text: str) -> str:
    sid: str = json.loads(text)[0]["sid"]
    return sid


def test_the_guard_rule_fires_once_for_every_record() -> None:
    """Hazard 1: deleting a session in which no action ran crashes; the guard always runs."""
    checker = bundled()
    for record in sample_records():
        firings = checker.engine.run(build_facts(record, checker.rules.terms).facts)
        assert [name for name, _ in firings].count(GUARD) == 1, record.id


def test_checking_records_starts_no_background_thread() -> None:
    before = set(threading.enumerate())
    count = threading.active_count()
    fresh = Checker(load_rules(RULES))  # registering a ruleset starts nothing either
    for n in range(300):
        record = make_record(random_record(random.Random(n), n))
        fresh.check(record, as_of=AS_OF)
        bundled().check(record, as_of=AS_OF)
    assert threading.active_count() == count
    assert set(threading.enumerate()) == before


def test_every_session_is_deleted_once_its_record_is_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hazard 2: at most 1024 live sessions per ruleset."""
    checker = bundled()
    asserted = spy(monkeypatch, "assert_facts", batch_sid)
    deleted = spy(monkeypatch, "delete_state", lambda handle, sid: sid)
    for n in range(50):
        checker.check(make_record(random_record(random.Random(n), n)), as_of=AS_OF)
    assert len(asserted) == 50
    assert sorted(deleted) == sorted(asserted)
    for sid in asserted:  # the core no longer knows these sessions (error 309)
        with pytest.raises(_dre.error):
            _dre.get_facts(checker.engine._handle, sid)


def test_a_session_left_undeleted_would_still_be_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    """The control for the test above: get_facts does find a live session."""
    checker = Checker(load_rules(RULES))
    seen = spy(monkeypatch, "assert_facts", batch_sid)
    monkeypatch.setattr(_dre, "delete_state", lambda handle, sid: None)
    checker.check(make_record(base()), as_of=AS_OF)
    assert _dre.get_facts(checker.engine._handle, seen[0])
    monkeypatch.undo()
    _dre.delete_state(checker.engine._handle, seen[0])


SCRIPT = """
import sys
from datetime import date
sys.path.insert(0, {root!r})
from tests.records import base, child, make_record, visit
from closure_check.checker import Checker
from closure_check.rulefile import load_rules
checker = Checker(load_rules(__import__("pathlib").Path({rules!r})))
good = make_record(base())
bad_data = base()
bad_data["children"] = [child(seen=[visit("2024-03-06", "video")])]
bad = make_record(bad_data)
verdicts = set()
for n in range({n}):
    report = checker.check(good if n % 2 else bad, as_of=date(2025, 6, 30))
    verdicts.add((n % 2, report.verdict))
print(sorted(verdicts))
"""


def test_more_than_1100_records_can_be_checked_in_one_process() -> None:
    """In a process of its own, so that the crash this guards against is reported, not suffered."""
    root = str(Path(__file__).resolve().parent.parent)
    code = SCRIPT.format(root=root, rules=str(RULES), n=1150)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "[(0, 'fail'), (1, 'pass')]"


# ---------------------------------------------------------------------------------------------
# Hazards 6 and 7: identity by 32-bit hash, and by content
# ---------------------------------------------------------------------------------------------


def fnv1a_32(text: str) -> int:
    """The core's hash of names and ids (research/durable-rules/t_hash.py)."""
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h ^= b
        h = (h * 16777619) & 0xFFFFFFFF
    return h


# Two fact ids with the same hash as the engine writes them for the first record of a session
# ("0:" before each, engine._run_once), found by trying ids in turn as research/durable-rules/
# t_hash.py does.
COLLIDING = ("check:K579599", "check:K762382")
FIRST = "0:"


def _with_fact_ids(renames: dict[str, str]) -> Any:
    def build(record: Record, terms: Any) -> Facts:
        facts = build_facts(record, terms)
        out = Facts()
        out.facts = [dict(f, id=renames.get(f["id"], f["id"])) for f in facts.facts]
        out.items = {renames.get(k, k): v for k, v in facts.items.items()}
        out.subjects = {renames.get(k, k): v for k, v in facts.subjects.items()}
        return out

    return build


def _spy_codes(monkeypatch: pytest.MonkeyPatch, answer: Any = None) -> list[int]:
    """Record the code of every assert_facts call; `answer(call, code)` may replace it."""
    codes: list[int] = []
    real = _dre.assert_facts

    def spy(handle: int, text: str) -> Any:
        code, state = real(handle, text)
        codes.append(code)
        if answer is not None:
            code = answer(len(codes), code)
        return code, state

    monkeypatch.setattr(_dre, "assert_facts", spy)
    return codes


def test_a_real_fact_id_hash_collision_is_salted_away_before_the_core_sees_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = COLLIDING
    assert a != b and fnv1a_32(FIRST + a) == fnv1a_32(FIRST + b)
    record = make_record(base())
    checker = bundled()
    expected = checker.check(record, as_of=AS_OF).to_json()
    ids = [f["id"] for f in build_facts(record, checker.rules.terms).facts]
    assert {"k1", "k2"} <= set(ids)  # Eve's two checks: both needed for her to pass

    sent = spy(monkeypatch, "assert_facts", lambda handle, text: text)
    monkeypatch.setattr(checker_module, "build_facts", _with_fact_ids({"k1": a, "k2": b}))
    got = checker.check(record, as_of=AS_OF)
    assert len(sent) == 1
    assert f'"id":"{FIRST}{a}"' not in sent[0] and f'"id":"z{FIRST}{a}"' in sent[0]
    assert got.to_json() == expected


def test_the_core_drops_a_colliding_fact_and_a_later_unhandled_fact_hides_the_refusal() -> None:
    """Why ids are checked before they are sent: the core's answer for a batch is the code of
    its last refused or unhandled fact, so a fact that matches no rule after the duplicate
    turns "duplicate" (2) into "not handled" (1)."""
    a, b = COLLIDING
    checker = bundled()
    handle = checker.engine._handle
    sid = "collision-control"
    renamed = {"k1": FIRST + a, "k2": FIRST + b}
    facts = [
        dict(f, id=renamed.get(f["id"], "0:" + f["id"]), rec=0, sid=sid)
        for f in build_facts(make_record(base()), checker.rules.terms).facts
    ]
    facts.append({"id": "nothing", "t": "nothing", "sid": sid})  # matches no rule
    code, state = _dre.assert_facts(handle, json.dumps(facts))
    kept = {f["id"] for f in json.loads(_dre.get_facts(handle, sid))}
    result = _dre.start_action_for_state(handle, state)  # the guard's action: runs before
    while result:  # the session is deleted (research hazard 1)
        result = _dre.complete_and_start_action(handle, state)
    _dre.delete_state(handle, sid)
    assert code == 1
    assert FIRST + a in kept and FIRST + b not in kept


def test_colliding_ids_in_a_batch_are_salted_apart_and_every_record_checked_as_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checker = bundled()
    records = [make_record(base()), make_record(unseen_child())]
    expected = [checker.check_failing(r, as_of=AS_OF) for r in records]
    codes = _spy_codes(monkeypatch)
    monkeypatch.setattr(
        checker_module, "build_facts", _with_fact_ids({"k1": COLLIDING[0], "k2": COLLIDING[1]})
    )
    got = checker.check_failing_many(records, as_of=AS_OF)
    assert len(codes) == 1 and 2 not in codes
    assert [r and r.to_dict() for r in got] == [r and r.to_dict() for r in expected]


def test_the_engines_hash_is_the_cores() -> None:
    rng = random.Random(5)
    for _ in range(500):
        text = "".join(rng.choice("abcz019:_-.é") for _ in range(rng.randint(0, 12)))
        assert engine_module._fnv1a(text) == fnv1a_32(text)
    a, b = COLLIDING
    assert not engine_module._distinct([[a, b]], "", "1.1")
    assert engine_module._distinct([[a, b]], "z", "z1.1")


def test_a_duplicate_refusal_on_the_first_try_is_retried_and_not_surfaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = make_record(unseen_child())
    checker = bundled()
    expected = checker.check(record, as_of=AS_OF).to_json()
    deleted = spy(monkeypatch, "delete_state", lambda handle, sid: sid)
    codes = _spy_codes(monkeypatch, lambda call, code: 2 if call == 1 else code)
    assert checker.check(record, as_of=AS_OF).to_json() == expected
    assert len(codes) == 2
    assert len(deleted) == 2 and deleted[0] != deleted[1]  # both sessions deleted


def test_duplicate_refusals_on_every_salt_raise_an_engine_error_not_a_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codes = _spy_codes(monkeypatch, lambda call, code: 2)
    with pytest.raises(EngineError, match="duplicates"):
        bundled().check(make_record(base()), as_of=AS_OF)
    assert len(codes) == len(engine_module._SALTS)


def test_salted_ids_do_not_collide_where_the_plain_ids_do() -> None:
    a, b = COLLIDING
    for salt in engine_module._SALTS[1:]:
        assert fnv1a_32(salt + FIRST + a) != fnv1a_32(salt + FIRST + b), salt


def test_identical_checks_and_visits_in_one_record_are_distinct_facts() -> None:
    """Hazard 7: a fact without an id is identified by its content."""
    r = base()
    r["checks"] = [*r["checks"], *r["checks"]]
    r["children"] = [child(seen=[visit("2024-03-06")] * 3)]
    r["closure"]["notified"] = r["closure"]["notified"] * 2
    report = run(r)
    assert report.verdict == "pass"
    assert summary(report) == summary(run(base()))


# ---------------------------------------------------------------------------------------------
# Hazards 8, 9, 10: only small, typed values reach the engine
# ---------------------------------------------------------------------------------------------

LONG = "A long note. " * 7700  # 100 kB


def long_texts() -> Data:
    r = base()
    r["decision"]["conclusion"] = LONG
    r["decision"]["outstanding_information"] = LONG
    r["decision"]["missing_information_plan"] = LONG
    r["worker"]["name"] = LONG
    cid, pid, agency = "C" + LONG, "P" + LONG, "Agency " + LONG
    r["children"] = [child(cid, "Amy " + LONG, recommendations=LONG, parents_note=LONG,
                           lives_with=[{"person": pid, "since": "2023-01-01"}])]  # fmt: skip
    r["children"][0]["seen"][0]["by"] = LONG
    r["people"] = [
        {"id": "P1", "name": LONG, "relationship": "mother", "parent_of": [cid],
         "considered": LONG},
        {"id": pid, "name": "Eve " + LONG, "relationship": "relative", "supporting": True,
         "considered": LONG},
    ]  # fmt: skip
    r["checks"] = [
        check("family", "children_social_care") | {"note": LONG, "id": "K" + LONG},
        check(pid, "children_social_care") | {"note": LONG},
        check(pid, "police") | {"note": LONG},
        check("family", "health", "pending") | {"note": LONG},
    ]
    r["agencies"] = [{"name": agency, "involvement": "ongoing", "consulted_on": "2024-03-18"}]
    r["closure"]["notified"] = [{"agency": agency, "on": "2024-03-22"}]
    risk = {"assessed_on": "2024-03-20", "finding": "unknown", "note": LONG}
    disclosure = {"decision": "none", "reasons": LONG, "decided_by": LONG}
    r["discharges"] = [{"person": pid, "service": "other", "on": "2024-03-20",
                        "reason": "did_not_attend", "risk_to_children": risk,
                        "disclosure": disclosure}]  # fmt: skip
    return r


def _assert_small_typed(fact: dict[str, Any]) -> None:
    kind = fact[FACT_TYPE_FIELD]
    allowed = {"id", "sid", "rec", FACT_TYPE_FIELD}  # rec: the record's place in a batch
    if kind != "end":
        allowed |= set(FACTS[kind]) | {"has_" + k for k in FACTS[kind]}
    assert set(fact) <= allowed, (kind, set(fact) - allowed)
    for key, value in fact.items():
        assert type(value) in (int, bool, str), (kind, key, type(value))
        if isinstance(value, str):
            assert len(value) <= 40, (kind, key, value[:60])


def test_only_ints_bools_and_short_strings_reach_the_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = long_texts()
    assert len(json.dumps(data)) > 1_500_000
    record = make_record(data)
    checker = bundled()
    facts = build_facts(record, checker.rules.terms)
    assert len(facts.facts) > 10
    for fact in facts.facts:
        _assert_small_typed(fact)

    batches = spy(monkeypatch, "assert_facts", lambda handle, text: json.loads(text))
    report = checker.check(record, as_of=AS_OF)
    (sent,) = batches
    assert len(sent) == len(facts.facts)
    for fact in sent:
        _assert_small_typed(fact)
    assert report.verdict == "pass", [(r.rule, [f.message[:80] for f in r.failures])
                                      for r in report.failed_rules]  # fmt: skip
    assert report.result("discharge-disclosure-decided").status == "pass"


def test_long_texts_differing_only_at_the_end_are_decided_by_their_own_content() -> None:
    """Hazard 8: the core compares strings over 64 kB on a truncated length."""
    placeholder_at_end = base()
    placeholder_at_end["children"] = [child(recommendations=" " * 70_000 + "n/a")]
    present_at_end = base()
    present_at_end["children"] = [child(recommendations=" " * 70_000 + "Refer to early help.")]
    assert run(placeholder_at_end).result("recommendations-for-progression").status == "fail"
    assert run(present_at_end).result("recommendations-for-progression").status == "pass"


# ---------------------------------------------------------------------------------------------
# Ruleset names are global to the process and cannot be removed
# ---------------------------------------------------------------------------------------------


def test_a_rules_folder_is_registered_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    first = checker_for(RULES)
    names = spy(monkeypatch, "create_ruleset", lambda name, text: name)
    assert checker_for(RULES) is first
    assert checker_for(RULES) is first
    assert names == []


def test_two_checkers_from_the_same_folder_work_side_by_side(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = spy(monkeypatch, "create_ruleset", lambda name, text: name)
    one, two = Checker(load_rules(RULES)), Checker(load_rules(RULES))
    copy_folder = tmp_path / "rules"
    shutil.copytree(RULES, copy_folder)
    three = checker_for(copy_folder)
    assert len(names) == 3 and len(set(names)) == 3
    assert len({one.engine.name, two.engine.name, three.engine.name, bundled().engine.name}) == 4

    datas = [base(), unseen_child(), *(random_record(random.Random(n), n) for n in range(30))]
    for data in datas:
        record = make_record(data)
        expected = bundled().check(record, as_of=AS_OF).to_json()
        for c in (one, two, three, one, two):
            got = c.check(record, as_of=AS_OF).to_json()
            assert json.loads(got)["results"] == json.loads(expected)["results"], data["id"]


# ---------------------------------------------------------------------------------------------
# What engine/session.py's text handling relies on (see its comment on _ID_OPEN): no brace, quote or
# backslash can reach the engine inside a value
# ---------------------------------------------------------------------------------------------

PLAIN = re.compile(r"[a-z0-9_]+")


def test_every_enum_value_a_fact_can_hold_is_a_plain_identifier() -> None:
    values = [(k, n, v) for k, fields in FACTS.items() for n, s in fields.items() for v in s.values]
    assert values
    for kind, name, value in values:
        assert PLAIN.fullmatch(value), (kind, name, value)


def test_every_fact_id_and_text_value_of_random_records_is_a_plain_identifier() -> None:
    checker = bundled()
    for n in range(200):
        record = make_record(random_record(random.Random(n), n))
        for fact in build_facts(record, checker.rules.terms).facts:
            assert next(iter(fact)) == "id"
            for value in fact.values():
                assert not isinstance(value, str) or PLAIN.fullmatch(value), fact


def test_every_rule_but_the_guard_matches_the_record_first_or_a_subject_without_it() -> None:
    """firings.Reader reads each match from its first fact, and `rec` joins every other fact to
    it: the record, or the subject of a rule that tests nothing of the record and compares
    nothing with it (dialect.expand leaves such a record pattern out)."""
    firsts = set()
    for name, rule in bundled().engine.definition.items():
        if name != GUARD:
            first = next(iter(rule["all"][0]))
            firsts.add(first)
            assert first in ("r", "s"), name
            if first == "s":
                assert '"r"' not in json.dumps(rule), name
    assert firsts == {"r", "s"}


def test_a_fact_that_does_not_start_with_its_id_is_refused() -> None:
    with pytest.raises(ValueError, match="start with its id"):
        bundled().engine.run([{FACT_TYPE_FIELD: "end", "id": "e"}])


def test_facts_reach_the_engine_as_json_dumps_would_write_them_compactly() -> None:
    checker = bundled()
    for n in range(100):
        record = make_record(random_record(random.Random(n), n))
        facts = build_facts(record, checker.rules.terms).facts
        expected = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))[1:-1]
        assert checker.engine._text(facts) == expected


def test_no_two_field_names_a_fact_can_hold_share_the_cores_hash() -> None:
    """Research hazard 6: the core knows a property by a 32-bit hash of its name too."""
    names = {"id", "sid", "rec", FACT_TYPE_FIELD}
    for fields in FACTS.values():
        names |= set(fields) | {"has_" + name for name in fields}
    assert len({fnv1a_32(name) for name in names}) == len(names)


def test_rules_whose_first_fact_the_engine_would_not_read_are_refused() -> None:
    with pytest.raises(ValueError, match="first fact"):
        engine_module.Engine.from_definition({"odd": {"all": [{"w0": {FACT_TYPE_FIELD: "check"}}]}})
