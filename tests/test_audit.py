"""`closure-check audit`: the supervisors' batch check and its JSON, HTML and CSV outputs."""

from __future__ import annotations

import contextlib
import copy
import csv
import html
import io
import json
import os
import re
import shutil
import stat
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from closure_check import audit
from closure_check.audit import baseline as audit_baseline
from closure_check.audit import runner as audit_runner
from closure_check.audit import spool as audit_spool
from closure_check.checker import Checker
from closure_check.cli import main
from closure_check.engine import EngineError
from closure_check.errors import InputError
from closure_check.pool import ordered
from closure_check.record import Record
from closure_check.report import Report
from closure_check.sources import discover

from .conftest import AS_OF, EXAMPLES

EXPECTED = yaml.safe_load((Path(__file__).parent / "examples_expected.yaml").read_text())
ENTRIES: list[dict[str, Any]] = list(EXPECTED["examples"].values())
SCRIPT_NAME = "<script>alert(1)</script>"


def run_cli(*args: object) -> Result:
    return CliRunner().invoke(main, ["audit", *map(str, args)], catch_exceptions=False)


def outputs(folder: Path, stem: str = "r") -> tuple[Path, Path, Path]:
    return folder / f"{stem}.json", folder / f"{stem}.html", folder / f"{stem}.csv"


def audit_cli(
    tmp_path: Path, *inputs: object, stem: str = "r", extra: tuple[str, ...] = ()
) -> tuple[Result, dict[str, Any], str, list[dict[str, str]]]:
    """Run the audit with all three outputs; return the result and what was written."""
    j, h, c = outputs(tmp_path, stem)
    result = run_cli(*inputs, "--as-of", AS_OF, "--json", j, "--html", h, "--csv", c, *extra)
    data = json.loads(j.read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(c.read_text(encoding="utf-8-sig"))))
    return result, data, h.read_text(encoding="utf-8"), rows


def record_data(name: str = "fail-child-seen-by-video.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def relative(source: str) -> str:
    return Path(source).relative_to(EXAMPLES).as_posix()


# ---------------------------------------------------------------------------------------------
# The bundled examples
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def examples_audit(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Result, dict[str, Any], str, list[dict[str, str]], Path]:
    folder = tmp_path_factory.mktemp("examples-audit")
    return (*audit_cli(folder, EXAMPLES), folder)


def test_auditing_the_examples_exits_1_and_writes_all_three_outputs_readable_by_the_owner_only(
    examples_audit: Any,
) -> None:
    result, _, _, _, folder = examples_audit
    assert result.exit_code == 1, result.output
    for path in outputs(folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert "29 records read, 11 passed, 12 failed, 6 invalid" in result.stdout
    assert "Wrote " in result.stdout


def test_the_counts_add_up_and_match_the_hand_worked_expectations(examples_audit: Any) -> None:
    _, data, _, _, _ = examples_audit
    verdicts = [e["verdict"] for e in ENTRIES]
    assert data["read"] == len(ENTRIES) == data["checked"] + data["invalid"]
    assert data["checked"] == data["passed"] + data["failed"]
    assert data["passed"] == verdicts.count("pass")
    assert data["failed"] == verdicts.count("fail")
    assert data["invalid"] == verdicts.count("invalid")
    assert data["crashed"] == 0
    assert data["format"] == "closure-check/audit/1"
    assert data["as_of"] == AS_OF.isoformat()


def test_every_invalid_record_is_listed_with_its_file_its_line_and_the_field_at_fault(
    examples_audit: Any,
) -> None:
    _, data, _, _, _ = examples_audit
    expected = {(e["file"], e.get("line")): e for e in ENTRIES if e["verdict"] == "invalid"}
    listed = {(relative(err["source"]), err["line"]): err for err in data["errors"]}
    assert listed.keys() == expected.keys()  # including batch.jsonl line 6
    for key, err in listed.items():
        assert set(expected[key]["error_paths"]) <= {p["path"] for p in err["problems"]}
        assert all(p["message"] for p in err["problems"])
        assert err["reason"] == "invalid"


def test_each_exception_is_a_failing_rule_of_its_record_and_only_failing_reports_are_kept(
    examples_audit: Any,
) -> None:
    _, data, _, rows, _ = examples_audit
    failing: dict[str, set[str]] = {}
    for row in data["exceptions"]:
        failing.setdefault(row["assessment_id"], set()).add(row["rule"])
        assert len(row["fingerprint"]) == 16
        assert row["problem"] and row["remedy"]
    expected = {e["id"]: set(e["failing_rules"]) for e in ENTRIES if e["failing_rules"]}
    assert failing == expected
    assert data["reports_included"] == "failing"
    assert sorted(r["assessment_id"] for r in data["reports"]) == sorted(
        e["id"] for e in ENTRIES if e["verdict"] == "fail"
    )
    assert all(r["verdict"] == "fail" for r in data["reports"])
    failing_rows = [row for row in rows if row["finding"] == "fails"]  # then the accepted (1.1)
    assert [row["fingerprint"] for row in failing_rows] == [
        e["fingerprint"] for e in data["exceptions"]
    ]
    summary = data["summary"]
    assert (
        summary["exceptions"] == len(data["exceptions"]) == summary["blocker"] + summary["advisory"]
    )
    assert sum(r["exceptions"] for r in summary["by_rule"]) == summary["exceptions"]
    assert sum(t["exceptions"] for t in summary["by_team"]) == summary["exceptions"]
    assert sum(w["exceptions"] for w in summary["by_worker"]) == summary["exceptions"]


def test_folders_are_read_in_name_order_and_other_files_are_skipped(examples_audit: Any) -> None:
    _, data, _, _, _ = examples_audit
    order = [relative(e["source"]) for e in data["exceptions"]]
    order += [relative(e["source"]) for e in data["errors"]]
    assert "README.md" not in order
    seen = list(dict.fromkeys(relative(e["source"]) for e in data["exceptions"]))
    assert seen == sorted(seen, key=lambda p: (p.count("/"), p))


def test_the_html_report_shows_the_counts_and_one_row_per_exception(examples_audit: Any) -> None:
    _, data, page, _, _ = examples_audit
    for name in ("read", "passed", "failed", "invalid"):
        assert f'id="count-{name}">{data[name]}<' in page
    assert page.count("data-fingerprint=") == len(data["exceptions"]) + len(data["accepted"])
    assert "http://" not in page and "https://" not in page  # nothing from the network
    assert "@media print" in page
    assert '<th scope="col">' in page and "<caption>" in page


# ---------------------------------------------------------------------------------------------
# Exit statuses and inputs
# ---------------------------------------------------------------------------------------------


def test_a_batch_that_passes_exits_0_even_with_advisory_exceptions(tmp_path: Path) -> None:
    result = run_cli(
        EXAMPLES / "clean-pass.json",
        EXAMPLES / "s47-not-seen-alone.json",
        "--as-of",
        AS_OF,
        "--json",
        tmp_path / "r.json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r.json").read_text())
    assert (data["passed"], data["failed"], data["reports"]) == (2, 0, [])
    assert {row["severity"] for row in data["exceptions"]} == {"advisory"}


def test_an_unreadable_file_is_an_invalid_entry_and_the_rest_are_checked(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(EXAMPLES / "clean-pass.json", folder / "a.json")
    (folder / "gone.json").symlink_to(tmp_path / "nowhere.json")
    (folder / "lines.jsonl").write_bytes(
        b"\n" + (EXAMPLES / "clean-pass.json").read_text().replace("\n", " ").encode() + b"\n"
        b"   \n{not json\n\xff\xfe\n"
    )
    (folder / ".hidden.json").write_text("{}")
    result, data, _, _ = audit_cli(tmp_path, folder)
    assert result.exit_code == 1
    assert (data["read"], data["checked"], data["passed"], data["invalid"]) == (5, 2, 2, 3)
    errors = {(Path(e["source"]).name, e["line"]): e for e in data["errors"]}
    assert errors.keys() == {("gone.json", None), ("lines.jsonl", 4), ("lines.jsonl", 5)}
    assert errors[("gone.json", None)]["reason"] == "unreadable"
    assert "cannot be read" in errors[("gone.json", None)]["problems"][0]["message"]
    assert "not valid JSON" in errors[("lines.jsonl", 4)]["problems"][0]["message"]
    assert "not UTF-8" in errors[("lines.jsonl", 5)]["problems"][0]["message"]


def test_an_empty_folder_means_nothing_could_be_read_and_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("not a record")
    result, data, page, rows = audit_cli(tmp_path, empty)
    assert result.exit_code == 2
    assert "nothing could be read" in result.stderr
    assert (data["read"], data["exceptions"], rows) == (0, [], [])
    assert "No exceptions" in page


def test_paths_that_cannot_be_read_at_all_exit_2_and_are_listed(tmp_path: Path) -> None:
    result = run_cli(
        tmp_path / "missing.json",
        tmp_path / "missing.jsonl",
        "--as-of",
        AS_OF,
        "--json",
        tmp_path / "r.json",
    )
    assert result.exit_code == 2
    data = json.loads((tmp_path / "r.json").read_text())
    assert [e["reason"] for e in data["errors"]] == ["unreadable", "unreadable"]
    assert data["read"] == data["invalid"] == 2


def test_bad_rules_exit_2_before_anything_is_read(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).parent.parent / "rules", rules)
    first = sorted(rules.glob("01-*.yaml"))[0]
    first.write_text(first.read_text() + "\nsurprise: field\n")
    result = run_cli(EXAMPLES, "--rules", rules, "--as-of", AS_OF, "--json", tmp_path / "r.json")
    assert result.exit_code == 2
    assert not (tmp_path / "r.json").exists()


def test_an_output_that_is_not_a_regular_file_is_refused_before_any_work(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)  # like /dev/null: renaming a file over it would replace the device
    result = run_cli(EXAMPLES / "clean-pass.json", "--json", pipe)
    assert result.exit_code == 2
    assert "is not a regular file" in result.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_a_file_that_is_not_an_audit_cannot_be_a_baseline(tmp_path: Path) -> None:
    result = run_cli(EXAMPLES / "clean-pass.json", "--baseline", EXAMPLES / "clean-pass.json")
    assert result.exit_code == 2
    assert "cannot be used as a baseline" in result.stderr


# ---------------------------------------------------------------------------------------------
# Workers
# ---------------------------------------------------------------------------------------------


def test_one_worker_and_two_workers_write_byte_identical_json(tmp_path: Path) -> None:
    lines = tmp_path / "many.jsonl"
    with lines.open("w", encoding="utf-8") as f:
        for i in range(60):
            data = record_data("child-j-sibling-june-2008.json" if i % 3 else "clean-pass.json")
            data["id"] = f"{data['id']}-{i:03d}"
            f.write(json.dumps(data, ensure_ascii=False) + "\n")
    written = []
    for workers in (1, 2):
        j = tmp_path / f"w{workers}.json"
        result = run_cli(EXAMPLES, lines, "--as-of", AS_OF, "--workers", workers, "--json", j)
        assert result.exit_code == 1
        written.append(j.read_bytes())
    assert written[0] == written[1]
    assert json.loads(written[0])["read"] == 89


#: The record whose check kills the worker process, as a segfault in the engine would.
CRASHING_ID = "IA-2025-0502"


def crash_on_one_record(
    checker: Checker, records: Sequence[Record], as_of: date
) -> list[Report | EngineError | None]:
    """A stand-in for an engine that crashes the process on one particular record, checked
    alone or in a batch with others."""
    if any(record.id == CRASHING_ID for record in records):
        os.abort()
    return [checker.check(record, as_of=as_of) for record in records]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_crash_in_a_worker_costs_only_the_record_that_crashed_it(workers: int) -> None:
    normal = audit.run([EXAMPLES], as_of=AS_OF)
    crashed = audit.run([EXAMPLES], as_of=AS_OF, workers=workers, check_fn=crash_on_one_record)
    c = crashed.counts
    assert (c.read, c.crashed, c.invalid) == (normal.counts.read, 1, normal.counts.invalid + 1)
    assert c.checked == normal.counts.checked - 1 == c.passed + c.failed
    entry = next(e for e in crashed.errors if e["reason"] == "crashed")
    assert Path(entry["source"]).name == "fail-father-not-considered.json"
    assert entry["problems"][0]["path"] == ""
    assert entry["problems"][0]["message"].startswith("the rules engine crashed on this record")
    assert "SIGABRT" in entry["problems"][0]["message"]
    assert entry["assessment_id"] == CRASHING_ID
    others = [row for row in normal.exceptions if row["assessment_id"] != CRASHING_ID]
    assert list(crashed.exceptions) == others
    assert crashed.exit_status == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_crash_in_a_batch_is_narrowed_down_to_the_record_that_caused_it(
    tmp_path: Path, workers: int
) -> None:
    """Records are checked BATCH at a time in one engine session: a worker that dies in a batch
    has each record of it checked again alone, and only the one that crashes is lost."""
    lines = tmp_path / "many.jsonl"
    with lines.open("w", encoding="utf-8") as f:
        for i in range(70):
            data = record_data("child-j-sibling-june-2008.json" if i % 3 else "clean-pass.json")
            data["id"] = CRASHING_ID if i == 37 else f"{data['id']}-{i:03d}"
            f.write(json.dumps(data, ensure_ascii=False) + "\n")
    normal = audit.run([lines], as_of=AS_OF, workers=workers)
    crashed = audit.run([lines], as_of=AS_OF, workers=workers, check_fn=crash_on_one_record)
    c = crashed.counts
    assert (c.read, c.crashed, c.invalid, c.checked) == (70, 1, 1, 69)
    (entry,) = crashed.errors
    assert (entry["line"], entry["assessment_id"]) == (38, CRASHING_ID)
    others = [row for row in normal.exceptions if row["assessment_id"] != CRASHING_ID]
    assert list(crashed.exceptions) == others


def engine_error_on_one_record(
    checker: Checker, records: Sequence[Record], as_of: date
) -> list[Report | EngineError | None]:
    return [
        EngineError("the rules engine answered 314")
        if record.id == CRASHING_ID
        else checker.check(record, as_of=as_of)
        for record in records
    ]


def test_an_engine_error_on_one_record_is_listed_and_the_rest_are_checked() -> None:
    result = audit.run(
        [EXAMPLES / "fail-father-not-considered.json", EXAMPLES / "clean-pass.json"],
        as_of=AS_OF,
        check_fn=engine_error_on_one_record,
    )
    c = result.counts
    assert (c.read, c.checked, c.passed, c.invalid, c.crashed) == (2, 1, 1, 1, 1)
    (entry,) = result.errors
    assert entry["assessment_id"] == CRASHING_ID and entry["reason"] == "crashed"
    assert "the rules engine failed on this record" in entry["problems"][0]["message"]


# ---------------------------------------------------------------------------------------------
# Comparing with the last audit
# ---------------------------------------------------------------------------------------------


def test_two_audits_with_one_record_fixed_in_between_show_that_exception_as_resolved(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    father = record_data("fail-father-not-considered.json")
    write_json(folder / "father.json", father)
    closure = record_data("fail-closure-not-notified.json")
    write_json(folder / "closure.json", closure)
    moved = record_data("fail-unchecked-carer.json")
    write_json(folder / "moved.json", moved)
    _, first, _, _ = audit_cli(tmp_path, folder, stem="week1")

    # Week 2: Marcus Campbell (P2) has been considered; CAMHS is still not told, and now
    # Greenway Academy is not told either; the unchecked-carer record was not exported.
    p2 = next(p for p in father["people"] if p["id"] == "P2")
    p2["considered"] = "Seen at his flat on 20 May; has Jayden every other weekend."
    write_json(folder / "father.json", father)
    closure["closure"]["notified"] = []
    write_json(folder / "closure.json", closure)
    (folder / "moved.json").unlink()
    result, second, page, rows = audit_cli(
        tmp_path, folder, stem="week2", extra=("--baseline", str(tmp_path / "week1.json"))
    )

    fixed = audit.fingerprint("both-parents-considered", "IA-2025-0502", "C1")
    assert fixed in {e["fingerprint"] for e in first["exceptions"]}
    assert [r["fingerprint"] for r in second["resolved"]] == [fixed]
    assert second["resolved"][0]["name"] == "Jayden Brown"
    statuses = {(e["assessment_id"], e["subject"]): e["status"] for e in second["exceptions"]}
    assert statuses[("IA-2025-0502", "C2")] == "persisting"
    assert statuses[("SA-2025-0377", "CAMHS – Riverside Community Team")] == "persisting"
    assert statuses[("SA-2025-0377", "Greenway Academy")] == "new"
    assert {e["assessment_id"] for e in second["not_rechecked"]} == {"IA-2025-0521"}
    assert second["baseline"] == {
        "source": str(tmp_path / "week1.json"),
        "as_of": "2025-06-30",
        "new": 1,
        "persisting": 3,
        "accepted": 0,
        "resolved": 1,
        "not_rechecked": 1,
    }
    assert "1 new, 3 persisting, 1 resolved, 1 not rechecked" in result.stdout
    assert "Resolved since the last audit" in page and "Jayden Brown" in page
    assert [r["status"] for r in rows] == [e["status"] for e in second["exceptions"]]


# ---------------------------------------------------------------------------------------------
# Pseudonyms
# ---------------------------------------------------------------------------------------------


def _names(data: object) -> set[str]:
    """Every name a record holds: children, people, the worker and the decision maker."""
    found: set[str] = set()
    if not isinstance(data, dict):
        return found
    for key in ("children", "people"):
        for item in data.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                found.add(item["name"])
    for holder in (data.get("worker"), (data.get("decision") or {}).get("by")):
        if isinstance(holder, dict) and isinstance(holder.get("name"), str):
            found.add(holder["name"])
    return found


def _all_example_names() -> set[str]:
    names: set[str] = set()
    for path in EXAMPLES.rglob("*"):
        if path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                names |= _names(json.loads(line))
        elif path.suffix == ".json":
            text = path.read_text(encoding="utf-8")
            with contextlib.suppress(json.JSONDecodeError):  # invalid/ holds broken JSON
                names |= _names(json.loads(text))
        elif path.suffix in (".yaml", ".yml"):
            names |= _names(yaml.safe_load(path.read_text(encoding="utf-8")))
    return names


def test_redaction_leaves_no_original_name_anywhere_in_any_output(tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    bad = record_data()  # invalid: a check names a person who is not in the record, by name
    bad["id"] = "IA-2025-9001"
    bad["children"][0]["name"] = "Zebedee Quill"
    bad["checks"][0]["subject"] = "Zebedee Quill"
    write_json(extra / "bad.json", bad)
    names = _all_example_names() | {"Zebedee Quill"}
    assert {"Tiago Ferreira", "Bethany Achterberg", "Rashid Chowdhury", "Child J"} <= names

    result, data, page, rows = audit_cli(tmp_path, EXAMPLES, extra, extra=("--redact",))
    assert result.exit_code == 1
    texts = {
        "json": (tmp_path / "r.json").read_text(encoding="utf-8"),
        "html": html.unescape(page),
        "csv": (tmp_path / "r.csv").read_text(encoding="utf-8-sig"),
        "stdout": result.stdout,
    }
    for where, text in texts.items():
        text = text.replace("Child J serious case review", "")  # the review's own title
        for name in names:
            assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text), (where, name)
    assert data["redacted"] is True
    for row in rows:
        if row["child or adult"] in ("child", "adult"):
            assert re.fullmatch(r"(Child|Adult) [0-9a-f]{6}", row["name"]), row
    # ids stay; the pseudonyms are derived from them
    row = next(
        r
        for r in data["exceptions"]
        if r["subject"] == "C1" and r["assessment_id"] == "IA-2025-0467"
    )
    assert row["name"] == audit.pseudonym("child", "IA-2025-0467", "C1")
    assert row["worker"] == audit.pseudonym("worker", "SW-118")
    assert row["name"] in row["problem"]
    assert "[text withheld]" in texts["json"]  # free text quoted in a message may name anyone
    invalid = next(e for e in data["errors"] if e["assessment_id"] == "IA-2025-9001")
    assert "Child " in invalid["problems"][0]["message"]


def test_pseudonyms_are_the_same_in_every_run(tmp_path: Path) -> None:
    first = audit.run([EXAMPLES / "fail-father-not-considered.json"], as_of=AS_OF, redact=True)
    second = audit.run([EXAMPLES / "fail-father-not-considered.json"], as_of=AS_OF, redact=True)
    assert first.to_json() == second.to_json()
    assert audit.pseudonym("adult", "A-1", "P1") != audit.pseudonym("adult", "A-2", "P1")
    assert re.fullmatch(r"Child [0-9a-f]{6}", audit.pseudonym("child", "A-1", "C1"))


# ---------------------------------------------------------------------------------------------
# Hostile values
# ---------------------------------------------------------------------------------------------


def hostile_record(child_name: str, team: str = "Assessment Team North") -> dict[str, Any]:
    data = copy.deepcopy(record_data())
    data["id"] = "IA-2025-6666"
    data["children"][0]["name"] = child_name
    data["worker"]["team"] = team
    return data


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(tmp_path: Path) -> None:
    record = write_json(
        tmp_path / "evil.json",
        hostile_record('=HYPERLINK("http://x.invalid","click")', team="@SUM(A1)"),
    )
    _, _, _, rows = audit_cli(tmp_path, record)
    cells = [cell for row in rows for cell in row.values()]
    assert '\'=HYPERLINK("http://x.invalid","click")' in cells
    assert "'@SUM(A1)" in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@")), cell


def test_the_html_report_escapes_a_child_named_like_a_script(tmp_path: Path) -> None:
    record = write_json(tmp_path / "script.json", hostile_record(SCRIPT_NAME, team='"><b>x</b>'))
    _, data, page, _ = audit_cli(tmp_path, record)
    assert any(row["name"] == SCRIPT_NAME for row in data["exceptions"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT_NAME not in page
    assert page.count("<script") == 1  # the page's own
    assert "<b>x</b>" not in page


# ---------------------------------------------------------------------------------------------
# Streaming: memory does not grow with the number of records
# ---------------------------------------------------------------------------------------------


def many_records(path: Path, n: int) -> Path:
    """`n` records, one per line, alternately failing and passing."""
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            data = record_data("child-j-sibling-june-2008.json" if i % 2 else "clean-pass.json")
            data["id"] = f"{data['id']}-{i:04d}"
            f.write(json.dumps(data, ensure_ascii=False) + "\n")
    return path


def test_the_audit_json_is_written_piece_by_piece_exactly_as_one_json_dumps_would(
    tmp_path: Path,
) -> None:
    with audit.run([EXAMPLES, many_records(tmp_path / "m.jsonl", 12)], as_of=AS_OF) as result:
        text = result.to_json()
        whole = result.to_dict()
        assert whole["reports"] and whole["exceptions"] and whole["errors"]
        assert text == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
        assert [r["assessment_id"] for r in result.reports] == [
            r["assessment_id"] for r in whole["reports"]
        ]


def test_the_lists_are_spooled_in_a_private_folder_that_closing_the_audit_removes(
    tmp_path: Path,
) -> None:
    result = audit.run([EXAMPLES], as_of=AS_OF)
    folder = result._folder.path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    lists = [
        "accepted",
        "errors",
        "exceptions",
        "judgements_to_review",
        "needing_action",
        "not_rechecked",
        "reports",
        "resolved",
    ]
    names = sorted(p.name for p in folder.iterdir())
    # each list's own file, and the worker's files of the lists it wrote items to
    assert [n for n in names if n.count(".") == 1] == [f"{name}.spool" for name in lists]
    assert {n.split(".")[0] for n in names} == set(lists)
    assert any(n.startswith("exceptions.") and n.count(".") == 2 for n in names)
    assert len(result.exceptions) == len(list(result.exceptions)) > 0
    assert result.exceptions[-1] == list(result.exceptions)[-1]
    with result:
        pass
    assert not folder.exists()


def test_the_parent_never_reads_far_ahead_of_the_oldest_record_not_yet_checked(
    tmp_path: Path,
) -> None:
    """The pieces of the input handed out (lines that are not UTF-8 among them, answered by the
    workers) never run far ahead of the oldest record not yet checked."""
    lines = tmp_path / "bad.jsonl"
    good = json.dumps(record_data("clean-pass.json"), ensure_ascii=False).encode() + b"\n"
    lines.write_bytes(good + b"\xff\n" * 3000 + good)
    pulled = 0  # records (lines) of the pieces taken so far

    def counting() -> Any:
        nonlocal pulled
        for item in audit_runner._items([lines], frozenset()):
            pulled = item.seq + getattr(item, "size", 1)
            yield item

    outcomes = audit_runner._run_pool(
        counting(),
        workers=1,
        rules_dir=None,
        as_of=AS_OF,
        redact=False,
        check_fn=audit.check_records,
        rules_version=audit_runner.checker_for(None).rules.version,
    )
    ahead = seen = 0
    for outcome in outcomes:
        assert outcome.seq == seen
        seen += 1
        ahead = max(ahead, pulled - seen)
    assert seen == 3002
    assert 0 < ahead <= ordered._WINDOW_PER_WORKER + ordered._CHUNK_MAX


def test_a_line_longer_than_any_record_is_passed_over_without_being_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(discover, "MAX_RECORD_BYTES", 64 * 1024)
    monkeypatch.setattr(discover, "_BLOCK", 4096)
    monkeypatch.setattr(audit_spool, "_BLOCK", 4096)
    good = json.dumps(record_data("clean-pass.json"), ensure_ascii=False)
    assert len(good.encode()) < 64 * 1024
    lines = tmp_path / "long.jsonl"
    lines.write_text(good + "\n" + "x" * 200_000 + "\n" + good + "\n" + "y" * 70_000, "utf-8")
    with audit.run([lines], as_of=AS_OF) as result:
        c = result.counts
        assert (c.read, c.passed, c.invalid) == (4, 2, 2)
        assert [(e["line"], e["reason"]) for e in result.errors] == [(2, "invalid"), (4, "invalid")]
        assert "too large to be a record" in result.errors[0]["problems"][0]["message"]


def test_a_baseline_is_read_piece_by_piece_whatever_its_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with audit.run([EXAMPLES], as_of=AS_OF) as first:
        data = first.to_dict()
    fingerprints = [row["fingerprint"] for row in data["exceptions"]]
    # another layout: no indentation, the exceptions last, one exception twice
    data["exceptions"].append(dict(data["exceptions"][0], name="a later copy"))
    layout = {k: v for k, v in data.items() if k != "exceptions"}
    layout["exceptions"] = data["exceptions"]
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(layout, separators=(",", ":")), encoding="utf-8")
    monkeypatch.setattr(audit_baseline, "_BLOCK", 7)  # values cut at every place a block can end
    monkeypatch.setattr(audit_spool, "_BLOCK", 7)
    base = audit.load_baseline(compact)
    try:
        assert [row["fingerprint"] for row in base.rows] == list(dict.fromkeys(fingerprints))
        assert base.rows[0]["name"] == data["exceptions"][0]["name"]
        assert base.as_of == AS_OF.isoformat()
        assert base.records == {row["assessment_id"] for row in data["exceptions"]}
    finally:
        base.close()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"format": "closure-check/audit/1", "exceptions": [', "not valid JSON"),
        ('{"format": "closure-check/audit/1", "exceptions": []} x', "not valid JSON"),
        ('{"format": "closure-check/audit/1", "exceptions": [1,]}', "not valid JSON"),
        ('{"format": "closure-check/audit/1", "exceptions": {}}', 'no "exceptions" list'),
        ('{"format": "closure-check/audit/1", "exceptions": true}', 'no "exceptions" list'),
        ('{"format": "closure-check/audit/1", "exceptions": [{"a": 1}]}', "has no fingerprint"),
        ('{"format": "something else", "exceptions": []}', "not an audit"),
        ('[{"format": "closure-check/audit/1"}]', "not an audit"),
        ('{"format": "closure-check/audit/1", "exceptions": [], "exceptions": []}', "twice"),
        ("", "not valid JSON"),
    ],
)
def test_a_file_that_is_not_a_whole_audit_is_refused_as_a_baseline(
    tmp_path: Path, text: str, why: str
) -> None:
    path = tmp_path / "base.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        audit.load_baseline(path)
    (problem,) = caught.value.problems
    assert problem.message.startswith("cannot be used as a baseline") and why in problem.message


def test_a_baseline_that_is_not_utf_8_or_cannot_be_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "base.json"
    path.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(InputError) as caught:
        audit.load_baseline(path)
    assert "not UTF-8" in caught.value.problems[0].message
    with pytest.raises(InputError) as missing:
        audit.load_baseline(tmp_path / "nowhere.json")
    assert "cannot be read" in missing.value.problems[0].message


# ---------------------------------------------------------------------------------------------
# Cases to act on, worst first; nothing hidden from the spreadsheet (issue 15, items 5 and 6)
# ---------------------------------------------------------------------------------------------


def test_the_terminal_lists_the_records_needing_action_worst_first(examples_audit: Any) -> None:
    result, data, _, _, _ = examples_audit
    needing = data["needing_action"]
    assert len(needing) == data["failed"]
    assert [e["blockers"] for e in needing] == sorted(
        (e["blockers"] for e in needing), reverse=True
    )
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Records needing action"))
    listed = lines[at + 1 : at + 1 + len(needing)]
    for entry, line in zip(needing, listed, strict=True):
        assert line.split()[0] == entry["assessment_id"]
        assert entry["worker_id"] in line
        assert f"{entry['blockers']} blocker" in line
    failing = {r["assessment_id"] for r in data["reports"]}
    assert {e["assessment_id"] for e in needing} == failing


def test_the_html_has_a_table_of_records_needing_action_each_opening_its_own_report(
    examples_audit: Any,
) -> None:
    _, data, page, _, _ = examples_audit
    table = page[
        page.index('id="needing-action"') : page.index(
            "</table>", page.index('id="needing-action"')
        )
    ]
    assert table.count("<tr data-record=") == data["failed"]
    for entry in data["needing_action"]:
        anchor = f"report-{entry['report']}"
        assert f'href="#{anchor}"' in table
        section = page[page.index(f'id="{anchor}"') :]
        section = section[: section.index("</main>")].split('class="record-report"')[0]
        assert entry["assessment_id"] in section
        assert data["reports"][entry["report"]]["assessment_id"] == entry["assessment_id"]
    # the page stays self-contained: only its own style and script, by their hashes
    policy = re.search(r'Content-Security-Policy" content="([^"]+)"', page)
    assert policy and "unsafe-inline" not in policy.group(1)
    assert page.count("<style") == 1 and page.count("<script") == 1
    # one <main>, the page's: a record's report inside it has none of its own
    assert page.count("<main") == 1 and page.count("</main>") == 1


def test_the_per_rule_table_is_sorted_by_count_and_drawn_as_a_chart(examples_audit: Any) -> None:
    _, data, page, _, _ = examples_audit
    table = page[page.index('class="per-rule"') :]
    table = table[: table.index("</table>")]
    counts = [
        int(n) for n in re.findall(r'<td class="num">(\d+)</td><td class="num">\d+</td>', table)
    ]
    assert counts == sorted(counts, reverse=True) and len(counts) == len(data["summary"]["by_rule"])
    chart = page[page.index('id="chart-rules"') :]
    chart = chart[: chart.index("</svg>")]
    bars = [int(n) for n in re.findall(r'data-count="(\d+)"', chart)]
    assert bars == counts
    teams = page[page.index('id="chart-teams"') :]
    assert teams[: teams.index("</svg>")].count('class="bar"') == len(data["summary"]["by_team"])


def test_invalid_records_are_rows_of_the_csv_with_their_problems(examples_audit: Any) -> None:
    _, data, _, rows, _ = examples_audit
    invalid = [r for r in rows if r["finding"] == "could not be checked"]
    assert len(invalid) == data["invalid"] == len(data["errors"])
    for row, entry in zip(invalid, data["errors"], strict=True):
        assert row["file"] == entry["source"]
        assert row["line"] == ("" if entry["line"] is None else str(entry["line"]))
        for problem in entry["problems"]:
            assert problem["message"] in row["what is wrong"]
    assert len(rows) == len(data["exceptions"]) + len(data["accepted"]) + len(data["errors"])
