"""`closure-check rules impact --rules DRAFT [--base DIR] PATH...`: what a draft of the rules
would do to the records a team already has. The work is done by closure_check.impact; this
module parses the options, writes the outputs and chooses the exit status."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from .common import ExitStatus, as_of_option, user_errors, workers_option

_OUTPUT = click.Path(path_type=Path, dir_okay=False, writable=True)
_FOLDER = click.Path(path_type=Path)


@click.command("impact")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rules", "draft", type=_FOLDER, required=True, help="The draft rules folder.")
@click.option(
    "--base",
    "base",
    type=_FOLDER,
    default=None,
    help="The rules to compare the draft with (default: the bundled rules).",
)
@click.option("--json", "json_path", type=_OUTPUT, help="Write the impact as JSON to FILE.")
@click.option("--html", "html_path", type=_OUTPUT, help="Write it as one web page to FILE.")
@click.option("--csv", "csv_path", type=_OUTPUT, help="Write one row per change to FILE.")
@as_of_option
@workers_option
@user_errors
def rules_impact(
    paths: tuple[Path, ...],
    draft: Path,
    base: Path | None,
    json_path: Path | None,
    html_path: Path | None,
    csv_path: Path | None,
    as_of: date | None,
    workers: int,
) -> None:
    """Check every record in the given files, folders and JSON Lines files under the base rules
    and under the draft, as the audit checks them, and say what the draft would change: records
    whose verdict changes, each way; per rule, failing findings that appear and disappear; and
    records invalid under either.

    Exit status: 0 nothing changes, 1 something does, 2 bad rules or nothing could be read.
    """
    from ..audit import check_outputs
    from ..impact import impact, summary_text, write_impact

    outputs = [p for p in (json_path, html_path, csv_path) if p is not None]
    check_outputs(outputs)
    result = impact(
        paths, draft=draft, base=base, as_of=as_of or date.today(), workers=workers, skip=outputs
    )
    written = write_impact(result, json_path=json_path, html_path=html_path, csv_path=csv_path)
    click.echo(summary_text(result), nl=False)
    if written:
        click.echo("Wrote " + ", ".join(str(p) for p in written) + ".")
    if result.read == 0:
        click.echo("closure-check: no record was found; nothing was checked.", err=True)
        sys.exit(ExitStatus.INPUT)
    sys.exit(ExitStatus.FAIL if result.anything_changed else ExitStatus.PASS)
