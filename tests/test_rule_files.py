"""Rule files are untrusted input (a policy team's draft, passed with `--rules DIR`): they are
loaded with a safe YAML loader, their message templates may only show the values they are
given, they cannot make the checker read or write files or build gigabytes of text, and a
mistake in one is exit 2 naming the file, the line where there is one, and the field.

Each test copies the bundled rules into tmp_path and breaks one file.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from closure_check.checker import Checker
from closure_check.errors import RuleFileError
from closure_check.rulefile import load_rules

from .conftest import AS_OF, EXAMPLES, RULES

RECORD = EXAMPLES / "clean-pass.json"  # passes every rule with the bundled rules
MEMORY_LIMIT = 1536 * 2**20


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def check_with(rules: Path, *, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`closure-check check RECORD --rules DIR` in its own process, bounded in time and memory."""
    script = Path(sys.executable).parent / "closure-check"
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "closure_check.cli"]
    return subprocess.run(
        [*cli, "check", str(RECORD), "--as-of", AS_OF.isoformat(), "--rules", str(rules)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return folder


def edit(folder: Path, prefix: str, old: str, new: str) -> Path:
    """Replace the first `old` in the rule file whose name starts with `prefix`."""
    (path,) = folder.glob(f"{prefix}-*.yaml")
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def refused(proc: subprocess.CompletedProcess[str], path: Path) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert proc.stdout == ""
    assert str(path) in proc.stderr, proc.stderr
    return proc.stderr


def load_error(folder: Path) -> RuleFileError:
    """What loading the folder and preparing it for checking says (in-process)."""
    with pytest.raises(RuleFileError) as caught:
        Checker(load_rules(folder))
    return caught.value


def test_an_unbroken_copy_of_the_rules_checks_a_record(rules: Path) -> None:
    proc = check_with(rules)
    assert proc.returncode == 0, proc.stderr


# --- YAML --------------------------------------------------------------------------------------

PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    '!!python/object/apply:builtins.exec [\'open("{marker}", "w")\']',
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:pathlib.PosixPath {{}}",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
def test_a_python_tag_in_a_rule_file_is_refused_and_runs_nothing(
    rules: Path, tmp_path: Path, tag: str
) -> None:
    marker = tmp_path / "ran"
    path = edit(rules, "06", "severity: blocker", "severity: blocker\nx_tag: " +
                tag.format(marker=marker))  # fmt: skip
    said = refused(check_with(rules, cwd=tmp_path), path)
    assert f"{path}:{line_of(path, 'x_tag:')}:" in said
    assert "not valid YAML" in said
    assert not marker.exists()


def test_an_alias_in_a_rule_file_is_refused_naming_the_line(rules: Path) -> None:
    path = edit(rules, "06", "title: ", "x_anchor: &a [lol, lol]\nx_again: *a\ntitle: ")
    said = refused(check_with(rules), path)
    assert f"{path}:{line_of(path, 'x_again')}:" in said
    assert "aliases" in said


def test_a_rule_file_nested_very_deeply_is_refused_without_a_traceback(rules: Path) -> None:
    path = edit(rules, "06", "severity: blocker", "severity: blocker\nx: " + "[" * 100_000)
    said = refused(check_with(rules), path)
    assert "nested too deeply" in said or "not valid YAML" in said


# --- message templates ------------------------------------------------------------------------

FAIL_FIELD = "applies_to[0].requires[0].fail"
PASS_FIELD = "applies_to[0].pass"


def _with_message(folder: Path, template: str, *, in_pass: bool = False) -> Path:
    """Rule 06 with its fail message, or its pass message (the one a passing record renders),
    replaced by `template`."""
    (path,) = folder.glob("06-*.yaml")
    key = "    pass: " if in_pass else "        fail: "
    quoted = "'" + template.replace("'", "''") + "'"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    (at,) = [i for i, line in enumerate(lines) if line.startswith(key)]
    lines[at] = f"{key}{quoted}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return path


INTERNALS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ x.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ name.__class__.__base__.__subclasses__() }}",
    "{{ self._TemplateReference__context }}",
    "{{ name['__class__'] }}",
    "{{ name | attr('__class__') }}",
    "{{ subject | map(attribute='__class__') | list }}",
    "{{ ''.format.__globals__ }}",
]


@pytest.mark.parametrize("template", INTERNALS)
def test_a_message_reaching_for_python_internals_is_refused_at_load(
    rules: Path, template: str
) -> None:
    path = _with_message(rules, template)
    problems = load_error(rules).problems
    assert [(p.source, p.path) for p in problems] == [(str(path), FAIL_FIELD)]
    assert "message" in problems[0].message


def test_a_message_reaching_for_python_internals_exits_2_from_the_command_line(
    rules: Path,
) -> None:
    path = _with_message(rules, "{{ ''.__class__.__mro__ }}", in_pass=True)
    said = refused(check_with(rules), path)
    assert f"{path}: {PASS_FIELD}: " in said
    assert "underscore" in said


FILE_ACCESS = [
    "{% include '/etc/passwd' %}",
    "{% include '01-agency-checks-made.yaml' %}",
    "{% import '/etc/passwd' as p %}{{ p }}",
    "{% from '/etc/passwd' import x %}{{ x }}",
    "{% extends '/etc/passwd' %}",
    "{% include ['/etc/hostname', '/etc/passwd'] %}",
]


@pytest.mark.parametrize("template", FILE_ACCESS)
def test_a_message_cannot_read_a_file(rules: Path, tmp_path: Path, template: str) -> None:
    """A template that includes or imports another file is refused when the rules are loaded
    (the sandbox has no loader, but finding that out only when a report is written would lose
    the report)."""
    path = _with_message(rules, template, in_pass=True)
    problems = load_error(rules).problems
    assert [(p.source, p.path) for p in problems] == [(str(path), PASS_FIELD)]
    proc = check_with(rules, cwd=tmp_path)
    said = refused(proc, path)
    assert "root:" not in said


HUGE = [
    "{{ 'a' * 3000000000 }}",
    "{{ name * 3000000000 }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ '%3000000000d' % 1 }}",
    "{{ name | center(3000000000) }}",
    "{{ name | indent(3000000000, true) }}",
    "{{ [name] | map('center', 3000000000) | join }}",
    "{{ name.ljust(3000000000) }}",
    "{{ '{:>3000000000}'.format(name) }}",
    "{{ name | wordwrap(1) | batch(3000000000, name) | list }}",
    "{% for a in subject.seen %}{% for b in subject.seen %}{{ a }}{{ b }}{% endfor %}{% endfor %}",
]


@pytest.mark.parametrize("template", HUGE)
def test_a_message_that_could_build_gigabytes_of_text_is_refused_at_load(
    rules: Path, template: str
) -> None:
    """Each of these would take the checker's memory (or its time) for every record it checks.
    (Tried in a process of its own: jinja works out constant expressions when it compiles.)"""
    path = _with_message(rules, template, in_pass=True)
    said = refused(check_with(rules), path)
    assert f"{path}: {PASS_FIELD}: " in said


def test_a_message_that_fails_when_written_does_not_lose_the_report(rules: Path) -> None:
    """A filter given the wrong kind of value fails only when a report is written; the verdict
    stands and the report says which message could not be written."""
    _with_message(rules, "{{ record.working_days | names }}", in_pass=True)
    proc = check_with(rules)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert "could not be written" in proc.stdout


def test_the_bundled_messages_are_all_allowed(rules: Path) -> None:
    """The restrictions above leave every message the bundled rules use."""
    Checker(load_rules(rules))


def test_checking_with_a_rules_folder_writes_nothing(rules: Path, tmp_path: Path) -> None:
    _with_message(rules, "{% include '/etc/passwd' %}", in_pass=True)
    before = sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    check_with(rules, cwd=tmp_path)
    assert sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before


# --- a rule file that is wrong ----------------------------------------------------------------


WHERE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+))?: (?P<field>\S+): (?P<message>.*)$")


def problem_for(said: str, path: Path) -> re.Match[str]:
    """The one problem printed for `path`: file, line (if given), field and message."""
    found = [m for line in said.splitlines() if (m := WHERE.match(line)) and
             m["file"] == str(path)]  # fmt: skip
    assert len(found) == 1, said
    return found[0]


def test_an_unknown_key_exits_2_naming_the_file_the_line_and_the_key(rules: Path) -> None:
    path = edit(rules, "14", "\nwhy: ", "\nexplanation: more words\nwhy: ")
    got = problem_for(refused(check_with(rules), path), path)
    assert (got["line"], got["field"]) == (str(line_of(path, "explanation:")), "explanation")
    assert "not part of the rule format" in got["message"]


def test_a_wrong_severity_exits_2_naming_the_file_the_line_and_the_field(rules: Path) -> None:
    path = edit(rules, "06", "severity: blocker", "severity: critical")
    got = problem_for(refused(check_with(rules), path), path)
    assert (got["line"], got["field"]) == (str(line_of(path, "severity:")), "severity")
    assert "'blocker' or 'advisory'" in got["message"]


@pytest.mark.parametrize(
    ("prefix", "old", "new", "field", "needle", "words"),
    [
        pytest.param(
            "02", "how: in_person", "method: in_person",
            "applies_to[0].requires[0].exists.where.method", "method:",
            '"method" is not a field of visit', id="unknown fact field",
        ),
        pytest.param(
            "15", "how: in_person", "how: face_to_face",
            "applies_to[0].requires[0].exists.where.how", "face_to_face",
            "in_person, video, phone", id="bad enum value in a test",
        ),
        pytest.param(
            "01", "completed_on: {between:", "completed_on: {within:",
            "applies_to[0].requires[0].exists.where.completed_on.within", "within",
            'unknown test "within"', id="unknown test operator",
        ),
        pytest.param(
            "01", "consulted_on: {lte: record.completed_on}",
            "consulted_on: {lte: record.finished_on}",
            "applies_to[1].requires[0].subject.consulted_on.lte", "finished_on",
            '"finished_on" is not a field of record', id="unknown field in a reference",
        ),
    ],
)  # fmt: skip
def test_a_condition_the_rules_cannot_express_exits_2_naming_the_file_and_the_field(
    rules: Path, prefix: str, old: str, new: str, field: str, needle: str, words: str
) -> None:
    path = edit(rules, prefix, old, new)
    got = problem_for(refused(check_with(rules), path), path)
    assert got["field"] == field
    assert words in got["message"]
    if got["line"] is not None:  # a line, where one is given, must be the right one
        assert got["line"] == str(line_of(path, needle))


@pytest.mark.parametrize(
    ("prefix", "key", "field", "parent"),
    [
        ("12", "        fail: ", "applies_to[0].requires[0].fail", "- name: own_outcome"),
        ("12", "        remedy: ", "applies_to[0].requires[0].remedy", "- name: own_outcome"),
        ("12", "    pass: ", "applies_to[0].pass", "- subject: child"),
        ("06", "not_applicable: ", "not_applicable", "id: "),
    ],
)
def test_a_missing_message_exits_2_naming_the_file_the_line_and_the_field(
    rules: Path, prefix: str, key: str, field: str, parent: str
) -> None:
    (path,) = rules.glob(f"{prefix}-*.yaml")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith(key)]
    path.write_text("".join(lines), encoding="utf-8")
    got = problem_for(refused(check_with(rules), path), path)
    assert (got["line"], got["field"]) == (str(line_of(path, parent)), field)
    assert got["message"] == "this field is required"
