"""Reports fit for a case file: `check --output` writes the whole report or none of it, readable
by its owner only; every report says which tool, rules, record and date it came from; and
`closure-check verify REPORT RECORD` checks the record again and says whether the result is
identical (exit 0), different (exit 1, listing what differs) or cannot be checked (exit 2)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from closure_check import __version__, output
from closure_check.api import checker_for
from closure_check.cli import main
from closure_check.words import date_words

from .conftest import AS_OF, EXAMPLES, RULES

PASSING = EXAMPLES / "clean-pass.json"
FAILING = EXAMPLES / "fail-child-seen-by-video.json"


def cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def check(record: Path, *args: str | Path) -> Result:
    return cli("check", record, "--as-of", AS_OF.isoformat(), *args)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def record(tmp_path: Path) -> Path:
    """A failing record in a folder of its own, free to change."""
    path = tmp_path / "case.json"
    shutil.copy(FAILING, path)
    return path


@pytest.fixture
def report(tmp_path: Path, record: Path) -> Path:
    """The JSON report of `record`, written with --output."""
    path = tmp_path / "report.json"
    result = check(record, "--format", "json", "--output", path)
    assert result.exit_code == 1, result.output
    return path


def edit_report(path: Path, change: Any) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def verify(report: Path, record: Path, *args: str | Path) -> Result:
    return cli("verify", report, record, *args)


# --- what every report carries -----------------------------------------------------------------


@pytest.mark.parametrize("record_file", [PASSING, FAILING])
def test_a_json_report_says_which_tool_rules_record_and_date_it_came_from(
    record_file: Path,
) -> None:
    result = check(record_file, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["tool_version"] == __version__
    assert data["rules_version"] == checker_for(RULES).rules.version
    assert data["input_sha256"] == sha256(record_file)
    assert data["as_of"] == AS_OF.isoformat()


@pytest.mark.parametrize("fmt", ["text", "html"])
def test_a_text_or_html_report_says_which_tool_rules_record_and_date_it_came_from(
    fmt: str,
) -> None:
    """A printed report goes in a case file as much as a JSON one does."""
    result = check(FAILING, "--format", fmt)
    assert result.exit_code == 1, result.output
    as_of = "Checked as of 30 June 2025"  # AS_OF, in words as beside it
    for carried in (__version__, checker_for(RULES).rules.version, as_of):
        assert carried in result.stdout
    assert sha256(FAILING) in result.stdout, "the SHA-256 of the record is not in the report"


# --- check --output ----------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would leave new files readable and writable by everyone."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("open_umask")
@pytest.mark.parametrize("fmt", ["json", "text", "html"])
def test_output_writes_the_report_readable_by_its_owner_only(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"report.{fmt}"
    written = check(FAILING, "--format", fmt, "--output", path)
    printed = check(FAILING, "--format", fmt)
    assert written.exit_code == printed.exit_code == 1
    assert written.stdout == ""
    assert str(path) in written.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == printed.stdout
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file is left


@pytest.mark.usefixtures("open_umask")
def test_output_replaces_an_older_report_and_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("an older report", encoding="utf-8")
    path.chmod(0o644)
    assert check(PASSING, "--format", "json", "--output", path).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["verdict"] == "pass"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


class _Interrupted(Exception):
    pass


def _fail_fsync(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _fail_replace(src: str, dst: str) -> None:
    raise OSError(errno.EIO, os.strerror(errno.EIO))


class _HalfWriter:
    """A file that takes the first half of what it is given, then fails."""

    def __init__(self, f: Any) -> None:
        self._f = f

    def __enter__(self) -> _HalfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()

    def write(self, text: str) -> int:
        self._f.write(text[: len(text) // 2])
        self._f.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)


FAULTS = {
    "the disk fills halfway through": ("fdopen", lambda *a, **k: _HalfWriter(_fdopen(*a, **k))),
    "the data cannot be flushed to disk": ("fsync", _fail_fsync),
    "the file cannot be put in place": ("replace", _fail_replace),
}
_fdopen = os.fdopen


@pytest.mark.parametrize("fault", list(FAULTS))
def test_output_that_fails_mid_write_leaves_no_partial_report_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    name, replacement = FAULTS[fault]
    path = tmp_path / "report.json"
    monkeypatch.setattr(output.os, name, replacement)
    result = check(FAILING, "--format", "json", "--output", path)
    monkeypatch.undo()
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output
    assert f"{path}: the report could not be written" in result.stderr
    assert list(tmp_path.iterdir()) == []  # neither a half report nor a temporary file


@pytest.mark.parametrize("fault", list(FAULTS))
def test_output_that_fails_mid_write_keeps_the_older_report_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    name, replacement = FAULTS[fault]
    path = tmp_path / "report.json"
    path.write_text('{"the older": "report"}', encoding="utf-8")
    monkeypatch.setattr(output.os, name, replacement)
    result = check(FAILING, "--format", "json", "--output", path)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert path.read_text(encoding="utf-8") == '{"the older": "report"}'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_an_interruption_mid_write_leaves_no_partial_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or any exception) while writing: the exception goes on, the file never exists."""

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "fsync", interrupt)
    path = tmp_path / "report.json"
    with pytest.raises(KeyboardInterrupt):
        output.write_private(path, "a report")
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_folder_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "no such folder" / "report.json"
    result = check(FAILING, "--output", path)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert "Traceback" not in result.output


def test_output_never_overwrites_the_record_being_checked(record: Path) -> None:
    before = record.read_bytes()
    result = check(record, "--format", "json", "--output", record)
    assert result.exit_code == 2
    assert "would overwrite it" in result.stderr
    assert record.read_bytes() == before


def test_a_crash_of_the_real_command_mid_write_leaves_no_file(tmp_path: Path) -> None:
    """The same in a process of its own, killed by a signal while it writes."""
    path = tmp_path / "report.json"
    code = (
        "import os, signal, sys\n"
        "from closure_check import output\n"
        "output.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from closure_check.cli import main\n"
        "sys.argv = ['closure-check', 'check', sys.argv[1], '--output', sys.argv[2],"
        f" '--as-of', '{AS_OF.isoformat()}']\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(FAILING), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr
    assert not path.exists()
    # the temporary file of a killed process is hidden (.report.json.*.tmp), never the report
    assert all(p.name.startswith(".report.json.") for p in tmp_path.iterdir())


# --- verify ------------------------------------------------------------------------------------


def test_verify_says_a_report_is_identical_when_nothing_changed(report: Path, record: Path) -> None:
    result = verify(report, record)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Identical: ")
    assert f"as of {date_words(AS_OF)}" in result.stdout
    assert result.stderr == ""


def test_verify_uses_the_reports_as_of_date_not_today(tmp_path: Path, record: Path) -> None:
    path = tmp_path / "old.json"
    assert check(record, "--format", "json", "--output", path).exit_code == 1
    edit_report(path, lambda d: d.update(as_of="2025-06-29"))
    result = verify(path, record)
    assert "as of 29 June 2025" in result.stdout
    assert result.exit_code == 0, result.output  # the as-of date is not part of the result


def test_verify_in_a_real_process(report: Path, record: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "closure_check.cli", "verify", str(report), str(record)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Identical: ")


def _set_rule_status(rule: str, status: str) -> Any:
    def change(data: dict[str, Any]) -> None:
        next(r for r in data["results"] if r["rule"] == rule)["status"] = status

    return change


def _drop_failing_finding(data: dict[str, Any]) -> None:
    result = next(r for r in data["results"] if r["rule"] == "child-seen")
    result["findings"] = [f for f in result["findings"] if f["status"] != "fail"]


def _reword_first_failure(data: dict[str, Any]) -> None:
    finding = next(f for r in data["results"] for f in r["findings"] if f["status"] == "fail")
    finding["message"] = "Nothing to worry about."


TAMPERING = {
    "the verdict": (lambda d: d.update(verdict="pass"), 'verdict: the report says "pass"'),
    "a rule's status": (
        _set_rule_status("child-seen", "pass"),
        'rule child-seen: the report says "pass"; checked again, it is "fail"',
    ),
    "a failing finding removed": (_drop_failing_finding, "rule child-seen, C1: checked again"),
    "a finding reworded": (_reword_first_failure, '"Nothing to worry about."'),
    "a rule removed": (
        lambda d: d["results"].pop(0),
        "rule agency-checks-made: not in the report",
    ),
    "the assessment id": (
        lambda d: d.update(assessment_id="IA-0000"),
        'assessment_id: the report says "IA-0000"',
    ),
    "a field added": (lambda d: d.update(approved=True), "approved: the report says true"),
}


@pytest.mark.parametrize("what", list(TAMPERING))
def test_verify_lists_what_a_tampered_report_says_that_checking_again_does_not(
    report: Path, record: Path, what: str
) -> None:
    change, expected = TAMPERING[what]
    edit_report(report, change)
    result = verify(report, record)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("Different: ")
    assert expected in result.stdout


def test_verify_refuses_a_report_with_a_field_given_twice(report: Path, record: Path) -> None:
    """A reader may see the first verdict and a program the second: such a report is refused."""
    text = report.read_text(encoding="utf-8")
    report.write_text(text.replace('"verdict": "fail"', '"verdict": "pass", "verdict": "fail"'))
    result = verify(report, record)
    assert result.exit_code == 2
    assert f"{report}: verdict: is given twice" in result.stderr


def test_verify_warns_when_the_report_names_another_record_file(report: Path, record: Path) -> None:
    edit_report(report, lambda d: d.update(input_sha256="0" * 64))
    result = verify(report, record)
    assert result.exit_code == 0, result.output  # the result is the same
    assert "is not the file the report was made from" in result.stderr
    assert sha256(record) in result.stderr


def test_verify_warns_when_the_report_does_not_name_its_record_file(
    report: Path, record: Path
) -> None:
    edit_report(report, lambda d: d.pop("input_sha256"))
    result = verify(report, record)
    assert result.exit_code == 0
    assert "does not record the SHA-256" in result.stderr


def test_verify_says_what_changed_when_the_record_changed(report: Path, record: Path) -> None:
    data = json.loads(record.read_text(encoding="utf-8"))
    for child in data["children"]:
        child["seen"].append({"on": data["started_on"], "how": "in_person"})
    record.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = verify(report, record)
    assert result.exit_code == 1, result.output
    assert 'rule child-seen: the report says "fail"; checked again, it is "pass"' in result.stdout
    assert "is not the file the report was made from" in result.stderr


def test_verify_says_what_changed_when_the_rules_changed(
    tmp_path: Path, report: Path, record: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    timescale = next(rules.glob("14-*.yaml"))
    text = timescale.read_text(encoding="utf-8")
    timescale.write_text(text.replace("max_working_days: 45", "max_working_days: 1"))
    result = verify(report, record, "--rules", rules)
    assert result.exit_code == 1, result.output
    assert 'rule assessment-timescale: the report says "pass"' in result.stdout
    assert "rules version" in result.stderr


def test_verify_warns_when_other_rules_give_the_same_result(
    tmp_path: Path, report: Path, record: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    terms = rules / "_terms.yaml"
    terms.write_text(terms.read_text(encoding="utf-8") + "\n# a comment changes the version\n")
    result = verify(report, record, "--rules", rules)
    assert result.exit_code == 0, result.output
    assert "rules version" in result.stderr and "--rules" in result.stderr


def test_verify_refuses_a_report_that_is_not_json(tmp_path: Path, record: Path) -> None:
    path = tmp_path / "report.txt"
    assert check(record, "--output", path).exit_code == 1
    result = verify(path, record)
    assert result.exit_code == 2
    assert f"{path}: is not a JSON report" in result.stderr


def test_verify_refuses_a_record_given_as_the_report(record: Path) -> None:
    result = verify(record, record)
    assert result.exit_code == 2
    assert "not a closure-check report" in result.stderr


def test_verify_refuses_a_report_without_a_date(report: Path, record: Path) -> None:
    edit_report(report, lambda d: d.update(as_of="30/06/2025"))
    result = verify(report, record)
    assert result.exit_code == 2
    assert f"{report}: as_of: " in result.stderr


def test_verify_exits_2_for_a_record_that_is_not_valid(report: Path, record: Path) -> None:
    record.write_text('{"id": "A-1"}', encoding="utf-8")
    result = verify(report, record)
    assert result.exit_code == 2
    assert f"{record}: kind: missing" in result.stderr
    assert "Traceback" not in result.output


def test_verify_exits_2_for_a_report_that_does_not_exist(tmp_path: Path, record: Path) -> None:
    result = verify(tmp_path / "missing.json", record)
    assert result.exit_code == 2
    assert "missing.json: cannot be read" in result.stderr


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"verdict": 1' + "0" * 5000 + "}", "is not a JSON report"),
        ('{"verdict": NaN}', "verdict: NaN is not a number"),
    ],
)
def test_verify_refuses_numbers_no_report_holds(
    tmp_path: Path, record: Path, text: str, why: str
) -> None:
    path = tmp_path / "report.json"
    path.write_text(text, encoding="utf-8")
    result = verify(path, record)
    assert result.exit_code == 2
    assert f"{path}: {why}" in result.stderr
    assert "Traceback" not in result.output + result.stderr
