"""`closure-check docs [DIR] [--write]`: the parts of docs/ made from the code (the record
format's tables, the rule catalogue, the Terms' data; closure_check.docsgen), checked or
rewritten."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import ExitStatus, rules_option, user_errors


@click.command("docs")
@click.argument(
    "docs_dir", metavar="DIR", required=False, type=click.Path(path_type=Path, file_okay=False)
)
@click.option("--write", is_flag=True, help="Rewrite the generated parts that are out of date.")
@rules_option
@user_errors
def docs(docs_dir: Path | None, write: bool, rules_dir: Path | None) -> None:
    """Check that the generated parts of the documentation (docs/record-format.md's tables,
    docs/rules.md's catalogue and Terms) say what the code and the rule files say; with
    --write, rewrite those that do not. DIR is the docs folder (default: docs/ here, else the
    checkout's).

    Exit status: 0 up to date (or rewritten), 1 out of date, 2 bad input."""
    from ..docsgen import DOCS_COMMAND, stale_docs, write_docs
    from ..rulefile import load_rules

    folder = docs_dir or _default_docs_dir()
    rules = load_rules(rules_dir)
    if write:
        for path in write_docs(folder, rules):
            click.echo(f"rewrote {path}")
        return
    stale = stale_docs(folder, rules)
    for path in stale:
        click.echo(f"{path}: out of date: run `{DOCS_COMMAND}`")
    if stale:
        sys.exit(ExitStatus.FAIL)
    click.echo("The generated documentation is up to date.")


def _default_docs_dir() -> Path:
    here = Path("docs")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "docs"
