"""The faster ways to the same results: each gives exactly what the plain way gives.

- the audit's check (`Checker.check_failing`, and `check_failing_many` on records checked
  together in one engine session) against a full check of each record alone;
- JSON written piece by piece (`output.json_at`) against `json.dumps(..., indent=2)`, and
  pydantic-core's writer (`output.plain_json_at`) against `json_at`, with and without the
  search for exponents (nothing the audit writes holds a float); a row's keys put at the end
  of its text (`audit.packed.then`) against the row written with them;
- report files written from pieces (`output.write_private`);
- working days by arithmetic against counting day by day;
- a rules folder's checker from the user's cache against one built from the files.
"""

from __future__ import annotations

import json
import os
import random
import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import durable_rules_engine as _dre
import holidays
import pytest

from closure_check import api as api_module
from closure_check import audit, rulefile, workdays
from closure_check import explain as explain_module
from closure_check.api import checker_for
from closure_check.audit import packed
from closure_check.checker import Checker
from closure_check.engine import EngineError
from closure_check.errors import InputError
from closure_check.facts import FACTS, build_facts
from closure_check.output import json_at, plain_json_at, write_private
from closure_check.record import load_record

from .conftest import AS_OF, EXAMPLES, RULES, make_record
from .records import base, random_record

# ---------------------------------------------------------------------------------------------
# The audit's check
# ---------------------------------------------------------------------------------------------


def test_the_audits_check_finds_exactly_what_a_full_check_finds(checker: Checker) -> None:
    records = [load_record(p, as_of=AS_OF) for p in sorted(EXAMPLES.glob("*.json"))]
    records += [make_record(base())]
    records += [make_record(random_record(random.Random(9000 + n), n)) for n in range(200)]
    nothing_fails = 0
    for record in records:
        full = checker.check(record, as_of=AS_OF, explain_passing=False)
        fast = checker.check_failing(record, as_of=AS_OF)
        if fast is None:
            nothing_fails += 1
            assert not any(r.failures for r in full.results), record.id
            assert full.verdict == "pass"
        else:
            assert fast.to_dict() == full.to_dict(), record.id
    assert 0 < nothing_fails < len(records)


@pytest.mark.parametrize("size", [2, 5, 16, 40])
def test_records_checked_together_in_one_session_get_the_reports_they_get_alone(
    checker: Checker, size: int
) -> None:
    rng = random.Random(size)
    records = [make_record(random_record(rng, n)) for n in range(size)]
    together = checker.check_failing_many(records, as_of=AS_OF)
    alone = [checker.check_failing(record, as_of=AS_OF) for record in records]
    assert [r and r.to_dict() for r in together] == [r and r.to_dict() for r in alone]
    if size >= 16:
        assert any(r is None for r in alone) and any(r is not None for r in alone)
    firings = checker.engine.run_many([build_facts(r, checker.rules.terms).facts for r in records])
    for record, fired in zip(records, firings, strict=True):
        assert isinstance(fired, list)
        single = checker.engine.run(build_facts(record, checker.rules.terms).facts)
        assert sorted(map(repr, fired)) == sorted(map(repr, single))


def test_an_engine_error_in_a_batch_costs_only_the_record_that_causes_it(
    checker: Checker, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [make_record(random_record(random.Random(n), n)) for n in range(6)]
    expected = [checker.check_failing(record, as_of=AS_OF) for record in records]
    marker = f'"started_on":{build_facts(records[3], checker.rules.terms).facts[0]["started_on"]},'
    assert (
        sum(
            marker in json.dumps(build_facts(r, checker.rules.terms).facts, separators=(",", ":"))
            for r in records
        )
        == 1
    )
    real = _dre.assert_facts
    texts: list[str] = []

    def refuse_one(handle: int, text: str) -> Any:
        texts.append(text)
        if marker in text:
            raise _dre.error("the core failed")
        return real(handle, text)

    monkeypatch.setattr(_dre, "assert_facts", refuse_one)
    got = checker.check_failing_many(records, as_of=AS_OF)
    assert len(texts) == 1 + len(records)  # the batch, then each record alone
    assert isinstance(got[3], EngineError)
    for n in (0, 1, 2, 4, 5):
        answer = got[n]
        assert not isinstance(answer, EngineError)
        assert (answer and answer.to_dict()) == (expected[n] and expected[n].to_dict())


def test_no_fact_field_is_called_rec() -> None:
    """The engine adds `rec` (a record's place in its batch) to every fact."""
    assert all("rec" not in fields for fields in FACTS.values())


def test_the_audits_check_runs_the_engine_once_and_keeps_only_failing_records(
    checker: Checker, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    real = checker.engine.run_many

    def spy(records: Any) -> Any:
        runs.append(len(records))
        return real(records)

    monkeypatch.setattr(checker.engine, "run_many", spy)
    assert checker.check_failing(make_record(base()), as_of=AS_OF) is None
    assert len(runs) == 1
    unseen = base()
    unseen["children"][0]["seen"][0]["how"] = "video"
    report = checker.check_failing(make_record(unseen), as_of=AS_OF)
    assert report is not None and report.verdict == "fail"
    assert len(runs) == 2


# ---------------------------------------------------------------------------------------------
# JSON piece by piece
# ---------------------------------------------------------------------------------------------

SCALARS: list[Any] = [None, True, False, 0, -7, 2.5, 1e300, float("nan"), 10**30]
SCALARS += ["", "plain", 'a "quoted"\nline\\', "Zoë Ó Ríordáin", "\u2028\x1e\x00", "\ud800"]


def nested(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice(SCALARS)
    if roll < 0.7:
        names = ["k", "ключ", "a b", "\n"]
        return {
            rng.choice(names) + str(i): nested(rng, depth + 1) for i in range(rng.randint(0, 4))
        }
    return [nested(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_json_at_writes_what_json_dumps_writes_at_any_depth() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        value = nested(rng)
        for level in (0, 1, 2, 3):
            expected = json.dumps(value, ensure_ascii=False, indent=2)
            assert json_at(value, level) == expected.replace("\n", "\n" + "  " * level)
    odd_keys = {1: [1, 2], None: {"a": (1,)}, 2.5: []}
    assert json_at(odd_keys, 1) == json.dumps(odd_keys, indent=2, ensure_ascii=False).replace(
        "\n", "\n  "
    )


PLAIN_SCALARS = [*SCALARS, 1e-7, 1e16, 123.5, -0.0, 1e15, 5e-324]


def plain(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice(PLAIN_SCALARS)
    if roll < 0.7:
        names = ["k", "ключ", "a b", "\n", "\ud800"]
        return {rng.choice(names) + str(i): plain(rng, depth + 1) for i in range(rng.randint(0, 4))}
    return [plain(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def test_plain_json_at_writes_what_json_at_writes_for_reports_rows_and_plain_values(
    checker: Checker,
) -> None:
    rng = random.Random(12)
    values = [plain(rng) for _ in range(3000)]
    values = [v for v in values if isinstance(v, dict | list)]
    for n in range(150):
        report = checker.check(make_record(random_record(random.Random(n), n)), as_of=AS_OF)
        values.append(report.to_dict())
    surrogates = 0
    for value in values:
        surrogates += "\ud800" in json.dumps(value, ensure_ascii=False)
        for level in (0, 1, 2):
            assert plain_json_at(value, level) == json_at(value, level)
    assert surrogates  # the fallback was taken too


def floats_in(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in floats_in(v)]
    assert value is None or isinstance(value, str | int), type(value)
    return []


def test_nothing_the_audit_writes_holds_a_float_so_no_exponent_is_searched_for(
    tmp_path: Path, checker: Checker
) -> None:
    """The audit writes its items with `plain_json_at(..., floats=False)`, which skips the
    search for numbers in exponent form: that is right only while no report, row, entry or
    judgement holds a float. Checked here on every example (invalid ones too) and random
    records, redacted or not, as the audit holds them (and as it would read them back)."""
    lines = tmp_path / "random.jsonl"
    rows = [json.dumps(random_record(random.Random(700 + n), n)) for n in range(150)]
    lines.write_text("\n".join(rows) + "\n", encoding="utf-8")
    values: list[Any] = []
    for redact in (False, True):
        with audit.run([EXAMPLES, lines], as_of=AS_OF, redact=redact) as result:
            whole = result.to_dict()
            assert whole["exceptions"] and whole["errors"] and whole["accepted"]
            values += [whole[key] for key in whole]
    for n in range(100):
        report = checker.check(make_record(random_record(random.Random(n), n)), as_of=AS_OF)
        values.append(report.to_dict())
    assert floats_in(values) == []
    for value in values:
        if isinstance(value, dict | list):
            for level in (1, 2):
                assert plain_json_at(value, level, floats=False) == json_at(value, level)


def test_a_row_with_keys_put_at_the_end_of_its_text_is_the_row_with_those_keys_written() -> None:
    rng = random.Random(13)
    for _ in range(500):
        row = {f"k{i}": plain(rng) for i in range(rng.randint(1, 5))}
        more = {"first_seen": rng.choice(["2025-06-30", "ключ", "\n"]), "days": 3, "status": None}
        expected = plain_json_at({**row, **more}, 2) + "\x1e"
        assert packed.then(plain_json_at(row, 2), **more) == expected


# ---------------------------------------------------------------------------------------------
# Report files from pieces
# ---------------------------------------------------------------------------------------------


def test_a_report_written_from_pieces_is_whole_and_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.json"
    write_private(path, (piece for piece in ["{", '"a": ', "1", "}\n"]))
    assert path.read_text(encoding="utf-8") == '{"a": 1}\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_pieces_that_fail_halfway_leave_the_old_report_and_no_stray_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("last week's report", encoding="utf-8")

    def pieces() -> Any:
        yield "this week's "
        raise RuntimeError("the spool could not be read")

    with pytest.raises(RuntimeError):
        write_private(path, pieces())
    assert path.read_text(encoding="utf-8") == "last week's report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_pieces_are_never_written_over_a_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="not a regular file"):
        write_private(pipe, iter(["x"]))
    assert stat.S_ISFIFO(pipe.stat().st_mode)


# ---------------------------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------------------------


def counted_day_by_day(start: date, end: date) -> int:
    if end < start:
        return -counted_day_by_day(end, start)
    bank = set()
    for year in range(start.year, end.year + 1):
        bank |= set(holidays.country_holidays("GB", subdiv="ENG", years=year))
    days = (start + timedelta(days=i) for i in range(1, (end - start).days + 1))
    return sum(1 for d in days if d.weekday() < 5 and d not in bank)


def test_working_days_by_arithmetic_are_the_days_counted_one_by_one() -> None:
    rng = random.Random(5)
    pairs = [(date(2024, 12, 24), date(2025, 1, 2)), (date(2025, 4, 17), date(2025, 4, 22))]
    for _ in range(400):
        start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 2600))
        pairs.append((start, start + timedelta(days=rng.randrange(-60, 120))))
    for start, end in pairs:
        assert workdays.working_days_between(start, end) == counted_day_by_day(start, end)


def test_bank_holidays_come_from_the_cache_when_it_has_the_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CLOSURE_CHECK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(workdays, "_known", {})
    expected = workdays._computed(2031)
    assert workdays._bank_holidays(2031) == expected  # computed, and kept in the cache
    assert (tmp_path / "closure-check" / "bank-holidays.json").is_file()

    def no_library(year: int) -> Any:
        raise AssertionError("the cache should have had it")

    monkeypatch.setattr(workdays, "_known", {})
    monkeypatch.setattr(workdays, "_computed", no_library)
    assert workdays._bank_holidays(2031) == expected


# ---------------------------------------------------------------------------------------------
# The rules cache
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache, and no checker built yet in this process."""
    monkeypatch.delenv("CLOSURE_CHECK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(api_module, "_by_content", {})
    monkeypatch.setattr(api_module, "_checkers", {})
    return tmp_path / "cache" / "closure-check"


def count_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    loads: list[Path | None] = []
    real = rulefile.load_rules

    def spy(folder: Path | None = None) -> Any:
        loads.append(folder)
        return real(folder)

    monkeypatch.setattr(api_module, "load_rules", spy)
    return loads


def test_a_cached_checker_is_the_checker_the_rule_files_make(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = count_loads(monkeypatch)
    built = checker_for(RULES)
    assert loads == [RULES]
    assert len(list(fresh_cache.glob("rules-*.pickle"))) == 1
    monkeypatch.setattr(api_module, "_by_content", {})
    monkeypatch.setattr(api_module, "_checkers", {})
    cached = checker_for(RULES)
    assert loads == [RULES]  # not loaded again
    assert cached is not built
    assert cached.rules.version == built.rules.version
    assert cached.compiled == built.compiled
    assert cached.messages.code == {}  # each message is loaded when it is first written

    def compile_again(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a cached message was compiled again")

    monkeypatch.setattr(cached.messages, "add", compile_again)
    for path in sorted(EXAMPLES.glob("*.json")):
        record = load_record(path, as_of=AS_OF)
        assert cached.check(record, as_of=AS_OF) == built.check(record, as_of=AS_OF), path
    assert cached.messages.code and cached.messages.code.items() <= built.messages.code.items()


def test_a_changed_rule_file_is_never_read_from_the_cache(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    loads = count_loads(monkeypatch)
    first = checker_for(folder)
    rule = sorted(folder.glob("01-*.yaml"))[0]
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    second = checker_for(folder)
    assert loads == [folder, folder]
    assert second.rules.version != first.rules.version


def test_a_cache_that_others_could_write_to_is_not_used(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checker_for(RULES)
    os.chmod(fresh_cache, 0o777)
    monkeypatch.setattr(api_module, "_by_content", {})
    monkeypatch.setattr(api_module, "_checkers", {})
    loads = count_loads(monkeypatch)
    checker_for(RULES)
    assert loads == [RULES]


def test_a_cache_that_cannot_be_written_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    monkeypatch.delenv("CLOSURE_CHECK_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setattr(api_module, "_by_content", {})
    monkeypatch.setattr(api_module, "_checkers", {})
    report = checker_for(RULES).check(make_record(base()), as_of=AS_OF)
    assert report.verdict == "pass"


def test_the_earliest_evidence_is_what_sorting_by_the_whole_key_picks() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        found = [
            {
                rng.choice(["on", "completed_on", "since"]): f"2024-03-0{rng.randint(1, 3)}",
                "how": rng.choice(["a", "b"]),
                "n": rng.randint(0, 2),
            }
            for _ in range(rng.randint(1, 5))
        ]
        assert explain_module._earliest(found) == min(found, key=explain_module._evidence_key)
