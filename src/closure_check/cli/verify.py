"""`closure-check verify REPORT RECORD`: does a report kept in a case file still say what
checking its record gives? (The work is in verify.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ExitStatus, rules_option, user_errors


@click.command()
@click.argument("report", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("record", type=click.Path(path_type=Path, dir_okay=False))
@rules_option
@user_errors
def verify(report: Path, record: Path, rules_dir: Path | None) -> None:
    """Check RECORD again as of the date in REPORT (a report written by `check --format json`)
    and say whether the result is identical: the verdict, each rule's status and every finding.

    Warns when the rules, the tool or the record file differ from those the report was made
    with. Exit status: 0 identical, 1 different, 2 input error."""
    from ..api import checker_for
    from ..verify import verify as verify_report

    result = verify_report(report, record, checker_for(rules_dir))
    click.echo(result.summary(), nl=False)
    for warning in result.warnings:
        click.echo(f"closure-check: warning: {warning}", err=True)
    sys.exit(ExitStatus.PASS if result.identical else ExitStatus.FAIL)
