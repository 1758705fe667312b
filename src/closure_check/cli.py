"""The `closure-check` command: parse options, call the library, print, choose the exit status.

Exit status: 0 pass, 1 fail, 2 input error (unreadable file, invalid record, bad rule files,
bad option), 3 an internal error of the checker itself (never the user's mistake).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from ._cliutil import EXIT_FAIL, EXIT_INPUT, EXIT_PASS, as_of_option, rules_option, user_errors
from .checker import Checker, check_file, checker_for
from .record import record_json_schema


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="closure-check")
def main() -> None:
    """Check an assessment record against the Child J serious case review before it is
    completed or closed."""


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="How to print the report.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the report to this file (all at once, readable by you only) instead of printing.",
)
@as_of_option
@rules_option
@user_errors
def check(
    file: Path, fmt: str, output: Path | None, as_of: date | None, rules_dir: Path | None
) -> None:
    """Check one record (JSON or YAML) and print its report (or write it to --output).

    Exit status: 0 pass, 1 fail, 2 input error."""
    from .render import report_html, report_text

    as_of = as_of or date.today()
    checker: Checker = checker_for(rules_dir)
    report = check_file(file, checker, as_of=as_of)
    if fmt == "json":
        text = report.to_json()
    elif fmt == "html":
        text = report_html(report)
    else:
        text = report_text(report)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write_report(output, text, record_file=file)
        click.echo(f"closure-check: the report ({report.verdict}) is in {output}", err=True)
    sys.exit(EXIT_FAIL if report.verdict == "fail" else EXIT_PASS)


def _write_report(path: Path, text: str, *, record_file: Path) -> None:
    """A report file fit for a case file: written whole or not at all, readable by its owner
    only. Not being able to write it is the user's to put right (exit 2), not a traceback."""
    from .errors import InputError, Problem
    from .output import write_private

    def refuse(message: str) -> InputError:
        return InputError([Problem(str(path), None, "", message)])

    if path.exists() and record_file.exists() and path.samefile(record_file):
        raise refuse("is the record being checked: the report would overwrite it")
    try:
        write_private(path, text)
    except OSError as e:
        raise refuse(f"the report could not be written: {e.strerror or e}") from None


@main.command()
def schema() -> None:
    """Print the JSON Schema of the record format."""
    import json

    click.echo(json.dumps(record_json_schema(), indent=2, ensure_ascii=False))


@main.group()
def rules() -> None:
    """The rule catalogue: list the rules, or explain one."""


@rules.command("list")
@rules_option
@user_errors
def rules_list(rules_dir: Path | None) -> None:
    """List every rule: id, severity, review paragraph and title."""
    checker = checker_for(rules_dir)
    width = max(len(lr.rule.id) for lr in checker.rules)
    for lr in checker.rules:
        r = lr.rule
        click.echo(f"{r.id:<{width}}  {r.severity:<8}  {r.source.paragraph:<14}  {r.title}")


@rules.command("show")
@click.argument("rule_id")
@rules_option
@user_errors
def rules_show(rule_id: str, rules_dir: Path | None) -> None:
    """Explain one rule: what it checks, why, its source quoted, and its examples."""
    from .render import render

    checker = checker_for(rules_dir)
    lr = checker.rules.get(rule_id)
    if lr is None:
        known = ", ".join(r.rule.id for r in checker.rules)
        click.echo(f'closure-check: there is no rule "{rule_id}". The rules are: {known}', err=True)
        sys.exit(EXIT_INPUT)
    click.echo(render("rule.txt", rule=lr.rule, path=lr.path), nl=False)


# Commands that live in their own modules are registered here.
from .cli_policy import rules_coverage, scenarios  # noqa: E402

main.add_command(scenarios)
rules.add_command(rules_coverage)
from .cli_audit import audit  # noqa: E402

main.add_command(audit)
from .cli_verify import verify  # noqa: E402

main.add_command(verify)


if __name__ == "__main__":  # pragma: no cover
    main()
