"""`closure-check check FILE`: a social worker checks one record before closing it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .common import ExitStatus, as_of_option, rules_option, user_errors


@click.command()
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
    from ..api import check_file, checker_for
    from ..render import report_html, report_text

    report = check_file(file, checker_for(rules_dir), as_of=as_of or date.today())
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
    sys.exit(ExitStatus.FAIL if report.verdict == "fail" else ExitStatus.PASS)


def _write_report(path: Path, text: str, *, record_file: Path) -> None:
    """A report file fit for a case file: written whole or not at all, readable by its owner
    only. Not being able to write it is the user's to put right (exit 2), not a traceback."""
    from ..errors import InputError, Problem
    from ..output import write_private

    def refuse(message: str) -> InputError:
        return InputError([Problem(str(path), None, "", message)])

    if path.exists() and record_file.exists() and path.samefile(record_file):
        raise refuse("is the record being checked: the report would overwrite it")
    try:
        write_private(path, text)
    except OSError as e:
        raise refuse(f"the report could not be written: {e.strerror or e}") from None


@click.command()
def schema() -> None:
    """Print the JSON Schema of the record format."""
    import json

    from ..record import record_json_schema

    click.echo(json.dumps(record_json_schema(), indent=2, ensure_ascii=False))
