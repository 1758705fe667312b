"""`closure-check audit PATH...`: check a whole team's records and write the exception report.

The work is done by `audit.run`; this module parses the options, shows progress on a terminal,
writes the outputs and chooses the exit status.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import ExitStatus, as_of_option, rules_option, user_errors, workers_option

if TYPE_CHECKING:  # the audit's own imports are left until it runs: `check` starts faster
    from ..audit import Counts

_OUTPUT = click.Path(path_type=Path, dir_okay=False, writable=True)


class _Progress:
    """A one-line counter on standard error, redrawn at most ten times a second."""

    def __init__(self) -> None:
        self._last = 0.0
        self._counts: Counts | None = None

    def __call__(self, counts: Counts) -> None:
        self._counts = counts
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        c = self._counts
        if c is not None:
            records = "record" if c.read == 1 else "records"
            counts = f"{c.passed} passed, {c.failed} failed, {c.invalid} invalid"
            click.echo(f"\rchecked {c.read} {records}: {counts}", nl=False, err=True)

    def close(self) -> None:
        if self._counts is not None:
            self._draw()
            click.echo(err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=_OUTPUT, help="Write the audit as JSON to FILE.")
@click.option(
    "--html",
    "html_path",
    type=_OUTPUT,
    help="Write the exception report, one self-contained web page, to FILE.",
)
@click.option(
    "--csv",
    "csv_path",
    type=_OUTPUT,
    help="Write one row per exception, for a spreadsheet, to FILE.",
)
@click.option(
    "--xlsx",
    "xlsx_path",
    type=_OUTPUT,
    help="Write an Excel workbook to FILE: sheets of exceptions, records needing action, "
    "invalid records and a summary.",
)
@as_of_option
@rules_option
@workers_option
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A previous audit's JSON: mark each exception new or persisting, and list "
    "those resolved since.",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Replace every child's, adult's, worker's and judge's name, and every record file's "
    "name, by a stable pseudonym in every output (kept: record, child, adult and worker ids, "
    "dates, teams, rules, folder names and line numbers), and withhold quoted free text "
    "(conclusions, notes, reasons), so that the report can be shared.",
)
@user_errors
def audit(
    paths: tuple[Path, ...],
    json_path: Path | None,
    html_path: Path | None,
    csv_path: Path | None,
    xlsx_path: Path | None,
    as_of: date | None,
    rules_dir: Path | None,
    workers: int,
    baseline: Path | None,
    redact: bool,
) -> None:
    """Check every record in the given files, folders and JSON Lines files, and write the
    supervisors' exception report.

    Folders are searched for .json, .yaml, .yml and .jsonl files. The JSON's `reports` holds the
    full reports of failing records only; every exception is in `exceptions`, every record that
    could not be checked in `errors`.

    Exit status: 0 every record passes, 1 any record fails or is invalid, 2 nothing could be
    read or the rules (or the baseline) are bad.
    """
    from ..audit import check_outputs, run, write_outputs

    outputs = [p for p in (json_path, html_path, csv_path, xlsx_path) if p is not None]
    check_outputs(outputs)  # before the work, not after it
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        result = run(
            paths,
            as_of=as_of or date.today(),
            rules_dir=rules_dir,
            workers=workers,
            baseline=baseline,
            redact=redact,
            skip=[*outputs, *([baseline] if baseline else [])],  # never read them as records
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    with result:  # its lists are in temporary files until the outputs are written
        written = write_outputs(
            result, json_path=json_path, html_path=html_path, csv_path=csv_path, xlsx_path=xlsx_path
        )
        summary = result.summary_text()
        warnings = result.warnings
    for warning in warnings:
        click.echo(f"closure-check: warning: {warning}", err=True)
    click.echo(summary, nl=False)
    if written:
        click.echo("Wrote " + ", ".join(str(p) for p in written) + ".")
    if result.exit_status == ExitStatus.INPUT:
        click.echo("closure-check: nothing could be read; nothing was checked.", err=True)
    sys.exit(result.exit_status)
