"""The policy team's scenarios (`features/`): reading feature files, the feature lint, the
glossary of steps, the coverage of the review, and running the scenarios against a rules folder.

The step library (`features/conftest.py`) is read as data: its sentences, their docstrings and
the words they accept. Nothing here decides what a rule means; the checker does, when the
scenarios run under pytest-bdd.

This package needs pytest-bdd (and the gherkin parser it brings), which the `policy` extras
install; the command line imports it only for the commands that use it.

    features   feature files: steps, scenarios, the rule tags
    steps      the step library read as data
    lint       the feature lint
    people     the lint's reading of who each scenario introduces and names
    coverage   the review's paragraphs -> rules -> scenarios
    runner     running the scenarios under pytest-bdd and reading back each outcome
    docs       the glossary of steps and the table of facts
"""

from __future__ import annotations

from .coverage import COVERAGE_FILE, Coverage, coverage, paragraphs_of, render_coverage
from .docs import GLOSSARY_COMMAND, facts_table, glossary
from .features import (
    Feature,
    Scenario,
    Step,
    default_features_dir,
    feature_files,
    load_feature,
    marker_lines,
    read_features,
    rule_of_tag,
    rule_tag,
)
from .lint import lint
from .runner import REPORT_ENV, RULES_ENV, ScenarioRun, render_run, run_scenarios
from .steps import StepDef, StepLibrary, load_step_library

__all__ = [
    "COVERAGE_FILE",
    "GLOSSARY_COMMAND",
    "REPORT_ENV",
    "RULES_ENV",
    "Coverage",
    "Feature",
    "Scenario",
    "ScenarioRun",
    "Step",
    "StepDef",
    "StepLibrary",
    "coverage",
    "default_features_dir",
    "facts_table",
    "feature_files",
    "glossary",
    "lint",
    "load_feature",
    "load_step_library",
    "marker_lines",
    "paragraphs_of",
    "read_features",
    "render_coverage",
    "render_run",
    "rule_of_tag",
    "rule_tag",
    "run_scenarios",
]
