"""Effective dates (issue 13): several versions of one rule in a folder, each record checked by
the versions in force on its completion date, overlaps refused naming both files, and
`rules list/show --on DATE`."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from closure_check import audit
from closure_check.api import checker_for
from closure_check.checker import Checker
from closure_check.dated import DatedChecker, pinned
from closure_check.errors import RuleFileError
from closure_check.record import Record, parse_record
from closure_check.rulefile import load_rules

from .conftest import RULES, base_record
from .dated import NEW, RULE, copy_rules, dated_rules

FAR = date(2100, 1, 1)


def s47(completed_on: str) -> Record:
    """The example record as a section 47 enquiry in which Amy was not seen alone, completed
    (and decided) on `completed_on`."""
    data: dict[str, Any] = copy.deepcopy(base_record())
    data["kind"] = "s47"
    data["completed_on"] = data["decision"]["on"] = completed_on
    return parse_record(data, source="test", as_of=FAR)


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dated_rules(tmp_path_factory.mktemp("dated") / "rules")


def test_a_change_from_a_date_decides_a_record_completed_the_day_before_by_the_old_version(
    dated: Path,
) -> None:
    report = checker_for(dated).check(s47("2024-03-21"), as_of=FAR)
    result = report.result("child-seen-alone")
    assert (result.status, result.severity, report.verdict) == ("fail", "advisory", "pass")
    assert result.to_dict()["version"] == {"file": RULE, "from": None, "until": "2024-03-21"}


def test_a_change_from_a_date_decides_a_record_completed_on_that_date_by_the_new_version(
    dated: Path,
) -> None:
    report = checker_for(dated).check(s47("2024-03-22"), as_of=FAR)
    result = report.result("child-seen-alone")
    assert (result.status, result.severity, report.verdict) == ("fail", "blocker", "fail")
    assert result.to_dict()["version"] == {"file": NEW, "from": "2024-03-22", "until": None}
    assert [f.subject for f in result.failures] == ["C1"]


def test_every_rule_of_a_dated_folder_is_reported_once_in_catalogue_order(dated: Path) -> None:
    report = checker_for(dated).check(s47("2024-03-22"), as_of=FAR)
    assert [r.rule for r in report.results] == [lr.rule.id for lr in load_rules(RULES)]
    assert all(r.version is not None for r in report.results)
    assert report.rules_version == load_rules(dated).version


def test_a_rule_with_no_version_in_force_does_not_apply_and_says_it_was_not_in_force(
    tmp_path: Path,
) -> None:
    folder = dated_rules(tmp_path / "rules")
    (folder / RULE).unlink()  # only the version from 2024-03-22 is left
    result = checker_for(folder).check(s47("2024-03-21"), as_of=FAR).result("child-seen-alone")
    assert result.status == "not_applicable"
    assert result.message == (
        "This rule was not in force on 21 March 2024 (its versions are in force: "
        "from 22 March 2024)."
    )
    assert result.version is None


def test_the_audit_and_check_many_check_each_record_by_its_own_versions(dated: Path) -> None:
    checker = checker_for(dated)
    assert isinstance(checker, DatedChecker)
    records = [s47("2024-03-22"), s47("2024-03-21"), s47("2024-03-22")]
    many = checker.check_many(records, as_of=[FAR] * 3)
    assert [r.verdict for r in many if not isinstance(r, Exception)] == ["fail", "pass", "fail"]
    failing = checker.check_failing_many(records, as_of=FAR)
    assert [r.verdict if r is not None and not isinstance(r, Exception) else None
            for r in failing] == ["fail", "pass", "fail"]  # fmt: skip
    assert [r.result("child-seen-alone").severity for r in failing if r is not None
            and not isinstance(r, Exception)] == ["blocker", "advisory", "blocker"]  # fmt: skip


def test_an_audit_of_a_dated_folder_fails_only_the_records_completed_after_the_change(
    dated: Path, tmp_path: Path
) -> None:
    for day in ("2024-03-21", "2024-03-22"):
        record = s47(day).model_dump(mode="json", by_alias=True, exclude_none=True)
        record["id"] = f"S47-{day}"
        (tmp_path / f"{day}.json").write_text(__import__("json").dumps(record), "utf-8")
    with audit.run([tmp_path], as_of=FAR, rules_dir=dated, workers=2) as result:
        assert (result.counts.passed, result.counts.failed) == (1, 1)
        blockers = [e for e in result.exceptions if e["severity"] == "blocker"]
        assert {e["assessment_id"] for e in blockers} == {"S47-2024-03-22"}


def test_given_the_rules_in_force_on_a_date_checks_by_that_dates_versions(dated: Path) -> None:
    checker = checker_for(dated)
    assert pinned(checker, date(2024, 3, 22)).check(s47("2024-03-21"), as_of=FAR).verdict == "fail"
    assert pinned(checker, date(2024, 3, 21)).check(s47("2024-03-22"), as_of=FAR).verdict == "pass"


def test_the_bundled_rules_have_no_effective_dates_and_their_reports_name_no_version() -> None:
    checker = checker_for(RULES)
    assert type(checker) is Checker
    assert pinned(checker, date(2027, 4, 1)) is checker
    data = checker.check(s47("2024-03-22"), as_of=FAR).to_dict()
    assert all("version" not in r for r in data["results"])


@pytest.mark.parametrize(
    ("old", "new", "overlap"),
    [
        ("{until: 2024-03-22}", "{from: 2024-03-22}", "until 22 March 2024"),  # both inclusive
        ("{from: 2024-01-01}", "{from: 2024-03-22}", "from 1 January 2024"),
        ("{from: 2024-01-01, until: 2024-12-31}", "{until: 2024-02-01}", "until 1 February 2024"),
    ],
)
def test_overlapping_versions_of_a_rule_are_refused_naming_both_files(
    tmp_path: Path, old: str, new: str, overlap: str
) -> None:
    folder = dated_rules(tmp_path / "rules", old=old, new=new)
    with pytest.raises(RuleFileError) as e:
        load_rules(folder)
    (problem,) = e.value.problems
    assert problem.source.endswith((RULE, NEW)) and problem.path == "effective"
    other = NEW if problem.source.endswith(RULE) else RULE
    assert other in problem.message and "overlaps" in problem.message
    assert overlap in problem.message


def test_two_versions_of_a_rule_without_effective_dates_are_refused_naming_both_files(
    tmp_path: Path,
) -> None:
    folder = copy_rules(tmp_path / "rules")
    (folder / "15-child-seen-alone.copy.yaml").write_bytes((folder / RULE).read_bytes())
    with pytest.raises(RuleFileError) as e:
        load_rules(folder)
    (problem,) = e.value.problems
    named = {Path(problem.source).name, *problem.message.replace("(", " ").split()}
    assert {RULE, "15-child-seen-alone.copy.yaml"} <= named


def test_a_version_whose_until_is_before_its_from_is_a_rule_file_error(tmp_path: Path) -> None:
    folder = dated_rules(tmp_path / "rules", new="{from: 2024-03-22, until: 2024-03-01}")
    with pytest.raises(RuleFileError) as e:
        load_rules(folder)
    assert [(Path(p.source).name, p.path) for p in e.value.problems] == [(NEW, "effective")]
    assert "before" in e.value.problems[0].message


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "closure_check.cli", *args],
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_rules_list_on_a_date_says_which_version_is_in_force(dated: Path) -> None:
    before = _cli("rules", "list", "--rules", str(dated), "--on", "2024-03-21")
    after = _cli("rules", "list", "--rules", str(dated), "--on", "2024-03-22")
    assert before.returncode == after.returncode == 0
    line = next(x for x in before.stdout.splitlines() if x.startswith("child-seen-alone "))
    assert "advisory" in line and f"[{RULE}, in force until 21 March 2024]" in line
    line = next(x for x in after.stdout.splitlines() if x.startswith("child-seen-alone "))
    assert "blocker" in line and f"[{NEW}, in force from 22 March 2024]" in line
    assert len(after.stdout.splitlines()) == len(load_rules(RULES).rules)


def test_rules_show_on_a_date_shows_the_version_in_force_and_names_the_other(dated: Path) -> None:
    shown = _cli("rules", "show", "child-seen-alone", "--rules", str(dated), "--on", "2024-03-22")
    assert shown.returncode == 0
    assert "Blocker" in shown.stdout
    assert f"In force on 22 March 2024: {NEW} (from 22 March 2024)." in shown.stdout
    assert f"Other version: {RULE} (until 21 March 2024)." in shown.stdout


def test_rules_list_and_show_say_in_words_the_date_a_rule_is_not_in_force(
    tmp_path: Path,
) -> None:
    folder = dated_rules(tmp_path / "rules")
    (folder / RULE).unlink()  # only the version from 2024-03-22 is left
    listed = _cli("rules", "list", "--rules", str(folder), "--on", "2024-03-21")
    line = next(x for x in listed.stdout.splitlines() if x.startswith("child-seen-alone "))
    assert line.endswith("[not in force on 21 March 2024]")
    shown = _cli("rules", "show", "child-seen-alone", "--rules", str(folder), "--on", "2024-03-21")
    assert listed.returncode == shown.returncode == 0
    assert f"Not in force on 21 March 2024: this is its latest version, {NEW}." in shown.stdout


@pytest.mark.parametrize(
    ("effective", "words"),
    [
        ({"from": "2027-04-01"}, "from 1 April 2027"),
        ({"until": "2027-03-31"}, "until 31 March 2027"),
        ({"from": "2026-01-01", "until": "2027-03-31"}, "1 January 2026 to 31 March 2027"),
        (None, "always"),
    ],
)
def test_the_period_of_a_version_is_written_with_its_dates_in_words(
    effective: dict[str, str] | None, words: str
) -> None:
    import dataclasses

    from closure_check.rulefile.effective import period
    from closure_check.rulefile.model import Effective

    bundled = load_rules(RULES).rules[0]
    dated = Effective.model_validate(effective) if effective is not None else None
    version = dataclasses.replace(
        bundled, rule=bundled.rule.model_copy(update={"effective": dated})
    )
    assert period(version) == words


def test_rules_list_of_the_bundled_rules_prints_no_versions() -> None:
    listed = _cli("rules", "list", "--on", "2030-01-01")
    assert listed.returncode == 0 and "[" not in listed.stdout


def test_the_text_and_html_reports_name_the_version_of_each_dated_rule(dated: Path) -> None:
    """rules.md: the report names, for each rule, the version used (its file and period)."""
    from closure_check.render import report_html, report_text

    report = checker_for(dated).check(s47("2024-03-22"), as_of=FAR)
    text, html = report_text(report), report_html(report)
    assert f"child-seen-alone: {NEW}, in force from 22 March 2024" in text
    assert f"child-seen-alone: {NEW}, in force from 22 March 2024" in html
    old = report_text(checker_for(dated).check(s47("2024-03-21"), as_of=FAR))
    assert f"child-seen-alone: {RULE}, in force from the start until 21 March 2024" in old
    # one line for each rule version used, never two run together
    listed = [x for x in old.splitlines() if x.startswith("  - ") and ", in force " in x]
    assert len(listed) >= 2 and all(x.count(", in force ") == 1 for x in listed), listed
    bundled = checker_for(RULES).check(s47("2024-03-22"), as_of=FAR)
    assert "Rule versions used" not in report_text(bundled)


def test_a_judgement_on_a_rule_not_in_force_on_the_day_is_stale_not_unknown(
    tmp_path: Path,
) -> None:
    """rules.md: a judgement whose finding does not fail (the rule does not apply) is stale."""
    folder = dated_rules(tmp_path / "rules")
    (folder / RULE).unlink()  # child-seen-alone is in force from 2024-03-22 only
    data: dict[str, Any] = copy.deepcopy(base_record())
    data["kind"] = "s47"
    data["completed_on"] = data["decision"]["on"] = "2024-03-21"
    data["format"] = "closure-check/assessment/1.1"
    data["judgements"] = [{"rule": "child-seen-alone", "subject": "C1",
                           "by": {"id": "SW-12", "name": "A. Worker", "role": "social_worker"},
                           "on": "2024-03-21",
                           "reason": "Amy was too upset to be seen alone."}]  # fmt: skip
    checker = checker_for(folder)
    record = parse_record(data, source="test", as_of=FAR, rule_ids=checker.rule_ids)
    (entry,) = checker.check(record, as_of=FAR).judgements
    assert entry["outcome"] == "stale" and "no version in force" in entry["why"]
