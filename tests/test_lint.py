"""The feature lint goes on after a mistake, and knows who each scenario introduced: a
misspelt keyword is one problem and the rest of the file is still linted; a step naming a
child, an adult or an agency the scenario never introduced is a problem at that step."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from closure_check import policy
from closure_check.api import checker_for
from closure_check.policy.people import split_names

from .conftest import ROOT, RULES

START = "Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20"


@pytest.fixture(scope="module")
def library() -> policy.StepLibrary:
    return policy.load_step_library(ROOT / "features")


@pytest.fixture(scope="module")
def rule_ids() -> list[str]:
    return [lr.rule.id for lr in checker_for(RULES).rules]


def _lint(tmp_path: Path, library: policy.StepLibrary, rule_ids: list[str], text: str) -> list[str]:
    folder = tmp_path / "features"
    folder.mkdir(exist_ok=True)
    (folder / "bad.feature").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return [str(p) for p in policy.lint(folder, rule_ids, library)]


def _scenario(name: str, *steps: str, tag: str = "@rule_child_seen") -> str:
    lines = [f"  {tag}", f"  Scenario: {name}", *(f"    {s}" for s in steps), ""]
    return "\n".join(lines)


def _feature(*scenarios: str) -> str:
    return "Feature: People and keywords\n\n" + "\n".join(scenarios)


def _at(problems: list[str]) -> list[int]:
    """The line of each problem, in order."""
    return [int(m.group(1)) for p in problems if (m := re.search(r"bad\.feature:(\d+): ", p))]


GOOD = _scenario(
    "Noor was seen",
    START,
    "When the assessment is checked",
    "Then rule child-seen passes",
)


Lint = Callable[[str], list[str]]


@pytest.fixture
def lint(tmp_path: Path, library: policy.StepLibrary, rule_ids: list[str]) -> Lint:
    """Lint one feature file, written from `text`, with the catalogue's steps and rules."""
    return lambda text: _lint(tmp_path, library, rule_ids, text)


# -- the lint goes on after a misspelt keyword --------------------------------------------------


def test_one_misspelt_scenario_keyword_gives_exactly_one_problem(lint: Lint) -> None:
    text = _feature(
        GOOD,
        _scenario(
            "again", START, "When the assessment is checked", "Then rule child-seen passes"
        ).replace("Scenario:", "Scenaro:"),
    )
    problems = lint(text)
    assert len(problems) == 1, problems
    assert 'bad.feature:10: "Scenaro" looks like a misspelt "Scenario"' in problems[0]


def test_the_other_mistakes_in_the_file_are_still_reported_after_a_misspelt_keyword(
    lint: Lint,
) -> None:
    misspelt = _scenario(
        "again", START, "When the assessment is checked", "Then rule child-seen passes"
    ).replace("Scenario:", "Scenaro:")
    later = _scenario(
        "third",
        START,
        "When the assesment is checked",
        "Then rule child-seen passes",
        tag="@rule_child_sen",
    )
    problems = lint(_feature(GOOD, misspelt, later))
    assert _at(problems) == [10, 15, 18, 19], problems
    assert '"Scenaro" looks like a misspelt "Scenario"' in problems[0]
    assert "@rule_child_sen names a rule" in problems[1]
    assert 'no step in the step library reads "the assesment is checked"' in problems[2]
    assert "not tagged @rule_child_seen" in problems[3]
    assert not any("Gherkin cannot read" in p for p in problems), problems


def test_a_misspelt_step_keyword_is_one_problem_and_the_steps_after_it_are_linted(
    lint: Lint,
) -> None:
    text = _feature(
        _scenario(
            "misspelt",
            START,
            "Gvien the child Noor was seen by video on 2025-02-05",
            "When the assessment is checked",
            "Then rule child-sen passes",
        )
    )
    problems = lint(text)
    assert _at(problems) == [6, 8], problems
    assert '"Gvien" looks like a misspelt "Given"' in problems[0]
    assert 'there is no rule "child-sen"' in problems[1]


def test_a_misspelt_examples_keyword_is_one_problem(lint: Lint) -> None:
    outline = (
        "  @rule_child_seen\n  Scenario Outline: seen <how>\n    " + START + "\n"
        "    And the child Noor was seen <how> on 2025-02-05\n"
        "    When the assessment is checked\n    Then rule child-seen passes\n\n"
        "    Exampels:\n      | how |\n      | in person and alone |\n"
    )
    problems = lint(_feature(outline))
    assert len(problems) == 1, problems
    assert 'bad.feature:10: "Exampels" looks like a misspelt "Examples"' in problems[0]


def test_a_stray_line_is_one_problem_and_the_scenario_after_it_is_linted(lint: Lint) -> None:
    stray = _scenario(
        "stray",
        START,
        "Noor lives with her aunt",
        "When the assessment is checked",
        "Then rule child-seen passes",
    )
    later = _scenario("later", START, "When the assessment is checked", "Then rule child-seen pass")
    problems = lint(_feature(stray, later))
    assert _at(problems) == [6, 14], problems
    assert "is not a step, a table row or a comment" in problems[0]
    assert "no step in the step library reads" in problems[1]


# -- a step naming somebody the scenario never introduced ---------------------------------------


def test_a_given_step_naming_a_child_never_introduced_is_caught(lint: Lint) -> None:
    problems = lint(
        _feature(
            _scenario(
                "misspelt child",
                START,
                "And the child Nour was seen by video on 2025-02-05",
                "When the assessment is checked",
                "Then rule child-seen fails for Noor",
            )
        )
    )
    assert len(problems) == 1, problems
    assert 'bad.feature:6: there is no child called "Nour"' in problems[0]
    assert "Noor" in problems[0]


def test_a_check_about_an_adult_never_introduced_is_caught(lint: Lint) -> None:
    problems = lint(
        _feature(
            _scenario(
                "unknown adult",
                START,
                "And Lee was checked with the police on 2025-02-10",
                "When the assessment is checked",
                "Then rule child-seen passes",
            )
        )
    )
    assert len(problems) == 1, problems
    assert 'bad.feature:6: there is no child or adult called "Lee"' in problems[0]


def test_a_child_named_only_in_a_new_adults_parent_of_is_caught_at_that_step(lint: Lint) -> None:
    problems = lint(
        _feature(
            _scenario(
                "unknown child",
                START,
                "And an adult Lee, a step-parent of Amir",
                "When the assessment is checked",
                "Then rule child-seen passes",
            )
        )
    )
    assert len(problems) == 1, problems
    assert re.search(r'bad\.feature:6: .*"Amir", who is not in this scenario', problems[0])


def test_a_then_step_naming_somebody_never_introduced_is_caught_with_the_closest_name(
    lint: Lint,
) -> None:
    problems = lint(
        _feature(
            _scenario(
                "misspelt subject",
                START,
                "And the child Noor was seen by video on 2025-02-05",
                "When the assessment is checked",
                "Then rule child-seen fails for Noor and Amira",
            )
        )
    )
    assert len(problems) == 1, problems
    assert (
        'bad.feature:8: this step names "Amira", whom the scenario never introduced'
        in (problems[0])
    )
    assert 'did you mean "Amina"?' in problems[0]


def test_a_finding_about_somebody_never_introduced_is_caught(lint: Lint) -> None:
    problems = lint(
        _feature(
            _scenario(
                "unknown finding",
                START,
                "When the assessment is checked",
                'Then the finding of rule child-seen for Tyler says "seen"',
            )
        )
    )
    assert len(problems) == 1, problems
    assert 'bad.feature:7: this step names "Tyler"' in problems[0]


def test_an_adult_removed_from_the_record_cannot_be_named_afterwards(lint: Lint) -> None:
    problems = lint(
        _feature(
            _scenario(
                "removed",
                START,
                "And Dev is not in the record",
                "And there is no record of how Dev was considered",
                "When the assessment is checked",
                "Then rule child-seen passes",
            )
        )
    )
    assert len(problems) == 1, problems
    assert 'bad.feature:7: there is no adult called "Dev"' in problems[0]


def test_people_introduced_in_every_way_the_library_has_lint_clean(lint: Lint) -> None:
    scenario = _scenario(
        "everyone",
        START,
        "And another child Amir",
        "And an adult Lee, a partner of a parent",
        "And Eve was discharged from adult mental health services on 2025-03-10 for not attending",
        "And Health Visiting is involved with the family and was consulted on 2025-02-10",
        "And the child Amir was seen by video on 2025-02-05",
        "And a check on Lee with the police is still pending",
        "When the assessment is checked",
        "Then rule child-seen fails for Amir",
        "And rule child-seen passes for Noor",
        "And rule child-seen does not apply to Lee, Eve, Health Visiting and the assessment",
    )
    table = _scenario(
        "a table",
        START,
        "And the children:",
        "  | name | seen |",
        "  | Sam  | in person and alone on 2025-02-05 |",
        "When the assessment is checked",
        "Then rule child-seen passes for Sam",
    )
    assert lint(_feature(scenario, table)) == []


def test_a_name_introduced_in_the_background_may_be_used_in_every_scenario(lint: Lint) -> None:
    text = (
        "Feature: Background\n\n  Background:\n    "
        + START
        + "\n    And another child Amir\n\n"
        + _scenario("one", "When the assessment is checked", "Then rule child-seen passes for Amir")
        + "\n"
        + _scenario("two", "When the assessment is checked", "Then rule child-seen passes for Amr")
    )
    problems = lint(text)
    assert len(problems) == 1, problems
    assert 'bad.feature:15: this step names "Amr"' in problems[0]


def test_names_are_split_on_commas_and_and_keeping_known_names_whole() -> None:
    known = ["Noor", "Lee", "Health and Wellbeing", "the assessment"]
    assert split_names("Noor", known) == ["Noor"]
    assert split_names("Lee, Noor and Health and Wellbeing", known) == [
        "Lee",
        "Noor",
        "Health and Wellbeing",
    ]
    assert split_names("the assessment and Amir", known) == ["the assessment", "Amir"]
