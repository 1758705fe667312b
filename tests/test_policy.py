"""The policy team's tooling: the feature lint, the glossary, the coverage of the review, the
scenario runner, and the documents generated from code (docs/steps.md, docs/rule-format.md)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from closure_check import policy
from closure_check.api import checker_for
from closure_check.cli import main
from closure_check.errors import InputError
from closure_check.rulefile import Condition, Every, Part, Requirement, Rule, TermsFile

from .conftest import ROOT, RULES

FEATURES = ROOT / "features"
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def library() -> policy.StepLibrary:
    return policy.load_step_library(FEATURES)


@pytest.fixture(scope="module")
def rule_ids() -> list[str]:
    return [lr.rule.id for lr in checker_for(RULES).rules]


def _feature(folder: Path, text: str, name: str = "bad.feature") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


Lint = Callable[[str], list[str]]


@pytest.fixture
def lint(tmp_path: Path, library: policy.StepLibrary, rule_ids: list[str]) -> Lint:
    """Lint one feature file, written from `text`, with the catalogue's steps and rules."""

    def run(text: str) -> list[str]:
        _feature(tmp_path / "features", text)
        return [str(p) for p in policy.lint(tmp_path / "features", rule_ids, library)]

    return run


GOOD = """
Feature: A good feature
  @rule_child_seen
  Scenario: Noor was seen
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule child-seen passes
"""


def _one(problems: list[str], line: int, *words: str) -> None:
    """Exactly one problem, at `line` of bad.feature, saying all of `words`."""
    assert len(problems) == 1, problems
    assert re.search(rf"bad\.feature:{line}: ", problems[0]), problems
    for w in words:
        assert w in problems[0], problems


# -- the features of the catalogue -----------------------------------------------------------


def test_the_catalogue_features_lint_clean(
    library: policy.StepLibrary, rule_ids: list[str]
) -> None:
    assert [str(p) for p in policy.lint(FEATURES, rule_ids, library)] == []


def test_a_good_feature_lints_clean(lint: Lint) -> None:
    assert lint(GOOD) == []


def test_every_catalogue_rule_has_a_feature_file_of_its_own(rule_ids: list[str]) -> None:
    for lr in checker_for(RULES).rules:
        assert (FEATURES / lr.path.with_suffix(".feature").name).is_file(), lr.rule.id


# -- the lint catches each kind of mistake, with file:line -----------------------------------


def test_a_step_keyword_with_a_colon_is_caught(lint: Lint) -> None:
    problems = lint(GOOD.replace("Then rule", "Then: rule"))
    assert any(re.search(r"bad\.feature:6: \"Then:\" is not a step keyword", p) for p in problems)


def test_a_colon_keyword_before_the_first_step_silently_becomes_description(lint: Lint) -> None:
    text = GOOD.replace("    Given an", "    Then: nothing is checked\n    Given an")
    problems = lint(text)
    _one(problems, 4, '"Then:" is not a step keyword')


def test_a_misspelt_keyword_is_caught(lint: Lint) -> None:
    problems = lint(GOOD.replace("    Given an", "    Gven an"))
    assert any('bad.feature:4: "Gven" looks like a misspelt "Given"' in p for p in problems)


def test_a_keyword_without_its_capital_letter_is_caught(lint: Lint) -> None:
    text = GOOD.replace("    When the", "    when the")
    problems = lint(text)
    assert any('bad.feature:5: "when" is not a keyword' in p and '"When"' in p for p in problems)


def test_a_misspelt_scenario_line_is_caught(lint: Lint) -> None:
    text = GOOD + "\n  @rule_child_seen\n  Scenaro: another\n    Given nothing\n"
    problems = lint(text)
    assert any('bad.feature:9: "Scenaro" looks like a misspelt "Scenario"' in p for p in problems)


def test_a_stray_line_in_a_scenario_is_caught(lint: Lint) -> None:
    text = GOOD.replace("    When the", "    Noor lives with her aunt\n    When the")
    problems = lint(text)
    _one(problems, 5, "is not a step, a table row or a comment", "comment with #")


def test_description_text_of_a_feature_is_allowed(lint: Lint) -> None:
    text = GOOD.replace(
        "Feature: A good feature",
        "Feature: A good feature\n  When a child is seen, the review says so.\n  Rules are data.",
    )
    assert lint(text) == []


def test_an_undefined_step_is_caught_with_the_closest_step(lint: Lint) -> None:
    text = GOOD.replace(
        "    When", "    And the child Noor was visited by video on 2025-02-05\n    When"
    )
    problems = lint(text)
    _one(
        problems,
        5,
        "no step in the step library reads",
        'did you mean "the child <child> was seen <how> on <date>"',
    )


def test_a_step_under_the_wrong_keyword_is_caught(lint: Lint) -> None:
    text = GOOD.replace(
        "    When the assessment", "    Given rule child-seen passes\n    When the assessment"
    )
    problems = lint(text)
    _one(problems, 5, "is a Then step", "put it under Then")


def test_an_ambiguous_step_is_caught(tmp_path: Path, rule_ids: list[str]) -> None:
    folder = tmp_path / "features"
    folder.mkdir()
    (folder / "conftest.py").write_text(
        textwrap.dedent('''
        from pytest_bdd import given, parsers, then

        @given(parsers.parse("a child {name}"))
        def _(name):
            """A child.

            Example:
                Given a child Noor
            """

        @given(parsers.parse("a child {name} aged {age}"))
        def _(name, age):
            """A child of an age.

            Example:
                Given a child Noor aged 3
            """

        @then("nothing")
        def _():
            """Nothing.

            Example:
                Then nothing
            """
    '''),
        encoding="utf-8",
    )
    _feature(
        folder,
        """
        Feature: ambiguity
          @rule_child_seen
          Scenario: two steps read this
            Given a child Noor aged 3
            Then nothing
        """,
    )
    problems = [str(p) for p in policy.lint(folder, rule_ids, policy.load_step_library(folder))]
    _one(
        problems, 4, "matches more than one step", '"a child <name>"', '"a child <name> aged <age>"'
    )


def test_a_scenario_with_no_steps_is_caught(lint: Lint) -> None:
    text = GOOD + "\n  @rule_child_seen\n  Scenario: nothing here\n"
    problems = lint(text)
    _one(problems, 9, 'the scenario "nothing here" has no steps')


def test_a_scenario_with_no_then_step_is_caught(lint: Lint) -> None:
    text = GOOD.replace("    Then rule child-seen passes\n", "")
    problems = lint(text)
    _one(problems, 3, "has no Then step, so it checks nothing")


def test_an_unknown_rule_in_a_tag_is_caught_with_the_closest_rule(lint: Lint) -> None:
    text = GOOD.replace("@rule_child_seen", "@rule_child_seen @rule_child_sen")
    problems = lint(text)
    _one(
        problems,
        2,
        'names a rule "child-sen" that is not in the rules folder',
        "did you mean @rule_child_seen?",
    )


def test_a_tag_that_is_not_a_rule_tag_is_caught(lint: Lint) -> None:
    problems = lint(GOOD.replace("@rule_child_seen", "@rule_child_seen @wip"))
    _one(problems, 2, '"@wip" is not a rule tag')


def test_an_untagged_scenario_is_caught(lint: Lint) -> None:
    problems = lint(GOOD.replace("  @rule_child_seen\n", ""))
    assert any("bad.feature:2: " in p and "is not tagged with the rule" in p for p in problems)


def test_an_unknown_rule_in_a_step_is_caught(lint: Lint) -> None:
    text = GOOD.replace("Then rule child-seen passes", "Then rule child-sen passes")
    problems = lint(text)
    _one(
        problems,
        6,
        'there is no rule "child-sen" in the rules folder',
        'did you mean "child-seen"?',
    )


def test_a_step_naming_a_rule_the_scenario_is_not_tagged_with_is_caught(lint: Lint) -> None:
    text = GOOD + "    And rule each-child-own-outcome passes\n"
    problems = lint(text)
    _one(
        problems, 7, "names rule each-child-own-outcome", "not tagged @rule_each_child_own_outcome"
    )


def test_a_word_a_step_does_not_know_is_caught(lint: Lint) -> None:
    text = GOOD.replace(
        "    When", "    And the child Noor was seen by drone on 2025-02-05\n    When"
    )
    problems = lint(text)
    _one(problems, 5, '"by drone" is not a way of seeing a child', '"in person"')


def test_a_table_under_a_step_that_takes_none_is_caught(lint: Lint) -> None:
    text = GOOD.replace("    When", "    And no checks were made\n      | a | b |\n    When")
    problems = lint(text)
    _one(problems, 5, "takes no table")


def test_a_step_that_needs_a_table_without_one_is_caught(lint: Lint) -> None:
    text = GOOD.replace("    When", "    And the checks:\n    When")
    problems = lint(text)
    _one(problems, 5, "needs a table under it")


def test_two_scenarios_with_the_same_name_are_caught(lint: Lint) -> None:
    text = GOOD + GOOD.split("\n", 2)[2]
    problems = lint(text)
    _one(problems, 8, 'a second scenario is called "Noor was seen"', "line 3")


def test_a_scenario_starting_with_and_is_caught(lint: Lint) -> None:
    problems = lint(GOOD.replace("    Given an", "    And an"))
    _one(problems, 4, 'starts with "And"')


def test_gherkin_it_cannot_read_is_reported_with_its_line(lint: Lint) -> None:
    text = GOOD.replace(
        "    When", "    And the checks:\n      | about | source |\n      | x |\n    When"
    )
    problems = lint(text)
    assert any("bad.feature:7: " in p and "same number of cells" in p for p in problems), problems


def test_a_folder_with_no_features_is_reported(
    tmp_path: Path, library: policy.StepLibrary, rule_ids: list[str]
) -> None:
    assert [p.message for p in policy.lint(tmp_path, rule_ids, library)] == [
        "has no .feature files"
    ]


def test_the_lint_command_prints_file_and_line_and_fails(tmp_path: Path) -> None:
    folder = tmp_path / "features"
    _feature(folder, GOOD.replace("Then rule", "Then: rule"))
    shutil.copy(FEATURES / "conftest.py", folder / "conftest.py")
    result = CliRunner().invoke(main, ["scenarios", "--lint", "--features", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'bad.feature'}:6: " in result.output
    assert "1 problem in the feature files." in result.output
    # Running the scenarios lints them first, and runs nothing when the lint finds a problem.
    result = CliRunner().invoke(main, ["scenarios", "--features", str(folder)])
    assert result.exit_code == 2
    assert "no scenario was run" in result.output


def test_the_lint_command_on_the_catalogue_is_clean() -> None:
    result = CliRunner().invoke(main, ["scenarios", "--lint", "--features", str(FEATURES)])
    assert result.exit_code == 0, result.output
    assert "The feature files are clean." in result.output


# -- the step library and its glossary ---------------------------------------------------------


def test_docs_steps_md_is_the_glossary_of_the_step_library(library: policy.StepLibrary) -> None:
    expected = policy.glossary(library)
    actual = (DOCS / "steps.md").read_text(encoding="utf-8")
    assert actual == expected, f"docs/steps.md is out of date: run `{policy.GLOSSARY_COMMAND}`"


def test_the_glossary_command_prints_docs_steps_md() -> None:
    result = CliRunner().invoke(main, ["scenarios", "--glossary", "--features", str(FEATURES)])
    assert result.exit_code == 0
    assert result.output == (DOCS / "steps.md").read_text(encoding="utf-8")


def test_every_step_says_when_to_use_it_and_gives_an_example(library: policy.StepLibrary) -> None:
    assert len(library.steps) > 40
    for step in library.steps:
        assert step.doc, f"conftest.py:{step.line}: {step.pattern} has no docstring"
        assert step.example_steps, f"conftest.py:{step.line}: {step.pattern} has no example"
        assert step.section, f"conftest.py:{step.line}: {step.pattern} is in no section"


def test_each_example_in_the_glossary_is_read_by_its_own_step_only(
    library: policy.StepLibrary,
) -> None:
    kinds = {"Given": "given", "When": "when", "Then": "then"}
    for step in library.steps:
        kind = step.kind
        for keyword, text, table in step.example_steps:
            kind = kinds.get(keyword, kind)
            found = library.matching(kind, text)
            assert len(found) == 1, (step.pattern, text, [s.pattern for s in found])
            assert found[0].function is step.function or keyword in ("And", "But"), (step, text)
            assert bool(table) == found[0].takes_table, (text, table)


def test_every_placeholder_of_every_step_is_described(library: policy.StepLibrary) -> None:
    for step in library.steps:
        for name in step.placeholders:
            assert library.placeholders.get(name), f"{step.pattern}: <{name}> is not described"


def test_the_sections_of_the_glossary_are_given_when_then_in_that_order(
    library: policy.StepLibrary,
) -> None:
    kinds = [s.kind for s in library.steps]
    assert kinds == sorted(kinds, key=["given", "when", "then"].index)


# -- markers ----------------------------------------------------------------------------------


def test_setup_cfg_registers_one_marker_per_rule(rule_ids: list[str]) -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    registered = [line.strip() for line in config["tool:pytest"]["markers"].splitlines() if line]
    assert registered == policy.marker_lines(rule_ids), (
        "setup.cfg's markers must list exactly one line per rule, in catalogue order:\n"
        + "\n".join(f"    {line}" for line in policy.marker_lines(rule_ids))
    )


def test_a_rule_tag_gives_back_its_rule_id(rule_ids: list[str]) -> None:
    for rule in rule_ids:
        assert policy.rule_of_tag(policy.rule_tag(rule)) == rule
        assert policy.rule_tag(rule).isidentifier()
    assert policy.rule_of_tag("wip") is None


# -- docs/rule-format.md ----------------------------------------------------------------------

BEGIN, END = "<!-- begin generated facts table -->\n", "<!-- end generated facts table -->"


def test_the_facts_table_of_the_rule_format_is_current() -> None:
    path = DOCS / "rule-format.md"
    text = path.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    if os.environ.get("CLOSURE_CHECK_UPDATE_DOCS") == "1":
        text = text[:start] + policy.facts_table() + text[stop:]
        path.write_text(text, encoding="utf-8")
    assert text[start:stop] == policy.facts_table(), (
        "docs/rule-format.md's facts table is out of date: run "
        "CLOSURE_CHECK_UPDATE_DOCS=1 python -m pytest tests/test_policy.py -k facts_table"
    )


def test_every_field_of_the_rule_format_is_documented() -> None:
    text = (DOCS / "rule-format.md").read_text(encoding="utf-8")
    for model in (Rule, Part, Condition, Requirement, Every, TermsFile):
        for name, info in model.model_fields.items():
            shown = info.alias or name
            assert f"`{shown}" in text or f"{shown}:" in text, f"{model.__name__}.{shown}"
    for test in (
        "ne",
        "in",
        "not_in",
        "lt",
        "lte",
        "gt",
        "gte",
        "between",
        "any_of",
        "present",
        "absent",
        "record.",
        "subject.",
        "data.",
        "for_each",
    ):
        assert f"`{test}" in text, test


# -- coverage of the review ---------------------------------------------------------------------

REQUIRED = (
    ["6.2.2", "6.2.4"]
    + [f"6.4.{n}" for n in range(2, 11)]
    + ["6.10.1", "6.10.2", "6.10.3", "6.13.1"]
)


def test_the_catalogue_covers_the_review(library: policy.StepLibrary) -> None:
    cov = policy.coverage(checker_for(RULES).rules, FEATURES, library)
    assert cov.problems == []
    listed = [row.paragraph for row in cov.paragraphs]
    assert set(REQUIRED) <= set(listed)
    intro = next(row for row in cov.paragraphs if row.paragraph == "6.4.1")
    assert intro.not_checkable and "introduction" in intro.not_checkable.lower()
    for rc in cov.rules.values():
        assert rc.passing and rc.failing, rc.rule_id


def test_the_coverage_command_prints_the_matrix() -> None:
    result = CliRunner().invoke(main, ["rules", "coverage", "--features", str(FEATURES)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert re.search(
        r"6\.10\.3 .*\n\s+discharge-disclosure-decided\s+\d+ passing\s+\d+ failing", out
    )
    assert "not checkable from a record: An introduction" in out
    assert "every paragraph is encoded or marked" in out


def test_coverage_fails_for_a_rule_without_a_failing_scenario(
    tmp_path: Path, library: policy.StepLibrary
) -> None:
    folder = tmp_path / "features"
    shutil.copytree(FEATURES, folder, ignore=shutil.ignore_patterns("__py*", "02-*"))
    cov = policy.coverage(checker_for(RULES).rules, folder, library)
    assert "rule child-seen has no failing scenario" in cov.problems
    result = CliRunner().invoke(main, ["rules", "coverage", "--features", str(folder)])
    assert result.exit_code == 1
    assert "rule child-seen has no failing scenario" in result.output


def test_coverage_fails_for_a_paragraph_neither_encoded_nor_marked(
    tmp_path: Path, library: policy.StepLibrary
) -> None:
    folder = tmp_path / "features"
    shutil.copytree(FEATURES, folder, ignore=shutil.ignore_patterns("__py*"))
    listed = folder / policy.COVERAGE_FILE
    listed.write_text(
        listed.read_text(encoding="utf-8")
        + '  - paragraph: "6.9.4"\n'
        + "    concerns: probation records a decision whether to notify\n"
        + '  - paragraph: "6.4.3"\n'
        + "    concerns: a second listing of 6.4.3\n"
        + "    not_checkable: wrongly marked\n",
        encoding="utf-8",
    )
    cov = policy.coverage(checker_for(RULES).rules, folder, library)
    assert any(p.startswith("paragraph 6.9.4 is encoded by no rule") for p in cov.problems)
    assert any(p.startswith("paragraph 6.4.3 is marked not_checkable") for p in cov.problems)


def test_an_empty_not_checkable_does_not_excuse_a_paragraph(
    tmp_path: Path, library: policy.StepLibrary
) -> None:
    folder = tmp_path / "features"
    shutil.copytree(FEATURES, folder, ignore=shutil.ignore_patterns("__py*"))
    listed = folder / policy.COVERAGE_FILE
    listed.write_text(
        listed.read_text(encoding="utf-8")
        + '  - paragraph: "6.9.4"\n'
        + "    concerns: probation records a decision whether to notify\n"
        + "    not_checkable:\n",
        encoding="utf-8",
    )
    cov = policy.coverage(checker_for(RULES).rules, folder, library)
    assert any(p.startswith("paragraph 6.9.4 is encoded by no rule") for p in cov.problems)


def test_a_field_given_twice_in_the_coverage_file_is_refused(
    tmp_path: Path, library: policy.StepLibrary
) -> None:
    folder = tmp_path / "features"
    shutil.copytree(FEATURES, folder, ignore=shutil.ignore_patterns("__py*"))
    listed = folder / policy.COVERAGE_FILE
    listed.write_text(
        listed.read_text(encoding="utf-8")
        + '  - paragraph: "6.9.4"\n'
        + '    paragraph: "6.9.5"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="twice"):
        policy.coverage(checker_for(RULES).rules, folder, library)


def test_a_rule_citing_several_paragraphs_is_listed_under_each() -> None:
    assert policy.paragraphs_of("6.10.2, 6.10.3") == ["6.10.2", "6.10.3"]
    assert policy.paragraphs_of("Working Together") == []


# -- running the scenarios against a rules folder -------------------------------------------------

RUN = """
Feature: a small run
  @rule_child_seen
  Scenario: Noor was seen in person
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    When the assessment is checked
    Then rule child-seen passes

  @rule_child_seen
  Scenario: A scenario that expects the wrong thing
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And the child Noor was seen by video on 2025-02-05
    When the assessment is checked
    Then rule child-seen passes

  @rule_supporting_adults_checked
  Scenario: A scenario that names someone not in it
    Given an initial assessment of Noor started on 2025-02-03 and completed on 2025-02-20
    And Lea was checked with the police on 2025-02-05
    When the assessment is checked
    Then rule supporting-adults-checked does not apply
"""


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, policy.ScenarioRun]:
    folder = tmp_path_factory.mktemp("run") / "features"
    folder.mkdir()
    for name in ("conftest.py", "test_scenarios.py"):
        shutil.copy(FEATURES / name, folder / name)
    _feature(folder, RUN, "small.feature")
    return folder, policy.run_scenarios(folder, RULES)


def test_a_run_reports_each_scenario(small_run: tuple[Path, policy.ScenarioRun]) -> None:
    _, run = small_run
    assert [(o.name, o.passed) for o in run.outcomes] == [
        ("Noor was seen in person", True),
        ("A scenario that expects the wrong thing", False),
        ("A scenario that names someone not in it", False),
    ]
    assert not run.broken


def test_a_failure_says_which_step_and_what_the_checker_decided(
    small_run: tuple[Path, policy.ScenarioRun],
) -> None:
    folder, run = small_run
    text = policy.render_run(run, folder, RULES)
    assert "  passed  line 3    Noor was seen in person" in text
    assert "  FAILED  line 9    A scenario that expects the wrong thing" in text
    assert "at line 13: Then rule child-seen passes" in text
    assert "The checker decided: rule child-seen failed." in text
    assert "Noor: fail - Noor was not seen in person" in text
    assert "3 scenarios: 1 passed, 2 failed." in text


def test_a_mistake_in_a_scenario_is_reported_in_plain_words(
    small_run: tuple[Path, policy.ScenarioRun],
) -> None:
    _, run = small_run
    failure = run.outcomes[2]
    assert failure.step_line == 18 and failure.step.startswith("And Lea was checked")
    assert 'there is no child or adult called "Lea" in this scenario' in failure.message
    assert "(its children and adults: Noor, Amina, Dev)" in failure.message


def test_the_scenarios_command_exits_1_when_a_scenario_fails(tmp_path: Path) -> None:
    folder = tmp_path / "features"
    folder.mkdir()
    for name in ("conftest.py", "test_scenarios.py"):
        shutil.copy(FEATURES / name, folder / name)
    _feature(folder, RUN.split("\n  @rule_supporting")[0], "small.feature")
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules, ignore=shutil.ignore_patterns("__py*"))
    result = CliRunner().invoke(
        main, ["scenarios", "--rules", str(rules), "--features", str(folder)]
    )
    assert result.exit_code == 1, result.output
    assert "2 scenarios: 1 passed, 1 failed." in result.output


def test_the_scenarios_command_exits_2_for_a_broken_rules_folder(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules, ignore=shutil.ignore_patterns("__py*"))
    path = rules / "02-child-seen.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity:", "severty:"), "utf-8")
    result = CliRunner().invoke(
        main, ["scenarios", "--rules", str(rules), "--features", str(FEATURES)]
    )
    assert result.exit_code == 2
    assert "02-child-seen.yaml" in result.output and "severty" in result.output


def test_the_scenarios_command_exits_2_for_a_missing_features_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scenarios", "--features", str(tmp_path / "nothing")])
    assert result.exit_code == 2
    assert "is not a folder of feature files" in result.output


def test_a_features_folder_without_its_step_library_is_bad_input(tmp_path: Path) -> None:
    _feature(tmp_path, GOOD)
    result = CliRunner().invoke(main, ["scenarios", "--lint", "--features", str(tmp_path)])
    assert result.exit_code == 2
    assert "conftest.py: missing: a features folder needs its step library" in result.output
