"""docs/policy-guide.md, followed word for word in a copy of rules/ and features/.

The guide marks what a reader does with HTML comments the rendered page does not show:
`<!-- file: PATH -->` before a block to write as that file, `<!-- append: PATH -->` before a block
to add to its end, `<!-- change: PATH -->` before two blocks (the text, and what it becomes), and
`<!-- run: exit N -->` before a console block whose `$` lines are commands run in the draft
folder. Each command must exit with N and print the lines shown under it, in that order (`...`
stands for lines left out; numbers may differ, so that adding a scenario elsewhere does not
break the guide).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from closure_check.checker import Checker
from closure_check.record import load_record, parse_record
from closure_check.rulefile import load_rules

from .conftest import ROOT

GUIDE = ROOT / "docs" / "policy-guide.md"
ACTION = re.compile(r"^<!-- (file|append|change|run): *(.*?) -->\s*$")
FENCE = re.compile(r"^```(\w*)\s*$")
FAR = date(2100, 1, 1)


@dataclass
class Action:
    kind: str
    argument: str
    blocks: list[str]
    line: int


def guide_actions(text: str) -> list[Action]:
    """Each marked action of the guide, with the fenced blocks that follow it."""
    lines = text.splitlines()
    actions: list[Action] = []
    i = 0
    while i < len(lines):
        m = ACTION.match(lines[i])
        i += 1
        if not m:
            continue
        wanted = 2 if m.group(1) == "change" else 1
        blocks: list[str] = []
        while len(blocks) < wanted and i < len(lines):
            if FENCE.match(lines[i]):
                j = i + 1
                while not lines[j].startswith("```"):
                    j += 1
                blocks.append("\n".join(lines[i + 1 : j]) + "\n")
                i = j
            i += 1
        assert len(blocks) == wanted, (
            f"docs/policy-guide.md:{i}: {m.group(0)} needs {wanted} blocks"
        )
        actions.append(Action(m.group(1), m.group(2), blocks, i))
    return actions


def _normal(text: str) -> str:
    return " ".join(re.sub(r"\d+", "N", text).split())


def _run_console(block: str, cwd: Path, exit_code: int) -> None:
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands and line.strip() and line.strip() != "...":
            commands[-1][1].append(line)
    for command, expected in commands:
        argv = shlex.split(command)
        assert argv[0] == "closure-check", command
        done = subprocess.run(
            [sys.executable, "-m", "closure_check.cli", *argv[1:]],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        output = done.stdout + done.stderr
        assert done.returncode == exit_code, f"$ {command}\n{output}"
        shown, at = _normal(output), 0
        for line in expected:
            found = shown.find(_normal(line), at)
            assert found >= 0, f"$ {command}\ndoes not print, in this order:\n{line}\n\n{output}"
            at = found + len(_normal(line))


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A policy officer's draft folder: copies of rules/ and features/, then the guide done."""
    folder = tmp_path_factory.mktemp("draft")
    shutil.copytree(ROOT / "rules", folder / "rules", ignore=shutil.ignore_patterns("__py*"))
    shutil.copytree(ROOT / "features", folder / "features", ignore=shutil.ignore_patterns("__py*"))
    for action in guide_actions(GUIDE.read_text(encoding="utf-8")):
        if action.kind == "run":
            _run_console(action.blocks[0], folder, int(action.argument.split()[-1]))
            continue
        target = folder / action.argument
        assert target.suffix != ".py", "the guide must not ask for a change to Python"
        if action.kind == "file":
            target.write_text(action.blocks[0], encoding="utf-8")
        elif action.kind == "append":
            target.write_text(target.read_text(encoding="utf-8") + action.blocks[0], "utf-8")
        else:
            text = target.read_text(encoding="utf-8")
            before, after = action.blocks
            assert text.count(before) == 1, f"{action.argument} must hold exactly once:\n{before}"
            target.write_text(text.replace(before, after), encoding="utf-8")
    return folder


def test_the_guide_marks_a_data_change_a_new_rule_its_scenarios_and_the_commands() -> None:
    actions = guide_actions(GUIDE.read_text(encoding="utf-8"))
    kinds = [(a.kind, a.argument) for a in actions]
    assert ("change", "rules/_terms.yaml") in kinds
    assert ("file", "rules/16-household-adults-considered.yaml") in kinds
    assert ("file", "features/16-household-adults-considered.feature") in kinds
    commands = " ".join(b for a in actions if a.kind == "run" for b in a.blocks)
    for command in ("closure-check check", "closure-check scenarios", "rules coverage"):
        assert command in commands


def test_following_the_guide_adds_a_rule_and_its_scenarios_with_no_python(draft: Path) -> None:
    added = {p.relative_to(draft) for p in draft.rglob("*") if p.is_file()} - {
        p.relative_to(ROOT) for d in ("rules", "features") for p in (ROOT / d).rglob("*")
    }
    assert not [p for p in added if p.suffix == ".py"]
    assert Path("rules/16-household-adults-considered.yaml") in added
    for name in ("conftest.py", "test_scenarios.py"):
        assert (draft / "features" / name).read_bytes() == (ROOT / "features" / name).read_bytes()


def test_the_new_rule_decides_its_own_examples_through_the_library(draft: Path) -> None:
    rules = load_rules(draft / "rules")
    checker = Checker(rules)
    new = rules.get("household-adults-considered")
    assert new is not None and {e.expect for e in new.rule.examples} >= {"pass", "fail"}
    for example in new.rule.examples:
        data = dict(rules.terms_file.example_base) | example.record
        record = parse_record(data, source=example.name, as_of=FAR)
        result = checker.check(record, as_of=record.completed_on).result(new.rule.id)
        assert result.status == example.expect, (example.name, result)
        assert sorted(f.subject for f in result.failures) == sorted(example.failing)


def test_the_guide_record_fails_only_on_the_new_rule(draft: Path) -> None:
    rules = load_rules(draft / "rules")
    record = load_record(draft / "household.yaml", as_of=FAR)
    report = Checker(rules).check(record, as_of=record.completed_on)
    assert [r.rule for r in report.failed_rules] == ["household-adults-considered"]
    assert [f.name for f in report.result("household-adults-considered").failures] == ["Lee"]


# -- docs/policy-guide-dates.md: changing a rule from a date (effective dates, issue 13) --------

DATES_GUIDE = ROOT / "docs" / "policy-guide-dates.md"


def _follow(guide: Path, folder: Path) -> None:
    """Do what a page of the guide marks, in `folder` (as the `draft` fixture does)."""
    for action in guide_actions(guide.read_text(encoding="utf-8")):
        if action.kind == "run":
            _run_console(action.blocks[0], folder, int(action.argument.split()[-1]))
            continue
        target = folder / action.argument
        assert target.suffix != ".py", "the guide must not ask for a change to Python"
        if action.kind == "file":
            target.write_text(action.blocks[0], encoding="utf-8")
        elif action.kind == "append":
            target.write_text(target.read_text(encoding="utf-8") + action.blocks[0], "utf-8")
        else:
            text = target.read_text(encoding="utf-8")
            before, after = action.blocks
            assert text.count(before) == 1, f"{action.argument} must hold exactly once:\n{before}"
            target.write_text(text.replace(before, after), encoding="utf-8")


@pytest.fixture(scope="module")
def dated_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A draft folder with docs/policy-guide-dates.md done in it."""
    folder = tmp_path_factory.mktemp("dated-draft")
    shutil.copytree(ROOT / "rules", folder / "rules", ignore=shutil.ignore_patterns("__py*"))
    shutil.copytree(ROOT / "features", folder / "features", ignore=shutil.ignore_patterns("__py*"))
    _follow(DATES_GUIDE, folder)
    return folder


def test_the_dates_page_adds_a_version_its_scenarios_and_runs_the_commands() -> None:
    actions = guide_actions(DATES_GUIDE.read_text(encoding="utf-8"))
    kinds = [(a.kind, a.argument) for a in actions]
    assert ("append", "rules/15-child-seen-alone.yaml") in kinds
    assert ("file", "rules/15-child-seen-alone.from-2027-04-01.yaml") in kinds
    assert ("append", "features/15-child-seen-alone.feature") in kinds
    commands = " ".join(b for a in actions if a.kind == "run" for b in a.blocks)
    for command in ("rules list", "rules show", "--on 2027-04-01", "closure-check scenarios"):
        assert command in commands


def test_following_the_dates_page_decides_a_record_by_the_version_in_force_on_each_side(
    dated_draft: Path,
) -> None:
    from closure_check.api import checker_for

    checker = checker_for(dated_draft / "rules")
    data = dict(load_rules(ROOT / "rules").terms_file.example_base) | {"kind": "s47"}
    del data["closure"]  # its notifications are dated 2024, before a decision of 2027
    verdicts = {}
    for day in ("2027-03-31", "2027-04-01"):
        record = parse_record(
            data | {"completed_on": day, "decision": data["decision"] | {"on": day}},
            source=day,
            as_of=FAR,
        )
        report = checker.check(record, as_of=FAR)
        assert report.result("child-seen-alone").status == "fail"
        verdicts[day] = (report.verdict, report.result("child-seen-alone").severity)
    assert verdicts == {"2027-03-31": ("pass", "advisory"), "2027-04-01": ("fail", "blocker")}


# -- docs/policy-guide-judgements.md: changing who may make a judgement (issue 12) -------------

JUDGEMENTS_GUIDE = ROOT / "docs" / "policy-guide-judgements.md"


@pytest.fixture(scope="module")
def judged_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A draft folder with docs/policy-guide-judgements.md done in it (its commands run and
    print what the page shows)."""
    folder = tmp_path_factory.mktemp("judged-draft")
    shutil.copytree(ROOT / "rules", folder / "rules", ignore=shutil.ignore_patterns("__py*"))
    shutil.copytree(ROOT / "features", folder / "features", ignore=shutil.ignore_patterns("__py*"))
    _follow(JUDGEMENTS_GUIDE, folder)
    return folder


def test_the_judgements_page_shows_a_judgement_end_to_end_and_changes_who_may_make_it() -> None:
    actions = guide_actions(JUDGEMENTS_GUIDE.read_text(encoding="utf-8"))
    kinds = [(a.kind, a.argument) for a in actions]
    assert ("file", "eve.yaml") in kinds
    assert ("change", "rules/03-supporting-adults-checked.yaml") in kinds
    assert ("append", "features/16-judgements.feature") in kinds
    commands = " ".join(b for a in actions if a.kind == "run" for b in a.blocks)
    for command in ("closure-check check eve.yaml", "rules show", "closure-check scenarios"):
        assert command in commands
    assert "policy-guide-judgements.md" in GUIDE.read_text(encoding="utf-8")


def test_following_the_judgements_page_lets_only_a_manager_accept_an_unchecked_adult(
    judged_draft: Path,
) -> None:
    before, after = Checker(load_rules(ROOT / "rules")), Checker(load_rules(judged_draft / "rules"))
    record = load_record(judged_draft / "eve.yaml", as_of=FAR)
    as_of = date(2025, 6, 30)
    assert before.check(record, as_of=as_of).verdict == "pass"
    report = after.check(record, as_of=as_of)
    assert report.verdict == "fail"
    assert [j["outcome"] for j in report.judgements] == ["not_applied"]
    managed = record.model_copy(deep=True)
    managed.judgements[0].by.role = "manager"
    assert after.check(managed, as_of=as_of).verdict == "pass"
