"""`closure-check rules book [--on DATE] --html FILE | --markdown FILE`: the rulebook, the rules
in force on a date as a document for managers (closure_check.rulebook), from the rule files
alone."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .common import ExitStatus, IsoDate, rules_option, user_errors

_OUTPUT = click.Path(path_type=Path, dir_okay=False, writable=True)


@click.command("book")
@rules_option
@click.option(
    "--on",
    "on",
    type=IsoDate(),
    default=None,
    help="The rules in force on this date (default: today).",
)
@click.option("--html", "html_path", type=_OUTPUT, help="Write the rulebook as a web page.")
@click.option("--markdown", "md_path", type=_OUTPUT, help="Write the rulebook as Markdown.")
@user_errors
def rules_book(
    rules_dir: Path | None, on: date | None, html_path: Path | None, md_path: Path | None
) -> None:
    """Write the rulebook: each rule in force on the date, with its title, severity, the review
    paragraph quoted, what it checks and why, who may make a judgement, and its examples as
    small tables. Give --html FILE, --markdown FILE or both."""
    from ..audit import check_outputs
    from ..output import write_private
    from ..rulebook import html_book, markdown_book
    from ..rulefile import load_rules

    if html_path is None and md_path is None:
        click.echo("closure-check: give --html FILE or --markdown FILE (or both).", err=True)
        sys.exit(ExitStatus.INPUT)
    check_outputs([html_path, md_path])
    loaded = load_rules(rules_dir)
    day = on or date.today()
    written = []
    if html_path is not None:
        write_private(html_path, html_book(loaded, day))
        written.append(str(html_path))
    if md_path is not None:
        write_private(md_path, markdown_book(loaded, day))
        written.append(str(md_path))
    click.echo("Wrote " + ", ".join(written) + ".")
