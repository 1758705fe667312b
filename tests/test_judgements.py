"""Professional judgements and the other 1.1 additions, line by line of the contract: rules.md,
*Judgements* (and the placeholder tightening of *Terms*, and discharge findings), record-format.md
(*Judgement* and the further 1.1 input errors), report-format.md (the 1.1 report fields), and
the audit's accepted findings, judgements by person, baseline and pseudonyms."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from closure_check.audit.worker import fingerprint
from closure_check.checker import Checker
from closure_check.cli import main
from closure_check.errors import InputError
from closure_check.record import parse_record, record_json_schema
from closure_check.render import report_html, report_text
from closure_check.report import Report

from .conftest import AS_OF, RULES, base_record

MANAGER = {"id": "TM-3", "name": "B. Manager", "role": "manager"}
WORKER = {"id": "SW-12", "name": "A. Worker", "role": "social_worker"}
REASON = "Eve's police check was requested twice; she never looks after Amy alone."


def unchecked_eve() -> dict[str, Any]:
    """The base record (it passes every rule) with Eve's police check made about the family
    instead: the one failing finding is supporting-adults-checked for P3."""
    data = base_record()
    for c in data["checks"]:
        if c["subject"] == "P3" and c["source"] == "police":
            c["subject"] = "family"
    return data


def judgement(**fields: Any) -> dict[str, Any]:
    j = {"rule": "supporting-adults-checked", "subject": "P3", "by": MANAGER, "on": "2024-03-22",
         "reason": REASON}  # fmt: skip
    return j | fields


def judged(*judgements: dict[str, Any], data: dict[str, Any] | None = None) -> dict[str, Any]:
    data = unchecked_eve() if data is None else data
    return data | {"format": "closure-check/assessment/1.1", "judgements": list(judgements)}


def check(checker: Checker, data: dict[str, Any]) -> Report:
    return checker.check(parse_record(data, source="test", as_of=AS_OF), as_of=AS_OF)


def problems(data: dict[str, Any], **kw: Any) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        parse_record(data, source="case.json", as_of=AS_OF, **kw)
    return {p.path: p.message for p in caught.value.problems}


def finding(report: Report, rule: str, subject: str) -> Any:
    return next(f for f in report.result(rule).findings if f.subject == subject)


# -- rules.md, Judgements: when a judgement applies --------------------------------------------


def test_a_failing_finding_with_a_judgement_that_applies_is_accepted_and_keeps_its_message(
    checker: Checker,
) -> None:
    before = finding(check(checker, unchecked_eve()), "supporting-adults-checked", "P3")
    report = check(checker, judged(judgement()))
    after = finding(report, "supporting-adults-checked", "P3")
    assert (before.status, after.status) == ("fail", "accepted")
    assert (after.message, after.problem, after.remedy) == (
        before.message, before.problem, before.remedy)  # fmt: skip
    assert after.judgement == {"by": "B. Manager", "role": "manager", "on": "2024-03-22",
                               "reason": REASON}  # fmt: skip


def test_an_accepted_blocker_does_not_fail_the_record_and_its_rule_is_accepted(
    checker: Checker,
) -> None:
    assert check(checker, unchecked_eve()).verdict == "fail"
    report = check(checker, judged(judgement()))
    assert report.result("supporting-adults-checked").status == "accepted"
    assert report.verdict == "pass"
    assert [j["outcome"] for j in report.judgements] == ["applied"]


def test_a_rule_fails_while_any_of_its_findings_still_fails(checker: Checker) -> None:
    data = unchecked_eve()
    data["people"].append({"id": "P4", "name": "Lee", "relationship": "carer"})
    report = check(checker, judged(judgement(), data=data))
    result = report.result("supporting-adults-checked")
    assert result.status == "fail" and report.verdict == "fail"
    assert {f.subject: f.status for f in result.findings} == {"P3": "accepted", "P4": "fail"}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"rule": "child-seen", "subject": "C1"}, "the rule allows no judgement"),
        ({"by": WORKER}, "a social worker may not make a judgement on this rule"),
        ({"on": "2024-03-10", "expires_on": "2025-06-29"}, "it expired on 29 June 2025"),
        ({"on": "2024-03-01"}, "before the assessment started on 4 March 2024"),
        ({"reason": "Agreed."}, "its reason is not a reason"),
        ({"reason": "reviewed and fine"}, "at least 4 words"),
        ({"reason": "N/A."}, "its reason is not a reason"),
    ],
)
def test_a_judgement_that_does_not_apply_says_why_and_the_finding_still_fails(
    checker: Checker, change: dict[str, Any], why: str
) -> None:
    data = unchecked_eve()
    if change.get("rule") == "child-seen":
        data["children"][0]["seen"] = []
    report = check(checker, judged(judgement(**change), data=data))
    (entry,) = report.judgements
    assert entry["outcome"] == "not_applied" and why in entry["why"]
    rule, subject = change.get("rule", "supporting-adults-checked"), change.get("subject", "P3")
    assert finding(report, rule, subject).status == "fail"
    assert report.verdict == "fail"


def test_a_judgement_applies_on_its_expiry_day_and_from_the_day_the_assessment_started(
    checker: Checker,
) -> None:
    on_the_day = judgement(on="2024-03-04", expires_on=AS_OF.isoformat())
    assert [j["outcome"] for j in check(checker, judged(on_the_day)).judgements] == ["applied"]


def test_anyone_may_make_a_judgement_on_an_advisory_rule(checker: Checker) -> None:
    data = base_record() | {"kind": "s47"}  # Amy was seen, but not alone
    j = {"rule": "child-seen-alone", "subject": "C1", "by": WORKER, "on": "2024-03-21",
         "reason": "Amy is two and would not leave her mother's side."}  # fmt: skip
    report = check(checker, judged(j, data=data))
    assert report.result("child-seen-alone").status == "accepted"


def test_a_judgement_whose_finding_passes_or_whose_rule_does_not_apply_is_stale(
    checker: Checker,
) -> None:
    passes = judgement(rule="child-seen", subject="C1")
    not_applicable = judgement(rule="looked-after-household-checked", subject="P3")
    report = check(checker, judged(passes, not_applicable, data=base_record()))
    assert [j["outcome"] for j in report.judgements] == ["stale", "stale"]
    assert "passes" in report.judgements[0]["why"]
    assert "does not apply" in report.judgements[1]["why"]
    assert report.to_dict()["results"] == check(checker, base_record()).to_dict()["results"]


def test_a_judgement_names_an_agency_ignoring_case_and_spaces(checker: Checker) -> None:
    data = base_record()
    data["closure"]["notified"] = []
    j = judgement(rule="closure-notifies-agencies", subject="  health   VISITING ")
    report = check(checker, judged(j, data=data))
    assert finding(report, "closure-notifies-agencies", "Health Visiting").status == "accepted"
    assert report.judgements[0]["subject"] == "Health Visiting"


# -- record-format.md, Judgement: its input errors -----------------------------------------------


def test_two_judgements_for_the_same_rule_and_subject_are_an_input_error() -> None:
    found = problems(judged(judgement(), judgement(by=WORKER)))
    assert "twice" in found["judgements[1]"]


def test_a_judgement_whose_subject_does_not_resolve_is_an_input_error() -> None:
    assert "judgements[0].subject" in problems(judged(judgement(subject="P9")))


def test_a_judgement_naming_a_rule_the_rules_in_use_do_not_have_is_an_input_error(
    checker: Checker,
) -> None:
    ids = [lr.rule.id for lr in checker.rules]
    found = problems(judged(judgement(rule="child-seen-twice")), rule_ids=ids)
    assert "rules list" in found["judgements[0].rule"]


def test_a_judgement_needs_who_in_what_role_when_and_why() -> None:
    j = judgement()
    del j["reason"]
    j["by"] = {"name": "B. Manager"}
    assert {"judgements[0].reason", "judgements[0].by.role"} <= set(problems(judged(j)))


def test_a_judgement_made_after_the_as_of_date_is_an_input_error_but_its_expiry_may_be_later() -> (
    None
):
    assert "judgements[0].on" in problems(judged(judgement(on="2025-07-01")))
    parse_record(judged(judgement(expires_on="2026-12-31")), source="t", as_of=AS_OF)


# -- record-format.md: the further 1.1 input errors ---------------------------------------------


def test_completion_before_the_start_is_an_input_error() -> None:
    data = base_record() | {"completed_on": "2024-03-01"}
    assert "earlier than started_on" in problems(data)["completed_on"]


def test_a_parent_with_an_empty_parent_of_is_an_input_error_but_none_at_all_is_every_child() -> (
    None
):
    data = base_record()
    data["people"][0]["parent_of"] = []
    assert "leave parent_of out" in problems(data)["people[0].parent_of"]
    del data["people"][0]["parent_of"]
    parse_record(data, source="t", as_of=AS_OF)
    data["people"][2]["parent_of"] = []  # a relative's empty list says nothing wrong
    parse_record(data, source="t", as_of=AS_OF)


def test_two_agency_names_that_differ_only_in_case_and_spaces_are_a_duplicate() -> None:
    data = base_record()
    data["agencies"].append({"name": "health  visiting", "involvement": "past"})
    assert "listed twice" in problems(data)["agencies[1].name"]


def test_an_agency_told_of_the_closure_is_named_ignoring_case_and_spaces(checker: Checker) -> None:
    data = base_record()
    data["closure"]["notified"] = [{"agency": "HEALTH   visiting", "on": "2024-03-22"}]
    assert check(checker, data).result("closure-notifies-agencies").status == "pass"


def test_null_for_every_optional_field_is_the_field_left_out(checker: Checker) -> None:
    data = base_record()
    nulls = base_record()
    for key in ("people", "checks", "agencies", "discharges", "judgements", "format"):
        nulls[key] = None
        data.pop(key, None)
    for child, plain in zip(nulls["children"], data["children"], strict=True):
        for key in ("unborn", "looked_after", "lives_with", "parents_note"):
            child[key] = None
            plain.pop(key, None)
    assert check(checker, nulls).to_json() == check(checker, data).to_json()


def test_null_for_a_required_field_is_still_an_input_error() -> None:
    data = base_record()
    data["worker"]["id"] = None
    assert "worker.id" in problems(data)


def test_an_unborn_childs_expected_date_of_birth_may_be_after_the_as_of_date() -> None:
    data = base_record()
    data["children"][0] |= {"unborn": True, "date_of_birth": "2025-09-01"}
    parse_record(data, source="t", as_of=AS_OF)
    data["children"][0]["unborn"] = False
    assert "children[0].date_of_birth" in problems(data)


def test_both_format_markers_are_read_and_the_schema_shows_1_1() -> None:
    for marker in ("closure-check/assessment/1", "closure-check/assessment/1.1"):
        parse_record(base_record() | {"format": marker}, source="t", as_of=AS_OF)
    assert "closure-check/assessment/1.1" in problems(base_record() | {"format": "x"})["format"]
    schema = record_json_schema()
    assert "1.1" in str(schema["title"]) and "judgements" in schema["properties"]  # type: ignore[operator]


# -- rules.md, Terms: the placeholder tightening (1.1) -------------------------------------------


@pytest.mark.parametrize(
    "text", ["N/A.", "None.", "to  follow", "to\u00a0follow", "to\u200bfollow", "tbc!", "--",
             "...", "?", "See above;"],
)  # fmt: skip
def test_a_placeholder_with_trailing_stops_odd_spaces_or_no_letter_at_all_is_not_present(
    checker: Checker, text: str
) -> None:
    data = base_record()
    data["children"][0]["recommendations"] = text
    assert check(checker, data).result("recommendations-for-progression").status == "fail"


def test_text_that_merely_starts_like_a_placeholder_is_present(checker: Checker) -> None:
    data = base_record()
    data["children"][0]["recommendations"] = "None needed beyond the children's centre group."
    assert check(checker, data).result("recommendations-for-progression").status == "pass"


# -- rules.md: a discharge finding says which discharge -----------------------------------------


def test_a_person_discharged_twice_has_two_findings_a_fingerprint_tells_apart(
    checker: Checker,
) -> None:
    data = base_record() | {"kind": "discharge"}
    data["discharges"] = [
        {
            "person": "P3",
            "service": "adult_mental_health",
            "on": "2024-03-10",
            "reason": "completed",
        },
        {"person": "P3", "service": "substance_misuse", "on": "2024-03-12", "reason": "completed"},
    ]
    findings = check(checker, data).to_dict()["results"][9]["findings"]
    assert [f["discharge"] for f in findings] == [
        {"service": "adult_mental_health", "on": "2024-03-10"},
        {"service": "substance_misuse", "on": "2024-03-12"},
    ]
    prints = {fingerprint("discharge-risk-recorded", "X", "P3", f["discharge"]) for f in findings}
    assert len(prints) == 2
    assert fingerprint("child-seen", "X", "C1") == fingerprint("child-seen", "X", "C1", None)


# -- report-format.md: the report in words and in JSON --------------------------------------------


def test_the_text_and_html_reports_show_the_judgement_in_the_judges_words(
    checker: Checker,
) -> None:
    report = check(checker, judged(judgement(), judgement(rule="child-seen", subject="C1")))
    words = f"Accepted by B. Manager, manager, on 22 March 2024: {REASON}"
    text, page = report_text(report), report_html(report)
    assert "ACCEPTED  supporting-adults-checked" in text and words in text
    assert "child-seen for C1, by B. Manager (manager) on 22 March 2024: stale" in text
    assert "Accepted by a professional judgement" in page and "stale" in page
    assert "Eve&#39;s police check" in page  # escaped like every value


def test_the_json_report_lists_every_judgement_and_a_record_without_any_has_no_list(
    checker: Checker,
) -> None:
    report = check(
        checker, judged(judgement(), judgement(rule="child-seen", subject="C1"))
    ).to_dict()
    assert [(j["rule"], j["outcome"]) for j in report["judgements"]] == [
        ("supporting-adults-checked", "applied"), ("child-seen", "stale")]  # fmt: skip
    assert "judgements" not in check(checker, unchecked_eve()).to_dict()


def test_rules_show_says_who_may_make_a_judgement_and_why_nobody_may() -> None:
    runner = CliRunner()
    shown = runner.invoke(
        main, ["rules", "show", "supporting-adults-checked", "--rules", str(RULES)]
    )
    assert "Only a supervisor or a manager may make a judgement" in shown.output
    nobody = runner.invoke(main, ["rules", "show", "child-seen", "--rules", str(RULES)])
    assert "Nobody may make a judgement" in nobody.output and "physically seen" in nobody.output
    anyone = runner.invoke(main, ["rules", "show", "child-seen-alone", "--rules", str(RULES)])
    assert "Anyone may make a judgement" in anyone.output


# -- the audit -------------------------------------------------------------------------------------


def _audit(tmp_path: Path, folder: Path, *extra: str) -> tuple[dict[str, Any], str, str]:
    j, h, c = tmp_path / "a.json", tmp_path / "a.html", tmp_path / "a.csv"
    args = ["audit", str(folder), "--as-of", AS_OF.isoformat(), "--rules", str(RULES),
            "--json", str(j), "--html", str(h), "--csv", str(c), *extra]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(j.read_text()), h.read_text(), c.read_text(encoding="utf-8-sig")


def _write(folder: Path, name: str, data: dict[str, Any]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_the_audit_counts_accepted_findings_apart_and_lists_judgements_by_who_made_them(
    tmp_path: Path,
) -> None:
    records = tmp_path / "records"
    _write(records, "a.json", judged(judgement(), judgement(rule="child-seen", subject="C1")))
    _write(records, "b.json", unchecked_eve() | {"id": "IA-2"})
    audit, page, table = _audit(tmp_path, records)
    summary = audit["summary"]
    assert (summary["exceptions"], summary["accepted"], audit["passed"]) == (1, 1, 1)
    assert audit["accepted"][0]["judgement"]["by"] == "B. Manager"
    assert summary["judgements_by"] == [{"by_id": "TM-3", "by": "B. Manager", "role": "manager",
                                         "applied": 1, "not_applied": 0, "stale": 1}]  # fmt: skip
    assert [j["outcome"] for j in audit["judgements_to_review"]] == ["stale"]
    rows = list(csv.DictReader(io.StringIO(table)))
    assert sorted(r["finding"] for r in rows) == ["accepted", "fails"]
    assert 'name="finding"' in page and 'data-finding="accepted"' in page


def test_a_finding_accepted_since_the_baseline_is_accepted_not_resolved(tmp_path: Path) -> None:
    week1, week2 = tmp_path / "w1", tmp_path / "w2"
    _write(week1, "a.json", unchecked_eve())
    _write(week2, "a.json", judged(judgement()))
    first, _, _ = _audit(tmp_path, week1)
    (tmp_path / "week1.json").write_text(json.dumps(first))
    second, _, _ = _audit(tmp_path, week2, "--baseline", str(tmp_path / "week1.json"))
    assert second["resolved"] == [] and second["baseline"]["accepted"] == 1
    assert [r["status"] for r in second["accepted"]] == ["accepted"]


def test_a_finding_still_accepted_is_persisting_and_failing_again_when_expired_is_not_new(
    tmp_path: Path,
) -> None:
    week1, week2, week3 = tmp_path / "w1", tmp_path / "w2", tmp_path / "w3"
    _write(week1, "a.json", judged(judgement()))
    _write(week2, "a.json", judged(judgement()))
    _write(week3, "a.json", unchecked_eve())  # the judgement is gone: the finding fails again
    first, _, _ = _audit(tmp_path, week1)
    (tmp_path / "week1.json").write_text(json.dumps(first))
    second, _, _ = _audit(tmp_path, week2, "--baseline", str(tmp_path / "week1.json"))
    assert [r["status"] for r in second["accepted"]] == ["persisting"]
    (tmp_path / "week2.json").write_text(json.dumps(second))
    third, _, _ = _audit(tmp_path, week3, "--baseline", str(tmp_path / "week2.json"))
    assert [r["status"] for r in third["exceptions"]] == ["persisting"]


def test_redacting_treats_a_judges_name_and_reason_as_names_and_free_text(tmp_path: Path) -> None:
    records = tmp_path / "records"
    data = judged(judgement(by={"id": "J-9", "name": "Zed Quill", "role": "manager"}),
                  judgement(rule="child-seen", subject="C1", by=MANAGER))  # fmt: skip
    data["people"][2]["supporting"] = True
    _write(records, "a.json", data)
    audit, page, table = _audit(tmp_path, records, "--redact")
    for output in (json.dumps(audit), page, table):
        assert "Zed Quill" not in output and "never looks after" not in output
        assert "B. Manager" not in output
    assert audit["accepted"][0]["judgement"]["reason"] == "[text withheld]"


def test_check_and_the_audit_refuse_a_judgement_on_a_rule_the_rules_do_not_have(
    tmp_path: Path,
) -> None:
    """check and the audit (and the service, through the same parse) pass the rules in use,
    so an unknown rule is an input error naming the field, not a judgement quietly ignored."""
    data = json.loads(
        (RULES.parent / "examples" / "judgement-manager-accepts-unchecked-carer.json").read_text()
    )
    data["judgements"][0]["rule"] = "supporting-adults-chekced"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    checked = CliRunner().invoke(main, ["check", str(path), "--as-of", "2025-06-30"])
    assert checked.exit_code == 2, checked.output
    assert "judgements[0].rule" in checked.stderr
    out = tmp_path / "audit.json"
    audited = CliRunner().invoke(
        main, ["audit", str(path), "--as-of", "2025-06-30", "--json", str(out)]
    )
    assert audited.exit_code == 1, audited.output
    (error,) = json.loads(out.read_text())["errors"]
    assert any(p["path"] == "judgements[0].rule" for p in error["problems"])


def test_a_reason_of_exactly_the_minimum_words_is_a_reason(checker: Checker) -> None:
    """rules.md: present text of at least 4 words (rule data); 3 words is not enough."""
    report = check(checker, judged(judgement(reason="Police check delayed twice")))
    (entry,) = report.judgements
    assert entry["outcome"] == "applied"
    assert finding(report, "supporting-adults-checked", "P3").status == "accepted"
