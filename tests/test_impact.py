"""`closure-check rules impact` (issue 13): the examples under the bundled rules and under a
draft that tightens child-seen-alone, against the hand-worked expectation in
examples_expected.yaml (`impact`); every count adding up; each output; the exit statuses."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from closure_check.impact import Impact, csv_text, html_text, impact, json_text, summary_text

from .conftest import AS_OF, EXAMPLES, ROOT, RULES
from .dated import copy_rules, impact_draft

EXPECTED: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "examples_expected.yaml").read_text(encoding="utf-8")
)["impact"]


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return impact_draft(tmp_path_factory.mktemp("impact") / "draft")


@pytest.fixture(scope="module")
def result(draft: Path) -> Impact:
    return impact([EXAMPLES], draft=draft, base=RULES, as_of=AS_OF, workers=2)


def test_the_draft_newly_fails_exactly_the_records_worked_out_by_hand(result: Impact) -> None:
    by = {c: [r.assessment_id for r in result.changed if r.change == c]
          for c in ("newly_failing", "newly_passing")}  # fmt: skip
    assert by == {"newly_failing": EXPECTED["newly_failing"],
                  "newly_passing": EXPECTED["newly_passing"]}  # fmt: skip


def test_the_findings_that_appear_and_disappear_are_exactly_those_worked_out_by_hand(
    result: Impact,
) -> None:
    for change, key in (("appeared", "findings_appear"), ("disappeared", "findings_disappear")):
        found: dict[str, dict[str, list[str]]] = {}
        for r in result.changed:
            for f in r.findings:
                if f.change == change:
                    found.setdefault(f.rule, {}).setdefault(r.assessment_id, []).append(f.subject)
        assert {rule: {a: sorted(s) for a, s in v.items()} for rule, v in found.items()} == (
            EXPECTED[key]
        )


def test_every_count_of_the_impact_adds_up(result: Impact) -> None:
    c = result.counts
    assert (c["read"], c["invalid"]) == (EXPECTED["read"], EXPECTED["invalid"])
    assert c["read"] == c["checked"] + c["invalid"]
    parts = ("newly_failing", "newly_passing", "still_failing", "still_passing")
    assert c["checked"] == sum(c[k] for k in parts)
    assert c["findings_changed"] == sum(1 for r in result.changed if r.change == "findings_changed")
    per_rule = json.loads(json_text(result))["rules"]
    appear = sum(len(s) for r in EXPECTED["findings_appear"].values() for s in r.values())
    assert c["findings_appeared"] == sum(e["appeared"] for e in per_rule) == appear
    assert c["findings_disappeared"] == sum(e["disappeared"] for e in per_rule) == 0
    assert c["invalid_under_base"] == c["invalid_under_draft"] == EXPECTED["invalid"]


def test_records_invalid_under_either_rule_set_are_listed_with_what_is_wrong(
    result: Impact,
) -> None:
    assert len(result.invalid) == EXPECTED["invalid"]
    sources = {Path(r.source).name + (f":{r.line}" if r.line else "") for r in result.invalid}
    assert "batch.jsonl:6" in sources and "misspelt-field.json" in sources
    assert all(r.problems and r.base == r.draft == "invalid" for r in result.invalid)


def test_the_text_json_and_csv_say_the_same_as_the_comparison(result: Impact) -> None:
    text = summary_text(result)
    assert "1 newly failing, 0 newly passing" in text
    assert "S47-2025-0231" in text and "+ child-seen-alone: Child J (C2)" in text
    data = json.loads(json_text(result))
    assert data["counts"] == result.counts
    assert [r["assessment_id"] for r in data["records"] if r["change"] == "newly_failing"] == [
        "S47-2025-0231"
    ]
    rows = list(csv.DictReader(io.StringIO(csv_text(result).lstrip("\ufeff"))))
    appeared = [(r["record id"], r["subject id"]) for r in rows if r["finding"] == "appeared"]
    assert (
        len(appeared) == result.counts["findings_appeared"] and ("IA-2025-0502", "C2") in appeared
    )
    assert sum(1 for r in rows if r["change"] == "invalid") == EXPECTED["invalid"]


def test_the_impact_page_is_self_contained_with_a_content_security_policy(result: Impact) -> None:
    page = html_text(result)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert 'id="count-newly-failing">1<' in page


def test_a_draft_identical_to_the_base_changes_nothing(tmp_path: Path) -> None:
    same = copy_rules(tmp_path / "same")
    result = impact([EXAMPLES / "clean-pass.json", EXAMPLES / "batch.jsonl"], draft=same,
                    base=RULES, as_of=AS_OF)  # fmt: skip
    assert not result.anything_changed and not result.changed
    assert result.counts["still_passing"] + result.counts["still_failing"] == 6
    assert "Nothing changes" in summary_text(result)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "closure_check.cli", "rules", "impact", *args],
                          capture_output=True, text=True, check=False, cwd=ROOT)  # fmt: skip


def test_the_command_exits_1_when_something_changes_and_writes_every_output(
    draft: Path, tmp_path: Path
) -> None:
    out = {k: tmp_path / f"impact.{k}" for k in ("json", "html", "csv")}
    done = _cli("--rules", str(draft), "examples", "--as-of", AS_OF.isoformat(), "--workers", "2",
                *(a for k, p in out.items() for a in (f"--{k}", str(p))))  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "1 newly failing" in done.stdout
    assert json.loads(out["json"].read_text("utf-8"))["counts"]["newly_failing"] == 1
    assert "<!doctype html>" in out["html"].read_text("utf-8")
    assert out["csv"].read_text("utf-8-sig").startswith("record id,")


def test_the_command_exits_0_when_nothing_changes(tmp_path: Path) -> None:
    same = copy_rules(tmp_path / "same")
    done = _cli("--rules", str(same), "examples/clean-pass.json", "--as-of", "2025-06-30")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Nothing changes" in done.stdout


def test_bad_draft_rules_exit_2_naming_the_file(tmp_path: Path) -> None:
    bad = copy_rules(tmp_path / "bad")
    (bad / "15-child-seen-alone.yaml").write_text("id: child-seen-alone\n", encoding="utf-8")
    done = _cli("--rules", str(bad), "examples/clean-pass.json")
    assert done.returncode == 2
    assert "15-child-seen-alone.yaml" in done.stderr and "Traceback" not in done.stderr
