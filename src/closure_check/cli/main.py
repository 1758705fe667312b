"""The `closure-check` command group. Each command lives in a module of its own and imports the
library only when it runs, so `closure-check --help` starts quickly.

Exit status (common.ExitStatus): 0 pass, 1 fail, 2 input error (unreadable file, invalid
record, bad rule files, bad option), 3 an internal error of the checker itself (never the
user's mistake).
"""

from __future__ import annotations

import click

from .. import __version__
from .audit import audit
from .book import rules_book
from .check import check, schema
from .docs import docs
from .impact import rules_impact
from .policy import rules_coverage, scenarios
from .rules import rules
from .serve import serve
from .verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="closure-check")
def main() -> None:
    """Check an assessment record against the Child J serious case review before it is
    completed or closed."""


rules.add_command(rules_coverage)
rules.add_command(rules_impact)  # effective dates and policy teams (issue 13)
rules.add_command(rules_book)
for command in (check, schema, rules, scenarios, audit, verify, serve, docs):
    main.add_command(command)
