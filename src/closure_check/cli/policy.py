"""The policy team's commands: `closure-check scenarios` and `closure-check rules coverage`.

They need pytest-bdd (the `policy` extras), so `policy` is imported only when they run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError, Problem
from .common import ExitStatus, rules_option, user_errors

features_option = click.option(
    "--features",
    "features_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A features folder (default: ./features, or the checkout's).",
)


def _need_policy() -> None:
    """These commands need pytest-bdd; say so plainly when it is not installed."""
    try:
        from .. import policy  # noqa: F401
    except ImportError as e:
        click.echo(
            f"closure-check: this command needs pytest-bdd ({e.name} is missing): install "
            "closure-check with its policy extras: pip install 'closure-check[policy]'",
            err=True,
        )
        sys.exit(ExitStatus.INPUT)


def _features(features_dir: Path | None) -> Path:
    from ..policy import default_features_dir

    folder = default_features_dir() if features_dir is None else features_dir
    if not folder.is_dir():
        raise InputError([Problem(str(folder), None, "", "is not a folder of feature files")])
    return folder


@click.command("scenarios")
@rules_option
@features_option
@click.option("--lint", "lint_only", is_flag=True, help="Only check the feature files.")
@click.option("--glossary", is_flag=True, help="Print the glossary of steps (docs/steps.md).")
@user_errors
def scenarios(
    rules_dir: Path | None, features_dir: Path | None, lint_only: bool, glossary: bool
) -> None:
    """Run the scenarios in the features folder against a rules folder (a policy team's draft
    with --rules), and say which passed and, for a failure, the step and what the checker
    decided.

    The feature files are checked first (the feature lint); a problem there stops the run.
    Exit status: 0 every scenario passed (or, with --lint, the features are clean), 1 a
    scenario failed (or the lint found problems), 2 bad input."""
    _need_policy()
    from .. import policy
    from ..api import checker_for

    folder = _features(features_dir)
    library = policy.load_step_library(folder)
    if glossary:
        click.echo(policy.glossary(library), nl=False)
        return
    checker = checker_for(rules_dir)  # a broken rules folder stops here, with its problems
    problems = policy.lint(folder, [lr.rule.id for lr in checker.rules], library)
    for p in problems:
        click.echo(str(p), err=not lint_only)
    if lint_only:
        n = len(problems)
        click.echo(
            f"{n} problem{'s' if n != 1 else ''} in the feature files."
            if n
            else "The feature files are clean."
        )
        sys.exit(ExitStatus.FAIL if problems else ExitStatus.PASS)
    if problems:
        click.echo(
            f"closure-check: the feature files have {len(problems)} problem(s), listed above; "
            "no scenario was run.",
            err=True,
        )
        sys.exit(ExitStatus.INPUT)
    from ..rulefile import bundled_rules_dir

    rules_folder = rules_dir if rules_dir is not None else bundled_rules_dir()
    run = policy.run_scenarios(folder, rules_folder)
    click.echo(policy.render_run(run, folder, rules_folder), nl=False)
    if run.broken:
        sys.exit(ExitStatus.INPUT)
    sys.exit(ExitStatus.FAIL if run.failed else ExitStatus.PASS)


@click.command("coverage")
@rules_option
@features_option
@user_errors
def rules_coverage(rules_dir: Path | None, features_dir: Path | None) -> None:
    """Show which rules encode each paragraph of the review on assessment, closure and
    discharge, and how many scenarios show each rule passing, failing and not applying.

    Exit status: 0 complete, 1 a gap (a rule without a passing or a failing scenario, or a
    paragraph neither encoded nor marked as not checkable), 2 bad input."""
    _need_policy()
    from .. import policy
    from ..api import checker_for

    folder = _features(features_dir)
    library = policy.load_step_library(folder)
    checker = checker_for(rules_dir)
    cov = policy.coverage(checker.rules, folder, library)
    click.echo(policy.render_coverage(cov), nl=False)
    sys.exit(ExitStatus.PASS if cov.complete else ExitStatus.FAIL)
